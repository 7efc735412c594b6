//! After retirement: the pension path with yearly increases, and the analyst metrics of
//! every result row (replacement rates, break-even age, IRR, pension wealth, money's worth)
//! plus the yearly values of the `--paths` rows (which yanglao-io writes).
//!
//! Definitions (also in the README):
//! - The pension is paid monthly from the pension month. Employee pensions rise each
//!   January by the claim province's adjustment rule of that year (a flat amount, a share
//!   of the own pension, an amount per contribution year in marginal bands, an age tilt),
//!   else the national percentage of that year, else the `indexation` assumption. Resident pensions take the basic pension
//!   in force each January (national + province + city), then grow by `indexation` after
//!   the last dated step; bonus and account parts stay fixed.
//! - Survival: from the life table (monthly, constant force within a year of age),
//!   conditional on being alive at the pension month; `death_age` replaces it with
//!   certainty (payments through the month before that birthday).
//! - Own payments are the row's own contributions in the projection window, month by month
//!   (resident years at the year end), refunds subtracted at the pension month.
//! - `breakeven_age`: first month whose payment brings cumulative nominal receipts to the
//!   cumulative net own payments, empty if later than the life horizon (death age, else
//!   the pension age plus the table's life expectancy at that age).
//! - `irr`: annual rate (1 + i)^12 − 1 of the monthly rate i at which own payments equal
//!   survival-weighted receipts; safeguarded Newton on the discount factor within the
//!   bracket −95%…+10,000% a year, to 1e-12 in the factor, at most 200 steps; empty when payments or
//!   receipts are missing or the bracket holds no sign change.
//! - `pension_wealth`: Σ monthly pension × survival × (1 + discount_rate)^(−months/12) at
//!   the pension month; `money_worth` divides it by own payments accumulated to the pension
//!   month at the same rate.
//!
//! Money owed (pensions, increases, payments, break-even) is exact decimal; the
//! survival- and discount-weighted statistics are computed in `f64` and rounded at output.

use crate::model::{Category, Context, Outcome, Payment, Scenario, Scheme, Status};
use crate::params::{
    exact_units, mul_i128, pow10_f64, round_scaled, to_f64, to_units, Month, Provenance, Round, RoundMode, Sex,
};
use rust_decimal::Decimal;

mod horner;
mod irr;
mod lifetime;
#[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
#[allow(unsafe_code)]
mod wide;

use horner::*;
use irr::*;
use lifetime::*;

thread_local! {
    /// Reused buffer for the monthly flows of one row.
    static FLOWS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Analyst metrics appended after `message` (filled by the metrics stage).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// First total pension ÷ last monthly contribution base.
    pub replacement_rate: Option<Decimal>,
    /// First total pension ÷ the region's average monthly wage in the retirement year.
    pub replacement_rate_avg: Option<Decimal>,
    /// Age when cumulative receipts first reach cumulative own payments (months).
    pub breakeven_age: Option<i32>,
    /// Yearly internal rate of return.
    pub irr: Option<Decimal>,
    /// Survival-weighted present value at retirement.
    pub pension_wealth: Option<Decimal>,
    /// Pension wealth ÷ accumulated own payments.
    pub money_worth: Option<Decimal>,
    /// Weakest provenance of everything the row used, metrics included.
    pub provenance: Provenance,
    /// `total` in `as_of` yuan: deflated by `wage_growth` from `as_of` to the pension month.
    pub total_real: Option<Decimal>,
    /// `pension_wealth` in `as_of` yuan, deflated the same way.
    pub pension_wealth_real: Option<Decimal>,
}

/// One calendar year of a row's path (a `--paths` row; yanglao-io formats it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathYear {
    /// Calendar year.
    pub year: i32,
    /// Age in whole years in December of the year.
    pub age: i32,
    /// Own payments in the year.
    pub own_paid: Decimal,
    /// Government subsidy and account balance from the year's trace, when there is one.
    pub account: Option<(Decimal, Decimal)>,
    /// Monthly pension in payment in the year (0 before the pension).
    pub monthly_pension: Decimal,
    /// Own payments up to the year's end.
    pub cumulative_paid: Decimal,
    /// Pension received up to the year's end.
    pub cumulative_received: Decimal,
    /// Probability of being alive in December (1 before the pension).
    pub survival: f64,
}

