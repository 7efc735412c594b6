//! `yanglao seek`: for each row, the smallest value of one input that reaches a target.
//!
//! The varied input takes its values from the allowed set, in increasing order:
//! - `tier`: the resident tiers of the row's region (the tier table in force at the end of
//!   the first contribution year); applied to the row and to its resident segments;
//! - `contribution_index`: 0.60 to 3.00 in steps of 0.01 (C9); applied to the row and to
//!   its employee/flexible segments;
//! - `retire`: every month from 36 months before to 36 months after the statutory month
//!   (C6; for `special` rows from the arduous-work age); months the model refuses (before
//!   the original age, early without the minimum years) are skipped;
//! - `stop`: every month from the first contribution month (`start`, else `as_of`) to the
//!   month before the pension month (resident rows: each December up to the year before
//!   the pension year). Rows with segments are refused (their spells set the stops).
//!
//! Targets: `total=YUAN` (monthly pension ≥ target), `replacement_rate=FRACTION` (≥),
//! `breakeven_age=AGE` (≤: reaching an earlier break-even age is the goal; AGE is whole
//! years like `68` or `68y6m`). An ineligible outcome counts as a total of 0 and as no
//! replacement rate or break-even age.
//!
//! Search: the total pension never falls when the contribution index or the tier rises
//! (property-tested in `tests/integration/properties.rs`, and the bisection is
//! property-tested equal to the scan below), so `total` with `tier` or
//! `contribution_index` is found by bisection (about 8 projections for 241 indices). Every
//! other pair is scanned in order, because it is not monotone: a higher index lowers the
//! replacement rate (the base grows faster than the pension), a later stop can lower the
//! total (a stop just short of the minimum years extends the contributions past the
//! statutory month, to a smaller divisor), and the break-even age moves both ways.
//!
//! Output columns: `id, status, vary, target, value, achieved, message`. `status` is
//! `found` (value = the smallest allowed value that reaches the target, achieved = the
//! target metric at that value), `unreachable` (value = the allowed value with the best
//! metric, the smallest such, and achieved = that metric) or `error` (the row's message).
//! `message` says how the value was found and, for `found`, what the next lower allowed
//! value gives, so that minimality can be checked by hand.

use crate::metrics;
use crate::model::{project, statutory_retirement, Category, Context, Scenario, Scheme, Status};
use crate::params::{Age, Month};
use crate::pipeline::RowWriter;
use crate::results::{fixed, push_text, Format};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The input varied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vary {
    /// Resident tier.
    Tier,
    /// Future contribution index.
    ContributionIndex,
    /// Chosen retirement month.
    Retire,
    /// Last contribution month.
    Stop,
}

impl Vary {
    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Vary::Tier => "tier",
            Vary::ContributionIndex => "contribution_index",
            Vary::Retire => "retire",
            Vary::Stop => "stop",
        }
    }
}

/// What is to be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Monthly pension at least this.
    Total(Decimal),
    /// Replacement rate at least this.
    ReplacementRate(Decimal),
    /// Break-even age at most this (months).
    BreakevenAge(i32),
}

impl Target {
    /// Parses `total=1200`, `replacement_rate=0.6`, `breakeven_age=68` or `breakeven_age=68y6m`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let allowed = "allowed total=YUAN, replacement_rate=FRACTION or breakeven_age=AGE (e.g. 68 or 68y6m)";
        let (k, v) = text.split_once('=').ok_or_else(|| format!("--target '{text}': no '='; {allowed}"))?;
        let (k, v) = (k.trim(), v.trim());
        let dec = || {
            crate::scenario::parse_decimal(v).map_err(|why| format!("--target '{text}': {why}; {allowed}")).and_then(
                |d| {
                    if d < Decimal::ZERO {
                        Err(format!("--target '{text}': negative; {allowed}"))
                    } else {
                        Ok(d)
                    }
                },
            )
        };
        match k {
            "total" => Ok(Target::Total(dec()?)),
            "replacement_rate" => Ok(Target::ReplacementRate(dec()?)),
            "breakeven_age" => parse_age(v)
                .map(Target::BreakevenAge)
                .ok_or_else(|| format!("--target '{text}': not an age; {allowed}")),
            _ => Err(format!("--target '{text}': unknown target '{k}'; {allowed}")),
        }
    }

    fn text(self) -> String {
        match self {
            Target::Total(d) => format!("total={}", d.normalize()),
            Target::ReplacementRate(d) => format!("replacement_rate={}", d.normalize()),
            Target::BreakevenAge(a) => format!("breakeven_age={}", Age(a)),
        }
    }
}

