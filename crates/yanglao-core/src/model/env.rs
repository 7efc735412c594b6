//! The per-row view of the rates ([`Env`]): the shared projections, or the row's own when
//! it overrides `wage_growth` or `avg_wage`, with the weakest provenance used. Its own
//! module, so that the employee and resident accruals and the projection that calls them
//! need not import each other for it.

use super::context::Context;
use super::{Event, ResSpell, RowError, Scenario, Trace, Used};
use crate::params::{
    compare, project_series, project_wage, Month, Params, Provenance, RegionId, Rounding, Sourced, PROJECT_FROM,
    PROJECT_TO,
};
use rust_decimal::Decimal;

/// Per-row view of the rates: the shared projections, or the row's own when it overrides
/// `wage_growth` or `avg_wage`; collects the weakest provenance used.
pub(crate) struct Env<'a> {
    pub(crate) ctx: &'a Context,
    pub(crate) row: &'a Scenario,
    pub(crate) growth: Decimal,
    pub(crate) account_rate: Decimal,
    pub(crate) custom: bool,
    pub(crate) wages: Vec<(RegionId, Table)>,
    pub(crate) bases: Vec<(RegionId, Table)>,
    pub rounding: Rounding,
    pub account_share: Decimal,
    pub employee_share: Decimal,
    pub flexible_share: Decimal,
    pub provenance: Provenance,
    /// The last tier lookup: (table address, tier's bits, hardship) → (tier, subsidy).
    pub(crate) last_tier: Option<TierKey>,
    /// Provenance of the last parameter value used (for the trace).
    pub last: Provenance,
    /// The step-by-step record, when one is asked for (`yanglao explain`).
    pub(crate) tracer: Option<&'a mut Trace>,
}

/// A remembered tier lookup of [`Env::tier_and_subsidy`].
/// The tier is keyed by its representation (`Decimal::serialize`): comparing 16 bytes is
/// cheaper than comparing decimal values, and a tier written at another scale only misses
/// the cache.
type TierKey = ((usize, Option<[u8; 16]>, bool), (Decimal, Decimal));

