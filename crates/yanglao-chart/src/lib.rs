//! Publication-ready charts with Chinese text (plotters, bundled font).
//!
//! [`render`] draws one chart from a results CSV (contract §7) and, for the `path` and
//! `breakeven` kinds, a paths CSV; [`render_all`] draws the standard set for
//! `yanglao run … --charts DIR`. Every chart is written as PNG or SVG (by the output's
//! extension) together with a CSV of exactly the numbers plotted (same stem, `.csv`).
//!
//! * Columns are read by name; optional ones may be missing. Rows whose `status` is not
//!   `ok` are left out with a warning that counts them.
//! * Text is Chinese out of the box: a Simplified-Chinese subset of Noto Sans CJK SC is
//!   compiled in (see `assets/fonts/`); `--font` loads another font. Every drawn string is
//!   checked against the font, and each missing character gives a warning that names the
//!   string and the character.
//! * The default canvas is 2400 × 1500 px at 300 dpi (20.3 × 12.7 cm); text sizes are set
//!   in points and scaled with the dpi, and the dpi is written into the PNG (`pHYs`) and
//!   into the SVG's width and height (in mm). SVG text is drawn as glyph outlines, so it
//!   looks the same without the font installed; each string is kept in `aria-label`. With
//!   `svg_text`, strings are `<text>` elements naming the font family instead (editable in
//!   an SVG editor, shown in the viewer's copy of the font or a stand-in).
//! * A footer names the source (`yanglao` and the input files) and, when any plotted row's
//!   `provenance` is `assumed` or `projected`, says 含假设参数 with the weakest tag, and lists
//!   the assumptions the rows' `message` cells mention.
//! * Output is deterministic: the same input gives byte-identical files (no timestamps, no
//!   hash-map iteration order).
#![forbid(unsafe_code)]

mod backend;
mod data;
mod draw;
mod font;
mod kinds;
mod reform;

// The reading helpers of yanglao-io (line ends, records), as `crate::io::…`.
pub(crate) use yanglao_io as io;

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};

use backend::{TextBackend, TextLog, TextMode};
use font::ChartFont;
use kinds::Prepared;

pub use kinds::{MAX_BARS, MAX_FAN_GROUPS, MAX_FAN_SCENARIOS, MAX_LINES, MAX_POINTS};

/// Default width in pixels (20.3 cm at 300 dpi).
pub const DEFAULT_WIDTH: u32 = 2400;
/// Default height in pixels (12.7 cm at 300 dpi).
pub const DEFAULT_HEIGHT: u32 = 1500;
/// Default resolution in dots per inch.
pub const DEFAULT_DPI: u32 = 300;
/// Column the sensitivity chart puts on the x axis when `vary` is not given.
pub const DEFAULT_VARY: &str = "contribution_index";

/// Accepted canvas sizes (pixels, each side) and resolutions (dpi).
const SIZE_RANGE: std::ops::RangeInclusive<u32> = 100..=10_000;
const DPI_RANGE: std::ops::RangeInclusive<u32> = 50..=2400;

/// What kind of chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Monthly pension at the start, one stacked bar per scenario or group.
    Compare,
    /// Monthly pension by age after retirement, one line per scenario (needs paths).
    Path,
    /// Cumulative own payments vs cumulative pension received by age (needs paths).
    Breakeven,
    /// Total pension against one varied input column.
    Sensitivity,
    /// Change in the monthly pension made by a reform, stacked by patch (`run --reform`).
    Reform,
    /// Percentiles of a group's monthly pension by age (needs paths).
    Fan,
}

impl ChartKind {
    /// All kinds, in the order `render_all` draws them.
    pub const ALL: [ChartKind; 5] =
        [ChartKind::Compare, ChartKind::Sensitivity, ChartKind::Path, ChartKind::Breakeven, ChartKind::Fan];

    /// The kind's name on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Compare => "compare",
            ChartKind::Path => "path",
            ChartKind::Breakeven => "breakeven",
            ChartKind::Sensitivity => "sensitivity",
            ChartKind::Reform => "reform",
            ChartKind::Fan => "fan",
        }
    }
}

impl fmt::Display for ChartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ChartKind {
    type Err = ChartError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChartKind::ALL
            .into_iter()
            .chain([ChartKind::Reform])
            .find(|k| k.name() == s)
            .ok_or_else(|| ChartError::UnknownKind(s.to_string()))
    }
}

