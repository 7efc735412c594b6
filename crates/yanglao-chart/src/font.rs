//! The chart font: the bundled Simplified-Chinese subset or a font file given with `--font`.
//!
//! The bundled font is Noto Sans CJK SC Regular cut down to CJK Unified Ideographs and
//! Extension A (every one of their 27,584 code points that the font has, 27,558: GB2312 and
//! the rare characters of place and person names such as 鄌, 郚, 堃, 喆), ASCII, Latin-1 and
//! the common CJK and full-width punctuation by `scripts/make-font-subset.py` (SIL Open
//! Font License 1.1, see `assets/fonts/OFL.txt`). It is compiled into the binary, so charts show
//! Chinese text on any machine without installed fonts.
//!
//! Every font is also registered with plotters (`plotters::style::register_font`) under its
//! own family name, so any text measurement plotters does by itself uses the same metrics
//! as the text backend in `backend.rs`, which draws all glyphs from this font.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters::style::FontStyle;

use super::ChartError;

/// The bundled font subset.
static BUNDLED: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-yanglao-subset.otf");

/// Family name the bundled font is registered under in plotters.
const BUNDLED_FAMILY: &str = "yanglao-noto-sans-sc";

/// Fonts loaded from files, kept for the life of the process because plotters' font table
/// needs `'static` bytes. Loading the same file content again reuses its entry.
static LOADED: Mutex<Vec<&'static [u8]>> = Mutex::new(Vec::new());

/// A font ready to measure and draw chart text.
pub(crate) struct ChartFont {
    font: FontRef<'static>,
    family: String,
    /// Where the font came from, for messages.
    pub(crate) source: String,
    /// Font units to pixels at 1 px per em.
    units_per_em: f32,
    /// Ascent as a share of the line box (ascent − descent).
    ascent_share: f32,
    /// The family name in the font's `name` table (e.g. `Noto Sans CJK SC`), for SVG text.
    pub(crate) family_name: String,
}

impl ChartFont {
    /// The bundled font, or the font file at `path`.
    pub(crate) fn load(path: Option<&Path>) -> Result<Self, ChartError> {
        match path {
            None => Self::bundled(),
            Some(p) => Self::from_file(p),
        }
    }

    fn bundled() -> Result<Self, ChartError> {
        static REGISTERED: OnceLock<bool> = OnceLock::new();
        let ok = *REGISTERED
            .get_or_init(|| plotters::style::register_font(BUNDLED_FAMILY, FontStyle::Normal, BUNDLED).is_ok());
        let font = FontRef::try_from_slice(BUNDLED).ok().filter(|_| ok);
        let font = font.ok_or_else(|| ChartError::Font {
            source_name: "bundled font".into(),
            reason: "the embedded font data is not a valid OpenType font".into(),
        })?;
        Ok(Self::new(font, BUNDLED, BUNDLED_FAMILY.into(), "bundled Noto Sans CJK SC subset".into()))
    }

    fn from_file(path: &Path) -> Result<Self, ChartError> {
        let name = path.display().to_string();
        let bytes =
            std::fs::read(path).map_err(|e| ChartError::Font { source_name: name.clone(), reason: e.to_string() })?;
        let font_err = |reason: &str| ChartError::Font { source_name: name.clone(), reason: reason.into() };
        FontRef::try_from_slice(&bytes).map_err(|_| font_err("not a TrueType/OpenType font (or collection)"))?;
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        let index = match loaded.iter().position(|b| *b == bytes.as_slice()) {
            Some(i) => i,
            None => {
                loaded.push(Box::leak(bytes.into_boxed_slice()));
                loaded.len() - 1
            }
        };
        let data = loaded[index];
        drop(loaded);
        let family = format!("yanglao-font-{index}");
        plotters::style::register_font(&family, FontStyle::Normal, data)
            .map_err(|_| font_err("plotters cannot use this font"))?;
        let font = FontRef::try_from_slice(data).map_err(|_| font_err("unreadable font"))?;
        Ok(Self::new(font, data, family, name))
    }

