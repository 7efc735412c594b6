//! One scenario from record to first pension: retirement month, accrual, eligibility,
//! bridging between schemes, transfers between provinces, and the pension formulas.

use super::employee::{self, EmpAccrual, EmpSpell};
use super::resident::{self, ResAccrual, ResSpell};
use super::rules::{divisor, statutory_retirement, RetirementInfo};
use super::*;
use crate::params::{
    compare, mul_i128, pow10_i128, project_series, project_wage, Age, Assumptions, LifeTable, Params, Projector,
    Provenance, Rounding, Sourced, PROJECT_FROM, PROJECT_TO,
};

/// What every row shares: parameters, assumptions and the pre-projected series.
#[derive(Debug, Clone)]
pub struct Context {
    /// Parameters.
    pub params: Params,
    /// Run-wide assumptions.
    pub assumptions: Assumptions,
    /// W, C and crediting rates projected with the run's assumptions.
    pub projector: Projector,
    /// Record yearly traces (for `--paths`).
    pub trace: bool,
    /// Life table for the lifetime metrics.
    pub life: LifeTable,
}

impl Context {
    /// Builds the shared context.
    pub fn new(params: Params, assumptions: Assumptions) -> Context {
        let projector = Projector::new(&params, assumptions.wage_growth, assumptions.account_rate);
        Context { params, assumptions, projector, trace: false, life: LifeTable::builtin() }
    }
}

/// Per-row view of the rates: the shared projections, or the row's own when it overrides
/// `wage_growth` or `avg_wage`; collects the weakest provenance used.
pub(crate) struct Env<'a> {
    ctx: &'a Context,
    row: &'a Scenario,
    growth: Decimal,
    account_rate: Decimal,
    custom: bool,
    wages: Vec<(RegionId, Table)>,
    bases: Vec<(RegionId, Table)>,
    pub rounding: Rounding,
    pub account_share: Decimal,
    pub employee_share: Decimal,
    pub flexible_share: Decimal,
    pub provenance: Provenance,
    /// The last tier lookup: (table address, tier's bits, hardship) → (tier, subsidy).
    last_tier: Option<TierKey>,
    /// Provenance of the last parameter value used (for the trace).
    pub last: Provenance,
    /// The step-by-step record, when one is asked for (`yanglao explain`).
    tracer: Option<&'a mut Trace>,
}

/// A remembered tier lookup of [`Env::tier_and_subsidy`].
/// The tier is keyed by its representation (`Decimal::serialize`): comparing 16 bytes is
/// cheaper than comparing decimal values, and a tier written at another scale only misses
/// the cache.
type TierKey = ((usize, Option<[u8; 16]>, bool), (Decimal, Decimal));

impl<'a> Env<'a> {
    pub(crate) fn new(row: &'a Scenario, ctx: &'a Context) -> Env<'a> {
        let nat = &ctx.params.national;
        Env {
            ctx,
            row,
            growth: row.wage_growth.unwrap_or(ctx.assumptions.wage_growth),
            account_rate: row.account_rate.unwrap_or(ctx.assumptions.account_rate),
            custom: row.wage_growth.is_some() || row.avg_wage.is_some(),
            wages: Vec::new(),
            bases: Vec::new(),
            rounding: ctx.params.region(row.region).rounding,
            account_share: nat.account_share,
            employee_share: nat.employee_share,
            flexible_share: nat.flexible_share,
            provenance: Provenance::Official,
            last_tier: None,
            last: Provenance::Official,
            tracer: None,
        }
    }

    /// Appends the event `f` makes to the trace, when there is one (nothing is built
    /// otherwise).
    #[inline]
    pub(crate) fn note(&mut self, f: impl FnOnce() -> Event) {
        if let Some(t) = self.tracer.as_deref_mut() {
            t.events.push(f());
        }
    }

    /// Whether a trace is being recorded.
    #[inline]
    pub(crate) fn tracing(&self) -> bool {
        self.tracer.is_some()
    }

    /// `v` with the provenance of the last parameter used.
    pub(crate) fn used(&self, v: Decimal) -> Used {
        Used { value: v, provenance: Some(self.last) }
    }

    /// Yearly increase of pensions after the last dated rule: the row's, else the run's.
    pub fn indexation(&self) -> Decimal {
        self.row.indexation.unwrap_or(self.ctx.assumptions.indexation)
    }

    /// Whether yearly traces are recorded.
    pub fn trace(&self) -> bool {
        self.ctx.trace
    }

    fn params(&self) -> &'a Params {
        &self.ctx.params
    }

    fn use_value(&mut self, v: Sourced<Decimal>) -> Decimal {
        self.provenance = self.provenance.max(v.provenance);
        self.last = v.provenance;
        v.value
    }

    /// W(y) of a region (C8); `needed_by` names the month that needs it, for the error.
    #[inline]
    pub fn wage(&mut self, region: RegionId, year: i32, needed_by: Month) -> Result<Decimal, RowError> {
        if !self.custom {
            if let Some(v) = self.ctx.projector.wage(region, year) {
                return Ok(self.use_value(v));
            }
        }
        self.wage_slow(region, year, needed_by)
    }

    /// [`Env::wage`] for rows with their own wage growth or W, and the error.
    #[cold]
    #[inline(never)]
    fn wage_slow(&mut self, region: RegionId, year: i32, needed_by: Month) -> Result<Decimal, RowError> {
        let v = if self.custom {
            let params = self.params();
            let row_province = params.region(self.row.region).province;
            let (growth, row) = (self.growth, self.row);
            let table = cached(&mut self.wages, region, || {
                let reg = params.region(region);
                let anchor =
                    if reg.province == row_province { row.avg_wage.map(|w| (row.as_of.year(), w)) } else { None };
                project_wage(reg.avg_wage.as_ref(), PROJECT_FROM, PROJECT_TO, growth, anchor)
            });
            at_year(table, year)
        } else {
            self.ctx.projector.wage(region, year)
        };
        match v {
            Some(v) => Ok(self.use_value(v)),
            None => {
                let reg = self.params().region(region);
                let span = reg
                    .avg_wage
                    .as_ref()
                    .map(|s| format!("its avg_wage series covers {}–{}", s.first, s.last()))
                    .unwrap_or_else(|| "it has no avg_wage series".to_string());
                Err(RowError::new(
                    "as_of",
                    needed_by.to_string(),
                    format!("no reference wage W({year}) for region {}: {span}", reg.key),
                    "contribution months whose year has a W (the year after the first avg_wage year onward), or an avg_wage column",
                ))
            }
        }
    }

    /// C(y) of a region (C14).
    pub fn base(&mut self, region: RegionId, year: i32) -> Result<Decimal, RowError> {
        let v = if self.row.wage_growth.is_some() {
            let (params, growth) = (self.params(), self.growth);
            let table = cached(&mut self.bases, region, || {
                project_series(params.region(region).pension_base.as_ref(), PROJECT_FROM, PROJECT_TO, growth)
            });
            at_year(table, year)
        } else {
            self.ctx.projector.base(region, year)
        };
        match v {
            Some(v) => Ok(self.use_value(v)),
            None => {
                let reg = self.params().region(region);
                Err(RowError::new(
                    "base_at_retirement",
                    "",
                    format!("no pension base C({year}) for region {}", reg.key),
                    "a region with a pension_base series covering the retirement year, or a base_at_retirement value",
                ))
            }
        }
    }

    /// Employee crediting rate of a year (C11).
    #[inline]
    pub fn rate(&mut self, year: i32) -> Decimal {
        let v = match self.ctx.params.national.crediting_rate.get(year) {
            Some(v) => v,
            None if self.row.account_rate.is_some() => {
                Sourced { value: self.account_rate, provenance: Provenance::Projected }
            }
            None => self.ctx.projector.rate(year),
        };
        self.use_value(v)
    }

    /// Resident crediting rate of a year (C19): the region's, else `account_rate`.
    pub fn resident_rate(&mut self, year: i32) -> Decimal {
        let reg = self.params().region(self.row.region);
        let v = reg
            .resident_account_rate
            .as_ref()
            .and_then(|s| s.get(year))
            .unwrap_or(Sourced { value: self.account_rate, provenance: Provenance::Projected });
        self.use_value(v)
    }

    /// Tier and subsidy of a spell in a year (C20); an unknown tier lists the allowed ones.
    pub fn tier_and_subsidy(
        &mut self,
        sp: &ResSpell,
        at: Month,
        hardship: bool,
    ) -> Result<(Decimal, Decimal), RowError> {
        let reg = self.params().region(sp.region);
        let Some(table) = reg.tiers_at(at) else {
            return Err(RowError::new(
                "tier",
                "",
                format!("no resident tier table for {} in {at}", reg.key),
                "a region with resident_tiers",
            ));
        };
        // Consecutive years usually find the same table and tier: reuse the last answer
        // (its provenance is already counted).
        let key = (table as *const crate::params::TierTable as usize, sp.tier.map(|t| t.serialize()), hardship);
        if let Some((k, v)) = self.last_tier {
            if k == key {
                return Ok(v);
            }
        }
        let allowed = || table.tiers.iter().map(|t| t.tier.to_string()).collect::<Vec<_>>().join(", ");
        let found = match sp.tier {
            Some(t) => table.tiers.iter().find(|x| compare(x.tier, t).is_eq()).copied().ok_or_else(|| {
                RowError::new(
                    "tier",
                    t.to_string(),
                    format!("not a resident tier of {} in {}", reg.key, at.year()),
                    allowed(),
                )
            })?,
            None if hardship => table.tiers[0],
            None => {
                return Err(RowError::new(
                    "tier",
                    "",
                    "required for a resident with future contribution years",
                    allowed(),
                ))
            }
        };
        let provenance = table.provenance;
        self.provenance = self.provenance.max(provenance);
        let subsidy = self.row.subsidy.unwrap_or(found.subsidy);
        self.last_tier = Some((key, (found.tier, subsidy)));
        Ok((found.tier, subsidy))
    }

    /// Provenance of a region's tier table at a month (for the trace).
    pub(crate) fn params_tiers(&self, region: RegionId, at: Month) -> Option<Provenance> {
        self.params().region(region).tiers_at(at).map(|t| t.provenance)
    }

    /// 代缴 amount of a region at a month (C19, C27.4): the region's dated 代缴 series (a
    /// city inherits its province's), else the region's lowest resident tier in force, with
    /// provenance `assumed`; 0 only where the region has neither.
    pub fn hardship_amount(&mut self, region: RegionId, at: Month) -> Decimal {
        let reg = self.params().region(region);
        if let Some(v) = reg.hardship_amount.as_ref().and_then(|s| s.at(at)) {
            return self.use_value(v);
        }
        match reg.tiers_at(at).and_then(|t| t.tiers.iter().map(|t| t.tier).min()) {
            Some(lowest) => self.use_value(Sourced { value: lowest, provenance: Provenance::Assumed }),
            None => Decimal::ZERO,
        }
    }
}

