//! Results CSV rows (contract §7).

use crate::model::{Outcome, Status};
use crate::params::{append_ascii, digit_count, to_units, Age, Params, Provenance};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write;

/// Result columns: the contract's, then the analyst metrics, then echoes of two inputs
/// (the effective `contribution_index` and `tier`) for grouping charts, then the real-terms
/// amounts and the scope of the lifetime metrics (issue 13, defects 3 and 4).
pub const RESULT_COLUMNS: &[&str] = &[
    "id",
    "label",
    "status",
    "scheme",
    "claim_region",
    "retire",
    "retire_age",
    "divisor",
    "years",
    "min_years",
    "avg_index",
    "base",
    "balance",
    "basic",
    "account",
    "transitional",
    "resident_basic",
    "bonus",
    "allowance",
    "total",
    "own_paid",
    "gov_paid",
    "message",
    "replacement_rate",
    "replacement_rate_avg",
    "breakeven_age",
    "irr",
    "pension_wealth",
    "money_worth",
    "provenance",
    "contribution_index",
    "tier",
    "total_real",
    "pension_wealth_real",
    "metrics_scope",
];

/// Value of `metrics_scope` on every computed row: the IRR, money's worth and break-even
/// age count only the payments from `as_of` on.
pub const METRICS_SCOPE: &str = "from_as_of";

/// Analyst metrics appended after `message` (computed by the core's metrics stage).
pub use crate::metrics::Metrics;

/// Output options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Format {
    /// Neutralise text fields that a spreadsheet would run as formulas.
    pub excel: bool,
}

/// Formats `d` with exactly `dp` decimals, half away from zero.
pub fn fixed(d: Decimal, dp: usize) -> String {
    let mut s = String::new();
    push_fixed(&mut s, d, dp);
    s
}

/// Appends `d` with exactly `dp` decimals, half away from zero. The usual places go to
/// copies of the formatter with `dp` fixed, whose divisions by 10^dp are by constants
/// (with a variable `dp` the compiler divides by a variable, which is slow).
#[inline(always)]
pub(crate) fn push_fixed(out: &mut String, d: Decimal, dp: usize) {
    match dp {
        0 => push_fixed_at::<0>(out, d),
        1 => push_fixed_at::<1>(out, d),
        2 => push_fixed_at::<2>(out, d),
        4 => push_fixed_at::<4>(out, d),
        _ => push_fixed_any(out, d, dp),
    }
}

fn push_fixed_at<const DP: usize>(out: &mut String, d: Decimal) {
    push_fixed_any(out, d, DP);
}

#[inline(always)]
fn push_fixed_any(out: &mut String, d: Decimal, dp: usize) {
    let units = if d.scale() as usize == dp { Some(d.mantissa()) } else { to_units(d, dp as u32) };
    // (More than 19 places do not fit the u64 split below.)
    let Some(units) = units.filter(|_| dp <= 19) else {
        let _ = write!(out, "{:.dp$}", d.round_dp_with_strategy(dp as u32, RoundingStrategy::MidpointAwayFromZero));
        return;
    };
    let Ok(v) = u64::try_from(units.unsigned_abs()) else {
        if units < 0 {
            out.push('-');
        }
        let _ =
            write!(out, "{:.dp$}", d.round_dp_with_strategy(dp as u32, RoundingStrategy::MidpointAwayFromZero).abs());
        return;
    };
    // |units| = whole · 10^dp + frac.
    let p = 10u64.pow(dp as u32);
    let (whole, frac) = (v / p, v % p);
    // [-]whole[.frac], the fraction zero-padded to dp digits.
    let sign = usize::from(units < 0);
    // Digits of the whole part from those of v (no wait for the division): v has dp more
    // when the whole part is not zero.
    let nw = digit_count(v).saturating_sub(dp).max(1);
    let len = sign + nw + if dp > 0 { 1 + dp } else { 0 };
    append_ascii(out, len, |s| {
        if sign == 1 {
            s.byte(0, b'-');
        }
        s.digits(sign, sign + nw, whole);
        if dp > 0 {
            s.byte(sign + nw, b'.');
            s.digits(sign + nw + 1, len, frac);
        }
    });
}

