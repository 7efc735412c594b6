//! What spreadsheets make of the contract's values, read back: months as Excel writes them
//! (`1981/05`, `1981-5`, `1981-05-15`, `1981年5月`), enums in any case (`Employee`,
//! `TRUE`), the Chinese names of the schemes, categories and booleans, and Chinese region
//! names (`山东/潍坊`, `山东省`, `潍坊市`, `潍坊` alone when only one province has it).
//!
//! These are the slow paths: the scenario reader tries the contract's own spelling first
//! (an exact match, as fast as before) and comes here only when that fails, so a file in
//! the contract's spelling costs nothing more.

use crate::model::{Category, Scheme, Shortfall};
use crate::params::{Family, Month, Params, RegionId, Title, MAX_YEAR, MIN_YEAR};

/// A month as spreadsheets write it, when the strict `YYYY-MM` did not match: year first,
/// then the month, separated by `-` or `/` (`1981/05`, `1981-5`), or `1981年5月`; a day
/// after the month (`1981-05-15`, `1981/5/15`, `1981年5月15日`, also with a time after it
/// as Excel writes date-times) must be a real day of that month and is dropped — the model
/// counts whole months. Returns the month and whether a day was dropped. Dots (`1981.05`)
/// are not read: a spreadsheet that stores `1981.10` as a number shows `1981.1`.
pub fn month(text: &str) -> Option<(Month, bool)> {
    let (y, rest) = digits(text)?;
    if y.len() != 4 {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let (m, day, rest) = if let Some(rest) = rest.strip_prefix('年') {
        // 1981年5月, 1981年5月15日
        let (m, rest) = digits(rest)?;
        let rest = rest.strip_prefix('月')?;
        match digits(rest) {
            Some((d, r)) => (m, Some(d), r.strip_prefix('日')?),
            None => (m, None, rest),
        }
    } else {
        let sep = rest.chars().next().filter(|c| matches!(c, '-' | '/'))?;
        let (m, rest) = digits(&rest[1..])?;
        match rest.strip_prefix(sep) {
            Some(r) => {
                let (d, r) = digits(r)?;
                (m, Some(d), r)
            }
            None => (m, None, rest),
        }
    };
    // After a day, Excel's date-times add a time of day (` 00:00:00`, `T00:00`).
    let rest = match day {
        Some(_) => time_of_day(rest)?,
        None => rest,
    };
    if !rest.is_empty() || m.len() > 2 || day.is_some_and(|d| d.len() > 2) {
        return None;
    }
    let mon: u32 = m.parse().ok()?;
    if !(1..=12).contains(&mon) || !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    let parsed = Month::new(year, mon);
    if let Some(d) = day {
        let d: u32 = d.parse().ok()?;
        if d == 0 || d > days_in_month(year, mon) {
            return None;
        }
    }
    Some((parsed, day.is_some()))
}

/// Leading ASCII digits of `s` (at least one) and the rest.
fn digits(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0).then(|| s.split_at(n))
}

/// What is left after an optional time of day (`[ T]HH:MM[:SS]`); None if something else.
fn time_of_day(rest: &str) -> Option<&str> {
    let Some(t) = rest.strip_prefix([' ', 'T']) else { return Some(rest) };
    let ok = t.len() >= 4
        && t.len() <= 8
        && t.split(':').all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && (2..=3).contains(&t.split(':').count());
    ok.then_some("")
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The other spellings of a scheme: any case, or its Chinese name.
pub fn scheme(v: &str) -> Option<Scheme> {
    match v {
        "企业职工" | "职工" => Some(Scheme::Employee),
        "灵活就业" | "灵活就业人员" => Some(Scheme::Flexible),
        "城乡居民" | "居民" => Some(Scheme::Resident),
        _ if v.eq_ignore_ascii_case("employee") => Some(Scheme::Employee),
        _ if v.eq_ignore_ascii_case("flexible") => Some(Scheme::Flexible),
        _ if v.eq_ignore_ascii_case("resident") => Some(Scheme::Resident),
        _ => None,
    }
}

/// What `allowed` says for a scheme.
pub const SCHEME_ALLOWED: &str = "employee, flexible, resident (any case; or 企业职工, 灵活就业, 城乡居民)";

/// The other spellings of a retirement group: any case, or its Chinese name. `女` alone is
/// refused: it names two groups.
pub fn category(v: &str) -> Result<Category, &'static str> {
    match v.to_ascii_lowercase().as_str() {
        "male" | "男" | "男性" => Ok(Category::Male),
        "female_cadre" | "女干部" => Ok(Category::FemaleCadre),
        "female_worker" | "女工人" => Ok(Category::FemaleWorker),
        "女" | "女性" | "female" => {
            Err("ambiguous: women retire in two groups, female_cadre (女干部, originally at 55) or female_worker (女工人, at 50)")
        }
        _ => Err("unknown category"),
    }
}

