//! The pure pension model: a validated [`Scenario`] and the parameters in, an [`Outcome`]
//! out. Nothing here reads files, prints, or knows about threads.
//!
//! Conventions are those of the contract (C1–C26); each function cites the ones it
//! implements and the rule's document.

mod builder;
mod context;
mod employee;
mod env;
mod project;
mod provincial;
mod resident;
mod rules;
mod trace;

pub use builder::ScenarioBuilder;
pub use project::{project, project_traced, Context};
pub use provincial::FormText;
pub use rules::{divisor, min_years, statutory_retirement, RetirementInfo};
pub use trace::{BasicProjection, BonusRuleUsed, Event, ExtraUsed, Trace, Used};

use crate::params::{Month, Provenance, RegionId};
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

/// Pension scheme of a row or segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// 企业职工: own payment 8% of the base.
    Employee,
    /// 灵活就业: own payment 20% of the base, 8% credited.
    Flexible,
    /// 城乡居民: yearly tiers (C19–C23).
    Resident,
}

impl Scheme {
    /// Name as written in CSVs.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Employee => "employee",
            Scheme::Flexible => "flexible",
            Scheme::Resident => "resident",
        }
    }
}

/// Retirement-age group (C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Men, original age 60.
    Male,
    /// Women with original age 55.
    FemaleCadre,
    /// Women with original age 50.
    FemaleWorker,
}

impl Category {
    /// Index into `National::groups`.
    pub fn group_index(self) -> usize {
        match self {
            Category::Male => 0,
            Category::FemaleCadre => 1,
            Category::FemaleWorker => 2,
        }
    }

    /// Name as written in CSVs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Male => "male",
            Category::FemaleCadre => "female_cadre",
            Category::FemaleWorker => "female_worker",
        }
    }

    /// True for both women's groups.
    pub fn is_female(self) -> bool {
        !matches!(self, Category::Male)
    }
}

/// What to do when the minimum years are not met (C18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shortfall {
    /// Keep contributing after the statutory month until the minimum is met.
    #[default]
    Extend,
    /// Bridge to the resident scheme (C24).
    Resident,
    /// Report `ineligible`.
    None,
}

/// One spell of future contributions from the segments file (contract §6).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Line in the segments file (for messages).
    pub line: u64,
    /// Scheme of the spell.
    pub scheme: Scheme,
    /// Region (defaults to the row's).
    pub region: RegionId,
    /// First month.
    pub start: Month,
    /// Last month.
    pub end: Month,
    /// Contribution index (employee/flexible; defaults to the row's).
    pub index: Decimal,
    /// Resident tier (defaults to the row's).
    pub tier: Option<Decimal>,
    /// The contribution index was written in the segment (not the row's default).
    pub index_given: bool,
    /// Note for `message` when the region fell back to its province (C27.8).
    pub note: Option<String>,
}

