//! The `run --reform` row writer: each row computed with the baseline and the reformed
//! parameters, the delta columns, and the delta attributed to each patch (sequential, or
//! exact Shapley values rounded to the fen by largest remainder).

use super::*;

/// The `run --reform` row writer: the usual row, then the comparison columns.
pub struct ReformWriter {
    pub(super) reform: Reform,
    pub(super) attribution: Attribution,
    /// (subset mask, context) for every subset the attribution needs; the baseline
    /// (mask 0) is the run's own context.
    pub(super) contexts: Vec<(u64, Context)>,
}

/// One evaluation: status, the compared values in fen, or the error message.
pub(super) type Values = Result<(Status, [i128; COLUMNS.len()]), String>;

impl ReformWriter {
    /// The reform file's title.
    pub fn title(&self) -> Option<String> {
        self.reform.title.clone()
    }

    /// Builds the contexts the attribution needs (n + 1 sequential, 2^n for Shapley).
    pub fn new(reform: Reform, attribution: Attribution, base: &Context) -> Result<ReformWriter, String> {
        let n = reform.patches.len();
        if attribution == Attribution::Shapley && n > MAX_SHAPLEY {
            return Err(format!(
                "--attribution shapley with {n} patches: allowed at most {MAX_SHAPLEY} (every row is projected 2^n times); use sequential attribution"
            ));
        }
        let masks: Vec<u64> = match attribution {
            Attribution::Sequential => (1..=n).map(|k| (1u64 << k) - 1).collect(),
            Attribution::Shapley => (1..(1u64 << n)).collect(),
        };
        let a = &base.assumptions;
        let contexts = masks
            .into_iter()
            .map(|m| {
                let params = reform.apply(&base.params, m, a.wage_growth, a.account_rate);
                let mut ctx = Context::new(params, a.clone());
                ctx.life = base.life.clone();
                (m, ctx)
            })
            .collect();
        Ok(ReformWriter { reform, attribution, contexts })
    }

    pub(super) fn values(s: &Scenario, ctx: &Context) -> Values {
        let o = project(s, ctx).map_err(|e| e.message(s.line))?;
        let m = metrics::compute(s, &o, ctx);
        let fen = |d: Decimal| crate::params::to_units(d, 2).unwrap_or(0);
        let ok = o.status == Status::Ok;
        let z = |d: Decimal| if ok { fen(d) } else { 0 };
        Ok((
            o.status,
            [
                z(o.total),
                z(o.basic),
                z(o.account),
                z(o.transitional),
                z(o.resident_basic),
                z(o.bonus),
                z(o.allowance),
                m.pension_wealth.filter(|_| ok).map(fen).unwrap_or(0),
            ],
        ))
    }

    /// Attribution of column `c` (index into [`COLUMNS`]) in fen, from v(mask).
    pub(super) fn attribute(&self, v: &dyn Fn(u64) -> i128, n: usize) -> Vec<i128> {
        let full = (1u64 << n) - 1;
        let delta = v(full) - v(0);
        match self.attribution {
            Attribution::Sequential => {
                let mut parts: Vec<i128> = (0..n).map(|k| v((1u64 << (k + 1)) - 1) - v((1u64 << k) - 1)).collect();
                // The last part is the remainder (equal to its difference: the parts telescope).
                let others: i128 = parts[..n - 1].iter().sum();
                parts[n - 1] = delta - others;
                parts
            }
            Attribution::Shapley => shapley(v, n, delta),
        }
    }
}

/// n! for n ≤ 20.
pub(super) fn factorial(n: usize) -> i128 {
    (1..=n as i128).product()
}

/// Exact Shapley values in fen with largest-remainder rounding (see the module docs).
pub(super) fn shapley(v: &dyn Fn(u64) -> i128, n: usize, delta: i128) -> Vec<i128> {
    let nf = factorial(n);
    let mut num = vec![0i128; n];
    for (k, nk) in num.iter_mut().enumerate() {
        for s in 0..(1u64 << n) {
            if s & (1 << k) != 0 {
                continue;
            }
            let size = s.count_ones() as usize;
            *nk += factorial(size) * factorial(n - size - 1) * (v(s | (1 << k)) - v(s));
        }
    }
    let floor: Vec<i128> = num.iter().map(|x| x.div_euclid(nf)).collect();
    let rem: Vec<i128> = num.iter().map(|x| x.rem_euclid(nf)).collect();
    let mut left = delta - floor.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| rem[*b].cmp(&rem[*a]).then(a.cmp(b)));
    let mut parts = floor;
    for k in order {
        if left <= 0 {
            break;
        }
        parts[k] += 1;
        left -= 1;
    }
    parts
}

