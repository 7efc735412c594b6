//! Provincial employee-pension rules as data (`[employee_rules]` in a province file): which
//! form the basic and transitional pensions take, how years and amounts are rounded, and
//! the local components added to the pension. The formulas themselves are small named
//! functions in `model::provincial`, chosen by these keys; the national form (C15, C17)
//! is the default.

use super::{Month, Provenance, Round};
use rust_decimal::Decimal;

/// The basic pension's form (C15 and its provincial variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasicForm {
    /// `(C + C × Ī) / 2 × N × 1%` (国发〔2005〕38号), C of the claim region.
    #[default]
    Standard,
    /// `(C_province + C_city × Ī) / 2 × N × 1%` (Henan: the city base enters the indexed wage).
    ProvincePlusCityIndexed,
    /// `(C_city + C_province × Ī) / 2 × N × 1%` (Jilin, Hubei: the provincial base indexes).
    CityPlusProvinceIndexed,
}

/// How N enters the basic pension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasicYears {
    /// N × 1%.
    #[default]
    Years,
    /// Whole years × 1% + remaining months × the monthly rate (Shanghai 0.083%).
    WholeYearsAndMonths(Decimal),
}

/// The transitional pension's form (C17 and its provincial variants); P = pre-account years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransitionalForm {
    /// `C × Ī_t × P × rate` (鲁政发〔2006〕92号 and most provinces).
    #[default]
    Indexed,
    /// `(C + C × Ī_t) / 2 × P × rate` (Liaoning, Qinghai, Sichuan).
    Weighted,
    /// `C × max(Ī_t, 1) × P × rate` (Inner Mongolia).
    IndexFloorOne,
    /// Beijing G同 + G实: `C × deemed × rate + C × Ī_t × (P − deemed) × rate`.
    TwoPart,
    /// `C × 1.0 × P × rate` (Shanghai: deemed years before 1993 at index 1).
    DeemedIndexOne,
    /// A new method phased in against the old one (Jiangsu from 2024): old = `C × Ī × P ×
    /// rate` (Ī the whole career's average index), new = `C × Ī_t × P × rate`; from the
    /// phase-in's first year, `old + (new − old) × share` when new > old, else old (see
    /// [`PhaseIn`]); before it, old.
    PhaseIn,
}

/// The share of the difference between a new and an old transitional method paid to
/// pensions starting in a year (Jiangsu 2024 40%, 2025 70%, from 2026 100%; Guangdong
/// 2021–2025 30/50/70/90/100%).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhaseIn {
    /// (first retirement year, share), ascending: a year takes the share of the latest
    /// entry at or before it.
    pub rates: Vec<(i32, Decimal)>,
    /// Last retirement year of the phase-in; later pensions take the new method alone
    /// (Guangdong from 2026). None: the last share continues (Jiangsu 100% from 2026).
    pub until: Option<i32>,
    /// Provenance of the shares.
    pub provenance: Provenance,
    /// Source of the shares.
    pub source: String,
}

/// Where a pension start year falls in a [`PhaseIn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the first year: the old method.
    Before,
    /// In the phase-in: the share of the difference paid.
    Share(Decimal),
    /// After `until`: the new method alone.
    After,
}

impl PhaseIn {
    /// The phase of pensions starting in `year`.
    pub fn at(&self, year: i32) -> Phase {
        if self.until.is_some_and(|u| year > u) {
            return Phase::After;
        }
        match self.rates.iter().rev().find(|(y, _)| *y <= year) {
            Some((_, r)) => Phase::Share(*r),
            None => Phase::Before,
        }
    }
}

/// A notional account amount given in the row (`notional_account`, yuan) and what the
/// province does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotionalRule {
    /// Added to the transitional pension as `round(amount ÷ divisor)` with the component
    /// rounding (Shanghai 虚账实记, 沪人社规〔2021〕32号, divisor 120).
    Add {
        /// Months the amount is divided by.
        divisor: Decimal,
    },
    /// The old method's transitional pension is `amount ÷ divisor` (Guangdong 视同缴费账户,
    /// K = 120): before the phase-in the old method; in it `old + max(0, new − old −
    /// deduct × floor(N)) × share`; after it the new method (粤府函〔2021〕294号).
    OldMethod {
        /// Months the amount is divided by (K).
        divisor: Decimal,
        /// Amount per whole contribution year counted on the old side of the comparison
        /// (Guangdong 4: the per-year part of its 调节金).
        deduct_per_year: Decimal,
    },
}

