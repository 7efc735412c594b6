//! The command line's definitions (clap): subcommands, their flags and the values they
//! take. `main.rs` turns a parsed [`Cli`] into calls of the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use yanglao::chart;
use yanglao::io::sink::TextFormat;

#[derive(Parser)]
#[command(name = "yanglao", version, about = "Projects Chinese basic pensions (养老金) from scenario CSVs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Compute a results CSV from a scenario CSV (one output row per input row, in order).
    Run(Box<RunArgs>),
    /// Validate a scenario CSV without computing; report every problem.
    Check(CheckArgs),
    /// Print the statutory retirement month, age and minimum years (C4, C5).
    RetireAge(RetireAgeArgs),
    /// Write a stylised-worker grid (cohorts × categories × indices × tiers × careers × regions).
    Gen(GenArgs),
    /// Draw a chart (PNG or SVG, with the plotted numbers as CSV) from a results CSV.
    Chart(ChartArgs),
    /// Counts, mean, median, p10 and p90 of total and replacement_rate per group of a results CSV.
    Summary(SummaryArgs),
    /// Show the whole derivation of one row, step by step, with the rules and sources.
    Explain(ExplainArgs),
    /// For each row, the smallest value of one input that reaches a target.
    Seek(SeekArgs),
    /// Print the parameters in force for a region and year, with provenance and source.
    Params(ParamsArgs),
}

#[derive(Args)]
pub struct ParamsArgs {
    /// Region: `province` or `province/city`.
    #[arg(long)]
    pub region: String,
    /// Year (default: the assumption file's year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Output format.
    #[arg(long, value_parser = ["table", "csv"], default_value = "table")]
    pub format: String,
    /// Parameter directory instead of the compiled-in files.
    #[arg(long, value_name = "DIR")]
    pub params: Option<PathBuf>,
}