/// Everything one chart needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct ChartRequest {
    /// Results CSV (contract §7 columns).
    pub results: PathBuf,
    /// Optional paths CSV (`--paths`).
    pub paths: Option<PathBuf>,
    /// Chart kind.
    pub kind: ChartKind,
    /// Output file; `.png` or `.svg` by extension. The plotted numbers go beside it as `.csv`.
    pub output: PathBuf,
    /// Column to group scenarios by (compare, sensitivity).
    pub group: Option<String>,
    /// Column on the x axis for `sensitivity`.
    pub vary: Option<String>,
    /// Restrict to these scenario ids (breakeven, path; compare and sensitivity also keep
    /// only these rows when the list is not empty).
    pub ids: Vec<String>,
    /// Title override.
    pub title: Option<String>,
    /// Pixel width and height.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Dots per inch written into the PNG and used to scale text.
    pub dpi: u32,
    /// Font file to use instead of the bundled one.
    pub font: Option<PathBuf>,
    /// Scale of the y axis (`path` and `fan`; the other kinds are always linear).
    pub y_scale: YScale,
    /// SVG: write text as `<text>` elements naming the font family (editable in an SVG
    /// editor) instead of glyph outlines.
    pub svg_text: bool,
}

/// Scale of a chart's y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YScale {
    /// Linear from zero.
    #[default]
    Linear,
    /// Logarithmic (base 10), for lines of very different heights.
    Log,
}

impl ChartRequest {
    /// A request with the defaults: 2400 × 1500 px, 300 dpi, bundled font, no grouping,
    /// no id filter, default title.
    pub fn new(kind: ChartKind, results: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        Self {
            results: results.into(),
            paths: None,
            kind,
            output: output.into(),
            group: None,
            vary: None,
            ids: Vec::new(),
            title: None,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            dpi: DEFAULT_DPI,
            font: None,
            y_scale: YScale::Linear,
            svg_text: false,
        }
    }
}

/// What a render wrote and what the reader should know about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartReport {
    /// Files written, in order: each chart, then its CSV.
    pub files: Vec<PathBuf>,
    /// Warnings (rows left out, labels shortened, characters missing from the font, …),
    /// each starting with the chart kind.
    pub warnings: Vec<String>,
}

impl ChartReport {
    fn absorb(&mut self, other: ChartReport) {
        self.files.extend(other.files);
        self.warnings.extend(other.warnings);
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// An input file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An input file is not valid CSV.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The CSV error (with its position).
        source: csv::Error,
    },
    /// A column the chart needs is not in the file's header.
    #[error("column `{column}` is missing in {path}; it is needed for {needed_for}")]
    MissingColumn {
        /// The column name.
        column: String,
        /// The file.
        path: PathBuf,
        /// What needs the column.
        needed_for: String,
    },
    /// The `--group` column is not in the results file.
    #[error(
        "column `{column}` is not in {path} ({needed_for}); group by a column the results have: {have} \
         (an input column can be grouped by once the results echo it)"
    )]
    MissingGroupColumn {
        /// The column name.
        column: String,
        /// The file.
        path: PathBuf,
        /// What needs the column.
        needed_for: String,
        /// The columns the file has, comma-separated.
        have: String,
    },
    /// A paths chart was asked for without a paths file.
    #[error("the {kind} chart needs a paths CSV (--paths FILE)")]
    NeedsPaths {
        /// The chart kind.
        kind: &'static str,
    },
    /// Nothing is left to plot.
    #[error("nothing to plot from {path}: {why}")]
    NoData {
        /// The file.
        path: PathBuf,
        /// Why no row qualifies.
        why: String,
    },
    /// The font cannot be loaded.
    #[error("cannot use font {source_name}: {reason}")]
    Font {
        /// The font file (or "bundled font").
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// The output name does not end in `.png` or `.svg`.
    #[error("output {path}: the file name must end in .png or .svg")]
    Format {
        /// The output file.
        path: PathBuf,
    },
    /// The canvas size or resolution is out of range.
    #[error(
        "chart size {width}x{height} px at {dpi} dpi is out of range \
         (width and height 100-10000 px, dpi 50-2400)"
    )]
    Size {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Dots per inch.
        dpi: u32,
    },
    /// The CSV of plotted numbers would replace an input file.
    #[error("the chart's CSV {output} would overwrite the input {input}; choose another output name")]
    Overwrite {
        /// The CSV beside the chart.
        output: PathBuf,
        /// The input it would replace.
        input: PathBuf,
    },
    /// An output file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// plotters failed while drawing or the PNG encoder failed.
    #[error("drawing {path} failed: {message}")]
    Draw {
        /// The output file.
        path: PathBuf,
        /// The underlying message.
        message: String,
    },
    /// An unknown chart kind name.
    #[error("unknown chart kind '{0}'; allowed: compare, path, breakeven, sensitivity, fan, reform")]
    UnknownKind(String),
}

