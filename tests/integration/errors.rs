//! Bad rows give precise messages and the rows around them are still computed.

use crate::common::*;

#[test]
fn bad_rows_name_line_column_value_and_what_is_allowed() {
    let dir = scratch("bad_rows");
    let csv = "id,scheme,category,birth,retire,as_of,paid_years,avg_index,contribution_index,hardship,region\n\
               ok1,flexible,male,1975-01,,,,,1.0,,\n\
               m1,flexible,male,1975-13,,,,,1.0,,\n\
               i1,flexible,male,1975-01,,,,,3.5,,\n\
               s1,pension,male,1975-01,,,,,1.0,,\n\
               c1,flexible,man,1975-01,,,,,1.0,,\n\
               r1,employee,male,1975-01,2030-01,,,,1.0,,\n\
               a1,employee,male,1975-01,,,10,,1.0,,\n\
               b1,employee,male,1975-01,,,,,1.0,yes,\n\
               g1,employee,male,1975-01,,,,,1.0,,mars\n\
               n1,employee,male,1975-01,,,-3,1,1.0,,\n\
               f1,employee,male,2027-01,,,,,1.0,,\n\
               ok1,flexible,male,1975-01,,,,,1.0,,\n\
               ok2,flexible,female_worker,1980-01,,,,,0.6,,\n";
    let (out, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(rows.len(), 13, "one output row per input row");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["ok1", "m1", "i1", "s1", "c1", "r1", "a1", "b1", "g1", "n1", "f1", "ok1", "ok2"]);
    let msg = |i: usize| rows[i]["message"].clone();
    let expect = [
        (1, "line 3, column birth, value '1975-13': not a month; allowed YYYY-MM"),
        (2, "line 4, column contribution_index, value '3.5': out of range; allowed 0.6 to 3.0"),
        (3, "line 5, column scheme, value 'pension': unknown scheme; allowed employee, flexible, resident"),
        (4, "line 6, column category, value 'man': unknown category; allowed male, female_cadre, female_worker"),
        (5, "line 7, column retire, value '2030-01': earlier than flexible retirement allows; allowed"),
        (6, "line 8, column avg_index, value '': missing, but the record has 10 known years"),
        (7, "line 9, column hardship, value 'yes': not a boolean; allowed true or false"),
        (8, "line 10, column region, value 'mars': unknown region; allowed"),
        (9, "line 11, column paid_years, value '-3': negative; allowed 0 to 80 years"),
        (10, "line 12, column birth, value '2027-01': birth after the as_of month 2026-01"),
        (11, "line 13, column id, value 'ok1': duplicate id"),
    ];
    for (i, text) in expect {
        assert_eq!(rows[i]["status"], "error", "row {i}");
        assert!(msg(i).starts_with(text), "row {i}: {}", msg(i));
        assert_eq!(rows[i]["total"], "", "error rows leave numbers empty");
    }
    for i in [0, 12] {
        assert_eq!(rows[i]["status"], "ok", "{}", msg(i));
    }
}

#[test]
fn early_retirement_without_minimum_years_is_an_error() {
    let dir = scratch("early_short");
    // Statutory 2031-07 (born 1970-03); early 2030-03 needs 16 years; 5 known + 4 future = 9.
    let csv = "id,scheme,category,birth,retire,paid_years,avg_index,balance\n\
               e1,employee,male,1970-03,2030-03,5,1,10000\n";
    let (_, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(rows[0]["status"], "error");
    assert!(
        rows[0]["message"].contains("needs the minimum 16.0 years")
            || rows[0]["message"].contains("needs the minimum 16 years"),
        "{}",
        rows[0]["message"]
    );
}

#[test]
fn resident_row_with_unknown_tier_lists_allowed_tiers() {
    let dir = scratch("bad_tier");
    let csv = "id,scheme,birth,tier\nt1,resident,1972-05,750\nt2,resident,1972-05,8000\n";
    let (_, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(rows[0]["status"], "error");
    assert!(
        rows[0]["message"].contains("value '750': not a resident tier of shandong/weifang"),
        "{}",
        rows[0]["message"]
    );
    assert!(rows[0]["message"].contains("allowed 350, 500, 1000, 2000, 3000, 5000, 8000"), "{}", rows[0]["message"]);
    assert_eq!(rows[1]["status"], "ineligible", "{}", rows[1]["message"]);
}