impl<'a> Env<'a> {
    pub(crate) fn new(row: &'a Scenario, ctx: &'a Context) -> Env<'a> {
        let nat = &ctx.params.national;
        Env {
            ctx,
            row,
            growth: row.wage_growth.unwrap_or(ctx.assumptions.wage_growth),
            account_rate: row.account_rate.unwrap_or(ctx.assumptions.account_rate),
            custom: row.wage_growth.is_some() || row.avg_wage.is_some(),
            wages: Vec::new(),
            bases: Vec::new(),
            rounding: ctx.params.region(row.region).rounding,
            account_share: nat.account_share,
            employee_share: nat.employee_share,
            flexible_share: nat.flexible_share,
            provenance: Provenance::Official,
            last_tier: None,
            last: Provenance::Official,
            tracer: None,
        }
    }

    /// Appends the event `f` makes to the trace, when there is one (nothing is built
    /// otherwise).
    #[inline]
    pub(crate) fn note(&mut self, f: impl FnOnce() -> Event) {
        if let Some(t) = self.tracer.as_deref_mut() {
            t.events.push(f());
        }
    }

    /// Whether a trace is being recorded.
    #[inline]
    pub(crate) fn tracing(&self) -> bool {
        self.tracer.is_some()
    }

    /// `v` with the provenance of the last parameter used.
    pub(crate) fn used(&self, v: Decimal) -> Used {
        Used { value: v, provenance: Some(self.last) }
    }

    /// Yearly increase of pensions after the last dated rule: the row's, else the run's.
    pub fn indexation(&self) -> Decimal {
        self.row.indexation.unwrap_or(self.ctx.assumptions.indexation)
    }

    /// Whether yearly traces are recorded.
    pub fn trace(&self) -> bool {
        self.ctx.trace
    }

    pub(crate) fn params(&self) -> &'a Params {
        &self.ctx.params
    }

    pub(crate) fn use_value(&mut self, v: Sourced<Decimal>) -> Decimal {
        self.provenance = self.provenance.max(v.provenance);
        self.last = v.provenance;
        v.value
    }

    /// W(y) of a region (C8); `needed_by` names the month that needs it, for the error.
    #[inline]
    pub fn wage(&mut self, region: RegionId, year: i32, needed_by: Month) -> Result<Decimal, RowError> {
        if !self.custom {
            if let Some(v) = self.ctx.projector.wage(region, year) {
                return Ok(self.use_value(v));
            }
        }
        self.wage_slow(region, year, needed_by)
    }

    /// [`Env::wage`] for rows with their own wage growth or W, and the error.
    #[cold]
    #[inline(never)]
    pub(crate) fn wage_slow(&mut self, region: RegionId, year: i32, needed_by: Month) -> Result<Decimal, RowError> {
        let v = if self.custom {
            let params = self.params();
            let row_province = params.region(self.row.region).province;
            let (growth, row) = (self.growth, self.row);
            let table = cached(&mut self.wages, region, || {
                let reg = params.region(region);
                let anchor =
                    if reg.province == row_province { row.avg_wage.map(|w| (row.as_of.year(), w)) } else { None };
                project_wage(reg.avg_wage.as_ref(), PROJECT_FROM, PROJECT_TO, growth, anchor)
            });
            at_year(table, year)
        } else {
            self.ctx.projector.wage(region, year)
        };
        match v {
            Some(v) => Ok(self.use_value(v)),
            None => {
                let reg = self.params().region(region);
                let span = reg
                    .avg_wage
                    .as_ref()
                    .map(|s| format!("its avg_wage series covers {}–{}", s.first, s.last()))
                    .unwrap_or_else(|| "it has no avg_wage series".to_string());
                Err(RowError::new(
                    "as_of",
                    needed_by.to_string(),
                    format!("no reference wage W({year}) for region {}: {span}", reg.key),
                    "contribution months whose year has a W (the year after the first avg_wage year onward), or an avg_wage column",
                ))
            }
        }
    }

    /// C(y) of a region (C14).
    pub fn base(&mut self, region: RegionId, year: i32) -> Result<Decimal, RowError> {
        let v = if self.row.wage_growth.is_some() {
            let (params, growth) = (self.params(), self.growth);
            let table = cached(&mut self.bases, region, || {
                project_series(params.region(region).pension_base.as_ref(), PROJECT_FROM, PROJECT_TO, growth)
            });
            at_year(table, year)
        } else {
            self.ctx.projector.base(region, year)
        };
        match v {
            Some(v) => Ok(self.use_value(v)),
            None => {
                let reg = self.params().region(region);
                Err(RowError::new(
                    "base_at_retirement",
                    "",
                    format!("no pension base C({year}) for region {}", reg.key),
                    "a region with a pension_base series covering the retirement year, or a base_at_retirement value",
                ))
            }
        }
    }

    /// Employee crediting rate of a year (C11).
    #[inline]
    pub fn rate(&mut self, year: i32) -> Decimal {
        let v = match self.ctx.params.national.crediting_rate.get(year) {
            Some(v) => v,
            None if self.row.account_rate.is_some() => {
                Sourced { value: self.account_rate, provenance: Provenance::Projected }
            }
            None => self.ctx.projector.rate(year),
        };
        self.use_value(v)
    }

    /// Resident crediting rate of a year (C19): the region's, else `account_rate`.
    pub fn resident_rate(&mut self, year: i32) -> Decimal {
        let reg = self.params().region(self.row.region);
        let v = reg
            .resident_account_rate
            .as_ref()
            .and_then(|s| s.get(year))
            .unwrap_or(Sourced { value: self.account_rate, provenance: Provenance::Projected });
        self.use_value(v)
    }

    /// Tier and subsidy of a spell in a year (C20); an unknown tier lists the allowed ones.
    pub fn tier_and_subsidy(
        &mut self,
        sp: &ResSpell,
        at: Month,
        hardship: bool,
    ) -> Result<(Decimal, Decimal), RowError> {
        let reg = self.params().region(sp.region);
        let Some(table) = reg.tiers_at(at) else {
            return Err(RowError::new(
                "tier",
                "",
                format!("no resident tier table for {} in {at}", reg.key),
                "a region with resident_tiers",
            ));
        };
        // Consecutive years usually find the same table and tier: reuse the last answer
        // (its provenance is already counted).
        let key = (table as *const crate::params::TierTable as usize, sp.tier.map(|t| t.serialize()), hardship);
        if let Some((k, v)) = self.last_tier {
            if k == key {
                return Ok(v);
            }
        }
        let allowed = || table.tiers.iter().map(|t| t.tier.to_string()).collect::<Vec<_>>().join(", ");
        let found = match sp.tier {
            Some(t) => table.tiers.iter().find(|x| compare(x.tier, t).is_eq()).copied().ok_or_else(|| {
                RowError::new(
                    "tier",
                    t.to_string(),
                    format!("not a resident tier of {} in {}", reg.key, at.year()),
                    allowed(),
                )
            })?,
            None if hardship => table.tiers[0],
            None => {
                return Err(RowError::new(
                    "tier",
                    "",
                    "required for a resident with future contribution years",
                    allowed(),
                ))
            }
        };
        let provenance = table.provenance;
        self.provenance = self.provenance.max(provenance);
        let subsidy = self.row.subsidy.unwrap_or(found.subsidy);
        self.last_tier = Some((key, (found.tier, subsidy)));
        Ok((found.tier, subsidy))
    }

    /// Provenance of a region's tier table at a month (for the trace).
    pub(crate) fn params_tiers(&self, region: RegionId, at: Month) -> Option<Provenance> {
        self.params().region(region).tiers_at(at).map(|t| t.provenance)
    }

    /// 代缴 amount of a region at a month (C19, C27.4): the region's dated 代缴 series (a
    /// city inherits its province's), else the region's lowest resident tier in force, with
    /// provenance `assumed`; 0 only where the region has neither.
    pub fn hardship_amount(&mut self, region: RegionId, at: Month) -> Decimal {
        let reg = self.params().region(region);
        if let Some(v) = reg.hardship_amount.as_ref().and_then(|s| s.at(at)) {
            return self.use_value(v);
        }
        match reg.tiers_at(at).and_then(|t| t.tiers.iter().map(|t| t.tier).min()) {
            Some(lowest) => self.use_value(Sourced { value: lowest, provenance: Provenance::Assumed }),
            None => Decimal::ZERO,
        }
    }
}

/// A row's own projected table for a region, made on first use.
type Table = Vec<Option<Sourced<Decimal>>>;

fn cached(tables: &mut Vec<(RegionId, Table)>, region: RegionId, make: impl FnOnce() -> Table) -> &Table {
    let i = match tables.iter().position(|(r, _)| *r == region) {
        Some(i) => i,
        None => {
            tables.push((region, make()));
            tables.len() - 1
        }
    };
    &tables[i].1
}

fn at_year(table: &Table, year: i32) -> Option<Sourced<Decimal>> {
    usize::try_from(year - PROJECT_FROM).ok().and_then(|k| table.get(k).copied().flatten())
}
