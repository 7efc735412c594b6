//! Employee and flexible-worker accrual (contract C8–C11), one account for the whole
//! career with interest on the combined balance (C26).

use super::project::Env;
use super::{RowError, Scheme, YearTrace};
use crate::params::{Month, RegionId};
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
pub(crate) fn accrue(
    env: &mut Env,
    start_balance: Decimal,
    first: Month,
    last: Month,
    spells: &[EmpSpell],
) -> Result<EmpAccrual, RowError> {
    let trace = env.trace();
    let mut acc = EmpAccrual { balance: start_balance, ..EmpAccrual::default() };
    if first > last {
        return Ok(acc);
    }
    let money = env.rounding.money;
    acc.parts.reserve(((last.year() - first.year() + 1) as usize) * spells.len());
    for y in first.year()..=last.year() {
        let a = first.max(Month::january(y));
        let e = last.min(Month::december(y));
        let rate = env.rate(y);
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
            let base = money.mul(sp.index, w);
            let credit = money.mul(base, env.account_share);
            let share = if sp.scheme == Scheme::Flexible { env.flexible_share } else { env.employee_share };
            let own = money.mul(base, share);
            // Σ_{n=p}^{q} (e − n + 1) = k × ((e − p + 1) + (e − q + 1)) / 2, an integer.
            let weight = i64::from(k * (e.since(p) + 1 + e.since(q) + 1) / 2);
            credits += times(credit, i64::from(k));
            weighted += times(credit, weight);
            own_year += times(own, i64::from(k));
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
    match d.mantissa().checked_mul(i128::from(k)) {
        Some(m) if m.unsigned_abs() < 1u128 << 95 => Decimal::from_i128_with_scale(m, d.scale()),
        _ => d * Decimal::from(k),
    }
}

/// Smallest number of extra months `x` with `round(known + (months + x) / 12, 2) ≥ min`
/// (C12, C18).
pub(crate) fn months_to_reach(env: &Env, known: Decimal, months: i32, min: Decimal) -> i32 {
    let years = |m: i32| env.rounding.years.apply(known + Decimal::from(m) / Decimal::from(12));
    let short = (min - known) * Decimal::from(12) - Decimal::from(months);
    let mut x = (short.ceil().to_i64().unwrap_or(0).clamp(1, 12 * 200) - 1) as i32;
    while years(months + x) < min {
        x += 1;
    }
    x
}
