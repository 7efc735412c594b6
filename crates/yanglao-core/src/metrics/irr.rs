//! The yearly internal rate of return of a row's monthly flows: a safeguarded Newton solve
//! on the discount factor within −95% … +10,000% a year, from a first solve on yearly sums;
//! and the per-thread table of discount and accumulation factors ([`Discounting`]).

use super::*;

/// The IRR's bracket in annual rates: −95% … +10,000% a year.
pub(super) const R_HI: f64 = 100.0;
pub(super) const R_LO: f64 = -0.95;
/// The same bracket in monthly discount factors (lo, hi), computed once.
pub(super) static BRACKET: std::sync::LazyLock<(f64, f64)> =
    std::sync::LazyLock::new(|| ((1.0 + R_HI).powf(-1.0 / 12.0), (1.0 + R_LO).powf(-1.0 / 12.0)));

/// The monthly discount and accumulation factors of one discount rate, with the powers of
/// the accumulation factor that own payments need. Every value is what `powf`/`powi` give
/// (the table only saves recomputing them row after row). Kept per thread; a row with
/// another rate starts a new one without the table, which is built when the next row has
/// the same rate again, so rates that change from row to row cost no more than `powi`.
pub(super) struct Discounting {
    pub(super) rate: f64,
    /// (1 + rate)^(−1/12).
    pub(super) down: f64,
    /// (1 + rate)^(1/12).
    pub(super) up: f64,
    /// up^k for k = 0 … UP_POWERS − 1, once the rate has come twice in a row (else empty).
    pub(super) up_pow: Vec<f64>,
}

/// Months covered by the table of powers (longer gaps call `powi`).
pub(super) const UP_POWERS: i32 = 1200;

impl Discounting {
    pub(super) fn new(rate: f64) -> Discounting {
        Discounting {
            rate,
            down: (1.0 + rate).powf(-1.0 / 12.0),
            up: (1.0 + rate).powf(1.0 / 12.0),
            up_pow: Vec::new(),
        }
    }

    /// The same rate again: the table of powers, if not built yet.
    pub(super) fn repeat(&mut self) {
        if self.up_pow.is_empty() {
            let up = self.up;
            self.up_pow = (0..UP_POWERS).map(|k| up.powi(std::hint::black_box(k))).collect();
        }
    }

    /// up^n, exactly as `up.powi(n)`.
    pub(super) fn up_pow(&self, n: i32) -> f64 {
        usize::try_from(n).ok().and_then(|k| self.up_pow.get(k)).copied().unwrap_or_else(|| self.up.powi(n))
    }
}

thread_local! {
    pub(super) static DISCOUNTING: std::cell::RefCell<Option<Discounting>> = const { std::cell::RefCell::new(None) };
}

/// Yearly IRR of monthly flows; None when there is no sign change on −95%…+10,000% a year.
/// A first solve on yearly sums gives the starting point of the monthly solve.
/// Receipts usually start at `receipts` (the pension month): the search for a positive flow
/// looks there first (the same answer, without scanning the payment years).
pub(super) fn irr(f: &[f64], receipts: usize) -> Option<f64> {
    let (before, after) = f.split_at(receipts.min(f.len()));
    let positive = after.iter().any(|v| *v > 0.0) || before.iter().any(|v| *v > 0.0);
    if !f.iter().any(|v| *v < 0.0) || !positive {
        return None;
    }
    let mut yearly = [0.0f64; 160];
    // Years counted from the pension month (the months before the first such year form a
    // short first one), so that no year mixes the last payments with the first receipts:
    // within each year the flows are then nearly level, and the yearly root is close to
    // the monthly one.
    let (head, body) = f.split_at(receipts.min(f.len()) % 12);
    yearly[0] = head.iter().sum();
    let years = (1 + body.len().div_ceil(12)).min(yearly.len());
    // Whole years as three vectors of four, added across then within (the sums only start
    // the search, so their order of addition is free); then the partial last year.
    let k = 1 + year_sums(body, &mut yearly[1..]);
    if let Some(y) = yearly.get_mut(k) {
        *y = body.chunks_exact(12).remainder().iter().sum();
    }
    // Zeros after the last year (they add nothing) make whole chunks: no tail loop.
    let yearly = &yearly[..years.next_multiple_of(LANES).min(yearly.len())];
    let guess_rate = yearly_guess(yearly, 1.0 / (1.0 + R_HI), 1.0 / (1.0 + R_LO)).map_or(0.03, |x| 1.0 / x - 1.0);
    let x_of = |r: f64| (1.0 + r).powf(-1.0 / 12.0);
    let (lo, hi) = *BRACKET;
    // Newton from the yearly guess usually lands in two or three steps; a root it reaches
    // is a root, so the bracketed search only runs when it does not. Newton's error is of
    // the order of the step squared (times a modest factor): below 1e-12 in the factor
    // after a step under 1e-7.
    let x0 = x_of(guess_rate);
    newton(f, x0, lo, hi, 1e-7, 8).or_else(|| solve(f, lo, hi, x0)).map(|x| x.powf(-12.0) - 1.0)
}
