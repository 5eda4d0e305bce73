#!/usr/bin/env bash
# tools/verify_draw.py judges declared sources as the C code does (tests/unit/test_draw.c
# test_sources): the same accepted list, the same refusals, and no crash on odd JSON.
set -eu
cd "$(dirname "$0")/../.."
python3 - <<'PY'
import sys
sys.path.insert(0, "tools")
import verify_draw as v

ok = [{"kind": "fc3d", "issue": "2026330", "date": "2026-12-07"},
      {"kind": "ssq", "issue": "2026140", "date": "2026-12-08"},
      {"kind": "tc_pl5", "issue": "26330", "date": "2026-12-07"},
      {"kind": "drand", "chain": "quicknet", "round": 1}, {"kind": "dice", "count": 10}]
assert v.source_problems(ok) == [], v.source_problems(ok)
bad = [
    ([{"kind": "ssq", "issue": "2026140", "date": "2026-12-07"}], "不是开奖日"),
    ([{"kind": "fc3d", "issue": "2025330", "date": "2026-12-07"}], "期号"),
    ([{"kind": "fc3d", "issue": "2026342", "date": "2026-12-07"}], "应在 326 至 341"),
    ([{"kind": "fc3d", "issue": "2026325", "date": "2026-12-07"}], "不符"),
    ([{"kind": "tc_pl5", "issue": "26100", "date": "2026-12-07"}], "不符"),
    ([{"kind": "ssq", "issue": "2026148", "date": "2026-12-08"}], "应在 139 至 147"),
    ([{"kind": "ssq", "issue": "2026001", "date": "2026-12-08"}], "不符"),
    ([{"kind": "fc3d", "issue": "2026002", "date": "2026-01-01"}], "应在 001 至 001"),
    ([{"kind": "fc3d", "issue": "2026001", "date": "2026-W01-1"}], "开奖日期"),   # ISO week date
    ([{"kind": ["fc3d"], "issue": "2026001", "date": "2026-01-01"}], ""),         # kind not a string
    ([{"kind": "lotto"}], ""),
]
for sources, want in bad:
    got = v.source_problems(sources)
    assert got and any(want in p for p in got), (sources, got)
# the window at every day of a year, as the C code computes it (draw days to the date)
import datetime
for d in range(365):
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=d)
    doy = d + 1
    src = lambda seq: [{"kind": "fc3d", "issue": "2026%03d" % seq, "date": day.isoformat()}]
    assert v.source_problems(src(doy)) == [] and v.source_problems(src(max(1, doy - 15))) == [], day
    assert v.source_problems(src(doy + 1)) and (doy <= 16 or v.source_problems(src(doy - 16))), day
print("verify_draw.py source checks: ok")
PY
