//! The batch pipeline: read a bounded batch of records, compute it in parallel (rayon keeps
//! the order), write it in order; memory is O(batch), not O(file). A results file goes to a
//! temporary file renamed into place at the end, so a fatal problem never leaves a
//! half-written one ([`super::sink`]: standard output, pipes and devices are written as the
//! rows come).

use super::encoding::{record_line, Encoding, LineEnds, Utf8Reader};
use super::results::{self, Echo, Format, Metrics};
use super::scenario::{parse_scenario, parse_segment, Header, Row, SCENARIO_COLUMNS, SEGMENT_COLUMNS};
use super::sink::{Output, TextFormat};
use super::spool::Rereadable;
use crate::metrics;
use crate::model::{project, Context, RowError, Status};
use crate::params::Month;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod rows;
mod source;

pub use rows::*;
pub use source::*;

/// Options of one `run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Scenario CSV.
    pub input: PathBuf,
    /// Results CSV.
    pub output: PathBuf,
    /// Segments CSV (contract §6).
    pub segments: Option<PathBuf>,
    /// Yearly paths CSV.
    pub paths: Option<PathBuf>,
    /// Rows per batch.
    pub batch_size: usize,
    /// Output format options.
    pub format: Format,
    /// Input encoding.
    pub encoding: Encoding,
    /// Stop at the first error row (exit 2, no output).
    pub strict: bool,
    /// Benchmark floor: read and parse every row, then write the input record back
    /// instead of computing it.
    pub floor: bool,
    /// `--format`: the text format of every output; None: each from its name's extension
    /// (see [`TextFormat::for_output`]).
    pub text_format: Option<TextFormat>,
}

/// Counts of a finished run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Input rows (= output rows).
    pub rows: u64,
    /// Rows with a pension.
    pub ok: u64,
    /// Rows without a pension.
    pub ineligible: u64,
    /// Rows that could not be computed.
    pub error: u64,
    /// Warnings (unknown columns, encoding, orphan segments).
    pub warnings: Vec<String>,
    /// Problems that belong to no row (segments without a scenario); they make the exit 3.
    pub unattached: Vec<String>,
    /// The message of the first error row (for the summary on stderr).
    pub first_error: Option<String>,
    /// Seconds elapsed.
    pub seconds: f64,
}

pub use super::error::FatalError;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FatalError + '_ {
    move |source| FatalError::Io { path: path.display().to_string(), source }
}

fn csv_err(path: &Path, e: csv::Error) -> FatalError {
    let message = match e.position() {
        Some(p) => format!("line {}: {}", p.line(), e),
        None => e.to_string(),
    };
    FatalError::Csv { path: path.display().to_string(), message }
}

/// Refuses outputs that cannot be right, before the inputs are read (the duplicate-id pass
/// alone reads the whole file): a name whose extension promises a format not written (see
/// [`TextFormat::for_output`]), both on standard output, the results and `--paths` in one
/// file, or an output over an input (it would destroy the scenarios or segments). Returns
/// the formats of the results and the paths.
pub fn check_outputs(opts: &RunOptions) -> Result<(TextFormat, TextFormat), FatalError> {
    let results_format = TextFormat::for_output(&opts.output, opts.text_format, "-o")?;
    let paths_format = match &opts.paths {
        Some(p) => TextFormat::for_output(p, opts.text_format, "--paths")?,
        None => TextFormat::Csv,
    };
    let refuse = |path: &Path, message: String| FatalError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(message),
    };
    let stdout = |p: &Path| p.as_os_str() == "-";
    if opts.paths.as_deref().is_some_and(stdout) && stdout(&opts.output) {
        return Err(refuse(
            Path::new("-"),
            "the results and the --paths output cannot both go to standard output; allowed: a file for one of them"
                .to_string(),
        ));
    }
    // Each destination once (finding it opens an existing file for writing).
    let results = Output::file(&opts.output);
    let paths = opts.paths.as_deref().and_then(Output::file);
    if results.is_some() && results == paths {
        return Err(refuse(
            &opts.output,
            "the results and the --paths output are the same file; allowed: two files".to_string(),
        ));
    }
    let inputs: Vec<PathBuf> = [Some(opts.input.as_path()), opts.segments.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    for (flag, path, dest) in [("-o", Some(opts.output.as_path()), results), ("--paths", opts.paths.as_deref(), paths)]
    {
        if let (Some(path), Some(dest)) = (path, dest) {
            if inputs.contains(&dest) {
                return Err(refuse(
                    path,
                    format!("{flag} names an input file, which the results would replace; allowed: another name"),
                ));
            }
        }
    }
    Ok((results_format, paths_format))
}

