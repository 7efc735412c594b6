//! Charts: every kind renders to PNG and SVG from hand-made fixtures, text is drawn, the
//! plotted numbers are written beside the chart, missing glyphs are reported, and output is
//! byte-identical from run to run.

use std::fs;
use std::path::{Path, PathBuf};

use yanglao::chart::{render, render_all, ChartError, ChartKind, ChartRequest};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chart").join(name)
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart").join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn request(kind: ChartKind, results: &str, out: PathBuf) -> ChartRequest {
    let mut req = ChartRequest::new(kind, fixture(results), out);
    req.paths = Some(fixture("paths-flexible.csv"));
    req
}

struct Png {
    width: u32,
    height: u32,
    dpi: Option<u32>,
    rgb: Vec<u8>,
}

fn decode_png(path: &Path) -> Png {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let dpi = reader.info().pixel_dims.map(|d| {
        assert_eq!(d.unit, png::Unit::Meter);
        (f64::from(d.xppu) * 0.0254).round() as u32
    });
    Png { width: info.width, height: info.height, dpi, rgb }
}

/// Dark pixels (all channels < 100) in rows `y0..y1`.
fn dark_pixels(img: &Png, y0: u32, y1: u32) -> usize {
    (y0..y1)
        .flat_map(|y| (0..img.width).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let i = ((y * img.width + x) * 3) as usize;
            img.rgb[i..i + 3].iter().all(|&c| c < 100)
        })
        .count()
}

fn check_png(path: &Path) {
    let img = decode_png(path);
    assert_eq!((img.width, img.height), (2400, 1500), "{}", path.display());
    assert_eq!(img.dpi, Some(300), "pHYs of {}", path.display());
    // The title sits in the top band (margin 9 pt + 11 pt text ≈ 0–90 px at 300 dpi).
    let title_ink = dark_pixels(&img, 0, 110);
    assert!(title_ink > 2000, "{}: only {title_ink} dark pixels in the title area", path.display());
}

fn check_svg(path: &Path, title: &str) {
    let svg = fs::read_to_string(path).unwrap();
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{}", path.display());
    assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
    assert!(svg.contains(title), "{} lacks the title {title}", path.display());
    assert!(svg.contains("width=\"203.20mm\""), "print size in mm");
    // Balanced element nesting, the simple way: every opened tag is closed.
    let opened = svg.matches('<').count() - svg.matches("</").count() - svg.matches("<?").count();
    let closed = svg.matches("</").count() + svg.matches("/>").count();
    assert_eq!(opened, closed, "unbalanced tags in {}", path.display());
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut rows = vec![r.headers().unwrap().iter().map(String::from).collect()];
    rows.extend(r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()));
    rows
}

#[test]
fn compare_chart_stacks_components_and_skips_rows_not_ok() {
    let dir = scratch("compare");
    let out = dir.join("compare.png");
    let report = render(&request(ChartKind::Compare, "results-resident.csv", out.clone())).unwrap();
    assert_eq!(report.files, vec![out.clone(), dir.join("compare.csv")]);
    check_png(&out);
    assert!(
        report.warnings.iter().any(|w| w.contains("skipped 1 row") && w.contains("error 1")),
        "{:?}",
        report.warnings
    );
    let rows = csv_rows(&dir.join("compare.csv"));
    assert_eq!(rows[0][..2], ["id", "label"]);
    assert_eq!(rows[0].last().unwrap(), "total");
    assert_eq!(rows.len(), 11, "ten tiers, the error row left out");
    assert_eq!(rows[1][0], "res-500");
    assert_eq!(rows[10].last().unwrap(), "1282.31");
}

#[test]
fn compare_chart_groups_by_a_column_with_means() {
    let dir = scratch("compare-group");
    let mut req = request(ChartKind::Compare, "results-mixed.csv", dir.join("by-scheme.svg"));
    req.group = Some("scheme".into());
    let report = render(&req).unwrap();
    check_svg(&req.output, "按参保类型分组的起领月养老金");
    assert!(report.warnings.iter().any(|w| w.contains("ineligible 1")), "{:?}", report.warnings);
    let rows = csv_rows(&dir.join("by-scheme.csv"));
    assert_eq!(rows[0][..2], ["group", "n"]);
    let groups: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(groups, [("employee", "1"), ("flexible", "3"), ("resident", "4")]);
    // Mean of 2020.98, 2834.96, 6904.89.
    assert_eq!(rows[2].last().unwrap(), "3920.28");
    let svg = fs::read_to_string(&req.output).unwrap();
    assert!(svg.contains("aria-label=\"灵活就业\""), "group values are shown in Chinese");
}

