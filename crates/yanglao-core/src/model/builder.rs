//! [`ScenarioBuilder`]: a [`Scenario`] made in code, with the defaults an empty cell has in
//! a scenario CSV (contract §5), so that tests, benches and bindings need no CSV.

use super::{Category, Context, Scenario, Scheme, Segment, Shortfall};
use crate::params::{Month, RegionId};
use rust_decimal::Decimal;

/// Builds a [`Scenario`]: the key, scheme, region and birth month are given, every other
/// field starts as an empty CSV cell reads (no record, contribution index 1.0 not given,
/// `shortfall` extend, no overrides); [`ScenarioBuilder::build`] fills the two defaults
/// that depend on the run: `hukou` (the region's province) and `as_of` (`start`, else the
/// run's month).
///
/// The builder checks nothing: ranges and required cells are the CSV reader's
/// (`yanglao_io::scenario::parse_scenario`); a scenario built here with values that reader
/// refuses is projected as given.
///
/// ```
/// use yanglao_core::model::{project, Category, Context, Scenario, Scheme, Status};
/// use yanglao_core::params::{Assumptions, Month, Params};
/// let ctx = Context::new(Params::builtin().unwrap(), Assumptions::builtin());
/// let region = ctx.params.region_id("henan").unwrap();
/// let s = Scenario::builder("p", Scheme::Flexible, region, Month::parse("1980-01").unwrap())
///     .category(Category::Male)
///     .build(&ctx);
/// assert_eq!(project(&s, &ctx).unwrap().status, Status::Ok);
/// ```
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    s: Scenario,
    hukou: Option<RegionId>,
    as_of: Option<Month>,
}

impl Scenario {
    /// Starts a [`ScenarioBuilder`] (see there for the defaults).
    pub fn builder(id: &str, scheme: Scheme, region: RegionId, birth: Month) -> ScenarioBuilder {
        let zero = Decimal::ZERO;
        ScenarioBuilder {
            s: Scenario {
                line: 0,
                id: id.to_string(),
                label: id.to_string(),
                scheme,
                region,
                hukou: region,
                category: None,
                birth,
                retire: None,
                as_of: birth,
                paid_years: zero,
                deemed_years: zero,
                avg_index: None,
                pre_account_years: zero,
                trans_index: None,
                balance: zero,
                resident_years: zero,
                resident_balance: zero,
                index: Decimal::ONE,
                index_given: false,
                tier: None,
                start: None,
                stop: None,
                hardship: false,
                special: false,
                allowance: None,
                shortfall: Shortfall::Extend,
                wage_growth: None,
                account_rate: None,
                avg_wage: None,
                base_at_retirement: None,
                subsidy: None,
                resident_basic: None,
                bonus_per_year: None,
                indexation: None,
                discount_rate: None,
                death_age: None,
                notional_account: None,
                person: crate::params::Person::default(),
                segments: Vec::new(),
                notes: Vec::new(),
            },
            hukou: None,
            as_of: None,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $t:ty => $field:ident $(= $wrap:ident)?;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, v: $t) -> Self {
                self.s.$field = $($wrap)?(v);
                self
            }
        )*
    };
}

impl ScenarioBuilder {
    setters! {
        /// Line in the scenario file (0: none).
        line: u64 => line;
        /// Chart label (default: the key).
        label: &str => label = label_string;
        /// Retirement group (required for employee and flexible rows).
        category: Category => category = Some;
        /// Chosen pension start month (C6).
        retire: Month => retire = Some;
        /// Contribution years already paid.
        paid_years: Decimal => paid_years;
        /// 视同缴费年限.
        deemed_years: Decimal => deemed_years;
        /// Average index of the known years.
        avg_index: Decimal => avg_index = Some;
        /// Years for the transitional pension.
        pre_account_years: Decimal => pre_account_years;
        /// Index for the transitional pension.
        trans_index: Decimal => trans_index = Some;
        /// Employee account balance at `as_of`.
        balance: Decimal => balance;
        /// Resident years already paid.
        resident_years: Decimal => resident_years;
        /// Resident account balance at `as_of`.
        resident_balance: Decimal => resident_balance;
        /// Future resident tier (yuan/year).
        tier: Decimal => tier = Some;
        /// First month of future contributions.
        start: Month => start = Some;
        /// Last month of future contributions.
        stop: Month => stop = Some;
        /// Resident 代缴.
        hardship: bool => hardship;
        /// Arduous-work early retirement allowed.
        special: bool => special;
        /// Local monthly add-on override.
        allowance: Decimal => allowance = Some;
        /// Shortfall policy (C18).
        shortfall: Shortfall => shortfall;
        /// Wage growth override.
        wage_growth: Decimal => wage_growth = Some;
        /// Fallback crediting rate override.
        account_rate: Decimal => account_rate = Some;
        /// W(year of as_of) override.
        avg_wage: Decimal => avg_wage = Some;
        /// C override.
        base_at_retirement: Decimal => base_at_retirement = Some;
        /// Resident subsidy override.
        subsidy: Decimal => subsidy = Some;
        /// Resident basic pension override.
        resident_basic: Decimal => resident_basic = Some;
        /// 长缴多得 override.
        bonus_per_year: Decimal => bonus_per_year = Some;
        /// Pension increase after the last official year.
        indexation: Decimal => indexation = Some;
        /// Discount rate for present values.
        discount_rate: Decimal => discount_rate = Some;
        /// Whole years the person lives to.
        death_age: u32 => death_age = Some;
        /// Notional account amount (Shanghai 虚账实记, Guangdong 视同缴费账户), yuan.
        notional_account: Decimal => notional_account = Some;
        /// Future spells (the segments file's rows for this key).
        segments: Vec<Segment> => segments;
        /// Facts about the person that provincial rules depend on.
        person: crate::params::Person => person;
    }

    /// Future employee/flexible contribution index (given, as a written cell is).
    pub fn index(mut self, v: Decimal) -> Self {
        self.s.index = v;
        self.s.index_given = true;
        self
    }

    /// Household-registration province (C25; default: the region's province).
    pub fn hukou(mut self, v: RegionId) -> Self {
        self.hukou = Some(v);
        self
    }

    /// Month the known record refers to (default: `start`, else the run's month).
    pub fn as_of(mut self, v: Month) -> Self {
        self.as_of = Some(v);
        self
    }

    /// The scenario, with `hukou` and `as_of` defaulted from the run's context.
    pub fn build(self, ctx: &Context) -> Scenario {
        let mut s = self.s;
        s.hukou = self.hukou.unwrap_or_else(|| ctx.params.region(s.region).province);
        s.as_of = self.as_of.or(s.start).unwrap_or(ctx.assumptions.as_of);
        s
    }
}

fn label_string(v: &str) -> String {
    v.to_string()
}
