//! The commands themselves: retire-age at the cohort boundaries, a hand-computed
//! projection, exit codes and the no-half-written-output promise.

use crate::common::*;

fn retire_age(birth: &str, category: &str) -> (String, String, String) {
    let out = bin().args(["retire-age", "--birth", birth, "--category", category]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}: ")))
            .unwrap_or_else(|| panic!("{k} in {text}"))
            .to_string()
    };
    (get("retire"), get("age"), get("min_years"))
}

#[test]
fn retirement_months_at_the_cohort_boundaries() {
    let cases = [
        // men: first affected 1965-01, +1 month per 4, cap 36
        ("1964-12", "male", "2024-12", "60y0m"),
        ("1965-01", "male", "2025-02", "60y1m"),
        ("1965-04", "male", "2025-05", "60y1m"),
        ("1965-05", "male", "2025-07", "60y2m"),
        ("1965-07", "male", "2025-09", "60y2m"),
        ("1976-08", "male", "2039-07", "62y11m"),
        ("1976-09", "male", "2039-09", "63y0m"),
        ("1990-01", "male", "2053-01", "63y0m"),
        // women 55: first affected 1970-01, per 4, cap 36
        ("1969-12", "female_cadre", "2024-12", "55y0m"),
        ("1970-01", "female_cadre", "2025-02", "55y1m"),
        ("1970-05", "female_cadre", "2025-07", "55y2m"),
        ("1981-08", "female_cadre", "2039-07", "57y11m"),
        ("1981-09", "female_cadre", "2039-09", "58y0m"),
        ("1981-12", "female_cadre", "2039-12", "58y0m"),
        // women 50: first affected 1975-01, per 2, cap 60
        ("1974-12", "female_worker", "2024-12", "50y0m"),
        ("1975-01", "female_worker", "2025-02", "50y1m"),
        ("1975-02", "female_worker", "2025-03", "50y1m"),
        ("1975-03", "female_worker", "2025-05", "50y2m"),
        ("1984-10", "female_worker", "2039-09", "54y11m"),
        ("1984-11", "female_worker", "2039-11", "55y0m"),
        ("1995-06", "female_worker", "2050-06", "55y0m"),
    ];
    for (birth, cat, month, age) in cases {
        let (m, a, _) = retire_age(birth, cat);
        assert_eq!((m.as_str(), a.as_str()), (month, age), "{birth} {cat}");
    }
}

#[test]
fn minimum_years_ladder_by_statutory_year() {
    // Men with no delay cap reached retire in the year shown; the ladder is keyed by it.
    let cases = [
        ("1968-06", "2029", "15.0"),
        ("1969-06", "2030", "15.5"),
        ("1970-03", "2031", "16.0"),
        ("1972-01", "2033", "17.0"),
        ("1972-09", "2034", "17.5"),
        ("1976-06", "2039", "20.0"),
        ("1985-01", "2048", "20.0"),
    ];
    for (birth, year, min) in cases {
        let (m, _, y) = retire_age(birth, "male");
        assert!(m.starts_with(year), "{birth}: {m}");
        assert_eq!(y, min, "{birth}");
    }
    let (m, _, y) = retire_age("1980-06", "female_worker");
    assert!(m.starts_with("2033"), "{m}");
    assert_eq!(y, "17.0");
}

/// C8–C16 by hand (see the comments for every step).
#[test]
fn hand_computed_flexible_projection() {
    // Born 1969-01: delay floor(48/4)+1 = 13 → 61y1m → pension 2030-02, window 2029-10..2030-01.
    // W(2026)=7774, W(2027)=8084.96, W(2028)=8408.36, W(2029)=8744.69, W(2030)=9094.48 (4% growth).
    // 2029: credit 699.58 ×3, interest round(0.03×(10000×3 + 699.58×6)/12) = 85.49 → 12184.23
    // 2030: credit 727.56, interest round(0.03×(12184.23 + 727.56)/12) = 32.28 → 12944.07
    // N = 20.33, Ī = 1.0000, C(2030) = 9527.61, basic 1936.96, divisor 131.4, account 98.51.
    let dir = scratch("hand_flexible");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,contribution_index\n\
               h1,flexible,male,1969-01,2029-10,20,1,10000,1.0\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "h1");
    let got: Vec<&str> = [
        "retire",
        "retire_age",
        "divisor",
        "years",
        "avg_index",
        "base",
        "balance",
        "basic",
        "account",
        "total",
        "own_paid",
        "provenance",
    ]
    .iter()
    .map(|c| r[*c].as_str())
    .collect();
    assert_eq!(
        got,
        [
            "2030-02",
            "61y1m",
            "131.4",
            "20.33",
            "1.0000",
            "9527.61",
            "12944.07",
            "1936.96",
            "98.51",
            "2035.47",
            "7065.72",
            "projected"
        ]
    );
}

