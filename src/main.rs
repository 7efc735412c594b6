//! `yanglao` command line: parse flags, build a validated configuration, call the library,
//! map the outcome to an exit code (0 all rows ok/ineligible, 3 some rows error, 2 fatal).
#![forbid(unsafe_code)]

mod cli;

use anyhow::{bail, Context as _, Result};
use clap::Parser;
use cli::*;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;
use yanglao::chart::{self, ChartKind, ChartRequest};
use yanglao::io::encoding::Encoding;
use yanglao::io::pipeline::{self, RunOptions, Summary};
use yanglao::io::results::Format;
use yanglao::io::sink::TextFormat;
use yanglao::model::{self, Category, Context};
use yanglao::params::{Assumptions, LifeTable, Month, National, Params};

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

/// A rate flag, within the parameters' rate range (`defaults` in national.toml).
fn rate_flag(name: &str, v: &Option<String>, nat: &National) -> Result<Option<Decimal>> {
    let Some(v) = v else { return Ok(None) };
    let d = yanglao::io::scenario::parse_decimal(v.trim()).map_err(|why| anyhow::anyhow!("--{name} '{v}': {why}"))?;
    if d < nat.rate_min || d > nat.rate_max {
        bail!("--{name} '{v}': out of range; allowed {}", nat.rate_allowed);
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
    if let Some(v) = rate_flag("wage-growth", &c.wage_growth, &params.national)? {
        a.wage_growth = v;
    }
    if let Some(v) = rate_flag("account-rate", &c.account_rate, &params.national)? {
        a.account_rate = v;
    }
    if let Some(v) = rate_flag("indexation", &c.indexation, &params.national)? {
        a.indexation = v;
    }
    if let Some(v) = rate_flag("discount-rate", &c.discount_rate, &params.national)? {
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
