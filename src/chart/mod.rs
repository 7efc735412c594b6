//! Chart rendering (plotters, bundled Chinese font). See issue "Publication-ready charts".

use std::path::PathBuf;

/// What kind of chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Monthly pension at the start, one stacked bar per scenario or group.
    Compare,
    /// Monthly pension by age after retirement, one line per scenario (needs paths).
    Path,
    /// Cumulative own payments vs cumulative pension received by age (needs paths).
    Breakeven,
    /// Total pension against one varied input column.
    Sensitivity,
}

/// Everything one chart needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct ChartRequest {
    /// Results CSV (contract §7 columns).
    pub results: PathBuf,
    /// Optional paths CSV (`--paths`).
    pub paths: Option<PathBuf>,
    /// Chart kind.
    pub kind: ChartKind,
    /// Output file; `.png` or `.svg` by extension. The plotted numbers go beside it as `.csv`.
    pub output: PathBuf,
    /// Column to group scenarios by (compare, sensitivity).
    pub group: Option<String>,
    /// Column on the x axis for `sensitivity`.
    pub vary: Option<String>,
    /// Restrict to these scenario ids (breakeven, path).
    pub ids: Vec<String>,
    /// Title override.
    pub title: Option<String>,
    /// Pixel width and height.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Dots per inch written into the PNG and used to scale text.
    pub dpi: u32,
    /// Font file to use instead of the bundled one.
    pub font: Option<PathBuf>,
}