#[derive(Args)]
pub struct SeekArgs {
    /// Scenario CSV (`-` for standard input).
    pub scenarios: PathBuf,
    /// Target: total=YUAN, replacement_rate=FRACTION or breakeven_age=AGE (reached when at most AGE).
    #[arg(long, value_name = "METRIC=VALUE")]
    pub target: String,
    /// Input to vary.
    #[arg(long, value_enum)]
    pub vary: VaryArg,
    /// Output CSV (`-` for standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: PathBuf,
    /// Segments CSV (as for run).
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    /// Worker threads, at most 1024 (default or 0: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Write UTF-8 with BOM and neutralise formula-like text for spreadsheets.
    #[arg(long)]
    pub excel: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum VaryArg {
    /// Resident tier (the region's tiers).
    Tier,
    /// Contribution index 0.60–3.00 in steps of 0.01.
    #[value(name = "contribution_index")]
    ContributionIndex,
    /// Chosen retirement month within the allowed window (C6).
    Retire,
    /// Last contribution month.
    Stop,
}

#[derive(Args)]
pub struct ExplainArgs {
    /// Scenario CSV (`-` for standard input).
    pub scenarios: PathBuf,
    /// Id of the row to explain.
    #[arg(long)]
    pub id: String,
    /// Segments CSV (as for run).
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    /// Language of the titles and labels.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormatArg::Text)]
    pub format: ExplainFormatArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExplainFormatArg {
    /// Plain text for a terminal.
    Text,
    /// Markdown for a report.
    Markdown,
    /// JSON (every value a string as run prints it).
    Json,
}

#[derive(Args)]
pub struct SummaryArgs {
    /// Results CSV written by `yanglao run` (`-` for standard input).
    pub results: PathBuf,
    /// Columns to group by, comma-separated (e.g. scheme,tier,claim_region); none: all rows.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub by: Vec<String>,
    /// Output format (default: table on standard output, csv with -o FILE).
    #[arg(long, value_parser = ["csv", "table"])]
    pub format: Option<String>,
    /// Output file (`-` for standard output, the default).
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct ChartStyle {
    /// Width in pixels.
    #[arg(long, default_value_t = chart::DEFAULT_WIDTH)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = chart::DEFAULT_HEIGHT)]
    pub height: u32,
    /// Resolution in dots per inch (written into the PNG; text scales with it).
    #[arg(long, default_value_t = chart::DEFAULT_DPI)]
    pub dpi: u32,
    /// Font file (TTF/OTF) instead of the bundled Noto Sans SC subset.
    #[arg(long, value_name = "PATH")]
    pub font: Option<PathBuf>,
    /// Column to group scenarios by (compare: one bar per value; sensitivity: one line per value).
    #[arg(long, value_name = "COLUMN")]
    pub group: Option<String>,
    /// Column on the x axis of the sensitivity chart (default contribution_index).
    #[arg(long, value_name = "COLUMN")]
    pub vary: Option<String>,
    /// Only these scenario ids (repeatable).
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Y axis of the path and fan charts: linear, or log to spread lines of very different heights.
    #[arg(long, value_parser = ["linear", "log"], default_value = "linear")]
    pub y_scale: String,
    /// SVG: keep text as text (<text> naming the font family, editable) instead of glyph outlines.
    #[arg(long)]
    pub svg_text: bool,
}

#[derive(Args)]
pub struct ChartArgs {
    /// Results CSV written by `yanglao run` (`-` for standard input).
    pub results: PathBuf,
    /// Paths CSV written by `yanglao run --paths` (needed for path and breakeven).
    #[arg(long, value_name = "FILE")]
    pub paths: Option<PathBuf>,
    /// Chart kind.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Output file, .png or .svg; the plotted numbers go beside it as .csv.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Title instead of the default one.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub style: ChartStyle,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Monthly pension at the start, stacked by component, one bar per scenario or group.
    Compare,
    /// Monthly pension by age after retirement.
    Path,
    /// Cumulative own payments against cumulative pension received, with the break-even point.
    Breakeven,
    /// Total pension against one varied input.
    Sensitivity,
    /// Change in the monthly pension made by a reform, by scenario or group (results of run --reform).
    Reform,
    /// Percentiles (p10, p25, median, p75, p90) of the monthly pension by age over a group's paths.
    Fan,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values.
    Csv,
    /// Tab-separated values (a field is quoted only when it holds a tab, a quote or a line break).
    Tsv,
}

pub fn text_format(f: Option<FormatArg>) -> Option<TextFormat> {
    f.map(|f| match f {
        FormatArg::Csv => TextFormat::Csv,
        FormatArg::Tsv => TextFormat::Tsv,
    })
}

#[derive(Args)]
pub struct GenArgs {
    /// Number of rows.
    #[arg(long, value_name = "N")]
    pub n: u64,
    /// Seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output CSV (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Text format (default: from the extension, .tsv tab-separated, else CSV; another
    /// extension is refused unless this is given).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args)]
pub struct CommonArgs {
    /// Assumption file (TOML: as_of, wage_growth, account_rate, indexation, discount_rate).
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// Default month of the known record for rows without as_of/start (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    pub as_of: Option<String>,
    /// Parameter directory to use instead of the built-in data/params.
    #[arg(long, value_name = "DIR")]
    pub params: Option<PathBuf>,
    /// Input encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
    /// Override the yearly wage growth after the last official year (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub wage_growth: Option<String>,
    /// Override the crediting rate for years without an official rate (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub account_rate: Option<String>,
    /// Override the yearly pension increase after the last official year (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub indexation: Option<String>,
    /// Override the discount rate for present values (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub discount_rate: Option<String>,
    /// Life table CSV (age, sex, qx) instead of the built-in UN WPP 2024 China table.
    #[arg(long, value_name = "FILE")]
    pub life_table: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    /// UTF-8 unless the start of the file is not valid UTF-8, then GB18030.
    Auto,
    /// UTF-8 (BOM accepted).
    Utf8,
    /// GB18030 / GBK (Excel on Chinese Windows).
    Gb18030,
}

#[derive(Args)]
pub struct RunArgs {
    /// Scenario CSV (`-` for standard input).
    pub scenarios: PathBuf,
    /// Results CSV to write (`-` for standard output). A file is replaced only when the run
    /// ends well; a link is followed; standard output, a pipe or a device gets the rows as
    /// they come.
    #[arg(short, long, value_name = "RESULTS.csv")]
    pub output: PathBuf,
    /// Segments CSV: spells per scenario, grouped by id in scenario order.
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    /// Also write yearly paths (long format) to this CSV.
    #[arg(long, value_name = "FILE")]
    pub paths: Option<PathBuf>,
    /// Worker threads, at most 1024 (default or 0: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Rows per batch, 1 to 16384 (memory is proportional to it).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub batch_size: usize,
    /// Write UTF-8 with BOM and neutralise formula-like text for spreadsheets.
    #[arg(long)]
    pub excel: bool,
    /// Text format of the results and --paths (default: from each name's extension, .tsv
    /// tab-separated, .csv/.txt/none CSV; another extension is refused unless this is given).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Stop at the first error row (exit 2; a results file is left as it was, while standard
    /// output or a pipe has had the rows before it).
    #[arg(long)]
    pub strict: bool,
    /// Also draw the standard charts (compare, sensitivity; path and breakeven with --paths) into DIR.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    #[command(flatten)]
    pub chart_style: ChartStyle,
    /// Benchmark floor: read, parse and rewrite the rows without computing them.
    #[arg(long, hide = true)]
    pub floor: bool,
    /// Reform file (TOML patches of the parameters): adds baseline, reform and delta columns
    /// and the delta's attribution to each patch.
    #[arg(long, value_name = "REFORM.toml")]
    pub reform: Option<PathBuf>,
    /// How the reform's delta is split among its patches.
    #[arg(long, value_enum, default_value_t = AttributionArg::Sequential, requires = "reform")]
    pub attribution: AttributionArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AttributionArg {
    /// One patch at a time, in the file's order.
    Sequential,
    /// The average over all orders (at most 8 patches).
    Shapley,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Scenario CSV (`-` for standard input).
    pub scenarios: PathBuf,
    /// Segments CSV to check with it.
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct RetireAgeArgs {
    /// Birth month, YYYY-MM.
    #[arg(long)]
    pub birth: String,
    /// Retirement group.
    #[arg(long, value_enum)]
    pub category: CategoryArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CategoryArg {
    /// Men (original age 60).
    Male,
    /// Women with original age 55.
    #[value(name = "female_cadre")]
    FemaleCadre,
    /// Women with original age 50.
    #[value(name = "female_worker")]
    FemaleWorker,
}
