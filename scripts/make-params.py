#!/usr/bin/env python3
"""Generates data/params/<province>.toml (and <province>/<city>.toml overlays) for the 31
provinces from the source tables in data/sources/ (standard library only).

    python3 scripts/make-params.py            # writes the files, prints what it did
    python3 scripts/make-params.py --check    # exits 1 if a committed file differs

The output depends only on the source tables and this script: running it twice gives the
same bytes. Every value carries a provenance tag and a source. What happens to each
quality mark of the source tables:

* pension bases (`pension-bases.csv`, `city-bases.csv`):
  - `official` -> provenance `official`, `reported` -> `reported`;
  - `extrapolated` (推定/占位/外推, 5 %/yr chains, copies of another year) -> left out. The
    model never reads a guessed base as data: before a series' first year a row needs
    `base_at_retirement`; after its last year the base grows by the contract's projection
    rule (C14) and is tagged `projected`.
* average wages (`avg_wage` column): `reported` whatever the row's mark (the source table
  says the column is never authoritative); blanks (synthetic series) are left out; Hunan's
  column is keyed by social-insurance year and is shifted back one year; the 2025 value of
  the eight provinces whose 2025 entry is labelled "2025年度社保缴费基数·2024全口径社平"
  while a separate 2024 value exists is left out (which year it measures is unresolved).
* Heilongjiang: the source table already carries the retirement-year key (its row for
  year Y is the upstream value stored under Y-1), so it is used as is.
* Shandong is hand-kept (data/params/shandong.toml and shandong/{weifang,qingdao,jinan,
  dezhou}.toml carry resident tiers, adjustment rules and cities that the tables do not
  have): this script does not write them and prints where the tables differ from them.
* resident city rows (`resident/basic-pension.csv`, `resident/tiers.csv`) become city
  overlays, the other Shandong cities included (see "resident scheme: cities" below for how
  a stated city total becomes an add-on, and which rows are left out and why);
  shandong/qingzhou.toml is Weifang's file with every value `assumed`.
"""

import csv
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "data", "sources")
OUT = os.path.join(ROOT, "data", "params")

PROVINCES = [
    "anhui", "beijing", "chongqing", "fujian", "gansu", "guangdong", "guangxi", "guizhou",
    "hainan", "hebei", "heilongjiang", "henan", "hubei", "hunan", "jiangsu", "jiangxi", "jilin",
    "liaoning", "neimenggu", "ningxia", "qinghai", "shaanxi", "shandong", "shanghai", "shanxi",
    "sichuan", "tianjin", "xinjiang", "xizang", "yunnan", "zhejiang",
]
HAND_KEPT = {"shandong"}

SHORT_NAME = {
    "广西壮族自治区": "广西", "内蒙古自治区": "内蒙古", "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆", "西藏自治区": "西藏",
}
CITY_NAME = {
    "shenzhen": "深圳", "shenyang": "沈阳", "dalian": "大连", "changchun": "长春",
    "zhengzhou": "郑州", "luoyang": "洛阳", "xinyang": "信阳", "kaifeng": "开封",
    "pingdingshan": "平顶山", "xinxiang": "新乡", "wuhan": "武汉", "yichang": "宜昌",
    "huangshi": "黄石", "shiyan": "十堰", "xiangyang": "襄阳", "enshi": "恩施",
    "jingmen": "荆门", "suizhou": "随州", "qianjiang": "潜江", "xiantao": "仙桃",
    "tianmen": "天门", "ezhou": "鄂州", "xianning": "咸宁", "xiaogan": "孝感",
    "huanggang": "黄冈", "shennongjia": "神农架", "jingzhou": "荆州",
    "haerbin": "哈尔滨", "xining": "西宁",
}
AVG_2025_MISLABELLED = {"anhui", "fujian", "gansu", "jiangsu", "jiangxi", "neimenggu", "ningxia", "zhejiang"}
AVG_SHIFT_BACK = {"hunan"}
# Corrections the source table documents but does not apply (year -> (value, why)).
AVG_CORRECTIONS = {
    ("beijing", 2019): ("8847", "corrected value per rsj.beijing.gov.cn (upstream comment; stored 9262 uncorrected)"),
}

# Pension bases the extraction's README gives but its table does not carry ("Values found
# that upstream lacks", "Internal contradictions"): added or corrected here, each logged.
# Xinjiang 2026 (8744) is called a candidate, not confirmed there, and stays out.
BASE_ADDITIONS = {
    ("neimenggu", 2026): ("8430", "official", "内人社(办)发〔2026〕85号, found by the extraction's verification (the calculator stores the number as its 2025 average wage)"),
    ("xizang", 2026): ("11954", "official", "藏人社发〔2026〕46号, found by the extraction's verification (not in the calculator)"),
    ("shanghai", 2026): ("12577", "reported", "found by the extraction's verification in a third-party compilation, no document number (not in the calculator)"),
    ("guizhou", 2022): ("6797.5", "official", "黔人社通〔2022〕94号: 2021 全口径 81570 / 12 = 6797.5 exactly (the calculator stores 6798)"),
    ("guizhou", 2024): ("7272.25", "official", "黔人社发〔2025〕16号: 2023 全口径 87267 / 12 = 7272.25 exactly (the calculator stores 7272)"),
    ("heilongjiang", 2019): ("4735", "official", "黑人社规〔2018〕22号 (56820 a year ÷ 12) as the calculator's json cites it; its .js holds 4608, below the 2018 base 4645"),
    ("jilin", 2025): ("7322.08", "official", "87865 / 12 per 吉人社联 as published (xxgk.jl.gov.cn); the calculator stores it rounded to 7322"),
}

# Provincial forms of the employee pension, read from province-rules.csv (columns
# transitional_formula, years_rounding, result_rounding, extra_components; quoted in each
# file's `source`). Where the calculator engine and the rule it describes disagree, the
# rule is followed and the choice noted here. Person-specific items carry a condition on
# the scenario's person columns (`when`: family one_child/childless, title senior/
# intermediate, intellectual; the plateau allowance counts `tibet_years`); items that
# depend on facts no column carries (model workers, hardship-area classes, Sichuan's 增发
# rates by condition) are left out (README). `forms_official`: the table holds only such
# person rules, its forms are the national ones (tagged official; each rule has its own
# tag). City keys (`province/city`) make overlays; `drop_extras` removes province items there.
YUNNAN_ONE_CHILD_NOTE = (
    "云劳社〔2002〕76号: one-child parents +5% of the previous year's provincial average pension of enterprise "
    "retirees; the values by year of the average as the province rule table lists them (2021 3158, 2022 3293, "
    "2023 3431, 2024 3553). Conflict: the json keys {2023: 3293, 2025: 3553} (by retirement year, one year later), "
    "and the extraction notes describe the .js as holding 3431 for 2023-2025, i.e. 3431 for 2024 where the rule "
    "table has 3553; the rule table's 3553 is kept. After 2024 the last value grows by the row's indexation "
    "(projected); before 2021 there is no value and nothing is added (said in message)")
