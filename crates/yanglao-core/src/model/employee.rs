//! Employee and flexible-worker accrual (contract C8–C11), one account for the whole
//! career with interest on the combined balance (C26).

use super::env::Env;
use super::{Event, RowError, Scheme, Used, YearTrace};
use crate::params::{exact_units, mul_i128, round_scaled, Month, RegionId, Round};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A spell of monthly contributions inside the projection window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EmpSpell {
    /// First contribution month.
    pub from: Month,
    /// Last contribution month.
    pub to: Month,
    /// Contribution index (C9).
    pub index: Decimal,
    /// Employee or flexible (C10).
    pub scheme: Scheme,
    /// Region whose W sets the base.
    pub region: RegionId,
    /// Province of `region`.
    pub province: RegionId,
    /// Temporary account (C25): counts in the sums, not in the 10-year tests.
    pub temporary: bool,
}

/// Contributions of one spell within one calendar year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Part {
    /// Calendar year.
    pub year: i32,
    /// Province of the spell.
    pub province: RegionId,
    /// Monthly base (C9).
    pub base: Decimal,
    /// Months contributed.
    pub count: i32,
    /// Nominal index.
    pub index: Decimal,
    /// Temporary account.
    pub temporary: bool,
    /// Last month contributed.
    pub last: Month,
    /// Region of the spell.
    pub region: RegionId,
    /// Scheme of the spell.
    pub scheme: Scheme,
    /// Own payment per month.
    pub own: Decimal,
}

/// Result of the accrual.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmpAccrual {
    /// Balance at the start of the month after the window.
    pub balance: Decimal,
    /// Contribution months.
    pub months: i32,
    /// Own payments.
    pub own_paid: Decimal,
    /// Per year and spell.
    pub parts: Vec<Part>,
    /// Yearly trace when requested.
    pub trace: Vec<YearTrace>,
}

impl EmpAccrual {
    /// Contribution months in a calendar year (for the bridging overlap, C26).
    pub fn months_in_year(&self, year: i32) -> i32 {
        self.parts.iter().filter(|p| p.year == year).map(|p| p.count).sum()
    }

    /// The last contribution part.
    pub fn last_part(&self) -> Option<&Part> {
        self.parts.iter().max_by_key(|p| p.last)
    }
}

/// Accrues the account over `first ..= last` (C11): for each calendar year with accrual
/// months a..e and crediting rate r,
/// `interest = round(r × (B_start × (e − a + 1) + Σ c_n × (e − n + 1)) / 12, 2)`, which is
/// the 月积数 formula of the contract with one division, evaluated exactly and rounded once.
/// Bases, credits and own payments are rounded monthly amounts (C9, C10). Source of the
/// monthly-products method: 劳办发〔1997〕116号 as described in the rules file §1.6.
///
/// The work is done on whole money units (fen) in 64-bit integers when every amount is a
/// whole number of units and fits; otherwise, or when a value leaves that range, on
/// decimals. Both give the same numbers (property-tested below).
pub(crate) fn accrue(
    env: &mut Env,
    start_balance: Decimal,
    first: Month,
    last: Month,
    spells: &[EmpSpell],
) -> Result<EmpAccrual, RowError> {
    if first > last {
        return Ok(EmpAccrual { balance: start_balance, ..EmpAccrual::default() });
    }
    env.note(|| Event::EmployeeAccrual { first, last, start_balance });
    // With a trace (`explain`) the copies that record each year run; without, the copies
    // without a single hook (no cost for `run`).
    if env.tracing() {
        match accrue_units::<true>(env, start_balance, first, last, spells)? {
            Some(acc) => Ok(acc),
            None => accrue_decimal::<true>(env, start_balance, first, last, spells),
        }
    } else {
        match accrue_units::<false>(env, start_balance, first, last, spells)? {
            Some(acc) => Ok(acc),
            None => accrue_decimal::<false>(env, start_balance, first, last, spells),
        }
    }
}

/// A decimal as (mantissa, scale) when the mantissa fits in `i64`.
#[inline]
fn small(d: Decimal) -> Option<(i64, u32)> {
    Some((i64::try_from(d.mantissa()).ok()?, d.scale()))
}

