#!/usr/bin/env python3
"""Generates the input files of the simulated province (bench/province/run.sh).

    gen.py DIR SCALE

One province (130000 河北省), its 11 cities (130100 石家庄市 … 131100 衡水市) and 170 counties
(15 or 16 per city, codes CITY02…), at SCALE = 1: 10,000,000 targets and 5,000 officers. Below
SCALE 0.01 one county per city (11), so that a check of the scripts is quick; COUNTIES=N sets it. Writes,
in UTF-8 with a BOM and CRLF line ends (as bench/import/gen.py):
  DIR/orgs.csv      the 182 bureaus, each under its parent
  DIR/tags.csv      five target tags
  DIR/targets.csv   10M × SCALE targets spread over the counties (sizes vary 0.5–1.5 × the mean):
                    2 % 定点医疗机构, 3 % 定点零售药店, 15 % 用人单位, 80 % 参保人; every code valid
                    and unique (the check characters of bench/import/gen.py), owned by its county
  DIR/officers.csv  5,000 × SCALE officers (at least 6 per county), each in a county's dept D<code>
  DIR/depts.csv     one dept per county (基金监管股)
  DIR/items.csv     one item per county, owned by its dept
  DIR/counties.tsv  code, city code, number of targets (for build.py)
Deterministic (fixed seed), standard library only.
"""
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "import"))
from gen import (BUSINESS, GIVEN, HEADER, SURNAMES, TOWNS, date_str, id_check, orgcode,  # noqa: E402
                 uscc_check, write_csv)

PROVINCE = ("130000", "河北省医疗保障局")
CITIES = [("130100", "石家庄市"), ("130200", "唐山市"), ("130300", "秦皇岛市"), ("130400", "邯郸市"),
          ("130500", "邢台市"), ("130600", "保定市"), ("130700", "张家口市"), ("130800", "承德市"),
          ("130900", "沧州市"), ("131000", "廊坊市"), ("131100", "衡水市")]
N_COUNTIES = 170
TARGETS = 10_000_000
OFFICERS = 5_000


def counties(total):
    """[(code, name, city code)]: total counties (170: the first 5 cities get 16, the others 15)."""
    out = []
    for ci, (city, cname) in enumerate(CITIES):
        n = total // len(CITIES) + (1 if ci < total % len(CITIES) else 0)
        for k in range(n):
            code = "%d" % (int(city) + 2 + k)
            out.append((code, "%s第%d区县" % (cname[:-1], k + 1), city))
    return out


def sizes(rng, n_total, n):
    w = [0.5 + rng.random() for _ in range(n)]
    s = sum(w)
    v = [int(n_total * x / s) for x in w]
    for i in range(n_total - sum(v)):  # the remainder, one each
        v[i % n] += 1
    return v


