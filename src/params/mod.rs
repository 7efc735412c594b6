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
mod rules;
mod time;

pub use life::{LifeTable, Sex};
pub use load::{builtin_files, dir_files, Assumptions, ParamError};
pub use rules::{
    AgeTopup, BasicForm, BasicYears, BonusKind, EmployeeRules, Extra, ExtraKind, ResidentBonus, TransitionalBase,
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

/// A rounding mode (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    /// 四舍五入: half away from zero.
    HalfAwayFromZero,
    /// Away from zero (e.g. "rounded up to whole yuan").
    Up,
    /// Toward zero.
    Down,
}

/// One rounding step: decimal places and mode (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Decimal places kept.
    pub places: u32,
    /// Mode.
    pub mode: RoundMode,
}

impl Round {
    /// Half away from zero to `places` (the contract default).
    pub const fn half_up(places: u32) -> Round {
        Round { places, mode: RoundMode::HalfAwayFromZero }
    }

    /// `round(a × b)`: the product is exact, rounded once. Integer arithmetic on the
    /// mantissas when they fit in `i128` (same result as the decimal operations, faster).
    #[inline]
    pub fn mul(self, a: Decimal, b: Decimal) -> Decimal {
        self.mul_div(a, b, 1)
    }

    /// `round(a × b / d)` for a whole `d > 0`, evaluated exactly and rounded once (C2).
    #[inline]
    pub fn mul_div(self, a: Decimal, b: Decimal, d: i64) -> Decimal {
        let scale = a.scale() + b.scale();
        let (ma, mb) = (a.mantissa(), b.mantissa());
        // 64-bit path: the usual money × rate case.
        if let (Ok(x), Ok(y)) = (i64::try_from(ma), i64::try_from(mb)) {
            if let Some(num) = x.checked_mul(y) {
                let q = if scale >= self.places {
                    round_scaled(num, scale - self.places, d, self.mode)
                } else {
                    POW10
                        .get((self.places - scale) as usize)
                        .and_then(|p| num.checked_mul(*p))
                        .and_then(|num| round_scaled(num, 0, d, self.mode))
                };
                if let Some(q) = q {
                    return Decimal::from_i128_with_scale(i128::from(q), self.places);
                }
            }
        }
        let exact = mul_i128(ma, mb).and_then(|num| {
            let (num, den) = if scale >= self.places {
                (num, mul_i128(i128::from(d), pow10_i128(scale - self.places)?)?)
            } else {
                (mul_i128(num, pow10_i128(self.places - scale)?)?, i128::from(d))
            };
            let q = round_ratio(num, den, self.mode);
            (q.unsigned_abs() < 1u128 << 95).then(|| Decimal::from_i128_with_scale(q, self.places))
        });
        exact.unwrap_or_else(|| self.apply(a * b / Decimal::from(d)))
    }

    /// `round(a / b)` for `b ≠ 0` (C2): exact integer arithmetic on the mantissas when the
    /// scaled numerator stays below 10^26, else the decimal quotient rounded. The two agree:
    /// with |numerator| < 10^26 the quotient's 28 significant digits are closer to it than
    /// any rounding boundary it is not on (property-tested below).
    #[inline]
    pub fn div(self, a: Decimal, b: Decimal) -> Decimal {
        const LIMIT: u128 = 100_000_000_000_000_000_000_000_000; // 10^26
        let exact = (|| {
            // a / b = am·10^(bs + places) / (bm·10^as) in units of 10^−places.
            let num = mul_i128(a.mantissa(), pow10_i128(b.scale() + self.places)?)?;
            let den = mul_i128(b.mantissa(), pow10_i128(a.scale())?)?;
            if den == 0 || num.unsigned_abs() >= LIMIT {
                return None;
            }
            let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
            let q = round_ratio(num, den, self.mode);
            Some(Decimal::from_i128_with_scale(q, self.places))
        })();
        exact.unwrap_or_else(|| self.apply(a / b))
    }