/// A validated scenario row (contract §6). Defaults are already applied except where the
/// default depends on the model (retirement month, stop, C, W).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Line in the scenario file.
    pub line: u64,
    /// Unique key.
    pub id: String,
    /// Chart label.
    pub label: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Parameter region.
    pub region: RegionId,
    /// Household-registration province (C25).
    pub hukou: RegionId,
    /// Retirement group (None only for residents without an employee record).
    pub category: Option<Category>,
    /// Birth month.
    pub birth: Month,
    /// Chosen pension start month (C6).
    pub retire: Option<Month>,
    /// Month the known record refers to.
    pub as_of: Month,
    /// Contribution years already paid.
    pub paid_years: Decimal,
    /// 视同缴费年限.
    pub deemed_years: Decimal,
    /// Average index of the known years.
    pub avg_index: Option<Decimal>,
    /// Years for the transitional pension.
    pub pre_account_years: Decimal,
    /// Index for the transitional pension.
    pub trans_index: Option<Decimal>,
    /// Employee account balance at `as_of`.
    pub balance: Decimal,
    /// Resident years already paid.
    pub resident_years: Decimal,
    /// Resident account balance at `as_of`.
    pub resident_balance: Decimal,
    /// Future employee/flexible index.
    pub index: Decimal,
    /// `contribution_index` was written in the row (false: the default 1.0).
    pub index_given: bool,
    /// Future resident tier.
    pub tier: Option<Decimal>,
    /// First month of future contributions.
    pub start: Option<Month>,
    /// Last month of future contributions.
    pub stop: Option<Month>,
    /// Resident 代缴.
    pub hardship: bool,
    /// Arduous-work early retirement allowed.
    pub special: bool,
    /// Local monthly add-on override.
    pub allowance: Option<Decimal>,
    /// Shortfall policy.
    pub shortfall: Shortfall,
    /// Wage growth override.
    pub wage_growth: Option<Decimal>,
    /// Fallback crediting rate override.
    pub account_rate: Option<Decimal>,
    /// W(year of as_of) override.
    pub avg_wage: Option<Decimal>,
    /// C override.
    pub base_at_retirement: Option<Decimal>,
    /// Resident subsidy override.
    pub subsidy: Option<Decimal>,
    /// Resident basic pension override (national + province + city).
    pub resident_basic: Option<Decimal>,
    /// 长缴多得 override.
    pub bonus_per_year: Option<Decimal>,
    /// Pension increase after the last official year.
    pub indexation: Option<Decimal>,
    /// Discount rate for present values.
    pub discount_rate: Option<Decimal>,
    /// Whole years the person lives to.
    pub death_age: Option<u32>,
    /// Notional account amount, yuan (Shanghai 虚账实记, Guangdong 视同缴费账户); what it
    /// does is the province's `[employee_rules] notional`.
    pub notional_account: Option<Decimal>,
    /// Facts about the person some provincial rules depend on (`family`, `title`,
    /// `intellectual`, `tibet_years`; empty = not claimed).
    pub person: crate::params::Person,
    /// Future spells from the segments file; empty = the row's own spell.
    pub segments: Vec<Segment>,
    /// Notes found while reading the row, for `message` (C27.8 region fallback, C27.11
    /// empty balance); the model's own notes follow them.
    pub notes: Vec<String>,
}

/// Status of a computed row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A pension is paid.
    Ok,
    /// No pension (minimum years not met and no remedy).
    Ineligible,
}

/// The result of projecting one scenario (contract §7).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// ok or ineligible.
    pub status: Status,
    /// Scheme paying the pension after bridging.
    pub scheme: Scheme,
    /// Claim region (C25).
    pub claim_region: RegionId,
    /// Pension start month.
    pub retire: Month,
    /// Age at `retire` in months.
    pub retire_age: i32,
    /// Divisor used (None when ineligible).
    pub divisor: Option<Decimal>,
    /// Contribution years (C12), 2 dp.
    pub years: Decimal,
    /// Minimum years (C5), or 15 for resident pensions.
    pub min_years: Decimal,
    /// Average index (C13), None for resident pensions.
    pub avg_index: Option<Decimal>,
    /// Pension base C used (None for resident pensions and ineligible rows).
    pub base: Option<Decimal>,
    /// Account at the pension month.
    pub balance: Decimal,
    /// Basic pension (C15).
    pub basic: Decimal,
    /// Account pension (C16, C23).
    pub account: Decimal,
    /// Transitional pension (C17).
    pub transitional: Decimal,
    /// Resident basic pension (C22).
    pub resident_basic: Decimal,
    /// 长缴多得 bonus (C22).
    pub bonus: Decimal,
    /// Local add-on.
    pub allowance: Decimal,
    /// Sum of the rounded components.
    pub total: Decimal,
    /// Own payments in the projection window.
    pub own_paid: Decimal,
    /// Subsidies and 代缴 credited in the window.
    pub gov_paid: Decimal,
    /// Refunded resident payments (C24), included in `notes`.
    pub refunds: Decimal,
    /// Notes for the `message` column (refunds, extension, temporary accounts).
    pub notes: Vec<String>,
    /// Weakest provenance of the values used.
    pub provenance: Provenance,
    /// Last monthly contribution base (employee/flexible), for replacement rates.
    pub last_base: Option<Decimal>,
    /// Yearly trace (own, gov, balance) for `--paths`, when requested.
    pub trace: Vec<YearTrace>,
    /// Own payments in time (for IRR and money's worth); refunds are negative.
    pub payments: Vec<Payment>,
    /// The claim region's average monthly wage in the retirement year (avg_wage of that
    /// year, i.e. W of the next), for the replacement rate against the average.
    pub avg_wage_retirement: Option<Decimal>,
    /// Resident pensions: the dated basic pension in force each January after the pension
    /// year, up to the last dated step (C22); later years grow by `indexation`. Empty for
    /// employee pensions, overrides and pensions after the last step.
    pub resident_steps: Vec<Decimal>,
}

