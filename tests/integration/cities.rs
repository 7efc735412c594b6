//! Resident scheme in cities (issue 14 item 3): city add-ons derived from stated totals,
//! city 长缴多得 rule kinds and age top-ups, county-level city keys, and the `params` and
//! `explain` views of a city's parts. Every row: resident_balance 10000, so the account
//! pension is round(10000 / 139, 2) = 71.94 (C23); no future contributions (as_of in the
//! year of 60, C27.1).

use crate::common::*;
use std::collections::HashMap;

fn cols<'a>(r: &'a HashMap<String, String>, names: &[&str]) -> Vec<&'a str> {
    names.iter().map(|c| r[*c].as_str()).collect()
}

const HEAD: &str = "id,scheme,region,birth,as_of,resident_years,resident_balance\n";

/// Weifang (潍坊): add-on 2 from 2022-07 (162 = provincial 160 + 2), 长缴多得 1% of the basic
/// pension per year beyond 15 from 2022-07, the province's flat 2 before.
/// - wf22, born 1962-08, 25 years, pension 2022-08: basic national 98 → provincial 160 + 2 =
///   162; bonus round(162 × 1% × 10, 2) = 16.20; total 162 + 16.20 + 71.94 = 250.14.
/// - wf26, born 1966-03, 25 years, pension 2026-03: 228 (Shandong 2026, assumed) + 2 = 230;
///   bonus round(230 × 1% × 10, 2) = 23.00; total 230 + 23 + 71.94 = 324.94.
/// - wf_before, born 1962-05, pension 2022-05: provincial 150 (2021-07) + Weifang 0
///   (2020-07: 142 = provincial 142) = 150; the 1% rule is not yet in force: the province's
///   2 a year × 10 = 20.00; total 150 + 20 + 71.94 = 241.94.
/// - Qingzhou (青州, no source of its own) takes Weifang's values, all assumed: as wf26.
#[test]
fn weifang_resident_add_on_and_one_percent_rule() {
    let dir = scratch("city-weifang");
    let csv = format!(
        "{HEAD}wf22,resident,shandong/weifang,1962-08,2022-01,25,10000\n\
         wf26,resident,山东/潍坊,1966-03,2026-01,25,10000\n\
         wf_before,resident,shandong/weifang,1962-05,2022-01,25,10000\n\
         qz,resident,山东/青州,1966-03,2026-01,25,10000\n"
    );
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = ["status", "claim_region", "retire", "resident_basic", "bonus", "account", "total"];
    assert_eq!(
        cols(by_id(&rows, "wf22"), &c),
        ["ok", "shandong/weifang", "2022-08", "162.00", "16.20", "71.94", "250.14"]
    );
    assert_eq!(
        cols(by_id(&rows, "wf26"), &c),
        ["ok", "shandong/weifang", "2026-03", "230.00", "23.00", "71.94", "324.94"]
    );
    assert_eq!(
        cols(by_id(&rows, "wf_before"), &c),
        ["ok", "shandong/weifang", "2022-05", "150.00", "20.00", "71.94", "241.94"]
    );
    assert_eq!(
        cols(by_id(&rows, "qz"), &c),
        ["ok", "shandong/qingzhou", "2026-03", "230.00", "23.00", "71.94", "324.94"]
    );
    assert_eq!(by_id(&rows, "qz")["provenance"], "assumed");
}

