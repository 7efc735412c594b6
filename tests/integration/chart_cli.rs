//! Charts on real-sized and awkward inputs, through the binary: fan percentiles, strips and
//! even sampling in the sensitivity chart, a log axis with line-end labels, wrapped labels,
//! `--group` naming the columns it could use, SVG text kept as text, and rare characters.
//! Each chart is drawn twice to check that the bytes are the same.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{bin, repo, scratch};

const HEAD: &str =
    "id,label,status,scheme,claim_region,retire,retire_age,years,total,provenance,contribution_index,tier";

fn chart(dir: &Path, results: &Path, paths: Option<&Path>, out: &str, args: &[&str]) -> (Output, PathBuf) {
    let out = dir.join(out);
    let mut cmd = bin();
    cmd.arg("chart").arg(results).arg("-o").arg(&out).args(args);
    if let Some(p) = paths {
        cmd.arg("--paths").arg(p);
    }
    let o = cmd.output().unwrap();
    (o, out)
}

/// Draw twice; both runs succeed and give the same chart and CSV bytes. Returns the
/// stderr of the first run.
fn chart_twice(dir: &Path, results: &Path, paths: Option<&Path>, out: &str, args: &[&str]) -> (String, PathBuf) {
    let (a, file) = chart(dir, results, paths, out, args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let (bytes, table) = (std::fs::read(&file).unwrap(), std::fs::read(file.with_extension("csv")).unwrap());
    let (b, _) = chart(dir, results, paths, out, args);
    assert!(b.status.success());
    assert!(bytes == std::fs::read(&file).unwrap(), "{out}: chart bytes differ between two runs");
    assert!(table == std::fs::read(file.with_extension("csv")).unwrap(), "{out}: CSV differs between two runs");
    assert!(bytes.len() > 1000, "{out}: a chart was written");
    (String::from_utf8_lossy(&a.stderr).into_owned(), file)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(String::from).collect()
}

/// Five ok scenarios (four employees, one resident) and one error row, with paths.
fn fan_fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let results = dir.join("results.csv");
    let mut r = format!("{HEAD}\n");
    for (id, scheme) in [("a", "employee"), ("b", "employee"), ("c", "employee"), ("d", "employee"), ("e", "resident")]
    {
        writeln!(r, "{id},{id},ok,{scheme},shandong/weifang,2030-01,60y0m,20.00,1000.00,official,1.0,").unwrap();
    }
    r.push_str("x,x,error,employee,,,,,,,,\n");
    std::fs::write(&results, r).unwrap();
    // Age 59: nobody has a pension yet (0.00 is left out). Age 60: a–e draw 1000 … 5000.
    // Age 61: a–d draw 1100 … 4100, e has no row. The error row's id has paths too, which
    // are ignored.
    let paths = dir.join("paths.csv");
    let mut p = String::from("id,year,age,monthly_pension\n");
    for (k, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let k = k as i64 + 1;
        writeln!(p, "{id},2029,59,0.00").unwrap();
        writeln!(p, "{id},2030,60,{}.00", k * 1000).unwrap();
        if *id != "e" {
            writeln!(p, "{id},2031,61,{}.00", k * 1000 + 100).unwrap();
        }
    }
    p.push_str("x,2030,60,99999.00\n");
    std::fs::write(&paths, p).unwrap();
    (results, paths)
}

