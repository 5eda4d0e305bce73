#!/usr/bin/env bash
# Benchmark of `spotcheck sample` (issue 15 item 6) against the draw engine in the same run.
#   engine      bench_draw memory: parse the canonical population file + draw_select (3 %
#               stratified by grade; the figure the issue compares with)
#   sample      `spotcheck sample --seed S --take n` on the same N ids (n = 3 %), read from
#               stdin, ordered, checked for duplicates and printed; sorted input (as population
#               files are) and the same ids shuffled (the duplicate check then sorts hashes)
# Each timed 3 times, the median wall and CPU seconds (user + system) are printed.
# Usage: bench/sample/run.sh [N]     (default 10,000,000)
set -euo pipefail
N=${1:-10000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/spotcheck-bench-sample.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
make --no-print-directory build/spotcheck >/dev/null
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o "$work/bench_draw" bench/draw/bench_draw.c \
  $(find src -name '*.c' ! -name main.c | sort | sed 's|^|build/|; s|\.c$|.o|') build/gen/embedded.o \
  -lsqlite3 -lsodium -ljansson -lmicrohttpd -lzip -lexpat -lxlsxwriter -lz -lm -pthread
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), N=$N, load: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | sed -n 2p; }
# engine: parse + draw, three runs
for i in 1 2 3; do "$work/bench_draw" memory "$N" "$work/pop.tsv"; done > "$work/engine.out"
eng=$(awk '/^memory_parse/{p=$2} /^memory_draw/{print p + $2}' "$work/engine.out" | median)
cut -f1 "$work/pop.tsv" > "$work/ids"
shuf --random-source=<(yes) "$work/ids" > "$work/ids.shuf"
take=$(( (N * 3 + 99) / 100 ))
run_sample() { # $1: input file; prints "wall cpu" of three runs, median by wall
  for i in 1 2 3; do
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$root/build/spotcheck" sample --seed bench-seed \
      --take "$take" < "$1" > "$work/out"
    awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}' "$work/t"
  done | sort -n | sed -n 2p
}
sorted=$(run_sample "$work/ids")
shuffled=$(run_sample "$work/ids.shuf")
printf '%-52s %8s\n' "engine in memory: parse + draw (median of 3, s)" "$eng"
printf '%-52s %8s %8s %10s\n' "spotcheck sample, sorted ids (wall, cpu s, KB)" $sorted
printf '%-52s %8s %8s %10s\n' "spotcheck sample, shuffled ids (wall, cpu s, KB)" $shuffled
echo "ratio sample/engine: sorted $(echo "scale=2; ${sorted%% *} / $eng" | bc)," \
  "shuffled $(echo "scale=2; ${shuffled%% *} / $eng" | bc)"