    fn new(font: FontRef<'static>, data: &[u8], family: String, source: String) -> Self {
        let units_per_em = font.units_per_em().unwrap_or(1000.0);
        let height = font.height_unscaled();
        let ascent_share = if height > 0.0 { font.ascent_unscaled() / height } else { 0.8 };
        let family_name = family_name(data).unwrap_or_else(|| "sans-serif".into());
        Self { font, family, source, units_per_em, ascent_share, family_name }
    }

    /// The CSS `font-family` list for SVG text: the font's own family first, then the
    /// Simplified-Chinese system fonts that usually stand in for it, then `sans-serif`.
    pub(crate) fn css_family(&self) -> String {
        let mut list = vec![format!("'{}'", self.family_name.replace('\'', ""))];
        for f in ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"] {
            if f != self.family_name {
                list.push(format!("'{f}'"));
            }
        }
        list.push("sans-serif".into());
        list.join(", ")
    }

    /// The family name the font is registered under in plotters.
    pub(crate) fn family(&self) -> &str {
        &self.family
    }

    /// Whether the font has a glyph for `c`.
    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c) != GlyphId(0)
    }

    /// Characters of `text` the font lacks (whitespace and control characters aside), each once.
    pub(crate) fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_whitespace() && !c.is_control() && !self.has_glyph(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Font units per em.
    pub(crate) fn units_per_em(&self) -> f32 {
        self.units_per_em
    }

    /// Distance from the top of the line box to the baseline, in em.
    pub(crate) fn baseline_em(&self) -> f32 {
        self.ascent_share
    }

    /// The ab_glyph scale that makes one em `size` pixels.
    pub(crate) fn scale(&self, size: f32) -> PxScale {
        PxScale::from(size * self.font.height_unscaled() / self.units_per_em)
    }

    /// The font itself.
    pub(crate) fn font(&self) -> &FontRef<'static> {
        &self.font
    }

    /// Glyphs of `text` with their pen positions (pixels at `size` px per em) and the width.
    pub(crate) fn layout(&self, text: &str, size: f32) -> (Vec<(GlyphId, f32)>, f32) {
        let scaled = self.font.as_scaled(self.scale(size));
        let mut x = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            if c.is_control() {
                continue;
            }
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            glyphs.push((id, x));
            x += scaled.h_advance(id);
            prev = Some(id);
        }
        (glyphs, x)
    }

    /// Width of `text` in pixels at `size` px per em.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.layout(text, size).1
    }
}

/// The typographic family (name id 16), else the family (id 1), of the font in `data` (the
/// first face of a collection).
fn family_name(data: &[u8]) -> Option<String> {
    let face = ttf_parser::Face::parse(data, 0).ok()?;
    let names = face.names();
    let find = |id: u16| names.into_iter().filter(|n| n.name_id == id).find_map(|n| n.to_string());
    find(ttf_parser::name_id::TYPOGRAPHIC_FAMILY).or_else(|| find(ttf_parser::name_id::FAMILY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_covers_chart_vocabulary() {
        let f = ChartFont::load(None).unwrap();
        for c in "养老金月领取额（元/月）年龄岁累计缴费回本潍坊城乡居民灵活就业·—…%".chars()
        {
            assert!(f.has_glyph(c), "bundled font lacks {c}");
        }
        // Beyond GB2312: rare place and person names, and Extension A (㐀 U+3400).
        assert!(f.missing_chars("鄌郚堃喆㐀䶵").is_empty(), "{:?}", f.missing_chars("鄌郚堃喆㐀䶵"));
        assert_eq!(f.missing_chars("a😀b𠀀"), vec!['😀', '𠀀']);
    }

    #[test]
    fn bundled_font_names_its_family() {
        let f = ChartFont::load(None).unwrap();
        assert_eq!(f.family_name, "Noto Sans CJK SC");
        assert!(f.css_family().starts_with("'Noto Sans CJK SC', 'Noto Sans SC'"), "{}", f.css_family());
    }

    #[test]
    fn one_em_is_the_requested_size() {
        let f = ChartFont::load(None).unwrap();
        // An ideograph advances one em in Noto Sans CJK.
        let w = f.width("养", 40.0);
        assert!((w - 40.0).abs() < 0.5, "width {w}");
    }
}
