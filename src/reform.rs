//! `yanglao run … --reform REFORM.toml`: a policy change as patches to the parameters, the
//! baseline and reformed pension of every row side by side, and the change attributed to
//! each patch.
//!
//! # The file
//!
//! ```toml
//! title = "居民基础养老金提标"           # optional, used by the chart
//! [[patch]]
//! name = "floor_plus20"                  # column-name part; default p1, p2, … (letters, digits, _)
//! path = "shandong.resident_floor"       # see below
//! from = "2027-01"                       # effective month (dated parameters only)
//! op = "add"                             # set | add | mul
//! value = "20"                           # a decimal (a string or an integer)
//! ```
//!
//! Paths (`REGION` is a key such as `shandong` or `shandong/weifang`):
//! - step parameters, in force from a month: `national.resident_minimum`,
//!   `REGION.resident_floor`, `REGION.resident_city`, `REGION.allowance`,
//!   `REGION.transitional_rate`, `REGION.bonus_per_year`, `REGION.hardship_amount`. The value
//!   in force at `from` is split there; `add`/`mul` change it and every later step, `set`
//!   replaces it and drops the later steps (the value holds from `from` on).
//! - tier tables: `REGION.resident_tiers.subsidy`, optionally with `tier = "500"` for one
//!   tier (default every tier): a new table starts at `from`, a copy of the one in force
//!   with the subsidies changed; later tables are changed alike (`set`: replaced).
//! - yearly series: `REGION.pension_base` and `REGION.avg_wage` (levels, the year of `from`
//!   and later; a series that ends before it is first extended by the run's wage growth, the
//!   projection rule C8/C14, and years after the series keep growing from the changed last
//!   value), `national.crediting_rate` and `REGION.resident_account_rate` (rates; extended
//!   with the run's `account_rate` to the last projected year, so the change holds for
//!   every later year). `avg_wage` is the average wage *of* a year, so W = avg_wage(y − 1)
//!   changes from the year after `from` (C8).
//! - undated parameters (no `from`): `national.retirement.GROUP.original_age`, `.cap`,
//!   `.step` (GROUP = male, female_cadre, female_worker; whole numbers),
//!   `national.retirement.flexible_window_months`, `national.shares.account`,
//!   `.employee_own`, `.flexible_own`, `national.divisor.resident`.
//!
//! A step parameter the region does not have (no `resident_city`, no dated 代缴) starts
//! from 0 at `from` (for 代缴 this replaces the lowest-tier default of C27.4).
//!
//! A patch on a province also changes its cities that use the province's value (a city
//! overlay with its own value keeps it). Patched values take the patch's `provenance`
//! (default `assumed`). Patches apply in file order, so two patches of one parameter
//! compose (an `add` then a `mul`).
//!
//! # The output
//!
//! After the usual result columns come, for each of [`COLUMNS`], `baseline_C, reform_C,
//! delta_C` (an ineligible row counts 0.00, as printed, and an empty `pension_wealth` 0.00),
//! then `reform_status` and `reform_message`, then the attribution of `delta_total` and of
//! `delta_pension_wealth` to each patch: `delta_total_NAME`, `delta_pension_wealth_NAME`.
//!
//! Attribution, in fen:
//! - `sequential` (default): the patches are switched on one at a time in file order;
//!   patch k gets v(1..k) − v(1..k−1). The parts telescope to the delta exactly (every
//!   v is a whole number of fen), and the last part is computed as the remainder.
//! - `shapley`: the average of that over all orders of the patches, computed exactly as
//!   Σ over subsets S not containing k of |S|! (n − |S| − 1)! (v(S ∪ k) − v(S)) / n!, in
//!   whole fen × n! (integers). Each part is rounded down to the fen and the fen left over
//!   (fewer than n) go one each to the parts with the largest remainders, the earlier
//!   patch first on a tie (largest-remainder method), so the parts sum to the delta
//!   exactly. It projects every row 2^n times: at most [`MAX_SHAPLEY`] patches.

