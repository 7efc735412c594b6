//! Official approval sheets (tests/data/shandong-approval-sheets.csv, copied from the
//! shared golden set; each row's `source` column names its sheet) through the real binary,
//! compared to the fen.

use crate::common::*;

#[test]
fn every_golden_case_matches_every_expected_column() {
    let dir = scratch("golden");
    let input = repo("tests/data/shandong-approval-sheets.csv");
    let output = dir.join("out.csv");
    let st = bin().arg("run").arg(&input).arg("-o").arg(&output).status().unwrap();
    assert!(st.success(), "exit {st}");
    let expected = read_rows(&input);
    let got = read_rows(&output);
    assert_eq!(expected.len(), 8);
    assert_eq!(got.len(), expected.len());
    let mut agree = 0;
    for e in &expected {
        let g = by_id(&got, &e["id"]);
        assert_eq!(g["status"], "ok", "{}: {}", e["id"], g["message"]);
        for col in ["divisor", "basic", "account", "transitional", "total"] {
            assert_eq!(g[col], e[&format!("expect_{col}")], "{} {col} (source: {})", e["id"], e["source"]);
        }
        agree += 1;
    }
    assert_eq!(agree, 8);
}
