//! national.toml: the divisor table, retirement ages, minimum years, shares, crediting
//! rates, national resident amounts and increases, and the rules that are single numbers
//! (C9, C21, C25) with the input defaults ([`NationalRules`]).

use super::*;

/// The rules of national.toml that are single numbers (C9, C21, C25) and the input
/// defaults and bounds, each section with its source and provenance.
pub(super) struct NationalRules {
    pub(super) resident_pension_age: i32,
    pub(super) resident_min_years: Decimal,
    pub(super) temporary_age_male: i32,
    pub(super) temporary_age_female: i32,
    pub(super) claim_min_years: Decimal,
    pub(super) index_min: Decimal,
    pub(super) index_max: Decimal,
    pub(super) default_region: String,
    pub(super) rate_min: Decimal,
    pub(super) rate_max: Decimal,
}

impl NationalRules {
    pub(super) fn parse(f: &Ctx, doc: &toml::Table) -> Result<NationalRules, ParamError> {
        let section = |name: &str| -> Result<&toml::Table, ParamError> {
            let t = f.table(doc, name)?;
            f.provenance(t, name, None)?;
            Ok(t)
        };
        let dec = |t: &toml::Table, sec: &str, key: &str, lo: Decimal, hi: Decimal| {
            let k = format!("{sec}.{key}");
            f.decimal(t.get(key).unwrap_or(&Value::Boolean(false)), &k, None).and_then(|d| f.range(d, lo, hi, &k, None))
        };
        let age = |t: &toml::Table, sec: &str, key: &str| -> Result<i32, ParamError> {
            let a = f.int(t, key, sec)?;
            if !(1..=120).contains(&a) {
                return Err(f.invalid(&format!("{sec}.{key}"), None, format!("{a}; allowed whole years 1 to 120")));
            }
            Ok(a as i32)
        };
        let years_hi = Decimal::from(80);
        let r = section("resident_pension")?;
        let t = section("temporary_account")?;
        let c = section("claim_province")?;
        let i = section("contribution_index")?;
        let d = section("defaults")?;
        let (index_min, index_max) = (
            dec(i, "contribution_index", "min", Decimal::new(1, 2), Decimal::from(10))?,
            dec(i, "contribution_index", "max", Decimal::new(1, 2), Decimal::from(10))?,
        );
        let (rate_min, rate_max) = (
            dec(d, "defaults", "rate_min", -Decimal::ONE, Decimal::ONE)?,
            dec(d, "defaults", "rate_max", -Decimal::ONE, Decimal::from(10))?,
        );
        if index_min >= index_max || rate_min >= rate_max {
            let key = if index_min >= index_max { "contribution_index" } else { "defaults.rate_min" };
            return Err(f.invalid(key, None, "the lower bound must be below the upper one"));
        }
        Ok(NationalRules {
            resident_pension_age: age(r, "resident_pension", "age")?,
            resident_min_years: dec(r, "resident_pension", "min_years", Decimal::ZERO, years_hi)?,
            temporary_age_male: age(t, "temporary_account", "male_age")?,
            temporary_age_female: age(t, "temporary_account", "female_age")?,
            claim_min_years: dec(c, "claim_province", "min_years", Decimal::ZERO, years_hi)?,
            index_min,
            index_max,
            default_region: d
                .get("region")
                .and_then(Value::as_str)
                .ok_or_else(|| f.invalid("defaults.region", None, "missing; a region key like \"shandong/weifang\""))?
                .to_string(),
            rate_min,
            rate_max,
        })
    }
}

/// The rate range of the compiled-in national.toml (`defaults.rate_min`, `rate_max`), which
/// an assumption file is checked against (an assumption file is read without the
/// parameters).
pub(super) fn builtin_rate_range() -> (Decimal, Decimal) {
    pub(super) static RANGE: std::sync::LazyLock<(Decimal, Decimal)> = std::sync::LazyLock::new(|| {
        let text = BUILTIN.iter().find(|(p, _)| *p == "national.toml").map(|(_, t)| *t).unwrap_or("");
        let doc = parse_toml("national.toml", text).expect("the shipped national.toml is valid (checked by tests)");
        let rules = NationalRules::parse(&Ctx { file: "national.toml" }, &doc)
            .expect("the shipped national.toml is valid (checked by tests)");
        (rules.rate_min, rules.rate_max)
    });
    *RANGE
}

