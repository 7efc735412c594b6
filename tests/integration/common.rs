//! Helpers: scratch folders and running the real binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `yanglao` executable.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_yanglao"))
}

/// A fresh scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs `yanglao run` on a CSV text; returns the process output and the result rows.
pub fn run_csv(dir: &Path, csv_text: &str, extra: &[&str]) -> (Output, Vec<HashMap<String, String>>) {
    let input = dir.join("in.csv");
    let output = dir.join("out.csv");
    std::fs::write(&input, csv_text).unwrap();
    let out = bin().arg("run").arg(&input).arg("-o").arg(&output).args(extra).output().unwrap();
    let rows = if output.exists() { read_rows(&output) } else { Vec::new() };
    (out, rows)
}

/// Reads a CSV into maps keyed by header.
pub fn read_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers.iter().map(str::to_string).zip(rec.iter().map(str::to_string)).collect()
        })
        .collect()
}

/// The row with this id.
pub fn by_id<'a>(rows: &'a [HashMap<String, String>], id: &str) -> &'a HashMap<String, String> {
    rows.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no row {id}"))
}
