//! Loading and validating parameter files. Every error names the file, the key and,
//! where there is one, the date.

use super::*;
use std::path::{Path, PathBuf};
use toml::Value;

mod fields;
mod national;

use fields::*;
use national::*;

/// A parameter or assumption file that cannot be used.
#[derive(Debug)]
pub enum ParamError {
    /// The file could not be read.
    Read {
        /// File.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    Syntax {
        /// File.
        file: String,
        /// Parser message.
        message: String,
    },
    /// A value is missing, malformed or out of range.
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

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamError::Read { file, source } => write!(f, "{file}: cannot read: {source}"),
            ParamError::Syntax { file, message } => write!(f, "{file}: not valid TOML: {message}"),
            ParamError::Invalid { file, key, date, why } => {
                let at = date.as_ref().map(|d| format!(" at {d}")).unwrap_or_default();
                write!(f, "{file}: {key}{at}: {why}")
            }
        }
    }
}

impl std::error::Error for ParamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ParamError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The parameter files compiled into the binary, as (relative path, text): every `*.toml`
/// under `data/params/`, listed by yanglao-core's `build.rs`.
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
const BUILTIN_ASSUMPTIONS: &str = include_str!("../../../../data/assumptions.toml");

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
        let (lo, hi) = builtin_rate_range();
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

