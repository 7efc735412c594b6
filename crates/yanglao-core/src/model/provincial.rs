//! Provincial forms of the employee pension: one small function per rule kind, chosen by
//! the keys of a region's `[employee_rules]` (see `params::rules`). The national forms
//! (C15, C17) are the defaults and give exactly the contract's numbers.
//!
//! Sources per kind are in the province files (`source`); the kinds are those listed in
//! the provincial rule table (`data/sources/provinces/province-rules.csv`).

use crate::params::{
    BandYears, BasicForm, BasicYears, BonusKind, Condition, ConditionalRate, EmployeeRules, Extra, ExtraKind, Month,
    NotionalRule, Person, Phase, Provenance, Round, TransitionalForm,
};
use rust_decimal::Decimal;

/// What the provincial formulas read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inputs {
    /// C of the claim region (C14).
    pub c: Decimal,
    /// C of the claim region's province.
    pub c_province: Decimal,
    /// Average index Ī (C13).
    pub avg: Decimal,
    /// Contribution years N (C12, after the province's step).
    pub years: Decimal,
    /// Deemed years (视同缴费年限) of the known record.
    pub deemed: Decimal,
    /// Pension month.
    pub retire: Month,
}

/// Basic pension with the flat term and the indexed wage it used: C15 or a provincial form.
pub(crate) fn basic(rules: &EmployeeRules, i: &Inputs, money: Round) -> (Decimal, Decimal, Decimal) {
    let (flat, indexed) = match rules.basic {
        BasicForm::Standard => (i.c, money.mul(i.c, i.avg)),
        BasicForm::ProvincePlusCityIndexed => province_plus_city_indexed(i, money),
        BasicForm::CityPlusProvinceIndexed => city_plus_province_indexed(i, money),
    };
    let basic = match rules.basic_years {
        BasicYears::Years => money.mul_div(flat + indexed, i.years, 200),
        BasicYears::WholeYearsAndMonths(per_month) => whole_years_and_months(flat + indexed, i.years, per_month, money),
    };
    (flat, indexed, basic)
}

/// How the explanation names a provincial form (issue 15): the rule kind as written in
/// `[employee_rules]`, the formula in English and Chinese, the rounding of the components
/// and the rule table's source. `None` from [`basic_form`] / [`transitional_form`] means the
/// national formula (C15, C17) applies exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct FormText {
    /// Rule kind(s), e.g. `transitional = two_part`.
    pub kind: String,
    /// Formula, English.
    pub en: String,
    /// Formula, Chinese.
    pub zh: String,
    /// Rounding of the components (Shanghai 0.1, else the region's money rounding).
    pub round: Round,
    /// Source of the forms (the province file's `[employee_rules] source`).
    pub source: String,
}

/// The basic pension's provincial form, None for C15 exactly (same flat term, N × 1%, money
/// rounding). Called only when tracing.
pub(crate) fn basic_form(rules: &EmployeeRules, money: Round) -> Option<FormText> {
    let round = component_round(rules, money);
    if rules.basic == BasicForm::Standard && rules.basic_years == BasicYears::Years && round == money {
        return None;
    }
    let (kind, wage_en, wage_zh) = match rules.basic {
        BasicForm::Standard => ("standard", "(C + round(C × Ī))", "(C + round(C × Ī))"),
        BasicForm::ProvincePlusCityIndexed => {
            let (en, zh) = province_plus_city_indexed_text();
            ("province_plus_city_indexed", en, zh)
        }
        BasicForm::CityPlusProvinceIndexed => {
            let (en, zh) = city_plus_province_indexed_text();
            ("city_plus_province_indexed", en, zh)
        }
    };
    let (years_kind, years_en, years_zh) = match rules.basic_years {
        BasicYears::Years => (String::new(), "N × 1%".to_string(), "N × 1%".to_string()),
        BasicYears::WholeYearsAndMonths(per_month) => {
            let (en, zh) = whole_years_and_months_text(per_month);
            (format!(", basic_years_month_rate = {}", per_month.normalize()), en, zh)
        }
    };
    Some(FormText {
        kind: format!("basic = {kind}{years_kind}"),
        en: format!("round({wage_en} / 2 × {years_en}), each product and the result to the component rounding"),
        zh: format!("round({wage_zh} / 2 × {years_zh}),各乘积与结果按分项舍入"),
        round,
        source: rules.source.clone(),
    })
}

/// Wording of [`province_plus_city_indexed`].
fn province_plus_city_indexed_text() -> (&'static str, &'static str) {
    ("(C_province + round(C_city × Ī))", "(全省计发基数 C_省 + round(退休地计发基数 C_市 × Ī))")
}

/// Wording of [`city_plus_province_indexed`].
fn city_plus_province_indexed_text() -> (&'static str, &'static str) {
    ("(C_city + round(C_province × Ī))", "(退休地计发基数 C_市 + round(全省计发基数 C_省 × Ī))")
}

/// Wording of [`whole_years_and_months`].
fn whole_years_and_months_text(per_month: Decimal) -> (String, String) {
    let pct = (per_month * Decimal::from(100)).normalize();
    (
        format!("(whole years of N × 1% + remaining months of N (rounded to whole months) × {pct}%)"),
        format!("(N 的整年数 × 1% + 剩余月数(取整月)× {pct}%)"),
    )
}

