//! Every province computes an employee pension by its own published formula (issue 14):
//! one worked case per province, computed by hand from the formula in the province's
//! parameter file, and the rule kinds that change the arithmetic (years steps, index
//! floors, city forms, local components, rounding of the total).
//!
//! The common case: a man born 1964-06 retiring at 60 in 2024-06 (divisor 139, before the
//! 2025 interpolation), known record 25 paid + 10 deemed years (N = 35), Ī = 1.2, 12
//! pre-account years at Ī_t = 1.1, account 120000; C is the region's 2024 pension base.

use crate::common::*;

/// (region, basic, account, transitional, allowance, total).
const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    // anhui: C(2024) 7842, rate 0.013
    // basic = (7842 + 7842×1.2=9410.40)/2 × 35 × 1% = 3019.17
    // transitional = 7842 × 1.1 = 8626.20 × 12 × 0.013 = 1345.69
    // account = 120000 / 139 = 863.31
    // total = 5228.17
    ("anhui", "3019.17", "863.31", "1345.69", "0.00", "5228.17"),
    // beijing: C(2024) 11883, rate 0.01
    // basic = (11883 + 11883×1.2=14259.60)/2 × 35 × 1% = 4574.96
    // G同 = 11883 × 10 × 0.01 = 1188.30; G实 = 13071.30 × 2 × 0.01 = 261.43; transitional 1449.73
    // account = 120000 / 139 = 863.31
    // total = 6888.00
    ("beijing", "4574.96", "863.31", "1449.73", "0.00", "6888.00"),
    // chongqing: C(2024) 8160, rate 0.014
    // basic = (8160 + 8160×1.2=9792.00)/2 × 35 × 1% = 3141.60
    // transitional = 8160 × 1.1 = 8976.00 × 12 × 0.014 = 1507.97
    // account = 120000 / 139 = 863.31
    // total = 5512.88
    ("chongqing", "3141.60", "863.31", "1507.97", "0.00", "5512.88"),
    // fujian: C(2024) 7776, rate 0.013
    // basic = (7776 + 7776×1.2=9331.20)/2 × 35 × 1% = 2993.76
    // transitional = 7776 × 1.1 = 8553.60 × 12 × 0.013 = 1334.36
    // account = 120000 / 139 = 863.31
    // total = 5191.43
    ("fujian", "2993.76", "863.31", "1334.36", "0.00", "5191.43"),
    // gansu: C(2024) 7594, rate 0.012
    // basic = (7594 + 7594×1.2=9112.80)/2 × 35 × 1% = 2923.69
    // transitional = 7594 × 1.1 = 8353.40 × 12 × 0.012 = 1202.89
    // account = 120000 / 139 = 863.31
    // total = 4989.89
    ("gansu", "2923.69", "863.31", "1202.89", "0.00", "4989.89"),
    // guangdong: C(2024) 9307, rate 0.012
    // basic = (9307 + 9307×1.2=11168.40)/2 × 35 × 1% = 3583.20
    // transitional = 9307 × 1.1 = 10237.70 × 12 × 0.012 = 1474.23
    // account = 120000 / 139 = 863.31
    // allowance = 100 + 4 × floor(35) = 240
    // total = 6160.74
    ("guangdong", "3583.20", "863.31", "1474.23", "240.00", "6160.74"),
    // guangxi: C(2024) 6847, rate 0.014
    // basic = (6847 + 6847×1.2=8216.40)/2 × 35 × 1% = 2636.10
    // transitional = 6847 × 1.1 = 7531.70 × 12 × 0.014 = 1265.33
    // account = 120000 / 139 = 863.31
    // total 4764.74 up to the jiao = 4764.8
    ("guangxi", "2636.10", "863.31", "1265.33", "0.00", "4764.80"),
    // guizhou: C(2024) 7272.25 (87267 / 12), rate 0.014
    // basic = (7272.25 + 7272.25×1.2=8726.70)/2 × 35 × 1% = 2799.81625 → 2799.82
    // transitional = 7272.25 × 1.1 = 7999.475 → 7999.48 × 12 × 0.014 = 1343.91264 → 1343.91
    // account = 120000 / 139 = 863.31
    // total = 5007.04
    ("guizhou", "2799.82", "863.31", "1343.91", "0.00", "5007.04"),
    // hainan: C(2024) 8131, rate 0.014
    // basic = (8131 + 8131×1.2=9757.20)/2 × 35 × 1% = 3130.44
    // transitional = 8131 × 1.1 = 8944.10 × 12 × 0.014 = 1502.61
    // account = 120000 / 139 = 863.31
    // total = 5496.36
    ("hainan", "3130.44", "863.31", "1502.61", "0.00", "5496.36"),
    // hebei: C(2024) 7265, rate 0.013
    // basic = (7265 + 7265×1.2=8718.00)/2 × 35 × 1% = 2797.03
    // transitional = 7265 × 1.1 = 7991.50 × 12 × 0.013 = 1246.67
    // account = 120000 / 139 = 863.31
    // total = 4907.01
    ("hebei", "2797.03", "863.31", "1246.67", "0.00", "4907.01"),
    // heilongjiang: C(2024) 7010, rate 0.012
    // basic = (7010 + 7010×1.2=8412.00)/2 × 35 × 1% = 2698.85
    // transitional = 7010 × 1.1 = 7711.00 × 12 × 0.012 = 1110.38
    // account = 120000 / 139 = 863.31
    // total = 4672.54
    ("heilongjiang", "2698.85", "863.31", "1110.38", "0.00", "4672.54"),
    // henan: C(2024) 6606, rate 0.013
    // basic = (6606 + 6606×1.2=7927.20)/2 × 35 × 1% = 2543.31
    // transitional = 6606 × 1.1 = 7266.60 × 12 × 0.013 = 1133.59
    // account = 120000 / 139 = 863.31
    // total = 4540.21
    ("henan", "2543.31", "863.31", "1133.59", "0.00", "4540.21"),
    // hubei: C(2024) 9022, rate 0.012
    // basic = (9022 + 9022×1.2=10826.40)/2 × 35 × 1% = 3473.47
    // transitional = 9022 × 1.1 = 9924.20 × 12 × 0.012 = 1429.08
    // account = 120000 / 139 = 863.31
    // total = 5765.86
    ("hubei", "3473.47", "863.31", "1429.08", "0.00", "5765.86"),
    // hunan: C(2024) 7618, rate 0.013
    // basic = (7618 + 7618×1.2=9141.60)/2 × 35 × 1% = 2932.93
    // transitional = 7618 × 1.1 = 8379.80 × 12 × 0.013 = 1307.25
    // account = 120000 / 139 = 863.31
    // total = 5103.49
    ("hunan", "2932.93", "863.31", "1307.25", "0.00", "5103.49"),
    // jiangsu: C(2024) 8785, rate 0.012, 2024 phase-in share 0.4
    // basic = (8785 + 8785×1.2=10542.00)/2 × 35 × 1% = 3382.23
    // old = 8785 × 1.2 = 10542.00 × 12 × 0.012 = 1518.05; new = 8785 × 1.1 = 9663.50 × 12
    // × 0.012 = 1391.54 ≤ old → transitional = old 1518.05
    // account = 120000 / 139 = 863.31
    // total = 5763.59
    ("jiangsu", "3382.23", "863.31", "1518.05", "0.00", "5763.59"),
    // jiangxi: C(2024) 6916, rate 0.013
    // basic = (6916 + 6916×1.2=8299.20)/2 × 35 × 1% = 2662.66
    // transitional = 6916 × 1.1 = 7607.60 × 12 × 0.013 = 1186.79
    // account = 120000 / 139 = 863.31
    // total = 4712.76
    ("jiangxi", "2662.66", "863.31", "1186.79", "0.00", "4712.76"),
    // jilin: C(2024) 7178.5, rate 0.014
    // basic = (7178.5 + 7178.5×1.2=8614.20)/2 × 35 × 1% = 2763.72
    // actual years 25 > 20 → rate 0.014; transitional = 7896.35 × 12 × 0.014 = 1326.59
    // account = 120000 / 139 = 863.31
    // 增发 = (7178.5 + 8614.20)/2 × (5 years × 0.15%) = 59.22
    // total = 5012.84
    ("jilin", "2763.72", "863.31", "1326.59", "59.22", "5012.84"),
    // liaoning: C(2024) 7201, rate 0.014
    // basic = (7201 + 7201×1.2=8641.20)/2 × 35 × 1% = 2772.39
    // transitional weighted = (7201 + 7921.10)/2 × 12 × 0.014 = 1270.26
    // account = 120000 / 139 = 863.31
    // total = 4905.96
    ("liaoning", "2772.39", "863.31", "1270.26", "0.00", "4905.96"),
    // neimenggu: C(2024) 8105, rate 0.012
    // basic = (8105 + 8105×1.2=9726.00)/2 × 35 × 1% = 3120.43
    // transitional = 8105 × max(1.1,1) = 8915.50 × 12 × 0.012 = 1283.83
    // account = 120000 / 139 = 863.31
    // total = 5267.57
    ("neimenggu", "3120.43", "863.31", "1283.83", "0.00", "5267.57"),
    // ningxia: C(2024) 8202, rate 0.013
    // basic = (8202 + 8202×1.2=9842.40)/2 × 35 × 1% = 3157.77
    // transitional = 8202 × 1.1 = 9022.20 × 12 × 0.013 = 1407.46
    // account = 120000 / 139 = 863.31
    // total = 5428.54
    ("ningxia", "3157.77", "863.31", "1407.46", "0.00", "5428.54"),
    // qinghai: C(2024) 8878, rate 0.014
    // basic = (8878 + 8878×1.2=10653.60)/2 × 35 × 1% = 3418.03
    // transitional weighted = (8878 + 9765.80)/2 × 12 × 0.014 = 1566.08
    // account = 120000 / 139 = 863.31
    // allowance = 13 (non-Xining; 调节金 ended for 2016+ retirees)
    // total = 5860.42
    ("qinghai", "3418.03", "863.31", "1566.08", "13.00", "5860.42"),
    // shaanxi: C(2024) 7727, rate 0.014
    // basic = (7727 + 7727×1.2=9272.40)/2 × 35 × 1% = 2974.90
    // transitional = 7727 × 1.1 = 8499.70 × 12 × 0.014 = 1427.95
    // account = 120000 / 139 = 863.31
    // total = 5266.16
    ("shaanxi", "2974.90", "863.31", "1427.95", "0.00", "5266.16"),
    // shandong: C(2024) 7678, rate 0.013
    // basic = (7678 + 7678×1.2=9213.60)/2 × 35 × 1% = 2956.03
    // transitional = 7678 × 1.1 = 8445.80 × 12 × 0.013 = 1317.54
    // account = 120000 / 139 = 863.31
    // total = 5136.88
    ("shandong", "2956.03", "863.31", "1317.54", "0.00", "5136.88"),
    // shanghai: C(2024) 12307, rate 0.012
    // basic = (12307 + 12307×1.2=14768.40)/2 × 35 × 1% = 4738.20
    // transitional = 12307 × 1.0 × 12 × 0.012 = 1772.208 → 0.1: 1772.2
    // basic (0.1 rounding) = (12307 + 14768.4)/2 × (35 × 1% + 0 months) = 4738.2
    // account = 120000 / 139 → 0.1: 863.3
    // total = 7373.7
    ("shanghai", "4738.20", "863.30", "1772.20", "0.00", "7373.70"),
    // shanxi: C(2024) 7111, rate 0.013
    // basic = (7111 + 7111×1.2=8533.20)/2 × 35 × 1% = 2737.74
    // transitional = 7111 × 1.1 = 7822.10 × 12 × 0.013 = 1220.25
    // account = 120000 / 139 = 863.31
    // total = 4821.30
    ("shanxi", "2737.74", "863.31", "1220.25", "0.00", "4821.30"),
    // sichuan: C(2024) 8321, rate 0.013
    // basic = (8321 + 8321×1.2=9985.20)/2 × 35 × 1% = 3203.59
    // transitional weighted = (8321 + 9153.10)/2 × 12 × 0.013 = 1362.98
    // account = 120000 / 139 = 863.31
    // total = 5429.88
    ("sichuan", "3203.59", "863.31", "1362.98", "0.00", "5429.88"),
    // tianjin: C(2024) 9232, rate 0.01
    // basic = (9232 + 9232×1.2=11078.40)/2 × 35 × 1% = 3554.32
    // transitional = 9232 × 1.1 = 10155.20 × 12 × 0.01 = 1218.62
    // account = 120000 / 139 = 863.31
    // total = 5636.25
    ("tianjin", "3554.32", "863.31", "1218.62", "0.00", "5636.25"),
    // xinjiang: C(2024) 7750, rate 0.013
    // basic = (7750 + 7750×1.2=9300.00)/2 × 35 × 1% = 2983.75
    // transitional = 7750 × 1.1 = 8525.00 × 12 × 0.013 = 1329.90
    // account = 120000 / 139 = 863.31
    // allowance = heating 120
    // total = 5296.96
    ("xinjiang", "2983.75", "863.31", "1329.90", "120.00", "5296.96"),
    // xizang: C(2024) 11546, rate 0.014
    // basic = (11546 + 11546×1.2=13855.20)/2 × 35 × 1% = 4445.21
    // transitional = 11546 × 1.1 = 12700.60 × 12 × 0.014 = 2133.70
    // account = 120000 / 139 = 863.31
    // allowance = plateau 13855.20 × 15% = 2078.28 + 329.88 = 2408.16
    // total = 9850.38
    ("xizang", "4445.21", "863.31", "2133.70", "2408.16", "9850.38"),
    // yunnan: C(2024) 8183, rate 0.013
    // basic = (8183 + 8183×1.2=9819.60)/2 × 35 × 1% = 3150.46
    // transitional = 8183 × 1.1 = 9001.30 × 12 × 0.013 = 1404.20
    // account = 120000 / 139 = 863.31
    // total = 5417.97
    ("yunnan", "3150.46", "863.31", "1404.20", "0.00", "5417.97"),
    // zhejiang: C(2024) 8310, rate 0.014
    // basic = (8310 + 8310×1.2=9972.00)/2 × 35 × 1% = 3199.35
    // transitional = 8310 × 1.1 = 9141.00 × 12 × 0.014 = 1535.69
    // account = 120000 / 139 = 863.31
    // allowance = 150 + (480 + 1.2 × 35 × 3 = 606.00) = 756.00
    // total 6354.35 up to the jiao = 6354.4
    ("zhejiang", "3199.35", "863.31", "1535.69", "756.00", "6354.40"),
];

