//! What each chart kind plots: reads the CSVs, picks and aggregates rows, and describes the
//! chart (titles, series, the CSV of plotted numbers) without drawing anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

use super::data::{
    age_zh, column_title, group_value_title, is_scoped_metric, parse_age, parse_decimal, parse_number, CsvSource,
    Provenance, ResultCols, Skipped,
};
use super::{ChartError, ChartRequest, YScale};

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
    /// Line style slot: dash pattern and marker (see `draw::line_style`), so that lines
    /// differ beyond their colour.
    pub(crate) style: usize,
    pub(crate) points: Vec<(f64, f64)>,
    /// Listed in the legend (strips of one group share one entry).
    pub(crate) in_legend: bool,
    /// Drawn thin and light (many strips).
    pub(crate) thin: bool,
}

impl Series {
    /// A series in colour and style slot `slot`, listed in the legend.
    pub(crate) fn new(name: String, slot: usize, points: Vec<(f64, f64)>) -> Self {
        Self { name, color: slot, style: slot, points, in_legend: true, thin: false }
    }

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

/// A shaded band between two lines (a fan chart's percentile range).
pub(crate) struct Band {
    pub(crate) color: ColorSlot,
    /// Opacity of the fill.
    pub(crate) alpha: f64,
    /// (x, lower, upper), sorted by x.
    pub(crate) points: Vec<(f64, f64, f64)>,
}

/// Lines against a numeric x axis.
pub(crate) struct Lines {
    pub(crate) series: Vec<Series>,
    /// Draw a dot at every point.
    pub(crate) dots: bool,
    /// Show the legend (off for a single unnamed series).
    pub(crate) legend: bool,
    pub(crate) marker: Option<Marker>,
    /// Name each line at its right end instead of in the legend.
    pub(crate) end_labels: bool,
    /// Logarithmic y axis.
    pub(crate) log_y: bool,
    /// Bands drawn under the lines.
    pub(crate) bands: Vec<Band>,
    /// Extra legend entries for the bands: (text, colour slot, opacity).
    pub(crate) band_legend: Vec<(String, ColorSlot, f64)>,
}

impl Lines {
    /// Lines with the defaults: no dots, legend shown, no marker, linear axis, no bands.
    pub(crate) fn new(series: Vec<Series>) -> Self {
        Self {
            series,
            dots: false,
            legend: true,
            marker: None,
            end_labels: false,
            log_y: false,
            bands: Vec::new(),
            band_legend: Vec::new(),
        }
    }
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
        Some(g) => Some(group_column(&src, g, "--group of the compare chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    let mut bars: Vec<BarAcc> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut dropped = 0usize;
    let mut skipped = Skipped::default();
    // Bars grouped by a metric that counts own payments from as_of: the footer says so.
    let mut prov = Provenance::showing_metrics(req.group.as_deref().is_some_and(is_scoped_metric));
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
                 (use --group to aggregate or --id to choose)"
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

/// Results columns that stand for a scenario's inputs: rows equal in all of them but the
/// varied one (and the columns that move with it) form one strip, drawn as one line.
const STRIP_COLUMNS: [&str; 7] =
    ["scheme", "claim_region", "retire", "retire_age", "years", "contribution_index", "tier"];

/// The strip columns left when `vary` is varied: the column itself, and with a retirement
/// month or age also the other one and `years`, which move with it.
fn strip_columns(vary: &str, group: Option<&str>) -> Vec<&'static str> {
    let moved: &[&str] = match vary {
        "retire" | "retire_age" => &["retire", "retire_age", "years"],
        v => std::slice::from_ref(STRIP_COLUMNS.iter().find(|c| **c == v).unwrap_or(&"")),
    };
    STRIP_COLUMNS.into_iter().filter(|c| !moved.contains(c) && Some(*c) != group).collect()
}

/// One row of the sensitivity chart, read and checked: (group key, strip key, x, raw x, total).
type SensRow = (String, String, f64, String, Decimal);

/// Read the current row for the sensitivity chart; `None` (with the reason noted in
/// `skipped`) if it is left out.
#[allow(clippy::too_many_arguments)]
fn sens_row(
    src: &CsvSource,
    cols: &ResultCols,
    wanted: &BTreeSet<&str>,
    vary: &str,
    x_col: usize,
    total_col: usize,
    group_col: Option<usize>,
    strip_cols: &[usize],
    skipped: &mut Skipped,
) -> Option<SensRow> {
    let id = src.get(Some(cols.id)).unwrap_or("");
    if !wanted.is_empty() && !wanted.contains(id) {
        return None;
    }
    if let Some(status) = cols.not_ok(src) {
        skipped.status(status);
        return None;
    }
    let Some(x_raw) = src.get(Some(x_col)) else {
        skipped.unusable(format!("line {}, column {vary}: empty", src.line()));
        return None;
    };
    let Some(x) = parse_number(x_raw) else {
        skipped.unusable(not_a_number(src, vary, x_raw));
        return None;
    };
    let total = match src.get(Some(total_col)).map(|v| (v, parse_decimal(v))) {
        Some((_, Some(d))) => d,
        Some((v, None)) => {
            skipped.unusable(not_a_number(src, "total", v));
            return None;
        }
        None => {
            skipped.unusable(format!("line {}, column total: empty", src.line()));
            return None;
        }
    };
    let group = group_col.and_then(|g| src.get(Some(g))).unwrap_or("").to_string();
    let strip: Vec<&str> = strip_cols.iter().map(|&c| src.get(Some(c)).unwrap_or("")).collect();
    Some((group, strip.join(" | "), x, x_raw.to_string(), total))
}

/// Sensitivity chart: `total` against the `vary` column, one colour per `group` value.
///
/// Rows are drawn as strips: rows that agree in every input column but the varied one
/// ([`STRIP_COLUMNS`] present in the file, less `vary`, the columns that move with it and the
/// group column) are joined by a line; lines never join different strips, so a mixed file
/// gives one line per stylised worker instead of a zigzag through all of them. Strips with
/// several rows at one x are drawn as points.
///
/// At most [`MAX_LINES`] groups and [`MAX_POINTS`] points: the file is read twice, first to
/// count the strips, then to keep the rows of every k-th strip (in order of first
/// appearance, k as small as keeps the points within the limit), so a large file is sampled
/// evenly across its whole length, whole strips at a time. The chart's footer and a warning
/// say how many rows and strips were drawn out of how many.
pub(crate) fn sensitivity(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the sensitivity chart";
    let vary = req.vary.as_deref().unwrap_or(super::DEFAULT_VARY);
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let x_col = src.require(vary, "the x axis of the sensitivity chart (--vary)")?;
    let total_col = src.require("total", WHAT)?;
    let group_col = match &req.group {
        Some(g) => Some(group_column(&src, g, "--group of the sensitivity chart")?),
        None => None,
    };
    let strip_names: Vec<&str> =
        strip_columns(vary, req.group.as_deref()).into_iter().filter(|c| src.col(c).is_some()).collect();
    let strip_cols: Vec<usize> = strip_names.iter().filter_map(|c| src.col(c)).collect();
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    // Pass 1: groups (at most MAX_LINES) and strips with their sizes.
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut strips: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut dropped_groups = 0usize;
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some((group, strip, ..)) =
            sens_row(&src, &cols, &wanted, vary, x_col, total_col, group_col, &strip_cols, &mut skipped)
        else {
            continue;
        };
        let n = groups.len();
        let g = match groups.get(&group) {
            Some(&g) => g,
            None if n < MAX_LINES => {
                groups.insert(group, n);
                n
            }
            None => {
                dropped_groups += 1;
                continue;
            }
        };
        let k = sizes.len();
        let s = *strips.entry((g, strip)).or_insert(k);
        if s == k {
            sizes.push(0);
        }
        sizes[s] += 1;
    }
    skipped.warnings(&req.results, warnings);
    if dropped_groups > 0 {
        warnings
            .push(format!("at most {MAX_LINES} groups are drawn; {dropped_groups} row(s) in further groups left out"));
    }
    if sizes.is_empty() {
        return Err(ChartError::NoData {
            path: req.results.clone(),
            why: format!("no row with status ok and a number in column {vary}"),
        });
    }
    let rows_total: usize = sizes.iter().sum();
    let mut every = 1usize;
    let kept_rows = |every: usize| sizes.iter().step_by(every).sum::<usize>();
    while kept_rows(every) > MAX_POINTS && every < sizes.len() {
        every += 1;
    }
    // A strip larger than the limit by itself (rows that agree in every input): every
    // row_every-th of its rows.
    let row_every = kept_rows(every).div_ceil(MAX_POINTS).max(1);
    let sampled = every > 1 || row_every > 1;

    // Pass 2: the rows of the kept strips.
    let mut src = CsvSource::open(&req.results)?;
    let mut points: BTreeMap<usize, Vec<SensPoint>> = BTreeMap::new();
    // A metric that counts own payments from as_of on the x axis or as the groups.
    let shows_metrics = is_scoped_metric(vary) || req.group.as_deref().is_some_and(is_scoped_metric);
    let mut prov = Provenance::showing_metrics(shows_metrics);
    let mut quiet = Skipped::default();
    let mut seen_in: BTreeMap<usize, usize> = BTreeMap::new();
    while src.next_record()? {
        let Some((group, strip, x, x_raw, total)) =
            sens_row(&src, &cols, &wanted, vary, x_col, total_col, group_col, &strip_cols, &mut quiet)
        else {
            continue;
        };
        let Some(&g) = groups.get(&group) else { continue };
        let Some(&s) = strips.get(&(g, strip)) else { continue };
        if !s.is_multiple_of(every) {
            continue;
        }
        let seen = seen_in.entry(s).or_insert(0usize);
        *seen += 1;
        if !(*seen - 1).is_multiple_of(row_every) {
            continue;
        }
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        points.entry(s).or_default().push(SensPoint { x, x_raw, total, id, label: cols.label(&src) });
        prov.add_row(&src, &cols);
    }
    let by_index: BTreeMap<usize, (usize, &String)> = strips.iter().map(|((g, key), &s)| (s, (*g, key))).collect();
    let group_name: BTreeMap<usize, &String> = groups.iter().map(|(k, &g)| (g, k)).collect();
    let drawn_rows: usize = points.values().map(Vec::len).sum();
    let strips_drawn = points.len();
    let many = strips_drawn > MAX_LINES;

    let mut header = Vec::new();
    if group_col.is_some() {
        header.push(req.group.clone().unwrap_or_default());
    }
    header.extend(["strip".to_string(), "id".into(), "label".into(), vary.to_string(), "total".into()]);
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut listed = BTreeSet::new();
    for (s, pts) in &mut points {
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (g, key) = by_index[s];
        for p in pts.iter() {
            let mut row = Vec::new();
            if group_col.is_some() {
                row.push(group_name[&g].clone());
            }
            row.extend([key.clone(), p.id.clone(), p.label.clone(), p.x_raw.clone(), money(p.total)]);
            rows.push(row);
        }
        let name = match &req.group {
            Some(gc) => group_value_title(gc, group_name[&g]),
            None => "月养老金".into(),
        };
        lines.push(Series {
            in_legend: listed.insert(g),
            thin: many,
            ..Series::new(name, g, pts.iter().map(|p| (p.x, to_f64(p.total))).collect())
        });
    }
    if lines.iter().any(|s| !s.joined()) {
        warnings.push(format!(
            "several rows share a value of {vary} within a strip (rows equal in {}); those strips are drawn as \
             points only (use --group to split them)",
            if strip_names.is_empty() { "every input column".to_string() } else { strip_names.join(", ") }
        ));
    }
    let mut footer = prov.footer(&[&req.results]);
    if strips_drawn > 1 {
        footer.push(format!(
            "每条线连接{}相同、仅{}不同的情景。",
            if strip_names.is_empty() { "各列".to_string() } else { strip_names.join("、") },
            short_title(vary)
        ));
    }
    if sampled {
        let within = if row_every > 1 { format!("，组内每 {row_every} 行取 1 行") } else { String::new() };
        footer.push(format!(
            "均匀抽样：共 {rows_total} 行、{} 组情景，每 {every} 组取 1 组{within}，绘制 {drawn_rows} 行、{strips_drawn} 组。",
            sizes.len()
        ));
        let within =
            if row_every > 1 { format!(", 1 in every {row_every} rows within a strip") } else { String::new() };
        warnings.push(format!(
            "sampled evenly: {drawn_rows} of {rows_total} rows drawn (1 in every {every} of {} strips{within}; \
             {strips_drawn} strip(s) drawn; at most {MAX_POINTS} points)",
            sizes.len()
        ));
    }
    Ok(Prepared {
        title: title_or(req, format!("月养老金随{}的变化", short_title(vary))),
        x_desc: column_title(vary),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { dots: !many, legend: group_col.is_some(), ..Lines::new(lines) }),
        footer,
        table: Table { header, rows },
    })
}

/// The column `name` for `--group`, or an error naming the columns the results do have.
pub(crate) fn group_column(src: &CsvSource, name: &str, needed_for: &str) -> Result<usize, ChartError> {
    src.col(name).ok_or_else(|| ChartError::MissingGroupColumn {
        column: name.to_string(),
        path: src.path().to_path_buf(),
        needed_for: needed_for.to_string(),
        have: src.columns().join(", "),
    })
}

/// What the results file says about one scenario drawn from a paths file.
struct RowInfo {
    label: String,
    breakeven: Option<String>,
    provenance: Option<String>,
    message: Option<String>,
    scope: Option<String>,
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

