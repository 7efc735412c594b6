//! Resident-scheme accrual (contract C19, C20) and the bridging overlap (C24, C26).
//! Framework: 国发〔2014〕8号 (城乡居民基本养老保险); bridging: 人社部发〔2014〕17号.

use super::env::Env;
use super::{Event, RowError, Used, YearTrace};
use crate::params::{exact_units, round_scaled, Month};
use rust_decimal::Decimal;

pub(crate) use super::ResSpell;

/// The spell that makes year `y`'s contribution (C27.7): of the spells touching the year,
/// the one in force at the year-end credit, i.e. the one whose last month in the year is
/// latest (spells of one scheme never overlap, C26). Never dependent on file order.
fn in_force(spells: &[ResSpell], y: i32) -> Option<&ResSpell> {
    let dec = Month::december(y);
    spells.iter().filter(|s| s.from.year() <= y && y <= s.to.year()).max_by_key(|s| s.to.min(dec))
}

/// Result of the resident accrual.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResAccrual {
    /// Balance after the last year-end credit, before refunds.
    pub balance: Decimal,
    /// Resident years contributed in the window, overlap-adjusted, in twelfths of a year
    /// (a year with k employee months counts 12 − k).
    pub twelfths: i32,
    /// Own payments.
    pub own_paid: Decimal,
    /// Subsidies and 代缴.
    pub gov_paid: Decimal,
    /// Own payments of months also paid as employee, refunded (C26).
    pub refunds: Decimal,
    /// Yearly trace when requested.
    pub trace: Vec<YearTrace>,
    /// Own payment per contribution year (paid at the year end).
    pub paid: Vec<(i32, Decimal)>,
}

/// Accrues the resident account from `as_of` to the year before `pension` (C19): each
/// year end `B += round(B × r, 2)`, plus tier and subsidy (C20) in contribution years; a
/// hardship row pays nothing and the government pays the region's 代缴 amount in place of
/// the tier, the subsidy still credited. `employee_months(y)` gives the employee months of
/// year y: such a resident year counts (12 − k)/12 and refunds round(tier × k / 12, 2)
/// (C24, C26).
///
/// The work is done on whole money units (fen) in 64-bit integers when every amount is a
/// whole number of units and fits; otherwise on decimals. Both give the same numbers
/// (property-tested below).
pub(crate) fn accrue(
    env: &mut Env,
    start_balance: Decimal,
    as_of: Month,
    pension: Month,
    spells: &[ResSpell],
    hardship: bool,
    employee_months: &dyn Fn(i32) -> i32,
) -> Result<ResAccrual, RowError> {
    // With a trace (`explain`) the copies that record each year run; without, the copies
    // without a single hook (no cost for `run`).
    if env.tracing() {
        match accrue_units::<true>(env, start_balance, as_of, pension, spells, hardship, employee_months)? {
            Some(acc) => Ok(acc),
            None => accrue_decimal::<true>(env, start_balance, as_of, pension, spells, hardship, employee_months),
        }
    } else {
        match accrue_units::<false>(env, start_balance, as_of, pension, spells, hardship, employee_months)? {
            Some(acc) => Ok(acc),
            None => accrue_decimal::<false>(env, start_balance, as_of, pension, spells, hardship, employee_months),
        }
    }
}

