//! Drawing a prepared chart with plotters.
//!
//! Sizes are given in typographic points and turned into pixels with the requested dpi, so
//! a chart printed at its nominal size (pixels ÷ dpi) has 11 pt titles, 8.5 pt axis titles
//! and 7.5 pt tick labels whatever its pixel count.
//!
//! Layout, top to bottom: title, a legend row (wrapped when long), the plot, and a footer
//! with the data source and provenance. Bar labels, bar totals and the break-even marker are
//! placed here rather than by plotters so that long scenario names can be turned upright.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::ChartFont;
use super::kinds::{Bars, Lines, Plot, Prepared};

mod bars;
mod lines;

use bars::*;
use lines::*;

/// Okabe–Ito colours (safe for colour-blind readers), then four darker extras.
pub(crate) const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(0, 0, 0),
    RGBColor(153, 136, 0),
    RGBColor(117, 112, 179),
    RGBColor(102, 102, 102),
    RGBColor(166, 118, 29),
    RGBColor(27, 94, 32),
];
const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(222, 222, 222);

/// Text sizes in points.
const TITLE_PT: f64 = 11.0;
const DESC_PT: f64 = 8.5;
const TICK_PT: f64 = 7.5;
const LEGEND_PT: f64 = 7.5;
const VALUE_PT: f64 = 6.5;
const FOOT_PT: f64 = 6.0;
/// At most this many footer lines; longer footers are cut with "…".
const MAX_FOOTER_LINES: usize = 4;
/// Titles wrap onto at most this many lines.
const MAX_TITLE_LINES: usize = 3;
/// Bar labels wrap onto at most this many lines.
const MAX_LABEL_LINES: usize = 3;

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Fonts, scale and the warnings of one drawing.
struct Ctx<'a> {
    font: &'a ChartFont,
    /// Pixels per point.
    k: f64,
    warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    fn px(&self, pt: f64) -> f64 {
        pt * self.k
    }

    fn ipx(&self, pt: f64) -> i32 {
        self.px(pt).round() as i32
    }

    fn stroke(&self, pt: f64) -> u32 {
        (self.px(pt).round() as u32).max(1)
    }

    fn style<'s>(&'s self, pt: f64, color: &'s RGBColor) -> TextStyle<'s> {
        TextStyle::from((self.font.family(), self.px(pt)).into_font()).color(color)
    }

    fn width(&self, text: &str, pt: f64) -> f64 {
        f64::from(self.font.width(text, self.px(pt) as f32))
    }

    /// `text` shortened with "…" to fit `max` pixels; `None` if it fits as it is.
    fn shorten(&self, text: &str, pt: f64, max: f64) -> Option<String> {
        if self.width(text, pt) <= max {
            return None;
        }
        let chars: Vec<char> = text.chars().collect();
        let mut n = chars.len();
        while n > 0 {
            n -= 1;
            let s: String = chars[..n].iter().collect::<String>() + "…";
            if self.width(&s, pt) <= max {
                return Some(s);
            }
        }
        Some("…".into())
    }

    /// `text` broken into lines of at most `max` pixels: at the last space when the line
    /// has one (Latin words stay whole), else between any two characters (Chinese).
    fn wrap(&self, text: &str, pt: f64, max: f64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in text.chars() {
            line.push(c);
            if self.width(&line, pt) > max && line.chars().count() > 1 {
                let cut = line.trim_end().rfind(' ').filter(|&i| i > 0);
                let rest = match cut {
                    Some(i) => line.split_off(i).trim_start().to_string(),
                    None => {
                        line.pop();
                        c.to_string()
                    }
                };
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line = rest;
            }
        }
        if !line.trim().is_empty() {
            lines.push(line);
        }
        lines
    }

    /// `text` wrapped into at most `max_lines` lines of `max` pixels; the last line is
    /// shortened with "…" if the text does not fit. The flag says whether it was shortened.
    fn wrap_at_most(&self, text: &str, pt: f64, max: f64, max_lines: usize) -> (Vec<String>, bool) {
        let mut lines = self.wrap(text, pt, max);
        if lines.len() <= max_lines.max(1) {
            return (lines, false);
        }
        let keep = max_lines.max(1);
        let rest: String = lines[keep - 1..].join(" ");
        lines.truncate(keep - 1);
        lines.push(self.shorten_middle(&rest, pt, max));
        (lines, true)
    }

    /// `text` with its middle replaced by "…" to fit `max` pixels: labels that share a long
    /// beginning (a place name) usually differ at the end, which is kept.
    fn shorten_middle(&self, text: &str, pt: f64, max: f64) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut k = chars.len();
        while k > 0 {
            k -= 1;
            let head = k.div_ceil(2);
            let tail = k - head;
            let s: String =
                chars[..head].iter().chain(['…'].iter()).chain(chars[chars.len() - tail..].iter()).collect();
            if self.width(&s, pt) <= max {
                return s;
            }
        }
        "…".into()
    }
}

