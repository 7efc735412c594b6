//! Calendar months (contract C3).

use std::fmt;
use std::mem::MaybeUninit;

/// A calendar month, stored as `year * 12 + (month - 1)` so that month arithmetic is
/// integer arithmetic. Written `YYYY-MM` (C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

/// Earliest year a month may have; earlier dates are input errors, not history.
pub const MIN_YEAR: i32 = 1900;
/// Latest year a month may have.
pub const MAX_YEAR: i32 = 2200;

impl Month {
    /// The month `year-month` (month 1..=12). No range check beyond the arithmetic.
    pub const fn new(year: i32, month: u32) -> Month {
        Month(year * 12 + month as i32 - 1)
    }

    /// Calendar year.
    pub const fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// Month of the year, 1..=12.
    pub const fn month(self) -> u32 {
        (self.0.rem_euclid(12) + 1) as u32
    }

    /// January of `year`.
    pub const fn january(year: i32) -> Month {
        Month(year * 12)
    }

    /// December of `year`.
    pub const fn december(year: i32) -> Month {
        Month(year * 12 + 11)
    }

    /// This month plus `n` months (negative goes back).
    pub const fn plus(self, n: i32) -> Month {
        Month(self.0 + n)
    }

    /// Months from `earlier` to `self` (negative if `self` is earlier).
    pub const fn since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }

    /// Parses a strict `YYYY-MM` with a year in [`MIN_YEAR`, `MAX_YEAR`].
    pub fn parse(text: &str) -> Option<Month> {
        let b = text.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return None;
        }
        if !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return None;
        }
        let year: i32 = text[..4].parse().ok()?;
        let month: u32 = text[5..].parse().ok()?;
        if !(1..=12).contains(&month) || !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Some(Month::new(year, month))
    }
}

/// "00" … "99", two bytes each.
const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839\
404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// Room reserved for one short ASCII text (a sign, 20 + 20 digits and a point fit).
const SLOT: usize = 48;

/// The bytes of a short ASCII text being written at the end of a string (see
/// [`append_ascii`]): every byte starts as `'0'`, and only ASCII is ever written.
pub struct AsciiSlot<'a> {
    dst: &'a mut [MaybeUninit<u8>],
}

impl AsciiSlot<'_> {
    /// Writes `v` in decimal right-aligned in `start..end`, two digits at a time; the
    /// positions to the left stay `'0'` (zero padding). The caller sizes the range.
    #[inline]
    pub fn digits(&mut self, start: usize, end: usize, mut v: u64) {
        let mut i = end;
        while i >= start + 2 && v >= 10 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            self.dst[i - 2].write(PAIRS[pair]);
            self.dst[i - 1].write(PAIRS[pair + 1]);
            i -= 2;
        }
        if i > start && v > 0 {
            self.dst[i - 1].write(b'0' + (v % 10) as u8);
        }
    }

    /// Writes one ASCII byte at `at`.
    #[inline]
    pub fn byte(&mut self, at: usize, b: u8) {
        assert!(b.is_ascii(), "ASCII only");
        self.dst[at].write(b);
    }
}

pub use spare::append_ascii;

/// The crate's one use of `unsafe` for text: writing straight into a string's spare
/// capacity (allowed here only; the rest of the crate denies `unsafe`).
#[allow(unsafe_code)]
mod spare {
    use super::{AsciiSlot, SLOT};
    use std::mem::MaybeUninit;

    /// Appends `len` (at most 48) ASCII bytes written by `fill` straight into the string's
    /// spare capacity. Building the text elsewhere and copying it costs more than the number
    /// itself: the copy reloads bytes just stored one or two at a time, which the processor
    /// cannot forward, and results are written for every row.
    #[inline(always)]
    pub fn append_ascii(out: &mut String, len: usize, fill: impl FnOnce(&mut AsciiSlot)) {
        assert!(len <= SLOT, "short text only");
        // SAFETY: only initialised ASCII bytes are added to the vector (below), so the string
        // stays valid UTF-8.
        let v = unsafe { out.as_mut_vec() };
        v.reserve(SLOT);
        let spare = &mut v.spare_capacity_mut()[..SLOT];
        spare.fill(MaybeUninit::new(b'0'));
        fill(&mut AsciiSlot { dst: &mut spare[..len] });
        let new_len = v.len() + len;
        // SAFETY: the `len` bytes after the old length are initialised (all set to '0', then
        // overwritten by `AsciiSlot`, which writes ASCII only) and within the capacity.
        unsafe { v.set_len(new_len) };
    }
}