fn parse_age(v: &str) -> Option<i32> {
    let (y, m) = match v.split_once('y') {
        Some((y, m)) => (y, m.strip_suffix('m').unwrap_or(m)),
        None => (v, "0"),
    };
    let (y, m): (i32, i32) = (y.parse().ok()?, if m.is_empty() { 0 } else { m.parse().ok()? });
    ((0..=150).contains(&y) && (0..12).contains(&m)).then_some(y * 12 + m)
}

/// One candidate value of the varied input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Number(Decimal),
    Month(Month),
}

impl Value {
    fn text(self, vary: Vary) -> String {
        match (self, vary) {
            (Value::Number(d), Vary::ContributionIndex) => fixed(d, 2),
            (Value::Number(d), _) => d.normalize().to_string(),
            (Value::Month(m), _) => m.to_string(),
        }
    }
}

/// The metric of the target at one value (None: not defined there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Money(Decimal),
    Rate(Option<Decimal>),
    Age(Option<i32>),
}

impl Metric {
    fn text(self) -> String {
        match self {
            Metric::Money(d) => fixed(d, 2),
            Metric::Rate(r) => r.map(|r| fixed(r, 4)).unwrap_or_default(),
            Metric::Age(a) => a.map(|a| Age(a).to_string()).unwrap_or_default(),
        }
    }
}

/// The `seek` row writer.
#[derive(Debug, Clone, Copy)]
pub struct Seek {
    /// Input varied.
    pub vary: Vary,
    /// Target.
    pub target: Target,
}

/// The result for one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// `found` or `unreachable`.
    pub reached: bool,
    /// The value (found or best).
    pub value: String,
    /// The metric there.
    pub achieved: String,
    /// How.
    pub message: String,
}

impl Seek {
    fn reaches(&self, m: Metric) -> bool {
        match (self.target, m) {
            (Target::Total(t), Metric::Money(v)) => v >= t,
            (Target::ReplacementRate(t), Metric::Rate(Some(v))) => v >= t,
            (Target::BreakevenAge(t), Metric::Age(Some(v))) => v <= t,
            _ => false,
        }
    }

    /// Ordering of metrics, better is greater.
    fn better(a: Metric, b: Metric) -> Ordering {
        match (a, b) {
            (Metric::Money(a), Metric::Money(b)) => a.cmp(&b),
            (Metric::Rate(a), Metric::Rate(b)) => a.cmp(&b),
            (Metric::Age(a), Metric::Age(b)) => match (a, b) {
                (Some(a), Some(b)) => b.cmp(&a),
                (a, b) => a.is_some().cmp(&b.is_some()),
            },
            _ => Ordering::Equal,
        }
    }