/// Output format, from the output file's extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

fn format_of(path: &Path) -> Result<Format, ChartError> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(ChartError::Format { path: path.to_path_buf() }),
    }
}

/// Draw one chart: writes `req.output` (PNG or SVG by extension) and, beside it, a CSV with
/// the same stem holding exactly the numbers plotted.
///
/// * `compare`: monthly pension at the start, one bar per scenario (label = `label`, else
///   `id`) or per value of `group` (mean of the group's rows), stacked by the components
///   `basic, account, transitional, resident_basic, bonus, allowance`, with `total` printed
///   on each bar. At most [`MAX_BARS`] bars: further scenarios or groups are left out with a
///   warning (use `group` to aggregate, or `ids` to choose).
/// * `path`: `monthly_pension` by age after retirement from the paths CSV, one line per
///   scenario (`ids`, else the first [`MAX_LINES`] ok rows of the results).
/// * `breakeven`: `cumulative_paid` and `cumulative_received` by age for one scenario
///   (`ids[0]`, else the first ok row that has rows in the paths file), with the break-even age marked: the results column
///   `breakeven_age` (`67y3m`) if present, else the first age where received ≥ paid.
/// * `sensitivity`: `total` against the `vary` column (default `contribution_index`; any
///   numeric column, ages like `60y2m` too), one colour per `group` value; lines join only
///   rows that agree in every other input column (strips), and a file with more than
///   [`MAX_POINTS`] rows is sampled evenly, whole strips at a time, with a note on the chart.
/// * `fan`: percentiles (p10, p25, median, p75, p90, nearest rank) of `monthly_pension` by
///   age over the paths of all chosen scenarios, or one fan per `group` value.
///
/// `path` names each line at its end, and `path` and `fan` take a log y axis
/// (`y_scale`); lines differ in dash pattern and marker as well as colour. Titles, legend
/// entries and bar labels wrap onto several lines rather than being cut. `svg_text` keeps
/// SVG text as `<text>` naming the font family.
///
/// Input files are read record by record and only the rows that are plotted are kept, so
/// results and paths files of any length are fine.
pub fn render(req: &ChartRequest) -> Result<ChartReport, ChartError> {
    if !SIZE_RANGE.contains(&req.width) || !SIZE_RANGE.contains(&req.height) || !DPI_RANGE.contains(&req.dpi) {
        return Err(ChartError::Size { width: req.width, height: req.height, dpi: req.dpi });
    }
    let format = format_of(&req.output)?;
    let csv_path = req.output.with_extension("csv");
    for input in std::iter::once(&req.results).chain(&req.paths) {
        if same_file(input, &csv_path) {
            return Err(ChartError::Overwrite { output: csv_path, input: input.clone() });
        }
    }
    let font = ChartFont::load(req.font.as_deref())?;
    let mut warnings = Vec::new();
    let prepared = match req.kind {
        ChartKind::Compare => kinds::compare(req, &mut warnings)?,
        ChartKind::Sensitivity => kinds::sensitivity(req, &mut warnings)?,
        ChartKind::Path => kinds::path(req, &mut warnings)?,
        ChartKind::Breakeven => kinds::breakeven(req, &mut warnings)?,
        ChartKind::Reform => reform::reform(req, &mut warnings)?,
        ChartKind::Fan => kinds::fan(req, &mut warnings)?,
    };
    let bytes = match format {
        Format::Png => png_bytes(req, &prepared, &font, &mut warnings)?,
        Format::Svg => svg_bytes(req, &prepared, &font, &mut warnings)?,
    };
    let table = csv_bytes(&prepared, &csv_path)?;
    write(&req.output, &bytes)?;
    write(&csv_path, &table)?;
    Ok(ChartReport {
        files: vec![req.output.clone(), csv_path],
        warnings: warnings.into_iter().map(|w| format!("{} chart: {w}", req.kind)).collect(),
    })
}

