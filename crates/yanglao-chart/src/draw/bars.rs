//! Bar charts: grouped and stacked bars with their value and category labels.

use super::*;

pub(super) fn draw_bars<DB: DrawingBackend>(
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

    // Scenario labels: level under their bar, wrapped onto up to three lines, if they all
    // fit so; else upright, wrapped onto as many lines as the bar's slot holds.
    let line_h = cx.px(TICK_PT) * 1.2;
    // Upright lines sit closer: they are separated by the bar's slot, not by a line below.
    let upright_h = cx.px(TICK_PT) * 1.05;
    let level_lines: Vec<(Vec<String>, bool)> =
        b.labels.iter().map(|t| cx.wrap_at_most(t, TICK_PT, slot * 0.92, MAX_LABEL_LINES)).collect();
    let level = level_lines.iter().all(|(_, cut)| !cut);
    let max_upright = ah * 0.3;
    let upright_lines = ((slot * 0.95 / upright_h).floor() as usize).clamp(1, MAX_LABEL_LINES);
    let (labels, shortened): (Vec<Vec<String>>, usize) = if level {
        (level_lines.into_iter().map(|(l, _)| l).collect(), 0)
    } else {
        let wrapped: Vec<(Vec<String>, bool)> =
            b.labels.iter().map(|t| cx.wrap_at_most(t, TICK_PT, max_upright, upright_lines)).collect();
        let cut = wrapped.iter().filter(|(_, c)| *c).count();
        (wrapped.into_iter().map(|(l, _)| l).collect(), cut)
    };
    let wrapped = labels.iter().filter(|l| l.len() > 1).count();
    if wrapped > 0 {
        cx.warnings.push(format!("{wrapped} bar label(s) wrapped onto several lines"));
    }
    if shortened > 0 {
        cx.warnings.push(format!(
            "{shortened} bar label(s) shortened to fit; the full labels are in the CSV beside the chart"
        ));
    }
    let label_block = if level {
        line_h * labels.iter().map(Vec::len).max().unwrap_or(1) as f64
    } else {
        labels.iter().flatten().map(|t| cx.width(t, TICK_PT)).fold(0.0, f64::max)
    };
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
    configure(&mut chart, cx, p, &fx, &fy, true, 7)?;

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
    for (i, lines) in labels.iter().enumerate() {
        let (x, _) = chart.backend_coord(&(i as f64, 0.0));
        let y = axis_y + cx.ipx(5.0);
        let n = lines.len() as f64;
        for (j, line) in lines.iter().enumerate() {
            let style = cx.style(TICK_PT, &INK);
            let (style, at) = if level {
                (style.pos(Pos::new(HPos::Center, VPos::Top)), (x, y + (line_h * j as f64) as i32))
            } else {
                // Upright lines side by side, the first on the left, centred on the bar.
                let dx = (upright_h * (j as f64 - (n - 1.0) / 2.0)) as i32;
                (style.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Right, VPos::Center)), (x + dx, y))
            };
            root.draw(&Text::new(line.clone(), at, style))?;
        }
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
