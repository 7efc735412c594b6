//! Scenario CSV rows → validated [`Scenario`]s (contract §6). Every problem becomes a
//! [`RowError`] naming the column, the value and what is allowed.

use super::lenient;
use crate::model::{Category, RowError, Scenario, Scheme, Segment, Shortfall};
use crate::params::{compare, Family, Month, Params, Person, RegionId, Title};
use rust_decimal::Decimal;

/// Columns of the scenario contract, in contract order.
pub const SCENARIO_COLUMNS: &[&str] = &[
    "id",
    "label",
    "scheme",
    "region",
    "hukou",
    "category",
    "birth",
    "retire",
    "as_of",
    "paid_years",
    "deemed_years",
    "avg_index",
    "pre_account_years",
    "trans_index",
    "balance",
    "resident_years",
    "resident_balance",
    "contribution_index",
    "tier",
    "start",
    "stop",
    "hardship",
    "special",
    "allowance",
    "shortfall",
    "wage_growth",
    "account_rate",
    "avg_wage",
    "base_at_retirement",
    "subsidy",
    "resident_basic",
    "bonus_per_year",
    "indexation",
    "discount_rate",
    "death_age",
    "notional_account",
    // Person facts read by some provincial rules (optional; empty = not claimed).
    "family",
    "title",
    "intellectual",
    "tibet_years",
];

/// Columns without which no row can be read (a missing header is fatal).
pub const REQUIRED_COLUMNS: &[&str] = &["id", "scheme", "birth"];

/// Column positions of a header: `pos[k]` is the field index of `SCENARIO_COLUMNS[k]`.
#[derive(Debug, Clone)]
pub struct Header {
    pos: Vec<Option<usize>>,
    /// Header names that are not scenario columns (kept out of the computation).
    pub unknown: Vec<String>,
    width: usize,
}

/// A header that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A required column is missing (with the header's name that looks like a misspelling
    /// of it, if one does).
    #[error("missing required column '{0}' in the header{near}; required: id, scheme, birth", near = did_you_mean_header(.1, .0))]
    Missing(String, Option<String>),
    /// A column appears twice.
    #[error("column '{0}' appears twice in the header")]
    Duplicate(String),
}

impl Header {
    /// Maps header names (BOM and surrounding spaces removed, any order) to columns.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, HeaderError> {
        let mut pos = vec![None; SCENARIO_COLUMNS.len()];
        let mut unknown = Vec::new();
        let mut width = 0;
        for (i, raw) in names.into_iter().enumerate() {
            width = i + 1;
            let name = raw.trim_start_matches('\u{feff}').trim();
            match SCENARIO_COLUMNS.iter().position(|c| *c == name) {
                Some(k) if pos[k].is_some() => return Err(HeaderError::Duplicate(name.to_string())),
                Some(k) => pos[k] = Some(i),
                None => unknown.push(name.to_string()),
            }
        }
        for req in REQUIRED_COLUMNS {
            let k = SCENARIO_COLUMNS.iter().position(|c| c == req).expect("required columns are columns");
            if pos[k].is_none() {
                let near = unknown.iter().find(|u| lenient::closest(u, [*req]).is_some()).cloned();
                return Err(HeaderError::Missing(req.to_string(), near));
            }
        }
        Ok(Header { pos, unknown, width })
    }

    /// The warning for the unknown columns, each with the contract column it looks like a
    /// misspelling of (`birht (did you mean birth?)`); None when there are none.
    pub fn unknown_warning(&self) -> Option<String> {
        if self.unknown.is_empty() {
            return None;
        }
        let named: Vec<String> = self
            .unknown
            .iter()
            .map(|u| {
                // Suggest only columns the header does not have already.
                let free = SCENARIO_COLUMNS.iter().enumerate().filter(|(k, _)| self.pos[*k].is_none()).map(|(_, c)| *c);
                match lenient::closest(u, free) {
                    Some(c) => format!("{u} (did you mean {c}?)"),
                    None => u.clone(),
                }
            })
            .collect();
        Some(format!("ignoring unknown columns: {}", named.join(", ")))
    }

    /// Field index of a scenario column in the file, if the header has it.
    pub fn field_of(&self, column: &str) -> Option<usize> {
        SCENARIO_COLUMNS.iter().position(|c| *c == column).and_then(|k| self.pos[k])
    }

    /// Field index of the `id` column.
    pub fn id_index(&self) -> usize {
        self.pos[0].unwrap_or(0)
    }

    /// Number of header fields.
    pub fn width(&self) -> usize {
        self.width
    }

    fn col(&self, k: usize) -> Option<usize> {
        self.pos[k]
    }
}

