//! Dated parameters: loaded once from TOML, validated, then looked up by year or month.
//!
//! Parameters are data (`data/params/*.toml`): every value has an effective date, a source
//! and a [`Provenance`] tag. Province files (`shandong.toml`) carry the province's series;
//! city files (`shandong/weifang.toml`) are overlays whose tables replace the province's.
//! Values past the last official year are never guessed here: the projection rules of the
//! contract (C8, C11, C14) live in [`Projector`], driven by [`Assumptions`].

/// `[1, 10, 100, …]`: the first `$n` powers of ten as `$t`, built at compile time (the
/// tables of powers of ten here and in `time`).
macro_rules! pow10_table {
    ($t:ty, $n:expr, $ten:expr) => {{
        let mut t: [$t; $n] = [$ten / $ten; $n];
        let mut i = 1;
        while i < $n {
            t[i] = t[i - 1] * $ten;
            i += 1;
        }
        t
    }};
}

mod life;
mod load;
mod num;
mod projection;
mod rules;
mod time;

pub use life::{LifeTable, Sex};
pub use load::{builtin_files, dir_files, Assumptions, ParamError};
pub use num::*;
pub use projection::*;
pub use rules::{
    AgeTopup, BandYears, BasicForm, BasicYears, BonusKind, Condition, ConditionalRate, EmployeeRules, Extra, ExtraKind,
    Family, NotionalRule, Omitted, Person, Phase, PhaseIn, ResidentBonus, SpecialDivisor, Title, TransitionalBase,
    TransitionalForm,
};
pub use time::{append_ascii, digit_count, push_digits, Age, Month, MAX_YEAR, MIN_YEAR};

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::fmt;

/// How well a value is sourced, strongest first. The derived `Ord` makes the weakest the
/// maximum, so a row's provenance is the `max` of the values it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Provenance {
    /// The issuing document itself.
    #[default]
    Official,
    /// Officially provisional (预发).
    Provisional,
    /// A secondary source names or reproduces it.
    Reported,
    /// Computed by a stated projection rule from an assumption.
    Projected,
    /// No source; an assumption.
    Assumed,
}

impl Provenance {
    /// The tag as written in parameter files and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Official => "official",
            Provenance::Provisional => "provisional",
            Provenance::Reported => "reported",
            Provenance::Projected => "projected",
            Provenance::Assumed => "assumed",
        }
    }

    /// Parses a tag.
    pub fn parse(text: &str) -> Option<Provenance> {
        Some(match text {
            "official" => Provenance::Official,
            "provisional" => Provenance::Provisional,
            "reported" => Provenance::Reported,
            "projected" => Provenance::Projected,
            "assumed" => Provenance::Assumed,
            _ => return None,
        })
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value with its provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// How well it is sourced.
    pub provenance: Provenance,
}

/// The rounding steps of a region (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    /// Contribution years (C12), also `pre_account_years` before C17.
    pub years: Round,
    /// Average index (C13).
    pub index: Round,
    /// Every money amount: indexed wage, components, interest, base, credit, own payment.
    pub money: Round,
    /// Divisor interpolation (C7).
    pub divisor: Round,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding {
            years: Round::half_up(2),
            index: Round::half_up(4),
            money: Round::half_up(2),
            divisor: Round::half_up(1),
        }
    }
}

/// A yearly series without gaps: `values[i]` belongs to `first + i`.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSeries {
    /// First year with a value.
    pub first: i32,
    /// Values in year order.
    pub values: Vec<Sourced<Decimal>>,
}

impl YearSeries {
    /// Last year with a value.
    pub fn last(&self) -> i32 {
        self.first + self.values.len() as i32 - 1
    }

    /// The value of `year`, if the series has one.
    pub fn get(&self, year: i32) -> Option<Sourced<Decimal>> {
        let i = year.checked_sub(self.first)?;
        usize::try_from(i).ok().and_then(|i| self.values.get(i)).copied()
    }
}

/// A step function of time: the value in force at a month is the last entry whose
/// effective month is not after it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSeries {
    /// (effective month, value) in increasing month order.
    pub steps: Vec<(Month, Sourced<Decimal>)>,
}

impl StepSeries {
    /// The value in force at `month`, if any.
    pub fn at(&self, month: Month) -> Option<Sourced<Decimal>> {
        let i = self.steps.partition_point(|(m, _)| *m <= month);
        i.checked_sub(1).map(|i| self.steps[i].1)
    }
}

/// One resident tier and its subsidy, yuan/year (C20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    /// Own contribution, yuan/year.
    pub tier: Decimal,
    /// Government subsidy, yuan/year.
    pub subsidy: Decimal,
}