    /// Footer for the scenarios actually drawn (`shows_metrics`: with the scope of the
    /// break-even age, IRR and money's worth).
    fn footer<'a>(
        &self,
        drawn: impl IntoIterator<Item = &'a String>,
        sources: &[&Path],
        shows_metrics: bool,
    ) -> Vec<String> {
        let mut prov = Provenance::showing_metrics(shows_metrics);
        for id in drawn {
            if let Some(i) = self.info.get(id) {
                prov.add(i.provenance.as_deref(), i.message.as_deref());
                prov.add_scope(i.scope.as_deref());
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
            scope: src.get(cols.scope).map(String::from),
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
            "only the first {MAX_LINES} scenarios are drawn; {} more left out (use --id to choose)",
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
        series.push(Series::new(label, i, p.iter().map(|(a, pay, _)| (*a, to_f64(*pay))).collect()));
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
        plot: Plot::Lines(Lines { end_labels: true, log_y: req.y_scale == YScale::Log, ..Lines::new(series) }),
        footer: chosen.footer(drawn, &[&req.results, paths], false),
        table: Table { header: ["id", "label", "age", "monthly_pension"].map(String::from).to_vec(), rows },
    })
}

/// At most this many groups in a fan chart (each is a median line and two bands).
pub const MAX_FAN_GROUPS: usize = 4;
/// At most this many scenarios feed a fan chart (their pensions are kept, 8 bytes a year).
pub const MAX_FAN_SCENARIOS: usize = 200_000;
/// The percentiles of a fan chart, as (CSV column, p).
const FAN_PERCENTILES: [(&str, u32); 5] = [("p10", 10), ("p25", 25), ("median", 50), ("p75", 75), ("p90", 90)];

/// Nearest-rank percentile of `sorted` (ascending): the value at rank ⌈p·n/100⌉, as in
/// `yanglao summary`.
fn nearest_rank(sorted: &[i64], p: u32) -> i64 {
    let n = sorted.len();
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted[rank - 1]
}

fn fen(v: i64) -> String {
    format!("{}", Decimal::new(v, 2))
}

/// Fan chart: percentiles (p10, p25, median, p75, p90) of the monthly pension by age over
/// the paths of a group of scenarios: all ok rows of the results (or `ids`), or one fan per
/// value of `group` (at most [`MAX_FAN_GROUPS`]). At each age the percentiles are taken over
/// the scenarios that have a pension at that age (nearest rank, the same definition as
/// `yanglao summary`); the CSV beside the chart gives the count with each age.
///
/// The results file is read first to know each chosen scenario's group (at most
/// [`MAX_FAN_SCENARIOS`] scenarios, with a warning beyond); the paths file is then streamed
/// and only the pensions of those scenarios are kept, as whole fen.
pub(crate) fn fan(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the fan chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "fan" })?;
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let group_col = match &req.group {
        Some(g) => Some(group_column(&src, g, "--group of the fan chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();
    let mut groups: Vec<String> = Vec::new();
    let mut member: BTreeMap<String, usize> = BTreeMap::new();
    let (mut other_groups, mut over) = (0usize, 0usize);
    let mut skipped = Skipped::default();
    let mut prov = Provenance::default();
    while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("");
        if !wanted.is_empty() && !wanted.contains(id) {
            continue;
        }
        if let Some(status) = cols.not_ok(&src) {
            skipped.status(status);
            continue;
        }
        let key = group_col.and_then(|g| src.get(Some(g))).unwrap_or("");
        let g = match groups.iter().position(|k| k == key) {
            Some(g) => g,
            None if groups.len() < MAX_FAN_GROUPS => {
                groups.push(key.to_string());
                groups.len() - 1
            }
            None => {
                other_groups += 1;
                continue;
            }
        };
        if member.len() >= MAX_FAN_SCENARIOS {
            over += 1;
            continue;
        }
        member.insert(id.to_string(), g);
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if other_groups > 0 {
        warnings.push(format!(
            "at most {MAX_FAN_GROUPS} groups are drawn; {other_groups} row(s) in further groups left out"
        ));
    }
    if over > 0 {
        warnings.push(format!("only the first {MAX_FAN_SCENARIOS} scenarios are used; {over} more left out"));
    }
    if member.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to draw".into() });
    }

    let mut src = CsvSource::open(paths)?;
    let id_col = src.require("id", WHAT)?;
    let age_col = src.require("age", WHAT)?;
    let pay_col = src.require("monthly_pension", WHAT)?;
    // (group, age in months) → pensions in fen; the age as written, for the CSV.
    let mut values: BTreeMap<(usize, i64), Vec<i64>> = BTreeMap::new();
    let mut age_text: BTreeMap<i64, String> = BTreeMap::new();
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some(&g) = src.get(Some(id_col)).and_then(|id| member.get(id)) else {
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
        let Some(f) = (pay * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_string()
            .parse::<i64>()
            .ok()
            .filter(|f| *f > 0)
        else {
            continue;
        };
        let months = (age * 12.0).round() as i64;
        age_text.entry(months).or_insert_with(|| age_raw.to_string());
        values.entry((g, months)).or_default().push(f);
    }
    skipped.warnings(paths, warnings);
    if values.is_empty() {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: "none of the chosen scenarios has a pension path".into(),
        });
    }

    let mut header = Vec::new();
    if let Some(g) = &req.group {
        header.push(g.clone());
    }
    header.extend(["age", "n"].map(String::from));
    header.extend(FAN_PERCENTILES.iter().map(|(n, _)| n.to_string()));
    let mut rows = Vec::new();
    let mut per_group: Vec<Vec<(f64, [i64; 5])>> = vec![Vec::new(); groups.len()];
    for ((g, months), v) in &mut values {
        v.sort_unstable();
        let q = FAN_PERCENTILES.map(|(_, p)| nearest_rank(v, p));
        let mut row = Vec::new();
        if group_col.is_some() {
            row.push(groups[*g].clone());
        }
        row.push(age_text[months].clone());
        row.push(v.len().to_string());
        row.extend(q.iter().map(|f| fen(*f)));
        rows.push(row);
        per_group[*g].push((*months as f64 / 12.0, q));
    }
    let y = |f: i64| f as f64 / 100.0;
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (g, pts) in per_group.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
        bands.push(Band { color: g, alpha: 0.16, points: pts.iter().map(|(a, q)| (*a, y(q[0]), y(q[4]))).collect() });
        bands.push(Band { color: g, alpha: 0.30, points: pts.iter().map(|(a, q)| (*a, y(q[1]), y(q[3]))).collect() });
        let name = match &req.group {
            Some(c) => format!("{} 中位数", group_value_title(c, &groups[g])),
            None => "中位数".to_string(),
        };
        series.push(Series::new(name, g, pts.iter().map(|(a, q)| (*a, y(q[2]))).collect()));
    }
    let slot = if groups.len() == 1 { 0 } else { 9 };
    let band_legend = vec![("10%–90% 分位".to_string(), slot, 0.16), ("25%–75% 分位".to_string(), slot, 0.41)];
    let n = member.len();
    let title = match &req.group {
        Some(g) => format!("月养老金分布随年龄的变化（按{}分组）", short_title(g)),
        None => "月养老金分布随年龄的变化".to_string(),
    };
    let mut footer = prov.footer(&[&req.results, paths]);
    footer.push(format!("{n} 个情景；各年龄取该年龄有养老金的情景的分位数（最近秩法）。"));
    Ok(Prepared {
        title: title_or(req, title),
        x_desc: "年龄（岁）".into(),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { bands, band_legend, log_y: req.y_scale == YScale::Log, ..Lines::new(series) }),
        footer,
        table: Table { header, rows },
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
    // The cumulative payments, and so the break-even age, count own payments from as_of.
    let mut footer = chosen.footer([&id], &[&req.results, paths], true);
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
            marker,
            ..Lines::new(vec![
                Series { style: 1, ..Series::new("累计个人缴费".into(), 3, paid) },
                Series { style: 0, ..Series::new("累计领取养老金".into(), 0, recv) },
            ])
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
