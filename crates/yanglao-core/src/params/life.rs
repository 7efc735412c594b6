//! Life tables (age, sex, qx) for the lifetime metrics, with monthly survival.
//!
//! Default: UN World Population Prospects 2024, China, 2025–2030 medium projection, in
//! single ages (`data/life-tables/wpp2024-china-2025-2030.csv`). It describes the general
//! population, which is who the simulator's users ask about (farmers, flexible and ordinary
//! employees); the insurance-industry pension table CL5/CL6 (also shipped) describes
//! insured annuitants and is markedly lighter (e60 25.3 / 29.3 against 20.5 / 24.4).
//! Within a year of age the force of mortality is constant: the monthly survival factor is
//! (1 − qx)^(1/12). Survival is a statistical weight, so it is kept in `f64`.

use super::{ParamError, Provenance};
use std::path::Path;

/// Sex of a life-table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Mean of the male and female qx (rows without a category).
    Unisex,
}

/// A life table with cumulative monthly survival from birth.
#[derive(Debug, Clone)]
pub struct LifeTable {
    /// Where it came from (for messages).
    pub name: String,
    /// Provenance of the table.
    pub provenance: Provenance,
    /// l(m) for m = 0 ..= months, per sex (male, female, unisex).
    survival: [Vec<f64>; 3],
    /// Σ_{t > m} l(t), per sex.
    tail: [Vec<f64>; 3],
}

const BUILTIN: &str = include_str!("../../../../data/life-tables/wpp2024-china-2025-2030.csv");

impl LifeTable {
    /// The shipped default table.
    pub fn builtin() -> LifeTable {
        LifeTable::parse("data/life-tables/wpp2024-china-2025-2030.csv", BUILTIN, Provenance::Reported)
            .expect("the shipped life table is valid (checked by tests)")
    }

