//! `yanglao params --region R [--year Y]`: the parameters in force for a region and year,
//! each with its value, the date it took effect, its provenance and its source, so that an
//! analyst sees what the model assumes before trusting a result.

use crate::params::{
    BandYears, BasicForm, BasicYears, BonusKind, EmployeeRules, Month, NotionalRule, Params, Phase, Provenance, Round,
    RoundMode, Sourced, StepSeries, TransitionalBase, TransitionalForm, YearSeries,
};
use rust_decimal::Decimal;

/// One printed parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Group (employee, resident, national).
    pub group: &'static str,
    /// Parameter name.
    pub name: String,
    /// Value as text.
    pub value: String,
    /// In force from (a year or a month), or empty.
    pub from: String,
    /// Provenance tag.
    pub provenance: String,
    /// Source as written in the parameter file.
    pub source: String,
}

/// A region that cannot be shown.
#[derive(Debug, thiserror::Error)]
#[error("unknown region '{region}'; allowed {allowed}")]
pub struct UnknownRegion {
    /// The key given.
    pub region: String,
    /// Known provinces.
    pub allowed: String,
}

/// The parameter files' text, for the `source` of each value.
pub struct Files {
    files: Vec<(String, toml::Table)>,
}

impl Files {
    /// From (relative path, text) pairs (builtin or a `--params` directory).
    pub fn new(files: impl IntoIterator<Item = (String, String)>) -> Files {
        Files { files: files.into_iter().filter_map(|(p, t)| Some((p, t.parse::<toml::Table>().ok()?))).collect() }
    }

    /// The `source` of `key` in force at `at` (city file, then province, then national).
    fn source(&self, region: &str, key: &str, at: Option<Month>) -> String {
        let mut chain = vec![format!("{region}.toml")];
        if let Some((p, _)) = region.split_once('/') {
            chain.push(format!("{p}.toml"));
        }
        chain.push("national.toml".into());
        for f in &chain {
            let Some(doc) = self.files.iter().find(|(p, _)| p == f).map(|(_, t)| t) else { continue };
            let Some(v) = doc.get(key) else { continue };
            if let Some(s) = find(v, at) {
                return s;
            }
        }
        String::new()
    }
}

fn src(t: &toml::Table) -> Option<String> {
    t.get("source").and_then(toml::Value::as_str).map(str::to_string)
}

fn entry_month(e: &toml::Table) -> Option<Month> {
    match (e.get("year").and_then(toml::Value::as_integer), e.get("from").and_then(toml::Value::as_str)) {
        (Some(y), _) => Some(Month::january(y as i32)),
        (None, Some(m)) => Month::parse(m),
        _ => None,
    }
}

/// The source of the entry in force at `at` in a `{ values = [...] }` table or an array of
/// dated tables, else the table's own.
fn find(v: &toml::Value, at: Option<Month>) -> Option<String> {
    let pick = |list: &[toml::Value], outer: Option<&toml::Table>| {
        let e = list
            .iter()
            .rev()
            .filter_map(toml::Value::as_table)
            .find(|e| at.is_none_or(|m| entry_month(e).is_none_or(|em| em <= m)))?;
        src(e).or_else(|| outer.and_then(src))
    };
    match v {
        toml::Value::Table(t) => match t.get("values").and_then(toml::Value::as_array) {
            Some(list) => pick(list, Some(t)).or_else(|| src(t)),
            None => src(t),
        },
        toml::Value::Array(list) => pick(list, None),
        _ => None,
    }
}

fn tag(p: Provenance) -> String {
    p.as_str().to_string()
}

fn step_at(s: Option<&StepSeries>, at: Month) -> Option<(Month, Sourced<Decimal>)> {
    let s = s?;
    let i = s.steps.partition_point(|(m, _)| *m <= at);
    i.checked_sub(1).map(|i| s.steps[i])
}

fn year_at(s: Option<&YearSeries>, year: i32) -> Result<Sourced<Decimal>, String> {
    let Some(s) = s else { return Err("no series".into()) };
    match s.get(year) {
        Some(v) => Ok(v),
        None if year > s.last() => {
            Err(format!("projected from {} ({}) by wage_growth (C8, C14)", s.last(), s.get(s.last()).unwrap().value))
        }
        None => Err(format!("no value before {} (give it in the row)", s.first)),
    }
}