use crate::io::pipeline::RowWriter;
use crate::io::results::{fixed, push_text, Format};
use crate::metrics;
use crate::model::{project, Context, Scenario, Status};
use crate::params::{
    project_series, Month, Params, Provenance, RegionId, Sourced, StepSeries, TierTable, YearSeries, MAX_YEAR,
};
use rust_decimal::Decimal;
use std::path::Path;

/// Most patches for Shapley attribution (each row is projected 2^n times).
pub const MAX_SHAPLEY: usize = 8;
/// Most patches in one file.
pub const MAX_PATCHES: usize = 64;

/// The pension columns compared (names as in the results).
pub const COLUMNS: [&str; 8] =
    ["total", "basic", "account", "transitional", "resident_basic", "bonus", "allowance", "pension_wealth"];

/// How the delta is split among the patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Attribution {
    /// One at a time in file order.
    #[default]
    Sequential,
    /// Average over all orders.
    Shapley,
}

/// An operation of a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Replace.
    Set,
    /// Add.
    Add,
    /// Multiply.
    Mul,
}

impl Op {
    fn apply(self, old: Decimal, v: Decimal) -> Decimal {
        match self {
            Op::Set => v,
            Op::Add => old + v,
            Op::Mul => old * v,
        }
    }
}

/// What a path points at.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// A step series of the national parameters or of regions.
    Step { regions: Vec<RegionId>, national: bool, key: String },
    /// The subsidies of tier tables.
    Subsidy { regions: Vec<RegionId>, tier: Option<Decimal> },
    /// A yearly series (levels grow with wages; rates extend with account_rate).
    Year { regions: Vec<RegionId>, national: bool, key: String, rate: bool },
    /// An undated national value.
    Undated { key: String },
}

/// One validated patch.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Name used in column names.
    pub name: String,
    /// Path as written.
    pub path: String,
    from: Option<Month>,
    op: Op,
    value: Decimal,
    provenance: Provenance,
    target: Target,
}

/// A reform file, validated against the parameters.
#[derive(Debug, Clone)]
pub struct Reform {
    /// Title (for the chart).
    pub title: Option<String>,
    /// Patches in file order.
    pub patches: Vec<Patch>,
}

const STEP_KEYS: [&str; 6] =
    ["resident_floor", "resident_city", "allowance", "transitional_rate", "bonus_per_year", "hardship_amount"];

impl Reform {
    /// Reads and validates a reform file; errors name the file, the patch and the field.
    pub fn load(path: &Path, params: &Params) -> Result<Reform, String> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
        Reform::parse(&file, &text, params)
    }

    /// Parses a reform file's text.
    pub fn parse(file: &str, text: &str, params: &Params) -> Result<Reform, String> {
        let doc: toml::Table = text.parse().map_err(|e| format!("{file}: not valid TOML: {e}"))?;
        if let Some(k) = doc.keys().find(|k| !["title", "patch"].contains(&k.as_str())) {
            return Err(format!("{file}: unknown key '{k}'; allowed title and [[patch]] tables"));
        }
        let title = doc.get("title").and_then(toml::Value::as_str).map(str::to_string);
        let list = doc.get("patch").and_then(toml::Value::as_array).ok_or_else(|| {
            format!("{file}: no [[patch]] tables; each has path, op, value (and from for dated parameters)")
        })?;
        if list.is_empty() || list.len() > MAX_PATCHES {
            return Err(format!("{file}: {} patches; allowed 1 to {MAX_PATCHES}", list.len()));
        }
        let mut patches: Vec<Patch> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let p = parse_patch(file, i, item, params)?;
            if patches.iter().any(|q| q.name == p.name) {
                return Err(format!("{file}: patch {}: name '{}' is used twice; allowed unique names", i + 1, p.name));
            }
            patches.push(p);
        }
        Ok(Reform { title, patches })
    }

    /// The parameters with the patches whose bit is set in `mask` applied, in file order.
    pub fn apply(&self, base: &Params, mask: u64, wage_growth: Decimal, account_rate: Decimal) -> Params {
        let mut p = base.clone();
        for (k, patch) in self.patches.iter().enumerate() {
            if mask & (1 << k) != 0 {
                apply_patch(&mut p, patch, wage_growth, account_rate);
            }
        }
        p
    }
}