/// What `allowed` says for a category.
pub const CATEGORY_ALLOWED: &str = "male, female_cadre, female_worker (any case; or 男, 女干部, 女工人)";

/// The other spellings of a shortfall policy: any case.
pub fn shortfall(v: &str) -> Option<Shortfall> {
    match v.to_ascii_lowercase().as_str() {
        "extend" => Some(Shortfall::Extend),
        "resident" => Some(Shortfall::Resident),
        "none" => Some(Shortfall::None),
        _ => None,
    }
}

/// A family situation (`family`): the key in any case (`-` for `_`), or Chinese.
pub fn family(v: &str) -> Option<Family> {
    match v.to_ascii_lowercase().replace('-', "_").as_str() {
        "one_child" | "独生子女" | "独生子女父母" => Some(Family::OneChild),
        "childless" | "无子女" => Some(Family::Childless),
        _ => None,
    }
}

/// What `allowed` says for `family`.
pub const FAMILY_ALLOWED: &str = "one_child, childless (any case; or 独生子女, 独生子女父母, 无子女)";

/// A professional title (`title`): the key in any case, or Chinese.
pub fn title(v: &str) -> Option<Title> {
    match v.to_ascii_lowercase().as_str() {
        "senior" | "高级" | "高级职称" => Some(Title::Senior),
        "intermediate" | "中级" | "中级职称" => Some(Title::Intermediate),
        _ => None,
    }
}

/// What `allowed` says for `title`.
pub const TITLE_ALLOWED: &str = "senior, intermediate (any case; or 高级, 高级职称, 中级, 中级职称)";

/// A boolean: true/false in any case (`TRUE` as Excel writes it), or 是/否.
pub fn boolean(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") || v == "是" {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") || v == "否" {
        Some(false)
    } else {
        None
    }
}

/// The 31 provinces of the mainland (province-level divisions, GB/T 2260): region key and
/// Chinese name (as in the shared province rules, `name_zh`). A key here whose province has
/// no parameters is refused with a message saying so.
pub const PROVINCES: [(&str, &str); 31] = [
    ("anhui", "安徽省"),
    ("beijing", "北京市"),
    ("chongqing", "重庆市"),
    ("fujian", "福建省"),
    ("gansu", "甘肃省"),
    ("guangdong", "广东省"),
    ("guangxi", "广西壮族自治区"),
    ("guizhou", "贵州省"),
    ("hainan", "海南省"),
    ("hebei", "河北省"),
    ("heilongjiang", "黑龙江省"),
    ("henan", "河南省"),
    ("hubei", "湖北省"),
    ("hunan", "湖南省"),
    ("jiangsu", "江苏省"),
    ("jiangxi", "江西省"),
    ("jilin", "吉林省"),
    ("liaoning", "辽宁省"),
    ("neimenggu", "内蒙古自治区"),
    ("ningxia", "宁夏回族自治区"),
    ("qinghai", "青海省"),
    ("shaanxi", "陕西省"),
    ("shandong", "山东省"),
    ("shanghai", "上海市"),
    ("shanxi", "山西省"),
    ("sichuan", "四川省"),
    ("tianjin", "天津市"),
    ("xinjiang", "新疆维吾尔自治区"),
    ("xizang", "西藏自治区"),
    ("yunnan", "云南省"),
    ("zhejiang", "浙江省"),
];

