//! The defects a new user hit (issue 13), each through the binary: `check` and `run` agree
//! row for row, charts say what their metrics count, messages name real flags, outputs are
//! checked before anything is computed, spreadsheet spellings are read back, misspelled
//! columns get a suggestion.

use crate::common::{bin, read_rows, repo, run_csv, scratch};
use std::collections::{BTreeSet, HashMap};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Defect 1: `check` passed rows that `run` rejects (a resident without a tier, a tier
/// that is not in the region's table). Now both evaluate each row through the same path:
/// the rows `check` lists are exactly `run`'s error rows, each with `run`'s message first,
/// and the counts and exit code are the same.
#[test]
fn defect1_check_reports_exactly_the_rows_run_rejects() {
    let dir = scratch("defect1");
    let text = "id,scheme,category,birth,region,tier,paid_years,avg_index,balance\n\
        no_tier,resident,,1970-05,shandong/weifang,,,,\n\
        tier600,resident,,1970-05,shandong/weifang,600,,,\n\
        fine,resident,,1970-05,shandong/weifang,500,,,\n\
        emp,employee,male,1975-03,shandong/weifang,,20,1.0,50000\n\
        bad_month,employee,male,1975-13,shandong/weifang,,,,\n\
        old,employee,male,1930-01,shandong/weifang,,,,\n";
    let input = dir.join("in.csv");
    std::fs::write(&input, text).unwrap();
    let (run_out, rows) = run_csv(&dir, text, &[]);
    let check = bin().arg("check").arg(&input).output().unwrap();
    assert_eq!(check.status.code(), run_out.status.code());
    assert_eq!(run_out.status.code(), Some(3));

    // Each error row of run: its message is a line of check's output; and check lists no
    // line for a row that run computed.
    let listed = String::from_utf8_lossy(&check.stdout).into_owned();
    let errors: Vec<&HashMap<String, String>> = rows.iter().filter(|r| r["status"] == "error").collect();
    let error_ids: BTreeSet<&str> = errors.iter().map(|r| r["id"].as_str()).collect();
    assert!(error_ids.contains("no_tier") && error_ids.contains("tier600"), "{error_ids:?}");
    for r in &errors {
        assert!(listed.lines().any(|l| l == r["message"]), "run's message for {} not in check:\n{listed}", r["id"]);
    }
    let line_of = |l: &str| l.split(',').next().unwrap_or("").to_string();
    let lines_listed: BTreeSet<String> = listed.lines().map(line_of).collect();
    let lines_run: BTreeSet<String> = errors.iter().map(|r| line_of(&r["message"])).collect();
    assert_eq!(lines_listed, lines_run);

    // Same counts in the summary line (only the verb and the timing differ).
    let counts = |s: &str| -> String {
        let line = s.lines().find(|l| l.contains(" rows: ")).unwrap_or_default().to_string();
        line.split(" rows: ").nth(1).unwrap().split(" in ").next().unwrap().to_string()
    };
    assert_eq!(counts(&stderr(&check)), counts(&stderr(&run_out)));

    // The examples: same counts in check and run.
    for ex in ["data/examples/employees.csv", "data/examples/weifang-tiers.csv"] {
        let mut args = vec![repo(ex).display().to_string()];
        if ex.contains("weifang") {
            args.extend(["--segments".into(), repo("data/examples/weifang-tiers-segments.csv").display().to_string()]);
        }
        let c = bin().arg("check").args(&args).output().unwrap();
        let r = bin().arg("run").args(&args).arg("-o").arg(dir.join("ex.csv")).output().unwrap();
        assert_eq!(counts(&stderr(&c)), counts(&stderr(&r)), "{ex}");
        assert_eq!(c.status.code(), r.status.code(), "{ex}");
    }
}

/// The stderr summary names the first error (defect 8's last point).
#[test]
fn defect8_summary_shows_the_first_error_message() {
    let dir = scratch("defect8-first-error");
    let (out, rows) =
        run_csv(&dir, "id,scheme,category,birth\nok,flexible,male,1980-01\nbad,flexible,male,1980-13\n", &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains(&format!("yanglao: first error: {}", rows[1]["message"])), "{err}");
    assert!(err.contains("line 3, column birth, value '1980-13'"), "{err}");
}

/// Defect 4: IRR, money's worth and the break-even age count own payments from `as_of`
/// only; every chart that shows them says so in its footer.
#[test]
fn defect4_charts_with_metrics_say_they_count_payments_from_as_of() {
    let dir = scratch("defect4");
    let results = dir.join("r.csv");
    let paths = dir.join("p.csv");
    let run = bin()
        .arg("run")
        .arg(repo("data/examples/employees.csv"))
        .arg("-o")
        .arg(&results)
        .arg("--paths")
        .arg(&paths)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let note = "只计 as_of 起的个人缴费";
    let draw = |kind: &str, name: &str, extra: &[&str]| -> String {
        let svg = dir.join(name);
        let out = bin()
            .arg("chart")
            .arg(&results)
            .arg("--paths")
            .arg(&paths)
            .args(["--kind", kind])
            .arg("-o")
            .arg(&svg)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        std::fs::read_to_string(&svg).unwrap()
    };
    for (kind, name, extra) in [
        ("breakeven", "be.svg", &[][..]),
        ("sensitivity", "irr.svg", &["--vary", "irr"][..]),
        ("sensitivity", "mw.svg", &["--vary", "money_worth"][..]),
        ("compare", "by-be.svg", &["--group", "breakeven_age"][..]),
    ] {
        let svg = draw(kind, name, extra);
        assert!(svg.contains(note) && svg.contains("metrics_scope=from_as_of"), "{kind} {extra:?} lacks the note");
    }
    // Charts without these metrics do not carry the note.
    for (kind, name) in [("compare", "c.svg"), ("path", "path.svg")] {
        assert!(!draw(kind, name, &[]).contains(note), "{kind}");
    }
}

/// Defect 5: messages named `--ids`; the flag is `--id`. Every flag named anywhere in the
/// program's text exists in its `--help`.
#[test]
fn defect5_every_flag_named_in_a_message_exists() {
    let mut known = BTreeSet::new();
    let words = |text: &str, into: &mut BTreeSet<String>| {
        for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if let Some(f) = w.strip_prefix("--").filter(|f| f.starts_with(|c: char| c.is_ascii_lowercase())) {
                into.insert(format!("--{}", f.trim_end_matches('-')));
            }
        }
    };
    let top = bin().arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    words(&top, &mut known);
    // Every subcommand listed under "Commands:".
    let subs: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // (A wrapped description continues on a line indented further.)
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help" && !c.is_empty())
        .collect();
    assert!(subs.contains(&"run") && subs.contains(&"chart"), "{subs:?}");
    for sub in subs {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub}");
        words(&String::from_utf8_lossy(&out.stdout), &mut known);
    }
    assert!(known.contains("--id") && !known.contains("--ids"));
    let mut named = BTreeSet::new();
    let mut files = vec![repo("src")];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.extension().is_some_and(|e| e == "rs") {
            words(&std::fs::read_to_string(&p).unwrap(), &mut named);
        }
    }
    // The hidden benchmark switch is not in --help.
    named.remove("--floor");
    let missing: Vec<&String> = named.iter().filter(|f| !known.contains(*f)).collect();
    assert!(missing.is_empty(), "flags named in the source but not accepted: {missing:?}");
    // And the compare chart's warning names --id.
    let dir = scratch("defect5");
    let mut csv = String::from("id,scheme,category,birth\n");
    for i in 0..45 {
        csv.push_str(&format!("p{i},flexible,male,1980-01\n"));
    }
    let (out, _) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success());
    let chart = bin()
        .arg("chart")
        .arg(dir.join("out.csv"))
        .args(["--kind", "compare", "-o"])
        .arg(dir.join("c.svg"))
        .output()
        .unwrap();
    let err = stderr(&chart);
    assert!(err.contains("use --group to aggregate or --id to choose"), "{err}");
}