#[test]
fn sensitivity_chart_follows_the_varied_column() {
    let dir = scratch("sensitivity");
    let out = dir.join("tiers.png");
    let mut req = request(ChartKind::Sensitivity, "results-resident.csv", out.clone());
    req.vary = Some("tier".into());
    render(&req).unwrap();
    check_png(&out);
    let rows = csv_rows(&dir.join("tiers.csv"));
    assert_eq!(rows[0], ["strip", "id", "label", "tier", "total"]);
    let xs: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(xs, ["500", "800", "1000", "1500", "2000", "3000", "4000", "5000", "6000", "8000"]);

    // Default x: contribution_index, here on the flexible workers, grouped by scheme.
    let out = dir.join("index.svg");
    let mut req = request(ChartKind::Sensitivity, "results-mixed.csv", out.clone());
    req.group = Some("scheme".into());
    render(&req).unwrap();
    check_svg(&out, "月养老金随缴费指数的变化");
    let rows = csv_rows(&dir.join("index.csv"));
    assert_eq!(rows[0], ["scheme", "strip", "id", "label", "contribution_index", "total"]);
    assert_eq!(rows.len(), 5, "employee + three flexible rows have an index: {rows:?}");
}

#[test]
fn sensitivity_chart_names_a_missing_column_and_file() {
    let dir = scratch("sensitivity-missing");
    let mut req = request(ChartKind::Sensitivity, "results-resident.csv", dir.join("x.png"));
    req.vary = Some("no_such_column".into());
    let err = render(&req).unwrap_err();
    assert!(matches!(err, ChartError::MissingColumn { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("no_such_column") && msg.contains("results-resident.csv"), "{msg}");
    assert!(!dir.join("x.png").exists(), "nothing is written on error");
}

#[test]
fn path_chart_draws_one_line_per_scenario_after_retirement() {
    let dir = scratch("path");
    let out = dir.join("path.png");
    let report = render(&request(ChartKind::Path, "results-flexible.csv", out.clone())).unwrap();
    check_png(&out);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let rows = csv_rows(&dir.join("path.csv"));
    assert_eq!(rows[0], ["id", "label", "age", "monthly_pension"]);
    assert_eq!(rows.len(), 1 + 3 * 26, "ages 60–85 of three scenarios");
    assert_eq!(rows[1], ["flex-0.6", "灵活就业 指数0.6", "60", "2020.98"]);

    let out = dir.join("path.svg");
    render(&request(ChartKind::Path, "results-flexible.csv", out.clone())).unwrap();
    check_svg(&out, "月养老金领取路径");
    assert!(fs::read_to_string(&out).unwrap().contains("灵活就业 指数3.0"), "legend labels");
}

#[test]
fn path_and_breakeven_need_a_paths_file() {
    let dir = scratch("needs-paths");
    for kind in [ChartKind::Path, ChartKind::Breakeven] {
        let mut req = request(kind, "results-flexible.csv", dir.join("p.png"));
        req.paths = None;
        let err = render(&req).unwrap_err();
        assert!(err.to_string().contains("--paths"), "{err}");
    }
}

#[test]
fn breakeven_chart_marks_the_results_breakeven_age() {
    let dir = scratch("breakeven");
    let out = dir.join("be.png");
    let mut req = request(ChartKind::Breakeven, "results-flexible.csv", out.clone());
    req.ids = vec!["flex-1.0".into()];
    render(&req).unwrap();
    check_png(&out);
    let rows = csv_rows(&dir.join("be.csv"));
    assert_eq!(rows[0], ["id", "label", "series", "age", "value"]);
    let marker = rows.iter().find(|r| r[2] == "breakeven").expect("marker row");
    assert_eq!(marker[3], "68.1667", "68y2m from the results");

    let svg_out = dir.join("be.svg");
    req.output = svg_out.clone();
    render(&req).unwrap();
    check_svg(&svg_out, "回本分析：灵活就业 指数1.0");
    assert!(fs::read_to_string(&svg_out).unwrap().contains("回本年龄：68岁2个月"));
}

#[test]
fn breakeven_age_is_found_in_the_paths_when_results_lack_it() {
    let dir = scratch("breakeven-computed");
    // A results file without breakeven_age.
    let src = fs::read_to_string(fixture("results-flexible.csv")).unwrap();
    let mut lines = src.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let be = head.iter().position(|h| *h == "breakeven_age").unwrap();
    let mut csv_text = String::new();
    for line in std::iter::once(head.join(",")).chain(lines.map(String::from)) {
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        let cells: Vec<&str> = rec.iter().enumerate().filter(|(i, _)| *i != be).map(|(_, c)| c).collect();
        w.write_record(cells).unwrap();
        csv_text.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    }
    let results = dir.join("results.csv");
    fs::write(&results, csv_text).unwrap();
    let mut req = ChartRequest::new(ChartKind::Breakeven, &results, dir.join("be.png"));
    req.paths = Some(fixture("paths-flexible.csv"));
    render(&req).unwrap();
    let rows = csv_rows(&dir.join("be.csv"));
    let marker = rows.iter().find(|r| r[2] == "breakeven").expect("marker row");
    assert_eq!(marker[0], "flex-0.6", "first ok scenario");
    assert_eq!(marker[3], "67.0000", "first age whose row has received ≥ paid");
}

#[test]
fn character_missing_from_the_font_gives_a_warning() {
    let dir = scratch("missing-glyph");
    for ext in ["png", "svg"] {
        let mut req = request(ChartKind::Compare, "results-flexible.csv", dir.join(format!("c.{ext}")));
        req.title = Some("养老金对比😀𠀀".into());
        let report = render(&req).unwrap();
        for c in ["U+1F600", "U+20000"] {
            assert!(
                report.warnings.iter().any(|w| w.contains(c) && w.contains("养老金对比😀𠀀")),
                "{ext}: no warning for {c}: {:?}",
                report.warnings
            );
        }
    }
}

#[test]
fn same_input_gives_byte_identical_files() {
    let dir = scratch("deterministic");
    for (kind, ext) in [
        (ChartKind::Compare, "png"),
        (ChartKind::Sensitivity, "svg"),
        (ChartKind::Path, "svg"),
        (ChartKind::Breakeven, "png"),
    ] {
        let a = dir.join(format!("{kind}-a.{ext}"));
        let b = dir.join(format!("{kind}-b.{ext}"));
        render(&request(kind, "results-mixed.csv", a.clone())).unwrap();
        render(&request(kind, "results-mixed.csv", b.clone())).unwrap();
        assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap(), "{kind} {ext}");
        assert_eq!(
            fs::read(a.with_extension("csv")).unwrap(),
            fs::read(b.with_extension("csv")).unwrap(),
            "{kind} csv"
        );
    }
}

#[test]
fn footer_reports_assumed_parameters() {
    let dir = scratch("footer");
    let out = dir.join("c.svg");
    render(&request(ChartKind::Compare, "results-resident.csv", out.clone())).unwrap();
    let svg = fs::read_to_string(&out).unwrap();
    assert!(svg.contains("含假设参数（最弱来源：assumed）"), "weakest provenance in the footer");
    assert!(svg.contains("假设：assumed subsidy for tier 8000"), "assumption from message");
    assert!(svg.contains("yanglao"));
}

#[test]
fn render_all_writes_the_standard_set() {
    let dir = scratch("all");
    let base = ChartRequest::new(ChartKind::Compare, "", "");
    let report =
        render_all(&fixture("results-mixed.csv"), Some(&fixture("paths-flexible.csv")), &dir.join("charts"), &base)
            .unwrap();
    let names: Vec<String> =
        report.files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        [
            "compare.png",
            "compare.csv",
            "sensitivity.png",
            "sensitivity.csv",
            "path.png",
            "path.csv",
            "breakeven.png",
            "breakeven.csv"
        ]
    );
    for f in &report.files {
        assert!(f.exists(), "{}", f.display());
    }
    // Without paths, and with no varied column, only compare is drawn.
    let report = render_all(&fixture("results-flexible.csv"), None, &dir.join("few"), &base).unwrap();
    assert_eq!(report.files.len(), 4, "compare + sensitivity on contribution_index");
}