EMPLOYEE_RULES = {
    "anhui": {"years": ("1", "up", "years rounded up to 0.1 (只进不退)")},
    "beijing": {"transitional": "two_part"},
    "chongqing": {
        "forms_official": True,
        "extras": [dict(label="独生子女父母 +3%", kind="percent_of_components", pct="0.03", when={"family": "one_child"},
                        note="one-child parents +3% of (basic + account + transitional) as the calculator engine applies it (no document number in the rule table; the json words it \"3% 基础养老金\", which may mean the basic pension alone: unconfirmed)")],
    },
    "fujian": {
        "years_step": "0.5", "transitional_index_floor": "0.75",
        "note": "official half-year step and β floor 0.75 (prose of the rule note; the engine enables neither)",
    },
    "gansu": {
        "extras": [dict(label="调节金", kind="flat_if_deemed_at_least", amount="15", years="15",
                        note="json adjustment_fund; the engine does not wire it")],
        "special_divisor": dict(months="170", note="province rule note: special-type (特殊工种) early retirement uses a 170-month divisor"),
    },
    "guangdong": {
        "note": "new method C × Ī_t × P × 1.2% (Ī_t = trans_index, the 1993 county index D folded in); old method 视同缴费账户 (notional_account) ÷ 120; 2021-2025 old + max(0, new − old − 4 × floor(N)) × share, from 2026 the new method (粤府函〔2021〕294号)",
        "phase_in": dict(rates=[(2021, "0.3"), (2022, "0.5"), (2023, "0.7"), (2024, "0.9"), (2025, "1")], until=2025,
                         note="粤府函〔2021〕294号 phase-in as the rule table gives it: 2021-2025 shares of max(0, new - old - 4 x years); from 2026 the new method"),
        "notional": dict(kind="old_method", divisor="120", deduct="4",
                         note="old method = 视同缴费账户 (notional_account) / 120 (K = 120); the deduction is the 4 x floor(N) of the 调节金"),
        "extras": [dict(label="过渡性调节金 100 + 4 × years", kind="per_whole_year", flat="100", per_year="4",
                        note="粤劳电〔2009〕32号 100 + 粤人社〔2014〕8号 4 × floor(years), paid throughout, also in the 2021-2025 phase-in")],
    },
    "guangdong/shenzhen": {
        "extras": [dict(label="深圳调节金", kind="by_retirement_year",
                        values=[(2021, "250"), (2022, "200"), (2023, "150"), (2024, "50"), (2025, "0")],
                        note="Shenzhen 调节金 by retirement year")],
        # Shenzhen's own transitional system (old indexed wage x enjoyment ratio) is not
        # modelled: Guangdong's notional-account phase-in does not apply to it.
        "drop": ["phase_in", "notional"],
        "note": "Guangdong's new method C × Ī_t × P × 1.2% with 100 + 4 × floor(N) and the Shenzhen 调节金; Shenzhen's own transitional system and Guangdong's notional-account phase-in are not applied",
    },
    "guangxi": {"total_rounding": ("1", "up", "total rounded up to the jiao (见分进角)")},
    "guizhou": {
        "forms_official": True,
        "extras": [dict(label="独生子女父母 +5%", kind="percent_of_components", pct="0.05", when={"family": "one_child"},
                        note="黔劳社厅发〔2006〕20号: one-child parents +5% of (basic + account + transitional) (the calculator engine adds it to everyone once special_addition is enabled; here only to one-child parents, as the rule says)")],
    },
    "hainan": {
        "forms_official": True,
        "extras": [
            dict(label="计划生育奖励金 独生子女父母 +5%", kind="percent_of_components", pct="0.05", when={"family": "one_child"},
                 note="琼府〔2022〕40号: one-child parents +5% of (basic + account + transitional)"),
            dict(label="计划生育奖励金 无子女 +10%", kind="percent_of_components", pct="0.10", when={"family": "childless"},
                 note="琼府〔2022〕40号: childless +10% of (basic + account + transitional)"),
        ],
    },
    "heilongjiang": {
        "years": ("8", "half_away_from_zero", "months/12 exact (benefit sheets)"),
        "extras": [
            dict(label="高级职称 +25", kind="flat", amount="25", when={"title": "senior"},
                 note="json manual item: senior title +25 yuan/month (no document number; the calculator engine adds 0)"),
            dict(label="中级职称 +15", kind="flat", amount="15", when={"title": "intermediate"},
                 note="json manual item: intermediate title +15 yuan/month (no document number; the calculator engine adds 0)"),
        ],
    },
    "heilongjiang/haerbin": {
        "extras": [dict(label="哈尔滨御寒津贴", kind="flat", amount="45",
                        note="json manual item: Harbin 御寒津贴 45 yuan/month (no document number; the calculator engine adds 0)")],
    },
    "henan": {"basic": "province_plus_city_indexed",
              "note": "basic (province C + city C × Ī)/2, transitional on the city base (豫政〔2006〕29号 as applied on benefit sheets)"},
    "henan/zhengzhou": {
        "omitted": [dict(label="郑州过渡性补贴", if_deemed=True,
                         why="郑州市政府令第161号 / 郑劳社〔2007〕36号: [(actual years × P) / (total years × 1%)] × "
                             "(Zhengzhou base / 7933) with P from 附表二 by deemed years (up to a whole year) and "
                             "transitional index (up to 0.1); the sources give only the range of a sparse five-point "
                             "P table (4.62-8.85), not its points, so the subsidy is not computed")],
    },
    "hubei": {"basic": "city_plus_province_indexed",
              "note": "basic (city C + province C × Ī)/2 per the province json; transitional on the city base"},
    "jiangsu": {
        "transitional": "phase_in",
        "phase_in": dict(rates=[(2024, "0.4"), (2025, "0.7"), (2026, "1")], until=None,
                         note="new transitional method effective 2024-01-01 (third-party, rule note); shares of the province json's jiangsu branch: 40% 2024, 70% 2025, 100% from 2026"),
        "note": "old C x average index x deemed x 1.2%, new C x pre-1996 index (trans_index) x deemed x 1.2%; new > old: old + (new - old) x share, else old; before 2024 the old method",
    },
    "jiangxi": {"years": ("8", "half_away_from_zero", "months/12 exact (2-dp years give about 0.2 yuan error on sheets)")},
    "jilin": {
        "basic": "city_plus_province_indexed", "transitional_base": "province",
        "transitional_rate_below": ("20", "0.012"),
        "extras": [dict(label="增发", kind="increment_brackets",
                        brackets=[("20", "25", "0.0015"), ("25", "30", "0.002"), ("30", "100", "0.0025")],
                        note="吉政发〔1998〕28号; brackets on actual years as the rule says (the engine sizes them on total years)")],
    },
    "liaoning": {"transitional": "weighted",
                 "note": "(C + C × Ī)/2 × deemed × 1.4% per the engine (辽劳社发〔2006〕81号); the json's 1.4/1.2% split and 增发 are an unconfirmed alternative"},
    "neimenggu": {"transitional": "index_floor_one"},
    "ningxia": {
        "forms_official": True,
        "rate_if": [dict(label="知识分子过渡系数", when={"intellectual": True}, rate="0.0143",
                         note="coefficient_intellectual 1.43% of the .js (run by the calculator engine); the json says 1.49%: unresolved, the .js value is kept")],
        "extras": [dict(label="知识分子补贴 18.5", kind="flat", amount="18.5", when={"intellectual": True},
                        note="宁政办发〔2006〕126号 as cited: intellectuals 18.5 yuan/month (.js: area 10 + seniority 8.5; json: seniority 10 + area 8.5; same total)")],
    },
    "qinghai": {
        "transitional": "weighted",
        "extras": [
            dict(label="地区附加 (non-Xining)", kind="flat", amount="13", note="青劳社厅发〔2004〕27号: Xining 12, elsewhere 13"),
            dict(label="调节金", kind="by_retirement_year",
                 values=[(2006 + k, str(150 - 15 * k)) for k in range(10)], note="json: 150 for 2006 retirees, -15 a year"),
        ],
    },
    "qinghai/xining": {
        "drop_extras": ["地区附加 (non-Xining)"],
        "extras": [dict(label="地区附加 (西宁)", kind="flat", amount="12", note="青劳社厅发〔2004〕27号: Xining 12, elsewhere 13")],
    },
    "shanghai": {
        "transitional": "deemed_index_one", "basic_years_month_rate": "0.00083",
        "component_rounding": ("1", "half_away_from_zero", "basic, account and transitional each to 0.1 (分进角)"),
        "notional": dict(kind="add", divisor="120",
                         note="虚账实记 part = notional_account / 120 added to the transitional pension (沪人社规〔2021〕32号)"),
        "note": "transitional C × 1.0 × years before 1993 × 1.2% + notional_account ÷ 120 (虚账实记); 当年增加养老金 goes in the allowance column",
    },
    "sichuan": {
        "transitional": "weighted",
        # 增发 by personal condition: named for the rows that claim such a fact.
        "omitted": [dict(label="四川增发养老金", when=w,
                         why="川劳社发〔2006〕18号 pays 增发 = C × Ī × rate × N (+ a fixed amount; childless: the fixed "
                             "amount only) with rates of 0.1%-0.4% and more by personal condition (one child, work "
                             "before 2005, hardship area, model worker, title); the sources give no rate per "
                             "condition, so it is not computed")
                    for w in ({"family": "one_child"}, {"family": "childless"}, {"title": "senior"},
                              {"title": "intermediate"})],
    },
    "xinjiang": {"extras": [dict(label="冬季取暖补贴", kind="flat", amount="120", note="新政办发〔2010〕167号")]},
    "xizang": {
        "extras": [
            dict(label="高原津贴", kind="indexed_wage_pct", bands=[("10", "0.05"), ("15", "0.10"), ("20", "0.15")],
                 band_years="tibet_years",
                 note="C × Ī × 5/10/15% for 10/15/20 years worked in Tibet (the row's tibet_years; when empty, the total years N)"),
            dict(label="二类区 交通 30 + 取暖 39.88 + 过渡性福利 260", kind="flat", amount="329.88", provenance="assumed",
                 note="category-2 area amounts; the person's area category is not an input"),
        ],
    },
    "yunnan": {
        "forms_official": True,
        "extras": [dict(label="独生子女父母 5% 上年全省平均养老金", kind="percent_of_series", pct="0.05", when={"family": "one_child"},
                        series=[(2021, "3158"), (2022, "3293"), (2023, "3431"), (2024, "3553")], note=YUNNAN_ONE_CHILD_NOTE)],
    },
    "zhejiang": {
        "total_rounding": ("1", "up", "total rounded up to the jiao (见分进角)"),
        "extras": [
            dict(label="基本养老金补贴", kind="flat", amount="150", note="浙人社发〔2011〕146号"),
            dict(label="过渡调节金 480 + Ī × N × 3", kind="index_years", flat="480", per_index_year="3", note="浙人社发〔2018〕102号"),
        ],
    },
}


