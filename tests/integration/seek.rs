//! `yanglao seek`: the value found is the smallest allowed one that reaches the target
//! (the next lower allowed value misses it), checked by running the model on both.

use crate::common::{bin, read_rows, repo, run_csv, scratch};
use std::collections::HashMap;
use std::path::Path;

/// The example file with one row's columns replaced (header kept; other rows dropped).
fn one_row(file: &str, id: &str, set: &[(&str, &str)]) -> String {
    let mut r = csv::Reader::from_path(repo(file)).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rec: Vec<String> =
        r.records().map(|x| x.unwrap()).find(|x| &x[0] == id).unwrap().iter().map(str::to_string).collect();
    for (col, v) in set {
        let k = header.iter().position(|h| h == col).unwrap();
        rec[k] = v.to_string();
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    w.write_record(&rec).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn seek(dir: &Path, input: &Path, args: &[&str]) -> Vec<HashMap<String, String>> {
    let out = dir.join("seek.csv");
    let o = bin().arg("seek").arg(input).arg("-o").arg(&out).args(args).output().unwrap();
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 3), "{}", String::from_utf8_lossy(&o.stderr));
    read_rows(&out)
}

fn total_with(name: &str, file: &str, id: &str, set: &[(&str, &str)]) -> (String, HashMap<String, String>) {
    let dir = scratch(name);
    let (out, rows) = run_csv(&dir, &one_row(file, id, set), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (rows[0]["total"].clone(), rows[0].clone())
}

/// Flexible worker, index 0.6, 15 years at 2029-01 (total 1577.71 at 0.6): the smallest
/// index reaching 2000 a month. The seek's value reaches it when run, the index 0.01 lower
/// does not.
#[test]
fn seek_index_returns_the_smallest_index_that_reaches_the_total() {
    let dir = scratch("seek-index");
    let rows =
        seek(&dir, &repo("data/examples/employees.csv"), &["--target", "total=2000", "--vary", "contribution_index"]);
    let r = rows.iter().find(|r| r["id"] == "flex-0.6-15y").unwrap();
    assert_eq!(r["status"], "found", "{r:?}");
    let v: f64 = r["value"].parse().unwrap();
    let at = total_with(
        "seek-index-at",
        "data/examples/employees.csv",
        "flex-0.6-15y",
        &[("contribution_index", &r["value"])],
    );
    let below = format!("{:.2}", v - 0.01);
    let under = total_with(
        "seek-index-under",
        "data/examples/employees.csv",
        "flex-0.6-15y",
        &[("contribution_index", &below)],
    );
    assert_eq!(at.0, r["achieved"]);
    assert!(at.0.parse::<f64>().unwrap() >= 2000.0, "{at:?}");
    assert!(under.0.parse::<f64>().unwrap() < 2000.0, "{under:?}");
    assert!(r["message"].contains(&format!("next lower allowed value {below} gives {}", under.0)), "{r:?}");
    // Order is the input order, one row per input row.
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    let input = read_rows(&repo("data/examples/employees.csv"));
    assert_eq!(ids, input.iter().map(|r| r["id"].as_str()).collect::<Vec<_>>());
}

/// Qingzhou farmer (README: 333.19 at the 500 tier, with the basic pension projected to
/// 2032): 400 a month needs the 2000 tier (403.92); the 1000 tier gives 357.38.
#[test]
fn seek_tier_returns_the_smallest_tier_and_the_next_lower_tier_misses() {
    let dir = scratch("seek-tier");
    let input = repo("data/examples/weifang-tiers.csv");
    let segs = repo("data/examples/weifang-tiers-segments.csv");
    let rows = seek(&dir, &input, &["--target", "total=400", "--vary", "tier", "--segments", segs.to_str().unwrap()]);
    let r = rows.iter().find(|r| r["id"] == "farmer-500").unwrap();
    assert_eq!((r["status"].as_str(), r["value"].as_str(), r["achieved"].as_str()), ("found", "2000", "403.92"));
    let at = total_with("seek-tier-at", "data/examples/weifang-tiers.csv", "farmer-500", &[("tier", "2000")]);
    let under = total_with("seek-tier-under", "data/examples/weifang-tiers.csv", "farmer-500", &[("tier", "1000")]);
    assert_eq!((at.0.as_str(), under.0.as_str()), ("403.92", "357.38"));
    // A row without resident contributions is an error row that says so; the others compute.
    let m = rows.iter().find(|r| r["id"] == "mover-js-sd").unwrap();
    assert_eq!(m["status"], "error");
    assert!(m["message"].contains("no resident contributions to vary"), "{m:?}");
    // Unreachable: the best tier with what it gives.
    let rows = seek(&dir, &input, &["--target", "total=5000", "--vary", "tier"]);
    let r = rows.iter().find(|r| r["id"] == "farmer-500").unwrap();
    assert_eq!((r["status"].as_str(), r["value"].as_str()), ("unreachable", "8000"));
    assert_eq!(r["achieved"], "683.13"); // README: 8000 tier → 683.13
}

/// Retirement month (scanned in order): the employee born 1970-03 reaching 4,200 a month.
/// The month found reaches it when run with `retire`; the month before does not.
#[test]
fn seek_retire_scans_months_and_the_month_before_misses() {
    let dir = scratch("seek-retire");
    let rows = seek(&dir, &repo("data/examples/employees.csv"), &["--target", "total=4200", "--vary", "retire"]);
    let r = rows.iter().find(|r| r["id"] == "emp-weifang-1970").unwrap();
    assert_eq!(r["status"], "found", "{r:?}");
    assert!(r["message"].contains("scanning in order"), "{r:?}");
    let month = &r["value"];
    let (y, m): (i32, i32) = (month[..4].parse().unwrap(), month[5..].parse().unwrap());
    let before = if m == 1 { format!("{}-12", y - 1) } else { format!("{y}-{:02}", m - 1) };
    let at = total_with("seek-retire-at", "data/examples/employees.csv", "emp-weifang-1970", &[("retire", month)]);
    let under =
        total_with("seek-retire-under", "data/examples/employees.csv", "emp-weifang-1970", &[("retire", &before)]);
    assert_eq!(at.0, r["achieved"]);
    assert!(at.0.parse::<f64>().unwrap() >= 4200.0 && under.0.parse::<f64>().unwrap() < 4200.0, "{at:?} {under:?}");
}

/// Break-even age is reached when it is at most the target: the earliest stop month for
/// which the young flexible worker breaks even by 70, and the month before does not.
#[test]
fn seek_breakeven_means_at_most_the_target_age() {
    let dir = scratch("seek-breakeven");
    let rows = seek(&dir, &repo("data/examples/employees.csv"), &["--target", "breakeven_age=64", "--vary", "stop"]);
    for r in rows.iter().filter(|r| r["status"] == "found") {
        let a = &r["achieved"];
        let years: i32 = a[..a.find('y').unwrap()].parse().unwrap();
        assert!(years < 64 || a == "64y0m", "{r:?}");
    }
    // The stop month found breaks even at most at 64 when run; the month before later.
    let r = rows.iter().find(|r| r["id"] == "flex-0.6-15y").unwrap();
    assert_eq!((r["status"].as_str(), r["value"].as_str(), r["achieved"].as_str()), ("found", "2027-07", "64y0m"));
    let at = total_with("seek-be-at", "data/examples/employees.csv", "flex-0.6-15y", &[("stop", "2027-07")]).1;
    let under = total_with("seek-be-under", "data/examples/employees.csv", "flex-0.6-15y", &[("stop", "2027-06")]).1;
    assert_eq!((at["breakeven_age"].as_str(), under["breakeven_age"].as_str()), ("64y0m", "64y1m"));
    let bad = bin()
        .arg("seek")
        .arg(repo("data/examples/employees.csv"))
        .args(["--target", "wealth=3", "--vary", "stop", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown target 'wealth'"));
}