#[test]
fn many_scenarios_are_cut_to_the_first_forty_with_a_warning() {
    let dir = scratch("many");
    let src = fs::read_to_string(fixture("results-resident.csv")).unwrap();
    let mut lines = src.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    let first = lines.next().unwrap();
    for i in 0..100 {
        text.push_str(&first.replacen("res-500", &format!("res-{i:03}"), 1));
        text.push('\n');
    }
    let results = dir.join("many-results.csv");
    fs::write(&results, text).unwrap();
    let req = ChartRequest::new(ChartKind::Compare, &results, dir.join("many.png"));
    let report = render(&req).unwrap();
    assert!(report.warnings.iter().any(|w| w.contains("first 40") && w.contains("60 more")), "{:?}", report.warnings);
    assert_eq!(csv_rows(&dir.join("many.csv")).len(), 41);
    check_png(&dir.join("many.png"));

    // A hundred rows at one tier: points only, and the reader is told why.
    let mut req = ChartRequest::new(ChartKind::Sensitivity, &results, dir.join("tier.png"));
    req.vary = Some("tier".into());
    let report = render(&req).unwrap();
    assert!(report.warnings.iter().any(|w| w.contains("points only")), "{:?}", report.warnings);
}

#[test]
fn bad_output_name_size_and_font_are_clear_errors() {
    let dir = scratch("errors");
    let err = render(&request(ChartKind::Compare, "results-flexible.csv", dir.join("c.jpg"))).unwrap_err();
    assert!(err.to_string().contains(".png or .svg"), "{err}");
    let mut req = request(ChartKind::Compare, "results-flexible.csv", dir.join("c.png"));
    req.dpi = 0;
    assert!(matches!(render(&req), Err(ChartError::Size { .. })));
    req.dpi = 300;
    req.font = Some(dir.join("no-such-font.ttf"));
    let err = render(&req).unwrap_err();
    assert!(err.to_string().contains("no-such-font.ttf"), "{err}");
    let req = request(ChartKind::Compare, "no-such-results.csv", dir.join("c.png"));
    let err = render(&req).unwrap_err();
    assert!(err.to_string().contains("no-such-results.csv"), "{err}");
    // `results.png` would put its CSV over `results.csv`.
    let results = dir.join("results.csv");
    fs::copy(fixture("results-flexible.csv"), &results).unwrap();
    let req = ChartRequest::new(ChartKind::Compare, &results, dir.join("results.png"));
    let err = render(&req).unwrap_err();
    assert!(matches!(err, ChartError::Overwrite { .. }), "{err}");
    assert_eq!(fs::read(&results).unwrap(), fs::read(fixture("results-flexible.csv")).unwrap());
}

