//! The pension in payment and the survival curve of one row ([`Lifetime`]): the yearly
//! increases after retirement, the life table or `death_age`, the row's own payments, the
//! break-even month and the monthly flows that the IRR and the pension wealth discount.

use super::*;

/// The pension in payment and the survival curve of one row.
pub(super) struct Lifetime {
    /// Pension month.
    pub(super) start: Month,
    pub(super) birth: Month,
    /// Monthly pension for each calendar year from `start.year()`.
    pub(super) pension: Vec<Decimal>,
    /// First month no longer paid (end of the table or death).
    pub(super) end: Month,
    /// First month past the life horizon used for the break-even age.
    pub(super) horizon: Month,
    pub(super) sex: Sex,
    /// Age (months) at the pension month.
    pub(super) start_age: i32,
    pub(super) death_age: Option<u32>,
    pub(super) provenance: Provenance,
}

impl Lifetime {
    pub(super) fn pension_at(&self, t: Month) -> Decimal {
        let i = (t.year() - self.start.year()) as usize;
        self.pension.get(i).or(self.pension.last()).copied().unwrap_or(Decimal::ZERO)
    }

    /// Probability of being alive at month `t`, given alive at the pension month.
    pub(super) fn survival(&self, ctx: &Context, t: Month) -> f64 {
        let age = t.since(self.birth);
        match self.death_age {
            Some(d) => f64::from(u8::from(age < d as i32 * 12)),
            None => {
                let l0 = ctx.life.l(self.sex, self.start_age);
                if l0 <= 0.0 {
                    0.0
                } else {
                    ctx.life.l(self.sex, age) / l0
                }
            }
        }
    }
}

pub(super) fn sex_of(s: &Scenario) -> Sex {
    match s.category {
        Some(Category::Male) => Sex::Male,
        Some(_) => Sex::Female,
        None => Sex::Unisex,
    }
}

pub(super) fn lifetime(s: &Scenario, o: &Outcome, ctx: &Context) -> Lifetime {
    let money = ctx.params.region(o.claim_region).rounding.money;
    let g = s.indexation.unwrap_or(ctx.assumptions.indexation);
    let grow = Decimal::ONE + g;
    let sex = sex_of(s);
    let start_age = o.retire.since(s.birth);
    let table_end = s.birth.plus(ctx.life.last_month());
    let (end, horizon, mut provenance) = match s.death_age {
        Some(d) => {
            let death = s.birth.plus(d as i32 * 12);
            (death, death, Provenance::Official)
        }
        None => {
            let e = ctx.life.expected_months(sex, start_age).round() as i32;
            (table_end, o.retire.plus(e), ctx.life.provenance)
        }
    };
    let last_year = end.year().max(o.retire.year());
    let mut pension = Vec::with_capacity((last_year - o.retire.year() + 1) as usize);
    pension.push(o.total);
    let params = &ctx.params;
    let region = params.region(o.claim_region);
    let province = params.region(region.province);
    let mut basic = o.resident_basic;
    // After the last dated rule or step every year is plain indexation. A resident pension's
    // dated January amounts come from the model (`resident_steps`, their provenance already
    // in the row's); after them it grows.
    let last_rule = if o.scheme == Scheme::Resident {
        o.retire.year() + o.resident_steps.len() as i32
    } else {
        let last = |v: &[crate::params::Adjustment]| v.last().map_or(i32::MIN, |a| a.year);
        last(&region.adjustments).max(last(&params.national.adjustments))
    };
    for y in o.retire.year() + 1..=last_year {
        let prev = *pension.last().expect("starts non-empty");
        if y > last_rule {
            provenance = provenance.max(Provenance::Projected);
            let years = (last_year - y + 1) as usize;
            if o.scheme == Scheme::Resident {
                index_path(basic, grow, money, years, o.bonus + o.account, &mut pension);
            } else {
                index_path(prev, grow, money, years, Decimal::ZERO, &mut pension);
            }
            break;
        }
        let next = if o.scheme == Scheme::Resident {
            basic = o.resident_steps[(y - o.retire.year() - 1) as usize];
            basic + o.bonus + o.account
        } else {
            let rule = region
                .adjustments
                .iter()
                .find(|a| a.year == y)
                .or_else(|| params.national.adjustments.iter().find(|a| a.year == y));
            match rule {
                Some(a) => {
                    provenance = provenance.max(a.provenance);
                    let age = Month::december(y - 1).since(s.birth) / 12;
                    prev + a.increase(prev, o.years, age, money)
                }
                None => {
                    provenance = provenance.max(Provenance::Projected);
                    money.mul(prev, grow)
                }
            }
        };
        pension.push(next);
    }
    // Resident age top-ups (e.g. Shandong +5 at 65–74, +10 from 75): added to each calendar
    // year whose January finds the person at the band's age or older, on top of the path
    // (they are flat amounts, not indexed). The pension month's own total is the first
    // year's and stays as computed.
    if o.scheme == Scheme::Resident {
        if let Some(t) = region.resident_age_topup.as_ref().or(province.resident_age_topup.as_ref()) {
            for (k, p) in pension.iter_mut().enumerate().skip(1) {
                let jan = Month::january(o.retire.year() + k as i32);
                if let Some(add) = t.at(jan.since(s.birth) / 12, jan) {
                    provenance = provenance.max(t.provenance);
                    *p += add;
                }
            }
        }
    }
    Lifetime {
        start: o.retire,
        birth: s.birth,
        pension,
        end,
        horizon,
        sex,
        start_age,
        death_age: s.death_age,
        provenance,
    }
}

