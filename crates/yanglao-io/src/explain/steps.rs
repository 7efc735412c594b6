//! The steps of a derivation: each event of the model's trace as a [`Step`] (rule and
//! document, formula, inputs with provenance and source, rounding, result), then the
//! metrics.

use super::*;
use crate::model::FormText;
use crate::params::{BonusKind, RoundMode};

pub(super) fn steps_of(cx: &Ctx, s: &Scenario, trace: &Trace) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut i = 0;
    let ev = &trace.events;
    while i < ev.len() {
        match &ev[i] {
            Event::Statutory { category, birth, original_age, first_affected, step, cap, delay, month, min_years } => {
                let nat = |key: &str| cx.sources.lookup("national", key, When::Any).unwrap_or_default();
                let official = |name: String, value: String, key: &str| Input {
                    name,
                    value,
                    provenance: "official".to_string(),
                    source: nat(key),
                };
                out.push(Step {
                    rule: "C4, C5".into(),
                    document: DOC_REFORM.into(),
                    title: cx.t("Statutory retirement month and minimum years", "法定退休月份与最低缴费年限"),
                    formula: "k = birth − first_affected; delay = 0 if k < 0, else min(cap, ⌊k / step⌋ + 1); R = birth + original_age + delay; minimum years by the year of R".into(),
                    inputs: vec![
                        cx.row_input(cx.t("birth", "出生年月"), birth.to_string()),
                        cx.row_input(cx.t("retirement group", "退休类别"), category_name(*category).to_string()),
                        official(cx.t("original age", "原退休年龄"), original_age.to_string(), "retirement"),
                        official(cx.t("first affected birth month", "首个调整出生月份"), first_affected.to_string(), "retirement"),
                        official(cx.t("birth months per month of delay", "每延迟1个月对应出生月数"), step.to_string(), "retirement"),
                        official(cx.t("cap (months)", "最多延迟月数"), cap.to_string(), "retirement"),
                        official(cx.t("minimum years in the year of R", "R 所在年份最低缴费年限"), fixed(*min_years, 1), "min_years"),
                    ],
                    rounding: cx.t("whole months", "整月"),
                    result: format!(
                        "R = {month} ({}: {delay}; {}: {}); {}: {}",
                        cx.t("delay months", "延迟月数"),
                        cx.t("age", "年龄"),
                        Age(month.since(*birth)),
                        cx.t("minimum years", "最低缴费年限"),
                        fixed(*min_years, 1)
                    ),
                    checks: vec![("min_years".into(), fixed(*min_years, 1))],
                    table: None,
                });
            }
            Event::Retirement { chosen, statutory, used } => {
                let result = match chosen {
                    Some(c) => format!(
                        "{used} ({} {c}, {} {statutory} ± {} {})",
                        cx.t("chosen", "自选"),
                        cx.t("allowed around the statutory month", "法定月份前后"),
                        cx.params.national.flexible_window,
                        cx.t("months", "个月")
                    ),
                    None => format!("{used} ({})", cx.t("the statutory month", "法定退休月份")),
                };
                out.push(Step {
                    rule: "C6".into(),
                    document: DOC_FLEX.into(),
                    title: cx.t("Pension month used", "领取养老金月份"),
                    formula: cx.t(
                        "chosen retire within max(original age, R − 36) … R + 36 (early only with the minimum years), else R",
                        "自选月份须在 max(原退休年龄, R − 36) 至 R + 36 之间(提前须满最低年限),否则取 R",
                    ),
                    inputs: vec![cx.row_input("retire".into(), chosen.map(|c| c.to_string()).unwrap_or_default())],
                    rounding: String::new(),
                    result,
                    checks: Vec::new(),
                    table: None,
                });
            }
            Event::EmployeeAccrual { first, last, start_balance } => {
                let start = *start_balance;
                let (first, last) = (*first, *last);
                let mut table = Table {
                    title: cx.t("Employee account by calendar year (C8–C11)", "职工个人账户逐年计算(C8–C11)"),
                    header: [
                        cx.t("year", "年份"),
                        cx.t("months", "月份"),
                        cx.t("index", "缴费指数"),
                        "W".into(),
                        cx.t("W provenance", "W 来源等级"),
                        cx.t("base = round(index × W, 2)", "基数 = round(指数 × W, 2)"),
                        cx.t("credit/month = round(base × 8%, 2)", "每月记账 = round(基数 × 8%, 2)"),
                        cx.t("own/month", "每月个人缴费"),
                        cx.t("balance at start", "年初余额"),
                        cx.t("rate r", "记账利率 r"),
                        cx.t("r provenance", "r 来源等级"),
                        cx.t("credits", "当年记账"),
                        cx.t("interest", "当年利息"),
                        cx.t("balance at end", "年末余额"),
                    ]
                    .to_vec(),
                    rows: Vec::new(),
                };
                let mut parts: Vec<&Event> = Vec::new();
                let mut end = start;
                let mut rates: Vec<(i32, Used)> = Vec::new();
                let mut wages: Vec<(String, i32, Used)> = Vec::new();
                i += 1;
                while i < ev.len() {
                    match &ev[i] {
                        p @ Event::EmployeePart { .. } => parts.push(p),
                        Event::EmployeeYear { year, first, last, start, rate: r, credits, interest, end: e } => {
                            let mine: Vec<&Event> = std::mem::take(&mut parts);
                            let col = |f: &dyn Fn(&Event) -> String| -> String {
                                mine.iter().map(|p| f(p)).collect::<Vec<_>>().join(" / ")
                            };
                            let part = |p: &Event| match p {
                                Event::EmployeePart { from, to, index, wage, base, credit, own, region, .. } => {
                                    Some((*from, *to, *index, *wage, *base, *credit, *own, *region))
                                }
                                _ => None,
                            };
                            for p in mine.iter().filter_map(|p| part(p)) {
                                wages.push((cx.key(p.7), *year, p.3));
                            }
                            table.rows.push(vec![
                                year.to_string(),
                                format!("{}–{}", first.month(), last.month()),
                                col(&|p| part(p).map(|p| format!("{} ({}–{})", p.2.normalize(), p.0.month(), p.1.month())).unwrap_or_default()),
                                col(&|p| part(p).map(|p| m2(p.3.value)).unwrap_or_default()),
                                col(&|p| part(p).and_then(|p| p.3.provenance).map(|x| x.as_str().to_string()).unwrap_or_default()),
                                col(&|p| part(p).map(|p| m2(p.4)).unwrap_or_default()),
                                col(&|p| part(p).map(|p| m2(p.5)).unwrap_or_default()),
                                col(&|p| part(p).map(|p| m2(p.6)).unwrap_or_default()),
                                m2(*start),
                                rate(r.value),
                                r.provenance.map(|x| x.as_str().to_string()).unwrap_or_default(),
                                m2(*credits),
                                m2(*interest),
                                m2(*e),
                            ]);
                            rates.push((*year, *r));
                            end = *e;
                        }
                        _ => break,
                    }
                    i += 1;
                }
                let mut inputs = vec![cx.row_input(cx.t("balance at start (as_of)", "起始余额(as_of)"), m2(start))];
                // The distinct parameter values with their sources (first year of each).
                let mut cited: Vec<String> = Vec::new();
                for (region, y, w) in &wages {
                    let key = format!("W {region} {y}");
                    if cited.len() < 60 && !cited.contains(&key) && w.provenance != Some(Provenance::Projected) {
                        cited.push(key);
                        inputs.push(cx.param(format!("W({y}) {region}"), m2(w.value), *w, region, "avg_wage", When::Year(y - 1)));
                    }
                }
                if let Some((region, y, w)) = wages.iter().find(|(_, _, w)| w.provenance == Some(Provenance::Projected)) {
                    inputs.push(cx.param(format!("W({y}) {region} {}", cx.t("and later years", "及以后各年")), m2(w.value), *w, region, "avg_wage", When::Year(y - 1)));
                }
                for (y, r) in &rates {
                    if r.provenance != Some(Provenance::Projected) {
                        inputs.push(cx.param(format!("r({y})"), rate(r.value), *r, "national", "crediting_rate", When::Year(*y)));
                    }
                }
                if let Some((y, r)) = rates.iter().find(|(_, r)| r.provenance == Some(Provenance::Projected)) {
                    inputs.push(cx.param(format!("r({y}) {}", cx.t("and later years", "及以后各年")), rate(r.value), *r, "national", "crediting_rate", When::Year(*y)));
                }
                out.push(Step {
                    rule: "C8–C11".into(),
                    document: DOC_INTEREST.into(),
                    title: format!("{} {first} – {last}", cx.t("Employee account accrual", "职工个人账户累积")),
                    formula: "W(y) = avg_wage(y − 1), later years round(W(y − 1) × (1 + g), 2); base = round(index × W(y), 2); credit = round(base × 8%, 2); interest(y) = round(r × (B_start × (e − a + 1) + Σ c_n × (e − n + 1)) / 12, 2); B_end = B_start + Σ c_n + interest".into(),
                    inputs,
                    rounding: cx.t("base, credit, own payment and yearly interest to 0.01, half away from zero", "基数、记账额、个人缴费与年利息均四舍五入到 0.01"),
                    result: format!("{}: {}", cx.t("balance at the end", "期末余额"), m2(end)),
                    checks: Vec::new(),
                    table: Some(table),
                });
                continue;
            }
            Event::EmployeePart { .. } | Event::EmployeeYear { .. } => {}
            Event::ResidentYear { .. } => {
                let mut table = Table {
                    title: cx.t("Resident account by calendar year (C19, C20)", "居民个人账户逐年计算(C19、C20)"),
                    header: [
                        cx.t("year", "年份"),
                        cx.t("balance at start", "年初余额"),
                        cx.t("rate r", "利率 r"),
                        cx.t("r provenance", "r 来源等级"),
                        cx.t("interest = round(B × r, 2)", "利息 = round(B × r, 2)"),
                        cx.t("own (tier)", "个人缴费(档次)"),
                        cx.t("subsidy / 代缴", "补贴 / 代缴"),
                        cx.t("tier table provenance", "档次表来源等级"),
                        cx.t("employee months (C24)", "同年职工月数(C24)"),
                        cx.t("balance at end", "年末余额"),
                    ]
                    .to_vec(),
                    rows: Vec::new(),
                };
                let mut inputs = Vec::new();
                let mut end = Decimal::ZERO;
                let mut first_rate: Option<(i32, Used)> = None;
                let mut tier_years: Vec<i32> = Vec::new();
                while let Some(Event::ResidentYear { year, start, rate: r, interest, own, gov, tiers, employee_months, end: e }) = ev.get(i) {
                    table.rows.push(vec![
                        year.to_string(),
                        m2(*start),
                        rate(r.value),
                        r.provenance.map(|x| x.as_str().to_string()).unwrap_or_default(),
                        m2(*interest),
                        m2(*own),
                        m2(*gov),
                        tiers.map(|x| x.as_str().to_string()).unwrap_or_default(),
                        employee_months.to_string(),
                        m2(*e),
                    ]);
                    if first_rate.is_none() {
                        first_rate = Some((*year, *r));
                    }
                    if tiers.is_some() {
                        tier_years.push(*year);
                    }
                    end = *e;
                    i += 1;
                }
                if let Some((y, r)) = first_rate {
                    inputs.push(cx.param(format!("r({y})"), rate(r.value), r, &cx.region, "resident_account_rate", When::Year(y)));
                }
                if let (Some(a), Some(b)) = (tier_years.first(), tier_years.last()) {
                    let tier = s.tier.map(|t| t.normalize().to_string()).unwrap_or_else(|| "—".into());
                    let prov = cx
                        .params
                        .region(s.region)
                        .tiers_at(Month::december(*a))
                        .map(|t| t.provenance)
                        .unwrap_or_default();
                    inputs.push(cx.param(
                        format!("{} {a}–{b}", cx.t("tier and subsidy table", "缴费档次与补贴表")),
                        tier,
                        Used { value: Decimal::ZERO, provenance: Some(prov) },
                        &cx.region,
                        "resident_tiers",
                        When::Month(Month::december(*a)),
                    ));
                }
                out.push(Step {
                    rule: "C19, C20".into(),
                    document: DOC_RESIDENT.into(),
                    title: cx.t("Resident account accrual", "居民个人账户累积"),
                    formula: "B_end = B_start + round(B_start × r, 2) + tier + subsidy (hardship: 代缴 + subsidy); a year with k employee months counts (12 − k)/12 and refunds round(tier × k / 12, 2)".into(),
                    inputs,
                    rounding: cx.t("yearly interest to 0.01", "年利息四舍五入到 0.01"),
                    result: format!("{}: {}", cx.t("balance at the end", "期末余额"), m2(end)),
                    checks: Vec::new(),
                    table: Some(table),
                });
                continue;
            }
            Event::Extension { months, from, to, years, min_years } => out.push(Step {
                rule: "C18".into(),
                document: DOC_EXTEND.into(),
                title: cx.t("Contributions extended to the minimum years", "延长缴费至最低年限"),
                formula: cx.t(
                    "smallest x with round(known + (months + x) / 12, 2) ≥ minimum; pension month R + x",
                    "最小的 x 使 round(已缴 + (月数 + x) / 12, 2) ≥ 最低年限;领取月份 R + x",
                ),
                inputs: vec![
                    cx.computed(cx.t("years before", "延长前年限"), m2(*years)),
                    cx.computed(cx.t("minimum", "最低年限"), fixed(*min_years, 1)),
                ],
                rounding: cx.t("whole months", "整月"),
                result: format!("x = {months}; {from} → {to}"),
                checks: vec![("retire".into(), to.to_string())],
                table: None,
            }),
            Event::Bridging { employee_years, min_years, to_employee } => out.push(Step {
                rule: "C24".into(),
                document: DOC_BRIDGE.into(),
                title: cx.t("Bridging between the employee and resident schemes", "城乡养老保险制度衔接"),
                formula: cx.t(
                    "employee years ≥ minimum at the statutory month → the resident account joins the employee account; otherwise the employee account joins the resident account and the years count as resident years",
                    "法定退休时职工缴费年限 ≥ 最低年限 → 居民账户并入职工账户;否则职工账户并入居民账户,职工年限计为居民年限",
                ),
                inputs: vec![
                    cx.computed(cx.t("employee years", "职工缴费年限"), m2(*employee_years)),
                    cx.computed(cx.t("minimum", "最低年限"), fixed(*min_years, 1)),
                ],
                rounding: String::new(),
                result: if *to_employee {
                    cx.t("resident → employee scheme", "居民 → 职工")
                } else {
                    cx.t("employee → resident scheme", "职工 → 居民")
                },
                checks: Vec::new(),
                table: None,
            }),
            Event::Claim { province, region, provinces } => out.push(Step {
                rule: "C25".into(),
                document: DOC_TRANSFER.into(),
                title: cx.t("Claim province and region", "待遇领取地"),
                formula: cx.t(
                    "hukou province if contributions are there at the end; else the current province with ≥ 10 years; else the latest earlier province with ≥ 10 years; else the hukou province",
                    "最后参保地为户籍地则在户籍地;否则在累计缴费满10年的最后参保地;否则在此前满10年的最近参保地;否则回户籍地",
                ),
                inputs: provinces
                    .iter()
                    .map(|(p, m)| cx.computed(format!("{} {}", cx.key(*p), cx.t("months", "月数")), m.to_string()))
                    .chain(std::iter::once(cx.row_input("hukou".into(), cx.key(s.hukou))))
                    .collect(),
                rounding: String::new(),
                result: format!("{} / {}", cx.key(*province), cx.key(*region)),
                checks: vec![("claim_region".into(), cx.key(*region))],
                table: None,
            }),
            Event::Years { known, months, years } => out.push(Step {
                rule: "C12".into(),
                document: DOC_38.into(),
                title: cx.t("Contribution years", "缴费年限"),
                formula: "N = round(paid_years + deemed_years + months / 12, 2)".into(),
                inputs: vec![
                    cx.row_input("paid_years + deemed_years".into(), known.normalize().to_string()),
                    cx.computed(cx.t("contribution months", "缴费月数"), months.to_string()),
                ],
                rounding: cx.t("0.01, half away from zero", "0.01,四舍五入"),
                result: m2(*years),
                checks: vec![("years".into(), m2(*years))],
                table: None,
            }),
            Event::AverageIndex { known, known_index, index_months, months, result } => out.push(Step {
                rule: "C13".into(),
                document: DOC_38.into(),
                title: cx.t("Average contribution index", "平均缴费指数"),
                formula: "Ī = round((avg_index × known × 12 + Σ index × months) / (known × 12 + months), 4); months in another province: base ÷ W of the claim province (C25)".into(),
                inputs: vec![
                    cx.row_input("paid_years + deemed_years".into(), known.normalize().to_string()),
                    cx.row_input("avg_index".into(), known_index.map(|d| d.normalize().to_string()).unwrap_or_default()),
                    cx.computed("Σ index × months".into(), index_months.normalize().to_string()),
                    cx.computed(cx.t("contribution months", "缴费月数"), months.to_string()),
                ],
                rounding: cx.t("0.0001, half away from zero, once", "0.0001,四舍五入,只舍入一次"),
                result: fixed(*result, 4),
                checks: vec![("avg_index".into(), fixed(*result, 4))],
                table: None,
            }),
            Event::Base { region, year, value } => {
                let key = cx.key(*region);
                out.push(Step {
                    rule: "C14".into(),
                    document: cx.sources.lookup(&key, "pension_base", When::Year(*year)).unwrap_or_default(),
                    title: cx.t("Pension base C (计发基数)", "计发基数 C"),
                    formula: cx.t(
                        "C of the claim region for the year of the pension month; after the last official year round(C(y − 1) × (1 + g), 2)",
                        "领取地当年计发基数;最后公布年份之后 round(C(y − 1) × (1 + g), 2)",
                    ),
                    inputs: vec![cx.param(format!("C({year}) {key}"), m2(value.value), *value, &key, "pension_base", When::Year(*year))],
                    rounding: cx.t("0.01 per projected year", "每个推算年份 0.01"),
                    result: m2(value.value),
                    checks: vec![("base".into(), m2(value.value))],
                    table: None,
                })
            }
            // A region's divisor for arduous-work early retirements replaces the table.
            Event::Divisor { start, age, d0, result, special: Some((region, sd)), .. } => out.push(Step {
                rule: cx.t("C7, provincial special_divisor", "C7,省级特殊工种计发月数"),
                document: sd.source.clone(),
                title: format!("{} ({start})", cx.t("Divisor (计发月数), special early retirement", "计发月数(特殊工种提前退休)")),
                formula: cx.t(
                    &format!("the region's divisor for a special (特殊工种) early retirement, in place of the table's d({}), {}", Age(*age).years(), d0.normalize()),
                    &format!("特殊工种提前退休按本地计发月数,不用表中 d({}),{}", Age(*age).years(), d0.normalize()),
                ),
                inputs: vec![
                    cx.computed(cx.t("age at the pension month", "领取时年龄"), Age(*age).to_string()),
                    Input {
                        name: format!("{region} special_divisor"),
                        value: sd.months.normalize().to_string(),
                        provenance: sd.provenance.as_str().into(),
                        source: sd.source.clone(),
                    },
                ],
                rounding: String::new(),
                result: fixed(*result, 1),
                checks: vec![("divisor".into(), fixed(*result, 1))],
                table: None,
            }),
            Event::Divisor { start, age, d0, d1, result, special: None } => {
                let a = Age(*age);
                let src = cx.sources.lookup("national", "divisor", When::Any).unwrap_or_default();
                let mut inputs = vec![
                    cx.computed(cx.t("age at the pension month", "领取时年龄"), a.to_string()),
                    Input { name: format!("d({})", a.years()), value: d0.normalize().to_string(), provenance: "official".into(), source: src.clone() },
                ];
                let formula = match d1 {
                    Some(d1) => {
                        inputs.push(Input { name: format!("d({})", a.years() + 1), value: d1.normalize().to_string(), provenance: "official".into(), source: src });
                        format!("d(a) + (d(a + 1) − d(a)) × m / 12 = {} + ({} − {}) × {} / 12", d0.normalize(), d1.normalize(), d0.normalize(), a.months())
                    }
                    None => cx.t("d(completed age) (pensions before 2025-01, or a whole age)", "d(周岁)(2025-01 前开始领取或整岁)"),
                };
                out.push(Step {
                    rule: "C7".into(),
                    document: format!(
                        "{DOC_38} 附件; {} {}",
                        cx.t("interpolated for pensions from", "插值适用于起领月份不早于"),
                        cx.params.national.divisor_interpolate_from
                    ),
                    title: format!("{} ({start})", cx.t("Divisor (计发月数)", "计发月数")),
                    formula,
                    inputs,
                    rounding: cx.t("0.1, half away from zero", "0.1,四舍五入"),
                    result: fixed(*result, 1),
                    checks: vec![("divisor".into(), fixed(*result, 1))],
                    table: None,
                })
            }
            Event::Basic { base, index, indexed, years, result, form: None } => out.push(Step {
                rule: "C15".into(),
                document: DOC_38.into(),
                title: cx.t("Basic pension", "基础养老金"),
                formula: format!("round((C + round(C × Ī, 2)) / 2 × N × 1%, 2) = round(({} + {}) / 2 × {} × 1%, 2)", m2(*base), m2(*indexed), m2(*years)),
                inputs: vec![
                    cx.computed("C".into(), m2(*base)),
                    cx.computed("Ī".into(), fixed(*index, 4)),
                    cx.computed("round(C × Ī, 2)".into(), m2(*indexed)),
                    cx.computed("N".into(), m2(*years)),
                ],
                rounding: cx.t("round(C × Ī) to 0.01, the result to 0.01", "C × Ī 与结果各四舍五入到 0.01"),
                result: m2(*result),
                checks: vec![("basic".into(), m2(*result))],
                table: None,
            }),
            // A provincial form: its own formula, no substituted line (issue 15).
            Event::Basic { base, index, indexed, years, result, form: Some(f) } => out.push(Step {
                rule: format!("C15, {} {}", cx.t("provincial form", "省级计发办法"), f.kind),
                document: f.source.clone(),
                title: cx.t("Basic pension (provincial form)", "基础养老金(省级计发办法)"),
                formula: cx.t(&f.en, &f.zh),
                inputs: vec![
                    cx.computed(cx.t("flat term of the form", "公式中的计发基数项"), m2(*base)),
                    cx.computed("Ī".into(), fixed(*index, 4)),
                    cx.computed(cx.t("indexed wage of the form", "公式中的指数化工资项"), m2(*indexed)),
                    cx.computed("N".into(), m2(*years)),
                ],
                rounding: form_rounding(cx, f),
                result: m2(*result),
                checks: vec![("basic".into(), m2(*result))],
                table: None,
            }),
            Event::Account { own_balance, joined, balance, divisor, result, resident } => out.push(Step {
                rule: if *resident { "C23".into() } else { "C16".into() },
                document: if *resident { DOC_RESIDENT.into() } else { DOC_38.into() },
                title: cx.t("Account pension", "个人账户养老金"),
                formula: format!("round(balance / divisor, 2) = round({} / {}, 2)", m2(*balance), divisor.normalize()),
                inputs: vec![
                    cx.computed(cx.t("own scheme's account", "本制度账户"), m2(*own_balance)),
                    cx.computed(cx.t("account joined by bridging (C24)", "衔接并入账户(C24)"), m2(*joined)),
                    cx.computed(cx.t("balance", "账户余额"), m2(*balance)),
                    cx.computed(cx.t("divisor", "计发月数"), divisor.normalize().to_string()),
                ],
                rounding: cx.t("0.01, once", "0.01,只舍入一次"),
                result: m2(*result),
                checks: vec![("account".into(), m2(*result)), ("balance".into(), m2(*balance))],
                table: None,
            }),
            Event::Transitional { base, index, years, rate: r, result, deemed: _, form: None } => out.push(Step {
                rule: "C17".into(),
                document: cx.sources.lookup(&cx.region, "transitional_rate", When::Month(cx.pension)).unwrap_or_else(|| "鲁政发〔2006〕92号".into()),
                title: cx.t("Transitional pension", "过渡性养老金"),
                formula: format!("round(round(C × Ī_t, 2) × P × rate, 2) = round(round({} × {}, 2) × {} × {}, 2)", m2(*base), index.normalize(), m2(*years), rate(r.value)),
                inputs: vec![
                    cx.computed("C".into(), m2(*base)),
                    cx.row_input("Ī_t (trans_index, default Ī)".into(), index.normalize().to_string()),
                    cx.row_input("P (pre_account_years)".into(), m2(*years)),
                    cx.param(cx.t("coefficient", "过渡系数"), rate(r.value), *r, &cx.region, "transitional_rate", When::Month(cx.pension)),
                ],
                rounding: cx.t("C × Ī_t and the result to 0.01", "C × Ī_t 与结果各 0.01"),
                result: m2(*result),
                checks: vec![("transitional".into(), m2(*result))],
                table: None,
            }),
            // A provincial form: its own formula, no substituted line (issue 15).
            Event::Transitional { base, index, years, rate: r, result, deemed, form: Some(f) } => out.push(Step {
                rule: format!("C17, {} {}", cx.t("provincial form", "省级计发办法"), f.kind),
                document: f.source.clone(),
                title: cx.t("Transitional pension (provincial form)", "过渡性养老金(省级计发办法)"),
                formula: cx.t(&f.en, &f.zh),
                inputs: vec![
                    cx.computed("C".into(), m2(*base)),
                    cx.row_input("Ī_t (trans_index, default Ī)".into(), index.normalize().to_string()),
                    cx.row_input("P (pre_account_years)".into(), m2(*years)),
                    cx.row_input(cx.t("D (deemed_years)", "D(视同缴费年限)"), deemed.normalize().to_string()),
                    cx.param(cx.t("coefficient", "过渡系数"), rate(r.value), *r, &cx.region, "transitional_rate", When::Month(cx.pension)),
                ],
                rounding: form_rounding(cx, f),
                result: m2(*result),
                checks: vec![("transitional".into(), m2(*result))],
                table: None,
            }),
            Event::Allowance { value } => out.push(Step {
                rule: cx.t("local add-on", "地方补贴"),
                document: cx.sources.lookup(&cx.region, "allowance", When::Month(cx.pension)).unwrap_or_default(),
                title: cx.t("Local monthly allowance", "地方每月补贴"),
                formula: cx.t("the region's allowance in force at the pension month", "领取时地区补贴标准"),
                inputs: vec![cx.param("allowance".into(), m2(value.value), *value, &cx.region, "allowance", When::Month(cx.pension))],
                rounding: String::new(),
                result: m2(value.value),
                checks: vec![("allowance".into(), m2(value.value))],
                table: None,
            }),
            Event::PersonRate { label, when, rate: r, provenance, source } => out.push(Step {
                rule: cx.t("provincial rules [[employee_rules.transitional_rate_if]]", "省级规定 [[employee_rules.transitional_rate_if]]"),
                document: source.clone(),
                title: cx.t("Transitional coefficient for this person", "本人适用的过渡系数"),
                formula: format!("{} {when}", cx.t("the coefficient of", "适用条件")),
                inputs: vec![Input {
                    name: format!("{label} ({when})"),
                    value: rate(*r),
                    provenance: provenance.as_str().to_string(),
                    source: source.clone(),
                }],
                rounding: String::new(),
                result: rate(*r),
                checks: Vec::new(),
                table: None,
            }),
            // The province's local components, each with its rule, condition and source.
            Event::Extras { region, items, result } => {
                let mut inputs = Vec::new();
                if !region.is_zero() {
                    inputs.push(cx.computed(cx.t("region allowance", "地区补贴"), m2(*region)));
                }
                for x in items {
                    let when = if x.when.is_empty() { String::new() } else { format!("; {} {}", cx.t("when", "条件"), x.when) };
                    inputs.push(Input {
                        name: format!("{} ({}{when})", x.label, x.rule),
                        value: m2(x.amount),
                        provenance: x.provenance.as_str().to_string(),
                        source: x.source.clone(),
                    });
                }
                out.push(Step {
                    rule: cx.t("provincial rules [[employee_rules.extra]]", "省级规定 [[employee_rules.extra]]"),
                    document: cx.t("each component's source below", "各项来源见下"),
                    title: cx.t("Local components (in the allowance column)", "地方加发项目(计入 allowance 列)"),
                    formula: cx.t("region allowance + Σ components", "地区补贴 + Σ 加发项目"),
                    inputs,
                    rounding: cx.t("each component to the component rounding (0.01; Shanghai 0.1)", "各项按分项舍入(0.01;上海 0.1)"),
                    result: m2(*result),
                    checks: vec![("allowance".into(), m2(*result))],
                    table: None,
                })
            }
            Event::ResidentYears { known, employee, twelfths, years } => out.push(Step {
                rule: "C21, C24".into(),
                document: DOC_RESIDENT.into(),
                title: cx.t("Resident years", "居民缴费年限"),
                formula: "round(((resident_years + employee years) × 12 + twelfths) / 12, 2)".into(),
                inputs: vec![
                    cx.row_input("resident_years".into(), known.normalize().to_string()),
                    cx.computed(cx.t("employee years counted (C24)", "计入的职工年限(C24)"), m2(*employee)),
                    cx.computed(cx.t("resident twelfths contributed", "新缴居民年数×12"), twelfths.to_string()),
                ],
                rounding: cx.t("0.01", "0.01"),
                result: m2(*years),
                // A resident pension reports the resident minimum of 15 (C21, C26).
                checks: vec![("years".into(), m2(*years)), ("min_years".into(), "15.0".into())],
                table: None,
            }),
            Event::ResidentBasic { national, floor, city, overridden, projection, result } => {
                let mut inputs = Vec::new();
                let region = cx.region.clone();
                // A projected claim uses the amounts of the last dated step (defect 3).
                let at = When::Month(projection.map_or(cx.pension, |p| p.from));
                if *overridden {
                    inputs.push(cx.row_input("resident_basic".into(), m2(*result)));
                }
                if let Some(n) = national {
                    inputs.push(cx.param(cx.t("national minimum", "国家最低标准"), m2(n.value), *n, "national", "resident_minimum", at));
                }
                if let Some(f) = floor {
                    let province = region.split('/').next().unwrap_or(&region).to_string();
                    inputs.push(cx.param(cx.t("province floor (incl. national)", "省级最低标准(含国家)"), m2(f.value), *f, &province, "resident_floor", at));
                }
                if let Some(c) = city {
                    inputs.push(cx.param(cx.t("city add-on", "市级加发"), m2(c.value), *c, &region, "resident_city", at));
                }
                let mut formula = "national + max(province floor − national, 0) + city".to_string();
                if let Some(p) = projection {
                    inputs.push(cx.computed(
                        cx.t(&format!("amount in force at the last dated step {}", p.from), &format!("最后一次定额调整({})时的金额", p.from)),
                        m2(p.dated),
                    ));
                    inputs.push(cx.computed(cx.t("indexation (row, else assumption file)", "年度调整率(行内或假设文件)"), p.indexation.normalize().to_string()));
                    inputs.push(cx.computed(cx.t("January increases to the claim year", "至领取年份的一月调整次数"), p.increases.to_string()));
                    formula = format!("({formula}) at {}, then × (1 + indexation) each January, rounded to 0.01 each time", p.from);
                }
                out.push(Step {
                    rule: "C22".into(),
                    document: DOC_RESIDENT.into(),
                    title: cx.t("Resident basic pension", "居民基础养老金"),
                    formula,
                    inputs,
                    rounding: String::new(),
                    result: m2(*result),
                    checks: vec![("resident_basic".into(), m2(*result))],
                    table: None,
                })
            }
            Event::Bonus { rule: Some(rule), extra, result, .. } => {
                let source = cx.sources.lookup(&cx.region, "resident_bonus", When::Month(cx.pension)).unwrap_or_default();
                let n = |d: &Decimal| d.normalize().to_string();
                let (formula, mut inputs) = match &rule.kind {
                    BonusKind::PerYear(a) => (
                        "round(per_year × ⌊years − 15⌋, 2)".to_string(),
                        vec![Input { name: "per_year".into(), value: m2(*a), provenance: String::new(), source: String::new() }],
                    ),
                    BonusKind::PercentOfBasic(p) => (
                        "round(resident_basic × pct × ⌊years − 15⌋, 2)".to_string(),
                        vec![
                            Input { name: "pct".into(), value: n(p), provenance: String::new(), source: String::new() },
                            cx.computed("resident_basic".into(), m2(rule.basic)),
                        ],
                    ),
                    BonusKind::Graduated(bands) => (
                        "Σ whole years in each band × its per_year".to_string(),
                        vec![Input {
                            name: "bands (up to years: per_year)".into(),
                            value: bands.iter().map(|(u, v)| format!("{}: {}", n(u), n(v))).collect::<Vec<_>>().join(", "),
                            provenance: String::new(),
                            source: String::new(),
                        }],
                    ),
                    BonusKind::Steps(steps) => (
                        "the amount of the highest step whose years are reached".to_string(),
                        vec![Input {
                            name: "steps (from years: amount)".into(),
                            value: steps.iter().map(|(u, v)| format!("{}: {}", n(u), n(v))).collect::<Vec<_>>().join(", "),
                            provenance: String::new(),
                            source: String::new(),
                        }],
                    ),
                };
                let formula = match rule.cap {
                    Some(c) => {
                        inputs.push(Input { name: "cap_pct".into(), value: n(&c), provenance: String::new(), source: String::new() });
                        if !matches!(rule.kind, BonusKind::PercentOfBasic(_)) {
                            inputs.push(cx.computed("resident_basic".into(), m2(rule.basic)));
                        }
                        format!("min({formula}, round(resident_basic × cap_pct, 2))")
                    }
                    None => formula,
                };
                for i in inputs.iter_mut().filter(|i| i.provenance.is_empty()) {
                    i.provenance = rule.provenance.as_str().to_string();
                    i.source = source.clone();
                }
                inputs.push(cx.computed("years".into(), m2(rule.years)));
                inputs.push(cx.computed("⌊years − 15⌋".into(), extra.normalize().to_string()));
                out.push(Step {
                    rule: "C22".into(),
                    document: source,
                    title: cx.t("Long-contribution bonus (长缴多得), the region's rule", "长缴多得加发(地区规则)"),
                    formula,
                    inputs,
                    rounding: "0.01".into(),
                    result: m2(*result),
                    checks: vec![("bonus".into(), m2(*result))],
                    table: None,
                })
            }
            Event::Bonus { per_year, extra, rule: None, result } => out.push(Step {
                rule: "C22".into(),
                document: cx.sources.lookup(&cx.region, "bonus_per_year", When::Month(cx.pension)).unwrap_or_default(),
                title: cx.t("Long-contribution bonus (长缴多得)", "长缴多得加发"),
                formula: "round(bonus_per_year × ⌊years − 15⌋, 2)".into(),
                inputs: vec![
                    cx.param("bonus_per_year".into(), m2(per_year.value), *per_year, &cx.region, "bonus_per_year", When::Month(cx.pension)),
                    cx.computed("⌊years − 15⌋".into(), extra.normalize().to_string()),
                ],
                rounding: "0.01".into(),
                result: m2(*result),
                checks: vec![("bonus".into(), m2(*result))],
                table: None,
            }),
            Event::Total { result } => out.push(Step {
                rule: "C2".into(),
                document: String::new(),
                title: cx.t("Monthly pension", "月养老金合计"),
                formula: cx.t("sum of the rounded components", "各项舍入后相加"),
                inputs: Vec::new(),
                rounding: String::new(),
                result: m2(*result),
                checks: vec![("total".into(), m2(*result))],
                table: None,
            }),
            Event::Ineligible { years, min_years } => out.push(Step {
                rule: "C18, C21".into(),
                document: String::new(),
                title: cx.t("Not eligible", "不符合领取条件"),
                formula: "years < minimum".into(),
                inputs: vec![
                    cx.computed(cx.t("years", "年限"), m2(*years)),
                    cx.computed(cx.t("minimum", "最低年限"), fixed(*min_years, 1)),
                ],
                rounding: String::new(),
                result: cx.t("ineligible: no pension", "不符合条件:无养老金"),
                checks: vec![("status".into(), "ineligible".into())],
                table: None,
            }),
        }
        i += 1;
    }
    person_rate_sources(&mut out);
    out
}

