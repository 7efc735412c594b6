//! Provincial rules that depend on the person (scenario columns `family`, `title`,
//! `intellectual`, `tibet_years`) and the employee city overlays Harbin and Xining: worked
//! cases from the rules in the parameter files, empty columns that change nothing, and the
//! messages for bad values.
//!
//! Common case (as in `provinces.rs`): a man born 1964-06 retiring at 60 in 2024-06
//! (divisor 139), known record 25 paid + 10 deemed years (N = 35), Ī = 1.2, 12
//! pre-account years at Ī_t = 1.1, account 120000 (account pension 120000 / 139 = 863.31);
//! C is the region's 2024 pension base. The rows are in `tests/data/person-rules.csv`.

use crate::common::*;
use std::collections::HashMap;

fn rows() -> Vec<HashMap<String, String>> {
    let dir = scratch("person-rules");
    let out = dir.join("out.csv");
    let o = bin().arg("run").arg(repo("tests/data/person-rules.csv")).arg("-o").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read_rows(&out)
}

/// (id, allowance, total, a note `message` must contain).
const CASES: &[(&str, &str, &str, &str)] = &[
    // Chongqing C 8160: basic 3141.60 + account 863.31 + transitional 1507.97 = 5512.88;
    // one-child parents +3%: 5512.88 × 0.03 = 165.3864 → 165.39; total 5678.27.
    ("chongqing-one-child", "165.39", "5678.27", "独生子女父母 +3% 165.39 included in allowance"),
    // Guizhou C 7272.25: 2799.82 + 863.31 + 1343.91 = 5007.04; +5% (黔劳社厅发〔2006〕20号):
    // 250.352 → 250.35; total 5257.39. (`独生子女` read as one_child.)
    ("guizhou-one-child", "250.35", "5257.39", "独生子女父母 +5% 250.35"),
    // Hainan C 8131: 3130.44 + 863.31 + 1502.61 = 5496.36; 琼府〔2022〕40号 one-child +5%:
    // 274.818 → 274.82, total 5771.18 (`One-Child` read as one_child) …
    ("hainan-one-child", "274.82", "5771.18", "计划生育奖励金 独生子女父母 +5% 274.82"),
    // … childless +10%: 549.636 → 549.64, total 6046.00.
    ("hainan-childless", "549.64", "6046.00", "计划生育奖励金 无子女 +10% 549.64"),
    // Yunnan (云劳社〔2002〕76号): 5% of the previous year's provincial average pension, 2023:
    // 3431 × 0.05 = 171.55; 3150.46 + 863.31 + 1404.20 + 171.55 = 5589.52.
    ("yunnan-one-child-2024", "171.55", "5589.52", "独生子女父母 5% 上年全省平均养老金 171.55"),
    // Heilongjiang C 7010: 2698.85 + 863.31 + 1110.38 = 4672.54; senior title +25 = 4697.54.
    ("heilongjiang-senior", "25.00", "4697.54", "高级职称 +25 25.00"),
    // Harbin (province's bases): intermediate title +15 and 御寒津贴 45: 60; 4672.54 + 60.
    ("harbin-intermediate", "60.00", "4732.54", "哈尔滨御寒津贴 45.00"),
    // Harbin without a title: 御寒津贴 45 only (a place fact, no column needed).
    ("harbin", "45.00", "4717.54", "哈尔滨御寒津贴 45.00 included in allowance"),
    // Ningxia intellectual: transitional 8202 × 1.1 = 9022.20 × 12 × 1.43% = 1548.2095 →
    // 1548.21 (instead of 1.3%: 1407.46); + 18.5; 3157.77 + 863.31 + 1548.21 + 18.50 = 5587.79.
    ("ningxia-intellectual", "18.50", "5587.79", "知识分子过渡系数: transitional coefficient 0.0143"),
    // Tibet C 11546: plateau allowance on tibet_years 12 → 5% of C × Ī = 13855.20 × 0.05 =
    // 692.76, plus the category-2 amounts 329.88 = 1022.64; basic (11546 + 13855.20)/2 × 35%
    // = 4445.21, transitional 12700.60 × 12 × 1.4% = 2133.70; total 8464.86.
    ("xizang-12", "1022.64", "8464.86", "高原津贴 692.76"),
    // tibet_years 16 → 10%: 1385.52 + 329.88 = 1715.40; total 9157.62.
    ("xizang-16", "1715.40", "9157.62", "高原津贴 1385.52"),
    // Empty tibet_years: the total years N = 35 count (as before) → 15%: 2078.28 + 329.88.
    ("xizang-total", "2408.16", "9850.38", "高原津贴 2078.28"),
    // Xining: 地区附加 12 instead of the province's 13: 5860.42 − 13 + 12 = 5859.42.
    ("xining", "12.00", "5859.42", "地区附加 (西宁) 12.00"),
    ("qinghai", "13.00", "5860.42", "地区附加 (non-Xining) 13.00"),
];

