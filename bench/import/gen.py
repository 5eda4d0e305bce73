#!/usr/bin/env python3
"""Generates the input files of the import benchmark (bench/import/run.sh).

    gen.py DIR [ROWS]

writes, in UTF-8 with a BOM and CRLF line ends (what Excel and `spotcheck export` write):
  DIR/orgs.csv     the bureaus: 130500 邢台市 and its county 130528 宁晋县
  DIR/tags.csv     five target tags
  DIR/targets.csv  ROWS targets (default 1,000,000) in the column order of `spotcheck export
                   targets`: 5% 定点医疗机构 (H codes), 5% 定点零售药店 (P codes), 40% 用人单位
                   (统一社会信用代码 with the GB 32100 check character) and 50% 参保人 (居民身份证号
                   with the GB 11643 check character). Every code is valid and unique, so the
                   import validates every row and accepts the file.

Deterministic (fixed seed), standard library only.
"""
import datetime
import itertools
import os
import random
import sys

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORGCODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 organisation code, 9th character
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

# 邢台市's counties and districts (GB/T 2260); the bureau importing is 宁晋县 (130528).
REGIONS = ["130528", "130502", "130503", "130505", "130506", "130522", "130523", "130524",
           "130525", "130529", "130530", "130531", "130532", "130533", "130534", "130535",
           "130581", "130582"]

HEADER = ["对象类型", "对象编码", "名称", "统一社会信用代码", "医保编码", "身份证号",
          "编码校验例外原因", "所属机构", "行政区划", "地址", "信用风险等级", "标签", "登记日期",
          "投诉次数", "状态", "状态原因", "最近检查日期"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力志新国庆春"
TOWNS = ["凤凰镇", "河渠镇", "北河庄镇", "耿庄桥镇", "东汪镇", "贾家口镇", "四芝兰镇", "大陆村镇",
         "苏家庄镇", "换马店镇", "唐邱镇", "徐家河乡", "大曹庄乡"]
BUSINESS = ["商贸", "建材", "食品", "机械", "纺织", "物流", "科技", "农业", "电子", "化工"]


def uscc_check(first17):
    s = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - s % 31) % 31]


def orgcode(n):
    body = "%08d" % n
    c = 11 - sum(int(d) * w for d, w in zip(body, ORGCODE_WEIGHTS)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def id_check(first17):
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def csv_cell(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        for r in rows:
            f.write(",".join(csv_cell(c) for c in r) + "\r\n")


def date_str(rng, y0, y1):
    return "%04d-%02d-%02d" % (rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))


def targets(rng, nrows):
    n_inst = n_pharm = n_emp = n_ins = 0
    days = 29000  # birth dates from 1940-01-01 over ~79 years
    base = datetime.date(1940, 1, 1)
    for _ in range(nrows):
        x = rng.random()
        region = rng.choice(REGIONS)
        town = rng.choice(TOWNS)
        g = rng.random()
        grade = "A" if g < 0.10 else "B" if g < 0.78 else "C" if g < 0.95 else "D"
        tags = ""
        status, reason = "正常", ""
        complaints = str(rng.choice((0, 0, 0, 0, 0, 0, 1, 2)))
        last = date_str(rng, 2019, 2024) if rng.random() < 0.3 else ""
        uscc = mi = idno = code = ""
        if x < 0.05:
            kind = "定点医疗机构"
            mi = "H%s%05d" % (REGIONS[n_inst % len(REGIONS)], n_inst // len(REGIONS))
            n_inst += 1
            code = mi
            name = "%s%s卫生院第%d门诊部" % (town[:-1], rng.choice(("中心", "联合", "仁和")), n_inst)
            addr = "宁晋县%s%s街%d号" % (town, rng.choice(("建设", "新华", "人民")), rng.randint(1, 300))
            uscc = "12" + region + orgcode(n_inst + 40000000)
            uscc += uscc_check(uscc)
            tags = rng.choice(("T-PUB", "T-PUB、T-KEY", "T-PRI", "T-PRI、T-NEW", ""))
        elif x < 0.10:
            kind = "定点零售药店"
            mi = "P%s%05d" % (REGIONS[n_pharm % len(REGIONS)], n_pharm // len(REGIONS))
            n_pharm += 1
            code = mi
            name = "%s大药房%s店（第%d号）" % (rng.choice(("百姓", "老百姓", "益丰", "仁济")), town[:-1], n_pharm)
            addr = "宁晋县%s商业街%d号" % (town, rng.randint(1, 500))
            uscc = "92" + region + orgcode(n_pharm + 50000000)
            uscc += uscc_check(uscc)
            tags = rng.choice(("T-CHAIN", "", "", "T-NEW"))
        elif x < 0.50:
            kind = "用人单位"
            n_emp += 1
            uscc = "91" + region + orgcode(n_emp)
            uscc += uscc_check(uscc)
            code = uscc
            name = "宁晋县%s%s有限公司%d" % (town[:-1], rng.choice(BUSINESS), n_emp)
            # about one address in ten carries an ASCII comma, so the file has quoted cells
            addr = "宁晋县%s工业园区%d号%s" % (town, rng.randint(1, 999),
                                        ",二层" if rng.random() < 0.1 else "")
            if rng.random() < 0.02:
                status, reason = "停业", "2024年起停业"
        else:
            kind = "参保人"
            i = n_ins
            n_ins += 1
            birth = base + datetime.timedelta(days=(i // len(REGIONS)) % days)
            seq = i // (len(REGIONS) * days)
            first17 = "%s%s%03d" % (REGIONS[i % len(REGIONS)], birth.strftime("%Y%m%d"), seq)
            idno = first17 + id_check(first17)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            addr = "宁晋县%s%s村%d号" % (town, rng.choice(("东", "西", "南", "北")), rng.randint(1, 400))
            complaints = "0"
            last = ""
        yield [kind, code, name, uscc, mi, idno, "", "130528", region, addr, grade, tags,
               date_str(rng, 1995, 2024), complaints, status, reason, last]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen.py DIR [ROWS]")
    out = sys.argv[1]
    nrows = int(sys.argv[2]) if len(sys.argv) == 3 else 1000000
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "orgs.csv"),
              [["行政区划代码", "机构名称", "上级行政区划代码"],
               ["130500", "邢台市医疗保障局", ""],
               ["130528", "宁晋县医疗保障局", "130500"]])
    write_csv(os.path.join(out, "tags.csv"),
              [["标签编码", "标签名称", "上级标签编码", "适用范围"],
               ["T-PUB", "公立", "", "检查对象"],
               ["T-PRI", "民营", "", "检查对象"],
               ["T-CHAIN", "连锁药店", "", "检查对象"],
               ["T-KEY", "重点监管", "", "检查对象"],
               ["T-NEW", "新增定点", "", "检查对象"]])
    rng = random.Random(20240601)
    write_csv(os.path.join(out, "targets.csv"), itertools.chain([HEADER], targets(rng, nrows)))


if __name__ == "__main__":
    main()
