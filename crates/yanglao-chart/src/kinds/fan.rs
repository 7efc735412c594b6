//! The `fan` chart: the median and the p10–p90 and p25–p75 bands of the pension path per
//! group (nearest-rank percentiles).

use super::*;

/// At most this many groups in a fan chart (each is a median line and two bands).
pub const MAX_FAN_GROUPS: usize = 4;
/// At most this many scenarios feed a fan chart (their pensions are kept, 8 bytes a year).
pub const MAX_FAN_SCENARIOS: usize = 200_000;
/// The percentiles of a fan chart, as (CSV column, p).
pub(super) const FAN_PERCENTILES: [(&str, u32); 5] =
    [("p10", 10), ("p25", 25), ("median", 50), ("p75", 75), ("p90", 90)];

/// Nearest-rank percentile of `sorted` (ascending): the value at rank ⌈p·n/100⌉, as in
/// `yanglao summary`.
pub(super) fn nearest_rank(sorted: &[i64], p: u32) -> i64 {
    let n = sorted.len();
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted[rank - 1]
}

pub(super) fn fen(v: i64) -> String {
    format!("{}", Decimal::new(v, 2))
}

/// Fan chart: percentiles (p10, p25, median, p75, p90) of the monthly pension by age over
/// the paths of a group of scenarios: all ok rows of the results (or `ids`), or one fan per
/// value of `group` (at most [`MAX_FAN_GROUPS`]). At each age the percentiles are taken over
/// the scenarios that have a pension at that age (nearest rank, the same definition as
/// `yanglao summary`); the CSV beside the chart gives the count with each age.
///
/// The results file is read first to know each chosen scenario's group (at most
/// [`MAX_FAN_SCENARIOS`] scenarios, with a warning beyond); the paths file is then streamed
/// and only the pensions of those scenarios are kept, as whole fen.
pub(crate) fn fan(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the fan chart";
    let paths = req.paths.as_deref().ok_or(ChartError::NeedsPaths { kind: "fan" })?;
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let group_col = match &req.group {
        Some(g) => Some(group_column(&src, g, "--group of the fan chart")?),
        None => None,
    };
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();
    let mut groups: Vec<String> = Vec::new();
    let mut member: BTreeMap<String, usize> = BTreeMap::new();
    let (mut other_groups, mut over) = (0usize, 0usize);
    let mut skipped = Skipped::default();
    let mut prov = Provenance::default();
    while src.next_record()? {
        let id = src.get(Some(cols.id)).unwrap_or("");
        if !wanted.is_empty() && !wanted.contains(id) {
            continue;
        }
        if let Some(status) = cols.not_ok(&src) {
            skipped.status(status);
            continue;
        }
        let key = group_col.and_then(|g| src.get(Some(g))).unwrap_or("");
        let g = match groups.iter().position(|k| k == key) {
            Some(g) => g,
            None if groups.len() < MAX_FAN_GROUPS => {
                groups.push(key.to_string());
                groups.len() - 1
            }
            None => {
                other_groups += 1;
                continue;
            }
        };
        if member.len() >= MAX_FAN_SCENARIOS {
            over += 1;
            continue;
        }
        member.insert(id.to_string(), g);
        prov.add_row(&src, &cols);
    }
    skipped.warnings(&req.results, warnings);
    if other_groups > 0 {
        warnings.push(format!(
            "at most {MAX_FAN_GROUPS} groups are drawn; {other_groups} row(s) in further groups left out"
        ));
    }
    if over > 0 {
        warnings.push(format!("only the first {MAX_FAN_SCENARIOS} scenarios are used; {over} more left out"));
    }
    if member.is_empty() {
        return Err(ChartError::NoData { path: req.results.clone(), why: "no row with status ok to draw".into() });
    }

    // (group, age in months) → pensions in fen; the age as written, for the CSV.
    let mut values: BTreeMap<(usize, i64), Vec<i64>> = BTreeMap::new();
    let mut age_text: BTreeMap<i64, String> = BTreeMap::new();
    let mut skipped = Skipped::default();
    path_points(
        paths,
        WHAT,
        |id| member.get(id).copied(),
        &mut skipped,
        |g, age, age_raw, pay| {
            let Some(f) = (pay * Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_string()
                .parse::<i64>()
                .ok()
                .filter(|f| *f > 0)
            else {
                return;
            };
            let months = (age * 12.0).round() as i64;
            age_text.entry(months).or_insert_with(|| age_raw.to_string());
            values.entry((g, months)).or_default().push(f);
        },
    )?;
    skipped.warnings(paths, warnings);
    if values.is_empty() {
        return Err(ChartError::NoData {
            path: paths.to_path_buf(),
            why: "none of the chosen scenarios has a pension path".into(),
        });
    }

    let mut header = Vec::new();
    if let Some(g) = &req.group {
        header.push(g.clone());
    }
    header.extend(["age", "n"].map(String::from));
    header.extend(FAN_PERCENTILES.iter().map(|(n, _)| n.to_string()));
    let mut rows = Vec::new();
    let mut per_group: Vec<Vec<(f64, [i64; 5])>> = vec![Vec::new(); groups.len()];
    for ((g, months), v) in &mut values {
        v.sort_unstable();
        let q = FAN_PERCENTILES.map(|(_, p)| nearest_rank(v, p));
        let mut row = Vec::new();
        if group_col.is_some() {
            row.push(groups[*g].clone());
        }
        row.push(age_text[months].clone());
        row.push(v.len().to_string());
        row.extend(q.iter().map(|f| fen(*f)));
        rows.push(row);
        per_group[*g].push((*months as f64 / 12.0, q));
    }
    let y = |f: i64| f as f64 / 100.0;
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (g, pts) in per_group.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
        bands.push(Band { color: g, alpha: 0.16, points: pts.iter().map(|(a, q)| (*a, y(q[0]), y(q[4]))).collect() });
        bands.push(Band { color: g, alpha: 0.30, points: pts.iter().map(|(a, q)| (*a, y(q[1]), y(q[3]))).collect() });
        let name = match &req.group {
            Some(c) => format!("{} 中位数", group_value_title(c, &groups[g])),
            None => "中位数".to_string(),
        };
        series.push(Series::new(name, g, pts.iter().map(|(a, q)| (*a, y(q[2]))).collect()));
    }
    let slot = if groups.len() == 1 { 0 } else { 9 };
    let band_legend = vec![("10%–90% 分位".to_string(), slot, 0.16), ("25%–75% 分位".to_string(), slot, 0.41)];
    let n = member.len();
    let title = match &req.group {
        Some(g) => format!("月养老金分布随年龄的变化（按{}分组）", short_title(g)),
        None => "月养老金分布随年龄的变化".to_string(),
    };
    let mut footer = prov.footer(&[&req.results, paths]);
    footer.push(format!("{n} 个情景；各年龄取该年龄有养老金的情景的分位数（最近秩法）。"));
    Ok(Prepared {
        title: title_or(req, title),
        x_desc: "年龄（岁）".into(),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { bands, band_legend, log_y: req.y_scale == YScale::Log, ..Lines::new(series) }),
        footer,
        table: Table { header, rows },
    })
}
