//! `yanglao gen`: a stylised-worker grid (birth cohorts × categories × indices × tiers ×
//! career shapes × regions), deterministic for a seed. Used for benchmarks and for
//! OECD-style grids: every worker starts work at 22 and has contributed ever since at the
//! same index (known record up to the as-of month, then the projection).

use std::io::Write;

/// Birth years of the grid (ages 22 to 60 in 2026).
const COHORTS: std::ops::RangeInclusive<i32> = 1966..=2004;
const CATEGORIES: [&str; 3] = ["male", "female_cadre", "female_worker"];
const INDICES: [&str; 6] = ["0.6", "0.8", "1.0", "1.5", "2.0", "3.0"];
/// Resident tiers: Shandong's table, Guangdong's, and the national one for the other provinces.
const TIERS: [&str; 7] = ["350", "500", "1000", "2000", "3000", "5000", "8000"];
const NATIONAL_TIERS: [&str; 7] = ["100", "300", "500", "800", "1000", "1500", "2000"];
/// Guangdong's own tiers (2020 provincial table), seven of nine.
const GUANGDONG_TIERS: [&str; 7] = ["180", "240", "360", "600", "900", "1200", "1800"];
/// Earliest birth year per category still before its pension month in 2026-01.
const FIRST_COHORT: [i32; 3] = [1966, 1971, 1976];
const REGIONS: [&str; 6] = ["shandong/weifang", "shandong/qingdao", "jiangsu", "zhejiang", "guangdong", "henan"];
/// Career shapes: full employee career, full flexible career, flexible with a 10-year stop
/// before retirement, resident farmer, resident at a tier who worked 15 years as employee.
const SHAPES: [&str; 5] = ["employee-full", "flexible-full", "flexible-gap", "resident", "resident-known-employee"];

/// Header of generated files.
pub const GEN_HEADER: &str = "id,label,scheme,region,category,birth,as_of,paid_years,avg_index,balance,resident_years,resident_balance,contribution_index,tier,stop\n";

/// Writes `n` rows for `seed` to `out`.
pub fn generate(n: u64, seed: u64, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(GEN_HEADER.as_bytes())?;
    let cohorts = (*COHORTS.end() - *COHORTS.start() + 1) as u64;
    let dims = [cohorts, 3, 6, 7, 5, 6];
    let size: u64 = dims.iter().product();
    // A seed shifts and strides the walk through the grid (stride coprime with the size).
    let stride = {
        let mut s = (seed.wrapping_mul(2654435761) % size) | 1;
        while gcd(s, size) != 1 {
            s += 2;
        }
        s
    };
    let offset = seed.wrapping_mul(40503) % size;
    let mut line = String::with_capacity(256);
    for i in 0..n {
        let mut k = (offset + i.wrapping_mul(stride)) % size;
        let mut d = [0u64; 6];
        for (j, m) in dims.iter().enumerate() {
            d[j] = k % m;
            k /= m;
        }
        let first = FIRST_COHORT[d[1] as usize];
        let birth_year = first + (d[0] as i32) % (*COHORTS.end() - first + 1);
        let birth_month = 1 + (i % 12) as u32;
        let category = CATEGORIES[d[1] as usize];
        let index = INDICES[d[2] as usize];
        let region = REGIONS[d[5] as usize];
        let tiers = match region.split('/').next() {
            Some("shandong") => &TIERS,
            Some("guangdong") => &GUANGDONG_TIERS,
            _ => &NATIONAL_TIERS,
        };
        let tier = tiers[d[3] as usize];
        let shape = SHAPES[d[4] as usize];
        let age_2026 = 2026 - birth_year;
        let known = (age_2026 - 22).clamp(0, 40);
        // Account at as_of: 8% of an index-weighted 6,000 yuan wage, no interest (stylised).
        let idx_f: f64 = index.parse().unwrap_or(1.0);
        let balance = (f64::from(known) * 12.0 * 0.08 * 6000.0 * idx_f).round() as i64;
        line.clear();
        use std::fmt::Write as _;
        let _ = write!(line, "g{seed}-{i},{shape} {birth_year} {index},");
        let (scheme, paid, avg, bal, ryears, rbal, cidx, t, stop) = match shape {
            "employee-full" => ("employee", known, index, balance, 0, 0, index, "", String::new()),
            "flexible-full" => ("flexible", known, index, balance, 0, 0, index, "", String::new()),
            "flexible-gap" => ("flexible", known, index, balance, 0, 0, index, "", format!("{}-12", birth_year + 50)),
            "resident" => {
                ("resident", 0, "", 0, known.min(15), i64::from(known.min(15)) * 700, "", tier, String::new())
            }
            _ => (
                "resident",
                15.min(known),
                if known > 0 { index } else { "" },
                balance.min(15 * 5760),
                known.min(10),
                5000,
                index,
                tier,
                String::new(),
            ),
        };
        let cat = if scheme == "resident" && paid == 0 { "" } else { category };
        let stop = if !stop.is_empty() && stop.as_str() < "2026-01" { String::new() } else { stop };
        let _ = writeln!(
            line,
            "{scheme},{region},{cat},{birth_year}-{birth_month:02},2026-01,{paid},{avg},{bal},{ryears},{rbal},{cidx},{t},{stop}",
            paid = if paid == 0 { String::new() } else { paid.to_string() },
            avg = if paid == 0 { "" } else { avg },
        );
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed_and_different_across_seeds() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        generate(200, 7, &mut a).unwrap();
        generate(200, 7, &mut b).unwrap();
        generate(200, 8, &mut c).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.iter().filter(|&&x| x == b'\n').count(), 201);
    }
}