/// A Chinese place name without its administrative suffix: 山东省 → 山东, 潍坊市 → 潍坊,
/// 广西壮族自治区 → 广西.
fn short_name(name: &str) -> &str {
    for suffix in ["壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市", "地区", "盟"]
    {
        if let Some(s) = name.strip_suffix(suffix).filter(|s| s.chars().count() >= 2) {
            return s;
        }
    }
    name
}

/// The key of a province named in pinyin (any case) or Chinese (with or without 省, 市,
/// 自治区), whether or not the parameters have it.
fn province_key(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let short = short_name(name);
    PROVINCES.iter().find(|(key, zh)| *key == lower || short_name(zh) == short).map(|(key, _)| *key)
}

/// A region key in another spelling (the exact key was looked up first): the key in any
/// case or with spaces around `/`; Chinese names `山东/潍坊`, `山东省潍坊市`, `山东省`,
/// `潍坊市`; a city alone (`潍坊`, `weifang`) when only one province of the parameters has
/// it. A city the parameters do not have, in a province they have, falls back to the
/// province (C27.8), said by `true`. Err says why (an ambiguous city, a province without
/// parameters).
pub fn region(params: &Params, text: &str) -> Result<(RegionId, bool), Option<String>> {
    // A file names its regions the same way row after row: the answers are kept per thread
    // (for the parameters they were found in).
    thread_local! {
        static SEEN: std::cell::RefCell<(usize, RegionMemo)> = Default::default();
    }
    let at = params as *const Params as usize;
    if let Some(hit) = SEEN.with_borrow(|(p, m)| if *p == at { m.get(text).cloned() } else { None }) {
        return hit;
    }
    let found = resolve_region(params, text);
    SEEN.with_borrow_mut(|(p, m)| {
        if *p != at || m.len() >= 1024 {
            *p = at;
            m.clear();
        }
        m.insert(text.to_string(), found.clone());
    });
    found
}

/// Region spellings already resolved: text → answer.
type RegionMemo = std::collections::HashMap<String, Result<(RegionId, bool), Option<String>>>;

fn resolve_region(params: &Params, text: &str) -> Result<(RegionId, bool), Option<String>> {
    let norm: String = text.split(['/', '／']).map(str::trim).collect::<Vec<_>>().join("/").to_ascii_lowercase();
    if let Some(found) = params.resolve_region(&norm) {
        return Ok(found);
    }
    let province = |p: &str| -> Result<RegionId, Option<String>> {
        let key = province_key(p).ok_or(None)?;
        params.region_id(key).ok_or_else(|| {
            Some(format!("the province {key} has no parameters here (add data/params/{key}.toml, or use --params)"))
        })
    };
    // A city of a province: its key (pinyin) or its Chinese name, with or without 市.
    let city_in = |prov: RegionId, c: &str| -> Option<RegionId> {
        let lower = c.to_ascii_lowercase();
        let short = short_name(c);
        (0..params.regions.len()).map(|i| i as RegionId).find(|&id| {
            let r = params.region(id);
            r.province == prov
                && id != prov
                && (r.key.rsplit('/').next() == Some(lower.as_str()) || short_name(&r.name) == short)
        })
    };
    // A city not in the parameters: its province (C27.8).
    let city_or_province = |prov: RegionId, c: &str| Ok(city_in(prov, c).map_or((prov, true), |id| (id, false)));
    if let Some((p, c)) = norm.split_once('/') {
        if c.is_empty() || c.contains('/') {
            return Err(None);
        }
        return city_or_province(province(p)?, c);
    }
    let one = text.trim();
    match province(one) {
        Ok(id) => return Ok((id, false)),
        Err(Some(why)) => return Err(Some(why)),
        Err(None) => {}
    }
    // 山东省潍坊市, 山东潍坊: a province name, then a city.
    for (key, zh) in PROVINCES {
        for prefix in [zh, short_name(zh)] {
            if let Some(rest) = one.strip_prefix(prefix).filter(|r| !r.is_empty()) {
                return city_or_province(province(key)?, rest);
            }
        }
    }
    // A city alone, when only one province has it.
    let found: Vec<RegionId> = params
        .regions
        .iter()
        .map(|r| r.province)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|prov| city_in(prov, one))
        .collect();
    match found.as_slice() {
        [id] => Ok((*id, false)),
        [] => Err(None),
        many => {
            let keys: Vec<&str> = many.iter().map(|&id| params.region(id).key.as_str()).collect();
            Err(Some(format!("ambiguous: a city of that name is in {}; give the province too", keys.join(" and "))))
        }
    }
}

