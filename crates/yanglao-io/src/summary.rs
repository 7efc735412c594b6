//! `yanglao summary`: counts and statistics of a results CSV per group of rows.
//!
//! For each group (the distinct values of the `--by` columns, e.g. `scheme,tier,claim_region`)
//! it gives the number of rows by `status` (`ok`, `ineligible`, `error`) and, over the `ok`
//! rows that have a value, the count, mean, median, 10th and 90th percentiles of `total`
//! (yuan a month) and `replacement_rate` (a fraction; empty for resident pensions, which have
//! no contribution base, so its count is often smaller than `ok`).
//!
//! * **Mean**: the exact decimal sum divided by the count and rounded once, half away from
//!   zero (C2), to 2 decimals for `total` and 4 for `replacement_rate` (the places the
//!   results file prints, contract §7). The division is done on integers, so the rounding is
//!   exact however many rows there are.
//! * **Percentiles** are nearest-rank: with the n values sorted ascending, the p-th
//!   percentile is the value at rank ⌈p·n/100⌉ (1-based). The median is the 50th percentile
//!   by the same rule, i.e. for an even count the lower of the two middle values. Every
//!   figure is then a value that occurs in the file (a pension someone is paid), never an
//!   interpolation between two people.
//! * **Groups** are listed in a natural order: column by column, numbers numerically
//!   (`500` before `1000`), then text, then an empty cell.
//! * **Memory**: the `ok` values are kept per group to find the percentiles (two 16-byte
//!   decimals a row, plus the group keys): a million-row results file peaks at 32 MB.
//!   The file itself is read record by record.
//!
//! Bad input stops with a message naming the line, the column, the value and what is
//! allowed: an unknown `status`, or a `total` or `replacement_rate` that is not a number.
//! An `ok` row with an empty `total` is counted in `ok` but not in the statistics, with a
//! warning.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::encoding::{record_line, LineEnds};

/// Why a summary could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SummaryError {
    /// The results file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file as named.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid CSV.
    #[error("{path}: {source}")]
    Csv {
        /// The file as named.
        path: PathBuf,
        /// The CSV error (with its position).
        source: csv::Error,
    },
    /// A needed column is not in the header.
    #[error("{path}: no column `{column}` ({why}); the file has: {have}")]
    MissingColumn {
        /// The file as named.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// What needs it.
        why: String,
        /// The columns the file has.
        have: String,
    },
    /// A cell that cannot be read.
    #[error("{path}: line {line}, column {column}, value '{value}': {why}")]
    Value {
        /// The file as named.
        path: PathBuf,
        /// Line number (1 = header).
        line: u64,
        /// Column name.
        column: String,
        /// The cell.
        value: String,
        /// What is wrong and what is allowed.
        why: String,
    },
    /// Reading standard input or writing the output failed.
    #[error(transparent)]
    Io(#[from] crate::pipeline::FatalError),
    /// A sum is too large for a decimal (values of about 10^22 yuan).
    #[error("{path}: the sum of column {column} in group {group} is too large to add up")]
    Overflow {
        /// The file as named.
        path: PathBuf,
        /// Column name.
        column: String,
        /// The group, its values joined by `,`.
        group: String,
    },
}

/// The measured columns and the decimal places their means are rounded to (contract §7).
pub const MEASURES: [(&str, u32); 2] = [("total", 2), ("replacement_rate", 4)];
/// The percentiles reported besides the mean, as (name, p).
pub const PERCENTILES: [(&str, u32); 3] = [("median", 50), ("p10", 10), ("p90", 90)];

/// Statistics of one measured column in one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Number of values (ok rows with a value).
    pub n: u64,
    /// Mean, rounded half away from zero; `None` without values.
    pub mean: Option<Decimal>,
    /// Median, p10 and p90 (nearest rank), in the order of [`PERCENTILES`].
    pub percentiles: [Option<Decimal>; 3],
}

/// One group's counts and statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The values of the `--by` columns.
    pub key: Vec<String>,
    /// Rows in the group.
    pub rows: u64,
    /// Rows with status `ok`.
    pub ok: u64,
    /// Rows with status `ineligible`.
    pub ineligible: u64,
    /// Rows with status `error`.
    pub error: u64,
    /// Statistics of each column of [`MEASURES`], in that order.
    pub stats: [Stats; 2],
}