/// An `f64` statistic as a decimal with `dp` places (rounded half away from zero).
fn dec(x: f64, dp: u32) -> Option<Decimal> {
    let units = (x * pow10_f64(dp)).round();
    (units.is_finite() && units.abs() < 1e27).then(|| Decimal::from_i128_with_scale(units as i128, dp))
}

/// Metrics of one computed row; empty (but for provenance) when it is not `ok`.
pub fn compute(s: &Scenario, o: &Outcome, ctx: &Context) -> Metrics {
    // Real terms (issue 13, defect 3): divided by (1 + wage_growth)^(months / 12), months
    // from `as_of` to the pension month.
    let g = to_f64(s.wage_growth.unwrap_or(ctx.assumptions.wage_growth));
    let deflator = (1.0 + g).powf(f64::from(o.retire.since(s.as_of).max(0)) / 12.0);
    let real = |x: f64| if deflator.is_finite() && deflator > 0.0 { dec(x / deflator, 2) } else { None };
    let total_real = real(to_f64(o.total));
    if o.status != Status::Ok {
        return Metrics { provenance: o.provenance, total_real, ..Metrics::default() };
    }
    let life = lifetime(s, o, ctx);
    let d = to_f64(s.discount_rate.unwrap_or(ctx.assumptions.discount_rate));
    let (wealth, rate, accumulated) = DISCOUNTING.with(|cache| {
        let mut cache = cache.borrow_mut();
        let disc = match cache.as_mut() {
            Some(c) if c.rate.to_bits() == d.to_bits() => {
                c.repeat();
                c
            }
            _ => cache.insert(Discounting::new(d)),
        };
        let (wealth, rate) = FLOWS.with(|buf| {
            let mut f = buf.borrow_mut();
            let (offset, wealth) = flows_into(&mut f, &life, &o.payments, ctx, disc);
            (wealth, irr(&f, offset))
        });
        // Own payments accumulated to the pension month at the same rate (geometric sums).
        let up = disc.up;
        let up12 = up.powi(12); // the usual whole-year payment, computed once
        let mut accumulated = 0.0;
        for p in &o.payments {
            let n = p.last.since(p.first) + 1;
            let up_n = if n == 12 { up12 } else { disc.up_pow(n) };
            let sum = if (up - 1.0).abs() < 1e-15 { f64::from(n) } else { (up_n - 1.0) / (up - 1.0) };
            accumulated += to_f64(p.per_month) * disc.up_pow(life.start.since(p.last)) * sum;
        }
        (wealth, rate, accumulated)
    });
    let paid = net_paid(&o.payments);
    let money = Round::half_up(4);
    Metrics {
        replacement_rate: match (o.scheme, o.last_base) {
            (Scheme::Employee | Scheme::Flexible, Some(b)) if !b.is_zero() => Some(money.div(o.total, b)),
            _ => None,
        },
        replacement_rate_avg: o.avg_wage_retirement.filter(|w| !w.is_zero()).map(|w| money.div(o.total, w)),
        breakeven_age: breakeven(&life, paid).map(|m| m.since(s.birth)),
        irr: rate.and_then(|r| dec(r, 4)),
        pension_wealth: dec(wealth, 2),
        money_worth: if accumulated > 0.0 { dec(wealth / accumulated, 4) } else { None },
        provenance: o.provenance.max(life.provenance),
        total_real,
        pension_wealth_real: dec(wealth, 2).and_then(|_| real(wealth)),
    }
}