/// `round(a × b)` in money units, for `a` = (mantissa, scale) and `b` in money units: the
/// units of `money.mul(a, b)`.
#[inline]
fn mul_units(a: (i64, u32), b: i64, money: Round) -> Option<i64> {
    round_scaled(a.0.checked_mul(b)?, a.1, 1, money.mode)
}

/// [`accrue`] on whole money units; None when an amount is not a whole number of units or
/// does not fit (the caller then works on decimals). Parameters are read in the same order
/// as the decimal path, so the first missing one gives the same error.
fn accrue_units<const T: bool>(
    env: &mut Env,
    start_balance: Decimal,
    first: Month,
    last: Month,
    spells: &[EmpSpell],
) -> Result<Option<EmpAccrual>, RowError> {
    let money = env.rounding.money;
    let places = money.places;
    let unit = |d: Decimal| exact_units(d, places);
    let (Some(mut balance), Some(account_share), Some(employee_share), Some(flexible_share)) =
        (unit(start_balance), small(env.account_share), small(env.employee_share), small(env.flexible_share))
    else {
        return Ok(None);
    };
    let dec = |u: i64| Decimal::from_i128_with_scale(i128::from(u), places);
    let trace = env.trace();
    let mut acc = EmpAccrual::default();
    let mut own_total: i64 = 0;
    acc.parts.reserve(((last.year() - first.year() + 1) as usize) * spells.len());
    for y in first.year()..=last.year() {
        let a = first.max(Month::january(y));
        let e = last.min(Month::december(y));
        let rate_d = env.rate(y);
        let rate_prov = env.last;
        let start = balance;
        let Some(rate) = small(rate_d) else { return Ok(None) };
        let mut weighted = i128::from(balance) * i128::from(e.since(a) + 1);
        let mut credits: i64 = 0;
        let mut own_year: i64 = 0;
        for sp in spells {
            let p = sp.from.max(a);
            let q = sp.to.min(e);
            if p > q {
                continue;
            }
            let k = q.since(p) + 1;
            let w = env.wage(sp.region, y, sp.from)?;
            let w_prov = env.last;
            let (Some(index), Some(w)) = (small(sp.index), unit(w)) else { return Ok(None) };
            let share = if sp.scheme == Scheme::Flexible { flexible_share } else { employee_share };
            let Some((base, credit, own)) = mul_units(index, w, money)
                .and_then(|base| Some((base, mul_units(account_share, base, money)?, mul_units(share, base, money)?)))
            else {
                return Ok(None);
            };
            // Σ_{n=p}^{q} (e − n + 1) = k × ((e − p + 1) + (e − q + 1)) / 2, an integer.
            let weight = i64::from(k * (e.since(p) + 1 + e.since(q) + 1) / 2);
            let (Some(c), Some(o)) = (credit.checked_mul(i64::from(k)), own.checked_mul(i64::from(k))) else {
                return Ok(None);
            };
            let (Some(c), Some(o)) = (credits.checked_add(c), own_year.checked_add(o)) else { return Ok(None) };
            credits = c;
            own_year = o;
            weighted += i128::from(credit) * i128::from(weight);
            if T {
                env.note(|| Event::EmployeePart {
                    year: y,
                    region: sp.region,
                    from: p,
                    to: q,
                    index: sp.index,
                    wage: Used { value: dec(w), provenance: Some(w_prov) },
                    base: dec(base),
                    credit: dec(credit),
                    own: dec(own),
                    scheme: sp.scheme,
                });
            }
            acc.months += k;
            acc.parts.push(Part {
                year: y,
                province: sp.province,
                base: dec(base),
                count: k,
                index: sp.index,
                temporary: sp.temporary,
                last: q,
                region: sp.region,
                scheme: sp.scheme,
                own: dec(own),
            });
        }
        // interest = round(r × weighted / 12) in units.
        // (A product that leaves i64 goes to the decimal path, as before.)
        let interest = mul_i128(i128::from(rate.0), weighted)
            .and_then(|num| i64::try_from(num).ok())
            .and_then(|num| round_scaled(num, rate.1, 12, money.mode));
        let Some(next) = interest.and_then(|i| balance.checked_add(credits)?.checked_add(i)) else {
            return Ok(None);
        };
        balance = next;
        if T {
            env.note(|| Event::EmployeeYear {
                year: y,
                first: a,
                last: e,
                start: dec(start),
                rate: Used { value: rate_d, provenance: Some(rate_prov) },
                credits: dec(credits),
                interest: dec(next - start - credits),
                end: dec(next),
            });
        }
        let Some(t) = own_total.checked_add(own_year) else { return Ok(None) };
        own_total = t;
        if trace {
            acc.trace.push(YearTrace {
                year: y,
                own_paid: dec(own_year),
                gov_paid: Decimal::ZERO,
                balance: dec(balance),
            });
        }
    }
    // An i64 of units stays far below the balance limit (1e20 yuan), so no limit check.
    acc.balance = dec(balance);
    acc.own_paid = dec(own_total);
    Ok(Some(acc))
}

