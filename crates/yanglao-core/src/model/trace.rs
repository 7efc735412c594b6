//! An optional record of how one scenario was computed, step by step, for `yanglao explain`.
//!
//! [`project_traced`](super::project_traced) runs the very same projection as
//! [`project`](super::project) with a [`Trace`] attached; each formula of the model appends
//! an [`Event`] with the values it put in and the value it produced, at the point where it
//! computes them. Without a trace (every `run`) each hook is one test of an `Option` and
//! nothing is built. The numbers in a trace are therefore the ones `run` prints; the trace
//! only adds the inputs and the provenance of each parameter.

use super::{Category, FormText, Scheme};
use crate::params::{BonusKind, Month, Provenance, RegionId};
use rust_decimal::Decimal;

/// The steps of one projection, in the order the model took them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Events in order.
    pub events: Vec<Event>,
}

/// A value with the provenance of the parameter it came from (`None`: a row input, or a
/// value computed here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Used {
    /// The value.
    pub value: Decimal,
    /// Provenance of the parameter (official … assumed); `None` for a row override.
    pub provenance: Option<Provenance>,
}

/// A region's 长缴多得 rule as used for a row (C22 and its provincial and city kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusRuleUsed {
    /// The rule kind.
    pub kind: BonusKind,
    /// Ceiling as a share of the basic pension.
    pub cap: Option<Decimal>,
    /// The basic pension the rule reads (percent kinds and the ceiling).
    pub basic: Decimal,
    /// Resident years.
    pub years: Decimal,
    /// Provenance of the rule.
    pub provenance: Provenance,
}

/// How a resident basic pension was projected past the published horizon (C22).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BasicProjection {
    /// The published horizon: the month of the last dated step as loaded (the amounts used
    /// are those in force then).
    pub from: Month,
    /// The dated amount in force at `from`.
    pub dated: Decimal,
    /// Yearly increase applied each January.
    pub indexation: Decimal,
    /// Number of January increases, from the year after `from` to the claim year.
    pub increases: i32,
}

