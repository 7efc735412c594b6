//! Loading and validating parameter files. Every error names the file, the key and,
//! where there is one, the date.

use super::*;
use std::path::{Path, PathBuf};
use toml::Value;

/// A parameter or assumption file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ParamError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{file}: not valid TOML: {message}")]
    Syntax {
        /// File.
        file: String,
        /// Parser message.
        message: String,
    },
    /// A value is missing, malformed or out of range.
    #[error("{file}: {key}{}: {why}", date.as_ref().map(|d| format!(" at {d}")).unwrap_or_default())]
    Invalid {
        /// File.
        file: String,
        /// Dotted key.
        key: String,
        /// Date of the offending entry, if any.
        date: Option<String>,
        /// What is wrong and what is allowed.
        why: String,
    },
}

/// The parameter files compiled into the binary, as (relative path, text): every `*.toml`
/// under `data/params/`, listed by `build.rs`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_params.rs"));

/// The parameter files compiled into the binary, as (relative path, text): what
/// `yanglao explain` reads the `source` of each value from.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN
}

/// The `*.toml` files below `dir` as (relative path, text), as [`Params::load_dir`] reads them.
pub fn dir_files(dir: &Path) -> Result<Vec<(String, String)>, ParamError> {
    let mut files = Vec::new();
    collect_toml(dir, dir, &mut files)?;
    Ok(files)
}

/// The default assumption file compiled into the binary.
const BUILTIN_ASSUMPTIONS: &str = include_str!("../../data/assumptions.toml");

/// Run-wide assumptions (`data/assumptions.toml`, `--assumptions FILE`).
#[derive(Debug, Clone, PartialEq)]
pub struct Assumptions {
    /// Default `as_of` month.
    pub as_of: Month,
    /// Growth of W and C after their last official year (C8, C14).
    pub wage_growth: Decimal,
    /// Crediting rate where none is official (C11, C19).
    pub account_rate: Decimal,
    /// Yearly increase of pensions in payment after the last official adjustment.
    pub indexation: Decimal,
    /// Discount rate for present values.
    pub discount_rate: Decimal,
}

impl Assumptions {
    /// The shipped assumptions.
    pub fn builtin() -> Assumptions {
        Assumptions::parse("data/assumptions.toml", BUILTIN_ASSUMPTIONS)
            .expect("the shipped assumption file is valid (checked by tests)")
    }

    /// Reads an assumption file; keys it does not set keep the shipped values.
    pub fn load(path: &Path) -> Result<Assumptions, ParamError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ParamError::Read { file: file.clone(), source })?;
        Assumptions::parse(&file, &text)
    }

    fn parse(file: &str, text: &str) -> Result<Assumptions, ParamError> {
        let doc = parse_toml(file, text)?;
        let f = Ctx { file };
        let base = if file == "data/assumptions.toml" { None } else { Some(Assumptions::builtin()) };
        let get = |key: &str, lo: Decimal, hi: Decimal, fallback: Option<Decimal>| -> Result<Decimal, ParamError> {
            match doc.get(key) {
                Some(v) => {
                    let d = f.decimal(v, key, None)?;
                    f.range(d, lo, hi, key, None)
                }
                None => fallback.ok_or_else(|| f.invalid(key, None, "missing; a decimal string like \"0.04\"")),
            }
        };
        let as_of = match doc.get("as_of") {
            Some(v) => f.month(v, "as_of")?,
            None => base
                .as_ref()
                .map(|b| b.as_of)
                .ok_or_else(|| f.invalid("as_of", None, "missing; a month \"YYYY-MM\""))?,
        };
        let (lo, hi) = (Decimal::new(-5, 1), Decimal::ONE);
        Ok(Assumptions {
            as_of,
            wage_growth: get("wage_growth", lo, hi, base.as_ref().map(|b| b.wage_growth))?,
            account_rate: get("account_rate", lo, hi, base.as_ref().map(|b| b.account_rate))?,
            indexation: get("indexation", lo, hi, base.as_ref().map(|b| b.indexation))?,
            discount_rate: get("discount_rate", lo, hi, base.as_ref().map(|b| b.discount_rate))?,
        })
    }
}

fn parse_toml(file: &str, text: &str) -> Result<toml::Table, ParamError> {
    text.parse::<toml::Table>().map_err(|e| ParamError::Syntax { file: file.to_string(), message: e.to_string() })
}

/// A dated entry: effective month, whether it was given by `year`, value.
type Entry = (Month, bool, Sourced<Decimal>);