fn did_you_mean_header(near: &Option<String>, column: &str) -> String {
    match near {
        Some(n) => format!(" (the header has '{n}': did you mean '{column}'?)"),
        None => String::new(),
    }
}

/// Largest number of characters accepted in a numeric field.
const MAX_NUMBER_LEN: usize = 40;

/// Field access for one record, with the column names of the contract.
pub struct Row<'r> {
    header: &'r Header,
    fields: &'r csv::ByteRecord,
    /// The whole record as text when it is valid UTF-8 (checked once, not per field).
    text: Option<&'r str>,
    /// The first date whose day was dropped (`column`, value), for the run's warning.
    dropped_day: std::cell::Cell<Option<(&'static str, &'r str)>>,
}

/// Index of a column name in [`SCENARIO_COLUMNS`] (compile-time names only; a match,
/// not a search, because it runs for every field of every row).
#[inline(always)]
fn k(name: &str) -> usize {
    match name {
        "id" => 0,
        "label" => 1,
        "scheme" => 2,
        "region" => 3,
        "hukou" => 4,
        "category" => 5,
        "birth" => 6,
        "retire" => 7,
        "as_of" => 8,
        "paid_years" => 9,
        "deemed_years" => 10,
        "avg_index" => 11,
        "pre_account_years" => 12,
        "trans_index" => 13,
        "balance" => 14,
        "resident_years" => 15,
        "resident_balance" => 16,
        "contribution_index" => 17,
        "tier" => 18,
        "start" => 19,
        "stop" => 20,
        "hardship" => 21,
        "special" => 22,
        "allowance" => 23,
        "shortfall" => 24,
        "wage_growth" => 25,
        "account_rate" => 26,
        "avg_wage" => 27,
        "base_at_retirement" => 28,
        "subsidy" => 29,
        "resident_basic" => 30,
        "bonus_per_year" => 31,
        "indexation" => 32,
        "discount_rate" => 33,
        "death_age" => 34,
        "notional_account" => 35,
        "family" => 36,
        "title" => 37,
        "intellectual" => 38,
        "tibet_years" => 39,
        _ => unreachable!("not a scenario column: {name}"),
    }
}

