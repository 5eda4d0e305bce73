#!/usr/bin/env python3
"""verify_draw.py - an independent verifier for spotcheck draw records (docs/DRAW.md).

Plain Python 3, standard library only, written from the specification and not from the C code,
so a citizen need not trust the spotcheck binary:

    python3 verify_draw.py RECORD.json [POPULATION.tsv] [OFFICERS.tsv] [--freeze SHA256]

Prints 一致 (exit 0) or 不一致 followed by each difference (exit 1). Without the population file
only the tickets, their order and the stratum sizes are checked; without the officer file the
groups are not checked: then it prints 部分核验 (exit 2) and says on stderr what was left out.
A frozen record not yet drawn is checked against the files, and the size of each stratum shown.

Also: `python3 verify_draw.py --sample SEED < ids.txt` prints "ticket<TAB>id" in draw order,
the same as consistent_sampler's sampler(ids, seed=SEED, output='tuple', digits=78).
"""
import datetime
import hashlib
import json
import re
import sys

FORMAT = "spotcheck-draw/1"
FORMAT_V2 = "spotcheck-draw/2"
RECORD_KEYS = ["format", "freeze", "freeze_sha256", "public_randomness", "secret", "seed",
               "seedhash", "strata", "selected", "assignments", "events"]
FREEZE_KEYS = ["task", "draw_no", "draw_date", "frozen_at", "randomness_source", "params",
               "population", "officers", "commitment", "redraw", "excluded"]
RECORD_KEYS_V2 = ["format", "freeze", "freeze_sha256", "values", "drawn_at", "seed",
                  "seedhash", "strata", "selected", "assignments", "events"]
FREEZE_KEYS_V2 = ["task", "draw_no", "draw_date", "frozen_at", "sources", "gap_hours", "params",
                  "population", "officers", "redraw", "excluded"]


class Invalid(Exception):
    pass


# ---------------------------------------------------------------- the consistent sampler

