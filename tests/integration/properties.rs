//! The rules' promises as properties: 多缴多得、长缴多得, and output that does not depend on
//! the thread count or the batch size.

use crate::common::*;
use proptest::prelude::*;
use yanglao::io::scenario::{parse_scenario, Header, Row};
use yanglao::model::{project, Context, Status};
use yanglao::params::{Assumptions, Params};

fn context() -> &'static Context {
    static CTX: std::sync::OnceLock<Context> = std::sync::OnceLock::new();
    CTX.get_or_init(|| Context::new(Params::builtin().unwrap(), Assumptions::builtin()))
}

/// Total pension of a row given as (column, value) pairs; 0 when ineligible.
fn total(fields: &[(&str, String)]) -> rust_decimal::Decimal {
    let ctx = context();
    let header = Header::new(fields.iter().map(|(k, _)| *k)).unwrap();
    let rec = csv::ByteRecord::from(fields.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>());
    let s = parse_scenario(&Row::new(&header, &rec), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
    let o = project(&s, ctx).unwrap();
    if o.status == Status::Ok {
        o.total
    } else {
        rust_decimal::Decimal::ZERO
    }
}

fn idx(i: u32) -> String {
    format!("{}.{:02}", i / 100, i % 100)
}

fn base_row(
    scheme: &str,
    cat: &str,
    birth_year: i32,
    birth_month: u32,
    paid: u32,
    avg: u32,
) -> Vec<(&'static str, String)> {
    vec![
        ("id", "p".to_string()),
        ("scheme", scheme.to_string()),
        ("category", cat.to_string()),
        ("birth", format!("{birth_year}-{birth_month:02}")),
        ("paid_years", paid.to_string()),
        ("avg_index", idx(avg)),
        ("balance", (paid * 4000).to_string()),
    ]
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("employee"), Just("flexible")]
}

fn category() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("male"), Just("female_cadre"), Just("female_worker")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// 多缴多得: a higher future index never lowers the total pension.
    #[test]
    fn higher_index_never_pays_less(scheme in scheme(), cat in category(), by in 1977i32..1995, bm in 1u32..13,
                                    paid in 0u32..30, avg in 60u32..300, a in 60u32..300, b in 60u32..300) {
        let (lo, hi) = (a.min(b), a.max(b));
        let mut r = base_row(scheme, cat, by, bm, paid, avg);
        r.push(("contribution_index", idx(lo)));
        let t_lo = total(&r);
        r.last_mut().unwrap().1 = idx(hi);
        let t_hi = total(&r);
        prop_assert!(t_hi >= t_lo, "index {} → {}, {} → {}", idx(lo), t_lo, idx(hi), t_hi);
    }

    /// 长缴多得: more contribution months (a later stop, same retirement) never lower the total.
    #[test]
    fn more_months_never_pay_less(scheme in scheme(), cat in category(), by in 1977i32..1992, bm in 1u32..13,
                                  paid in 0u32..30, avg in 60u32..300, i in 60u32..300, m1 in 0i32..240, m2 in 0i32..240) {
        let (lo, hi) = (m1.min(m2), m1.max(m2));
        let stop = |m: i32| { let t = 2026 * 12 + m; format!("{}-{:02}", t / 12, t % 12 + 1) };
        let mut r = base_row(scheme, cat, by, bm, paid, avg);
        r.push(("contribution_index", idx(i)));
        r.push(("shortfall", "none".to_string()));
        r.push(("stop", stop(lo)));
        let t_lo = total(&r);
        r.last_mut().unwrap().1 = stop(hi);
        let t_hi = total(&r);
        prop_assert!(t_hi >= t_lo, "stop {} → {}, {} → {}", stop(lo), t_lo, stop(hi), t_hi);
    }

    /// More known years (same index, balance and retirement month) never lower the total.
    #[test]
    fn more_known_years_never_pay_less(scheme in scheme(), cat in category(), by in 1977i32..1992, bm in 1u32..13,
                                       p1 in 0u32..40, p2 in 0u32..40, avg in 60u32..300) {
        let (lo, hi) = (p1.min(p2), p1.max(p2));
        let mut r = base_row(scheme, cat, by, bm, lo, avg);
        r[6].1 = "50000".to_string();
        r.push(("shortfall", "none".to_string()));
        let t_lo = total(&r);
        r[4].1 = hi.to_string();
        let t_hi = total(&r);
        prop_assert!(t_hi >= t_lo, "{lo} years → {t_lo}, {hi} years → {t_hi}");
    }
}

/// A deterministic mixed file: employees, flexible workers, residents, early and late
/// choices, a few bad rows.
pub fn mixed_file(n: usize) -> String {
    let mut s = String::from(
        "id,scheme,category,birth,retire,paid_years,avg_index,balance,contribution_index,tier,resident_years,stop\n",
    );
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let cats = ["male", "female_cadre", "female_worker"];
    let tiers = ["350", "500", "1000", "2000", "3000", "5000", "8000"];
    for i in 0..n {
        let by = 1964 + next(30) as i32;
        let bm = 1 + next(12);
        let kind = next(10);
        let idx = format!("{:.2}", 0.6 + next(240) as f64 / 100.0);
        let row = match kind {
            0..=3 => format!(
                "r{i},employee,{},{by}-{bm:02},,{},0.{},{},{idx},,,\n",
                cats[next(3) as usize],
                next(30),
                60 + next(40),
                next(200000)
            ),
            4..=6 => format!(
                "r{i},flexible,{},{by}-{bm:02},,{},0.8,{},{idx},,,{}-12\n",
                cats[next(3) as usize],
                next(20),
                next(90000),
                2026 + next(20)
            ),
            7..=8 => format!("r{i},resident,,{by}-{bm:02},,,,,,{},{},\n", tiers[next(7) as usize], next(15)),
            _ => format!("r{i},employee,male,{by}-13,,,,,,,,\n"),
        };
        s.push_str(&row);
    }
    s
}

#[test]
fn output_bytes_do_not_depend_on_jobs_or_batch_size() {
    let dir = scratch("determinism");
    let input = dir.join("in.csv");
    std::fs::write(&input, mixed_file(600)).unwrap();
    let mut outputs = Vec::new();
    for (jobs, batch) in [("1", "1024"), ("2", "1024"), ("2", "1"), ("2", "7"), ("1", "7")] {
        let out = dir.join(format!("out-{jobs}-{batch}.csv"));
        let st = bin()
            .arg("run")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--jobs", jobs, "--batch-size", batch])
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(3), "the file has error rows");
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    let rows = read_rows(&dir.join("out-1-1024.csv"));
    assert_eq!(rows.len(), 600);
    assert!(rows.iter().any(|r| r["status"] == "ok") && rows.iter().any(|r| r["status"] == "error"));
}