/// Defect 6: `--charts` naming an existing file failed after the run, with a cryptic error
/// and the results left behind despite exit 2. Now refused before anything is computed,
/// as is a chart folder where a chart would replace one of the run's files.
#[test]
fn defect6_charts_naming_a_file_is_refused_before_computing() {
    let dir = scratch("defect6");
    let input = dir.join("in.csv");
    std::fs::write(&input, "id,scheme,category,birth\na,flexible,male,1980-01\n").unwrap();
    let file = dir.join("charts.txt");
    std::fs::write(&file, "not a folder").unwrap();
    let results = dir.join("out.csv");
    let out = bin().arg("run").arg(&input).arg("-o").arg(&results).arg("--charts").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--charts names an existing file, not a folder"), "{err}");
    assert!(!err.contains("computed"), "refused before computing: {err}");
    assert!(!results.exists(), "no results file left behind");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");

    // The results named as the compare chart's numbers would be overwritten by them.
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    let clash = charts.join("compare.csv");
    let out = bin().arg("run").arg(&input).arg("-o").arg(&clash).arg("--charts").arg(&charts).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the compare chart would write"), "{}", stderr(&out));
    assert!(!clash.exists());

    // A folder that does not exist yet is fine (it is created).
    let fresh = dir.join("new-charts");
    let out = bin().arg("run").arg(&input).arg("-o").arg(&results).arg("--charts").arg(&fresh).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fresh.join("compare.png").exists());
}

