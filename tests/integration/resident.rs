//! Resident scheme (C19–C23) by hand, tiers, and bridging at the boundary.

use crate::common::*;

/// C19–C23 by hand (Weifang, the default region). Born 1968-05 → pension 2028-05;
/// contributions 2026 and 2027 at the 1000 tier (Weifang's 2019 subsidy rule: 80), interest 3%:
/// 2026: 5000 + 150.00 + 1080 = 6230.00; 2027: 6230 + 186.90 + 1080 = 7496.90.
/// Years 14 + 2 = 16; basic 163 (national 2026) + 65 (Shandong 228 − 163) + 2 (Weifang) = 230
/// in 2026, the last dated step, raised by the 2% indexation each January to the claim year
/// (defect 3): 2027 234.60, 2028 239.292 → 239.29; bonus by Weifang's rule, 1% of the basic
/// pension a year beyond 15: round(239.29 × 0.01 × 1, 2) = 2.39; account
/// round(7496.90 / 139) = 53.93; total 239.29 + 2.39 + 53.93 = 295.61.
#[test]
fn hand_computed_resident_pension() {
    let dir = scratch("hand_resident");
    let csv = "id,scheme,birth,tier,resident_years,resident_balance\nr1,resident,1968-05,1000,14,5000\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "r1");
    let got: Vec<&str> = [
        "status",
        "scheme",
        "retire",
        "retire_age",
        "divisor",
        "years",
        "min_years",
        "avg_index",
        "base",
        "balance",
        "resident_basic",
        "bonus",
        "account",
        "basic",
        "transitional",
        "allowance",
        "total",
        "own_paid",
        "gov_paid",
        "provenance",
    ]
    .iter()
    .map(|c| r[*c].as_str())
    .collect();
    assert_eq!(
        got,
        [
            "ok", "resident", "2028-05", "60y0m", "139.0", "16.00", "15.0", "", "", "7496.90", "239.29", "2.39",
            "53.93", "0.00", "0.00", "0.00", "295.61", "2000.00", "160.00", "assumed"
        ]
    );
}

/// Hardship 代缴 (C19): own payment 0; Weifang pays 350 in place of the tier, the lowest
/// tier's subsidy (30) still credited.
#[test]
fn hardship_rows_pay_nothing_and_get_the_daijiao() {
    let dir = scratch("hardship");
    let csv = "id,scheme,birth,hardship,resident_years\nh1,resident,1968-05,true,13\n";
    let (_, rows) = run_csv(&dir, csv, &[]);
    let r = by_id(&rows, "h1");
    assert_eq!(r["status"], "ok", "{}", r["message"]);
    assert_eq!(r["own_paid"], "0.00");
    assert_eq!(r["gov_paid"], "760.00");
    // 2026: 380; 2027: 380 + 11.40 + 380 = 771.40
    assert_eq!(r["balance"], "771.40");
}

/// 多缴多得 across tiers: a higher tier never pays less.
#[test]
fn higher_tier_never_pays_less() {
    let dir = scratch("tiers");
    let tiers = ["350", "500", "1000", "2000", "3000", "5000", "8000"];
    let mut csv = String::from("id,scheme,birth,tier,resident_years\n");
    for t in tiers {
        csv.push_str(&format!("t{t},resident,1972-05,{t},9\n"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success());
    let totals: Vec<f64> = rows.iter().map(|r| r["total"].parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[1] >= w[0]), "{totals:?}");
}

/// 长缴多得 across years: more resident years never pay less.
#[test]
fn more_resident_years_never_pay_less() {
    let dir = scratch("res_years");
    let mut csv = String::from("id,scheme,birth,tier,resident_years,resident_balance\n");
    for y in 9..=40 {
        csv.push_str(&format!("y{y},resident,1972-05,500,{y},{}\n", y * 700));
    }
    let (_, rows) = run_csv(&dir, &csv, &[]);
    let totals: Vec<f64> = rows.iter().map(|r| r["total"].parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[1] >= w[0]), "{totals:?}");
}