def rule_lines(key, rule_row, spec):
    """The [employee_rules] table (and a [rounding] override) of a region."""
    if not spec:
        return []
    src = "province rule table: " + "; ".join(
        clean(rule_row[k])[:220] for k in ("transitional_formula", "years_rounding", "result_rounding") if rule_row.get(k))
    if spec.get("note"):
        src = spec["note"] + " | " + src
    out = [""]
    if "years" in spec:
        places, mode, why = spec["years"]
        out += [f"# Years (C12): {why}.", "[rounding]", f'source = {q(why)}', 'provenance = "reported"',
                f'years = {{ places = {places}, mode = "{mode}" }}', ""]
    if spec.get("forms_official"):
        src = ("national forms (C15, C17; 国发〔2005〕38号); the rules below depend on facts of the person "
               "and carry their own provenance | " + src)
    out += ["# Provincial forms of the employee pension (model::provincial).", "[employee_rules]",
            f'provenance = "{"official" if spec.get("forms_official") else "reported"}"', f"source = {q(src)}"]
    for k in ("basic", "transitional", "transitional_base", "years_step", "transitional_index_floor", "basic_years_month_rate"):
        if k in spec:
            out.append(f"{k} = {q(spec[k])}")
    if "transitional_rate_below" in spec:
        y, r = spec["transitional_rate_below"]
        out.append(f"transitional_rate_below = {{ years = {q(y)}, rate = {q(r)} }}")
    for k in ("component_rounding", "total_rounding"):
        if k in spec:
            places, mode, _ = spec[k]
            out.append(f'{k} = {{ places = {places}, mode = "{mode}" }}')
    if "phase_in" in spec:
        ph = spec["phase_in"]
        rates = ", ".join(f"{{ year = {y}, rate = {q(r)} }}" for y, r in ph["rates"])
        until = f", until = {ph['until']}" if ph.get("until") else ""
        out.append(f'phase_in = {{ rates = [{rates}]{until}, provenance = "reported", source = {q(ph["note"])} }}')
    if "notional" in spec:
        n = spec["notional"]
        deduct = f", deduct_per_whole_year = {q(n['deduct'])}" if "deduct" in n else ""
        out.append(f'notional = {{ kind = {q(n["kind"])}, divisor = {q(n["divisor"])}{deduct}, source = {q(n["note"])} }}')
    if "special_divisor" in spec:
        d = spec["special_divisor"]
        out.append(f'special_divisor = {{ months = {q(d["months"])}, provenance = "reported", source = {q(d["note"] + " | notes: " + clean(rule_row["notes"])[:200])} }}')
    for o in spec.get("omitted", []):
        out += ["", "[[employee_rules.omitted]]", f"label = {q(o['label'])}", f"why = {q(o['why'])}",
                f"if_deemed = {'true' if o.get('if_deemed') else 'false'}"]
        if "when" in o:
            out.append(f"when = {when_toml(o['when'])}")
    for e in spec.get("extras", []):
        out += ["", "[[employee_rules.extra]]", f"label = {q(e['label'])}", f"kind = {q(e['kind'])}"]
        for k in ("amount", "years", "flat", "per_year", "per_index_year", "pct", "band_years"):
            if k in e:
                out.append(f"{k} = {q(e[k])}")
        if "when" in e:
            out.append(f"when = {when_toml(e['when'])}")
        if "series" in e:
            out.append("series = [")
            for y, v in e["series"]:
                out.append(f'  {{ year = {y}, value = {q(v)}, provenance = "reported", source = '
                           f'{q("province rule table extra_components (" + clean(rule_row["extra_components"])[:120] + ")")} }},')
            out.append("]")
        if "bands" in e:
            out.append("bands = [" + ", ".join(f"{{ years = {q(y)}, pct = {q(p)} }}" for y, p in e["bands"]) + "]")
        if "brackets" in e:
            out.append("brackets = [" + ", ".join(f"{{ from = {q(a)}, to = {q(b)}, rate = {q(r)} }}" for a, b, r in e["brackets"]) + "]")
        if "values" in e:
            out.append("values = [" + ", ".join(f"{{ year = {y}, amount = {q(a)} }}" for y, a in e["values"]) + "]")
        out.append(f"provenance = {q(e.get('provenance', 'reported'))}")
        out.append(f"source = {q(e['note'] + ' | extra_components: ' + clean(rule_row['extra_components'])[:200])}")
    for r in spec.get("rate_if", []):
        out += ["", "[[employee_rules.transitional_rate_if]]", f"label = {q(r['label'])}",
                f"when = {when_toml(r['when'])}", f"rate = {q(r['rate'])}", 'provenance = "reported"',
                f"source = {q(r['note'] + ' | transitional_coefficient: ' + clean(rule_row['transitional_coefficient']))}"]
    log(f"{key}: employee rules " + ", ".join(k for k in spec if k != "note")
        + "".join(f"; {e['label']} when {e['when']}" for e in spec.get("extras", []) if "when" in e))
    return out


def when_toml(w):
    """A condition on the person's facts as an inline TOML table."""
    return "{ " + ", ".join(f"{k} = {'true' if v is True else 'false' if v is False else q(v)}" for k, v in w.items()) + " }"

# ---------------------------------------------------------------- resident scheme
# Resident rules read from data/sources/resident/ (basic-pension.csv free-text columns
# turned into rule kinds here; each cites the row it comes from).
RESIDENT_PROVINCE = {  # source-table name -> pinyin
    "Anhui": "anhui", "Fujian": "fujian", "Gansu": "gansu", "Guangdong": "guangdong", "Guangxi": "guangxi",
    "Guizhou": "guizhou", "Hebei": "hebei", "Henan": "henan", "Hubei": "hubei", "Hunan": "hunan",
    "Jiangsu": "jiangsu", "Jiangxi": "jiangxi", "Ningxia": "ningxia", "Shaanxi": "shaanxi", "Shandong": "shandong",
    "Shanghai": "shanghai", "Sichuan": "sichuan", "Yunnan": "yunnan", "Zhejiang": "zhejiang", "Beijing": "beijing",
    "Qinghai": "qinghai", "Shanxi": "shanxi",
}
# 长缴多得 rules by province (from basic-pension.csv `long_contribution_bonus`).
RESIDENT_BONUS = {
    "qinghai": dict(kind="per_year", per_year="10", from_="2019-01", match="+10/month per year beyond 15"),
    "shanxi": dict(kind="per_year", per_year="1", from_="2019-01", match="+1/month per year beyond 15"),
    "guangdong": dict(kind="per_year", per_year="3", from_="2020-01", match=">=3/month per year beyond 15"),
    "jiangxi": dict(kind="percent_of_basic", pct="0.02", from_="2014-01", match="+2% of basic pension per year beyond 15"),
    "hubei": dict(kind="graduated", bands=[("15", "1"), ("25", "2"), ("100", "3")], from_="2023-01",
                  match="years <=15: >=1/month per year"),
}
# Age top-ups (basic-pension.csv `age_bonus`); Shandong's is in its hand-kept file.
RESIDENT_AGE = {
    "qinghai": dict(from_="2019-01", bands=[(65, "5")], match="65+: +5"),
    "shanxi": dict(from_="2019-01", bands=[(65, "5")], match="65+: +5 (minimum)"),
    "guangxi": dict(from_="2018-07", bands=[(65, "5")], match="65+: +5 (regional rule)"),
}
# 代缴 amounts (tiers.csv `hardship_daijiao`, floors taken as the amount).
NATIONAL_TIERS = ["100", "200", "300", "400", "500", "600", "700", "800", "900", "1000", "1500", "2000"]


