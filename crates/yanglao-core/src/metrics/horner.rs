//! Sums of Σ f[t] x^t in `LANES` independent Horner chains (the present values and the
//! IRR's evaluations), with the plain-Rust reference of each loop that the vector build
//! ([`super::wide`]) must match bit for bit.

#[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
use super::wide;

/// Independent Horner chains per evaluation: enough to keep the floating-point units busy.
pub(super) const LANES: usize = 16;

/// x^0 … x^(LANES − 1), and y = x^LANES, for present values ([`npv`]: the pension wealth).
#[inline]
pub(super) fn powers(x: f64) -> ([f64; LANES], f64) {
    // Binary splitting: x^j = x^(j/2) · x^(j − j/2), a chain of four products, not fifteen.
    let mut p = [1.0f64; LANES];
    p[1] = x;
    for j in 2..LANES {
        p[j] = p[j / 2] * p[j - j / 2];
    }
    (p, p[LANES - 1] * x)
}

/// x^0 … x^(LANES − 1), and y = x^LANES, for the IRR's evaluations ([`npv_and_slope`]):
/// the powers of [`powers`] but for the last bit, in fewer and vector-friendly products.
/// The root found does not move with the last bit; the pension wealth can (its rounding
/// to the fen changed for one generated row in 100,000 when it took these), so it keeps
/// its own.
#[inline]
pub(super) fn block_powers(x: f64) -> ([f64; LANES], f64) {
    // In blocks of four (x^(4k + i) = x^i · x^4k), as the vector build forms them.
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let b0 = [1.0, x, x2, x2 * x];
    let b1 = b0.map(|v| v * x4);
    let b2 = b0.map(|v| v * x8);
    let b3 = b1.map(|v| v * x8);
    let mut p = [0.0f64; LANES];
    for (k, b) in [b0, b1, b2, b3].iter().enumerate() {
        p[4 * k..4 * k + 4].copy_from_slice(b);
    }
    (p, x8 * x8)
}

/// j for each lane j (the derivative's weights).
pub(super) const LANE_INDEX: [f64; LANES] = {
    let mut v = [0.0f64; LANES];
    let mut j = 0;
    while j < LANES {
        v[j] = j as f64;
        j += 1;
    }
    v
};

/// Σ v[j] in pairs (a short dependency chain).
#[inline]
pub(super) fn pairwise(mut v: [f64; LANES]) -> f64 {
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for j in 0..n {
            v[j] += v[j + n];
        }
    }
    v[0]
}

/// A_j(y) = Σ_k body[L k + j] y^k for every lane j: Horner from the last chunk, two
/// chunks a step (a ← a·y² + (c_{k+1}·y + c_k)) so that each step waits on one product and
/// one sum; an odd chunk count starts with the last chunk alone.
pub(super) fn lane_sums(body: &[f64], y: f64) -> [f64; LANES] {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_lane_sums(body, y) {
        return v;
    }
    portable_lane_sums(body, y)
}

/// [`lane_sums`] in plain Rust (the reference for the vector build).
pub(super) fn portable_lane_sums(body: &[f64], y: f64) -> [f64; LANES] {
    let y2 = y * y;
    let mut acc = [0.0f64; LANES];
    let mut pairs = body.chunks_exact(2 * LANES);
    if let Some(last) = pairs.remainder().get(..LANES) {
        acc.copy_from_slice(last);
    }
    for c in pairs.by_ref().rev() {
        let (lo, hi) = c.split_at(LANES);
        for j in 0..LANES {
            acc[j] = acc[j] * y2 + (hi[j] * y + lo[j]);
        }
    }
    acc
}

/// A_j(y) and A_j'(y) for every lane j, two chunks a step like [`lane_sums`]:
/// a' ← a·y² + (c_{k+1}·y + c_k), d' ← d·y² + (a·2y + c_{k+1}).
pub(super) fn lane_sums_and_slopes(body: &[f64], y: f64) -> ([f64; LANES], [f64; LANES]) {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_lane_sums_and_slopes(body, y) {
        return v;
    }
    portable_lane_sums_and_slopes(body, y)
}