    /// Applies the step.
    #[inline]
    pub fn apply(self, d: Decimal) -> Decimal {
        let strategy = match self.mode {
            RoundMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundMode::Up => RoundingStrategy::AwayFromZero,
            RoundMode::Down => RoundingStrategy::ToZero,
        };
        d.round_dp_with_strategy(self.places, strategy)
    }
}

/// `a` compared with `b` by value, on the mantissas when both fit in `i64` with scales at
/// most nine apart (the usual case: a field against its bounds or a table value); the
/// decimal comparison otherwise. The same ordering either way (property-tested below).
#[inline]
pub fn compare(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    if let (Ok(ma), Ok(mb)) = (i64::try_from(a.mantissa()), i64::try_from(b.mantissa())) {
        if sa == sb {
            return ma.cmp(&mb);
        }
        let (ma, mb) = (i128::from(ma), i128::from(mb));
        if sa < sb && sb - sa <= 9 {
            return (ma * 10i128.pow(sb - sa)).cmp(&mb);
        }
        if sb < sa && sa - sb <= 9 {
            return ma.cmp(&(mb * 10i128.pow(sa - sb)));
        }
    }
    a.cmp(&b)
}

/// Powers of ten that fit in `i64`.
const POW10: [i64; 19] = pow10_table!(i64, 19, 10);

/// 10^k as `i128` for k ≤ 38, from a table (no multiplication loop).
#[inline]
pub fn pow10_i128(k: u32) -> Option<i128> {
    const T: [i128; 39] = pow10_table!(i128, 39, 10);
    T.get(k as usize).copied()
}

/// `a × b` in `i128`, None on overflow. Operands that fit in `i64` take one widening
/// multiplication (their product always fits); the general checked product is a library
/// call.
#[inline]
pub fn mul_i128(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// `num / 10^k` truncated toward zero, dividing by a constant for every `k` (the compiler
/// turns constant divisions into multiplications); `k ≤ 18`.
#[inline]
fn div_pow10(num: i64, k: u32) -> i64 {
    macro_rules! arms {
        ($($k:literal),*) => {
            match k {
                $($k => num / 10i64.pow($k),)*
                _ => 0,
            }
        };
    }
    arms!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
}

/// `num / (d × 10^k)` rounded to a whole number by `mode` (`d > 0`, `k ≤ 18`), exactly: the
/// same value as [`round_ratio`], with constant divisors for the usual `d` of 1 and 12.
/// None when `d × 10^k` does not fit in `i64`.
#[inline(always)]
pub fn round_scaled(num: i64, k: u32, d: i64, mode: RoundMode) -> Option<i64> {
    let den = POW10.get(k as usize)?.checked_mul(d)?;
    // trunc(trunc(n / a) / b) = trunc(n / (a b)) for whole a, b > 0.
    if mode == RoundMode::HalfAwayFromZero {
        // round(n / den) = trunc((2n ± den) / (2 den)): one division, no remainder test
        // (when 2n ± den fits; else the remainder test below).
        if let Some(a) = num.checked_mul(2).and_then(|n2| n2.checked_add(if num < 0 { -den } else { den })) {
            let a = a / 2;
            return Some(match d {
                1 => div_pow10(a, k),
                12 => div_pow10(a, k) / 12,
                _ => a / den,
            });
        }
    }
    let q = match d {
        1 => div_pow10(num, k),
        12 => div_pow10(num, k) / 12,
        _ => num / den,
    };
    let r = num - q * den;
    if r == 0 {
        return Some(q);
    }
    let away = match mode {
        RoundMode::HalfAwayFromZero => r.unsigned_abs() >= den.unsigned_abs() - r.unsigned_abs(),
        RoundMode::Up => true,
        RoundMode::Down => false,
    };
    Some(if away { q + num.signum() } else { q })
}

/// `num / den` rounded to a whole number by `mode` (`den > 0`), exactly.
#[inline]
pub fn round_ratio(num: i128, den: i128, mode: RoundMode) -> i128 {
    if den == 1 {
        return num;
    }
    // 64-bit division when both fit: the common case, and much cheaper than 128-bit.
    if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
        if let Some(q) = round_scaled(n, 0, d, mode) {
            return i128::from(q);
        }
    }
    let (q, r) = (num / den, num % den);
    if r == 0 {
        return q;
    }
    let away = match mode {
        RoundMode::HalfAwayFromZero => r.unsigned_abs() * 2 >= den.unsigned_abs(),
        RoundMode::Up => true,
        RoundMode::Down => false,
    };
    if away {
        q + num.signum()
    } else {
        q
    }
}

