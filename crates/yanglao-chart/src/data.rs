//! Reading results and paths CSVs by column name, one record at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::ChartError;
use crate::io::encoding::{record_line, LineEnds};

/// A CSV file read record by record; columns are looked up by header name.
pub(crate) struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<LineEnds<BufReader<File>>>,
    columns: BTreeMap<String, usize>,
    record: csv::StringRecord,
}

impl CsvSource {
    /// Open `path` and read its header.
    pub(crate) fn open(path: &Path) -> Result<Self, ChartError> {
        let open = |delimiter: u8| -> Result<_, ChartError> {
            let file = File::open(path).map_err(|e| ChartError::Read { path: path.to_path_buf(), source: e })?;
            Ok(csv::ReaderBuilder::new()
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(LineEnds::new(BufReader::new(file))))
        };
        let mut reader = open(b',')?;
        // Tab-separated results (`run --format tsv`, `-o out.tsv`): a header without commas
        // but with tabs.
        if reader.byte_headers().is_ok_and(|h| h.len() == 1 && h.as_slice().contains(&b'\t')) {
            reader = open(b'\t')?;
        }
        let headers = reader.headers().map_err(|e| ChartError::Csv { path: path.to_path_buf(), source: e })?;
        let mut columns = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            let name = h.trim_start_matches('\u{feff}').trim().to_string();
            columns.entry(name).or_insert(i);
        }
        Ok(Self { path: path.to_path_buf(), reader, columns, record: csv::StringRecord::new() })
    }

    /// Index of column `name`, if the file has it.
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// Index of column `name`, or an error naming the column, the file and what needs it.
    pub(crate) fn require(&self, name: &str, needed_for: &str) -> Result<usize, ChartError> {
        self.col(name).ok_or_else(|| ChartError::MissingColumn {
            column: name.to_string(),
            path: self.path.clone(),
            needed_for: needed_for.to_string(),
        })
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in file order.
    pub(crate) fn columns(&self) -> Vec<String> {
        let mut c: Vec<(&String, &usize)> = self.columns.iter().collect();
        c.sort_by_key(|(_, i)| **i);
        c.into_iter().map(|(n, _)| n.clone()).collect()
    }

    /// Read the next record; `false` at the end of the file.
    pub(crate) fn next_record(&mut self) -> Result<bool, ChartError> {
        self.reader.read_record(&mut self.record).map_err(|e| ChartError::Csv { path: self.path.clone(), source: e })
    }

    /// The trimmed cell of column `col` in the current record; `None` if absent or empty.
    pub(crate) fn get(&self, col: Option<usize>) -> Option<&str> {
        let v = self.record.get(col?)?.trim();
        (!v.is_empty()).then_some(v)
    }

    /// Line number of the current record (1 = header).
    pub(crate) fn line(&self) -> u64 {
        record_line(self.reader.position().line(), self.record.as_byte_record())
    }
}

/// Parse an amount or index; `None` if it is not a plain decimal number.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    Decimal::from_str(s).ok().or_else(|| Decimal::from_scientific(s).ok())
}

/// Parse an age written `67y3m` (contract C3) or a plain number of years, in years.
pub(crate) fn parse_age(s: &str) -> Option<f64> {
    if let Some((y, rest)) = s.split_once('y') {
        let m = rest.strip_suffix('m').unwrap_or(rest);
        let years: u32 = y.trim().parse().ok()?;
        let months: u32 = if m.trim().is_empty() { 0 } else { m.trim().parse().ok()? };
        if months >= 12 {
            return None;
        }
        return Some(f64::from(years) + f64::from(months) / 12.0);
    }
    parse_number(s)
}

/// Parse a number for plotting (a decimal or an age like `60y2m`).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    if s.contains('y') {
        return parse_age(s);
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// `67y3m` → `67岁3个月`; other text unchanged.
pub(crate) fn age_zh(s: &str) -> String {
    match s.split_once('y') {
        Some((y, m)) => {
            let m = m.strip_suffix('m').unwrap_or(m);
            if m.is_empty() || m == "0" {
                format!("{y}岁")
            } else {
                format!("{y}岁{m}个月")
            }
        }
        None => s.to_string(),
    }
}

/// The columns of the results CSV the charts read besides the plotted numbers.
pub(crate) struct ResultCols {
    pub(crate) id: usize,
    pub(crate) label: Option<usize>,
    pub(crate) status: Option<usize>,
    pub(crate) provenance: Option<usize>,
    pub(crate) message: Option<usize>,
    /// `metrics_scope` (which own payments the metrics count), in results that have it.
    pub(crate) scope: Option<usize>,
}

impl ResultCols {
    /// Look the columns up; `id` is required.
    pub(crate) fn find(src: &CsvSource, needed_for: &str) -> Result<Self, ChartError> {
        Ok(Self {
            id: src.require("id", needed_for)?,
            label: src.col("label"),
            status: src.col("status"),
            provenance: src.col("provenance"),
            message: src.col("message"),
            scope: src.col("metrics_scope"),
        })
    }