    /// The allowed values, in increasing order.
    fn candidates(&self, s: &Scenario, ctx: &Context) -> Result<Vec<Value>, String> {
        let emp_segments = s.segments.iter().any(|g| g.scheme != Scheme::Resident);
        let res_segments = s.segments.iter().any(|g| g.scheme == Scheme::Resident);
        let resident = (s.scheme == Scheme::Resident && s.segments.is_empty()) || res_segments;
        let employee = (s.scheme != Scheme::Resident && s.segments.is_empty()) || emp_segments;
        match self.vary {
            Vary::ContributionIndex => {
                if !employee {
                    return Err("the row has no employee or flexible contributions to vary".into());
                }
                // Hundredths from the parameters' index bounds (C9: 0.60 to 3.00).
                let nat = &ctx.params.national;
                let hundredths =
                    |d: Decimal| rust_decimal::prelude::ToPrimitive::to_i64(&(d * Decimal::ONE_HUNDRED).ceil());
                let (lo, hi) =
                    (hundredths(nat.index_min).unwrap_or_default(), hundredths(nat.index_max).unwrap_or_default());
                Ok((lo..=hi).map(|i| Value::Number(Decimal::new(i, 2))).collect())
            }
            Vary::Tier => {
                if !resident {
                    return Err("the row has no resident contributions to vary".into());
                }
                let first = s.start.unwrap_or(s.as_of).max(s.as_of);
                let table = ctx
                    .params
                    .region(s.region)
                    .tiers_at(Month::december(first.year()))
                    .ok_or_else(|| format!("no resident tier table for {}", ctx.params.region(s.region).key))?;
                Ok(table.tiers.iter().map(|t| Value::Number(t.tier)).collect())
            }
            Vary::Retire => {
                if s.scheme == Scheme::Resident {
                    return Err(format!(
                        "a resident pension starts at {}; retire is for employee and flexible rows",
                        ctx.params.national.resident_pension_age
                    ));
                }
                let cat = s.category.ok_or("category is required to vary retire")?;
                let cat = if s.scheme == Scheme::Flexible && cat == Category::FemaleWorker {
                    Category::FemaleCadre
                } else {
                    cat
                };
                let nat = &ctx.params.national;
                let stat = statutory_retirement(nat, s.birth, cat);
                let window = nat.flexible_window;
                let mut lo = stat.month.plus(-window);
                if s.special {
                    lo = lo.min(s.birth.plus(nat.groups[cat.group_index()].special_age * 12));
                }
                let hi = stat.month.plus(window);
                Ok((0..=hi.since(lo)).map(|k| Value::Month(lo.plus(k))).collect())
            }
            Vary::Stop => {
                if !s.segments.is_empty() {
                    return Err(
                        "the row has segments, whose spells set the stops; allowed: rows without segments".into()
                    );
                }
                let from = s.start.unwrap_or(s.as_of).max(s.as_of);
                if s.scheme == Scheme::Resident {
                    let last = s.birth.plus(ctx.params.national.resident_pension_months()).year() - 1;
                    return Ok((from.year()..=last).map(|y| Value::Month(Month::december(y))).collect());
                }
                let cat = s.category.ok_or("category is required to vary stop")?;
                let cat = if s.scheme == Scheme::Flexible && cat == Category::FemaleWorker {
                    Category::FemaleCadre
                } else {
                    cat
                };
                let pension = s.retire.unwrap_or(statutory_retirement(&ctx.params.national, s.birth, cat).month);
                let last = pension.plus(-1);
                Ok((0..=last.since(from)).map(|k| Value::Month(from.plus(k))).collect())
            }
        }
    }

    /// The target metric with the varied input at `v`; None when the model refuses it.
    fn eval(&self, s: &Scenario, ctx: &Context, v: Value) -> Option<Metric> {
        let mut s = s.clone();
        match (self.vary, v) {
            (Vary::Tier, Value::Number(t)) => {
                s.tier = Some(t);
                for g in s.segments.iter_mut().filter(|g| g.scheme == Scheme::Resident) {
                    g.tier = Some(t);
                }
            }
            (Vary::ContributionIndex, Value::Number(i)) => {
                s.index = i;
                s.index_given = true;
                for g in s.segments.iter_mut().filter(|g| g.scheme != Scheme::Resident) {
                    g.index = i;
                    g.index_given = true;
                }
            }
            (Vary::Retire, Value::Month(m)) => s.retire = Some(m),
            (Vary::Stop, Value::Month(m)) => s.stop = Some(m),
            _ => return None,
        }
        let o = project(&s, ctx).ok()?;
        let ok = o.status == Status::Ok;
        Some(match self.target {
            Target::Total(_) => Metric::Money(if ok { o.total } else { Decimal::ZERO }),
            Target::ReplacementRate(_) => Metric::Rate(metrics::compute(&s, &o, ctx).replacement_rate.filter(|_| ok)),
            Target::BreakevenAge(_) => Metric::Age(metrics::compute(&s, &o, ctx).breakeven_age.filter(|_| ok)),
        })
    }

