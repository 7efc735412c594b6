//! Where an output CSV goes.
//!
//! - A regular file, or a path that does not exist yet, is written to a temporary file in
//!   the same directory and renamed into place at the end: a run that fails leaves the
//!   file as it was (or absent), never half written.
//! - A symbolic link is followed first: the file it points at is replaced, the link stays.
//! - `-` is standard output; a pipe, a terminal or another device is written in place, as
//!   the rows come (there is nothing to rename). A run that fails there has already
//!   written the rows before the failure.
//! - The text format is CSV, or tab-separated text ([`TextFormat`]): `--format`, else the
//!   name's extension (`.tsv` tab-separated; `.csv`, `.txt`, none or `-` CSV); any other
//!   extension (`out.json`, `x.xlsx`) is refused without `--format`, before anything is
//!   computed, rather than writing CSV under a name that promises something else.

use super::cleanup;
use super::error::FatalError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The text format of an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Comma-separated values (RFC 4180 quoting).
    #[default]
    Csv,
    /// Tab-separated: the same rows with tabs between the fields; a field is quoted (CSV
    /// style, quotes doubled) only when it holds a tab, a quote or a line break.
    Tsv,
}

impl TextFormat {
    /// The format for `path`: `forced` (`--format`) if given, else from the extension.
    /// `flag` names the option in the message (`-o`, `--paths`).
    pub fn for_output(path: &Path, forced: Option<TextFormat>, flag: &str) -> Result<TextFormat, FatalError> {
        if let Some(f) = forced {
            return Ok(f);
        }
        if path.as_os_str() == "-" {
            return Ok(TextFormat::Csv);
        }
        let Some(ext) = path.extension() else { return Ok(TextFormat::Csv) };
        let ext = ext.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Ok(TextFormat::Csv),
            "tsv" => Ok(TextFormat::Tsv),
            other => {
                let hint = match other {
                    "xlsx" | "xls" | "xlsm" | "ods" | "et" => {
                        " (it writes text, not workbooks: write .csv and open that in Excel or WPS)"
                    }
                    _ => "",
                };
                Err(FatalError::Io {
                    path: path.display().to_string(),
                    source: std::io::Error::other(format!(
                        "{flag}: yanglao does not write .{other} files{hint}; allowed: a name ending in .csv, .tsv \
                         or .txt, or --format csv|tsv to write that format under this name"
                    )),
                })
            }
        }
    }
}

/// Rewrites CSV text (as this program writes it) as tab-separated text, across chunk
/// boundaries: each field is collected, then written bare, or quoted when it holds a tab,
/// a quote or a line break.
#[derive(Default)]
struct Tabs {
    field: Vec<u8>,
    in_quotes: bool,
    quote_seen: bool,
    out: Vec<u8>,
}

impl Tabs {
    fn feed(&mut self, bytes: &[u8]) {
        self.out.clear();
        for &b in bytes {
            if self.in_quotes {
                if self.quote_seen {
                    self.quote_seen = false;
                    if b == b'"' {
                        self.field.push(b'"');
                        continue;
                    }
                    self.in_quotes = false;
                } else if b == b'"' {
                    self.quote_seen = true;
                    continue;
                } else {
                    self.field.push(b);
                    continue;
                }
            }
            match b {
                b'"' if self.field.is_empty() => self.in_quotes = true,
                b',' => {
                    self.end_field();
                    self.out.push(b'\t');
                }
                b'\n' => {
                    self.end_field();
                    self.out.push(b'\n');
                }
                _ => self.field.push(b),
            }
        }
    }

    fn end_field(&mut self) {
        if self.field.iter().any(|b| matches!(b, b'\t' | b'"' | b'\n' | b'\r')) {
            self.out.push(b'"');
            for &b in &self.field {
                if b == b'"' {
                    self.out.push(b'"');
                }
                self.out.push(b);
            }
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(&self.field);
        }
        self.field.clear();
    }

    /// What is left at the end (a last line without its line end).
    fn finish(&mut self) -> &[u8] {
        self.out.clear();
        if !self.field.is_empty() || self.in_quotes {
            self.in_quotes = false;
            self.quote_seen = false;
            self.end_field();
        }
        &self.out
    }
}

/// An output being written.
pub struct Output {
    writer: BufWriter<Box<dyn Write + Send>>,
    /// The path as the user gave it (for messages).
    shown: PathBuf,
    /// (temporary file, file it replaces at the end); None when written in place.
    replace: Option<(PathBuf, PathBuf)>,
    /// The temporary file, removed if a signal ends the run; dropped after it is renamed
    /// or removed.
    _registered: Option<cleanup::Registered>,
    /// Set for tab-separated output: the CSV written to it is rewritten.
    tabs: Option<Box<Tabs>>,
}

