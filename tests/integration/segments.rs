//! Careers across schemes and provinces: bridging (C24) and transfers (C25) by hand,
//! the boundary of the bridging direction, conservation over random careers, bad segments.

use crate::common::*;
use proptest::prelude::*;
use std::path::Path;
use yanglao::io::scenario::{parse_scenario, parse_segment, Header, Row};
use yanglao::model::{project, Context};
use yanglao::params::{Assumptions, Params};

fn run_with_segments(
    dir: &Path,
    scenarios: &str,
    segments: &str,
) -> (std::process::Output, Vec<std::collections::HashMap<String, String>>) {
    let seg = dir.join("seg.csv");
    std::fs::write(&seg, segments).unwrap();
    run_csv(dir, scenarios, &["--segments", seg.to_str().unwrap(), "--account-rate", "0"])
}

const SEG_HEADER: &str = "id,scheme,region,start,end,contribution_index,tier\n";

/// Resident → employee (C24) with account_rate 0 so every yuan can be followed:
/// employee 10000 + 6 × 621.92 = 53731.52 (W(2026) = 7774, 8% = 621.92);
/// resident 3000 + 560 (2026) + 560 (2027) = 4120, 2026 overlaps 6 employee months:
/// refund round(500 × 6 / 12) = 250; merged 53731.52 + 4120 − 250 = 57601.52;
/// N = 15.50, C(2029) = 9161.16 → basic 1419.98; divisor 60y11m = 132.6 → account 434.40.
#[test]
fn hand_computed_bridging_resident_to_employee() {
    let dir = scratch("bridge_r2e");
    let sc = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,resident_balance,tier\n\
              b1,resident,male,1968-06,2026-01,15,1,50000,5,3000,500\n";
    let seg = format!("{SEG_HEADER}b1,employee,,2026-01,2026-06,1.0,\nb1,resident,,2026-01,2027-12,,500\n");
    let (out, rows) = run_with_segments(&dir, sc, &seg);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "b1");
    let got: Vec<&str> =
        ["status", "scheme", "retire", "years", "balance", "basic", "account", "total", "own_paid", "gov_paid"]
            .iter()
            .map(|c| r[*c].as_str())
            .collect();
    assert_eq!(
        got,
        ["ok", "employee", "2029-05", "15.50", "57601.52", "1419.98", "434.40", "1854.38", "4731.52", "120.00"]
    );
    assert!(
        r["message"].contains("refund of resident payments for months also paid as employee: 250.00 yuan"),
        "{}",
        r["message"]
    );
}

/// Employee → resident (C24): 4.00 employee years < 15; employee account
/// 10000 + 12 × 621.92 = 17463.04 joins; resident 2000 + 560 = 2560 with a full overlap year
/// (counts 0, refund 500); years 12 + 0 + 4 = 16 (one year beyond 15); born 1967-01, so 60 in 2027-01
/// and the statutory month 2027-08 (delay 7): pension at max(60, R) = 2027-08, and 2026 is
/// before the year of 60, so its resident contribution is made (C27.1);
/// account round((2560 − 500 + 17463.04) / 139) = 140.45; basic 228 + Weifang's 2 = 230
/// (2026) × 1.02 = 234.60 in the claim year 2027 (defect 3); bonus by Weifang's rule,
/// round(234.60 × 1% × 1, 2) = 2.35; total 234.60 + 2.35 + 140.45 = 377.40.
#[test]
fn hand_computed_bridging_employee_to_resident() {
    let dir = scratch("bridge_e2r");
    let sc = "id,scheme,category,birth,as_of,paid_years,avg_index,balance,resident_years,resident_balance,tier\n\
              b2,resident,male,1967-01,2026-01,3,1,10000,12,2000,500\n";
    let seg = format!("{SEG_HEADER}b2,employee,,2026-01,2026-12,1.0,\nb2,resident,,2026-01,2026-12,,500\n");
    let (out, rows) = run_with_segments(&dir, sc, &seg);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = by_id(&rows, "b2");
    let got: Vec<&str> = [
        "status",
        "scheme",
        "retire",
        "divisor",
        "years",
        "min_years",
        "balance",
        "resident_basic",
        "bonus",
        "account",
        "total",
        "own_paid",
        "gov_paid",
    ]
    .iter()
    .map(|c| r[*c].as_str())
    .collect();
    assert_eq!(
        got,
        [
            "ok", "resident", "2027-08", "139.0", "16.00", "15.0", "19523.04", "234.60", "2.35", "140.45", "377.40",
            "7963.04", "60.00"
        ]
    );
    assert!(r["message"].contains("500.00 yuan"), "{}", r["message"]);
}

