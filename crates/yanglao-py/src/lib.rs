//! `yanglao._native`: the command line's `run` pipeline for the Python package.
//!
//! The Python side (`python/yanglao/`) writes the table as CSV with Arrow's writer, calls
//! [`run_files`] on it, and reads the results back with Arrow's reader: the rows go
//! through exactly the code that `yanglao run` uses (the same parsing, model, metrics and
//! formatting), so the numbers are the command line's, byte for byte. No Python object is
//! made per row. The GIL is released while the pipeline runs.

#![deny(unsafe_code)]

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rust_decimal::Decimal;
use std::path::PathBuf;
use yanglao_core::model::Context;
use yanglao_core::params::{Assumptions, LifeTable, Month, National, Params};
use yanglao_io::encoding::Encoding;
use yanglao_io::pipeline::{self, Part, RunOptions};
use yanglao_io::results::{Format, RESULT_COLUMNS};
use yanglao_io::sink::TextFormat;

/// The largest batch and worker count, as the command line allows.
const MAX_BATCH: usize = 16_384;
const MAX_JOBS: usize = 1024;

/// A rate given as a keyword, checked as the command line checks its flag (within the
/// parameters' rate range, `defaults` in national.toml: -0.5 to 1).
fn rate(name: &str, v: Option<&str>, nat: &National) -> PyResult<Option<Decimal>> {
    let Some(v) = v else { return Ok(None) };
    let d = yanglao_io::scenario::parse_decimal(v.trim())
        .map_err(|why| PyValueError::new_err(format!("{name}='{v}': {why}")))?;
    if d < nat.rate_min || d > nat.rate_max {
        return Err(PyValueError::new_err(format!("{name}='{v}': out of range; allowed {}", nat.rate_allowed)));
    }
    Ok(Some(d))
}

/// Parameters and assumptions with the keyword overrides applied (the command line's
/// `--params`, `--assumptions`, `--as-of`, the four rates and `--life-table`).
#[allow(clippy::too_many_arguments)]
fn context(
    params: Option<PathBuf>,
    assumptions: Option<PathBuf>,
    as_of: Option<&str>,
    wage_growth: Option<&str>,
    account_rate: Option<&str>,
    indexation: Option<&str>,
    discount_rate: Option<&str>,
    life_table: Option<PathBuf>,
) -> PyResult<Context> {
    let fail = |e: &dyn std::fmt::Display| PyValueError::new_err(e.to_string());
    let params = match &params {
        Some(dir) => Params::load_dir(dir).map_err(|e| fail(&e))?,
        None => Params::builtin().map_err(|e| fail(&e))?,
    };
    let mut a = match &assumptions {
        Some(p) => Assumptions::load(p).map_err(|e| fail(&e))?,
        None => Assumptions::builtin(),
    };
    if let Some(m) = as_of {
        a.as_of = Month::parse(m.trim())
            .ok_or_else(|| PyValueError::new_err(format!("as_of='{m}': not a month; allowed YYYY-MM")))?;
    }
    if let Some(v) = rate("wage_growth", wage_growth, &params.national)? {
        a.wage_growth = v;
    }
    if let Some(v) = rate("account_rate", account_rate, &params.national)? {
        a.account_rate = v;
    }
    if let Some(v) = rate("indexation", indexation, &params.national)? {
        a.indexation = v;
    }
    if let Some(v) = rate("discount_rate", discount_rate, &params.national)? {
        a.discount_rate = v;
    }
    let mut ctx = Context::new(params, a);
    if let Some(p) = &life_table {
        ctx.life = LifeTable::load(p).map_err(|e| fail(&e))?;
    }
    Ok(ctx)
}

/// Runs the command line's pipeline from the CSV file `input` to the CSV file `output`
/// (and `paths`), as `yanglao run` would; returns the summary as a dict (rows, ok,
/// ineligible, error, warnings, unattached, seconds). A fatal problem raises ValueError
/// with the command line's message. `lines_before` and `earlier_ids` place the input in a
/// larger table (a Dask partition).
#[pyfunction]
#[pyo3(signature = (
    input, output, *, segments=None, paths=None, jobs=None, batch_size=4096, strict=false,
    encoding="auto", params=None, assumptions=None, as_of=None, wage_growth=None,
    account_rate=None, indexation=None, discount_rate=None, life_table=None,
    lines_before=0, earlier_ids=Vec::new()
))]
#[allow(clippy::too_many_arguments)]
fn run_files<'py>(
    py: Python<'py>,
    input: PathBuf,
    output: PathBuf,
    segments: Option<PathBuf>,
    paths: Option<PathBuf>,
    jobs: Option<usize>,
    batch_size: usize,
    strict: bool,
    encoding: &str,
    params: Option<PathBuf>,
    assumptions: Option<PathBuf>,
    as_of: Option<&str>,
    wage_growth: Option<&str>,
    account_rate: Option<&str>,
    indexation: Option<&str>,
    discount_rate: Option<&str>,
    life_table: Option<PathBuf>,
    lines_before: u64,
    earlier_ids: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    if !(1..=MAX_BATCH).contains(&batch_size) {
        return Err(PyValueError::new_err(format!(
            "batch_size={batch_size}: allowed 1 to {MAX_BATCH} (memory grows with it)"
        )));
    }
    if jobs.is_some_and(|j| j > MAX_JOBS) {
        return Err(PyValueError::new_err(format!("jobs={}: allowed 0 (all cores) to {MAX_JOBS}", jobs.unwrap_or(0))));
    }
    let encoding = encoding_of(encoding)?;
    let mut ctx =
        context(params, assumptions, as_of, wage_growth, account_rate, indexation, discount_rate, life_table)?;
    ctx.trace = paths.is_some();
    let opts = RunOptions {
        input,
        output,
        segments,
        paths,
        batch_size,
        format: Format { excel: false },
        encoding,
        strict,
        floor: false,
        // CSV, whatever the temporary files are called: Arrow reads it back.
        text_format: Some(TextFormat::Csv),
    };
    let part = Part { lines_before, earlier_ids };
    let summary = py
        .detach(|| -> Result<_, String> {
            let run = || pipeline::run_part(&opts, &ctx, &part).map_err(|e| e.to_string());
            match jobs {
                // The global pool (all cores), built once for the process.
                None | Some(0) => run(),
                Some(n) => rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| format!("cannot start worker threads: {e}"))?
                    .install(run),
            }
        })
        .map_err(PyValueError::new_err)?;
    let d = PyDict::new(py);
    d.set_item("rows", summary.rows)?;
    d.set_item("ok", summary.ok)?;
    d.set_item("ineligible", summary.ineligible)?;
    d.set_item("error", summary.error)?;
    d.set_item("warnings", summary.warnings)?;
    d.set_item("unattached", summary.unattached)?;
    d.set_item("seconds", summary.seconds)?;
    Ok(d)
}

