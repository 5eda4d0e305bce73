#!/usr/bin/env bash
# bench/province/late_build.sh - the directory of a province without its year (bench/README.md, "A
# county's directory list in a province"): orgs, tags and targets of gen.py's DATA imported into DB and
# the staff accounts late_list.py reads the list as (the first and the last county imported, the
# last one's city, the province), nothing else. For the list at a scale whose full build
# (run.sh) does not fit the time at hand.
#
#   bench/province/late_build.sh SPOTCHECK DATA DB      # DB: a SQLite file or a postgresql:// URL
#
# Prints each step's wall time.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: late_build.sh SPOTCHECK DATA DB" >&2; exit 2; }
sc=$1 data=$2 db=$3
pw=bench-pages-2026 # bench/pages/pageslib.py's PASSWORD
t=$SECONDS
"$sc" init --db "$db" >/dev/null
for kind in orgs tags; do "$sc" import $kind "$data/$kind.csv" --db "$db" >/dev/null; done
echo "init, orgs, tags: $((SECONDS - t)) s"
t=$SECONDS
"$sc" import targets "$data/targets.csv" --db "$db" 2>&1 | tail -n 1
echo "import targets: $((SECONDS - t)) s"
t=$SECONDS
first=$(head -n 1 "$data/counties.tsv" | cut -f1)
last=$(tail -n 1 "$data/counties.tsv" | cut -f1)
city=$(tail -n 1 "$data/counties.tsv" | cut -f2)
for org in "$first" "$last" "$city" 130000; do
    echo "$pw" | "$sc" user add "s$org" --role staff --org "$org" --password-stdin --db "$db" >/dev/null
done
echo "4 accounts: $((SECONDS - t)) s"