/// Another kind of output row for the same pipeline (`seek`, `run --reform`): the rows are
/// read, validated, computed in parallel and written in input order exactly as for `run`;
/// only what is written for each row differs.
pub trait RowWriter: Sync {
    /// The header line, ending in a newline.
    fn header(&self) -> String;
    /// Appends the row of a valid scenario; its status for the summary, or the message of
    /// an error row (which the writer has already written).
    fn row(&self, s: &crate::model::Scenario, ctx: &Context, fmt: Format, out: &mut String) -> Result<Status, String>;
    /// Appends the row of a record that is not a valid scenario.
    fn error(&self, id: &str, label: &str, message: &str, fmt: Format, out: &mut String);
}

/// Where an input's rows stand in a larger table that was cut into parts (the partitions
/// of a Dask run, each written as a CSV with its own header): messages give the line the
/// row has in the whole table, and an id that an earlier part already has makes the row a
/// duplicate, as it would in one file.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// Lines of the rows of the earlier parts (added to every row's line number).
    pub lines_before: u64,
    /// Ids of earlier parts that this part may repeat (only those need to be given).
    pub earlier_ids: Vec<String>,
}

/// Runs the whole pipeline.
pub fn run(opts: &RunOptions, ctx: &Context) -> Result<Summary, FatalError> {
    run_with(opts, ctx, None)
}

/// [`run`] with another row writer (`None`: the results rows of `run`).
pub fn run_with(opts: &RunOptions, ctx: &Context, writer: Option<&dyn RowWriter>) -> Result<Summary, FatalError> {
    run_part_with(opts, ctx, writer, &Part::default())
}

/// [`run`] on one part of a larger table ([`Part`]).
pub fn run_part(opts: &RunOptions, ctx: &Context, part: &Part) -> Result<Summary, FatalError> {
    run_part_with(opts, ctx, None, part)
}

/// [`run_with`] on one part of a larger table ([`Part`]).
pub fn run_part_with(
    opts: &RunOptions,
    ctx: &Context,
    writer: Option<&dyn RowWriter>,
    part: &Part,
) -> Result<Summary, FatalError> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let (results_format, paths_format) = check_outputs(opts)?;
    let mut source = Source::open(&opts.input, opts.segments.as_deref(), opts.encoding, &mut summary)?;
    source.lines_before = part.lines_before;
    for id in &part.earlier_ids {
        source.ids.seen_before(trim_bytes(id.as_bytes()));
    }

    let mut out = Output::create_as(&opts.output, results_format)?;
    let mut paths_out = match &opts.paths {
        Some(p) => match Output::create_as(p, paths_format) {
            Ok(o) => Some(o),
            Err(e) => {
                out.abandon();
                return Err(e);
            }
        },
        None => None,
    };
    let mut dropped: Option<String> = None;
    let result = (|| -> Result<(), FatalError> {
        if opts.format.excel {
            out.put("\u{feff}".as_bytes())?;
        }
        out.put(writer.map_or_else(results::header_line, |w| w.header()).as_bytes())?;
        if let Some(w) = paths_out.as_mut() {
            w.put(super::paths::PATHS_HEADER.as_bytes())?;
        }
        let batch = opts.batch_size.max(1);
        let header = source.header.clone();
        let want_paths = paths_out.is_some();
        let fill = |source: &mut Source, items: &mut [Item]| -> Result<usize, FatalError> {
            let mut n = 0;
            while n < items.len() && source.next(&mut items[n])? {
                n += 1;
            }
            Ok(n)
        };
        let mut write = |ready: &[Produced]| -> Result<(), FatalError> {
            for p in ready {
                tally(&mut summary, &mut dropped, p.status, p.error.as_deref(), p.note.as_deref());
                if p.status.is_none() && opts.strict {
                    return Err(FatalError::Strict(p.error.clone().unwrap_or_default()));
                }
                out.put(p.csv.as_bytes())?;
                if let Some(w) = paths_out.as_mut() {
                    w.put(p.paths.as_bytes())?;
                }
            }
            Ok(())
        };
        // Double buffering: while one batch is computed, the previous one is written and
        // the next one read (rayon::join), so the reading and writing thread is not idle
        // while the workers compute. Output order is the input order.
        // Output buffers are reused from batch to batch (cleared, capacity kept): no
        // allocation per row for the output, and none freed on another thread.
        let mut cur: Vec<Item> = (0..batch).map(|_| Item::default()).collect();
        let mut next: Vec<Item> = (0..batch).map(|_| Item::default()).collect();
        let mut computed: Vec<Produced> = (0..batch).map(|_| Produced::default()).collect();
        let mut ready: Vec<Produced> = (0..batch).map(|_| Produced::default()).collect();
        let mut ready_n = 0;
        let mut n = fill(&mut source, &mut cur)?;
        while n > 0 {
            let (_, io) = rayon::join(
                || {
                    cur[..n].par_iter().zip(computed[..n].par_iter_mut()).with_max_len(64).for_each(|(item, out)| {
                        if opts.floor {
                            echo(item, &header, ctx, opts.format, out)
                        } else {
                            process(item, &header, ctx, opts.format, want_paths, writer, out)
                        }
                    })
                },
                || -> Result<usize, FatalError> {
                    write(&ready[..ready_n])?;
                    fill(&mut source, &mut next)
                },
            );
            ready_n = n;
            n = io?;
            std::mem::swap(&mut ready, &mut computed);
            std::mem::swap(&mut cur, &mut next);
        }
        write(&ready[..ready_n])?;
        Ok(())
    })();
    let result = result.and_then(|()| {
        summary.unattached = source.finish()?;
        Ok(())
    });
    if let Some(note) = dropped {
        summary.warnings.push(dropped_day_warning(&note));
    }
    if let Err(e) = result {
        out.abandon();
        if let Some(p) = paths_out {
            p.abandon();
        }
        return Err(e);
    }
    // The results first: a paths file never stands beside results of an older run.
    if let Err(e) = out.commit() {
        if let Some(p) = paths_out {
            p.abandon();
        }
        return Err(e);
    }
    if let Some(p) = paths_out {
        p.commit()?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Validates a scenario file through the same per-row path as `run` ([`evaluate`]: parse,
/// validate, project), without the metrics and without writing results: the rows `run`
/// would make errors, each with `run`'s message first, then the row's other bad columns
/// (each found by reading the row again with the bad fields before it cleared). The
/// counts (ok, ineligible, error) and the exit code are `run`'s.
pub fn check(
    input: &Path,
    segments: Option<&Path>,
    ctx: &Context,
    encoding: Encoding,
) -> Result<(Summary, Vec<String>), FatalError> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut source = Source::open(input, segments, encoding, &mut summary)?;
    let mut problems = Vec::new();
    let mut item = Item::default();
    let mut dropped = None;
    while source.next(&mut item)? {
        let mut note = None;
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            evaluate(&item, &source.header, ctx, &mut note).map(|(_, o)| o.status)
        }));
        let status = match done {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(f)) => Err((f.message, f.column.is_some())),
            Err(cause) => Err((panic_message(&item, cause), false)),
        };
        match status {
            Ok(status) => tally(&mut summary, &mut dropped, Some(status), None, note.as_deref()),
            Err((message, at_column)) => {
                tally(&mut summary, &mut dropped, None, Some(&message), note.as_deref());
                problems.push(message);
                if at_column {
                    problems.extend(other_problems(&mut item, &source.header, ctx));
                }
            }
        }
    }
    if let Some(note) = dropped {
        summary.warnings.push(dropped_day_warning(&note));
    }
    summary.unattached = source.finish()?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok((summary, problems))
}

