//! A resident row and the bridge into the resident scheme (C19–C24, C27.10): the pension
//! month, the resident years with bridged employee years, eligibility, and the basic
//! pension, bonus and account parts in the hukou province.

use super::*;

pub(super) fn resident_row(s: &Scenario, env: &mut Env) -> Result<Outcome, RowError> {
    if let Some(r) = s.retire {
        return Err(RowError::new(
            "retire",
            r.to_string(),
            format!(
                "a resident pension starts at {}; retire is for employee rows",
                env.params().national.resident_pension_age
            ),
            "empty",
        ));
    }
    if !has_employee_record(s) {
        let at_pension_age = s.birth.plus(env.params().national.resident_pension_months());
        return bridge_to_resident(s, env, None, at_pension_age);
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
pub(super) struct Bridged {
    pub(super) emp: EmpAccrual,
    pub(super) years: Decimal,
    pub(super) spells: Vec<EmpSpell>,
}

/// A resident pension (C19–C23), after joining any employee record (C24, employee →
/// resident: the employee account joins, employee years count as resident years, the
/// pension starts at max(birth + 720, R)).
pub(super) fn bridge_to_resident(
    s: &Scenario,
    env: &mut Env,
    employee: Option<Bridged>,
    retire: Month,
) -> Result<Outcome, RowError> {
    let params = env.params();
    let nat = &params.national;
    let money = env.rounding.money;
    // C21: from the month of the pension-age birthday (60, 国发〔2014〕8号).
    let at_age = s.birth.plus(nat.resident_pension_months());
    let pension = if employee.is_some() { at_age.max(retire) } else { at_age };
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
    let spells = resident_spells(s, pension, nat);
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
    let min = nat.resident_min_years;
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
        out.notes.push(format!(
            "{} resident years are short of the {} required at {} (C21)",
            fmt2(years),
            nat.resident_min_years,
            nat.resident_pension_age
        ));
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
            provincial::resident_bonus(&b.kind, b.cap, years, nat.resident_min_years, resident_basic, money)
        }
        None => money.apply(per_year.value * extra),
    };
    env.note(|| Event::Bonus {
        per_year,
        extra,
        rule: rule.map(|b| BonusRuleUsed {
            kind: b.kind.clone(),
            cap: b.cap,
            basic: resident_basic,
            years,
            provenance: b.provenance,
        }),
        result: bonus,
    });
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