impl<'r> Row<'r> {
    /// Wraps a record.
    pub fn new(header: &'r Header, fields: &'r csv::ByteRecord) -> Row<'r> {
        Row { header, fields, text: std::str::from_utf8(fields.as_slice()).ok(), dropped_day: Default::default() }
    }

    /// True when the whole record is valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.text.is_some()
    }

    /// Trimmed text of a column; None when absent or empty. Inlined so that the column
    /// name, a literal at every call, resolves to its index at compile time.
    #[inline(always)]
    pub fn get(&self, name: &str) -> Option<&'r str> {
        let i = self.header.col(k(name))?;
        let v = match self.text {
            // A field of a valid record: its range in the record's text (the delimiters are
            // ASCII, so the range falls on character boundaries).
            Some(text) => trim_text(text.get(self.fields.range(i)?)?)?,
            None => trim_field(self.fields.get(i)?)?,
        };
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    }

    #[inline(always)]
    fn decimal(&self, name: &str, lo: Decimal, hi: Decimal, allowed: &str) -> Result<Option<Decimal>, RowError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let d = parse_decimal(v).map_err(|why| RowError::new(name, v, why, allowed))?;
        if compare(d, lo).is_lt() || compare(d, hi).is_gt() {
            let why = if d.is_sign_negative() && lo >= Decimal::ZERO { "negative" } else { "out of range" };
            return Err(RowError::new(name, v, why, allowed));
        }
        Ok(Some(d))
    }

    /// The first date of this row whose day was dropped: (column, value as written).
    pub fn dropped_day(&self) -> Option<(&'static str, &'r str)> {
        self.dropped_day.get()
    }

    #[inline(always)]
    fn month(&self, name: &'static str) -> Result<Option<Month>, RowError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        if let Some(m) = Month::parse(v) {
            return Ok(Some(m));
        }
        let (m, day) = lenient::month(v).ok_or_else(|| RowError::new(name, v, "not a month", MONTH_ALLOWED))?;
        if day && self.dropped_day.get().is_none() {
            self.dropped_day.set(Some((name, v)));
        }
        Ok(Some(m))
    }

    #[inline(always)]
    fn boolean(&self, name: &str) -> Result<bool, RowError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => lenient::boolean(v).ok_or_else(|| RowError::new(name, v, "not a boolean", BOOLEAN_ALLOWED)),
        }
    }
}

/// What `allowed` says for a month.
pub const MONTH_ALLOWED: &str =
    "YYYY-MM with month 01–12 and year 1900–2200 (also 1981/05, 1981-5, 1981年5月; a day, as in 1981-05-15, is dropped)";
const BOOLEAN_ALLOWED: &str = "true or false (any case; or 是, 否)";

/// A field of a record that is not all UTF-8, trimmed like [`trim_text`]; None when the
/// field itself is not UTF-8.
#[inline]
fn trim_field(raw: &[u8]) -> Option<&str> {
    trim_text(std::str::from_utf8(raw).ok()?)
}

/// A field without surrounding whitespace (as `str::trim`). ASCII whitespace is cut from
/// the bytes, so the Unicode trim runs only when an end is not ASCII.
#[inline]
fn trim_text(raw: &str) -> Option<&str> {
    // The ASCII characters that `char::is_whitespace` accepts.
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    let bytes = raw.as_bytes();
    let start = bytes.iter().position(|b| !ws(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !ws(b)).map_or(start, |e| e + 1);
    // Cut at ASCII bytes: character boundaries.
    let v = raw.get(start..end)?;
    // Other Unicode white space can only sit at a non-ASCII end.
    let edge = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii());
    Some(if edge(v.as_bytes().first()) || edge(v.as_bytes().last()) { v.trim() } else { v })
}

/// Parses a plain decimal: optional sign, digits, optional point and digits. No exponent,
/// no thousands separator, no NaN or infinity, at most 28 significant digits.
pub fn parse_decimal(v: &str) -> Result<Decimal, String> {
    if v.len() > MAX_NUMBER_LEN {
        return Err(format!("too long ({} characters) for a number", v.chars().count()));
    }
    // On bytes: an optional sign, then digits split at the first point.
    let bytes = v.as_bytes();
    let body = match bytes.first() {
        Some(b'-' | b'+') => &bytes[1..],
        _ => bytes,
    };
    let (ib, fb) = match body.iter().position(|&b| b == b'.') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, &body[body.len()..]),
    };
    let digits_ok = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if body.is_empty() || (ib.is_empty() && fb.is_empty()) || !digits_ok(ib) || !digits_ok(fb) {
        return Err("not a plain decimal number".to_string());
    }
    // Up to 18 digits: the mantissa fits in u64, read directly (the same mantissa and scale
    // as the decimal parser; negative zero is left to it).
    if ib.len() + fb.len() <= 18 {
        let m = ib.iter().chain(fb).fold(0i64, |m, b| m * 10 + i64::from(b - b'0'));
        let negative = bytes.first() == Some(&b'-');
        if !(negative && m == 0) {
            return Ok(Decimal::new(if negative { -m } else { m }, fb.len() as u32));
        }
    }
    Decimal::from_str_exact(v).map_err(|_| "too many digits for an exact decimal (at most 28)".to_string())
}