/// Which region's C the transitional pension uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransitionalBase {
    /// The claim region's (a city's own base where it has one).
    #[default]
    Claim,
    /// The province's (Jilin).
    Province,
}

/// A local component added to the pension (reported in the `allowance` column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtraKind {
    /// A fixed amount per month.
    Flat(Decimal),
    /// A fixed amount when the deemed years reach a threshold (Gansu 调节金).
    FlatIfDeemedAtLeast {
        /// Amount, yuan/month.
        amount: Decimal,
        /// Minimum deemed years.
        years: Decimal,
    },
    /// `flat + per_year × floor(N)` (Guangdong 100 + 4 × years).
    PerWholeYear {
        /// Fixed part.
        flat: Decimal,
        /// Amount per whole contribution year.
        per_year: Decimal,
    },
    /// `flat + per_index_year × Ī × N` (Zhejiang 过渡调节金).
    IndexYears {
        /// Fixed part.
        flat: Decimal,
        /// Amount per index-year.
        per_index_year: Decimal,
    },
    /// `C × Ī × pct` with pct from the highest band whose `years` N reaches (Tibet plateau
    /// allowance).
    IndexedWagePct(Vec<(Decimal, Decimal)>),
    /// Marginal brackets of actual years (N − deemed): `(C + C × Ī) / 2 × Σ years in
    /// (from, to] × rate` (Jilin 增发).
    IncrementBrackets(Vec<(Decimal, Decimal, Decimal)>),
    /// An amount by the calendar year of retirement (Shenzhen and Qinghai 调节金).
    ByRetirementYear(Vec<(i32, Decimal)>),
    /// `pct × (basic + account + transitional)` (one-child and childless bonuses of
    /// Chongqing, Guizhou and Hainan).
    PercentOfComponents(Decimal),
    /// `pct ×` the series' value of the year before the pension year (Yunnan one-child
    /// bonus: 5% of the previous year's provincial average pension); past the series'
    /// last year the last value grows by the row's `indexation` (`projected`).
    PercentOfSeries {
        /// Share of the series' value.
        pct: Decimal,
        /// (year, value, provenance, source), ascending years without gaps.
        series: Vec<(i32, Decimal, Provenance, String)>,
    },
}

impl ExtraKind {
    /// The rule in words (`yanglao params`, `yanglao explain`).
    pub fn describe(&self) -> String {
        let pct = |p: &Decimal| format!("{}%", (*p * Decimal::from(100)).normalize());
        match self {
            ExtraKind::Flat(a) => a.to_string(),
            ExtraKind::FlatIfDeemedAtLeast { amount, years } => format!("{amount} if deemed years ≥ {years}"),
            ExtraKind::PerWholeYear { flat, per_year } => format!("{flat} + {per_year} × floor(N)"),
            ExtraKind::IndexYears { flat, per_index_year } => format!("{flat} + {per_index_year} × Ī × N"),
            ExtraKind::IndexedWagePct(b) => format!(
                "C × Ī × {}",
                b.iter().map(|(y, p)| format!("{p} from {y} years")).collect::<Vec<_>>().join(", ")
            ),
            ExtraKind::IncrementBrackets(b) => format!(
                "(C + C × Ī)/2 × Σ actual years in {}",
                b.iter().map(|(f, t, r)| format!("({f},{t}] × {r}")).collect::<Vec<_>>().join(", ")
            ),
            ExtraKind::ByRetirementYear(v) => v.iter().map(|(y, a)| format!("{y}: {a}")).collect::<Vec<_>>().join(", "),
            ExtraKind::PercentOfComponents(p) => format!("{} × (basic + account + transitional)", pct(p)),
            ExtraKind::PercentOfSeries { pct: p, series } => format!(
                "{} × the value of the year before the pension year ({}; then the last value × (1 + indexation) a year)",
                pct(p),
                series.iter().map(|(y, v, ..)| format!("{y}: {v}")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The family situation a row claims (scenario column `family`) for the one-child and
/// childless rules of some provinces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 独生子女父母: parents of an only child.
    OneChild,
    /// 无子女: without children.
    Childless,
}

impl Family {
    /// The key as written in scenarios and parameter files.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::OneChild => "one_child",
            Family::Childless => "childless",
        }
    }
}

/// A professional title (职称) a row claims (scenario column `title`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {
    /// 高级职称.
    Senior,
    /// 中级职称.
    Intermediate,
}

impl Title {
    /// The key as written in scenarios and parameter files.
    pub fn as_str(self) -> &'static str {
        match self {
            Title::Senior => "senior",
            Title::Intermediate => "intermediate",
        }
    }
}