/// A dated tier table (C20).
#[derive(Debug, Clone, PartialEq)]
pub struct TierTable {
    /// Effective month.
    pub from: Month,
    /// Provenance of the whole table.
    pub provenance: Provenance,
    /// Tiers in increasing order.
    pub tiers: Vec<Tier>,
}

/// A yearly increase rule for pensions in payment (effective 1 January of `year`).
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// Year the increase takes effect (January).
    pub year: i32,
    /// Provenance of the rule.
    pub provenance: Provenance,
    /// Flat amount per person, yuan/month.
    pub flat: Decimal,
    /// Fraction of the person's own pension at the end of the previous year.
    pub pct_own: Decimal,
    /// Marginal bands of contribution years: (upper bound, yuan/month per year).
    pub year_bands: Vec<(Decimal, Decimal)>,
    /// Age tilt by age at the end of the previous year: (from age, yuan/month), ascending;
    /// the highest band reached applies.
    pub age_bands: Vec<(i32, Decimal)>,
    /// Round each person's increase up to whole yuan.
    pub round_up_to_yuan: bool,
}

impl Adjustment {
    /// The increase for a pension of `pension` with `years` contribution years at `age`
    /// whole years (at the end of the previous year).
    pub fn increase(&self, pension: Decimal, years: Decimal, age: i32, money: Round) -> Decimal {
        let mut inc = self.flat + pension * self.pct_own;
        let mut lower = Decimal::ZERO;
        for (upto, per_year) in &self.year_bands {
            let in_band = years.min(*upto) - lower;
            if in_band > Decimal::ZERO {
                inc += in_band * per_year;
            }
            lower = *upto;
        }
        if let Some((_, amount)) = self.age_bands.iter().rev().find(|(a, _)| age >= *a) {
            inc += amount;
        }
        if self.round_up_to_yuan {
            Round { places: 0, mode: RoundMode::Up }.apply(inc)
        } else {
            money.apply(inc)
        }
    }
}

/// Index of a region in [`Params::regions`].
pub type RegionId = u16;

/// A region's resolved parameters: a province, or a city overlaid on its province.
#[derive(Debug, Clone)]
pub struct Region {
    /// Key, `province` or `province/city`.
    pub key: String,
    /// Chinese name.
    pub name: String,
    /// The province this region belongs to (itself for a province).
    pub province: RegionId,
    /// 计发基数 C by year (C14).
    pub pension_base: Option<YearSeries>,
    /// Average monthly wage by the year it measures; W(y) = avg_wage(y − 1) (C8).
    pub avg_wage: Option<YearSeries>,
    /// Transitional coefficient (C17).
    pub transitional_rate: Option<StepSeries>,
    /// Local monthly add-on (open-city allowance).
    pub allowance: Option<StepSeries>,
    /// Province resident floor incl. the national minimum (C22).
    pub resident_floor: Option<StepSeries>,
    /// City resident add-on (C22).
    pub resident_city: Option<StepSeries>,
    /// Resident tiers and subsidies (C20).
    pub resident_tiers: Vec<TierTable>,
    /// 长缴多得 per whole year beyond 15 (C22).
    pub bonus_per_year: StepSeries,
    /// 代缴 amount for hardship rows (C19).
    pub hardship_amount: Option<StepSeries>,
    /// Resident account crediting rate by year (C19), where the region publishes one.
    pub resident_account_rate: Option<YearSeries>,
    /// Rounding steps (C2).
    pub rounding: Rounding,
    /// Yearly increases of employee pensions in payment, by year.
    pub adjustments: Vec<Adjustment>,
    /// Provincial forms of the employee pension (national form by default).
    pub employee_rules: EmployeeRules,
    /// Provincial 长缴多得 rule, in place of `bonus_per_year` from its date (C22).
    pub resident_bonus: Option<ResidentBonus>,
    /// Resident age top-ups in the yearly path.
    pub resident_age_topup: Option<AgeTopup>,
    /// How far the published parameters date this region's resident basic pension (C22):
    /// the latest step of the national minimum, the province floor and (for a city) the
    /// city add-on, as loaded. Set once by [`Params::load`](crate::params::Params) and kept
    /// when a reform patches the series, so that a patched step after it changes the
    /// projected amount instead of moving the start of the projection
    /// (`model::project::resident_basic_path`).
    pub resident_dated: Option<Month>,
}

impl Region {
    /// The tier table in force at `month`.
    pub fn tiers_at(&self, month: Month) -> Option<&TierTable> {
        self.resident_tiers.iter().rev().find(|t| t.from <= month)
    }
}

/// One group of the 2025 retirement-age reform (C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetirementGroup {
    /// Original statutory age in years.
    pub original_age: i32,
    /// First birth month affected by the reform.
    pub first_affected: Month,
    /// Birth months per month of delay.
    pub step: i32,
    /// Maximum delay in months.
    pub cap: i32,
    /// Arduous-work (特殊工种) minimum age in years (C6).
    pub special_age: i32,
}

