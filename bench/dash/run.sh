#!/usr/bin/env bash
# bench/dash/run.sh [ROWS]: /figures, /figures.xlsx, /dashboard, /dashboard/overdue (per officer,
# per dept, one officer), /dashboard/reminders on ROWS targets (default 1,000,000, bench/import's
# generator, imported with `spotcheck import`) plus bench/dash/seed.py's task, 30,000-target draw,
# 12,000 records and 2,000 follow-ups, on SPOTCHECK_TODAY=2026-07-15. Each page is fetched three
# times with curl (time_total); then CONC (default 0: none) concurrent /dashboard requests. Prints
# the times and the server's peak RSS (VmHWM) after each page.
#
# Environment: SPOTCHECK (default build/spotcheck), BENCH_DIR (default
# ${TMPDIR:-/tmp}/spotcheck-bench-dash; the generated and seeded databases are kept there), CONC.
# Not part of `make test`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
sc=${SPOTCHECK:-$root/build/spotcheck}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-dash}
[ -x "$sc" ] || { echo "run.sh: $sc not found; build it with make" >&2; exit 2; }
case $rows in '' | *[!0-9]*) echo "usage: run.sh [ROWS]" >&2; exit 2 ;; esac
mkdir -p "$dir"
data=$dir/data-$rows seeded=$dir/seeded-$rows.db
if [ ! -s "$seeded" ]; then
    [ -s "$data/targets.csv" ] || python3 "$root/bench/import/gen.py" "$data" "$rows" >&2
    rm -f "$seeded"*
    "$sc" import orgs "$data/orgs.csv" --db "$seeded" >/dev/null
    "$sc" import tags "$data/tags.csv" --db "$seeded" >/dev/null
    "$sc" import targets "$data/targets.csv" --db "$seeded" >/dev/null
    python3 "$root/bench/dash/seed.py" "$seeded" >&2 || exit 1
fi
run=$(mktemp -d "$dir/run.XXXXXX")
cp "$seeded" "$run/b.db"
export SPOTCHECK_TODAY=2026-07-15
echo 'bench-password-2026' | "$sc" user add benchstaff --role staff --org 130528 --password-stdin --db "$run/b.db" >/dev/null 2>&1
. "$root/bench/lib.sh"
bench_serve "$sc" "$run/b.db" "$run"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$run"' EXIT
token=$(bench_login benchstaff bench-password-2026 "$run/jar")
[ -n "$token" ] || { echo "run.sh: login failed" >&2; exit 1; }
hwm() { awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status"; }
echo "$rows targets, $(basename "$sc"), load $(cut -d' ' -f1-3 /proc/loadavg); server RSS after login $(hwm) MB"
for p in "/figures?year=2026" "/figures.xlsx?year=2026" "/dashboard" "/dashboard/overdue?by=officer" \
    "/dashboard/overdue?by=dept" "/dashboard/reminders?date=2026-07-15" "/dashboard/overdue?by=officer&who=YB0000"; do
    ts=()
    for _ in 1 2 3; do
        ts+=("$(curl -s -H "Cookie: sc_session=$token" -o "$run/out" -w '%{http_code}:%{time_total}' "$url$p")")
    done
    printf '%-44s %s  %s bytes  peak RSS %s MB\n' "$p" "${ts[*]}" "$(stat -c %s "$run/out")" "$(hwm)"
done
if [ "${CONC:-0}" -gt 0 ]; then
    start=$(date +%s.%N)
    pids=()
    for _ in $(seq "$CONC"); do
        (curl -s -m 300 -H "Cookie: sc_session=$token" -o /dev/null -w '%{http_code}' "$url/dashboard"; echo " exit=$?") >>"$run/conc.out" &
        pids+=($!)
    done
    wait "${pids[@]}"
    end=$(date +%s.%N)
    echo "$CONC concurrent /dashboard: $(sort "$run/conc.out" | uniq -c | tr -s ' \n' ' ')wall $(echo "$end - $start" | bc) s, peak RSS $(hwm) MB"
fi