/// A finished summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The grouping columns.
    pub by: Vec<String>,
    /// Groups in natural order of their keys.
    pub groups: Vec<Group>,
    /// Things the reader should know (rows left out of the statistics).
    pub warnings: Vec<String>,
}

/// The p-th percentile of `sorted` (ascending) by nearest rank: the value at rank
/// ⌈p·n/100⌉, counted from 1 (at least 1). `None` for no values.
pub fn nearest_rank(sorted: &[Decimal], p: u32) -> Option<Decimal> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    let rank = (u64::from(p) * n).div_ceil(100).clamp(1, n);
    Some(sorted[(rank - 1) as usize])
}

/// `sum / n` rounded half away from zero to `dp` places (C2), exactly: the quotient is
/// formed on integers, so no intermediate rounding can move it across a half.
pub fn mean(sum: Decimal, n: u64, dp: u32) -> Option<Decimal> {
    if n == 0 {
        return None;
    }
    let m = sum.mantissa();
    let s = sum.scale();
    let exact = || -> Option<Decimal> {
        let (num, den) = if dp >= s {
            (m.checked_mul(10i128.checked_pow(dp - s)?)?, i128::from(n))
        } else {
            (m, i128::from(n).checked_mul(10i128.checked_pow(s - dp)?)?)
        };
        // round(|num| / den) = ⌊(2|num| + den) / 2den⌋, sign put back.
        let q =
            num.unsigned_abs().checked_mul(2)?.checked_add(den.unsigned_abs())? / den.unsigned_abs().checked_mul(2)?;
        let q = i128::try_from(q).ok()?;
        let q = if num < 0 { -q } else { q };
        Decimal::try_from_i128_with_scale(q, dp).ok()
    };
    // Decimal division keeps 28 significant digits; the fallback (for sums beyond what the
    // integer form holds) can only differ from the exact rounding if the quotient lay within
    // 10^-20 of a half, which a count below 10^12 cannot produce.
    exact()
        .or_else(|| Some((sum / Decimal::from(n)).round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)))
}

/// The `summary` command: read `results` (`-` or a pipe: through a temporary copy, as
/// `chart` does), summarise it by `by`, write it to `output` (`-`: standard output) as
/// `format` (`csv` or `table`; default `table` on standard output, else `csv`), and print
/// the warnings and a count on standard error.
pub fn command(
    results: &Path,
    by: &[String],
    format: Option<&str>,
    output: &Path,
) -> Result<std::process::ExitCode, SummaryError> {
    let by: Vec<String> = by.iter().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()).collect();
    let input = crate::spool::Rereadable::new(results)?;
    let summary = summarise(input.path(), input.shown(), &by)?;
    let table = match format {
        Some("table") => true,
        Some(_) => false,
        None => output.as_os_str() == "-",
    };
    let bytes = if table { summary.to_table().into_bytes() } else { summary.to_csv() };
    let mut out = crate::sink::Output::create(output)?;
    if let Err(e) = out.put(&bytes) {
        out.abandon();
        return Err(e.into());
    }
    out.commit()?;
    for w in &summary.warnings {
        eprintln!("yanglao: warning: {w}");
    }
    let rows: u64 = summary.groups.iter().map(|g| g.rows).sum();
    eprintln!("yanglao: summarised {rows} rows in {} group(s)", summary.groups.len());
    Ok(std::process::ExitCode::SUCCESS)
}

/// Compare two group values: numbers (numerically) before text (by characters) before
/// empty cells.
fn natural(a: &str, b: &str) -> Ordering {
    let rank = |s: &str| match (s.is_empty(), number(s)) {
        (true, _) => (2, None),
        (false, Some(d)) => (0, Some(d)),
        (false, None) => (1, None),
    };
    let (ra, da) = rank(a);
    let (rb, db) = rank(b);
    ra.cmp(&rb).then_with(|| da.cmp(&db)).then_with(|| a.cmp(b))
}

fn number(s: &str) -> Option<Decimal> {
    Decimal::from_str(s).ok().or_else(|| Decimal::from_scientific(s).ok())
}

#[derive(Default)]
struct Acc {
    rows: u64,
    ok: u64,
    ineligible: u64,
    error: u64,
    values: [Vec<Decimal>; 2],
    sums: [Decimal; 2],
}