/// Appends one CSV field, quoted when needed; in Excel mode a text starting with `=`, `+`,
/// `-` or `@` gets a leading apostrophe so it is shown, not evaluated.
pub fn push_text(out: &mut String, text: &str, fmt: Format) {
    let guard = fmt.excel && text.starts_with(['=', '+', '-', '@']);
    let needs_quotes = guard || text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if needs_quotes {
        out.push('"');
        if guard {
            out.push('\'');
        }
        for ch in text.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The header line.
pub fn header_line() -> String {
    let mut s = RESULT_COLUMNS.join(",");
    s.push('\n');
    s
}

/// Echoed inputs for the last two columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo {
    /// Effective future contribution index (employee/flexible rows).
    pub contribution_index: Option<Decimal>,
    /// Resident tier.
    pub tier: Option<Decimal>,
}

/// Appends a computed row.
#[allow(clippy::too_many_arguments)]
pub fn push_outcome(
    out: &mut String,
    id: &str,
    label: &str,
    o: &Outcome,
    m: &Metrics,
    echo: Echo,
    params: &Params,
    fmt: Format,
) {
    push_text(out, id, fmt);
    out.push(',');
    push_text(out, label, fmt);
    out.push(',');
    out.push_str(match o.status {
        Status::Ok => "ok",
        Status::Ineligible => "ineligible",
    });
    out.push(',');
    out.push_str(o.scheme.as_str());
    out.push(',');
    push_text(out, &params.region(o.claim_region).key, fmt);
    out.push(',');
    o.retire.push_to(out);
    out.push(',');
    Age(o.retire_age).push_to(out);
    out.push(',');
    let ok = o.status == Status::Ok;
    if let (true, Some(d)) = (ok, o.divisor) {
        push_fixed(out, d, 1);
    }
    out.push(',');
    push_fixed(out, o.years, 2);
    out.push(',');
    push_fixed(out, o.min_years, 1);
    out.push(',');
    if let Some(a) = o.avg_index {
        push_fixed(out, a, 4);
    }
    out.push(',');
    if let (true, Some(c)) = (ok, o.base) {
        push_fixed(out, c, 2);
    }
    for v in [
        o.balance,
        o.basic,
        o.account,
        o.transitional,
        o.resident_basic,
        o.bonus,
        o.allowance,
        o.total,
        o.own_paid,
        o.gov_paid,
    ] {
        out.push(',');
        push_fixed(out, v, 2);
    }
    out.push(',');
    match o.notes.as_slice() {
        [] => {}
        [one] => push_text(out, one, fmt),
        many => push_text(out, &many.join("; "), fmt),
    }
    push_metrics(out, m, m.provenance.max(o.provenance));
    push_echo(out, echo);
    for v in [m.total_real, m.pension_wealth_real] {
        out.push(',');
        if let Some(v) = v {
            push_fixed(out, v, 2);
        }
    }
    out.push(',');
    out.push_str(METRICS_SCOPE);
    out.push('\n');
}

fn push_metrics(out: &mut String, m: &Metrics, provenance: Provenance) {
    let opt = |out: &mut String, v: Option<Decimal>, dp: usize| {
        out.push(',');
        if let Some(v) = v {
            push_fixed(out, v, dp);
        }
    };
    opt(out, m.replacement_rate, 4);
    opt(out, m.replacement_rate_avg, 4);
    out.push(',');
    if let Some(a) = m.breakeven_age {
        Age(a).push_to(out);
    }
    opt(out, m.irr, 4);
    opt(out, m.pension_wealth, 2);
    opt(out, m.money_worth, 4);
    out.push(',');
    out.push_str(provenance.as_str());
}

fn push_echo(out: &mut String, echo: Echo) {
    out.push(',');
    if let Some(i) = echo.contribution_index {
        let n = i.normalize();
        push_fixed(out, n, n.scale() as usize);
    }
    out.push(',');
    if let Some(t) = echo.tier {
        let n = t.normalize();
        push_fixed(out, n, n.scale() as usize);
    }
}

/// Appends an error row: id (or the line number when the id is bad), label, status,
/// numbers empty, message.
pub fn push_error(out: &mut String, id: &str, label: &str, message: &str, fmt: Format) {
    push_text(out, id, fmt);
    out.push(',');
    push_text(out, label, fmt);
    out.push_str(",error");
    // scheme … gov_paid: 19 empty fields.
    for _ in 0..19 {
        out.push(',');
    }
    out.push(',');
    push_text(out, message, fmt);
    // metrics (7), echoes (2), real amounts (2) and scope empty.
    for _ in 0..12 {
        out.push(',');
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_fixed_formats_exactly() {
        for (d, dp, want) in [
            ("0", 2, "0.00"),
            ("-0.004", 2, "0.00"),
            ("-0.005", 2, "-0.01"),
            ("12.345", 2, "12.35"),
            ("7", 0, "7"),
            ("0.5", 0, "1"),
            ("139", 1, "139.0"),
            ("0.6820", 4, "0.6820"),
            ("123456789.125", 2, "123456789.13"),
        ] {
            let mut s = String::new();
            push_fixed(&mut s, d.parse().unwrap(), dp);
            assert_eq!(s, want, "{d}");
        }
    }

    proptest::proptest! {
        /// The direct writer gives the text of Decimal's own formatting, for any sign,
        /// scale and number of places in use (Decimal's formatter itself cannot print
        /// large values with many more places).
        #[test]
        fn push_fixed_matches_decimal_formatting(m in proptest::prelude::any::<i64>(), scale in 0u32..12,
                                                 dp in proptest::sample::select(vec![0usize, 1, 2, 3, 4, 7])) {
            let d = Decimal::new(m, scale);
            let want = format!("{:.dp$}", d.round_dp_with_strategy(dp as u32, RoundingStrategy::MidpointAwayFromZero));
            let mut s = String::from("x,");
            push_fixed(&mut s, d, dp);
            proptest::prop_assert_eq!(&s[2..], want.as_str());
        }
    }

    #[test]
    fn fixed_rounds_half_away_from_zero() {
        assert_eq!(fixed(Decimal::new(12345, 3), 2), "12.35");
        assert_eq!(fixed(Decimal::new(-12345, 3), 2), "-12.35");
        assert_eq!(fixed(Decimal::from(139), 1), "139.0");
        assert_eq!(fixed(Decimal::new(6820, 4), 4), "0.6820");
    }

    #[test]
    fn text_fields_are_quoted_and_neutralised() {
        let mut s = String::new();
        push_text(&mut s, "a,\"b\"", Format::default());
        assert_eq!(s, "\"a,\"\"b\"\"\"");
        let mut s = String::new();
        push_text(&mut s, "=1+1", Format { excel: true });
        assert_eq!(s, "\"'=1+1\"");
        let mut s = String::new();
        push_text(&mut s, "=1+1", Format::default());
        assert_eq!(s, "=1+1");
    }

    #[test]
    fn error_row_has_every_column() {
        let mut s = String::new();
        push_error(&mut s, "x", "x", "bad", Format::default());
        let n = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(s.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .len();
        assert_eq!(n, RESULT_COLUMNS.len());
    }
}