def sha256_hex(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def sha256_uniform(s):
    x = int(sha256_hex(s), 16)
    return "0." + "{:064d}".format(x)[::-1]


def ticket(seed, ident):
    """first_fraction(id, seed) of consistent_sampler 1.0.10."""
    return sha256_uniform(sha256_hex(seed) + ident)


def order(seed, ids):
    """ids sorted by (ticket, id bytes): the draw order."""
    return sorted(ids, key=lambda i: (ticket(seed, i), i.encode("utf-8")))


# ---------------------------------------------------------------- sizes

def parse_ratio(s):
    """Exact ratio (num, den); None when invalid. Same grammar as the C engine."""
    if not isinstance(s, str) or not s:
        return None
    pct = s.endswith("%")
    body = s[:-1] if pct else s
    if not body:
        return None
    num, den, seen_dot, digits, decimals = 0, 1, False, 0, 0
    for ch in body:
        if ch == ".":
            if seen_dot or digits == 0:
                return None
            seen_dot = True
            continue
        if ch not in "0123456789":
            return None
        if digits >= 17 or (seen_dot and decimals >= 15):
            return None
        num = num * 10 + int(ch)
        digits += 1
        if seen_dot:
            den *= 10
            decimals += 1
    if seen_dot and decimals == 0:
        return None
    if pct:
        den *= 100
    if num > den:
        return None
    return num, den


def stratum_size(N, ratio, minimum):
    num, den = ratio
    n = (N * num + den - 1) // den
    return min(N, max(n, minimum))


def lookup(mapping, name):
    if not isinstance(mapping, dict):
        return None
    if name in mapping:
        return mapping[name]
    if "/" in name:
        head = name.split("/", 1)[0]
        if head in mapping:
            return mapping[head]
    return mapping.get("*")


# ---------------------------------------------------------------- files

def parse_population(data):
    if data and not data.endswith(b"\n"):
        raise Invalid("名单文件须以换行结尾")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("名单文件不是有效的 UTF-8")
    rows, prev, ncols = [], None, None
    for ln, line in enumerate(text.split("\n")[:-1], 1):
        f = line.split("\t")
        if ncols is None:
            ncols = len(f)
        if len(f) not in (2, 3) or len(f) != ncols or any(x == "" for x in f) or "\r" in line:
            raise Invalid("名单文件第%d行格式不符" % ln)
        key = f[0].encode("utf-8")
        if prev is not None and prev >= key:
            raise Invalid("名单文件第%d行: 编码未按字节升序排列或重复" % ln)
        prev = key
        rows.append((f[0], f[1], f[2] if len(f) == 3 else None))
    return {"sha256": hashlib.sha256(data).hexdigest(), "rows": rows,
            "has_region": ncols == 3}


def parse_roster(data):
    if data and not data.endswith(b"\n"):
        raise Invalid("人员文件须以换行结尾")
    text = data.decode("utf-8")
    people, prev, width = [], None, None
    for ln, line in enumerate(text.split("\n")[:-1], 1):
        key = line.encode("utf-8")
        if prev is not None and prev >= key:
            raise Invalid("人员文件第%d行: 未按字节升序排列或重复" % ln)
        prev = key
        f = line.split("\t")
        if width is None:
            width = 9 if len(f) == 9 else 8  # a joint task's file adds the dept column
        if len(f) != width or f[0] not in ("officer", "expert") or not f[1] or not f[3] \
                or f[6] not in ("0", "1"):
            raise Invalid("人员文件第%d行格式不符" % ln)
        if f[0] == "expert" and (f[4] or f[5] or f[6] != "0" or (width == 9 and f[8])):
            raise Invalid("人员文件第%d行格式不符" % ln)
        if people and people[-1]["expert"] == (f[0] == "expert") and people[-1]["id"] == f[1]:
            raise Invalid("人员文件第%d行: 编号重复" % ln)
        people.append({"expert": f[0] == "expert", "id": f[1], "region": f[2],
                       "status": f[3], "from": f[4], "to": f[5], "lead": f[6] == "1",
                       "tags": f[7].split(",") if f[7] else [],
                       "dept": f[8] if width == 9 else ""})
    return {"sha256": hashlib.sha256(data).hexdigest(), "people": people, "has_dept": width == 9}


# ---------------------------------------------------------------- the draw

def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- /2: sources of public randomness

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
# kind: (name, draw time in Beijing, draw weekdays with Monday = 0, digits)
LOTTERIES = {"fc3d": ("福彩3D", (21, 15), range(7), 3), "ssq": ("双色球", (21, 15), (1, 3, 6), None),
             "tc_pl5": ("体彩排列5", (21, 25), range(7), 5)}
QUICKNET_GENESIS, QUICKNET_PERIOD = 1692803367, 3
ISSUE_SLACK_DAILY, ISSUE_SLACK_WEEKLY = 15, 8  # the Spring Festival break lowers an issue, never raises it


def draw_days_to(weekdays, day):
    """How many draw days of `weekdays` (Monday = 0) from 1 January to day, inclusive."""
    first = datetime.date(day.year, 1, 1)
    return sum(1 for i in range((day - first).days + 1) if (first + datetime.timedelta(days=i)).weekday() in weekdays)


def source_problems(sources):
    """The problems of a declared sources array (an empty list when it is valid)."""
    if not isinstance(sources, list) or not sources:
        return ["须声明至少一个公开随机数来源"]
    if len(sources) > 8:
        return ["随机数来源最多 8 个"]
    out, external = [], False
    for i, s in enumerate(sources):
        where = "第%d个随机数来源: " % (i + 1)
        kind = s.get("kind") if isinstance(s, dict) else None
        kind = kind if isinstance(kind, str) else None
        if kind in LOTTERIES:
            external = True
            issue, date = s.get("issue"), s.get("date")
            try:
                day = (datetime.date.fromisoformat(date)
                       if isinstance(date, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date) else None)
            except ValueError:
                day = None
            if set(s) != {"kind", "issue", "date"} or day is None:
                out.append(where + "须写明期号和开奖日期")
                continue
            ok = isinstance(issue, str) and issue.isdigit() and issue.isascii() and (
                (len(issue) == 7 and issue[:4] == date[:4]) or (kind == "tc_pl5" and len(issue) == 5 and issue[:2] == date[2:4]))
            if not ok:
                out.append(where + "期号应为开奖年份加期数")
            else:
                n = draw_days_to(LOTTERIES[kind][2], day)
                lo = max(1, n - (ISSUE_SLACK_DAILY if len(LOTTERIES[kind][2]) == 7 else ISSUE_SLACK_WEEKLY))
                if not lo <= int(issue[-3:]) <= n:
                    out.append(where + "期号与开奖日期 %s 不符：该日的期数应在 %03d 至 %03d 之间" % (date, lo, n))
            if day.weekday() not in LOTTERIES[kind][2]:
                out.append(where + "%s 不是开奖日" % date)
        elif kind == "drand":
            external = True
            r = s.get("round")
            if set(s) != {"kind", "chain", "round"} or s.get("chain") != "quicknet" or type(r) is not int or not 1 <= r <= 10**9:
                out.append(where + "drand 须写明 chain（quicknet）和正整数轮次")
        elif kind == "dice":
            c = s.get("count")
            if set(s) != {"kind", "count"} or type(c) is not int or not 1 <= c <= 50:
                out.append(where + "骰子须写明枚数（1 至 50）")
        else:
            out.append(where + "类型无效")
    if not out and not external:
        out.append("至少须有一个本局以外的来源（彩票开奖号码或 drand）")
    return out


def source_time(s):
    """When a source exists, seconds since the epoch (None for dice: rolled at the ceremony)."""
    if s["kind"] in LOTTERIES:
        hh, mm = LOTTERIES[s["kind"]][1]
        d = datetime.date.fromisoformat(s["date"])
        return int(datetime.datetime(d.year, d.month, d.day, hh, mm, tzinfo=BEIJING).timestamp())
    if s["kind"] == "drand":
        return QUICKNET_GENESIS + (s["round"] - 1) * QUICKNET_PERIOD
    return None


def canonical_value(s, v):
    """The canonical form of value v for source s, or None when it does not fit the kind."""
    if not isinstance(v, str) or any(ord(c) < 0x20 or ord(c) == 0x7f for c in v):
        return None
    kind = s["kind"]
    if kind in ("fc3d", "tc_pl5", "dice"):
        if any(not (c.isdigit() and c.isascii()) and c not in " ,，、" for c in v):
            return None
        d = "".join(c for c in v if c.isdigit())
        n = LOTTERIES[kind][3] if kind != "dice" else s["count"]
        if len(d) != n or (kind == "dice" and any(c not in "123456" for c in d)):
            return None
        return d
    if kind == "ssq":
        nums = re.findall(r"[0-9]+", v)
        plus = [m.start() for m in re.finditer(r"[+|]", v)]
        if len(nums) != 7 or any(len(x) > 2 for x in nums):
            return None
        if plus and len(re.findall(r"[0-9]+", v[:plus[0]])) != 6:
            return None
        red, blue = [int(x) for x in nums[:6]], int(nums[6])
        if len(set(red)) != 6 or not all(1 <= x <= 33 for x in red) or not 1 <= blue <= 16:
            return None
        return " ".join("%02d" % x for x in sorted(red)) + "+%02d" % blue
    sig = v.replace(" ", "").lower()  # drand: the signature, hex
    if len(sig) != 96 or any(c not in "0123456789abcdef" for c in sig):
        return None
    return sig


def seed_part(s, canon):
    if s["kind"] == "drand":
        return hashlib.sha256(bytes.fromhex(canon)).hexdigest()
    return canon


def parse_time(t):
    """RFC 3339 with an offset or Z, to seconds since the epoch; None otherwise."""
    if not isinstance(t, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)", t):
        return None
    try:
        return int(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def record_seed(record):
    """SEED of a record: /1 from public_randomness and secret, /2 from the sources' values."""
    freeze = record.get("freeze") or {}
    task = freeze.get("task")
    if not isinstance(task, str):
        raise Invalid("记录缺少 freeze.task")
    if record.get("format") == FORMAT_V2:
        sources, values = freeze.get("sources"), record.get("values")
        if source_problems(sources):
            raise Invalid("freeze.sources 无效")
        if not isinstance(values, list) or len(values) != len(sources):
            raise Invalid("values 与 freeze.sources 不一一对应")
        parts = []
        for s, v in zip(sources, values):
            c = canonical_value(s, v)
            if c is None or c != v:
                raise Invalid("随机数 %r 不是 %s 的规范写法" % (v, s["kind"]))
            parts.append(seed_part(s, c))
        fsha = hashlib.sha256(canonical(freeze).encode("utf-8")).hexdigest()
        seed = "spotcheck-v2|%s|%s|%s" % (task, fsha, "|".join(parts))
        if "blind_sha256" in freeze:  # the blind committed at the freeze ends the seed (§7a)
            if not isinstance(record.get("blind"), str):
                raise Invalid("记录缺少 blind（冻结时承诺的保密随机数）")
            seed += "|" + record["blind"]
        return seed
    rnd, secret = record.get("public_randomness"), record.get("secret")
    if not isinstance(rnd, str) or not isinstance(secret, str):
        raise Invalid("记录缺少 public_randomness 或 secret")
    return "spotcheck-v1|%s|%s|%s" % (task, rnd, secret)


def verify_blind(record, freeze, out):
    """The blind (§7a): revealed in the record exactly when the freeze committed to it, and its
    SHA-256 (of the 32 bytes) is the commitment."""
    blind = record.get("blind")
    if "blind_sha256" not in freeze:
        if "blind" in record:
            out.append("blind: 冻结时没有承诺保密随机数，不应有此字段")
        return
    if not (isinstance(blind, str) and len(blind) == 64 and all(c in "0123456789abcdef" for c in blind)):
        out.append("blind: 应为 64 个小写十六进制字符（冻结时承诺的保密随机数）")
        return
    c = hashlib.sha256(bytes.fromhex(blind)).hexdigest()
    if freeze.get("blind_sha256") != c:
        out.append("freeze.blind_sha256: 记录为 %s，blind 的 SHA-256 为 %s" % (freeze.get("blind_sha256"), c))


def verify_declared(freeze, out):
    """/2 freeze: declared sources valid, frozen gap_hours before the earliest. False when the
    sources themselves are invalid (nothing more to check against them)."""
    sources = freeze.get("sources")
    problems = source_problems(sources)
    if problems:
        out += ["freeze.sources: " + p for p in problems]
        return False
    times = [t for t in (source_time(s) for s in sources) if t is not None]
    frozen, gap = parse_time(freeze.get("frozen_at")), freeze.get("gap_hours")
    if frozen is None:
        out.append("freeze.frozen_at: 应为带时区的时间")
    elif type(gap) is not int or not 1 <= gap <= 24 * 365:
        out.append("freeze.gap_hours: 应为正整数（小时）")
    elif times and frozen + gap * 3600 > min(times):
        out.append("freeze.frozen_at: 冻结应早于最早的随机数来源至少 %d 小时" % gap)
    return True


def verify_sources(record, freeze, out):
    """/2: declared sources, freeze gap_hours before the earliest, draw after each, values."""
    if not verify_declared(freeze, out):
        return
    sources, drawn, frozen = freeze.get("sources"), parse_time(record.get("drawn_at")), parse_time(freeze.get("frozen_at"))
    # dice are recorded after the freeze and before the earliest external source
    dice, at = sum(1 for x in sources if x.get("kind") == "dice"), record.get("dice_recorded_at")
    times = [t for t in (source_time(x) for x in sources) if t is not None]
    if not dice:
        if "dice_recorded_at" in record:
            out.append("dice_recorded_at: 没有声明骰子，不应有此字段")
    elif parse_time(at) is None:
        out.append("dice_recorded_at: 声明了骰子，须有开奖前登记点数的时间（带时区）")
    elif (frozen is not None and parse_time(at) < frozen) or (times and parse_time(at) >= min(times)):
        out.append("dice_recorded_at: 骰子须在冻结之后、最早的外部随机数产生之前登记")
    if drawn is None:
        out.append("drawn_at: 应为带时区的时间")
    else:
        for s in sources:
            t = source_time(s)
            if t is not None and drawn < t:
                out.append("drawn_at: 抽取时 %s 尚未产生" % json.dumps(s, ensure_ascii=False, sort_keys=True))
        if frozen is not None and drawn < frozen:
            out.append("drawn_at: 早于冻结时间")
    values = record.get("values")
    if not isinstance(values, list) or len(values) != len(sources):
        out.append("values: 应为与 freeze.sources 一一对应的 %d 个随机数" % len(sources))
        return
    for i, (s, v) in enumerate(zip(sources, values)):
        c = canonical_value(s, v)
        if c is None:
            out.append("values[%d]: %r 不符合 %s 的格式" % (i, v, s["kind"]))
        elif c != v:
            out.append("values[%d]: “%s”不是规范写法（应为“%s”）" % (i, v, c))


def compute(record, pop, roster):
    """Re-runs the draw; returns the derived fields as the record holds them."""
    freeze = record.get("freeze") or {}
    params = freeze.get("params")
    task, date = freeze.get("task"), freeze.get("draw_date")
    if not isinstance(params, dict) or not isinstance(task, str) or not isinstance(date, str):
        raise Invalid("记录缺少 freeze.task / freeze.draw_date / freeze.params")
    seed = record_seed(record)
    g = params.get("group_size", 2)
    g = 2 if g is None else g
    cap = params.get("workload_cap", 0)
    cap = 0 if cap is None else cap
    if type(g) is not int or g < 2 or g > 50 or type(cap) is not int or cap < 0:
        raise Invalid("参数 group_size / workload_cap 无效")
    cross = params.get("cross_region") is True
    required = params.get("required_tags") or []
    specialties = params.get("specialties") or []
    conflicts = params.get("conflicts") or []
    if cross and not pop["has_region"]:
        raise Invalid("要求跨区域检查时名单文件须有第三列")

    by_stratum = {}
    for ident, stratum, region in pop["rows"]:
        by_stratum.setdefault(stratum, []).append(ident)
    names = sorted(by_stratum, key=lambda s: s.encode("utf-8"))
    strata, sizes = [], {}
    for name in names:
        rv = lookup(params.get("ratios"), name)
        ratio = parse_ratio(rv)
        if ratio is None:
            raise Invalid("分层 %s 没有有效的抽查比例" % name)
        mv = lookup(params.get("minimum"), name)
        if mv is not None and (type(mv) is not int or mv < 0):
            raise Invalid("分层 %s 的最低数量无效" % name)
        minimum = mv or 0
        n = stratum_size(len(by_stratum[name]), ratio, minimum)
        sizes[name] = n
        strata.append({"stratum": name, "N": len(by_stratum[name]), "ratio": rv,
                       "minimum": minimum, "n": n})

    def tk(i):
        return ticket(seed, i)

    stratum_order, taken, stratum_of, region_of = {}, {}, {}, {}
    for ident, stratum, region in pop["rows"]:
        stratum_of[ident], region_of[ident] = stratum, region
    for name in names:
        stratum_order[name] = order(seed, by_stratum[name])
        taken[name] = sizes[name]
    sample = [i for name in names for i in stratum_order[name][:sizes[name]]]
    sample = sorted(sample, key=lambda i: (tk(i), i.encode("utf-8")))
    selected = [{"id": i, "stratum": stratum_of[i], "ticket": tk(i)} for i in sample]

    people = roster["people"] if roster else []
    officers = [p for p in people if not p["expert"]]
    experts = [p for p in people if p["expert"]]
    load = {}
    groups = []
    # pools: 0 = the lead dept (every officer without joint depts), k = joint_depts[k-1]
    joint = params.get("joint_depts")
    joint = [] if joint is None else joint
    if not isinstance(joint, list):
        raise Invalid("参数 joint_depts 须为数组")
    want = [g]
    for k, d in enumerate(joint):
        per = d.get("per_group", 1) if isinstance(d, dict) else None
        per = 1 if per is None else per
        if not isinstance(d, dict) or not isinstance(d.get("dept"), str) or not d["dept"] \
                or type(per) is not int or per < 1 or per > 50:
            raise Invalid("参数 joint_depts 的每项须为 {dept, per_group}")
        if any(x["dept"] == d["dept"] for x in joint[:k]):
            raise Invalid("参数 joint_depts 中科室重复")
        want.append(per)
    if joint and roster and not roster["has_dept"]:
        raise Invalid("联合抽查的人员文件须有第9列（科室）")
    pool_of = {}
    for p in officers:
        pool_of[p["id"]] = next((k + 1 for k, d in enumerate(joint) if d["dept"] == p["dept"]), 0)

    def conflicted(pid, target):
        return any(isinstance(c, list) and len(c) >= 2 and c[0] == pid and c[1] == target
                   for c in conflicts)

    def why_not(p, grp):
        t = grp["target"]
        if conflicted(p["id"], t):
            return "回避：已申报利益冲突"
        if cross and p["region"] == region_of[t]:
            return "回避：本区域执法人员（本任务要求跨区域检查）"
        if date < p["from"] or date > p["to"]:
            return "执法证不在有效期内（%s 至 %s）" % (p["from"], p["to"])
        if p["status"] != "在岗":
            return "状态为%s" % p["status"]
        if cap > 0 and load.get(p["id"], 0) >= cap:
            return "已达本任务工作量上限（%d组）" % cap
        if pool_of[p["id"]] != 0:
            return None  # required tags bind the lead dept's pool only
        for tag in required:
            if tag not in p["tags"]:
                return "缺少事项所需标签 %s" % tag
        return None

    def in_pool(grp, k):
        return sum(1 for m in grp["members"] if pool_of[m["id"]] == k)

    def fill_pool(grp, k):
        while in_pool(grp, k) < want[k] and grp["pos"][k] < len(grp["order"]):
            p = grp["order"][grp["pos"][k]]
            grp["pos"][k] += 1
            if pool_of[p["id"]] != k:
                continue
            why = why_not(p, grp)
            if why is None and k == 0 and in_pool(grp, 0) + 1 == want[0] and not p["lead"] \
                    and not any(m["lead"] and pool_of[m["id"]] == 0 for m in grp["members"]):
                why = "末位须可任组长（组内尚无可任组长人员）"
            if why:
                grp["skipped"].append({"id": p["id"], "reason": why})
                continue
            grp["members"].append(p)
            load[p["id"]] = load.get(p["id"], 0) + 1

    def set_short(grp):
        grp["short"] = sum(max(0, want[k] - in_pool(grp, k)) for k in range(len(want)))

    def fill(grp):
        for k in range(len(want)):
            fill_pool(grp, k)
        set_short(grp)

    def cover(grp):
        grp["uncovered"] = []
        while True:
            have = set()
            for m in grp["members"] + grp["experts"]:
                have.update(m["tags"])
            missing = [s for s in specialties if s not in have]
            if not missing:
                return
            if grp["epos"] >= len(grp["eorder"]):
                grp["uncovered"] = missing
                return
            e = grp["eorder"][grp["epos"]]
            grp["epos"] += 1
            if not any(s in e["tags"] for s in missing):
                continue
            if e["status"] != "启用":
                grp["skipped"].append({"id": e["id"], "reason": "状态为%s" % e["status"]})
                continue
            if conflicted(e["id"], grp["target"]):
                grp["skipped"].append({"id": e["id"], "reason": "回避：已申报利益冲突"})
                continue
            grp["experts"].append(e)

    def people_order(target, which, lst):
        s = seed + which + target
        idx = {p["id"]: p for p in lst}
        return [idx[i] for i in order(s, list(idx))]

    def new_group(target, origin):
        grp = {"target": target, "origin": origin, "status": "有效", "members": [],
               "experts": [], "skipped": [], "removed": [], "uncovered": [], "short": 0,
               "pos": [0] * len(want), "epos": 0}
        if roster:
            grp["order"] = people_order(target, "|officers|", officers)
            grp["eorder"] = people_order(target, "|experts|", experts)
            fill(grp)
            cover(grp)
        groups.append(grp)

    for s in selected:
        new_group(s["id"], "抽中")

    events_in = record.get("events")
    if events_in is not None and not isinstance(events_in, list):
        raise Invalid("events 须为数组")
    events = []
    for k, ev in enumerate(events_in or []):
        out = {key: ev[key] for key in ("type", "target", "officer", "reason")
               if isinstance(ev, dict) and key in ev}
        events.append(out)
        if not roster and isinstance(ev, dict) and ev.get("type") == "officer":
            continue
        typ, target, reason = (ev.get("type"), ev.get("target"), ev.get("reason")) \
            if isinstance(ev, dict) else (None, None, None)
        if not isinstance(typ, str) or not isinstance(target, str) or not reason:
            raise Invalid("事件%d: 须有 type、target 和非空 reason" % (k + 1))
        grp = next((x for x in groups if x["status"] == "有效" and x["target"] == target), None)
        if grp is None:
            raise Invalid("事件%d: %s 不是当前有效的抽中对象" % (k + 1, target))
        if typ == "target":
            grp["status"] = "已替换"
            for m in grp["members"]:
                load[m["id"]] -= 1
            name = stratum_of[target]
            if taken[name] >= len(stratum_order[name]):
                out["replacement"], out["ticket"] = None, None
                continue
            nxt = stratum_order[name][taken[name]]
            taken[name] += 1
            out["replacement"], out["ticket"] = nxt, tk(nxt)
            new_group(nxt, "递补")
            continue
        if typ != "officer":
            raise Invalid("事件%d: 未知类型 %s" % (k + 1, typ))
        who = ev.get("officer")
        if not isinstance(who, str):
            raise Invalid("事件%d: 须有 officer" % (k + 1))
        if any(m["id"] == who for m in grp["members"]):
            m = next(m for m in grp["members"] if m["id"] == who)
            load[who] -= 1
            grp["members"].remove(m)
            grp["removed"].append({"id": who, "reason": reason})
            before, experts_before = len(grp["members"]), len(grp["experts"])
            fill_pool(grp, pool_of[who])  # in draw order within the same dept's pool
            set_short(grp)
            cover(grp)
            out["replacement"] = grp["members"][-1]["id"] if len(grp["members"]) > before else None
            if len(grp["experts"]) > experts_before:  # experts this step brought in (§5)
                out["experts_added"] = [e["id"] for e in grp["experts"][experts_before:]]
        elif any(e["id"] == who for e in grp["experts"]):
            e = next(e for e in grp["experts"] if e["id"] == who)
            grp["experts"].remove(e)
            grp["removed"].append({"id": who, "reason": reason})
            before = len(grp["experts"])
            cover(grp)
            out["replacement"] = grp["experts"][-1]["id"] if len(grp["experts"]) > before else None
        else:
            raise Invalid("事件%d: %s 不在 %s 的检查组中" % (k + 1, who, target))

    assignments = []
    if roster:
        for grp in groups:
            leader = next((m["id"] for m in grp["members"] if m["lead"] and pool_of[m["id"]] == 0),
                          None)
            assignments.append({
                "target": grp["target"], "origin": grp["origin"], "status": grp["status"],
                "officers": [m["id"] for m in grp["members"]], "leader": leader,
                "experts": [e["id"] for e in grp["experts"]], "uncovered": grp["uncovered"],
                "skipped": grp["skipped"], "removed": grp["removed"], "short": grp["short"]})
    return {"seed": seed, "seedhash": sha256_hex(seed), "strata": strata, "selected": selected,
            "assignments": assignments, "events": events}


# ---------------------------------------------------------------- verification

def short(v):
    s = canonical(v) if v is not None else "（缺失）"
    return s if len(s) <= 200 else s[:190] + "…"


def diff(path, a, b, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in b:
            diff("%s.%s" % (path, k), a.get(k, Missing), b[k], out)
        for k in a:
            if k not in b:
                out.append("%s.%s: 记录中有多余字段" % (path, k))
        return
    if isinstance(a, list) and isinstance(b, list):
        for i in range(min(len(a), len(b))):
            diff("%s[%d]" % (path, i), a[i], b[i], out)
        if len(a) != len(b):
            out.append("%s: 记录有 %d 项，重算为 %d 项" % (path, len(a), len(b)))
        return
    if a is not Missing and type(a) is type(b) and a == b:
        return
    out.append("%s: 记录为 %s，重算为 %s" % (path, short(None if a is Missing else a), short(b)))


class _Missing:
    pass


Missing = _Missing()


def has_control(v):
    if isinstance(v, str):
        return any(ord(c) < 0x20 or ord(c) == 0x7f for c in v)
    if isinstance(v, dict):
        return any(has_control(k) or has_control(x) for k, x in v.items())
    if isinstance(v, list):
        return any(has_control(x) for x in v)
    return False


def verify(record, pop, roster, expect_freeze):
    out, notes = [], []
    if not isinstance(record, dict):
        return ["记录不是 JSON 对象"], notes
    v2 = record.get("format") == FORMAT_V2
    if not v2 and record.get("format") != FORMAT:
        out.append('format: 应为 "%s"（或旧记录的 "%s"）' % (FORMAT_V2, FORMAT))
    rkeys, fkeys = (RECORD_KEYS_V2, FREEZE_KEYS_V2) if v2 else (RECORD_KEYS, FREEZE_KEYS)
    out += ["%s: 未知字段" % k for k in record if k not in rkeys and not (v2 and k in ("dice_recorded_at", "blind"))]
    out += ["%s: 缺少字段" % k for k in rkeys if k not in record]
    freeze = record.get("freeze")
    if not isinstance(freeze, dict):
        return out + ["freeze: 缺少或不是对象"], notes
    out += ["freeze.%s: 未知字段" % k for k in freeze if k not in fkeys and not (v2 and k == "blind_sha256")]
    out += ["freeze.%s: 缺少字段" % k for k in fkeys if k not in freeze]
    if has_control(freeze):
        out.append("freeze: 含有控制字符")
    fsha = hashlib.sha256(canonical(freeze).encode("utf-8")).hexdigest()
    if record.get("freeze_sha256") != fsha:
        out.append("freeze_sha256: 记录为 %s，按 freeze 内容重算为 %s"
                   % (record.get("freeze_sha256"), fsha))
    if expect_freeze and expect_freeze != fsha:
        out.append("freeze: 与抽取前公布的摘要 %s 不符（重算为 %s）" % (expect_freeze, fsha))
    secret = record.get("secret")
    ok_secret = isinstance(secret, str) and len(secret) == 64 and \
        all(c in "0123456789abcdef" for c in secret)
    if v2:
        verify_sources(record, freeze, out)
        verify_blind(record, freeze, out)
    elif not ok_secret:
        out.append("secret: 应为 64 个小写十六进制字符")
    else:
        c = hashlib.sha256(bytes.fromhex(secret)).hexdigest()
        if freeze.get("commitment") != c:
            out.append("freeze.commitment: 记录为 %s，secret 的 SHA-256 为 %s"
                       % (freeze.get("commitment"), c))
    fp = freeze.get("population")
    if pop is not None:
        counts = {}
        for _, s, _ in pop["rows"]:
            counts[s] = counts.get(s, 0) + 1
        diff("freeze.population", fp if isinstance(fp, dict) else fp,
             {"sha256": pop["sha256"], "count": len(pop["rows"]), "strata": counts}, out)
    else:
        notes.append("未提供名单文件：只核对了票号、顺序和各层数量，未核对名单完整性。")
    if roster is not None:
        ppl = roster["people"]
        diff("freeze.officers", freeze.get("officers"),
             {"sha256": roster["sha256"], "officers": sum(1 for p in ppl if not p["expert"]),
              "experts": sum(1 for p in ppl if p["expert"])}, out)
    else:
        notes.append("未提供人员文件：未核对检查组分配。")
    try:
        seed = record_seed(record)
    except Invalid:
        seed = None
    if seed is not None:
        if record.get("seed") != seed:
            out.append("seed: 记录为 %s，应为 %s" % (record.get("seed"), seed))
        if record.get("seedhash") != sha256_hex(seed):
            out.append("seedhash: 记录为 %s，应为 %s" % (record.get("seedhash"), sha256_hex(seed)))
    if pop is not None:
        try:
            re_ = compute(record, pop, roster)
        except Invalid as e:
            out.append("无法重算: %s" % e)
            try:
                copy = dict(record)
                copy["events"] = []
                re_ = compute(copy, pop, None)
                diff("strata", record.get("strata"), re_["strata"], out)
                diff("selected", record.get("selected"), re_["selected"], out)
            except Invalid:
                pass
            return out, notes
        diff("strata", record.get("strata"), re_["strata"], out)
        diff("selected", record.get("selected"), re_["selected"], out)
        if roster is not None:
            diff("assignments", record.get("assignments"), re_["assignments"], out)
            diff("events", record.get("events"), re_["events"], out)
        else:
            rec_ev = record.get("events") if isinstance(record.get("events"), list) else []
            for i, e in enumerate(re_["events"]):
                if e.get("type") == "target":
                    diff("events[%d]" % i, rec_ev[i] if i < len(rec_ev) else Missing, e, out)
    elif seed is not None:
        prev = None
        for i, e in enumerate(record.get("selected") or []):
            ident = e.get("id") if isinstance(e, dict) else None
            if not isinstance(ident, str):
                continue
            want = ticket(seed, ident)
            if e.get("ticket") != want:
                out.append("selected[%d].ticket: 记录为 %s，重算为 %s" % (i, e.get("ticket"), want))
            key = (want, ident.encode("utf-8"))
            if prev is not None and prev >= key:
                out.append("selected[%d]: 未按票号升序排列" % i)
            prev = key
        params = freeze.get("params") if isinstance(freeze.get("params"), dict) else {}
        fstrata = fp.get("strata") if isinstance(fp, dict) else {}
        for i, s in enumerate(record.get("strata") or []):
            name = s.get("stratum") if isinstance(s, dict) else None
            N = (fstrata or {}).get(name) if isinstance(name, str) else None
            ratio = parse_ratio(lookup(params.get("ratios"), name or ""))
            if type(N) is not int or ratio is None:
                out.append("strata[%d]: 无法按 freeze 重算" % i)
                continue
            mv = lookup(params.get("minimum"), name)
            want = stratum_size(N, ratio, mv if type(mv) is int else 0)
            if s.get("n") != want:
                out.append("strata[%d].n: 记录为 %s，重算为 %d" % (i, s.get("n"), want))
    return out, notes


def verify_frozen(record, pop, roster, expect_freeze):
    """A frozen record not yet drawn: its digest, the published digest, the sources, the files.
    Returns (differences, [(stratum, N_h, n_h)])."""
    out, sizes = [], []
    freeze = record.get("freeze")
    if not isinstance(freeze, dict):
        return ["freeze: 缺少或不是对象"], sizes
    if record.get("format") == FORMAT_V2:
        out += ["freeze.%s: 未知字段" % k for k in freeze if k not in FREEZE_KEYS_V2 and k != "blind_sha256"]
        out += ["freeze.%s: 缺少字段" % k for k in FREEZE_KEYS_V2 if k not in freeze]
    fsha = hashlib.sha256(canonical(freeze).encode("utf-8")).hexdigest()
    if record.get("freeze_sha256") != fsha:
        out.append("freeze_sha256: 记录为 %s，按 freeze 内容重算为 %s" % (record.get("freeze_sha256"), fsha))
    if expect_freeze and expect_freeze != fsha:
        out.append("freeze: 与公告的摘要 %s 不符（重算为 %s）" % (expect_freeze, fsha))
    if record.get("format") == FORMAT_V2:
        verify_declared(freeze, out)
    params = freeze.get("params") if isinstance(freeze.get("params"), dict) else {}
    if pop is not None:
        if (freeze.get("population") or {}).get("sha256") != pop["sha256"]:
            out.append("freeze.population.sha256: 与名单文件的 SHA-256 %s 不符" % pop["sha256"])
        counts = {}
        for _, s, _ in pop["rows"]:
            counts[s] = counts.get(s, 0) + 1
        for name in sorted(counts, key=lambda s: s.encode("utf-8")):
            ratio = parse_ratio(lookup(params.get("ratios"), name))
            if ratio is None:
                out.append("分层 %s 没有有效的抽查比例" % name)
                continue
            mv = lookup(params.get("minimum"), name)
            sizes.append((name, counts[name], stratum_size(counts[name], ratio, mv if type(mv) is int else 0)))
    if roster is not None and (freeze.get("officers") or {}).get("sha256") != roster["sha256"]:
        out.append("freeze.officers.sha256: 与人员文件的 SHA-256 %s 不符" % roster["sha256"])
    return out, sizes


def main(argv):
    if len(argv) >= 2 and argv[1] == "--sample":
        if len(argv) != 3:
            print("用法: verify_draw.py --sample SEED < ids.txt", file=sys.stderr)
            return 2
        ids = [l.rstrip("\r") for l in sys.stdin.read().split("\n") if l.rstrip("\r")]
        if len(set(ids)) != len(ids):
            print("编码重复", file=sys.stderr)
            return 1
        for i in order(argv[2], ids):
            print("%s\t%s" % (ticket(argv[2], i), i))
        return 0
    files, expect = [], None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--freeze" and args:
            expect = args.pop(0)
        elif a.startswith("-"):
            print("用法: verify_draw.py RECORD.json [POPULATION.tsv] [OFFICERS.tsv] [--freeze SHA]",
                  file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not 1 <= len(files) <= 3:
        print("用法: verify_draw.py RECORD.json [POPULATION.tsv] [OFFICERS.tsv] [--freeze SHA]",
              file=sys.stderr)
        return 2

    def no_dupes(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("重复的键")
        return dict(pairs)

    try:
        with open(files[0], "rb") as f:
            record = json.loads(f.read().decode("utf-8"), object_pairs_hook=no_dupes)
    except (ValueError, UnicodeDecodeError) as e:
        print("不一致\n%s: 不是有效的 JSON（%s）" % (files[0], e))
        return 1
    try:
        pop = parse_population(open(files[1], "rb").read()) if len(files) > 1 else None
        roster = parse_roster(open(files[2], "rb").read()) if len(files) > 2 else None
    except (Invalid, UnicodeDecodeError) as e:
        print("不一致\n输入文件无效: %s" % e)
        return 1
    if not expect:
        print("提示：未提供 --freeze，冻结摘要未与抽取前公告中的摘要核对（请从本局网站的公告或他人保存的公告中取得）。",
              file=sys.stderr)
    complete = pop is not None and roster is not None
    if isinstance(record, dict) and "seed" not in record:
        out, sizes = verify_frozen(record, pop, roster, expect)
        if not out:
            print("冻结记录一致（尚未抽取）" if complete else "部分核验（尚未抽取；未提供全部名单文件）")
            if sizes:
                print("分层\t对象数\t应抽取数")
                for name, n_all, n in sizes:
                    print("%s\t%d\t%d" % (name, n_all, n))
            return 0 if complete else 2
        notes = []
    else:
        out, notes = verify(record, pop, roster, expect)
    for n in notes:
        print(n, file=sys.stderr)
    if out:
        print("不一致")
        for line in out[:50]:
            print(line)
        if len(out) > 50:
            print("……（更多差异从略）")
        return 1
    if not complete:
        print("部分核验")  # what could be checked agrees, but not everything was
        return 2
    print("一致")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