fn dec(n: i64, scale: u32) -> Decimal {
    Decimal::new(n, scale)
}

/// Reads and validates one scenario row. `as_of` is the run's default month.
pub fn parse_scenario(row: &Row, line: u64, params: &Params, default_as_of: Month) -> Result<Scenario, RowError> {
    let id = row.get("id").ok_or_else(|| RowError::new("id", "", "missing", "a non-empty unique key"))?;
    let scheme = match row.get("scheme") {
        Some("employee") => Scheme::Employee,
        Some("flexible") => Scheme::Flexible,
        Some("resident") => Scheme::Resident,
        Some(v) => {
            lenient::scheme(v).ok_or_else(|| RowError::new("scheme", v, "unknown scheme", lenient::SCHEME_ALLOWED))?
        }
        None => return Err(RowError::new("scheme", "", "missing", lenient::SCHEME_ALLOWED)),
    };
    let region_key = row.get("region").unwrap_or(params.national.default_region.as_str());
    let mut notes = Vec::new();
    let (region, fallback) = resolve_region(params, region_key, "region")?;
    if fallback {
        notes.push(fallback_note(params, region_key, region));
    }
    let hukou = match row.get("hukou") {
        Some(h) => {
            let id = region_id(params, h, "hukou")?;
            if params.region(id).province != id {
                return Err(RowError::new("hukou", h, "a hukou is a province, not a city", province_list(params)));
            }
            id
        }
        None => params.region(region).province,
    };
    let category = match row.get("category") {
        None => None,
        Some("male") => Some(Category::Male),
        Some("female_cadre") => Some(Category::FemaleCadre),
        Some("female_worker") => Some(Category::FemaleWorker),
        Some(v) => {
            Some(lenient::category(v).map_err(|why| RowError::new("category", v, why, lenient::CATEGORY_ALLOWED))?)
        }
    };
    if category.is_none() && scheme != Scheme::Resident {
        return Err(RowError::new(
            "category",
            "",
            "required for employee and flexible rows",
            "male, female_cadre, female_worker",
        ));
    }
    let birth = row.month("birth")?.ok_or_else(|| RowError::new("birth", "", "missing", "a month YYYY-MM"))?;
    let retire = row.month("retire")?;
    let start = row.month("start")?;
    let stop = row.month("stop")?;
    let as_of = row.month("as_of")?.or(start).unwrap_or(default_as_of);
    if birth > as_of {
        return Err(RowError::new(
            "birth",
            birth.to_string(),
            format!("birth after the as_of month {as_of}"),
            format!("a month up to {as_of}"),
        ));
    }
    if let (Some(a), Some(b)) = (start, stop) {
        if b < a {
            return Err(RowError::new("stop", b.to_string(), format!("before start {a}"), format!("{a} or later")));
        }
    }
    if let Some(r) = retire {
        if r <= birth {
            return Err(RowError::new("retire", r.to_string(), "not after the birth month", "a month after birth"));
        }
    }

    let zero = Decimal::ZERO;
    let years_hi = Decimal::from(80);
    let money_hi = Decimal::from(1_000_000_000);
    let monthly_hi = Decimal::from(1_000_000);
    let nat = &params.national;
    let rate = |name: &str| row.decimal(name, nat.rate_min, nat.rate_max, &nat.rate_allowed);
    let paid_years = row.decimal("paid_years", zero, years_hi, "0 to 80 years")?.unwrap_or(zero);
    let deemed_years = row.decimal("deemed_years", zero, years_hi, "0 to 80 years")?.unwrap_or(zero);
    let avg_index = row.decimal("avg_index", dec(1, 4), dec(3, 0), "an average index above 0 and at most 3.0")?;
    if avg_index.is_none() && !(paid_years + deemed_years).is_zero() {
        return Err(RowError::new(
            "avg_index",
            "",
            format!("missing, but the record has {} known years", paid_years + deemed_years),
            "an average index above 0 and at most 3.0",
        ));
    }
    let index = row.decimal("contribution_index", nat.index_min, nat.index_max, &nat.index_allowed)?;
    let index_given = index.is_some();
    let index = index.unwrap_or(Decimal::ONE);
    let balance = row.decimal("balance", zero, money_hi, "0 to 1,000,000,000 yuan")?;
    if balance.is_none() && paid_years > zero {
        // C27.11: computed with 0, but said (a warning, not silence).
        notes.push(format!(
            "balance is empty while paid_years is {paid_years}: the employee account is taken as 0 at as_of {as_of} (C27.11)"
        ));
    }
    let shortfall = match row.get("shortfall") {
        None | Some("extend") => Shortfall::Extend,
        Some("resident") => Shortfall::Resident,
        Some("none") => Shortfall::None,
        Some(v) => lenient::shortfall(v)
            .ok_or_else(|| RowError::new("shortfall", v, "unknown policy", "extend, resident, none (any case)"))?,
    };
    let death_age = match row.get("death_age") {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(a) if (1..=120).contains(&a) => Some(a),
            _ => return Err(RowError::new("death_age", v, "not a whole age", "whole years 1 to 120")),
        },
    };
    let tier = row.decimal(
        "tier",
        dec(1, 2),
        Decimal::from(100_000),
        "a positive tier in yuan/year from the region's tier table",
    )?;
    Ok(Scenario {
        line,
        id: id.to_string(),
        label: row.get("label").unwrap_or(id).to_string(),
        scheme,
        region,
        hukou,
        category,
        birth,
        retire,
        as_of,
        paid_years,
        deemed_years,
        avg_index,
        pre_account_years: row.decimal("pre_account_years", zero, years_hi, "0 to 80 years")?.unwrap_or(zero),
        trans_index: row.decimal("trans_index", dec(1, 4), dec(3, 0), "an index above 0 and at most 3.0")?,
        balance: balance.unwrap_or(zero),
        resident_years: row.decimal("resident_years", zero, years_hi, "0 to 80 years")?.unwrap_or(zero),
        resident_balance: row.decimal("resident_balance", zero, money_hi, "0 to 1,000,000,000 yuan")?.unwrap_or(zero),
        index,
        index_given,
        tier,
        start,
        stop,
        hardship: row.boolean("hardship")?,
        special: row.boolean("special")?,
        allowance: row.decimal("allowance", zero, monthly_hi, "0 to 1,000,000 yuan/month")?,
        shortfall,
        wage_growth: rate("wage_growth")?,
        account_rate: rate("account_rate")?,
        avg_wage: row.decimal("avg_wage", dec(1, 2), monthly_hi, "a positive monthly wage up to 1,000,000 yuan")?,
        base_at_retirement: row.decimal(
            "base_at_retirement",
            dec(1, 2),
            monthly_hi,
            "a positive monthly base up to 1,000,000 yuan",
        )?,
        subsidy: row.decimal("subsidy", zero, Decimal::from(100_000), "0 to 100,000 yuan/year")?,
        resident_basic: row.decimal("resident_basic", zero, monthly_hi, "0 to 1,000,000 yuan/month")?,
        bonus_per_year: row.decimal(
            "bonus_per_year",
            zero,
            Decimal::from(100_000),
            "0 to 100,000 yuan/month per year",
        )?,
        indexation: rate("indexation")?,
        discount_rate: rate("discount_rate")?,
        death_age,
        notional_account: row.decimal(
            "notional_account",
            zero,
            money_hi,
            "0 to 1,000,000,000 yuan (empty: not given)",
        )?,
        person: person(row)?,
        segments: Vec::new(),
        notes,
    })
}