def floor_subsidy(tier):
    return "60" if float(tier) >= 500 else "30"


def province_floors(basic_rows):
    """The provincial basic pension (incl. the national minimum) by effective month, from the
    province-wide rows: [(month, value, provenance, source)]."""
    floors = []
    for r in basic_rows:
        if r["city"].strip() or not r["provincial_basic_total"].strip():
            continue
        f = r["effective_from"].strip()
        month = f if len(f) == 7 else f + "-01"
        prov = r["quality"]
        why = clean(r["source_title"]) + "; " + r["url"].strip()
        if "low confidence" in (r["notes"] or "").lower():
            prov = "assumed"
            why += "; low confidence (self-media), conflicting page"
        floors.append((month, num(r["provincial_basic_total"]), prov, why))
    return sorted(floors)


def resident_lines(p, basic_rows, tier_rows):
    out = []
    # Provincial basic pension (incl. the national minimum), by effective month.
    floors = province_floors(basic_rows)
    if floors:
        out += ["", "# 省定居民基础养老金 (national minimum included), yuan/month (C22); the province part",
                "# is this minus the national minimum in force.", "[resident_floor]", "values = ["]
        for m, v, prov, why in floors:
            out.append(f"  {{ from = {q(m)}, value = {q(v)}, provenance = {q(prov)}, source = {q(why)} }},")
        out.append("]")
        log(f"{p} resident: basic pension {len(floors)} step(s) " + ", ".join(f"{m} {v} ({pr})" for m, v, pr, _ in floors))
    # Tier tables (province-wide rows); blank subsidies get the national floors, `assumed`.
    groups = defaultdict(list)
    for r in tier_rows:
        if not r["city"].strip():
            groups[r["effective_from"].strip()].append(r)
    tables = []
    for f, rows in sorted(groups.items()):
        month = f if len(f) == 7 else f + "-01"
        rows = sorted(rows, key=lambda r: float(r["tier"]))
        prov = rows[0]["quality"]
        blanks = [r["tier"] for r in rows if not r["subsidy"].strip()]
        tiers = [(num(r["tier"]), num(r["subsidy"]) if r["subsidy"].strip() else floor_subsidy(r["tier"])) for r in rows]
        why = clean(rows[0]["source_title"]) + "; " + rows[0]["url"].strip()
        if blanks:
            prov = "assumed"
            why += f"; subsidies of tiers {', '.join(blanks)} not in the source: national floors (30; 60 from 500) assumed"
        if p == "henan":
            # 16 tiers 100..5000 'not enumerated': the national tiers plus 5000, at the floors.
            tiers = [(t, floor_subsidy(t)) for t in NATIONAL_TIERS] + [("5000", "60")]
            prov = "assumed"
            why += "; tiers not enumerated in the source: the national tiers and 5000 at the stated floors"
        daijiao = [r["hardship_daijiao"].strip().lstrip(">=") for r in rows if r["hardship_daijiao"].strip()]
        tables.append((month, prov, why, tiers, daijiao[0] if daijiao else None))
    if tables and tables[0][0] > "2014-01":
        # Years before the province's first table: the national framework (国发〔2014〕8号).
        tables.insert(0, ("2014-01", "assumed", "国发〔2014〕8号 tiers at the subsidy floors (30; 60 from 500): the province's table before "
                          + tables[0][0] + " is not in the sources", [(t, floor_subsidy(t)) for t in NATIONAL_TIERS], None))
    for month, prov, why, tiers, _ in tables:
        out += ["", "[[resident_tiers]]", f"from = {q(month)}", f"provenance = {q(prov)}", f"source = {q(why)}", "tiers = ["]
        out += ["  " + ", ".join(f'{{ tier = {q(t)}, subsidy = {q(sb)} }}' for t, sb in tiers[i:i + 4]) + "," for i in range(0, len(tiers), 4)]
        out.append("]")
        log(f"{p} resident: tiers from {month} ({prov}): {len(tiers)} tiers")
    if not tables:
        log(f"{p} resident: no usable tier table: the national framework tiers at the subsidy floors apply (assumed)")
    dj = [(m, d, pr, w) for m, pr, w, _, d in tables if d]
    if dj:
        out += ["", "# 代缴 for hardship groups (C19), yuan/year (a floor in the source, taken as the amount).",
                "[hardship_amount]", "values = ["]
        for m, d, pr, w in dj:
            out.append(f"  {{ from = {q(m)}, value = {q(num(d))}, provenance = {q(pr)}, source = {q(w)} }},")
        out.append("]")
    b = RESIDENT_BONUS.get(p)
    if b:
        row = next(r for r in basic_rows if b["match"] in r["long_contribution_bonus"])
        out += ["", "# 长缴多得 (C22): the province's rule kind.", "[resident_bonus]", f"kind = {q(b['kind'])}",
                f"from = {q(b['from_'])}"]
        if "per_year" in b:
            out.append(f"per_year = {q(b['per_year'])}")
        if "pct" in b:
            out.append(f"pct = {q(b['pct'])}")
        if "bands" in b:
            out.append("bands = [" + ", ".join(f"{{ upto = {q(u)}, per_year = {q(v)} }}" for u, v in b["bands"]) + "]")
        out.append(f"provenance = {q(row['quality'])}")
        out.append(f"source = {q(clean(row['source_title']) + '; ' + row['url'].strip() + ': ' + clean(row['long_contribution_bonus']))}")
        log(f"{p} resident: 长缴多得 {b['kind']} from {b['from_']} ({row['quality']})")
    a = RESIDENT_AGE.get(p)
    if a:
        row = next(r for r in basic_rows if a["match"] in r["age_bonus"])
        out += ["", "# Age top-ups of the resident basic pension, paid in the yearly path.", "[resident_age_topup]",
                f"from = {q(a['from_'])}",
                "bands = [" + ", ".join(f"{{ age = {g}, amount = {q(v)} }}" for g, v in a["bands"]) + "]",
                f"provenance = {q(row['quality'])}",
                f"source = {q(clean(row['source_title']) + '; ' + row['url'].strip() + ': ' + clean(row['age_bonus']))}"]
        log(f"{p} resident: age top-up {a['bands']} from {a['from_']} ({row['quality']})")
    return out

# ---------------------------------------------------------------- resident scheme: cities
# City rows of data/sources/resident/ (basic-pension.csv, tiers.csv) become city overlays
# `<province>/<city>.toml`. Shandong's Weifang, Qingdao, Jinan and Dezhou files are kept by
# hand (the script prints what the tables say for them); the other Shandong cities are
# generated like every other province's, and Qingzhou is generated from the Weifang file.
#
# A source that gives only a city TOTAL at a date becomes the city add-on (`resident_city`):
#   add-on = stated total − (national + provincial) in force at that date in our data,
# i.e. total − max(national minimum, provincial floor), as the model adds them (C22). The
# add-on holds until the city's next step: when the province or the nation raises its
# amount later, the city keeps its add-on on top (Weifang 152 → 162 = provincial 150 → 160
# + 2). Its provenance is the weakest of the inputs (the city total, the provincial floor,
# and the national minimum where it is the binding part); where the provincial figure at
# that date is not in our data (no provincial floor in force, or the national minimum
# stepped after the province's last step, so the provincial figure of that date is
# unknown) the add-on is `assumed` and its source says so. A negative add-on is never
# written: the row is left out and reported.
SHANDONG_HAND_KEPT_CITIES = {"weifang", "qingdao", "jinan", "dezhou"}
RANK = {"official": 0, "reported": 1, "provisional": 2, "projected": 3, "assumed": 4}

