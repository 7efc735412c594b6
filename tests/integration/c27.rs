//! Contract v1.2, C27: one worked case per clarification, each through the real binary,
//! plus the resident-row bugs found with them. Unless a test says otherwise the region is
//! Weifang (W(2026) = 7774), the crediting rate after the last official year (2025) is the
//! assumption file's 3%, and the resident rate is the same 3% (Shandong has none of its own).

use crate::common::*;
use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

const SEG_HEADER: &str = "id,scheme,region,start,end,contribution_index,tier\n";

fn run_seg(dir: &Path, scenarios: &str, segments: &str, extra: &[&str]) -> (Output, Vec<HashMap<String, String>>) {
    let seg = dir.join("seg.csv");
    std::fs::write(&seg, segments).unwrap();
    let mut args = vec!["--segments", seg.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_csv(dir, scenarios, &args)
}

fn cols<'a>(r: &'a HashMap<String, String>, names: &[&str]) -> Vec<&'a str> {
    names.iter().map(|c| r.get(*c).unwrap_or_else(|| panic!("no column {c}")).as_str()).collect()
}

/// C27.1. A man born 1966-08 with 3 employee years (short of 15) bridges to the resident
/// scheme; his statutory month is 2027-01 (delay 5), so the resident pension starts then,
/// after age 60 (2026-08). Resident contributions stop before the calendar year of 60:
/// 2025 is paid, 2026 is not (before C27.1 it was, up to the year before 2027).
/// `--account-rate 0`: employee interest 2025 is the official 1.5% (10000 → 10150.00), none
/// in 2026; resident 2000 + 500 + 60 (2025) = 2560. Balance 2560 + 10150 = 12710.00;
/// years 12 + 1 (2025) + 3 = 16.00 → bonus by Weifang's rule (1% of the basic pension a
/// year beyond 15, from 2022-07): round(228 × 1% × 1, 2) = 2.28; account
/// round(12710 / 139) = 91.44; total with resident_basic 228: 228 + 2.28 + 91.44 = 321.72;
/// own 500, subsidy 60.
#[test]
fn c27_1_resident_contributions_stop_before_year_of_60() {
    let dir = scratch("c27_1");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,resident_balance,tier,resident_basic\n\
               a,resident,male,1966-08,2025-01,3,1,10000,12,2000,500,228\n";
    let (out, rows) = run_csv(&dir, csv, &["--account-rate", "0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "a");
    assert_eq!(
        cols(
            r,
            &["status", "scheme", "retire", "years", "balance", "bonus", "account", "total", "own_paid", "gov_paid"]
        ),
        ["ok", "resident", "2027-01", "16.00", "12710.00", "2.28", "91.44", "321.72", "500.00", "60.00"]
    );
}

/// C27.2. A female cadre born 1972-01 (statutory month 2027-08, delay 7; 60 in 2032-01) with
/// 5 employee years and 20000 yuan bridges to the resident scheme. Her employee account
/// earns one C11 amount per calendar year until 2032-01, at 3%:
/// 2026 20000 + 600.00 = 20600.00; 2027 + 618.00 = 21218.00; 2028 + 636.54 = 21854.54;
/// 2029 + 655.64 = 22510.18; 2030 + 675.31 = 23185.49; 2031 + 695.56 = 23881.05.
/// Settling at the statutory month (7/12 then 5/12 of 2027: 360.50 + 262.01) gave 23886.13.
#[test]
fn c27_2_bridged_employee_account_keeps_one_interest_amount_per_year() {
    let dir = scratch("c27_2");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,tier\n\
               a,resident,female_cadre,1972-01,2026-01,5,1,20000,10,500\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "a");
    // Years: 10 known + 6 paid (2026–2031) + 5 employee = 21.
    assert_eq!(cols(r, &["status", "scheme", "retire", "years"]), ["ok", "resident", "2032-01", "21.00"]);
    assert!(r["message"].contains("employee account 23881.05 joins the resident account"), "{}", r["message"]);
}

/// C27.3. A female worker born 1985-01 (statutory month 2040-01, minimum 20 years), hukou
/// and row in Henan, works in Jiangsu 2026-01…2030-12 from age 41: a temporary account
/// (a woman of 40 or more outside her hukou province, C25). 5 years are short: she extends
/// 180 months from 2040-01 to 2055-01 (age 70, the divisor table's end) in the province of
/// her last month, Jiangsu. Those months keep the temporary status, so Jiangsu has no
/// non-temporary years and no province reaches 10: the claim goes to the hukou province,
/// Henan. (Counted as a regular account, the 15 extension years made Jiangsu the claim.)
#[test]
fn c27_3_extension_months_keep_the_temporary_status() {
    let dir = scratch("c27_3");
    let sc = "id,scheme,region,category,birth,as_of\n\
              a,employee,henan,female_worker,1985-01,2026-01\n";
    let seg = format!("{SEG_HEADER}a,employee,jiangsu,2026-01,2030-12,1.0,\n");
    let (out, rows) = run_seg(&dir, sc, &seg, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "a");
    assert_eq!(
        cols(r, &["status", "claim_region", "retire", "retire_age", "years", "min_years"]),
        ["ok", "henan", "2055-01", "70y0m", "20.00", "20.0"]
    );
    assert!(r["message"].contains("contributions extended 180 months from 2040-01"), "{}", r["message"]);
    assert!(r["message"].contains("temporary account in jiangsu"), "{}", r["message"]);
}

/// C27.5 (resident row). A man born 1966-01 turns 60 in 2026-01 but his statutory month is
/// 2026-05 (delay 4); with 10 employee years (short of 15) his resident pension starts
/// 2026-05. An `as_of` of 2026-03 lies before that month, so the row computes (it was
/// refused against age 60). Employee interest 2026-03…04: 30000 × 3% × 2/12 = 150.00;
/// no resident year end before 2026. Balance 30150 + 3000 = 33150.00; years 8 + 10 = 18 →
/// bonus by Weifang's 1% rule: round(228 × 1% × 3, 2) = 6.84; account round(33150 / 139) =
/// 238.49; total 228 + 6.84 + 238.49 = 473.33.
#[test]
fn c27_5_as_of_is_checked_against_the_pension_month_after_bridging() {
    let dir = scratch("c27_5");
    let csv =
        "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,resident_balance,resident_basic\n\
               a,resident,male,1966-01,2026-03,10,1,30000,8,3000,228\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "a");
    assert_eq!(
        cols(r, &["status", "scheme", "retire", "years", "balance", "bonus", "account", "total"]),
        ["ok", "resident", "2026-05", "18.00", "33150.00", "6.84", "238.49", "473.33"]
    );
}

/// C27.5 (extension). A man born 1965-01 (statutory month 2025-02, minimum 15) whose record
/// at 2026-01 holds 14 years: the pension month is where the extension ends, not the
/// statutory month, so `as_of` 2026-01 is allowed. He extends from `as_of` (the months
/// before it are in the record): 12 months to 15.00 years, pension 2027-01.
#[test]
fn c27_5_extension_pension_month_is_checked_not_the_statutory_one() {
    let dir = scratch("c27_5_ext");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance\n\
               a,employee,male,1965-01,2026-01,14,1,50000\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "a");
    assert_eq!(cols(r, &["status", "retire", "years"]), ["ok", "2027-01", "15.00"]);
    assert!(r["message"].contains("contributions extended 12 months from 2026-01"), "{}", r["message"]);
}