/// The transitional pension's provincial form, None for C17 exactly (`indexed`, no index
/// floor, money rounding). The Jilin lower rate and the provincial base need no other
/// wording: the step shows the rate and C the form used. Called only when tracing.
pub(crate) fn transitional_form(rules: &EmployeeRules, money: Round, detail: Option<&TransDetail>) -> Option<FormText> {
    let round = component_round(rules, money);
    if rules.transitional == TransitionalForm::Indexed
        && rules.transitional_index_floor.is_none()
        && round == money
        && rules.notional.is_none()
    {
        return None;
    }
    let (kind, en, zh) = match rules.transitional {
        TransitionalForm::Indexed => ("indexed", indexed_text().0, indexed_text().1),
        TransitionalForm::Weighted => ("weighted", weighted_text().0, weighted_text().1),
        TransitionalForm::IndexFloorOne => ("index_floor_one", index_floor_one_text().0, index_floor_one_text().1),
        TransitionalForm::TwoPart => ("two_part", two_part_text().0, two_part_text().1),
        TransitionalForm::DeemedIndexOne => ("deemed_index_one", deemed_index_one_text().0, deemed_index_one_text().1),
        TransitionalForm::PhaseIn => ("phase_in", indexed_text().0, indexed_text().1),
    };
    let (mut kind, mut en, mut zh) = (format!("transitional = {kind}"), en.to_string(), zh.to_string());
    if rules.transitional == TransitionalForm::PhaseIn {
        let (e, z) = phase_in_text(rules);
        (en, zh) = (e, z);
    }
    if let Some(f) = rules.transitional_index_floor {
        let f = f.normalize();
        kind.push_str(&format!(", transitional_index_floor = {f}"));
        en.push_str(&format!(", with Ī_t raised to at least {f}"));
        zh.push_str(&format!(",Ī_t 不低于 {f}"));
    }
    let mut source = rules.source.clone();
    match rules.notional {
        Some(NotionalRule::Add { divisor }) => {
            let d = divisor.normalize();
            kind.push_str(", notional = add");
            en.push_str(&format!(" + round(notional_account ÷ {d}) (虚账实记, when the row gives notional_account)"));
            zh.push_str(&format!(" + round(虚账实记额 notional_account ÷ {d})(行内给出时)"));
        }
        Some(NotionalRule::OldMethod { divisor, deduct_per_year }) => {
            let (e, z) = old_method_text(rules, divisor, deduct_per_year, &en, &zh);
            kind.push_str(", notional = old_method");
            (en, zh) = (e, z);
        }
        None => {}
    }
    if let Some(p) = &rules.phase_in {
        source.push_str(&format!("; phase-in shares ({}): {}", p.provenance, p.source));
    }
    if let Some(d) = detail {
        let (e, z) = detail_text(d);
        en.push_str(&format!("; here {e}"));
        zh.push_str(&format!(";本例 {z}"));
    }
    Some(FormText { kind, en, zh, round, source })
}

/// The shares of a phase-in as text: `2024 0.4, 2025 0.7, 2026 1` (and where it ends).
fn shares_text(rules: &EmployeeRules) -> (String, String) {
    let Some(p) = &rules.phase_in else { return (String::new(), String::new()) };
    let list = p.rates.iter().map(|(y, r)| format!("{y} {}", r.normalize())).collect::<Vec<_>>().join(", ");
    let first = p.rates.first().map_or(0, |r| r.0);
    match p.until {
        Some(u) => (
            format!("shares by pension year {list}; before {first} the old method, from {} the new method", u + 1),
            format!("按退休年份比例 {list};{first} 年前老办法,{} 年起新办法", u + 1),
        ),
        None => (
            format!("shares by pension year {list} (the last continues); before {first} the old method"),
            format!("按退休年份比例 {list}(此后沿用最后一档);{first} 年前老办法"),
        ),
    }
}

/// Wording of [`TransitionalForm::PhaseIn`] (Jiangsu).
fn phase_in_text(rules: &EmployeeRules) -> (String, String) {
    let (se, sz) = shares_text(rules);
    (
        format!(
            "old = round(round(C × Ī) × P × rate), new = round(round(C × Ī_t) × P × rate); in the phase-in old + round((new − old) × share) when new > old, else old; {se}"
        ),
        format!(
            "老办法 = round(round(C × Ī) × P × 过渡系数),新办法 = round(round(C × Ī_t) × P × 过渡系数);过渡期内新办法高于老办法时 老办法 + round((新 − 老) × 比例),否则老办法;{sz}"
        ),
    )
}

/// Wording of [`NotionalRule::OldMethod`] (Guangdong), around the new method's form.
fn old_method_text(rules: &EmployeeRules, divisor: Decimal, deduct: Decimal, en: &str, zh: &str) -> (String, String) {
    let (se, sz) = shares_text(rules);
    let (d, k) = (deduct.normalize(), divisor.normalize());
    (
        format!(
            "new = {en}; old = round(notional_account ÷ {k}); in the phase-in old + round(max(0, new − old − {d} × floor(N)) × share); {se}; without notional_account the new method"
        ),
        format!(
            "新办法 = {zh};老办法 = round(视同缴费账户 notional_account ÷ {k});过渡期内 老办法 + round(max(0, 新 − 老 − {d} × floor(N)) × 比例);{sz};未给出 notional_account 时按新办法"
        ),
    )
}

