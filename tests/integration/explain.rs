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

/// Evaluates a substituted arithmetic line of `explain` (numbers, `+ − × /`, `N%`,
/// parentheses and `round(x, places)` half away from zero).
fn eval_line(s: &str) -> rust_decimal::Decimal {
    use rust_decimal::{Decimal, RoundingStrategy};
    struct P<'a> {
        c: Vec<char>,
        i: usize,
        s: &'a str,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.c.get(self.i).is_some_and(|c| c.is_whitespace()) {
                self.i += 1;
            }
        }
        fn peek(&mut self) -> Option<char> {
            self.ws();
            self.c.get(self.i).copied()
        }
        fn eat(&mut self, ch: char) {
            assert_eq!(self.peek(), Some(ch), "in {:?} at {}", self.s, self.i);
            self.i += 1;
        }
        fn expr(&mut self) -> Decimal {
            let mut v = self.term();
            loop {
                match self.peek() {
                    Some('+') => {
                        self.i += 1;
                        v += self.term();
                    }
                    Some('−') | Some('-') => {
                        self.i += 1;
                        v -= self.term();
                    }
                    _ => return v,
                }
            }
        }
        fn term(&mut self) -> Decimal {
            let mut v = self.atom();
            loop {
                match self.peek() {
                    Some('×') => {
                        self.i += 1;
                        v *= self.atom();
                    }
                    Some('/') => {
                        self.i += 1;
                        v /= self.atom();
                    }
                    _ => return v,
                }
            }
        }
        fn atom(&mut self) -> Decimal {
            match self.peek() {
                Some('(') => {
                    self.i += 1;
                    let v = self.expr();
                    self.eat(')');
                    v
                }
                Some('r') => {
                    let word: String = self.c[self.i..self.i + 6].iter().collect();
                    assert_eq!(word, "round(", "in {:?}", self.s);
                    self.i += 6;
                    let v = self.expr();
                    self.eat(',');
                    let places = self.atom();
                    self.eat(')');
                    v.round_dp_with_strategy(places.try_into().unwrap(), RoundingStrategy::MidpointAwayFromZero)
                }
                _ => {
                    let start = self.i;
                    while self.c.get(self.i).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                        self.i += 1;
                    }
                    let n: String = self.c[start..self.i].iter().collect();
                    let mut v: Decimal =
                        n.parse().unwrap_or_else(|_| panic!("number expected in {:?} at {start}", self.s));
                    if self.c.get(self.i) == Some(&'%') {
                        self.i += 1;
                        v /= Decimal::from(100);
                    }
                    v
                }
            }
        }
    }
    let mut p = P { c: s.chars().collect(), i: 0, s };
    let v = p.expr();
    assert_eq!(p.peek(), None, "trailing text in {s:?}");
    v
}

/// The substituted line of a formula: the part after the last " = " when it holds digits.
fn substituted(formula: &str) -> Option<&str> {
    let (_, tail) = formula.rsplit_once(" = ")?;
    tail.chars().any(|c| c.is_ascii_digit()).then_some(tail).filter(|t| !t.contains(['C', 'Ī', 'P', 'N', 'D']))
}