# (source province, source city) -> (region key, Chinese name, what the row's figures cover).
CITY_KEYS = {
    ("Shandong", "Weifang"): ("shandong/weifang", "潍坊", ""),
    ("Shandong", "Qingdao"): ("shandong/qingdao", "青岛", ""),
    ("Shandong", "Rizhao"): ("shandong/rizhao", "日照", ""),
    ("Shandong", "Liaocheng"): ("shandong/liaocheng", "聊城", ""),
    ("Shandong", "Zibo"): ("shandong/zibo", "淄博", ""),
    ("Shandong", "Yantai"): ("shandong/yantai", "烟台", ""),
    ("Shandong", "Jining"): ("shandong/jining", "济宁", ""),
    ("Shandong", "Weihai Rongcheng"): ("shandong/rongcheng", "荣成", "Rongcheng, a county-level city under Weihai"),
    ("Shandong", "Rongcheng (Weihai)"): ("shandong/rongcheng", "荣成", "Rongcheng, a county-level city under Weihai"),
    ("Henan", "Jiaozuo"): ("henan/jiaozuo", "焦作", ""),
    ("Henan", "Jiaozuo (4 urban districts + demo zone)"): (
        "henan/jiaozuo", "焦作", "the urban districts' amount (Mengzhou and Qinyang 140, the four counties 138: not modelled)"),
    ("Henan", "Zhengzhou"): ("henan/zhengzhou", "郑州", ""),
    ("Henan", "Kaifeng"): ("henan/kaifeng", "开封", ""),
    ("Guangdong", "Zhongshan"): ("guangdong/zhongshan", "中山", ""),
    ("Guangdong", "Yangjiang"): ("guangdong/yangjiang", "阳江", ""),
    ("Guangdong", "Guangzhou"): ("guangdong/guangzhou", "广州", ""),
    ("Guangdong", "Foshan"): ("guangdong/foshan", "佛山", ""),
    ("Jiangsu", "Nanjing"): ("jiangsu/nanjing", "南京", ""),
    ("Jiangsu", "Yangzhou"): ("jiangsu/yangzhou", "扬州", ""),
    ("Zhejiang", "Quzhou"): ("zhejiang/quzhou", "衢州", ""),
    ("Zhejiang", "Lishui"): ("zhejiang/lishui", "丽水", ""),
    ("Zhejiang", "Hangzhou (main urban area)"): ("zhejiang/hangzhou", "杭州", "the main urban area's amount"),
    ("Zhejiang", "Jinhua"): ("zhejiang/jinhua", "金华", ""),
    ("Anhui", "Anqing"): ("anhui/anqing", "安庆", "the urban districts' amount (counties 110: not modelled)"),
    ("Anhui", "Hefei"): ("anhui/hefei", "合肥", ""),
    ("Anhui", "Xuancheng Xuanzhou District"): (
        "anhui/xuancheng", "宣城", "Xuanzhou District, the city's only district (the city proper); its counties are not modelled"),
    ("Anhui", "Huainan"): ("anhui/huainan", "淮南", ""),
    ("Fujian", "Fuzhou"): ("fujian/fuzhou", "福州", ""),
    ("Fujian", "Xiamen"): ("fujian/xiamen", "厦门", "residents with 5 or more years of Xiamen hukou (130 for fewer: not modelled)"),
    ("Guangxi", "Wuzhou"): ("guangxi/wuzhou", "梧州", ""),
    ("Shaanxi", "Ankang"): ("shaanxi/ankang", "安康", ""),
    ("Shaanxi", "Xianyang"): ("shaanxi/xianyang", "咸阳", ""),
}
# Places that are not regions of the model (districts, counties), with the reason.
CITY_LEFT_OUT = {
    ("Shandong", "Weihai Wendeng"): "Wendeng is a district of Weihai (文登区 since 2014) and its only figure (120 from "
        "2017-01) falls in a gap of the provincial series (75 from 2014-05, next 118 from 2018-01): an add-on derived "
        "there (45) would count the province's later rises twice",
    ("Shandong", "Liaocheng Dongchangfu District"): "a district; its 168 -> 188 of 2024-07 implements the provincial "
        "188, which the province file already has",
    ("Hunan", "Xiangyin County (Yueyang)"): "a county, not a city; its table equals Hengyang's of 2021 and looks like "
        "a Hunan provincial floor, which no source states",
    ("Gansu", "Tianshui Maiji District"): "one of Tianshui's two districts, not the city",
    ("Jiangsu", "Huai'an Qingjiangpu District"): "one of Huai'an's districts, not the city",
}
# Dates read differently from the row, with the reason.
CITY_DATE = {
    ("Shandong", "Weihai Rongcheng", "2023"): ("2023-12", "year approximate in the source: dated by the page (2023-12), "
                                               "when 172 was in force"),
}
# Tier tables left out, with the reason; tables dated here.
CITY_TIERS_LEFT_OUT = {
    ("Shandong", "Weifang", ""): "undated historical table (before 2015; 500+ subsidy 30 -> 60)",
    ("Shandong", "Weifang", "2019-01"): "hand-kept file: the 2019 subsidies are applied to the tier list the 2025 "
        "report confirms (README)",
    ("Shandong", "Qingdao", "2017-01"): "hand-kept file: Qingdao keeps the Shandong tier list (350 ... 8000) in use; "
        "the 2017 (100 ... 5000) and 2021 (100 ... 12000) lists have no 350 tier (README)",
    ("Shandong", "Qingdao", "2021"): "hand-kept file: the 2021 list has no subsidies and no 350 tier; only its 代缴 500 "
        "is kept (README)",
    ("Shandong", "Rongcheng (Weihai)", "2023"): "tier list incomplete (tiers between 800 and 8000 not enumerated)",
    ("Shandong", "Jining", "2015-01"): "subsidy floors for tier ranges, not a tier list (same as the provincial floors)",
    ("Shandong", "Jining", "2019-01"): "subsidy floors for tier ranges, not a tier list (same as the provincial floors)",
    ("Guangdong", "Foshan", ""): "undated, monthly payments, tier list differs from the 2020 provincial list (pre-2020)",
    ("Zhejiang", "Hangzhou (main urban area)", "2015-01"): "a draft (征求意见稿), not the adopted table",
}
CITY_TIERS_DATE = {
    ("Zhejiang", "Jinhua", ""): ("2020-01", "assumed", "undated page (2022-11); an unnamed-city page with identical "
                                 "wording says the 6-tier scheme started 2020"),
}
# 长缴多得 rules of cities (basic-pension.csv `long_contribution_bonus`; `match` must be in it).
CITY_BONUS = {
    "shandong/jining": dict(kind="steps", steps=[("16", "20"), ("20", "30"), ("25", "40")], from_="2014-01",
                            match="16-19 yrs: +20; 20-24: +30; 25+: +40"),
    "shandong/rongcheng": dict(kind="per_year", per_year="2", from_="2023-12",
                               match="+2/month per contribution year beyond 15"),
    "anhui/hefei": dict(kind="per_year", per_year="2", cap="0.1", from_="2021-01", match="(cap 10% per source)",
                        prov="assumed", why="2 a year from the 2021 page; the 10% ceiling only on a low-confidence "
                        "2025 aggregator page (an older source also gives 1% a year capped at 10%), taken from 2021"),
    "anhui/xuancheng": dict(kind="per_year", per_year="2", from_="2024-12", match="+2/month per year beyond 15"),
}
# A flat amount per year beyond 15 that changed on a date (`bonus_per_year` series).
CITY_BONUS_SERIES = {
    "henan/zhengzhou": dict(match="2 -> 3/month per year beyond 15", steps=[
        ("2014-01", "2", "assumed", "the amount before 2018 (its start is not in the source; 2014 taken)"),
        ("2018-01", "3", None, "applies to participants from before 2014; those joining later follow the provincial "
         "rule, which no source gives (anyone with more than 15 years before 2029 joined before 2014)"),
    ]),
}
# Age top-ups of cities (basic-pension.csv `age_bonus`; `match` must be in it).
CITY_AGE = {
    "shandong/liaocheng": dict(from_="2019-01", bands=[(65, "5"), (75, "10")], match="65-74: +5; 75+: +10"),
    "shandong/rongcheng": dict(from_="2023-12", bands=[(65, "5"), (75, "10")], match="65-74: +5; 75+: +10"),
    "guangdong/zhongshan": dict(from_="2020-01", bands=[(65, "10"), (70, "15"), (75, "20"), (80, "25"), (85, "30")],
                                match="65: +10; 70: +15", prov="assumed",
                                why="date not stated: taken from the Guangdong 2020-01 rules that introduced the 65+ extra"),
    "jiangsu/nanjing": dict(from_="2019-07", bands=[(65, "5"), (70, "10"), (75, "20"), (80, "30")],
                            match="from 2019-07: 65-69 +5"),
    "zhejiang/quzhou": dict(from_="2020-01", bands=[(65, "5")], match="65+: +5"),
    "zhejiang/lishui": dict(from_="2020-01", bands=[(65, "5")], match="65+: +5 (185)"),
    "anhui/hefei": dict(from_="2025-01", bands=[(65, "2"), (80, "4")], match="65-79: +2; 80+: +4", prov="assumed",
                        why="low-confidence aggregator page"),
}
# Age rules that repeat the province's (the city inherits it; nothing written).
CITY_AGE_INHERITED = {"guangxi/wuzhou": "65+: +5 (regional rule)"}


