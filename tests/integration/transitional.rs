//! Transitional-pension rules of issue 14's remainder, through the binary: Jiangsu's new
//! method phased in from 2024, the `notional_account` column (Shanghai 虚账实记, Guangdong
//! 视同缴费账户 with its 2021–2025 phase-in) and Gansu's divisor for arduous-work early
//! retirements.
//!
//! The common record: a man with 25 paid + 10 deemed years (N = 35), Ī = 1.2, 10
//! pre-account years, account 100000, known to the pension month (`as_of` = the statutory
//! month, so no future months), and C fixed by `base_at_retirement` = 9000 so that the
//! arithmetic is the rule's and not the base series'.

use crate::common::*;

const HEADER: &str = "id,scheme,region,category,birth,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance,base_at_retirement,notional_account\n";

/// A row born `birth`, known to `as_of` (its statutory month), with Ī_t and the amount.
fn row(id: &str, region: &str, birth: &str, as_of: &str, trans_index: &str, notional: &str) -> String {
    format!("{id},employee,{region},male,{birth},{as_of},25,10,1.2,10,{trans_index},100000,9000,{notional}\n")
}

fn get<'a>(rows: &'a [std::collections::HashMap<String, String>], id: &str, col: &str) -> &'a str {
    &by_id(rows, id)[col]
}

#[test]
fn jiangsu_phases_in_the_new_transitional_method_by_pension_year() {
    // old = round(round(9000 × 1.2) × 10 × 1.2%) = 10800.00 × 0.12 = 1296.00
    // new (Ī_t 1.5) = 13500.00 × 0.12 = 1620.00; new (Ī_t 0.9) = 8100.00 × 0.12 = 972.00
    let dir = scratch("trans-jiangsu");
    let mut csv = HEADER.to_string();
    // 2023: before the phase-in, the old method: 1296.00 (was C × Ī_t × P × 1.2% = 1620.00).
    csv.push_str(&row("js-2023", "jiangsu", "1963-03", "2023-03", "1.5", ""));
    // 2024: 1296.00 + round((1620.00 − 1296.00) × 40%) = 1296.00 + 129.60 = 1425.60.
    csv.push_str(&row("js-2024", "jiangsu", "1964-03", "2024-03", "1.5", ""));
    // 2025 (statutory 2025-04 after the one-month delay): 1296.00 + 324.00 × 70% = 1522.80.
    csv.push_str(&row("js-2025", "jiangsu", "1965-03", "2025-04", "1.5", ""));
    // 2026 (born 1966-01, delay 4 months): 100%, the new method 1620.00.
    csv.push_str(&row("js-2026", "jiangsu", "1966-01", "2026-05", "1.5", ""));
    // new < old: the old method in every year: 1296.00.
    csv.push_str(&row("js-2024-low", "jiangsu", "1964-03", "2024-03", "0.9", ""));
    csv.push_str(&row("js-2025-low", "jiangsu", "1965-03", "2025-04", "0.9", ""));
    csv.push_str(&row("js-2026-low", "jiangsu", "1966-01", "2026-05", "0.9", ""));
    // Without trans_index, Ī_t = Ī: old = new = 1296.00.
    csv.push_str(&row("js-2025-same", "jiangsu", "1965-03", "2025-04", "", ""));
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (id, want) in [
        ("js-2023", "1296.00"),
        ("js-2024", "1425.60"),
        ("js-2025", "1522.80"),
        ("js-2026", "1620.00"),
        ("js-2024-low", "1296.00"),
        ("js-2025-low", "1296.00"),
        ("js-2026-low", "1296.00"),
        ("js-2025-same", "1296.00"),
    ] {
        assert_eq!(get(&rows, id, "transitional"), want, "{id}: {}", get(&rows, id, "message"));
    }
    // basic = (9000 + 10800.00)/2 × 35% = 3465.00; account 100000 / 139 = 719.42 (2024-03);
    // total = 3465.00 + 719.42 + 1425.60 = 5610.02.
    assert_eq!(get(&rows, "js-2024", "total"), "5610.02");
}