/// Read the results file at `path` (named `shown` in messages) and summarise it by the
/// columns `by` (none: one group of all rows).
pub fn summarise(path: &Path, shown: &Path, by: &[String]) -> Result<Summary, SummaryError> {
    let file = File::open(path).map_err(|e| SummaryError::Read { path: shown.to_path_buf(), source: e })?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(LineEnds::new(BufReader::new(file)));
    let csv_err = |e| SummaryError::Csv { path: shown.to_path_buf(), source: e };
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let find = |name: &str, why: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| SummaryError::MissingColumn {
            path: shown.to_path_buf(),
            column: name.to_string(),
            why: why.to_string(),
            have: header.join(", "),
        })
    };
    let status_col = find("status", "needed for the counts")?;
    let measure_cols =
        [find(MEASURES[0].0, "needed for the statistics")?, find(MEASURES[1].0, "needed for the statistics")?];
    let by_cols: Vec<usize> = by.iter().map(|b| find(b, "named in --by")).collect::<Result<_, _>>()?;

    let mut groups: BTreeMap<Vec<String>, Acc> = BTreeMap::new();
    let mut empty_total = 0u64;
    let mut first_empty: Option<u64> = None;
    let mut rec = csv::StringRecord::new();
    while reader.read_record(&mut rec).map_err(csv_err)? {
        let line = || record_line(reader.position().line(), rec.as_byte_record());
        let cell = |c: usize| rec.get(c).unwrap_or("").trim();
        let key: Vec<String> = by_cols.iter().map(|&c| cell(c).to_string()).collect();
        let acc = groups.entry(key.clone()).or_default();
        acc.rows += 1;
        let status = cell(status_col);
        match status {
            "ok" => acc.ok += 1,
            "ineligible" => {
                acc.ineligible += 1;
                continue;
            }
            "error" => {
                acc.error += 1;
                continue;
            }
            other => {
                return Err(SummaryError::Value {
                    path: shown.to_path_buf(),
                    line: line(),
                    column: "status".into(),
                    value: other.to_string(),
                    why: "not a status; allowed: ok, ineligible, error".into(),
                })
            }
        }
        for (i, &c) in measure_cols.iter().enumerate() {
            let v = cell(c);
            if v.is_empty() {
                if i == 0 {
                    empty_total += 1;
                    first_empty.get_or_insert_with(line);
                }
                continue;
            }
            let Some(d) = number(v) else {
                return Err(SummaryError::Value {
                    path: shown.to_path_buf(),
                    line: line(),
                    column: MEASURES[i].0.into(),
                    value: v.to_string(),
                    why: "not a number; allowed: a decimal number such as 1234.56 (or empty)".into(),
                });
            };
            acc.sums[i] = acc.sums[i].checked_add(d).ok_or_else(|| SummaryError::Overflow {
                path: shown.to_path_buf(),
                column: MEASURES[i].0.into(),
                group: key.join(","),
            })?;
            acc.values[i].push(d);
        }
    }

    let mut warnings = Vec::new();
    if let Some(line) = first_empty {
        warnings.push(format!(
            "{empty_total} row(s) with status ok have an empty total (first: line {line}); they are counted in ok \
             but not in the total statistics"
        ));
    }
    let mut out: Vec<Group> = groups
        .into_iter()
        .map(|(key, mut acc)| {
            let stats = std::array::from_fn(|i| {
                let v = &mut acc.values[i];
                v.sort_unstable();
                let dp = MEASURES[i].1;
                let show = |d: Decimal| d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
                Stats {
                    n: v.len() as u64,
                    mean: mean(acc.sums[i], v.len() as u64, dp),
                    percentiles: PERCENTILES.map(|(_, p)| nearest_rank(v, p).map(show)),
                }
            });
            Group { key, rows: acc.rows, ok: acc.ok, ineligible: acc.ineligible, error: acc.error, stats }
        })
        .collect();
    out.sort_by(|a, b| {
        a.key.iter().zip(&b.key).map(|(x, y)| natural(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
    });
    Ok(Summary { by: by.to_vec(), groups: out, warnings })
}

impl Summary {
    /// Column names of the output, grouping columns first.
    pub fn header(&self) -> Vec<String> {
        let mut h = self.by.clone();
        h.extend(["rows", "ok", "ineligible", "error"].map(String::from));
        for (m, _) in MEASURES {
            h.push(format!("{m}_n"));
            h.push(format!("{m}_mean"));
            for (p, _) in PERCENTILES {
                h.push(format!("{m}_{p}"));
            }
        }
        h
    }

    /// The output cells, one row per group, in [`Summary::header`] order; decimals with
    /// the places of their column, empty where a group has no value.
    pub fn cells(&self) -> Vec<Vec<String>> {
        self.groups
            .iter()
            .map(|g| {
                let mut r = g.key.clone();
                r.extend([g.rows, g.ok, g.ineligible, g.error].map(|n| n.to_string()));
                for (s, (_, dp)) in g.stats.iter().zip(MEASURES) {
                    let f = |d: &Option<Decimal>| d.map_or_else(String::new, |d| format!("{:.*}", dp as usize, d));
                    r.push(s.n.to_string());
                    r.push(f(&s.mean));
                    r.extend(s.percentiles.iter().map(f));
                }
                r
            })
            .collect()
    }

    /// The summary as CSV (UTF-8, `\n` line ends).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(self.header());
        for r in self.cells() {
            let _ = w.write_record(r);
        }
        w.into_inner().unwrap_or_default()
    }

    /// The summary as a table for a terminal: columns aligned (wide characters count two),
    /// numbers right-aligned, an empty group value shown as `(empty)`.
    pub fn to_table(&self) -> String {
        let header = self.header();
        let nby = self.by.len();
        let mut rows = vec![header];
        for mut r in self.cells() {
            for c in r.iter_mut().take(nby) {
                if c.is_empty() {
                    *c = "(empty)".into();
                }
            }
            rows.push(r);
        }
        let ncol = rows[0].len();
        let widths: Vec<usize> =
            (0..ncol).map(|c| rows.iter().map(|r| display_width(&r[c])).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for (i, r) in rows.iter().enumerate() {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                let pad = " ".repeat(widths[c] - display_width(cell));
                if c > 0 {
                    line.push_str("  ");
                }
                if c < nby {
                    line.push_str(cell);
                    line.push_str(&pad);
                } else {
                    line.push_str(&pad);
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if i == 0 {
                let total: usize = widths.iter().sum::<usize>() + 2 * (ncol - 1);
                out.push_str(&"-".repeat(total));
                out.push('\n');
            }
        }
        out
    }
}

/// Columns a character takes in a terminal: two for East Asian wide characters (CJK,
/// full-width forms), one otherwise.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn nearest_rank_takes_the_value_at_the_ceiling_rank() {
        let v: Vec<Decimal> = ["1", "2", "3", "4"].map(d).to_vec();
        // n = 4: p10 → rank ⌈0.4⌉ = 1; median → rank 2 (the lower middle); p90 → ⌈3.6⌉ = 4.
        assert_eq!(nearest_rank(&v, 10), Some(d("1")));
        assert_eq!(nearest_rank(&v, 50), Some(d("2")));
        assert_eq!(nearest_rank(&v, 90), Some(d("4")));
        // n = 10: p10 → rank 1, p90 → rank 9.
        let v: Vec<Decimal> = (1..=10).map(Decimal::from).collect();
        assert_eq!(nearest_rank(&v, 10), Some(d("1")));
        assert_eq!(nearest_rank(&v, 90), Some(d("9")));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn mean_rounds_half_away_from_zero_exactly() {
        // 0.01 + 0.02 = 0.03; / 2 = 0.015 → 0.02 (half away from zero).
        assert_eq!(mean(d("0.03"), 2, 2), Some(d("0.02")));
        assert_eq!(mean(d("-0.03"), 2, 2), Some(d("-0.02")));
        // 1 / 3 = 0.3333… → 0.3333 at 4 places.
        assert_eq!(mean(d("1"), 3, 4), Some(d("0.3333")));
        // 2.00 / 3 = 0.666… → 0.67.
        assert_eq!(mean(d("2.00"), 3, 2), Some(d("0.67")));
        assert_eq!(mean(d("5"), 0, 2), None);
        // More places in the sum than in the result.
        assert_eq!(mean(d("0.12345"), 1, 4), Some(d("0.1235")));
    }

    #[test]
    fn groups_sort_numbers_before_text_before_empty() {
        let mut v = vec!["1000", "", "abc", "500", "8000"];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(v, ["500", "1000", "8000", "abc", ""]);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("潍坊a"), 5);
    }
}
