//! Rendering an [`Explained`] row as text, Markdown or JSON, in Chinese or English.

use super::*;

// ---------------------------------------------------------------------------------------
// Rendering

pub(super) fn t(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// The columns of the result shown at the top of text and Markdown (JSON has them all).
pub(super) const SHOWN: &[&str] = &[
    "status",
    "scheme",
    "claim_region",
    "retire",
    "retire_age",
    "divisor",
    "years",
    "min_years",
    "avg_index",
    "base",
    "balance",
    "basic",
    "account",
    "transitional",
    "resident_basic",
    "bonus",
    "allowance",
    "total",
    "own_paid",
    "gov_paid",
    "replacement_rate",
    "breakeven_age",
    "irr",
    "pension_wealth",
    "provenance",
    "message",
];

/// An empty result (a metric that is not defined for the row) as a dash and a word.
pub(super) fn shown_result(l: Lang, r: &str) -> String {
    if r.is_empty() {
        t(l, "— (empty: not defined for this row)", "—(空:本行不适用)")
    } else {
        r.to_string()
    }
}

/// Renders an explanation.
pub fn render(e: &Explained, format: ExplainFormat) -> String {
    match format {
        ExplainFormat::Text => text(e),
        ExplainFormat::Markdown => markdown(e),
        ExplainFormat::Json => json(e),
    }
}

pub(super) fn shown(e: &Explained) -> impl Iterator<Item = &(String, String)> {
    e.result.iter().filter(|(k, v)| SHOWN.contains(&k.as_str()) && !v.is_empty())
}

pub(super) fn text(e: &Explained) -> String {
    let l = e.lang;
    let mut s = String::new();
    let _ = match l {
        Lang::En => writeln!(s, "How row {} (line {}) is computed", e.id, e.line),
        Lang::Zh => writeln!(s, "第 {} 行 {} 的计算过程", e.line, e.id),
    };
    let _ = writeln!(s, "\n{}", t(l, "Result (as run prints it):", "结果(与 run 输出一致):"));
    for (k, v) in shown(e) {
        let _ = writeln!(s, "  {k:<16} {v}");
    }
    for (n, st) in e.steps.iter().enumerate() {
        let _ = writeln!(s, "\n{}. [{}] {}", n + 1, st.rule, st.title);
        if !st.document.is_empty() {
            let _ = writeln!(s, "   {}: {}", t(l, "rule", "依据"), st.document);
        }
        let _ = writeln!(s, "   {}: {}", t(l, "formula", "公式"), st.formula);
        for i in &st.inputs {
            let src = if i.source.is_empty() { String::new() } else { format!("; {}", i.source) };
            let _ = writeln!(s, "     {} = {}  [{}{}]", i.name, i.value, i.provenance, src);
        }
        if !st.rounding.is_empty() {
            let _ = writeln!(s, "   {}: {}", t(l, "rounding", "舍入"), st.rounding);
        }
        let _ = writeln!(s, "   = {}", shown_result(l, &st.result));
        if let Some(tb) = &st.table {
            text_table(&mut s, tb);
        }
    }
    let _ = writeln!(s);
    text_table(&mut s, &e.path);
    s
}

pub(super) fn text_table(s: &mut String, tb: &Table) {
    let _ = writeln!(s, "   {}", tb.title);
    let n = tb.header.len();
    let mut width = vec![0usize; n];
    for row in std::iter::once(&tb.header).chain(&tb.rows) {
        for (k, c) in row.iter().enumerate().take(n) {
            width[k] = width[k].max(c.chars().count());
        }
    }
    for row in std::iter::once(&tb.header).chain(&tb.rows) {
        let mut line = String::from("   ");
        for (k, c) in row.iter().enumerate().take(n) {
            let pad = width[k] - c.chars().count();
            line.push_str(&" ".repeat(pad));
            line.push_str(c);
            line.push_str("  ");
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
}

pub(super) fn md_cell(c: &str) -> String {
    c.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn md_table(s: &mut String, tb: &Table) {
    let _ = writeln!(s, "\n*{}*\n", tb.title);
    let _ = writeln!(s, "| {} |", tb.header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(tb.header.len()));
    for r in &tb.rows {
        let _ = writeln!(s, "| {} |", r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | "));
    }
}

pub(super) fn markdown(e: &Explained) -> String {
    let l = e.lang;
    let mut s = String::new();
    let _ = match l {
        Lang::En => writeln!(s, "## How row `{}` (line {}) is computed\n", e.id, e.line),
        Lang::Zh => writeln!(s, "## 第 {} 行 `{}` 的计算过程\n", e.line, e.id),
    };
    let _ = writeln!(s, "{}\n", t(l, "Result, as `yanglao run` prints it:", "结果(与 `yanglao run` 输出一致):"));
    let _ = writeln!(s, "| {} | {} |\n|---|---|", t(l, "column", "列"), t(l, "value", "值"));
    for (k, v) in shown(e) {
        let _ = writeln!(s, "| `{k}` | {} |", md_cell(v));
    }
    for (n, st) in e.steps.iter().enumerate() {
        let _ = writeln!(s, "\n### {}. {} ({})\n", n + 1, st.title, st.rule);
        if !st.document.is_empty() {
            let _ = writeln!(s, "{}: {}  ", t(l, "Rule", "依据"), st.document);
        }
        let _ = writeln!(s, "{}: `{}`", t(l, "Formula", "公式"), st.formula);
        if !st.inputs.is_empty() {
            let _ = writeln!(
                s,
                "\n| {} | {} | {} | {} |\n|---|---|---|---|",
                t(l, "input", "输入"),
                t(l, "value", "值"),
                t(l, "provenance", "来源等级"),
                t(l, "source", "出处")
            );
            for i in &st.inputs {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    md_cell(&i.name),
                    md_cell(&i.value),
                    md_cell(&i.provenance),
                    md_cell(&i.source)
                );
            }
        }
        if !st.rounding.is_empty() {
            let _ = writeln!(s, "\n{}: {}", t(l, "Rounding", "舍入"), st.rounding);
        }
        let _ = writeln!(s, "\n**= {}**", md_cell(&shown_result(l, &st.result)));
        if let Some(tb) = &st.table {
            md_table(&mut s, tb);
        }
    }
    md_table(&mut s, &e.path);
    s
}

pub(super) fn js(s: &mut String, v: &str) {
    s.push('"');
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

pub(super) fn js_list(s: &mut String, v: &[String]) {
    s.push('[');
    for (k, x) in v.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        js(s, x);
    }
    s.push(']');
}

pub(super) fn js_table(s: &mut String, tb: &Table) {
    s.push_str("{\"title\":");
    js(s, &tb.title);
    s.push_str(",\"header\":");
    js_list(s, &tb.header);
    s.push_str(",\"rows\":[");
    for (k, r) in tb.rows.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        js_list(s, r);
    }
    s.push_str("]}");
}

pub(super) fn js_pairs(s: &mut String, v: &[(String, String)]) {
    s.push('{');
    for (k, (a, b)) in v.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        js(s, a);
        s.push(':');
        js(s, b);
    }
    s.push('}');
}

pub(super) fn json(e: &Explained) -> String {
    let mut s = String::from("{\"id\":");
    js(&mut s, &e.id);
    let _ = write!(s, ",\"line\":{},\"lang\":\"{}\",\"result\":", e.line, if e.lang == Lang::Zh { "zh" } else { "en" });
    js_pairs(&mut s, &e.result);
    s.push_str(",\"steps\":[");
    for (n, st) in e.steps.iter().enumerate() {
        if n > 0 {
            s.push(',');
        }
        let _ = write!(s, "\n{{\"n\":{},\"rule\":", n + 1);
        js(&mut s, &st.rule);
        for (k, v) in [("document", &st.document), ("title", &st.title), ("formula", &st.formula)] {
            let _ = write!(s, ",\"{k}\":");
            js(&mut s, v);
        }
        s.push_str(",\"inputs\":[");
        for (k, i) in st.inputs.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push_str("{\"name\":");
            js(&mut s, &i.name);
            s.push_str(",\"value\":");
            js(&mut s, &i.value);
            s.push_str(",\"provenance\":");
            js(&mut s, &i.provenance);
            s.push_str(",\"source\":");
            js(&mut s, &i.source);
            s.push('}');
        }
        s.push_str("],\"rounding\":");
        js(&mut s, &st.rounding);
        s.push_str(",\"result\":");
        js(&mut s, &st.result);
        s.push_str(",\"checks\":");
        js_pairs(&mut s, &st.checks);
        if let Some(tb) = &st.table {
            s.push_str(",\"table\":");
            js_table(&mut s, tb);
        }
        s.push('}');
    }
    s.push_str("],\n\"path\":");
    js_table(&mut s, &e.path);
    s.push_str("}\n");
    s
}
