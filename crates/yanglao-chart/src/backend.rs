//! A drawing backend wrapper that draws all text from the chart font.
//!
//! plotters' own text paths differ per backend: the bitmap backend rasterises glyphs with a
//! baseline placed by a rule of thumb, and the SVG backend writes `<text>` elements that
//! show up in whatever font the viewer happens to have (often none with Chinese). This
//! wrapper measures and draws every string itself, with the font's real metrics:
//!
//! * bitmap: glyph outlines are rasterised with anti-aliasing and blended into the pixels;
//! * SVG: glyph outlines become `<path>` definitions (one per glyph, shared with `<use>`),
//!   so the file looks the same everywhere; each string keeps its text in `aria-label`.
//!
//! Before a string is drawn its characters are checked against the font; each character
//! the font lacks gives one warning naming the string and the character.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use ab_glyph::{Font, GlyphId, OutlineCurve, Point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform,
};

use super::font::ChartFont;

/// What the text backend collected while drawing.
#[derive(Default)]
pub(crate) struct TextLog {
    /// Missing-glyph warnings, in drawing order.
    pub(crate) warnings: Vec<String>,
    seen: BTreeSet<(String, char)>,
    /// SVG glyph definitions by glyph id (only when outlining).
    pub(crate) svg_defs: BTreeMap<u16, String>,
    /// SVG text groups in drawing order (only when outlining).
    pub(crate) svg_text: String,
}

impl TextLog {
    fn check(&mut self, font: &ChartFont, text: &str) {
        for c in font.missing_chars(text) {
            if self.seen.insert((text.to_string(), c)) {
                self.warnings.push(format!(
                    "the chart font ({}) has no glyph for '{}' (U+{:04X}) in the text \"{}\"; \
                     it is drawn as the font's missing-glyph box (use --font with a font that has it)",
                    font.source, c, c as u32, text
                ));
            }
        }
    }
}

/// How text is put on the page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextMode {
    /// Rasterise glyphs into the inner backend's pixels.
    Raster,
    /// Record glyph outlines as SVG paths in the [`TextLog`].
    SvgOutline,
    /// Record `<text>` elements naming the font family in the [`TextLog`] (editable text;
    /// looks right where the font or a stand-in is installed).
    SvgText,
}

/// Wraps a plotters backend, delegating everything except text.
pub(crate) struct TextBackend<'a, B: DrawingBackend> {
    inner: B,
    font: &'a ChartFont,
    mode: TextMode,
    log: &'a RefCell<TextLog>,
}

impl<'a, B: DrawingBackend> TextBackend<'a, B> {
    /// Wrap `inner`; text goes through `font` and is logged in `log`.
    pub(crate) fn new(inner: B, font: &'a ChartFont, mode: TextMode, log: &'a RefCell<TextLog>) -> Self {
        Self { inner, font, mode, log }
    }
}

/// Where one string's box lands: the pen origin of the first glyph relative to the anchor,
/// before rotation, in pixels.
struct Placement {
    dx: f32,
    baseline: f32,
}

fn place(font: &ChartFont, width: f32, size: f32, h: HPos, v: VPos) -> Placement {
    let dx = match h {
        HPos::Left => 0.0,
        HPos::Center => -width / 2.0,
        HPos::Right => -width,
    };
    let top = match v {
        VPos::Top => 0.0,
        VPos::Center => -size / 2.0,
        VPos::Bottom => -size,
    };
    Placement { dx, baseline: top + font.baseline_em() * size }
}

/// Rotate a point of the text's own frame like plotters does (clockwise, y down).
fn rotate(t: &FontTransform, x: i32, y: i32) -> (i32, i32) {
    t.transform(x, y)
}

fn degrees(t: &FontTransform) -> u32 {
    match t {
        FontTransform::None => 0,
        FontTransform::Rotate90 => 90,
        FontTransform::Rotate180 => 180,
        FontTransform::Rotate270 => 270,
    }
}

/// A number for SVG output: at most two decimals, no trailing zeros, no `-0`.
pub(crate) fn num(v: f32) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        return "0".into();
    }
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// SVG path data of a glyph outline, in font units with y up.
fn glyph_path(curves: &[OutlineCurve]) -> String {
    let mut d = String::new();
    let mut last: Option<Point> = None;
    let p = |pt: Point| format!("{} {}", num(pt.x), num(pt.y));
    for c in curves {
        let start = match c {
            OutlineCurve::Line(a, _) | OutlineCurve::Quad(a, _, _) | OutlineCurve::Cubic(a, _, _, _) => *a,
        };
        if last != Some(start) {
            if last.is_some() {
                d.push('Z');
            }
            let _ = write!(d, "M{}", p(start));
        }
        let end = match c {
            OutlineCurve::Line(_, b) => {
                let _ = write!(d, "L{}", p(*b));
                *b
            }
            OutlineCurve::Quad(_, b, e) => {
                let _ = write!(d, "Q{} {}", p(*b), p(*e));
                *e
            }
            OutlineCurve::Cubic(_, b, e, f) => {
                let _ = write!(d, "C{} {} {}", p(*b), p(*e), p(*f));
                *f
            }
        };
        last = Some(end);
    }
    if last.is_some() {
        d.push('Z');
    }
    d
}

/// Escape text for an XML attribute value.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

