#!/usr/bin/env python3
"""Builds data/life-tables/*.csv (age, sex, qx) from the shared mortality sources.

wpp2024-china-2025-2030.csv: UN WPP 2024 abridged central death rates for China,
2025-2030 medium projection, expanded to single ages assuming a constant death rate
within each age group: qx = 1 - exp(-mx); age 0 uses the group's own nqx; the open group
100+ is used for ages 100-104 and the table closes at 105 with qx = 1.
cl2010-2013-pension.csv: China life insurance industry table 2010-2013, pension business
(CL5 male, CL6 female), as transcribed.
Usage: scripts/make-life-tables.py SHARED_DATA_DIR
"""
import csv, math, sys, os

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
out = os.path.join(os.path.dirname(__file__), "..", "data", "life-tables")

rows = [r for r in csv.DictReader(l for l in open(os.path.join(src, "mortality/china-wpp2024-abridged-mortality.csv")) if not l.startswith("#"))]
with open(os.path.join(out, "wpp2024-china-2025-2030.csv"), "w") as f:
    f.write("# UN DESA Population Division, World Population Prospects 2024 (CC BY 3.0 IGO), China, 2025-2030 medium projection,\n")
    f.write("# abridged central death rates as packaged in PPgp/wpp2024 (data-raw mxM5.txt / mxF5.txt). Single ages: qx = 1 - exp(-mx)\n")
    f.write("# with mx constant within each age group; age 0 uses the group's nqx; 100+ applies to 100-104; closed at 105 (qx = 1).\n")
    f.write("age,sex,qx\n")
    for sex in ("male", "female"):
        groups = [r for r in rows if r["period"] == "2025-2030" and r["sex"] == sex]
        for age in range(0, 106):
            if age == 105:
                q = 1.0
            elif age == 0:
                q = float(groups[0]["nqx_derived"])
            else:
                g = [r for r in groups if int(r["age_start"]) <= age and (r["age_width"] == "" or age < int(r["age_start"]) + int(r["age_width"]))][-1]
                q = 1 - math.exp(-float(g["mx_un"]))
            f.write(f"{age},{sex},{q:.6f}\n")

rows = [r for r in csv.DictReader(l for l in open(os.path.join(src, "mortality/china-cl-2010-2013-qx.csv")) if not l.startswith("#"))]
with open(os.path.join(out, "cl2010-2013-pension.csv"), "w") as f:
    f.write("# China Life Insurance Mortality Table (2010-2013), pension (annuity) business: CL5 male, CL6 female\n")
    f.write("# (保监发〔2016〕107号), as transcribed in studyHardplayHarder/insurance. Insured annuitants: lighter than the general population.\n")
    f.write("age,sex,qx\n")
    for sex, col in (("male", "cl5_pension_male"), ("female", "cl6_pension_female")):
        for r in rows:
            f.write(f"{r['age']},{sex},{float(r[col]):.6f}\n")