/// Error-building helpers bound to one file.
struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn invalid(&self, key: &str, date: Option<String>, why: impl Into<String>) -> ParamError {
        ParamError::Invalid { file: self.file.to_string(), key: key.to_string(), date, why: why.into() }
    }

    fn decimal(&self, v: &Value, key: &str, date: Option<String>) -> Result<Decimal, ParamError> {
        match v {
            Value::String(s) => Decimal::from_str_exact(s.trim())
                .map_err(|_| self.invalid(key, date, format!("'{s}' is not a decimal number"))),
            Value::Integer(i) => Ok(Decimal::from(*i)),
            _ => Err(self.invalid(key, date, "must be a decimal written as a string, e.g. \"7831\"")),
        }
    }

    fn range(
        &self,
        d: Decimal,
        lo: Decimal,
        hi: Decimal,
        key: &str,
        date: Option<String>,
    ) -> Result<Decimal, ParamError> {
        if d < lo || d > hi {
            return Err(self.invalid(key, date, format!("{d} is outside the allowed range {lo} to {hi}")));
        }
        Ok(d)
    }

    fn month(&self, v: &Value, key: &str) -> Result<Month, ParamError> {
        match v.as_str().and_then(Month::parse) {
            Some(m) => Ok(m),
            None => Err(self.invalid(key, None, format!("{v} is not a month \"YYYY-MM\""))),
        }
    }

    fn int(&self, t: &toml::Table, key: &str, prefix: &str) -> Result<i64, ParamError> {
        t.get(key)
            .and_then(Value::as_integer)
            .ok_or_else(|| self.invalid(&format!("{prefix}.{key}"), None, "missing or not an integer"))
    }

    fn table<'t>(&self, doc: &'t toml::Table, key: &str) -> Result<&'t toml::Table, ParamError> {
        doc.get(key).and_then(Value::as_table).ok_or_else(|| self.invalid(key, None, "missing table"))
    }

    fn provenance(&self, t: &toml::Table, key: &str, date: Option<String>) -> Result<Provenance, ParamError> {
        let p = t.get("provenance").and_then(Value::as_str).ok_or_else(|| {
            self.invalid(
                key,
                date.clone(),
                "missing `provenance` (official, provisional, reported, projected, assumed)",
            )
        })?;
        if t.get("source").and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
            return Err(self.invalid(key, date, "missing `source`"));
        }
        Provenance::parse(p).ok_or_else(|| {
            self.invalid(
                key,
                date,
                format!("provenance '{p}'; allowed official, provisional, reported, projected, assumed"),
            )
        })
    }

    /// A dated list `values = [{ year|from, value, provenance, source }]`. Entries inherit
    /// provenance and source from the enclosing table when they do not set their own.
    fn entries(&self, doc: &toml::Table, key: &str) -> Result<Option<Vec<Entry>>, ParamError> {
        let Some(t) = doc.get(key) else { return Ok(None) };
        let t = t.as_table().ok_or_else(|| self.invalid(key, None, "must be a table with `values`"))?;
        let list = t
            .get("values")
            .and_then(Value::as_array)
            .ok_or_else(|| self.invalid(key, None, "missing `values` array"))?;
        let mut out = Vec::with_capacity(list.len());
        for item in list {
            let e = item.as_table().ok_or_else(|| self.invalid(key, None, "each value must be an inline table"))?;
            let (month, yearly, date) = match (e.get("year"), e.get("from")) {
                (Some(y), None) => {
                    let y = y.as_integer().filter(|y| (MIN_YEAR as i64..=MAX_YEAR as i64).contains(y));
                    let y =
                        y.ok_or_else(|| self.invalid(key, None, "`year` must be an integer year 1900..2200"))? as i32;
                    (Month::january(y), true, y.to_string())
                }
                (None, Some(m)) => {
                    let m = self.month(m, &format!("{key}.from"))?;
                    (m, false, m.to_string())
                }
                _ => return Err(self.invalid(key, None, "each value needs exactly one of `year` or `from`")),
            };
            let value = e
                .get("value")
                .ok_or_else(|| self.invalid(key, Some(date.clone()), "missing `value`"))
                .and_then(|v| self.decimal(v, key, Some(date.clone())))?;
            let provenance = if e.contains_key("provenance") || e.contains_key("source") {
                self.provenance(e, key, Some(date.clone()))?
            } else {
                self.provenance(t, key, Some(date.clone()))?
            };
            out.push((month, yearly, Sourced { value, provenance }));
        }
        for w in out.windows(2) {
            if w[1].0 <= w[0].0 {
                return Err(self.invalid(key, Some(w[1].0.to_string()), "dates must be sorted and unique"));
            }
        }
        if out.is_empty() {
            return Err(self.invalid(key, None, "`values` is empty"));
        }
        Ok(Some(out))
    }

    fn year_series(
        &self,
        doc: &toml::Table,
        key: &str,
        lo: Decimal,
        hi: Decimal,
    ) -> Result<Option<YearSeries>, ParamError> {
        let Some(list) = self.entries(doc, key)? else { return Ok(None) };
        let first = list[0].0.year();
        let mut values = Vec::with_capacity(list.len());
        for (i, (m, yearly, v)) in list.iter().enumerate() {
            let date = Some(m.year().to_string());
            if !yearly {
                return Err(self.invalid(key, Some(m.to_string()), "a yearly series takes `year`, not `from`"));
            }
            if m.year() != first + i as i32 {
                return Err(self.invalid(key, date, format!("gap: expected year {}", first + i as i32)));
            }
            self.range(v.value, lo, hi, key, date)?;
            values.push(*v);
        }
        Ok(Some(YearSeries { first, values }))
    }

    fn step_series(
        &self,
        doc: &toml::Table,
        key: &str,
        lo: Decimal,
        hi: Decimal,
    ) -> Result<Option<StepSeries>, ParamError> {
        let Some(list) = self.entries(doc, key)? else { return Ok(None) };
        for (m, _, v) in &list {
            self.range(v.value, lo, hi, key, Some(m.to_string()))?;
        }
        Ok(Some(StepSeries { steps: list.into_iter().map(|(m, _, v)| (m, v)).collect() }))
    }

    fn tiers(&self, doc: &toml::Table) -> Result<Option<Vec<TierTable>>, ParamError> {
        let Some(v) = doc.get("resident_tiers") else { return Ok(None) };
        let list = v
            .as_array()
            .ok_or_else(|| self.invalid("resident_tiers", None, "must be an array of tables [[resident_tiers]]"))?;
        let mut out: Vec<TierTable> = Vec::new();
        for t in list {
            let t = t.as_table().ok_or_else(|| self.invalid("resident_tiers", None, "must be a table"))?;
            let from = self.month(t.get("from").unwrap_or(&Value::Boolean(false)), "resident_tiers.from")?;
            let date = Some(from.to_string());
            let provenance = self.provenance(t, "resident_tiers", date.clone())?;
            let items = t
                .get("tiers")
                .and_then(Value::as_array)
                .ok_or_else(|| self.invalid("resident_tiers.tiers", date.clone(), "missing array"))?;
            let mut tiers = Vec::new();
            for it in items {
                let it = it.as_table().ok_or_else(|| {
                    self.invalid("resident_tiers.tiers", date.clone(), "each tier is { tier, subsidy }")
                })?;
                let get = |k: &str| {
                    it.get(k)
                        .ok_or_else(|| self.invalid(&format!("resident_tiers.tiers.{k}"), date.clone(), "missing"))
                        .and_then(|v| self.decimal(v, &format!("resident_tiers.tiers.{k}"), date.clone()))
                        .and_then(|d| {
                            self.range(
                                d,
                                Decimal::ZERO,
                                Decimal::from(100_000),
                                &format!("resident_tiers.tiers.{k}"),
                                date.clone(),
                            )
                        })
                };
                tiers.push(Tier { tier: get("tier")?, subsidy: get("subsidy")? });
            }
            if tiers.is_empty() || tiers.windows(2).any(|w| w[1].tier <= w[0].tier) {
                return Err(self.invalid(
                    "resident_tiers.tiers",
                    date,
                    "tiers must be non-empty, increasing and unique",
                ));
            }
            if out.last().is_some_and(|p| p.from >= from) {
                return Err(self.invalid("resident_tiers.from", date, "tables must be sorted by `from` and unique"));
            }
            out.push(TierTable { from, provenance, tiers });
        }
        Ok(Some(out))
    }

    fn adjustments(&self, doc: &toml::Table) -> Result<Vec<Adjustment>, ParamError> {
        let Some(v) = doc.get("adjustment") else { return Ok(Vec::new()) };
        let list = v
            .as_array()
            .ok_or_else(|| self.invalid("adjustment", None, "must be an array of tables [[adjustment]]"))?;
        let mut out: Vec<Adjustment> = Vec::new();
        for t in list {
            let t = t.as_table().ok_or_else(|| self.invalid("adjustment", None, "must be a table"))?;
            let year = self.int(t, "year", "adjustment")? as i32;
            let date = Some(year.to_string());
            let provenance = self.provenance(t, "adjustment", date.clone())?;
            let dec = |k: &str, lo: Decimal, hi: Decimal| -> Result<Decimal, ParamError> {
                let key = format!("adjustment.{k}");
                match t.get(k) {
                    None => Ok(Decimal::ZERO),
                    Some(v) => {
                        self.decimal(v, &key, date.clone()).and_then(|d| self.range(d, lo, hi, &key, date.clone()))
                    }
                }
            };
            let money_hi = Decimal::from(10_000);
            let mut year_bands = Vec::new();
            for b in t.get("year_bands").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let b = b.as_table().ok_or_else(|| {
                    self.invalid("adjustment.year_bands", date.clone(), "each band is { upto, per_year }")
                })?;
                let get = |k: &str| {
                    b.get(k)
                        .ok_or_else(|| self.invalid(&format!("adjustment.year_bands.{k}"), date.clone(), "missing"))
                        .and_then(|v| self.decimal(v, &format!("adjustment.year_bands.{k}"), date.clone()))
                };
                year_bands.push((get("upto")?, get("per_year")?));
            }
            if year_bands.windows(2).any(|w| w[1].0 <= w[0].0) {
                return Err(self.invalid("adjustment.year_bands", date, "bands must have increasing `upto`"));
            }
            let mut age_bands = Vec::new();
            for b in t.get("age_bands").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let b = b.as_table().ok_or_else(|| {
                    self.invalid("adjustment.age_bands", date.clone(), "each band is { age, amount }")
                })?;
                let age = self.int(b, "age", "adjustment.age_bands")? as i32;
                let amount = b
                    .get("amount")
                    .ok_or_else(|| self.invalid("adjustment.age_bands.amount", date.clone(), "missing"))
                    .and_then(|v| self.decimal(v, "adjustment.age_bands.amount", date.clone()))?;
                age_bands.push((age, amount));
            }
            if age_bands.windows(2).any(|w| w[1].0 <= w[0].0) {
                return Err(self.invalid("adjustment.age_bands", date, "bands must have increasing `age`"));
            }
            if out.last().is_some_and(|p| p.year >= year) {
                return Err(self.invalid("adjustment.year", date, "years must be sorted and unique"));
            }
            out.push(Adjustment {
                year,
                provenance,
                flat: dec("flat", Decimal::ZERO, money_hi)?,
                pct_own: dec("pct_own", Decimal::new(-5, 1), Decimal::ONE)?,
                year_bands,
                age_bands,
                round_up_to_yuan: t.get("round_up_to_yuan").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        Ok(out)
    }

    /// `[employee_rules]`: the provincial forms (see `params::rules`); every key optional
    /// except `provenance` and `source`, unknown keys and names rejected.
    fn employee_rules(&self, doc: &toml::Table) -> Result<Option<EmployeeRules>, ParamError> {
        const KEYS: &[&str] = &[
            "provenance",
            "source",
            "basic",
            "basic_years_month_rate",
            "years_step",
            "transitional",
            "transitional_base",
            "transitional_index_floor",
            "transitional_rate_below",
            "component_rounding",
            "total_rounding",
            "extra",
        ];
        let Some(v) = doc.get("employee_rules") else { return Ok(None) };
        let key = "employee_rules";
        let t = v.as_table().ok_or_else(|| self.invalid(key, None, "must be a table"))?;
        if let Some(k) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(self.invalid(&format!("{key}.{k}"), None, format!("unknown key; allowed {}", KEYS.join(", "))));
        }
        let provenance = self.provenance(t, key, None)?;
        let source = t.get("source").and_then(Value::as_str).unwrap_or_default().to_string();
        let name = |k: &str, allowed: &[&str]| -> Result<Option<String>, ParamError> {
            match t.get(k) {
                None => Ok(None),
                Some(v) => match v.as_str() {
                    Some(s) if allowed.contains(&s) => Ok(Some(s.to_string())),
                    _ => Err(self.invalid(&format!("{key}.{k}"), None, format!("{v}; allowed {}", allowed.join(", ")))),
                },
            }
        };
        let dec = |t: &toml::Table, k: &str, prefix: &str| -> Result<Option<Decimal>, ParamError> {
            t.get(k).map(|v| self.decimal(v, &format!("{prefix}.{k}"), None)).transpose()
        };
        let need = |t: &toml::Table, k: &str, prefix: &str| -> Result<Decimal, ParamError> {
            dec(t, k, prefix)?.ok_or_else(|| self.invalid(&format!("{prefix}.{k}"), None, "missing"))
        };
        let basic = match name("basic", &["standard", "province_plus_city_indexed", "city_plus_province_indexed"])?
            .as_deref()
        {
            Some("province_plus_city_indexed") => BasicForm::ProvincePlusCityIndexed,
            Some("city_plus_province_indexed") => BasicForm::CityPlusProvinceIndexed,
            _ => BasicForm::Standard,
        };
        let transitional =
            match name("transitional", &["indexed", "weighted", "index_floor_one", "two_part", "deemed_index_one"])?
                .as_deref()
            {
                Some("weighted") => TransitionalForm::Weighted,
                Some("index_floor_one") => TransitionalForm::IndexFloorOne,
                Some("two_part") => TransitionalForm::TwoPart,
                Some("deemed_index_one") => TransitionalForm::DeemedIndexOne,
                _ => TransitionalForm::Indexed,
            };
        let transitional_base = match name("transitional_base", &["claim", "province"])?.as_deref() {
            Some("province") => TransitionalBase::Province,
            _ => TransitionalBase::Claim,
        };
        let round = |k: &str| -> Result<Option<Round>, ParamError> {
            let Some(v) = t.get(k) else { return Ok(None) };
            let mut wrap = toml::Table::new();
            let mut inner = toml::Table::new();
            inner.insert("money".into(), v.clone());
            wrap.insert("rounding".into(), Value::Table(inner));
            Ok(Some(self.rounding(&wrap, Rounding::default())?.money))
        };
        let below = match t.get("transitional_rate_below") {
            None => None,
            Some(v) => {
                let b = v.as_table().ok_or_else(|| {
                    self.invalid("employee_rules.transitional_rate_below", None, "must be { years, rate }")
                })?;
                let p = "employee_rules.transitional_rate_below";
                Some((need(b, "years", p)?, need(b, "rate", p)?))
            }
        };
        let years_step = dec(t, "years_step", key)?;
        if years_step.is_some_and(|s| s <= Decimal::ZERO) {
            return Err(self.invalid("employee_rules.years_step", None, "must be positive"));
        }
        let mut extras = Vec::new();
        for e in t.get("extra").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let p = "employee_rules.extra";
            let e = e.as_table().ok_or_else(|| self.invalid(p, None, "each is a table [[employee_rules.extra]]"))?;
            let label = e.get("label").and_then(Value::as_str).unwrap_or("extra").to_string();
            let prov = self.provenance(e, p, Some(label.clone()))?;
            let list = |k: &str| e.get(k).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            let kind = match e.get("kind").and_then(Value::as_str) {
                Some("flat") => ExtraKind::Flat(need(e, "amount", p)?),
                Some("flat_if_deemed_at_least") => {
                    ExtraKind::FlatIfDeemedAtLeast { amount: need(e, "amount", p)?, years: need(e, "years", p)? }
                }
                Some("per_whole_year") => {
                    ExtraKind::PerWholeYear { flat: need(e, "flat", p)?, per_year: need(e, "per_year", p)? }
                }
                Some("index_years") => ExtraKind::IndexYears {
                    flat: need(e, "flat", p)?,
                    per_index_year: need(e, "per_index_year", p)?,
                },
                Some("indexed_wage_pct") => ExtraKind::IndexedWagePct(
                    list("bands")
                        .iter()
                        .map(|b| {
                            let b = b.as_table().ok_or_else(|| self.invalid(p, None, "bands are { years, pct }"))?;
                            Ok((need(b, "years", p)?, need(b, "pct", p)?))
                        })
                        .collect::<Result<_, ParamError>>()?,
                ),
                Some("increment_brackets") => ExtraKind::IncrementBrackets(
                    list("brackets")
                        .iter()
                        .map(|b| {
                            let b = b
                                .as_table()
                                .ok_or_else(|| self.invalid(p, None, "brackets are { from, to, rate }"))?;
                            Ok((need(b, "from", p)?, need(b, "to", p)?, need(b, "rate", p)?))
                        })
                        .collect::<Result<_, ParamError>>()?,
                ),
                Some("by_retirement_year") => ExtraKind::ByRetirementYear(
                    list("values")
                        .iter()
                        .map(|b| {
                            let b =
                                b.as_table().ok_or_else(|| self.invalid(p, None, "values are { year, amount }"))?;
                            Ok((self.int(b, "year", p)? as i32, need(b, "amount", p)?))
                        })
                        .collect::<Result<_, ParamError>>()?,
                ),
                other => {
                    return Err(self.invalid(
                        p,
                        Some(label),
                        format!("kind {other:?}; allowed flat, flat_if_deemed_at_least, per_whole_year, index_years, indexed_wage_pct, increment_brackets, by_retirement_year"),
                    ))
                }
            };
            let month = |k: &str| e.get(k).map(|v| self.month(v, &format!("{p}.{k}"))).transpose();
            extras.push(Extra {
                label,
                kind,
                from: month("from")?,
                to: month("to")?,
                provenance: prov,
                source: e.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
            });
        }
        Ok(Some(EmployeeRules {
            provenance,
            source,
            basic,
            basic_years: match dec(t, "basic_years_month_rate", key)? {
                Some(r) => BasicYears::WholeYearsAndMonths(r),
                None => BasicYears::Years,
            },
            years_step,
            transitional,
            transitional_base,
            transitional_index_floor: dec(t, "transitional_index_floor", key)?,
            transitional_rate_below: below,
            component_rounding: round("component_rounding")?,
            total_rounding: round("total_rounding")?,
            extras,
        }))
    }

    /// `[resident_bonus]`: kind per_year | percent_of_basic | graduated | steps, `from`.
    fn resident_bonus(&self, doc: &toml::Table) -> Result<Option<ResidentBonus>, ParamError> {
        let key = "resident_bonus";
        let Some(t) = doc.get(key) else { return Ok(None) };
        let t = t.as_table().ok_or_else(|| self.invalid(key, None, "must be a table"))?;
        let provenance = self.provenance(t, key, None)?;
        let from = self.month(t.get("from").unwrap_or(&Value::Boolean(false)), "resident_bonus.from")?;
        let dec = |t: &toml::Table, k: &str| -> Result<Decimal, ParamError> {
            t.get(k)
                .ok_or_else(|| self.invalid(&format!("{key}.{k}"), None, "missing"))
                .and_then(|v| self.decimal(v, &format!("{key}.{k}"), None))
        };
        let pairs = |list: &str, a: &str, b: &str| -> Result<Vec<(Decimal, Decimal)>, ParamError> {
            let items = t
                .get(list)
                .and_then(Value::as_array)
                .ok_or_else(|| self.invalid(&format!("{key}.{list}"), None, "missing array"))?;
            let v = items
                .iter()
                .map(|i| {
                    let i = i.as_table().ok_or_else(|| {
                        self.invalid(&format!("{key}.{list}"), None, format!("each is {{ {a}, {b} }}"))
                    })?;
                    Ok((dec(i, a)?, dec(i, b)?))
                })
                .collect::<Result<Vec<_>, ParamError>>()?;
            if v.is_empty() || v.windows(2).any(|w| w[1].0 <= w[0].0) {
                return Err(self.invalid(&format!("{key}.{list}"), None, format!("non-empty, increasing `{a}`")));
            }
            Ok(v)
        };
        let kind = match t.get("kind").and_then(Value::as_str) {
            Some("per_year") => BonusKind::PerYear(dec(t, "per_year")?),
            Some("percent_of_basic") => BonusKind::PercentOfBasic(dec(t, "pct")?),
            Some("graduated") => BonusKind::Graduated(pairs("bands", "upto", "per_year")?),
            Some("steps") => BonusKind::Steps(pairs("steps", "years", "amount")?),
            other => {
                return Err(self.invalid(
                    "resident_bonus.kind",
                    None,
                    format!("{other:?}; allowed per_year, percent_of_basic, graduated, steps"),
                ))
            }
        };
        Ok(Some(ResidentBonus { kind, from, provenance }))
    }

    /// `[resident_age_topup]`: `from` and `bands = [{ age, amount }]`.
    fn age_topup(&self, doc: &toml::Table) -> Result<Option<AgeTopup>, ParamError> {
        let key = "resident_age_topup";
        let Some(t) = doc.get(key) else { return Ok(None) };
        let t = t.as_table().ok_or_else(|| self.invalid(key, None, "must be a table"))?;
        let provenance = self.provenance(t, key, None)?;
        let from = self.month(t.get("from").unwrap_or(&Value::Boolean(false)), "resident_age_topup.from")?;
        let mut bands = Vec::new();
        for b in t.get("bands").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let b = b
                .as_table()
                .ok_or_else(|| self.invalid("resident_age_topup.bands", None, "each is { age, amount }"))?;
            let age = self.int(b, "age", "resident_age_topup.bands")? as i32;
            let amount = self.decimal(
                b.get("amount").unwrap_or(&Value::Boolean(false)),
                "resident_age_topup.bands.amount",
                None,
            )?;
            bands.push((age, amount));
        }
        if bands.is_empty() || bands.windows(2).any(|w| w[1].0 <= w[0].0) {
            return Err(self.invalid("resident_age_topup.bands", None, "non-empty, increasing ages"));
        }
        Ok(Some(AgeTopup { from, bands, provenance }))
    }

    fn rounding(&self, doc: &toml::Table, base: Rounding) -> Result<Rounding, ParamError> {
        let Some(t) = doc.get("rounding") else { return Ok(base) };
        let t = t.as_table().ok_or_else(|| self.invalid("rounding", None, "must be a table"))?;
        let step = |k: &str, default: Round| -> Result<Round, ParamError> {
            let Some(v) = t.get(k) else { return Ok(default) };
            let key = format!("rounding.{k}");
            let s = v.as_table().ok_or_else(|| self.invalid(&key, None, "must be { places, mode }"))?;
            let places = self.int(s, "places", &key)?;
            if !(0..=10).contains(&places) {
                return Err(self.invalid(&key, None, format!("places {places}; allowed 0..10")));
            }
            let mode = match s.get("mode").and_then(Value::as_str) {
                Some("half_away_from_zero") => RoundMode::HalfAwayFromZero,
                Some("up") => RoundMode::Up,
                Some("down") => RoundMode::Down,
                other => {
                    return Err(self.invalid(
                        &key,
                        None,
                        format!("mode {other:?}; allowed half_away_from_zero, up, down"),
                    ))
                }
            };
            Ok(Round { places: places as u32, mode })
        };
        Ok(Rounding {
            years: step("years", base.years)?,
            index: step("index", base.index)?,
            money: step("money", base.money)?,
            divisor: step("divisor", base.divisor)?,
        })
    }
}

