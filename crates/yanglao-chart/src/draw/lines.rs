//! Line charts: the series with their dash styles and markers, line-end labels pushed
//! apart, linear or logarithmic y axes.

use super::*;

/// Line-end labels: each series' name (wrapped onto at most two lines) at the height of
/// its last point, pushed apart where they would overlap.
pub(super) struct EndLabels {
    /// Per series: lines of text.
    pub(super) texts: Vec<Vec<String>>,
    /// Width reserved on the right, in pixels.
    pub(super) width: f64,
    pub(super) line_h: f64,
}

pub(super) fn end_labels(cx: &mut Ctx<'_>, l: &Lines, inner: f64) -> Option<EndLabels> {
    if !l.end_labels {
        return None;
    }
    let max = inner * 0.22;
    let mut cut = 0;
    let texts: Vec<Vec<String>> = l
        .series
        .iter()
        .map(|s| {
            let (lines, c) = cx.wrap_at_most(&s.name, LEGEND_PT, max, 2);
            cut += usize::from(c);
            lines
        })
        .collect();
    if cut > 0 {
        cx.warnings.push(format!(
            "{cut} line label(s) shortened to fit two lines; the full labels are in the CSV beside the chart"
        ));
    }
    let widest = texts.iter().flatten().map(|t| cx.width(t, LEGEND_PT)).fold(0.0, f64::max);
    Some(EndLabels { texts, width: widest + cx.px(10.0), line_h: cx.px(LEGEND_PT) * 1.2 })
}