/// The numbers of one row's phase-in or notional part.
fn detail_text(d: &TransDetail) -> (String, String) {
    let m = |x: Decimal| format!("{:.2}", x);
    match d {
        TransDetail::PhaseIn { old, new, phase, deduct, result } => {
            let (cmp_en, cmp_zh) = match phase {
                Phase::Before => {
                    (format!("before the phase-in: old {}", m(*old)), format!("过渡期前:老办法 {}", m(*old)))
                }
                Phase::After => {
                    (format!("after the phase-in: new {}", m(*new)), format!("过渡期后:新办法 {}", m(*new)))
                }
                Phase::Share(r) => {
                    let r = r.normalize();
                    match deduct {
                        Some(x) => (
                            format!("{} + round(max(0, {} − {} − {}) × {r})", m(*old), m(*new), m(*old), m(*x)),
                            format!("{} + round(max(0, {} − {} − {}) × {r})", m(*old), m(*new), m(*old), m(*x)),
                        ),
                        None if new > old => (
                            format!("{} + round(({} − {}) × {r})", m(*old), m(*new), m(*old)),
                            format!("{} + round(({} − {}) × {r})", m(*old), m(*new), m(*old)),
                        ),
                        None => (
                            format!("new {} ≤ old {}: old", m(*new), m(*old)),
                            format!("新办法 {} 不高于老办法 {}:老办法", m(*new), m(*old)),
                        ),
                    }
                }
            };
            (
                format!("old {}, new {}: {cmp_en} = {}", m(*old), m(*new), m(*result)),
                format!("老办法 {},新办法 {}:{cmp_zh} = {}", m(*old), m(*new), m(*result)),
            )
        }
        TransDetail::Added { amount, divisor, part, result } => (
            format!(
                "notional part round({} ÷ {}) = {} added, transitional = {}",
                m(*amount),
                divisor.normalize(),
                m(*part),
                m(*result)
            ),
            format!(
                "虚账实记部分 round({} ÷ {}) = {} 计入,过渡性养老金 = {}",
                m(*amount),
                divisor.normalize(),
                m(*part),
                m(*result)
            ),
        ),
    }
}

/// Wording of [`indexed`].
fn indexed_text() -> (&'static str, &'static str) {
    ("round(round(C × Ī_t) × P × rate)", "round(round(C × Ī_t) × P × 过渡系数)")
}

/// Wording of [`weighted`].
fn weighted_text() -> (&'static str, &'static str) {
    ("round((C + round(C × Ī_t)) / 2 × P × rate)", "round((C + round(C × Ī_t)) / 2 × P × 过渡系数)")
}

/// Wording of the index floor at 1 (Inner Mongolia).
fn index_floor_one_text() -> (&'static str, &'static str) {
    ("round(round(C × max(Ī_t, 1)) × P × rate)", "round(round(C × max(Ī_t, 1)) × P × 过渡系数)")
}

/// Wording of [`two_part`].
fn two_part_text() -> (&'static str, &'static str) {
    (
        "G同 + G实 = round(C × D × 1.0 × rate) + round(round(C × Ī_t) × (P − D) × rate), D = deemed years (at most P)",
        "G同 + G实 = round(C × D × 1.0 × 过渡系数) + round(round(C × Ī_t) × (P − D) × 过渡系数),D = 视同缴费年限(不超过 P)",
    )
}

/// Wording of the deemed years at index 1 (Shanghai).
fn deemed_index_one_text() -> (&'static str, &'static str) {
    ("round(C × 1.0 × P × rate) (years before 1993 at index 1)", "round(C × 1.0 × P × 过渡系数)(1993 年前年限按指数 1)")
}

/// Henan (豫政〔2006〕29号 as applied on benefit sheets): `(C_province + C_city × Ī) / 2`.
fn province_plus_city_indexed(i: &Inputs, money: Round) -> (Decimal, Decimal) {
    (i.c_province, money.mul(i.c, i.avg))
}

/// Jilin and Hubei: `(C_city + C_province × Ī) / 2`.
fn city_plus_province_indexed(i: &Inputs, money: Round) -> (Decimal, Decimal) {
    (i.c, money.mul(i.c_province, i.avg))
}

/// Shanghai (沪人社规〔2021〕27号): `(C + C × Ī) / 2 × (whole years × 1% + remaining months ×
/// per_month)`, the months of N rounded to whole months.
fn whole_years_and_months(sum: Decimal, years: Decimal, per_month: Decimal, money: Round) -> Decimal {
    let whole = years.floor();
    let months = Round::half_up(0).apply((years - whole) * Decimal::from(12));
    let pct = whole / Decimal::from(100) + months * per_month;
    money.apply(sum / Decimal::from(2) * pct)
}

/// The transitional rate: the series' rate, or the lower rate for short actual careers
/// (Jilin: 1.2% up to 20 actual years, 1.4% beyond).
pub(crate) fn transitional_rate(rules: &EmployeeRules, rate: Decimal, i: &Inputs) -> Decimal {
    match rules.transitional_rate_below {
        Some((years, lower)) if i.years - i.deemed <= years => lower,
        _ => rate,
    }
}

/// What the transitional pension reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TransInputs {
    /// C of the transitional pension.
    pub c: Decimal,
    /// Ī_t (`trans_index`, default Ī).
    pub it: Decimal,
    /// Ī of the whole career (C13): the old method of a phase-in (Jiangsu).
    pub avg: Decimal,
    /// P, pre-account years.
    pub pre: Decimal,
    /// Deemed years.
    pub deemed: Decimal,
    /// Coefficient.
    pub rate: Decimal,
    /// N (C12): Guangdong's deduction counts its whole years.
    pub years: Decimal,
    /// Calendar year the pension starts.
    pub year: i32,
    /// The row's `notional_account`.
    pub notional: Option<Decimal>,
}