/// A row's own projected table for a region, made on first use.
type Table = Vec<Option<Sourced<Decimal>>>;

fn cached(tables: &mut Vec<(RegionId, Table)>, region: RegionId, make: impl FnOnce() -> Table) -> &Table {
    let i = match tables.iter().position(|(r, _)| *r == region) {
        Some(i) => i,
        None => {
            tables.push((region, make()));
            tables.len() - 1
        }
    };
    &tables[i].1
}

fn at_year(table: &Table, year: i32) -> Option<Sourced<Decimal>> {
    usize::try_from(year - PROJECT_FROM).ok().and_then(|k| table.get(k).copied().flatten())
}

/// Projects one scenario (C1–C27).
pub fn project(s: &Scenario, ctx: &Context) -> Result<Outcome, RowError> {
    project_with(s, ctx, None)
}

/// [`project`] recording every step into `trace` (for `yanglao explain`): the same code,
/// the same numbers.
pub fn project_traced(s: &Scenario, ctx: &Context, trace: &mut Trace) -> Result<Outcome, RowError> {
    project_with(s, ctx, Some(trace))
}

fn project_with(s: &Scenario, ctx: &Context, tracer: Option<&mut Trace>) -> Result<Outcome, RowError> {
    let mut env = Env::new(s, ctx);
    env.tracer = tracer;
    check_segments(s)?;
    let mut out = match s.scheme {
        Scheme::Employee | Scheme::Flexible => employee_row(s, &mut env),
        Scheme::Resident => resident_row(s, &mut env),
    }?;
    // Notes from reading the row and its segments (C27.8, C27.11) come first.
    let mut read: Vec<String> = s.notes.clone();
    for n in s.segments.iter().filter_map(|g| g.note.as_ref()) {
        if !read.contains(n) {
            read.push(n.clone());
        }
    }
    if !read.is_empty() {
        read.append(&mut out.notes);
        out.notes = read;
    }
    Ok(out)
}

/// Defect note (issue 13): future employee months at the default index 1.0 while the row
/// gives the known record's `avg_index` — the default stays, but it is said.
fn default_index_note(s: &Scenario, emp: &EmpAccrual) -> Option<String> {
    if s.index_given || emp.months == 0 {
        return None;
    }
    let avg = s.avg_index?;
    let defaulted = if s.segments.is_empty() {
        true
    } else {
        s.segments.iter().any(|g| g.scheme != Scheme::Resident && !g.index_given)
    };
    let uses = emp.parts.iter().any(|p| p.index == s.index);
    (defaulted && uses).then(|| {
        format!(
            "contribution_index is empty: future months use the default 1.0 while the known record's avg_index is {}",
            avg.normalize()
        )
    })
}