def county_targets(rng, code, cname, n, ctr):
    """Yields n target rows of county code; ctr holds the province-wide counters (unique codes)."""
    days = 29000
    base = datetime.date(1940, 1, 1)
    n_inst = n_pharm = n_ins = 0
    for _ in range(n):
        x = rng.random()
        town = rng.choice(TOWNS)
        g = rng.random()
        grade = "A" if g < 0.10 else "B" if g < 0.78 else "C" if g < 0.95 else "D"
        tags, status, reason = "", "正常", ""
        complaints = str(rng.choice((0, 0, 0, 0, 0, 0, 1, 2)))
        last = date_str(rng, 2019, 2024) if rng.random() < 0.3 else ""
        uscc = mi = idno = code_ = ""
        if x < 0.02:
            kind = "定点医疗机构"
            mi = "H%s%05d" % (code, n_inst)
            n_inst += 1
            code_ = mi
            name = "%s%s%s卫生院第%d门诊部" % (cname, town[:-1], rng.choice(("中心", "联合", "仁和")), n_inst)
            ctr["org"] += 1
            uscc = "12" + code + orgcode(ctr["org"] + 40000000)
            uscc += uscc_check(uscc)
            tags = rng.choice(("T-PUB", "T-PUB、T-KEY", "T-PRI", "T-PRI、T-NEW", ""))
            addr = "%s%s%s街%d号" % (cname, town, rng.choice(("建设", "新华", "人民")), rng.randint(1, 300))
        elif x < 0.05:
            kind = "定点零售药店"
            mi = "P%s%05d" % (code, n_pharm)
            n_pharm += 1
            code_ = mi
            name = "%s大药房%s%s店（第%d号）" % (rng.choice(("百姓", "老百姓", "益丰", "仁济")), cname, town[:-1], n_pharm)
            ctr["org"] += 1
            uscc = "92" + code + orgcode(ctr["org"] + 40000000)
            uscc += uscc_check(uscc)
            tags = rng.choice(("T-CHAIN", "", "", "T-NEW"))
            addr = "%s%s商业街%d号" % (cname, town, rng.randint(1, 500))
        elif x < 0.20:
            kind = "用人单位"
            ctr["org"] += 1
            uscc = "91" + code + orgcode(ctr["org"])
            uscc += uscc_check(uscc)
            code_ = uscc
            name = "%s%s%s有限公司%d" % (cname, town[:-1], rng.choice(BUSINESS), ctr["org"])
            addr = "%s%s工业园区%d号%s" % (cname, town, rng.randint(1, 999), ",二层" if rng.random() < 0.1 else "")
            if rng.random() < 0.02:
                status, reason = "停业", "2024年起停业"
        else:
            kind = "参保人"
            birth = base + datetime.timedelta(days=n_ins % days)
            first17 = "%s%s%03d" % (code, birth.strftime("%Y%m%d"), n_ins // days)
            n_ins += 1
            idno = first17 + id_check(first17)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            addr = "%s%s%s村%d号" % (cname, town, rng.choice(("东", "西", "南", "北")), rng.randint(1, 400))
            complaints, last = "0", ""
        yield [kind, code_, name, uscc, mi, idno, "", code, code, addr, grade, tags,
               date_str(rng, 1995, 2024), complaints, status, reason, last]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py DIR SCALE")
    out, scale = sys.argv[1], float(sys.argv[2])
    if not 0 < scale <= 1:
        sys.exit("gen.py: SCALE must be in (0, 1]")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261206)
    # below SCALE 0.01 one county per city, so that a check of the scripts takes a minute or two
    n_counties = int(os.environ.get("COUNTIES") or (N_COUNTIES if scale >= 0.01 else len(CITIES)))
    cs = counties(n_counties)
    write_csv(os.path.join(out, "orgs.csv"),
              [["行政区划代码", "机构名称", "上级行政区划代码"], [PROVINCE[0], PROVINCE[1], ""]]
              + [[c, n + "医疗保障局", PROVINCE[0]] for c, n in CITIES]
              + [[c, n + "医疗保障局", city] for c, n, city in cs])
    write_csv(os.path.join(out, "tags.csv"),
              [["标签编码", "标签名称", "上级标签编码", "适用范围"],
               ["T-PUB", "公立", "", "检查对象"], ["T-PRI", "民营", "", "检查对象"],
               ["T-CHAIN", "连锁药店", "", "检查对象"], ["T-KEY", "重点监管", "", "检查对象"],
               ["T-NEW", "新增定点", "", "检查对象"]])
    write_csv(os.path.join(out, "depts.csv"),
              [["科室编码", "科室名称", "所属机构", "类型"]] + [["D" + c, "基金监管股", c, "本局科室"] for c, _, _ in cs])
    write_csv(os.path.join(out, "items.csv"),
              [["事项编码", "抽查事项名称", "抽查依据", "抽查主体", "所属机构", "抽查对象", "抽查内容", "抽查方式", "事项类别"]]
              + [["I" + c, "对定点医药机构、用人单位和参保人医保基金使用情况的监督检查",
                  "《医疗保障基金使用监督管理条例》第二十七条", "D" + c, c,
                  "定点医疗机构、定点零售药店、用人单位、参保人", "基金使用", "实地检查、书面检查", "重点"] for c, _, _ in cs])
    n_off = sizes(rng, max(6 * n_counties, round(OFFICERS * scale)), n_counties)
    n_off = [max(6, x) for x in n_off]
    rows = [["执法证号", "姓名", "所属机构", "科室", "证件生效日期", "证件有效期至", "专长标签", "执法区域", "可任组长", "联系电话"]]
    k = 0
    for (c, _, _), n in zip(cs, n_off):
        for i in range(n):
            rows.append([f"YB{c}{i:03d}", f"执法员{k}", c, "D" + c, "2024-01-01", "2030-12-31", "", c,
                         "是" if i % 3 == 0 else "否", ""])
            k += 1
    write_csv(os.path.join(out, "officers.csv"), rows)
    n_t = sizes(rng, round(TARGETS * scale), n_counties)
    ctr = {"org": 0}
    with open(os.path.join(out, "targets.csv.tmp"), "w", encoding="utf-8-sig", newline="") as f:
        f.write(",".join(HEADER) + "\r\n")
        for (c, name, _), n in zip(cs, n_t):
            for r in county_targets(rng, c, name, n, ctr):
                f.write(",".join('"' + x + '"' if "," in x else x for x in r) + "\r\n")
    os.replace(os.path.join(out, "targets.csv.tmp"), os.path.join(out, "targets.csv"))
    with open(os.path.join(out, "counties.tsv"), "w") as f:
        for (c, _, city), n, o in zip(cs, n_t, n_off):
            f.write(f"{c}\t{city}\t{n}\t{o}\n")


if __name__ == "__main__":
    main()
