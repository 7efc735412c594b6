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

mod breakeven;
mod compare;
mod fan;
mod path;
mod sensitivity;

pub(crate) use breakeven::*;
pub(crate) use compare::*;
pub(crate) use fan::*;
pub use fan::{MAX_FAN_GROUPS, MAX_FAN_SCENARIOS};
pub(crate) use path::*;
pub(crate) use sensitivity::*;

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

/// Reads the `--paths` rows of the chosen scenarios for `what` (the path and fan charts):
/// `slot` gives a chosen id's place, and `each(place, age, age as written, monthly pension)`
/// runs for every row of a chosen scenario whose age and pension are numbers; a row with
/// either not a number is counted in `skipped`, rows of other scenarios are passed over.
fn path_points(
    paths: &Path,
    what: &str,
    slot: impl Fn(&str) -> Option<usize>,
    skipped: &mut Skipped,
    mut each: impl FnMut(usize, f64, &str, Decimal),
) -> Result<(), ChartError> {
    let mut src = CsvSource::open(paths)?;
    let id_col = src.require("id", what)?;
    let age_col = src.require("age", what)?;
    let pay_col = src.require("monthly_pension", what)?;
    while src.next_record()? {
        let Some(i) = src.get(Some(id_col)).and_then(&slot) else {
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
        each(i, age, age_raw, pay);
    }
    Ok(())
}

fn title_or(req: &ChartRequest, default: String) -> String {
    req.title.clone().unwrap_or(default)
}

/// The short name of a column for titles: its Chinese title without the unit.
fn short_title(col: &str) -> String {
    let t = column_title(col);
    t.split('（').next().unwrap_or(&t).to_string()
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
