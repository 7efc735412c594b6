//! The `sensitivity` chart: the total pension against one varied input, one line or strip
//! per group, with even sampling.

use super::*;

pub(super) struct SensPoint {
    pub(super) x: f64,
    pub(super) x_raw: String,
    pub(super) total: Decimal,
    pub(super) id: String,
    pub(super) label: String,
}

/// Results columns that stand for a scenario's inputs: rows equal in all of them but the
/// varied one (and the columns that move with it) form one strip, drawn as one line.
pub(super) const STRIP_COLUMNS: [&str; 7] =
    ["scheme", "claim_region", "retire", "retire_age", "years", "contribution_index", "tier"];

/// The strip columns left when `vary` is varied: the column itself, and with a retirement
/// month or age also the other one and `years`, which move with it.
pub(super) fn strip_columns(vary: &str, group: Option<&str>) -> Vec<&'static str> {
    let moved: &[&str] = match vary {
        "retire" | "retire_age" => &["retire", "retire_age", "years"],
        v => std::slice::from_ref(STRIP_COLUMNS.iter().find(|c| **c == v).unwrap_or(&"")),
    };
    STRIP_COLUMNS.into_iter().filter(|c| !moved.contains(c) && Some(*c) != group).collect()
}

/// One row of the sensitivity chart, read and checked: (group key, strip key, x, raw x, total).
pub(super) type SensRow = (String, String, f64, String, Decimal);

/// Read the current row for the sensitivity chart; `None` (with the reason noted in
/// `skipped`) if it is left out.
#[allow(clippy::too_many_arguments)]
pub(super) fn sens_row(
    src: &CsvSource,
    cols: &ResultCols,
    wanted: &BTreeSet<&str>,
    vary: &str,
    x_col: usize,
    total_col: usize,
    group_col: Option<usize>,
    strip_cols: &[usize],
    skipped: &mut Skipped,
) -> Option<SensRow> {
    let id = src.get(Some(cols.id)).unwrap_or("");
    if !wanted.is_empty() && !wanted.contains(id) {
        return None;
    }
    if let Some(status) = cols.not_ok(src) {
        skipped.status(status);
        return None;
    }
    let Some(x_raw) = src.get(Some(x_col)) else {
        skipped.unusable(format!("line {}, column {vary}: empty", src.line()));
        return None;
    };
    let Some(x) = parse_number(x_raw) else {
        skipped.unusable(not_a_number(src, vary, x_raw));
        return None;
    };
    let total = match src.get(Some(total_col)).map(|v| (v, parse_decimal(v))) {
        Some((_, Some(d))) => d,
        Some((v, None)) => {
            skipped.unusable(not_a_number(src, "total", v));
            return None;
        }
        None => {
            skipped.unusable(format!("line {}, column total: empty", src.line()));
            return None;
        }
    };
    let group = group_col.and_then(|g| src.get(Some(g))).unwrap_or("").to_string();
    let strip: Vec<&str> = strip_cols.iter().map(|&c| src.get(Some(c)).unwrap_or("")).collect();
    Some((group, strip.join(" | "), x, x_raw.to_string(), total))
}

