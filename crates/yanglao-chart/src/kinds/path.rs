//! The `path` chart: the monthly pension year by year for the chosen scenarios, from the
//! `--paths` file.

use super::*;

/// What the results file says about one scenario drawn from a paths file.
pub(super) struct RowInfo {
    pub(super) label: String,
    pub(super) breakeven: Option<String>,
    pub(super) provenance: Option<String>,
    pub(super) message: Option<String>,
    pub(super) scope: Option<String>,
}

/// The scenarios a paths chart may draw, in order, with their results rows.
pub(super) struct Chosen {
    pub(super) ids: Vec<String>,
    pub(super) info: BTreeMap<String, RowInfo>,
    /// Further ok rows beyond the limit.
    pub(super) more: usize,
}

impl Chosen {
    pub(super) fn label(&self, id: &str) -> String {
        self.info.get(id).map_or_else(|| id.to_string(), |i| i.label.clone())
    }

    /// Footer for the scenarios actually drawn (`shows_metrics`: with the scope of the
    /// break-even age, IRR and money's worth).
    pub(super) fn footer<'a>(
        &self,
        drawn: impl IntoIterator<Item = &'a String>,
        sources: &[&Path],
        shows_metrics: bool,
    ) -> Vec<String> {
        let mut prov = Provenance::showing_metrics(shows_metrics);
        for id in drawn {
            if let Some(i) = self.info.get(id) {
                prov.add(i.provenance.as_deref(), i.message.as_deref());
                prov.add_scope(i.scope.as_deref());
            }
        }
        prov.footer(sources)
    }
}

/// Pick scenarios from the results file: `req.ids` if given (at most `max`), else the first
/// `max` rows with status ok. Keeps label, `breakeven_age` and provenance of those rows only.
pub(super) fn choose(
    req: &ChartRequest,
    max: usize,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Chosen, ChartError> {
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, what)?;
    let be_col = src.col("breakeven_age");
    let explicit: Vec<String> = {
        let mut seen = BTreeSet::new();
        req.ids.iter().filter(|i| seen.insert(i.as_str())).take(max).cloned().collect()
    };
    if req.ids.len() > explicit.len() {
        warnings.push(format!("only the first {max} of the requested ids are drawn"));
    }
    let mut chosen = Chosen { ids: explicit.clone(), info: BTreeMap::new(), more: 0 };
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        if explicit.is_empty() {
            if let Some(status) = cols.not_ok(&src) {
                skipped.status(status);
                continue;
            }
            if chosen.info.contains_key(&id) {
                continue;
            }
            if chosen.ids.len() >= max {
                chosen.more += 1;
                continue;
            }
            chosen.ids.push(id.clone());
        } else if !explicit.contains(&id) || chosen.info.contains_key(&id) {
            continue;
        } else if let Some(status) = cols.not_ok(&src) {
            warnings.push(format!("scenario {id} has status {status} in the results"));
        }
        let info = RowInfo {
            label: cols.label(&src),
            breakeven: src.get(be_col).map(String::from),
            provenance: src.get(cols.provenance).map(String::from),
            message: src.get(cols.message).map(String::from),
            scope: src.get(cols.scope).map(String::from),
        };
        chosen.info.insert(id, info);
    }
    skipped.warnings(&req.results, warnings);
    for id in &explicit {
        if !chosen.info.contains_key(id) {
            warnings.push(format!("id {id} is not in {}", req.results.display()));
        }
    }
    if chosen.ids.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to draw".into() });
    }
    Ok(chosen)
}

/// Path chart: monthly pension by age after retirement, one line per scenario.
///
/// The paths file is streamed; only rows of the chosen scenarios (at most [`MAX_LINES`]) with
/// a positive `monthly_pension` are kept.
pub(crate) fn path(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the path chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "path" })?;
    let chosen = choose(req, MAX_LINES, WHAT, warnings)?;
    if chosen.more > 0 {
        warnings.push(format!(
            "only the first {MAX_LINES} scenarios are drawn; {} more left out (use --id to choose)",
            chosen.more
        ));
    }
    let slot: BTreeMap<&str, usize> = chosen.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut pts: Vec<Vec<(f64, Decimal, String)>> = vec![Vec::new(); chosen.ids.len()];
    let mut skipped = Skipped::default();
    path_points(
        paths,
        WHAT,
        |id| slot.get(id).copied(),
        &mut skipped,
        |i, age, age_raw, pay| {
            if pay > Decimal::ZERO {
                pts[i].push((age, pay, age_raw.to_string()));
            }
        },
    )?;
    skipped.warnings(paths, warnings);

    let mut series = Vec::new();
    let mut rows = Vec::new();
    let mut drawn = Vec::new();
    for (i, (id, mut p)) in chosen.ids.iter().zip(pts).enumerate() {
        if p.is_empty() {
            warnings.push(format!("scenario {id} has no row with monthly_pension > 0 in {}", paths.display()));
            continue;
        }
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        let label = chosen.label(id);
        drawn.push(id);
        for (_, pay, age_raw) in &p {
            rows.push(vec![id.clone(), label.clone(), age_raw.clone(), money(*pay)]);
        }
        series.push(Series::new(label, i, p.iter().map(|(a, pay, _)| (*a, to_f64(*pay))).collect()));
    }
    if series.is_empty() {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: "none of the chosen scenarios has a pension path".into(),
        });
    }
    Ok(Prepared {
        title: title_or(req, "月养老金领取路径".into()),
        x_desc: "年龄（岁）".into(),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { end_labels: true, log_y: req.y_scale == YScale::Log, ..Lines::new(series) }),
        footer: chosen.footer(drawn, &[&req.results, paths], false),
        table: Table { header: ["id", "label", "age", "monthly_pension"].map(String::from).to_vec(), rows },
    })
}