/// [`lane_sums_and_slopes`] in plain Rust (the reference for the vector build).
pub(super) fn portable_lane_sums_and_slopes(body: &[f64], y: f64) -> ([f64; LANES], [f64; LANES]) {
    let (y2, ty) = (y * y, y + y);
    let (mut a, mut da) = ([0.0f64; LANES], [0.0f64; LANES]);
    let mut pairs = body.chunks_exact(2 * LANES);
    if let Some(last) = pairs.remainder().get(..LANES) {
        a.copy_from_slice(last);
    }
    for c in pairs.by_ref().rev() {
        let (lo, hi) = c.split_at(LANES);
        for j in 0..LANES {
            da[j] = da[j] * y2 + (a[j] * ty + hi[j]);
            a[j] = a[j] * y2 + (hi[j] * y + lo[j]);
        }
    }
    (a, da)
}

/// The sums of the whole years (twelve flows) of `body` into `out`, as many as fit; returns
/// their count. Each year as three vectors of four added lane by lane, then the lanes
/// (0 + 2) + (1 + 3).
pub(super) fn year_sums(body: &[f64], out: &mut [f64]) -> usize {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_year_sums(body, out) {
        return v;
    }
    portable_year_sums(body, out)
}

/// [`year_sums`] in plain Rust (the reference for the vector build).
pub(super) fn portable_year_sums(body: &[f64], out: &mut [f64]) -> usize {
    let mut n = 0;
    for (y, c) in out.iter_mut().zip(body.chunks_exact(12)) {
        let v: [f64; 4] = std::array::from_fn(|j| (c[j] + c[j + 4]) + c[j + 8]);
        *y = (v[0] + v[2]) + (v[1] + v[3]);
        n += 1;
    }
    n
}

/// Σ f[t] x^t with `LANES` independent Horner chains in y = x^LANES (one per residue of t).
pub(super) fn npv(f: &[f64], x: f64) -> f64 {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if f.len().is_multiple_of(LANES) {
        if let Some(v) = wide::try_npv(f, x) {
            return v;
        }
    }
    portable_npv(f, x)
}

/// [`npv`] in plain Rust (the reference for the vector build).
pub(super) fn portable_npv(f: &[f64], x: f64) -> f64 {
    let (xs, y) = powers(x);
    let n = f.len() / LANES;
    let acc = lane_sums(&f[..n * LANES], y);
    let mut total = pairwise(std::array::from_fn(|j| xs[j] * acc[j]));
    let tail = &f[n * LANES..];
    if tail.is_empty() {
        return total;
    }
    let mut p = y.powi(n as i32);
    for v in tail {
        total += v * p;
        p *= x;
    }
    total
}

/// Σ f[t] x^t and its derivative in x, with `LANES` interleaved Horner chains in
/// y = x^LANES; the tail is added directly. With A_j(y) = Σ_k f[L k + j] y^k:
/// value = Σ_j x^j A_j(y), slope = Σ_j (j x^(j−1) A_j + L x^(j+L−1) A_j'(y))
/// = (Σ_j x^j (j A_j + L y A_j'(y))) / x.
pub(super) fn npv_and_slope(f: &[f64], x: f64) -> (f64, f64) {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if f.len().is_multiple_of(LANES) {
        if let Some(v) = wide::try_npv_and_slope(f, x) {
            return v;
        }
    }
    portable_npv_and_slope(f, x)
}

/// [`npv_and_slope`] in plain Rust (the reference for the vector build).
pub(super) fn portable_npv_and_slope(f: &[f64], x: f64) -> (f64, f64) {
    let (xs, y) = block_powers(x);
    let n = f.len() / LANES;
    let (a, da) = lane_sums_and_slopes(&f[..n * LANES], y);
    let ly = LANES as f64 * y;
    let mut value = pairwise(std::array::from_fn(|j| xs[j] * a[j]));
    let mut slope = pairwise(std::array::from_fn(|j| xs[j] * (LANE_INDEX[j] * a[j] + ly * da[j]))) / x;
    // Tail t = L·n + i.
    let tail = &f[n * LANES..];
    if tail.is_empty() {
        return (value, slope);
    }
    let mut p = y.powi(n as i32);
    let base = (LANES * n) as f64;
    for (i, v) in tail.iter().enumerate() {
        let t = base + i as f64;
        value += v * p;
        if t > 0.0 {
            slope += v * t * p / x;
        }
        p *= x;
    }
    (value, slope)
}