#[test]
fn explain_provincial_forms_show_their_own_formula_and_lines_that_add_up() {
    // Issue 15: Beijing (G同 + G实), Shanghai (whole years and months, index 1, 0.1 rounding)
    // and Henan (province C + city C × Ī) print their own forms; Shandong keeps C15/C17 with
    // substituted lines. Every substituted line must evaluate to the printed result.
    let dir = scratch("explain-provincial");
    let input = dir.join("in.csv");
    let mut csv = String::from(
        "id,scheme,region,category,birth,paid_years,deemed_years,avg_index,balance,pre_account_years,contribution_index\n",
    );
    for r in ["beijing", "shanghai", "henan", "shandong"] {
        csv.push_str(&format!("{r},employee,{r},male,1966-03,20,5,1.2,80000,5,1.0\n"));
    }
    std::fs::write(&input, csv).unwrap();
    // (region, basic formula must contain, transitional formula must contain); None = national.
    let cases = [
        ("beijing", None, Some(("transitional = two_part", "G同 + G实"))),
        (
            "shanghai",
            Some(("basic_years_month_rate = 0.00083", "whole years of N × 1%")),
            Some(("transitional = deemed_index_one", "C × 1.0 × P")),
        ),
        ("henan", Some(("basic = province_plus_city_indexed", "C_province + round(C_city × Ī)")), None),
        ("shandong", None, None),
    ];
    for (id, basic, transitional) in cases {
        let e = explain_json(&input, None, id);
        let steps = e["steps"].as_array().unwrap();
        for (rule, want) in [("C15", basic), ("C17", transitional)] {
            let step = steps
                .iter()
                .find(|s| s["rule"].as_str().unwrap().starts_with(rule))
                .unwrap_or_else(|| panic!("{id}: no {rule} step"));
            let (formula, result) = (step["formula"].as_str().unwrap(), step["result"].as_str().unwrap());
            let rule_text = step["rule"].as_str().unwrap();
            match want {
                Some((kind, words)) => {
                    assert!(
                        rule_text.contains("provincial form") && rule_text.contains(kind),
                        "{id} {rule}: {rule_text}"
                    );
                    assert!(formula.contains(words), "{id} {rule}: {formula}");
                    assert!(
                        !formula.contains("round(C × Ī, 2)) / 2 × N × 1%"),
                        "{id} {rule}: national wording: {formula}"
                    );
                    assert!(!step["document"].as_str().unwrap().is_empty(), "{id} {rule}: no source");
                }
                None => {
                    assert_eq!(rule_text, rule, "{id}");
                    let national = if rule == "C15" {
                        "round((C + round(C × Ī, 2)) / 2 × N × 1%, 2)"
                    } else {
                        "round(round(C × Ī_t, 2) × P × rate, 2)"
                    };
                    assert!(formula.starts_with(national), "{id} {rule}: {formula}");
                    assert!(
                        substituted(formula).is_some(),
                        "{id} {rule}: the national form shows its arithmetic: {formula}"
                    );
                }
            }
            if let Some(line) = substituted(formula) {
                assert_eq!(
                    eval_line(line),
                    result.parse::<rust_decimal::Decimal>().unwrap(),
                    "{id} {rule}: {formula} ≠ {result}"
                );
            }
        }
    }
    // The defect's example: Beijing's transitional is G同 only (D = P = 5), 12530.96 × 5 × 1%.
    let bj = explain_json(&input, None, "beijing");
    let c17 = bj["steps"].as_array().unwrap().iter().find(|s| s["rule"].as_str().unwrap().starts_with("C17")).unwrap();
    assert_eq!(c17["result"], "626.55");
}