def month_of(f):
    f = f.strip()
    return f if len(f) == 7 else f + "-01"


def step_in_force(steps, month):
    """The (month, value, provenance, source) in force at `month`, or None."""
    found = None
    for s in steps:
        if s[0] <= month:
            found = s
    return found


def weakest(*tags):
    return max(tags, key=lambda t: RANK[t])


def read_steps(path, key):
    """[(from, value, provenance, source)] of a `{ values = [...] }` table of a hand-kept file."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^\[" + re.escape(key) + r"\]\s*\nvalues = \[\n(.*?)^\]", text, re.S | re.M)
    if not m:
        return []
    out = []
    for line in m.group(1).splitlines():
        e = re.search(r'from = "([^"]+)", value = "([^"]+)",\s*provenance = "([^"]+)",\s*source = "((?:[^"\\]|\\.)*)"', line)
        if e:
            out.append(e.groups())
    return out


def derive_addon(key, r, month, national, floors):
    """(add-on, provenance, explanation) of a city total at `month`, or (None, None, why)."""
    total = float(r["local_total"])
    nat = step_in_force(national, month)
    fl = step_in_force(floors, month)
    base, inputs, parts = float(nat[1]), [r["quality"]], [f"national {nat[1]} ({nat[0]})"]
    unknown = None
    if fl is None:
        unknown = "no provincial figure in force at that date in our data: the national minimum only"
        inputs.append(nat[2])
    else:
        parts.append(f"provincial {fl[1]} ({fl[0]}, {fl[2]})")
        if float(fl[1]) >= base:
            base = float(fl[1])
            inputs.append(fl[2])
        else:
            inputs.append(nat[2])
        if fl[0] < nat[0]:
            unknown = (f"the provincial figure at that date is not in our data (its last step {fl[0]} is before the "
                       f"national step of {nat[0]})")
    addon = total - base
    prov = weakest(*inputs)
    if unknown:
        prov = "assumed"
    if "low confidence" in (r["notes"] or "").lower():
        prov = "assumed"
    text = num(f"{addon:.2f}")
    why = (f"{clean(r['source_title'])}; {r['url'].strip() or 'no URL'}: total {num(r['local_total'])} from {month}"
           f" minus {' / '.join(parts)} in force = {text}")
    if unknown:
        why += "; " + unknown + " (assumed)"
    if "low confidence" in (r["notes"] or "").lower():
        why += "; low-confidence source"
    if addon < 0:
        return None, None, why
    return text, prov, why


def city_resident(p, key, zh, rows_basic, rows_tiers, national, floors):
    """The resident lines of a city overlay and a log of what was done."""
    out = []
    addons = []
    for r, cover in rows_basic:
        if not r["local_total"].strip():
            continue
        f = r["effective_from"].strip()
        if not f:
            log(f"{key} resident: total {num(r['local_total'])} left out: no date ({clean(r['notes'])[:80]})")
            continue
        month = month_of(f)
        date_fix = CITY_DATE.get((r["province"], r["city"], f))
        if date_fix:
            month = date_fix[0]
        v, prov, why = derive_addon(key, r, month, national, floors)
        if date_fix:
            why += "; " + date_fix[1]
            prov = "assumed"
        if cover:
            why += "; " + cover
        if v is None:
            log(f"{key} resident: total {num(r['local_total'])} from {month} left out: NEGATIVE add-on ({why})")
            continue
        addons.append((month, v, prov, why))
        log(f"{key} resident: total {num(r['local_total'])} from {month} -> city add-on {v} ({prov})")
        if r["city_extra"].strip() and num(r["city_extra"]) != v:
            log(f"{key} resident: the source's city_extra {num(r['city_extra'])} differs from the derived {v}")
    addons.sort()
    if addons:
        out += ["", "# City add-on above national + provincial (C22), yuan/month: the city's stated total minus the",
                "# national and provincial amounts in force at its date; kept until the city's next step.",
                "[resident_city]", "values = ["]
        for m, v, prov, why in addons:
            out.append(f"  {{ from = {q(m)}, value = {q(v)}, provenance = {q(prov)}, source = {q(why)} }},")
        out.append("]")
    # Tier tables.
    groups = defaultdict(list)
    for r in rows_tiers:
        groups[(r["province"], r["city"], r["effective_from"].strip())].append(r)
    tables = []
    for g, rows in sorted(groups.items(), key=lambda kv: kv[0][2]):
        if g in CITY_TIERS_LEFT_OUT:
            log(f"{key} resident: tiers {g[2] or 'undated'} ({len(rows)} rows) left out: {CITY_TIERS_LEFT_OUT[g]}")
            continue
        rows = sorted(rows, key=lambda r: float(r["tier"]))
        prov = rows[0]["quality"]
        why = clean(rows[0]["source_title"]) + "; " + rows[0]["url"].strip()
        if g in CITY_TIERS_DATE:
            month, prov, reason = CITY_TIERS_DATE[g]
            why += "; " + reason
        elif not g[2]:
            log(f"{key} resident: tiers undated ({len(rows)} rows) left out: no date")
            continue
        else:
            month = month_of(g[2])
        blanks = [r["tier"] for r in rows if not r["subsidy"].strip()]
        tiers = [(num(r["tier"]), num(r["subsidy"]) if r["subsidy"].strip() else floor_subsidy(r["tier"])) for r in rows]
        if blanks:
            prov = "assumed"
            why += f"; subsidies of tiers {', '.join(blanks)} not in the source: national floors (30; 60 from 500) assumed"
        dj = [r["hardship_daijiao"].strip().lstrip(">=") for r in rows if r["hardship_daijiao"].strip()]
        tables.append((month, prov, why, tiers, dj[0] if dj else None))
        log(f"{key} resident: tiers from {month} ({prov}): {len(tiers)} tiers"
            + (f", 代缴 {num(dj[0])}" if dj else "") + (f"; blank subsidies {len(blanks)} -> floors" if blanks else ""))
    for month, prov, why, tiers, _ in tables:
        out += ["", "[[resident_tiers]]", f"from = {q(month)}", f"provenance = {q(prov)}", f"source = {q(why)}", "tiers = ["]
        out += ["  " + ", ".join(f'{{ tier = {q(t)}, subsidy = {q(sb)} }}' for t, sb in tiers[i:i + 4]) + ","
                for i in range(0, len(tiers), 4)]
        out.append("]")
    dj = [(m, d, pr, w) for m, pr, w, _, d in tables if d]
    if dj:
        out += ["", "# 代缴 for hardship groups (C19), yuan/year (a floor in the source, taken as the amount).",
                "[hardship_amount]", "values = ["]
        for m, d, pr, w in dj:
            out.append(f"  {{ from = {q(m)}, value = {q(num(d))}, provenance = {q(pr)}, source = {q(w)} }},")
        out.append("]")
    allrows = [r for r, _ in rows_basic]
    bs = CITY_BONUS_SERIES.get(key)
    if bs:
        row = next(r for r in allrows if bs["match"] in r["long_contribution_bonus"])
        src = clean(row["source_title"]) + "; " + row["url"].strip() + ": " + clean(row["long_contribution_bonus"])
        out += ["", "# 长缴多得 per whole year beyond 15 (C22), yuan/month, by date.", "[bonus_per_year]", "values = ["]
        for m, v, prov, why in bs["steps"]:
            out.append(f"  {{ from = {q(m)}, value = {q(v)}, provenance = {q(prov or row['quality'])}, source = {q(src + '; ' + why)} }},")
        out.append("]")
        log(f"{key} resident: 长缴多得 per year " + ", ".join(f"{m} {v}" for m, v, *_ in bs["steps"]))
    b = CITY_BONUS.get(key)
    if b:
        row = next(r for r in allrows if b["match"] in r["long_contribution_bonus"])
        prov = b.get("prov", row["quality"])
        src = clean(row["source_title"]) + "; " + row["url"].strip() + ": " + clean(row["long_contribution_bonus"])
        if b.get("why"):
            src += "; " + b["why"]
        out += ["", "# 长缴多得 (C22): the city's rule kind; it replaces the province's from its date.", "[resident_bonus]",
                f"kind = {q(b['kind'])}", f"from = {q(b['from_'])}"]
        if "per_year" in b:
            out.append(f"per_year = {q(b['per_year'])}")
        if "steps" in b:
            out.append("steps = [" + ", ".join(f"{{ years = {q(y)}, amount = {q(a)} }}" for y, a in b["steps"]) + "]")
        if "cap" in b:
            out.append(f"cap_pct = {q(b['cap'])}")
        out += [f"provenance = {q(prov)}", f"source = {q(src)}"]
        log(f"{key} resident: 长缴多得 {b['kind']} from {b['from_']} ({prov})" + (f", cap {b['cap']}" if "cap" in b else ""))
    a = CITY_AGE.get(key)
    if a:
        row = next(r for r in allrows if a["match"] in r["age_bonus"])
        prov = a.get("prov", row["quality"])
        src = clean(row["source_title"]) + "; " + row["url"].strip() + ": " + clean(row["age_bonus"])
        if a.get("why"):
            src += "; " + a["why"]
        out += ["", "# Age top-ups of the resident basic pension, paid in the yearly path (they replace the province's).",
                "[resident_age_topup]", f"from = {q(a['from_'])}",
                "bands = [" + ", ".join(f"{{ age = {g}, amount = {q(v)} }}" for g, v in a["bands"]) + "]",
                f"provenance = {q(prov)}", f"source = {q(src)}"]
        log(f"{key} resident: age top-up {a['bands']} from {a['from_']} ({prov})")
    if key in CITY_AGE_INHERITED:
        log(f"{key} resident: age top-up '{CITY_AGE_INHERITED[key]}' is the province's rule: inherited, not repeated")
    return out


def city_rows():
    """Resident city rows grouped by region key; logs the rows left out."""
    by_key = defaultdict(lambda: ([], []))
    for path, slot in (("resident/basic-pension.csv", 0), ("resident/tiers.csv", 1)):
        seen = set()
        for r in read(path):
            if not r["city"].strip():
                continue
            pc = (r["province"], r["city"])
            if pc in CITY_LEFT_OUT:
                if (pc, path) not in seen:
                    n = sum(1 for x in read(path) if (x["province"], x["city"]) == pc)
                    log(f"left out: {pc[1]} ({pc[0]}), {n} row(s) of {path}: {CITY_LEFT_OUT[pc]}")
                    seen.add((pc, path))
                continue
            if pc not in CITY_KEYS:
                raise SystemExit(f"{path}: city {pc} has no region key or reason to be left out in make-params.py")
            key, zh, cover = CITY_KEYS[pc]
            by_key[key][slot].append((r, cover) if slot == 0 else r)
    return by_key


def qingzhou_file():
    """Qingzhou (青州), a county-level city under Weifang with no source of its own: the Weifang
    file's values, every one `assumed`."""
    text = open(os.path.join(OUT, "shandong", "weifang.toml"), encoding="utf-8").read()
    body = [l for l in text.splitlines() if not l.startswith("name = ")]
    while body and body[0].startswith("#"):
        body.pop(0)
    body = [re.sub(r'provenance = "[a-z]+"', 'provenance = "assumed"', l) for l in body]
    body = [re.sub(r'source = "', 'source = "Weifang\'s value (no Qingzhou source): ', l) for l in body]
    lines = ["# 青州 (shandong/qingzhou), a county-level city under Weifang, overlay of shandong.toml. No Qingzhou",
             "# source was found: it takes the Weifang file's values, all `assumed`. Generated by",
             "# scripts/make-params.py from shandong/weifang.toml — do not edit by hand.",
             'name = "青州"'] + body
    log("shandong/qingzhou: the Weifang file's values, all assumed (no Qingzhou source)")
    return "\n".join(lines) + "\n"