/// How a phase-in or a notional amount entered one row's transitional pension (for the
/// explanation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TransDetail {
    /// Old and new methods compared (Jiangsu; Guangdong with `notional_account`).
    PhaseIn {
        /// Old method.
        old: Decimal,
        /// New method.
        new: Decimal,
        /// Phase of the pension year.
        phase: Phase,
        /// Guangdong: the amount on the old side of the comparison (4 × floor(N)).
        deduct: Option<Decimal>,
        /// Result.
        result: Decimal,
    },
    /// A notional amount added (Shanghai 虚账实记).
    Added {
        /// `notional_account`.
        amount: Decimal,
        /// Divisor.
        divisor: Decimal,
        /// round(amount ÷ divisor).
        part: Decimal,
        /// Result.
        result: Decimal,
    },
}

/// The transitional pension for P pre-account years at index Ī_t: C17 or a provincial
/// form, then the province's phase-in and notional account rules.
pub(crate) fn transitional(rules: &EmployeeRules, t: &TransInputs, money: Round) -> (Decimal, Option<TransDetail>) {
    let (c, pre, rate) = (t.c, t.pre, t.rate);
    let it = rules.transitional_index_floor.map_or(t.it, |f| t.it.max(f));
    let form = match rules.transitional {
        // A phase-in's new method is C17's form on Ī_t; its old method follows below.
        TransitionalForm::Indexed | TransitionalForm::PhaseIn => indexed(c, it, pre, rate, money),
        TransitionalForm::Weighted => weighted(c, it, pre, rate, money),
        TransitionalForm::IndexFloorOne => indexed(c, it.max(Decimal::ONE), pre, rate, money),
        TransitionalForm::TwoPart => two_part(c, it, pre, t.deemed, rate, money),
        TransitionalForm::DeemedIndexOne => money.apply(c * pre * rate),
    };
    let phase = rules.phase_in.as_ref().map_or(Phase::After, |p| p.at(t.year));
    let mut detail = None;
    let mut result = form;
    if rules.transitional == TransitionalForm::PhaseIn {
        let old = indexed(c, t.avg, pre, rate, money);
        result = phase_in(old, form, phase, money);
        detail = Some(TransDetail::PhaseIn { old, new: form, phase, deduct: None, result });
    }
    match (rules.notional, t.notional) {
        (Some(NotionalRule::Add { divisor }), Some(amount)) => {
            let part = money.apply(amount / divisor);
            result += part;
            detail = Some(TransDetail::Added { amount, divisor, part, result });
        }
        (Some(NotionalRule::OldMethod { divisor, deduct_per_year }), Some(amount)) if phase != Phase::After => {
            let old = money.apply(amount / divisor);
            let deduct = deduct_per_year * t.years.floor();
            result = match phase {
                Phase::Share(share) => old + money.apply((form - old - deduct).max(Decimal::ZERO) * share),
                _ => old,
            };
            detail = Some(TransDetail::PhaseIn { old, new: form, phase, deduct: Some(deduct), result });
        }
        _ => {}
    }
    (result, detail)
}

/// Jiangsu's phase-in (苏人社发 new transitional method from 2024-01-01, as reported):
/// before it the old method; in it `old + round((new − old) × share)` when the new method
/// pays more, else the old; after an end year the new method.
fn phase_in(old: Decimal, new: Decimal, phase: Phase, money: Round) -> Decimal {
    match phase {
        Phase::Before => old,
        Phase::Share(share) if new > old => old + money.apply((new - old) * share),
        Phase::Share(_) => old,
        Phase::After => new,
    }
}

/// The `message` note about the row's `notional_account` under the region's rules: not
/// given where it matters (Guangdong before the new method alone; Shanghai with deemed or
/// pre-account years), or given where nothing uses it. `history`: the row has deemed or
/// pre-account years; `year`: the calendar year the pension starts.
pub(crate) fn notional_note(
    rules: &EmployeeRules,
    notional: Option<Decimal>,
    history: bool,
    year: i32,
) -> Option<String> {
    let phase = rules.phase_in.as_ref().map_or(Phase::After, |p| p.at(year));
    match (rules.notional, notional) {
        (Some(NotionalRule::Add { divisor }), None) if history => Some(format!(
            "the 虚账实记 part of the transitional pension (notional_account ÷ {}) is not included: notional_account is empty",
            divisor.normalize()
        )),
        (Some(NotionalRule::OldMethod { divisor, .. }), None) if history && phase != Phase::After => {
            let end = rules.phase_in.as_ref().and_then(|p| p.until).map_or(String::new(), |u| format!(" (pensions before {})", u + 1));
            Some(format!(
                "the transitional pension is the new method alone: the old method and its phase-in{end} need notional_account (视同缴费账户 ÷ {})",
                divisor.normalize()
            ))
        }
        (Some(NotionalRule::OldMethod { .. }), Some(_)) if phase == Phase::After => {
            Some(format!("notional_account is not used for a pension starting in {year}: the new method alone"))
        }
        (None, Some(_)) => Some("notional_account is not used: the region's rules have no notional account".into()),
        _ => None,
    }
}

