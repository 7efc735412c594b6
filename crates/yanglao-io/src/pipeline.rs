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

/// A CSV file read as UTF-8 with `\n` line ends.
pub type CsvReader = csv::Reader<LineEnds<Utf8Reader<File>>>;

/// Opens a CSV with encoding detection; headers are read by the caller. A file whose
/// header has no comma but tabs (Excel's "Text" and "Unicode Text" exports) or semicolons
/// is read with that separator, which is returned with the encoding. A workbook (.xlsx,
/// .xls) is refused with a message that says so. Messages name the file as given.
pub fn open_csv(file: &Rereadable, encoding: Encoding) -> Result<(CsvReader, Encoding, u8), FatalError> {
    let (path, shown) = (file.path(), file.shown());
    if let Some(kind) = workbook(path).map_err(io_err(shown))? {
        return Err(FatalError::Header {
            path: shown.display().to_string(),
            message: format!(
                "this is a spreadsheet workbook ({kind}), not CSV text; allowed: CSV — in Excel or WPS, \
                 Save As 'CSV UTF-8 (Comma delimited)'"
            ),
        });
    }
    let open = |encoding: Encoding, delimiter: u8| -> Result<(CsvReader, Encoding), FatalError> {
        let file = File::open(path).map_err(io_err(shown))?;
        let reader = Utf8Reader::new(file, encoding).map_err(io_err(shown))?;
        let detected = reader.detected;
        let csv = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .from_reader(LineEnds::new(reader));
        Ok((csv, detected))
    };
    let (mut csv, detected) = open(encoding, b',')?;
    let other = match csv.byte_headers() {
        Ok(h) if h.len() == 1 => [b'\t', b';'].into_iter().find(|d| h.as_slice().contains(d)),
        _ => None,
    };
    match other {
        Some(d) => open(detected, d).map(|(csv, detected)| (csv, detected, d)),
        None => Ok((csv, detected, b',')),
    }
}

/// The kind of spreadsheet workbook `path` is, from its first bytes (a ZIP container for
/// .xlsx, .ods and WPS files, an OLE2 container for .xls and old WPS .et files), or None
/// for anything else.
fn workbook(path: &Path) -> std::io::Result<Option<&'static str>> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut n = 0;
    let mut file = File::open(path)?;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(if head[..n].starts_with(b"PK\x03\x04") {
        Some(".xlsx, .ods or WPS: a ZIP file")
    } else if head[..n].starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(".xls or WPS .et: an OLE2 file")
    } else {
        None
    })
}