    /// Whether the metric never falls as the varied input rises (bisection applies).
    fn monotone(&self) -> bool {
        matches!(self.target, Target::Total(_)) && matches!(self.vary, Vary::Tier | Vary::ContributionIndex)
    }

    /// Seeks one row.
    pub fn seek(&self, s: &Scenario, ctx: &Context) -> Result<Found, String> {
        let cands = self.candidates(s, ctx)?;
        if self.monotone() {
            if let Some(f) = self.bisect(s, ctx, &cands) {
                return Ok(f);
            }
        }
        self.scan(s, ctx, &cands)
    }

    fn found(&self, cands: &[Value], i: usize, m: Metric, prev: Option<(usize, Metric)>, how: String) -> Found {
        let next_lower = match prev {
            Some((j, pm)) => format!(
                "; the next lower allowed value {} gives {}",
                cands[j].text(self.vary),
                if pm.text().is_empty() { "nothing".to_string() } else { pm.text() }
            ),
            None if i == 0 => "; it is the lowest allowed value".to_string(),
            None => "; every lower allowed value is refused by the model".to_string(),
        };
        Found {
            reached: true,
            value: cands[i].text(self.vary),
            achieved: m.text(),
            message: format!("{how}{next_lower}"),
        }
    }

    /// Bisection over a monotone metric; None when a value is refused (then the scan runs).
    fn bisect(&self, s: &Scenario, ctx: &Context, cands: &[Value]) -> Option<Found> {
        let n = cands.len();
        let mut evals = 0;
        let mut at = |i: usize| {
            evals += 1;
            self.eval(s, ctx, cands[i])
        };
        let top = at(n - 1)?;
        let reached = self.reaches(top);
        // The smallest value that reaches the target, or else the smallest that gives as
        // much as the highest one (the best reachable).
        let good = |m: Metric| if reached { self.reaches(m) } else { Seek::better(m, top) != Ordering::Less };
        let (mut lo, mut hi) = (0, n - 1);
        let mut miss: Option<(usize, Metric)> = None;
        let mut hit = top;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let m = at(mid)?;
            if good(m) {
                hi = mid;
                hit = m;
            } else {
                lo = mid + 1;
                miss = Some((mid, m));
            }
        }
        if !reached {
            return Some(Found {
                reached: false,
                value: cands[lo].text(self.vary),
                achieved: hit.text(),
                message: format!(
                    "no allowed value reaches the target; this one gives the best (smallest of {n} allowed values giving it, by bisection, {evals} projections)"
                ),
            });
        }
        let prev = miss.filter(|(j, _)| *j + 1 == lo);
        let how = format!("smallest of {n} allowed values, by bisection ({evals} projections)");
        Some(self.found(cands, lo, hit, prev, how))
    }

    fn scan(&self, s: &Scenario, ctx: &Context, cands: &[Value]) -> Result<Found, String> {
        let n = cands.len();
        let mut best: Option<(usize, Metric)> = None;
        let mut prev: Option<(usize, Metric)> = None;
        let mut refused = 0;
        for (i, v) in cands.iter().enumerate() {
            let Some(m) = self.eval(s, ctx, *v) else {
                refused += 1;
                continue;
            };
            if self.reaches(m) {
                let skipped = if refused > 0 { format!(", {refused} refused by the model") } else { String::new() };
                let how = format!("smallest of {n} allowed values, by scanning in order{skipped}");
                return Ok(self.found(cands, i, m, prev, how));
            }
            if best.is_none_or(|(_, b)| Seek::better(m, b) == Ordering::Greater) {
                best = Some((i, m));
            }
            prev = Some((i, m));
        }
        match best {
            Some((i, m)) => Ok(Found {
                reached: false,
                value: cands[i].text(self.vary),
                achieved: m.text(),
                message: format!(
                    "no allowed value reaches the target; this one gives the best ({n} values scanned{})",
                    if refused > 0 { format!(", {refused} refused by the model") } else { String::new() }
                ),
            }),
            None => Err(format!("the model refuses every allowed value of {} ({n} tried)", self.vary.name())),
        }
    }
}