/// Parsed contents of one region file, before overlaying.
#[derive(Default)]
struct RegionFile {
    name: Option<String>,
    pension_base: Option<YearSeries>,
    avg_wage: Option<YearSeries>,
    transitional_rate: Option<StepSeries>,
    allowance: Option<StepSeries>,
    resident_floor: Option<StepSeries>,
    resident_city: Option<StepSeries>,
    resident_tiers: Option<Vec<TierTable>>,
    bonus_per_year: Option<StepSeries>,
    hardship_amount: Option<StepSeries>,
    resident_account_rate: Option<YearSeries>,
    rounding: Option<Rounding>,
    adjustments: Option<Vec<Adjustment>>,
    employee_rules: Option<EmployeeRules>,
    resident_bonus: Option<ResidentBonus>,
    resident_age_topup: Option<AgeTopup>,
}

const REGION_KEYS: &[&str] = &[
    "name",
    "pension_base",
    "avg_wage",
    "transitional_rate",
    "allowance",
    "resident_floor",
    "resident_city",
    "resident_tiers",
    "bonus_per_year",
    "hardship_amount",
    "resident_account_rate",
    "rounding",
    "adjustment",
    "employee_rules",
    "resident_bonus",
    "resident_age_topup",
];

fn parse_region(file: &str, text: &str, national_rounding: Rounding) -> Result<RegionFile, ParamError> {
    let doc = parse_toml(file, text)?;
    let f = Ctx { file };
    if let Some(k) = doc.keys().find(|k| !REGION_KEYS.contains(&k.as_str())) {
        return Err(f.invalid(k, None, format!("unknown key; allowed {}", REGION_KEYS.join(", "))));
    }
    let money_hi = Decimal::from(1_000_000);
    let rate_lo = Decimal::new(-1, 1);
    let rate_hi = Decimal::new(3, 1);
    Ok(RegionFile {
        name: doc.get("name").and_then(Value::as_str).map(str::to_string),
        pension_base: f.year_series(&doc, "pension_base", Decimal::ONE, money_hi)?,
        avg_wage: f.year_series(&doc, "avg_wage", Decimal::ONE, money_hi)?,
        transitional_rate: f.step_series(&doc, "transitional_rate", Decimal::ZERO, Decimal::new(1, 1))?,
        allowance: f.step_series(&doc, "allowance", Decimal::ZERO, money_hi)?,
        resident_floor: f.step_series(&doc, "resident_floor", Decimal::ZERO, money_hi)?,
        resident_city: f.step_series(&doc, "resident_city", Decimal::ZERO, money_hi)?,
        resident_tiers: f.tiers(&doc)?,
        bonus_per_year: f.step_series(&doc, "bonus_per_year", Decimal::ZERO, money_hi)?,
        hardship_amount: f.step_series(&doc, "hardship_amount", Decimal::ZERO, money_hi)?,
        resident_account_rate: f.year_series(&doc, "resident_account_rate", rate_lo, rate_hi)?,
        rounding: if doc.contains_key("rounding") { Some(f.rounding(&doc, national_rounding)?) } else { None },
        adjustments: if doc.contains_key("adjustment") { Some(f.adjustments(&doc)?) } else { None },
        employee_rules: f.employee_rules(&doc)?,
        resident_bonus: f.resident_bonus(&doc)?,
        resident_age_topup: f.age_topup(&doc)?,
    })
}