/// The direction is decided at the employee statutory age: exactly 20 years → employee;
/// one month short → resident.
#[test]
fn bridging_direction_at_the_minimum_years_boundary() {
    let dir = scratch("bridge_boundary");
    let sc = "id,scheme,category,birth,resident_years,resident_balance,tier\n\
              met,resident,male,1985-06,6,4000,500\n\
              short,resident,male,1985-06,6,4000,500\n";
    let seg = format!("{SEG_HEADER}met,employee,,2026-01,2045-12,1.0,\nshort,employee,,2026-02,2045-12,1.0,\n");
    let (_, rows) = run_with_segments(&dir, sc, &seg);
    let met = by_id(&rows, "met");
    assert_eq!(
        (met["scheme"].as_str(), met["years"].as_str(), met["min_years"].as_str()),
        ("employee", "20.00", "20.0")
    );
    let short = by_id(&rows, "short");
    assert_eq!(short["scheme"], "resident", "{}", short["message"]);
    assert_eq!(short["min_years"], "15.0");
    assert!(short["message"].contains("employee years 19.92 are short"), "{}", short["message"]);
}

/// Claim province (C25) in each of its branches, and a temporary account.
#[test]
fn claim_province_rules() {
    let dir = scratch("claim");
    let sc = "id,scheme,region,hukou,category,birth,paid_years,avg_index,balance\n\
              hukou-relation,flexible,jiangsu,shandong,male,1985-01,5,1,20000\n\
              current-10y,flexible,jiangsu,henan,male,1985-01,5,1,20000\n\
              earlier-10y,flexible,jiangsu,henan,male,1985-01,12,1,40000\n\
              none-10y,flexible,jiangsu,henan,male,1985-01,3,1,10000\n\
              temporary,flexible,jiangsu,henan,male,1975-01,3,1,10000\n";
    let seg = format!(
        "{SEG_HEADER}\
         hukou-relation,flexible,jiangsu,2026-01,2030-12,1.0,\n\
         hukou-relation,flexible,shandong/weifang,2031-01,2047-12,1.0,\n\
         current-10y,flexible,jiangsu,2026-01,2027-12,1.0,\n\
         current-10y,flexible,shandong/weifang,2028-01,2047-12,1.0,\n\
         earlier-10y,flexible,shandong/weifang,2040-01,2047-12,1.0,\n\
         none-10y,flexible,guangdong,2026-01,2034-12,1.0,\n\
         none-10y,flexible,shandong/qingdao,2035-01,2043-12,1.0,\n\
         none-10y,flexible,zhejiang,2044-01,2047-12,1.0,\n\
         temporary,flexible,shandong/jinan,2026-01,2037-07,1.0,\n"
    );
    let (out, rows) = run_with_segments(&dir, sc, &seg);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let claim = |id: &str| by_id(&rows, id)["claim_region"].clone();
    assert_eq!(claim("hukou-relation"), "shandong/weifang");
    assert_eq!(claim("current-10y"), "shandong/weifang");
    assert_eq!(claim("earlier-10y"), "jiangsu");
    assert_eq!(claim("none-10y"), "henan");
    assert_eq!(claim("temporary"), "henan");
    assert!(by_id(&rows, "temporary")["message"].contains("temporary account in shandong"));
    // Years and accounts of all provinces are summed.
    assert_eq!(by_id(&rows, "none-10y")["years"], "25.00");
}

