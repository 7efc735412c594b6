//! The reading side of the pipeline: opening a CSV (encodings, separators, workbooks
//! refused), the scenario [`Source`] with its duplicate-id pass, and the segments grouped
//! by scenario ([`SegmentSource`]).

use super::*;

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
pub(super) fn workbook(path: &Path) -> std::io::Result<Option<&'static str>> {
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

pub(super) fn hash_id(id: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// A segments row: its line and the seven contract fields.
pub(super) type SegRow = (u64, [Option<String>; 7]);
/// A group of segment rows with one id: (id hash, id, rows).
pub(super) type Group = (u64, String, Vec<SegRow>);

/// One input record with what the reading thread decided about it.
#[derive(Default)]
pub(super) struct Item {
    pub(super) rec: csv::ByteRecord,
    pub(super) line: u64,
    pub(super) duplicate: bool,
    pub(super) segments: Vec<SegRow>,
    pub(super) segment_error: Option<String>,
}

/// What a worker produced for one record.
#[derive(Default)]
pub(super) struct Produced {
    pub(super) csv: String,
    pub(super) paths: String,
    pub(super) status: Option<Status>,
    pub(super) error: Option<String>,
    /// The first date of the record whose day was dropped (said once per run).
    pub(super) note: Option<String>,
}

/// Takes note of one produced row in the summary: its status, the first error message and
/// the first dropped day (a warning once per run, `dropped`).
pub(super) fn tally(
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
pub(super) fn dropped_day_warning(note: &str) -> String {
    format!("{note}: the day is dropped, months are read as YYYY-MM (said for the first such date only)")
}

/// Segment rows grouped by id, stream-merged with the scenarios. The file must be grouped
/// by id (checked in a first pass that keeps only id hashes) and in scenario order; groups
/// out of order become row errors, groups without a scenario are reported at the end.
pub(super) struct SegmentSource {
    pub(super) path: PathBuf,
    /// The file read (a copy when the segments come from a stream).
    pub(super) _file: Rereadable,
    pub(super) reader: CsvReader,
    pub(super) cols: [Option<usize>; 7],
    pub(super) ids: HashSet<u64>,
    pub(super) head: Option<Group>,
    pub(super) pending: Option<(u64, String, SegRow)>,
    pub(super) skipped: HashMap<u64, (String, u64)>,
    pub(super) record: csv::StringRecord,
    pub(super) done: bool,
}

impl SegmentSource {
    pub(super) fn open(path: &Path, encoding: Encoding) -> Result<SegmentSource, FatalError> {
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
                    let near = match unknown.iter().find(|u| crate::lenient::closest(u, [*req]).is_some()) {
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
    pub(super) fn fill(&mut self) -> Result<(), FatalError> {
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
    pub(super) fn take(&mut self, id: &str) -> Result<Result<Vec<SegRow>, String>, FatalError> {
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
    pub(super) fn finish(mut self) -> Result<Vec<String>, FatalError> {
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
pub(super) struct Source {
    pub(super) path: PathBuf,
    /// The file read (a copy when the scenarios come from a stream).
    pub(super) _file: Rereadable,
    pub(super) reader: CsvReader,
    pub(super) header: Header,
    pub(super) id_col: usize,
    pub(super) ids: DuplicateIds,
    pub(super) segments: Option<SegmentSource>,
    /// Added to line numbers ([`Part`]).
    pub(super) lines_before: u64,
}

/// Exact duplicate-id detection in flat memory. A first pass over the ids fills a fixed
/// 8 MiB Bloom filter; every id whose bits were all set already is a *suspect* (each true
/// duplicate is one, plus rare false positives: about 1e-5 of the rows at a million
/// rows). Only suspects are then tracked exactly (by their 64-bit hash) while the rows are
/// read for real, so memory does not grow with the file.
#[derive(Default)]
pub(super) struct DuplicateIds {
    pub(super) suspects: HashSet<u64>,
    pub(super) seen: HashSet<u64>,
}

/// Bloom filter size in 64-bit words (2^20 words = 8 MiB = 2^26 bits) and hash count.
pub(super) const BLOOM_WORDS: usize = 1 << 20;
pub(super) const BLOOM_HASHES: u64 = 4;

impl DuplicateIds {
    /// The first pass. With `utf8_check`, stops with None at the first record that is not
    /// UTF-8.
    pub(super) fn scan(
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
    pub(super) fn seen_before(&mut self, id: &[u8]) {
        if !id.is_empty() {
            let h = hash_id(id);
            self.suspects.insert(h);
            self.seen.insert(h);
        }
    }

    /// True when this id appeared on an earlier row.
    pub(super) fn is_duplicate(&mut self, id: &[u8]) -> bool {
        if id.is_empty() {
            return false;
        }
        let h = hash_id(id);
        self.suspects.contains(&h) && !self.seen.insert(h)
    }
}

impl Source {
    /// Opens the scenario (and segments) files; header warnings go into `summary`.
    pub(super) fn open(
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
    pub(super) fn next(&mut self, item: &mut Item) -> Result<bool, FatalError> {
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
    pub(super) fn finish(self) -> Result<Vec<String>, FatalError> {
        match self.segments {
            Some(src) => src.finish(),
            None => Ok(Vec::new()),
        }
    }
}