/// `yanglao explain SCENARIOS --id ID`: the derivation of one row, read as `run` reads it
/// and projected with a trace, rendered as text, Markdown or JSON (as the command prints
/// it). A missing id or a row in error raises ValueError with the command's message.
#[pyfunction]
#[pyo3(signature = (
    input, id, *, segments=None, lang="zh", format="text", encoding="auto", params=None,
    assumptions=None, as_of=None, wage_growth=None, account_rate=None, indexation=None,
    discount_rate=None, life_table=None
))]
#[allow(clippy::too_many_arguments)]
fn explain_file(
    py: Python<'_>,
    input: PathBuf,
    id: &str,
    segments: Option<PathBuf>,
    lang: &str,
    format: &str,
    encoding: &str,
    params: Option<PathBuf>,
    assumptions: Option<PathBuf>,
    as_of: Option<&str>,
    wage_growth: Option<&str>,
    account_rate: Option<&str>,
    indexation: Option<&str>,
    discount_rate: Option<&str>,
    life_table: Option<PathBuf>,
) -> PyResult<(String, Vec<String>)> {
    use yanglao_io::explain::{self, ExplainFormat, Lang, Sources};
    let lang = match lang {
        "zh" => Lang::Zh,
        "en" => Lang::En,
        other => return Err(PyValueError::new_err(format!("lang='{other}': allowed 'zh' or 'en'"))),
    };
    let format = match format {
        "text" => ExplainFormat::Text,
        "markdown" => ExplainFormat::Markdown,
        "json" => ExplainFormat::Json,
        other => {
            return Err(PyValueError::new_err(format!("format='{other}': allowed 'text', 'markdown' or 'json'")));
        }
    };
    let encoding = encoding_of(encoding)?;
    let sources = match &params {
        Some(dir) => Sources::from_dir(dir).map_err(|e| PyValueError::new_err(e.to_string()))?,
        None => Sources::builtin(),
    };
    let mut ctx =
        context(params, assumptions, as_of, wage_growth, account_rate, indexation, discount_rate, life_table)?;
    ctx.trace = true;
    py.detach(|| -> Result<(String, Vec<String>), String> {
        let (found, warnings) =
            pipeline::find_scenario(&input, segments.as_deref(), &ctx, encoding, id).map_err(|e| e.to_string())?;
        let s = match found {
            None => return Err(format!("no row has id '{id}'")),
            Some(Err(message)) => return Err(message),
            Some(Ok(s)) => s,
        };
        let e = explain::explain(&s, &ctx, &sources, lang).map_err(|e| e.message(s.line))?;
        Ok((explain::render(&e, format), warnings))
    })
    .map_err(PyValueError::new_err)
}

fn encoding_of(encoding: &str) -> PyResult<Encoding> {
    match encoding {
        "auto" => Ok(Encoding::Auto),
        "utf8" => Ok(Encoding::Utf8),
        "gb18030" => Ok(Encoding::Gb18030),
        other => Err(PyValueError::new_err(format!("encoding='{other}': allowed 'auto', 'utf8' or 'gb18030'"))),
    }
}

/// The results columns, in order (the header `yanglao run` writes).
#[pyfunction]
fn result_columns() -> Vec<&'static str> {
    RESULT_COLUMNS.to_vec()
}

/// The `--paths` columns, in order.
#[pyfunction]
fn paths_columns() -> Vec<&'static str> {
    yanglao_io::paths::PATHS_HEADER.trim_end().split(',').collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Python keeps its own signal handling (Ctrl-C is KeyboardInterrupt); the package
    // removes its temporary files itself.
    yanglao_io::cleanup::leave_signals_alone();
    m.add_function(wrap_pyfunction!(run_files, m)?)?;
    m.add_function(wrap_pyfunction!(explain_file, m)?)?;
    m.add_function(wrap_pyfunction!(result_columns, m)?)?;
    m.add_function(wrap_pyfunction!(paths_columns, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
