//! Compiles every parameter file under `data/params/` into the binary: writes the list of
//! (relative path, text) pairs that `params::load` includes, so that a generated province
//! or city file needs no code change.

use std::path::{Path, PathBuf};

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            let rel = p.strip_prefix(root).expect("below root").to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    // The workspace's data/params, two levels above this package.
    let root = manifest.join("..").join("..").join("data").join("params");
    println!("cargo:rerun-if-changed=../../data/params");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let mut code = String::from("&[\n");
    for (rel, path) in &files {
        code.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_params.rs");
    std::fs::write(out, code).expect("write builtin_params.rs");
}