#[test]
fn guangdong_phase_in_against_the_old_method_needs_the_notional_account() {
    // new = round(round(9000 × 1.5) × 10 × 1.2%) = 1620.00; allowance 100 + 4 × 35 = 240.
    let dir = scratch("trans-guangdong");
    let mut csv = HEADER.to_string();
    // 2023, 视同缴费账户 60000: old = 60000 / 120 = 500.00; adjustment = max(0, 1620.00 −
    // 500.00 − 4 × 35) × 70% = 980.00 × 0.7 = 686.00; transitional = 1186.00;
    // total = 3465.00 + 719.42 + 1186.00 + 240.00 = 5610.42.
    csv.push_str(&row("gd-2023", "guangdong", "1963-03", "2023-03", "1.5", "60000"));
    // 2023 without the amount: the new method as before, and `message` says so.
    csv.push_str(&row("gd-2023-none", "guangdong", "1963-03", "2023-03", "1.5", ""));
    // 2021 (share 30%): 500.00 + round(980.00 × 0.3) = 500.00 + 294.00 = 794.00.
    csv.push_str(&row("gd-2021", "guangdong", "1961-03", "2021-03", "1.5", "60000"));
    // 2023, a large account: old 240000 / 120 = 2000.00 > new: max(0, …) = 0 → 2000.00.
    csv.push_str(&row("gd-2023-big", "guangdong", "1963-03", "2023-03", "1.5", "240000"));
    // 2020, before the phase-in: the old method alone, 500.00.
    csv.push_str(&row("gd-2020", "guangdong", "1960-03", "2020-03", "1.5", "60000"));
    // 2026: the new method alone, 1620.00; the amount is not used (said).
    csv.push_str(&row("gd-2026", "guangdong", "1966-01", "2026-05", "1.5", "60000"));
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (id, want) in [
        ("gd-2023", "1186.00"),
        ("gd-2023-none", "1620.00"),
        ("gd-2021", "794.00"),
        ("gd-2023-big", "2000.00"),
        ("gd-2020", "500.00"),
        ("gd-2026", "1620.00"),
    ] {
        assert_eq!(get(&rows, id, "transitional"), want, "{id}: {}", get(&rows, id, "message"));
        assert_eq!(get(&rows, id, "allowance"), "240.00", "{id}");
    }
    assert_eq!(get(&rows, "gd-2023", "total"), "5610.42");
    assert!(!get(&rows, "gd-2023", "message").contains("notional_account"));
    assert!(
        get(&rows, "gd-2023-none", "message").contains("need notional_account"),
        "{}",
        get(&rows, "gd-2023-none", "message")
    );
    assert!(get(&rows, "gd-2026", "message").contains("notional_account is not used"));
}

#[test]
fn shanghai_notional_account_adds_its_part_to_the_transitional_pension() {
    // Shanghai: C × 1.0 × P × 1.2% = 9000 × 10 × 0.012 = 1080.0; 虚账实记 12345 / 120 =
    // 102.875 → 102.9 (components to 0.1); transitional = 1182.9.
    let dir = scratch("trans-shanghai");
    let mut csv = HEADER.to_string();
    csv.push_str(&row("sh", "shanghai", "1963-03", "2023-03", "1.5", "12345"));
    csv.push_str(&row("sh-none", "shanghai", "1963-03", "2023-03", "1.5", ""));
    // A region without a notional rule computes as before and says the amount is unused:
    // Shandong C17 9000 × 1.5 × 10 × 1.3% = 1755.00.
    csv.push_str(&row("sd", "shandong", "1963-03", "2023-03", "1.5", "12345"));
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(get(&rows, "sh", "transitional"), "1182.90");
    assert_eq!(get(&rows, "sh-none", "transitional"), "1080.00");
    assert!(get(&rows, "sh-none", "message").contains("虚账实记 part of the transitional pension"));
    assert!(!get(&rows, "sh", "message").contains("虚账实记"));
    assert_eq!(get(&rows, "sd", "transitional"), "1755.00");
    assert!(get(&rows, "sd", "message").contains("notional_account is not used"));
}