/// The other bad columns of a record whose first problem was a field (the one `run`
/// reports, already said): that field is cleared (a required one gets a neutral stand-in)
/// and the record read again, and so on, so that one bad row lists all its bad columns.
/// Only the reading is repeated: a row with stand-ins is not projected.
fn other_problems(item: &mut Item, header: &Header, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    let mut first = true;
    for _ in 0..=SCENARIO_COLUMNS.len() {
        let Err(f) = scenario_of(item, header, ctx, &mut None) else { break };
        if !std::mem::take(&mut first) {
            out.push(f.message);
        }
        let Some(col) = f.column.as_deref().and_then(|c| header.field_of(c)) else { break };
        // Required columns get a neutral stand-in so that the rest of the row is checked.
        let stand_in: &[u8] = match f.column.as_deref() {
            Some("scheme") => b"employee",
            Some("birth") => b"1980-01",
            Some("category") => b"male",
            _ => b"",
        };
        if item.rec.get(col) == Some(stand_in) {
            break;
        }
        let fields: Vec<Vec<u8>> =
            item.rec.iter().enumerate().map(|(i, v)| if i == col { stand_in.to_vec() } else { v.to_vec() }).collect();
        let pos = item.rec.position().cloned();
        item.rec = csv::ByteRecord::from(fields);
        item.rec.set_position(pos);
    }
    out
}

/// What [`find_scenario`] found: nothing, the row's scenario, or the row's error message.
pub type Found = Option<Result<crate::model::Scenario, String>>;

/// The first row whose id is `id`, read as `run` reads it (encoding, segments attached):
/// `Ok(None)` when no row has it, `Some(Err(message))` when the row cannot become a
/// scenario (the message `run` would print), with the warnings `run` would give.
pub fn find_scenario(
    input: &Path,
    segments: Option<&Path>,
    ctx: &Context,
    encoding: Encoding,
    id: &str,
) -> Result<(Found, Vec<String>), FatalError> {
    let mut summary = Summary::default();
    let mut source = Source::open(input, segments, encoding, &mut summary)?;
    let mut item = Item::default();
    let want = id.trim().as_bytes();
    while source.next(&mut item)? {
        if item.rec.get(source.id_col).map(trim_bytes) == Some(want) {
            let found = scenario_of(&item, &source.header, ctx, &mut None).map_err(|f| f.message);
            return Ok((Some(found), summary.warnings));
        }
    }
    Ok((None, summary.warnings))
}
