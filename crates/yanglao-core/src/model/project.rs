//! One scenario from record to first pension: retirement month, accrual, eligibility,
//! bridging between schemes, transfers between provinces, and the pension formulas.

use super::employee::{self, EmpAccrual, EmpSpell};
pub(crate) use super::env::Env;
use super::resident::{self, ResAccrual, ResSpell};
use super::rules::{divisor, statutory_retirement, RetirementInfo};
use super::*;
use crate::params::{mul_i128, pow10_i128, Age, National, Provenance};

pub use super::context::Context;

mod employee_pension;
mod resident_pension;

use employee_pension::*;
use resident_pension::*;

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
    // Facts of the person are read only by employee pensions (provincial rules): said when
    // a row claims them and gets another pension or none.
    if out.base.is_none() && !s.person.is_empty() {
        let why = match out.status {
            Status::Ineligible => "not used: the row has no pension",
            Status::Ok => "not used: only an employee pension reads it",
        };
        out.notes.extend(provincial::unused_facts(&s.person, &[], false, why));
    }
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
                let temporary = province != hukou
                    && cat.is_some_and(|c| g.start.since(s.birth) >= params.national.temporary_age(c.is_female()));
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
fn resident_spells(s: &Scenario, pension: Month, nat: &National) -> Vec<ResSpell> {
    let last =
        Month::december(pension.min(s.birth.plus(nat.resident_pension_months())).year() - 1).min(pension.plus(-1));
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
/// Returns the amount for the pension month and the amounts of each January after it up to
/// the last year the parameters date (each at least the year before's: a basic pension in
/// payment is not cut); the lifetime metrics raise the last one by the row's `indexation`
/// each January after that, so the amounts are computed once, here.
///
/// The published parameters date the amount up to the region's horizon H, the latest step
/// of any of the three series as loaded ([`Region::resident_dated`]). Through H's year the
/// amount is the one in force, as dated. A pension month after H's year gets the amount in
/// force at H raised by the row's `indexation` (else the assumption file's) once each
/// January from the year after H to the pension year, rounded to the fen each time, tagged
/// `projected` (issue 13, defect 3: it was frozen at today's amount).
///
/// Steps dated after H's year exist only when a reform patches the series. Each one changes
/// the projected amount by the change it makes to the dated amount at its month
/// (amount in force at the step − amount the month before), and that change is then raised
/// like the rest. So a national rise that stays below a province's floor changes nothing,
/// and a floor raised by 20 in 2027 adds 20 raised from 2027; the start of the projection
/// never moves with a patch (it moved before: a patched national step in 2027 froze
/// Shandong's 2027 amount at 228 where the baseline projected 232.56). Changes apply from
/// their month for the pension month and from the next January in the yearly path.
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
    let Some(horizon) = region.resident_dated else {
        let (at, parts) = amount(env, pension);
        let (national, floor, city) = parts;
        env.note(|| Event::ResidentBasic { national, floor, city, overridden: false, projection: None, result: at });
        return (at, Vec::new());
    };
    // Steps after the horizon's year (patched in by a reform), in month order, once each.
    let mut later: Vec<Month> = [Some(&nat.resident_minimum), province.resident_floor.as_ref(), city]
        .into_iter()
        .flatten()
        .flat_map(|s| s.steps.iter().map(|st| st.0))
        .filter(|m| m.year() > horizon.year())
        .collect();
    later.sort_unstable();
    later.dedup();
    // The change the later steps in (after, upto] make to the dated amount.
    let change = |env: &mut Env, after: Month, upto: Month| -> Decimal {
        let mut d = Decimal::ZERO;
        for &m in later.iter().filter(|&&m| after < m && m <= upto) {
            d += amount(env, m).0 - amount(env, m.plus(-1)).0;
        }
        d
    };
    let grow = Decimal::ONE + env.indexation();
    let (result, parts, projection, mut cut) = if pension.year() > horizon.year() {
        let indexation = env.indexation();
        let (dated, parts) = amount(env, horizon);
        let (mut b, mut cut) = (dated, horizon);
        for y in horizon.year() + 1..=pension.year() {
            b = money.mul(b, grow);
            let upto = if y == pension.year() { pension } else { Month::january(y) };
            b += change(env, cut, upto);
            cut = upto;
        }
        env.provenance = env.provenance.max(Provenance::Projected);
        let increases = pension.year() - horizon.year();
        let projection = BasicProjection { from: horizon, dated, indexation, increases };
        (b, parts, Some(projection), cut)
    } else {
        let (at, parts) = amount(env, pension);
        (at, parts, None, Month::december(horizon.year()))
    };
    // The January amounts after the pension year: dated through the horizon's year, then
    // raised, with the later steps' changes, through the year of the last of them.
    let last = later.last().map_or(horizon.year(), |m| m.year() + i32::from(m.month() != 1)).max(horizon.year());
    let mut steps = Vec::with_capacity((last - pension.year()).max(0) as usize);
    let mut b = result;
    for y in pension.year() + 1..=last {
        if y <= horizon.year() {
            b = amount(env, Month::january(y)).0.max(b);
        } else {
            let jan = Month::january(y);
            b = (money.mul(b, grow) + change(env, cut, jan)).max(b);
            cut = jan;
            env.provenance = env.provenance.max(Provenance::Projected);
        }
        steps.push(b);
    }
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