/// The yearly path of one row (`--paths`), year by year in order: from the first projected
/// year to the life horizon (to the table's end for rows without a pension).
#[inline]
pub fn path_years(s: &Scenario, o: &Outcome, ctx: &Context, mut each: impl FnMut(&PathYear)) {
    let life = (o.status == Status::Ok).then(|| lifetime(s, o, ctx));
    let first_year = o.payments.first().map_or(s.as_of.year(), |p| p.first.year()).min(s.as_of.year());
    let last_month = match &life {
        Some(l) => l.horizon.min(l.end).plus(-1).max(l.start),
        None => o.retire,
    };
    // Own payments per calendar year in one pass over the payments (each is split at year ends).
    let years = (last_month.year() - first_year + 1).max(0) as usize;
    let mut own_by_year = vec![Decimal::ZERO; years];
    for p in &o.payments {
        let mut a = p.first.max(Month::january(first_year));
        while a <= p.last && a.year() <= last_month.year() {
            let b = p.last.min(Month::december(a.year()));
            own_by_year[(a.year() - first_year) as usize] += p.per_month * Decimal::from(b.since(a) + 1);
            a = Month::january(a.year() + 1);
        }
    }
    let mut traces = o.trace.iter().peekable();
    let (mut cum_paid, mut cum_recv) = (Decimal::ZERO, Decimal::ZERO);
    for (y, own) in (first_year..=last_month.year()).zip(own_by_year) {
        let jan = Month::january(y);
        let dec_ = Month::december(y);
        cum_paid += own;
        while traces.next_if(|t| t.year < y).is_some() {}
        let tr = traces.peek().filter(|t| t.year == y);
        let (pension, survival) = match &life {
            Some(l) if y >= l.start.year() => {
                let a = l.start.max(jan);
                let b = dec_.min(last_month);
                let p = l.pension_at(a);
                if a <= b {
                    cum_recv += p * Decimal::from(b.since(a) + 1);
                }
                (p, l.survival(ctx, dec_))
            }
            _ => (Decimal::ZERO, 1.0),
        };
        each(&PathYear {
            year: y,
            age: dec_.since(s.birth) / 12,
            own_paid: own,
            account: tr.map(|t| (t.gov_paid, t.balance)),
            monthly_pension: pension,
            cumulative_paid: cum_paid,
            cumulative_received: cum_recv,
            survival,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irr_of_a_simple_annuity() {
        // Pay 100 now, receive 110 twelve months later: 10% a year.
        let mut f = vec![0.0; 13];
        f[0] = -100.0;
        f[12] = 110.0;
        assert!((irr(&f, 0).unwrap() - 0.10).abs() < 1e-9);
        // Where the search for receipts starts does not change the answer.
        for start in [5, 12, 13, 99] {
            assert_eq!(irr(&f, start), irr(&f, 0));
        }
        assert_eq!(irr(&[-1.0, 1.0, -1.0, -1.0], 3), irr(&[-1.0, 1.0, -1.0, -1.0], 0));
        // No sign change: undefined, never loops.
        assert!(irr(&[1.0, 2.0], 0).is_none());
        assert!(irr(&[-1.0, -2.0], 1).is_none());
    }

    #[test]
    fn irr_of_long_steep_flows_converges() {
        // Six yearly payments of 500, then 300 a month for 43 years: NPV at the IRR is 0.
        let mut f = vec![0.0; 600];
        for m in (11..72).step_by(12) {
            f[m] = -500.0;
        }
        for v in f.iter_mut().skip(76) {
            *v = 300.0;
        }
        let r = irr(&f, 0).unwrap();
        let x = (1.0 + r).powf(-1.0 / 12.0);
        assert!(npv(&f, x).abs() < 1e-6, "r={r} npv={}", npv(&f, x));
        assert!(r > 0.3 && r < 100.0, "{r}");
    }

    proptest::proptest! {
        /// The integer indexation path equals repeated decimal rounding.
        #[test]
        fn index_path_matches_decimal_steps(v in -100_000_000i64..100_000_000, vs in 0u32..4, g in -100i64..200, gs in 1u32..8,
                                            places in 0u32..4, mode in 0usize..3, years in 0usize..60,
                                            plus in 0i64..1_000_000, ps in 0u32..5) {
            let v = Decimal::new(v, vs);
            // (Growth of at most 30% a year at one or two places, so 60 years stay in range.)
            let grow = Decimal::ONE + Decimal::new(if gs <= 2 { g % 3 } else { g }, gs);
            let plus = Decimal::new(plus, ps);
            let mode = [crate::params::RoundMode::HalfAwayFromZero, crate::params::RoundMode::Up, crate::params::RoundMode::Down][mode];
            let money = Round { places, mode };
            let mut want = Vec::new();
            let mut cur = v;
            for _ in 0..years {
                cur = money.apply(cur * grow);
                want.push(cur + plus);
            }
            let mut got = vec![Decimal::ONE];
            index_path(v, grow, money, years, plus, &mut got);
            proptest::prop_assert_eq!(&got[1..], &want[..]);
        }
    }

    proptest::proptest! {
        /// The AVX2 loops give the same bits as the portable ones: results do not depend
        /// on the machine.
        #[test]
        fn wide_loops_give_the_same_bits(f in proptest::collection::vec(-1e6f64..1e6, 0..700), y in 0.5f64..1.5) {
            let body = &f[..f.len() / LANES * LANES];
            let portable = portable_lane_sums_and_slopes(body, y);
            let bits = |v: &[f64; LANES]| v.map(f64::to_bits);
            let (a, da) = lane_sums_and_slopes(body, y);
            proptest::prop_assert_eq!((bits(&a), bits(&da)), (bits(&portable.0), bits(&portable.1)));
            proptest::prop_assert_eq!(bits(&lane_sums(body, y)), bits(&portable_lane_sums(body, y)));
            proptest::prop_assert_eq!(bits(&portable_lane_sums(body, y)), bits(&portable.0));
            // The whole evaluations, the weighting and the pairwise sums included.
            let x = y.powf(1.0 / LANES as f64);
            let (v, dv) = npv_and_slope(body, x);
            let (pv, pdv) = portable_npv_and_slope(body, x);
            proptest::prop_assert_eq!((v.to_bits(), dv.to_bits()), (pv.to_bits(), pdv.to_bits()));
            proptest::prop_assert_eq!(npv(body, x).to_bits(), portable_npv(body, x).to_bits());
            // The yearly sums (the whole years only, as many as fit).
            let (mut wide, mut plain) = ([0.0f64; 40], [0.0f64; 40]);
            let years = portable_year_sums(&f, &mut plain);
            proptest::prop_assert_eq!(years, (f.len() / 12).min(40));
            proptest::prop_assert_eq!(year_sums(&f, &mut wide), years);
            proptest::prop_assert_eq!(wide.map(f64::to_bits), plain.map(f64::to_bits));
        }
    }

    #[test]
    fn npv_and_slope_match_direct_sums() {
        for n in [0usize, 1, 3, 4, 5, 23, 100] {
            let f: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) * 1.5).collect();
            let x: f64 = 0.97;
            let value: f64 = f.iter().enumerate().map(|(i, v)| v * x.powi(i as i32)).sum();
            let slope: f64 = f.iter().enumerate().skip(1).map(|(i, v)| v * i as f64 * x.powi(i as i32 - 1)).sum();
            let (v, d) = npv_and_slope(&f, x);
            assert!((v - value).abs() < 1e-9 && (d - slope).abs() < 1e-8, "n={n}: {v} vs {value}, {d} vs {slope}");
        }
    }

    #[test]
    fn npv_matches_direct_sum() {
        let f: Vec<f64> = (0..23).map(|i| (i as f64 - 7.0) * 1.5).collect();
        let x: f64 = 0.97;
        let direct: f64 = f.iter().enumerate().map(|(i, v)| v * x.powi(i as i32)).sum();
        assert!((npv(&f, x) - direct).abs() < 1e-9);
    }
}
