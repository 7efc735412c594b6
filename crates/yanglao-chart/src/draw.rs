//! Drawing a prepared chart with plotters.
//!
//! Sizes are given in typographic points and turned into pixels with the requested dpi, so
//! a chart printed at its nominal size (pixels ÷ dpi) has 11 pt titles, 8.5 pt axis titles
//! and 7.5 pt tick labels whatever its pixel count.
//!
//! Layout, top to bottom: title, a legend row (wrapped when long), the plot, and a footer
//! with the data source and provenance. Bar labels, bar totals and the break-even marker are
//! placed here rather than by plotters so that long scenario names can be turned upright.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::ChartFont;
use super::kinds::{Bars, Lines, Plot, Prepared};

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

    /// `text` broken into lines of at most `max` pixels.
    fn wrap(&self, text: &str, pt: f64, max: f64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in text.chars() {
            line.push(c);
            if self.width(&line, pt) > max && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// How a legend entry is drawn.
enum Swatch {
    Fill(RGBColor),
    /// Colour, dots, joined by a line.
    Line(RGBColor, bool, bool),
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

    // Title.
    let title = match cx.shorten(&p.title, TITLE_PT, inner) {
        Some(s) => {
            cx.warnings.push(format!("title shortened to fit the width: {}", p.title));
            s
        }
        None => p.title.clone(),
    };
    root.draw(&Text::new(
        title,
        ((w / 2.0) as i32, margin as i32),
        cx.style(TITLE_PT, &INK).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let mut top = margin + cx.px(TITLE_PT) * 1.5;

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
        Plot::Lines(l) if l.legend => l
            .series
            .iter()
            .map(|s| (s.name.clone(), Swatch::Line(PALETTE[s.color % PALETTE.len()], l.dots, s.joined())))
            .collect(),
        Plot::Lines(_) => Vec::new(),
    }
}

/// Draw legend rows centred under the title; returns the y below them.
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
    let widths: Vec<f64> = items.iter().map(|(t, _)| sw + gap + cx.width(t, LEGEND_PT)).collect();
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
        let mut x = (w - row_w) / 2.0;
        let yc = y + row_h / 2.0;
        for &i in row {
            let (text, swatch) = &items[i];
            let (xi, yi, s) = (x as i32, yc as i32, sw as i32);
            match swatch {
                Swatch::Fill(c) => {
                    let half = (cx.px(LEGEND_PT) * 0.4) as i32;
                    root.draw(&Rectangle::new([(xi, yi - half), (xi + s, yi + half)], c.filled()))?;
                }
                Swatch::Line(c, dots, joined) => {
                    if *joined {
                        root.draw(&PathElement::new(vec![(xi, yi), (xi + s, yi)], c.stroke_width(cx.stroke(1.5))))?;
                    }
                    if *dots || !*joined {
                        root.draw(&Circle::new((xi + s / 2, yi), cx.ipx(2.0), c.filled()))?;
                    }
                }
            }
            root.draw(&Text::new(
                text.clone(),
                ((x + sw + gap) as i32, yi),
                cx.style(LEGEND_PT, &INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += widths[i] + item_gap;
        }
        y += row_h;
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

fn configure<'a, DB: DrawingBackend>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    cx: &'a Ctx<'_>,
    p: &'a Prepared,
    fx: &'a dyn Fn(&f64) -> String,
    fy: &'a dyn Fn(&f64) -> String,
    bars: bool,
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
        .y_labels(7);
    if bars {
        mesh.disable_x_mesh().x_labels(2).set_tick_mark_size(LabelAreaPosition::Bottom, 0);
    } else {
        mesh.x_labels(10);
    }
    mesh.draw()
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    cx: &mut Ctx<'_>,
    p: &Prepared,
    l: &Lines,
) -> DrawResult<DB> {
    let xs = l.series.iter().flat_map(|s| s.points.iter().map(|q| q.0));
    let ys = l.series.iter().flat_map(|s| s.points.iter().map(|q| q.1));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (y_lo, y_hi) = ys.fold((0.0f64, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if let Some(m) = &l.marker {
        x0 = x0.min(m.x);
        x1 = x1.max(m.x);
    }
    let pad = if x1 > x0 { (x1 - x0) * 0.03 } else { 0.5 };
    let (x0, x1) = (x0 - pad, x1 + pad);
    let y_hi = if y_hi > y_lo { y_hi } else { y_lo + 1.0 };
    let (y0, y1) = (y_lo, y_hi + (y_hi - y_lo) * 0.06);

    let dx = decimals_for(x1 - x0);
    let dy = decimals_for(y1 - y0);
    let fx = move |v: &f64| tick(*v, dx);
    let fy = move |v: &f64| tick(*v, dy);
    let yl = y_area(cx, &[fy(&y0), fy(&y1)]);
    let xl = cx.px(5.0) + cx.px(TICK_PT) + cx.px(4.0) + cx.px(DESC_PT) + cx.px(2.0);
    let mut chart = ChartBuilder::on(area)
        .margin_top(cx.ipx(4.0))
        .margin_right(cx.ipx(6.0))
        .x_label_area_size(xl as u32)
        .y_label_area_size(yl as u32)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    configure(&mut chart, cx, p, &fx, &fy, false)?;

    let line_w = cx.stroke(1.5);
    for s in &l.series {
        let c = PALETTE[s.color % PALETTE.len()];
        let joined = s.joined();
        if joined {
            chart.draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(line_w)))?;
        }
        if l.dots || !joined {
            let r = cx.ipx(2.0);
            chart.draw_series(s.points.iter().map(|&q| Circle::new(q, r, c.filled())))?;
        }
    }
    if let Some(m) = &l.marker {
        let (px, py) = chart.backend_coord(&(m.x, m.y));
        let (_, base) = chart.backend_coord(&(m.x, y0));
        let (dash, gap) = (cx.ipx(3.0), cx.ipx(2.0));
        let style = INK.stroke_width(cx.stroke(0.8));
        let mut y = base;
        while y > py {
            let end = (y - dash).max(py);
            root.draw(&PathElement::new(vec![(px, y), (px, end)], style))?;
            y = end - gap;
        }
        root.draw(&Circle::new((px, py), cx.ipx(2.5), INK.filled()))?;
        // Below and to the right of the point: after break-even the received line runs above
        // the paid line, so that corner is free.
        let (right, _) = chart.backend_coord(&(x1, y0));
        let label_w = cx.width(&m.label, VALUE_PT + 1.0);
        let (anchor, lx) = if f64::from(px) + label_w + cx.px(6.0) > f64::from(right) {
            (HPos::Right, px - cx.ipx(5.0))
        } else {
            (HPos::Left, px + cx.ipx(5.0))
        };
        root.draw(&Text::new(
            m.label.clone(),
            (lx, py + cx.ipx(4.0)),
            cx.style(VALUE_PT + 1.0, &INK).pos(Pos::new(anchor, VPos::Top)),
        ))?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    cx: &mut Ctx<'_>,
    p: &Prepared,
    b: &Bars,
) -> DrawResult<DB> {
    let n = b.labels.len().max(1);
    let (aw, ah) = area.dim_in_pixel();
    let (aw, ah) = (f64::from(aw), f64::from(ah));

    // Stack extents.
    let mut top = 0.0f64;
    let mut bottom = 0.0f64;
    for i in 0..b.labels.len() {
        let pos: f64 = b.segments.iter().map(|s| s.values[i].max(0.0)).sum();
        let neg: f64 = b.segments.iter().map(|s| s.values[i].min(0.0)).sum();
        top = top.max(pos).max(b.totals[i]);
        bottom = bottom.min(neg);
    }
    if top <= bottom {
        top = bottom + 1.0;
    }
    let dy = decimals_for(top - bottom);
    let fy = move |v: &f64| tick(*v, dy);
    let yl = y_area(cx, &[fy(&bottom), fy(&(top * 1.3))]);
    let slot = (aw - yl - cx.px(6.0)) / n as f64;

    // Scenario labels: level if they all fit under their bar, else upright.
    let level = b.labels.iter().all(|t| cx.width(t, TICK_PT) <= slot * 0.92);
    let max_upright = ah * 0.3;
    let mut shortened = 0;
    let labels: Vec<String> = b
        .labels
        .iter()
        .map(|t| {
            if level {
                return t.clone();
            }
            cx.shorten(t, TICK_PT, max_upright).map_or_else(
                || t.clone(),
                |s| {
                    shortened += 1;
                    s
                },
            )
        })
        .collect();
    if shortened > 0 {
        cx.warnings.push(format!(
            "{shortened} bar label(s) shortened to fit; the full labels are in the CSV beside the chart"
        ));
    }
    let label_block =
        if level { cx.px(TICK_PT) } else { labels.iter().map(|t| cx.width(t, TICK_PT)).fold(0.0, f64::max) };
    let xl = cx.px(5.0) + label_block + cx.px(5.0) + cx.px(DESC_PT) + cx.px(2.0);

    // Totals printed on the bars: two decimals, else whole yuan, else upright.
    let fits = |texts: &[String]| texts.iter().all(|t| cx.width(t, VALUE_PT) <= slot * 0.85);
    let mut values: Vec<String> = b.totals.iter().map(|t| tick(*t, 2)).collect();
    if !fits(&values) {
        values = b.totals.iter().map(|t| tick(t.round(), 0)).collect();
    }
    let upright_values = !fits(&values);
    let value_block =
        if upright_values { values.iter().map(|t| cx.width(t, VALUE_PT)).fold(0.0, f64::max) } else { cx.px(VALUE_PT) };
    let plot_h = (ah - xl - cx.px(4.0)).max(1.0);
    let room = ((value_block + cx.px(4.0)) / plot_h).min(0.5);
    let y1 = if top > 0.0 { top / (1.0 - room) } else { top };

    let fx = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(area)
        .margin_top(cx.ipx(4.0))
        .margin_right(cx.ipx(6.0))
        .x_label_area_size(xl as u32)
        .y_label_area_size(yl as u32)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), bottom..y1)?;
    configure(&mut chart, cx, p, &fx, &fy, true)?;

    let (left, _) = chart.backend_coord(&(-0.5, 0.0));
    let (right, _) = chart.backend_coord(&(n as f64 - 0.5, 0.0));
    let slot_px = f64::from(right - left) / n as f64;
    let half = (0.32f64).min(cx.px(28.0) / slot_px.max(1.0));
    for s in &b.segments {
        let c = PALETTE[s.color % PALETTE.len()];
        let mut rects = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            if *v == 0.0 {
                continue;
            }
            // Base of this segment: the sum of the earlier segments with the same sign.
            let base: f64 = b
                .segments
                .iter()
                .take_while(|o| !std::ptr::eq(*o, s))
                .map(|o| o.values[i])
                .filter(|o| (*o > 0.0) == (*v > 0.0))
                .sum();
            let x = i as f64;
            rects.push(Rectangle::new([(x - half, base), (x + half, base + v)], c.filled()));
        }
        chart.draw_series(rects)?;
    }

    let (_, axis_y) = chart.backend_coord(&(0.0, bottom));
    for (i, label) in labels.iter().enumerate() {
        let (x, _) = chart.backend_coord(&(i as f64, 0.0));
        let y = axis_y + cx.ipx(5.0);
        let style = cx.style(TICK_PT, &INK);
        let style = if level {
            style.pos(Pos::new(HPos::Center, VPos::Top))
        } else {
            style.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Right, VPos::Center))
        };
        root.draw(&Text::new(label.clone(), (x, y), style))?;
    }
    for (i, text) in values.iter().enumerate() {
        let stack: f64 = b.segments.iter().map(|s| s.values[i].max(0.0)).sum();
        let (x, y) = chart.backend_coord(&(i as f64, stack.max(b.totals[i])));
        let y = y - cx.ipx(2.0);
        let style = cx.style(VALUE_PT, &INK);
        let style = if upright_values {
            style.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Left, VPos::Center))
        } else {
            style.pos(Pos::new(HPos::Center, VPos::Bottom))
        };
        root.draw(&Text::new(text.clone(), (x, y), style))?;
    }
    Ok(())
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
}
