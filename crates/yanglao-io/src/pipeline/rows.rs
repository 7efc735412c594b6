//! One row through the pipeline: parse and validate the scenario, attach its segments,
//! project it, and write its results row (and `--paths` rows), or its error row.

use super::*;

pub(super) fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// A record that cannot become a scenario: the id to print (the line number when the id
/// itself is bad), the label and the message.
pub(super) struct Failure {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) message: String,
    /// The scenario column at fault, when there is one.
    pub(super) column: Option<String>,
}

/// Record → validated scenario with its segments attached; `note` gets the first date of
/// the record whose day was dropped (`line L, column C, value 'V'`).
pub(super) fn scenario_of(
    item: &Item,
    header: &Header,
    ctx: &Context,
    note: &mut Option<String>,
) -> Result<crate::model::Scenario, Failure> {
    let line = item.line;
    let row = Row::new(header, &item.rec);
    if !row.is_utf8() {
        return Err(Failure {
            id: line.to_string(),
            label: String::new(),
            message: format!("line {line}: not valid UTF-8 text (save as UTF-8, or run with --encoding gb18030)"),
            column: None,
        });
    }
    let fallback_id: String;
    let id = match row.get("id") {
        Some(id) => id,
        None => {
            fallback_id = line.to_string();
            fallback_id.as_str()
        }
    };
    let label = row.get("label").unwrap_or(id);
    let fail = |message: String| Failure { id: id.to_string(), label: label.to_string(), message, column: None };
    if item.rec.len() > header.width() {
        return Err(fail(format!(
            "line {line}: {} fields, but the header has {}; allowed at most one field per header column (quote fields that contain commas)",
            item.rec.len(),
            header.width()
        )));
    }
    if item.duplicate {
        return Err(fail(
            RowError::new("id", id, "duplicate id (an earlier row has it)", "a unique key per row").message(line),
        ));
    }
    let parsed = parse_scenario(&row, line, &ctx.params, ctx.assumptions.as_of);
    if let Some((col, v)) = row.dropped_day() {
        *note = Some(format!("line {line}, column {col}, value '{v}'"));
    }
    let mut s = parsed.map_err(|e| Failure { column: Some(e.column.clone()), ..fail(e.message(line)) })?;
    if let Some(e) = &item.segment_error {
        return Err(fail(
            RowError::new("id", &s.id, e.clone(), "segments grouped by id in scenario order").message(line),
        ));
    }
    for (seg_line, fields) in &item.segments {
        let f: [Option<&str>; 7] = std::array::from_fn(|k| fields[k].as_deref());
        let seg = parse_segment(&f, *seg_line, &ctx.params, &s).map_err(|e| fail(e.message(line)))?;
        s.segments.push(seg);
        if note.is_none() {
            for (k, col) in [(3, "start"), (4, "end")] {
                let v = f[k].unwrap_or("");
                if Month::parse(v).is_none() && crate::lenient::month(v).is_some_and(|(_, day)| day) {
                    *note = Some(format!("segments file line {seg_line}, column {col}, value '{v}'"));
                    break;
                }
            }
        }
    }
    Ok(s)
}

/// The one per-row path of `run` and `check`: parse and validate the record, then project
/// it. Every error a row can have (bad field, duplicate id, segments, the model's own
/// refusals) comes out of here; `run` then adds the metrics and prints the numbers.
pub(super) fn evaluate(
    item: &Item,
    header: &Header,
    ctx: &Context,
    note: &mut Option<String>,
) -> Result<(crate::model::Scenario, crate::model::Outcome), Failure> {
    let s = scenario_of(item, header, ctx, note)?;
    match project(&s, ctx) {
        Ok(o) => Ok((s, o)),
        Err(e) => Err(Failure { id: s.id.clone(), label: s.label.clone(), message: e.message(s.line), column: None }),
    }
}

/// The message for a row whose computation panicked (a bug): the row gets it as its error.
pub(super) fn panic_message(item: &Item, cause: Box<dyn std::any::Any + Send>) -> String {
    let why = cause
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".to_string());
    format!("line {}: internal error while computing this row ({why}); please report it", item.line)
}

