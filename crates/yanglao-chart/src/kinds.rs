//! What each chart kind plots: reads the CSVs, picks and aggregates rows, and describes the
//! chart (titles, series, the CSV of plotted numbers) without drawing anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

use super::data::{
    age_zh, column_title, group_value_title, parse_age, parse_decimal, parse_number, CsvSource, Provenance, ResultCols,
    Skipped,
};
use super::{ChartError, ChartRequest};

/// At most this many bars in a compare chart (scenarios or groups).
pub const MAX_BARS: usize = 40;
/// At most this many lines in a path or sensitivity chart.
pub const MAX_LINES: usize = 12;
/// At most this many points in a sensitivity chart, all series together.
pub const MAX_POINTS: usize = 5000;
/// The breakeven chart looks for the first of at most this many ok scenarios in the paths.
const MAX_BREAKEVEN_CANDIDATES: usize = 10_000;

/// Pension components stacked in the compare chart, bottom to top: results column, legend
/// text and colour slot. The basic pensions sit at the bottom, add-ons on top.
pub(crate) const COMPONENTS: [(&str, &str, ColorSlot); 6] = [
    ("basic", "基础养老金", 0),
    ("resident_basic", "居民基础养老金", 4),
    ("account", "个人账户养老金", 1),
    ("transitional", "过渡性养老金", 2),
    ("bonus", "长缴多得加发", 3),
    ("allowance", "地方补贴", 5),
];

/// Colour slots; see `draw::PALETTE`.
pub(crate) type ColorSlot = usize;

/// One stacked component of the bars.
pub(crate) struct Segment {
    pub(crate) name: String,
    pub(crate) color: ColorSlot,
    pub(crate) values: Vec<f64>,
}

/// Stacked bars, one per scenario or group.
pub(crate) struct Bars {
    pub(crate) labels: Vec<String>,
    pub(crate) segments: Vec<Segment>,
    /// The `total` of each bar, printed on it.
    pub(crate) totals: Vec<f64>,
}

/// One line of a line chart.
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) color: ColorSlot,
    pub(crate) points: Vec<(f64, f64)>,
}

impl Series {
    /// Whether the series is drawn as a line: only when its x values strictly increase
    /// (several points at one x would make a zigzag that means nothing; such series are
    /// drawn as dots only).
    pub(crate) fn joined(&self) -> bool {
        self.points.windows(2).all(|w| w[0].0 < w[1].0)
    }
}

/// A marked point (the break-even age).
pub(crate) struct Marker {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) label: String,
}

/// Lines against a numeric x axis.
pub(crate) struct Lines {
    pub(crate) series: Vec<Series>,
    /// Draw a dot at every point.
    pub(crate) dots: bool,
    /// Show the legend (off for a single unnamed series).
    pub(crate) legend: bool,
    pub(crate) marker: Option<Marker>,
}

/// The drawing itself.
pub(crate) enum Plot {
    Bars(Bars),
    Lines(Lines),
}

/// The numbers plotted, written beside the chart as CSV.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A chart ready to draw.
pub(crate) struct Prepared {
    pub(crate) title: String,
    pub(crate) x_desc: String,
    pub(crate) y_desc: String,
    pub(crate) plot: Plot,
    pub(crate) footer: Vec<String>,
    pub(crate) table: Table,
}