fn parse_national(file: &str, text: &str) -> Result<(National, Rounding, RegionFile), ParamError> {
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
        adjustments: f.adjustments(&doc)?,
    };
    Ok((national, rounding, defaults))
}

impl Params {
    /// The parameter files compiled into the binary.
    pub fn builtin() -> Result<Params, ParamError> {
        Params::from_sources(BUILTIN.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect())
    }

    /// Every `*.toml` below `dir` (`national.toml`, `<province>.toml`, `<province>/<city>.toml`).
    pub fn load_dir(dir: &Path) -> Result<Params, ParamError> {
        let mut files = Vec::new();
        collect_toml(dir, dir, &mut files)?;
        Params::from_sources(files)
    }

    /// Builds parameters from (relative path, text) pairs.
    pub fn from_sources(mut files: Vec<(String, String)>) -> Result<Params, ParamError> {
        files.sort();
        let nat = files.iter().position(|(p, _)| p == "national.toml").ok_or_else(|| ParamError::Invalid {
            file: "national.toml".into(),
            key: "-".into(),
            date: None,
            why: "file missing".into(),
        })?;
        let (nat_name, nat_text) = files.remove(nat);
        let (national, rounding, defaults) = parse_national(&nat_name, &nat_text)?;

        let mut regions: Vec<Region> = Vec::new();
        let mut by_key = BTreeMap::new();
        // Provinces first (no '/'), then cities, so each city finds its province.
        files.sort_by_key(|(p, _)| (p.contains('/'), p.clone()));
        for (path, text) in &files {
            let key = path.trim_end_matches(".toml").to_string();
            if key.split('/').count() > 2 || key.is_empty() || key.split('/').any(str::is_empty) {
                return Err(ParamError::Invalid {
                    file: path.clone(),
                    key: "-".into(),
                    date: None,
                    why: "region files are <province>.toml or <province>/<city>.toml".into(),
                });
            }
            let rf = parse_region(path, text, rounding)?;
            let region = match key.split_once('/') {
                None => Region {
                    key: key.clone(),
                    name: rf.name.unwrap_or_else(|| key.clone()),
                    province: regions.len() as RegionId,
                    pension_base: rf.pension_base,
                    avg_wage: rf.avg_wage,
                    transitional_rate: rf.transitional_rate,
                    allowance: rf.allowance,
                    resident_floor: rf.resident_floor,
                    resident_city: rf.resident_city,
                    resident_tiers: rf.resident_tiers.or_else(|| defaults.resident_tiers.clone()).unwrap_or_default(),
                    bonus_per_year: rf.bonus_per_year.or_else(|| defaults.bonus_per_year.clone()).expect("checked"),
                    hardship_amount: rf.hardship_amount,
                    resident_account_rate: rf.resident_account_rate,
                    rounding: rf.rounding.unwrap_or(rounding),
                    adjustments: rf.adjustments.unwrap_or_default(),
                    employee_rules: rf.employee_rules.unwrap_or_default(),
                    resident_bonus: rf.resident_bonus,
                    resident_age_topup: rf.resident_age_topup,
                },
                Some((prov, _)) => {
                    let pid: RegionId = *by_key.get(prov).ok_or_else(|| ParamError::Invalid {
                        file: path.clone(),
                        key: "-".into(),
                        date: None,
                        why: format!("city overlay without a province file {prov}.toml"),
                    })?;
                    let p = regions[pid as usize].clone();
                    Region {
                        key: key.clone(),
                        name: rf.name.unwrap_or_else(|| key.clone()),
                        province: pid,
                        pension_base: overlay_years(rf.pension_base, p.pension_base),
                        avg_wage: overlay_years(rf.avg_wage, p.avg_wage),
                        transitional_rate: rf.transitional_rate.or(p.transitional_rate),
                        allowance: rf.allowance.or(p.allowance),
                        resident_floor: rf.resident_floor.or(p.resident_floor),
                        resident_city: rf.resident_city.or(p.resident_city),
                        resident_tiers: rf.resident_tiers.unwrap_or(p.resident_tiers),
                        bonus_per_year: rf.bonus_per_year.unwrap_or(p.bonus_per_year),
                        hardship_amount: rf.hardship_amount.or(p.hardship_amount),
                        resident_account_rate: rf.resident_account_rate.or(p.resident_account_rate),
                        rounding: rf.rounding.unwrap_or(p.rounding),
                        adjustments: rf.adjustments.unwrap_or(p.adjustments),
                        employee_rules: rf.employee_rules.unwrap_or(p.employee_rules),
                        resident_bonus: rf.resident_bonus.or(p.resident_bonus),
                        resident_age_topup: rf.resident_age_topup.or(p.resident_age_topup),
                    }
                }
            };
            if regions.len() >= RegionId::MAX as usize {
                return Err(ParamError::Invalid {
                    file: path.clone(),
                    key: "-".into(),
                    date: None,
                    why: "too many regions".into(),
                });
            }
            by_key.insert(key, regions.len() as RegionId);
            regions.push(region);
        }
        Ok(Params { national, regions, by_key })
    }
}