/// Overlapping spells in one scheme (employee and flexible count as one) are a row error (C26).
fn check_segments(s: &Scenario) -> Result<(), RowError> {
    if s.segments.len() < 2 {
        return Ok(());
    }
    let mut segs: Vec<&Segment> = s.segments.iter().collect();
    segs.sort_by_key(|g| (g.scheme == Scheme::Resident, g.start));
    for w in segs.windows(2) {
        let same = (w[0].scheme == Scheme::Resident) == (w[1].scheme == Scheme::Resident);
        if same && w[1].start <= w[0].end {
            return Err(RowError::new(
                "segments",
                format!("{}..{}", w[1].start, w[1].end),
                format!(
                    "segment on line {} overlaps the {} segment on line {} ({}..{})",
                    w[1].line,
                    w[0].scheme.as_str(),
                    w[0].line,
                    w[0].start,
                    w[0].end
                ),
                "spells of one scheme that do not overlap (employee and flexible count as one scheme)",
            ));
        }
    }
    Ok(())
}

/// The retirement group for the retirement age: flexible women use `female_cadre` (C26).
fn effective_category(s: &Scenario) -> Result<Category, RowError> {
    let c = s.category.ok_or_else(|| {
        RowError::new(
            "category",
            "",
            "required for employee or flexible rows and for residents with an employee record",
            "male, female_cadre, female_worker",
        )
    })?;
    Ok(if s.scheme == Scheme::Flexible && c == Category::FemaleWorker { Category::FemaleCadre } else { c })
}

fn known_years(s: &Scenario) -> Decimal {
    s.paid_years + s.deemed_years
}

fn years_of(env: &Env, s: &Scenario, months: i32) -> Decimal {
    env.rounding.years.div(known_years(s) * Decimal::from(12) + Decimal::from(months), Decimal::from(12))
}

/// Age at which a segment starting in a non-hukou province is a temporary account (C25):
/// men 50, women 40 (国办发〔2009〕66号 第六条).
fn temporary_age(c: Category) -> i32 {
    if c.is_female() {
        40 * 12
    } else {
        50 * 12
    }
}

/// Employee/flexible spells inside `as_of ..= end`, from the segments or the row itself.
fn employee_spells(s: &Scenario, env: &Env, cat: Option<Category>, end: Month) -> Vec<EmpSpell> {
    let params = env.params();
    let hukou = s.hukou;
    let mk = |from: Month, to: Month, index: Decimal, scheme: Scheme, region: RegionId, temporary: bool| EmpSpell {
        from: from.max(s.as_of),
        to: to.min(end),
        index,
        scheme,
        region,
        province: params.region(region).province,
        temporary,
    };
    let spells: Vec<EmpSpell> = if s.segments.is_empty() {
        if s.scheme == Scheme::Resident {
            Vec::new()
        } else {
            vec![mk(s.start.unwrap_or(s.as_of), s.stop.unwrap_or(end), s.index, s.scheme, s.region, false)]
        }
    } else {
        let mut v: Vec<EmpSpell> = s
            .segments
            .iter()
            .filter(|g| g.scheme != Scheme::Resident)
            .map(|g| {
                let province = params.region(g.region).province;
                let temporary = province != hukou && cat.is_some_and(|c| g.start.since(s.birth) >= temporary_age(c));
                mk(g.start, g.end, g.index, g.scheme, g.region, temporary)
            })
            .collect();
        v.sort_by_key(|sp| sp.from);
        v
    };
    spells.into_iter().filter(|sp| sp.from <= sp.to).collect()
}

/// Resident spells from the segments or the row itself, clipped to the projection window
/// `as_of ..= pension − 1` (C27.6, the same for row columns and segments) and ending before
/// the calendar year of the pension and before the calendar year of age 60 (C27.1: the
/// scheme covers ages 16–59, 国发〔2014〕8号, also when a bridged pension starts later).
fn resident_spells(s: &Scenario, pension: Month) -> Vec<ResSpell> {
    let last = Month::december(pension.min(s.birth.plus(720)).year() - 1).min(pension.plus(-1));
    let spells: Vec<ResSpell> = if s.segments.is_empty() {
        if s.scheme == Scheme::Resident {
            vec![ResSpell {
                from: s.start.unwrap_or(s.as_of),
                to: s.stop.unwrap_or(last),
                tier: s.tier,
                region: s.region,
            }]
        } else {
            Vec::new()
        }
    } else {
        s.segments
            .iter()
            .filter(|g| g.scheme == Scheme::Resident)
            .map(|g| ResSpell { from: g.start, to: g.end, tier: g.tier, region: g.region })
            .collect()
    };
    spells
        .into_iter()
        .map(|mut sp| {
            sp.from = sp.from.max(s.as_of);
            sp.to = sp.to.min(last);
            sp
        })
        .filter(|sp| sp.from <= sp.to)
        .collect()
}

fn has_resident_record(s: &Scenario) -> bool {
    !s.resident_years.is_zero()
        || !s.resident_balance.is_zero()
        || (s.segments.is_empty() && s.scheme == Scheme::Resident)
        || s.segments.iter().any(|g| g.scheme == Scheme::Resident)
}

fn has_employee_record(s: &Scenario) -> bool {
    !known_years(s).is_zero() || !s.balance.is_zero() || s.segments.iter().any(|g| g.scheme != Scheme::Resident)
}

fn as_of_check(s: &Scenario, pension: Month) -> Result<(), RowError> {
    if s.as_of > pension {
        return Err(RowError::new(
            "as_of",
            s.as_of.to_string(),
            format!("after the pension month {pension}"),
            format!("a month up to {pension}"),
        ));
    }
    Ok(())
}