/// C17: `round(round(C × Ī_t, 2) × P × rate, 2)` (鲁政发〔2006〕92号 and most provinces).
fn indexed(c: Decimal, it: Decimal, pre: Decimal, rate: Decimal, money: Round) -> Decimal {
    money.apply(money.apply(c * it) * pre * rate)
}

/// `(C + C × Ī_t) / 2 × P × rate` (辽劳社发〔2006〕81号, 青劳社厅发〔2006〕59号, 川劳社发〔2006〕17号).
fn weighted(c: Decimal, it: Decimal, pre: Decimal, rate: Decimal, money: Round) -> Decimal {
    money.apply((c + money.apply(c * it)) / Decimal::from(2) * pre * rate)
}

/// Beijing (京劳社养发〔1998〕21号): G同 = C × deemed × 1.0 × rate for the deemed years before
/// 1992-10, G实 = C × Z实 × (P − deemed) × rate for the actual years 1992-10..1998-06, with
/// P = all years before 1998-07 and Z实 = `trans_index`.
fn two_part(c: Decimal, it: Decimal, pre: Decimal, deemed: Decimal, rate: Decimal, money: Round) -> Decimal {
    let same = deemed.min(pre).max(Decimal::ZERO);
    money.apply(c * same * rate) + indexed(c, it, pre - same, rate, money)
}

/// N after the province's step (Fujian: remaining months up to six count half a year,
/// more count a whole year, i.e. N rounded up to 0.5).
pub(crate) fn step_years(rules: &EmployeeRules, years: Decimal) -> Decimal {
    match rules.years_step {
        Some(step) => (years / step).ceil() * step,
        None => years,
    }
}

/// What the person-dependent and component-dependent local components read besides
/// [`Inputs`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersonInputs<'a> {
    /// The row's facts (`family`, `title`, `intellectual`, `tibet_years`).
    pub person: &'a Person,
    /// basic + account + transitional, as computed (percent_of_components).
    pub components: Decimal,
    /// Yearly pension increase past a series' last year (the row's, else the run's).
    pub indexation: Decimal,
}

/// A local component that applies: its amount (possibly zero, with a note saying why), the
/// provenance of what it used, and a note for `message` beyond the usual one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Applied {
    /// Amount, yuan/month.
    pub amount: Decimal,
    /// Weakest provenance of the rule and the values it used.
    pub provenance: Provenance,
    /// What the row should be told (a projected series value, a missing year).
    pub note: Option<String>,
}

/// One local component for these inputs and this person, None when it does not apply (its
/// dates, its condition, or an amount of zero).
pub(crate) fn applied(e: &Extra, i: &Inputs, p: &PersonInputs, money: Round) -> Option<Applied> {
    if !e.when.holds(p.person) {
        return None;
    }
    let plain = |amount: Decimal| Applied { amount, provenance: e.provenance, note: None };
    match &e.kind {
        ExtraKind::PercentOfComponents(pct) => {
            let v = percent_of_components(*pct, p.components, money);
            (!v.is_zero()).then(|| plain(v))
        }
        ExtraKind::PercentOfSeries { pct, series } => {
            if !e.in_force(i.retire) {
                return None;
            }
            Some(percent_of_series(e, *pct, series, i.retire.year() - 1, p.indexation, money))
        }
        ExtraKind::IndexedWagePct(_) if e.band_years == BandYears::Tibet => {
            let years = p.person.tibet_years.unwrap_or(i.years);
            extra(e, &Inputs { years, ..*i }, money).map(plain)
        }
        _ => extra(e, i, money).map(plain),
    }
}

/// `pct × (basic + account + transitional)`, to the money rounding (Chongqing 3%, Guizhou
/// 5% 黔劳社厅发〔2006〕20号, Hainan 5% / 10% 琼府〔2022〕40号).
fn percent_of_components(pct: Decimal, components: Decimal, money: Round) -> Decimal {
    money.apply(components * pct)
}

/// `pct ×` the series' value of `year` (the year before the pension year; Yunnan
/// 云劳社〔2002〕76号: 5% of the previous year's provincial average pension). Past the last
/// year the last value grows by `indexation` each year, to the fen each time (`projected`);
/// before the first year there is no value: nothing is added and the note says so.
fn percent_of_series(
    e: &Extra,
    pct: Decimal,
    series: &[(i32, Decimal, Provenance, String)],
    year: i32,
    indexation: Decimal,
    money: Round,
) -> Applied {
    let (first, last) = (series[0].0, &series[series.len() - 1]);
    if year < first {
        return Applied {
            amount: Decimal::ZERO,
            provenance: Provenance::Official,
            note: Some(format!(
                "{} not included: its {year} value is not in the parameters (they cover {first}–{})",
                e.label, last.0
            )),
        };
    }
    if let Some((_, v, prov, _)) = series.iter().find(|s| s.0 == year) {
        return Applied { amount: money.apply(*v * pct), provenance: e.provenance.max(*prov), note: None };
    }
    let mut v = last.1;
    for _ in last.0..year {
        v = money.apply(v * (Decimal::ONE + indexation));
    }
    let amount = money.apply(v * pct);
    Applied {
        amount,
        provenance: e.provenance.max(last.2).max(Provenance::Projected),
        note: Some(format!(
            "{}: the {year} value is not published: {} {} × (1 + {}) a year = {} (projected)",
            e.label,
            last.0,
            last.1,
            indexation.normalize(),
            v
        )),
    }
}