/// [`accrue`] on decimals: any scale, up to the balance limit.
fn accrue_decimal<const T: bool>(
    env: &mut Env,
    start_balance: Decimal,
    first: Month,
    last: Month,
    spells: &[EmpSpell],
) -> Result<EmpAccrual, RowError> {
    let trace = env.trace();
    let mut acc = EmpAccrual { balance: start_balance, ..EmpAccrual::default() };
    let money = env.rounding.money;
    acc.parts.reserve(((last.year() - first.year() + 1) as usize) * spells.len());
    for y in first.year()..=last.year() {
        let a = first.max(Month::january(y));
        let e = last.min(Month::december(y));
        let rate = env.rate(y);
        let rate_prov = env.last;
        let start = acc.balance;
        let mut weighted = times(acc.balance, i64::from(e.since(a) + 1));
        let mut credits = Decimal::ZERO;
        let mut own_year = Decimal::ZERO;
        for sp in spells {
            let p = sp.from.max(a);
            let q = sp.to.min(e);
            if p > q {
                continue;
            }
            let k = q.since(p) + 1;
            let w = env.wage(sp.region, y, sp.from)?;
            let w_prov = env.last;
            let base = money.mul(sp.index, w);
            let credit = money.mul(base, env.account_share);
            let share = if sp.scheme == Scheme::Flexible { env.flexible_share } else { env.employee_share };
            let own = money.mul(base, share);
            // Σ_{n=p}^{q} (e − n + 1) = k × ((e − p + 1) + (e − q + 1)) / 2, an integer.
            let weight = i64::from(k * (e.since(p) + 1 + e.since(q) + 1) / 2);
            credits += times(credit, i64::from(k));
            weighted += times(credit, weight);
            own_year += times(own, i64::from(k));
            if T {
                env.note(|| Event::EmployeePart {
                    year: y,
                    region: sp.region,
                    from: p,
                    to: q,
                    index: sp.index,
                    wage: Used { value: w, provenance: Some(w_prov) },
                    base,
                    credit,
                    own,
                    scheme: sp.scheme,
                });
            }
            acc.months += k;
            acc.parts.push(Part {
                year: y,
                province: sp.province,
                base,
                count: k,
                index: sp.index,
                temporary: sp.temporary,
                last: q,
                region: sp.region,
                scheme: sp.scheme,
                own,
            });
        }
        let interest = money.mul_div(rate, weighted, 12);
        acc.balance += credits + interest;
        if T {
            env.note(|| Event::EmployeeYear {
                year: y,
                first: a,
                last: e,
                start,
                rate: Used { value: rate, provenance: Some(rate_prov) },
                credits,
                interest,
                end: acc.balance,
            });
        }
        if super::beyond_limit(acc.balance) {
            return Err(super::overflow("account_rate", y));
        }
        acc.own_paid += own_year;
        if trace {
            acc.trace.push(YearTrace { year: y, own_paid: own_year, gov_paid: Decimal::ZERO, balance: acc.balance });
        }
    }
    Ok(acc)
}

/// `d × k` for a whole `k`: on the mantissa when it fits (exact, like the decimal product).
#[inline]
fn times(d: Decimal, k: i64) -> Decimal {
    match mul_i128(d.mantissa(), i128::from(k)) {
        Some(m) if m.unsigned_abs() < 1u128 << 95 => Decimal::from_i128_with_scale(m, d.scale()),
        _ => d * Decimal::from(k),
    }
}