#[test]
fn notional_account_bad_values_name_line_column_and_what_is_allowed() {
    let dir = scratch("trans-bad");
    for (v, why) in [("-5", "negative"), ("abc", "not a plain decimal number"), ("2000000000", "out of range")] {
        let mut csv = HEADER.to_string();
        csv.push_str(&row("bad", "shanghai", "1963-03", "2023-03", "1.5", v));
        let (out, rows) = run_csv(&dir, &csv, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(get(&rows, "bad", "status"), "error", "{v}");
        let want = format!("line 2, column notional_account, value '{v}': {why}; allowed 0 to 1,000,000,000 yuan");
        assert!(err.contains(&want), "{v}: {err}");
    }
}

#[test]
fn a_higher_notional_account_never_pays_less() {
    // Property over a grid: Guangdong (2020 old method, 2021–2025 phase-in, 2026 new),
    // Shanghai and Shenzhen; trans indices around the break-even of old and new; amounts
    // ascending in uneven steps (rounding of ÷ 120 included). Within each group the total
    // never falls.
    let dir = scratch("trans-monotone");
    let mut csv = HEADER.to_string();
    let births = [
        ("1960-03", "2020-03"),
        ("1961-03", "2021-03"),
        ("1963-03", "2023-03"),
        ("1965-03", "2025-04"),
        ("1966-01", "2026-05"),
    ];
    let amounts: Vec<u32> = (0..40).map(|k| k * k * 157 + k * 13).collect();
    let mut groups = Vec::new();
    for region in ["guangdong", "shanghai", "guangdong/shenzhen"] {
        for (birth, as_of) in births {
            for it in ["0.6", "1.0", "1.5", "2.4"] {
                let g = format!("{region}-{birth}-{it}");
                for a in &amounts {
                    csv.push_str(&row(&format!("{g}-{a}"), region, birth, as_of, it, &a.to_string()));
                }
                groups.push((format!("{region}-{birth}"), g));
            }
        }
    }
    let mut moved = std::collections::BTreeSet::new();
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (region_year, g) in &groups {
        let totals: Vec<rust_decimal::Decimal> =
            amounts.iter().map(|a| get(&rows, &format!("{g}-{a}"), "total").parse().unwrap()).collect();
        for (k, w) in totals.windows(2).enumerate() {
            assert!(w[1] >= w[0], "{g}: {} → {} pays {} < {}", amounts[k], amounts[k + 1], w[1], w[0]);
        }
        if totals.first() != totals.last() {
            moved.insert(region_year.clone());
        }
    }
    // The amount matters in Shanghai every year and in Guangdong before 2026 (at some
    // index: with share 100% and new − old above 4 × floor(N) it does not), never in 2026
    // nor in Shenzhen (its own system, no notional rule).
    let want: std::collections::BTreeSet<String> = ["guangdong", "shanghai"]
        .iter()
        .flat_map(|r| births.iter().map(move |(b, _)| format!("{r}-{b}")))
        .filter(|k| k != "guangdong-1966-01")
        .collect();
    assert_eq!(moved, want);
}

#[test]
fn an_empty_notional_account_column_changes_no_example_row() {
    // The shipped examples with an empty `notional_account` column appended give the same
    // bytes (results and paths) as without it.
    let dir = scratch("trans-empty-column");
    for (name, segments) in [("employees.csv", None), ("weifang-tiers.csv", Some("weifang-tiers-segments.csv"))] {
        let text = std::fs::read_to_string(repo(&format!("data/examples/{name}"))).unwrap();
        let mut lines = text.lines();
        let mut with = format!("{},notional_account\n", lines.next().unwrap());
        for l in lines {
            with.push_str(&format!("{l},\n"));
        }
        let plain = dir.join("plain.csv");
        let added = dir.join("added.csv");
        std::fs::write(&plain, &text).unwrap();
        std::fs::write(&added, &with).unwrap();
        let mut outputs = Vec::new();
        for (tag, input) in [("plain", &plain), ("added", &added)] {
            let (o, p) = (dir.join(format!("{tag}-out.csv")), dir.join(format!("{tag}-paths.csv")));
            let mut cmd = bin();
            cmd.arg("run").arg(input).arg("-o").arg(&o).arg("--paths").arg(&p);
            if let Some(s) = segments {
                cmd.arg("--segments").arg(repo(&format!("data/examples/{s}")));
            }
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            assert!(!String::from_utf8_lossy(&out.stderr).contains("unknown column"), "{name}");
            outputs.push((std::fs::read(&o).unwrap(), std::fs::read(&p).unwrap()));
        }
        assert!(outputs[0] == outputs[1], "{name}: an empty notional_account column changed the output");
    }
}

#[test]
fn gansu_special_early_retirement_uses_its_170_month_divisor() {
    // Balance 51000, C 8000, 20 paid years at Ī 1.0: basic = (8000 + 8000)/2 × 20% = 1600.00.
    let dir = scratch("trans-gansu");
    let mut csv = String::from(
        "id,scheme,region,category,birth,retire,as_of,paid_years,avg_index,balance,base_at_retirement,special\n",
    );
    // A woman worker retiring at 45 under 特殊工种 in 2023: divisor 170 instead of d(45) = 216;
    // account = 51000 / 170 = 300.00 (Shandong, the table: 51000 / 216 = 236.11).
    csv.push_str("gs-f45,employee,gansu,female_worker,1978-06,2023-06,2023-06,20,1.0,51000,8000,true\n");
    csv.push_str("sd-f45,employee,shandong,female_worker,1978-06,2023-06,2023-06,20,1.0,51000,8000,true\n");
    // A man at 55y3m in 2025: 170 instead of the interpolated 170 − 6 × 3/12 = 168.5.
    csv.push_str("gs-m55,employee,gansu,male,1970-03,2025-06,2025-06,20,1.0,51000,8000,true\n");
    // At the original age 50 the retirement is not early: the table's d(50) = 195,
    // account = 51000 / 195 = 261.54, with or without `special`.
    csv.push_str("gs-f50,employee,gansu,female_worker,1973-06,2023-06,2023-06,20,1.0,51000,8000,true\n");
    csv.push_str("gs-f50-plain,employee,gansu,female_worker,1973-06,2023-06,2023-06,20,1.0,51000,8000,false\n");
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (id, divisor, account) in [
        ("gs-f45", "170.0", "300.00"),
        ("sd-f45", "216.0", "236.11"),
        ("gs-m55", "170.0", "300.00"),
        ("gs-f50", "195.0", "261.54"),
        ("gs-f50-plain", "195.0", "261.54"),
    ] {
        assert_eq!((get(&rows, id, "divisor"), get(&rows, id, "account")), (divisor, account), "{id}");
    }
    assert!(get(&rows, "gs-f45", "message").contains("special (特殊工种) early retirement: divisor 170"));
    assert!(!get(&rows, "gs-f50", "message").contains("特殊工种"));
}

#[test]
fn params_shows_the_phase_in_share_of_the_year() {
    let run = |region: &str, year: &str| {
        let out = bin().args(["params", "--region", region, "--year", year, "--format", "csv"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines().find(|l| l.contains("transitional phase-in share")).map(str::to_string)
    };
    let line = run("jiangsu", "2025").expect("jiangsu 2025 shows its share");
    assert!(line.contains(",0.7,2025,reported,"), "{line}");
    assert!(run("jiangsu", "2027").unwrap().contains(",1,2026,reported,"));
    assert!(run("jiangsu", "2023").unwrap().contains("before the phase-in"));
    assert!(run("guangdong", "2023").unwrap().contains(",0.7,2023,reported,"));
    assert!(run("guangdong", "2026").unwrap().contains("new method"));
    assert!(run("shandong", "2025").is_none());
    let out = bin().args(["params", "--region", "gansu", "--year", "2025", "--format", "csv"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("special (特殊工种) early retirement,170,"));
}

#[test]
fn zhengzhou_subsidy_is_named_as_not_included_never_a_silent_zero() {
    // The 郑州过渡性补贴's P table points are not in the sources: a Zhengzhou row with deemed
    // years says the subsidy is not included; its numbers are Henan's form as before
    // (basic (6606 + 7925 × 1.2 = 9510.00)/2 × 35% = 2820.30, transitional 7925 × 1.1 =
    // 8717.50 × 12 × 1.3% = 1359.93); a row without deemed years and a Luoyang row say nothing.
    let dir = scratch("trans-zhengzhou");
    let mut csv =
        String::from("id,scheme,region,category,birth,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance\n");
    csv.push_str("zz,employee,henan/zhengzhou,male,1964-06,2024-06,25,10,1.2,12,1.1,120000\n");
    csv.push_str("zz-no-deemed,employee,henan/zhengzhou,male,1964-06,2024-06,35,0,1.2,0,,120000\n");
    csv.push_str("ly,employee,henan/luoyang,male,1964-06,2024-06,25,10,1.2,12,1.1,120000\n");
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((get(&rows, "zz", "basic"), get(&rows, "zz", "transitional")), ("2820.30", "1359.93"));
    assert!(get(&rows, "zz", "message").contains("郑州过渡性补贴 not included"), "{}", get(&rows, "zz", "message"));
    assert!(get(&rows, "zz", "message").contains("附表二"));
    assert!(!get(&rows, "zz-no-deemed", "message").contains("郑州过渡性补贴"));
    assert!(!get(&rows, "ly", "message").contains("郑州过渡性补贴"));
    let p = bin().args(["params", "--region", "henan/zhengzhou", "--format", "csv"]).output().unwrap();
    assert!(String::from_utf8_lossy(&p.stdout).contains("not included: 郑州过渡性补贴"));
}