/// Own payments of equal size in each month `first ..= last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    /// First month.
    pub first: Month,
    /// Last month.
    pub last: Month,
    /// Amount per month (negative for a refund).
    pub per_month: Decimal,
}

/// One calendar year of the accumulation phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearTrace {
    /// Calendar year.
    pub year: i32,
    /// Own payments in the year.
    pub own_paid: Decimal,
    /// Government payments in the year.
    pub gov_paid: Decimal,
    /// Combined account balance at the end of the year (or at the pension month).
    pub balance: Decimal,
}

/// Largest account balance the model carries (far beyond any real account; keeps every
/// later product inside the range of exact decimals).
pub(crate) const BALANCE_LIMIT: Decimal = Decimal::from_parts(0x6310_0000, 0x6BC7_5E2D, 0x5, false, 0);

/// True when |d| > [`BALANCE_LIMIT`]; decided on the mantissa where the scale allows
/// (the common case), without a decimal comparison.
#[inline]
pub(crate) fn beyond_limit(d: Decimal) -> bool {
    const E20: u128 = 100_000_000_000_000_000_000;
    let m = d.mantissa().unsigned_abs();
    if m <= E20 {
        return false; // |d| = m / 10^scale ≤ m ≤ 1e20
    }
    d.abs() > BALANCE_LIMIT
}

/// The error for an account that leaves [`BALANCE_LIMIT`].
pub(crate) fn overflow(column: &str, year: i32) -> RowError {
    RowError::new(
        column,
        "",
        format!(
            "the account exceeds 1e20 yuan by {year}: the rates or growth assumptions are outside any plausible range"
        ),
        "rates that keep balances below 1e20 yuan",
    )
}

/// A row that cannot be computed: which column, which value, why, what is allowed
/// (C26). The I/O layer adds the line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Column name.
    pub column: String,
    /// Offending value as written (or computed).
    pub value: String,
    /// What is wrong.
    pub why: String,
    /// What is allowed.
    pub allowed: String,
}

impl RowError {
    /// Builds an error.
    pub fn new(column: &str, value: impl Into<String>, why: impl Into<String>, allowed: impl Into<String>) -> RowError {
        RowError { column: column.to_string(), value: value.into(), why: why.into(), allowed: allowed.into() }
    }

    /// `line L, column C, value 'V': why; allowed …` (C26).
    pub fn message(&self, line: u64) -> String {
        format!(
            "line {line}, column {}, value '{}': {}; allowed {}",
            self.column,
            self.value.replace('\'', "\u{2019}"),
            self.why,
            self.allowed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_limit_is_1e20() {
        assert_eq!(BALANCE_LIMIT.to_string(), "100000000000000000000");
        assert!(!beyond_limit("100000000000000000000".parse().unwrap()));
        assert!(beyond_limit("100000000000000000000.01".parse().unwrap()));
        assert!(!beyond_limit("99999999999999999999.99".parse().unwrap()));
        assert!(beyond_limit("-100000000000000000001".parse().unwrap()));
    }
}