pub(super) fn push_fen(out: &mut String, fen: i128) {
    out.push_str(&fixed(Decimal::from_i128_with_scale(fen, 2), 2));
}

impl RowWriter for ReformWriter {
    fn header(&self) -> String {
        let mut h = crate::results::header_line();
        h.pop();
        for c in COLUMNS {
            h.push_str(&format!(",baseline_{c},reform_{c},delta_{c}"));
        }
        h.push_str(",reform_status,reform_message");
        for c in ["total", "pension_wealth"] {
            for p in &self.reform.patches {
                h.push_str(&format!(",delta_{c}_{}", p.name));
            }
        }
        h.push('\n');
        h
    }

    fn row(&self, s: &Scenario, ctx: &Context, fmt: Format, out: &mut String) -> Result<Status, String> {
        let o = match project(s, ctx) {
            Ok(o) => o,
            Err(e) => {
                let message = e.message(s.line);
                self.error(&s.id, &s.label, &message, fmt, out);
                return Err(message);
            }
        };
        crate::pipeline::push_result(out, s, &o, ctx, fmt);
        out.pop(); // the newline: the comparison follows on the same row
        let base = ReformWriter::values(s, ctx);
        let evals: Vec<(u64, Values)> = self.contexts.iter().map(|(m, c)| (*m, ReformWriter::values(s, c))).collect();
        let n = self.reform.patches.len();
        let full = (1u64 << n) - 1;
        let reformed = evals.iter().find(|(m, _)| *m == full).map(|(_, v)| v.clone()).unwrap_or(base.clone());
        match (&base, &reformed) {
            (Ok((_, b)), Ok((rs, r))) => {
                for k in 0..COLUMNS.len() {
                    for v in [b[k], r[k], r[k] - b[k]] {
                        out.push(',');
                        push_fen(out, v);
                    }
                }
                out.push(',');
                out.push_str(if *rs == Status::Ok { "ok" } else { "ineligible" });
                out.push(',');
                let failed = evals.iter().find_map(|(m, v)| v.as_ref().err().map(|e| (*m, e.clone())));
                match failed {
                    None => {
                        for c in [0, COLUMNS.len() - 1] {
                            let v = |mask: u64| -> i128 {
                                if mask == 0 {
                                    return b[c];
                                }
                                match evals.iter().find(|(m, _)| *m == mask) {
                                    Some((_, Ok((_, x)))) => x[c],
                                    _ => 0,
                                }
                            };
                            let parts = self.attribute(&v, n);
                            for p in parts {
                                out.push(',');
                                push_fen(out, p);
                            }
                        }
                    }
                    Some((mask, e)) => {
                        let names: Vec<&str> = self
                            .reform
                            .patches
                            .iter()
                            .enumerate()
                            .filter(|(k, _)| mask & (1 << k) != 0)
                            .map(|(_, p)| p.name.as_str())
                            .collect();
                        push_text(out, &format!("no attribution: with {} applied: {e}", names.join(" + ")), fmt);
                        for _ in 0..2 * n {
                            out.push(',');
                        }
                    }
                }
            }
            (_, Err(e)) | (Err(e), _) => {
                for _ in 0..COLUMNS.len() * 3 {
                    out.push(',');
                }
                out.push_str(",error,");
                push_text(out, &format!("reform: {e}"), fmt);
                for _ in 0..2 * n {
                    out.push(',');
                }
            }
        }
        out.push('\n');
        Ok(o.status)
    }

    fn error(&self, id: &str, label: &str, message: &str, fmt: Format, out: &mut String) {
        crate::results::push_error(out, id, label, message, fmt);
        out.pop();
        for _ in 0..COLUMNS.len() * 3 + 2 + 2 * self.reform.patches.len() {
            out.push(',');
        }
        out.push('\n');
    }
}