fn money(d: Decimal) -> String {
    format!("{:.2}", d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

fn not_a_number(src: &CsvSource, column: &str, value: &str) -> String {
    format!("line {}, column {column}, value '{value}': not a number", src.line())
}

fn title_or(req: &ChartRequest, default: String) -> String {
    req.title.clone().unwrap_or(default)
}

/// The short name of a column for titles: its Chinese title without the unit.
fn short_title(col: &str) -> String {
    let t = column_title(col);
    t.split('（').next().unwrap_or(&t).to_string()
}

struct BarAcc {
    key: String,
    id: String,
    label: String,
    n: u32,
    comps: Vec<Decimal>,
    total: Decimal,
}

/// Compare chart: monthly pension at the start, one stacked bar per scenario or group.
///
/// Rows are read one at a time; only the first [`MAX_BARS`] scenarios (or groups, in order of
/// first appearance) are kept, the rest are counted in a warning.
pub(crate) fn compare(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the compare chart";
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let comps: Vec<(usize, usize)> =
        COMPONENTS.iter().enumerate().filter_map(|(i, (name, _, _))| src.col(name).map(|c| (i, c))).collect();
    let total_col = match src.col("total") {
        Some(c) => Some(c),
        None if comps.is_empty() => Some(src.require("total", WHAT)?),
        None => None,
    };
    let group_col = match &req.group {
        Some(g) => Some(src.require(g, "--group of the compare chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    let mut bars: Vec<BarAcc> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut dropped = 0usize;
    let mut skipped = Skipped::default();
    let mut prov = Provenance::default();
    'rows: while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        if let Some(status) = cols.not_ok(&src) {
            skipped.status(status);
            continue;
        }
        let mut values = vec![Decimal::ZERO; COMPONENTS.len()];
        for &(i, c) in &comps {
            if let Some(v) = src.get(Some(c)) {
                match parse_decimal(v) {
                    Some(d) => values[i] = d,
                    None => {
                        skipped.unusable(not_a_number(&src, COMPONENTS[i].0, v));
                        continue 'rows;
                    }
                }
            }
        }
        let total = match total_col.map(|c| src.get(Some(c))) {
            None => values.iter().sum(),
            Some(Some(v)) => match parse_decimal(v) {
                Some(d) => d,
                None => {
                    skipped.unusable(not_a_number(&src, "total", v));
                    continue;
                }
            },
            Some(None) => {
                skipped.unusable(format!("line {}, column total: empty", src.line()));
                continue;
            }
        };
        let slot = match group_col {
            Some(g) => {
                let key = src.get(Some(g)).unwrap_or("").to_string();
                match index.get(&key) {
                    Some(&i) => Some(i),
                    None if bars.len() < MAX_BARS => {
                        index.insert(key.clone(), bars.len());
                        bars.push(BarAcc {
                            key,
                            id: id.clone(),
                            label: String::new(),
                            n: 0,
                            comps: vec![Decimal::ZERO; COMPONENTS.len()],
                            total: Decimal::ZERO,
                        });
                        Some(bars.len() - 1)
                    }
                    None => None,
                }
            }
            None if bars.len() < MAX_BARS => {
                bars.push(BarAcc {
                    key: String::new(),
                    id: id.clone(),
                    label: cols.label(&src),
                    n: 0,
                    comps: vec![Decimal::ZERO; COMPONENTS.len()],
                    total: Decimal::ZERO,
                });
                Some(bars.len() - 1)
            }
            None => None,
        };
        let Some(slot) = slot else {
            dropped += 1;
            continue;
        };
        let acc = &mut bars[slot];
        acc.n += 1;
        for (sum, v) in acc.comps.iter_mut().zip(&values) {
            *sum += *v;
        }
        acc.total += total;
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if dropped > 0 {
        warnings.push(match &req.group {
            Some(g) => format!(
                "only the first {MAX_BARS} values of column {g} are drawn; \
                 {dropped} row(s) in further groups left out"
            ),
            None => format!(
                "only the first {MAX_BARS} scenarios are drawn; {dropped} more left out \
                 (use --group to aggregate or --ids to choose)"
            ),
        });
    }
    if bars.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to compare".into() });
    }

    // Group bars show the mean of their rows.
    if group_col.is_some() {
        for b in &mut bars {
            let n = Decimal::from(b.n);
            for v in &mut b.comps {
                *v /= n;
            }
            b.total /= n;
        }
    }

    let mut segments: Vec<Segment> = comps
        .iter()
        .filter(|(i, _)| bars.iter().any(|b| !b.comps[*i].is_zero()))
        .map(|&(i, _)| Segment {
            name: COMPONENTS[i].1.to_string(),
            color: COMPONENTS[i].2,
            values: bars.iter().map(|b| to_f64(b.comps[i])).collect(),
        })
        .collect();
    if segments.is_empty() {
        segments.push(Segment {
            name: "月养老金".into(),
            color: 0,
            values: bars.iter().map(|b| to_f64(b.total)).collect(),
        });
    }

    let comp_names: Vec<String> = comps.iter().map(|(i, _)| COMPONENTS[*i].0.to_string()).collect();
    let mut header: Vec<String> = match group_col {
        Some(_) => vec!["group".into(), "n".into()],
        None => vec!["id".into(), "label".into()],
    };
    header.extend(comp_names);
    header.push("total".into());
    let rows = bars
        .iter()
        .map(|b| {
            let mut row = match group_col {
                Some(_) => vec![b.key.clone(), b.n.to_string()],
                None => vec![b.id.clone(), b.label.clone()],
            };
            row.extend(comps.iter().map(|(i, _)| money(b.comps[*i])));
            row.push(money(b.total));
            row
        })
        .collect();

    let (labels, title, x_desc) = match &req.group {
        Some(g) => (
            bars.iter().map(|b| group_value_title(g, &b.key)).collect(),
            format!("按{}分组的起领月养老金", short_title(g)),
            format!("{}（组内平均）", column_title(g)),
        ),
        None => {
            (bars.iter().map(|b| b.label.clone()).collect(), "各情景起领月养老金对比".to_string(), "情景".to_string())
        }
    };
    Ok(Prepared {
        title: title_or(req, title),
        x_desc,
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Bars(Bars { labels, segments, totals: bars.iter().map(|b| to_f64(b.total)).collect() }),
        footer: prov.footer(&[&req.results]),
        table: Table { header, rows },
    })
}

struct SensPoint {
    x: f64,
    x_raw: String,
    total: Decimal,
    id: String,
    label: String,
}

/// Sensitivity chart: `total` against the `vary` column, one line per `group` value.
///
/// Keeps at most [`MAX_LINES`] series and [`MAX_POINTS`] points; the rest are counted in a
/// warning.
pub(crate) fn sensitivity(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the sensitivity chart";
    let vary = req.vary.as_deref().unwrap_or(super::DEFAULT_VARY);
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let x_col = src.require(vary, "the x axis of the sensitivity chart (--vary)")?;
    let total_col = src.require("total", WHAT)?;
    let group_col = match &req.group {
        Some(g) => Some(src.require(g, "--group of the sensitivity chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    let mut series: Vec<(String, Vec<SensPoint>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut kept = 0usize;
    let mut dropped = 0usize;
    let mut skipped = Skipped::default();
    let mut prov = Provenance::default();
    while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        if let Some(status) = cols.not_ok(&src) {
            skipped.status(status);
            continue;
        }
        let Some(x_raw) = src.get(Some(x_col)) else {
            skipped.unusable(format!("line {}, column {vary}: empty", src.line()));
            continue;
        };
        let Some(x) = parse_number(x_raw) else {
            skipped.unusable(not_a_number(&src, vary, x_raw));
            continue;
        };
        let total = match src.get(Some(total_col)).map(|v| (v, parse_decimal(v))) {
            Some((_, Some(d))) => d,
            Some((v, None)) => {
                skipped.unusable(not_a_number(&src, "total", v));
                continue;
            }
            None => {
                skipped.unusable(format!("line {}, column total: empty", src.line()));
                continue;
            }
        };
        let key = group_col.and_then(|g| src.get(Some(g))).unwrap_or("").to_string();
        let slot = match index.get(&key) {
            Some(&i) => Some(i),
            None if series.len() < MAX_LINES => {
                index.insert(key.clone(), series.len());
                series.push((key, Vec::new()));
                Some(series.len() - 1)
            }
            None => None,
        };
        let Some(slot) = slot.filter(|_| kept < MAX_POINTS) else {
            dropped += 1;
            continue;
        };
        kept += 1;
        series[slot].1.push(SensPoint { x, x_raw: x_raw.to_string(), total, id, label: cols.label(&src) });
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if dropped > 0 {
        warnings.push(format!(
            "at most {MAX_LINES} groups and {MAX_POINTS} points are drawn; \
             {dropped} row(s) left out"
        ));
    }
    if series.is_empty() {
        return Err(ChartError::NoData {
            path: req.results.clone(),
            why: format!("no row with status ok and a number in column {vary}"),
        });
    }
    for (_, pts) in &mut series {
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
    }

    let mut header = Vec::new();
    if group_col.is_some() {
        header.push("group".to_string());
    }
    header.extend(["id".to_string(), "label".to_string(), vary.to_string(), "total".to_string()]);
    let mut rows = Vec::new();
    for (key, pts) in &series {
        for p in pts {
            let mut row = Vec::new();
            if group_col.is_some() {
                row.push(key.clone());
            }
            row.extend([p.id.clone(), p.label.clone(), p.x_raw.clone(), money(p.total)]);
            rows.push(row);
        }
    }
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, (key, pts))| Series {
            name: match &req.group {
                Some(g) => group_value_title(g, key),
                None => "月养老金".into(),
            },
            color: i,
            points: pts.iter().map(|p| (p.x, to_f64(p.total))).collect(),
        })
        .collect::<Vec<_>>();
    if lines.iter().any(|s| !s.joined()) {
        warnings.push(format!(
            "several rows share a value of {vary} within a series; those series are drawn as points \
             only (use --group to split them, e.g. by scheme or years)"
        ));
    }
    Ok(Prepared {
        title: title_or(req, format!("月养老金随{}的变化", short_title(vary))),
        x_desc: column_title(vary),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { series: lines, dots: true, legend: group_col.is_some(), marker: None }),
        footer: prov.footer(&[&req.results]),
        table: Table { header, rows },
    })
}

/// What the results file says about one scenario drawn from a paths file.
struct RowInfo {
    label: String,
    breakeven: Option<String>,
    provenance: Option<String>,
    message: Option<String>,
}

/// The scenarios a paths chart may draw, in order, with their results rows.
struct Chosen {
    ids: Vec<String>,
    info: BTreeMap<String, RowInfo>,
    /// Further ok rows beyond the limit.
    more: usize,
}

impl Chosen {
    fn label(&self, id: &str) -> String {
        self.info.get(id).map_or_else(|| id.to_string(), |i| i.label.clone())
    }

    /// Footer for the scenarios actually drawn.
    fn footer<'a>(&self, drawn: impl IntoIterator<Item = &'a String>, sources: &[&Path]) -> Vec<String> {
        let mut prov = Provenance::default();
        for id in drawn {
            if let Some(i) = self.info.get(id) {
                prov.add(i.provenance.as_deref(), i.message.as_deref());
            }
        }
        prov.footer(sources)
    }
}

/// Pick scenarios from the results file: `req.ids` if given (at most `max`), else the first
/// `max` rows with status ok. Keeps label, `breakeven_age` and provenance of those rows only.
fn choose(req: &ChartRequest, max: usize, what: &str, warnings: &mut Vec<String>) -> Result<Chosen, ChartError> {
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, what)?;
    let be_col = src.col("breakeven_age");
    let explicit: Vec<String> = {
        let mut seen = BTreeSet::new();
        req.ids.iter().filter(|i| seen.insert(i.as_str())).take(max).cloned().collect()
    };
    if req.ids.len() > explicit.len() {
        warnings.push(format!("only the first {max} of the requested ids are drawn"));
    }
    let mut chosen = Chosen { ids: explicit.clone(), info: BTreeMap::new(), more: 0 };
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if explicit.is_empty() {
            if let Some(status) = cols.not_ok(&src) {
                skipped.status(status);
                continue;
            }
            if chosen.info.contains_key(&id) {
                continue;
            }
            if chosen.ids.len() >= max {
                chosen.more += 1;
                continue;
            }
            chosen.ids.push(id.clone());
        } else if !explicit.contains(&id) || chosen.info.contains_key(&id) {
            continue;
        } else if let Some(status) = cols.not_ok(&src) {
            warnings.push(format!("scenario {id} has status {status} in the results"));
        }
        let info = RowInfo {
            label: cols.label(&src),
            breakeven: src.get(be_col).map(String::from),
            provenance: src.get(cols.provenance).map(String::from),
            message: src.get(cols.message).map(String::from),
        };
        chosen.info.insert(id, info);
    }
    skipped.warnings(&req.results, warnings);
    for id in &explicit {
        if !chosen.info.contains_key(id) {
            warnings.push(format!("id {id} is not in {}", req.results.display()));
        }
    }
    if chosen.ids.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to draw".into() });
    }
    Ok(chosen)
}