/// Where `path` leads: Ok(Some(file to replace)) for a regular or a new file (links
/// followed), Ok(None) for standard output, a pipe or a device.
fn destination(path: &Path) -> std::io::Result<Option<PathBuf>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory; allowed: a file name"))
        }
        // A file the user could not write is not replaced behind their back (the rename
        // would only need the directory to be writable): opening it for writing, without
        // truncating, asks the system exactly that.
        Ok(meta) if meta.is_file() => {
            File::options().write(true).open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    std::io::Error::new(
                        e.kind(),
                        "may not be written (permission denied); allowed: a file you may write",
                    )
                } else {
                    e
                }
            })?;
            std::fs::canonicalize(path).map(Some)
        }
        Ok(_) => Ok(None),
        // A link to a file not there yet: written through the link, in place.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_symlink() => Ok(None),
        // A new file: its directory must exist; named absolutely, so that two spellings of
        // one new file are seen to be the same.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = path.file_name().ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "names no file; allowed: a file name")
            })?;
            let dir = std::fs::canonicalize(dir).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("its directory cannot be used ({e}); allowed: an existing directory"),
                )
            })?;
            Ok(Some(dir.join(name)))
        }
        Err(e) => Err(e),
    }
}

/// A hidden temporary name beside `path`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

impl Output {
    /// Opens `path` for writing (see the module documentation for what each kind of path
    /// gets).
    pub fn create(path: &Path) -> Result<Output, FatalError> {
        let err = |source| FatalError::Io { path: path.display().to_string(), source };
        let mut registered = None;
        let (inner, replace): (Box<dyn Write + Send>, _) = match destination(path).map_err(err)? {
            Some(dest) => {
                let tmp = temp_path(&dest);
                registered = cleanup::register(&tmp);
                let file = File::create(&tmp).map_err(err)?;
                // The file it replaces keeps its permissions (a results file readable by a
                // group only stays so), from the first byte written.
                if let Ok(meta) = std::fs::metadata(&dest) {
                    if let Err(e) = file.set_permissions(meta.permissions()) {
                        drop(file);
                        let _ = std::fs::remove_file(&tmp);
                        return Err(err(e));
                    }
                }
                (Box::new(file), Some((tmp, dest)))
            }
            None if path.as_os_str() == "-" => (Box::new(std::io::stdout()), None),
            None => (Box::new(File::options().write(true).create(true).truncate(true).open(path).map_err(err)?), None),
        };
        Ok(Output {
            writer: BufWriter::with_capacity(1 << 20, inner),
            shown: path.to_path_buf(),
            replace,
            _registered: registered,
            tabs: None,
        })
    }

    /// Opens `path` for writing in `format` (see [`Output::create`]); what is written to
    /// it is CSV, rewritten as tab-separated text for [`TextFormat::Tsv`].
    pub fn create_as(path: &Path, format: TextFormat) -> Result<Output, FatalError> {
        let mut o = Output::create(path)?;
        if format == TextFormat::Tsv {
            o.tabs = Some(Box::default());
        }
        Ok(o)
    }

    /// The file that the output ends up in, when it is one (None for standard output, a
    /// pipe or a device).
    pub fn file(path: &Path) -> Option<PathBuf> {
        destination(path).ok().flatten()
    }

    /// Writes `bytes`; errors name the path as given.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), FatalError> {
        let written = match self.tabs.as_mut() {
            Some(t) => {
                t.feed(bytes);
                self.writer.write_all(&t.out)
            }
            None => self.writer.write_all(bytes),
        };
        written.map_err(|source| {
            let source = if source.kind() == std::io::ErrorKind::BrokenPipe {
                std::io::Error::new(source.kind(), "the reader closed it before the last row (broken pipe)")
            } else {
                source
            };
            FatalError::Io { path: self.shown.display().to_string(), source }
        })
    }

    /// Flushes, then renames the temporary file into place.
    pub fn commit(mut self) -> Result<(), FatalError> {
        let shown = self.shown.display().to_string();
        let rest = match self.tabs.as_mut() {
            Some(t) => self.writer.write_all(t.finish()),
            None => Ok(()),
        };
        let flushed = rest.and_then(|()| self.writer.flush());
        drop(self.writer);
        if let Err(source) = flushed {
            if let Some((tmp, _)) = &self.replace {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(FatalError::Io { path: shown, source });
        }
        if let Some((tmp, dest)) = self.replace.take() {
            std::fs::rename(&tmp, &dest).map_err(|source| {
                let _ = std::fs::remove_file(&tmp);
                FatalError::Io { path: shown, source }
            })?;
        }
        Ok(())
    }

    /// Drops what was written to a temporary file (output in place stays as written).
    pub fn abandon(self) {
        let Output { writer, replace, _registered: registered, .. } = self;
        // The buffer is discarded unwritten for a temporary file; in place, what was
        // written so far goes out.
        match replace {
            Some((tmp, _)) => {
                drop(writer.into_parts());
                let _ = std::fs::remove_file(tmp);
            }
            None => drop(writer),
        }
        drop(registered);
    }
}