/// `d` as a whole number of 10^−places units in `i64`, when it is one exactly (at most
/// `places` decimals) and fits; the integer form of money for the accruals.
#[inline]
pub fn exact_units(d: Decimal, places: u32) -> Option<i64> {
    let m = i64::try_from(d.mantissa()).ok()?;
    let s = d.scale();
    if s > places {
        return None;
    }
    m.checked_mul(10i64.checked_pow(places - s)?)
}

/// `d` rounded half away from zero to `dp` places, as a whole number of 10^−dp units
/// (e.g. fen for dp = 2); None if it does not fit.
#[inline]
pub fn to_units(d: Decimal, dp: u32) -> Option<i128> {
    let (m, s) = (d.mantissa(), d.scale());
    if s >= dp {
        Some(round_ratio(m, pow10_i128(s - dp)?, RoundMode::HalfAwayFromZero))
    } else {
        mul_i128(m, pow10_i128(dp - s)?)
    }
}

/// A decimal as `f64` (for statistics; not exact).
#[inline]
pub fn to_f64(d: Decimal) -> f64 {
    #[cold]
    #[inline(never)]
    fn wide(m: i128) -> f64 {
        m as f64
    }
    let m = d.mantissa();
    let small = m as i64;
    let v = if i128::from(small) == m { small as f64 } else { wide(m) };
    v / pow10_f64(d.scale())
}