/// National parameters.
#[derive(Debug, Clone)]
pub struct National {
    /// Divisor by whole age from `divisor_first_age` (C7).
    pub divisors: Vec<Decimal>,
    /// First age of the divisor table.
    pub divisor_first_age: i32,
    /// Pensions starting in or after this month interpolate divisors (C7).
    pub divisor_interpolate_from: Month,
    /// Resident divisor (C23).
    pub resident_divisor: Decimal,
    /// Retirement groups: male, female_cadre, female_worker (C4).
    pub groups: [RetirementGroup; 3],
    /// Months a chosen retirement may differ from the statutory month (C6).
    pub flexible_window: i32,
    /// Minimum years by statutory year: (from year, years) ascending (C5).
    pub min_years: Vec<(i32, Decimal)>,
    /// Account share of the base (C10).
    pub account_share: Decimal,
    /// Employee own share (C10).
    pub employee_share: Decimal,
    /// Flexible-worker own share (C10).
    pub flexible_share: Decimal,
    /// Official crediting rates by year (C11).
    pub crediting_rate: YearSeries,
    /// National resident minimum basic pension (C22).
    pub resident_minimum: StepSeries,
    /// National yearly increases, used where a province has no rule for a year.
    pub adjustments: Vec<Adjustment>,
    /// Resident pension age in whole years (C21, 国发〔2014〕8号): paid from the month of
    /// that birthday.
    pub resident_pension_age: i32,
    /// Minimum resident contribution years (C21).
    pub resident_min_years: Decimal,
    /// Age from which a spell started outside the hukou province is a temporary account,
    /// men and women (C25, 国办发〔2009〕66号 第六条).
    pub temporary_age_male: i32,
    /// See [`National::temporary_age_male`].
    pub temporary_age_female: i32,
    /// Years a province must hold to be the claim province (C25, 国办发〔2009〕66号 第五条).
    pub claim_min_years: Decimal,
    /// Bounds of a contribution index (C9): the base is 60%–300% of the reference wage.
    pub index_min: Decimal,
    /// See [`National::index_min`]; also the upper bound of `avg_index` and `trans_index`.
    pub index_max: Decimal,
    /// Region of a scenario row without one (contract §5).
    pub default_region: String,
    /// Range allowed for every rate (a sanity bound of the inputs): lowest.
    pub rate_min: Decimal,
    /// Highest allowed rate.
    pub rate_max: Decimal,
    /// What a rate may be, for messages: "a fraction between -0.5 and 1 (e.g. 0.04 for 4%)".
    pub rate_allowed: String,
    /// The index bounds, for messages: "0.6 to 3.0".
    pub index_range: String,
    /// What a contribution index may be, for messages: "0.6 to 3.0 (60%–300% of the
    /// reference wage)".
    pub index_allowed: String,
}

impl National {
    /// Minimum contribution years for a statutory retirement in `year` (C5).
    pub fn min_years(&self, year: i32) -> Decimal {
        let i = self.min_years.partition_point(|(y, _)| *y <= year);
        // The first entry covers every earlier year.
        self.min_years[i.saturating_sub(1)].1
    }

    /// Divisor of a whole age, if in the table.
    pub fn divisor_of_age(&self, age: i32) -> Option<Decimal> {
        let i = usize::try_from(age - self.divisor_first_age).ok()?;
        self.divisors.get(i).copied()
    }

    /// Resident pension age in months (C21).
    pub fn resident_pension_months(&self) -> i32 {
        self.resident_pension_age * 12
    }

    /// Age in months from which a spell outside the hukou province is a temporary account
    /// (C25).
    pub fn temporary_age(&self, female: bool) -> i32 {
        if female {
            self.temporary_age_female * 12
        } else {
            self.temporary_age_male * 12
        }
    }

    /// Last age in the divisor table.
    pub fn divisor_last_age(&self) -> i32 {
        self.divisor_first_age + self.divisors.len() as i32 - 1
    }
}

/// All parameters: national values and every region.
#[derive(Debug, Clone)]
pub struct Params {
    /// National parameters.
    pub national: National,
    /// Regions; [`RegionId`] indexes this.
    pub regions: Vec<Region>,
    by_key: BTreeMap<String, RegionId>,
}

impl Params {
    /// Looks a region up by key (`shandong` or `shandong/weifang`).
    pub fn region_id(&self, key: &str) -> Option<RegionId> {
        self.by_key.get(key).copied()
    }

    /// Looks a region up for a scenario or segment (C27.8): a known key as it is; a
    /// `province/city` whose city has no parameters falls back to the province, with
    /// `true` (the caller says so in `message`). None only for an unknown province.
    pub fn resolve_region(&self, key: &str) -> Option<(RegionId, bool)> {
        if let Some(id) = self.region_id(key) {
            return Some((id, false));
        }
        let (province, city) = key.split_once('/')?;
        if city.is_empty() || city.contains('/') {
            return None;
        }
        self.region_id(province).filter(|&id| self.region(id).province == id).map(|id| (id, true))
    }