/// The person facts of a row (`family`, `title`, `intellectual`, `tibet_years`): the keys,
/// any case, or Chinese (独生子女, 无子女, 高级, 中级, 是/否).
fn person(row: &Row) -> Result<Person, RowError> {
    let family = match row.get("family") {
        None => None,
        Some("one_child") => Some(Family::OneChild),
        Some("childless") => Some(Family::Childless),
        Some(v) => Some(
            lenient::family(v)
                .ok_or_else(|| RowError::new("family", v, "unknown family situation", lenient::FAMILY_ALLOWED))?,
        ),
    };
    let title = match row.get("title") {
        None => None,
        Some("senior") => Some(Title::Senior),
        Some("intermediate") => Some(Title::Intermediate),
        Some(v) => {
            Some(lenient::title(v).ok_or_else(|| RowError::new("title", v, "unknown title", lenient::TITLE_ALLOWED))?)
        }
    };
    Ok(Person {
        family,
        title,
        intellectual: row.boolean("intellectual")?,
        tibet_years: row.decimal("tibet_years", Decimal::ZERO, Decimal::from(80), "0 to 80 years worked in Tibet")?,
    })
}

fn province_list(params: &Params) -> String {
    let v: Vec<&str> = params.region_keys().filter(|k| !k.contains('/')).collect();
    v.join(", ")
}