def hand_kept_city_report(key, lines):
    """For a hand-kept Shandong city: what the tables give, and whether the file has it."""
    path = os.path.join(OUT, key + ".toml")
    text = open(path, encoding="utf-8").read()
    for l in lines:
        m = re.search(r'from = "([^"]+)", value = "([^"]+)"', l)
        if m and f'from = "{m.group(1)}", value = "{m.group(2)}"' not in text.replace("  ", " "):
            log(f"{key} (hand-kept): the tables give {m.group(2)} from {m.group(1)}; not in the file")
        elif m:
            log(f"{key} (hand-kept): {m.group(2)} from {m.group(1)} is in the file")


LOG = []
RESIDENT_BASIC = defaultdict(list)
RESIDENT_TIERS = defaultdict(list)


def log(msg):
    LOG.append(msg)


def read(path):
    with open(os.path.join(SRC, path), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def q(s):
    """A TOML basic string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clean(s):
    return re.sub(r"\s+", " ", s or "").strip()


def num(s):
    """A decimal string as written (trailing zeros of a fraction dropped)."""
    s = s.strip()
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def source_of(r, extra=""):
    parts = [clean(r["source"])]
    if r.get("url"):
        parts.append(r["url"].strip())
    if r.get("verified_by_search") == "yes":
        parts.append("independently reported with the same value")
    if extra:
        parts.append(extra)
    return "; ".join(p for p in parts if p)


def year_series(entries):
    """Keeps the longest run of consecutive years that ends at the last year; logs drops."""
    entries = sorted(entries)
    if not entries:
        return []
    run = [entries[-1]]
    for e in reversed(entries[:-1]):
        if e[0] == run[0][0] - 1:
            run.insert(0, e)
        else:
            break
    return run


def emit_series(lines, key, comment, entries):
    if not entries:
        return
    lines.append("")
    lines.extend("# " + c for c in comment)
    lines.append(f"[{key}]")
    lines.append("values = [")
    for year, value, prov, src in entries:
        lines.append(f"  {{ year = {year}, value = {q(value)}, provenance = {q(prov)}, source = {q(src)} }},")
    lines.append("]")


def base_entries(rows, region):
    out = []
    counts = defaultdict(int)
    for r in rows:
        y, quality = int(r["year"]), r["quality"]
        counts[quality] += 1
        if quality == "extrapolated":
            log(f"{region} pension_base {y}: extrapolated {num(r['base'])} left out ({clean(r['notes'])[:80]})")
            continue
        if quality not in ("official", "reported"):
            raise SystemExit(f"{region} {y}: unknown quality {quality!r}")
        out.append((y, num(r["base"]), quality, source_of(r)))
    for (p, y), (value, quality, src) in sorted(BASE_ADDITIONS.items()):
        if p != region:
            continue
        old = [e for e in out if e[0] == y]
        out = [e for e in out if e[0] != y] + [(y, value, quality, src)]
        out.sort(key=lambda e: e[0])
        was = f"replaces {old[0][1]} ({old[0][2]})" if old else "added"
        log(f"{region} pension_base {y}: {value} {quality} {was}: {src}")
    run = year_series(out)
    for e in out:
        if e not in run:
            log(f"{region} pension_base {e[0]}: {e[2]} value left out (gap before the series' continuous years)")
    return run, counts


def avg_entries(rows, province):
    out = []
    for r in rows:
        if not r["avg_wage"].strip():
            continue
        y = int(r["year"])
        src = "average monthly wage as stored by a public calculator project (" + clean(r["source"]).split(" ")[0] + "); treated as reported"
        if province in AVG_SHIFT_BACK:
            y -= 1
            src += "; source keyed by social-insurance year, shifted to the year it measures"
        if province in AVG_2025_MISLABELLED and int(r["year"]) == 2025:
            log(f"{province} avg_wage 2025: {num(r['avg_wage'])} left out (labelled as the 2024 全口径 average while a 2024 value exists)")
            continue
        value = num(r["avg_wage"])
        if (province, y) in AVG_CORRECTIONS:
            value, why = AVG_CORRECTIONS[(province, y)]
            src += "; " + why
            log(f"{province} avg_wage {y}: {num(r['avg_wage'])} replaced by {value} ({why})")
        out.append((y, value, "reported", src))
    return year_series(out)


def coefficient(rule):
    m = re.match(r"\s*([0-9.]+)", rule["transitional_coefficient"])
    return num(m.group(1))


def doc_numbers(text):
    return re.findall(r"[\u4e00-\u9fff]+〔\d{4}〕[\d?？]+号", text)


def province_file(p, rule, rows, cities):
    name = SHORT_NAME.get(rule["name_zh"], rule["name_zh"].rstrip("省市"))
    lines = [
        f"# {name} ({p}). Generated by scripts/make-params.py from data/sources/ — do not edit by",
        "# hand; change the sources or the script and regenerate.",
        f"name = {q(name)}",
    ]
    base, counts = base_entries(rows, p)
    log(f"{p}: pension_base rows official {counts['official']}, reported {counts['reported']}, "
        f"extrapolated {counts['extrapolated']} (left out); kept {len(base)} years "
        f"{base[0][0] if base else '-'}–{base[-1][0] if base else '-'}")
    emit_series(lines, "pension_base", [
        "计发基数 C (C14), yuan/month, for pensions starting in `year`. Extrapolated source values are",
        "left out; years after the last one are projected (C14).",
    ], base)
    avg = avg_entries(rows, p)
    emit_series(lines, "avg_wage", [
        "Average monthly wage of `year` (the contribution reference); W(y) = avg_wage(y - 1) (C8).",
        "A separate series from the pension base: several provinces publish a base that is not",
        "the previous year's average.",
    ], avg)
    coef = coefficient(rule)
    docs = doc_numbers(rule["transitional_formula"])
    src = (docs[0] + " as cited by" if docs else "no document number;") + \
        " a calculator project's province file: " + clean(rule["transitional_formula"])[:160]
    lines.append("")
    lines.append("# Transitional coefficient (C17); its formula is C17 unless [employee_rules] below says otherwise.")
    lines.append("[transitional_rate]")
    lines.append("values = [")
    lines.append(f"  {{ year = 2006, value = {q(coef)}, provenance = \"reported\", source = {q(src)} }},")
    lines.append("]")
    lines += rule_lines(p, rule, EMPLOYEE_RULES.get(p))
    lines += resident_lines(p, RESIDENT_BASIC.get(p, []), RESIDENT_TIERS.get(p, []))
    return "\n".join(lines) + "\n"


def city_file(p, city, rows, prov_name, rule):
    name = CITY_NAME.get(city, city)
    lines = [
        f"# {name} ({p}/{city}), overlay of {p}.toml: its own pension base. Generated by",
        "# scripts/make-params.py from data/sources/provinces/city-bases.csv — do not edit by hand.",
        f"name = {q(name)}",
    ]
    base, counts = base_entries(rows, f"{p}/{city}")
    log(f"{p}/{city}: pension_base official {counts['official']}, reported {counts['reported']}, "
        f"extrapolated {counts['extrapolated']} (left out); kept {base[0][0]}–{base[-1][0]}")
    emit_series(lines, "pension_base", [
        "The city's own 计发基数 (C14). Years before the first one use the province's base; years",
        "after the last one are projected from it (C14).",
    ], base)
    avg = [(int(r["year"]), num(r["avg_wage"]), "reported", source_of(r)) for r in rows if r["avg_wage"].strip()]
    if avg:
        log(f"{p}/{city}: avg_wage {len(avg)} value(s) not used (a single year cannot start a city series; "
            "the province's W applies)")
    spec = EMPLOYEE_RULES.get(f"{p}/{city}")
    if spec:
        # A city's rules replace the province's: start from the province's and add.
        lines += rule_lines(f"{p}/{city}", rule, city_spec(p, spec))
    return "\n".join(lines) + "\n"


def city_spec(p, spec):
    """A city's rules replace the province's: the province's, less the city's `drop` (keys) and
    `drop_extras` (labels), plus its own."""
    merged = dict(EMPLOYEE_RULES.get(p, {}))
    kept = [e for e in merged.get("extras", []) if e["label"] not in spec.get("drop_extras", [])]
    merged["extras"] = kept + spec.get("extras", [])
    for k in spec.get("drop", []):
        merged.pop(k, None)
    for k in ("omitted", "note"):
        if k in spec:
            merged[k] = spec[k]
    return merged


def city_rules_file(p, city, rule):
    """An overlay for a city with its own employee rules but no base of its own (the
    province's bases apply)."""
    name = CITY_NAME[city]
    lines = [
        f"# {name} ({p}/{city}), overlay of {p}.toml: its own local components of the employee pension. Generated",
        "# by scripts/make-params.py (EMPLOYEE_RULES) — do not edit by hand. The province's bases apply.",
        f"name = {q(name)}",
    ]
    lines += rule_lines(f"{p}/{city}", rule, city_spec(p, EMPLOYEE_RULES[f"{p}/{city}"]))
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    rules = {r["province"]: r for r in read("provinces/province-rules.csv")}
    bases = defaultdict(list)
    for r in read("provinces/pension-bases.csv"):
        bases[r["province"]].append(r)
    cities = defaultdict(lambda: defaultdict(list))
    for r in read("provinces/city-bases.csv"):
        cities[r["province"]][r["city"]].append(r)
    assert sorted(rules) == sorted(PROVINCES), "province-rules.csv must have the 31 provinces"

    for r in read("resident/basic-pension.csv"):
        if r["province"] in RESIDENT_PROVINCE:
            RESIDENT_BASIC[RESIDENT_PROVINCE[r["province"]]].append(r)
    for r in read("resident/tiers.csv"):
        if r["province"] in RESIDENT_PROVINCE:
            RESIDENT_TIERS[RESIDENT_PROVINCE[r["province"]]].append(r)
    files = {}
    for p in PROVINCES:
        if p in HAND_KEPT:
            compare_hand_kept(p, bases[p])
            continue
        files[f"{p}.toml"] = province_file(p, rules[p], bases[p], cities.get(p, {}))
        for city, rows in sorted(cities.get(p, {}).items()):
            files[f"{p}/{city}.toml"] = city_file(p, city, rows, rules[p]["name_zh"], rules[p])
        for key in sorted(k for k in EMPLOYEE_RULES if k.startswith(p + "/")):
            city = key.split("/")[1]
            if city not in cities.get(p, {}):
                files[f"{key}.toml"] = city_rules_file(p, city, rules[p])

    # Resident-scheme city overlays.
    national = read_steps(os.path.join(OUT, "national.toml"), "resident_minimum")
    for key, (basic, tiers) in sorted(city_rows().items()):
        p, city = key.split("/")
        if p == "shandong":
            floors = read_steps(os.path.join(OUT, "shandong.toml"), "resident_floor")
        else:
            floors = province_floors(RESIDENT_BASIC.get(p, []))
        zh = next(v[1] for k, v in CITY_KEYS.items() if v[0] == key)
        lines = city_resident(p, key, zh, basic, tiers, national, floors)
        if p == "shandong" and city in SHANDONG_HAND_KEPT_CITIES:
            hand_kept_city_report(key, lines)
            continue
        rel = f"{key}.toml"
        if not lines:
            log(f"{key}: no usable resident value: no file (the province applies, C27.8)")
            continue
        if rel in files:
            head, rest = files[rel].split("\n", 2)[:2], files[rel].split("\n", 2)[2]
            head[0] = head[0].replace(": its own pension base.", ": its own pension base and resident values.")
            head[1] = head[1].replace("city-bases.csv", "city-bases.csv and resident/")
            files[rel] = "\n".join(head) + "\n" + rest + "\n".join(lines) + "\n"
        else:
            header = [f"# {zh} ({key}), overlay of {p}.toml: its resident-scheme values. Generated by",
                      "# scripts/make-params.py from data/sources/resident/ — do not edit by hand.",
                      f"name = {q(zh)}"]
            files[rel] = "\n".join(header + lines) + "\n"
    files["shandong/qingzhou.toml"] = qingzhou_file()

    changed = []
    for rel, text in sorted(files.items()):
        path = os.path.join(OUT, rel)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            changed.append(rel)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
    for line in LOG:
        print(line)
    print(f"{len(files)} files generated ({len(changed)} changed); Shandong province and "
          f"{', '.join(sorted(SHANDONG_HAND_KEPT_CITIES))} hand-kept")
    if check and changed:
        print("out of date: " + ", ".join(changed), file=sys.stderr)
        sys.exit(1)


def compare_hand_kept(p, rows):
    path = os.path.join(OUT, f"{p}.toml")
    text = open(path, encoding="utf-8").read()
    kept = dict(re.findall(r'\{ year = (\d+), value = "([0-9.]+)"', text.split("[avg_wage]")[0]))
    for r in rows:
        y = r["year"]
        if r["quality"] == "extrapolated":
            continue
        if y in kept and num(kept[y]) != num(r["base"]):
            log(f"{p} (hand-kept) pension_base {y}: file {kept[y]}, source table {num(r['base'])} ({r['quality']}) - file kept")
        elif y not in kept:
            log(f"{p} (hand-kept) pension_base {y}: not in the file; source table {num(r['base'])} ({r['quality']})")


if __name__ == "__main__":
    main()
