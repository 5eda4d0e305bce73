#!/usr/bin/env bash
# bench/run.sh [NAME...] - `make bench`: runs the named benchmarks (each bench/NAME/run.sh with its
# defaults), or, with no name, the ones that finish in minutes on a 2-core machine: draw, sample,
# import, locks, http. The long ones (dash, pages, province: they build 1M- to 10M-target
# databases first, tens of minutes to hours; credit: needs a built database) run only when named.
# Each one's figures and how to read them: bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=(draw sample import locks http)
all=(draw sample import locks http dash pages province credit)
case ${1:-} in
-h | --help)
    echo "usage: bench/run.sh [NAME...]   NAME: ${all[*]} (default: ${quick[*]})"
    exit 0
    ;;
esac
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${quick[@]}")
for n in "${names[@]}"; do
    [ -x "$root/bench/$n/run.sh" ] || {
        echo "bench/run.sh: no benchmark '$n' (one of: ${all[*]})" >&2
        exit 2
    }
done
for n in "${names[@]}"; do
    echo "== bench/$n/run.sh ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$root/bench/$n/run.sh"
done