    /// The region with this id.
    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id as usize]
    }

    /// All region keys, sorted (for error messages).
    pub fn region_keys(&self) -> impl Iterator<Item = &str> {
        self.by_key.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pow10_i128_matches_checked_pow() {
        for k in 0..45 {
            assert_eq!(pow10_i128(k), 10i128.checked_pow(k), "{k}");
        }
    }

    proptest! {
        /// The integer fast path equals the decimal operations.
        #[test]
        fn mul_div_matches_decimal(am in -1_000_000_000_000_000i64..1_000_000_000_000_000, asc in 0u32..6, bm in -100_000_000i64..100_000_000,
                                   bsc in 0u32..9, d in 1i64..24, places in 0u32..5, mode in 0usize..3) {
            let a = Decimal::new(am, asc);
            let b = Decimal::new(bm, bsc);
            let mode = [RoundMode::HalfAwayFromZero, RoundMode::Up, RoundMode::Down][mode];
            let r = Round { places, mode };
            prop_assert_eq!(r.mul_div(a, b, d), r.apply(a * b / Decimal::from(d)));
            prop_assert_eq!(r.mul(a, b), r.apply(a * b));
        }

        /// Exact division rounding equals the decimal quotient rounded.
        #[test]
        fn div_matches_decimal(am in prop_oneof![any::<i64>(), -10_000_000i64..10_000_000], asc in 0u32..10,
                               bm in prop_oneof![1i64..2000, 1i64..i64::MAX, -100_000i64..-1], bsc in 0u32..8,
                               places in 0u32..6, mode in 0usize..3) {
            let (a, b) = (Decimal::new(am, asc), Decimal::new(bm, bsc));
            let mode = [RoundMode::HalfAwayFromZero, RoundMode::Up, RoundMode::Down][mode];
            let r = Round { places, mode };
            prop_assert_eq!(r.div(a, b), r.apply(a / b));
        }

        /// The widening product equals the checked product, including overflow.
        #[test]
        fn mul_i128_matches_checked(a in prop_oneof![any::<i64>().prop_map(i128::from), any::<i128>()],
                                    b in prop_oneof![any::<i64>().prop_map(i128::from), any::<i128>()]) {
            prop_assert_eq!(mul_i128(a, b), a.checked_mul(b));
        }

        /// The one-division half-away rounding equals the remainder test.
        #[test]
        fn round_ratio_half_away_matches_remainder(num in any::<i64>(), den in prop_oneof![1i64..100, 1i64..i64::MAX]) {
            let (q, r) = (num / den, num % den);
            let want = if r.unsigned_abs() * 2 >= den.unsigned_abs() { q + num.signum() } else { q };
            prop_assert_eq!(round_ratio(i128::from(num), i128::from(den), RoundMode::HalfAwayFromZero), i128::from(want));
        }

        #[test]
        fn compare_matches_decimal(am in prop_oneof![any::<i64>(), -1000i64..1000], asc in 0u32..14,
                                   bm in prop_oneof![any::<i64>(), -1000i64..1000], bsc in 0u32..14) {
            let (a, b) = (Decimal::new(am, asc), Decimal::new(bm, bsc));
            prop_assert_eq!(compare(a, b), a.cmp(&b));
        }

        #[test]
        fn pow10_table_is_powi(k in 0u32..30) {
            prop_assert_eq!(pow10_f64(k), 10f64.powi(k as i32));
        }

        /// Rounding by a power of ten times d with constant divisors equals the general
        /// integer rounding, at the edges of the range too.
        #[test]
        fn round_scaled_matches_round_ratio(num in prop_oneof![any::<i64>(), -100_000i64..100_000], k in 0u32..19,
                                            d in prop_oneof![Just(1i64), Just(12), 1i64..1000], mode in 0usize..3) {
            let mode = [RoundMode::HalfAwayFromZero, RoundMode::Up, RoundMode::Down][mode];
            // Reference: quotient and remainder in i128 (independent of the 64-bit paths).
            let want = 10i64.checked_pow(k).and_then(|p| p.checked_mul(d)).map(|den| {
                let (n, den) = (i128::from(num), i128::from(den));
                let (q, r) = (n / den, n % den);
                let away = match mode {
                    RoundMode::HalfAwayFromZero => 2 * r.abs() >= den,
                    RoundMode::Up => r != 0,
                    RoundMode::Down => false,
                };
                if away { q + n.signum() } else { q }
            });
            prop_assert_eq!(round_scaled(num, k, d, mode).map(i128::from), want);
        }
    }
}
