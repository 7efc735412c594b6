//! `yanglao explain`: the whole derivation of one result row, step by step.
//!
//! The row is read as `run` reads it and projected by the same code
//! ([`model::project_traced`] is [`model::project`] with a [`Trace`] attached), so every
//! number shown is the one `run` prints; the trace adds what each formula put in. Each step
//! gives its rule (the contract's C-number and the issuing document), the formula, the
//! values put in with the provenance of each parameter and the `source` written beside it in
//! the parameter files, the rounding applied and the result. Steps whose result is a result
//! column name it (`checks`), and the integration tests hold every such value equal to the
//! `run` output of the same row. The yearly path is the `--paths` output of the row.
//!
//! Formats: plain text (a terminal), Markdown (a report), JSON (programs; every value is a
//! string exactly as `run` prints it).

use crate::metrics;
use crate::model::{self, Category, Context, Event, Outcome, RowError, Scenario, Status, Trace, Used};
use crate::params::{Age, Month, ParamError, Params, Provenance};
use crate::results::{self, fixed, Format, Metrics};
use rust_decimal::Decimal;
use std::fmt::Write;
use std::path::Path;

mod render;
mod steps;

pub use render::*;
use steps::*;

/// Language of the titles and labels (numbers and formulas are the same in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    En,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Plain text.
    Text,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

/// The `source` texts of the parameter files, for citing each value's document.
pub struct Sources {
    files: Vec<(String, toml::Table)>,
}

/// Which dated entry of a parameter a value came from.
#[derive(Debug, Clone, Copy)]
enum When {
    /// The entry of this calendar year (yearly series).
    Year(i32),
    /// The entry in force at this month (step series, tier tables).
    Month(Month),
    /// The table itself (undated parameters).
    Any,
}

impl Sources {
    /// The files compiled into the binary.
    pub fn builtin() -> Sources {
        Sources::from_texts(crate::params::builtin_files().iter().map(|(p, t)| (p.to_string(), t.to_string())))
    }

    /// The files of a `--params` directory.
    pub fn from_dir(dir: &Path) -> Result<Sources, ParamError> {
        Ok(Sources::from_texts(crate::params::dir_files(dir)?))
    }

    fn from_texts(files: impl IntoIterator<Item = (String, String)>) -> Sources {
        // The files were validated when the parameters were loaded; one that does not parse
        // here only loses its citations.
        let files = files.into_iter().filter_map(|(p, t)| Some((p, t.parse::<toml::Table>().ok()?))).collect();
        Sources { files }
    }

    fn file(&self, name: &str) -> Option<&toml::Table> {
        self.files.iter().find(|(p, _)| p == name).map(|(_, t)| t)
    }

    /// The `source` of `key` for a region (looked up in the city's file, then the province's,
    /// then the national file, as the overlays are built), at `when`.
    fn lookup(&self, region: &str, key: &str, when: When) -> Option<String> {
        let mut chain = vec![format!("{region}.toml")];
        if let Some((province, _)) = region.split_once('/') {
            chain.push(format!("{province}.toml"));
        }
        chain.push("national.toml".to_string());
        chain.iter().filter_map(|f| self.file(f)).find_map(|doc| find_source(doc.get(key)?, when))
    }
}

fn entry_month(e: &toml::Table) -> Option<Month> {
    match (e.get("year").and_then(toml::Value::as_integer), e.get("from").and_then(toml::Value::as_str)) {
        (Some(y), _) => Some(Month::january(y as i32)),
        (None, Some(m)) => Month::parse(m),
        _ => None,
    }
}

fn source_of(t: &toml::Table) -> Option<String> {
    t.get("source").and_then(toml::Value::as_str).map(str::to_string)
}

/// The source of a value: the dated entry's own, else its table's.
fn find_source(v: &toml::Value, when: When) -> Option<String> {
    if let Some(list) = v.as_array() {
        // [[resident_tiers]]: the table in force.
        let Some(m) = (match when {
            When::Month(m) => Some(m),
            When::Year(y) => Some(Month::december(y)),
            When::Any => None,
        }) else {
            return list.last().and_then(toml::Value::as_table).and_then(source_of);
        };
        return list
            .iter()
            .rev()
            .filter_map(toml::Value::as_table)
            .find(|t| entry_month(t).is_some_and(|f| f <= m))
            .and_then(source_of);
    }
    let t = v.as_table()?;
    let values = t.get("values").and_then(toml::Value::as_array);
    let entry = match (values, when) {
        // The year's entry, else the last one before it (the start of a projection).
        (Some(list), When::Year(y)) => list
            .iter()
            .rev()
            .filter_map(toml::Value::as_table)
            .find(|e| entry_month(e).is_some_and(|f| f <= Month::january(y))),
        (Some(list), When::Month(m)) => {
            list.iter().rev().filter_map(toml::Value::as_table).find(|e| entry_month(e).is_some_and(|f| f <= m))
        }
        _ => None,
    };
    entry.and_then(source_of).or_else(|| source_of(t))
}

/// One value put into a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// What it is.
    pub name: String,
    /// The value as printed.
    pub value: String,
    /// Provenance tag, or "input" for a value of the row.
    pub provenance: String,
    /// The document or source written beside the value in the parameter files.
    pub source: String,
}

/// A table (yearly accrual, yearly path).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Caption.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// One step of the derivation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Step {
    /// Contract convention(s), e.g. `C15`.
    pub rule: String,
    /// The issuing document.
    pub document: String,
    /// What the step computes.
    pub title: String,
    /// The formula.
    pub formula: String,
    /// The values put in.
    pub inputs: Vec<Input>,
    /// The rounding applied.
    pub rounding: String,
    /// The result.
    pub result: String,
    /// Result columns this step's values appear in, with the values as `run` prints them.
    pub checks: Vec<(String, String)>,
    /// A table belonging to the step.
    pub table: Option<Table>,
}