/// The conditional transitional coefficient that applies to the person (Ningxia
/// intellectuals), the first that holds.
pub(crate) fn person_rate<'r>(rules: &'r EmployeeRules, person: &Person) -> Option<&'r ConditionalRate> {
    rules.transitional_rate_if.iter().find(|r| r.when.holds(person))
}

/// Facts the row claims that no rule of the claim region applied to it read: one note each
/// (`family = one_child: no rule of shandong/weifang depends on it`). `used` are the rules
/// that applied (extras and the conditional rate).
pub(crate) fn unused_facts(person: &Person, used: &[&Condition], tibet_used: bool, why: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = person.family {
        if !used.iter().any(|c| c.family.is_some()) {
            out.push(format!("family = {} {why}", f.as_str()));
        }
    }
    if let Some(t) = person.title {
        if !used.iter().any(|c| c.title.is_some()) {
            out.push(format!("title = {} {why}", t.as_str()));
        }
    }
    if person.intellectual && !used.iter().any(|c| c.intellectual.is_some()) {
        out.push(format!("intellectual = true {why}"));
    }
    if let Some(y) = person.tibet_years {
        if !tibet_used {
            out.push(format!("tibet_years = {} {why}", y.normalize()));
        }
    }
    out
}

/// One local component's amount for these inputs, None when it does not apply (the kinds
/// that read neither the person nor the components).
pub(crate) fn extra(e: &Extra, i: &Inputs, money: Round) -> Option<Decimal> {
    if !e.in_force(i.retire) {
        return None;
    }
    let v = match &e.kind {
        ExtraKind::Flat(a) => *a,
        ExtraKind::FlatIfDeemedAtLeast { amount, years } => {
            if i.deemed >= *years {
                *amount
            } else {
                return None;
            }
        }
        ExtraKind::PerWholeYear { flat, per_year } => *flat + *per_year * i.years.floor(),
        ExtraKind::IndexYears { flat, per_index_year } => money.apply(*flat + i.avg * i.years * *per_index_year),
        ExtraKind::IndexedWagePct(bands) => {
            let pct = bands.iter().rev().find(|(y, _)| i.years >= *y).map(|b| b.1)?;
            money.apply(money.mul(i.c, i.avg) * pct)
        }
        ExtraKind::IncrementBrackets(brackets) => increment_brackets(brackets, i, money)?,
        ExtraKind::ByRetirementYear(values) => values.iter().find(|(y, _)| *y == i.retire.year()).map(|v| v.1)?,
        // Read through [`applied`] (they need the components or the person).
        ExtraKind::PercentOfComponents(_) | ExtraKind::PercentOfSeries { .. } => return None,
    };
    (!v.is_zero()).then_some(v)
}

/// Jilin 增发 (吉政发〔1998〕28号): the basic pension's monthly average wage
/// `(C + C × Ī) / 2` times Σ over the actual years (N − deemed) falling in each bracket
/// (from, to] of its rate; brackets on actual years, as the document says (a calculator
/// sizes them on total years).
fn increment_brackets(brackets: &[(Decimal, Decimal, Decimal)], i: &Inputs, money: Round) -> Option<Decimal> {
    let actual = i.years - i.deemed;
    let mut pct = Decimal::ZERO;
    for (from, to, rate) in brackets {
        let inside = actual.min(*to) - *from;
        if inside > Decimal::ZERO {
            pct += inside * *rate;
        }
    }
    if pct.is_zero() {
        return None;
    }
    Some(money.apply((i.c + money.mul(i.c_province, i.avg)) / Decimal::from(2) * pct))
}

/// The total after the province's rounding (Guangxi, Zhejiang: 见分进角, up to the jiao).
pub(crate) fn total(rules: &EmployeeRules, sum: Decimal) -> Decimal {
    match rules.total_rounding {
        Some(r) => r.apply(sum),
        None => sum,
    }
}

/// The rounding of the components: the province's (Shanghai 0.1) or the region's money.
pub(crate) fn component_round(rules: &EmployeeRules, money: Round) -> Round {
    rules.component_rounding.unwrap_or(money)
}

/// Weakest provenance of the forms when any differs from the national one. (Rules that
/// depend on a fact of the person add their own provenance to the rows they apply to; a
/// table that holds only such rules is tagged `official`: its forms are the national ones.)
pub(crate) fn provenance(rules: &EmployeeRules) -> Provenance {
    if rules == &EmployeeRules::default() {
        Provenance::Official
    } else {
        rules.provenance
    }
}

/// The resident 长缴多得 of a region's rule for `years` resident years and the basic
/// pension `basic` (C22 and its provincial and city kinds): years past `min_years`, the
/// resident minimum (15, C21). With a `cap` (a share of the basic pension, Hefei 10%) the
/// bonus is at most `round(basic × cap, 2)`.
pub(crate) fn resident_bonus(
    kind: &BonusKind,
    cap: Option<Decimal>,
    years: Decimal,
    min_years: Decimal,
    basic: Decimal,
    money: Round,
) -> Decimal {
    let extra = (years - min_years).floor().max(Decimal::ZERO);
    let bonus = match kind {
        BonusKind::PerYear(per_year) => money.apply(*per_year * extra),
        BonusKind::PercentOfBasic(pct) => money.apply(basic * *pct * extra),
        BonusKind::Graduated(bands) => graduated(bands, years.floor(), money),
        BonusKind::Steps(steps) => steps.iter().rev().find(|(y, _)| years >= *y).map_or(Decimal::ZERO, |s| s.1),
    };
    match cap {
        Some(c) => bonus.min(money.apply(basic * c)),
        None => bonus,
    }
}