fn hash_id(id: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// A segments row: its line and the seven contract fields.
type SegRow = (u64, [Option<String>; 7]);
/// A group of segment rows with one id: (id hash, id, rows).
type Group = (u64, String, Vec<SegRow>);

/// One input record with what the reading thread decided about it.
#[derive(Default)]
struct Item {
    rec: csv::ByteRecord,
    line: u64,
    duplicate: bool,
    segments: Vec<SegRow>,
    segment_error: Option<String>,
}

/// What a worker produced for one record.
#[derive(Default)]
struct Produced {
    csv: String,
    paths: String,
    status: Option<Status>,
    error: Option<String>,
    /// The first date of the record whose day was dropped (said once per run).
    note: Option<String>,
}

/// Takes note of one produced row in the summary: its status, the first error message and
/// the first dropped day (a warning once per run, `dropped`).
fn tally(
    summary: &mut Summary,
    dropped: &mut Option<String>,
    status: Option<Status>,
    error: Option<&str>,
    note: Option<&str>,
) {
    summary.rows += 1;
    match status {
        Some(Status::Ok) => summary.ok += 1,
        Some(Status::Ineligible) => summary.ineligible += 1,
        None => {
            summary.error += 1;
            if summary.first_error.is_none() {
                summary.first_error = error.map(str::to_string);
            }
        }
    }
    if dropped.is_none() {
        *dropped = note.map(str::to_string);
    }
}

/// The warning for a dropped day, said once per run.
fn dropped_day_warning(note: &str) -> String {
    format!("{note}: the day is dropped, months are read as YYYY-MM (said for the first such date only)")
}

/// Segment rows grouped by id, stream-merged with the scenarios. The file must be grouped
/// by id (checked in a first pass that keeps only id hashes) and in scenario order; groups
/// out of order become row errors, groups without a scenario are reported at the end.
struct SegmentSource {
    path: PathBuf,
    /// The file read (a copy when the segments come from a stream).
    _file: Rereadable,
    reader: CsvReader,
    cols: [Option<usize>; 7],
    ids: HashSet<u64>,
    head: Option<Group>,
    pending: Option<(u64, String, SegRow)>,
    skipped: HashMap<u64, (String, u64)>,
    record: csv::StringRecord,
    done: bool,
}

impl SegmentSource {
    fn open(path: &Path, encoding: Encoding) -> Result<SegmentSource, FatalError> {
        let cols_of = |r: &mut CsvReader| -> Result<[Option<usize>; 7], FatalError> {
            let h = r.headers().map_err(|e| csv_err(path, e))?;
            let mut cols = [None; 7];
            let mut unknown = Vec::new();
            for (i, name) in h.iter().enumerate() {
                let name = name.trim_start_matches('\u{feff}').trim();
                match SEGMENT_COLUMNS.iter().position(|c| *c == name) {
                    Some(k) => cols[k] = Some(i),
                    None => unknown.push(name.to_string()),
                }
            }
            for (k, req) in SEGMENT_COLUMNS.iter().enumerate() {
                if matches!(*req, "id" | "scheme" | "start" | "end") && cols[k].is_none() {
                    let near = match unknown.iter().find(|u| super::lenient::closest(u, [*req]).is_some()) {
                        Some(u) => format!(" (the header has '{u}': did you mean '{req}'?)"),
                        None => String::new(),
                    };
                    return Err(FatalError::Header {
                        path: path.display().to_string(),
                        message: format!(
                            "missing required column '{req}' in the segments header{near}; required: id, scheme, start, end"
                        ),
                    });
                }
            }
            Ok(cols)
        };
        let file = Rereadable::new(path)?;
        // First pass: ids must be grouped.
        let (mut r, _, _) = open_csv(&file, encoding)?;
        let cols = cols_of(&mut r)?;
        let mut ids = HashSet::new();
        let mut prev: Option<u64> = None;
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).map_err(|e| csv_err(path, e))? {
            let id = rec.get(cols[0].unwrap_or(0)).unwrap_or("").trim();
            let h = hash_id(id.as_bytes());
            if prev != Some(h) && !ids.insert(h) {
                let line = record_line(r.position().line(), rec.as_byte_record());
                return Err(FatalError::Csv {
                    path: path.display().to_string(),
                    message: format!("line {line}: id '{id}' appears again after other ids; the segments file must be grouped by id, in scenario order"),
                });
            }
            prev = Some(h);
        }
        let (mut reader, _, _) = open_csv(&file, encoding)?;
        cols_of(&mut reader)?;
        Ok(SegmentSource {
            path: path.to_path_buf(),
            _file: file,
            reader,
            cols,
            ids,
            head: None,
            pending: None,
            skipped: HashMap::new(),
            record: csv::StringRecord::new(),
            done: false,
        })
    }

    /// Reads the next whole group into `head` (the first row of the group after it waits
    /// in `pending`).
    fn fill(&mut self) -> Result<(), FatalError> {
        if self.head.is_some() {
            return Ok(());
        }
        if let Some((h, id, row)) = self.pending.take() {
            self.head = Some((h, id, vec![row]));
        }
        while !self.done {
            if !self.reader.read_record(&mut self.record).map_err(|e| csv_err(&self.path, e))? {
                self.done = true;
                break;
            }
            let line = record_line(self.reader.position().line(), self.record.as_byte_record());
            let record = &self.record;
            let cols = &self.cols;
            let fields: [Option<String>; 7] = std::array::from_fn(|k| {
                cols[k].and_then(|i| record.get(i)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
            });
            let id = fields[0].clone().unwrap_or_default();
            let h = hash_id(id.as_bytes());
            match &mut self.head {
                Some((hh, _, rows)) if *hh == h => rows.push((line, fields)),
                Some(_) => {
                    self.pending = Some((h, id, (line, fields)));
                    break;
                }
                None => self.head = Some((h, id, vec![(line, fields)])),
            }
        }
        Ok(())
    }
}

impl SegmentSource {
    fn take(&mut self, id: &str) -> Result<Result<Vec<SegRow>, String>, FatalError> {
        let h = hash_id(id.as_bytes());
        if !self.ids.contains(&h) {
            return Ok(Ok(Vec::new()));
        }
        if let Some((_, line)) = self.skipped.get(&h) {
            return Ok(Err(format!(
                "its segments (segments file line {line}) come before those of an earlier scenario; the segments file must be grouped by id in scenario order"
            )));
        }
        loop {
            self.fill()?;
            match self.head.take() {
                None => return Ok(Ok(Vec::new())),
                Some((hh, _, rows)) if hh == h => {
                    self.ids.remove(&h);
                    return Ok(Ok(rows));
                }
                Some((hh, hid, rows)) => {
                    self.skipped.insert(hh, (hid, rows.first().map_or(0, |r| r.0)));
                }
            }
        }
    }

    /// Groups never matched by a scenario.
    fn finish(mut self) -> Result<Vec<String>, FatalError> {
        let mut out: Vec<(u64, String)> = self.skipped.values().map(|(id, line)| (*line, id.clone())).collect();
        loop {
            self.fill()?;
            match self.head.take() {
                None => break,
                Some((_, id, rows)) => out.push((rows.first().map_or(0, |r| r.0), id)),
            }
        }
        out.sort();
        Ok(out
            .into_iter()
            .map(|(line, id)| format!("{}: line {line}, column id, value '{id}': no scenario has this id (or it is out of scenario order); allowed an id of the scenario file", self.path.display()))
            .collect())
    }
}

/// An opened scenario file: the reader, its header, duplicate-id tracking and the segments
/// merge. `run` and `check` read through it alike.
struct Source {
    path: PathBuf,
    /// The file read (a copy when the scenarios come from a stream).
    _file: Rereadable,
    reader: CsvReader,
    header: Header,
    id_col: usize,
    ids: DuplicateIds,
    segments: Option<SegmentSource>,
    /// Added to line numbers ([`Part`]).
    lines_before: u64,
}

/// Exact duplicate-id detection in flat memory. A first pass over the ids fills a fixed
/// 8 MiB Bloom filter; every id whose bits were all set already is a *suspect* (each true
/// duplicate is one, plus rare false positives: about 1e-5 of the rows at a million
/// rows). Only suspects are then tracked exactly (by their 64-bit hash) while the rows are
/// read for real, so memory does not grow with the file.
#[derive(Default)]
struct DuplicateIds {
    suspects: HashSet<u64>,
    seen: HashSet<u64>,
}

/// Bloom filter size in 64-bit words (2^20 words = 8 MiB = 2^26 bits) and hash count.
const BLOOM_WORDS: usize = 1 << 20;
const BLOOM_HASHES: u64 = 4;

impl DuplicateIds {
    /// The first pass. With `utf8_check`, stops with None at the first record that is not
    /// UTF-8.
    fn scan(
        reader: &mut CsvReader,
        id_col: usize,
        path: &Path,
        utf8_check: bool,
    ) -> Result<Option<DuplicateIds>, FatalError> {
        let mut bloom = vec![0u64; BLOOM_WORDS];
        let mut suspects = HashSet::new();
        let mut rec = csv::ByteRecord::new();
        let bits = (BLOOM_WORDS * 64) as u64;
        while reader.read_byte_record(&mut rec).map_err(|e| csv_err(path, e))? {
            // (An OR over all bytes, without an early exit, is a short vector loop.)
            if utf8_check
                && rec.as_slice().iter().fold(0u8, |a, &b| a | b) >= 0x80
                && std::str::from_utf8(rec.as_slice()).is_err()
            {
                return Ok(None);
            }
            let id = rec.get(id_col).map(trim_bytes).unwrap_or(b"");
            if id.is_empty() {
                continue;
            }
            let h = hash_id(id);
            // Double hashing: positions h1 + i·h2.
            let (h1, h2) = (h, (h >> 32) | 1);
            let mut all_set = true;
            for i in 0..BLOOM_HASHES {
                let bit = h1.wrapping_add(i.wrapping_mul(h2)) % bits;
                let (w, m) = ((bit / 64) as usize, 1u64 << (bit % 64));
                all_set &= bloom[w] & m != 0;
                bloom[w] |= m;
            }
            if all_set {
                suspects.insert(h);
            }
        }
        Ok(Some(DuplicateIds { suspects, seen: HashSet::new() }))
    }

    /// Marks an id as used by a row before this input ([`Part`]).
    fn seen_before(&mut self, id: &[u8]) {
        if !id.is_empty() {
            let h = hash_id(id);
            self.suspects.insert(h);
            self.seen.insert(h);
        }
    }

    /// True when this id appeared on an earlier row.
    fn is_duplicate(&mut self, id: &[u8]) -> bool {
        if id.is_empty() {
            return false;
        }
        let h = hash_id(id);
        self.suspects.contains(&h) && !self.seen.insert(h)
    }
}

impl Source {
    /// Opens the scenario (and segments) files; header warnings go into `summary`.
    fn open(
        input: &Path,
        segments: Option<&Path>,
        encoding: Encoding,
        summary: &mut Summary,
    ) -> Result<Source, FatalError> {
        if segments.is_some_and(|s| s.as_os_str() == "-") && input.as_os_str() == "-" {
            return Err(FatalError::Header {
                path: "-".to_string(),
                message: "the scenarios and the segments cannot both come from standard input; allowed: one of them"
                    .to_string(),
            });
        }
        let file = Rereadable::new(input)?;
        let (mut reader, mut detected, delimiter) = open_csv(&file, encoding)?;
        let ascii_start = reader.get_ref().get_ref().ascii_start;
        let header_rec = reader.byte_headers().map_err(|e| csv_err(input, e))?.clone();
        let names: Vec<String> = header_rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let header = Header::new(names.iter().map(String::as_str)).map_err(|e| {
            // What the header does have (the first columns, each cut short).
            let found: Vec<String> = names
                .iter()
                .take(12)
                .map(|n| {
                    if n.chars().count() > 24 {
                        format!("{}…", n.chars().take(24).collect::<String>())
                    } else {
                        n.clone()
                    }
                })
                .collect();
            let more = if names.len() > 12 { ", …" } else { "" };
            let has = if names.iter().all(|n| n.trim().is_empty()) {
                "the file has no header line".to_string()
            } else {
                format!("the header has: {}{more}", found.join(", "))
            };
            FatalError::Header { path: input.display().to_string(), message: format!("{e} ({has})") }
        })?;
        if let Some(w) = header.unknown_warning() {
            summary.warnings.push(w);
        }
        let segments = match segments {
            Some(p) => Some(SegmentSource::open(p, encoding)?),
            None => None,
        };
        let id_col = header.id_index();
        // The duplicate-id pass reads the whole file. When the first 64 KiB were plain ASCII
        // (which says nothing of the encoding), it also checks that the rest is UTF-8; if
        // not, the file is one of Excel's GB18030 files with its Chinese further down, and
        // it is read again as such.
        let (mut first, _, _) = open_csv(&file, detected)?;
        let ids = match DuplicateIds::scan(&mut first, id_col, input, ascii_start && detected == Encoding::Utf8)? {
            Some(ids) => ids,
            None => {
                detected = Encoding::Gb18030;
                (reader, _, _) = open_csv(&file, detected)?;
                let (mut first, _, _) = open_csv(&file, detected)?;
                DuplicateIds::scan(&mut first, id_col, input, false)?.unwrap_or_default()
            }
        };
        if delimiter != b',' {
            let name = if delimiter == b'\t' { "tabs" } else { "semicolons" };
            summary.warnings.push(format!("the header has no commas: columns read as separated by {name}"));
        }
        if detected != Encoding::Utf8 && encoding == Encoding::Auto {
            summary.warnings.push(format!("input is not UTF-8; read as {}", detected.name()));
        }
        Ok(Source { path: input.to_path_buf(), _file: file, reader, header, id_col, ids, segments, lines_before: 0 })
    }

    /// Reads the next record into `item` (line, duplicate flag, its segments); false at
    /// the end of the file.
    fn next(&mut self, item: &mut Item) -> Result<bool, FatalError> {
        if !self.reader.read_byte_record(&mut item.rec).map_err(|e| csv_err(&self.path, e))? {
            return Ok(false);
        }
        item.line = record_line(self.reader.position().line(), &item.rec) + self.lines_before;
        let id = item.rec.get(self.id_col).map(trim_bytes).unwrap_or(b"");
        item.duplicate = self.ids.is_duplicate(id);
        item.segments.clear();
        item.segment_error = None;
        if let Some(src) = self.segments.as_mut() {
            let id = String::from_utf8_lossy(id);
            if !id.is_empty() && !item.duplicate {
                match src.take(&id)? {
                    Ok(rows) => item.segments = rows,
                    Err(e) => item.segment_error = Some(e),
                }
            }
        }
        Ok(true)
    }

    /// Problems that belong to no row (segment groups without a scenario).
    fn finish(self) -> Result<Vec<String>, FatalError> {
        match self.segments {
            Some(src) => src.finish(),
            None => Ok(Vec::new()),
        }
    }
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

fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// A record that cannot become a scenario: the id to print (the line number when the id
/// itself is bad), the label and the message.
struct Failure {
    id: String,
    label: String,
    message: String,
    /// The scenario column at fault, when there is one.
    column: Option<String>,
}

/// Record → validated scenario with its segments attached; `note` gets the first date of
/// the record whose day was dropped (`line L, column C, value 'V'`).
fn scenario_of(
    item: &Item,
    header: &Header,
    ctx: &Context,
    note: &mut Option<String>,
) -> Result<crate::model::Scenario, Failure> {
    let line = item.line;
    let row = Row::new(header, &item.rec);
    if !row.is_utf8() {
        return Err(Failure {
            id: line.to_string(),
            label: String::new(),
            message: format!("line {line}: not valid UTF-8 text (save as UTF-8, or run with --encoding gb18030)"),
            column: None,
        });
    }
    let fallback_id: String;
    let id = match row.get("id") {
        Some(id) => id,
        None => {
            fallback_id = line.to_string();
            fallback_id.as_str()
        }
    };
    let label = row.get("label").unwrap_or(id);
    let fail = |message: String| Failure { id: id.to_string(), label: label.to_string(), message, column: None };
    if item.rec.len() > header.width() {
        return Err(fail(format!(
            "line {line}: {} fields, but the header has {}; allowed at most one field per header column (quote fields that contain commas)",
            item.rec.len(),
            header.width()
        )));
    }
    if item.duplicate {
        return Err(fail(
            RowError::new("id", id, "duplicate id (an earlier row has it)", "a unique key per row").message(line),
        ));
    }
    let parsed = parse_scenario(&row, line, &ctx.params, ctx.assumptions.as_of);
    if let Some((col, v)) = row.dropped_day() {
        *note = Some(format!("line {line}, column {col}, value '{v}'"));
    }
    let mut s = parsed.map_err(|e| Failure { column: Some(e.column.clone()), ..fail(e.message(line)) })?;
    if let Some(e) = &item.segment_error {
        return Err(fail(
            RowError::new("id", &s.id, e.clone(), "segments grouped by id in scenario order").message(line),
        ));
    }
    for (seg_line, fields) in &item.segments {
        let f: [Option<&str>; 7] = std::array::from_fn(|k| fields[k].as_deref());
        let seg = parse_segment(&f, *seg_line, &ctx.params, &s).map_err(|e| fail(e.message(line)))?;
        s.segments.push(seg);
        if note.is_none() {
            for (k, col) in [(3, "start"), (4, "end")] {
                let v = f[k].unwrap_or("");
                if Month::parse(v).is_none() && super::lenient::month(v).is_some_and(|(_, day)| day) {
                    *note = Some(format!("segments file line {seg_line}, column {col}, value '{v}'"));
                    break;
                }
            }
        }
    }
    Ok(s)
}

/// The one per-row path of `run` and `check`: parse and validate the record, then project
/// it. Every error a row can have (bad field, duplicate id, segments, the model's own
/// refusals) comes out of here; `run` then adds the metrics and prints the numbers.
fn evaluate(
    item: &Item,
    header: &Header,
    ctx: &Context,
    note: &mut Option<String>,
) -> Result<(crate::model::Scenario, crate::model::Outcome), Failure> {
    let s = scenario_of(item, header, ctx, note)?;
    match project(&s, ctx) {
        Ok(o) => Ok((s, o)),
        Err(e) => Err(Failure { id: s.id.clone(), label: s.label.clone(), message: e.message(s.line), column: None }),
    }
}

/// The message for a row whose computation panicked (a bug): the row gets it as its error.
fn panic_message(item: &Item, cause: Box<dyn std::any::Any + Send>) -> String {
    let why = cause
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".to_string());
    format!("line {}: internal error while computing this row ({why}); please report it", item.line)
}

/// Parses, projects and formats one record into `out` (its buffers are reused).
fn process(
    item: &Item,
    header: &Header,
    ctx: &Context,
    fmt: Format,
    want_paths: bool,
    writer: Option<&dyn RowWriter>,
    out: &mut Produced,
) {
    out.csv.clear();
    out.paths.clear();
    out.error = None;
    out.note = None;
    // Last line of defence: a panic in one row (a bug) becomes that row's error, never a
    // crash and never a lost row. Arithmetic on validated inputs is bounded or checked.
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match writer {
        Some(w) => write_row(item, header, ctx, fmt, w, &mut *out),
        None => process_row(item, header, ctx, fmt, want_paths, &mut *out),
    }));
    if let Err(cause) = done {
        let message = panic_message(item, cause);
        let id = item
            .rec
            .get(header.id_index())
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let id = id.map(str::to_string).unwrap_or_else(|| item.line.to_string());
        out.csv.clear();
        out.paths.clear();
        match writer {
            Some(w) => w.error(&id, &id, &message, fmt, &mut out.csv),
            None => results::push_error(&mut out.csv, &id, &id, &message, fmt),
        }
        out.status = None;
        out.error = Some(message);
    }
}