/// How a legend entry is drawn.
enum Swatch {
    Fill(RGBColor),
    /// A filled band: colour and opacity.
    Band(RGBColor, f64),
    /// Colour, line style slot, dots, joined by a line.
    Line(RGBColor, usize, bool, bool),
}

/// Dash patterns in points (on, off, …; empty = solid), by line style slot.
const DASHES: [&[f64]; 4] = [&[], &[4.5, 2.0], &[1.2, 1.5], &[5.0, 1.8, 1.2, 1.8]];

/// Marker shapes, by line style slot.
#[derive(Clone, Copy)]
enum Shape {
    None,
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}
const SHAPES: [Shape; 6] = [Shape::None, Shape::Circle, Shape::Square, Shape::Triangle, Shape::Diamond, Shape::Cross];

/// The dash pattern and marker of style slot `i`: the first four slots differ by dashes,
/// and the six markers cycle independently, so the twelve lines of a chart all differ in
/// more than colour.
fn line_style(i: usize) -> (&'static [f64], Shape) {
    (DASHES[i % DASHES.len()], SHAPES[(i + i / DASHES.len()) % SHAPES.len()])
}

/// Draw a polyline in pixels with a dash pattern (in pixels; empty = solid).
fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    pattern: &[f64],
    style: ShapeStyle,
) -> DrawResult<DB> {
    if pattern.is_empty() || pts.len() < 2 {
        return root.draw(&PathElement::new(pts.to_vec(), style));
    }
    let mut k = 0usize; // index in the pattern
    let mut left = pattern[0]; // length left of the current dash or gap
    let mut piece: Vec<(f64, f64)> = vec![(f64::from(pts[0].0), f64::from(pts[0].1))];
    let mut out: Vec<Vec<(i32, i32)>> = Vec::new();
    let on = |k: usize| k.is_multiple_of(2);
    for w in pts.windows(2) {
        let (mut x, mut y) = (f64::from(w[0].0), f64::from(w[0].1));
        let (x1, y1) = (f64::from(w[1].0), f64::from(w[1].1));
        let mut len = ((x1 - x).powi(2) + (y1 - y).powi(2)).sqrt();
        while len > 0.0 {
            let step = left.min(len);
            let t = step / len;
            x += (x1 - x) * t;
            y += (y1 - y) * t;
            len -= step;
            left -= step;
            if on(k) {
                piece.push((x, y));
            }
            if left <= 1e-9 {
                if on(k) && piece.len() > 1 {
                    out.push(piece.iter().map(|&(a, b)| (a.round() as i32, b.round() as i32)).collect());
                }
                piece.clear();
                k = (k + 1) % pattern.len();
                left = pattern[k];
                if on(k) {
                    piece.push((x, y));
                }
            }
        }
    }
    if on(k) && piece.len() > 1 {
        out.push(piece.iter().map(|&(a, b)| (a.round() as i32, b.round() as i32)).collect());
    }
    for p in out {
        root.draw(&PathElement::new(p, style))?;
    }
    Ok(())
}

