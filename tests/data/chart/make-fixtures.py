#!/usr/bin/env python3
"""Write the hand-made chart fixtures: plausible, internally consistent numbers (not
outputs of the engine). Run from this folder: python3 make-fixtures.py"""

import csv

HEAD = ("id label status scheme claim_region retire retire_age divisor years min_years "
        "avg_index base balance basic account transitional resident_basic bonus allowance "
        "total own_paid gov_paid message replacement_rate replacement_rate_avg breakeven_age "
        "irr pension_wealth money_worth provenance contribution_index tier").split()


def money(x):
    return f"{x:.2f}"


def age(months):
    return f"{months // 12}y{months % 12}m"


def row(**kw):
    return [kw.get(h, "") for h in HEAD]


# Resident scheme, Weifang, 15 years at each tier, pension from 2040-01 at 60.
SUBSIDY = {500: 60, 800: 80, 1000: 100, 1500: 120, 2000: 150, 3000: 180, 4000: 200,
           5000: 220, 6000: 240, 8000: 250}
RESIDENT_BASIC = 218.00
resident = []
for tier, sub in SUBSIDY.items():
    bal = 0.0
    for _ in range(15):
        bal = round(bal + bal * 0.025, 2) + tier + sub
    account = round(bal / 139, 2)
    total = RESIDENT_BASIC + account
    own = tier * 15
    be_months = 720 + int(own / total) + 1
    resident.append(row(
        id=f"res-{tier}", label=f"居民{tier}元档", status="ok", scheme="resident",
        claim_region="shandong/weifang", retire="2040-01", retire_age="60y0m", divisor="139.0",
        years="15.00", min_years="15.0", balance=money(bal), basic="0.00", account=money(account),
        transitional="0.00", resident_basic=money(RESIDENT_BASIC), bonus="0.00", allowance="0.00",
        total=money(total), own_paid=money(own), gov_paid=money(sub * 15),
        message="assumed subsidy for tier 8000" if tier == 8000 else "",
        breakeven_age=age(be_months), provenance="assumed" if tier == 8000 else "reported",
        tier=str(tier)))
resident.append(row(id="res-bad", label="错误示例", status="error",
                    message="line 12, column tier, value '900': not a tier; allowed 500, 800, ..."))

# Flexible workers, 20 years from age 40 at index 0.6 / 1.0 / 3.0, pension base C = 8000.
C, W = 8000.0, 7000.0
flex, paths = [], []
for idx in (0.6, 1.0, 3.0):
    base_m = round(idx * W, 2)
    bal, own = 0.0, 0.0
    rows = []
    for y in range(20):
        credit = round(base_m * 0.08, 2) * 12
        bal = round(bal * 1.025 + credit, 2)
        own += round(base_m * 0.20, 2) * 12
        rows.append((2020 + y, 40 + y, own, bal, 0.0))
    basic = round((C + round(C * idx, 2)) / 2 * 20 * 0.01, 2)
    account = round(bal / 139, 2)
    total = basic + account
    pid = f"flex-{idx:.1f}"
    cum_recv, pension, be = 0.0, total, None
    for y in range(26):
        cum_recv += pension * 12
        rows.append((2040 + y, 60 + y, own, max(bal - account * 12 * (y + 1), 0.0), pension, cum_recv))
        if be is None and cum_recv >= own:
            # A row's cumulative amounts are plotted at its age; between rows the chart
            # interpolates linearly, so the lines cross this many months after age 60 + y - 1.
            before = cum_recv - pension * 12
            be = 720 + 12 * (y - 1) + int((own - before) / pension) + 1
        pension = round(pension * 1.02, 2)
    flex.append(row(
        id=pid, label=f"灵活就业 指数{idx:.1f}", status="ok", scheme="flexible",
        claim_region="shandong/weifang", retire="2040-01", retire_age="60y0m", divisor="139.0",
        years="20.00", min_years="15.0", avg_index=f"{idx:.4f}", base=money(C), balance=money(bal),
        basic=money(basic), account=money(account), transitional="0.00", resident_basic="0.00",
        bonus="0.00", allowance="0.00", total=money(total), own_paid=money(own), gov_paid="0.00",
        message="assumed wage_growth 0.04; assumed account_rate 0.025",
        breakeven_age=age(be), provenance="projected", contribution_index=f"{idx:.1f}"))
    surv = 1.0
    for r in rows:
        yr, a, paid_c, b, mp = r[:5]
        recv = r[5] if len(r) > 5 else 0.0
        if a >= 60:
            surv = round(surv * (1 - 0.004 * 1.09 ** (a - 60)), 6)
        paths.append([pid, yr, a, money(round(base_m * 0.2, 2) * 12 if a < 60 else 0.0), "0.00",
                      money(b), money(mp), money(paid_c), money(recv), f"{surv:.6f}"])

employee = row(id="emp-1", label="企业职工 男", status="ok", scheme="employee",
               claim_region="shandong/weifang", retire="2038-04", retire_age="63y0m", divisor="117.0",
               years="38.00", min_years="19.5", avg_index="1.2000", base="8900.00",
               balance="210000.00", basic="3720.20", account="1794.87", transitional="412.50",
               resident_basic="0.00", bonus="0.00", allowance="30.00", total="5957.57",
               own_paid="260000.00", gov_paid="0.00", breakeven_age="66y8m",
               provenance="official", contribution_index="1.2")
ineligible = row(id="emp-short", label="缴费不足", status="ineligible", scheme="employee",
                 total="0.00")

with open("results-resident.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(HEAD)
    w.writerows(resident)
with open("results-flexible.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(HEAD)
    w.writerows(flex)
with open("results-mixed.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(HEAD)
    w.writerows([employee] + flex + resident[:4] + [ineligible])
with open("paths-flexible.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow("id year age own_paid gov_paid balance monthly_pension cumulative_paid "
               "cumulative_received survival".split())
    w.writerows(paths)
