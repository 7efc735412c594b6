//! `yanglao summary`: counts and statistics per group, checked against figures worked by
//! hand on a small results file.

use std::io::Write as _;
use std::process::Stdio;

use crate::common::{bin, scratch};

/// A results file cut down to the columns the summary reads (plus `id`), with values chosen
/// so that each rule shows:
///
/// employee (5 rows: 3 ok, 1 ineligible, 1 error)
///   total 3000.00, 3000.01, 4100.50: sum 10100.51, / 3 = 3366.8366… → mean 3366.84;
///   n = 3: median rank ⌈1.5⌉ = 2 → 3000.01, p10 rank ⌈0.3⌉ = 1 → 3000.00,
///   p90 rank ⌈2.7⌉ = 3 → 4100.50.
///   rate 0.5000, 0.5001, 0.6100: sum 1.6101, / 3 = 0.5367 → 0.5367; median 0.5001,
///   p10 0.5000, p90 0.6100.
/// flexible (6 ok rows)
///   total sorted 1577.71, 2171.45, 3000.00, 3137.76, 5140.18, 10192.11: sum 25219.21,
///   / 6 = 4203.2016… → 4203.20; median rank ⌈3⌉ = 3 → 3000.00 (the lower middle value,
///   not the average 3068.88), p10 rank ⌈0.6⌉ = 1 → 1577.71, p90 rank ⌈5.4⌉ = 6 → 10192.11.
///   rate sorted 0.4012, 0.4284, 0.4513, 0.5005, 0.7003, 0.8510: sum 3.3327, / 6 = 0.55545
///   exactly → 0.5555 half away from zero (banker's rounding would give 0.5554);
///   median 0.4513, p10 0.4012, p90 0.8510.
/// resident (3 rows: 2 ok, 1 error; no replacement rate)
///   total 302.17, 652.12: sum 954.29, / 2 = 477.145 exactly → 477.15 (banker's: 477.14);
///   median rank 1 → 302.17, p10 rank 1 → 302.17, p90 rank ⌈1.8⌉ = 2 → 652.12;
///   rate: no values, so n 0 and the statistics empty.
const RESULTS: &str = "\
id,status,scheme,claim_region,total,replacement_rate,tier
e1,ok,employee,shandong/jinan,3000.00,0.5000,
e2,ok,employee,shandong/jinan,3000.01,0.5001,
e3,ok,employee,shandong/qingdao,4100.50,0.6100,
e4,ineligible,employee,shandong/jinan,0.00,,
e5,error,employee,,,,
f1,ok,flexible,shandong/weifang,1577.71,0.4012,
f2,ok,flexible,shandong/weifang,2171.45,0.4513,
f3,ok,flexible,shandong/weifang,5140.18,0.7003,
f4,ok,flexible,shandong/weifang,3137.76,0.5005,
f5,ok,flexible,shandong/weifang,10192.11,0.8510,
f6,ok,flexible,shandong/weifang,3000.00,0.4284,
r1,ok,resident,shandong/weifang,302.17,,500
r2,ok,resident,shandong/weifang,652.12,,1000
r3,error,resident,,,,
";

const HEADER: &str = "rows,ok,ineligible,error,\
total_n,total_mean,total_median,total_p10,total_p90,\
replacement_rate_n,replacement_rate_mean,replacement_rate_median,replacement_rate_p10,replacement_rate_p90";

fn summary(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let input = dir.join("results.csv");
    std::fs::write(&input, RESULTS).unwrap();
    bin().arg("summary").arg(&input).args(args).output().unwrap()
}