const HEADER: &str =
    "id,scheme,region,category,birth,as_of,paid_years,deemed_years,avg_index,pre_account_years,trans_index,balance\n";

fn row(id: &str, region: &str, paid: &str, deemed: &str, trans_index: &str) -> String {
    format!("{id},employee,{region},male,1964-06,2024-06,{paid},{deemed},1.2,12,{trans_index},120000\n")
}

#[test]
fn every_province_computes_its_worked_employee_case() {
    let dir = scratch("provinces-employee");
    let mut csv = HEADER.to_string();
    for (p, ..) in CASES {
        csv.push_str(&row(p, p, "25", "10", "1.1"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows.len(), 31);
    for ((p, basic, account, transitional, allowance, total), r) in CASES.iter().zip(&rows) {
        assert_eq!(&r["id"], p);
        assert_eq!(r["status"], "ok", "{p}: {}", r["message"]);
        let got = [&r["basic"], &r["account"], &r["transitional"], &r["allowance"], &r["total"]];
        assert_eq!(got, [basic, account, transitional, allowance, total], "{p}");
    }
}

#[test]
fn provincial_rule_kinds_change_the_arithmetic_as_published() {
    let dir = scratch("provinces-rules");
    let mut csv = HEADER.to_string();
    // Anhui: 25.33 + 10 = 35.33 years rounded UP to 0.1 → 35.4;
    // basic = (7842 + 9410.40)/2 × 35.4 × 1% = 8626.20 × 0.354 = 3053.67.
    csv.push_str(&row("anhui-ceil", "anhui", "25.33", "10", "1.1"));
    // Fujian: 25.08 + 10 = 35.08 → half-year step 35.5; basic = 8553.60 × 0.355 = 3036.53;
    // transitional index 0.6 floored at 0.75: 7776 × 0.75 = 5832.00 × 12 × 1.3% = 909.79.
    csv.push_str(&row("fujian-step", "fujian", "25.08", "10", "0.6"));
    // Zhengzhou (Henan form): basic = (province 6606 + city 7925 × 1.2 = 9510.00)/2 × 35%
    // = 2820.30; transitional on the city base 7925 × 1.1 = 8717.50 × 12 × 1.3% = 1359.93.
    csv.push_str(&row("zhengzhou", "henan/zhengzhou", "25", "10", "1.1"));
    // Changchun (Jilin form): basic = (city 7852.58 + province 7178.50 × 1.2 = 8614.20)/2 × 35%
    // = 8233.39 × 0.35 = 2881.69; transitional on the province base 7178.50 × 1.1 = 7896.35
    // × 12 × 1.4% = 1326.59 (25 actual years > 20); 增发 = 8233.39 × 5 years × 0.15% = 61.75.
    csv.push_str(&row("changchun", "jilin/changchun", "25", "10", "1.1"));
    // Changchun, 15 actual years: rate 1.2%: 7896.35 × 12 × 1.2% = 1137.07; no 增发;
    // basic = 8233.39 × 25% = 2058.35.
    csv.push_str(&row("changchun-short", "jilin/changchun", "15", "10", "1.1"));
    // Gansu: 15 deemed years → 调节金 15.
    csv.push_str(&row("gansu-15", "gansu", "20", "15", "1.1"));
    // Shenzhen 2024: 100 + 4 × 35 = 240 plus the 2024 调节金 50 = 290.
    csv.push_str(&row("shenzhen", "guangdong/shenzhen", "25", "10", "1.1"));
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let get = |id: &str, col: &str| rows.iter().find(|r| r["id"] == id).unwrap()[col].clone();
    assert_eq!(get("anhui-ceil", "years"), "35.40");
    assert_eq!(get("anhui-ceil", "basic"), "3053.67");
    assert_eq!(get("fujian-step", "years"), "35.50");
    assert_eq!(get("fujian-step", "basic"), "3036.53");
    assert_eq!(get("fujian-step", "transitional"), "909.79");
    assert_eq!(get("zhengzhou", "basic"), "2820.30");
    assert_eq!(get("zhengzhou", "transitional"), "1359.93");
    assert_eq!(get("changchun", "basic"), "2881.69");
    assert_eq!(get("changchun", "transitional"), "1326.59");
    assert_eq!(get("changchun", "allowance"), "61.75");
    assert_eq!(get("changchun-short", "transitional"), "1137.07");
    assert_eq!(get("changchun-short", "allowance"), "0.00");
    assert_eq!(get("changchun-short", "basic"), "2058.35");
    assert_eq!(get("gansu-15", "allowance"), "15.00");
    assert_eq!(get("shenzhen", "allowance"), "290.00");
    assert!(get("shenzhen", "message").contains("深圳调节金 50.00"));
}

#[test]
fn params_command_prints_values_with_provenance_and_source() {
    let out =
        bin().args(["params", "--region", "henan/zhengzhou", "--year", "2024", "--format", "csv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("group,parameter,value,from,provenance,source\n"), "{text}");
    // Zhengzhou's own 2024 base, official, with its source; the Henan formulas.
    let base = text.lines().find(|l| l.starts_with("employee,pension_base C,")).unwrap();
    assert!(base.starts_with("employee,pension_base C,7925,2024,official,"), "{base}");
    assert!(text.contains("(C_province + C_city × Ī) / 2"), "{text}");
    // A city without parameters: the province, said so (C27.8); an unknown province: exit 2.
    let out = bin().args(["params", "--region", "henan/luohe"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("note: henan/luohe has no city parameters: the province henan is used (C27.8)"), "{text}");
    // The spellings `run` reads: Chinese names and a city alone name the same region.
    for spelling in ["河南/郑州", "河南省郑州市", "郑州", "Henan/Zhengzhou"] {
        let out = bin().args(["params", "--region", spelling, "--year", "2024"]).output().unwrap();
        assert!(out.status.success(), "{spelling}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(&format!("{spelling} = henan/zhengzhou (")), "{spelling}: {text}");
        assert!(text.contains("7925"), "{spelling}: {text}");
    }
    let out = bin().args(["params", "--region", "mars"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown region 'mars'; allowed anhui, beijing"));
}

/// (region, resident_basic, bonus, total) for a resident aged 60 in 2026-03 with 20 resident
/// years and 10000 in the account (account pension 10000 / 139 = 71.94, C23). The basic
/// pension is the national minimum 163 (2026-01) plus the province part (its own total
/// minus the national minimum, never below 0, C22); 长缴多得 by the province's rule kind.
const RESIDENT: &[(&str, &str, &str, &str)] = &[
    // Beijing: provincial total 887 (2022) > 163 → 887; no bonus rule: 0.
    ("beijing", "887.00", "0.00", "958.94"),
    // Shanghai: 1300 (2022); 1300 + 71.94.
    ("shanghai", "1300.00", "0.00", "1371.94"),
    // Jiangsu: 228 (2024-01) → 228 + 71.94 = 299.94.
    ("jiangsu", "228.00", "0.00", "299.94"),
    // Guangdong: 220 (2024, assumed) ; 3 a year beyond 15: 3 × 5 = 15 → 220 + 15 + 71.94.
    ("guangdong", "220.00", "15.00", "306.94"),
    // Hubei: provincial 70 (2014) < 163 → 163; graduated 15 × 1 + 5 × 2 = 25.
    ("hubei", "163.00", "25.00", "259.94"),
    // Jiangxi: 123 (2022) < 163 → 163; 2% of 163 per extra year: 163 × 0.02 × 5 = 16.30.
    ("jiangxi", "163.00", "16.30", "251.24"),
    // Qinghai: 10 a year beyond 15 → 50.
    ("qinghai", "163.00", "50.00", "284.94"),
    // Shanxi: 1 a year beyond 15 → 5.
    ("shanxi", "163.00", "5.00", "239.94"),
    // Shandong (hand-kept): floor 228 (2026, assumed) ; 2 a year → 10.
    ("shandong", "228.00", "10.00", "309.94"),
];

#[test]
fn every_province_computes_a_resident_row() {
    let dir = scratch("provinces-resident");
    let provinces = [
        "anhui",
        "beijing",
        "chongqing",
        "fujian",
        "gansu",
        "guangdong",
        "guangxi",
        "guizhou",
        "hainan",
        "hebei",
        "heilongjiang",
        "henan",
        "hubei",
        "hunan",
        "jiangsu",
        "jiangxi",
        "jilin",
        "liaoning",
        "neimenggu",
        "ningxia",
        "qinghai",
        "shaanxi",
        "shandong",
        "shanghai",
        "shanxi",
        "sichuan",
        "tianjin",
        "xinjiang",
        "xizang",
        "yunnan",
        "zhejiang",
    ];
    let mut csv = "id,scheme,region,birth,as_of,resident_years,resident_balance\n".to_string();
    for p in provinces {
        csv.push_str(&format!("{p},resident,{p},1966-03,2026-01,20,10000\n"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for r in &rows {
        assert_eq!(r["status"], "ok", "{}: {}", r["id"], r["message"]);
        assert_eq!(r["account"], "71.94", "{}", r["id"]);
        let want = RESIDENT.iter().find(|w| w.0 == r["id"]).copied();
        // Provinces without their own amounts: the national 163, no bonus.
        let (basic, bonus, total) = want.map_or(("163.00", "0.00", "234.94"), |w| (w.1, w.2, w.3));
        assert_eq!([&r["resident_basic"], &r["bonus"], &r["total"]], [basic, bonus, total], "{}", r["id"]);
    }
}

#[test]
fn resident_age_top_ups_enter_the_yearly_path() {
    // Shandong +5 from the January after turning 65, +10 after 75. Born 1966-03, pension
    // 2026-03 at 309.94; with indexation 0 the basic pension stays at the last dated step
    // (228 + 10 bonus + 71.94 account = 309.94), so the path is 309.94 to 2031, 314.94 from
    // 2032 (Jan 2032: age 65) and 319.94 from 2042 (Jan 2042: age 75).
    let dir = scratch("provinces-age-topup");
    let paths = dir.join("paths.csv");
    let csv = "id,scheme,region,birth,as_of,resident_years,resident_balance,indexation,death_age\n\
               sd,resident,shandong,1966-03,2026-01,20,10000,0,80\n";
    let (out, _) = run_csv(&dir, csv, &["--paths", paths.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = read_rows(&paths);
    let at = |y: &str| rows.iter().find(|r| r["year"] == y).unwrap()["monthly_pension"].clone();
    assert_eq!(at("2031"), "309.94");
    assert_eq!(at("2032"), "314.94");
    assert_eq!(at("2041"), "314.94");
    assert_eq!(at("2042"), "319.94");
}

/// Every province and city key with a parameter file.
pub(crate) fn all_regions() -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for e in std::fs::read_dir(repo("data/params")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            for c in std::fs::read_dir(&p).unwrap() {
                let c = c.unwrap().path();
                v.push(format!("{name}/{}", c.file_stem().unwrap().to_string_lossy()));
            }
        } else if name != "national" {
            v.push(name);
        }
    }
    v.sort();
    v
}

#[test]
fn across_all_regions_more_years_or_a_higher_index_never_pay_less() {
    let dir = scratch("provinces-monotone");
    let regions = all_regions();
    assert!(regions.len() >= 31 + 27, "{regions:?}");
    let indices = ["0.6", "0.8", "1", "1.3", "2", "3"];
    let years = ["15", "20", "25", "30", "40"];
    let mut csv = HEADER.to_string();
    for r in &regions {
        for i in indices {
            for y in years {
                csv.push_str(&format!("{r}|{i}|{y},employee,{r},male,1964-06,2024-06,{y},6,{i},8,{i},100000\n"));
            }
        }
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let total = |id: String| -> f64 {
        let r = rows.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(r["status"], "ok", "{id}: {}", r["message"]);
        r["total"].parse().unwrap()
    };
    for r in &regions {
        for (a, i) in indices.iter().enumerate() {
            for (b, y) in years.iter().enumerate() {
                let here = total(format!("{r}|{i}|{y}"));
                if a > 0 {
                    let lower = total(format!("{r}|{}|{y}", indices[a - 1]));
                    assert!(here >= lower, "{r}: index {i} pays {here} < {lower} at index {}", indices[a - 1]);
                }
                if b > 0 {
                    let fewer = total(format!("{r}|{i}|{}", years[b - 1]));
                    assert!(here >= fewer, "{r}: {y} years pay {here} < {fewer} with {} years", years[b - 1]);
                }
            }
        }
    }
}

#[test]
fn across_all_provinces_a_transfer_loses_nothing() {
    // With no interest (account_rate 0 after the official rates end in 2025), the account
    // and the years of a career split between two provinces equal the sums of the two
    // spells computed apart (each alone short of the minimum, `shortfall=none`: no extension) (国办发〔2009〕66号: years and balances are summed, C25).
    let dir = scratch("provinces-transfer");
    let provinces: Vec<String> = all_regions().into_iter().filter(|r| !r.contains('/')).collect();
    let seg_path = dir.join("seg.csv");
    let mut csv = "id,scheme,region,hukou,category,birth,as_of,account_rate,contribution_index,shortfall\n".to_string();
    let mut seg = "id,scheme,region,start,end,contribution_index,tier\n".to_string();
    for (k, a) in provinces.iter().enumerate() {
        let b = &provinces[(k * 7 + 3) % provinces.len()];
        let row = |id: &str| format!("{id},flexible,{a},{a},male,1990-01,2026-01,0,1,none\n");
        csv.push_str(&row(&format!("{a}-both")));
        csv.push_str(&row(&format!("{a}-first")));
        csv.push_str(&row(&format!("{a}-second")));
        seg.push_str(&format!(
            "{a}-both,flexible,{a},2026-01,2035-12,1.2,\n{a}-both,flexible,{b},2036-01,2046-12,0.8,\n"
        ));
        seg.push_str(&format!("{a}-first,flexible,{a},2026-01,2035-12,1.2,\n"));
        seg.push_str(&format!("{a}-second,flexible,{b},2036-01,2046-12,0.8,\n"));
    }
    std::fs::write(&seg_path, seg).unwrap();
    let (out, rows) = run_csv(&dir, &csv, &["--segments", seg_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let get = |id: &str, col: &str| -> f64 {
        let r = rows.iter().find(|r| r["id"] == id).unwrap();
        r[col].parse().unwrap_or_else(|_| panic!("{id} {col}: {}", r["message"]))
    };
    for a in &provinces {
        let (both, first, second) = (format!("{a}-both"), format!("{a}-first"), format!("{a}-second"));
        let sum = get(&first, "balance") + get(&second, "balance");
        assert!((get(&both, "balance") - sum).abs() < 0.005, "{a}: balance {} vs {sum}", get(&both, "balance"));
        let years = get(&first, "years") + get(&second, "years");
        assert!((get(&both, "years") - years).abs() < 0.015, "{a}: years {} vs {years}", get(&both, "years"));
    }
}

/// Copies `data/params` to `dir`, applying `edit` to one file's table.
pub(crate) fn params_copy(dir: &std::path::Path, file: &str, edit: impl Fn(&mut toml::Table)) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let t = to.join(p.file_name().unwrap());
            if p.is_dir() {
                copy(&p, &t);
            } else {
                std::fs::copy(&p, &t).unwrap();
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    copy(&repo("data/params"), dir);
    let path = dir.join(file);
    let mut doc: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    edit(&mut doc);
    std::fs::write(&path, toml::to_string(&doc).unwrap()).unwrap();
}

#[test]
fn no_provincial_employee_rule_is_dead() {
    // Dead-parameter check.
    // For every region file with [employee_rules], the same rows computed without that
    // table must change (a rule that is loaded but moves nothing is a defect). The rows
    // exercise each kind: fractional years (Anhui, Fujian), a low transitional index
    // (Fujian's floor, Inner Mongolia's), 15 deemed years (Gansu), a 2024 retirement
    // (Shenzhen's 调节金), 25 actual years (Jilin), months contributed (exact years of
    // Heilongjiang and Jiangxi). `[rounding]` is removed with the rules. Each region also
    // has one row per person fact (`family`, `title`, `intellectual`, `tibet_years`), so
    // that a table of person-dependent rules (Chongqing, Yunnan, Ningxia, …) moves too.
    let dir = scratch("provinces-dead");
    let regions: Vec<String> = all_regions()
        .into_iter()
        .filter(|r| {
            std::fs::read_to_string(repo(&format!("data/params/{r}.toml"))).unwrap().contains("\n[employee_rules]")
        })
        .collect();
    assert!(regions.len() >= 20, "{regions:?}");
    let csv = dead_rule_rows();
    let (out, base) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for r in &regions {
        let pdir = dir.join("params");
        params_copy(&pdir, &format!("{r}.toml"), |d| {
            d.remove("employee_rules");
            d.remove("rounding");
        });
        let (out, rows) = run_csv(&dir, &csv, &["--params", pdir.to_str().unwrap()]);
        assert!(out.status.success(), "{r}: {}", String::from_utf8_lossy(&out.stderr));
        // The province's row or one of its cities' rows (Henan's form differs only in a
        // city with its own base) must move: its total, or its message for a rule that
        // only names a component it cannot compute (Zhengzhou's omitted subsidy).
        let totals = |rows: &[std::collections::HashMap<String, String>]| -> Vec<(String, String)> {
            rows.iter()
                .filter(|x| {
                    &x["id"] == r || x["id"].starts_with(&format!("{r}/")) || x["id"].starts_with(&format!("{r}#"))
                })
                .map(|x| (x["total"].clone(), x["message"].clone()))
                .collect()
        };
        assert_ne!(totals(&base), totals(&rows), "{r}: its [employee_rules] change nothing");
    }
}

/// The person facts the dead-rule checks try, as (column, value).
const FACTS: &[(&str, &str)] = &[
    ("family", "one_child"),
    ("family", "childless"),
    ("title", "senior"),
    ("title", "intermediate"),
    ("intellectual", "true"),
    ("tibet_years", "12"),
];

/// Rows of the dead-rule checks: per region one row without person facts (id = the region)
/// and one per fact (id `region#column=value`). Known to 2023-11, then seven months of
/// contributions: N = 40.33 + 7/12, retiring 2024-06.
fn dead_rule_rows() -> String {
    let mut csv = format!("{},family,title,intellectual,tibet_years\n", HEADER.trim_end());
    for r in all_regions() {
        let row = |id: &str, facts: [&str; 4]| {
            format!("{id},employee,{r},male,1964-06,2023-11,25.33,15,1.2,20,0.6,120000,{}\n", facts.join(","))
        };
        csv.push_str(&row(&r, ["", "", "", ""]));
        for (col, v) in FACTS {
            let mut facts = ["", "", "", ""];
            facts[["family", "title", "intellectual", "tibet_years"].iter().position(|c| c == col).unwrap()] = v;
            csv.push_str(&row(&format!("{r}#{col}={v}"), facts));
        }
    }
    csv
}

#[test]
fn no_conditional_provincial_rule_is_dead() {
    // Dead-parameter check for the rules that depend on the person: for every region file,
    // each `[[employee_rules.extra]]` with a `when` condition, each
    // `[[employee_rules.transitional_rate_if]]` and each `band_years = "tibet_years"`,
    // removed alone, must change the row whose facts meet it — and only rows that claim a
    // fact (the rows without facts stay as they are).
    let dir = scratch("provinces-dead-conditional");
    let csv = dead_rule_rows();
    let (out, base) = run_csv(&dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut checked = Vec::new();
    for r in all_regions() {
        let file = format!("{r}.toml");
        let doc: toml::Table = std::fs::read_to_string(repo(&format!("data/params/{file}"))).unwrap().parse().unwrap();
        let Some(rules) = doc.get("employee_rules").and_then(|v| v.as_table()) else { continue };
        for list in ["extra", "transitional_rate_if"] {
            let n = rules.get(list).and_then(|v| v.as_array()).map_or(0, |a| a.len());
            for k in 0..n {
                let item = rules[list].as_array().unwrap()[k].as_table().unwrap().clone();
                let label = item["label"].as_str().unwrap().to_string();
                // The fact that meets it: its condition, else tibet_years for band_years.
                let fact = match item.get("when").and_then(|w| w.as_table()) {
                    Some(w) => {
                        let (col, v) = w.iter().next().unwrap();
                        let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                        format!("{col}={v}")
                    }
                    None if item.get("band_years").is_some() => "tibet_years=12".to_string(),
                    None => continue,
                };
                let pdir = dir.join("params");
                params_copy(&pdir, &file, |d| {
                    let rules = d.get_mut("employee_rules").unwrap().as_table_mut().unwrap();
                    let list = rules.get_mut(list).unwrap().as_array_mut().unwrap();
                    if item.get("when").is_some() {
                        list.remove(k);
                    } else {
                        list[k].as_table_mut().unwrap().remove("band_years");
                    }
                });
                let (out, rows) = run_csv(&dir, &csv, &["--params", pdir.to_str().unwrap()]);
                assert!(out.status.success(), "{r}: {}", String::from_utf8_lossy(&out.stderr));
                let id = format!("{r}#{fact}");
                let total = |rows: &[std::collections::HashMap<String, String>], id: &str| {
                    rows.iter().find(|x| x["id"] == id).unwrap()["total"].clone()
                };
                assert_ne!(total(&base, &id), total(&rows, &id), "{r}: {label} ({fact}) changes nothing");
                assert_eq!(total(&base, &r), total(&rows, &r), "{r}: {label} moves a row without facts");
                checked.push(format!("{r}: {label}"));
            }
        }
    }
    // Chongqing, Guizhou, Hainan ×2, Yunnan, Heilongjiang ×2 (and Harbin's copies), Ningxia
    // ×2, Tibet's plateau allowance.
    assert!(checked.len() >= 12, "{checked:?}");
}

/// Bases the extraction reports outside its table (scripts/make-params.py BASE_ADDITIONS):
/// a 2026 pension in Inner Mongolia, Tibet or Shanghai uses the published base, with its
/// provenance, instead of the 2025 base grown by `wage_growth`; Jilin 2025 is 87865 / 12.
#[test]
fn bases_published_outside_the_table_are_used_with_their_provenance() {
    for (region, year, want) in [
        ("neimenggu", "2026", "employee,pension_base C,8430,2026,official,"),
        ("xizang", "2026", "employee,pension_base C,11954,2026,official,"),
        ("shanghai", "2026", "employee,pension_base C,12577,2026,reported,"),
        ("jilin", "2025", "employee,pension_base C,7322.08,2025,official,"),
        ("heilongjiang", "2019", "employee,pension_base C,4735,2019,official,"),
        ("guizhou", "2024", "employee,pension_base C,7272.25,2024,official,"),
    ] {
        let out = bin().args(["params", "--region", region, "--year", year, "--format", "csv"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text.lines().find(|l| l.starts_with("employee,pension_base C,")).unwrap();
        assert!(line.starts_with(want), "{region}: {line}");
    }
}