/// C27.6. `as_of` 2026-06; a resident spell 2026-01…2026-03 lies wholly before it, so after
/// clipping to the window (2026-06 …) nothing is left and 2026 makes no contribution —
/// written as row columns or as a segment alike. A spell 2026-01…2026-12 keeps 2026-06…12
/// and contributes for 2026. Born 1970-05 (pension 2030-05), 14 years, 1000 yuan, rate 0:
/// r_row and r_seg: balance 1000.00, years 14.00 → ineligible; r_year: 1000 + 500 + 60 =
/// 1560.00, years 15.00 → ok, account round(1560 / 139) = 11.22.
#[test]
fn c27_6_start_stop_clipped_to_the_window_for_rows_and_segments() {
    let dir = scratch("c27_6");
    let sc = "id,scheme,birth,as_of,start,stop,resident_years,resident_balance,tier\n\
              r_row,resident,1970-05,2026-06,2026-01,2026-03,14,1000,500\n\
              r_seg,resident,1970-05,2026-06,,,14,1000,500\n\
              r_year,resident,1970-05,2026-06,2026-01,2026-12,14,1000,500\n";
    let seg = format!("{SEG_HEADER}r_seg,resident,,2026-01,2026-03,,500\n");
    let (out, rows) = run_seg(&dir, sc, &seg, &["--account-rate", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for id in ["r_row", "r_seg"] {
        let r = by_id(&rows, id);
        assert_eq!(cols(r, &["status", "years", "balance", "own_paid"]), ["ineligible", "14.00", "1000.00", "0.00"]);
    }
    let r = by_id(&rows, "r_year");
    assert_eq!(
        cols(r, &["status", "years", "balance", "account", "own_paid", "gov_paid"]),
        ["ok", "15.00", "1560.00", "11.22", "500.00", "60.00"]
    );
}

/// C27.7. Two resident spells touch 2026: tier 500 for 2026-01…06, tier 1000 from 2026-07
/// to 2027-12. 2026 makes one contribution, at the tier in force at the year end (1000), in
/// whichever order the file lists the spells. Born 1970-05, 13 years, rate 0, Weifang's
/// subsidy of the 1000 tier from 2019 (80): 2026 1000 + 80, 2027 1000 + 80 → balance
/// 2160.00, years 15.00, account round(2160 / 139) = 15.54; own 2000, subsidies 160.
#[test]
fn c27_7_two_resident_spells_in_one_year_do_not_depend_on_file_order() {
    let dir = scratch("c27_7");
    let sc = "id,scheme,birth,as_of,resident_years,tier\n\
              a,resident,1970-05,2026-01,13,500\n\
              b,resident,1970-05,2026-01,13,500\n";
    let seg = format!(
        "{SEG_HEADER}a,resident,,2026-01,2026-06,,500\na,resident,,2026-07,2027-12,,1000\n\
         b,resident,,2026-07,2027-12,,1000\nb,resident,,2026-01,2026-06,,500\n"
    );
    let (out, rows) = run_seg(&dir, sc, &seg, &["--account-rate", "0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for id in ["a", "b"] {
        let r = by_id(&rows, id);
        assert_eq!(
            cols(r, &["status", "years", "balance", "account", "own_paid", "gov_paid"]),
            ["ok", "15.00", "2160.00", "15.54", "2000.00", "160.00"],
            "{id}"
        );
    }
}

/// C27.9. A man born 1966-01 (statutory month 2026-05, minimum 15) with `special=true` and
/// no `retire`: 14.5 known years + 4 months (2026-01…04) = 14.83, short. `special` only
/// lowers the earliest month, so at the statutory month he extends like anyone (C18):
/// 2 more months reach 14.5 + 6/12 = 15.00, pension 2026-07. A special row that chooses an
/// early month with short years is still refused (C6).
#[test]
fn c27_9_special_without_retire_and_short_years_extends() {
    let dir = scratch("c27_9");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,special,retire\n\
               a,employee,male,1966-01,2026-01,14.5,1,true,\n\
               b,employee,male,1966-01,2026-01,14.5,1,true,2026-02\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let a = by_id(&rows, "a");
    assert_eq!(cols(a, &["status", "retire", "years"]), ["ok", "2026-07", "15.00"]);
    assert!(a["message"].contains("contributions extended 2 months from 2026-05"), "{}", a["message"]);
    let b = by_id(&rows, "b");
    assert_eq!(b["status"], "error");
    assert!(b["message"].contains("needs the minimum 15 years"), "{}", b["message"]);
}

/// The resident-row woman: a female worker born 1975-01 (statutory month 2025-02, minimum
/// 15) on a resident row with `as_of` 2026-01. With 16 employee years she is an employee
/// pensioner since 2025-02: the row is refused for an `as_of` after that month (C27.5),
/// not given a resident pension with a message that her years are short.
/// With 10 years (short) she bridges to a resident pension at 60 (2035-01) and her
/// employee account earns interest only from `as_of`: 40000 at 3% for 2026…2034 (nine
/// year ends) = 52190.92 (crediting 2025-02…12 too gave 52908.56).
#[test]
fn c27_resident_woman_after_statutory_month_bridges_by_her_years() {
    let dir = scratch("c27_woman");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,tier\n\
               met,resident,female_worker,1975-01,2026-01,16,1,40000,0,\n\
               short,resident,female_worker,1975-01,2026-01,10,1,40000,5,500\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let met = by_id(&rows, "met");
    assert_eq!(met["status"], "error");
    assert!(
        met["message"].contains(
            "column as_of, value '2026-01': after the pension month 2025-02: employee years 16.00 meet the minimum 15"
        ),
        "{}",
        met["message"]
    );
    let short = by_id(&rows, "short");
    // Years 5 known + 9 paid (2026–2034) + 10 employee = 24.
    assert_eq!(cols(short, &["status", "scheme", "retire", "years"]), ["ok", "resident", "2035-01", "24.00"]);
    assert!(short["message"].contains("employee account 52190.92 joins"), "{}", short["message"]);
    assert!(!short["message"].contains("meet the minimum"), "{}", short["message"]);
}

/// C27.4. Hardship (代缴) rows without a tier, 13 years, born 1968-05 (pension 2028-05),
/// contributions 2026 and 2027, rate 0. Jinan has no 代缴 series of its own (nor has
/// Shandong): the government pays the lowest Shandong tier in force, 350, plus that tier's
/// subsidy 30 → 380 a year, 760.00 (the old national default 100 gave 260). Henan uses the
/// national tier table, lowest 100 + 30 → 260.00. Weifang has its own series (350 from
/// 2025) → 760.00. Own payments 0; every such row is `assumed`.
#[test]
fn c27_4_default_daijiao_is_the_series_else_the_lowest_tier() {
    let dir = scratch("c27_4");
    let csv = "id,scheme,region,birth,as_of,resident_years,hardship\n\
               jinan,resident,shandong/jinan,1968-05,2026-01,13,true\n\
               henan,resident,henan,1968-05,2026-01,13,true\n\
               weifang,resident,shandong/weifang,1968-05,2026-01,13,true\n";
    let (out, rows) = run_csv(&dir, csv, &["--account-rate", "0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (id, paid) in [("jinan", "760.00"), ("henan", "260.00"), ("weifang", "760.00")] {
        let r = by_id(&rows, id);
        assert_eq!(
            cols(r, &["status", "balance", "own_paid", "gov_paid", "provenance"]),
            ["ok", paid, "0.00", paid, "assumed"],
            "{id}"
        );
    }
    assert!(by_id(&rows, "jinan")["message"].contains("the region's lowest tier in force, assumed (C27.4)"));
    assert!(by_id(&rows, "weifang")["message"].contains("amount: the region's 代缴 series"));
}

/// C27.8. `shandong/binzhou` has no city file: the row is computed with Shandong's
/// parameters and says so; its resident basic pension is Shandong's 228 in 2026 (national
/// 163 + province 65, no city amount), 237.21 after two 2% increases to the claim year 2028
/// (232.56, 237.2112), where Jinan's 238 (with its 10) becomes 242.76, 247.6152 → 247.62. An unknown province (`mars/x`)
/// is the only region error. A segment's unknown city falls back the same way.
/// Born 1968-05, 14 years, 500 tier 2026–2027, rate 0: balance 1000 + 2 × 60 = 1120.00.
#[test]
fn c27_8_unknown_city_falls_back_to_the_province_with_a_note() {
    let dir = scratch("c27_8");
    let sc = "id,scheme,region,birth,as_of,resident_years,tier\n\
              binzhou,resident,shandong/binzhou,1968-05,2026-01,14,500\n\
              jinan,resident,shandong/jinan,1968-05,2026-01,14,500\n\
              mars,resident,mars/x,1968-05,2026-01,14,500\n\
              seg,resident,shandong/weifang,1968-05,2026-01,14,500\n";
    let seg = format!("{SEG_HEADER}seg,resident,shandong/binzhou,2026-01,2027-12,,500\n");
    let (out, rows) = run_seg(&dir, sc, &seg, &["--account-rate", "0"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let y = by_id(&rows, "binzhou");
    assert_eq!(
        cols(y, &["status", "claim_region", "balance", "resident_basic"]),
        ["ok", "shandong", "1120.00", "237.21"]
    );
    assert!(
        y["message"].contains("region shandong/binzhou has no city parameters: the province shandong is used (C27.8)"),
        "{}",
        y["message"]
    );
    assert_eq!(cols(by_id(&rows, "jinan"), &["status", "resident_basic"]), ["ok", "247.62"]);
    let m = by_id(&rows, "mars");
    assert_eq!(m["status"], "error");
    assert!(m["message"].contains("column region, value 'mars/x': unknown region"), "{}", m["message"]);
    let s = by_id(&rows, "seg");
    assert_eq!(cols(s, &["status", "balance"]), ["ok", "1120.00"]);
    assert!(s["message"].contains("region shandong/binzhou has no city parameters"), "{}", s["message"]);
}

/// C27.10. A Qingdao resident whose hukou is in Henan claims her resident pension in Henan:
/// `claim_region` henan and Henan's basic pension, the national 163 alone (Henan has no
/// provincial floor in the parameters), 169.59 in the claim year 2028 after two 2% increases
/// (166.26, 169.5852), not Qingdao's 278 (289.23). Tiers are still Qingdao's (the
/// spell's region). An employee row whose career ends with flexible months reports its own
/// scheme, `employee`, not the scheme of the last month.
#[test]
fn c27_10_resident_claims_in_hukou_province_and_mixed_career_keeps_row_scheme() {
    let dir = scratch("c27_10");
    let sc = "id,scheme,region,hukou,category,birth,as_of,paid_years,avg_index,resident_years,tier\n\
              qd_henan,resident,shandong/qingdao,henan,,1968-05,2026-01,,,14,500\n\
              qd,resident,shandong/qingdao,,,1968-05,2026-01,,,14,500\n\
              mixed,employee,shandong/weifang,,male,1968-01,2026-01,15,1,,\n";
    let seg = format!("{SEG_HEADER}mixed,employee,,2026-01,2026-12,1.0,\nmixed,flexible,,2027-01,2028-10,1.0,\n");
    let (out, rows) = run_seg(&dir, sc, &seg, &["--account-rate", "0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let h = by_id(&rows, "qd_henan");
    assert_eq!(cols(h, &["status", "claim_region", "resident_basic", "balance"]), ["ok", "henan", "169.59", "1120.00"]);
    assert!(h["message"].contains("resident pension claimed in the hukou province henan (C27.10)"), "{}", h["message"]);
    assert_eq!(cols(by_id(&rows, "qd"), &["claim_region", "resident_basic"]), ["shandong/qingdao", "289.23"]);
    let m = by_id(&rows, "mixed");
    assert_eq!(cols(m, &["status", "scheme", "retire"]), ["ok", "employee", "2028-11"]);
}

/// C27.11 and defect 2. A man born 1966-01 (statutory 2026-05) with 15 paid years at index
/// 0.8, `balance` and `contribution_index` empty. The balance is taken as 0 and the message
/// says so; the 4 future months use the default index 1.0, which is said too because the
/// row gives avg_index 0.8. Base 7774 (W 2026), credit 621.92 × 4 = 2487.68, interest
/// 621.92 × (4 + 3 + 2 + 1) / 12 × 3% = 15.548 → 15.55: balance 2503.23; years 15.33;
/// index (0.8 × 180 + 4) / 184 = 0.80435 → 0.8043. With both given, no such notes.
#[test]
fn c27_11_empty_balance_and_default_index_are_said_in_message() {
    let dir = scratch("c27_11");
    let csv = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,contribution_index\n\
               a,employee,male,1966-01,2026-01,15,0.8,,\n\
               b,employee,male,1966-01,2026-01,15,0.8,0,1.0\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = by_id(&rows, "a");
    assert_eq!(cols(a, &["status", "balance", "years", "avg_index"]), ["ok", "2503.23", "15.33", "0.8043"]);
    assert!(
        a["message"].contains(
            "balance is empty while paid_years is 15: the employee account is taken as 0 at as_of 2026-01 (C27.11)"
        ),
        "{}",
        a["message"]
    );
    assert!(
        a["message"].contains(
            "contribution_index is empty: future months use the default 1.0 while the known record's avg_index is 0.8"
        ),
        "{}",
        a["message"]
    );
    let b = by_id(&rows, "b");
    assert_eq!(cols(b, &["balance", "avg_index", "message"]), ["2503.23", "0.8043", ""]);
}

/// Defect 3: the resident basic pension is projected to the claim year. A farmer born
/// 1972-05 (pension 2032-05), 9 years, 5600 yuan, the 500 tier 2026–2031, `indexation` 0.03.
/// Weifang's basic pension is dated to 2026 (230 = national 163 + province 65 + Weifang 2);
/// each January 2027…2032 raises it by 3%, rounded to the fen: 236.90, 244.01 (244.007),
/// 251.33 (251.3303), 258.87 (258.8699), 266.64 (266.6361), 274.64 (274.6392). Account
/// 10309.01 / 139 = 74.17 (3% a year: 6328.00, 7077.84, 7850.18, 8645.69, 9465.06,
/// 10309.01); total 274.64 + 74.17 = 348.81. The lifetime metrics take this amount from the
/// model and raise it the same way: the --paths pension of 2033 is round(274.64 × 1.03) =
/// 282.88 (282.8792) plus 74.17 = 357.05. A man born 1966-05 claims in 2026-05, within the
/// dated steps: 230.00, not projected.
#[test]
fn defect_3_resident_basic_projected_to_the_claim_year_by_indexation() {
    let dir = scratch("defect_3");
    let csv = "id,scheme,birth,tier,resident_years,resident_balance,indexation\n\
               farmer,resident,1972-05,500,9,5600,0.03\n\
               now,resident,1966-05,500,15,5600,0.03\n";
    let (out, rows) = run_csv(&dir, csv, &["--paths", dir.join("paths.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let f = by_id(&rows, "farmer");
    assert_eq!(
        cols(f, &["status", "retire", "balance", "resident_basic", "account", "total"]),
        ["ok", "2032-05", "10309.01", "274.64", "74.17", "348.81"]
    );
    let paths = read_rows(&dir.join("paths.csv"));
    let pension = |year: &str| {
        paths.iter().find(|r| r["id"] == "farmer" && r["year"] == year).unwrap()["monthly_pension"].clone()
    };
    assert_eq!([pension("2032"), pension("2033")], ["348.81", "357.05"]);
    assert_eq!(cols(by_id(&rows, "now"), &["retire", "resident_basic"]), ["2026-05", "230.00"]);
}

/// Defect 3 (real terms) and defect 4 (scope). The three columns follow `tier`. The farmer
/// above: 76 months from `as_of` 2026-01 to 2032-05, wage growth 4%: deflator
/// 1.04^(76/12) = 1.28196…; total_real = 348.81 / 1.28196 = 272.0891 → 272.09;
/// pension_wealth_real = pension_wealth / the same deflator (to the fen). With
/// `wage_growth` 0 the real amounts equal the nominal ones. `metrics_scope` is
/// `from_as_of` on every computed row (ok and ineligible) and empty on an error row.
#[test]
fn defect_3_real_terms_columns_and_metrics_scope() {
    let dir = scratch("defect_3_real");
    let csv = "id,scheme,birth,tier,resident_years,resident_balance,indexation,wage_growth\n\
               farmer,resident,1972-05,500,9,5600,0.03,\n\
               flat,resident,1972-05,500,9,5600,0.03,0\n\
               short,resident,1972-05,500,1,0,,\n\
               bad,resident,1972-05,750,9,5600,,\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let header = std::fs::read_to_string(dir.join("out.csv")).unwrap().lines().next().unwrap().to_string();
    assert!(
        header.ends_with(
            ",message,replacement_rate,replacement_rate_avg,breakeven_age,irr,pension_wealth,money_worth,provenance,contribution_index,tier,total_real,pension_wealth_real,metrics_scope"
        ),
        "{header}"
    );
    let f = by_id(&rows, "farmer");
    assert_eq!(cols(f, &["total", "total_real", "metrics_scope"]), ["348.81", "272.09", "from_as_of"]);
    let wealth: f64 = f["pension_wealth"].parse().unwrap();
    let real: f64 = f["pension_wealth_real"].parse().unwrap();
    assert!((real - wealth / 1.04f64.powf(76.0 / 12.0)).abs() <= 0.01, "{wealth} {real}");
    let flat = by_id(&rows, "flat");
    assert_eq!(flat["total_real"], flat["total"]);
    assert_eq!(flat["pension_wealth_real"], flat["pension_wealth"]);
    let short = by_id(&rows, "short");
    assert_eq!(cols(short, &["status", "total_real", "metrics_scope"]), ["ineligible", "0.00", "from_as_of"]);
    let bad = by_id(&rows, "bad");
    assert_eq!(cols(bad, &["status", "total_real", "pension_wealth_real", "metrics_scope"]), ["error", "", "", ""]);
}
