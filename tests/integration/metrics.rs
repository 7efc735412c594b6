//! Lifetime metrics: hand-computed break-even, IRR and present value; their promises as
//! properties; `--paths` totals that agree with the row.

use crate::common::*;
use std::collections::HashMap;

/// Born 1966-01 (male): pension 2026-05 (60y4m). Four flexible months at W(2026) = 7774:
/// own 1554.80 a month, 6219.20 in all. death_age 61 → paid 2026-05 … 2026-12 (8 months).
fn short_life(dir: &std::path::Path, discount: &str) -> HashMap<String, String> {
    let csv = format!(
        "id,scheme,category,birth,as_of,paid_years,avg_index,balance,contribution_index,death_age,indexation,discount_rate\n\
         d1,flexible,male,1966-01,2026-01,20,1,100000,1.0,61,0,{discount}\n"
    );
    let (out, rows) = run_csv(dir, &csv, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    rows[0].clone()
}

fn money(s: &str) -> f64 {
    s.parse().unwrap()
}

#[test]
fn hand_computed_breakeven_irr_and_present_value() {
    let dir = scratch("metrics_hand");
    let r = short_life(&dir, "0");
    let p = money(&r["total"]);
    assert_eq!(r["own_paid"], "6219.20");
    // Present value at 0%: eight payments, survival 1.
    assert_eq!(r["pension_wealth"], format!("{:.2}", 8.0 * p));
    assert_eq!(r["money_worth"], format!("{:.4}", 8.0 * p / 6219.20));
    // Break-even: first month k with k × P ≥ 6219.20, counted from 60y4m.
    let k = (6219.20 / p).ceil() as i32;
    assert!(k <= 8, "pension {p} pays back within the 8 months");
    let age = 60 * 12 + 4 + k - 1;
    assert_eq!(r["breakeven_age"], format!("{}y{}m", age / 12, age % 12));
    // IRR by bisection (a different solver): −1554.80 in months 0–3, +P in months 4–11.
    let npv = |rate: f64| -> f64 {
        let x = (1.0 + rate).powf(-1.0 / 12.0);
        (0..12).map(|m| if m < 4 { -1554.80 } else { p } * x.powi(m)).sum()
    };
    let (mut lo, mut hi) = (-0.9f64, 1000.0f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if npv(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    assert_eq!(r["irr"], format!("{:.4}", (lo + hi) / 2.0));

    // At 3% a year: Σ P × 1.03^(−k/12), k = 0..7.
    let dir = scratch("metrics_hand_3");
    let r3 = short_life(&dir, "0.03");
    let pv: f64 = (0..8).map(|k| p * 1.03f64.powf(-(k as f64) / 12.0)).sum();
    assert_eq!(r3["pension_wealth"], format!("{pv:.2}"));
    let acc: f64 = (0..4).map(|m| 1554.80 * 1.03f64.powf((4 - m) as f64 / 12.0)).sum();
    assert_eq!(r3["money_worth"], format!("{:.4}", pv / acc));
}

#[test]
fn irr_is_empty_when_nothing_was_paid() {
    let dir = scratch("metrics_no_payment");
    let csv = "id,scheme,category,birth,retire,as_of,paid_years,avg_index,balance,base_at_retirement\n\
               g,employee,male,1964-12,2024-12,2024-12,41.25,0.6101,80614.70,7678\n";
    let (_, rows) = run_csv(&dir, csv, &[]);
    assert_eq!(rows[0]["status"], "ok");
    assert_eq!(rows[0]["irr"], "");
    assert_eq!(rows[0]["money_worth"], "");
    assert_eq!(rows[0]["breakeven_age"], "60y0m", "nothing paid: even at once");
    assert!(!rows[0]["pension_wealth"].is_empty());
}

fn column(rows: &[HashMap<String, String>], col: &str) -> Vec<f64> {
    rows.iter().map(|r| r[col].parse::<f64>().unwrap()).collect()
}

#[test]
fn higher_discount_rate_never_raises_pension_wealth() {
    let dir = scratch("metrics_discount");
    let mut csv = String::from("id,scheme,category,birth,paid_years,avg_index,balance,discount_rate\n");
    for (i, d) in ["-0.02", "0", "0.01", "0.03", "0.05", "0.1", "0.3"].iter().enumerate() {
        csv.push_str(&format!("d{i},flexible,female_cadre,1975-06,15,0.8,60000,{d}\n"));
    }
    let (_, rows) = run_csv(&dir, &csv, &[]);
    let w = column(&rows, "pension_wealth");
    assert!(w.windows(2).all(|p| p[1] <= p[0]), "{w:?}");
}

#[test]
fn longer_life_never_lowers_lifetime_receipts() {
    let dir = scratch("metrics_life");
    let mut csv = String::from("id,scheme,category,birth,paid_years,avg_index,balance,death_age,discount_rate\n");
    for a in (62..=100).step_by(3) {
        csv.push_str(&format!("a{a},employee,male,1970-03,20,1,90000,{a},0\n"));
    }
    let paths = dir.join("paths.csv");
    let (_, rows) = run_csv(&dir, &csv, &["--paths", paths.to_str().unwrap()]);
    let w = column(&rows, "pension_wealth");
    assert!(w.windows(2).all(|p| p[1] >= p[0]), "{w:?}");
    // The last cumulative_received of each path grows with the death age too.
    let p = read_rows(&paths);
    let last: Vec<f64> = rows
        .iter()
        .map(|r| p.iter().rfind(|x| x["id"] == r["id"]).unwrap()["cumulative_received"].parse().unwrap())
        .collect();
    assert!(last.windows(2).all(|x| x[1] >= x[0]), "{last:?}");
}

#[test]
fn zero_increase_rule_leaves_the_pension_flat() {
    let dir = scratch("metrics_flat");
    // A parameter copy whose adjustment rules are all zero.
    let params = dir.join("params");
    copy_dir(&repo("data/params"), &params);
    for f in ["national.toml", "shandong.toml"] {
        let p = params.join(f);
        let text = std::fs::read_to_string(&p).unwrap();
        let zeroed: String = text
            .lines()
            .map(|l| {
                let rule = ["flat", "pct_own", "year_bands", "age_bands"].iter().any(|k| l.starts_with(k));
                let l = if rule { zero_amounts(l) } else { l.to_string() };
                l + "\n"
            })
            .collect();
        std::fs::write(&p, zeroed).unwrap();
    }
    let csv = "id,scheme,category,birth,retire,as_of,paid_years,avg_index,balance,base_at_retirement,death_age\n\
               f,employee,male,1961-06,2021-06,2021-06,30,1,100000,6893,80\n";
    let paths = dir.join("paths.csv");
    let (out, rows) = run_csv(
        &dir,
        csv,
        &["--params", params.to_str().unwrap(), "--indexation", "0", "--paths", paths.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows[0]["status"], "ok", "{}", rows[0]["message"]);
    let p = read_rows(&paths);
    let pensions: Vec<&str> =
        p.iter().filter(|r| r["monthly_pension"] != "0.00").map(|r| r["monthly_pension"].as_str()).collect();
    assert!(pensions.len() > 10);
    assert!(pensions.iter().all(|x| *x == rows[0]["total"]), "{pensions:?}");
    // With the shipped rules the same row rises.
    let (_, rows2) = run_csv(&dir, csv, &["--paths", paths.to_str().unwrap()]);
    let p2 = read_rows(&paths);
    assert!(p2.iter().any(|r| r["monthly_pension"] != "0.00" && r["monthly_pension"] != rows2[0]["total"]));
}

/// Replaces every quoted number of a line by "0" (`upto` bounds stay).
fn zero_amounts(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find('"') {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let end = after[1..].find('"').map(|j| j + 2).unwrap_or(after.len());
        let quoted = &after[..end];
        out.push_str(if before.trim_end().ends_with("upto =") { quoted } else { "\"0\"" });
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn paths_totals_agree_with_the_row() {
    let dir = scratch("metrics_paths");
    let paths = dir.join("paths.csv");
    let ex = std::fs::read_to_string(repo("data/examples/employees.csv")).unwrap();
    let (_, rows) = run_csv(&dir, &ex, &["--paths", paths.to_str().unwrap()]);
    let p = read_rows(&paths);
    for r in &rows {
        let mine: Vec<&HashMap<String, String>> = p.iter().filter(|x| x["id"] == r["id"]).collect();
        assert!(!mine.is_empty());
        let last = mine.last().unwrap();
        assert_eq!(last["cumulative_paid"], r["own_paid"], "{}", r["id"]);
        let own: f64 = mine.iter().map(|x| money(&x["own_paid"])).sum();
        assert!((own - money(&r["own_paid"])).abs() < 0.005, "{}", r["id"]);
        // Break-even year: the first year whose cumulative receipts reach the payments.
        let be = &r["breakeven_age"];
        let years: i32 = be.split('y').next().unwrap().parse().unwrap();
        let first = mine
            .iter()
            .find(|x| {
                money(&x["cumulative_received"]) >= money(&x["cumulative_paid"]) && money(&x["monthly_pension"]) > 0.0
            })
            .unwrap();
        let birth_month = 3; // all example workers are born in March
        let by = first["year"].parse::<i32>().unwrap() - first["age"].parse::<i32>().unwrap();
        let _ = (birth_month, by);
        assert!((first["age"].parse::<i32>().unwrap() - years).abs() <= 1, "{}: {be} vs {:?}", r["id"], first);
    }
}