pub(super) fn metric_steps(cx: &Ctx, o: &Outcome, m: &Metrics) -> Vec<Step> {
    if o.status != Status::Ok {
        return Vec::new();
    }
    let opt = |v: Option<Decimal>, dp: usize| v.map(|v| fixed(v, dp)).unwrap_or_default();
    let step = |title: String, formula: String, inputs: Vec<Input>, result: String, column: &str| Step {
        rule: cx.t("metrics", "指标"),
        document: cx.t("definitions in the README (Lifetime metrics)", "定义见 README(终身指标)"),
        title,
        formula,
        inputs,
        rounding: String::new(),
        checks: vec![(column.to_string(), result.clone())],
        result,
        table: None,
    };
    vec![
        step(
        cx.t("Replacement rate", "替代率"),
        "total ÷ last monthly contribution base".into(),
        vec![
            cx.computed("total".into(), m2(o.total)),
            cx.computed(cx.t("last base", "最后缴费基数"), o.last_base.map(m2).unwrap_or_default()),
        ],
        opt(m.replacement_rate, 4),
        "replacement_rate",
    ),
    step(
        cx.t("Replacement rate against the average wage", "相对社平工资替代率"),
        "total ÷ average monthly wage of the retirement year".into(),
        vec![cx.computed(cx.t("average wage", "社平工资"), o.avg_wage_retirement.map(m2).unwrap_or_default())],
        opt(m.replacement_rate_avg, 4),
        "replacement_rate_avg",
    ),
    step(
        cx.t("Break-even age", "回本年龄"),
        cx.t(
            "first month whose payment brings cumulative receipts up to cumulative net own payments (see the path below)",
            "累计领取首次达到累计个人净缴费的月份(见下方路径)",
        ),
        vec![cx.computed("own_paid".into(), m2(o.own_paid))],
        m.breakeven_age.map(|a| Age(a).to_string()).unwrap_or_default(),
        "breakeven_age",
    ),
    step(
        "IRR".into(),
        "(1 + i)^12 − 1, own payments = survival-weighted receipts".into(),
        Vec::new(),
        opt(m.irr, 4),
        "irr",
    ),
    step(
        cx.t("Pension wealth", "养老金财富"),
        "Σ pension × survival × (1 + discount_rate)^(−months/12)".into(),
        Vec::new(),
        opt(m.pension_wealth, 2),
        "pension_wealth",
    ),
    step(
        cx.t("Money's worth", "货币价值比"),
        "pension wealth ÷ own payments accumulated to the pension month".into(),
        Vec::new(),
        opt(m.money_worth, 4),
        "money_worth",
    ),
    step(
        cx.t("Provenance of the row", "本行数据来源等级"),
        cx.t("weakest tag of every value used", "所用数值中最弱的来源等级"),
        Vec::new(),
        m.provenance.max(o.provenance).as_str().to_string(),
        "provenance",
    ),
    ]
}