/// `years` successive values round(v × grow), starting from `v × grow`, each pushed with
/// `plus` added. Whole units of the rounding step on 64-bit integers when they fit (the
/// same numbers as the decimal steps).
pub(super) fn index_path(v: Decimal, grow: Decimal, money: Round, years: usize, plus: Decimal, out: &mut Vec<Decimal>) {
    let target = out.len() + years;
    let units =
        (v.scale() <= money.places).then(|| to_units(v, money.places)).flatten().and_then(|u| i64::try_from(u).ok());
    let factor = i64::try_from(grow.mantissa()).ok().filter(|_| grow.scale() <= 18);
    let plus_units = exact_units(plus, money.places);
    // The indexed value without `plus`.
    let mut last = v;
    if let (Some(mut u), Some(f), Some(pu)) = (units, factor, plus_units) {
        let before = out.len();
        // The usual case, non-negative amounts rounded half up by a power of ten known
        // here, takes the short loop; it stops where the general one would go on.
        let short = if money.mode == RoundMode::HalfAwayFromZero && u >= 0 && f >= 0 {
            match grow.scale() {
                1 => half_up_steps::<1>(&mut u, f, pu, years, money.places, out),
                2 => half_up_steps::<2>(&mut u, f, pu, years, money.places, out),
                3 => half_up_steps::<3>(&mut u, f, pu, years, money.places, out),
                4 => half_up_steps::<4>(&mut u, f, pu, years, money.places, out),
                5 => half_up_steps::<5>(&mut u, f, pu, years, money.places, out),
                6 => half_up_steps::<6>(&mut u, f, pu, years, money.places, out),
                _ => 0,
            }
        } else {
            0
        };
        for _ in short..years {
            let Some(q) = u.checked_mul(f).and_then(|num| round_scaled(num, grow.scale(), 1, money.mode)) else {
                break;
            };
            let Some(total) = q.checked_add(pu) else { break };
            u = q;
            out.push(Decimal::from_i128_with_scale(i128::from(total), money.places));
        }
        // Every step pushed one value; after any step `u` is the last indexed value.
        if out.len() > before {
            last = Decimal::from_i128_with_scale(i128::from(u), money.places);
        }
    }
    while out.len() < target {
        last = money.mul(last, grow);
        out.push(last + plus);
    }
}

/// Up to `years` steps u ← round_half_up(u × f / 10^S) for u, f ≥ 0, each pushed plus `pu`
/// (units of `places`): (u·f + 10^S / 2) / 10^S, one addition and one division by a
/// constant on the chain from one year to the next. Returns the steps done; stops before
/// a step that would overflow.
pub(super) fn half_up_steps<const S: u32>(
    u: &mut i64,
    f: i64,
    pu: i64,
    years: usize,
    places: u32,
    out: &mut Vec<Decimal>,
) -> usize {
    let den = 10i64.pow(S);
    for done in 0..years {
        let Some(num) = u.checked_mul(f).and_then(|n| n.checked_add(den / 2)) else { return done };
        let q = num / den;
        let Some(total) = q.checked_add(pu) else { return done };
        *u = q;
        out.push(Decimal::from_i128_with_scale(i128::from(total), places));
    }
    years
}

