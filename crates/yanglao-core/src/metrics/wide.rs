//! The Horner loops on 256-bit vectors, four lanes each. Each lane sees the same
//! multiplications and additions in the same order as the portable loops (no FMA, whose
//! single rounding would change the bits), so results do not depend on the machine
//! (tested below); only the width of the operations differs.
//!
//! One of the crate's few modules allowed `unsafe`: calling a `target_feature` function
//! and the unaligned loads and stores. Outside it, the `try_` functions are safe: they
//! check for AVX2 first and give None without it. The `portable` feature leaves the module
//! out (the same results, bit for bit, from the plain loops).

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