    /// The status of the current row if it is not `ok` (`(empty)` for a blank status).
    pub(crate) fn not_ok<'s>(&self, src: &'s CsvSource) -> Option<&'s str> {
        self.status?;
        match src.get(self.status) {
            Some(s) if s.eq_ignore_ascii_case("ok") => None,
            Some(s) => Some(s),
            None => Some("(empty)"),
        }
    }

    /// The row's label, else its id.
    pub(crate) fn label(&self, src: &CsvSource) -> String {
        src.get(self.label).or_else(|| src.get(Some(self.id))).unwrap_or("").to_string()
    }
}

/// Rows left out of a chart, reported as one warning each kind.
#[derive(Default)]
pub(crate) struct Skipped {
    by_status: BTreeMap<String, usize>,
    unusable: usize,
    first_unusable: Option<String>,
}

impl Skipped {
    /// A row whose status is not `ok`.
    pub(crate) fn status(&mut self, status: &str) {
        *self.by_status.entry(status.to_string()).or_default() += 1;
    }

    /// A row that cannot be plotted; `why` names line, column and value.
    pub(crate) fn unusable(&mut self, why: String) {
        self.unusable += 1;
        self.first_unusable.get_or_insert(why);
    }

    /// The warnings, if any rows were left out.
    pub(crate) fn warnings(&self, file: &Path, out: &mut Vec<String>) {
        let n: usize = self.by_status.values().sum();
        if n > 0 {
            let parts: Vec<String> = self.by_status.iter().map(|(s, k)| format!("{s} {k}")).collect();
            out.push(format!("skipped {n} row(s) of {} whose status is not ok ({})", file.display(), parts.join(", ")));
        }
        if let Some(first) = &self.first_unusable {
            out.push(format!(
                "skipped {} row(s) of {} that cannot be plotted; first: {first}",
                self.unusable,
                file.display()
            ));
        }
    }
}

/// Provenance tags from strongest to weakest; an unknown tag counts as `unconfirmed`.
const PROVENANCE_ORDER: [&str; 5] = ["official", "reported", "unconfirmed", "projected", "assumed"];

fn provenance_rank(tag: &str) -> usize {
    match tag {
        "unverified" => 2,
        t => PROVENANCE_ORDER.iter().position(|p| *p == t).unwrap_or(2),
    }
}

/// Provenance of the plotted rows, for the chart footer.
#[derive(Default)]
pub(crate) struct Provenance {
    weakest: Option<(usize, String)>,
    assumptions: Vec<String>,
    /// The `metrics_scope` values of the plotted rows.
    scopes: BTreeSet<String>,
    /// The chart shows break-even ages, IRRs or money's worth (or their paths): the footer
    /// says which own payments they count.
    pub(crate) shows_metrics: bool,
}

/// Whether a results column is one of the metrics that count own payments only from
/// `as_of` (`metrics_scope`): break-even age, IRR, money's worth.
pub(crate) fn is_scoped_metric(col: &str) -> bool {
    matches!(col, "breakeven_age" | "irr" | "money_worth")
}

/// The scope results without a `metrics_scope` column have (the only one so far).
const DEFAULT_SCOPE: &str = "from_as_of";

/// At most this many assumption notes are listed in a footer.
const MAX_ASSUMPTIONS: usize = 8;

impl Provenance {
    /// An empty record of a chart that shows break-even ages, IRRs or money's worth when
    /// `shows_metrics` (its footer then says which own payments they count).
    pub(crate) fn showing_metrics(shows_metrics: bool) -> Provenance {
        Provenance { shows_metrics, ..Provenance::default() }
    }

    /// Take note of one plotted row's `provenance` and `message` cells.
    pub(crate) fn add(&mut self, provenance: Option<&str>, message: Option<&str>) {
        if let Some(p) = provenance {
            for tag in p.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|t| !t.is_empty()) {
                let tag = tag.to_ascii_lowercase();
                let rank = provenance_rank(&tag);
                if self.weakest.as_ref().is_none_or(|(r, _)| rank > *r) {
                    self.weakest = Some((rank, tag));
                }
            }
        }
        if let Some(m) = message {
            for part in m.split([';', '；', '|', '\n']) {
                let part = part.trim();
                let lower = part.to_ascii_lowercase();
                if (lower.contains("assum") || part.contains("假设"))
                    && !self.assumptions.iter().any(|a| a == part)
                    && self.assumptions.len() < MAX_ASSUMPTIONS
                {
                    self.assumptions.push(part.to_string());
                }
            }
        }
    }

    /// Take note of the current row of a results file.
    pub(crate) fn add_row(&mut self, src: &CsvSource, cols: &ResultCols) {
        self.add(src.get(cols.provenance), src.get(cols.message));
        self.add_scope(src.get(cols.scope));
    }

    /// Take note of one plotted row's `metrics_scope` (empty or absent: `from_as_of`).
    pub(crate) fn add_scope(&mut self, scope: Option<&str>) {
        let scope = scope.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SCOPE);
        if !self.scopes.contains(scope) {
            self.scopes.insert(scope.to_string());
        }
    }

    /// The footer line that says which own payments break-even, IRR and money's worth count.
    pub(crate) fn scope_note(&self) -> String {
        let mut scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        if scopes.is_empty() {
            scopes.push(DEFAULT_SCOPE);
        }
        match scopes.as_slice() {
            [DEFAULT_SCOPE] => "回本年龄、内部收益率和货币价值比只计 as_of 起的个人缴费，不含此前已缴部分\
                                （metrics_scope=from_as_of）。"
                .to_string(),
            _ => format!("回本年龄、内部收益率和货币价值比所计个人缴费的范围：metrics_scope={}。", scopes.join("、")),
        }
    }

    /// Footer lines: the data source, then the provenance and assumptions.
    pub(crate) fn footer(&self, sources: &[&Path]) -> Vec<String> {
        let names: Vec<String> = sources
            .iter()
            .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
            .collect();
        let mut first = format!("数据来源：yanglao {} 测算（{}）。", env!("CARGO_PKG_VERSION"), names.join("，"));
        match &self.weakest {
            Some((rank, tag)) if *rank >= 3 => {
                first.push_str(&format!("含假设参数（最弱来源：{tag}）。"));
            }
            Some((_, tag)) => first.push_str(&format!("参数来源：最弱为 {tag}。")),
            None => {}
        }
        let mut lines = vec![first];
        if self.shows_metrics {
            lines.push(self.scope_note());
        }
        if !self.assumptions.is_empty() {
            lines.push(format!("假设：{}", self.assumptions.join("；")));
        }
        lines
    }
}

