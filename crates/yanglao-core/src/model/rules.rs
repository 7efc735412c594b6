//! Retirement month, minimum years and divisor (contract C4, C5, C7).

use super::Category;
use crate::params::{Age, Month, National, Round};
use rust_decimal::Decimal;

/// The statutory retirement of a birth month and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetirementInfo {
    /// First pension month (contributions run through the month before).
    pub month: Month,
    /// Age at that month.
    pub age: Age,
    /// Delay from the reform in months.
    pub delay: i32,
    /// Minimum contribution years (C5).
    pub min_years: Decimal,
}

/// Statutory retirement month (C4): `birth + original age + delay` with
/// `delay = min(cap, floor(k / step) + 1)` for `k` = months from the group's first affected
/// birth month (0 if `k < 0`). Source: 《国务院关于渐进式延迟法定退休年龄的办法》第一条
/// (NPC Standing Committee decision of 2024-09-13, in force 2025-01-01).
pub fn statutory_retirement(nat: &National, birth: Month, category: Category) -> RetirementInfo {
    let g = nat.groups[category.group_index()];
    let k = birth.since(g.first_affected);
    let delay = if k < 0 { 0 } else { (k / g.step + 1).min(g.cap) };
    let months = g.original_age * 12 + delay;
    let month = birth.plus(months);
    RetirementInfo { month, age: Age(months), delay, min_years: min_years(nat, month.year()) }
}

/// Minimum contribution years by the calendar year of the statutory retirement month
/// (C5): 15 to 2029, +0.5 a year from 2030, 20 from 2039. Source: 《国务院关于渐进式延迟法定
/// 退休年龄的办法》第二条 and its annex 提高最低缴费年限情况表.
pub fn min_years(nat: &National, statutory_year: i32) -> Decimal {
    nat.min_years(statutory_year)
}

/// Divisor (计发月数) for a pension starting at `start` at age `age` (C7): from
/// `divisor_interpolate_from` (2025-01) linear interpolation between whole ages, rounded
/// to 0.1; before it, the divisor of the completed age. Source: 国发〔2005〕38号 annex;
/// interpolation as applied in Jinan's 2025 Q&A and the Weifang 2025-09 approval sheet.
/// `None` outside the table (ages 40–70).
pub fn divisor(nat: &National, start: Month, age: Age, round: Round) -> Option<Decimal> {
    let d0 = nat.divisor_of_age(age.years())?;
    if start < nat.divisor_interpolate_from || age.months() == 0 {
        return Some(d0);
    }
    let d1 = nat.divisor_of_age(age.years() + 1)?;
    Some(round.apply(d0 + (d1 - d0) * Decimal::from(age.months()) / Decimal::from(12)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    fn nat() -> National {
        Params::builtin().unwrap().national
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn divisor_interpolation_matches_published_values() {
        let n = nat();
        let r = Round::half_up(1);
        let d = |a: i32| divisor(&n, m("2025-06"), Age(a), r).unwrap().to_string();
        assert_eq!(d(60 * 12 + 1), "138.4"); // Jinan Q&A
        assert_eq!(d(50 * 12 + 1), "194.6"); // Jinan Q&A
        assert_eq!(d(60 * 12 + 2), "137.8"); // Weifang sheet 2025-09
        assert_eq!(d(60 * 12 + 3), "137.3"); // Jilin note
        assert_eq!(d(62 * 12 + 10), "118.3"); // Beijing vector
        assert_eq!(d(55 * 12 + 4), "168");
        // Before 2025 the completed age counts.
        assert_eq!(divisor(&n, m("2024-06"), Age(60 * 12 + 6), r).unwrap().to_string(), "139");
        assert!(divisor(&n, m("2030-01"), Age(70 * 12 + 1), r).is_none());
        assert!(divisor(&n, m("2030-01"), Age(39 * 12 + 11), r).is_none());
    }
}