impl<B: DrawingBackend> TextBackend<'_, B> {
    fn raster_text(
        &mut self,
        glyphs: &[(GlyphId, f32)],
        size: f32,
        at: &Placement,
        color: BackendColor,
        trans: &FontTransform,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let scale = self.font.scale(size);
        let (w, h) = self.inner.get_size();
        for &(id, x) in glyphs {
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(at.dx + x, at.baseline));
            let Some(outline) = self.font.font().outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut cover = Vec::new();
            outline.draw(|gx, gy, c| {
                if c > 0.0 {
                    cover.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, c));
                }
            });
            for (lx, ly, c) in cover {
                let (rx, ry) = rotate(trans, lx, ly);
                let (px, py) = (pos.0 + rx, pos.1 + ry);
                if px < 0 || py < 0 || px >= w as i32 || py >= h as i32 {
                    continue;
                }
                let a = (color.alpha * f64::from(c.min(1.0))).clamp(0.0, 1.0);
                self.inner.draw_pixel((px, py), BackendColor { alpha: a, rgb: color.rgb })?;
            }
        }
        Ok(())
    }

    /// One `<text>` element: anchored at its side (start, middle, end) so that another font
    /// keeps the alignment, baseline where the chart font puts it.
    #[allow(clippy::too_many_arguments)]
    fn svg_text_element(
        &mut self,
        text: &str,
        size: f32,
        at: &Placement,
        h: HPos,
        color: BackendColor,
        trans: &FontTransform,
        pos: BackendCoord,
    ) {
        let (r, g, b) = color.rgb;
        let anchor = match h {
            HPos::Left => "start",
            HPos::Center => "middle",
            HPos::Right => "end",
        };
        let mut el = format!("<text transform=\"translate({} {})", pos.0, pos.1);
        let deg = degrees(trans);
        if deg != 0 {
            let _ = write!(el, " rotate({deg})");
        }
        let _ = write!(
            el,
            "\" y=\"{}\" font-family=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"#{r:02X}{g:02X}{b:02X}\"",
            num(at.baseline),
            xml_escape(&self.font.css_family()),
            num(size)
        );
        if color.alpha < 1.0 {
            let _ = write!(el, " fill-opacity=\"{}\"", num(color.alpha as f32));
        }
        let _ = writeln!(el, ">{}</text>", xml_escape(text));
        self.log.borrow_mut().svg_text.push_str(&el);
    }

    #[allow(clippy::too_many_arguments)]
    fn svg_text(
        &mut self,
        text: &str,
        glyphs: &[(GlyphId, f32)],
        size: f32,
        at: &Placement,
        color: BackendColor,
        trans: &FontTransform,
        pos: BackendCoord,
    ) {
        let upem = self.font.units_per_em();
        let k = size / upem;
        let mut log = self.log.borrow_mut();
        for &(id, _) in glyphs {
            if log.svg_defs.contains_key(&id.0) {
                continue;
            }
            let d = self.font.font().outline(id).map(|o| glyph_path(&o.curves)).unwrap_or_default();
            log.svg_defs.insert(id.0, d);
        }
        let (r, g, b) = color.rgb;
        let mut group = format!("<g aria-label=\"{}\" fill=\"#{r:02X}{g:02X}{b:02X}\"", xml_escape(text));
        if color.alpha < 1.0 {
            let _ = write!(group, " fill-opacity=\"{}\"", num(color.alpha as f32));
        }
        let _ = write!(group, " transform=\"translate({} {})", pos.0, pos.1);
        let deg = degrees(trans);
        if deg != 0 {
            let _ = write!(group, " rotate({deg})");
        }
        let _ = write!(group, " translate({} {}) scale({} {})\">", num(at.dx), num(at.baseline), k, -k);
        for &(id, x) in glyphs {
            if !log.svg_defs[&id.0].is_empty() {
                let _ = write!(group, "<use xlink:href=\"#g{}\" x=\"{}\"/>", id.0, num(x / k));
            }
        }
        group.push_str("</g>\n");
        log.svg_text.push_str(&group);
    }
}

impl<B: DrawingBackend> DrawingBackend for TextBackend<'_, B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        self.log.borrow_mut().check(self.font, text);
        let size = style.size() as f32;
        let (glyphs, width) = self.font.layout(text, size);
        let anchor = style.anchor();
        let at = place(self.font, width, size, anchor.h_pos, anchor.v_pos);
        let trans = style.transform();
        match self.mode {
            TextMode::Raster => self.raster_text(&glyphs, size, &at, color, &trans, pos),
            TextMode::SvgOutline => {
                self.svg_text(text, &glyphs, size, &at, color, &trans, pos);
                Ok(())
            }
            TextMode::SvgText => {
                self.svg_text_element(text, size, &at, anchor.h_pos, color, &trans, pos);
                Ok(())
            }
        }
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let size = style.size() as f32;
        let width = self.font.width(text, size);
        Ok((width.ceil() as u32, size.ceil() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_numbers_are_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.345), "12.35");
        assert_eq!(num(0.5), "0.5");
    }

    #[test]
    fn glyph_outline_becomes_closed_path() {
        let f = ChartFont::load(None).unwrap();
        let id = f.font().glyph_id('口');
        let o = f.font().outline(id).unwrap();
        let d = glyph_path(&o.curves);
        assert!(d.starts_with('M') && d.ends_with('Z'));
        // 口 has an outer and an inner contour.
        assert!(d.matches('M').count() >= 2, "{d}");
    }
}