fn round_text(r: Round) -> String {
    let mode = match r.mode {
        RoundMode::HalfAwayFromZero => "half up",
        RoundMode::Up => "up",
        RoundMode::Down => "down",
    };
    format!("{} dp, {mode}", r.places)
}

/// The region a key names: the key as written, else the spellings a scenario file may use
/// (`黑龙江/哈尔滨`, `山东省潍坊市`, `潍坊`, any case), so that `params` reads a region the
/// way `run` does; `true` when a city without parameters falls back to its province.
fn find_region(params: &Params, key: &str) -> Option<(crate::params::RegionId, bool)> {
    params.resolve_region(key).or_else(|| crate::io::lenient::region(params, key).ok())
}

/// The lines for a region in a year.
pub fn lines(
    params: &Params,
    files: &Files,
    key: &str,
    year: i32,
) -> Result<(Vec<Line>, Option<String>), UnknownRegion> {
    let (id, fallback) = find_region(params, key).ok_or_else(|| UnknownRegion {
        region: key.to_string(),
        allowed: params.region_keys().filter(|k| !k.contains('/')).collect::<Vec<_>>().join(", "),
    })?;
    let note = fallback
        .then(|| format!("{key} has no city parameters: the province {} is used (C27.8)", params.region(id).key));
    let r = params.region(id);
    let rk = r.key.as_str();
    let dec = Month::december(year);
    let mut out = Vec::new();
    let mut push = |group: &'static str, name: &str, value: String, from: String, prov: String, source: String| {
        out.push(Line { group, name: name.to_string(), value, from, provenance: prov, source })
    };
    // Employee scheme.
    match year_at(r.pension_base.as_ref(), year) {
        Ok(v) => push(
            "employee",
            "pension_base C",
            v.value.to_string(),
            year.to_string(),
            tag(v.provenance),
            files.source(rk, "pension_base", Some(Month::january(year))),
        ),
        Err(why) => push("employee", "pension_base C", String::new(), String::new(), "projected".into(), why),
    }
    match year_at(r.avg_wage.as_ref(), year - 1) {
        Ok(v) => push(
            "employee",
            "W (avg_wage of the year before)",
            v.value.to_string(),
            (year - 1).to_string(),
            tag(v.provenance),
            files.source(rk, "avg_wage", Some(Month::january(year - 1))),
        ),
        Err(why) => {
            push("employee", "W (avg_wage of the year before)", String::new(), String::new(), "projected".into(), why)
        }
    }
    if let Some((m, v)) = step_at(r.transitional_rate.as_ref(), dec) {
        push(
            "employee",
            "transitional_rate",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source(rk, "transitional_rate", Some(dec)),
        );
    }
    employee_rules(&r.employee_rules, dec, &mut push);
    if let Some((m, v)) = step_at(r.allowance.as_ref(), dec) {
        push(
            "employee",
            "allowance",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source(rk, "allowance", Some(dec)),
        );
    }
    let ro = r.rounding;
    push(
        "employee",
        "rounding",
        format!(
            "years {}; index {}; money {}; divisor {}",
            round_text(ro.years),
            round_text(ro.index),
            round_text(ro.money),
            round_text(ro.divisor)
        ),
        String::new(),
        String::new(),
        files.source(rk, "rounding", None),
    );
    if let Some(a) = r
        .adjustments
        .iter()
        .find(|a| a.year == year)
        .or_else(|| params.national.adjustments.iter().find(|a| a.year == year))
    {
        push(
            "employee",
            "yearly increase",
            format!(
                "flat {} + {} of own pension + year bands {:?} + age bands {:?}",
                a.flat,
                a.pct_own,
                a.year_bands.iter().map(|(u, p)| format!("≤{u}: {p}")).collect::<Vec<_>>(),
                a.age_bands
            ),
            year.to_string(),
            tag(a.provenance),
            files.source(rk, "adjustment", Some(Month::january(year))),
        );
    }
    // Resident scheme.
    let nat = &params.national;
    let province = params.region(r.province);
    let national_min = step_at(Some(&nat.resident_minimum), dec);
    if let Some((m, v)) = national_min {
        push(
            "resident",
            "national minimum basic pension",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source("national", "resident_minimum", Some(dec)),
        );
    }
    match step_at(province.resident_floor.as_ref(), dec) {
        Some((m, v)) => push(
            "resident",
            "provincial basic pension (incl. national)",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source(&province.key, "resident_floor", Some(dec)),
        ),
        None => push(
            "resident",
            "provincial basic pension (incl. national)",
            String::new(),
            String::new(),
            "assumed".into(),
            "none found: the national minimum only".into(),
        ),
    }
    if r.province != id {
        if let Some((m, v)) = step_at(r.resident_city.as_ref(), dec) {
            push(
                "resident",
                "city add-on",
                v.value.to_string(),
                m.to_string(),
                tag(v.provenance),
                files.source(rk, "resident_city", Some(dec)),
            );
        }
    }
    if let Some(t) = r.tiers_at(dec) {
        let list = t.tiers.iter().map(|x| format!("{}:{}", x.tier, x.subsidy)).collect::<Vec<_>>().join(" ");
        push(
            "resident",
            "tiers:subsidy (yuan/year)",
            list,
            t.from.to_string(),
            tag(t.provenance),
            files.source(rk, "resident_tiers", Some(dec)),
        );
    }
    if let Some((m, v)) = step_at(r.hardship_amount.as_ref(), dec) {
        push(
            "resident",
            "代缴 (hardship)",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source(rk, "hardship_amount", Some(dec)),
        );
    }
    if let Some((m, v)) = step_at(Some(&r.bonus_per_year), dec) {
        push(
            "resident",
            "长缴多得 per year beyond 15",
            v.value.to_string(),
            m.to_string(),
            tag(v.provenance),
            files.source(rk, "bonus_per_year", Some(dec)),
        );
    }
    if let Some(b) = r.resident_bonus.as_ref() {
        let n = |d: &Decimal| d.normalize().to_string();
        let mut value = match &b.kind {
            BonusKind::PerYear(a) => format!("per_year: {} a year beyond 15", n(a)),
            BonusKind::PercentOfBasic(p) => format!("percent_of_basic: {} of the basic pension a year beyond 15", n(p)),
            BonusKind::Graduated(bands) => format!(
                "graduated over all years: {}",
                bands.iter().map(|(u, v)| format!("up to {}: {}", n(u), n(v))).collect::<Vec<_>>().join(", ")
            ),
            BonusKind::Steps(steps) => format!(
                "steps: {}",
                steps.iter().map(|(y, a)| format!("{}+ years: {}", n(y), n(a))).collect::<Vec<_>>().join(", ")
            ),
        };
        if let Some(c) = b.cap {
            value.push_str(&format!("; at most {} of the basic pension", n(&c)));
        }
        let name = if b.from <= dec {
            "长缴多得 rule (replaces the per-year amount)"
        } else {
            "长缴多得 rule (not yet in force)"
        };
        push("resident", name, value, b.from.to_string(), tag(b.provenance), files.source(rk, "resident_bonus", None));
    }
    if let Some(t) = r.resident_age_topup.as_ref() {
        let value = t.bands.iter().map(|(a, v)| format!("{a}+: {}", v.normalize())).collect::<Vec<_>>().join(", ");
        push(
            "resident",
            "age top-ups (yearly path)",
            value,
            t.from.to_string(),
            tag(t.provenance),
            files.source(rk, "resident_age_topup", None),
        );
    }
    match r.resident_account_rate.as_ref().and_then(|s| s.get(year)) {
        Some(v) => push(
            "resident",
            "account rate",
            v.value.to_string(),
            year.to_string(),
            tag(v.provenance),
            files.source(rk, "resident_account_rate", None),
        ),
        None => push(
            "resident",
            "account rate",
            String::new(),
            String::new(),
            "projected".into(),
            "none published: the account_rate assumption".into(),
        ),
    }
    match nat.crediting_rate.get(year) {
        Some(v) => push(
            "national",
            "employee crediting rate (记账利率)",
            v.value.to_string(),
            year.to_string(),
            tag(v.provenance),
            files.source("national", "crediting_rate", Some(Month::january(year))),
        ),
        None => push(
            "national",
            "employee crediting rate (记账利率)",
            String::new(),
            String::new(),
            "projected".into(),
            "not published: the account_rate assumption".into(),
        ),
    }
    push(
        "national",
        "minimum years (statutory year)",
        nat.min_years(year).to_string(),
        year.to_string(),
        "official".into(),
        files.source("national", "min_years", None),
    );
    Ok((out, note))
}

