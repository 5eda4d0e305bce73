#!/usr/bin/env bash
# bench/credit/run.sh BASE.db [ROUNDS]: the leader's to-do list with the credit proposals
# (credit_pending) on a database of imported targets (BASE.db: bench/import's generator imported with
# `spotcheck import`, e.g. 1,000,000 targets) plus bench/credit/seed.py's task, 12,000 records and
# 2,000 follow-ups, on SPOTCHECK_TODAY=2026-07-15. Interleaves GET /api/v1/todo as a leader (with the
# credit entries) and as staff (without them) ROUNDS times (default 9) and prints each one's median
# time (curl time_total) and the number of credit entries. Not part of `make test`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:?usage: run.sh BASE.db [ROUNDS]}
rounds=${2:-9}
sc=${SPOTCHECK:-$root/build/spotcheck}
run=$(mktemp -d "${TMPDIR:-/tmp}/spotcheck-bench-credit.XXXXXX")
cp "$base" "$run/b.db"
"$sc" init --db "$run/b.db" >/dev/null || exit 1
python3 "$root/bench/credit/seed.py" "$run/b.db" >&2 || exit 1
export SPOTCHECK_TODAY=2026-07-15
for u in benchleader:leader benchstaff:staff; do
    echo 'bench-password-2026' | "$sc" user add "${u%%:*}" --role "${u##*:}" --org 130528 --password-stdin --db "$run/b.db" >/dev/null 2>&1
done
. "$root/bench/lib.sh"
bench_serve "$sc" "$run/b.db" "$run"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$run"' EXIT
lt=$(bench_login benchleader bench-password-2026 "$run/jar-l") st=$(bench_login benchstaff bench-password-2026 "$run/jar-s")
[ -n "$lt" ] && [ -n "$st" ] || { echo "run.sh: login failed" >&2; exit 1; }
get() { curl -s -H "Cookie: sc_session=$1" -o "$run/out-$2" -w '%{time_total}' "$url/api/v1/todo"; }
get "$lt" leader >/dev/null; get "$st" staff >/dev/null # warm the connections' statements
: >"$run/leader" && : >"$run/staff"
for _ in $(seq "$rounds"); do
    get "$lt" leader >>"$run/leader"; echo >>"$run/leader"
    get "$st" staff >>"$run/staff"; echo >>"$run/staff"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] * 1000 " ms" }'; }
n=$(grep -o '"kind": *"credit.confirm"' "$run/out-leader" | wc -l)
echo "$(sqlite3 "$run/b.db" 'SELECT count(*) FROM target') targets, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "GET /api/v1/todo leader (with $n credit entries): median $(median "$run/leader") of $rounds"
echo "GET /api/v1/todo staff (no credit entries):      median $(median "$run/staff") of $rounds"
