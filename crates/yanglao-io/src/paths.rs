//! The `--paths` CSV: one row per calendar year of each result row, from the yearly path
//! that [`metrics::path_years`] computes (money with two decimals, survival with six).

use crate::metrics::{self, PathYear};
use crate::model::{Context, Outcome, Scenario};
use crate::results::{push_fixed, push_text, Format};
use std::fmt::Write;

/// Header of the `--paths` CSV.
pub const PATHS_HEADER: &str =
    "id,year,age,own_paid,gov_paid,balance,monthly_pension,cumulative_paid,cumulative_received,survival\n";

/// Yearly path rows of one row (`--paths`): from the first projected year to the life
/// horizon (to the table's end for rows without a pension).
pub fn paths_rows(s: &Scenario, o: &Outcome, ctx: &Context, fmt: Format) -> String {
    let mut out = String::new();
    push_paths_rows(&mut out, s, o, ctx, fmt);
    out
}

/// Appends the yearly path rows of one row (see [`paths_rows`]).
pub fn push_paths_rows(out: &mut String, s: &Scenario, o: &Outcome, ctx: &Context, fmt: Format) {
    metrics::path_years(s, o, ctx, |p: &PathYear| {
        push_text(out, &s.id, fmt);
        let _ = write!(out, ",{},{},", p.year, p.age);
        push_fixed(out, p.own_paid, 2);
        out.push(',');
        if let Some((gov_paid, balance)) = p.account {
            push_fixed(out, gov_paid, 2);
            out.push(',');
            push_fixed(out, balance, 2);
            out.push(',');
        } else {
            out.push_str(",,");
        }
        for v in [p.monthly_pension, p.cumulative_paid, p.cumulative_received] {
            push_fixed(out, v, 2);
            out.push(',');
        }
        let _ = writeln!(out, "{:.6}", p.survival);
    });
}
