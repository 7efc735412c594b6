//! Reading the values of one parameter file ([`Ctx`]): decimals within ranges, months,
//! provenance tags, dated and yearly series, tier tables, yearly increases, rounding steps
//! and provincial employee rules; every error names the file, the key and the date.

use super::*;

/// A dated entry: effective month, whether it was given by `year`, value.
pub(super) type Entry = (Month, bool, Sourced<Decimal>);

/// Error-building helpers bound to one file.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
}

impl Ctx<'_> {
    pub(super) fn invalid(&self, key: &str, date: Option<String>, why: impl Into<String>) -> ParamError {
        ParamError::Invalid { file: self.file.to_string(), key: key.to_string(), date, why: why.into() }
    }

    /// A table's keys must be among `allowed`: the first other one is an error naming
    /// `prefix.key` (the key alone when `prefix` is empty) and the keys allowed.
    pub(super) fn known_keys(
        &self,
        t: &toml::Table,
        allowed: &[&str],
        prefix: &str,
        date: Option<String>,
    ) -> Result<(), ParamError> {
        let Some(k) = t.keys().find(|k| !allowed.contains(&k.as_str())) else { return Ok(()) };
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        Err(self.invalid(&key, date, format!("unknown key; allowed {}", allowed.join(", "))))
    }

    pub(super) fn decimal(&self, v: &Value, key: &str, date: Option<String>) -> Result<Decimal, ParamError> {
        match v {
            Value::String(s) => Decimal::from_str_exact(s.trim())
                .map_err(|_| self.invalid(key, date, format!("'{s}' is not a decimal number"))),
            Value::Integer(i) => Ok(Decimal::from(*i)),
            _ => Err(self.invalid(key, date, "must be a decimal written as a string, e.g. \"7831\"")),
        }
    }

    pub(super) fn range(
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

    pub(super) fn month(&self, v: &Value, key: &str) -> Result<Month, ParamError> {
        match v.as_str().and_then(Month::parse) {
            Some(m) => Ok(m),
            None => Err(self.invalid(key, None, format!("{v} is not a month \"YYYY-MM\""))),
        }
    }

    pub(super) fn int(&self, t: &toml::Table, key: &str, prefix: &str) -> Result<i64, ParamError> {
        t.get(key)
            .and_then(Value::as_integer)
            .ok_or_else(|| self.invalid(&format!("{prefix}.{key}"), None, "missing or not an integer"))
    }

    pub(super) fn table<'t>(&self, doc: &'t toml::Table, key: &str) -> Result<&'t toml::Table, ParamError> {
        doc.get(key).and_then(Value::as_table).ok_or_else(|| self.invalid(key, None, "missing table"))
    }

    pub(super) fn provenance(
        &self,
        t: &toml::Table,
        key: &str,
        date: Option<String>,
    ) -> Result<Provenance, ParamError> {
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
    pub(super) fn entries(&self, doc: &toml::Table, key: &str) -> Result<Option<Vec<Entry>>, ParamError> {
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

    pub(super) fn year_series(
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

    pub(super) fn step_series(
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

    pub(super) fn tiers(&self, doc: &toml::Table) -> Result<Option<Vec<TierTable>>, ParamError> {
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

    /// The `[[adjustment]]` tables; `rate` bounds pct_own (the national rate range).
    pub(super) fn adjustments(
        &self,
        doc: &toml::Table,
        rate: (Decimal, Decimal),
    ) -> Result<Vec<Adjustment>, ParamError> {
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
                pct_own: dec("pct_own", rate.0, rate.1)?,
                year_bands,
                age_bands,
                round_up_to_yuan: t.get("round_up_to_yuan").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        Ok(out)
    }

    /// `[employee_rules]`: the provincial forms (see `params::rules`); every key optional
    /// except `provenance` and `source`, unknown keys and names rejected.
    pub(super) fn employee_rules(&self, doc: &toml::Table) -> Result<Option<EmployeeRules>, ParamError> {
        const EXTRA_KEYS: &[&str] = &[
            "label",
            "kind",
            "amount",
            "years",
            "flat",
            "per_year",
            "per_index_year",
            "bands",
            "brackets",
            "values",
            "pct",
            "series",
            "when",
            "band_years",
            "from",
            "to",
            "provenance",
            "source",
        ];
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
            "phase_in",
            "notional",
            "special_divisor",
            "omitted",
            "transitional_rate_if",
        ];
        let Some(v) = doc.get("employee_rules") else { return Ok(None) };
        let key = "employee_rules";
        let t = v.as_table().ok_or_else(|| self.invalid(key, None, "must be a table"))?;
        self.known_keys(t, KEYS, key, None)?;
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
        let transitional = match name(
            "transitional",
            &["indexed", "weighted", "index_floor_one", "two_part", "deemed_index_one", "phase_in"],
        )?
        .as_deref()
        {
            Some("weighted") => TransitionalForm::Weighted,
            Some("phase_in") => TransitionalForm::PhaseIn,
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
            self.known_keys(e, EXTRA_KEYS, p, Some(label.clone()))?;
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
                Some("percent_of_components") => ExtraKind::PercentOfComponents(need(e, "pct", p)?),
                Some("percent_of_series") => ExtraKind::PercentOfSeries {
                    pct: need(e, "pct", p)?,
                    series: self.extra_series(list("series"), &label)?,
                },
                other => {
                    return Err(self.invalid(
                        p,
                        Some(label),
                        format!("kind {other:?}; allowed flat, flat_if_deemed_at_least, per_whole_year, index_years, indexed_wage_pct, increment_brackets, by_retirement_year, percent_of_components, percent_of_series"),
                    ))
                }
            };
            let band_years = match e.get("band_years").map(|v| (v, v.as_str())) {
                None => BandYears::Total,
                Some((_, Some("total"))) => BandYears::Total,
                Some((_, Some("tibet_years"))) => BandYears::Tibet,
                Some((v, _)) => {
                    return Err(self.invalid(
                        &format!("{p}.band_years"),
                        Some(label),
                        format!("{v}; allowed total, tibet_years"),
                    ))
                }
            };
            let month = |k: &str| e.get(k).map(|v| self.month(v, &format!("{p}.{k}"))).transpose();
            let when = self.condition(e.get("when"), &format!("{p}.when"), &label)?;
            extras.push(Extra {
                label,
                kind,
                from: month("from")?,
                to: month("to")?,
                provenance: prov,
                source: e.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
                when,
                band_years,
            });
        }
        let mut transitional_rate_if = Vec::new();
        for r in t.get("transitional_rate_if").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let p = "employee_rules.transitional_rate_if";
            let r = r
                .as_table()
                .ok_or_else(|| self.invalid(p, None, "each is a table [[employee_rules.transitional_rate_if]]"))?;
            let label = r.get("label").and_then(Value::as_str).unwrap_or("transitional_rate_if").to_string();
            const RATE_KEYS: &[&str] = &["label", "when", "rate", "provenance", "source"];
            self.known_keys(r, RATE_KEYS, p, Some(label.clone()))?;
            let when = self.condition(r.get("when"), &format!("{p}.when"), &label)?;
            if when.is_always() {
                return Err(self.invalid(
                    &format!("{p}.when"),
                    Some(label),
                    "missing: a conditional rate needs a condition",
                ));
            }
            let rate = self.range(
                need(r, "rate", p)?,
                Decimal::ZERO,
                Decimal::ONE,
                &format!("{p}.rate"),
                Some(label.clone()),
            )?;
            transitional_rate_if.push(ConditionalRate {
                provenance: self.provenance(r, p, Some(label.clone()))?,
                source: r.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
                label,
                when,
                rate,
            });
        }
        let phase_in = self.phase_in(t)?;
        let notional = match t.get("notional") {
            None => None,
            Some(v) => {
                let p = "employee_rules.notional";
                let n = v.as_table().ok_or_else(|| self.invalid(p, None, "must be { kind, divisor, … }"))?;
                const NOTIONAL_KEYS: &[&str] = &["kind", "divisor", "deduct_per_whole_year", "source"];
                self.known_keys(n, NOTIONAL_KEYS, p, None)?;
                let divisor = need(n, "divisor", p)?;
                if divisor <= Decimal::ZERO {
                    return Err(self.invalid(&format!("{p}.divisor"), None, "must be positive"));
                }
                Some(match n.get("kind").and_then(Value::as_str) {
                    Some("add") => NotionalRule::Add { divisor },
                    Some("old_method") => {
                        if phase_in.is_none() {
                            return Err(self.invalid(p, None, "kind old_method needs employee_rules.phase_in"));
                        }
                        NotionalRule::OldMethod { divisor, deduct_per_year: need(n, "deduct_per_whole_year", p)? }
                    }
                    other => return Err(self.invalid(p, None, format!("kind {other:?}; allowed add, old_method"))),
                })
            }
        };
        if transitional == TransitionalForm::PhaseIn && phase_in.is_none() {
            return Err(self.invalid("employee_rules.transitional", None, "phase_in needs employee_rules.phase_in"));
        }
        let special_divisor = match t.get("special_divisor") {
            None => None,
            Some(v) => {
                let p = "employee_rules.special_divisor";
                let d = v.as_table().ok_or_else(|| self.invalid(p, None, "must be { months, provenance, source }"))?;
                let months = need(d, "months", p)?;
                self.range(months, Decimal::ONE, Decimal::from(400), &format!("{p}.months"), None)?;
                Some(SpecialDivisor {
                    months,
                    provenance: self.provenance(d, p, None)?,
                    source: d.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
                })
            }
        };
        let mut omitted = Vec::new();
        for o in t.get("omitted").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let p = "employee_rules.omitted";
            let o = o.as_table().ok_or_else(|| self.invalid(p, None, "each is { label, why, if_deemed }"))?;
            let text = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| self.invalid(&format!("{p}.{k}"), None, "missing"))
            };
            let label = text("label")?;
            omitted.push(Omitted {
                why: text("why")?,
                if_deemed: o.get("if_deemed").and_then(Value::as_bool).unwrap_or(false),
                when: self.condition(o.get("when"), &format!("{p}.when"), &label)?,
                label,
            });
        }
        Ok(Some(EmployeeRules {
            omitted,
            phase_in,
            notional,
            special_divisor,
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
            transitional_rate_if,
        }))
    }

    /// `employee_rules.phase_in = { rates = [{ year, rate }, …], until, provenance, source }`:
    /// shares from 0 to 1 by first retirement year, years ascending.
    fn phase_in(&self, t: &toml::Table) -> Result<Option<PhaseIn>, ParamError> {
        let p = "employee_rules.phase_in";
        let Some(v) = t.get("phase_in") else { return Ok(None) };
        let ph = v.as_table().ok_or_else(|| self.invalid(p, None, "must be { rates, until, provenance, source }"))?;
        let mut rates = Vec::new();
        for r in ph.get("rates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let r = r.as_table().ok_or_else(|| self.invalid(p, None, "rates are { year, rate }"))?;
            let year = self.int(r, "year", p)? as i32;
            let v =
                r.get("rate").ok_or_else(|| self.invalid(&format!("{p}.rate"), Some(year.to_string()), "missing"))?;
            let rate = self.decimal(v, &format!("{p}.rate"), Some(year.to_string()))?;
            self.range(rate, Decimal::ZERO, Decimal::ONE, &format!("{p}.rate"), Some(year.to_string()))?;
            if rates.last().is_some_and(|(y, _)| *y >= year) {
                return Err(self.invalid(&format!("{p}.rates"), Some(year.to_string()), "years must ascend"));
            }
            rates.push((year, rate));
        }
        if rates.is_empty() {
            return Err(self.invalid(&format!("{p}.rates"), None, "at least one { year, rate }"));
        }
        let until = match ph.get("until") {
            None => None,
            Some(_) => Some(self.int(ph, "until", p)? as i32),
        };
        Ok(Some(PhaseIn {
            rates,
            until,
            provenance: self.provenance(ph, p, None)?,
            source: ph.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
        }))
    }

    /// `when = { family = "one_child" | "childless", title = "senior" | "intermediate",
    /// intellectual = true | false }`: the facts a rule needs (absent: always).
    fn condition(&self, v: Option<&Value>, key: &str, label: &str) -> Result<Condition, ParamError> {
        let Some(v) = v else { return Ok(Condition::default()) };
        let bad = |why: String| self.invalid(key, Some(label.to_string()), why);
        let t = v
            .as_table()
            .ok_or_else(|| bad(format!("{v}: must be a table {{ family = .., title = .., intellectual = .. }}")))?;
        let mut c = Condition::default();
        for (k, v) in t {
            match (k.as_str(), v) {
                ("family", Value::String(s)) if s == "one_child" => c.family = Some(Family::OneChild),
                ("family", Value::String(s)) if s == "childless" => c.family = Some(Family::Childless),
                ("family", _) => return Err(bad(format!("family = {v}; allowed \"one_child\", \"childless\""))),
                ("title", Value::String(s)) if s == "senior" => c.title = Some(Title::Senior),
                ("title", Value::String(s)) if s == "intermediate" => c.title = Some(Title::Intermediate),
                ("title", _) => return Err(bad(format!("title = {v}; allowed \"senior\", \"intermediate\""))),
                ("intellectual", Value::Boolean(b)) => c.intellectual = Some(*b),
                ("intellectual", _) => return Err(bad(format!("intellectual = {v}; allowed true, false"))),
                _ => return Err(bad(format!("unknown fact '{k}'; allowed family, title, intellectual"))),
            }
        }
        Ok(c)
    }

    /// The dated values of a `percent_of_series` extra: `{ year, value, provenance, source }`,
    /// consecutive years.
    fn extra_series(
        &self,
        items: &[Value],
        label: &str,
    ) -> Result<Vec<(i32, Decimal, Provenance, String)>, ParamError> {
        let p = "employee_rules.extra.series";
        let mut out: Vec<(i32, Decimal, Provenance, String)> = Vec::new();
        for v in items {
            let t = v.as_table().ok_or_else(|| {
                self.invalid(p, Some(label.to_string()), "values are { year, value, provenance, source }")
            })?;
            let year = self.int(t, "year", p)? as i32;
            let date = Some(year.to_string());
            let value = t.get("value").ok_or_else(|| self.invalid(&format!("{p}.value"), date.clone(), "missing"))?;
            let value = self.decimal(value, &format!("{p}.value"), date.clone())?;
            let value =
                self.range(value, Decimal::ZERO, Decimal::from(1_000_000), &format!("{p}.value"), date.clone())?;
            if out.last().is_some_and(|l| l.0 + 1 != year) {
                return Err(self.invalid(p, date, "years must be consecutive and ascending"));
            }
            let prov = self.provenance(t, p, date)?;
            let source = t.get("source").and_then(Value::as_str).unwrap_or_default().to_string();
            out.push((year, value, prov, source));
        }
        if out.is_empty() {
            return Err(self.invalid(
                p,
                Some(label.to_string()),
                "missing: at least one { year, value, provenance, source }",
            ));
        }
        Ok(out)
    }

    /// `[resident_bonus]`: kind per_year | percent_of_basic | graduated | steps, `from`, and
    /// an optional `cap_pct` (a ceiling as a share of the basic pension, 0 < cap ≤ 1).
    pub(super) fn resident_bonus(&self, doc: &toml::Table) -> Result<Option<ResidentBonus>, ParamError> {
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
        let cap = match t.get("cap_pct") {
            None => None,
            Some(v) => {
                let c = self.decimal(v, "resident_bonus.cap_pct", None)?;
                if c <= Decimal::ZERO || c > Decimal::ONE {
                    return Err(self.invalid(
                        "resident_bonus.cap_pct",
                        None,
                        format!("{c}; allowed a share of the basic pension above 0 and at most 1 (e.g. \"0.1\")"),
                    ));
                }
                Some(c)
            }
        };
        Ok(Some(ResidentBonus { kind, cap, from, provenance }))
    }

    /// `[resident_age_topup]`: `from` and `bands = [{ age, amount }]`.
    pub(super) fn age_topup(&self, doc: &toml::Table) -> Result<Option<AgeTopup>, ParamError> {
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

    pub(super) fn rounding(&self, doc: &toml::Table, base: Rounding) -> Result<Rounding, ParamError> {
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