#[test]
fn exit_codes_and_fatal_errors_leave_no_output() {
    let dir = scratch("exit_codes");
    // Missing required header: fatal, exit 2, no output file.
    let (out, _) = run_csv(&dir, "id,birth\nx,1970-01\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing required column 'scheme'"));
    assert!(!dir.join("out.csv").exists());
    // Unreadable input: exit 2.
    let st = bin().args(["run", "no-such-file.csv", "-o"]).arg(dir.join("o.csv")).output().unwrap();
    assert_eq!(st.status.code(), Some(2));
    // One error row: exit 3 and the row is in the output.
    let (out, rows) = run_csv(&dir, "id,scheme,category,birth\na,employee,male,1970-13\n", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(rows.len(), 1);
    // --strict: exit 2, no output.
    let _ = std::fs::remove_file(dir.join("out.csv"));
    let (out, _) = run_csv(&dir, "id,scheme,category,birth\na,employee,male,1970-13\n", &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("out.csv").exists());
    // The summary line counts statuses.
    let (out, _) = run_csv(&dir, "id,scheme,category,birth\na,employee,male,1990-01\nb,employee,male,x\n", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 rows: 1 ok, 0 ineligible, 1 error"), "{err}");
}

#[test]
fn examples_run_cleanly() {
    let dir = scratch("examples");
    for ex in ["employees.csv", "weifang-tiers.csv"] {
        let mut cmd = bin();
        cmd.arg("run").arg(repo(&format!("data/examples/{ex}"))).arg("-o").arg(dir.join(ex));
        if ex == "weifang-tiers.csv" {
            cmd.arg("--segments").arg(repo("data/examples/weifang-tiers-segments.csv"));
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{ex}: {}", String::from_utf8_lossy(&out.stderr));
        let rows = read_rows(&dir.join(ex));
        assert!(rows.iter().all(|r| r["status"] == "ok"), "{ex}");
    }
}

#[test]
fn output_goes_through_links_to_standard_output_and_never_onto_a_directory() {
    let dir = scratch("output_targets");
    let input = repo("data/examples/employees.csv");
    let to_file = dir.join("file.csv");
    let out = bin().arg("run").arg(&input).arg("-o").arg(&to_file).output().unwrap();
    assert!(out.status.success());
    let expected = std::fs::read(&to_file).unwrap();
    // `-`: the same bytes on standard output, the summary on standard error.
    let out = bin().arg("run").arg(&input).args(["-o", "-"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("10 rows"));
    // A link: the file it points at gets the results, the link stays a link.
    #[cfg(unix)]
    {
        let target = dir.join("target.csv");
        let link = dir.join("link.csv");
        std::fs::write(&target, "old\n").unwrap();
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = bin().arg("run").arg(&input).arg("-o").arg(&link).output().unwrap();
        assert!(out.status.success());
        assert!(link.is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), expected);
    }
    // A directory, a missing directory, the results and paths in one file, an output over
    // the input (a copy, here): exit 2, a message naming what is allowed, nothing written.
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let input = dir.join("scenarios.csv");
    std::fs::copy(repo("data/examples/employees.csv"), &input).unwrap();
    let before = std::fs::read_dir(&dir).unwrap().count();
    for (args, says) in [
        (vec!["-o".into(), sub.clone()], "is a directory"),
        (vec!["-o".into(), dir.join("missing").join("r.csv")], "allowed: an existing directory"),
        (vec!["-o".into(), dir.join("same.csv"), "--paths".into(), dir.join(".").join("same.csv")], "same file"),
        (vec!["-o".into(), "-".into(), "--charts".into(), dir.join("charts")], "the charts read the results back"),
        (vec!["-o".into(), "-".into(), "--paths".into(), "-".into()], "cannot both go to standard output"),
        (vec!["-o".into(), input.clone()], "-o names an input file"),
        (vec!["-o".into(), dir.join("r.csv"), "--paths".into(), input.clone()], "--paths names an input file"),
    ] {
        let out = bin().arg("run").arg(&input).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.matches("os error").count() <= 1, "the cause is said once: {err}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), before, "nothing left behind");
    assert_eq!(std::fs::read(&input).unwrap(), std::fs::read(repo("data/examples/employees.csv")).unwrap());
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 0);
}

#[test]
fn scenarios_from_standard_input_or_a_pipe_lose_no_row() {
    use std::io::Write as _;
    use std::process::Stdio;
    let dir = scratch("input_streams");
    // Larger than every read buffer (a stream read twice used to lose the rows the
    // duplicate-id pass took).
    let input = dir.join("grid.csv");
    assert!(bin().args(["gen", "--n", "6000", "-o"]).arg(&input).status().unwrap().success());
    let text = std::fs::read(&input).unwrap();
    let from_file = dir.join("from-file.csv");
    assert!(bin().arg("run").arg(&input).arg("-o").arg(&from_file).status().unwrap().success());
    let expected = std::fs::read(&from_file).unwrap();
    let mut names = vec!["-"];
    if cfg!(unix) {
        names.push("/dev/stdin");
    }
    for name in names {
        let out_path = dir.join("from-stream.csv");
        let _ = std::fs::remove_file(&out_path);
        let mut child = bin()
            .args(["run", name, "-o"])
            .arg(&out_path)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feed = {
            let text = text.clone();
            std::thread::spawn(move || stdin.write_all(&text))
        };
        let out = child.wait_with_output().unwrap();
        feed.join().unwrap().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert!(err.contains("6000 rows: 6000 ok"), "{name}: {err}");
        assert_eq!(std::fs::read(&out_path).unwrap(), expected, "{name}");
    }
    // Both inputs from standard input cannot be: exit 2 with a clear message.
    let out = bin().args(["run", "-", "--segments", "-", "-o"]).arg(dir.join("x.csv")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot both come from standard input"));
}

#[test]
fn batch_size_and_jobs_out_of_range_are_refused_before_any_work() {
    let dir = scratch("limits");
    let input = repo("data/examples/employees.csv");
    for (args, says) in [
        (["--batch-size", "0"], "--batch-size 0: allowed 1 to 16384"),
        (["--batch-size", "100000000"], "--batch-size 100000000: allowed 1 to 16384"),
        (["--batch-size", "18446744073709551615"], "allowed 1 to 16384"),
        (["--jobs", "100000"], "--jobs 100000: allowed 0 (all cores) to 1024"),
    ] {
        let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join("out.csv")).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!dir.join("out.csv").exists());
    }
    let out = bin()
        .arg("run")
        .arg(&input)
        .arg("-o")
        .arg(dir.join("out.csv"))
        .args(["--batch-size", "16384", "--jobs", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // A negative rate is a value, not a flag.
    let out = bin()
        .arg("run")
        .arg(&input)
        .arg("-o")
        .arg(dir.join("neg.csv"))
        .args(["--wage-growth", "-0.01"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn results_can_be_piped_into_a_chart() {
    use std::process::Stdio;
    let dir = scratch("chart_pipe");
    let mut run = bin()
        .arg("run")
        .arg(repo("data/examples/employees.csv"))
        .args(["-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let png = dir.join("compare.png");
    let out = bin()
        .args(["chart", "-", "--kind", "compare", "-o"])
        .arg(&png)
        .stdin(run.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(run.wait().unwrap().success());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

/// A signal that ends a run (SIGTERM here; Ctrl-C's SIGINT and SIGHUP are handled alike,
/// but a test runner may have started us with SIGINT ignored, which the run respects)
/// leaves none of its temporary files: the results and paths files beside their final
/// names, and the copy of a piped input in TMPDIR.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::process::{Command, Stdio};
    let dir = scratch("interrupted");
    let input = dir.join("grid.csv");
    assert!(bin().args(["gen", "--n", "400000", "-o"]).arg(&input).status().unwrap().success());
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let child = bin()
        .args(["run", "-", "-o"])
        .arg(out.join("results.csv"))
        .arg("--paths")
        .arg(out.join("paths.csv"))
        .env("TMPDIR", &out)
        .stdin(std::fs::File::open(&input).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has its three temporary files (the input's copy first), then stop it.
    let count = || std::fs::read_dir(&out).unwrap().count();
    let started = std::time::Instant::now();
    while count() < 3 && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(count(), 3, "the run made its temporary files");
    assert!(Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap().success());
    let status = child.wait_with_output().unwrap().status;
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{status:?} left {left:?}");
    assert!(!status.success());
}