/// [`accrue`] on whole money units; None when an amount is not a whole number of units or
/// leaves `i64` (the caller then works on decimals). Parameters are read in the same
/// order as the decimal path, so the first missing one gives the same error.
fn accrue_units<const T: bool>(
    env: &mut Env,
    start_balance: Decimal,
    as_of: Month,
    pension: Month,
    spells: &[ResSpell],
    hardship: bool,
    employee_months: &dyn Fn(i32) -> i32,
) -> Result<Option<ResAccrual>, RowError> {
    let trace = env.trace();
    let money = env.rounding.money;
    let places = money.places;
    let unit = |d: Decimal| exact_units(d, places);
    let dec = |u: i64| Decimal::from_i128_with_scale(i128::from(u), places);
    let Some(mut balance) = unit(start_balance) else { return Ok(None) };
    let mut acc = ResAccrual::default();
    // At most one payment a year (no regrowth of the list).
    acc.paid.reserve((pension.year() - as_of.year()).max(0) as usize);
    let (mut own_paid, mut gov_paid, mut refunds) = (0i64, 0i64, 0i64);
    for y in as_of.year()..pension.year() {
        let rate = env.resident_rate(y);
        let rate_prov = env.last;
        let start = balance;
        let Some(r) = i64::try_from(rate.mantissa()).ok() else { return Ok(None) };
        let Some(interest) = balance.checked_mul(r).and_then(|n| round_scaled(n, rate.scale(), 1, money.mode)) else {
            return Ok(None);
        };
        let Some(b) = balance.checked_add(interest) else { return Ok(None) };
        balance = b;
        let (mut own, mut gov) = (0i64, 0i64);
        let mut tiers = None;
        let mut k_used = 0;
        if let Some(sp) = in_force(spells, y) {
            let year_end = Month::december(y);
            let (tier, subsidy) = env.tier_and_subsidy(sp, year_end, hardship)?;
            let amounts = if hardship {
                let help = env.hardship_amount(sp.region, year_end);
                unit(help).zip(unit(subsidy)).and_then(|(h, s)| Some((0, h.checked_add(s)?)))
            } else {
                unit(tier).zip(unit(subsidy))
            };
            let Some((o, g)) = amounts else { return Ok(None) };
            (own, gov) = (o, g);
            let Some(b) = balance.checked_add(own).and_then(|b| b.checked_add(gov)) else { return Ok(None) };
            balance = b;
            let k = employee_months(y).clamp(0, 12);
            k_used = k;
            if T {
                tiers = env.params_tiers(sp.region, year_end);
            }
            acc.twelfths += 12 - k;
            if k > 0 && own != 0 {
                let Some(r) = own.checked_mul(i64::from(k)).and_then(|n| round_scaled(n, 0, 12, money.mode)) else {
                    return Ok(None);
                };
                refunds += r;
            }
        }
        if T {
            env.note(|| Event::ResidentYear {
                year: y,
                start: dec(start),
                rate: Used { value: rate, provenance: Some(rate_prov) },
                interest: dec(interest),
                own: dec(own),
                gov: dec(gov),
                tiers,
                employee_months: k_used,
                end: dec(balance),
            });
        }
        let (Some(o), Some(g)) = (own_paid.checked_add(own), gov_paid.checked_add(gov)) else { return Ok(None) };
        (own_paid, gov_paid) = (o, g);
        if own != 0 {
            acc.paid.push((y, dec(own)));
        }
        if trace {
            acc.trace.push(YearTrace { year: y, own_paid: dec(own), gov_paid: dec(gov), balance: dec(balance) });
        }
    }
    // An i64 of units stays far below the balance limit (1e20 yuan), so no limit check.
    acc.balance = dec(balance);
    acc.own_paid = dec(own_paid);
    acc.gov_paid = dec(gov_paid);
    acc.refunds = dec(refunds);
    Ok(Some(acc))
}

