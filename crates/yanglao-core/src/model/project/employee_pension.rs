//! An employee or flexible row (C4–C18, C25): the statutory and chosen retirement, the
//! eligibility and its shortfall policy, the claim province, the average index and the
//! pension formulas (basic, account, transitional, allowance, provincial rules).

use super::*;

pub(super) fn employee_row(s: &Scenario, env: &mut Env) -> Result<Outcome, RowError> {
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

/// True when the pension starts earlier than flexible retirement allows, which only
/// `special` (特殊工种) permits (C6): an arduous-work early retirement.
fn special_early(s: &Scenario, nat: &crate::params::National, stat: &RetirementInfo, retire: Month) -> bool {
    if !s.special {
        return false;
    }
    let Ok(cat) = effective_category(s) else { return false };
    retire < flexible_earliest(s, nat, cat, stat)
}

/// The earliest month flexible retirement allows (C6): max(original age, statutory − the
/// window), 人社部发〔2024〕94号.
fn flexible_earliest(s: &Scenario, nat: &crate::params::National, cat: Category, stat: &RetirementInfo) -> Month {
    let g = nat.groups[cat.group_index()];
    s.birth.plus(g.original_age * 12).max(stat.month.plus(-nat.flexible_window))
}

/// Chosen retirement (C6): from max(original age, statutory − 36 months) to statutory + 36
/// months; `special` also from 55 (men) / 45 (women). Source: 人社部发〔2024〕94号
/// (弹性退休); 特殊工种 rules unaffected by the 2025 reform.
pub(super) fn check_chosen(
    s: &Scenario,
    nat: &crate::params::National,
    cat: Category,
    stat: &RetirementInfo,
    c: Month,
) -> Result<(), RowError> {
    let g = nat.groups[cat.group_index()];
    let window = nat.flexible_window;
    let lo = flexible_earliest(s, nat, cat, stat);
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

pub(super) fn ineligible(
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
pub(super) type ClaimIndex<'a> = &'a dyn Fn(&Part) -> Option<Decimal>;

/// C13 average index; with a claim province, months contributed elsewhere are recomputed
/// as base ÷ W of the claim province, neither rounded nor clamped (C25, C26).
pub(super) fn average_index(env: &Env, s: &Scenario, emp: &EmpAccrual, claim_w: Option<ClaimIndex>) -> Option<Decimal> {
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
pub(super) fn index_months(emp: &EmpAccrual, claim_w: Option<ClaimIndex>) -> Decimal {
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
pub(super) fn claim_province(env: &Env, s: &Scenario, emp: &EmpAccrual) -> RegionId {
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
    // C25: the years a claim province must hold (国办发〔2009〕66号 第五条).
    let ten = params.national.claim_min_years;
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
pub(super) fn employee_pension(
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
        let spells = resident_spells(s, retire, &env.params().national);
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
    // A region's divisor for arduous-work early retirements replaces the table (C7's
    // table is data; Gansu 170, as the province's rule note says).
    let special = rules.special_divisor.as_ref().filter(|_| special_early(s, nat, stat, retire));
    let d = match special {
        Some(sd) => {
            env.provenance = env.provenance.max(sd.provenance);
            notes.push(format!(
                "special (特殊工种) early retirement: divisor {} ({} special_divisor) in place of the table's {}",
                sd.months.normalize(),
                params.region(claim_region).key,
                d.normalize()
            ));
            sd.months
        }
        None => d,
    };
    if env.tracing() {
        let d0 = nat.divisor_of_age(age.years()).unwrap_or(d);
        let interpolated = retire >= nat.divisor_interpolate_from && age.months() != 0;
        let d1 = if interpolated { nat.divisor_of_age(age.years() + 1) } else { None };
        let special = special.map(|sd| (params.region(claim_region).key.clone(), sd.clone()));
        env.note(|| Event::Divisor { start: retire, age: age.0, d0, d1, result: d, special });
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
    // Conditions of the rules that applied to the person, for the note on unused facts.
    let mut used_facts: Vec<&crate::params::Condition> = Vec::new();
    let mut tibet_used = false;
    let base_money = money;
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
    env.note(|| Event::Basic {
        base: flat,
        index: avg,
        indexed,
        years,
        result: basic,
        form: provincial::basic_form(rules, base_money),
    });
    env.note(|| Event::Account {
        own_balance: emp.balance,
        joined: balance - emp.balance,
        balance,
        divisor: d,
        result: account,
        resident: false,
    });
    // A notional account amount enters even without pre-account years (Shanghai 虚账实记,
    // Guangdong's old method); a region without the rule only says it is not used.
    let notional = s.notional_account.filter(|_| rules.notional.is_some());
    let transitional = if pre.is_zero() && notional.is_none() {
        Decimal::ZERO
    } else {
        let rate = params.region(claim_region).transitional_rate.as_ref().and_then(|t| t.at(retire));
        let found = rate.is_some();
        let rate = rate.map(|r| env.use_value(r)).unwrap_or(Decimal::ZERO);
        let rate = provincial::transitional_rate(rules, rate, &inputs);
        // A coefficient for persons meeting a condition (Ningxia intellectuals).
        let person_rate = provincial::person_rate(rules, &s.person);
        let rate = match person_rate {
            Some(r) => {
                env.provenance = env.provenance.max(r.provenance);
                notes.push(format!("{}: transitional coefficient {}", r.label, r.rate.normalize()));
                env.note(|| Event::PersonRate {
                    label: r.label.clone(),
                    when: r.when.describe(),
                    rate: r.rate,
                    provenance: r.provenance,
                    source: r.source.clone(),
                });
                used_facts.push(&r.when);
                r.rate
            }
            None => rate,
        };
        let it = s.trans_index.unwrap_or(avg);
        let tc = match rules.transitional_base {
            crate::params::TransitionalBase::Claim => c,
            crate::params::TransitionalBase::Province => c_province,
        };
        let ti = provincial::TransInputs {
            c: tc,
            it,
            avg,
            pre,
            deemed: s.deemed_years,
            rate,
            years,
            year: retire.year(),
            notional,
        };
        let (t, detail) = provincial::transitional(rules, &ti, money);
        if let Some(p) = &rules.phase_in {
            if detail.is_some() {
                env.provenance = env.provenance.max(p.provenance);
            }
        }
        let rate = match person_rate {
            Some(r) => Used { value: rate, provenance: Some(r.provenance) },
            None if found => env.used(rate),
            None => Used { value: rate, provenance: None },
        };
        env.note(|| Event::Transitional {
            base: tc,
            index: it,
            years: pre,
            rate,
            result: t,
            deemed: s.deemed_years,
            form: provincial::transitional_form(rules, base_money, detail.as_ref()),
        });
        t
    };
    let history = !pre.is_zero() || !s.deemed_years.is_zero();
    notes.extend(provincial::notional_note(rules, s.notional_account, history, retire.year()));
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
            let region_allowance = v.unwrap_or(Decimal::ZERO);
            let mut a = region_allowance;
            // Local components of the province's rules (reported with the allowance), some
            // for persons meeting a condition or reading the components.
            let p = provincial::PersonInputs {
                person: &s.person,
                components: basic + account + transitional,
                indexation: env.indexation(),
            };
            let mut items = Vec::new();
            for e in &rules.extras {
                if e.band_years == crate::params::BandYears::Tibet && e.in_force(retire) {
                    tibet_used = true;
                }
                let Some(x) = provincial::applied(e, &inputs, &p, money) else { continue };
                if !e.when.is_always() {
                    used_facts.push(&e.when);
                }
                if let Some(n) = &x.note {
                    notes.push(n.clone());
                }
                if x.amount.is_zero() {
                    continue;
                }
                env.provenance = env.provenance.max(x.provenance);
                notes.push(format!("{} {} included in allowance", e.label, fmt2(x.amount)));
                a += x.amount;
                if env.tracing() {
                    items.push(ExtraUsed {
                        label: e.label.clone(),
                        rule: e.kind.describe(),
                        when: e.when.describe(),
                        amount: x.amount,
                        provenance: x.provenance,
                        source: e.source.clone(),
                    });
                }
            }
            if !items.is_empty() {
                env.note(|| Event::Extras { region: region_allowance, items, result: a });
            }
            a
        }
    };
    for o in rules.omitted.iter().filter(|o| !o.if_deemed || !s.deemed_years.is_zero()) {
        if !o.when.holds(&s.person) {
            continue;
        }
        if !o.when.is_always() {
            // The fact is answered by this note, not by "no rule depends on it".
            used_facts.push(&o.when);
        }
        let note = format!("{} not included: {}", o.label, o.why);
        // One note for a component named under several conditions (Sichuan's 增发).
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    // Facts the row claims that no rule here read are said, not silently dropped.
    if !s.person.is_empty() {
        let why = if s.allowance.is_some() {
            "not used: the row's allowance replaces the region's local components".to_string()
        } else {
            format!("not used: no rule of {} depends on it", params.region(claim_region).key)
        };
        notes.extend(provincial::unused_facts(&s.person, &used_facts, tibet_used, &why));
    }
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
