//! `yanglao explain`: every number it shows is the one `run` prints for the same row.

use crate::common::{bin, read_rows, repo, scratch};
use std::collections::HashMap;
use std::path::Path;

fn explain_json(input: &Path, segments: Option<&Path>, id: &str) -> serde_json::Value {
    let mut cmd = bin();
    cmd.arg("explain").arg(input).args(["--id", id, "--format", "json", "--lang", "en"]);
    if let Some(s) = segments {
        cmd.arg("--segments").arg(s);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "explain {id}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("explain {id}: not JSON: {e}"))
}

/// Runs `run` on a file and `explain` on each of its rows; the explained result row and
/// every step's checked value equal the run output. Returns the number of checks made.
fn explain_equals_run(name: &str, input: &str, segments: Option<&str>) -> usize {
    let dir = scratch(name);
    let input = repo(input);
    let segments = segments.map(repo);
    let out = dir.join("out.csv");
    let mut cmd = bin();
    cmd.arg("run").arg(&input).arg("-o").arg(&out);
    if let Some(s) = &segments {
        cmd.arg("--segments").arg(s);
    }
    assert!(cmd.output().unwrap().status.code().is_some_and(|c| c == 0 || c == 3));
    let rows = read_rows(&out);
    let mut checks = 0;
    for row in rows.iter().filter(|r| r["status"] != "error") {
        let id = &row["id"];
        let e = explain_json(&input, segments.as_deref(), id);
        let result: HashMap<String, String> = e["result"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        assert_eq!(&result, row, "row {id}: the explained result differs from run");
        for step in e["steps"].as_array().unwrap() {
            for (col, v) in step["checks"].as_object().unwrap() {
                assert_eq!(v.as_str().unwrap(), row[col], "row {id}, step {}: column {col}", step["title"]);
                checks += 1;
            }
        }
        if row["status"] == "ok" {
            let has = |c: &str| e["steps"].as_array().unwrap().iter().any(|s| s["checks"].get(c).is_some());
            for c in ["total", "account", "years", "balance", "pension_wealth", "provenance"] {
                assert!(has(c), "row {id}: no step shows {c}");
            }
        }
    }
    checks
}

#[test]
fn explain_numbers_equal_run_numbers_for_employee_examples() {
    let n = explain_equals_run("explain-employees", "data/examples/employees.csv", None);
    assert!(n > 100, "{n} checks");
}

#[test]
fn explain_numbers_equal_run_numbers_for_residents_bridging_and_transfers() {
    let n = explain_equals_run(
        "explain-tiers",
        "data/examples/weifang-tiers.csv",
        Some("data/examples/weifang-tiers-segments.csv"),
    );
    assert!(n > 80, "{n} checks");
}

/// Worked case, flexible worker at index 0.6 retiring 2029-01 with 15 years:
/// C(2029) = 7831 × 1.04^4 rounded yearly = 9161.16; round(C × 0.6, 2) = 5496.70;
/// basic = round((9161.16 + 5496.70) / 2 × 15.00 × 1%, 2) = round(1099.3395, 2) = 1099.34;
/// divisor at 60y10m = 139 + (132 − 139) × 10 / 12 = 133.1667 → 133.2;
/// account = round(63718.25 / 133.2, 2) = 478.37; total 1577.71.
#[test]
fn explain_shows_each_formula_with_its_inputs() {
    let e = explain_json(&repo("data/examples/employees.csv"), None, "flex-0.6-15y");
    let steps = e["steps"].as_array().unwrap();
    let step = |rule: &str| steps.iter().find(|s| s["rule"] == rule).unwrap_or_else(|| panic!("no step {rule}"));
    let basic = step("C15");
    assert_eq!(basic["result"], "1099.34");
    assert_eq!(basic["document"], "国发〔2005〕38号");
    let inputs: Vec<(&str, &str)> = basic["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["value"].as_str().unwrap()))
        .collect();
    assert_eq!(inputs, [("C", "9161.16"), ("Ī", "0.6000"), ("round(C × Ī, 2)", "5496.70"), ("N", "15.00")]);
    assert_eq!(step("C7")["result"], "133.2");
    assert!(step("C7")["formula"].as_str().unwrap().contains("139 + (132 − 139) × 10 / 12"));
    assert_eq!(step("C16")["result"], "478.37");
    assert_eq!(step("C2")["result"], "1577.71");
    // The projected base names how it was projected and what it grew from.
    let base = &step("C14")["inputs"][0];
    assert_eq!(base["provenance"], "projected");
    assert!(base["source"].as_str().unwrap().contains("wage_growth 0.04"), "{base}");
    assert!(base["source"].as_str().unwrap().contains("鲁人社字〔2025〕100号"), "{base}");
    // The yearly accrual table ends at the balance the account step divides.
    let accrual = step("C8–C11");
    let last = accrual["table"]["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(last.as_array().unwrap().last().unwrap(), "63718.25");
}

#[test]
fn explain_markdown_and_text_cite_rules_and_an_unknown_id_is_refused() {
    let input = repo("data/examples/employees.csv");
    let md = bin().arg("explain").arg(&input).args(["--id", "flex-0.6-15y", "--format", "markdown"]).output().unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("### ") && md.contains("(C15)") && md.contains("| 输入 | 值 | 来源等级 | 出处 |"), "{md}");
    let text = bin().arg("explain").arg(&input).args(["--id", "flex-0.6-15y", "--lang", "en"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("[C15] Basic pension") && text.contains("= 1577.71"), "{text}");
    let none = bin().arg("explain").arg(&input).args(["--id", "nobody"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no row has id 'nobody'"));
}
