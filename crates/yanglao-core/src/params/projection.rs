//! Projection of the yearly series past their last official year (C8, C11, C14): the
//! run-wide [`Projector`] tables and the per-row projections.

use super::*;

/// Yearly W and C of every region, projected past their last official year with one
/// growth rate (C8, C14), plus the crediting rate by year (C11). Built once per run for
/// the run's assumptions; rows with their own `wage_growth` or `avg_wage` project their
/// own copy (see `model`).
#[derive(Debug, Clone)]
pub struct Projector {
    /// First year in the tables.
    pub first_year: i32,
    /// Last year in the tables.
    pub last_year: i32,
    /// Per region: W(y) for y in first..=last (None before the series starts).
    pub wage: Vec<Vec<Option<Sourced<Decimal>>>>,
    /// Per region: C(y).
    pub base: Vec<Vec<Option<Sourced<Decimal>>>>,
    /// Crediting rate r(y) for employee accounts (C11).
    pub rate: Vec<Sourced<Decimal>>,
}

/// First year covered by a [`Projector`].
pub const PROJECT_FROM: i32 = 1990;
/// Last year covered by a [`Projector`].
pub const PROJECT_TO: i32 = MAX_YEAR + 1;

impl Projector {
    /// Builds the tables for a growth rate and a fallback crediting rate.
    pub fn new(params: &Params, wage_growth: Decimal, account_rate: Decimal) -> Projector {
        let first_year = PROJECT_FROM;
        let last_year = PROJECT_TO;
        let wage = params
            .regions
            .iter()
            .map(|r| project_wage(r.avg_wage.as_ref(), first_year, last_year, wage_growth, None))
            .collect();
        let base = params
            .regions
            .iter()
            .map(|r| project_series(r.pension_base.as_ref(), first_year, last_year, wage_growth))
            .collect();
        let rate = (first_year..=last_year)
            .map(|y| {
                params
                    .national
                    .crediting_rate
                    .get(y)
                    .unwrap_or(Sourced { value: account_rate, provenance: Provenance::Projected })
            })
            .collect();
        Projector { first_year, last_year, wage, base, rate }
    }

    pub(super) fn slot(&self, year: i32) -> Option<usize> {
        if (self.first_year..=self.last_year).contains(&year) {
            Some((year - self.first_year) as usize)
        } else {
            None
        }
    }

    /// W(y) of a region (C8).
    pub fn wage(&self, region: RegionId, year: i32) -> Option<Sourced<Decimal>> {
        self.wage[region as usize][self.slot(year)?]
    }

    /// C(y) of a region (C14).
    pub fn base(&self, region: RegionId, year: i32) -> Option<Sourced<Decimal>> {
        self.base[region as usize][self.slot(year)?]
    }

    /// Crediting rate of a year (C11).
    pub fn rate(&self, year: i32) -> Sourced<Decimal> {
        match self.slot(year) {
            Some(i) => self.rate[i],
            None => self.rate[self.rate.len() - 1],
        }
    }
}

/// Money rounding used by the projections (0.01, half away from zero).
pub(super) const CENT: Round = Round::half_up(2);

/// C(y): the official value where the series has one, then grown by `g` (C14).
pub fn project_series(series: Option<&YearSeries>, first: i32, last: i32, g: Decimal) -> Vec<Option<Sourced<Decimal>>> {
    let mut out: Vec<Option<Sourced<Decimal>>> = Vec::with_capacity((last - first + 1) as usize);
    for y in first..=last {
        let v = match series.and_then(|s| s.get(y)) {
            Some(v) => Some(v),
            None => match (series, out.last().copied().flatten()) {
                (Some(s), Some(prev)) if y > s.last() => grow(prev, g),
                _ => None,
            },
        };
        out.push(v);
    }
    out
}

/// W(y) = avg_wage(y − 1) where official, then grown by `g` (C8). `anchor` = (year, W)
/// replaces W of that year and everything after grows from it (the row's `avg_wage`).
pub fn project_wage(
    avg_wage: Option<&YearSeries>,
    first: i32,
    last: i32,
    g: Decimal,
    anchor: Option<(i32, Decimal)>,
) -> Vec<Option<Sourced<Decimal>>> {
    let mut out: Vec<Option<Sourced<Decimal>>> = Vec::with_capacity((last - first + 1) as usize);
    for y in first..=last {
        let prev = out.last().copied().flatten();
        let v = match anchor {
            Some((ay, w)) if ay == y => Some(Sourced { value: w, provenance: Provenance::Official }),
            Some((ay, _)) if y > ay => prev.and_then(|p| grow(p, g)),
            _ => match avg_wage.and_then(|s| s.get(y - 1)) {
                Some(v) => Some(v),
                None => match (avg_wage, prev) {
                    (Some(s), Some(p)) if y - 1 > s.last() => grow(p, g),
                    _ => None,
                },
            },
        };
        out.push(v);
    }
    out
}

/// One year of growth; None once the value leaves the range of exact decimals (a year
/// that far cannot be projected at that rate, and rows needing it get an error).
pub(super) fn grow(prev: Sourced<Decimal>, g: Decimal) -> Option<Sourced<Decimal>> {
    let v = prev.value.checked_mul(Decimal::ONE + g)?;
    if v > Decimal::from(1_000_000_000_000_000i64) {
        return None;
    }
    Some(Sourced { value: CENT.apply(v), provenance: prev.provenance.max(Provenance::Projected) })
}