/// A city's yearly series over its province's: the city's values, preceded by the
/// province's for the years before the city's first one (a city that publishes its own
/// base only from some year used the province's before). Years after the city's last one
/// are projected from the city's (C8, C14), never taken from the province.
fn overlay_years(city: Option<YearSeries>, province: Option<YearSeries>) -> Option<YearSeries> {
    let Some(city) = city else { return province };
    let Some(prov) = province else { return Some(city) };
    let earlier: Vec<Sourced<Decimal>> = (prov.first..city.first).filter_map(|y| prov.get(y)).collect();
    let first = city.first - earlier.len() as i32;
    Some(YearSeries { first, values: earlier.into_iter().chain(city.values).collect() })
}

fn collect_toml(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), ParamError> {
    let read_err = |p: &Path, source| ParamError::Read { file: p.display().to_string(), source };
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(|e| read_err(dir, e))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_toml(root, &p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).map_err(|e| read_err(&p, e))?;
            out.push((rel, text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parameters_load_and_validate() {
        let p = Params::builtin().unwrap();
        assert_eq!(p.national.divisor_of_age(47), Some(Decimal::from(207)));
        assert_eq!(p.national.divisor_of_age(60), Some(Decimal::from(139)));
        let wf = p.region_id("shandong/weifang").unwrap();
        assert_eq!(p.region(wf).province, p.region_id("shandong").unwrap());
        assert!(p.region(wf).pension_base.is_some(), "cities inherit the province's series");
        Assumptions::builtin();
    }

    #[test]
    fn gap_in_a_yearly_series_names_file_key_and_year() {
        let text = "[avg_wage]\nvalues = [\n { year = 2020, value = \"1\", provenance = \"reported\", source = \"x\" },\n { year = 2022, value = \"2\", provenance = \"reported\", source = \"x\" },\n]\n";
        let err = parse_region("p.toml", text, Rounding::default()).err().unwrap().to_string();
        assert_eq!(err, "p.toml: avg_wage at 2022: gap: expected year 2021");
    }

    #[test]
    fn unsorted_dates_and_bad_tags_are_rejected() {
        let text = "[allowance]\nvalues = [\n { from = \"2021-01\", value = \"1\", provenance = \"reported\", source = \"x\" },\n { from = \"2020-01\", value = \"2\", provenance = \"reported\", source = \"x\" },\n]\n";
        let err = parse_region("p.toml", text, Rounding::default()).err().unwrap().to_string();
        assert!(err.contains("allowance at 2020-01: dates must be sorted"), "{err}");
        let text =
            "[allowance]\nvalues = [ { from = \"2021-01\", value = \"1\", provenance = \"guess\", source = \"x\" } ]\n";
        let err = parse_region("p.toml", text, Rounding::default()).err().unwrap().to_string();
        assert!(err.contains("provenance 'guess'"), "{err}");
    }

    #[test]
    fn out_of_range_rate_is_rejected() {
        let text = "[resident_account_rate]\nvalues = [ { year = 2021, value = \"5\", provenance = \"reported\", source = \"x\" } ]\n";
        let err = parse_region("p.toml", text, Rounding::default()).err().unwrap().to_string();
        assert!(err.contains("resident_account_rate at 2021: 5 is outside the allowed range"), "{err}");
    }
}