fn employee_row(s: &Scenario, env: &mut Env) -> Result<Outcome, RowError> {
    let nat = &env.params().national;
    let cat = effective_category(s)?;
    let stat = statutory_retirement(nat, s.birth, cat);
    let min = stat.min_years;
    let retire = s.retire.unwrap_or(stat.month);
    note_statutory(env, s, cat, &stat);
    if let Some(c) = s.retire {
        check_chosen(s, nat, cat, &stat, c)?;
    }
    env.note(|| Event::Retirement { chosen: s.retire, statutory: stat.month, used: retire });

    let spells = employee_spells(s, env, Some(cat), retire.plus(-1));
    let emp = employee::accrue(env, s.balance, s.as_of, retire.plus(-1), &spells)?;
    let n = years_of(env, s, emp.months);
    // C6, C27.9: `special` only lowers the earliest allowed month; at or after the statutory
    // month short years follow C18 like any row.
    let early = retire < stat.month;
    if early && n < min {
        return Err(RowError::new(
            "retire",
            retire.to_string(),
            format!(
                "retirement before the statutory month {} needs the minimum {min} years, but the record reaches {}",
                stat.month,
                fmt2(n)
            ),
            format!("{} or later, or a record with at least {min} years", stat.month),
        ));
    }
    // The `as_of` check uses the actual pension month, known only once the shortfall rule
    // is applied (C27.5).
    if n >= min {
        as_of_check(s, retire)?;
        return employee_pension(s, env, &stat, retire, emp, None);
    }
    env.note(|| Event::Years { known: known_years(s), months: emp.months, years: n });
    match s.shortfall {
        Shortfall::None => {
            as_of_check(s, retire)?;
            env.note(|| Event::Ineligible { years: n, min_years: min });
            Ok(ineligible(s, env, retire, n, min, &emp, None))
        }
        Shortfall::Resident => {
            env.note(|| Event::Bridging { employee_years: n, min_years: min, to_employee: false });
            bridge_to_resident(s, env, Some(Bridged { emp, years: n, spells }), retire)
        }
        Shortfall::Extend => {
            // C18/C26: continue at the row's index, in the province and scheme of the last
            // contribution month, from the (statutory or later chosen) pension month, or from
            // `as_of` when the known record already reaches past it (C27.5).
            let from = retire.max(s.as_of);
            let x = employee::months_to_reach(env, known_years(s), emp.months, min);
            let new_retire = from.plus(x);
            let age = new_retire.since(s.birth);
            if age > nat.divisor_last_age() * 12 {
                env.note(|| Event::Ineligible { years: n, min_years: min });
                let mut out = ineligible(s, env, retire, n, min, &emp, None);
                out.notes.push(format!(
                    "extension to the minimum {min} years would last {x} months, past age {} where the divisor table ends",
                    nat.divisor_last_age()
                ));
                return Ok(out);
            }
            // C27.3: extension months keep the temporary-account status (C25) of the last
            // contribution month.
            let (scheme, region, temporary) = match emp.last_part() {
                Some(p) => (p.scheme, p.region, p.temporary),
                None => (if s.scheme == Scheme::Resident { Scheme::Flexible } else { s.scheme }, s.region, false),
            };
            let mut all = spells.clone();
            all.push(EmpSpell {
                from,
                to: new_retire.plus(-1),
                index: s.index,
                scheme,
                region,
                province: env.params().region(region).province,
                temporary,
            });
            env.note(|| Event::Extension { months: x, from: retire, to: new_retire, years: n, min_years: min });
            let emp = employee::accrue(env, s.balance, s.as_of, new_retire.plus(-1), &all)?;
            let note = format!("contributions extended {x} months from {from} to reach the minimum {min} years (C18)");
            employee_pension(s, env, &stat, new_retire, emp, Some(note))
        }
    }
}

/// Chosen retirement (C6): from max(original age, statutory − 36 months) to statutory + 36
/// months; `special` also from 55 (men) / 45 (women). Source: 人社部发〔2024〕94号
/// (弹性退休); 特殊工种 rules unaffected by the 2025 reform.
fn check_chosen(
    s: &Scenario,
    nat: &crate::params::National,
    cat: Category,
    stat: &RetirementInfo,
    c: Month,
) -> Result<(), RowError> {
    let g = nat.groups[cat.group_index()];
    let window = nat.flexible_window;
    let lo = s.birth.plus(g.original_age * 12).max(stat.month.plus(-window));
    let hi = stat.month.plus(window);
    let special_lo = s.birth.plus(g.special_age * 12);
    let allowed = if s.special {
        format!("{special_lo} (special, age {}) to {hi}", g.special_age)
    } else {
        format!(
            "{lo} to {hi} (statutory {} ± {window} months, not before the original age {})",
            stat.month, g.original_age
        )
    };
    if c > hi {
        return Err(RowError::new(
            "retire",
            c.to_string(),
            format!("more than {window} months after the statutory month {}", stat.month),
            allowed,
        ));
    }
    if c < lo && !(s.special && c >= special_lo) {
        return Err(RowError::new("retire", c.to_string(), "earlier than flexible retirement allows", allowed));
    }
    Ok(())
}

fn ineligible(
    s: &Scenario,
    env: &Env,
    retire: Month,
    years: Decimal,
    min: Decimal,
    emp: &EmpAccrual,
    res: Option<&ResAccrual>,
) -> Outcome {
    let avg = average_index(env, s, emp, None);
    Outcome {
        status: Status::Ineligible,
        scheme: if s.scheme == Scheme::Resident || res.is_some() { Scheme::Resident } else { s.scheme },
        claim_region: s.region,
        retire,
        retire_age: retire.since(s.birth),
        divisor: None,
        years,
        min_years: min,
        avg_index: avg,
        base: None,
        balance: emp.balance + res.map_or(Decimal::ZERO, |r| r.balance - r.refunds),
        basic: Decimal::ZERO,
        account: Decimal::ZERO,
        transitional: Decimal::ZERO,
        resident_basic: Decimal::ZERO,
        bonus: Decimal::ZERO,
        allowance: Decimal::ZERO,
        total: Decimal::ZERO,
        own_paid: emp.own_paid + res.map_or(Decimal::ZERO, |r| r.own_paid),
        gov_paid: res.map_or(Decimal::ZERO, |r| r.gov_paid),
        refunds: res.map_or(Decimal::ZERO, |r| r.refunds),
        notes: [format!("{} contribution years are short of the minimum {min}", fmt2(years))]
            .into_iter()
            .chain(default_index_note(s, emp))
            .collect(),
        provenance: env.provenance,
        last_base: emp.last_part().map(|p| p.base),
        trace: merge_traces(&emp.trace, res.map(|r| r.trace.as_slice()).unwrap_or(&[])),
        payments: payments(Some(emp), res, retire),
        avg_wage_retirement: None,
        resident_steps: Vec::new(),
    }
}

/// Recomputes a part's month index against the claim province (None = keep it).
type ClaimIndex<'a> = &'a dyn Fn(&Part) -> Option<Decimal>;

/// C13 average index; with a claim province, months contributed elsewhere are recomputed
/// as base ÷ W of the claim province, neither rounded nor clamped (C25, C26).
fn average_index(env: &Env, s: &Scenario, emp: &EmpAccrual, claim_w: Option<ClaimIndex>) -> Option<Decimal> {
    let known = known_years(s);
    let twelve = Decimal::from(12);
    let sum = index_months(emp, claim_w);
    let denom = known * twelve + Decimal::from(emp.months);
    if denom.is_zero() {
        return None;
    }
    let num = s.avg_index.unwrap_or(Decimal::ZERO) * known * twelve + sum;
    Some(env.rounding.index.div(num, denom))
}

use super::employee::Part;