#[test]
fn fan_percentiles_match_hand_computed_values() {
    let dir = scratch("chart_fan");
    let (results, paths) = fan_fixture(&dir);
    let (err, out) = chart_twice(&dir, &results, Some(&paths), "fan.png", &["--kind", "fan"]);
    assert!(err.contains("error 1"), "the error row is counted as left out: {err}");
    // Nearest rank, rank ⌈p·n/100⌉ of the sorted pensions.
    // Age 60, n = 5 (1000 … 5000): p10 rank 1 → 1000, p25 rank 2 → 2000, median rank 3 →
    // 3000, p75 rank 4 → 4000, p90 rank 5 → 5000.
    // Age 61, n = 4 (1100 … 4100): p10 rank 1 → 1100, p25 rank 1 → 1100, median rank 2 →
    // 2100, p75 rank 3 → 3100, p90 rank ⌈3.6⌉ = 4 → 4100.
    assert_eq!(
        lines(&out.with_extension("csv")),
        [
            "age,n,p10,p25,median,p75,p90",
            "60,5,1000.00,2000.00,3000.00,4000.00,5000.00",
            "61,4,1100.00,1100.00,2100.00,3100.00,4100.00",
        ]
    );

    // One fan per scheme: the employees alone at 60 (1000 … 4000, n = 4) give p10 1000,
    // p25 1000, median 2000, p75 3000, p90 4000; the resident alone 5000 throughout.
    let (_, out) = chart_twice(
        &dir,
        &results,
        Some(&paths),
        "fan-scheme.svg",
        &["--kind", "fan", "--group", "scheme", "--svg-text"],
    );
    assert_eq!(
        lines(&out.with_extension("csv")),
        [
            "scheme,age,n,p10,p25,median,p75,p90",
            "employee,60,4,1000.00,1000.00,2000.00,3000.00,4000.00",
            "employee,61,4,1100.00,1100.00,2100.00,3100.00,4100.00",
            "resident,60,1,5000.00,5000.00,5000.00,5000.00,5000.00",
        ]
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains(">企业职工 中位数</text>") && svg.contains(">10%–90% 分位</text>"), "legend");

    let (o, _) = chart(&dir, &results, None, "nopaths.png", &["--kind", "fan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--paths"));
}

/// Two stylised workers (Weifang and Jinan) at three indices, and a Qingdao one at two.
fn strips_fixture(dir: &Path) -> PathBuf {
    let results = dir.join("strips.csv");
    let mut r = format!("{HEAD}\n");
    for (region, base) in [("shandong/weifang", 2000), ("shandong/jinan", 2500), ("shandong/qingdao", 3000)] {
        for (k, idx) in ["1.0", "0.6", "3.0"].iter().enumerate() {
            if region.ends_with("qingdao") && *idx == "3.0" {
                continue;
            }
            let total = base + 1000 * k as i64;
            writeln!(r, "{region}-{idx},,ok,flexible,{region},2040-01,60y0m,20.00,{total}.00,projected,{idx},")
                .unwrap();
        }
    }
    std::fs::write(&results, r).unwrap();
    results
}

#[test]
fn sensitivity_joins_rows_only_within_a_strip() {
    let dir = scratch("chart_strips");
    let results = strips_fixture(&dir);
    let (err, out) = chart_twice(&dir, &results, None, "s.svg", &["--kind", "sensitivity", "--svg-text"]);
    assert!(!err.contains("sampled"), "{err}");
    let rows = lines(&out.with_extension("csv"));
    assert_eq!(rows[0], "strip,id,label,contribution_index,total");
    // Strips in order of first appearance, each sorted by the index; the strip is the
    // values of the columns that are not varied; an empty label shows the id.
    assert_eq!(
        rows[1..],
        [
            "flexible | shandong/weifang | 2040-01 | 60y0m | 20.00 | ,shandong/weifang-0.6,shandong/weifang-0.6,0.6,3000.00",
            "flexible | shandong/weifang | 2040-01 | 60y0m | 20.00 | ,shandong/weifang-1.0,shandong/weifang-1.0,1.0,2000.00",
            "flexible | shandong/weifang | 2040-01 | 60y0m | 20.00 | ,shandong/weifang-3.0,shandong/weifang-3.0,3.0,4000.00",
            "flexible | shandong/jinan | 2040-01 | 60y0m | 20.00 | ,shandong/jinan-0.6,shandong/jinan-0.6,0.6,3500.00",
            "flexible | shandong/jinan | 2040-01 | 60y0m | 20.00 | ,shandong/jinan-1.0,shandong/jinan-1.0,1.0,2500.00",
            "flexible | shandong/jinan | 2040-01 | 60y0m | 20.00 | ,shandong/jinan-3.0,shandong/jinan-3.0,3.0,4500.00",
            "flexible | shandong/qingdao | 2040-01 | 60y0m | 20.00 | ,shandong/qingdao-0.6,shandong/qingdao-0.6,0.6,4000.00",
            "flexible | shandong/qingdao | 2040-01 | 60y0m | 20.00 | ,shandong/qingdao-1.0,shandong/qingdao-1.0,1.0,3000.00",
        ]
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("每条线连接scheme、claim_region、retire、retire_age、years、tier相同、仅缴费指数不同的情景"),
        "footer"
    );
}