#[test]
fn font_file_replaces_the_bundled_font() {
    let dir = scratch("font-file");
    let bundled = dir.join("bundled.png");
    render(&request(ChartKind::Sensitivity, "results-flexible.csv", bundled.clone())).unwrap();
    // The bundled subset loaded from its file draws exactly the same pixels.
    let mut req = request(ChartKind::Sensitivity, "results-flexible.csv", dir.join("file.png"));
    req.font = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/NotoSansSC-yanglao-subset.otf"));
    render(&req).unwrap();
    assert_eq!(decode_png(&bundled).rgb, decode_png(&req.output).rgb);
    // A file that is not a font is named in the error.
    req.font = Some(fixture("results-resident.csv"));
    let err = render(&req).unwrap_err();
    assert!(matches!(err, ChartError::Font { .. }) && err.to_string().contains("results-resident.csv"), "{err}");
}

/// The CLI: `run --charts` writes the standard set, byte-identical for --jobs 1 and 2;
/// `chart` writes an SVG holding its Chinese title.
#[test]
fn cli_charts_are_deterministic_across_jobs() {
    use crate::common::{bin, repo, scratch};
    let dir = scratch("cli_charts");
    let mut sets = Vec::new();
    for jobs in ["1", "2"] {
        // Same file names in separate folders: the footer names the input files.
        let run_dir = dir.join(format!("j{jobs}"));
        std::fs::create_dir_all(&run_dir).unwrap();
        let st = bin()
            .current_dir(&run_dir)
            .arg("run")
            .arg(repo("data/examples/weifang-tiers.csv"))
            .arg("--segments")
            .arg(repo("data/examples/weifang-tiers-segments.csv"))
            .args(["-o", "results.csv", "--paths", "paths.csv", "--charts", "charts", "--jobs", jobs])
            .output()
            .unwrap();
        assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(run_dir.join("charts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        sets.push(files);
    }
    let names: Vec<&str> = sets[0].iter().map(|(n, _)| n.as_str()).collect();
    for k in ["compare", "sensitivity", "path", "breakeven"] {
        assert!(
            names.contains(&format!("{k}.png").as_str()) && names.contains(&format!("{k}.csv").as_str()),
            "{names:?}"
        );
    }
    for ((n1, b1), (n2, b2)) in sets[0].iter().zip(&sets[1]) {
        assert_eq!(n1, n2);
        assert!(b1 == b2, "{n1} differs between --jobs 1 and 2");
    }
    let svg = dir.join("c.svg");
    let st = bin()
        .arg("chart")
        .arg(dir.join("j1/results.csv"))
        .args(["--kind", "compare", "--title", "潍坊档次对比"])
        .arg("-o")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("潍坊档次对比"));
    assert!(dir.join("c.csv").exists());
}