/// Σ index × months over the parts (C13), exactly: on the mantissas at a common scale when
/// every index is the part's own and they fit, else in decimals.
fn index_months(emp: &EmpAccrual, claim_w: Option<ClaimIndex>) -> Decimal {
    let decimal = || {
        let mut sum = Decimal::ZERO;
        for p in &emp.parts {
            let idx = match claim_w {
                Some(f) => f(p).unwrap_or(p.index),
                None => p.index,
            };
            sum += idx * Decimal::from(p.count);
        }
        sum
    };
    const SCALE: u32 = 8;
    // Consecutive parts of one spell share their index: months are summed per run of the
    // same index (same representation) and multiplied once.
    let mut units: i128 = 0;
    let mut run: Option<(Decimal, i64)> = None;
    let flush = |units: i128, run: Option<(Decimal, i64)>| -> Option<i128> {
        let Some((index, months)) = run else { return Some(units) };
        let m = mul_i128(index.mantissa(), pow10_i128(SCALE.checked_sub(index.scale())?)?)?;
        units.checked_add(mul_i128(m, i128::from(months))?)
    };
    for p in &emp.parts {
        if claim_w.is_some_and(|f| f(p).is_some()) {
            return decimal();
        }
        match &mut run {
            Some((index, months)) if index.serialize() == p.index.serialize() => *months += i64::from(p.count),
            _ => {
                units = match flush(units, run) {
                    Some(u) => u,
                    None => return decimal(),
                };
                run = Some((p.index, i64::from(p.count)));
            }
        }
    }
    let Some(units) = flush(units, run) else { return decimal() };
    if units.unsigned_abs() < 1 << 95 {
        Decimal::from_i128_with_scale(units, SCALE)
    } else {
        decimal()
    }
}

/// Claim province (C25, 国办发〔2009〕66号 第五条): the hukou province if the relation is
/// there; else the current province with ≥ 10 years; else the latest earlier province with
/// ≥ 10 years; else the hukou province. Temporary accounts do not count in the tests.
fn claim_province(env: &Env, s: &Scenario, emp: &EmpAccrual) -> RegionId {
    let params = env.params();
    let row_province = params.region(s.region).province;
    let current = emp.last_part().map(|p| p.province).unwrap_or(row_province);
    if current == s.hukou {
        return s.hukou;
    }
    // (province, months, last non-temporary month); the known record counts in the row's region.
    let mut tally: Vec<(RegionId, i32, Option<Month>)> = Vec::new();
    let mut add = |prov: RegionId, months: i32, last: Option<Month>| match tally.iter_mut().find(|t| t.0 == prov) {
        Some(t) => {
            t.1 += months;
            t.2 = t.2.max(last);
        }
        None => tally.push((prov, months, last)),
    };
    add(row_province, 0, if known_years(s).is_zero() { None } else { Some(s.as_of.plus(-1)) });
    for p in emp.parts.iter().filter(|p| !p.temporary) {
        add(p.province, p.count, Some(p.last));
    }
    let years = |prov: RegionId, months: i32| {
        let known = if prov == row_province { known_years(s) } else { Decimal::ZERO };
        env.rounding.years.div(known * Decimal::from(12) + Decimal::from(months), Decimal::from(12))
    };
    let ten = Decimal::from(10);
    if tally.iter().any(|t| t.0 == current && years(t.0, t.1) >= ten) {
        return current;
    }
    tally
        .iter()
        .filter(|t| t.0 != current && years(t.0, t.1) >= ten)
        .max_by_key(|t| t.2)
        .map(|t| t.0)
        .unwrap_or(s.hukou)
}