    /// Reads a CSV with columns `age, sex, qx` (`#` lines are comments).
    pub fn load(path: &Path) -> Result<LifeTable, ParamError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ParamError::Read { file: file.clone(), source })?;
        LifeTable::parse(&file, &text, Provenance::Official)
    }

    fn parse(file: &str, text: &str, provenance: Provenance) -> Result<LifeTable, ParamError> {
        let bad = |line: usize, why: String| ParamError::Invalid {
            file: file.to_string(),
            key: format!("line {line}"),
            date: None,
            why,
        };
        let mut q: [Vec<Option<f64>>; 2] = [Vec::new(), Vec::new()];
        let mut header_seen = false;
        let mut cols = (0, 1, 2);
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            if !header_seen {
                let pos = |n: &str| f.iter().position(|c| *c == n);
                match (pos("age"), pos("sex"), pos("qx")) {
                    (Some(a), Some(s), Some(x)) => cols = (a, s, x),
                    _ => return Err(bad(i + 1, "header must name the columns age, sex, qx".into())),
                }
                header_seen = true;
                continue;
            }
            let get = |k: usize| f.get(k).copied().unwrap_or("");
            let age: usize = get(cols.0)
                .parse()
                .ok()
                .filter(|a| *a <= 130)
                .ok_or_else(|| bad(i + 1, format!("age '{}': allowed whole ages 0 to 130", get(cols.0))))?;
            let sex = match get(cols.1) {
                "male" | "m" | "M" => 0,
                "female" | "f" | "F" => 1,
                other => return Err(bad(i + 1, format!("sex '{other}': allowed male, female"))),
            };
            let qx: f64 = get(cols.2)
                .parse()
                .ok()
                .filter(|x: &f64| (0.0..=1.0).contains(x))
                .ok_or_else(|| bad(i + 1, format!("qx '{}': allowed a probability from 0 to 1", get(cols.2))))?;
            if q[sex].len() <= age {
                q[sex].resize(age + 1, None);
            }
            if q[sex][age].replace(qx).is_some() {
                return Err(bad(i + 1, format!("age {age} appears twice for one sex")));
            }
        }
        let mut full: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        for (s, name) in [(0, "male"), (1, "female")] {
            if q[s].is_empty() {
                return Err(bad(0, format!("no rows for {name}")));
            }
            if let Some(age) = q[s].iter().position(Option::is_none) {
                return Err(bad(0, format!("{name}: age {age} is missing; ages must run from 0 without gaps")));
            }
            full[s] = q[s].iter().map(|x| x.unwrap_or(1.0)).collect();
            // Close the table: everyone dies in the last age.
            if let Some(last) = full[s].last_mut() {
                *last = 1.0;
            }
        }
        let n = full[0].len().max(full[1].len());
        let pad = |v: &Vec<f64>| (0..n).map(|a| v.get(a).copied().unwrap_or(1.0)).collect::<Vec<_>>();
        let male = pad(&full[0]);
        let female = pad(&full[1]);
        let unisex: Vec<f64> = male.iter().zip(&female).map(|(a, b)| (a + b) / 2.0).collect();
        let survival = [monthly(&male), monthly(&female), monthly(&unisex)];
        let tail = [suffix(&survival[0]), suffix(&survival[1]), suffix(&survival[2])];
        Ok(LifeTable { name: file.to_string(), provenance, survival, tail })
    }

    fn idx(sex: Sex) -> usize {
        match sex {
            Sex::Male => 0,
            Sex::Female => 1,
            Sex::Unisex => 2,
        }
    }

    /// l(m): probability of surviving from birth to age `m` months.
    pub fn l(&self, sex: Sex, months: i32) -> f64 {
        let v = &self.survival[Self::idx(sex)];
        usize::try_from(months).ok().and_then(|m| v.get(m)).copied().unwrap_or(0.0)
    }

    /// l(m) for every month of age, from birth.
    pub fn curve(&self, sex: Sex) -> &[f64] {
        &self.survival[Self::idx(sex)]
    }

    /// Last age in months with a value.
    pub fn last_month(&self) -> i32 {
        self.survival[0].len() as i32 - 1
    }

    /// Expected further months lived (whole months) for someone alive at age `m` months.
    pub fn expected_months(&self, sex: Sex, months: i32) -> f64 {
        let i = Self::idx(sex);
        let l = self.l(sex, months);
        if l <= 0.0 {
            return 0.0;
        }
        usize::try_from(months).ok().and_then(|m| self.tail[i].get(m)).copied().unwrap_or(0.0) / l
    }
}

fn monthly(q: &[f64]) -> Vec<f64> {
    let mut l = Vec::with_capacity(q.len() * 12 + 1);
    let mut cur = 1.0f64;
    l.push(cur);
    for qx in q {
        let s = (1.0 - qx).max(0.0).powf(1.0 / 12.0);
        for _ in 0..12 {
            cur *= s;
            l.push(cur);
        }
    }
    l
}

fn suffix(l: &[f64]) -> Vec<f64> {
    let mut t = vec![0.0; l.len()];
    let mut acc = 0.0;
    for m in (0..l.len()).rev() {
        t[m] = acc;
        acc += l[m];
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_life_expectancy_at_60_matches_the_source() {
        let t = LifeTable::builtin();
        // WPP 2025–2030 derived e60: 20.52 (male), 24.45 (female).
        let e_m = t.expected_months(Sex::Male, 720) / 12.0 + 0.5 / 12.0;
        let e_f = t.expected_months(Sex::Female, 720) / 12.0 + 0.5 / 12.0;
        assert!((e_m - 20.5).abs() < 0.3, "{e_m}");
        assert!((e_f - 24.4).abs() < 0.3, "{e_f}");
    }

    #[test]
    fn bad_rows_are_named() {
        let err = LifeTable::parse("t.csv", "age,sex,qx\n0,male,1.5\n", Provenance::Official).unwrap_err().to_string();
        assert!(err.contains("t.csv: line 2: qx '1.5'"), "{err}");
        let err = LifeTable::parse("t.csv", "age,sex,qx\n0,male,0.1\n2,male,1\n0,female,1\n", Provenance::Official)
            .unwrap_err()
            .to_string();
        assert!(err.contains("male: age 1 is missing"), "{err}");
    }
}