/// The rounding line of a provincial form: each rounded product and the result to the
/// form's component rounding.
fn form_rounding(cx: &Ctx<'_>, f: &FormText) -> String {
    let unit = Decimal::new(1, f.round.places).to_string();
    let (en, zh) = match f.round.mode {
        RoundMode::HalfAwayFromZero => ("half away from zero", "四舍五入"),
        RoundMode::Up => ("up", "进位"),
        RoundMode::Down => ("down", "舍去"),
    };
    cx.t(&format!("each round(…) to {unit}, {en}"), &format!("每个 round(…) 到 {unit},{zh}"))
}

/// The transitional step after a person's own coefficient (Ningxia intellectuals) cites that
/// coefficient's source and tag, not the region's series it replaced.
fn person_rate_sources(steps: &mut [Step]) {
    let rule = "[[employee_rules.transitional_rate_if]]";
    for k in 0..steps.len() {
        if !steps[k].rule.contains(rule) {
            continue;
        }
        let Some(own) = steps[k].inputs.first().cloned() else { continue };
        if let Some(next) = steps[k + 1..].iter_mut().find(|s| s.checks.iter().any(|(c, _)| c == "transitional")) {
            for input in next.inputs.iter_mut().filter(|x| x.value == own.value && x.provenance == own.provenance) {
                input.source = own.source.clone();
            }
        }
    }
}
