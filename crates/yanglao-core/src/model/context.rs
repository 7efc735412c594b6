//! What every row of a run shares ([`Context`]): parameters, assumptions, the projected
//! series and the life table.

use crate::params::{Assumptions, LifeTable, Params, Projector};

/// What every row shares: parameters, assumptions and the pre-projected series.
#[derive(Debug, Clone)]
pub struct Context {
    /// Parameters.
    pub params: Params,
    /// Run-wide assumptions.
    pub assumptions: Assumptions,
    /// W, C and crediting rates projected with the run's assumptions.
    pub projector: Projector,
    /// Record yearly traces (for `--paths`).
    pub trace: bool,
    /// Life table for the lifetime metrics.
    pub life: LifeTable,
}

impl Context {
    /// Builds the shared context.
    pub fn new(params: Params, assumptions: Assumptions) -> Context {
        let projector = Projector::new(&params, assumptions.wage_growth, assumptions.account_rate);
        Context { params, assumptions, projector, trace: false, life: LifeTable::builtin() }
    }
}