/// Looks up a region for a row or segment (C27.8): an unknown city of a known province
/// falls back to the province (`true`); then the other spellings of a region (see
/// [`lenient::region`]: any case, Chinese names), with the same fallback; else an error
/// listing the known regions.
pub fn resolve_region(params: &Params, key: &str, column: &str) -> Result<(RegionId, bool), RowError> {
    if let Some(found) = params.resolve_region(key) {
        return Ok(found);
    }
    lenient::region(params, key).map_err(|why| unknown_region(params, key, column, why))
}

fn unknown_region(params: &Params, key: &str, column: &str, why: Option<String>) -> RowError {
    let all: Vec<&str> = params.region_keys().collect();
    RowError::new(
        column,
        key,
        why.unwrap_or_else(|| "unknown region".to_string()),
        format!("{} (any case; or Chinese names: 山东/潍坊, 山东省, 潍坊市)", all.join(", ")),
    )
}

/// The `message` note of a region that fell back to its province (C27.8).
pub fn fallback_note(params: &Params, key: &str, province: RegionId) -> String {
    format!("region {key} has no city parameters: the province {} is used (C27.8)", params.region(province).key)
}

/// Looks up a region key exactly, then in its other spellings (see [`lenient::region`]);
/// no fallback from a city to its province. The error lists the known regions.
#[inline]
pub fn region_id(params: &Params, key: &str, column: &str) -> Result<RegionId, RowError> {
    if let Some(id) = params.region_id(key) {
        return Ok(id);
    }
    match lenient::region(params, key) {
        Ok((id, false)) => Ok(id),
        Ok((_, true)) => Err(unknown_region(params, key, column, None)),
        Err(why) => Err(unknown_region(params, key, column, why)),
    }
}

/// Columns of the segments file (contract §6).
pub const SEGMENT_COLUMNS: &[&str] = &["id", "scheme", "region", "start", "end", "contribution_index", "tier"];

