//! Exact decimal arithmetic and rounding (C2): rounding modes and steps, comparisons, and
//! the whole-unit fast paths on 64- and 128-bit integers that give the same numbers as
//! the decimal operations.

use super::*;

/// A rounding mode (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    /// 四舍五入: half away from zero.
    HalfAwayFromZero,
    /// Away from zero (e.g. "rounded up to whole yuan").
    Up,
    /// Toward zero.
    Down,
}

/// One rounding step: decimal places and mode (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Decimal places kept.
    pub places: u32,
    /// Mode.
    pub mode: RoundMode,
}

impl Round {
    /// Half away from zero to `places` (the contract default).
    pub const fn half_up(places: u32) -> Round {
        Round { places, mode: RoundMode::HalfAwayFromZero }
    }

    /// `round(a × b)`: the product is exact, rounded once. Integer arithmetic on the
    /// mantissas when they fit in `i128` (same result as the decimal operations, faster).
    #[inline]
    pub fn mul(self, a: Decimal, b: Decimal) -> Decimal {
        self.mul_div(a, b, 1)
    }

    /// `round(a × b / d)` for a whole `d > 0`, evaluated exactly and rounded once (C2).
    #[inline]
    pub fn mul_div(self, a: Decimal, b: Decimal, d: i64) -> Decimal {
        let scale = a.scale() + b.scale();
        let (ma, mb) = (a.mantissa(), b.mantissa());
        // 64-bit path: the usual money × rate case.
        if let (Ok(x), Ok(y)) = (i64::try_from(ma), i64::try_from(mb)) {
            if let Some(num) = x.checked_mul(y) {
                let q = if scale >= self.places {
                    round_scaled(num, scale - self.places, d, self.mode)
                } else {
                    POW10
                        .get((self.places - scale) as usize)
                        .and_then(|p| num.checked_mul(*p))
                        .and_then(|num| round_scaled(num, 0, d, self.mode))
                };
                if let Some(q) = q {
                    return Decimal::from_i128_with_scale(i128::from(q), self.places);
                }
            }
        }
        let exact = mul_i128(ma, mb).and_then(|num| {
            let (num, den) = if scale >= self.places {
                (num, mul_i128(i128::from(d), pow10_i128(scale - self.places)?)?)
            } else {
                (mul_i128(num, pow10_i128(self.places - scale)?)?, i128::from(d))
            };
            let q = round_ratio(num, den, self.mode);
            (q.unsigned_abs() < 1u128 << 95).then(|| Decimal::from_i128_with_scale(q, self.places))
        });
        exact.unwrap_or_else(|| self.apply(a * b / Decimal::from(d)))
    }

    /// `round(a / b)` for `b ≠ 0` (C2): exact integer arithmetic on the mantissas when the
    /// scaled numerator stays below 10^26, else the decimal quotient rounded. The two agree:
    /// with |numerator| < 10^26 the quotient's 28 significant digits are closer to it than
    /// any rounding boundary it is not on (property-tested below).
    #[inline]
    pub fn div(self, a: Decimal, b: Decimal) -> Decimal {
        const LIMIT: u128 = 100_000_000_000_000_000_000_000_000; // 10^26
        let exact = (|| {
            // a / b = am·10^(bs + places) / (bm·10^as) in units of 10^−places.
            let num = mul_i128(a.mantissa(), pow10_i128(b.scale() + self.places)?)?;
            let den = mul_i128(b.mantissa(), pow10_i128(a.scale())?)?;
            if den == 0 || num.unsigned_abs() >= LIMIT {
                return None;
            }
            let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
            let q = round_ratio(num, den, self.mode);
            Some(Decimal::from_i128_with_scale(q, self.places))
        })();
        exact.unwrap_or_else(|| self.apply(a / b))
    }

    /// Applies the step.
    #[inline]
    pub fn apply(self, d: Decimal) -> Decimal {
        let strategy = match self.mode {
            RoundMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundMode::Up => RoundingStrategy::AwayFromZero,
            RoundMode::Down => RoundingStrategy::ToZero,
        };
        d.round_dp_with_strategy(self.places, strategy)
    }
}

/// `a` compared with `b` by value, on the mantissas when both fit in `i64` with scales at
/// most nine apart (the usual case: a field against its bounds or a table value); the
/// decimal comparison otherwise. The same ordering either way (property-tested below).
#[inline]
pub fn compare(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    if let (Ok(ma), Ok(mb)) = (i64::try_from(a.mantissa()), i64::try_from(b.mantissa())) {
        if sa == sb {
            return ma.cmp(&mb);
        }
        let (ma, mb) = (i128::from(ma), i128::from(mb));
        if sa < sb && sb - sa <= 9 {
            return (ma * 10i128.pow(sb - sa)).cmp(&mb);
        }
        if sb < sa && sa - sb <= 9 {
            return ma.cmp(&(mb * 10i128.pow(sa - sb)));
        }
    }
    a.cmp(&b)
}

/// Powers of ten that fit in `i64`.
pub(super) const POW10: [i64; 19] = pow10_table!(i64, 19, 10);