/// The employee pension at `retire` (C12–C17), after merging any resident account
/// (C24, resident → employee).
fn employee_pension(
    s: &Scenario,
    env: &mut Env,
    stat: &RetirementInfo,
    retire: Month,
    emp: EmpAccrual,
    note: Option<String>,
) -> Result<Outcome, RowError> {
    let params = env.params();
    let nat = &params.national;
    let money = env.rounding.money;
    let mut notes: Vec<String> = note.into_iter().collect();
    notes.extend(default_index_note(s, &emp));

    // Resident → employee (C24): the resident balance joins; resident years do not count;
    // resident payments of months also paid as employee are refunded.
    let res = if has_resident_record(s) {
        let spells = resident_spells(s, retire);
        let months = |y: i32| emp.months_in_year(y);
        let r = resident::accrue(env, s.resident_balance, s.as_of, retire, &spells, s.hardship, &months)?;
        notes.push(format!(
            "resident account {} joins the employee account; resident years are not counted (人社部发〔2014〕17号)",
            fmt2(r.balance - r.refunds)
        ));
        if !r.refunds.is_zero() {
            notes.push(format!(
                "refund of resident payments for months also paid as employee: {} yuan",
                fmt2(r.refunds)
            ));
        }
        Some(r)
    } else {
        None
    };

    let claim_province = claim_province(env, s, &emp);
    let row_province = params.region(s.region).province;
    // The claim region is the city of the last contribution in the claim province, else the
    // row's region if it is in that province, else the province itself.
    let claim_region = match emp.parts.iter().filter(|p| p.province == claim_province).max_by_key(|p| p.last) {
        Some(p) => p.region,
        None if claim_province == row_province => s.region,
        None => claim_province,
    };
    if claim_province != row_province || emp.parts.iter().any(|p| p.province != claim_province) {
        notes.push(format!("claim province {} (C25)", params.region(claim_province).key));
    }
    if let Some(t) = emp.parts.iter().find(|p| p.temporary) {
        notes.push(format!("temporary account in {} (C25)", params.region(t.province).key));
    }
    if env.tracing() {
        let mut provinces: Vec<(RegionId, i32)> = Vec::new();
        for p in &emp.parts {
            match provinces.iter_mut().find(|(r, _)| *r == p.province) {
                Some(e) => e.1 += p.count,
                None => provinces.push((p.province, p.count)),
            }
        }
        env.note(|| Event::Claim { province: claim_province, region: claim_region, provinces });
    }

    // Provincial forms of the claim region (`[employee_rules]`; national by default).
    let rules = &params.region(claim_region).employee_rules;
    let years = provincial::step_years(rules, years_of(env, s, emp.months));
    env.note(|| Event::Years { known: known_years(s), months: emp.months, years });
    // Month indices of other provinces recomputed against the claim province's W (C25).
    let mut claim_w: Vec<(i32, Decimal)> = Vec::new();
    for p in emp.parts.iter().filter(|p| p.province != claim_province) {
        if !claim_w.iter().any(|(y, _)| *y == p.year) {
            let w = env.wage(claim_region, p.year, p.last)?;
            claim_w.push((p.year, w));
        }
    }
    let recompute = |p: &Part| -> Option<Decimal> {
        if p.province == claim_province {
            return None;
        }
        claim_w.iter().find(|(y, _)| *y == p.year).map(|(_, w)| p.base / *w)
    };
    let avg = average_index(env, s, &emp, Some(&recompute)).unwrap_or(Decimal::ZERO);
    if env.tracing() {
        let index_months = index_months(&emp, Some(&recompute));
        env.note(|| Event::AverageIndex {
            known: known_years(s),
            known_index: s.avg_index,
            index_months,
            months: emp.months,
            result: avg,
        });
    }

    let c = match s.base_at_retirement {
        Some(c) => c,
        None => env.base(claim_region, retire.year())?,
    };
    let used_c = if s.base_at_retirement.is_some() { Used { value: c, provenance: None } } else { env.used(c) };
    env.note(|| Event::Base { region: claim_region, year: retire.year(), value: used_c });
    let age = Age(retire.since(s.birth));
    let d = divisor(nat, retire, age, env.rounding.divisor).ok_or_else(|| {
        RowError::new(
            "retire",
            retire.to_string(),
            format!("pension age {age} is outside the divisor table"),
            format!("ages {}–{}", nat.divisor_first_age, nat.divisor_last_age()),
        )
    })?;
    if env.tracing() {
        let d0 = nat.divisor_of_age(age.years()).unwrap_or(d);
        let interpolated = retire >= nat.divisor_interpolate_from && age.months() != 0;
        let d1 = if interpolated { nat.divisor_of_age(age.years() + 1) } else { None };
        env.note(|| Event::Divisor { start: retire, age: age.0, d0, d1, result: d });
    }

    let balance = emp.balance + res.as_ref().map_or(Decimal::ZERO, |r| r.balance - r.refunds);
    let c_province = if rules.basic == crate::params::BasicForm::Standard
        && rules.transitional_base == crate::params::TransitionalBase::Claim
        && !rules.extras.iter().any(|e| matches!(e.kind, crate::params::ExtraKind::IncrementBrackets(_)))
    {
        c
    } else {
        match s.base_at_retirement {
            Some(c) => c,
            None => env.base(params.region(claim_region).province, retire.year())?,
        }
    };
    env.provenance = env.provenance.max(provincial::provenance(rules));
    let inputs = provincial::Inputs { c, c_province, avg, years, deemed: s.deemed_years, retire };
    let money = provincial::component_round(rules, money);
    // C15 basic = round((C + round(C × Ī, 2)) / 2 × N × 1%, 2), 国发〔2005〕38号, or the
    // province's form.
    let (flat, indexed, basic) = provincial::basic(rules, &inputs, money);
    // C16 account = round(balance / divisor, 2).
    let account = money.div(balance, d);
    // C17 transitional = round(round(C × Ī_t, 2) × P × rate, 2), 鲁政发〔2006〕92号 for Shandong.
    let pre = env.rounding.years.apply(s.pre_account_years);
    // The explanation shows the flat term the province's form used (the province's C in
    // Henan's form) so that its arithmetic line adds up.
    env.note(|| Event::Basic { base: flat, index: avg, indexed, years, result: basic });
    env.note(|| Event::Account {
        own_balance: emp.balance,
        joined: balance - emp.balance,
        balance,
        divisor: d,
        result: account,
        resident: false,
    });
    let transitional = if pre.is_zero() {
        Decimal::ZERO
    } else {
        let rate = params.region(claim_region).transitional_rate.as_ref().and_then(|t| t.at(retire));
        let found = rate.is_some();
        let rate = rate.map(|r| env.use_value(r)).unwrap_or(Decimal::ZERO);
        let rate = provincial::transitional_rate(rules, rate, &inputs);
        let it = s.trans_index.unwrap_or(avg);
        let tc = match rules.transitional_base {
            crate::params::TransitionalBase::Claim => c,
            crate::params::TransitionalBase::Province => c_province,
        };
        let t = provincial::transitional(rules, tc, it, pre, s.deemed_years, rate, money);
        let rate = if found { env.used(rate) } else { Used { value: rate, provenance: None } };
        env.note(|| Event::Transitional { base: tc, index: it, years: pre, rate, result: t });
        t
    };
    let allowance = match s.allowance {
        Some(a) => {
            env.note(|| Event::Allowance { value: Used { value: a, provenance: None } });
            a
        }
        None => {
            let v = params.region(claim_region).allowance.as_ref().and_then(|a| a.at(retire)).map(|v| env.use_value(v));
            if let Some(v) = v {
                let used = env.used(v);
                env.note(|| Event::Allowance { value: used });
            }
            let mut a = v.unwrap_or(Decimal::ZERO);
            // Local components of the province's rules (reported with the allowance).
            for e in &rules.extras {
                if let Some(x) = provincial::extra(e, &inputs, money) {
                    env.provenance = env.provenance.max(e.provenance);
                    notes.push(format!("{} {} included in allowance", e.label, fmt2(x)));
                    a += x;
                }
            }
            a
        }
    };
    let total = provincial::total(rules, basic + account + transitional + allowance);
    env.note(|| Event::Total { result: total });
    let avg_wage_retirement = env.wage(claim_region, retire.year() + 1, retire).ok();
    Ok(Outcome {
        status: Status::Ok,
        // C27.10: an employee/flexible row reports its own scheme, also for a career that
        // mixes the two; a resident row bridged here reports the scheme of its last month.
        scheme: if s.scheme == Scheme::Resident {
            emp.last_part().map_or(Scheme::Employee, |p| p.scheme)
        } else {
            s.scheme
        },
        claim_region,
        retire,
        retire_age: age.0,
        divisor: Some(d),
        years,
        min_years: stat.min_years,
        avg_index: Some(avg),
        base: Some(c),
        balance,
        basic,
        account,
        transitional,
        resident_basic: Decimal::ZERO,
        bonus: Decimal::ZERO,
        allowance,
        total,
        own_paid: emp.own_paid + res.as_ref().map_or(Decimal::ZERO, |r| r.own_paid),
        gov_paid: res.as_ref().map_or(Decimal::ZERO, |r| r.gov_paid),
        refunds: res.as_ref().map_or(Decimal::ZERO, |r| r.refunds),
        notes,
        provenance: env.provenance,
        last_base: emp.last_part().map(|p| p.base),
        trace: merge_traces(&emp.trace, res.as_ref().map(|r| r.trace.as_slice()).unwrap_or(&[])),
        payments: payments(Some(&emp), res.as_ref(), retire),
        avg_wage_retirement,
        resident_steps: Vec::new(),
    })
}

fn resident_row(s: &Scenario, env: &mut Env) -> Result<Outcome, RowError> {
    if let Some(r) = s.retire {
        return Err(RowError::new(
            "retire",
            r.to_string(),
            "a resident pension starts at 60; retire is for employee rows",
            "empty",
        ));
    }
    if !has_employee_record(s) {
        return bridge_to_resident(s, env, None, s.birth.plus(720));
    }
    // Bridging is decided at the employee statutory age (C24) on the years alone; the
    // `as_of` check then uses the pension month this decision gives (C27.5).
    let cat = effective_category(s)?;
    let stat = statutory_retirement(&env.params().national, s.birth, cat);
    note_statutory(env, s, cat, &stat);
    let end = stat.month.plus(-1);
    let spells = employee_spells(s, env, Some(cat), end);
    let emp = employee::accrue(env, s.balance, s.as_of, end, &spells)?;
    let n = years_of(env, s, emp.months);
    env.note(|| Event::Bridging { employee_years: n, min_years: stat.min_years, to_employee: n >= stat.min_years });
    if n >= stat.min_years {
        if s.as_of > stat.month {
            return Err(RowError::new(
                "as_of",
                s.as_of.to_string(),
                format!(
                    "after the pension month {}: employee years {} meet the minimum {}, so the pension is the employee one from the statutory month (C24, C27.5)",
                    stat.month,
                    fmt2(n),
                    stat.min_years
                ),
                format!("a month up to {}", stat.month),
            ));
        }
        employee_pension(
            s,
            env,
            &stat,
            stat.month,
            emp,
            Some(format!(
                "employee years {} meet the minimum {}: resident record joins the employee scheme (C24)",
                fmt2(n),
                stat.min_years
            )),
        )
    } else {
        bridge_to_resident(s, env, Some(Bridged { emp, years: n, spells }), stat.month)
    }
}