/// Decimal digits of `v` (1 for zero): an estimate from the bit length (× 1233 / 4096 ≈
/// log10 2) corrected by one comparison, instead of a chain of divisions.
#[inline]
pub fn digit_count(v: u64) -> usize {
    const POW10: [u64; 20] = pow10_table!(u64, 20, 10);
    let bits = 64 - v.leading_zeros() as usize;
    let t = (bits * 1233) >> 12;
    (t + usize::from(v >= POW10[t])).max(1)
}

/// Appends `v` in decimal with at least `width` digits (leading zeros, at most 20).
pub fn push_digits(out: &mut String, v: u64, width: usize) {
    let len = digit_count(v).max(width.min(20));
    append_ascii(out, len, |s| s.digits(0, len, v));
}

impl Month {
    /// Appends `YYYY-MM` (the same text as `Display`, without the formatting machinery).
    pub fn push_to(self, out: &mut String) {
        match u32::try_from(self.year()) {
            Ok(y) if y <= 9999 => {
                append_ascii(out, 7, |s| {
                    s.digits(0, 4, u64::from(y));
                    s.byte(4, b'-');
                    s.digits(5, 7, u64::from(self.month()));
                });
            }
            _ => {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    }
}

impl Age {
    /// Appends `60y2m` (the same text as `Display`).
    pub fn push_to(self, out: &mut String) {
        match (u32::try_from(self.years()), u32::try_from(self.months())) {
            (Ok(y), Ok(m)) => {
                let (ny, nm) = (digit_count(u64::from(y)), digit_count(u64::from(m)));
                append_ascii(out, ny + nm + 2, |s| {
                    s.digits(0, ny, u64::from(y));
                    s.byte(ny, b'y');
                    s.digits(ny + 1, ny + 1 + nm, u64::from(m));
                    s.byte(ny + 1 + nm, b'm');
                });
            }
            _ => {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// An age in whole months, shown as `60y2m` (C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Age(pub i32);

impl Age {
    /// Whole years.
    pub const fn years(self) -> i32 {
        self.0.div_euclid(12)
    }
    /// Months beyond the whole years.
    pub const fn months(self) -> i32 {
        self.0.rem_euclid(12)
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}y{}m", self.years(), self.months())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_count_matches_the_text() {
        let mut values = vec![0u64, u64::MAX];
        let mut p = 1u64;
        for _ in 0..20 {
            values.extend([p - 1, p, p + 1, p.saturating_mul(5)]);
            p = p.saturating_mul(10);
        }
        for v in values {
            assert_eq!(digit_count(v), v.to_string().len(), "{v}");
        }
    }

    #[test]
    fn push_to_writes_the_display_text() {
        for m in [Month::new(2026, 1), Month::new(1900, 12), Month::new(2200, 7), Month(-5), Month(120_000 * 12)] {
            let mut s = String::new();
            m.push_to(&mut s);
            assert_eq!(s, m.to_string());
        }
        for (v, w) in [(0u64, 1), (7, 1), (7, 2), (7, 4), (1234, 2), (1204, 4), (100, 1), (u64::MAX, 1), (5, 7)] {
            let mut s = String::new();
            push_digits(&mut s, v, w);
            assert_eq!(s, format!("{v:0w$}"));
        }
        for a in [0, 1, 11, 12, 725, 1200, -1, -13] {
            let mut s = String::new();
            Age(a).push_to(&mut s);
            assert_eq!(s, Age(a).to_string());
        }
    }

    #[test]
    fn parse_and_display_round_trip() {
        let m = Month::parse("2025-09").unwrap();
        assert_eq!((m.year(), m.month()), (2025, 9));
        assert_eq!(m.to_string(), "2025-09");
        assert_eq!(m.plus(4).to_string(), "2026-01");
        assert_eq!(m.plus(-9).to_string(), "2024-12");
    }

    #[test]
    fn parse_rejects_bad_months() {
        for bad in ["2025-13", "2025-00", "0000-01", "2025-1", "25-01", "2025/01", "+025-01", "2025-0a"] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn age_display() {
        assert_eq!(Age(722).to_string(), "60y2m");
        assert_eq!(Age(600).to_string(), "50y0m");
    }
}