/// [`accrue`] on decimals: any scale, up to the balance limit.
fn accrue_decimal<const T: bool>(
    env: &mut Env,
    start_balance: Decimal,
    as_of: Month,
    pension: Month,
    spells: &[ResSpell],
    hardship: bool,
    employee_months: &dyn Fn(i32) -> i32,
) -> Result<ResAccrual, RowError> {
    let trace = env.trace();
    let mut acc = ResAccrual { balance: start_balance, ..ResAccrual::default() };
    let money = env.rounding.money;
    let twelve = Decimal::from(12);
    for y in as_of.year()..pension.year() {
        let rate = env.resident_rate(y);
        let rate_prov = env.last;
        let start = acc.balance;
        let interest = money.mul(acc.balance, rate);
        acc.balance += interest;
        if super::beyond_limit(acc.balance) {
            return Err(super::overflow("account_rate", y));
        }
        let (mut own, mut gov) = (Decimal::ZERO, Decimal::ZERO);
        let mut tiers = None;
        let mut k_used = 0;
        if let Some(sp) = in_force(spells, y) {
            let year_end = Month::december(y);
            let (tier, subsidy) = env.tier_and_subsidy(sp, year_end, hardship)?;
            if hardship {
                gov = env.hardship_amount(sp.region, year_end) + subsidy;
            } else {
                own = tier;
                gov = subsidy;
            }
            acc.balance += own + gov;
            let k = employee_months(y).clamp(0, 12);
            k_used = k;
            if T {
                tiers = env.params_tiers(sp.region, year_end);
            }
            acc.twelfths += 12 - k;
            if k > 0 && !own.is_zero() {
                acc.refunds += money.apply(own * Decimal::from(k) / twelve);
            }
        }
        if T {
            env.note(|| Event::ResidentYear {
                year: y,
                start,
                rate: Used { value: rate, provenance: Some(rate_prov) },
                interest,
                own,
                gov,
                tiers,
                employee_months: k_used,
                end: acc.balance,
            });
        }
        acc.own_paid += own;
        acc.gov_paid += gov;
        if !own.is_zero() {
            acc.paid.push((y, own));
        }
        if trace {
            acc.trace.push(YearTrace { year: y, own_paid: own, gov_paid: gov, balance: acc.balance });
        }
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Context, Scenario, Scheme};
    use crate::params::{Assumptions, Params};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// The whole-unit path gives exactly the decimal path's numbers (or the same error),
        /// and falls back (None) rather than differ.
        #[test]
        fn unit_path_equals_decimal_path(
            region in prop::sample::select(vec!["shandong/weifang", "shandong/qingdao", "henan", "jiangsu"]),
            rate in prop::sample::select(vec!["", "0.03", "0.0175", "0.125"]),
            subsidy in prop::sample::select(vec!["", "30", "45.5", "0.125"]),
            tier in prop::sample::select(vec!["100", "200", "300", "500", "1000", "8000", "12345"]),
            balance in prop_oneof![0i64..100_000_000, 0i64..i64::MAX],
            balance_scale in 0u32..5,
            hardship in any::<bool>(),
            spans in prop::collection::vec((0i32..40, 0i32..30), 0..3),
            years in 0i32..45,
            overlap in 0i32..13,
        ) {
            let mut ctx = Context::new(Params::builtin().unwrap(), Assumptions::builtin());
            ctx.trace = true;
            let reg = ctx.params.region_id(region).unwrap();
            let mut b = Scenario::builder("p", Scheme::Resident, reg, Month::parse("1980-01").unwrap()).line(2);
            if !rate.is_empty() {
                b = b.account_rate(rate.parse().unwrap());
            }
            if !subsidy.is_empty() {
                b = b.subsidy(subsidy.parse().unwrap());
            }
            let s = b.build(&ctx);
            let y0 = s.as_of.year();
            let spells: Vec<ResSpell> = spans
                .iter()
                .map(|&(from, len)| ResSpell {
                    from: Month::january(y0 + from),
                    to: Month::december(y0 + from + len),
                    tier: Some(tier.parse().unwrap()),
                    region: reg,
                })
                .collect();
            let pension = Month::january(y0 + years);
            let start = Decimal::new(balance, balance_scale);
            let months = |y: i32| (y * 7 + overlap) % 13;
            let fast = accrue_units::<false>(&mut Env::new(&s, &ctx), start, s.as_of, pension, &spells, hardship, &months);
            let slow = accrue_decimal::<false>(&mut Env::new(&s, &ctx), start, s.as_of, pension, &spells, hardship, &months);
            match (fast, slow) {
                (Ok(Some(f)), Ok(d)) => {
                    prop_assert_eq!(f.balance, d.balance);
                    prop_assert_eq!(f.twelfths, d.twelfths);
                    prop_assert_eq!(f.own_paid, d.own_paid);
                    prop_assert_eq!(f.gov_paid, d.gov_paid);
                    prop_assert_eq!(f.refunds, d.refunds);
                    prop_assert_eq!(f.paid, d.paid);
                    prop_assert_eq!(f.trace, d.trace);
                }
                (Ok(None), _) => {}
                (Err(f), Err(d)) => prop_assert_eq!(f.message(1), d.message(1)),
                (f, d) => prop_assert!(false, "fast {:?} vs decimal {:?}", f.map(|a| a.map(|a| a.balance)), d.map(|a| a.balance)),
            }
        }
    }
}