/// Path chart: monthly pension by age after retirement, one line per scenario.
///
/// The paths file is streamed; only rows of the chosen scenarios (at most [`MAX_LINES`]) with
/// a positive `monthly_pension` are kept.
pub(crate) fn path(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the path chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "path" })?;
    let chosen = choose(req, MAX_LINES, WHAT, warnings)?;
    if chosen.more > 0 {
        warnings.push(format!(
            "only the first {MAX_LINES} scenarios are drawn; {} more left out (use --ids to choose)",
            chosen.more
        ));
    }
    let mut src = CsvSource::open(paths)?;
    let id_col = src.require("id", WHAT)?;
    let age_col = src.require("age", WHAT)?;
    let pay_col = src.require("monthly_pension", WHAT)?;
    let slot: BTreeMap<&str, usize> = chosen.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut pts: Vec<Vec<(f64, Decimal, String)>> = vec![Vec::new(); chosen.ids.len()];
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some(&i) = src.get(Some(id_col)).and_then(|id| slot.get(id)) else {
            continue;
        };
        let (Some(age_raw), Some(pay_raw)) = (src.get(Some(age_col)), src.get(Some(pay_col))) else {
            continue;
        };
        let Some(age) = parse_age(age_raw) else {
            skipped.unusable(not_a_number(&src, "age", age_raw));
            continue;
        };
        let Some(pay) = parse_decimal(pay_raw) else {
            skipped.unusable(not_a_number(&src, "monthly_pension", pay_raw));
            continue;
        };
        if pay > Decimal::ZERO {
            pts[i].push((age, pay, age_raw.to_string()));
        }
    }
    skipped.warnings(paths, warnings);

    let mut series = Vec::new();
    let mut rows = Vec::new();
    let mut drawn = Vec::new();
    for (i, (id, mut p)) in chosen.ids.iter().zip(pts).enumerate() {
        if p.is_empty() {
            warnings.push(format!("scenario {id} has no row with monthly_pension > 0 in {}", paths.display()));
            continue;
        }
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        let label = chosen.label(id);
        drawn.push(id);
        for (_, pay, age_raw) in &p {
            rows.push(vec![id.clone(), label.clone(), age_raw.clone(), money(*pay)]);
        }
        series.push(Series { name: label, color: i, points: p.iter().map(|(a, pay, _)| (*a, to_f64(*pay))).collect() });
    }
    if series.is_empty() {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: "none of the chosen scenarios has a pension path".into(),
        });
    }
    Ok(Prepared {
        title: title_or(req, "月养老金领取路径".into()),
        x_desc: "年龄（岁）".into(),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { series, dots: false, legend: true, marker: None }),
        footer: chosen.footer(drawn, &[&req.results, paths]),
        table: Table { header: ["id", "label", "age", "monthly_pension"].map(String::from).to_vec(), rows },
    })
}