/// Reads one segment row; defaults (region, index, tier) come from the scenario (C26).
pub fn parse_segment(
    fields: &[Option<&str>; 7],
    line: u64,
    params: &Params,
    row: &Scenario,
) -> Result<Segment, RowError> {
    let at = |col: &str, v: &str, why: String, allowed: &str| {
        RowError::new(&format!("segments:{col}"), v, format!("segments file line {line}: {why}"), allowed)
    };
    let scheme = match fields[1] {
        Some("employee") => Scheme::Employee,
        Some("flexible") => Scheme::Flexible,
        Some("resident") => Scheme::Resident,
        Some(v) => {
            lenient::scheme(v).ok_or_else(|| at("scheme", v, "unknown scheme".into(), lenient::SCHEME_ALLOWED))?
        }
        None => return Err(at("scheme", "", "missing".into(), lenient::SCHEME_ALLOWED)),
    };
    let (region, note) = match fields[2] {
        Some(r) => match resolve_region(params, r, "region") {
            Ok((id, fallback)) => (id, fallback.then(|| fallback_note(params, r, id))),
            Err(e) => return Err(at("region", r, e.why, &e.allowed)),
        },
        None => (row.region, None),
    };
    let month = |i: usize, col: &str| -> Result<Month, RowError> {
        let v = fields[i].ok_or_else(|| at(col, "", "missing".into(), "a month YYYY-MM"))?;
        Month::parse(v)
            .or_else(|| lenient::month(v).map(|(m, _)| m))
            .ok_or_else(|| at(col, v, "not a month".into(), MONTH_ALLOWED))
    };
    let start = month(3, "start")?;
    let end = month(4, "end")?;
    if end < start {
        return Err(at("end", &end.to_string(), format!("before start {start}"), &format!("{start} or later")));
    }
    let index_given = fields[5].is_some();
    let index = match fields[5] {
        Some(v) => {
            let nat = &params.national;
            let d = parse_decimal(v).map_err(|why| at("contribution_index", v, why, &nat.index_range))?;
            if d < nat.index_min || d > nat.index_max {
                return Err(at("contribution_index", v, "out of range".into(), &nat.index_range));
            }
            d
        }
        None => row.index,
    };
    let tier = match fields[6] {
        Some(v) => {
            let d = parse_decimal(v).map_err(|why| at("tier", v, why, "a tier in yuan/year"))?;
            if d <= Decimal::ZERO {
                return Err(at("tier", v, "not positive".into(), "a tier in yuan/year"));
            }
            Some(d)
        }
        None => row.tier,
    };
    Ok(Segment { line, scheme, region, start, end, index, tier, index_given, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The short-number path reads the same mantissa, scale and sign as the decimal
        /// parser; the field trim is `str::trim`.
        #[test]
        fn short_numbers_parse_like_the_decimal_parser(sign in proptest::sample::select(vec!["", "-", "+"]),
                                                       int in "[0-9]{0,12}", frac in proptest::option::of("[0-9]{0,10}")) {
            let text = format!("{sign}{int}{}", frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default());
            if let Ok(d) = parse_decimal(&text) {
                let want = Decimal::from_str_exact(&text).unwrap();
                proptest::prop_assert_eq!((d.mantissa(), d.scale(), d.is_sign_negative()),
                                          (want.mantissa(), want.scale(), want.is_sign_negative()));
            }
        }

        #[test]
        fn field_trim_is_str_trim(text in "[ \t\r\n\u{0B}\u{0C}\u{3000}a-c0-9,]{0,12}") {
            proptest::prop_assert_eq!(trim_field(text.as_bytes()), Some(text.trim()));
        }
    }

    #[test]
    fn column_indices_match_the_contract_order() {
        for (i, c) in SCENARIO_COLUMNS.iter().enumerate() {
            assert_eq!(k(c), i, "{c}");
        }
    }

    #[test]
    fn plain_decimals_only() {
        assert_eq!(parse_decimal("7831").unwrap().to_string(), "7831");
        assert_eq!(parse_decimal("-0.5").unwrap().to_string(), "-0.5");
        assert_eq!(parse_decimal(".5").unwrap().to_string(), "0.5");
        for bad in ["", "-", ".", "1e30", "NaN", "inf", "1,000", "1.2.3", "0x10", " 1", "1_000"] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        assert!(parse_decimal(&"9".repeat(40)).is_err());
        assert!(parse_decimal(&"9".repeat(41)).unwrap_err().contains("too long"));
    }
}