/// Parses, projects and formats one record into `out` (its buffers are reused).
pub(super) fn process(
    item: &Item,
    header: &Header,
    ctx: &Context,
    fmt: Format,
    want_paths: bool,
    writer: Option<&dyn RowWriter>,
    out: &mut Produced,
) {
    out.csv.clear();
    out.paths.clear();
    out.error = None;
    out.note = None;
    // Last line of defence: a panic in one row (a bug) becomes that row's error, never a
    // crash and never a lost row. Arithmetic on validated inputs is bounded or checked.
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match writer {
        Some(w) => write_row(item, header, ctx, fmt, w, &mut *out),
        None => process_row(item, header, ctx, fmt, want_paths, &mut *out),
    }));
    if let Err(cause) = done {
        let message = panic_message(item, cause);
        let id = item
            .rec
            .get(header.id_index())
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let id = id.map(str::to_string).unwrap_or_else(|| item.line.to_string());
        out.csv.clear();
        out.paths.clear();
        match writer {
            Some(w) => w.error(&id, &id, &message, fmt, &mut out.csv),
            None => results::push_error(&mut out.csv, &id, &id, &message, fmt),
        }
        out.status = None;
        out.error = Some(message);
    }
}

/// [`process_row`] for another row writer.
pub(super) fn write_row(
    item: &Item,
    header: &Header,
    ctx: &Context,
    fmt: Format,
    w: &dyn RowWriter,
    out: &mut Produced,
) {
    match scenario_of(item, header, ctx, &mut out.note) {
        Ok(s) => match w.row(&s, ctx, fmt, &mut out.csv) {
            Ok(status) => out.status = Some(status),
            Err(message) => {
                out.status = None;
                out.error = Some(message);
            }
        },
        Err(f) => {
            w.error(&f.id, &f.label, &f.message, fmt, &mut out.csv);
            out.status = None;
            out.error = Some(f.message);
        }
    }
}

/// The benchmark floor for one record: parse it, write the record itself back.
pub(super) fn echo(item: &Item, header: &Header, ctx: &Context, fmt: Format, out: &mut Produced) {
    out.note = None;
    out.status = scenario_of(item, header, ctx, &mut out.note).ok().map(|_| Status::Ok);
    out.error = None;
    out.paths.clear();
    let csv = &mut out.csv;
    csv.clear();
    for (i, field) in item.rec.iter().enumerate() {
        if i > 0 {
            csv.push(',');
        }
        results::push_text(csv, &String::from_utf8_lossy(field), fmt);
    }
    csv.push('\n');
}

pub(super) fn process_row(
    item: &Item,
    header: &Header,
    ctx: &Context,
    fmt: Format,
    want_paths: bool,
    out: &mut Produced,
) {
    let (s, o) = match evaluate(item, header, ctx, &mut out.note) {
        Ok(done) => done,
        Err(f) => {
            results::push_error(&mut out.csv, &f.id, &f.label, &f.message, fmt);
            out.status = None;
            out.error = Some(f.message);
            return;
        }
    };
    push_result(&mut out.csv, &s, &o, ctx, fmt);
    if want_paths {
        crate::paths::push_paths_rows(&mut out.paths, &s, &o, ctx, fmt);
    }
    out.status = Some(o.status);
}

/// Appends the results row of a computed scenario, metrics and echoes included, ending in
/// a newline: what `run` writes for it (also used by `explain` and `run --reform`).
#[inline]
pub fn push_result(
    out: &mut String,
    s: &crate::model::Scenario,
    o: &crate::model::Outcome,
    ctx: &Context,
    fmt: Format,
) {
    let m: Metrics = metrics::compute(s, o, ctx);
    let echo =
        Echo { contribution_index: (s.scheme != crate::model::Scheme::Resident).then_some(s.index), tier: s.tier };
    results::push_outcome(out, &s.id, &s.label, o, &m, echo, &ctx.params, fmt);
}