fn parse_patch(file: &str, i: usize, item: &toml::Value, params: &Params) -> Result<Patch, String> {
    let at = |field: &str| format!("{file}: patch {} ({field})", i + 1);
    let t = item.as_table().ok_or_else(|| format!("{file}: patch {}: must be a table", i + 1))?;
    const KEYS: [&str; 7] = ["name", "path", "from", "op", "value", "tier", "provenance"];
    if let Some(k) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("{}: unknown field; allowed {}", at(k), KEYS.join(", ")));
    }
    let name = match t.get("name") {
        None => format!("p{}", i + 1),
        Some(v) => {
            let n = v.as_str().unwrap_or_default();
            if n.is_empty() || n.len() > 40 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("{}: '{v}'; allowed 1 to 40 letters, digits or _", at("name")));
            }
            n.to_string()
        }
    };
    let path = t
        .get("path")
        .and_then(toml::Value::as_str)
        .ok_or_else(|| format!("{}: missing; e.g. \"national.resident_minimum\"", at("path")))?
        .trim()
        .to_string();
    let op = match t.get("op").and_then(toml::Value::as_str) {
        Some("set") => Op::Set,
        Some("add") => Op::Add,
        Some("mul") => Op::Mul,
        other => return Err(format!("{}: {other:?}; allowed set, add, mul", at("op"))),
    };
    let decimal = |field: &str, v: &toml::Value| -> Result<Decimal, String> {
        match v {
            toml::Value::String(s) => crate::io::scenario::parse_decimal(s.trim())
                .map_err(|why| format!("{}: '{s}': {why}; allowed a decimal like \"20\" or \"1.1\"", at(field))),
            toml::Value::Integer(n) => Ok(Decimal::from(*n)),
            other => Err(format!("{}: {other}; allowed a decimal written as a string, e.g. \"20\"", at(field))),
        }
    };
    let value = decimal("value", t.get("value").ok_or_else(|| format!("{}: missing", at("value")))?)?;
    let from = match t.get("from") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Month::parse)
                .ok_or_else(|| format!("{}: {v}; allowed a month \"YYYY-MM\"", at("from")))?,
        ),
    };
    let provenance = match t.get("provenance").and_then(toml::Value::as_str) {
        None => Provenance::Assumed,
        Some(p) => Provenance::parse(p).ok_or_else(|| {
            format!("{}: '{p}'; allowed official, provisional, reported, projected, assumed", at("provenance"))
        })?,
    };
    let tier = t.get("tier").map(|v| decimal("tier", v)).transpose()?;
    let bad_path = |why: String| format!("{}: '{path}': {why}", at("path"));
    let (head, rest) = split_region(&path, params).ok_or_else(|| {
        bad_path(format!(
            "no such region; allowed national or a region key ({})",
            params.region_keys().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let regions = |key: &str| -> Vec<RegionId> { head.map(|r| inherited(params, r, key)).unwrap_or_default() };
    let target = match (head, rest.as_str()) {
        (None, "resident_minimum") => Target::Step { regions: Vec::new(), national: true, key: rest.clone() },
        (Some(_), k) if STEP_KEYS.contains(&k) => {
            Target::Step { regions: regions(k), national: false, key: rest.clone() }
        }
        (Some(_), "resident_tiers.subsidy") => Target::Subsidy { regions: regions("resident_tiers"), tier },
        (Some(_), k @ ("pension_base" | "avg_wage")) => {
            Target::Year { regions: regions(k), national: false, key: rest.clone(), rate: false }
        }
        (Some(_), "resident_account_rate") => {
            Target::Year { regions: regions("resident_account_rate"), national: false, key: rest.clone(), rate: true }
        }
        (None, "crediting_rate") => Target::Year { regions: Vec::new(), national: true, key: rest.clone(), rate: true },
        (None, k) if undated(k) => Target::Undated { key: rest.clone() },
        _ => {
            return Err(bad_path(format!(
                "not a parameter a reform can change; allowed national.resident_minimum, national.crediting_rate, \
                 national.retirement.GROUP.original_age|cap|step, national.retirement.flexible_window_months, \
                 national.shares.account|employee_own|flexible_own, national.divisor.resident, and REGION.{}, \
                 REGION.pension_base, REGION.avg_wage, REGION.resident_account_rate, REGION.resident_tiers.subsidy",
                STEP_KEYS.join("|REGION.")
            )))
        }
    };
    if tier.is_some() && !matches!(target, Target::Subsidy { .. }) {
        return Err(format!("{}: only for REGION.resident_tiers.subsidy", at("tier")));
    }
    match (&target, from) {
        (Target::Undated { .. }, Some(_)) => {
            return Err(format!("{}: '{path}' is not dated; allowed: no from (it applies to every row)", at("from")))
        }
        (Target::Undated { key }, None)
            if key.starts_with("retirement.")
                && (value.fract() != Decimal::ZERO || (op == Op::Mul && value < Decimal::ZERO)) =>
        {
            return Err(format!("{}: {value}; allowed a whole number of years or months for {path}", at("value")));
        }
        (Target::Undated { .. }, None) => {}
        (_, None) => return Err(format!("{}: missing; '{path}' is dated, allowed a month \"YYYY-MM\"", at("from"))),
        _ => {}
    }
    if let (Target::Subsidy { regions, tier: Some(tv) }, Some(m)) = (&target, from) {
        let r = params.region(regions[0]);
        if !r.tiers_at(m).or_else(|| r.resident_tiers.first()).is_some_and(|tt| tt.tiers.iter().any(|x| x.tier == *tv))
        {
            return Err(format!("{}: {tv} is not a tier of {} at {m}", at("tier"), r.key));
        }
    }
    if op == Op::Mul && value < Decimal::ZERO {
        return Err(format!("{}: {value}; allowed a factor of 0 or more for mul", at("value")));
    }
    Ok(Patch { name, path, from, op, value, provenance, target })
}

fn undated(k: &str) -> bool {
    matches!(
        k,
        "retirement.flexible_window_months"
            | "shares.account"
            | "shares.employee_own"
            | "shares.flexible_own"
            | "divisor.resident"
    ) || k.strip_prefix("retirement.").and_then(|r| r.split_once('.')).is_some_and(|(g, f)| {
        matches!(g, "male" | "female_cadre" | "female_worker") && matches!(f, "original_age" | "cap" | "step")
    })
}

/// `national.x` → (None, x); `shandong/weifang.x.y` → (Some(id), x.y).
fn split_region(path: &str, params: &Params) -> Option<(Option<RegionId>, String)> {
    let (head, rest) = path.split_once('.')?;
    if head == "national" {
        return Some((None, rest.to_string()));
    }
    Some((Some(params.region_id(head)?), rest.to_string()))
}

/// The region and, for a province, its cities whose value of `key` is the province's.
fn inherited(params: &Params, region: RegionId, key: &str) -> Vec<RegionId> {
    let r = params.region(region);
    let mut out = vec![region];
    if r.province != region {
        return out;
    }
    let same = |a: &crate::params::Region| -> bool {
        match key {
            "resident_floor" => a.resident_floor == r.resident_floor,
            "resident_city" => a.resident_city == r.resident_city,
            "allowance" => a.allowance == r.allowance,
            "transitional_rate" => a.transitional_rate == r.transitional_rate,
            "bonus_per_year" => a.bonus_per_year == r.bonus_per_year,
            "hardship_amount" => a.hardship_amount == r.hardship_amount,
            "resident_tiers" => a.resident_tiers == r.resident_tiers,
            "pension_base" => a.pension_base == r.pension_base,
            "avg_wage" => a.avg_wage == r.avg_wage,
            "resident_account_rate" => a.resident_account_rate == r.resident_account_rate,
            _ => false,
        }
    };
    for (i, a) in params.regions.iter().enumerate() {
        let id = i as RegionId;
        if id != region && a.province == region && same(a) {
            out.push(id);
        }
    }
    out
}

fn patch_steps(s: &mut StepSeries, p: &Patch, from: Month) {
    let in_force = s.at(from);
    let prov = p.provenance;
    if !s.steps.iter().any(|(m, _)| *m == from) {
        let old = in_force.map(|v| v.value).unwrap_or(Decimal::ZERO);
        let at = s.steps.partition_point(|(m, _)| *m < from);
        s.steps.insert(at, (from, Sourced { value: old, provenance: in_force.map_or(prov, |v| v.provenance) }));
    }
    if p.op == Op::Set {
        s.steps.retain(|(m, _)| *m <= from);
    }
    for (m, v) in s.steps.iter_mut().filter(|(m, _)| *m >= from) {
        let _ = m;
        *v = Sourced { value: p.op.apply(v.value, p.value), provenance: v.provenance.max(prov) };
    }
}

fn patch_tiers(tables: &mut Vec<TierTable>, p: &Patch, from: Month, tier: Option<Decimal>) {
    if !tables.iter().any(|t| t.from == from) {
        if let Some(cur) = tables.iter().rev().find(|t| t.from <= from).or(tables.first()).cloned() {
            let at = tables.partition_point(|t| t.from < from);
            tables.insert(at, TierTable { from, ..cur });
        }
    }
    if p.op == Op::Set {
        // Later tables keep their tiers; their subsidies are set too (the value holds).
    }
    for t in tables.iter_mut().filter(|t| t.from >= from) {
        t.provenance = t.provenance.max(p.provenance);
        for x in t.tiers.iter_mut().filter(|x| tier.is_none_or(|v| v == x.tier)) {
            x.subsidy = p.op.apply(x.subsidy, p.value);
        }
    }
}

fn patch_years(s: &mut YearSeries, p: &Patch, from: Month, rate: bool, growth: Decimal, account_rate: Decimal) {
    let y = from.year();
    let through = if rate { MAX_YEAR } else { y };
    if s.last() < through {
        if rate {
            let fill = Sourced { value: account_rate, provenance: Provenance::Projected };
            s.values.resize((through - s.first + 1) as usize, fill);
        } else {
            let grown = project_series(Some(s), s.first, through, growth);
            // A value past the range of exact decimals ends the extension (as in C8).
            let extra: Vec<Sourced<Decimal>> = grown.into_iter().skip(s.values.len()).map_while(|v| v).collect();
            s.values.extend(extra);
        }
    }
    let first = s.first;
    for (k, v) in s.values.iter_mut().enumerate() {
        if first + k as i32 >= y {
            *v = Sourced { value: p.op.apply(v.value, p.value), provenance: v.provenance.max(p.provenance) };
        }
    }
}

fn apply_patch(params: &mut Params, p: &Patch, growth: Decimal, account_rate: Decimal) {
    match &p.target {
        Target::Step { national: true, .. } => {
            if let Some(from) = p.from {
                patch_steps(&mut params.national.resident_minimum, p, from);
            }
        }
        Target::Step { regions, key, .. } => {
            let Some(from) = p.from else { return };
            for r in regions {
                let reg = &mut params.regions[*r as usize];
                let series = match key.as_str() {
                    "resident_floor" => reg.resident_floor.get_or_insert_with(|| StepSeries { steps: Vec::new() }),
                    "resident_city" => reg.resident_city.get_or_insert_with(|| StepSeries { steps: Vec::new() }),
                    "allowance" => reg.allowance.get_or_insert_with(|| StepSeries { steps: Vec::new() }),
                    "transitional_rate" => {
                        reg.transitional_rate.get_or_insert_with(|| StepSeries { steps: Vec::new() })
                    }
                    "bonus_per_year" => &mut reg.bonus_per_year,
                    _ => reg.hardship_amount.get_or_insert_with(|| StepSeries { steps: Vec::new() }),
                };
                patch_steps(series, p, from);
            }
        }
        Target::Subsidy { regions, tier } => {
            let Some(from) = p.from else { return };
            for r in regions {
                patch_tiers(&mut params.regions[*r as usize].resident_tiers, p, from, *tier);
            }
        }
        Target::Year { national: true, .. } => {
            if let Some(from) = p.from {
                patch_years(&mut params.national.crediting_rate, p, from, true, growth, account_rate);
            }
        }
        Target::Year { regions, key, rate, .. } => {
            let Some(from) = p.from else { return };
            for r in regions {
                let reg = &mut params.regions[*r as usize];
                let series = match key.as_str() {
                    "pension_base" => &mut reg.pension_base,
                    "avg_wage" => &mut reg.avg_wage,
                    _ => &mut reg.resident_account_rate,
                };
                match series {
                    Some(s) => patch_years(s, p, from, *rate, growth, account_rate),
                    None if *rate => {
                        let mut s = YearSeries {
                            first: from.year(),
                            values: vec![Sourced { value: account_rate, provenance: Provenance::Projected }],
                        };
                        patch_years(&mut s, p, from, true, growth, account_rate);
                        *series = Some(s);
                    }
                    None => {}
                }
            }
        }
        Target::Undated { key } => {
            let nat = &mut params.national;
            let whole = |v: i32| -> i32 {
                let d = p.op.apply(Decimal::from(v), p.value).round();
                i32::try_from(d.mantissa()).unwrap_or(v).max(0)
            };
            match key.as_str() {
                "retirement.flexible_window_months" => nat.flexible_window = whole(nat.flexible_window),
                "shares.account" => nat.account_share = p.op.apply(nat.account_share, p.value),
                "shares.employee_own" => nat.employee_share = p.op.apply(nat.employee_share, p.value),
                "shares.flexible_own" => nat.flexible_share = p.op.apply(nat.flexible_share, p.value),
                "divisor.resident" => nat.resident_divisor = p.op.apply(nat.resident_divisor, p.value),
                k => {
                    let Some((g, f)) = k.trim_start_matches("retirement.").split_once('.') else { return };
                    let i = match g {
                        "male" => 0,
                        "female_cadre" => 1,
                        _ => 2,
                    };
                    let grp = &mut nat.groups[i];
                    match f {
                        "original_age" => grp.original_age = whole(grp.original_age),
                        "cap" => grp.cap = whole(grp.cap),
                        _ => grp.step = whole(grp.step).max(1),
                    }
                }
            }
        }
    }
}

/// The `run --reform` row writer: the usual row, then the comparison columns.
pub struct ReformWriter {
    reform: Reform,
    attribution: Attribution,
    /// (subset mask, context) for every subset the attribution needs; the baseline
    /// (mask 0) is the run's own context.
    contexts: Vec<(u64, Context)>,
}

/// One evaluation: status, the compared values in fen, or the error message.
type Values = Result<(Status, [i128; COLUMNS.len()]), String>;

impl ReformWriter {
    /// The reform file's title.
    pub fn title(&self) -> Option<String> {
        self.reform.title.clone()
    }

    /// Builds the contexts the attribution needs (n + 1 sequential, 2^n for Shapley).
    pub fn new(reform: Reform, attribution: Attribution, base: &Context) -> Result<ReformWriter, String> {
        let n = reform.patches.len();
        if attribution == Attribution::Shapley && n > MAX_SHAPLEY {
            return Err(format!(
                "--attribution shapley with {n} patches: allowed at most {MAX_SHAPLEY} (every row is projected 2^n times); use sequential attribution"
            ));
        }
        let masks: Vec<u64> = match attribution {
            Attribution::Sequential => (1..=n).map(|k| (1u64 << k) - 1).collect(),
            Attribution::Shapley => (1..(1u64 << n)).collect(),
        };
        let a = &base.assumptions;
        let contexts = masks
            .into_iter()
            .map(|m| {
                let params = reform.apply(&base.params, m, a.wage_growth, a.account_rate);
                let mut ctx = Context::new(params, a.clone());
                ctx.life = base.life.clone();
                (m, ctx)
            })
            .collect();
        Ok(ReformWriter { reform, attribution, contexts })
    }

    fn values(s: &Scenario, ctx: &Context) -> Values {
        let o = project(s, ctx).map_err(|e| e.message(s.line))?;
        let m = metrics::compute(s, &o, ctx);
        let fen = |d: Decimal| crate::params::to_units(d, 2).unwrap_or(0);
        let ok = o.status == Status::Ok;
        let z = |d: Decimal| if ok { fen(d) } else { 0 };
        Ok((
            o.status,
            [
                z(o.total),
                z(o.basic),
                z(o.account),
                z(o.transitional),
                z(o.resident_basic),
                z(o.bonus),
                z(o.allowance),
                m.pension_wealth.filter(|_| ok).map(fen).unwrap_or(0),
            ],
        ))
    }

    /// Attribution of column `c` (index into [`COLUMNS`]) in fen, from v(mask).
    fn attribute(&self, v: &dyn Fn(u64) -> i128, n: usize) -> Vec<i128> {
        let full = (1u64 << n) - 1;
        let delta = v(full) - v(0);
        match self.attribution {
            Attribution::Sequential => {
                let mut parts: Vec<i128> = (0..n).map(|k| v((1u64 << (k + 1)) - 1) - v((1u64 << k) - 1)).collect();
                // The last part is the remainder (equal to its difference: the parts telescope).
                let others: i128 = parts[..n - 1].iter().sum();
                parts[n - 1] = delta - others;
                parts
            }
            Attribution::Shapley => shapley(v, n, delta),
        }
    }
}

/// n! for n ≤ 20.
fn factorial(n: usize) -> i128 {
    (1..=n as i128).product()
}

/// Exact Shapley values in fen with largest-remainder rounding (see the module docs).
fn shapley(v: &dyn Fn(u64) -> i128, n: usize, delta: i128) -> Vec<i128> {
    let nf = factorial(n);
    let mut num = vec![0i128; n];
    for (k, nk) in num.iter_mut().enumerate() {
        for s in 0..(1u64 << n) {
            if s & (1 << k) != 0 {
                continue;
            }
            let size = s.count_ones() as usize;
            *nk += factorial(size) * factorial(n - size - 1) * (v(s | (1 << k)) - v(s));
        }
    }
    let floor: Vec<i128> = num.iter().map(|x| x.div_euclid(nf)).collect();
    let rem: Vec<i128> = num.iter().map(|x| x.rem_euclid(nf)).collect();
    let mut left = delta - floor.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| rem[*b].cmp(&rem[*a]).then(a.cmp(b)));
    let mut parts = floor;
    for k in order {
        if left <= 0 {
            break;
        }
        parts[k] += 1;
        left -= 1;
    }
    parts
}

fn push_fen(out: &mut String, fen: i128) {
    out.push_str(&fixed(Decimal::from_i128_with_scale(fen, 2), 2));
}

impl RowWriter for ReformWriter {
    fn header(&self) -> String {
        let mut h = crate::io::results::header_line();
        h.pop();
        for c in COLUMNS {
            h.push_str(&format!(",baseline_{c},reform_{c},delta_{c}"));
        }
        h.push_str(",reform_status,reform_message");
        for c in ["total", "pension_wealth"] {
            for p in &self.reform.patches {
                h.push_str(&format!(",delta_{c}_{}", p.name));
            }
        }
        h.push('\n');
        h
    }

    fn row(&self, s: &Scenario, ctx: &Context, fmt: Format, out: &mut String) -> Result<Status, String> {
        let o = match project(s, ctx) {
            Ok(o) => o,
            Err(e) => {
                let message = e.message(s.line);
                self.error(&s.id, &s.label, &message, fmt, out);
                return Err(message);
            }
        };
        crate::io::pipeline::push_result(out, s, &o, ctx, fmt);
        out.pop(); // the newline: the comparison follows on the same row
        let base = ReformWriter::values(s, ctx);
        let evals: Vec<(u64, Values)> = self.contexts.iter().map(|(m, c)| (*m, ReformWriter::values(s, c))).collect();
        let n = self.reform.patches.len();
        let full = (1u64 << n) - 1;
        let reformed = evals.iter().find(|(m, _)| *m == full).map(|(_, v)| v.clone()).unwrap_or(base.clone());
        match (&base, &reformed) {
            (Ok((_, b)), Ok((rs, r))) => {
                for k in 0..COLUMNS.len() {
                    for v in [b[k], r[k], r[k] - b[k]] {
                        out.push(',');
                        push_fen(out, v);
                    }
                }
                out.push(',');
                out.push_str(if *rs == Status::Ok { "ok" } else { "ineligible" });
                out.push(',');
                let failed = evals.iter().find_map(|(m, v)| v.as_ref().err().map(|e| (*m, e.clone())));
                match failed {
                    None => {
                        for c in [0, COLUMNS.len() - 1] {
                            let v = |mask: u64| -> i128 {
                                if mask == 0 {
                                    return b[c];
                                }
                                match evals.iter().find(|(m, _)| *m == mask) {
                                    Some((_, Ok((_, x)))) => x[c],
                                    _ => 0,
                                }
                            };
                            let parts = self.attribute(&v, n);
                            for p in parts {
                                out.push(',');
                                push_fen(out, p);
                            }
                        }
                    }
                    Some((mask, e)) => {
                        let names: Vec<&str> = self
                            .reform
                            .patches
                            .iter()
                            .enumerate()
                            .filter(|(k, _)| mask & (1 << k) != 0)
                            .map(|(_, p)| p.name.as_str())
                            .collect();
                        push_text(out, &format!("no attribution: with {} applied: {e}", names.join(" + ")), fmt);
                        for _ in 0..2 * n {
                            out.push(',');
                        }
                    }
                }
            }
            (_, Err(e)) | (Err(e), _) => {
                for _ in 0..COLUMNS.len() * 3 {
                    out.push(',');
                }
                out.push_str(",error,");
                push_text(out, &format!("reform: {e}"), fmt);
                for _ in 0..2 * n {
                    out.push(',');
                }
            }
        }
        out.push('\n');
        Ok(o.status)
    }

    fn error(&self, id: &str, label: &str, message: &str, fmt: Format, out: &mut String) {
        crate::io::results::push_error(out, id, label, message, fmt);
        out.pop();
        for _ in 0..COLUMNS.len() * 3 + 2 + 2 * self.reform.patches.len() {
            out.push(',');
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three patches with an interaction: v(S) in fen for S ⊆ {a, b, c}.
    #[test]
    fn shapley_parts_sum_to_the_delta_and_split_interactions_evenly() {
        // a alone +300, b alone +0, c alone +100; a and b together +600 (b only counts with a).
        let v = |m: u64| -> i128 {
            let (a, b, c) = (m & 1 != 0, m & 2 != 0, m & 4 != 0);
            let mut x = 0;
            if a {
                x += 300;
            }
            if a && b {
                x += 300;
            }
            if c {
                x += 100;
            }
            x
        };
        // Shapley: the a·b interaction (300) splits evenly: a 450, b 150, c 100.
        assert_eq!(shapley(&v, 3, 700), vec![450, 150, 100]);
        // A delta of 1 fen shared by three symmetric patches: 1/3 each, the fen goes to the
        // first (largest remainder, earlier patch on a tie).
        let w = |m: u64| -> i128 { i128::from(m == 7) };
        assert_eq!(shapley(&w, 3, 1), vec![1, 0, 0]);
        let w = |m: u64| -> i128 { 2 * i128::from(m == 7) - i128::from(m.count_ones() == 1) };
        let parts = shapley(&w, 3, 2);
        assert_eq!(parts.iter().sum::<i128>(), 2);
    }
}