pub(super) fn net_paid(payments: &[Payment]) -> Decimal {
    // On the mantissas when the amounts share a scale (the usual case); exact either way.
    let scale = payments.first().map_or(0, |p| p.per_month.scale());
    let mut sum: i128 = 0;
    for p in payments {
        let n = i128::from(p.last.since(p.first) + 1);
        let term = (p.per_month.scale() == scale).then(|| mul_i128(p.per_month.mantissa(), n)).flatten();
        match term.and_then(|t| sum.checked_add(t)) {
            Some(v) => sum = v,
            None => return payments.iter().map(|p| p.per_month * Decimal::from(p.last.since(p.first) + 1)).sum(),
        }
    }
    if sum.unsigned_abs() < 1 << 95 {
        Decimal::from_i128_with_scale(sum, scale)
    } else {
        payments.iter().map(|p| p.per_month * Decimal::from(p.last.since(p.first) + 1)).sum()
    }
}

/// First month whose payment brings cumulative receipts to `paid` (exact decimal).
pub(super) fn breakeven(life: &Lifetime, paid: Decimal) -> Option<Month> {
    if paid <= Decimal::ZERO {
        return Some(life.start);
    }
    // Whole fen (money here has at most two decimals): exact integer arithmetic.
    let fen = |d: Decimal| to_units(d, 2);
    let paid = fen(paid)?;
    let at = |t: Month| {
        let i = (t.year() - life.start.year()) as usize;
        life.pension.get(i).or(life.pension.last()).and_then(|p| fen(*p)).unwrap_or(0)
    };
    let mut cum: i128 = 0;
    let stop = life.horizon.min(life.end);
    let mut y = life.start.year();
    while Month::january(y) < stop {
        let first = life.start.max(Month::january(y));
        let last = Month::december(y).min(stop.plus(-1));
        if first <= last {
            let p = at(first);
            let n = i128::from(last.since(first) + 1);
            if p > 0 && cum + p * n >= paid {
                let k = ((paid - cum + p - 1) / p).max(1);
                return Some(first.plus(k as i32 - 1));
            }
            cum += p * n;
        }
        y += 1;
    }
    None
}

/// Monthly net flows from the first own payment to the end of the table: own payments
/// negative, survival-weighted receipts positive. Returns the offset of the pension month
/// and the pension wealth at `discount` (receipts only).
pub(super) fn flows_into(
    f: &mut Vec<f64>,
    life: &Lifetime,
    payments: &[Payment],
    ctx: &Context,
    discount: &Discounting,
) -> (usize, f64) {
    let t0 = payments.first().map_or(life.start, |p| p.first.min(life.start));
    let offset = life.start.since(t0) as usize;
    let n = life.end.since(life.start).max(0) as usize;
    f.clear();
    // Zeros after the last month (they add nothing) make whole chunks for the evaluations.
    f.resize((offset + n).next_multiple_of(LANES), 0.0);
    // Receipts, one calendar year at a time: pension × l(age) / l(pension age).
    let l = ctx.life.curve(life.sex);
    let l0 = l.get(life.start_age as usize).copied().unwrap_or(0.0);
    let inv_l0 = if l0 > 0.0 { 1.0 / l0 } else { 0.0 };
    // Months paid in each calendar year: the rest of the first year, then whole years.
    let mut pos = 0usize;
    let mut count = (12 - (life.start.month() as usize - 1)).min(n);
    for p in &life.pension {
        if count == 0 {
            break;
        }
        let amount = to_f64(*p);
        let age0 = life.start_age + pos as i32;
        let out = &mut f[offset + pos..offset + pos + count];
        match life.death_age {
            Some(d) => {
                let alive = (d as i32 * 12 - age0).clamp(0, count as i32) as usize;
                out[..alive].fill(amount);
            }
            None => {
                let from = (age0.max(0) as usize).min(l.len());
                let to = (from + count).min(l.len());
                let src = &l[from..to];
                let scale = amount * inv_l0;
                if let (Ok(out), Ok(src)) = (<&mut [f64; 12]>::try_from(&mut *out), <&[f64; 12]>::try_from(src)) {
                    // Through a local array: the compiler cannot tell the two tables apart
                    // and would otherwise multiply one element at a time.
                    *out = src.map(|lx| scale * lx);
                } else {
                    for (o, lx) in out.iter_mut().zip(src) {
                        *o = scale * lx;
                    }
                }
            }
        }
        pos += count;
        count = 12.min(n - pos);
    }
    let wealth = npv(&f[offset..], discount.down);
    for p in payments {
        let amount = to_f64(p.per_month);
        let a = p.first.since(t0).max(0) as usize;
        let b = ((p.last.since(t0) + 1).max(0) as usize).min(f.len());
        for x in &mut f[a.min(b)..b] {
            *x -= amount;
        }
    }
    (offset, wealth)
}