/// Root of Σ f[t] x^t in x on (lo, hi): Newton steps kept inside a shrinking bracket
/// (bisection when a step would leave it), until the step or the bracket is below 1e-12,
/// at most 200 steps. None without a sign change.
pub(super) fn solve(f: &[f64], mut lo: f64, mut hi: f64, guess: f64) -> Option<f64> {
    let (f_lo, f_hi) = (npv(f, lo), npv(f, hi));
    if !(f_lo.is_finite() && f_hi.is_finite()) || f_lo.signum() == f_hi.signum() || f_lo == 0.0 || f_hi == 0.0 {
        return [(f_lo, lo), (f_hi, hi)].into_iter().find(|(v, _)| *v == 0.0).map(|(_, x)| x);
    }
    let lo_sign = f_lo.signum();
    let mut x = guess.clamp(lo, hi);
    for _ in 0..200 {
        let (v, dv) = npv_and_slope(f, x);
        if v == 0.0 {
            break;
        }
        if v.signum() == lo_sign {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - v / dv;
        if dv != 0.0 && newton.is_finite() && newton > lo && newton < hi && (newton - x).abs() < 1e-9 {
            // Quadratic convergence: the next step would be below 1e-15.
            x = newton;
            break;
        }
        let next = if dv != 0.0 && newton.is_finite() && newton > lo && newton < hi { newton } else { (lo + hi) / 2.0 };
        let step = (next - x).abs();
        x = next;
        if step < 1e-12 || hi - lo < 1e-12 {
            break;
        }
    }
    Some(x)
}

/// Root of the yearly sums' polynomial, only as the starting point of the monthly solve:
/// Newton from the rate at which the paid total, grown from the payments' mean year to the
/// receipts' mean year, equals the received total, until a step below 1e-4; the bracketed
/// search when Newton leaves (lo, hi).
pub(super) fn yearly_guess(yearly: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let (mut paid, mut paid_t, mut got, mut got_t) = (0.0, 0.0, 0.0, 0.0);
    for (t, v) in yearly.iter().enumerate() {
        if *v < 0.0 {
            paid -= v;
            paid_t -= v * t as f64;
        } else {
            got += v;
            got_t += v * t as f64;
        }
    }
    let span = got_t / got - paid_t / paid;
    let start = if paid > 0.0 && got > 0.0 && span > 0.5 { (paid / got).powf(1.0 / span) } else { 1.0 / 1.03 };
    // A step below 1e-4 leaves an error of order 1e-8, far below the gap between the yearly
    // and the monthly roots that the monthly search closes anyway (the monthly evaluations
    // per row are the same as with 1e-9; two yearly ones fewer).
    newton(yearly, start.clamp(lo, hi), lo, hi, 1e-4, 20).or_else(|| solve(yearly, lo, hi, 1.0 / 1.03))
}

/// Plain Newton steps on Σ f[t] x^t from `x` while they stay inside (lo, hi): the point
/// after the first step smaller than `tol`, at most `steps` evaluations; None when a step
/// leaves the bracket or none gets that small (the callers then search the bracket).
pub(super) fn newton(f: &[f64], mut x: f64, lo: f64, hi: f64, tol: f64, steps: usize) -> Option<f64> {
    for _ in 0..steps {
        let (v, dv) = npv_and_slope(f, x);
        let next = x - v / dv;
        if !(dv != 0.0 && next.is_finite() && next > lo && next < hi) {
            return None;
        }
        if (next - x).abs() < tol {
            return Some(next);
        }
        x = next;
    }
    None
}
