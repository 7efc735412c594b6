//! The `breakeven` chart: cumulative own payments against cumulative receipts, with the
//! break-even age marked.

use super::*;

/// Linear interpolation of `pts` (sorted by x) at `x`, clamped to the ends.
pub(super) fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    match pts.iter().position(|p| p.0 >= x) {
        None => pts.last().map_or(0.0, |p| p.1),
        Some(0) => pts[0].1,
        Some(i) => {
            let (a, b) = (pts[i - 1], pts[i]);
            if b.0 == a.0 {
                b.1
            } else {
                a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
            }
        }
    }
}

/// Break-even chart: cumulative own payments and cumulative pension received by age for one
/// scenario, with the break-even age marked.
///
/// The marked age is the results column `breakeven_age` (e.g. `67y3m`) when present, else
/// the first age in the paths file where received ≥ paid.
pub(crate) fn breakeven(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the breakeven chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "breakeven" })?;
    if req.ids.len() > 1 {
        warnings.push(format!("draws one scenario; using id {}", req.ids[0]));
    }
    let one = ChartRequest { ids: req.ids.iter().take(1).cloned().collect(), ..req.clone() };
    let chosen = choose(&one, MAX_BREAKEVEN_CANDIDATES, WHAT, warnings)?;

    // The first candidate (in results order) that has rows in the paths file; a candidate
    // ranked earlier replaces the rows kept so far.
    let mut src = CsvSource::open(paths)?;
    let id_col = src.require("id", WHAT)?;
    let age_col = src.require("age", WHAT)?;
    let paid_col = src.require("cumulative_paid", WHAT)?;
    let recv_col = src.require("cumulative_received", WHAT)?;
    let rank: BTreeMap<&str, usize> = chosen.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut best: Option<usize> = None;
    let mut pts: Vec<(f64, String, Decimal, Decimal)> = Vec::new();
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some(&r) = src.get(Some(id_col)).and_then(|id| rank.get(id)) else {
            continue;
        };
        if best.is_none_or(|b| r < b) {
            best = Some(r);
            pts.clear();
            skipped = Skipped::default();
        }
        if best != Some(r) {
            continue;
        }
        let cells = [age_col, paid_col, recv_col].map(|c| src.get(Some(c)).unwrap_or(""));
        let Some(age) = parse_age(cells[0]) else {
            skipped.unusable(not_a_number(&src, "age", cells[0]));
            continue;
        };
        let (Some(paid), Some(recv)) = (parse_decimal(cells[1]), parse_decimal(cells[2])) else {
            let (col, v) = if parse_decimal(cells[1]).is_none() {
                ("cumulative_paid", cells[1])
            } else {
                ("cumulative_received", cells[2])
            };
            skipped.unusable(not_a_number(&src, col, v));
            continue;
        };
        pts.push((age, cells[0].to_string(), paid, recv));
    }
    skipped.warnings(paths, warnings);
    let Some(best) = best.filter(|_| !pts.is_empty()) else {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: match req.ids.first() {
                Some(id) => format!("no usable rows for scenario {id}"),
                None => "no usable rows for any scenario with status ok in the results".into(),
            },
        });
    };
    let id = chosen.ids[best].clone();
    if best > 0 {
        warnings.push(format!(
            "scenario {} has no rows in {}; drawing {id}, the first that has",
            chosen.ids[0],
            paths.display()
        ));
    }
    let label = chosen.label(&id);
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let paid: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, to_f64(p.2))).collect();
    let recv: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, to_f64(p.3))).collect();

    let from_results = chosen.info.get(&id).and_then(|i| i.breakeven.as_ref()).and_then(|raw| match parse_age(raw) {
        Some(x) => Some((x, format!("回本年龄：{}", age_zh(raw)))),
        None => {
            warnings.push(format!(
                "breakeven_age '{raw}' of scenario {id} is not an age like 67y3m; \
                 using the paths file instead"
            ));
            None
        }
    });
    let found = from_results.or_else(|| {
        pts.iter()
            .find(|p| p.3 >= p.2 && p.3 > Decimal::ZERO)
            .map(|p| (p.0, format!("回本年龄：约{}岁（按路径）", p.1)))
    });
    // The cumulative payments, and so the break-even age, count own payments from as_of.
    let mut footer = chosen.footer([&id], &[&req.results, paths], true);
    let marker = match found {
        Some((x, label)) => Some(Marker { x, y: interpolate(&paid, x), label }),
        None => {
            let last = &pts[pts.len() - 1].1;
            warnings.push(format!("scenario {id} does not break even by age {last}"));
            footer.push(format!("至{}岁未回本。", age_zh(last)));
            None
        }
    };

    let mut rows = Vec::new();
    for (name, col) in [("cumulative_paid", 2), ("cumulative_received", 3)] {
        for p in &pts {
            let v = if col == 2 { p.2 } else { p.3 };
            rows.push(vec![id.clone(), label.clone(), name.to_string(), p.1.clone(), money(v)]);
        }
    }
    if let Some(m) = &marker {
        rows.push(vec![id.clone(), label.clone(), "breakeven".into(), format!("{:.4}", m.x), format!("{:.2}", m.y)]);
    }
    Ok(Prepared {
        title: title_or(req, format!("回本分析：{label}")),
        x_desc: "年龄（岁）".into(),
        y_desc: "累计金额（元）".into(),
        plot: Plot::Lines(Lines {
            marker,
            ..Lines::new(vec![
                Series { style: 1, ..Series::new("累计个人缴费".into(), 3, paid) },
                Series { style: 0, ..Series::new("累计领取养老金".into(), 0, recv) },
            ])
        }),
        footer,
        table: Table { header: ["id", "label", "series", "age", "value"].map(String::from).to_vec(), rows },
    })
}
