//! After retirement: the pension path with yearly increases, and the analyst metrics of
//! every result row (replacement rates, break-even age, IRR, pension wealth, money's worth)
//! plus the yearly `--paths` rows.
//!
//! Definitions (also in the README):
//! - The pension is paid monthly from the pension month. Employee pensions rise each
//!   January by the claim province's adjustment rule of that year (a flat amount, a share
//!   of the own pension, an amount per contribution year in marginal bands, an age tilt),
//!   else the national percentage of that year, else the `indexation` assumption. Resident pensions take the basic pension
//!   in force each January (national + province + city), then grow by `indexation` after
//!   the last dated step; bonus and account parts stay fixed.
//! - Survival: from the life table (monthly, constant force within a year of age),
//!   conditional on being alive at the pension month; `death_age` replaces it with
//!   certainty (payments through the month before that birthday).
//! - Own payments are the row's own contributions in the projection window, month by month
//!   (resident years at the year end), refunds subtracted at the pension month.
//! - `breakeven_age`: first month whose payment brings cumulative nominal receipts to the
//!   cumulative net own payments, empty if later than the life horizon (death age, else
//!   the pension age plus the table's life expectancy at that age).
//! - `irr`: annual rate (1 + i)^12 − 1 of the monthly rate i at which own payments equal
//!   survival-weighted receipts; safeguarded Newton on the discount factor within the
//!   bracket −95%…+10,000% a year, to 1e-12 in the factor, at most 200 steps; empty when payments or
//!   receipts are missing or the bracket holds no sign change.
//! - `pension_wealth`: Σ monthly pension × survival × (1 + discount_rate)^(−months/12) at
//!   the pension month; `money_worth` divides it by own payments accumulated to the pension
//!   month at the same rate.
//!
//! Money owed (pensions, increases, payments, break-even) is exact decimal; the
//! survival- and discount-weighted statistics are computed in `f64` and rounded at output.

use crate::io::results::{push_fixed, push_text, Format, Metrics};
use crate::model::{Category, Context, Outcome, Payment, Scenario, Scheme, Status};
use crate::params::{
    exact_units, mul_i128, pow10_f64, round_scaled, to_f64, to_units, Month, Provenance, Round, RoundMode, Sex,
};
use rust_decimal::Decimal;
use std::fmt::Write;