#[test]
fn sensitivity_on_a_large_file_samples_strips_evenly_and_says_so() {
    let dir = scratch("chart_sampling");
    // 3,000 stylised workers (one per tier value) at two indices: 6,000 rows, over the
    // 5,000-point limit, so every second strip is kept: 1,500 strips, 3,000 rows.
    let results = dir.join("big.csv");
    let mut r = format!("{HEAD}\n");
    for i in 0..3000 {
        for idx in ["0.6", "1.0"] {
            writeln!(
                r,
                "w{i}-{idx},,ok,flexible,shandong/weifang,2040-01,60y0m,20.00,{}.00,official,{idx},{i}",
                2000 + i
            )
            .unwrap();
        }
    }
    std::fs::write(&results, r).unwrap();
    let (err, out) = chart_twice(&dir, &results, None, "big-chart.svg", &["--kind", "sensitivity", "--svg-text"]);
    assert!(
        err.contains("sampled evenly: 3000 of 6000 rows drawn (1 in every 2 of 3000 strips; 1500 strip(s) drawn"),
        "{err}"
    );
    let rows = lines(&out.with_extension("csv"));
    assert_eq!(rows.len(), 1 + 3000);
    // Kept: strips 0, 2, 4, … i.e. tiers 0, 2, 4, …, 2998, spread over the whole file.
    assert!(rows[1].contains(",w0-0.6,") && rows.last().unwrap().contains(",w2998-1.0,"), "{rows:?}");
    assert!(!rows.iter().any(|r| r.contains(",w1-0.6,")));
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("均匀抽样：共 6000 行、3000 组情景，每 2 组取 1 组，绘制 3000 行、1500 组。"),
        "said on the chart"
    );
}

