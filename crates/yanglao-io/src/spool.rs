//! Inputs that are read more than once. The duplicate-id check reads the scenario file, and
//! the grouping check the segments file, before their rows are read for real (so memory
//! stays flat). A regular file is simply opened again; standard input (`-`), a pipe or a
//! device can be read only once, so it is first copied to a temporary file, which is
//! removed when the run ends. (Read twice as a stream, the first reader would take rows
//! the second never sees.)

use super::cleanup;
use super::error::FatalError;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A path that can be opened as often as needed.
#[derive(Debug)]
pub struct Rereadable {
    path: PathBuf,
    /// The input as the user named it (for messages).
    shown: PathBuf,
    /// A temporary copy of a stream, removed on drop.
    spooled: bool,
    /// The copy, removed if a signal ends the run.
    _registered: Option<cleanup::Registered>,
}

impl Rereadable {
    /// The file at `path`, or a copy of the stream there (`-` = standard input). Errors
    /// name `path` as given.
    pub fn new(path: &Path) -> Result<Rereadable, FatalError> {
        let err = |source| FatalError::Io { path: path.display().to_string(), source };
        let stdin = path.as_os_str() == "-";
        if stdin && io::IsTerminal::is_terminal(&io::stdin()) {
            // Nothing was piped in: waiting for typed CSV would look like a hang.
            return Err(err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "standard input is a terminal; allowed: a file name, or CSV piped in (… | yanglao run - …)",
            )));
        }
        if !stdin {
            let meta = std::fs::metadata(path).map_err(err)?;
            if meta.is_file() {
                return Ok(Rereadable {
                    path: path.to_path_buf(),
                    shown: path.to_path_buf(),
                    spooled: false,
                    _registered: None,
                });
            }
            if meta.is_dir() {
                return Err(err(io::Error::new(io::ErrorKind::IsADirectory, "is a directory; allowed: a CSV file")));
            }
        }
        let dir = std::env::temp_dir();
        let mut n = 0u32;
        let (copy, mut file) = loop {
            let p = dir.join(format!("yanglao-{}-{n}.csv", std::process::id()));
            match File::options().write(true).create_new(true).open(&p) {
                Ok(f) => break (p, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => {
                    return Err(err(io::Error::new(
                        e.kind(),
                        format!(
                            "cannot keep a copy of the stream in {} ({e}); allowed: a writable TMPDIR",
                            p.display()
                        ),
                    )))
                }
            }
        };
        // From here on the copy is removed whatever happens.
        let registered = cleanup::register(&copy);
        let spool = Rereadable { path: copy, shown: path.to_path_buf(), spooled: true, _registered: registered };
        let copied = if stdin {
            io::copy(&mut io::stdin().lock(), &mut file)
        } else {
            File::open(path).and_then(|mut f| io::copy(&mut f, &mut file))
        };
        copied.and_then(|_| file.flush()).map_err(|e| {
            err(io::Error::new(
                e.kind(),
                format!(
                    "cannot copy the stream to {} ({e}); allowed: a TMPDIR with room for the whole input",
                    spool.path.display()
                ),
            ))
        })?;
        Ok(spool)
    }

    /// Where to open it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name to give in messages: the input as named (`-` for standard input).
    pub fn shown(&self) -> &Path {
        &self.shown
    }
}

impl Drop for Rereadable {
    fn drop(&mut self) {
        if self.spooled {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_used_in_place() {
        let p = std::env::temp_dir().join(format!("yanglao-spool-test-{}.csv", std::process::id()));
        std::fs::write(&p, "id\n1\n").unwrap();
        let r = Rereadable::new(&p).unwrap();
        assert_eq!(r.path(), p);
        drop(r);
        assert!(p.exists(), "the user's file is never removed");
        let _ = std::fs::remove_file(&p);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_copied_and_the_copy_removed() {
        let r = Rereadable::new(Path::new("/dev/null")).unwrap();
        let copy = r.path().to_path_buf();
        assert_ne!(copy, Path::new("/dev/null"));
        assert_eq!(std::fs::read(&copy).unwrap(), b"");
        drop(r);
        assert!(!copy.exists());
    }

    #[test]
    fn a_directory_is_refused() {
        let e = Rereadable::new(&std::env::temp_dir()).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }
}