/// Marginal bands over all whole years (Hubei 鄂人社发〔2023〕3号): each year counts at the
/// rate of the band it falls in.
fn graduated(bands: &[(Decimal, Decimal)], years: Decimal, money: Round) -> Decimal {
    let mut lower = Decimal::ZERO;
    let mut total = Decimal::ZERO;
    for (upto, per_year) in bands {
        let inside = years.min(*upto) - lower;
        if inside > Decimal::ZERO {
            total += inside * *per_year;
        }
        lower = *upto;
    }
    money.apply(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RoundMode;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const CENT: Round = Round::half_up(2);

    #[test]
    fn beijing_two_part_reproduces_the_published_example() {
        // E8: C 11082, deemed 10 years at index 1, 5 actual pre-1998 years at 0.6, 1%:
        // G同 = 11082 × 10 × 1% = 1108.20; G实 = 11082 × 0.6 × 5 × 1% = 332.46.
        let t = two_part(d("11082"), d("0.6"), d("15"), d("10"), d("0.01"), CENT);
        assert_eq!(t, d("1440.66"));
    }

    #[test]
    fn fujian_half_year_step() {
        let r = EmployeeRules { years_step: Some(d("0.5")), ..EmployeeRules::default() };
        assert_eq!(step_years(&r, d("30.08")), d("30.5")); // 1 month → half a year
        assert_eq!(step_years(&r, d("30.5")), d("30.5")); // 6 months → half a year
        assert_eq!(step_years(&r, d("30.58")), d("31")); // 7 months → a whole year
    }

    #[test]
    fn shanghai_whole_years_and_months() {
        // (9000 + 9000) / 2 × (30 × 1% + 5 × 0.083%) = 9000 × 0.30415 = 2737.35, to 0.1 → 2737.4.
        let v = whole_years_and_months(d("18000"), d("30.42"), d("0.00083"), Round::half_up(1));
        assert_eq!(v, d("2737.4"));
    }

    #[test]
    fn resident_bonus_kinds() {
        let d2 = |s: &str| d(s);
        // Hubei: 30 years = 15 × 1 + 10 × 2 + 5 × 3 = 50.
        let hubei = BonusKind::Graduated(vec![(d2("15"), d2("1")), (d2("25"), d2("2")), (d2("1000"), d2("3"))]);
        assert_eq!(resident_bonus(&hubei, None, d2("30"), d2("15"), d2("200"), CENT), d2("50"));
        // Jiangxi: 2% of a 123 basic pension per year beyond 15: 20.6 years → 5 × 2.46 = 12.30.
        assert_eq!(
            resident_bonus(&BonusKind::PercentOfBasic(d2("0.02")), None, d2("20.6"), d2("15"), d2("123"), CENT),
            d2("12.30")
        );
        // Jining steps: 22 years → the 20-year step, 30.
        let jining = BonusKind::Steps(vec![(d2("16"), d2("20")), (d2("20"), d2("30")), (d2("25"), d2("40"))]);
        assert_eq!(resident_bonus(&jining, None, d2("22"), d2("15"), d2("0"), CENT), d2("30"));
        assert_eq!(resident_bonus(&BonusKind::PerYear(d2("10")), None, d2("17.9"), d2("15"), d2("0"), CENT), d2("20"));
        // Jining below the first step: 15.9 years → 0; at 25 years → 40.
        assert_eq!(resident_bonus(&jining, None, d2("15.9"), d2("15"), d2("0"), CENT), d2("0"));
        assert_eq!(resident_bonus(&jining, None, d2("25"), d2("15"), d2("0"), CENT), d2("40"));
        // Weifang: 1% of the basic pension 162 per year beyond 15; 25 years → 162 × 0.01 × 10 = 16.20.
        assert_eq!(
            resident_bonus(&BonusKind::PercentOfBasic(d2("0.01")), None, d2("25"), d2("15"), d2("162"), CENT),
            d2("16.20")
        );
    }

    /// A ceiling as a share of the basic pension (Hefei: 2 a year beyond 15, at most 10%).
    #[test]
    fn resident_bonus_cap() {
        let d2 = |s: &str| d(s);
        let hefei = BonusKind::PerYear(d2("2"));
        let cap = Some(d2("0.1"));
        // Basic 245: ceiling round(245 × 0.1, 2) = 24.50. 20 years → 2 × 5 = 10.00 (below).
        assert_eq!(resident_bonus(&hefei, cap, d2("20"), d2("15"), d2("245"), CENT), d2("10.00"));
        // 30 years → 2 × 15 = 30.00 > 24.50 → 24.50.
        assert_eq!(resident_bonus(&hefei, cap, d2("30"), d2("15"), d2("245"), CENT), d2("24.50"));
        // 27 years → 2 × 12 = 24.00 (below the ceiling by 0.50).
        assert_eq!(resident_bonus(&hefei, cap, d2("27.5"), d2("15"), d2("245"), CENT), d2("24.00"));
        // Without a ceiling 30 years pay the full 30.00.
        assert_eq!(resident_bonus(&hefei, None, d2("30"), d2("15"), d2("245"), CENT), d2("30.00"));
        // A ceiling that rounds: basic 163.45 × 0.1 = 16.345 → 16.35 (half away from zero).
        assert_eq!(resident_bonus(&hefei, cap, d2("40"), d2("15"), d2("163.45"), CENT), d2("16.35"));
    }

    fn shares(rates: &[(i32, &str)], until: Option<i32>) -> crate::params::PhaseIn {
        crate::params::PhaseIn {
            rates: rates.iter().map(|(y, r)| (*y, d(r))).collect(),
            until,
            provenance: Provenance::Reported,
            source: String::new(),
        }
    }

    fn inputs(it: &str, year: i32, notional: Option<&str>) -> TransInputs {
        TransInputs {
            c: d("9000"),
            it: d(it),
            avg: d("1.2"),
            pre: d("10"),
            deemed: d("10"),
            rate: d("0.012"),
            years: d("35.5"),
            year,
            notional: notional.map(d),
        }
    }

    #[test]
    fn jiangsu_phase_in_by_year() {
        // old = 10800.00 × 10 × 1.2% = 1296.00, new (Ī_t 1.5) = 13500.00 × 0.12 = 1620.00.
        let r = EmployeeRules {
            transitional: TransitionalForm::PhaseIn,
            phase_in: Some(shares(&[(2024, "0.4"), (2025, "0.7"), (2026, "1")], None)),
            ..Default::default()
        };
        let t = |it: &str, y: i32| transitional(&r, &inputs(it, y, None), CENT).0;
        assert_eq!(t("1.5", 2023), d("1296.00")); // before: old
        assert_eq!(t("1.5", 2024), d("1425.60")); // 1296 + 324 × 0.4
        assert_eq!(t("1.5", 2025), d("1522.80")); // 1296 + 324 × 0.7
        assert_eq!(t("1.5", 2031), d("1620.00")); // the last share continues
        assert_eq!(t("0.9", 2031), d("1296.00")); // new 972 < old
    }

    #[test]
    fn guangdong_old_method_and_phase_in() {
        // new 1620.00; old = 60000 / 120 = 500.00; deduct 4 × floor(35.5) = 140;
        // 2022: 500 + round((1620 − 500 − 140) × 0.5) = 990.00.
        let r = EmployeeRules {
            phase_in: Some(shares(&[(2021, "0.3"), (2022, "0.5"), (2025, "1")], Some(2025))),
            notional: Some(NotionalRule::OldMethod { divisor: d("120"), deduct_per_year: d("4") }),
            ..Default::default()
        };
        let t = |y: i32, n: Option<&str>| transitional(&r, &inputs("1.5", y, n), CENT).0;
        assert_eq!(t(2022, Some("60000")), d("990.00"));
        assert_eq!(t(2020, Some("60000")), d("500.00"));
        assert_eq!(t(2026, Some("60000")), d("1620.00"));
        assert_eq!(t(2022, None), d("1620.00"));
        assert!(notional_note(&r, None, true, 2022).unwrap().contains("need notional_account"));
        assert!(notional_note(&r, Some(d("1")), true, 2022).is_none());
        assert_eq!(r.phase_in.as_ref().unwrap().at(2024), Phase::Share(d("0.5")));
    }

    #[test]
    fn conditions_hold_only_for_the_facts_they_name() {
        use crate::params::{Family, Title};
        let one_child = Condition { family: Some(Family::OneChild), ..Default::default() };
        let p = Person { family: Some(Family::OneChild), title: Some(Title::Senior), ..Default::default() };
        assert!(one_child.holds(&p));
        assert!(!one_child.holds(&Person::default()));
        assert!(!one_child.holds(&Person { family: Some(Family::Childless), ..Default::default() }));
        assert!(Condition::default().holds(&Person::default()));
        let both = Condition { title: Some(Title::Intermediate), ..one_child.clone() };
        assert!(!both.holds(&p));
        assert_eq!(both.describe(), "family = one_child, title = intermediate");
    }

    #[test]
    fn series_by_the_year_before_then_projected() {
        let e = Extra {
            label: "x".into(),
            kind: ExtraKind::Flat(Decimal::ZERO),
            from: None,
            to: None,
            provenance: Provenance::Reported,
            source: String::new(),
            when: Condition::default(),
            band_years: BandYears::Total,
        };
        let series: Vec<_> = [(2023, "3431"), (2024, "3553")]
            .iter()
            .map(|(y, v)| (*y, d(v), Provenance::Reported, String::new()))
            .collect();
        // 2024: 3553 × 5% = 177.65.
        let a = percent_of_series(&e, d("0.05"), &series, 2024, d("0.02"), CENT);
        assert_eq!((a.amount, a.provenance, a.note), (d("177.65"), Provenance::Reported, None));
        // 2026: 3553 → 3624.06 → 3696.54 (to the fen each year) × 5% = 184.827 → 184.83.
        let a = percent_of_series(&e, d("0.05"), &series, 2026, d("0.02"), CENT);
        assert_eq!((a.amount, a.provenance), (d("184.83"), Provenance::Projected));
        assert!(a.note.unwrap().ends_with("= 3696.54 (projected)"));
        // Before the series: nothing, said.
        let a = percent_of_series(&e, d("0.05"), &series, 2020, d("0.02"), CENT);
        assert!(a.amount.is_zero() && a.note.unwrap().contains("its 2020 value is not in the parameters"));
    }

    #[test]
    fn total_up_to_the_jiao() {
        let r = EmployeeRules { total_rounding: Some(Round { places: 1, mode: RoundMode::Up }), ..Default::default() };
        assert_eq!(total(&r, d("3456.71")), d("3456.8"));
        assert_eq!(total(&r, d("3456.70")), d("3456.7"));
    }
}