/// Draw marker `shape` centred at `c` with radius `r` pixels.
fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shape: Shape,
    c: (i32, i32),
    r: i32,
    color: RGBColor,
    line: u32,
) -> DrawResult<DB> {
    let (x, y) = c;
    match shape {
        Shape::None => Ok(()),
        Shape::Circle => root.draw(&Circle::new(c, r, color.filled())),
        Shape::Square => root.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], color.filled())),
        Shape::Triangle => {
            root.draw(&Polygon::new(vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)], color.filled()))
        }
        Shape::Diamond => {
            let r = r + 1;
            root.draw(&Polygon::new(vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)], color.filled()))
        }
        Shape::Cross => {
            let st = color.stroke_width(line);
            root.draw(&PathElement::new(vec![(x - r, y - r), (x + r, y + r)], st))?;
            root.draw(&PathElement::new(vec![(x - r, y + r), (x + r, y - r)], st))
        }
    }
}

/// Draw `p` onto `root` (which must start at pixel 0, 0).
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    font: &ChartFont,
    dpi: u32,
    warnings: &mut Vec<String>,
) -> DrawResult<DB> {
    let mut cx = Ctx { font, k: f64::from(dpi) / 72.0, warnings };
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let margin = cx.px(9.0);
    let inner = w - 2.0 * margin;

    // Title: wrapped onto up to three lines.
    let (title, cut) = cx.wrap_at_most(&p.title, TITLE_PT, inner, MAX_TITLE_LINES);
    if cut {
        cx.warnings.push(format!("title shortened to fit {MAX_TITLE_LINES} lines: {}", p.title));
    }
    let mut top = margin;
    for line in title {
        root.draw(&Text::new(
            line,
            ((w / 2.0) as i32, top as i32),
            cx.style(TITLE_PT, &INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        top += cx.px(TITLE_PT) * 1.25;
    }
    top += cx.px(TITLE_PT) * 0.25;

    // Legend.
    let items = legend_items(&p.plot);
    if !items.is_empty() {
        top = draw_legend(root, &cx, &items, top, w, inner)? + cx.px(2.0);
    }

    // Footer.
    let mut foot: Vec<String> = p.footer.iter().flat_map(|para| cx.wrap(para, FOOT_PT, inner)).collect();
    if foot.len() > MAX_FOOTER_LINES {
        foot.truncate(MAX_FOOTER_LINES);
        let last = foot[MAX_FOOTER_LINES - 1].clone() + "…";
        let cut = cx.shorten(&last, FOOT_PT, inner).unwrap_or(last);
        foot[MAX_FOOTER_LINES - 1] = cut;
        cx.warnings.push("footer cut to four lines; the full provenance and messages are in the results file".into());
    }
    let line_h = cx.px(FOOT_PT) * 1.45;
    let foot_h = foot.len() as f64 * line_h + margin + cx.px(3.0);
    let mut y = h - margin - foot.len() as f64 * line_h;
    for line in &foot {
        root.draw(&Text::new(
            line.clone(),
            (margin as i32, y as i32),
            cx.style(FOOT_PT, &MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        y += line_h;
    }

    let area = root.margin(top as i32, foot_h as i32, (margin * 0.6) as i32, margin as i32);
    match &p.plot {
        Plot::Bars(b) => draw_bars(root, &area, &mut cx, p, b),
        Plot::Lines(l) => draw_lines(root, &area, &mut cx, p, l),
    }
}

fn legend_items(plot: &Plot) -> Vec<(String, Swatch)> {
    match plot {
        Plot::Bars(b) if b.segments.len() > 1 => {
            b.segments.iter().map(|s| (s.name.clone(), Swatch::Fill(PALETTE[s.color % PALETTE.len()]))).collect()
        }
        Plot::Bars(_) => Vec::new(),
        Plot::Lines(l) if l.legend && !l.end_labels => {
            let mut items: Vec<(String, Swatch)> = l
                .series
                .iter()
                .filter(|s| s.in_legend)
                .map(|s| {
                    let c = PALETTE[s.color % PALETTE.len()];
                    // Thin strips: the group's colour as a plain line.
                    let sw = if s.thin {
                        Swatch::Line(c, 0, false, true)
                    } else {
                        Swatch::Line(c, s.style, l.dots, s.joined())
                    };
                    (s.name.clone(), sw)
                })
                .collect();
            items.extend(
                l.band_legend.iter().map(|(t, c, a)| (t.clone(), Swatch::Band(PALETTE[c % PALETTE.len()], *a))),
            );
            items
        }
        Plot::Lines(l) => {
            l.band_legend.iter().map(|(t, c, a)| (t.clone(), Swatch::Band(PALETTE[c % PALETTE.len()], *a))).collect()
        }
    }
}

/// Draw legend rows centred under the title; returns the y below them. A long entry wraps
/// onto several lines (at most 45% of the width each).
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    cx: &Ctx<'_>,
    items: &[(String, Swatch)],
    top: f64,
    w: f64,
    inner: f64,
) -> Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
    let sw = cx.px(14.0);
    let gap = cx.px(4.0);
    let item_gap = cx.px(12.0);
    let row_h = cx.px(LEGEND_PT) * 1.7;
    let line_h = cx.px(LEGEND_PT) * 1.25;
    let max_text = inner * 0.45 - sw - gap;
    let texts: Vec<Vec<String>> = items.iter().map(|(t, _)| cx.wrap(t, LEGEND_PT, max_text)).collect();
    let widths: Vec<f64> =
        texts.iter().map(|lines| sw + gap + lines.iter().map(|l| cx.width(l, LEGEND_PT)).fold(0.0, f64::max)).collect();
    // Greedy rows.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (i, wi) in widths.iter().enumerate() {
        let row = rows.last_mut().expect("at least one row");
        let need = if row.is_empty() { *wi } else { used + item_gap + wi };
        if !row.is_empty() && need > inner {
            rows.push(vec![i]);
            used = *wi;
        } else {
            row.push(i);
            used = need;
        }
    }
    let mut y = top;
    for row in &rows {
        let row_w: f64 = row.iter().map(|&i| widths[i]).sum::<f64>() + item_gap * (row.len() as f64 - 1.0);
        let lines = row.iter().map(|&i| texts[i].len().max(1)).max().unwrap_or(1);
        let mut x = (w - row_w) / 2.0;
        let yc = y + row_h / 2.0;
        for &i in row {
            let (_, swatch) = &items[i];
            let (xi, yi, s) = (x as i32, yc as i32, sw as i32);
            match swatch {
                Swatch::Fill(c) => {
                    let half = (cx.px(LEGEND_PT) * 0.4) as i32;
                    root.draw(&Rectangle::new([(xi, yi - half), (xi + s, yi + half)], c.filled()))?;
                }
                Swatch::Band(c, a) => {
                    let half = (cx.px(LEGEND_PT) * 0.4) as i32;
                    root.draw(&Rectangle::new([(xi, yi - half), (xi + s, yi + half)], c.mix(*a).filled()))?;
                }
                Swatch::Line(c, style, dots, joined) => {
                    let (pattern, shape) = line_style(*style);
                    if *joined {
                        let px: Vec<f64> = pattern.iter().map(|v| cx.px(*v)).collect();
                        dashed(root, &[(xi, yi), (xi + s, yi)], &px, c.stroke_width(cx.stroke(1.5)))?;
                        marker(root, shape, (xi + s / 2, yi), cx.ipx(1.8), *c, cx.stroke(0.8))?;
                    }
                    if *dots || !*joined {
                        root.draw(&Circle::new((xi + s / 2, yi), cx.ipx(2.0), c.filled()))?;
                    }
                }
            }
            let top_line = yc - line_h * (texts[i].len() as f64 - 1.0) / 2.0;
            for (k, text) in texts[i].iter().enumerate() {
                root.draw(&Text::new(
                    text.clone(),
                    ((x + sw + gap) as i32, (top_line + line_h * k as f64) as i32),
                    cx.style(LEGEND_PT, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            x += widths[i] + item_gap;
        }
        y += row_h + line_h * (lines as f64 - 1.0);
    }
    Ok(y)
}

/// Decimals for tick labels over `span` (about eight ticks).
fn decimals_for(span: f64) -> usize {
    if span <= 0.0 || !span.is_finite() {
        return 0;
    }
    (-(span / 8.0).log10()).ceil().clamp(0.0, 4.0) as usize
}

/// A tick label: at least `decimals` places (more if `v` needs them), thousands separated.
fn tick(v: f64, decimals: usize) -> String {
    let mut d = decimals;
    while d < 4 && ((v * 10f64.powi(d as i32)).round() - v * 10f64.powi(d as i32)).abs() > 1e-6 {
        d += 1;
    }
    let s = format!("{:.*}", d, v);
    let s = if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    let (sign, body) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Width of the left label area: axis title, gap, widest tick label and tick gap.
fn y_area(cx: &Ctx<'_>, labels: &[String]) -> f64 {
    let widest = labels.iter().map(|l| cx.width(l, TICK_PT)).fold(0.0, f64::max);
    cx.px(DESC_PT) + cx.px(5.0) + widest + cx.px(5.0) + cx.px(2.0)
}

fn configure<'a, DB: DrawingBackend, Y: Ranged<ValueType = f64> + ValueFormatter<f64>>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    cx: &'a Ctx<'_>,
    p: &'a Prepared,
    fx: &'a dyn Fn(&f64) -> String,
    fy: &'a dyn Fn(&f64) -> String,
    bars: bool,
    y_ticks: usize,
) -> DrawResult<DB> {
    let tick_len = cx.ipx(2.5);
    let mut mesh = chart.configure_mesh();
    mesh.axis_style(INK.stroke_width(cx.stroke(0.8)))
        .bold_line_style(GRID.stroke_width(cx.stroke(0.5)))
        .light_line_style(TRANSPARENT)
        .label_style(cx.style(TICK_PT, &INK))
        .axis_desc_style(cx.style(DESC_PT, &INK))
        .x_desc(p.x_desc.clone())
        .y_desc(p.y_desc.clone())
        .x_label_formatter(fx)
        .y_label_formatter(fy)
        .set_all_tick_mark_size(tick_len)
        .y_labels(y_ticks);
    if bars {
        mesh.disable_x_mesh().x_labels(2).set_tick_mark_size(LabelAreaPosition::Bottom, 0);
    } else {
        mesh.x_labels(10);
    }
    mesh.draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_group_thousands_and_keep_needed_decimals() {
        assert_eq!(tick(8000.0, 0), "8,000");
        assert_eq!(tick(12345678.0, 0), "12,345,678");
        assert_eq!(tick(999.0, 0), "999");
        assert_eq!(tick(62.5, 0), "62.5");
        assert_eq!(tick(0.6, 1), "0.6");
        assert_eq!(tick(-0.0, 1), "0.0");
        assert_eq!(tick(-1500.0, 0), "-1,500");
        assert_eq!(decimals_for(2.4), 1);
        assert_eq!(decimals_for(7500.0), 0);
    }

    #[test]
    fn log_ticks_take_every_digit_within_a_decade() {
        assert_eq!(
            log_ticks(1900.0, 11500.0),
            [2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 7000.0, 8000.0, 9000.0, 10000.0]
        );
        assert_eq!(log_ticks(250.0, 11000.0), [300.0, 500.0, 1000.0, 2000.0, 3000.0, 5000.0, 10000.0]);
    }
}