/// Defect 7: `-o out.json` or `-o x.xlsx` silently wrote CSV. An extension other than
/// .csv, .tsv or .txt is refused (before computing, nothing written) unless `--format`
/// says what to write; `.tsv` writes tab-separated text; the same for `--paths` and
/// `gen -o`.
#[test]
fn defect7_output_extension_must_name_a_format_written() {
    let dir = scratch("defect7");
    let input = dir.join("in.csv");
    std::fs::write(&input, "id,label,scheme,category,birth\na,\"Wang, Li\",flexible,male,1980-01\n").unwrap();
    for (name, expect) in [("out.json", "does not write .json files"), ("x.xlsx", "not workbooks")] {
        let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join(name)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(expect) && err.contains("--format csv|tsv"), "{err}");
        assert!(!dir.join(name).exists());
    }
    // --paths and gen -o likewise.
    let out = bin()
        .arg("run")
        .arg(&input)
        .arg("-o")
        .arg(dir.join("ok.csv"))
        .arg("--paths")
        .arg(dir.join("p.parquet"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--paths: yanglao does not write .parquet files"), "{}", stderr(&out));
    assert!(!dir.join("ok.csv").exists());
    let out = bin().args(["gen", "--n", "3", "-o"]).arg(dir.join("g.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("g.json").exists());

    // --format csv writes CSV under any name; .tsv and --format tsv write tabs.
    let out =
        bin().arg("run").arg(&input).arg("-o").arg(dir.join("out.json")).args(["--format", "csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(dir.join("out.json")).unwrap();
    assert!(csv.starts_with("id,label,status,"));
    let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join("out.tsv")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let tsv = std::fs::read_to_string(dir.join("out.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 2);
    assert!(tsv.starts_with("id\tlabel\tstatus\t"), "{tsv}");
    assert!(tsv.lines().nth(1).unwrap().starts_with("a\tWang, Li\tok\t"), "{tsv}");
    // Field for field the same as the CSV.
    let fields = |text: &str, sep: u8| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(sep)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    assert_eq!(fields(&tsv, b'\t'), fields(&csv, b','));
    let out = bin().args(["gen", "--n", "5", "--format", "tsv", "-o"]).arg(dir.join("g.txt")).output().unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(dir.join("g.txt")).unwrap().starts_with("id\tlabel\tscheme\t"));
    // Standard output is exempt from the check.
    let out = bin().arg("run").arg(&input).args(["-o", "-"]).output().unwrap();
    assert!(out.status.success());
    // A tab-separated results file charts like a CSV one.
    let out = bin()
        .arg("chart")
        .arg(dir.join("out.tsv"))
        .args(["--kind", "compare", "-o"])
        .arg(dir.join("c.svg"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Defect 8: what a spreadsheet makes of a scenario file reads back as the same
/// scenarios: months as `1981/05`, `1981-5`, `1981-05-15` (the day dropped, said once)
/// and `1981年5月`; enums and booleans in any case; the Chinese names of schemes,
/// categories and booleans; Chinese region names. Each variant row gives the same result
/// as the row in the contract's spelling, to the last field.
#[test]
fn defect8_spreadsheet_spellings_read_back_as_the_same_scenarios() {
    let dir = scratch("defect8");
    // (canonical, variants): columns scheme, category, birth, region, tier, hardship, shortfall.
    let cases: [(&str, &[&str]); 9] = [
        (
            "employee,male,1981-05,shandong/weifang,,false,extend",
            &[
                "Employee,男,1981/05,山东/潍坊,,FALSE,Extend",
                "EMPLOYEE,MALE,1981-5,山东省潍坊市,,False,EXTEND",
                "企业职工,male,1981-05-15,潍坊,,否,extend",
                "employee,Male,1981年5月,潍坊市,,false,extend",
                "employee,男性,1981/5/15,Shandong/Weifang,,,",
            ],
        ),
        (
            "flexible,female_cadre,1975-11,shandong,,,",
            &["灵活就业,女干部,1975年11月,山东省,,,", "Flexible,Female_Cadre,1975/11,山东,,,"],
        ),
        ("flexible,female_worker,1978-02,guangdong,,,resident", &["灵活就业,女工人,1978-2,广东省,,,Resident"]),
        (
            "resident,,1970-05,shandong/weifang,500,true,",
            &["城乡居民,,1970/05,山东/潍坊,500,TRUE,", "Resident,,1970-05,潍坊,500,是,"],
        ),
        ("resident,,1972-08,shandong/qingdao,1000,,", &["居民,,1972年08月,青岛市,1000,,"]),
        ("employee,male,1968-03,beijing,,,", &["企业职工,男,1968-03-31,北京市,,,"]),
        (
            "employee,male,1975-03,hubei/wuhan,,,",
            &["企业职工,男,1975/3,武汉,,,", "employee,male,1975-03,湖北省武汉市,,,"],
        ),
        (
            "flexible,female_worker,1980-06,guangxi,,,",
            &["灵活就业,女工人,1980-6,广西壮族自治区,,,", "flexible,女工人,1980-06,广西,,,"],
        ),
        (
            "employee,female_cadre,1979-09,liaoning/dalian,,,",
            &["employee,女干部,1979年9月,辽宁/大连市,,,", "employee,女干部,1979-09,Liaoning/Dalian,,,"],
        ),
    ];
    let mut text = String::from("id,scheme,category,birth,region,tier,hardship,shortfall\n");
    for (i, (canon, variants)) in cases.iter().enumerate() {
        text.push_str(&format!("c{i},{canon}\n"));
        for (j, v) in variants.iter().enumerate() {
            text.push_str(&format!("c{i}v{j},{v}\n"));
        }
    }
    let (out, rows) = run_csv(&dir, &text, &[]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    // The day dropped is said once, naming the first such date.
    assert_eq!(err.matches("the day is dropped").count(), 1, "{err}");
    assert!(err.contains("line 5, column birth, value '1981-05-15': the day is dropped"), "{err}");
    let without_id = |r: &HashMap<String, String>| {
        let mut r = r.clone();
        r.remove("id");
        r.remove("label");
        let mut v: Vec<(String, String)> = r.into_iter().collect();
        v.sort();
        v
    };
    for (i, (_, variants)) in cases.iter().enumerate() {
        let canon = rows.iter().find(|r| r["id"] == format!("c{i}")).unwrap();
        assert_ne!(canon["status"], "error", "c{i}: {}", canon["message"]);
        for j in 0..variants.len() {
            let v = rows.iter().find(|r| r["id"] == format!("c{i}v{j}")).unwrap();
            assert_eq!(without_id(v), without_id(canon), "c{i}v{j} differs from c{i}");
        }
    }

    // What is still refused, with what is allowed.
    let (out, rows) = run_csv(
        &dir,
        "id,scheme,category,birth,region\n\
         w,flexible,女,1980-01,shandong\n\
         d,flexible,male,1981-02-30,shandong\n\
         dot,flexible,male,1981.05,shandong\n\
         p,flexible,male,1980-01,安徽省芜湖市\n\
         x,flexible,male,1980-01,火星\n\
         yt,flexible,male,1980-01,山东省滨州市\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    let msg = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap()["message"].clone();
    assert!(msg("w").contains("ambiguous") && msg("w").contains("女干部"), "{}", msg("w"));
    assert!(msg("d").contains("not a month") && msg("d").contains("1981年5月"), "{}", msg("d"));
    assert!(msg("dot").contains("not a month"), "{}", msg("dot"));
    assert!(msg("p").contains("the province anhui is used (C27.8)"), "{}", msg("p"));
    assert!(msg("x").contains("unknown region") && msg("x").contains("山东/潍坊"), "{}", msg("x"));
    // A city without parameters in a province with them: the province (C27.8), as for
    // shandong/binzhou.
    assert!(msg("yt").contains("the province shandong is used (C27.8)"), "{}", msg("yt"));
}

/// Defect 8 for the segments file: the same spellings in its scheme, region and months.
#[test]
fn defect8_segments_read_spreadsheet_spellings_too() {
    let dir = scratch("defect8-segments");
    let scen = dir.join("s.csv");
    std::fs::write(&scen, "id,scheme,category,birth,region\na,flexible,male,1980-01,shandong/weifang\nb,flexible,male,1980-01,shandong/weifang\n")
        .unwrap();
    let seg = dir.join("seg.csv");
    std::fs::write(
        &seg,
        "id,scheme,region,start,end,contribution_index\na,flexible,shandong/weifang,2026-01,2035-12,1.0\nb,灵活就业,山东/潍坊,2026/1,2035-12-31,1.0\n",
    )
    .unwrap();
    let out =
        bin().arg("run").arg(&scen).arg("--segments").arg(&seg).arg("-o").arg(dir.join("o.csv")).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("segments file line 3, column end, value '2035-12-31': the day is dropped"), "{err}");
    let rows = read_rows(&dir.join("o.csv"));
    let strip = |r: &HashMap<String, String>| {
        let mut v: Vec<(String, String)> =
            r.iter().filter(|(k, _)| *k != "id" && *k != "label").map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort();
        v
    };
    assert_eq!(strip(&rows[0]), strip(&rows[1]));
}

/// Defect 9: a misspelled column gets a "did you mean" in the unknown-column warning and,
/// for a required column, in the missing-header error.
#[test]
fn defect9_misspelled_columns_get_did_you_mean() {
    let dir = scratch("defect9");
    let (out, rows) = run_csv(
        &dir,
        "id,scheme,category,birth,contribution_idx,regoin,notes\na,flexible,male,1980-01,1.5,shandong,x\n",
        &[],
    );
    assert!(out.status.success());
    assert_eq!(rows.len(), 1);
    let err = stderr(&out);
    assert!(
        err.contains(
            "ignoring unknown columns: contribution_idx (did you mean contribution_index?), regoin (did you mean region?), notes"
        ),
        "{err}"
    );
    let (out, _) = run_csv(&dir, "id,scheme,category,birht\na,flexible,male,1980-01\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("missing required column 'birth' in the header (the header has 'birht': did you mean 'birth'?)"),
        "{err}"
    );
    // Segments header too.
    let scen = dir.join("s.csv");
    std::fs::write(&scen, "id,scheme,category,birth\na,flexible,male,1980-01\n").unwrap();
    let seg = dir.join("seg.csv");
    std::fs::write(&seg, "id,scheme,strat,end\na,flexible,2026-01,2030-12\n").unwrap();
    let out = bin().arg("check").arg(&scen).arg("--segments").arg(&seg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("(the header has 'strat': did you mean 'start'?)"), "{}", stderr(&out));
}