#[test]
fn person_rules_compute_their_worked_cases() {
    let rows = rows();
    for (id, allowance, total, note) in CASES {
        let r = by_id(&rows, id);
        assert_eq!(r["status"], "ok", "{id}: {}", r["message"]);
        assert_eq!([&r["allowance"], &r["total"]], [allowance, total], "{id}");
        assert!(r["message"].contains(note), "{id}: {}", r["message"]);
    }
    // The city overlays are their own claim regions.
    assert_eq!(by_id(&rows, "harbin-intermediate")["claim_region"], "heilongjiang/haerbin");
    assert_eq!(by_id(&rows, "xining")["claim_region"], "qinghai/xining");
    // Ningxia: the basic pension is unchanged (C 8202: (8202 + 9842.40)/2 × 35% = 3157.77).
    assert_eq!(by_id(&rows, "ningxia-intellectual")["transitional"], "1548.21");
    assert_eq!(by_id(&rows, "ningxia-intellectual")["basic"], "3157.77");
}

#[test]
fn yunnan_series_past_its_end_is_projected_and_before_its_start_is_said() {
    let rows = rows();
    // Born 1966-06: statutory month 2026-11 (5 months' delay). The 2025 average is not
    // published: 2024's 3553 × (1 + 0.03, the row's indexation) = 3659.59, × 5% = 182.9795
    // → 182.98, tagged projected.
    let r = by_id(&rows, "yunnan-one-child-2026");
    assert_eq!(r["retire"], "2026-11");
    assert_eq!(r["allowance"], "182.98");
    assert!(
        r["message"].contains("the 2025 value is not published: 2024 3553 × (1 + 0.03) a year = 3659.59 (projected)"),
        "{}",
        r["message"]
    );
    assert_eq!(r["provenance"], "projected");
    // A 2015 pension needs the 2014 average, which the parameters do not have: nothing is
    // added and the message says so (basic 1765.23 + account 863.31 + transitional 786.79).
    let r = by_id(&rows, "yunnan-one-child-2015");
    assert_eq!([&r["allowance"], &r["total"]], ["0.00", "3415.33"]);
    assert!(
        r["message"].contains("not included: its 2014 value is not in the parameters (they cover 2021–2024)"),
        "{}",
        r["message"]
    );
}