/// Facts about the person that some provincial rules depend on (the optional scenario
/// columns `family`, `title`, `intellectual`, `tibet_years`); empty = not claimed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// One-child parent or childless.
    pub family: Option<Family>,
    /// Senior or intermediate title.
    pub title: Option<Title>,
    /// Ningxia 知识分子 (intellectual) status.
    pub intellectual: bool,
    /// Years worked in Tibet (the plateau allowance's bands; empty: N).
    pub tibet_years: Option<Decimal>,
}

impl Person {
    /// True when the row claims no fact.
    pub fn is_empty(&self) -> bool {
        self == &Person::default()
    }
}

/// A condition on the person (`when = { family = "one_child" }` in a parameter file): every
/// fact it names must hold; an empty condition always holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    /// Required family situation.
    pub family: Option<Family>,
    /// Required title.
    pub title: Option<Title>,
    /// Required intellectual status.
    pub intellectual: Option<bool>,
}

impl Condition {
    /// True when the condition names no fact.
    pub fn is_always(&self) -> bool {
        self == &Condition::default()
    }

    /// Whether the person meets it.
    pub fn holds(&self, p: &Person) -> bool {
        self.family.is_none_or(|f| p.family == Some(f))
            && self.title.is_none_or(|t| p.title == Some(t))
            && self.intellectual.is_none_or(|i| p.intellectual == i)
    }

    /// As written in the parameter file: `family = one_child, title = senior`.
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        if let Some(f) = self.family {
            v.push(format!("family = {}", f.as_str()));
        }
        if let Some(t) = self.title {
            v.push(format!("title = {}", t.as_str()));
        }
        if let Some(i) = self.intellectual {
            v.push(format!("intellectual = {i}"));
        }
        v.join(", ")
    }
}

/// Which years the bands of an [`ExtraKind::IndexedWagePct`] count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BandYears {
    /// Contribution years N.
    #[default]
    Total,
    /// The row's `tibet_years` when given, else N (the plateau allowance).
    Tibet,
}

/// A transitional coefficient that replaces the series' rate for the persons meeting a
/// condition (Ningxia intellectuals, `[[employee_rules.transitional_rate_if]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionalRate {
    /// Short name.
    pub label: String,
    /// Who it applies to.
    pub when: Condition,
    /// The coefficient.
    pub rate: Decimal,
    /// Provenance.
    pub provenance: Provenance,
    /// Source.
    pub source: String,
}

/// A dated local component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    /// Short name (for `params` and explanations).
    pub label: String,
    /// The rule.
    pub kind: ExtraKind,
    /// First pension month it applies to.
    pub from: Option<Month>,
    /// Last pension month it applies to.
    pub to: Option<Month>,
    /// Provenance.
    pub provenance: Provenance,
    /// Source.
    pub source: String,
    /// Who it applies to (empty: everyone).
    pub when: Condition,
    /// Which years its bands count (indexed_wage_pct).
    pub band_years: BandYears,
}

impl Extra {
    /// Whether it applies to a pension starting in `retire` (its `from` … `to`).
    pub fn in_force(&self, retire: Month) -> bool {
        self.from.is_none_or(|f| retire >= f) && self.to.is_none_or(|t| retire <= t)
    }
}