#[test]
fn path_log_axis_with_line_end_labels_and_styles() {
    let dir = scratch("chart_path_log");
    let results = repo("tests/data/chart/results-flexible.csv");
    let paths = repo("tests/data/chart/paths-flexible.csv");
    let (_, lin) = chart_twice(&dir, &results, Some(&paths), "lin.svg", &["--kind", "path", "--svg-text"]);
    let (_, log) =
        chart_twice(&dir, &results, Some(&paths), "log.svg", &["--kind", "path", "--svg-text", "--y-scale", "log"]);
    let (lin, log) = (std::fs::read_to_string(lin).unwrap(), std::fs::read_to_string(log).unwrap());
    // The pensions run from 2,020.98 to about 11,000: the log axis has a tick at every
    // thousand (3,000 is not a tick of the linear axis, which steps by 2,000).
    assert!(log.contains(">3,000</text>") && !lin.contains(">3,000</text>"), "log ticks");
    // Each line is named once, at its end (no legend row above the plot).
    for name in ["灵活就业 指数0.6", "灵活就业 指数1.0", "灵活就业 指数3.0"] {
        assert_eq!(log.matches(&format!(">{name}</text>")).count(), 1, "{name}");
    }
    // Three line styles: solid, dashed and dotted paths of the three colours.
    for colour in ["#0072B2", "#E69F00", "#009E73"] {
        assert!(log.contains(&format!("stroke=\"{colour}\"")), "{colour}");
    }
    let (_, png) = chart_twice(&dir, &results, Some(&paths), "log.png", &["--kind", "path", "--y-scale", "log"]);
    assert!(std::fs::metadata(png).unwrap().len() > 10_000);
    let (o, _) = chart(&dir, &results, Some(&paths), "bad.png", &["--kind", "path", "--y-scale", "ln"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn long_labels_and_titles_wrap_instead_of_being_cut() {
    let dir = scratch("chart_wrap");
    let results = dir.join("long.csv");
    let mut r = format!("{HEAD}\n");
    for i in 0..4 {
        writeln!(
            r,
            "s{i},山东省潍坊市青州市王府街道果农情景第{i}号缴费八千元档次十五年,ok,resident,shandong/weifang,2032-05,60y0m,15.00,{}.00,reported,,8000",
            600 + i
        )
        .unwrap();
    }
    std::fs::write(&results, r).unwrap();
    let title = "山东省潍坊市青州市城乡居民基本养老保险各缴费档次在六十岁时的起领月养老金对比（含政府补贴与长缴多得加发，按二〇二六年参数测算）";
    let (err, out) =
        chart_twice(&dir, &results, None, "long-chart.svg", &["--kind", "compare", "--svg-text", "--title", title]);
    assert!(err.contains("4 bar label(s) wrapped onto several lines"), "{err}");
    assert!(!err.contains("shortened"), "{err}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(!svg.contains('…'), "nothing is cut");
    // The label is split over lines whose text, joined, is the whole label.
    let texts: Vec<&str> = svg.split("</text>").filter_map(|t| t.rsplit_once('>').map(|(_, x)| x)).collect();
    let joined = texts.concat();
    assert!(joined.contains("山东省潍坊市青州市王府街道果农情景第0号缴费八千元档次十五年"), "label lines in order");
    assert!(!texts.contains(&"山东省潍坊市青州市王府街道果农情景第0号缴费八千元档次十五年"), "the label is wrapped");
    assert!(joined.contains(title) && !texts.contains(&title), "the title is wrapped, not cut");
}

#[test]
fn group_by_a_column_not_in_the_results_names_those_that_are() {
    let dir = scratch("chart_group_missing");
    let results = repo("tests/data/chart/results-mixed.csv");
    for kind in ["compare", "sensitivity"] {
        let (o, out) = chart(&dir, &results, None, "g.png", &["--kind", kind, "--group", "hukou"]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("column `hukou` is not in") && err.contains("claim_region, retire"), "{err}");
        assert!(!out.exists());
    }
    // A column the results echo works, and names the CSV's group column.
    let (_, out) = chart_twice(&dir, &results, None, "region.png", &["--kind", "compare", "--group", "claim_region"]);
    assert!(lines(&out.with_extension("csv"))[0].starts_with("group,n,"));
}

#[test]
fn svg_text_is_editable_text_naming_the_font() {
    let dir = scratch("chart_svg_text");
    let results = repo("tests/data/chart/results-resident.csv");
    let (_, outlined) = chart_twice(&dir, &results, None, "o.svg", &["--kind", "compare"]);
    let (_, text) = chart_twice(&dir, &results, None, "t.svg", &["--kind", "compare", "--svg-text"]);
    let (outlined, text) = (std::fs::read_to_string(outlined).unwrap(), std::fs::read_to_string(text).unwrap());
    assert!(outlined.contains("<path id=\"g") && !outlined.contains("<text"), "default: outlines");
    assert!(!text.contains("<path id=\"g"), "--svg-text: no glyph outlines");
    assert!(text.contains(">各情景起领月养老金对比</text>"), "the title is text");
    assert!(text.contains("font-family=\"&apos;Noto Sans CJK SC&apos;, &apos;Noto Sans SC&apos;"), "font named");
    assert!(text.len() < outlined.len() / 2, "{} vs {}", text.len(), outlined.len());
}

#[test]
fn rare_place_and_person_names_are_in_the_bundled_font() {
    let dir = scratch("chart_rare_names");
    let results = repo("tests/data/chart/results-flexible.csv");
    let (err, _) =
        chart_twice(&dir, &results, None, "names.png", &["--kind", "compare", "--title", "鄌郚镇 王堃 李喆 㐀"]);
    assert!(!err.contains("no glyph"), "{err}");
    let (err, _) = chart_twice(&dir, &results, None, "emoji.png", &["--kind", "compare", "--title", "养老 😀"]);
    assert!(err.contains("U+1F600"), "{err}");
}