/// 10^k as `i128` for k ≤ 38, from a table (no multiplication loop).
#[inline]
pub fn pow10_i128(k: u32) -> Option<i128> {
    const T: [i128; 39] = pow10_table!(i128, 39, 10);
    T.get(k as usize).copied()
}

/// `a × b` in `i128`, None on overflow. Operands that fit in `i64` take one widening
/// multiplication (their product always fits); the general checked product is a library
/// call.
#[inline]
pub fn mul_i128(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// `num / 10^k` truncated toward zero, dividing by a constant for every `k` (the compiler
/// turns constant divisions into multiplications); `k ≤ 18`.
#[inline]
pub(super) fn div_pow10(num: i64, k: u32) -> i64 {
    macro_rules! arms {
        ($($k:literal),*) => {
            match k {
                $($k => num / 10i64.pow($k),)*
                _ => 0,
            }
        };
    }
    arms!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
}

/// `num / (d × 10^k)` rounded to a whole number by `mode` (`d > 0`, `k ≤ 18`), exactly: the
/// same value as [`round_ratio`], with constant divisors for the usual `d` of 1 and 12.
/// None when `d × 10^k` does not fit in `i64`.
#[inline(always)]
pub fn round_scaled(num: i64, k: u32, d: i64, mode: RoundMode) -> Option<i64> {
    let den = POW10.get(k as usize)?.checked_mul(d)?;
    // trunc(trunc(n / a) / b) = trunc(n / (a b)) for whole a, b > 0.
    if mode == RoundMode::HalfAwayFromZero {
        // round(n / den) = trunc((2n ± den) / (2 den)): one division, no remainder test
        // (when 2n ± den fits; else the remainder test below).
        if let Some(a) = num.checked_mul(2).and_then(|n2| n2.checked_add(if num < 0 { -den } else { den })) {
            let a = a / 2;
            return Some(match d {
                1 => div_pow10(a, k),
                12 => div_pow10(a, k) / 12,
                _ => a / den,
            });
        }
    }
    let q = match d {
        1 => div_pow10(num, k),
        12 => div_pow10(num, k) / 12,
        _ => num / den,
    };
    let r = num - q * den;
    if r == 0 {
        return Some(q);
    }
    let away = match mode {
        RoundMode::HalfAwayFromZero => r.unsigned_abs() >= den.unsigned_abs() - r.unsigned_abs(),
        RoundMode::Up => true,
        RoundMode::Down => false,
    };
    Some(if away { q + num.signum() } else { q })
}

/// `num / den` rounded to a whole number by `mode` (`den > 0`), exactly.
#[inline]
pub fn round_ratio(num: i128, den: i128, mode: RoundMode) -> i128 {
    if den == 1 {
        return num;
    }
    // 64-bit division when both fit: the common case, and much cheaper than 128-bit.
    if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
        if let Some(q) = round_scaled(n, 0, d, mode) {
            return i128::from(q);
        }
    }
    let (q, r) = (num / den, num % den);
    if r == 0 {
        return q;
    }
    let away = match mode {
        RoundMode::HalfAwayFromZero => r.unsigned_abs() * 2 >= den.unsigned_abs(),
        RoundMode::Up => true,
        RoundMode::Down => false,
    };
    if away {
        q + num.signum()
    } else {
        q
    }
}

/// `d` as a whole number of 10^−places units in `i64`, when it is one exactly (at most
/// `places` decimals) and fits; the integer form of money for the accruals.
#[inline]
pub fn exact_units(d: Decimal, places: u32) -> Option<i64> {
    let m = i64::try_from(d.mantissa()).ok()?;
    let s = d.scale();
    if s > places {
        return None;
    }
    m.checked_mul(10i64.checked_pow(places - s)?)
}

/// `d` rounded half away from zero to `dp` places, as a whole number of 10^−dp units
/// (e.g. fen for dp = 2); None if it does not fit.
#[inline]
pub fn to_units(d: Decimal, dp: u32) -> Option<i128> {
    let (m, s) = (d.mantissa(), d.scale());
    if s >= dp {
        Some(round_ratio(m, pow10_i128(s - dp)?, RoundMode::HalfAwayFromZero))
    } else {
        mul_i128(m, pow10_i128(dp - s)?)
    }
}

/// A decimal as `f64` (for statistics; not exact).
#[inline]
pub fn to_f64(d: Decimal) -> f64 {
    #[cold]
    #[inline(never)]
    pub(super) fn wide(m: i128) -> f64 {
        m as f64
    }
    let m = d.mantissa();
    let small = m as i64;
    let v = if i128::from(small) == m { small as f64 } else { wide(m) };
    v / pow10_f64(d.scale())
}

/// 10^k as `f64`: exact for k ≤ 22 (5^22 < 2^53), from a table; the same values as
/// `10f64.powi(k)` without the call.
#[inline]
pub fn pow10_f64(k: u32) -> f64 {
    const T: [f64; 23] = pow10_table!(f64, 23, 10.0);
    match T.get(k as usize) {
        Some(v) => *v,
        None => 10f64.powi(k as i32),
    }
}