/// A region's employee-pension rules; the default is the national form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmployeeRules {
    /// Provenance of the forms and roundings (official when the defaults apply).
    pub provenance: Provenance,
    /// Source of the forms.
    pub source: String,
    /// Basic pension form.
    pub basic: BasicForm,
    /// How N enters the basic pension.
    pub basic_years: BasicYears,
    /// Years rounded up to a multiple of this step after C12 (Fujian 0.5).
    pub years_step: Option<Decimal>,
    /// Transitional form.
    pub transitional: TransitionalForm,
    /// Base of the transitional pension.
    pub transitional_base: TransitionalBase,
    /// Floor of the transitional index (Fujian β ≥ 0.75).
    pub transitional_index_floor: Option<Decimal>,
    /// (actual years, rate): the transitional rate when actual years (N − deemed) do not
    /// exceed `years` (Jilin 1.2% up to 20 actual years, else the series' 1.4%).
    pub transitional_rate_below: Option<(Decimal, Decimal)>,
    /// Rounding of the basic, account and transitional components (Shanghai 0.1).
    pub component_rounding: Option<Round>,
    /// Rounding of the total (Guangxi, Zhejiang: up to the jiao).
    pub total_rounding: Option<Round>,
    /// Local components.
    pub extras: Vec<Extra>,
    /// Transitional coefficients for persons meeting a condition (first match wins).
    pub transitional_rate_if: Vec<ConditionalRate>,
    /// Phase-in of a new transitional method (with [`TransitionalForm::PhaseIn`] or
    /// [`NotionalRule::OldMethod`]).
    pub phase_in: Option<PhaseIn>,
    /// What the row's `notional_account` does.
    pub notional: Option<NotionalRule>,
    /// The divisor of an arduous-work (特殊工种, `special`) early retirement in place of the
    /// C7 table (Gansu 170).
    pub special_divisor: Option<SpecialDivisor>,
    /// Local components known but not computed (the data lacks what they need): named in
    /// `message` so that a result without them is never silently short.
    pub omitted: Vec<Omitted>,
}

/// A local component that is not computed, and why (Zhengzhou 过渡性补贴: its P table is
/// not in the sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    /// Name of the component.
    pub label: String,
    /// Why it is not computed.
    pub why: String,
    /// Said only for rows with deemed years (the component depends on them).
    pub if_deemed: bool,
    /// Said only for rows whose person facts meet it (Sichuan's 增发 for a row claiming
    /// a one-child family or a title); empty: every row.
    pub when: Condition,
}

/// A region's divisor for arduous-work early retirements (C7's table is data; this
/// replaces it for those pensions only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDivisor {
    /// Months.
    pub months: Decimal,
    /// Provenance.
    pub provenance: Provenance,
    /// Source.
    pub source: String,
}

/// A resident 长缴多得 rule (C22 and its provincial kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BonusKind {
    /// An amount per whole year beyond 15 (Qinghai 10, Shanxi 1, Guangdong 3).
    PerYear(Decimal),
    /// A share of the basic pension per whole year beyond 15 (Jiangxi 2%, Weifang 1%).
    PercentOfBasic(Decimal),
    /// Graduated over all years: (up to years, per year) in marginal bands (Hubei 2023:
    /// 1 a year for years 1–15, 2 for 16–25, 3 beyond).
    Graduated(Vec<(Decimal, Decimal)>),
    /// A fixed amount from a number of years on, the highest step reached (Jining).
    Steps(Vec<(Decimal, Decimal)>),
}

/// A dated resident 长缴多得 rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentBonus {
    /// The rule.
    pub kind: BonusKind,
    /// A ceiling as a share of the basic pension (C22): the bonus is at most
    /// `round(basic × cap, 2)` (Hefei: 2 yuan a year beyond 15, at most 10% of the basic
    /// pension). None: no ceiling.
    pub cap: Option<Decimal>,
    /// First pension month it applies to.
    pub from: Month,
    /// Provenance.
    pub provenance: Provenance,
}

/// Age top-ups of the resident basic pension (高龄补贴), paid in the yearly path from the
/// year a band's age is reached (Shandong: +5 at 65–74, +10 from 75).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeTopup {
    /// First month in force.
    pub from: Month,
    /// (age in whole years, amount per month), ascending; the highest band reached applies.
    pub bands: Vec<(i32, Decimal)>,
    /// Provenance.
    pub provenance: Provenance,
}

impl AgeTopup {
    /// The top-up at a whole age in a month, if in force.
    pub fn at(&self, age: i32, month: Month) -> Option<Decimal> {
        if month < self.from {
            return None;
        }
        self.bands.iter().rev().find(|(a, _)| age >= *a).map(|b| b.1)
    }
}
