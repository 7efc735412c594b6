//! Resident-scheme accrual (contract C19, C20) and the bridging overlap (C24, C26).
//! Framework: 国发〔2014〕8号 (城乡居民基本养老保险); bridging: 人社部发〔2014〕17号.

use super::project::Env;
use super::{RowError, YearTrace};
use crate::params::{Month, RegionId};
use rust_decimal::Decimal;

/// A spell of yearly resident contributions: every calendar year it touches is one
/// contribution (C19).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ResSpell {
    /// First month of the spell.
    pub from: Month,
    /// Last month of the spell.
    pub to: Month,
    /// Tier, yuan/year (None only for hardship rows without a tier).
    pub tier: Option<Decimal>,
    /// Region whose tier table applies.
    pub region: RegionId,
}

/// Result of the resident accrual.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResAccrual {
    /// Balance after the last year-end credit, before refunds.
    pub balance: Decimal,
    /// Resident years contributed in the window, overlap-adjusted (exact).
    pub years: Decimal,
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
pub(crate) fn accrue(
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
        let interest = money.mul(acc.balance, rate);
        acc.balance += interest;
        if super::beyond_limit(acc.balance) {
            return Err(super::overflow("account_rate", y));
        }
        let (mut own, mut gov) = (Decimal::ZERO, Decimal::ZERO);
        if let Some(sp) = spells.iter().find(|s| s.from.year() <= y && y <= s.to.year()) {
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
            acc.years += Decimal::from(12 - k) / twelve;
            if k > 0 && !own.is_zero() {
                acc.refunds += money.apply(own * Decimal::from(k) / twelve);
            }
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