fn parse_region(file: &str, text: &str, national: (Rounding, &National)) -> Result<RegionFile, ParamError> {
    let (national_rounding, nat) = national;
    let doc = parse_toml(file, text)?;
    let f = Ctx { file };
    f.known_keys(&doc, REGION_KEYS, "", None)?;
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
        adjustments: if doc.contains_key("adjustment") {
            Some(f.adjustments(&doc, (nat.rate_min, nat.rate_max))?)
        } else {
            None
        },
        employee_rules: f.employee_rules(&doc)?,
        resident_bonus: f.resident_bonus(&doc)?,
        resident_age_topup: f.age_topup(&doc)?,
    })
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
            let rf = parse_region(path, text, (rounding, &national))?;
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
                    resident_dated: None,
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
                        resident_tiers: overlay_tables(rf.resident_tiers, p.resident_tiers),
                        bonus_per_year: overlay_steps(rf.bonus_per_year, Some(p.bonus_per_year))
                            .expect("province has one"),
                        hardship_amount: overlay_steps(rf.hardship_amount, p.hardship_amount),
                        resident_account_rate: rf.resident_account_rate.or(p.resident_account_rate),
                        rounding: rf.rounding.unwrap_or(p.rounding),
                        adjustments: rf.adjustments.unwrap_or(p.adjustments),
                        employee_rules: rf.employee_rules.unwrap_or(p.employee_rules),
                        resident_bonus: rf.resident_bonus.or(p.resident_bonus),
                        resident_age_topup: rf.resident_age_topup.or(p.resident_age_topup),
                        resident_dated: None,
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
        // The published horizon of each region's resident basic pension (C22).
        let latest = |s: Option<&StepSeries>| s.and_then(|s| s.steps.last()).map(|s| s.0);
        let dated: Vec<Option<Month>> = regions
            .iter()
            .map(|r| {
                let province = &regions[r.province as usize];
                let city = if province.key == r.key { None } else { latest(r.resident_city.as_ref()) };
                [latest(Some(&national.resident_minimum)), latest(province.resident_floor.as_ref()), city]
                    .into_iter()
                    .flatten()
                    .max()
            })
            .collect();
        for (r, d) in regions.iter_mut().zip(dated) {
            r.resident_dated = d;
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

/// A city's resident tier tables over its province's: the province's tables that took
/// effect before the city's first one (a city that publishes its own table from some date
/// used the province's before), then the city's.
fn overlay_tables(city: Option<Vec<TierTable>>, province: Vec<TierTable>) -> Vec<TierTable> {
    let Some(city) = city else { return province };
    let first = city.first().map(|t| t.from);
    province.into_iter().filter(|t| first.is_some_and(|f| t.from < f)).chain(city).collect()
}

/// A city's dated series (代缴, 长缴多得 per year) over its province's: the province's steps
/// before the city's first step, then the city's (the city's values hold from their dates).
fn overlay_steps(city: Option<StepSeries>, province: Option<StepSeries>) -> Option<StepSeries> {
    let Some(city) = city else { return province };
    let Some(prov) = province else { return Some(city) };
    let first = city.steps.first().map(|s| s.0);
    let steps = prov.steps.into_iter().filter(|s| first.is_some_and(|f| s.0 < f)).chain(city.steps).collect();
    Some(StepSeries { steps })
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

    /// The rules that were numbers in the code come from national.toml, with the values
    /// of the documents: C21 (60, 15 years), C25 (men 50, women 40; 10 years), C9
    /// (0.6–3.0), and the input defaults (shandong/weifang; rates −0.5 to 1).
    #[test]
    fn national_rules_come_from_the_data() {
        let n = Params::builtin().unwrap().national;
        assert_eq!((n.resident_pension_age, n.resident_pension_months()), (60, 720));
        assert_eq!(n.resident_min_years, Decimal::from(15));
        assert_eq!((n.temporary_age(false), n.temporary_age(true)), (50 * 12, 40 * 12));
        assert_eq!(n.claim_min_years, Decimal::from(10));
        assert_eq!((n.index_min.to_string(), n.index_max.to_string()), ("0.6".into(), "3.0".into()));
        assert_eq!(n.index_allowed, "0.6 to 3.0 (60%–300% of the reference wage)");
        assert_eq!(n.default_region, "shandong/weifang");
        assert_eq!(n.rate_allowed, "a fraction between -0.5 and 1 (e.g. 0.04 for 4%)");
        assert_eq!(builtin_rate_range(), (n.rate_min, n.rate_max));
    }

    /// A national file without one of these sections is refused, naming it.
    #[test]
    fn national_rules_are_required() {
        let text = BUILTIN.iter().find(|(p, _)| *p == "national.toml").unwrap().1;
        let cut = text.replace("[temporary_account]", "[temporary_accounts]");
        let err = parse_national("national.toml", &cut).err().unwrap().to_string();
        assert!(err.contains("temporary_account"), "{err}");
        let bad = text.replace("female_age = 40", "female_age = 400");
        let err = parse_national("national.toml", &bad).err().unwrap().to_string();
        assert!(err.contains("temporary_account.female_age: 400; allowed whole years 1 to 120"), "{err}");
    }

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
        let err = parse_region("p.toml", text, (Rounding::default(), &Params::builtin().unwrap().national))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "p.toml: avg_wage at 2022: gap: expected year 2021");
    }

    #[test]
    fn unsorted_dates_and_bad_tags_are_rejected() {
        let text = "[allowance]\nvalues = [\n { from = \"2021-01\", value = \"1\", provenance = \"reported\", source = \"x\" },\n { from = \"2020-01\", value = \"2\", provenance = \"reported\", source = \"x\" },\n]\n";
        let err = parse_region("p.toml", text, (Rounding::default(), &Params::builtin().unwrap().national))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("allowance at 2020-01: dates must be sorted"), "{err}");
        let text =
            "[allowance]\nvalues = [ { from = \"2021-01\", value = \"1\", provenance = \"guess\", source = \"x\" } ]\n";
        let err = parse_region("p.toml", text, (Rounding::default(), &Params::builtin().unwrap().national))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("provenance 'guess'"), "{err}");
    }

    /// `resident_bonus.cap_pct` is a share above 0 and at most 1; the message says so.
    #[test]
    fn bonus_ceiling_out_of_range_is_rejected() {
        let nat = Params::builtin().unwrap().national;
        let text = "[resident_bonus]\nkind = \"per_year\"\nfrom = \"2021-01\"\nper_year = \"2\"\ncap_pct = \"10\"\nprovenance = \"reported\"\nsource = \"x\"\n";
        let err = parse_region("p.toml", text, (Rounding::default(), &nat)).err().unwrap().to_string();
        assert!(
            err.contains("resident_bonus.cap_pct: 10; allowed a share of the basic pension above 0 and at most 1"),
            "{err}"
        );
        let ok = parse_region("p.toml", &text.replace("\"10\"", "\"0.1\""), (Rounding::default(), &nat)).unwrap();
        assert_eq!(ok.resident_bonus.unwrap().cap, Some(Decimal::new(1, 1)));
    }

    /// An unknown key names where it stands (the key alone at the top, `table.key` inside)
    /// and what is allowed there; nested items also give their label.
    #[test]
    fn unknown_keys_are_named_with_what_is_allowed() {
        let nat = Params::builtin().unwrap().national;
        let parse = |text: &str| parse_region("p.toml", text, (Rounding::default(), &nat)).err().unwrap().to_string();
        let err = parse("bogus = 1\n");
        assert!(err.contains("bogus") && err.contains("unknown key; allowed name, "), "{err}");
        let rules = "[employee_rules]\nprovenance = \"reported\"\nsource = \"x\"\n";
        let err = parse(&format!("{rules}bogus = 1\n"));
        assert!(err.contains("employee_rules.bogus") && err.contains("unknown key; allowed provenance, "), "{err}");
        let extra = "[[employee_rules.extra]]\nlabel = \"a\"\nkind = \"flat\"\namount = \"1\"\nprovenance = \"reported\"\nsource = \"x\"\n";
        let err = parse(&format!("{rules}{extra}bogus = 1\n"));
        assert!(
            err.contains("employee_rules.extra.bogus") && err.contains("unknown key; allowed label, kind, "),
            "{err}"
        );
        let err = parse(&format!("{rules}notional = {{ kind = \"add\", divisor = \"120\", bogus = 1 }}\n"));
        assert!(err.contains("employee_rules.notional.bogus") && err.contains("allowed kind, divisor, "), "{err}");
    }

    /// A city's tier tables and 代缴 hold from their first date; before it the province's.
    /// Weifang: Shandong's 2014 table until 2018, its own from 2019; 代缴 its own from 2011.
    /// Zhengzhou: Henan's 2014 table until 2014, its own from 2015.
    #[test]
    fn city_tables_overlay_the_province_from_their_first_date() {
        let p = Params::builtin().unwrap();
        let wf = p.region(p.region_id("shandong/weifang").unwrap());
        let sd = p.region(p.region_id("shandong").unwrap());
        let m = |s: &str| Month::parse(s).unwrap();
        assert_eq!(wf.tiers_at(m("2018-12")), sd.tiers_at(m("2018-12")));
        let own = wf.tiers_at(m("2019-01")).unwrap();
        assert_eq!(own.from, m("2019-01"));
        assert_eq!(own.tiers.iter().find(|t| t.tier == Decimal::from(1000)).unwrap().subsidy, Decimal::from(80));
        let zz = p.region(p.region_id("henan/zhengzhou").unwrap());
        let hn = p.region(p.region_id("henan").unwrap());
        assert_eq!(zz.tiers_at(m("2014-06")), hn.tiers_at(m("2014-06")));
        assert_eq!(zz.tiers_at(m("2015-01")).unwrap().tiers[0].tier, Decimal::from(100));
        assert_eq!(zz.tiers_at(m("2018-01")).unwrap().tiers[0].tier, Decimal::from(200));
        // Zhengzhou's per-year bonus: 2 from 2014 (replacing the national 0 of the same
        // date, Henan having none), 3 from 2018; nothing before 2014, as nationally.
        assert_eq!(zz.bonus_per_year.at(m("2013-06")), None);
        assert_eq!(hn.bonus_per_year.at(m("2017-12")).unwrap().value, Decimal::ZERO);
        assert_eq!(zz.bonus_per_year.at(m("2017-12")).unwrap().value, Decimal::from(2));
        assert_eq!(zz.bonus_per_year.at(m("2018-01")).unwrap().value, Decimal::from(3));
    }

    #[test]
    fn out_of_range_rate_is_rejected() {
        let text = "[resident_account_rate]\nvalues = [ { year = 2021, value = \"5\", provenance = \"reported\", source = \"x\" } ]\n";
        let err = parse_region("p.toml", text, (Rounding::default(), &Params::builtin().unwrap().national))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("resident_account_rate at 2021: 5 is outside the allowed range"), "{err}");
    }
}