/// Sensitivity chart: `total` against the `vary` column, one colour per `group` value.
///
/// Rows are drawn as strips: rows that agree in every input column but the varied one
/// ([`STRIP_COLUMNS`] present in the file, less `vary`, the columns that move with it and the
/// group column) are joined by a line; lines never join different strips, so a mixed file
/// gives one line per stylised worker instead of a zigzag through all of them. Strips with
/// several rows at one x are drawn as points.
///
/// At most [`MAX_LINES`] groups and [`MAX_POINTS`] points: the file is read twice, first to
/// count the strips, then to keep the rows of every k-th strip (in order of first
/// appearance, k as small as keeps the points within the limit), so a large file is sampled
/// evenly across its whole length, whole strips at a time. The chart's footer and a warning
/// say how many rows and strips were drawn out of how many.
pub(crate) fn sensitivity(req: &ChartRequest, warnings: &mut Vec<String>) -> Result<Prepared, ChartError> {
    const WHAT: &str = "the sensitivity chart";
    let vary = req.vary.as_deref().unwrap_or(crate::DEFAULT_VARY);
    let mut src = CsvSource::open(&req.results)?;
    let cols = ResultCols::find(&src, WHAT)?;
    let x_col = src.require(vary, "the x axis of the sensitivity chart (--vary)")?;
    let total_col = src.require("total", WHAT)?;
    let group_col = match &req.group {
        Some(g) => Some(group_column(&src, g, "--group of the sensitivity chart")?),
        None => None,
    };
    let strip_names: Vec<&str> =
        strip_columns(vary, req.group.as_deref()).into_iter().filter(|c| src.col(c).is_some()).collect();
    let strip_cols: Vec<usize> = strip_names.iter().filter_map(|c| src.col(c)).collect();
    let wanted: BTreeSet<&str> = req.ids.iter().map(String::as_str).collect();

    // Pass 1: groups (at most MAX_LINES) and strips with their sizes.
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut strips: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut dropped_groups = 0usize;
    let mut skipped = Skipped::default();
    while src.next_record()? {
        let Some((group, strip, ..)) =
            sens_row(&src, &cols, &wanted, vary, x_col, total_col, group_col, &strip_cols, &mut skipped)
        else {
            continue;
        };
        let n = groups.len();
        let g = match groups.get(&group) {
            Some(&g) => g,
            None if n < MAX_LINES => {
                groups.insert(group, n);
                n
            }
            None => {
                dropped_groups += 1;
                continue;
            }
        };
        let k = sizes.len();
        let s = *strips.entry((g, strip)).or_insert(k);
        if s == k {
            sizes.push(0);
        }
        sizes[s] += 1;
    }
    skipped.warnings(&req.results, warnings);
    if dropped_groups > 0 {
        warnings
            .push(format!("at most {MAX_LINES} groups are drawn; {dropped_groups} row(s) in further groups left out"));
    }
    if sizes.is_empty() {
        return Err(ChartError::NoData {
            path: req.results.clone(),
            why: format!("no row with status ok and a number in column {vary}"),
        });
    }
    let rows_total: usize = sizes.iter().sum();
    let mut every = 1usize;
    let kept_rows = |every: usize| sizes.iter().step_by(every).sum::<usize>();
    while kept_rows(every) > MAX_POINTS && every < sizes.len() {
        every += 1;
    }
    // A strip larger than the limit by itself (rows that agree in every input): every
    // row_every-th of its rows.
    let row_every = kept_rows(every).div_ceil(MAX_POINTS).max(1);
    let sampled = every > 1 || row_every > 1;

    // Pass 2: the rows of the kept strips.
    let mut src = CsvSource::open(&req.results)?;
    let mut points: BTreeMap<usize, Vec<SensPoint>> = BTreeMap::new();
    // A metric that counts own payments from as_of on the x axis or as the groups.
    let shows_metrics = is_scoped_metric(vary) || req.group.as_deref().is_some_and(is_scoped_metric);
    let mut prov = Provenance::showing_metrics(shows_metrics);
    let mut quiet = Skipped::default();
    let mut seen_in: BTreeMap<usize, usize> = BTreeMap::new();
    while src.next_record()? {
        let Some((group, strip, x, x_raw, total)) =
            sens_row(&src, &cols, &wanted, vary, x_col, total_col, group_col, &strip_cols, &mut quiet)
        else {
            continue;
        };
        let Some(&g) = groups.get(&group) else { continue };
        let Some(&s) = strips.get(&(g, strip)) else { continue };
        if !s.is_multiple_of(every) {
            continue;
        }
        let seen = seen_in.entry(s).or_insert(0usize);
        *seen += 1;
        if !(*seen - 1).is_multiple_of(row_every) {
            continue;
        }
        let id = src.get(Some(cols.id)).unwrap_or("").to_string();
        points.entry(s).or_default().push(SensPoint { x, x_raw, total, id, label: cols.label(&src) });
        prov.add_row(&src, &cols);
    }
    let by_index: BTreeMap<usize, (usize, &String)> = strips.iter().map(|((g, key), &s)| (s, (*g, key))).collect();
    let group_name: BTreeMap<usize, &String> = groups.iter().map(|(k, &g)| (g, k)).collect();
    let drawn_rows: usize = points.values().map(Vec::len).sum();
    let strips_drawn = points.len();
    let many = strips_drawn > MAX_LINES;

    let mut header = Vec::new();
    if group_col.is_some() {
        header.push(req.group.clone().unwrap_or_default());
    }
    header.extend(["strip".to_string(), "id".into(), "label".into(), vary.to_string(), "total".into()]);
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut listed = BTreeSet::new();
    for (s, pts) in &mut points {
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        let (g, key) = by_index[s];
        for p in pts.iter() {
            let mut row = Vec::new();
            if group_col.is_some() {
                row.push(group_name[&g].clone());
            }
            row.extend([key.clone(), p.id.clone(), p.label.clone(), p.x_raw.clone(), money(p.total)]);
            rows.push(row);
        }
        let name = match &req.group {
            Some(gc) => group_value_title(gc, group_name[&g]),
            None => "月养老金".into(),
        };
        lines.push(Series {
            in_legend: listed.insert(g),
            thin: many,
            ..Series::new(name, g, pts.iter().map(|p| (p.x, to_f64(p.total))).collect())
        });
    }
    if lines.iter().any(|s| !s.joined()) {
        warnings.push(format!(
            "several rows share a value of {vary} within a strip (rows equal in {}); those strips are drawn as \
             points only (use --group to split them)",
            if strip_names.is_empty() { "every input column".to_string() } else { strip_names.join(", ") }
        ));
    }
    let mut footer = prov.footer(&[&req.results]);
    if strips_drawn > 1 {
        footer.push(format!(
            "每条线连接{}相同、仅{}不同的情景。",
            if strip_names.is_empty() { "各列".to_string() } else { strip_names.join("、") },
            short_title(vary)
        ));
    }
    if sampled {
        let within = if row_every > 1 { format!("，组内每 {row_every} 行取 1 行") } else { String::new() };
        footer.push(format!(
            "均匀抽样：共 {rows_total} 行、{} 组情景，每 {every} 组取 1 组{within}，绘制 {drawn_rows} 行、{strips_drawn} 组。",
            sizes.len()
        ));
        let within =
            if row_every > 1 { format!(", 1 in every {row_every} rows within a strip") } else { String::new() };
        warnings.push(format!(
            "sampled evenly: {drawn_rows} of {rows_total} rows drawn (1 in every {every} of {} strips{within}; \
             {strips_drawn} strip(s) drawn; at most {MAX_POINTS} points)",
            sizes.len()
        ));
    }
    Ok(Prepared {
        title: title_or(req, format!("月养老金随{}的变化", short_title(vary))),
        x_desc: column_title(vary),
        y_desc: "月养老金（元/月）".into(),
        plot: Plot::Lines(Lines { dots: !many, legend: group_col.is_some(), ..Lines::new(lines) }),
        footer,
        table: Table { header, rows },
    })
}