/// The kinds `run --charts` may draw ([`render_all`], and `reform` with `--reform`), by file stem.
const STANDARD_KINDS: [&str; 5] = ["compare", "sensitivity", "path", "breakeven", "reform"];

/// Refuses a `--charts` folder that cannot be used, before anything is computed: an
/// existing file that is not a folder (the charts would fail after the run, with results
/// left behind), or a folder where a chart or its CSV would replace one of the run's own
/// files (`files`: the inputs and outputs, e.g. `-o DIR/compare.csv`).
pub fn check_dir(dir: &Path, files: &[Option<&PathBuf>]) -> Result<(), ChartError> {
    let refuse =
        |message: String| ChartError::Write { path: dir.to_path_buf(), source: std::io::Error::other(message) };
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(refuse(
                "--charts names an existing file, not a folder; allowed: a folder (it is created if missing)".into(),
            ))
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(refuse(format!("cannot be used ({e})"))),
        _ => {}
    }
    for file in files.iter().flatten() {
        for kind in STANDARD_KINDS {
            for ext in ["png", "svg", "csv"] {
                let chart = dir.join(format!("{kind}.{ext}"));
                if same_file(&chart, file) || chart == **file {
                    return Err(refuse(format!(
                        "the {kind} chart would write {} over {}, a file of this run; allowed: another folder",
                        chart.display(),
                        file.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Draw the standard charts for `yanglao run … --charts DIR` into `dir` (created if missing):
///
/// * `compare.png` — always;
/// * `sensitivity.png` — on `base.vary` if given (an error if that column is missing),
///   else on the first of `contribution_index`, `tier` that takes at least two different
///   values among the ok rows; without such a column it is skipped with a warning;
/// * `path.png` and `breakeven.png` — when `paths` is given.
///
/// Each chart has its `.csv` beside it. Files are PNG unless `base.output` ends in `.svg`.
/// From `base` are taken: `group`, `vary`, `ids`, size, dpi and font; its `results`,
/// `paths`, `kind`, `output` (but its extension) and `title` are ignored.
///
/// Big inputs stay readable and cheap: the files are streamed and only plotted rows are
/// kept; compare draws at most [`MAX_BARS`] bars (the first scenarios in file order, or the
/// first groups when `group` is set) and path at most [`MAX_LINES`] lines, each with a
/// warning that counts what was left out.
pub fn render_all(
    results: &Path,
    paths: Option<&Path>,
    dir: &Path,
    base: &ChartRequest,
) -> Result<ChartReport, ChartError> {
    std::fs::create_dir_all(dir).map_err(|e| ChartError::Write { path: dir.to_path_buf(), source: e })?;
    let ext = match format_of(&base.output) {
        Ok(Format::Svg) => "svg",
        _ => "png",
    };
    let request = |kind: ChartKind| ChartRequest {
        results: results.to_path_buf(),
        paths: paths.map(Path::to_path_buf),
        kind,
        output: dir.join(format!("{kind}.{ext}")),
        title: None,
        ..base.clone()
    };
    let mut report = ChartReport::default();
    report.absorb(render(&request(ChartKind::Compare))?);

    let vary = match &base.vary {
        Some(v) => Some(v.clone()),
        None => {
            let mut found = None;
            for candidate in [DEFAULT_VARY, "tier"] {
                if kinds::varies(results, candidate)? {
                    found = Some(candidate.to_string());
                    break;
                }
            }
            found
        }
    };
    match vary {
        Some(v) => report.absorb(render(&ChartRequest { vary: Some(v), ..request(ChartKind::Sensitivity) })?),
        None => report.warnings.push(
            "sensitivity chart: not drawn; neither contribution_index nor tier varies among the \
             ok rows (choose a column with --vary)"
                .into(),
        ),
    }
    if paths.is_some() {
        report.absorb(render(&request(ChartKind::Path))?);
        report.absorb(render(&request(ChartKind::Breakeven))?);
    }
    Ok(report)
}

/// Whether `a` and `b` name the same file (compared after resolving links when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    let err = |e| ChartError::Write { path: path.to_path_buf(), source: e };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(path, bytes).map_err(err)
}

fn draw_error(path: &Path, e: impl fmt::Display) -> ChartError {
    ChartError::Draw { path: path.to_path_buf(), message: e.to_string() }
}

/// Render into an RGB buffer and encode it as PNG with the dpi in `pHYs`.
fn png_bytes(
    req: &ChartRequest,
    p: &Prepared,
    font: &ChartFont,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (req.width, req.height);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    let log = RefCell::new(TextLog::default());
    {
        let bitmap = BitMapBackend::with_buffer(&mut buf, (w, h));
        let root = TextBackend::new(bitmap, font, TextMode::Raster, &log).into_drawing_area();
        draw::draw(&root, p, font, req.dpi, warnings).map_err(|e| draw_error(&req.output, e))?;
        root.present().map_err(|e| draw_error(&req.output, e))?;
    }
    warnings.extend(log.into_inner().warnings);

    let mut out = Vec::new();
    let enc_err = |e: png::EncodingError| draw_error(&req.output, e);
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Best);
    let per_metre = (f64::from(req.dpi) / 0.0254).round() as u32;
    enc.set_pixel_dims(Some(png::PixelDimensions { xppu: per_metre, yppu: per_metre, unit: png::Unit::Meter }));
    enc.add_itxt_chunk("Title".into(), p.title.clone()).map_err(enc_err)?;
    enc.add_text_chunk("Software".into(), "yanglao".into()).map_err(enc_err)?;
    let mut writer = enc.write_header().map_err(enc_err)?;
    writer.write_image_data(&buf).map_err(enc_err)?;
    writer.finish().map_err(enc_err)?;
    Ok(out)
}

/// Render as SVG with text as glyph outlines and the print size in mm.
fn svg_bytes(
    req: &ChartRequest,
    p: &Prepared,
    font: &ChartFont,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (req.width, req.height);
    let mut body = String::new();
    let log = RefCell::new(TextLog::default());
    {
        let svg = SVGBackend::with_string(&mut body, (w, h));
        let mode = if req.svg_text { TextMode::SvgText } else { TextMode::SvgOutline };
        let root = TextBackend::new(svg, font, mode, &log).into_drawing_area();
        draw::draw(&root, p, font, req.dpi, warnings).map_err(|e| draw_error(&req.output, e))?;
        root.present().map_err(|e| draw_error(&req.output, e))?;
    }
    let log = log.into_inner();
    warnings.extend(log.warnings);

    // Replace plotters' opening tag and append the text over everything else.
    let start = body.find("<svg").and_then(|i| body[i..].find('>').map(|j| i + j + 1));
    let end = body.rfind("</svg>");
    let (Some(start), Some(end)) = (start, end) else {
        return Err(draw_error(&req.output, "the SVG backend wrote no <svg> element"));
    };
    let mm = |px: u32| format!("{:.2}", f64::from(px) / f64::from(req.dpi) * 25.4);
    let mut out = String::with_capacity(body.len() + log.svg_text.len() + 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{}mm\" height=\"{}mm\" viewBox=\"0 0 {w} {h}\">\n",
        mm(w),
        mm(h)
    ));
    out.push_str(&format!("<title>{}</title>\n<defs>\n", backend::xml_escape(&p.title)));
    for (id, d) in log.svg_defs.iter().filter(|(_, d)| !d.is_empty()) {
        out.push_str(&format!("<path id=\"g{id}\" d=\"{d}\"/>\n"));
    }
    out.push_str("</defs>\n");
    out.push_str(body[start..end].trim_start_matches('\n'));
    out.push_str(&log.svg_text);
    out.push_str("</svg>\n");
    Ok(out.into_bytes())
}

fn csv_bytes(p: &Prepared, path: &Path) -> Result<Vec<u8>, ChartError> {
    let err = |e: csv::Error| ChartError::Csv { path: path.to_path_buf(), source: e };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&p.table.header).map_err(err)?;
    for row in &p.table.rows {
        w.write_record(row).map_err(err)?;
    }
    w.into_inner().map_err(|e| ChartError::Write { path: path.to_path_buf(), source: e.into_error() })
}
