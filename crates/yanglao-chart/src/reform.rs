//! The `reform` chart: the change in the monthly pension that a reform makes
//! (`yanglao run … --reform FILE`), one bar per scenario or, with `--group COLUMN`, the mean
//! of each group, stacked by the part attributed to each patch (`delta_total_NAME`
//! columns; positive parts above zero, negative ones below), with the mean total change
//! printed on the bar.
//!
//! Rows are drawn when their `status` is `ok` or `ineligible` and the reform could be
//! computed (`reform_status` not `error`): a reform can make a row eligible or not. The
//! CSV beside the chart has the means, each rounded to the fen (a group's parts then sum
//! to its mean change within a fen).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::{Decimal, RoundingStrategy};

use super::data::{column_title, group_value_title, parse_decimal, CsvSource, Provenance, ResultCols, Skipped};
use super::kinds::{Bars, Plot, Prepared, Segment, Table, MAX_BARS};
use super::{ChartError, ChartRequest};

struct Acc {
    key: String,
    id: String,
    label: String,
    n: u32,
    parts: Vec<Decimal>,
    total: Decimal,
}

fn money(d: Decimal) -> String {
    format!("{:.2}", d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// Prepares the reform chart.
pub(crate) fn reform(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the reform chart (results of yanglao run --reform)";
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let delta = src.require("delta_total", WHAT)?;
    let reform_status = src.col("reform_status");
    // Attribution columns, in file order (the patches' order).
    let mut parts: Vec<(String, usize)> = Vec::new();
    {
        let names = csv_header(&req.results)?;
        for (i, h) in names.iter().enumerate() {
            if let Some(name) = h.strip_prefix("delta_total_") {
                parts.push((name.to_string(), i));
            }
        }
    }
    let group_col = match &req.group {
        Some(g) => Some(src.require(g, "--group of the reform chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();
    let mut bars: Vec<Acc> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let (mut dropped, mut skipped, mut prov) = (0usize, Skipped::default(), Provenance::default());
    'rows: while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        match src.get(cols.status) {
            Some("ok") | Some("ineligible") => {}
            other => {
                skipped.status(other.unwrap_or("(empty)"));
                continue;
            }
        }
        if src.get(reform_status).is_none_or(|s| s == "error") {
            skipped.unusable(format!("line {}: the reform could not be computed (reform_status)", src.line()));
            continue;
        }
        let num = |src: &CsvSource, col: usize, name: &str| -> Result<Decimal, String> {
            let v = src.get(Some(col)).unwrap_or("");
            parse_decimal(v).ok_or_else(|| format!("line {}, column {name}, value '{v}': not a number", src.line()))
        };
        let total = match num(&src, delta, "delta_total") {
            Ok(d) => d,
            Err(e) => {
                skipped.unusable(e);
                continue;
            }
        };
        let mut values = Vec::with_capacity(parts.len());
        for (name, c) in &parts {
            match num(&src, *c, &format!("delta_total_{name}")) {
                Ok(d) => values.push(d),
                Err(e) => {
                    skipped.unusable(e);
                    continue 'rows;
                }
            }
        }
        let key = group_col.map(|g| src.get(Some(g)).unwrap_or("").to_string());
        let slot = match &key {
            Some(k) => match index.get(k) {
                Some(&i) => Some(i),
                None if bars.len() < MAX_BARS => {
                    index.insert(k.clone(), bars.len());
                    Some(bars.len())
                }
                None => None,
            },
            None if bars.len() < MAX_BARS => Some(bars.len()),
            None => None,
        };
        let Some(slot) = slot else {
            dropped += 1;
            continue;
        };
        if slot == bars.len() {
            bars.push(Acc {
                key: key.clone().unwrap_or_default(),
                id: id.clone(),
                label: cols.label(&src),
                n: 0,
                parts: vec![Decimal::ZERO; parts.len()],
                total: Decimal::ZERO,
            });
        }
        let acc = &mut bars[slot];
        acc.n += 1;
        for (s, v) in acc.parts.iter_mut().zip(&values) {
            *s += *v;
        }
        acc.total += total;
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if dropped > 0 {
        warnings.push(format!("only the first {MAX_BARS} bars are drawn; {dropped} row(s) left out (use --group)"));
    }
    if bars.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with a computed reform".into() });
    }
    for b in &mut bars {
        let n = Decimal::from(b.n);
        for v in &mut b.parts {
            *v /= n;
        }
        b.total /= n;
    }
    let segments: Vec<Segment> = parts
        .iter()
        .enumerate()
        .map(|(k, (name, _))| Segment {
            name: name.clone(),
            color: k,
            values: bars.iter().map(|b| to_f64(b.parts[k])).collect(),
        })
        .collect();
    let mut header: Vec<String> = match group_col {
        Some(_) => vec!["group".into(), "n".into()],
        None => vec!["id".into(), "label".into()],
    };
    header.push("delta_total".into());
    header.extend(parts.iter().map(|(n, _)| format!("delta_total_{n}")));
    let rows = bars
        .iter()
        .map(|b| {
            let mut row = match group_col {
                Some(_) => vec![b.key.clone(), b.n.to_string()],
                None => vec![b.id.clone(), b.label.clone()],
            };
            row.push(money(b.total));
            row.extend(b.parts.iter().map(|v| money(*v)));
            row
        })
        .collect();
    let (labels, title, x_desc) = match &req.group {
        Some(g) => (
            bars.iter().map(|b| group_value_title(g, &b.key)).collect(),
            format!("改革带来的月养老金变化(按{}分组平均)", column_title(g)),
            format!("{}(组内平均)", column_title(g)),
        ),
        None => {
            (bars.iter().map(|b| b.label.clone()).collect(), "改革带来的月养老金变化".to_string(), "情景".to_string())
        }
    };
    Ok(Prepared {
        title: req.title.clone().unwrap_or(title),
        x_desc,
        y_desc: "月养老金变化(元/月,按改革项分解)".into(),
        plot: Plot::Bars(Bars { labels, segments, totals: bars.iter().map(|b| to_f64(b.total)).collect() }),
        footer: prov.footer(&[&req.results]),
        table: Table { header, rows },
    })
}

/// The header names of a CSV (to find the attribution columns by prefix).
fn csv_header(path: &std::path::Path) -> Result<Vec<String>, ChartError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| ChartError::Csv { path: path.to_path_buf(), source: e })?;
    let h = r.headers().map_err(|e| ChartError::Csv { path: path.to_path_buf(), source: e })?;
    Ok(h.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_string()).collect())
}