#[test]
fn explain_shows_phase_ins_notional_accounts_and_the_special_divisor() {
    // Issue 14: Jiangsu's phase-in (kind, shares, the row's old/new numbers), Guangdong's old
    // method from notional_account, Shanghai's 虚账实记 part and Gansu's special divisor,
    // each with its source; every substituted line evaluates to the step's result.
    let dir = scratch("explain-transitional");
    let input = dir.join("in.csv");
    let csv = "id,scheme,region,category,birth,retire,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance,base_at_retirement,notional_account,special\n\
        js,employee,jiangsu,male,1965-03,,2025-04,25,10,1.2,10,1.5,100000,9000,,\n\
        gd,employee,guangdong,male,1963-03,,2023-03,25,10,1.2,10,1.5,100000,9000,60000,\n\
        sh,employee,shanghai,male,1963-03,,2023-03,25,10,1.2,10,1.5,100000,9000,12345,\n\
        gs,employee,gansu,female_worker,1978-06,2023-06,2023-06,20,0,1.0,0,,51000,8000,,true\n";
    std::fs::write(&input, csv).unwrap();
    let step = |id: &str, rule: &str| -> serde_json::Value {
        let e = explain_json(&input, None, id);
        e["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["rule"].as_str().unwrap().starts_with(rule))
            .cloned()
            .unwrap_or_else(|| panic!("{id}: no {rule}"))
    };
    // (id, kind, words in the formula, result): 1296.00 + round(324.00 × 0.7) = 1522.80;
    // 500.00 + round(max(0, 1620.00 − 500.00 − 140) × 0.7) = 1186.00; 1080.0 + 102.9.
    for (id, kind, words, result) in [
        (
            "js",
            "transitional = phase_in",
            &["2024 0.4, 2025 0.7, 2026 1", "old 1296.00, new 1620.00", "× 0.7"][..],
            "1522.80",
        ),
        (
            "gd",
            "notional = old_method",
            &["round(notional_account ÷ 120)", "2021 0.3", "from 2026 the new method", "− 140"][..],
            "1186.00",
        ),
        ("sh", "notional = add", &["round(12345.00 ÷ 120) = 102.90"][..], "1182.90"),
    ] {
        let s = step(id, "C17");
        let (rule, formula) = (s["rule"].as_str().unwrap(), s["formula"].as_str().unwrap());
        assert!(rule.contains("provincial form") && rule.contains(kind), "{id}: {rule}");
        for w in words {
            assert!(formula.contains(w), "{id}: {w:?} not in {formula}");
        }
        assert_eq!(s["result"], result, "{id}");
        if let Some(line) = substituted(formula) {
            assert_eq!(eval_line(line), result.parse::<rust_decimal::Decimal>().unwrap(), "{id}: {formula}");
        }
        assert!(s["document"].as_str().unwrap().contains("phase-in shares") || id == "sh", "{id}: {}", s["document"]);
    }
    let d = step("gs", "C7");
    assert!(d["rule"].as_str().unwrap().contains("special_divisor"), "{}", d["rule"]);
    assert_eq!(d["result"], "170.0");
    assert!(d["formula"].as_str().unwrap().contains("d(45), 216"), "{}", d["formula"]);
    assert!(d["document"].as_str().unwrap().contains("170-month divisor"));
}

#[test]
fn explain_lists_the_local_components_with_their_sources() {
    // Every checked value equals run (the allowance column is checked against the step of
    // the local components), for the person rules and the city overlays.
    assert!(explain_equals_run("explain-person", "tests/data/person-rules.csv", None) > 0);
    let input = repo("tests/data/person-rules.csv");
    let step = |id: &str, title: &str| -> serde_json::Value {
        let e = explain_json(&input, None, id);
        e["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["title"] == title)
            .cloned()
            .unwrap_or_else(|| panic!("{id}: no {title}"))
    };
    // Harbin, intermediate title: both components, each with its rule, condition, tag, source.
    let s = step("harbin-intermediate", "Local components (in the allowance column)");
    assert_eq!(s["result"], "60.00");
    assert_eq!(s["checks"]["allowance"], "60.00");
    let inputs = s["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{s}");
    assert_eq!(inputs[0]["name"], "中级职称 +15 (15; when title = intermediate)");
    assert_eq!(inputs[0]["value"], "15.00");
    assert_eq!(inputs[0]["provenance"], "reported");
    assert!(inputs[0]["source"].as_str().unwrap().starts_with("json manual item: intermediate title +15"), "{s}");
    assert_eq!(inputs[1]["name"], "哈尔滨御寒津贴 (45)");
    // Hainan: the share of the components.
    let s = step("hainan-childless", "Local components (in the allowance column)");
    let x = &s["inputs"][0];
    assert_eq!(
        x["name"],
        "计划生育奖励金 无子女 +10% (10% × (basic + account + transitional); when family = childless)"
    );
    assert!(x["source"].as_str().unwrap().contains("琼府〔2022〕40号"), "{s}");
    // Ningxia: the person's coefficient is its own step, with its source.
    let s = step("ningxia-intellectual", "Transitional coefficient for this person");
    assert_eq!(s["result"], "0.0143");
    assert!(s["document"].as_str().unwrap().contains("1.49%"), "{s}");
    // … and the transitional step cites it for its coefficient (not the 1.3% series).
    let t = step("ningxia-intellectual", "Transitional pension");
    let coef = t["inputs"].as_array().unwrap().iter().find(|x| x["value"] == "0.0143").unwrap();
    assert!(coef["source"].as_str().unwrap().starts_with("coefficient_intellectual 1.43%"), "{t}");
    // An existing unconditional component is listed too (Zhejiang).
    let dir = scratch("explain-zhejiang");
    let zj = dir.join("zj.csv");
    std::fs::write(&zj, "id,scheme,region,category,birth,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance\nzj,employee,zhejiang,male,1964-06,2024-06,25,10,1.2,12,1.1,120000\n").unwrap();
    let e = explain_json(&zj, None, "zj");
    let s = e["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Local components (in the allowance column)")
        .unwrap();
    // 150 + (480 + 1.2 × 35 × 3 = 606.00) = 756.00 (the worked case in provinces.rs).
    assert_eq!(s["result"], "756.00");
}