/// Jining (济宁) 长缴多得 steps (济政发〔2014〕7号): 20 from 16 years, 30 from 20, 40 from 25
/// — the highest step reached, not per year. Basic: Shandong's 228 (2026, no Jining
/// add-on). 15.5 years → 0 (total 299.94); 19.9 → 20 (319.94); 22 → 30 (329.94); 25 → 40
/// (339.94); 40 → 40 (339.94).
#[test]
fn jining_graduated_steps() {
    let dir = scratch("city-jining");
    let mut csv = HEAD.to_string();
    for y in ["15.5", "19.9", "22", "25", "40"] {
        csv.push_str(&format!("j{y},resident,济宁,1966-03,2026-01,{y},10000\n"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (y, bonus, total) in [
        ("15.5", "0.00", "299.94"),
        ("19.9", "20.00", "319.94"),
        ("22", "30.00", "329.94"),
        ("25", "40.00", "339.94"),
        ("40", "40.00", "339.94"),
    ] {
        let r = by_id(&rows, &format!("j{y}"));
        assert_eq!(
            cols(r, &["claim_region", "resident_basic", "bonus", "total"]),
            ["shandong/jining", "228.00", bonus, total],
            "{y}"
        );
    }
}

/// Hefei (合肥): 2 a year beyond 15, at most 10% of the basic pension. Basic in 2026:
/// national 163 + Hefei's add-on 102 (245 in 2025 − national 143; Anhui has no provincial
/// floor, so assumed) = 265; ceiling round(265 × 10%, 2) = 26.50.
/// 20 years → 2 × 5 = 10.00 (total 265 + 10 + 71.94 = 346.94); 28 years → 2 × 13 = 26.00
/// (362.94); 30 years → 2 × 15 = 30 > 26.50 → 26.50 (363.44); 40 years → 26.50 (363.44).
#[test]
fn hefei_bonus_with_a_ceiling() {
    let dir = scratch("city-hefei");
    let mut csv = HEAD.to_string();
    for y in ["20", "28", "30", "40"] {
        csv.push_str(&format!("h{y},resident,安徽/合肥,1966-03,2026-01,{y},10000\n"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (y, bonus, total) in
        [("20", "10.00", "346.94"), ("28", "26.00", "362.94"), ("30", "26.50", "363.44"), ("40", "26.50", "363.44")]
    {
        let r = by_id(&rows, &format!("h{y}"));
        assert_eq!(
            cols(r, &["claim_region", "resident_basic", "bonus", "total", "provenance"]),
            ["anhui/hefei", "265.00", bonus, total, "assumed"],
            "{y}"
        );
    }
}

/// Derived add-ons keep their step when the province rises.
/// - Zibo (淄博): 155 from 2021-07 = provincial 150 + 5. Pension 2021-08 (born 1961-08):
///   155, bonus the province's 2 × 5 = 10, total 155 + 10 + 71.94 = 236.94. Pension
///   2026-03: 228 + 5 = 233, total 233 + 10 + 71.94 = 314.94.
/// - Zhengzhou (郑州): 200 from 2020-07 minus Henan's 103 then in force (assumed: the
///   national minimum stepped after the province's 2019 figure) = 97; in 2026 the national
///   163 is above Henan's 123, so 163 + 97 = 260; 长缴多得 3 a year from 2018: 3 × 10 = 30;
///   total 260 + 30 + 71.94 = 361.94.
/// - Rongcheng (荣成, county-level city under Weihai): 172 at 2023-12 − provincial 168 = 4;
///   2026: 228 + 4 = 232; 2 a year × 10 = 20; total 232 + 20 + 71.94 = 323.94.
#[test]
fn derived_city_add_ons() {
    let dir = scratch("city-derived");
    let csv = format!(
        "{HEAD}zb21,resident,shandong/zibo,1961-08,2021-01,20,10000\n\
         zb26,resident,淄博市,1966-03,2026-01,20,10000\n\
         zz,resident,henan/zhengzhou,1966-03,2026-01,25,10000\n\
         rc,resident,山东/荣成,1966-03,2026-01,25,10000\n"
    );
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = ["status", "claim_region", "resident_basic", "bonus", "total"];
    assert_eq!(cols(by_id(&rows, "zb21"), &c), ["ok", "shandong/zibo", "155.00", "10.00", "236.94"]);
    assert_eq!(cols(by_id(&rows, "zb26"), &c), ["ok", "shandong/zibo", "233.00", "10.00", "314.94"]);
    assert_eq!(cols(by_id(&rows, "zz"), &c), ["ok", "henan/zhengzhou", "260.00", "30.00", "361.94"]);
    assert_eq!(cols(by_id(&rows, "rc"), &c), ["ok", "shandong/rongcheng", "232.00", "20.00", "323.94"]);
}

/// `params` shows Weifang's city parts with provenance and source; `explain` of a Weifang
/// resident shows the national, provincial and city parts and the 1% rule.
#[test]
fn weifang_city_parts_in_params_and_explain() {
    let out =
        bin().args(["params", "--region", "shandong/weifang", "--year", "2023", "--format", "csv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |start: &str| {
        text.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}\n{text}")).to_string()
    };
    assert!(line("resident,city add-on,2,2022-07,reported,").contains("162 = provincial 160"));
    assert!(line("resident,provincial basic pension (incl. national),168,2023-07,reported,").contains("2023-12-05"));
    assert!(line("resident,代缴 (hardship),300,2019-01,reported,").contains("yunnanlong"));
    let rule = line("resident,长缴多得 rule (replaces the per-year amount),percent_of_basic: 0.01");
    assert!(rule.contains(",2022-07,reported,") && rule.contains("补缴 years excluded"), "{rule}");
    assert!(line(
        "resident,tiers:subsidy (yuan/year),350:30 500:60 1000:80 2000:80 3000:80 5000:80 8000:80,2019-01,assumed,"
    )
    .contains("kuyiso"));
    assert!(line("resident,age top-ups (yearly path),\"65+: 5, 75+: 10\",2019-01,reported,").contains("yunnanlong"));

    let dir = scratch("city-explain");
    let csv = dir.join("in.csv");
    std::fs::write(&csv, format!("{HEAD}w,resident,shandong/weifang,1966-03,2026-01,25,10000\n")).unwrap();
    let out = bin().arg("explain").arg(&csv).args(["--id", "w", "--lang", "en"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "= 163.00  [reported",
        "= 228.00  [assumed",
        "= 2.00  [reported; 潍坊市人民政府",
        "round(resident_basic × pct × ⌊years − 15⌋, 2)",
        "pct = 0.01  [reported",
        "resident_basic = 230.00",
        "= 23.00",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
}

/// Every region, provinces and city overlays alike, computes a resident row, and more
/// resident years never pay less (15, 16, 20, 25, 30, 40 years at 60 in 2026-03).
#[test]
fn across_all_regions_a_resident_row_computes_and_more_years_never_pay_less() {
    let dir = scratch("cities-resident-monotone");
    let regions = crate::provinces::all_regions();
    assert!(regions.iter().any(|r| r == "shandong/rongcheng") && regions.iter().any(|r| r == "anhui/hefei"));
    let years = ["15", "16", "20", "25", "30", "40"];
    let mut csv = HEAD.to_string();
    for r in &regions {
        for y in years {
            csv.push_str(&format!("{r}|{y},resident,{r},1966-03,2026-01,{y},10000\n"));
        }
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let total = |id: String| -> f64 {
        let r = by_id(&rows, &id);
        assert_eq!(r["status"], "ok", "{id}: {}", r["message"]);
        assert_eq!(r["claim_region"], id.split('|').next().unwrap(), "{id}");
        r["total"].parse().unwrap()
    };
    for r in &regions {
        for w in years.windows(2) {
            let (fewer, more) = (total(format!("{r}|{}", w[0])), total(format!("{r}|{}", w[1])));
            assert!(more >= fewer, "{r}: {} years pay {more} < {fewer} with {} years", w[1], w[0]);
        }
    }
}

/// City age top-ups replace the province's in the yearly path (flat, from the first January
/// at the band's age). Born 1966-03, 15 years, pension 2026-03, `indexation` 0.
/// - Nanjing (南京): Jiangsu 228 (2024-01) + Nanjing's add-on 352 (440 in 2019 − national 88;
///   no Jiangsu floor before 2020, assumed) = 580; total 580 + 71.94 = 651.94; +5 from 2032
///   (Jan 2032: 65), +10 from 2037 (70), +20 from 2042 (75), +30 from 2047 (80).
/// - Zhongshan (中山): Guangdong 220 (2024, assumed), no add-on; total 291.94; +10 from 2032,
///   +15 from 2037, +20 from 2042, +25 from 2047, +30 from 2052 (85).
#[test]
fn city_age_top_ups_enter_the_yearly_path() {
    let dir = scratch("city-age");
    let paths = dir.join("paths.csv");
    let csv = "id,scheme,region,birth,as_of,resident_years,resident_balance,indexation,death_age\n\
               nj,resident,南京,1966-03,2026-01,15,10000,0,90\n\
               zs,resident,guangdong/zhongshan,1966-03,2026-01,15,10000,0,90\n";
    let (out, rows) = run_csv(&dir, csv, &["--paths", paths.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        cols(by_id(&rows, "nj"), &["claim_region", "resident_basic", "total"]),
        ["jiangsu/nanjing", "580.00", "651.94"]
    );
    assert_eq!(cols(by_id(&rows, "zs"), &["resident_basic", "total"]), ["220.00", "291.94"]);
    let path = read_rows(&paths);
    let at =
        |id: &str, y: &str| path.iter().find(|r| r["id"] == id && r["year"] == y).unwrap()["monthly_pension"].clone();
    let years = ["2031", "2032", "2037", "2042", "2047", "2052"];
    let nj: Vec<String> = years.iter().map(|y| at("nj", y)).collect();
    assert_eq!(nj, ["651.94", "656.94", "661.94", "671.94", "681.94", "681.94"]);
    let zs: Vec<String> = years.iter().map(|y| at("zs", y)).collect();
    assert_eq!(zs, ["291.94", "301.94", "306.94", "311.94", "316.94", "321.94"]);
}