#[test]
fn summary_by_scheme_matches_hand_computed_figures() {
    let dir = scratch("summary_by_scheme");
    let out = summary(&dir, &["--by", "scheme", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "scheme,{HEADER}\n\
         employee,5,3,1,1,3,3366.84,3000.01,3000.00,4100.50,3,0.5367,0.5001,0.5000,0.6100\n\
         flexible,6,6,0,0,6,4203.20,3000.00,1577.71,10192.11,6,0.5555,0.4513,0.4012,0.8510\n\
         resident,3,2,0,1,2,477.15,302.17,302.17,652.12,0,,,,\n"
    );
    assert_eq!(text, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("summarised 14 rows in 3 group(s)"));
}

#[test]
fn summary_by_several_columns_orders_numbers_naturally_and_writes_a_file() {
    let dir = scratch("summary_by_three");
    let file = dir.join("summary.csv");
    let out = summary(&dir, &["--by", "scheme,tier,claim_region", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "the summary went to the file");
    let text = std::fs::read_to_string(&file).unwrap();
    let keys: Vec<String> = text.lines().skip(1).map(|l| l.split(',').take(3).collect::<Vec<_>>().join(",")).collect();
    // Within resident, tier 500 before 1000 (numerically); an empty cell last.
    assert_eq!(
        keys,
        [
            "employee,,shandong/jinan",
            "employee,,shandong/qingdao",
            "employee,,",
            "flexible,,shandong/weifang",
            "resident,500,shandong/weifang",
            "resident,1000,shandong/weifang",
            "resident,,",
        ]
    );
    // employee in Jinan: e1, e2 ok, e4 ineligible; total mean (3000.00 + 3000.01) / 2 =
    // 3000.005 → 3000.01; median rank 1 → 3000.00.
    let jinan = text.lines().nth(1).unwrap();
    assert_eq!(
        jinan,
        "employee,,shandong/jinan,3,2,1,0,2,3000.01,3000.00,3000.00,3000.01,2,0.5001,0.5000,0.5000,0.5001"
    );
}

#[test]
fn summary_without_by_is_one_group_and_reads_standard_input_as_a_table() {
    let dir = scratch("summary_stdin");
    let mut child = bin()
        .current_dir(&dir)
        .args(["summary", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(RESULTS.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header, rule, one group: {text}");
    assert!(lines[0].starts_with("rows  ok  ineligible  error  total_n"), "{}", lines[0]);
    assert!(lines[1].chars().all(|c| c == '-'));
    // All 14 rows: 11 ok. total: 11 values, sum 10100.51 + 25219.21 + 954.29 = 36274.01,
    // / 11 = 3297.6372… → 3297.64; sorted 302.17, 652.12, 1577.71, 2171.45, 3000.00,
    // 3000.00, 3000.01, 3137.76, 4100.50, 5140.18, 10192.11: median rank ⌈5.5⌉ = 6 →
    // 3000.00, p10 rank ⌈1.1⌉ = 2 → 652.12, p90 rank ⌈9.9⌉ = 10 → 5140.18.
    // rate: 9 values, sum 1.6101 + 3.3327 = 4.9428, / 9 = 0.54920 → 0.5492; sorted 0.4012,
    // 0.4284, 0.4513, 0.5000, 0.5001, 0.5005, 0.6100, 0.7003, 0.8510: median rank 5 →
    // 0.5001, p10 rank 1 → 0.4012, p90 rank ⌈8.1⌉ = 9 → 0.8510.
    let cells: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "14", "11", "1", "2", "11", "3297.64", "3000.00", "652.12", "5140.18", "9", "0.5492", "0.5001", "0.4012",
            "0.8510"
        ]
    );
}

#[test]
fn summary_bad_cells_and_columns_are_named() {
    let dir = scratch("summary_bad");
    let input = dir.join("bad.csv");
    std::fs::write(&input, RESULTS.replace("f3,ok,", "f3,okay,")).unwrap();
    let out = bin().arg("summary").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 9, column status, value 'okay'") && err.contains("allowed: ok, ineligible, error"),
        "{err}"
    );

    std::fs::write(&input, RESULTS.replace("2171.45", "n/a")).unwrap();
    let out = bin().arg("summary").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 8, column total, value 'n/a': not a number"), "{err}");

    let out = summary(&dir, &["--by", "province"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no column `province`") && err.contains("claim_region"), "{err}");
}