/// [`process_row`] for another row writer.
fn write_row(item: &Item, header: &Header, ctx: &Context, fmt: Format, w: &dyn RowWriter, out: &mut Produced) {
    match scenario_of(item, header, ctx, &mut out.note) {
        Ok(s) => match w.row(&s, ctx, fmt, &mut out.csv) {
            Ok(status) => out.status = Some(status),
            Err(message) => {
                out.status = None;
                out.error = Some(message);
            }
        },
        Err(f) => {
            w.error(&f.id, &f.label, &f.message, fmt, &mut out.csv);
            out.status = None;
            out.error = Some(f.message);
        }
    }
}

/// The benchmark floor for one record: parse it, write the record itself back.
fn echo(item: &Item, header: &Header, ctx: &Context, fmt: Format, out: &mut Produced) {
    out.note = None;
    out.status = scenario_of(item, header, ctx, &mut out.note).ok().map(|_| Status::Ok);
    out.error = None;
    out.paths.clear();
    let csv = &mut out.csv;
    csv.clear();
    for (i, field) in item.rec.iter().enumerate() {
        if i > 0 {
            csv.push(',');
        }
        results::push_text(csv, &String::from_utf8_lossy(field), fmt);
    }
    csv.push('\n');
}

fn process_row(item: &Item, header: &Header, ctx: &Context, fmt: Format, want_paths: bool, out: &mut Produced) {
    let (s, o) = match evaluate(item, header, ctx, &mut out.note) {
        Ok(done) => done,
        Err(f) => {
            results::push_error(&mut out.csv, &f.id, &f.label, &f.message, fmt);
            out.status = None;
            out.error = Some(f.message);
            return;
        }
    };
    push_result(&mut out.csv, &s, &o, ctx, fmt);
    if want_paths {
        super::paths::push_paths_rows(&mut out.paths, &s, &o, ctx, fmt);
    }
    out.status = Some(o.status);
}

/// Appends the results row of a computed scenario, metrics and echoes included, ending in
/// a newline: what `run` writes for it (also used by `explain` and `run --reform`).
#[inline]
pub fn push_result(
    out: &mut String,
    s: &crate::model::Scenario,
    o: &crate::model::Outcome,
    ctx: &Context,
    fmt: Format,
) {
    let m: Metrics = metrics::compute(s, o, ctx);
    let echo =
        Echo { contribution_index: (s.scheme != crate::model::Scheme::Resident).then_some(s.index), tier: s.tier };
    results::push_outcome(out, &s.id, &s.label, o, &m, echo, &ctx.params, fmt);
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