/// One step of the derivation.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// C4, C5: the statutory retirement of the row's group.
    Statutory {
        /// Group used (flexible women use `female_cadre`, C26).
        category: Category,
        /// Birth month.
        birth: Month,
        /// Original age in years.
        original_age: i32,
        /// First affected birth month.
        first_affected: Month,
        /// Birth months per month of delay.
        step: i32,
        /// Cap of the delay in months.
        cap: i32,
        /// Delay in months.
        delay: i32,
        /// Statutory month.
        month: Month,
        /// Minimum years (C5).
        min_years: Decimal,
    },
    /// C6: the retirement month used (chosen or statutory).
    Retirement {
        /// The row's `retire`, if any.
        chosen: Option<Month>,
        /// Statutory month.
        statutory: Month,
        /// Month used for the accrual.
        used: Month,
    },
    /// The start of one pass of employee-account accrual over `first ..= last`.
    EmployeeAccrual {
        /// First month.
        first: Month,
        /// Last month.
        last: Month,
        /// Balance at the start.
        start_balance: Decimal,
    },
    /// C8–C10: one spell's contributions within one calendar year.
    EmployeePart {
        /// Calendar year.
        year: i32,
        /// Region whose W applies.
        region: RegionId,
        /// First month in the year.
        from: Month,
        /// Last month in the year.
        to: Month,
        /// Contribution index.
        index: Decimal,
        /// W(year) (C8).
        wage: Used,
        /// Monthly base round(index × W, 2) (C9).
        base: Decimal,
        /// Monthly credit round(base × 8%, 2) (C10).
        credit: Decimal,
        /// Monthly own payment (C10).
        own: Decimal,
        /// Scheme of the spell.
        scheme: Scheme,
    },
    /// C11: one calendar year of the employee account.
    EmployeeYear {
        /// Calendar year.
        year: i32,
        /// First accrual month a.
        first: Month,
        /// Last accrual month e.
        last: Month,
        /// Balance at the start of month a.
        start: Decimal,
        /// Crediting rate r.
        rate: Used,
        /// Σ credits of the year.
        credits: Decimal,
        /// Interest round(r × (B_start × (e − a + 1) + Σ c_n (e − n + 1)) / 12, 2).
        interest: Decimal,
        /// Balance at the end.
        end: Decimal,
    },
    /// C18: contributions extended to reach the minimum years.
    Extension {
        /// Months added.
        months: i32,
        /// Pension month before the extension.
        from: Month,
        /// Pension month after it.
        to: Month,
        /// Years before the extension.
        years: Decimal,
        /// The minimum.
        min_years: Decimal,
    },
    /// C24: the bridging decision at the employee statutory month.
    Bridging {
        /// Employee years (C12).
        employee_years: Decimal,
        /// Minimum years (C5).
        min_years: Decimal,
        /// True: the resident record joins the employee scheme; false: the other way.
        to_employee: bool,
    },
    /// C25: the claim province and region.
    Claim {
        /// Claim province.
        province: RegionId,
        /// Claim region (city of the last contribution there, else the row's region, else the province).
        region: RegionId,
        /// Provinces contributed in, with months (known record excluded).
        provinces: Vec<(RegionId, i32)>,
    },
    /// C12: contribution years.
    Years {
        /// paid_years + deemed_years.
        known: Decimal,
        /// Contribution months in the projection.
        months: i32,
        /// round(known + months / 12, 2).
        years: Decimal,
    },
    /// C13: average index.
    AverageIndex {
        /// paid_years + deemed_years.
        known: Decimal,
        /// Average index of the known years.
        known_index: Option<Decimal>,
        /// Σ month index (recomputed against the claim province where C25 asks).
        index_months: Decimal,
        /// Contribution months.
        months: i32,
        /// The average, 4 dp.
        result: Decimal,
    },
    /// C14: the pension base C.
    Base {
        /// Region whose series gave it.
        region: RegionId,
        /// Calendar year of the pension month.
        year: i32,
        /// The value (provenance None: the row's `base_at_retirement`).
        value: Used,
    },
    /// C7: the divisor.
    Divisor {
        /// Pension month.
        start: Month,
        /// Age at it in months.
        age: i32,
        /// d(whole age).
        d0: Decimal,
        /// d(whole age + 1), when interpolated.
        d1: Option<Decimal>,
        /// Result, 0.1.
        result: Decimal,
        /// (region, its divisor for arduous-work early retirements) when that replaced
        /// the table.
        special: Option<(String, crate::params::SpecialDivisor)>,
    },
    /// C15: basic pension.
    Basic {
        /// C.
        base: Decimal,
        /// Ī.
        index: Decimal,
        /// round(C × Ī, 2).
        indexed: Decimal,
        /// N.
        years: Decimal,
        /// round((C + indexed) / 2 × N × 1%, 2), or the province's form.
        result: Decimal,
        /// The province's form when it is not C15 exactly (then `base` is its flat term).
        form: Option<FormText>,
    },
    /// C16 / C23: account pension.
    Account {
        /// Employee account (or resident account for C23) before any merge.
        own_balance: Decimal,
        /// The other scheme's account that joined (C24), net of refunds.
        joined: Decimal,
        /// Balance used.
        balance: Decimal,
        /// Divisor.
        divisor: Decimal,
        /// round(balance / divisor, 2).
        result: Decimal,
        /// True for the resident formula (C23).
        resident: bool,
    },
    /// C17: transitional pension.
    Transitional {
        /// C.
        base: Decimal,
        /// Ī_t.
        index: Decimal,
        /// P (2 dp).
        years: Decimal,
        /// Coefficient.
        rate: Used,
        /// Result.
        result: Decimal,
        /// Deemed years of the row (Beijing G同).
        deemed: Decimal,
        /// The province's form when it is not C17 exactly.
        form: Option<FormText>,
    },
    /// The local monthly add-on.
    Allowance {
        /// Value (provenance None: the row's column).
        value: Used,
    },
    /// A transitional coefficient for persons meeting a condition (Ningxia intellectuals,
    /// `[[employee_rules.transitional_rate_if]]`), used in the next transitional step.
    PersonRate {
        /// Its name in the parameter file.
        label: String,
        /// The condition (`intellectual = true`).
        when: String,
        /// The coefficient.
        rate: Decimal,
        /// Provenance.
        provenance: Provenance,
        /// Source written beside it.
        source: String,
    },
    /// Local components of the province's rules (`[[employee_rules.extra]]`) added to the
    /// allowance column.
    Extras {
        /// The region's allowance before them (0 when it has none).
        region: Decimal,
        /// The components that applied, in file order.
        items: Vec<ExtraUsed>,
        /// The allowance column: region + Σ items.
        result: Decimal,
    },
    /// C19: one year of the resident account.
    ResidentYear {
        /// Calendar year.
        year: i32,
        /// Balance at the start of the year.
        start: Decimal,
        /// Crediting rate.
        rate: Used,
        /// round(B × r, 2).
        interest: Decimal,
        /// Own payment (the tier, 0 for hardship).
        own: Decimal,
        /// Subsidy and 代缴.
        gov: Decimal,
        /// Tier table provenance, when the year had a contribution.
        tiers: Option<Provenance>,
        /// Employee months in the year (C24 overlap).
        employee_months: i32,
        /// Balance at the end.
        end: Decimal,
    },
    /// C21: resident years.
    ResidentYears {
        /// Row's resident_years.
        known: Decimal,
        /// Employee years counted (C24).
        employee: Decimal,
        /// Resident twelfths contributed in the projection.
        twelfths: i32,
        /// Result, 2 dp.
        years: Decimal,
    },
    /// C22: resident basic pension.
    ResidentBasic {
        /// National minimum (None with the row's override).
        national: Option<Used>,
        /// Province floor incl. the national minimum.
        floor: Option<Used>,
        /// City add-on.
        city: Option<Used>,
        /// The row's `resident_basic`.
        overridden: bool,
        /// A claim after the last dated step: the amounts above are those of that step,
        /// raised by `indexation` to the claim year (issue 13, defect 3).
        projection: Option<BasicProjection>,
        /// Result.
        result: Decimal,
    },
    /// C22: 长缴多得.
    Bonus {
        /// Per whole year beyond 15.
        per_year: Used,
        /// Whole years beyond 15.
        extra: Decimal,
        /// The region's own rule kind, when it replaced the per-year amount.
        rule: Option<BonusRuleUsed>,
        /// Result.
        result: Decimal,
    },
    /// The sum of the rounded components.
    Total {
        /// Result.
        result: Decimal,
    },
    /// Minimum years not met and no remedy.
    Ineligible {
        /// Years.
        years: Decimal,
        /// Minimum.
        min_years: Decimal,
    },
}

/// A local component that entered a row's allowance.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraUsed {
    /// Its name in the parameter file.
    pub label: String,
    /// The rule in words.
    pub rule: String,
    /// Its condition on the person (`family = one_child`; empty: everyone).
    pub when: String,
    /// Amount, yuan/month.
    pub amount: Decimal,
    /// Weakest provenance of the rule and the values it used.
    pub provenance: Provenance,
    /// Source written beside it in the parameter file.
    pub source: String,
}