/// The closest name to `name` among `candidates` (case ignored), if it is close enough to
/// be a misspelling: at most one edit for names up to 4 characters, two up to 8, three
/// beyond (an edit: a character inserted, removed, replaced, or two neighbours swapped).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    let n = name.chars().count();
    let limit = match n {
        0 => return None,
        1..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance with adjacent swaps (optimal string alignment), on characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_months() {
        let m = |t: &str| month(t).map(|(m, d)| (m.to_string(), d));
        assert_eq!(m("1981/05"), Some(("1981-05".into(), false)));
        assert_eq!(m("1981/5"), Some(("1981-05".into(), false)));
        assert_eq!(m("1981-5"), Some(("1981-05".into(), false)));
        assert_eq!(m("1981-05-15"), Some(("1981-05".into(), true)));
        assert_eq!(m("1981/5/15"), Some(("1981-05".into(), true)));
        assert_eq!(m("1981-05-15 00:00:00"), Some(("1981-05".into(), true)));
        assert_eq!(m("1981-05-15T00:00"), Some(("1981-05".into(), true)));
        assert_eq!(m("1981年5月"), Some(("1981-05".into(), false)));
        assert_eq!(m("1981年05月15日"), Some(("1981-05".into(), true)));
        assert_eq!(m("2000-02-29"), Some(("2000-02".into(), true)));
        for bad in [
            "1981-13",
            "1981/0",
            "1981-05-32",
            "1981-02-29",
            "1981-05/15",
            "81-05",
            "1981.05",
            "1981-05-15x",
            "1981年5",
            "1981年13月",
            "1981-005",
            "5/15/1981",
            "1981-05-15 noon",
            "1899-12",
        ] {
            assert_eq!(m(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_in_any_case_and_in_chinese() {
        assert_eq!(scheme("Employee"), Some(Scheme::Employee));
        assert_eq!(scheme("城乡居民"), Some(Scheme::Resident));
        assert_eq!(scheme("灵活就业"), Some(Scheme::Flexible));
        assert_eq!(category("女干部"), Ok(Category::FemaleCadre));
        assert_eq!(category("FEMALE_WORKER"), Ok(Category::FemaleWorker));
        assert!(category("女").unwrap_err().contains("ambiguous"));
        assert_eq!(boolean("TRUE"), Some(true));
        assert_eq!(boolean("否"), Some(false));
        assert_eq!(boolean("yes"), None);
        assert_eq!(shortfall("Resident"), Some(Shortfall::Resident));
    }

    #[test]
    fn every_province_has_a_chinese_name() {
        for (key, zh) in PROVINCES {
            assert_eq!(province_key(zh), Some(key), "{zh}");
            assert_eq!(province_key(short_name(zh)), Some(key), "{zh}");
            assert_eq!(province_key(&key.to_uppercase()), Some(key), "{key}");
        }
    }

    #[test]
    fn misspellings_are_found() {
        let cols = crate::scenario::SCENARIO_COLUMNS;
        assert_eq!(closest("birht", cols.iter().copied()), Some("birth"));
        assert_eq!(closest("contribution_idx", cols.iter().copied()), Some("contribution_index"));
        assert_eq!(closest("Scheme", cols.iter().copied()), Some("scheme"));
        assert_eq!(closest("salary", cols.iter().copied()), None);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }
}
