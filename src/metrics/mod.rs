//! Analyst metrics after retirement (replacement rates, break-even, IRR, pension wealth)
//! and the yearly paths file.

use crate::io::results::{Format, Metrics};
use crate::model::{Context, Outcome, Scenario};

/// Header of the `--paths` CSV.
pub const PATHS_HEADER: &str =
    "id,year,age,own_paid,gov_paid,balance,monthly_pension,cumulative_paid,cumulative_received,survival\n";

/// Metrics of one computed row.
pub fn compute(_s: &Scenario, _o: &Outcome, _ctx: &Context) -> Metrics {
    Metrics::default()
}

/// Yearly path rows of one computed row.
pub fn paths_rows(_s: &Scenario, _o: &Outcome, _m: &Metrics, _ctx: &Context, _fmt: Format) -> String {
    String::new()
}