pub(super) fn parse_national(file: &str, text: &str) -> Result<(National, Rounding, RegionFile), ParamError> {
    let doc = parse_toml(file, text)?;
    let f = Ctx { file };

    let d = f.table(&doc, "divisor")?;
    f.provenance(d, "divisor", None)?;
    let months =
        d.get("months").and_then(Value::as_array).ok_or_else(|| f.invalid("divisor.months", None, "missing array"))?;
    let divisors = months
        .iter()
        .map(|v| {
            f.decimal(v, "divisor.months", None)
                .and_then(|x| f.range(x, Decimal::ONE, Decimal::from(400), "divisor.months", None))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if divisors.windows(2).any(|w| w[1] >= w[0]) {
        return Err(f.invalid("divisor.months", None, "must decrease with age"));
    }
    let divisor_first_age = f.int(d, "first_age", "divisor")? as i32;
    let divisor_interpolate_from =
        f.month(d.get("interpolate_from").unwrap_or(&Value::Boolean(false)), "divisor.interpolate_from")?;
    let resident_divisor = f.decimal(d.get("resident").unwrap_or(&Value::Boolean(false)), "divisor.resident", None)?;

    let r = f.table(&doc, "retirement")?;
    f.provenance(r, "retirement", None)?;
    let group = |name: &str| -> Result<RetirementGroup, ParamError> {
        let g = r
            .get(name)
            .and_then(Value::as_table)
            .ok_or_else(|| f.invalid(&format!("retirement.{name}"), None, "missing table"))?;
        let p = format!("retirement.{name}");
        Ok(RetirementGroup {
            original_age: f.int(g, "original_age", &p)? as i32,
            first_affected: f
                .month(g.get("first_affected").unwrap_or(&Value::Boolean(false)), &format!("{p}.first_affected"))?,
            step: f.int(g, "step", &p)?.max(1) as i32,
            cap: f.int(g, "cap", &p)? as i32,
            special_age: f.int(g, "special_age", &p)? as i32,
        })
    };
    let groups = [group("male")?, group("female_cadre")?, group("female_worker")?];
    let flexible_window = f.int(r, "flexible_window_months", "retirement")? as i32;

    let my = f.table(&doc, "min_years")?;
    f.provenance(my, "min_years", None)?;
    let mut min_years = Vec::new();
    for it in
        my.get("values").and_then(Value::as_array).ok_or_else(|| f.invalid("min_years.values", None, "missing"))?
    {
        let t = it.as_table().ok_or_else(|| f.invalid("min_years.values", None, "each is { year, value }"))?;
        let y = f.int(t, "year", "min_years.values")? as i32;
        let v = f.decimal(t.get("value").unwrap_or(&Value::Boolean(false)), "min_years.values", Some(y.to_string()))?;
        if min_years.last().is_some_and(|(py, pv): &(i32, Decimal)| *py >= y || *pv > v) {
            return Err(f.invalid(
                "min_years.values",
                Some(y.to_string()),
                "years must increase and minimums must not fall",
            ));
        }
        min_years.push((y, v));
    }
    if min_years.is_empty() {
        return Err(f.invalid("min_years.values", None, "empty"));
    }

    let s = f.table(&doc, "shares")?;
    f.provenance(s, "shares", None)?;
    let share = |k: &str| {
        f.decimal(s.get(k).unwrap_or(&Value::Boolean(false)), &format!("shares.{k}"), None)
            .and_then(|d| f.range(d, Decimal::ZERO, Decimal::ONE, &format!("shares.{k}"), None))
    };
    let crediting_rate = f
        .year_series(&doc, "crediting_rate", Decimal::ZERO, Decimal::new(2, 1))?
        .ok_or_else(|| f.invalid("crediting_rate", None, "missing"))?;
    let resident_minimum = f
        .step_series(&doc, "resident_minimum", Decimal::ZERO, Decimal::from(100_000))?
        .ok_or_else(|| f.invalid("resident_minimum", None, "missing"))?;
    let rounding = f.rounding(&doc, Rounding::default())?;
    if let Some(t) = doc.get("rounding").and_then(Value::as_table) {
        f.provenance(t, "rounding", None)?;
    }
    let defaults = RegionFile {
        resident_tiers: f.tiers(&doc)?,
        bonus_per_year: f.step_series(&doc, "bonus_per_year", Decimal::ZERO, Decimal::from(100_000))?,
        ..RegionFile::default()
    };
    if defaults.resident_tiers.is_none() || defaults.bonus_per_year.is_none() {
        return Err(f.invalid(
            "resident_tiers",
            None,
            "national defaults for resident_tiers and bonus_per_year are required",
        ));
    }
    // C27.4: a region without its own 代缴 series uses its lowest tier in force, so a national
    // default would never apply; an old file that still has one is told so, not ignored.
    if doc.get("hardship_amount").is_some() {
        return Err(f.invalid(
            "hardship_amount",
            None,
            "a region parameter (province or city file); without one the region's lowest resident tier in force is the 代缴 amount (C27.4)",
        ));
    }
    let rules = NationalRules::parse(&f, &doc)?;
    let national = National {
        divisors,
        divisor_first_age,
        divisor_interpolate_from,
        resident_divisor,
        groups,
        flexible_window,
        min_years,
        account_share: share("account")?,
        employee_share: share("employee_own")?,
        flexible_share: share("flexible_own")?,
        crediting_rate,
        resident_minimum,
        adjustments: f.adjustments(&doc, (rules.rate_min, rules.rate_max))?,
        resident_pension_age: rules.resident_pension_age,
        resident_min_years: rules.resident_min_years,
        temporary_age_male: rules.temporary_age_male,
        temporary_age_female: rules.temporary_age_female,
        claim_min_years: rules.claim_min_years,
        index_min: rules.index_min,
        index_max: rules.index_max,
        default_region: rules.default_region,
        rate_min: rules.rate_min,
        rate_max: rules.rate_max,
        rate_allowed: format!("a fraction between {} and {} (e.g. 0.04 for 4%)", rules.rate_min, rules.rate_max),
        index_range: format!("{} to {}", rules.index_min, rules.index_max),
        index_allowed: format!(
            "{} to {} ({}%–{}% of the reference wage)",
            rules.index_min,
            rules.index_max,
            (rules.index_min * Decimal::ONE_HUNDRED).normalize(),
            (rules.index_max * Decimal::ONE_HUNDRED).normalize()
        ),
    };
    Ok((national, rounding, defaults))
}