/// Smallest number of extra months `x` with `round(known + (months + x) / 12, 2) ≥ min`
/// (C12, C18).
pub(crate) fn months_to_reach(env: &Env, known: Decimal, months: i32, min: Decimal) -> i32 {
    let years = |m: i32| env.rounding.years.div(known * Decimal::from(12) + Decimal::from(m), Decimal::from(12));
    let short = (min - known) * Decimal::from(12) - Decimal::from(months);
    let mut x = (short.ceil().to_i64().unwrap_or(0).clamp(1, 12 * 200) - 1) as i32;
    while years(months + x) < min {
        x += 1;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Context, Scenario};
    use crate::params::{Assumptions, Params};
    use proptest::prelude::*;

    fn context() -> Context {
        let mut ctx = Context::new(Params::builtin().unwrap(), Assumptions::builtin());
        ctx.trace = true;
        ctx
    }

    /// A flexible worker born 1980-01 in `region`, with the given wage growth and crediting
    /// rate overrides ("" for none).
    fn row(ctx: &Context, region: &str, growth: &str, rate: &str) -> Scenario {
        let region = ctx.params.region_id(region).unwrap();
        let mut b = Scenario::builder("p", Scheme::Flexible, region, Month::parse("1980-01").unwrap())
            .category(Category::Male)
            .line(2);
        if !growth.is_empty() {
            b = b.wage_growth(growth.parse().unwrap());
        }
        if !rate.is_empty() {
            b = b.account_rate(rate.parse().unwrap());
        }
        b.build(ctx)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// The whole-unit path gives exactly the decimal path's numbers, and falls back
        /// (None) rather than differ when an amount has more decimals or leaves i64.
        #[test]
        fn unit_path_equals_decimal_path(
            region in prop::sample::select(vec!["shandong/weifang", "shandong/qingdao", "henan", "jiangsu", "beijing"]),
            growth in prop::sample::select(vec!["", "0.04", "0.0375", "0.1"]),
            rate in prop::sample::select(vec!["", "0.03", "0.0175", "0.125"]),
            balance in prop_oneof![0i64..1_000_000_000, Just(9_000_000_000_000_000_000i64), 0i64..i64::MAX],
            balance_scale in 0u32..5,
            spells in prop::collection::vec((0i32..480, 1i32..240, 1i64..4000, 0u32..4, any::<bool>()), 0..4),
            first in 0i32..120,
            len in 0i32..600,
        ) {
            let ctx = context();
            let s = row(&ctx, region, growth, rate);
            let as_of = s.as_of;
            let first = as_of.plus(first);
            let last = first.plus(len);
            let reg = ctx.params.region_id(region).unwrap();
            let spells: Vec<EmpSpell> = spells
                .iter()
                .map(|&(from, n, idx, sc, flex)| EmpSpell {
                    from: first.plus(from),
                    to: first.plus(from + n - 1),
                    index: Decimal::new(idx, sc),
                    scheme: if flex { Scheme::Flexible } else { Scheme::Employee },
                    region: reg,
                    province: ctx.params.region(reg).province,
                    temporary: false,
                })
                .collect();
            let start = Decimal::new(balance, balance_scale);
            let fast = accrue_units::<false>(&mut Env::new(&s, &ctx), start, first, last, &spells);
            let slow = accrue_decimal::<false>(&mut Env::new(&s, &ctx), start, first, last, &spells);
            match (fast, slow) {
                (Ok(Some(f)), Ok(d)) => {
                    prop_assert_eq!(f.balance, d.balance);
                    prop_assert_eq!(f.months, d.months);
                    prop_assert_eq!(f.own_paid, d.own_paid);
                    prop_assert_eq!(f.parts, d.parts);
                    prop_assert_eq!(f.trace, d.trace);
                }
                (Ok(None), _) => {}
                (Err(f), Err(d)) => prop_assert_eq!(f.message(1), d.message(1)),
                (f, d) => prop_assert!(false, "fast {:?} vs decimal {:?}", f.map(|a| a.map(|a| a.balance)), d.map(|a| a.balance)),
            }
        }
    }
}