#[test]
fn facts_no_rule_reads_are_said() {
    let rows = rows();
    // Shandong has no person rule: the row is computed as without the facts (5136.88, as in
    // the province worked cases) and each claimed fact is named.
    let r = by_id(&rows, "shandong-facts");
    assert_eq!(r["total"], "5136.88");
    for f in ["family = one_child", "title = senior", "intellectual = true", "tibet_years = 3"] {
        assert!(r["message"].contains(&format!("{f} not used: no rule of shandong depends on it")), "{}", r["message"]);
    }
    // Sichuan's 增发 depends on such facts but has no rate per condition: a row claiming
    // one is told it is not included (once, for two facts), a row without facts is not.
    let dir = scratch("person-sichuan");
    let csv = "id,scheme,region,category,birth,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance,family,title\n\
               sc,employee,sichuan,male,1964-06,2024-06,25,10,1.2,12,1.1,120000,one_child,senior\n\
               sc0,employee,sichuan,male,1964-06,2024-06,25,10,1.2,12,1.1,120000,,\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (sc, sc0) = (by_id(&rows, "sc"), by_id(&rows, "sc0"));
    assert_eq!(sc["total"], sc0["total"]);
    assert_eq!(
        sc["message"].matches("四川增发养老金 not included: 川劳社发〔2006〕18号").count(),
        1,
        "{}",
        sc["message"]
    );
    assert!(!sc["message"].contains("no rule of sichuan"), "{}", sc["message"]);
    assert_eq!(sc0["message"], "");
    // A resident pension reads none of them; a row's allowance replaces the components.
    let dir = scratch("person-unused");
    let csv = "id,scheme,region,category,birth,as_of,resident_years,resident_balance,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance,allowance,family\n\
               res,resident,chongqing,male,1966-03,2026-03,20,10000,,,,,,,,one_child\n\
               own,employee,chongqing,male,1964-06,2024-06,,,25,10,1.2,12,1.1,120000,100,one_child\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let res = by_id(&rows, "res");
    assert_eq!(res["status"], "ok");
    assert!(
        res["message"].contains("family = one_child not used: only an employee pension reads it"),
        "{}",
        res["message"]
    );
    // 3141.60 + 863.31 + 1507.97 + 100 = 5612.88: no 3% on top of the row's allowance.
    let own = by_id(&rows, "own");
    assert_eq!([&own["allowance"], &own["total"]], ["100.00", "5612.88"]);
    assert!(
        own["message"]
            .contains("family = one_child not used: the row's allowance replaces the region's local components"),
        "{}",
        own["message"]
    );
}

/// Appends the four person columns, empty, to every line of a CSV text.
fn with_empty_person_columns(text: &str) -> String {
    let mut lines = text.lines();
    let mut out = format!("{},family,title,intellectual,tibet_years\n", lines.next().unwrap());
    for l in lines {
        out.push_str(&format!("{l},,,,\n"));
    }
    out
}

