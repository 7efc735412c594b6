//! Calendar months (contract C3).

use std::fmt;

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

/// A short ASCII text built right to left on the stack and appended in one piece (a number
/// written two digits at a time costs one append, not one per pair).
pub struct Ascii {
    buf: [u8; 48],
    start: usize,
}

impl Default for Ascii {
    fn default() -> Ascii {
        Ascii { buf: [0; 48], start: 48 }
    }
}

impl Ascii {
    /// Puts `v` in decimal with at least `width` digits (leading zeros, at most 20) in front.
    #[inline]
    pub fn digits(&mut self, mut v: u64, width: usize) -> &mut Ascii {
        let width = width.min(20);
        let end = self.start;
        while v >= 100 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            self.start -= 2;
            self.buf[self.start..self.start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if v >= 10 {
            self.start -= 2;
            self.buf[self.start..self.start + 2].copy_from_slice(&PAIRS[2 * v as usize..2 * v as usize + 2]);
        } else {
            self.start -= 1;
            self.buf[self.start] = b'0' + v as u8;
        }
        while end - self.start < width {
            self.start -= 1;
            self.buf[self.start] = b'0';
        }
        self
    }

    /// Puts one ASCII byte in front.
    #[inline]
    pub fn byte(&mut self, b: u8) -> &mut Ascii {
        debug_assert!(b.is_ascii());
        self.start -= 1;
        self.buf[self.start] = b;
        self
    }

    /// Appends the text built so far.
    #[inline]
    pub fn append_to(&self, out: &mut String) {
        // Only ASCII is ever put in: each byte is its own character (no UTF-8 check call).
        out.extend(self.buf[self.start..].iter().map(|&b| char::from(b)));
    }
}

/// Appends `v` in decimal with at least `width` digits (leading zeros, at most 20).
pub fn push_digits(out: &mut String, v: u64, width: usize) {
    Ascii::default().digits(v, width).append_to(out);
}

impl Month {
    /// Appends `YYYY-MM` (the same text as `Display`, without the formatting machinery).
    pub fn push_to(self, out: &mut String) {
        match u32::try_from(self.year()) {
            Ok(y) if y <= 9999 => {
                Ascii::default().digits(u64::from(self.month()), 2).byte(b'-').digits(u64::from(y), 4).append_to(out);
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
                Ascii::default().byte(b'm').digits(u64::from(m), 1).byte(b'y').digits(u64::from(y), 1).append_to(out);
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