/// Chinese axis title for a results column (with its unit), else the column name.
pub(crate) fn column_title(col: &str) -> String {
    let t = match col {
        "contribution_index" => "缴费指数",
        "tier" => "缴费档次（元/年）",
        "years" => "缴费年限（年）",
        "min_years" => "最低缴费年限（年）",
        "avg_index" => "平均缴费指数",
        "retire_age" => "退休年龄（岁）",
        "breakeven_age" => "回本年龄（岁）",
        "divisor" => "计发月数（月）",
        "base" => "计发基数（元/月）",
        "balance" => "个人账户余额（元）",
        "own_paid" => "个人累计缴费（元）",
        "gov_paid" => "政府补贴（元）",
        "total" => "月养老金（元/月）",
        "replacement_rate" => "替代率",
        "replacement_rate_avg" => "平均替代率",
        "irr" => "内部收益率",
        "pension_wealth" => "养老金财富（元）",
        "money_worth" => "货币价值比",
        "scheme" => "参保类型",
        "claim_region" => "领取地",
        "wage_growth" => "工资增长率",
        "discount_rate" => "贴现率",
        "death_age" => "死亡年龄（岁）",
        other => return other.to_string(),
    };
    t.to_string()
}

/// Chinese display of a group value where the column has known values (e.g. `scheme`).
pub(crate) fn group_value_title(col: &str, value: &str) -> String {
    if value.is_empty() {
        return "（空）".into();
    }
    let t = match (col, value) {
        ("scheme", "employee") => "企业职工",
        ("scheme", "flexible") => "灵活就业",
        ("scheme", "resident") => "城乡居民",
        ("tier", v) => return format!("{v}元档"),
        ("contribution_index", v) => return format!("指数 {v}"),
        (_, v) => v,
    };
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_like_the_contract_prints_them() {
        assert_eq!(parse_age("67y3m"), Some(67.25));
        assert_eq!(parse_age("60y0m"), Some(60.0));
        assert_eq!(parse_age("60"), Some(60.0));
        assert_eq!(parse_age("60y13m"), None);
        assert_eq!(parse_number("0.6"), Some(0.6));
        assert_eq!(parse_number("x"), None);
        assert_eq!(age_zh("67y3m"), "67岁3个月");
        assert_eq!(age_zh("60y0m"), "60岁");
    }

    #[test]
    fn the_metrics_scope_reaches_the_footer_of_charts_that_show_metrics() {
        let mut p = Provenance::default();
        p.add_scope(None);
        assert_eq!(p.footer(&[Path::new("r.csv")]).len(), 1);
        p.shows_metrics = true;
        let f = p.footer(&[Path::new("r.csv")]);
        assert!(f[1].contains("只计 as_of 起的个人缴费") && f[1].contains("metrics_scope=from_as_of"), "{f:?}");
        p.add_scope(Some("career"));
        assert!(p.footer(&[Path::new("r.csv")])[1].contains("metrics_scope=career、from_as_of"));
    }

    #[test]
    fn weakest_provenance_and_assumptions_reach_the_footer() {
        let mut p = Provenance::default();
        p.add(Some("official"), None);
        p.add(Some("projected"), Some("bridged; assumed wage_growth 0.04"));
        p.add(Some("reported"), Some("assumed wage_growth 0.04"));
        let f = p.footer(&[Path::new("dir/results.csv")]);
        assert!(f[0].contains("含假设参数（最弱来源：projected）"), "{f:?}");
        assert!(f[0].contains("results.csv") && !f[0].contains("dir/"));
        assert_eq!(f[1], "假设：assumed wage_growth 0.04");
    }
}