#[test]
fn empty_person_columns_change_nothing() {
    // Every example file, with the four columns present but empty, gives byte-identical
    // results and yearly paths (segments unaffected).
    let dir = scratch("person-empty");
    for (file, segments) in
        [("employees.csv", None), ("weifang-tiers.csv", Some("data/examples/weifang-tiers-segments.csv"))]
    {
        let plain = repo(&format!("data/examples/{file}"));
        let text = std::fs::read_to_string(&plain).unwrap();
        let wide = dir.join(file);
        std::fs::write(&wide, with_empty_person_columns(&text)).unwrap();
        let mut outs = Vec::new();
        for (k, input) in [&plain, &wide].iter().enumerate() {
            let (o, p) = (dir.join(format!("{k}-{file}")), dir.join(format!("{k}-paths-{file}")));
            let mut cmd = bin();
            cmd.arg("run").arg(input).arg("-o").arg(&o).arg("--paths").arg(&p);
            if let Some(s) = segments {
                cmd.arg("--segments").arg(repo(s));
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
            assert!(!String::from_utf8_lossy(&out.stderr).contains("ignoring unknown columns"), "{file}");
            outs.push((std::fs::read(&o).unwrap(), std::fs::read(&p).unwrap()));
        }
        assert!(outs[0] == outs[1], "{file}: empty person columns changed the output");
    }
}

#[test]
fn bad_person_values_are_named_with_what_is_allowed() {
    let dir = scratch("person-bad");
    let csv = "id,scheme,category,birth,family,title,intellectual,tibet_years\n\
               f,employee,male,1966-01,two_children,,,\n\
               t,employee,male,1966-01,,chief,,\n\
               i,employee,male,1966-01,,,maybe,\n\
               y,employee,male,1966-01,,,,-1\n\
               z,employee,male,1966-01,,,,81\n\
               all,employee,male,1966-01,独生,正高,yes,x\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(out.status.code(), Some(3));
    let msg = |id: &str| by_id(&rows, id)["message"].clone();
    assert_eq!(
        msg("f"),
        "line 2, column family, value 'two_children': unknown family situation; allowed one_child, childless (any case; or 独生子女, 独生子女父母, 无子女)"
    );
    assert_eq!(
        msg("t"),
        "line 3, column title, value 'chief': unknown title; allowed senior, intermediate (any case; or 高级, 高级职称, 中级, 中级职称)"
    );
    assert_eq!(
        msg("i"),
        "line 4, column intellectual, value 'maybe': not a boolean; allowed true or false (any case; or 是, 否)"
    );
    assert_eq!(msg("y"), "line 5, column tibet_years, value '-1': negative; allowed 0 to 80 years worked in Tibet");
    assert_eq!(msg("z"), "line 6, column tibet_years, value '81': out of range; allowed 0 to 80 years worked in Tibet");
    // `check` names every bad column of a row.
    let input = dir.join("in.csv");
    let out = bin().arg("check").arg(&input).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for col in ["family, value '独生'", "title, value '正高'", "intellectual, value 'yes'", "tibet_years, value 'x'"]
    {
        assert!(text.contains(&format!("line 7, column {col}")), "{col}: {text}");
    }
}

#[test]
fn params_lists_the_person_rules_with_their_conditions() {
    let text = |region: &str| {
        let out = bin().args(["params", "--region", region, "--year", "2025", "--format", "csv"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let hn = text("hainan");
    assert!(hn.contains("local component: 计划生育奖励金 无子女 +10%,10% × (basic + account + transitional) when family = childless,,reported,\"琼府〔2022〕40号"), "{hn}");
    let nx = text("ningxia");
    assert!(nx.contains("transitional coefficient: 知识分子过渡系数,0.0143 when intellectual = true,,reported,\"coefficient_intellectual 1.43%"), "{nx}");
    assert!(nx.contains("1.49%"), "the other value is noted: {nx}");
    let yn = text("yunnan");
    assert!(yn.contains("2021: 3158, 2022: 3293, 2023: 3431, 2024: 3553"), "{yn}");
    let xz = text("xizang");
    assert!(xz.contains("(bands on tibet_years when given, else N)"), "{xz}");
    let hrb = text("heilongjiang/haerbin");
    assert!(hrb.contains("local component: 哈尔滨御寒津贴,45,,reported,\"json manual item"), "{hrb}");
    assert!(hrb.contains("when title = senior"), "{hrb}");
    let xn = text("qinghai/xining");
    assert!(xn.contains("地区附加 (西宁),12,") && !xn.contains("地区附加 (non-Xining)"), "{xn}");
}

#[test]
fn a_bad_condition_in_a_parameter_file_is_named() {
    // `when` must name a known fact with an allowed value; the error names the file and key.
    let dir = scratch("person-bad-when");
    let pdir = dir.join("params");
    crate::provinces::params_copy(&pdir, "chongqing.toml", |d| {
        let rules = d.get_mut("employee_rules").unwrap().as_table_mut().unwrap();
        let extra = rules.get_mut("extra").unwrap().as_array_mut().unwrap()[0].as_table_mut().unwrap();
        extra.insert(
            "when".into(),
            toml::Value::Table([("family".to_string(), toml::Value::from("twins"))].into_iter().collect()),
        );
    });
    let csv = "id,scheme,category,birth\na,employee,male,1966-01\n";
    let (out, _) = run_csv(&dir, csv, &["--params", pdir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chongqing.toml") && err.contains("employee_rules.extra.when"), "{err}");
    assert!(err.contains("family = \"twins\"; allowed \"one_child\", \"childless\""), "{err}");
}