pub(super) fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    cx: &mut Ctx<'_>,
    p: &Prepared,
    l: &Lines,
) -> DrawResult<DB> {
    let xs = l
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|q| q.0))
        .chain(l.bands.iter().flat_map(|b| b.points.iter().map(|q| q.0)));
    let ys = l
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|q| q.1))
        .chain(l.bands.iter().flat_map(|b| b.points.iter().flat_map(|q| [q.1, q.2])));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (y_min, y_max) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if let Some(m) = &l.marker {
        x0 = x0.min(m.x);
        x1 = x1.max(m.x);
    }
    let pad = if x1 > x0 { (x1 - x0) * 0.03 } else { 0.5 };
    let (x0, x1) = (x0 - pad, x1 + pad);
    let dx = decimals_for(x1 - x0);
    let fx = move |v: &f64| tick(*v, dx);
    let inner = f64::from(area.dim_in_pixel().0);
    let labels = end_labels(cx, l, inner);
    let right = labels.as_ref().map_or(cx.px(6.0), |e| e.width + cx.px(6.0));
    let xl = cx.px(5.0) + cx.px(TICK_PT) + cx.px(4.0) + cx.px(DESC_PT) + cx.px(2.0);

    let blank = |_: &f64| String::new();
    if l.log_y && y_min > 0.0 {
        // A decade below the lowest value would waste room: pad by a few percent in log space.
        let (lo, hi) = (y_min.log10(), y_max.max(y_min * 1.01).log10());
        let span = hi - lo;
        let (y0, y1) = (10f64.powf(lo - span * 0.04), 10f64.powf(hi + span * 0.06));
        let fy = move |v: &f64| tick(*v, if *v < 10.0 { 1 } else { 0 });
        let yl = y_area(cx, &[fy(&y0), fy(&y1), fy(&(y1 * 0.999))]);
        let mut chart = ChartBuilder::on(area)
            .margin_top(cx.ipx(4.0))
            .margin_right(right as i32)
            .x_label_area_size(xl as u32)
            .y_label_area_size(yl as u32)
            .build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
        // plotters puts log ticks at powers of ten only; a pension axis spans one or two
        // decades, so the ticks are drawn here at 1, 2, 3, 5 × 10^k (every digit within
        // a single decade).
        configure(&mut chart, cx, p, &fx, &blank, false, 0)?;
        let ticks = log_ticks(y0, y1);
        let (left, _) = chart.backend_coord(&(x0, y0));
        let (right, _) = chart.backend_coord(&(x1, y0));
        for v in ticks {
            let (_, y) = chart.backend_coord(&(x0, v));
            root.draw(&PathElement::new(vec![(left, y), (right, y)], GRID.stroke_width(cx.stroke(0.5))))?;
            root.draw(&PathElement::new(vec![(left - cx.ipx(2.5), y), (left, y)], INK.stroke_width(cx.stroke(0.8))))?;
            root.draw(&Text::new(
                fy(&v),
                (left - cx.ipx(4.5), y),
                cx.style(TICK_PT, &INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        lines_body(root, &chart, cx, l, labels.as_ref(), (x1, y0))
    } else {
        let y_lo = y_min.min(0.0);
        let y_hi = if y_max > y_lo { y_max } else { y_lo + 1.0 };
        let (y0, y1) = (y_lo, y_hi + (y_hi - y_lo) * 0.06);
        let dy = decimals_for(y1 - y0);
        let fy = move |v: &f64| tick(*v, dy);
        let yl = y_area(cx, &[fy(&y0), fy(&y1)]);
        let mut chart = ChartBuilder::on(area)
            .margin_top(cx.ipx(4.0))
            .margin_right(right as i32)
            .x_label_area_size(xl as u32)
            .y_label_area_size(yl as u32)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        configure(&mut chart, cx, p, &fx, &fy, false, 7)?;
        lines_body(root, &chart, cx, l, labels.as_ref(), (x1, y0))
    }
}

/// Tick values for a log axis from `lo` to `hi`: 1, 2, 3, 5 × 10^k, or every digit × 10^k
/// when the range is within about one decade.
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let digits: &[f64] =
        if hi / lo < 12.0 { &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0] } else { &[1.0, 2.0, 3.0, 5.0] };
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mut out = Vec::new();
    for k in k0..=k1 {
        for d in digits {
            let v = d * 10f64.powi(k);
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
    }
    out
}

/// Bands, lines, markers, line-end labels and the break-even marker, on either y axis.
pub(super) fn lines_body<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    cx: &Ctx<'_>,
    l: &Lines,
    labels: Option<&EndLabels>,
    (x1, y0): (f64, f64),
) -> DrawResult<DB> {
    let to_px = |q: &(f64, f64)| chart.backend_coord(q);
    for b in &l.bands {
        let c = PALETTE[b.color % PALETTE.len()];
        let mut poly: Vec<(i32, i32)> = b.points.iter().map(|q| to_px(&(q.0, q.2))).collect();
        poly.extend(b.points.iter().rev().map(|q| to_px(&(q.0, q.1))));
        root.draw(&Polygon::new(poly, c.mix(b.alpha).filled()))?;
    }
    let line_w = cx.stroke(1.5);
    for s in &l.series {
        let c = PALETTE[s.color % PALETTE.len()];
        let joined = s.joined();
        let pts: Vec<(i32, i32)> = s.points.iter().map(to_px).collect();
        if s.thin {
            if joined {
                root.draw(&PathElement::new(pts.clone(), c.mix(0.45).stroke_width(cx.stroke(0.5))))?;
            }
            if l.dots || !joined {
                for q in &pts {
                    root.draw(&Circle::new(*q, cx.ipx(0.9), c.mix(0.6).filled()))?;
                }
            }
            continue;
        }
        let (pattern, shape) = line_style(s.style);
        if joined {
            let px: Vec<f64> = pattern.iter().map(|v| cx.px(*v)).collect();
            dashed(root, &pts, &px, c.stroke_width(line_w))?;
            // Markers at about six points of the line, offset by the style so that lines
            // that run together do not hide each other's markers.
            let every = (pts.len() / 6).max(1);
            for q in pts.iter().skip(s.style % every).step_by(every) {
                marker(root, shape, *q, cx.ipx(1.8), c, cx.stroke(0.8))?;
            }
        }
        if l.dots || !joined {
            for q in &pts {
                root.draw(&Circle::new(*q, cx.ipx(2.0), c.filled()))?;
            }
        }
    }
    if let Some(e) = labels {
        let (right_px, _) = to_px(&(x1, y0));
        // Wanted centres, then pushed apart top to bottom and back up from the bottom.
        let mut items: Vec<(usize, f64, f64, (i32, i32))> = l
            .series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let last = s.points.last()?;
                let end = to_px(last);
                Some((i, f64::from(end.1), e.texts[i].len() as f64 * e.line_h, end))
            })
            .collect();
        items.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let gap = cx.px(1.0);
        let mut tops: Vec<f64> = items.iter().map(|it| it.1 - it.2 / 2.0).collect();
        for k in 1..tops.len() {
            let min = tops[k - 1] + items[k - 1].2 + gap;
            if tops[k] < min {
                tops[k] = min;
            }
        }
        let (_, bottom) = to_px(&(x1, y0));
        let mut limit = f64::from(bottom);
        for k in (0..tops.len()).rev() {
            if tops[k] + items[k].2 > limit {
                tops[k] = limit - items[k].2;
            }
            limit = tops[k] - gap;
        }
        let lx = right_px + cx.ipx(6.0);
        for (k, (i, _, h, end)) in items.iter().enumerate() {
            let s = &l.series[*i];
            let c = PALETTE[s.color % PALETTE.len()];
            let centre = tops[k] + h / 2.0;
            root.draw(&PathElement::new(
                vec![(end.0 + cx.ipx(1.5), end.1), (lx - cx.ipx(1.5), centre as i32)],
                c.stroke_width(cx.stroke(0.5)),
            ))?;
            for (j, text) in e.texts[*i].iter().enumerate() {
                root.draw(&Text::new(
                    text.clone(),
                    (lx, (tops[k] + e.line_h * j as f64) as i32),
                    cx.style(LEGEND_PT, &c).pos(Pos::new(HPos::Left, VPos::Top)),
                ))?;
            }
        }
    }
    if let Some(m) = &l.marker {
        let (px, py) = to_px(&(m.x, m.y));
        let (_, base) = to_px(&(m.x, y0));
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
        let (right, _) = to_px(&(x1, y0));
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