#[test]
fn bad_segments_give_precise_errors_and_other_rows_compute() {
    let dir = scratch("bad_segments");
    let sc = "id,scheme,category,birth,paid_years,avg_index,balance\n\
              good,flexible,male,1985-01,5,1,20000\n\
              overlap,flexible,male,1985-01,5,1,20000\n\
              backwards,flexible,male,1985-01,5,1,20000\n\
              nowhere,flexible,male,1985-01,5,1,20000\n\
              good2,flexible,male,1985-01,5,1,20000\n";
    let seg = format!(
        "{SEG_HEADER}\
         good,flexible,,2026-01,2047-12,1.0,\n\
         overlap,flexible,,2026-01,2035-12,1.0,\n\
         overlap,employee,,2035-06,2047-12,1.0,\n\
         backwards,flexible,,2030-01,2029-12,1.0,\n\
         nowhere,flexible,mars,2026-01,2047-12,1.0,\n\
         ghost,flexible,,2026-01,2047-12,1.0,\n"
    );
    let (out, rows) = run_with_segments(&dir, sc, &seg);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(rows.len(), 5);
    assert_eq!(by_id(&rows, "good")["status"], "ok");
    assert_eq!(by_id(&rows, "good2")["status"], "ok");
    let m = |id: &str| by_id(&rows, id)["message"].clone();
    assert!(m("overlap").starts_with("line 3, column segments, value '2035-06..2047-12': segment on line 4 overlaps the flexible segment on line 3"), "{}", m("overlap"));
    assert!(
        m("backwards").contains("column segments:end, value '2029-12': segments file line 5: before start 2030-01"),
        "{}",
        m("backwards")
    );
    assert!(
        m("nowhere").contains(
            "column segments:region, value 'mars': segments file line 6: unknown region; allowed anhui, anhui/anqing"
        ),
        "{}",
        m("nowhere")
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 7, column id, value 'ghost': no scenario has this id"), "{err}");
}

#[test]
fn ungrouped_segments_file_is_refused() {
    let dir = scratch("ungrouped");
    let sc = "id,scheme,category,birth\na,flexible,male,1985-01\nb,flexible,male,1985-01\n";
    let seg = format!("{SEG_HEADER}a,flexible,,2026-01,2030-12,1.0,\nb,flexible,,2026-01,2030-12,1.0,\na,flexible,,2031-01,2035-12,1.0,\n");
    let (out, _) = run_with_segments(&dir, sc, &seg);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 4: id 'a' appears again after other ids"));
    assert!(!dir.join("out.csv").exists());
}

fn context_zero_rate() -> &'static Context {
    static CTX: std::sync::OnceLock<Context> = std::sync::OnceLock::new();
    CTX.get_or_init(|| {
        let mut a = Assumptions::builtin();
        a.account_rate = rust_decimal::Decimal::ZERO;
        Context::new(Params::builtin().unwrap(), a)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Nothing is lost (C24, C25): with no interest, the final account plus refunds equals the
    /// starting balances plus every credit (employee 8% = own payment; resident own + subsidy),
    /// across random careers that bridge either way and move between provinces.
    #[test]
    fn accounts_are_conserved_across_bridging_and_transfers(
        by in 1968i32..1990, bm in 1u32..13, paid in 0u32..20, bal in 0u32..80000,
        ryears in 0u32..15, rbal in 0u32..20000, tier_i in 0usize..7,
        spells in proptest::collection::vec((0u8..3, 0i32..240, 1i32..120, 0usize..4), 1..5),
    ) {
        let ctx = context_zero_rate();
        let tiers = ["350", "500", "1000", "2000", "3000", "5000", "8000"];
        let regions = ["shandong/weifang", "jiangsu", "zhejiang", "shandong/qingdao"];
        let cols = ["id", "scheme", "category", "birth", "paid_years", "avg_index", "balance", "resident_years", "resident_balance", "tier", "hukou"];
        let vals = ["c".to_string(), "resident".into(), "male".into(), format!("{by}-{bm:02}"), paid.to_string(), "1".into(),
                    bal.to_string(), ryears.to_string(), rbal.to_string(), tiers[tier_i].to_string(), "shandong".into()];
        let header = Header::new(cols).unwrap();
        let rec = csv::ByteRecord::from(vals.iter().map(String::as_str).collect::<Vec<_>>());
        let mut s = parse_scenario(&Row::new(&header, &rec), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
        // Non-overlapping spells per scheme: employee spells and resident spells laid end to end.
        let (mut next_emp, mut next_res) = (0i32, 0i32);
        for (i, (kind, gap, len, reg)) in spells.iter().enumerate() {
            let (scheme, cursor) = if *kind == 0 { ("resident", &mut next_res) } else { ("employee", &mut next_emp) };
            let start = *cursor + gap;
            let end = start + len - 1;
            *cursor = end + 1;
            let m = |k: i32| { let t = 2026 * 12 + k; format!("{}-{:02}", t / 12, t % 12 + 1) };
            let (sm, em) = (m(start), m(end));
            let f = [Some("c"), Some(scheme), Some(regions[*reg]), Some(sm.as_str()), Some(em.as_str()), Some("1.0"), None];
            s.segments.push(parse_segment(&f, i as u64 + 2, &ctx.params, &s).unwrap());
        }
        let o = match project(&s, ctx) {
            Ok(o) => o,
            Err(e) => { prop_assume!(false, "{:?}", e); unreachable!() }
        };
        let start = s.balance + s.resident_balance;
        prop_assert_eq!(o.balance + o.refunds, start + o.own_paid + o.gov_paid, "{:?}", o.notes);
    }
}