fn employee_rules(
    e: &EmployeeRules,
    at: Month,
    push: &mut impl FnMut(&'static str, &str, String, String, String, String),
) {
    let basic = match e.basic {
        BasicForm::Standard => "(C + C × Ī) / 2",
        BasicForm::ProvincePlusCityIndexed => "(C_province + C_city × Ī) / 2",
        BasicForm::CityPlusProvinceIndexed => "(C_city + C_province × Ī) / 2",
    };
    let years = match e.basic_years {
        BasicYears::Years => "N × 1%".to_string(),
        BasicYears::WholeYearsAndMonths(r) => format!("(whole years × 1% + months × {r})"),
    };
    let base = match e.transitional_base {
        TransitionalBase::Claim => "C",
        TransitionalBase::Province => "C_province",
    };
    let trans = match e.transitional {
        TransitionalForm::Indexed => format!("{base} × Ī_t × P × rate"),
        TransitionalForm::Weighted => format!("({base} + {base} × Ī_t) / 2 × P × rate"),
        TransitionalForm::IndexFloorOne => format!("{base} × max(Ī_t, 1) × P × rate"),
        TransitionalForm::TwoPart => format!("{base} × deemed × rate + {base} × Ī_t × (P − deemed) × rate"),
        TransitionalForm::DeemedIndexOne => format!("{base} × 1.0 × P × rate"),
        TransitionalForm::PhaseIn => format!(
            "old {base} × Ī × P × rate, new {base} × Ī_t × P × rate; in the phase-in old + (new − old) × share when new > old, else old"
        ),
    };
    let mut extra = String::new();
    if let Some(s) = e.years_step {
        extra.push_str(&format!("; years up to a multiple of {s}"));
    }
    if let Some(f) = e.transitional_index_floor {
        extra.push_str(&format!("; Ī_t at least {f}"));
    }
    if let Some((y, r)) = e.transitional_rate_below {
        extra.push_str(&format!("; rate {r} when actual years ≤ {y}"));
    }
    if let Some(r) = e.component_rounding {
        extra.push_str(&format!("; components {}", round_text(r)));
    }
    if let Some(r) = e.total_rounding {
        extra.push_str(&format!("; total {}", round_text(r)));
    }
    match e.notional {
        Some(NotionalRule::Add { divisor }) => extra.push_str(&format!("; + notional_account ÷ {divisor} (虚账实记)")),
        Some(NotionalRule::OldMethod { divisor, deduct_per_year }) => extra.push_str(&format!(
            "; old method notional_account ÷ {divisor}, in the phase-in old + max(0, new − old − {deduct_per_year} × floor(N)) × share"
        )),
        None => {}
    }
    let source = if e.source.is_empty() { "国发〔2005〕38号 (C15); C17".to_string() } else { e.source.clone() };
    push(
        "employee",
        "formulas",
        format!("basic {basic} × {years}; transitional {trans}{extra}"),
        String::new(),
        tag(if e == &EmployeeRules::default() { Provenance::Official } else { e.provenance }),
        source,
    );
    if let Some(p) = &e.phase_in {
        // The share for pensions starting in the year shown (its December's year).
        let (value, from) = match p.at(at.year()) {
            Phase::Before => (format!("before the phase-in (from {}): old method", p.rates[0].0), String::new()),
            Phase::After => {
                (format!("after the phase-in (ended {}): new method", p.until.unwrap_or_default()), String::new())
            }
            Phase::Share(r) => {
                let y = p.rates.iter().rev().find(|(y, _)| *y <= at.year()).map_or(0, |x| x.0);
                (r.to_string(), y.to_string())
            }
        };
        push("employee", "transitional phase-in share", value, from, tag(p.provenance), p.source.clone());
    }
    if let Some(d) = &e.special_divisor {
        push(
            "employee",
            "divisor of a special (特殊工种) early retirement",
            d.months.to_string(),
            String::new(),
            tag(d.provenance),
            d.source.clone(),
        );
    }
    for o in &e.omitted {
        push(
            "employee",
            &format!("not included: {}", o.label),
            if o.when.is_always() { String::new() } else { format!("when {}", o.when.describe()) },
            String::new(),
            String::new(),
            o.why.clone(),
        );
    }
    for x in &e.extras {
        if !x.in_force(at) {
            continue;
        }
        let mut v = x.kind.describe();
        if x.band_years == BandYears::Tibet {
            v.push_str(" (bands on tibet_years when given, else N)");
        }
        if !x.when.is_always() {
            v.push_str(&format!(" when {}", x.when.describe()));
        }
        push(
            "employee",
            &format!("local component: {}", x.label),
            v,
            x.from.map(|m| m.to_string()).unwrap_or_default(),
            tag(x.provenance),
            x.source.clone(),
        );
    }
    for r in &e.transitional_rate_if {
        push(
            "employee",
            &format!("transitional coefficient: {}", r.label),
            format!("{} when {}", r.rate.normalize(), r.when.describe()),
            String::new(),
            tag(r.provenance),
            r.source.clone(),
        );
    }
}

/// The lines as a readable table or as CSV.
pub fn render(lines: &[Line], note: Option<&str>, header: &str, csv: bool) -> String {
    let mut out = String::new();
    if csv {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["group", "parameter", "value", "from", "provenance", "source"]);
        for l in lines {
            let _ = w.write_record([l.group, &l.name, &l.value, &l.from, &l.provenance, &l.source]);
        }
        return String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    }
    out.push_str(header);
    out.push('\n');
    if let Some(n) = note {
        out.push_str(&format!("note: {n}\n"));
    }
    let width = |f: &dyn Fn(&Line) -> usize| lines.iter().map(f).max().unwrap_or(0);
    let (wn, wv, wf, wp) = (
        width(&|l| l.name.chars().count()),
        width(&|l| l.value.chars().count()).min(48),
        width(&|l| l.from.len()),
        width(&|l| l.provenance.len()),
    );
    let mut group = "";
    for l in lines {
        if l.group != group {
            group = l.group;
            out.push_str(&format!("\n[{group}]\n"));
        }
        let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        out.push_str(&format!(
            "  {}  {}  {}  {}  {}\n",
            pad(&l.name, wn),
            pad(&l.value, wv),
            pad(&l.from, wf),
            pad(&l.provenance, wp),
            l.source
        ));
    }
    out
}

/// The `params` subcommand: loads the parameters (builtin or `dir`), prints the region's
/// parameters in force in `year` (default: the shipped assumptions' year) as a table, or
/// as CSV with `csv`.
pub fn command(dir: Option<&std::path::Path>, region: &str, year: Option<i32>, csv: bool) -> anyhow::Result<()> {
    let (params, files) = match dir {
        Some(d) => (Params::load_dir(d)?, crate::params::dir_files(d)?),
        None => (
            Params::builtin()?,
            crate::params::builtin_files().iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
        ),
    };
    let year = year.unwrap_or_else(|| crate::params::Assumptions::builtin().as_of.year());
    let files = Files::new(files);
    let (lines, note) = lines(&params, &files, region, year)?;
    let (key, name) = find_region(&params, region)
        .map(|(id, _)| (params.region(id).key.clone(), params.region(id).name.clone()))
        .unwrap_or_default();
    let header = if key == region {
        format!("{region} ({name}), parameters in force in {year} (step values at {year}-12)")
    } else {
        format!("{region} = {key} ({name}), parameters in force in {year} (step values at {year}-12)")
    };
    print!("{}", render(&lines, note.as_deref(), &header, csv));
    Ok(())
}