/// An employee record that bridges to the resident scheme (C24): its accrual to the
/// statutory (or chosen) month, its years, and its spells.
struct Bridged {
    emp: EmpAccrual,
    years: Decimal,
    spells: Vec<EmpSpell>,
}

/// A resident pension (C19–C23), after joining any employee record (C24, employee →
/// resident: the employee account joins, employee years count as resident years, the
/// pension starts at max(birth + 720, R)).
fn bridge_to_resident(
    s: &Scenario,
    env: &mut Env,
    employee: Option<Bridged>,
    retire: Month,
) -> Result<Outcome, RowError> {
    let params = env.params();
    let nat = &params.national;
    let money = env.rounding.money;
    let at_60 = s.birth.plus(720);
    let pension = if employee.is_some() { at_60.max(retire) } else { at_60 };
    as_of_check(s, pension)?;
    let mut notes = Vec::new();
    // C27.10: a resident pension is claimed in the hukou province: the row's region when it
    // lies there (its city amounts apply), else the hukou province itself.
    let claim_region = if params.region(s.region).province == s.hukou { s.region } else { s.hukou };
    if claim_region != s.region && claim_region == s.hukou {
        notes.push(format!("resident pension claimed in the hukou province {} (C27.10)", params.region(s.hukou).key));
    }

    // The employee account keeps earning employee interest until the pension month, one
    // C11 amount per calendar year over the whole window `as_of ..= pension − 1`: nothing is
    // settled at the statutory month (C27.2), and no interest is credited before `as_of`.
    let (emp, emp_years) = match employee {
        Some(Bridged { emp, years: n, spells }) => {
            let continued = if pension > retire {
                employee::accrue(env, s.balance, s.as_of, pension.plus(-1), &spells)?
            } else {
                emp
            };
            notes.push(format!(
                "employee years {} are short of the minimum: employee account {} joins the resident account and the years count as resident years (C24)",
                fmt2(n),
                fmt2(continued.balance)
            ));
            notes.extend(default_index_note(s, &continued));
            (Some(continued), n)
        }
        None => (None, Decimal::ZERO),
    };
    let spells = resident_spells(s, pension);
    let months = |y: i32| emp.as_ref().map_or(0, |e| e.months_in_year(y));
    let res = resident::accrue(env, s.resident_balance, s.as_of, pension, &spells, s.hardship, &months)?;
    if !res.refunds.is_zero() {
        notes.push(format!("refund of resident payments for months also paid as employee: {} yuan", fmt2(res.refunds)));
    }
    if s.hardship {
        let source = if params.region(s.region).hardship_amount.is_some() {
            "the region's 代缴 series"
        } else {
            "no 代缴 series: the region's lowest tier in force, assumed (C27.4)"
        };
        notes.push(format!("hardship 代缴 paid by government (amount: {source})"));
    }
    let twelve = Decimal::from(12);
    let years = env.rounding.years.div((s.resident_years + emp_years) * twelve + Decimal::from(res.twelfths), twelve);
    env.note(|| Event::ResidentYears { known: s.resident_years, employee: emp_years, twelfths: res.twelfths, years });
    let min = Decimal::from(15);
    let emp_balance = emp.as_ref().map_or(Decimal::ZERO, |e| e.balance);
    let balance = res.balance - res.refunds + emp_balance;
    let own_paid = res.own_paid + emp.as_ref().map_or(Decimal::ZERO, |e| e.own_paid);
    let trace = merge_traces(emp.as_ref().map(|e| e.trace.as_slice()).unwrap_or(&[]), &res.trace);
    let last_base = emp.as_ref().and_then(|e| e.last_part()).map(|p| p.base);
    let paid = payments(emp.as_ref(), Some(&res), pension);
    // Everything but the pension components; an ineligible row keeps the zeros.
    let mut out = Outcome {
        status: Status::Ineligible,
        scheme: Scheme::Resident,
        claim_region,
        retire: pension,
        retire_age: pension.since(s.birth),
        divisor: None,
        years,
        min_years: min,
        avg_index: None,
        base: None,
        balance,
        basic: Decimal::ZERO,
        account: Decimal::ZERO,
        transitional: Decimal::ZERO,
        resident_basic: Decimal::ZERO,
        bonus: Decimal::ZERO,
        allowance: Decimal::ZERO,
        total: Decimal::ZERO,
        own_paid,
        gov_paid: res.gov_paid,
        refunds: res.refunds,
        notes,
        provenance: env.provenance,
        last_base,
        trace,
        payments: paid,
        avg_wage_retirement: None,
        resident_steps: Vec::new(),
    };
    if years < min {
        env.note(|| Event::Ineligible { years, min_years: min });
        out.notes.push(format!("{} resident years are short of the 15 required at 60 (C21)", fmt2(years)));
        return Ok(out);
    }
    // C22 basic = national minimum + province + city amounts in force, projected past the
    // last dated step, or the override.
    let region = params.region(claim_region);
    let (resident_basic, resident_steps) = match s.resident_basic {
        Some(b) => {
            env.note(|| Event::ResidentBasic {
                national: None,
                floor: None,
                city: None,
                overridden: true,
                projection: None,
                result: b,
            });
            (b, Vec::new())
        }
        None => resident_basic_path(env, claim_region, pension),
    };
    // 长缴多得: bonus per whole year beyond 15.
    let per_year = match s.bonus_per_year {
        Some(b) => Used { value: b, provenance: None },
        None => match region.bonus_per_year.at(pension).map(|v| env.use_value(v)) {
            Some(v) => env.used(v),
            None => Used { value: Decimal::ZERO, provenance: None },
        },
    };
    let extra = (years - min).floor().max(Decimal::ZERO);
    // A province's own 长缴多得 kind replaces the per-year amount from its date, unless the
    // row gives `bonus_per_year`.
    let rule = region.resident_bonus.as_ref().filter(|b| s.bonus_per_year.is_none() && b.from <= pension);
    let bonus = match rule {
        Some(b) => {
            env.provenance = env.provenance.max(b.provenance);
            provincial::resident_bonus(&b.kind, years, resident_basic, money)
        }
        None => money.apply(per_year.value * extra),
    };
    env.note(|| Event::Bonus { per_year, extra, result: bonus });
    // C23 account = round(balance / 139, 2).
    let account = money.div(balance, nat.resident_divisor);
    env.note(|| Event::Account {
        own_balance: res.balance - res.refunds,
        joined: emp_balance,
        balance,
        divisor: nat.resident_divisor,
        result: account,
        resident: true,
    });
    out.avg_wage_retirement = env.wage(claim_region, pension.year() + 1, pension).ok();
    out.status = Status::Ok;
    out.divisor = Some(nat.resident_divisor);
    out.account = account;
    out.resident_basic = resident_basic;
    out.resident_steps = resident_steps;
    out.bonus = bonus;
    out.total = resident_basic + bonus + account;
    env.note(|| Event::Total { result: out.total });
    out.provenance = env.provenance;
    Ok(out)
}

