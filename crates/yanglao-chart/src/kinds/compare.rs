//! The `compare` chart: one bar per scenario (or group), stacked by pension component.

use super::*;

pub(super) struct BarAcc {
    pub(super) key: String,
    pub(super) id: String,
    pub(super) label: String,
    pub(super) n: u32,
    pub(super) comps: Vec<Decimal>,
    pub(super) total: Decimal,
}

/// Compare chart: monthly pension at the start, one stacked bar per scenario or group.
///
/// Rows are read one at a time; only the first [`MAX_BARS`] scenarios (or groups, in order of
/// first appearance) are kept, the rest are counted in a warning.
pub(crate) fn compare(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the compare chart";
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let comps: Vec<(usize, usize)> =
        COMPONENTS.iter().enumerate().filter_map(|(i, (name, _, _))| src.col(name).map(|c| (i, c))).collect();
    let total_col = match src.col("total") {
        Some(c) => Some(c),
        None if comps.is_empty() => Some(src.require("total", WHAT)?),
        None => None,
    };
    let group_col = match &req.group {
        Some(g) => Some(group_column(&src, g, "--group of the compare chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    let mut bars: Vec<BarAcc> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut dropped = 0usize;
    let mut skipped = Skipped::default();
    // Bars grouped by a metric that counts own payments from as_of: the footer says so.
    let mut prov = Provenance::showing_metrics(req.group.as_deref().is_some_and(is_scoped_metric));
    'rows: while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if !wanted.is_empty() && !wanted.contains(id.as_str()) {
            continue;
        }
        if let Some(status) = cols.not_ok(&src) {
            skipped.status(status);
            continue;
        }
        let mut values = vec![Decimal::ZERO; COMPONENTS.len()];
        for &(i, c) in &comps {
            if let Some(v) = src.get(Some(c)) {
                match parse_decimal(v) {
                    Some(d) => values[i] = d,
                    None => {
                        skipped.unusable(not_a_number(&src, COMPONENTS[i].0, v));
                        continue 'rows;
                    }
                }
            }
        }
        let total = match total_col.map(|c| src.get(Some(c))) {
            None => values.iter().sum(),
            Some(Some(v)) => match parse_decimal(v) {
                Some(d) => d,
                None => {
                    skipped.unusable(not_a_number(&src, "total", v));
                    continue;
                }
            },
            Some(None) => {
                skipped.unusable(format!("line {}, column total: empty", src.line()));
                continue;
            }
        };
        let slot = match group_col {
            Some(g) => {
                let key = src.get(Some(g)).unwrap_or("").to_string();
                match index.get(&key) {
                    Some(&i) => Some(i),
                    None if bars.len() < MAX_BARS => {
                        index.insert(key.clone(), bars.len());
                        bars.push(BarAcc {
                            key,
                            id: id.clone(),
                            label: String::new(),
                            n: 0,
                            comps: vec![Decimal::ZERO; COMPONENTS.len()],
                            total: Decimal::ZERO,
                        });
                        Some(bars.len() - 1)
                    }
                    None => None,
                }
            }
            None if bars.len() < MAX_BARS => {
                bars.push(BarAcc {
                    key: String::new(),
                    id: id.clone(),
                    label: cols.label(&src),
                    n: 0,
                    comps: vec![Decimal::ZERO; COMPONENTS.len()],
                    total: Decimal::ZERO,
                });
                Some(bars.len() - 1)
            }
            None => None,
        };
        let Some(slot) = slot else {
            dropped += 1;
            continue;
        };
        let acc = &mut bars[slot];
        acc.n += 1;
        for (sum, v) in acc.comps.iter_mut().zip(&values) {
            *sum += *v;
        }
        acc.total += total;
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if dropped > 0 {
        warnings.push(match &req.group {
            Some(g) => format!(
                "only the first {MAX_BARS} values of column {g} are drawn; \
                 {dropped} row(s) in further groups left out"
            ),
            None => format!(
                "only the first {MAX_BARS} scenarios are drawn; {dropped} more left out \
                 (use --group to aggregate or --id to choose)"
            ),
        });
    }
    if bars.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to compare".into() });
    }

    // Group bars show the mean of their rows.
    if group_col.is_some() {
        for b in &mut bars {
            let n = Decimal::from(b.n);
            for v in &mut b.comps {
                *v /= n;
            }
            b.total /= n;
        }
    }

    let mut segments: Vec<Segment> = comps
        .iter()
        .filter(|(i, _)| bars.iter().any(|b| !b.comps[*i].is_zero()))
        .map(|&(i, _)| Segment {
            name: COMPONENTS[i].1.to_string(),
            color: COMPONENTS[i].2,
            values: bars.iter().map(|b| to_f64(b.comps[i])).collect(),
        })
        .collect();
    if segments.is_empty() {
        segments.push(Segment {
            name: "月养老金".into(),
            color: 0,
            values: bars.iter().map(|b| to_f64(b.total)).collect(),
        });
    }

    let comp_names: Vec<String> = comps.iter().map(|(i, _)| COMPONENTS[*i].0.to_string()).collect();
    let mut header: Vec<String> = match group_col {
        Some(_) => vec!["group".into(), "n".into()],
        None => vec!["id".into(), "label".into()],
    };
    header.extend(comp_names);
    header.push("total".into());
    let rows = bars
        .iter()
        .map(|b| {
            let mut row = match group_col {
                Some(_) => vec![b.key.clone(), b.n.to_string()],
                None => vec![b.id.clone(), b.label.clone()],
            };
            row.extend(comps.iter().map(|(i, _)| money(b.comps[*i])));
            row.push(money(b.total));
            row
        })
        .collect();

    let (labels, title, x_desc) = match &req.group {
        Some(g) => (
            bars.iter().map(|b| group_value_title(g, &b.key)).collect(),
            format!("按{}分组的起领月养老金", short_title(g)),
            format!("{}（组内平均）", column_title(g)),
        ),
        None => {
            (bars.iter().map(|b| b.label.clone()).collect(), "各情景起领月养老金对比".to_string(), "情景".to_string())
        }
    };
    Ok(Prepared {
        title: title_or(req, title),
        x_desc,
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Bars(Bars { labels, segments, totals: bars.iter().map(|b| to_f64(b.total)).collect() }),
        footer: prov.footer(&[&req.results]),
        table: Table { header, rows },
    })
}
