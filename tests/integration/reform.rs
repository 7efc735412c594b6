//! `run --reform`: baseline, reform and delta columns, and the delta attributed to each
//! patch, the parts summing to the delta to the fen.

use crate::common::{bin, by_id, read_rows, repo, scratch};
use std::collections::HashMap;
use std::path::Path;

/// A money string as whole fen.
fn fen(s: &str) -> i64 {
    let neg = s.starts_with('-');
    let t = s.trim_start_matches('-');
    let (a, b) = t.split_once('.').unwrap_or((t, "00"));
    let v = a.parse::<i64>().unwrap() * 100 + b.parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

fn run_reform(dir: &Path, reform: &str, extra: &[&str]) -> (std::process::Output, Vec<HashMap<String, String>>) {
    let file = dir.join("reform.toml");
    std::fs::write(&file, reform).unwrap();
    let out = dir.join("out.csv");
    let o = bin()
        .arg("run")
        .arg(repo("data/examples/weifang-tiers.csv"))
        .arg("--segments")
        .arg(repo("data/examples/weifang-tiers-segments.csv"))
        .arg("--reform")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let rows = if o.status.success() { read_rows(&out) } else { Vec::new() };
    (o, rows)
}

/// Every row: the parts of delta_total and of delta_pension_wealth sum to the delta exactly.
fn parts_sum(rows: &[HashMap<String, String>], names: &[&str]) {
    for r in rows {
        for c in ["total", "pension_wealth"] {
            let delta = fen(&r[&format!("delta_{c}")]);
            let sum: i64 = names.iter().map(|n| fen(&r[&format!("delta_{c}_{n}")])).sum();
            assert_eq!(sum, delta, "row {}: parts of delta_{c}", r["id"]);
            assert_eq!(fen(&r[&format!("reform_{c}")]) - fen(&r[&format!("baseline_{c}")]), delta, "row {}", r["id"]);
        }
        assert_eq!(r["baseline_total"], r["total"], "row {}: the baseline is run's own total", r["id"]);
    }
}

/// The example reform: Shandong's floor +20 and Weifang's subsidies doubled from 2027
/// (the national +20 stays below Shandong's floor 228 and changes nothing).
/// Farmer at the 500 tier, pension 2032-05. Baseline: basic 228 + Weifang's 2 = 230 (the
/// last published step, 2026) raised 2% each January to 2032: 234.60, 239.29, 244.08,
/// 248.96, 253.94, 259.02 (C22 projected, issue 13 defect 3); total 259.02 + 74.17 = 333.19.
/// Reform: the projection still starts at the published horizon (2026); the floor's new
/// step in 2027-01 changes the dated amount by 248 − 228 = +20, added in 2027 and raised with
/// the rest: 234.60 + 20 = 254.60, then 259.69, 264.88, 270.18, 275.58, 281.09 (+22.07);
/// subsidy 60 → 120 in 2027–2031 adds 60 a year credited at 3%: about 318.5 more at 60, so
/// the account pension round(10,309.01 / 139, 2) = 74.17 becomes 76.46 (+2.29). The
/// national +20 from 2027 (183 < 228) changes the dated amount of 2027 by
/// max(183, 228) − 228 = 0: its part is 0.00 (it was −5.03 while a patched step moved the
/// start of the projection). Delta 22.07 + 2.29 = 24.36.
#[test]
fn reform_example_gives_deltas_and_sequential_parts_that_sum_to_the_fen() {
    let dir = scratch("reform-example");
    let text = std::fs::read_to_string(repo("data/examples/reform-resident.toml")).unwrap();
    let (o, rows) = run_reform(&dir, &text, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = by_id(&rows, "farmer-500");
    assert_eq!(
        (f["baseline_total"].as_str(), f["reform_total"].as_str(), f["delta_total"].as_str()),
        ("333.19", "357.55", "24.36")
    );
    assert_eq!((f["delta_resident_basic"].as_str(), f["delta_account"].as_str()), ("22.07", "2.29"));
    assert_eq!(f["delta_total_national_plus20"], "0.00");
    assert_eq!(f["delta_total_shandong_floor_plus20"], "22.07");
    assert_eq!(f["delta_total_weifang_subsidy_x2"], "2.29");
    assert_eq!(f["reform_status"], "ok");
    // An employee pension is untouched.
    assert_eq!(by_id(&rows, "mover-js-sd")["delta_total"], "0.00");
    parts_sum(&rows, &["national_plus20", "shandong_floor_plus20", "weifang_subsidy_x2"]);
    // The usual columns come first, unchanged.
    let plain = dir.join("plain.csv");
    let p = bin()
        .arg("run")
        .arg(repo("data/examples/weifang-tiers.csv"))
        .arg("--segments")
        .arg(repo("data/examples/weifang-tiers-segments.csv"))
        .arg("-o")
        .arg(&plain)
        .output()
        .unwrap();
    assert!(p.status.success());
    let plain = std::fs::read_to_string(plain).unwrap();
    let reformed = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    for (a, b) in plain.lines().zip(reformed.lines()) {
        assert!(b.starts_with(a), "{b}\ndoes not start with\n{a}");
    }
}

/// Shapley with an interaction. A: national minimum +100.01 from 2027 (alone: basic
/// max(228, 263.01) = 263.01, +35.01); B: Shandong floor +20.01 (alone: 248.01, +20.01);
/// both: 263.01 (+35.01; the floor no longer matters). Sequential: A 35.01, B 0.00.
/// Shapley in fen × 2!: A = 3501 + (3501 − 2001) = 5001, B = 2001 + (3501 − 3501) = 2001;
/// halves 2500.5 and 1000.5, floors 2500 and 1000, one fen left, equal remainders: to the
/// earlier patch A. Parts 25.01 and 10.00, summing to 35.01. Run with `--indexation 0`, so
/// that the claim-year basic pension (2032) is the amount of the last dated step as it is
/// (C22 projection with a zero increase), which keeps these amounts readable.
#[test]
fn shapley_attribution_splits_the_interaction_with_largest_remainders() {
    let dir = scratch("reform-shapley");
    let reform = r#"
[[patch]]
name = "a"
path = "national.resident_minimum"
from = "2027-01"
op = "add"
value = "100.01"
[[patch]]
name = "b"
path = "shandong.resident_floor"
from = "2027-01"
op = "add"
value = "20.01"
"#;
    let (o, rows) = run_reform(&dir, reform, &["--indexation", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = by_id(&rows, "farmer-8000");
    assert_eq!(
        (f["delta_resident_basic"].as_str(), f["delta_total_a"].as_str(), f["delta_total_b"].as_str()),
        ("35.01", "35.01", "0.00")
    );
    let (o, rows) = run_reform(&dir, reform, &["--attribution", "shapley", "--indexation", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = by_id(&rows, "farmer-8000");
    assert_eq!(
        (f["delta_total"].as_str(), f["delta_total_a"].as_str(), f["delta_total_b"].as_str()),
        ("35.01", "25.01", "10.00")
    );
    parts_sum(&rows, &["a", "b"]);
}

/// Retirement ages: men's original age +1 year. The Weifang-Jiangsu mover (a man born
/// 1975) retires a year later; the parts still sum, and a bad file is refused clearly.
#[test]
fn reform_of_retirement_age_and_clear_errors_for_bad_files() {
    let dir = scratch("reform-retire");
    let reform = "[[patch]]\npath = \"national.retirement.male.original_age\"\nop = \"add\"\nvalue = \"1\"\n";
    let (o, rows) = run_reform(&dir, reform, &["--attribution", "shapley"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = by_id(&rows, "mover-js-sd");
    assert_ne!(m["delta_total"], "0.00", "{m:?}");
    parts_sum(&rows, &["p1"]);
    for (text, want) in [
        ("[[patch]]\npath = \"national.nothing\"\nop = \"add\"\nvalue = \"1\"\n", "not a parameter a reform can change"),
        ("[[patch]]\npath = \"mars.resident_floor\"\nop = \"add\"\nvalue = \"1\"\nfrom = \"2027-01\"\n", "no such region"),
        ("[[patch]]\npath = \"shandong.resident_floor\"\nop = \"add\"\nvalue = \"1\"\n", "(from): missing"),
        ("[[patch]]\npath = \"national.retirement.male.cap\"\nop = \"add\"\nvalue = \"1\"\nfrom = \"2027-01\"\n", "is not dated"),
        ("[[patch]]\npath = \"national.resident_minimum\"\nop = \"plus\"\nvalue = \"1\"\nfrom = \"2027-01\"\n", "allowed set, add, mul"),
        ("[[patch]]\npath = \"national.resident_minimum\"\nop = \"add\"\nvalue = \"x\"\nfrom = \"2027-01\"\n", "patch 1 (value)"),
        ("[[patch]]\npath = \"shandong/weifang.resident_tiers.subsidy\"\ntier = \"123\"\nop = \"mul\"\nvalue = \"2\"\nfrom = \"2027-01\"\n", "123 is not a tier of shandong/weifang"),
    ] {
        let (o, _) = run_reform(&dir, text, &[]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want) && err.contains("reform.toml"), "{text}: {err}");
    }
    // Shapley is capped.
    let many: String = (0..9)
        .map(|k| format!("[[patch]]\nname = \"n{k}\"\npath = \"national.resident_minimum\"\nop = \"add\"\nvalue = \"1\"\nfrom = \"2027-01\"\n"))
        .collect();
    let (o, _) = run_reform(&dir, &many, &["--attribution", "shapley"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("allowed at most 8"));
}

/// The reform chart: one bar per scenario (or mean per group), its CSV beside it with the
/// plotted numbers, which are the results' deltas.
#[test]
fn reform_chart_draws_deltas_by_group() {
    let dir = scratch("reform-chart");
    let text = std::fs::read_to_string(repo("data/examples/reform-resident.toml")).unwrap();
    let (o, rows) = run_reform(&dir, &text, &[]);
    assert!(o.status.success());
    let png = dir.join("reform.png");
    let c = bin().arg("chart").arg(dir.join("out.csv")).args(["--kind", "reform", "-o"]).arg(&png).output().unwrap();
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    let table = read_rows(&dir.join("reform.csv"));
    assert_eq!(table.len(), rows.len());
    assert_eq!(by_id(&table, "farmer-500")["delta_total"], "24.36");
    let grouped = dir.join("by-scheme.svg");
    let c = bin()
        .arg("chart")
        .arg(dir.join("out.csv"))
        .args(["--kind", "reform", "--group", "scheme", "-o"])
        .arg(&grouped)
        .output()
        .unwrap();
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    let table = read_rows(&dir.join("by-scheme.csv"));
    assert!(table.iter().any(|r| r["group"] == "resident"), "{table:?}");
}

/// A reform step after the published horizon changes the projected resident basic pension
/// by the change it makes to the dated amount, and never moves the start of the projection
/// (docs/real-terms.md). Weifang's amount is dated to 2026 (228 + Weifang's 2 = 230);
/// `--indexation 0.02`.
/// - `late` (pension 2030-05), Shandong floor +20 from 2027-07: baseline 230 → 234.60,
///   239.29, 244.08, 248.96 (2030); the step adds 248 − 228 = 20 at the January after it
///   (2028): 234.60, 239.29 + 20 = 259.29, 264.48, 269.77; resident basic +20.81. With 16
///   years Weifang's 长缴多得 (1% of the basic pension a year beyond 15) follows it:
///   round(248.96 × 1%, 2) = 2.49 → round(269.77 × 1%, 2) = 2.70; delta 20.81 + 0.21 = 21.02.
/// - `now` (pension 2026-03, dated 230), national +20 from 2027-01 (183 < 228): the amount
///   in payment from 2027 is the baseline's 234.60, 239.29, …, so neither the total nor the
///   pension wealth changes (before, the patched step dated 2027 at 228 and the wealth fell).
#[test]
fn reform_steps_after_the_horizon_change_the_projection_without_moving_it() {
    let dir = scratch("reform-horizon");
    let csv = dir.join("rows.csv");
    std::fs::write(
        &csv,
        "id,scheme,region,birth,as_of,resident_years,resident_balance,tier\n\
         late,resident,shandong/weifang,1970-05,2026-01,12,6000,500\n\
         now,resident,shandong/weifang,1966-03,2026-01,15,8000,500\n",
    )
    .unwrap();
    let run = |reform: &str| {
        let file = dir.join("reform.toml");
        std::fs::write(&file, reform).unwrap();
        let out = dir.join("out.csv");
        let o = bin()
            .arg("run")
            .arg(&csv)
            .arg("--reform")
            .arg(&file)
            .args(["--indexation", "0.02", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        read_rows(&out)
    };
    let rows = run("[[patch]]\npath = \"shandong.resident_floor\"\nfrom = \"2027-07\"\nop = \"add\"\nvalue = \"20\"\n");
    let late = by_id(&rows, "late");
    assert_eq!(
        (
            late["baseline_resident_basic"].as_str(),
            late["reform_resident_basic"].as_str(),
            late["delta_total"].as_str()
        ),
        ("248.96", "269.77", "21.02")
    );
    let rows =
        run("[[patch]]\npath = \"national.resident_minimum\"\nfrom = \"2027-01\"\nop = \"add\"\nvalue = \"20\"\n");
    for id in ["late", "now"] {
        let r = by_id(&rows, id);
        assert_eq!((r["delta_total"].as_str(), r["delta_pension_wealth"].as_str()), ("0.00", "0.00"), "{id}: {r:?}");
    }
    assert_eq!(by_id(&rows, "now")["baseline_resident_basic"], "230.00");
}