thread_local! {
    /// Reused buffer for the monthly flows of one row.
    static FLOWS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Header of the `--paths` CSV.
pub const PATHS_HEADER: &str =
    "id,year,age,own_paid,gov_paid,balance,monthly_pension,cumulative_paid,cumulative_received,survival\n";

/// The pension in payment and the survival curve of one row.
struct Lifetime {
    /// Pension month.
    start: Month,
    birth: Month,
    /// Monthly pension for each calendar year from `start.year()`.
    pension: Vec<Decimal>,
    /// First month no longer paid (end of the table or death).
    end: Month,
    /// First month past the life horizon used for the break-even age.
    horizon: Month,
    sex: Sex,
    /// Age (months) at the pension month.
    start_age: i32,
    death_age: Option<u32>,
    provenance: Provenance,
}

impl Lifetime {
    fn pension_at(&self, t: Month) -> Decimal {
        let i = (t.year() - self.start.year()) as usize;
        self.pension.get(i).or(self.pension.last()).copied().unwrap_or(Decimal::ZERO)
    }

    /// Probability of being alive at month `t`, given alive at the pension month.
    fn survival(&self, ctx: &Context, t: Month) -> f64 {
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

fn sex_of(s: &Scenario) -> Sex {
    match s.category {
        Some(Category::Male) => Sex::Male,
        Some(_) => Sex::Female,
        None => Sex::Unisex,
    }
}

fn lifetime(s: &Scenario, o: &Outcome, ctx: &Context) -> Lifetime {
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
fn index_path(v: Decimal, grow: Decimal, money: Round, years: usize, plus: Decimal, out: &mut Vec<Decimal>) {
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
fn half_up_steps<const S: u32>(
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

fn net_paid(payments: &[Payment]) -> Decimal {
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
fn breakeven(life: &Lifetime, paid: Decimal) -> Option<Month> {
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
fn flows_into(
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

/// Independent Horner chains per evaluation: enough to keep the floating-point units busy.
const LANES: usize = 16;

/// x^0 … x^(LANES − 1), and y = x^LANES, for present values ([`npv`]: the pension wealth).
#[inline]
fn powers(x: f64) -> ([f64; LANES], f64) {
    // Binary splitting: x^j = x^(j/2) · x^(j − j/2), a chain of four products, not fifteen.
    let mut p = [1.0f64; LANES];
    p[1] = x;
    for j in 2..LANES {
        p[j] = p[j / 2] * p[j - j / 2];
    }
    (p, p[LANES - 1] * x)
}

/// x^0 … x^(LANES − 1), and y = x^LANES, for the IRR's evaluations ([`npv_and_slope`]):
/// the powers of [`powers`] but for the last bit, in fewer and vector-friendly products.
/// The root found does not move with the last bit; the pension wealth can (its rounding
/// to the fen changed for one generated row in 100,000 when it took these), so it keeps
/// its own.
#[inline]
fn block_powers(x: f64) -> ([f64; LANES], f64) {
    // In blocks of four (x^(4k + i) = x^i · x^4k), as the vector build forms them.
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let b0 = [1.0, x, x2, x2 * x];
    let b1 = b0.map(|v| v * x4);
    let b2 = b0.map(|v| v * x8);
    let b3 = b1.map(|v| v * x8);
    let mut p = [0.0f64; LANES];
    for (k, b) in [b0, b1, b2, b3].iter().enumerate() {
        p[4 * k..4 * k + 4].copy_from_slice(b);
    }
    (p, x8 * x8)
}

/// j for each lane j (the derivative's weights).
const LANE_INDEX: [f64; LANES] = {
    let mut v = [0.0f64; LANES];
    let mut j = 0;
    while j < LANES {
        v[j] = j as f64;
        j += 1;
    }
    v
};

/// Σ v[j] in pairs (a short dependency chain).
#[inline]
fn pairwise(mut v: [f64; LANES]) -> f64 {
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for j in 0..n {
            v[j] += v[j + n];
        }
    }
    v[0]
}

/// A_j(y) = Σ_k body[L k + j] y^k for every lane j: Horner from the last chunk, two
/// chunks a step (a ← a·y² + (c_{k+1}·y + c_k)) so that each step waits on one product and
/// one sum; an odd chunk count starts with the last chunk alone.
fn lane_sums(body: &[f64], y: f64) -> [f64; LANES] {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_lane_sums(body, y) {
        return v;
    }
    portable_lane_sums(body, y)
}

/// [`lane_sums`] in plain Rust (the reference for the vector build).
fn portable_lane_sums(body: &[f64], y: f64) -> [f64; LANES] {
    let y2 = y * y;
    let mut acc = [0.0f64; LANES];
    let mut pairs = body.chunks_exact(2 * LANES);
    if let Some(last) = pairs.remainder().get(..LANES) {
        acc.copy_from_slice(last);
    }
    for c in pairs.by_ref().rev() {
        let (lo, hi) = c.split_at(LANES);
        for j in 0..LANES {
            acc[j] = acc[j] * y2 + (hi[j] * y + lo[j]);
        }
    }
    acc
}

/// A_j(y) and A_j'(y) for every lane j, two chunks a step like [`lane_sums`]:
/// a' ← a·y² + (c_{k+1}·y + c_k), d' ← d·y² + (a·2y + c_{k+1}).
fn lane_sums_and_slopes(body: &[f64], y: f64) -> ([f64; LANES], [f64; LANES]) {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_lane_sums_and_slopes(body, y) {
        return v;
    }
    portable_lane_sums_and_slopes(body, y)
}

/// [`lane_sums_and_slopes`] in plain Rust (the reference for the vector build).
fn portable_lane_sums_and_slopes(body: &[f64], y: f64) -> ([f64; LANES], [f64; LANES]) {
    let (y2, ty) = (y * y, y + y);
    let (mut a, mut da) = ([0.0f64; LANES], [0.0f64; LANES]);
    let mut pairs = body.chunks_exact(2 * LANES);
    if let Some(last) = pairs.remainder().get(..LANES) {
        a.copy_from_slice(last);
    }
    for c in pairs.by_ref().rev() {
        let (lo, hi) = c.split_at(LANES);
        for j in 0..LANES {
            da[j] = da[j] * y2 + (a[j] * ty + hi[j]);
            a[j] = a[j] * y2 + (hi[j] * y + lo[j]);
        }
    }
    (a, da)
}

/// The Horner loops on 256-bit vectors, four lanes each. Each lane sees the same
/// multiplications and additions in the same order as the portable loops (no FMA, whose
/// single rounding would change the bits), so results do not depend on the machine
/// (tested below); only the width of the operations differs.
///
/// One of the crate's few modules allowed `unsafe`: calling a `target_feature` function
/// and the unaligned loads and stores. Outside it, the `try_` functions are safe: they
/// check for AVX2 first and give None without it. The `portable` feature leaves the module
/// out (the same results, bit for bit, from the plain loops).
#[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
#[allow(unsafe_code)]
mod wide {
    use super::LANES;
    use std::arch::x86_64::*;

    /// Vectors of four lanes.
    const V: usize = LANES / 4;

    fn avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
    }

    /// [`lane_sums`] when the processor has AVX2.
    pub(super) fn try_lane_sums(body: &[f64], y: f64) -> Option<[f64; LANES]> {
        // SAFETY: the processor supports AVX2 (checked first).
        avx2().then(|| unsafe { lane_sums(body, y) })
    }

    /// [`lane_sums_and_slopes`] when the processor has AVX2.
    pub(super) fn try_lane_sums_and_slopes(body: &[f64], y: f64) -> Option<([f64; LANES], [f64; LANES])> {
        // SAFETY: the processor supports AVX2 (checked first).
        avx2().then(|| unsafe { lane_sums_and_slopes(body, y) })
    }

    /// [`npv`] when the processor has AVX2.
    pub(super) fn try_npv(body: &[f64], x: f64) -> Option<f64> {
        // SAFETY: the processor supports AVX2 (checked first).
        avx2().then(|| unsafe { npv(body, x) })
    }

    /// [`npv_and_slope`] when the processor has AVX2.
    pub(super) fn try_npv_and_slope(body: &[f64], x: f64) -> Option<(f64, f64)> {
        // SAFETY: the processor supports AVX2 (checked first).
        avx2().then(|| unsafe { npv_and_slope(body, x) })
    }

    /// [`year_sums`] when the processor has AVX2.
    pub(super) fn try_year_sums(body: &[f64], out: &mut [f64]) -> Option<usize> {
        // SAFETY: the processor supports AVX2 (checked first).
        avx2().then(|| unsafe { year_sums(body, out) })
    }

    #[target_feature(enable = "avx2")]
    fn load(c: &[f64], k: usize) -> __m256d {
        assert!(c.len() >= 4 * k + 4);
        // SAFETY: four f64 from index 4k are in bounds (asserted); unaligned load.
        unsafe { _mm256_loadu_pd(c.as_ptr().add(4 * k)) }
    }

    #[target_feature(enable = "avx2")]
    fn store(v: &[__m256d; V]) -> [f64; LANES] {
        let mut out = [0.0f64; LANES];
        for (k, v) in v.iter().enumerate() {
            // SAFETY: `out` holds LANES = 4·V f64.
            unsafe { _mm256_storeu_pd(out.as_mut_ptr().add(4 * k), *v) };
        }
        out
    }

    #[target_feature(enable = "avx2")]
    fn lane_sums(body: &[f64], y: f64) -> [f64; LANES] {
        store(&sums(body, y))
    }

    #[target_feature(enable = "avx2")]
    fn lane_sums_and_slopes(body: &[f64], y: f64) -> ([f64; LANES], [f64; LANES]) {
        let (a, d) = sums_and_slopes(body, y);
        (store(&a), store(&d))
    }

    /// [`super::pairwise`] on the 16 lanes of four vectors, in the same order: lanes j and
    /// j + 8, then j and j + 4, then j and j + 2, then the last two.
    #[target_feature(enable = "avx2")]
    fn pairwise(v: &[__m256d; V]) -> f64 {
        hsum(_mm256_add_pd(_mm256_add_pd(v[0], v[2]), _mm256_add_pd(v[1], v[3])))
    }

    /// The four lanes of one vector summed as (0 + 2) + (1 + 3).
    #[target_feature(enable = "avx2")]
    fn hsum(v: __m256d) -> f64 {
        let t = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
        _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)))
    }

    /// [`super::block_powers`] in four vectors, and y: the same products.
    #[target_feature(enable = "avx2")]
    fn block_powers(x: f64) -> ([__m256d; V], f64) {
        let x2 = x * x;
        let x4 = x2 * x2;
        let x8 = x4 * x4;
        let b0 = _mm256_setr_pd(1.0, x, x2, x2 * x);
        let b1 = _mm256_mul_pd(b0, _mm256_set1_pd(x4));
        let x8v = _mm256_set1_pd(x8);
        ([b0, b1, _mm256_mul_pd(b0, x8v), _mm256_mul_pd(b1, x8v)], x8 * x8)
    }

    /// [`super::npv`] for a body of whole chunks, the lane sums and their weighting kept in
    /// registers (the same operations in the same order as the portable function).
    #[target_feature(enable = "avx2")]
    fn npv(body: &[f64], x: f64) -> f64 {
        let (xs, y) = super::powers(x);
        let a = sums(body, y);
        let terms: [__m256d; V] = std::array::from_fn(|k| _mm256_mul_pd(load(&xs, k), a[k]));
        pairwise(&terms)
    }

    /// [`super::npv_and_slope`] for a body of whole chunks, likewise in registers.
    #[target_feature(enable = "avx2")]
    fn npv_and_slope(body: &[f64], x: f64) -> (f64, f64) {
        let (xs, y) = block_powers(x);
        let (a, d) = sums_and_slopes(body, y);
        // x^j · (j·A_j + L·y·A_j'), summed, then divided by x.
        let ly = _mm256_set1_pd(LANES as f64 * y);
        let value: [__m256d; V] = std::array::from_fn(|k| _mm256_mul_pd(xs[k], a[k]));
        let slope: [__m256d; V] = std::array::from_fn(|k| {
            let w = _mm256_add_pd(_mm256_mul_pd(load(&super::LANE_INDEX, k), a[k]), _mm256_mul_pd(ly, d[k]));
            _mm256_mul_pd(xs[k], w)
        });
        (pairwise(&value), pairwise(&slope) / x)
    }

    /// [`super::year_sums`] with the year's three vectors in registers.
    #[target_feature(enable = "avx2")]
    fn year_sums(body: &[f64], out: &mut [f64]) -> usize {
        let mut n = 0;
        for (y, c) in out.iter_mut().zip(body.chunks_exact(12)) {
            *y = hsum(_mm256_add_pd(_mm256_add_pd(load(c, 0), load(c, 1)), load(c, 2)));
            n += 1;
        }
        n
    }

    // The Horner loops stay functions of their own: inlined into the evaluations, the
    // values kept for after the loop push an accumulator out of the registers (measured).
    #[inline(never)]
    #[target_feature(enable = "avx2")]
    fn sums(body: &[f64], y: f64) -> [__m256d; V] {
        let (yv, y2) = (_mm256_set1_pd(y), _mm256_set1_pd(y * y));
        let mut a = [_mm256_setzero_pd(); V];
        let mut pairs = body.chunks_exact(2 * LANES);
        if let Some(last) = pairs.remainder().get(..LANES) {
            for (k, a) in a.iter_mut().enumerate() {
                *a = load(last, k);
            }
        }
        for c in pairs.by_ref().rev() {
            let (lo, hi) = c.split_at(LANES);
            for (k, a) in a.iter_mut().enumerate() {
                let inner = _mm256_add_pd(_mm256_mul_pd(load(hi, k), yv), load(lo, k));
                *a = _mm256_add_pd(_mm256_mul_pd(*a, y2), inner);
            }
        }
        a
    }

    #[inline(never)]
    #[target_feature(enable = "avx2")]
    fn sums_and_slopes(body: &[f64], y: f64) -> ([__m256d; V], [__m256d; V]) {
        let (yv, y2, ty) = (_mm256_set1_pd(y), _mm256_set1_pd(y * y), _mm256_set1_pd(y + y));
        let mut a = [_mm256_setzero_pd(); V];
        let mut d = [_mm256_setzero_pd(); V];
        let mut pairs = body.chunks_exact(2 * LANES);
        if let Some(last) = pairs.remainder().get(..LANES) {
            for (k, a) in a.iter_mut().enumerate() {
                *a = load(last, k);
            }
        }
        for c in pairs.by_ref().rev() {
            let (lo, hi) = c.split_at(LANES);
            for k in 0..V {
                let h = load(hi, k);
                d[k] = _mm256_add_pd(_mm256_mul_pd(d[k], y2), _mm256_add_pd(_mm256_mul_pd(a[k], ty), h));
                a[k] = _mm256_add_pd(_mm256_mul_pd(a[k], y2), _mm256_add_pd(_mm256_mul_pd(h, yv), load(lo, k)));
            }
        }
        (a, d)
    }
}

/// The sums of the whole years (twelve flows) of `body` into `out`, as many as fit; returns
/// their count. Each year as three vectors of four added lane by lane, then the lanes
/// (0 + 2) + (1 + 3).
fn year_sums(body: &[f64], out: &mut [f64]) -> usize {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if let Some(v) = wide::try_year_sums(body, out) {
        return v;
    }
    portable_year_sums(body, out)
}

/// [`year_sums`] in plain Rust (the reference for the vector build).
fn portable_year_sums(body: &[f64], out: &mut [f64]) -> usize {
    let mut n = 0;
    for (y, c) in out.iter_mut().zip(body.chunks_exact(12)) {
        let v: [f64; 4] = std::array::from_fn(|j| (c[j] + c[j + 4]) + c[j + 8]);
        *y = (v[0] + v[2]) + (v[1] + v[3]);
        n += 1;
    }
    n
}

/// Σ f[t] x^t with `LANES` independent Horner chains in y = x^LANES (one per residue of t).
fn npv(f: &[f64], x: f64) -> f64 {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if f.len().is_multiple_of(LANES) {
        if let Some(v) = wide::try_npv(f, x) {
            return v;
        }
    }
    portable_npv(f, x)
}

/// [`npv`] in plain Rust (the reference for the vector build).
fn portable_npv(f: &[f64], x: f64) -> f64 {
    let (xs, y) = powers(x);
    let n = f.len() / LANES;
    let acc = lane_sums(&f[..n * LANES], y);
    let mut total = pairwise(std::array::from_fn(|j| xs[j] * acc[j]));
    let tail = &f[n * LANES..];
    if tail.is_empty() {
        return total;
    }
    let mut p = y.powi(n as i32);
    for v in tail {
        total += v * p;
        p *= x;
    }
    total
}

/// Σ f[t] x^t and its derivative in x, with `LANES` interleaved Horner chains in
/// y = x^LANES; the tail is added directly. With A_j(y) = Σ_k f[L k + j] y^k:
/// value = Σ_j x^j A_j(y), slope = Σ_j (j x^(j−1) A_j + L x^(j+L−1) A_j'(y))
/// = (Σ_j x^j (j A_j + L y A_j'(y))) / x.
fn npv_and_slope(f: &[f64], x: f64) -> (f64, f64) {
    #[cfg(all(target_arch = "x86_64", not(feature = "portable")))]
    if f.len().is_multiple_of(LANES) {
        if let Some(v) = wide::try_npv_and_slope(f, x) {
            return v;
        }
    }
    portable_npv_and_slope(f, x)
}

/// [`npv_and_slope`] in plain Rust (the reference for the vector build).
fn portable_npv_and_slope(f: &[f64], x: f64) -> (f64, f64) {
    let (xs, y) = block_powers(x);
    let n = f.len() / LANES;
    let (a, da) = lane_sums_and_slopes(&f[..n * LANES], y);
    let ly = LANES as f64 * y;
    let mut value = pairwise(std::array::from_fn(|j| xs[j] * a[j]));
    let mut slope = pairwise(std::array::from_fn(|j| xs[j] * (LANE_INDEX[j] * a[j] + ly * da[j]))) / x;
    // Tail t = L·n + i.
    let tail = &f[n * LANES..];
    if tail.is_empty() {
        return (value, slope);
    }
    let mut p = y.powi(n as i32);
    let base = (LANES * n) as f64;
    for (i, v) in tail.iter().enumerate() {
        let t = base + i as f64;
        value += v * p;
        if t > 0.0 {
            slope += v * t * p / x;
        }
        p *= x;
    }
    (value, slope)
}

/// Root of Σ f[t] x^t in x on (lo, hi): Newton steps kept inside a shrinking bracket
/// (bisection when a step would leave it), until the step or the bracket is below 1e-12,
/// at most 200 steps. None without a sign change.
fn solve(f: &[f64], mut lo: f64, mut hi: f64, guess: f64) -> Option<f64> {
    let (f_lo, f_hi) = (npv(f, lo), npv(f, hi));
    if !(f_lo.is_finite() && f_hi.is_finite()) || f_lo.signum() == f_hi.signum() || f_lo == 0.0 || f_hi == 0.0 {
        return [(f_lo, lo), (f_hi, hi)].into_iter().find(|(v, _)| *v == 0.0).map(|(_, x)| x);
    }
    let lo_sign = f_lo.signum();
    let mut x = guess.clamp(lo, hi);
    for _ in 0..200 {
        let (v, dv) = npv_and_slope(f, x);
        if v == 0.0 {
            break;
        }
        if v.signum() == lo_sign {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - v / dv;
        if dv != 0.0 && newton.is_finite() && newton > lo && newton < hi && (newton - x).abs() < 1e-9 {
            // Quadratic convergence: the next step would be below 1e-15.
            x = newton;
            break;
        }
        let next = if dv != 0.0 && newton.is_finite() && newton > lo && newton < hi { newton } else { (lo + hi) / 2.0 };
        let step = (next - x).abs();
        x = next;
        if step < 1e-12 || hi - lo < 1e-12 {
            break;
        }
    }
    Some(x)
}

/// Root of the yearly sums' polynomial, only as the starting point of the monthly solve:
/// Newton from the rate at which the paid total, grown from the payments' mean year to the
/// receipts' mean year, equals the received total, until a step below 1e-4; the bracketed
/// search when Newton leaves (lo, hi).
fn yearly_guess(yearly: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let (mut paid, mut paid_t, mut got, mut got_t) = (0.0, 0.0, 0.0, 0.0);
    for (t, v) in yearly.iter().enumerate() {
        if *v < 0.0 {
            paid -= v;
            paid_t -= v * t as f64;
        } else {
            got += v;
            got_t += v * t as f64;
        }
    }
    let span = got_t / got - paid_t / paid;
    let start = if paid > 0.0 && got > 0.0 && span > 0.5 { (paid / got).powf(1.0 / span) } else { 1.0 / 1.03 };
    // A step below 1e-4 leaves an error of order 1e-8, far below the gap between the yearly
    // and the monthly roots that the monthly search closes anyway (the monthly evaluations
    // per row are the same as with 1e-9; two yearly ones fewer).
    newton(yearly, start.clamp(lo, hi), lo, hi, 1e-4, 20).or_else(|| solve(yearly, lo, hi, 1.0 / 1.03))
}

/// Plain Newton steps on Σ f[t] x^t from `x` while they stay inside (lo, hi): the point
/// after the first step smaller than `tol`, at most `steps` evaluations; None when a step
/// leaves the bracket or none gets that small (the callers then search the bracket).
fn newton(f: &[f64], mut x: f64, lo: f64, hi: f64, tol: f64, steps: usize) -> Option<f64> {
    for _ in 0..steps {
        let (v, dv) = npv_and_slope(f, x);
        let next = x - v / dv;
        if !(dv != 0.0 && next.is_finite() && next > lo && next < hi) {
            return None;
        }
        if (next - x).abs() < tol {
            return Some(next);
        }
        x = next;
    }
    None
}

/// The IRR's bracket in annual rates: −95% … +10,000% a year.
const R_HI: f64 = 100.0;
const R_LO: f64 = -0.95;
/// The same bracket in monthly discount factors (lo, hi), computed once.
static BRACKET: std::sync::LazyLock<(f64, f64)> =
    std::sync::LazyLock::new(|| ((1.0 + R_HI).powf(-1.0 / 12.0), (1.0 + R_LO).powf(-1.0 / 12.0)));

/// The monthly discount and accumulation factors of one discount rate, with the powers of
/// the accumulation factor that own payments need. Every value is what `powf`/`powi` give
/// (the table only saves recomputing them row after row). Kept per thread; a row with
/// another rate starts a new one without the table, which is built when the next row has
/// the same rate again, so rates that change from row to row cost no more than `powi`.
struct Discounting {
    rate: f64,
    /// (1 + rate)^(−1/12).
    down: f64,
    /// (1 + rate)^(1/12).
    up: f64,
    /// up^k for k = 0 … UP_POWERS − 1, once the rate has come twice in a row (else empty).
    up_pow: Vec<f64>,
}

/// Months covered by the table of powers (longer gaps call `powi`).
const UP_POWERS: i32 = 1200;

impl Discounting {
    fn new(rate: f64) -> Discounting {
        Discounting {
            rate,
            down: (1.0 + rate).powf(-1.0 / 12.0),
            up: (1.0 + rate).powf(1.0 / 12.0),
            up_pow: Vec::new(),
        }
    }

    /// The same rate again: the table of powers, if not built yet.
    fn repeat(&mut self) {
        if self.up_pow.is_empty() {
            let up = self.up;
            self.up_pow = (0..UP_POWERS).map(|k| up.powi(std::hint::black_box(k))).collect();
        }
    }

    /// up^n, exactly as `up.powi(n)`.
    fn up_pow(&self, n: i32) -> f64 {
        usize::try_from(n).ok().and_then(|k| self.up_pow.get(k)).copied().unwrap_or_else(|| self.up.powi(n))
    }
}

thread_local! {
    static DISCOUNTING: std::cell::RefCell<Option<Discounting>> = const { std::cell::RefCell::new(None) };
}

/// Yearly IRR of monthly flows; None when there is no sign change on −95%…+10,000% a year.
/// A first solve on yearly sums gives the starting point of the monthly solve.
/// Receipts usually start at `receipts` (the pension month): the search for a positive flow
/// looks there first (the same answer, without scanning the payment years).
fn irr(f: &[f64], receipts: usize) -> Option<f64> {
    let (before, after) = f.split_at(receipts.min(f.len()));
    let positive = after.iter().any(|v| *v > 0.0) || before.iter().any(|v| *v > 0.0);
    if !f.iter().any(|v| *v < 0.0) || !positive {
        return None;
    }
    let mut yearly = [0.0f64; 160];
    // Years counted from the pension month (the months before the first such year form a
    // short first one), so that no year mixes the last payments with the first receipts:
    // within each year the flows are then nearly level, and the yearly root is close to
    // the monthly one.
    let (head, body) = f.split_at(receipts.min(f.len()) % 12);
    yearly[0] = head.iter().sum();
    let years = (1 + body.len().div_ceil(12)).min(yearly.len());
    // Whole years as three vectors of four, added across then within (the sums only start
    // the search, so their order of addition is free); then the partial last year.
    let k = 1 + year_sums(body, &mut yearly[1..]);
    if let Some(y) = yearly.get_mut(k) {
        *y = body.chunks_exact(12).remainder().iter().sum();
    }
    // Zeros after the last year (they add nothing) make whole chunks: no tail loop.
    let yearly = &yearly[..years.next_multiple_of(LANES).min(yearly.len())];
    let guess_rate = yearly_guess(yearly, 1.0 / (1.0 + R_HI), 1.0 / (1.0 + R_LO)).map_or(0.03, |x| 1.0 / x - 1.0);
    let x_of = |r: f64| (1.0 + r).powf(-1.0 / 12.0);
    let (lo, hi) = *BRACKET;
    // Newton from the yearly guess usually lands in two or three steps; a root it reaches
    // is a root, so the bracketed search only runs when it does not. Newton's error is of
    // the order of the step squared (times a modest factor): below 1e-12 in the factor
    // after a step under 1e-7.
    let x0 = x_of(guess_rate);
    newton(f, x0, lo, hi, 1e-7, 8).or_else(|| solve(f, lo, hi, x0)).map(|x| x.powf(-12.0) - 1.0)
}

/// An `f64` statistic as a decimal with `dp` places (rounded half away from zero).
fn dec(x: f64, dp: u32) -> Option<Decimal> {
    let units = (x * pow10_f64(dp)).round();
    (units.is_finite() && units.abs() < 1e27).then(|| Decimal::from_i128_with_scale(units as i128, dp))
}

/// Metrics of one computed row; empty (but for provenance) when it is not `ok`.
pub fn compute(s: &Scenario, o: &Outcome, ctx: &Context) -> Metrics {
    // Real terms (issue 13, defect 3): divided by (1 + wage_growth)^(months / 12), months
    // from `as_of` to the pension month.
    let g = to_f64(s.wage_growth.unwrap_or(ctx.assumptions.wage_growth));
    let deflator = (1.0 + g).powf(f64::from(o.retire.since(s.as_of).max(0)) / 12.0);
    let real = |x: f64| if deflator.is_finite() && deflator > 0.0 { dec(x / deflator, 2) } else { None };
    let total_real = real(to_f64(o.total));
    if o.status != Status::Ok {
        return Metrics { provenance: o.provenance, total_real, ..Metrics::default() };
    }
    let life = lifetime(s, o, ctx);
    let d = to_f64(s.discount_rate.unwrap_or(ctx.assumptions.discount_rate));
    let (wealth, rate, accumulated) = DISCOUNTING.with(|cache| {
        let mut cache = cache.borrow_mut();
        let disc = match cache.as_mut() {
            Some(c) if c.rate.to_bits() == d.to_bits() => {
                c.repeat();
                c
            }
            _ => cache.insert(Discounting::new(d)),
        };
        let (wealth, rate) = FLOWS.with(|buf| {
            let mut f = buf.borrow_mut();
            let (offset, wealth) = flows_into(&mut f, &life, &o.payments, ctx, disc);
            (wealth, irr(&f, offset))
        });
        // Own payments accumulated to the pension month at the same rate (geometric sums).
        let up = disc.up;
        let up12 = up.powi(12); // the usual whole-year payment, computed once
        let mut accumulated = 0.0;
        for p in &o.payments {
            let n = p.last.since(p.first) + 1;
            let up_n = if n == 12 { up12 } else { disc.up_pow(n) };
            let sum = if (up - 1.0).abs() < 1e-15 { f64::from(n) } else { (up_n - 1.0) / (up - 1.0) };
            accumulated += to_f64(p.per_month) * disc.up_pow(life.start.since(p.last)) * sum;
        }
        (wealth, rate, accumulated)
    });
    let paid = net_paid(&o.payments);
    let money = Round::half_up(4);
    Metrics {
        replacement_rate: match (o.scheme, o.last_base) {
            (Scheme::Employee | Scheme::Flexible, Some(b)) if !b.is_zero() => Some(money.div(o.total, b)),
            _ => None,
        },
        replacement_rate_avg: o.avg_wage_retirement.filter(|w| !w.is_zero()).map(|w| money.div(o.total, w)),
        breakeven_age: breakeven(&life, paid).map(|m| m.since(s.birth)),
        irr: rate.and_then(|r| dec(r, 4)),
        pension_wealth: dec(wealth, 2),
        money_worth: if accumulated > 0.0 { dec(wealth / accumulated, 4) } else { None },
        provenance: o.provenance.max(life.provenance),
        total_real,
        pension_wealth_real: dec(wealth, 2).and_then(|_| real(wealth)),
    }
}

/// Yearly path rows of one row (`--paths`): from the first projected year to the life
/// horizon (to the table's end for rows without a pension).
pub fn paths_rows(s: &Scenario, o: &Outcome, ctx: &Context, fmt: Format) -> String {
    let mut out = String::new();
    push_paths_rows(&mut out, s, o, ctx, fmt);
    out
}

/// Appends the yearly path rows of one row (see [`paths_rows`]).
pub fn push_paths_rows(out: &mut String, s: &Scenario, o: &Outcome, ctx: &Context, fmt: Format) {
    let life = (o.status == Status::Ok).then(|| lifetime(s, o, ctx));
    let first_year = o.payments.first().map_or(s.as_of.year(), |p| p.first.year()).min(s.as_of.year());
    let last_month = match &life {
        Some(l) => l.horizon.min(l.end).plus(-1).max(l.start),
        None => o.retire,
    };
    // Own payments per calendar year in one pass over the payments (each is split at year ends).
    let years = (last_month.year() - first_year + 1).max(0) as usize;
    let mut own_by_year = vec![Decimal::ZERO; years];
    for p in &o.payments {
        let mut a = p.first.max(Month::january(first_year));
        while a <= p.last && a.year() <= last_month.year() {
            let b = p.last.min(Month::december(a.year()));
            own_by_year[(a.year() - first_year) as usize] += p.per_month * Decimal::from(b.since(a) + 1);
            a = Month::january(a.year() + 1);
        }
    }
    let mut traces = o.trace.iter().peekable();
    let (mut cum_paid, mut cum_recv) = (Decimal::ZERO, Decimal::ZERO);
    for (y, own) in (first_year..=last_month.year()).zip(own_by_year) {
        let jan = Month::january(y);
        let dec_ = Month::december(y);
        cum_paid += own;
        while traces.next_if(|t| t.year < y).is_some() {}
        let tr = traces.peek().filter(|t| t.year == y);
        let (pension, survival) = match &life {
            Some(l) if y >= l.start.year() => {
                let a = l.start.max(jan);
                let b = dec_.min(last_month);
                let p = l.pension_at(a);
                if a <= b {
                    cum_recv += p * Decimal::from(b.since(a) + 1);
                }
                (p, l.survival(ctx, dec_))
            }
            _ => (Decimal::ZERO, 1.0),
        };
        push_text(out, &s.id, fmt);
        let _ = write!(out, ",{y},{},", dec_.since(s.birth) / 12);
        push_fixed(out, own, 2);
        out.push(',');
        if let Some(t) = tr {
            push_fixed(out, t.gov_paid, 2);
            out.push(',');
            push_fixed(out, t.balance, 2);
            out.push(',');
        } else {
            out.push_str(",,");
        }
        for v in [pension, cum_paid, cum_recv] {
            push_fixed(out, v, 2);
            out.push(',');
        }
        let _ = writeln!(out, "{survival:.6}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irr_of_a_simple_annuity() {
        // Pay 100 now, receive 110 twelve months later: 10% a year.
        let mut f = vec![0.0; 13];
        f[0] = -100.0;
        f[12] = 110.0;
        assert!((irr(&f, 0).unwrap() - 0.10).abs() < 1e-9);
        // Where the search for receipts starts does not change the answer.
        for start in [5, 12, 13, 99] {
            assert_eq!(irr(&f, start), irr(&f, 0));
        }
        assert_eq!(irr(&[-1.0, 1.0, -1.0, -1.0], 3), irr(&[-1.0, 1.0, -1.0, -1.0], 0));
        // No sign change: undefined, never loops.
        assert!(irr(&[1.0, 2.0], 0).is_none());
        assert!(irr(&[-1.0, -2.0], 1).is_none());
    }

    #[test]
    fn irr_of_long_steep_flows_converges() {
        // Six yearly payments of 500, then 300 a month for 43 years: NPV at the IRR is 0.
        let mut f = vec![0.0; 600];
        for m in (11..72).step_by(12) {
            f[m] = -500.0;
        }
        for v in f.iter_mut().skip(76) {
            *v = 300.0;
        }
        let r = irr(&f, 0).unwrap();
        let x = (1.0 + r).powf(-1.0 / 12.0);
        assert!(npv(&f, x).abs() < 1e-6, "r={r} npv={}", npv(&f, x));
        assert!(r > 0.3 && r < 100.0, "{r}");
    }

    proptest::proptest! {
        /// The integer indexation path equals repeated decimal rounding.
        #[test]
        fn index_path_matches_decimal_steps(v in -100_000_000i64..100_000_000, vs in 0u32..4, g in -100i64..200, gs in 1u32..8,
                                            places in 0u32..4, mode in 0usize..3, years in 0usize..60,
                                            plus in 0i64..1_000_000, ps in 0u32..5) {
            let v = Decimal::new(v, vs);
            // (Growth of at most 30% a year at one or two places, so 60 years stay in range.)
            let grow = Decimal::ONE + Decimal::new(if gs <= 2 { g % 3 } else { g }, gs);
            let plus = Decimal::new(plus, ps);
            let mode = [crate::params::RoundMode::HalfAwayFromZero, crate::params::RoundMode::Up, crate::params::RoundMode::Down][mode];
            let money = Round { places, mode };
            let mut want = Vec::new();
            let mut cur = v;
            for _ in 0..years {
                cur = money.apply(cur * grow);
                want.push(cur + plus);
            }
            let mut got = vec![Decimal::ONE];
            index_path(v, grow, money, years, plus, &mut got);
            proptest::prop_assert_eq!(&got[1..], &want[..]);
        }
    }

    proptest::proptest! {
        /// The AVX2 loops give the same bits as the portable ones: results do not depend
        /// on the machine.
        #[test]
        fn wide_loops_give_the_same_bits(f in proptest::collection::vec(-1e6f64..1e6, 0..700), y in 0.5f64..1.5) {
            let body = &f[..f.len() / LANES * LANES];
            let portable = portable_lane_sums_and_slopes(body, y);
            let bits = |v: &[f64; LANES]| v.map(f64::to_bits);
            let (a, da) = lane_sums_and_slopes(body, y);
            proptest::prop_assert_eq!((bits(&a), bits(&da)), (bits(&portable.0), bits(&portable.1)));
            proptest::prop_assert_eq!(bits(&lane_sums(body, y)), bits(&portable_lane_sums(body, y)));
            proptest::prop_assert_eq!(bits(&portable_lane_sums(body, y)), bits(&portable.0));
            // The whole evaluations, the weighting and the pairwise sums included.
            let x = y.powf(1.0 / LANES as f64);
            let (v, dv) = npv_and_slope(body, x);
            let (pv, pdv) = portable_npv_and_slope(body, x);
            proptest::prop_assert_eq!((v.to_bits(), dv.to_bits()), (pv.to_bits(), pdv.to_bits()));
            proptest::prop_assert_eq!(npv(body, x).to_bits(), portable_npv(body, x).to_bits());
            // The yearly sums (the whole years only, as many as fit).
            let (mut wide, mut plain) = ([0.0f64; 40], [0.0f64; 40]);
            let years = portable_year_sums(&f, &mut plain);
            proptest::prop_assert_eq!(years, (f.len() / 12).min(40));
            proptest::prop_assert_eq!(year_sums(&f, &mut wide), years);
            proptest::prop_assert_eq!(wide.map(f64::to_bits), plain.map(f64::to_bits));
        }
    }

    #[test]
    fn npv_and_slope_match_direct_sums() {
        for n in [0usize, 1, 3, 4, 5, 23, 100] {
            let f: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) * 1.5).collect();
            let x: f64 = 0.97;
            let value: f64 = f.iter().enumerate().map(|(i, v)| v * x.powi(i as i32)).sum();
            let slope: f64 = f.iter().enumerate().skip(1).map(|(i, v)| v * i as f64 * x.powi(i as i32 - 1)).sum();
            let (v, d) = npv_and_slope(&f, x);
            assert!((v - value).abs() < 1e-9 && (d - slope).abs() < 1e-8, "n={n}: {v} vs {value}, {d} vs {slope}");
        }
    }

    #[test]
    fn npv_matches_direct_sum() {
        let f: Vec<f64> = (0..23).map(|i| (i as f64 - 7.0) * 1.5).collect();
        let x: f64 = 0.97;
        let direct: f64 = f.iter().enumerate().map(|(i, v)| v * x.powi(i as i32)).sum();
        assert!((npv(&f, x) - direct).abs() < 1e-9);
    }
}
