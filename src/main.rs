//! `yanglao` command line: parse flags, build a validated configuration, call the library,
//! map the outcome to an exit code (0 all rows ok/ineligible, 3 some rows error, 2 fatal).
#![forbid(unsafe_code)]

use anyhow::{bail, Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;
use yanglao::chart::{self, ChartKind, ChartRequest};
use yanglao::io::encoding::Encoding;
use yanglao::io::pipeline::{self, RunOptions, Summary};
use yanglao::io::results::Format;
use yanglao::io::sink::TextFormat;
use yanglao::model::{self, Category, Context};
use yanglao::params::{Assumptions, LifeTable, Month, Params};

#[derive(Parser)]
#[command(name = "yanglao", version, about = "Projects Chinese basic pensions (养老金) from scenario CSVs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
struct ParamsArgs {
    /// Region: `province` or `province/city`.
    #[arg(long)]
    region: String,
    /// Year (default: the assumption file's year).
    #[arg(long)]
    year: Option<i32>,
    /// Output format.
    #[arg(long, value_parser = ["table", "csv"], default_value = "table")]
    format: String,
    /// Parameter directory instead of the compiled-in files.
    #[arg(long, value_name = "DIR")]
    params: Option<PathBuf>,
}

#[derive(Args)]
struct SeekArgs {
    /// Scenario CSV (`-` for standard input).
    scenarios: PathBuf,
    /// Target: total=YUAN, replacement_rate=FRACTION or breakeven_age=AGE (reached when at most AGE).
    #[arg(long, value_name = "METRIC=VALUE")]
    target: String,
    /// Input to vary.
    #[arg(long, value_enum)]
    vary: VaryArg,
    /// Output CSV (`-` for standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    output: PathBuf,
    /// Segments CSV (as for run).
    #[arg(long, value_name = "FILE")]
    segments: Option<PathBuf>,
    /// Worker threads, at most 1024 (default or 0: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Write UTF-8 with BOM and neutralise formula-like text for spreadsheets.
    #[arg(long)]
    excel: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum VaryArg {
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
struct ExplainArgs {
    /// Scenario CSV (`-` for standard input).
    scenarios: PathBuf,
    /// Id of the row to explain.
    #[arg(long)]
    id: String,
    /// Segments CSV (as for run).
    #[arg(long, value_name = "FILE")]
    segments: Option<PathBuf>,
    /// Language of the titles and labels.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormatArg::Text)]
    format: ExplainFormatArg,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormatArg {
    /// Plain text for a terminal.
    Text,
    /// Markdown for a report.
    Markdown,
    /// JSON (every value a string as run prints it).
    Json,
}

#[derive(Args)]
struct SummaryArgs {
    /// Results CSV written by `yanglao run` (`-` for standard input).
    results: PathBuf,
    /// Columns to group by, comma-separated (e.g. scheme,tier,claim_region); none: all rows.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    by: Vec<String>,
    /// Output format (default: table on standard output, csv with -o FILE).
    #[arg(long, value_parser = ["csv", "table"])]
    format: Option<String>,
    /// Output file (`-` for standard output, the default).
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

#[derive(Args)]
struct ChartStyle {
    /// Width in pixels.
    #[arg(long, default_value_t = chart::DEFAULT_WIDTH)]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = chart::DEFAULT_HEIGHT)]
    height: u32,
    /// Resolution in dots per inch (written into the PNG; text scales with it).
    #[arg(long, default_value_t = chart::DEFAULT_DPI)]
    dpi: u32,
    /// Font file (TTF/OTF) instead of the bundled Noto Sans SC subset.
    #[arg(long, value_name = "PATH")]
    font: Option<PathBuf>,
    /// Column to group scenarios by (compare: one bar per value; sensitivity: one line per value).
    #[arg(long, value_name = "COLUMN")]
    group: Option<String>,
    /// Column on the x axis of the sensitivity chart (default contribution_index).
    #[arg(long, value_name = "COLUMN")]
    vary: Option<String>,
    /// Only these scenario ids (repeatable).
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<String>,
    /// Y axis of the path and fan charts: linear, or log to spread lines of very different heights.
    #[arg(long, value_parser = ["linear", "log"], default_value = "linear")]
    y_scale: String,
    /// SVG: keep text as text (<text> naming the font family, editable) instead of glyph outlines.
    #[arg(long)]
    svg_text: bool,
}

#[derive(Args)]
struct ChartArgs {
    /// Results CSV written by `yanglao run` (`-` for standard input).
    results: PathBuf,
    /// Paths CSV written by `yanglao run --paths` (needed for path and breakeven).
    #[arg(long, value_name = "FILE")]
    paths: Option<PathBuf>,
    /// Chart kind.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// Output file, .png or .svg; the plotted numbers go beside it as .csv.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Title instead of the default one.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    style: ChartStyle,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
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
enum FormatArg {
    /// Comma-separated values.
    Csv,
    /// Tab-separated values (a field is quoted only when it holds a tab, a quote or a line break).
    Tsv,
}

fn text_format(f: Option<FormatArg>) -> Option<TextFormat> {
    f.map(|f| match f {
        FormatArg::Csv => TextFormat::Csv,
        FormatArg::Tsv => TextFormat::Tsv,
    })
}

#[derive(Args)]
struct GenArgs {
    /// Number of rows.
    #[arg(long, value_name = "N")]
    n: u64,
    /// Seed (the same seed gives the same file).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output CSV (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Text format (default: from the extension, .tsv tab-separated, else CSV; another
    /// extension is refused unless this is given).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

#[derive(Args)]
struct CommonArgs {
    /// Assumption file (TOML: as_of, wage_growth, account_rate, indexation, discount_rate).
    #[arg(long, value_name = "FILE")]
    assumptions: Option<PathBuf>,
    /// Default month of the known record for rows without as_of/start (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    as_of: Option<String>,
    /// Parameter directory to use instead of the built-in data/params.
    #[arg(long, value_name = "DIR")]
    params: Option<PathBuf>,
    /// Input encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    encoding: EncodingArg,
    /// Override the yearly wage growth after the last official year (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    wage_growth: Option<String>,
    /// Override the crediting rate for years without an official rate (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    account_rate: Option<String>,
    /// Override the yearly pension increase after the last official year (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    indexation: Option<String>,
    /// Override the discount rate for present values (fraction).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    discount_rate: Option<String>,
    /// Life table CSV (age, sex, qx) instead of the built-in UN WPP 2024 China table.
    #[arg(long, value_name = "FILE")]
    life_table: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    /// UTF-8 unless the start of the file is not valid UTF-8, then GB18030.
    Auto,
    /// UTF-8 (BOM accepted).
    Utf8,
    /// GB18030 / GBK (Excel on Chinese Windows).
    Gb18030,
}

#[derive(Args)]
struct RunArgs {
    /// Scenario CSV (`-` for standard input).
    scenarios: PathBuf,
    /// Results CSV to write (`-` for standard output). A file is replaced only when the run
    /// ends well; a link is followed; standard output, a pipe or a device gets the rows as
    /// they come.
    #[arg(short, long, value_name = "RESULTS.csv")]
    output: PathBuf,
    /// Segments CSV: spells per scenario, grouped by id in scenario order.
    #[arg(long, value_name = "FILE")]
    segments: Option<PathBuf>,
    /// Also write yearly paths (long format) to this CSV.
    #[arg(long, value_name = "FILE")]
    paths: Option<PathBuf>,
    /// Worker threads, at most 1024 (default or 0: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Rows per batch, 1 to 16384 (memory is proportional to it).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    batch_size: usize,
    /// Write UTF-8 with BOM and neutralise formula-like text for spreadsheets.
    #[arg(long)]
    excel: bool,
    /// Text format of the results and --paths (default: from each name's extension, .tsv
    /// tab-separated, .csv/.txt/none CSV; another extension is refused unless this is given).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Stop at the first error row (exit 2; a results file is left as it was, while standard
    /// output or a pipe has had the rows before it).
    #[arg(long)]
    strict: bool,
    /// Also draw the standard charts (compare, sensitivity; path and breakeven with --paths) into DIR.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    #[command(flatten)]
    chart_style: ChartStyle,
    /// Benchmark floor: read, parse and rewrite the rows without computing them.
    #[arg(long, hide = true)]
    floor: bool,
    /// Reform file (TOML patches of the parameters): adds baseline, reform and delta columns
    /// and the delta's attribution to each patch.
    #[arg(long, value_name = "REFORM.toml")]
    reform: Option<PathBuf>,
    /// How the reform's delta is split among its patches.
    #[arg(long, value_enum, default_value_t = AttributionArg::Sequential, requires = "reform")]
    attribution: AttributionArg,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum AttributionArg {
    /// One patch at a time, in the file's order.
    Sequential,
    /// The average over all orders (at most 8 patches).
    Shapley,
}

#[derive(Args)]
struct CheckArgs {
    /// Scenario CSV (`-` for standard input).
    scenarios: PathBuf,
    /// Segments CSV to check with it.
    #[arg(long, value_name = "FILE")]
    segments: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct RetireAgeArgs {
    /// Birth month, YYYY-MM.
    #[arg(long)]
    birth: String,
    /// Retirement group.
    #[arg(long, value_enum)]
    category: CategoryArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum CategoryArg {
    /// Men (original age 60).
    Male,
    /// Women with original age 55.
    #[value(name = "female_cadre")]
    FemaleCadre,
    /// Women with original age 50.
    #[value(name = "female_worker")]
    FemaleWorker,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yanglao: error: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, `: `-separated, without a cause that the message before it
/// already ends with (an I/O error names its file and then its cause, which the chain
/// would repeat).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(a) => run(*a),
        Command::Check(a) => check(a),
        Command::RetireAge(a) => retire_age(a),
        Command::Gen(a) => gen(a),
        Command::Chart(a) => chart_cmd(a),
        Command::Summary(a) => Ok(yanglao::summary::command(&a.results, &a.by, a.format.as_deref(), &a.output)?),
        Command::Explain(a) => explain_cmd(a),
        Command::Seek(a) => seek_cmd(a),
        Command::Params(a) => yanglao::params_cmd::command(a.params.as_deref(), &a.region, a.year, a.format == "csv")
            .map(|()| ExitCode::SUCCESS),
    }
}

fn rate_flag(name: &str, v: &Option<String>) -> Result<Option<Decimal>> {
    let Some(v) = v else { return Ok(None) };
    let d = yanglao::io::scenario::parse_decimal(v.trim()).map_err(|why| anyhow::anyhow!("--{name} '{v}': {why}"))?;
    if d < Decimal::new(-5, 1) || d > Decimal::ONE {
        bail!("--{name} '{v}': out of range; allowed a fraction between -0.5 and 1 (e.g. 0.04 for 4%)");
    }
    Ok(Some(d))
}

/// Parameters and assumptions with the command-line overrides applied.
fn context(c: &CommonArgs) -> Result<Context> {
    let params = match &c.params {
        Some(dir) => Params::load_dir(dir)?,
        None => Params::builtin()?,
    };
    let mut a = match &c.assumptions {
        Some(p) => Assumptions::load(p)?,
        None => Assumptions::builtin(),
    };
    if let Some(m) = &c.as_of {
        a.as_of = Month::parse(m.trim()).with_context(|| format!("--as-of '{m}': not a month; allowed YYYY-MM"))?;
    }
    if let Some(v) = rate_flag("wage-growth", &c.wage_growth)? {
        a.wage_growth = v;
    }
    if let Some(v) = rate_flag("account-rate", &c.account_rate)? {
        a.account_rate = v;
    }
    if let Some(v) = rate_flag("indexation", &c.indexation)? {
        a.indexation = v;
    }
    if let Some(v) = rate_flag("discount-rate", &c.discount_rate)? {
        a.discount_rate = v;
    }
    let mut ctx = Context::new(params, a);
    if let Some(p) = &c.life_table {
        ctx.life = LifeTable::load(p)?;
    }
    Ok(ctx)
}

fn encoding(e: EncodingArg) -> Encoding {
    match e {
        EncodingArg::Auto => Encoding::Auto,
        EncodingArg::Utf8 => Encoding::Utf8,
        EncodingArg::Gb18030 => Encoding::Gb18030,
    }
}

fn report(summary: &Summary, verb: &str) {
    for w in &summary.warnings {
        eprintln!("yanglao: warning: {w}");
    }
    for u in &summary.unattached {
        eprintln!("yanglao: error: {u}");
    }
    let rate = if summary.seconds > 0.0 { summary.rows as f64 / summary.seconds } else { 0.0 };
    eprintln!(
        "yanglao: {verb} {} rows: {} ok, {} ineligible, {} error in {:.2} s ({:.0} rows/s)",
        summary.rows, summary.ok, summary.ineligible, summary.error, summary.seconds, rate
    );
    if let Some(first) = &summary.first_error {
        eprintln!("yanglao: first error: {first}");
    }
}

/// The largest `--batch-size`: four batches are held at once (read, computed, written), at
/// about a kilobyte a row and three more with `--paths`: measured at this size, 43 MB of
/// peak memory, 247 MB with `--paths` (18 MB and 87 MB at the default 4096). Larger batches
/// are no faster; ten thousand times larger ones exhausted the machine's memory.
const MAX_BATCH: usize = 16_384;
/// The most worker threads (each has its own stack).
const MAX_JOBS: usize = 1024;

fn run(a: RunArgs) -> Result<ExitCode> {
    if !(1..=MAX_BATCH).contains(&a.batch_size) {
        bail!("--batch-size {}: allowed 1 to {MAX_BATCH} (memory grows with it)", a.batch_size);
    }
    if a.jobs.is_some_and(|j| j > MAX_JOBS) {
        bail!("--jobs {}: allowed 0 (all cores) to {MAX_JOBS}", a.jobs.unwrap_or_default());
    }
    if a.charts.is_some() && yanglao::io::sink::Output::file(&a.output).is_none() {
        bail!(
            "--charts with -o {}: the charts read the results back; allowed: -o naming a file (not -, a pipe or a device)",
            a.output.display()
        );
    }
    if let Some(dir) = &a.charts {
        yanglao::chart::check_dir(dir, &[Some(&a.scenarios), Some(&a.output), a.paths.as_ref(), a.segments.as_ref()])?;
    }
    let mut ctx = context(&a.common)?;
    ctx.trace = a.paths.is_some();
    let opts = RunOptions {
        input: a.scenarios,
        output: a.output,
        segments: a.segments,
        paths: a.paths,
        batch_size: a.batch_size,
        format: Format { excel: a.excel },
        encoding: encoding(a.common.encoding),
        strict: a.strict,
        floor: a.floor,
        text_format: text_format(a.format),
    };
    let jobs = a.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().context("cannot start worker threads")?;
    let writer = match &a.reform {
        None => None,
        Some(file) => {
            if opts.paths.is_some() || opts.floor {
                bail!("--reform with --paths: the paths are those of the baseline; allowed: run without --reform for them");
            }
            let reform = yanglao::reform::Reform::load(file, &ctx.params).map_err(|e| anyhow::anyhow!(e))?;
            let attribution = match a.attribution {
                AttributionArg::Sequential => yanglao::reform::Attribution::Sequential,
                AttributionArg::Shapley => yanglao::reform::Attribution::Shapley,
            };
            Some(yanglao::reform::ReformWriter::new(reform, attribution, &ctx).map_err(|e| anyhow::anyhow!(e))?)
        }
    };
    let summary =
        pool.install(|| pipeline::run_with(&opts, &ctx, writer.as_ref().map(|w| w as &dyn pipeline::RowWriter)))?;
    report(&summary, "computed");
    if let Some(dir) = &a.charts {
        let base =
            chart_request(ChartKind::Compare, opts.output.clone(), dir.join("compare.png"), None, &a.chart_style);
        let rep = chart::render_all(&opts.output, opts.paths.as_deref(), dir, &base)?;
        chart_report(&rep);
        if let Some(w) = &writer {
            // With --reform, the reform chart too (titled with the file's title).
            let mut req =
                chart_request(ChartKind::Reform, opts.output.clone(), dir.join("reform.png"), None, &a.chart_style);
            req.title = w.title();
            chart_report(&chart::render(&req)?);
        }
    }
    Ok(if summary.error > 0 || !summary.unattached.is_empty() { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let ctx = context(&a.common)?;
    let (summary, problems) = pipeline::check(&a.scenarios, a.segments.as_deref(), &ctx, encoding(a.common.encoding))?;
    for p in &problems {
        println!("{p}");
    }
    report(&summary, "checked");
    Ok(if summary.error > 0 || !summary.unattached.is_empty() { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn retire_age(a: RetireAgeArgs) -> Result<ExitCode> {
    let birth = Month::parse(a.birth.trim())
        .with_context(|| format!("--birth '{}': not a month; allowed YYYY-MM with year 1900–2200", a.birth))?;
    let category = match a.category {
        CategoryArg::Male => Category::Male,
        CategoryArg::FemaleCadre => Category::FemaleCadre,
        CategoryArg::FemaleWorker => Category::FemaleWorker,
    };
    let params = Params::builtin()?;
    let info = model::statutory_retirement(&params.national, birth, category);
    println!("retire: {}", info.month);
    println!("age: {}", info.age);
    println!("min_years: {}", yanglao::io::results::fixed(info.min_years, 1));
    Ok(ExitCode::SUCCESS)
}

fn gen(a: GenArgs) -> Result<ExitCode> {
    let format = TextFormat::for_output(&a.output, text_format(a.format), "-o")?;
    let mut w = yanglao::io::sink::Output::create_as(&a.output, format)?;
    if let Err(e) = yanglao::io::gen::generate(a.n, a.seed, &mut w) {
        w.abandon();
        return Err(e).with_context(|| format!("{}", a.output.display()));
    }
    w.commit()?;
    eprintln!("yanglao: wrote {} rows to {}", a.n, a.output.display());
    Ok(ExitCode::SUCCESS)
}

fn chart_request(
    kind: ChartKind,
    results: PathBuf,
    output: PathBuf,
    title: Option<String>,
    st: &ChartStyle,
) -> ChartRequest {
    let mut r = ChartRequest::new(kind, results, output);
    r.group = st.group.clone();
    r.vary = st.vary.clone();
    r.ids = st.ids.clone();
    r.title = title;
    r.width = st.width;
    r.height = st.height;
    r.dpi = st.dpi;
    r.font = st.font.clone();
    r.y_scale = if st.y_scale == "log" { chart::YScale::Log } else { chart::YScale::Linear };
    r.svg_text = st.svg_text;
    r
}

fn chart_report(rep: &chart::ChartReport) {
    for w in &rep.warnings {
        eprintln!("yanglao: warning: {w}");
    }
    for f in &rep.files {
        eprintln!("yanglao: wrote {}", f.display());
    }
}

fn chart_cmd(a: ChartArgs) -> Result<ExitCode> {
    let kind = match a.kind {
        KindArg::Compare => ChartKind::Compare,
        KindArg::Path => ChartKind::Path,
        KindArg::Breakeven => ChartKind::Breakeven,
        KindArg::Sensitivity => ChartKind::Sensitivity,
        KindArg::Reform => ChartKind::Reform,
        KindArg::Fan => ChartKind::Fan,
    };
    // Standard input (`-`) or a pipe: read from a copy (see io::spool).
    let results = yanglao::io::spool::Rereadable::new(&a.results)?;
    let paths = a.paths.as_deref().map(yanglao::io::spool::Rereadable::new).transpose()?;
    let mut req = chart_request(kind, results.path().to_path_buf(), a.output, a.title, &a.style);
    req.paths = paths.as_ref().map(|p| p.path().to_path_buf());
    let rep = chart::render(&req)?;
    chart_report(&rep);
    Ok(ExitCode::SUCCESS)
}

/// `yanglao explain`: the row read as `run` reads it, projected with a trace.
fn explain_cmd(a: ExplainArgs) -> Result<ExitCode> {
    use yanglao::explain::{self, ExplainFormat, Lang, Sources};
    let mut ctx = context(&a.common)?;
    ctx.trace = true;
    let sources = match &a.common.params {
        Some(dir) => Sources::from_dir(dir)?,
        None => Sources::builtin(),
    };
    let (found, warnings) =
        pipeline::find_scenario(&a.scenarios, a.segments.as_deref(), &ctx, encoding(a.common.encoding), &a.id)?;
    for w in &warnings {
        eprintln!("yanglao: warning: {w}");
    }
    let s = match found {
        None => bail!("{}: no row has id '{}'", a.scenarios.display(), a.id),
        Some(Err(message)) => bail!("{message}"),
        Some(Ok(s)) => s,
    };
    let lang = match a.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let e = explain::explain(&s, &ctx, &sources, lang).map_err(|e| anyhow::anyhow!(e.message(s.line)))?;
    let format = match a.format {
        ExplainFormatArg::Text => ExplainFormat::Text,
        ExplainFormatArg::Markdown => ExplainFormat::Markdown,
        ExplainFormatArg::Json => ExplainFormat::Json,
    };
    print!("{}", explain::render(&e, format));
    Ok(ExitCode::SUCCESS)
}

/// `yanglao seek`: the run pipeline with the seek row writer.
fn seek_cmd(a: SeekArgs) -> Result<ExitCode> {
    use yanglao::seek::{Seek, Target, Vary};
    if a.jobs.is_some_and(|j| j > MAX_JOBS) {
        bail!("--jobs {}: allowed 0 (all cores) to {MAX_JOBS}", a.jobs.unwrap_or_default());
    }
    let target = Target::parse(&a.target).map_err(|e| anyhow::anyhow!(e))?;
    let vary = match a.vary {
        VaryArg::Tier => Vary::Tier,
        VaryArg::ContributionIndex => Vary::ContributionIndex,
        VaryArg::Retire => Vary::Retire,
        VaryArg::Stop => Vary::Stop,
    };
    let ctx = context(&a.common)?;
    let opts = RunOptions {
        input: a.scenarios,
        output: a.output,
        segments: a.segments,
        paths: None,
        batch_size: 1024,
        format: Format { excel: a.excel },
        encoding: encoding(a.common.encoding),
        strict: false,
        floor: false,
        text_format: None,
    };
    let seek = Seek { vary, target };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let summary = pool.install(|| pipeline::run_with(&opts, &ctx, Some(&seek)))?;
    for w in &summary.warnings {
        eprintln!("yanglao: warning: {w}");
    }
    eprintln!(
        "yanglao: sought {} rows: {} found, {} unreachable, {} error in {:.2} s",
        summary.rows, summary.ok, summary.ineligible, summary.error, summary.seconds
    );
    if let Some(first) = &summary.first_error {
        eprintln!("yanglao: first error: {first}");
    }
    Ok(if summary.error > 0 || !summary.unattached.is_empty() { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