/// For writers that take `std::io::Write` (errors then carry no path).
impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self.tabs.as_mut() {
            Some(t) => {
                t.feed(buf);
                self.writer.write_all(&t.out)
            }
            None => self.writer.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("yanglao-sink-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_file_is_replaced_only_on_commit() {
        let d = dir();
        let p = d.join("out.csv");
        std::fs::write(&p, "old\n").unwrap();
        let mut o = Output::create(&p).unwrap();
        o.put(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        let mut o = Output::create(&p).unwrap();
        o.put(b"half").unwrap();
        o.abandon();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir();
        let p = d.join("private.csv");
        std::fs::write(&p, "old\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut o = Output::create(&p).unwrap();
        o.put(b"new\n").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_and_kept() {
        let d = dir();
        let target = d.join("target.csv");
        let link = d.join("link.csv");
        std::fs::write(&target, "old\n").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut o = Output::create(&link).unwrap();
        o.put(b"new\n").unwrap();
        o.commit().unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn two_spellings_of_one_new_file_are_one_file() {
        let d = dir();
        let a = Output::file(&d.join("new.csv")).unwrap();
        let b = Output::file(&d.join(".").join("new.csv")).unwrap();
        assert_eq!(a, b);
        let e = Output::create(&d.join("missing").join("new.csv")).err().expect("no such directory").to_string();
        assert!(e.contains("allowed: an existing directory"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    /// A read-only file is replaced only by someone who may write it (root may; the test
    /// then checks that the run goes through, as a shell's `>` would).
    #[test]
    fn a_read_only_file_is_replaced_only_by_who_may_write_it() {
        let d = dir();
        let p = d.join("kept.csv");
        std::fs::write(&p, "old\n").unwrap();
        let mut perms = std::fs::metadata(&p).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&p, perms).unwrap();
        let may_write = File::options().write(true).open(&p).is_ok();
        match Output::create(&p) {
            Ok(o) => {
                assert!(may_write, "a file the user may not write was opened for replacing");
                o.abandon();
            }
            Err(e) => {
                assert!(!may_write, "{e}");
                assert!(e.to_string().contains("may not be written"), "{e}");
                assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
            }
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_directory_is_refused() {
        let d = dir();
        let e = Output::create(&d).err().expect("a directory is no output file").to_string();
        assert!(e.contains("is a directory"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn csv_becomes_tab_separated() {
        let mut t = Tabs::default();
        let csv = "id,label,message\na,\"x, y\",\"said \"\"no\"\"\"\nb,\"two\nlines\",tab\there\n";
        let mut out = Vec::new();
        // Fed in every split, the result is the same.
        for cut in 0..csv.len() {
            out.clear();
            t.feed(&csv.as_bytes()[..cut]);
            out.extend_from_slice(&t.out);
            t.feed(&csv.as_bytes()[cut..]);
            out.extend_from_slice(&t.out);
            out.extend_from_slice(t.finish());
            assert_eq!(
                String::from_utf8(out.clone()).unwrap(),
                "id\tlabel\tmessage\na\tx, y\t\"said \"\"no\"\"\"\nb\t\"two\nlines\"\t\"tab\there\"\n",
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn an_extension_that_promises_another_format_is_refused() {
        let f = |p: &str, forced| TextFormat::for_output(Path::new(p), forced, "-o").map_err(|e| e.to_string());
        assert_eq!(f("out.csv", None), Ok(TextFormat::Csv));
        assert_eq!(f("OUT.TSV", None), Ok(TextFormat::Tsv));
        assert_eq!(f("out.txt", None), Ok(TextFormat::Csv));
        assert_eq!(f("results", None), Ok(TextFormat::Csv));
        assert_eq!(f("-", None), Ok(TextFormat::Csv));
        assert!(f("out.json", None).unwrap_err().contains("does not write .json files"));
        assert!(f("x.xlsx", None).unwrap_err().contains("not workbooks"));
        assert_eq!(f("out.json", Some(TextFormat::Tsv)), Ok(TextFormat::Tsv));
    }

    #[test]
    fn standard_output_and_devices_are_written_in_place() {
        assert_eq!(destination(Path::new("-")).unwrap(), None);
        #[cfg(unix)]
        assert_eq!(destination(Path::new("/dev/null")).unwrap(), None);
        assert!(Output::file(Path::new("-")).is_none());
    }
}