/// Header of the seek output.
pub const SEEK_HEADER: &str = "id,status,vary,target,value,achieved,message\n";

impl RowWriter for Seek {
    fn header(&self) -> String {
        SEEK_HEADER.to_string()
    }

    fn row(&self, s: &Scenario, ctx: &Context, fmt: Format, out: &mut String) -> Result<Status, String> {
        match self.seek(s, ctx) {
            Ok(f) => {
                push_text(out, &s.id, fmt);
                out.push_str(if f.reached { ",found," } else { ",unreachable," });
                out.push_str(self.vary.name());
                out.push(',');
                out.push_str(&self.target.text());
                out.push(',');
                out.push_str(&f.value);
                out.push(',');
                out.push_str(&f.achieved);
                out.push(',');
                push_text(out, &f.message, fmt);
                out.push('\n');
                Ok(if f.reached { Status::Ok } else { Status::Ineligible })
            }
            Err(why) => {
                let message = format!("line {}: seek --vary {}: {why}", s.line, self.vary.name());
                self.error(&s.id, &s.label, &message, fmt, out);
                Err(message)
            }
        }
    }

    fn error(&self, id: &str, _label: &str, message: &str, fmt: Format, out: &mut String) {
        push_text(out, id, fmt);
        out.push_str(",error,");
        out.push_str(self.vary.name());
        out.push(',');
        out.push_str(&self.target.text());
        out.push_str(",,,");
        push_text(out, message, fmt);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Assumptions, Params};
    use crate::scenario::{parse_scenario, Header, Row};
    use proptest::prelude::*;

    #[test]
    fn targets_parse_and_bad_ones_say_what_is_allowed() {
        assert_eq!(Target::parse("total=1200").unwrap(), Target::Total(Decimal::from(1200)));
        assert_eq!(Target::parse("breakeven_age=68y6m").unwrap(), Target::BreakevenAge(68 * 12 + 6));
        assert_eq!(Target::parse("breakeven_age=70").unwrap(), Target::BreakevenAge(840));
        for bad in ["total", "wealth=3", "total=abc", "breakeven_age=x"] {
            let e = Target::parse(bad).unwrap_err();
            assert!(e.contains("allowed total=YUAN"), "{bad}: {e}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Bisection gives what the scan in order gives, for total with index and tier.
        #[test]
        fn bisection_equals_scan(
            birth in 1965i32..1990, paid in 0i32..25, index in 60i64..300, target in 500i64..9000,
            resident in any::<bool>(), tier in 0usize..12,
        ) {
            let ctx = Context::new(Params::builtin().unwrap(), Assumptions::builtin());
            let (scheme, vary) = if resident { ("resident", Vary::Tier) } else { ("flexible", Vary::ContributionIndex) };
            let names = ["id", "scheme", "category", "birth", "paid_years", "avg_index", "contribution_index", "tier", "resident_years"];
            let header = Header::new(names).unwrap();
            let tiers = ["100", "200", "300", "500", "600", "800", "1000", "1500", "2000", "3000", "5000", "8000"];
            let birth = format!("{birth}-03");
            let paid = paid.to_string();
            let idx = Decimal::new(index, 2).to_string();
            let rec = if resident {
                csv::ByteRecord::from(vec!["p", scheme, "male", &birth, "", "", "", tiers[tier], &paid])
            } else {
                csv::ByteRecord::from(vec!["p", scheme, "male", &birth, &paid, "1", &idx, "", ""])
            };
            let s = parse_scenario(&Row::new(&header, &rec), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
            let seek = Seek { vary, target: Target::Total(Decimal::from(target)) };
            let Ok(cands) = seek.candidates(&s, &ctx) else { return Ok(()) };
            if let Some(b) = seek.bisect(&s, &ctx, &cands) {
                let l = seek.scan(&s, &ctx, &cands).unwrap();
                prop_assert_eq!((&b.reached, &b.value), (&l.reached, &l.value));
                prop_assert_eq!(b.achieved, l.achieved);
            }
        }
    }
}