/// The explanation of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// Row id.
    pub id: String,
    /// Line in the scenario file.
    pub line: u64,
    /// Language.
    pub lang: Lang,
    /// The result row exactly as `run` writes it: (column, value).
    pub result: Vec<(String, String)>,
    /// Steps in the order the model took them.
    pub steps: Vec<Step>,
    /// The yearly path (`--paths` rows of this row).
    pub path: Table,
}

struct Ctx<'a> {
    lang: Lang,
    params: &'a Params,
    sources: &'a Sources,
    region: String,
    wage_growth: Decimal,
    /// The pension month (the date of step-series values).
    pension: Month,
}

impl Ctx<'_> {
    fn t(&self, en: &str, zh: &str) -> String {
        match self.lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        }
    }

    fn input(&self) -> String {
        self.t("row input", "本行输入")
    }

    fn key(&self, r: crate::params::RegionId) -> String {
        self.params.region(r).key.clone()
    }

    /// An input from a parameter: its provenance and its source in the files.
    fn param(&self, name: String, value: String, used: Used, region: &str, key: &str, when: When) -> Input {
        match used.provenance {
            None => {
                Input { name, value, provenance: self.input(), source: self.t("the row's column", "本行数据列") }
            }
            Some(p) => {
                let source = match (p, self.sources.lookup(region, key, when)) {
                    (Provenance::Projected, last) => match key {
                        "crediting_rate" | "resident_account_rate" => self.t(
                            "account_rate assumption (no official rate that year)",
                            "account_rate 假设(当年无公布利率)",
                        ),
                        _ => format!(
                            "{} {}{}",
                            self.t(
                                "grown from the last published year at wage_growth",
                                "自最后一个公布年份按 wage_growth 增长"
                            ),
                            self.wage_growth.normalize(),
                            last.map(|s| format!("; {}: {s}", self.t("last published value", "最后公布值")))
                                .unwrap_or_default()
                        ),
                    },
                    (_, Some(s)) => s,
                    (_, None) => String::new(),
                };
                Input { name, value, provenance: p.as_str().to_string(), source }
            }
        }
    }

    fn row_input(&self, name: String, value: String) -> Input {
        Input { name, value, provenance: self.input(), source: String::new() }
    }

    fn computed(&self, name: String, value: String) -> Input {
        Input { name, value, provenance: self.t("computed above", "上文计算"), source: String::new() }
    }
}

fn m2(d: Decimal) -> String {
    fixed(d, 2)
}

fn rate(d: Decimal) -> String {
    d.normalize().to_string()
}

fn category_name(c: Category) -> &'static str {
    c.as_str()
}

const DOC_REFORM: &str = "《国务院关于渐进式延迟法定退休年龄的办法》(全国人大常委会 2024-09-13 决定)";
const DOC_38: &str = "国发〔2005〕38号";
const DOC_FLEX: &str = "人社部发〔2024〕94号 (弹性退休)";
const DOC_EXTEND: &str = "人社部令第13号 (实施《社会保险法》若干规定) 第二条";
const DOC_BRIDGE: &str = "人社部发〔2014〕17号";
const DOC_TRANSFER: &str = "国办发〔2009〕66号";
const DOC_RESIDENT: &str = "国发〔2014〕8号";
const DOC_INTEREST: &str = "国发〔2005〕38号; 月积数法 (劳办发〔1997〕116号)";

/// Explains one scenario: projects it with a trace, computes its metrics and path, and
/// turns each recorded step into a [`Step`]. `ctx.trace` should be on (the yearly balances
/// of the path). A row error is returned as `run` would report it.
pub fn explain(s: &Scenario, ctx: &Context, sources: &Sources, lang: Lang) -> Result<Explained, RowError> {
    let mut trace = Trace::default();
    let o = model::project_traced(s, ctx, &mut trace)?;
    let m = metrics::compute(s, &o, ctx);
    let cx = Ctx {
        lang,
        params: &ctx.params,
        sources,
        region: ctx.params.region(s.region).key.clone(),
        wage_growth: s.wage_growth.unwrap_or(ctx.assumptions.wage_growth),
        pension: o.retire,
    };
    let mut steps = steps_of(&cx, s, &trace);
    steps.extend(metric_steps(&cx, &o, &m));
    // A column is checked against the last step that produced it (an extension or a
    // bridge recomputes years, for instance).
    let mut seen: Vec<String> = Vec::new();
    for step in steps.iter_mut().rev() {
        step.checks.retain(|(c, _)| {
            if seen.contains(c) {
                false
            } else {
                seen.push(c.clone());
                true
            }
        });
    }
    let mut row = String::new();
    crate::pipeline::push_result(&mut row, s, &o, ctx, Format::default());
    let result = csv_pairs(&results::header_line(), &row);
    let path_csv = crate::paths::paths_rows(s, &o, ctx, Format::default());
    let path = csv_table(
        crate::paths::PATHS_HEADER,
        &path_csv,
        cx.t("Yearly path (as `run --paths` writes it)", "逐年路径(与 `run --paths` 输出相同)"),
    );
    Ok(Explained { id: s.id.clone(), line: s.line, lang, result, steps, path })
}

fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

fn csv_pairs(header: &str, row: &str) -> Vec<(String, String)> {
    let h = csv_records(header).into_iter().next().unwrap_or_default();
    let r = csv_records(row).into_iter().next().unwrap_or_default();
    h.into_iter().zip(r).collect()
}

fn csv_table(header: &str, rows: &str, title: String) -> Table {
    Table { title, header: csv_records(header).into_iter().next().unwrap_or_default(), rows: csv_records(rows) }
}