/// Records the statutory retirement (C4, C5) in the trace.
fn note_statutory(env: &mut Env, s: &Scenario, cat: Category, stat: &RetirementInfo) {
    if env.tracing() {
        let g = env.params().national.groups[cat.group_index()];
        env.note(|| Event::Statutory {
            category: cat,
            birth: s.birth,
            original_age: g.original_age,
            first_affected: g.first_affected,
            step: g.step,
            cap: g.cap,
            delay: stat.delay,
            month: stat.month,
            min_years: stat.min_years,
        });
    }
}

/// The resident basic pension of a claim region (C22): national minimum + provincial floor
/// above it + city amount.
///
/// Returns the amount for the pension month and the dated amounts in force each January
/// after it, up to the year of the last dated step — the latest step of any of the three
/// series — (each at least the year before's: a
/// basic pension in payment is not cut). A pension month after the last dated step's year
/// gets the latest dated amount raised by the row's `indexation` (else the assumption
/// file's) once each January from the year after that step to the pension year, rounded
/// to the fen each time, tagged `projected` (issue 13, defect 3: it was frozen at today's
/// amount). The lifetime metrics take this path and raise it by the same `indexation`
/// each January after it, so the amounts are computed once, here.
fn resident_basic_path(env: &mut Env, claim_region: RegionId, pension: Month) -> (Decimal, Vec<Decimal>) {
    let params = env.params();
    let nat = &params.national;
    let region = params.region(claim_region);
    let province = params.region(region.province);
    let city = if region.province == claim_region { None } else { region.resident_city.as_ref() };
    let money = region.rounding.money;
    // The amount in force at `m`, with the parameters used (for the trace).
    type Parts = (Option<Used>, Option<Used>, Option<Used>);
    let amount = |env: &mut Env, m: Month| -> (Decimal, Parts) {
        let national = nat.resident_minimum.at(m).map(|v| env.use_value(v));
        let national_used = national.map(|v| env.used(v));
        let national = national.unwrap_or(Decimal::ZERO);
        let (floor, floor_used) = match province.resident_floor.as_ref().and_then(|f| f.at(m)) {
            Some(f) => {
                let f = env.use_value(f);
                ((f - national).max(Decimal::ZERO), Some(env.used(f)))
            }
            None => {
                env.provenance = env.provenance.max(Provenance::Assumed);
                (Decimal::ZERO, None)
            }
        };
        let local = city.and_then(|c| c.at(m)).map(|v| env.use_value(v));
        let local_used = local.map(|v| env.used(v));
        (national + floor + local.unwrap_or(Decimal::ZERO), (national_used, floor_used, local_used))
    };
    // The last dated step: the latest step of any of the three series. Values are in force
    // until the next step of their series, so through that month the amount is dated.
    let last_step = [
        nat.resident_minimum.steps.last().map(|s| s.0),
        province.resident_floor.as_ref().and_then(|f| f.steps.last()).map(|s| s.0),
        city.and_then(|c| c.steps.last()).map(|s| s.0),
    ]
    .into_iter()
    .flatten()
    .max();
    let (result, steps, parts, projection) = match last_step {
        Some(last) if pension.year() > last.year() => {
            let indexation = env.indexation();
            let grow = Decimal::ONE + indexation;
            let (dated, parts) = amount(env, last);
            let mut b = dated;
            for _ in last.year()..pension.year() {
                b = money.mul(b, grow);
            }
            env.provenance = env.provenance.max(Provenance::Projected);
            let increases = pension.year() - last.year();
            (b, Vec::new(), parts, Some(BasicProjection { from: last, dated, indexation, increases }))
        }
        Some(last) => {
            let (at, parts) = amount(env, pension);
            let mut steps = Vec::with_capacity((last.year() - pension.year()).max(0) as usize);
            let mut b = at;
            for y in pension.year() + 1..=last.year() {
                b = amount(env, Month::january(y)).0.max(b);
                steps.push(b);
            }
            (at, steps, parts, None)
        }
        None => {
            let (at, parts) = amount(env, pension);
            (at, Vec::new(), parts, None)
        }
    };
    let (national, floor, city) = parts;
    env.note(|| Event::ResidentBasic { national, floor, city, overridden: false, projection, result });
    (result, steps)
}

/// Own payments in time: employee parts month by month, resident years at the year end,
/// refunds (negative) at the pension month.
fn payments(emp: Option<&EmpAccrual>, res: Option<&ResAccrual>, pension: Month) -> Vec<Payment> {
    let mut out = Vec::with_capacity(
        emp.map_or(0, |e| e.parts.len()) + res.map_or(0, |r| r.paid.len() + usize::from(!r.refunds.is_zero())),
    );
    if let Some(e) = emp {
        out.extend(e.parts.iter().filter(|p| !p.own.is_zero()).map(|p| Payment {
            first: p.last.plus(1 - p.count),
            last: p.last,
            per_month: p.own,
        }));
    }
    if let Some(r) = res {
        out.extend(r.paid.iter().map(|(y, own)| Payment {
            first: Month::december(*y),
            last: Month::december(*y),
            per_month: *own,
        }));
        if !r.refunds.is_zero() {
            out.push(Payment { first: pension, last: pension, per_month: -r.refunds });
        }
    }
    out.sort_by_key(|p| p.first);
    out
}

/// Adds two yearly traces by year.
fn merge_traces(a: &[YearTrace], b: &[YearTrace]) -> Vec<YearTrace> {
    if b.is_empty() {
        return a.to_vec();
    }
    let mut out: Vec<YearTrace> = a.to_vec();
    for t in b {
        match out.iter_mut().find(|x| x.year == t.year) {
            Some(x) => {
                x.own_paid += t.own_paid;
                x.gov_paid += t.gov_paid;
                x.balance += t.balance;
            }
            None => out.push(*t),
        }
    }
    out.sort_by_key(|t| t.year);
    out
}

/// Money with two decimals.
pub(crate) fn fmt2(d: Decimal) -> String {
    format!("{:.2}", d)
}