/// 10^k as `f64`: exact for k ≤ 22 (5^22 < 2^53), from a table; the same values as
/// `10f64.powi(k)` without the call.
#[inline]
pub fn pow10_f64(k: u32) -> f64 {
    const T: [f64; 23] = pow10_table!(f64, 23, 10.0);
    match T.get(k as usize) {
        Some(v) => *v,
        None => 10f64.powi(k as i32),
    }
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

/// Yearly W and C of every region, projected past their last official year with one
/// growth rate (C8, C14), plus the crediting rate by year (C11). Built once per run for
/// the run's assumptions; rows with their own `wage_growth` or `avg_wage` project their
/// own copy (see `model`).
#[derive(Debug, Clone)]
pub struct Projector {
    /// First year in the tables.
    pub first_year: i32,
    /// Last year in the tables.
    pub last_year: i32,
    /// Per region: W(y) for y in first..=last (None before the series starts).
    pub wage: Vec<Vec<Option<Sourced<Decimal>>>>,
    /// Per region: C(y).
    pub base: Vec<Vec<Option<Sourced<Decimal>>>>,
    /// Crediting rate r(y) for employee accounts (C11).
    pub rate: Vec<Sourced<Decimal>>,
}

/// First year covered by a [`Projector`].
pub const PROJECT_FROM: i32 = 1990;
/// Last year covered by a [`Projector`].
pub const PROJECT_TO: i32 = MAX_YEAR + 1;

impl Projector {
    /// Builds the tables for a growth rate and a fallback crediting rate.
    pub fn new(params: &Params, wage_growth: Decimal, account_rate: Decimal) -> Projector {
        let first_year = PROJECT_FROM;
        let last_year = PROJECT_TO;
        let wage = params
            .regions
            .iter()
            .map(|r| project_wage(r.avg_wage.as_ref(), first_year, last_year, wage_growth, None))
            .collect();
        let base = params
            .regions
            .iter()
            .map(|r| project_series(r.pension_base.as_ref(), first_year, last_year, wage_growth))
            .collect();
        let rate = (first_year..=last_year)
            .map(|y| {
                params
                    .national
                    .crediting_rate
                    .get(y)
                    .unwrap_or(Sourced { value: account_rate, provenance: Provenance::Projected })
            })
            .collect();
        Projector { first_year, last_year, wage, base, rate }
    }

    fn slot(&self, year: i32) -> Option<usize> {
        if (self.first_year..=self.last_year).contains(&year) {
            Some((year - self.first_year) as usize)
        } else {
            None
        }
    }

    /// W(y) of a region (C8).
    pub fn wage(&self, region: RegionId, year: i32) -> Option<Sourced<Decimal>> {
        self.wage[region as usize][self.slot(year)?]
    }

    /// C(y) of a region (C14).
    pub fn base(&self, region: RegionId, year: i32) -> Option<Sourced<Decimal>> {
        self.base[region as usize][self.slot(year)?]
    }

    /// Crediting rate of a year (C11).
    pub fn rate(&self, year: i32) -> Sourced<Decimal> {
        match self.slot(year) {
            Some(i) => self.rate[i],
            None => self.rate[self.rate.len() - 1],
        }
    }
}

/// Money rounding used by the projections (0.01, half away from zero).
const CENT: Round = Round::half_up(2);

/// C(y): the official value where the series has one, then grown by `g` (C14).
pub fn project_series(series: Option<&YearSeries>, first: i32, last: i32, g: Decimal) -> Vec<Option<Sourced<Decimal>>> {
    let mut out: Vec<Option<Sourced<Decimal>>> = Vec::with_capacity((last - first + 1) as usize);
    for y in first..=last {
        let v = match series.and_then(|s| s.get(y)) {
            Some(v) => Some(v),
            None => match (series, out.last().copied().flatten()) {
                (Some(s), Some(prev)) if y > s.last() => grow(prev, g),
                _ => None,
            },
        };
        out.push(v);
    }
    out
}

/// W(y) = avg_wage(y − 1) where official, then grown by `g` (C8). `anchor` = (year, W)
/// replaces W of that year and everything after grows from it (the row's `avg_wage`).
pub fn project_wage(
    avg_wage: Option<&YearSeries>,
    first: i32,
    last: i32,
    g: Decimal,
    anchor: Option<(i32, Decimal)>,
) -> Vec<Option<Sourced<Decimal>>> {
    let mut out: Vec<Option<Sourced<Decimal>>> = Vec::with_capacity((last - first + 1) as usize);
    for y in first..=last {
        let prev = out.last().copied().flatten();
        let v = match anchor {
            Some((ay, w)) if ay == y => Some(Sourced { value: w, provenance: Provenance::Official }),
            Some((ay, _)) if y > ay => prev.and_then(|p| grow(p, g)),
            _ => match avg_wage.and_then(|s| s.get(y - 1)) {
                Some(v) => Some(v),
                None => match (avg_wage, prev) {
                    (Some(s), Some(p)) if y - 1 > s.last() => grow(p, g),
                    _ => None,
                },
            },
        };
        out.push(v);
    }
    out
}

/// One year of growth; None once the value leaves the range of exact decimals (a year
/// that far cannot be projected at that rate, and rows needing it get an error).
fn grow(prev: Sourced<Decimal>, g: Decimal) -> Option<Sourced<Decimal>> {
    let v = prev.value.checked_mul(Decimal::ONE + g)?;
    if v > Decimal::from(1_000_000_000_000_000i64) {
        return None;
    }
    Some(Sourced { value: CENT.apply(v), provenance: prev.provenance.max(Provenance::Projected) })
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