/// Linear interpolation of `pts` (sorted by x) at `x`, clamped to the ends.
fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    match pts.iter().position(|p| p.0 >= x) {
        None => pts.last().map_or(0.0, |p| p.1),
        Some(0) => pts[0].1,
        Some(i) => {
            let (a, b) = (pts[i - 1], pts[i]);
            if b.0 == a.0 {
                b.1
            } else {
                a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
            }
        }
    }
}

/// Break-even chart: cumulative own payments and cumulative pension received by age for one
/// scenario, with the break-even age marked.
///
/// The marked age is the results column `breakeven_age` (e.g. `67y3m`) when present, else
/// the first age in the paths file where received ≥ paid.
pub(crate) fn breakeven(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the breakeven chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "breakeven" })?;
    if req.ids.len() > 1 {
        warnings.push(format!("draws one scenario; using id {}", req.ids[0]));
    }
    let one = ChartRequest { ids: req.ids.iter().take(1).cloned().collect(), ..req.clone() };
    let chosen = choose(&one, MAX_BREAKEVEN_CANDIDATES, WHAT, warnings)?;

    // The first candidate (in results order) that has rows in the paths file; a candidate
    // ranked earlier replaces the rows kept so far.
    let mut src = CsvSource::open(paths)?;
    let id_col = src.require("id", WHAT)?;
    let age_col = src.require("age", WHAT)?;
    let paid_col = src.require("cumulative_paid", WHAT)?;
    let recv_col = src.require("cumulative_received", WHAT)?;
    let rank: BTreeMap<&str, usize> = chosen.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut best: Option<usize> = None;
    let mut pts: Vec<(f64, String, Decimal, Decimal)> = Vec::new();
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some(&r) = src.get(Some(id_col)).and_then(|id| rank.get(id)) else {
            continue;
        };
        if best.is_none_or(|b| r < b) {
            best = Some(r);
            pts.clear();
            skipped = Skipped::default();
        }
        if best != Some(r) {
            continue;
        }
        let cells = [age_col, paid_col, recv_col].map(|c| src.get(Some(c)).unwrap_or(""));
        let Some(age) = parse_age(cells[0]) else {
            skipped.unusable(not_a_number(&src, "age", cells[0]));
            continue;
        };
        let (Some(paid), Some(recv)) = (parse_decimal(cells[1]), parse_decimal(cells[2])) else {
            let (col, v) = if parse_decimal(cells[1]).is_none() {
                ("cumulative_paid", cells[1])
            } else {
                ("cumulative_received", cells[2])
            };
            skipped.unusable(not_a_number(&src, col, v));
            continue;
        };
        pts.push((age, cells[0].to_string(), paid, recv));
    }
    skipped.warnings(paths, warnings);
    let Some(best) = best.filter(|_| !pts.is_empty()) else {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: match req.ids.first() {
                Some(id) => format!("no usable rows for scenario {id}"),
                None => "no usable rows for any scenario with status ok in the results".into(),
            },
        });
    };
    let id = chosen.ids[best].clone();
    if best > 0 {
        warnings.push(format!(
            "scenario {} has no rows in {}; drawing {id}, the first that has",
            chosen.ids[0],
            paths.display()
        ));
    }
    let label = chosen.label(&id);
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let paid: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, to_f64(p.2))).collect();
    let recv: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, to_f64(p.3))).collect();

    let from_results = chosen.info.get(&id).and_then(|i| i.breakeven.as_ref()).and_then(|raw| match parse_age(raw) {
        Some(x) => Some((x, format!("回本年龄：{}", age_zh(raw)))),
        None => {
            warnings.push(format!(
                "breakeven_age '{raw}' of scenario {id} is not an age like 67y3m; \
                 using the paths file instead"
            ));
            None
        }
    });
    let found = from_results.or_else(|| {
        pts.iter()
            .find(|p| p.3 >= p.2 && p.3 > Decimal::ZERO)
            .map(|p| (p.0, format!("回本年龄：约{}岁（按路径）", p.1)))
    });
    let mut footer = chosen.footer([&id], &[&req.results, paths]);
    let marker = match found {
        Some((x, label)) => Some(Marker { x, y: interpolate(&paid, x), label }),
        None => {
            let last = &pts[pts.len() - 1].1;
            warnings.push(format!("scenario {id} does not break even by age {last}"));
            footer.push(format!("至{}岁未回本。", age_zh(last)));
            None
        }
    };

    let mut rows = Vec::new();
    for (name, col) in [("cumulative_paid", 2), ("cumulative_received", 3)] {
        for p in &pts {
            let v = if col == 2 { p.2 } else { p.3 };
            rows.push(vec![id.clone(), label.clone(), name.to_string(), p.1.clone(), money(v)]);
        }
    }
    if let Some(m) = &marker {
        rows.push(vec![id.clone(), label.clone(), "breakeven".into(), format!("{:.4}", m.x), format!("{:.2}", m.y)]);
    }
    Ok(Prepared {
        title: title_or(req, format!("回本分析：{label}")),
        x_desc: "年龄（岁）".into(),
        y_desc: "累计金额（元）".into(),
        plot: Plot::Lines(Lines {
            series: vec![
                Series { name: "累计个人缴费".into(), color: 3, points: paid },
                Series { name: "累计领取养老金".into(), color: 0, points: recv },
            ],
            dots: false,
            legend: true,
            marker,
        }),
        footer,
        table: Table { header: ["id", "label", "series", "age", "value"].map(String::from).to_vec(), rows },
    })
}

/// Whether column `col` of the results file has at least two distinct numbers among the rows
/// with status ok (the test `render_all` uses to decide on a sensitivity chart).
pub(crate) fn varies(results: &Path, col: &str) -> Result<bool, ChartError> {
    let mut src = CsvSource::open(results)?;
    let cols = ResultCols::find(&src, "the sensitivity chart")?;
    let Some(c) = src.col(col) else {
        return Ok(false);
    };
    let mut first: Option<f64> = None;
    while src.next_record()? {
        if cols.not_ok(&src).is_some() {
            continue;
        }
        if let Some(x) = src.get(Some(c)).and_then(parse_number) {
            match first {
                None => first = Some(x),
                Some(f) if f != x => return Ok(true),
                Some(_) => {}
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_clamps_and_blends() {
        let p = [(60.0, 0.0), (61.0, 10.0), (62.0, 30.0)];
        assert_eq!(interpolate(&p, 59.0), 0.0);
        assert_eq!(interpolate(&p, 61.5), 20.0);
        assert_eq!(interpolate(&p, 70.0), 30.0);
    }
}
