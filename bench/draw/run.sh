#!/usr/bin/env bash
# Benchmark of the draw (issue 4): 3% stratified by credit grade from N targets (default
# 10,000,000), timed in one run for
#   spotcheck in memory          parse the canonical population file + draw
#   spotcheck from SQLite        `draw run`: read the frozen population from SQLite, parse, draw
#                                (median of 3 runs; wall and CPU seconds); also `draw freeze`:
#                                scan the target table, build, parse and store the population
#   PostgreSQL                   ORDER BY random() LIMIT n_h per grade (throwaway cluster)
#   Python random.sample         per grade, on the same population
# Usage: bench/draw/run.sh [N]     (needs the postgresql package: scripts/deps.sh bench)
set -euo pipefail
N=${1:-10000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/spotcheck-bench-draw.XXXXXX)
chmod 755 "$work"
pgpid=""
cleanup() {
  if [ -n "$pgpid" ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$root"
make --no-print-directory build/spotcheck >/dev/null # the library objects the bench links against
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o "$work/bench_draw" bench/draw/bench_draw.c \
  $(find src -name '*.c' ! -name main.c | sort | sed 's|^|build/|; s|\.c$|.o|') build/gen/embedded.o \
  -lsqlite3 -lsodium -ljansson -lmicrohttpd -lzip -lexpat -lxlsxwriter -lz -lm -pthread
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), N=$N"

# 1. in memory (also writes the population file used by the peers)
"$work/bench_draw" memory "$N" "$work/pop.tsv" | tee "$work/mem.out"

# 2. SQLite: the real schema (spotcheck's migrations), N targets
python3 - "$work/s.db" "$root" <<'PY'
import sqlite3, sys, glob
db = sqlite3.connect(sys.argv[1])
for f in sorted(glob.glob(sys.argv[2] + "/sql/0*.sql")):
    db.executescript(open(f, encoding="utf-8").read())
db.commit()
PY
t0=$(date +%s.%N)
sqlite3 "$work/s.db" <<SQL
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
INSERT INTO org(id, code, name) VALUES (1, '130528', 'bench');
CREATE TEMP TABLE pop(code TEXT, grade TEXT);
.mode tabs
.import $work/pop.tsv pop
INSERT INTO target(org_id, kind, code, name, region, grade) SELECT 1, 'employer', code, code, '130528', grade FROM pop;
SQL
echo "sqlite load (not timed in the draw): $(echo "$(date +%s.%N) - $t0" | bc) s"
"$work/bench_draw" db "$work/s.db" | tee "$work/db.out"
# `draw run` twice more on the same frozen draw: the figure is the median of three runs
for i in 2 3; do "$work/bench_draw" run "$work/s.db" | tee -a "$work/db.out"; done

# 3. PostgreSQL ORDER BY random() LIMIT n per grade
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir "$work/pg" "$work/sock" && chown postgres "$work/pg" "$work/sock"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -o "-k $work/sock -c listen_addresses='' -c shared_buffers=1GB -c work_mem=1GB -c max_parallel_workers_per_gather=0" -l "$work/sock/pg.log" start >/dev/null
pgpid=1
psql="psql -h $work/sock -U postgres -d postgres -q -v ON_ERROR_STOP=1"
$psql -c "CREATE TABLE t(code text, grade text)"
$psql -c "\\copy t FROM '$work/pop.tsv'"
$psql -c "VACUUM ANALYZE t" >/dev/null
sizes=$(python3 -c '
import sys, collections
c = collections.Counter(l.split("\t")[1].strip() for l in open(sys.argv[1]))
print(" ".join("%s=%d" % (g, (n * 3 + 99) // 100) for g, n in sorted(c.items())))' "$work/pop.tsv")
sql=""
for gs in $sizes; do g=${gs%=*}; n=${gs#*=}; sql="$sql SELECT count(*) FROM (SELECT code FROM t WHERE grade='$g' ORDER BY random() LIMIT $n) s;"; done
$psql -c "$sql" >/dev/null   # warm the cache
t0=$(date +%s.%N); $psql -c "$sql" >/dev/null; t1=$(date +%s.%N)
pg=$(echo "$t1 - $t0" | bc)
echo "postgres_order_by_random $pg"

# 4. Python random.sample per grade on the same population
python3 - "$work/pop.tsv" <<'PY' | tee "$work/py.out"
import random, sys, time
t0 = time.perf_counter()
by = {}
for line in open(sys.argv[1], encoding="utf-8"):
    code, grade = line.rstrip("\n").split("\t")
    by.setdefault(grade, []).append(code)
t1 = time.perf_counter()
rng = random.Random(3141592653)
total = sum(len(rng.sample(ids, (len(ids) * 3 + 99) // 100)) for ids in by.values())
t2 = time.perf_counter()
print("python_read %.3f\npython_sample %.3f\npython_sample_n %d" % (t1 - t0, t2 - t1, total))
PY

mem=$(awk '/^memory_draw/{print $2}' "$work/mem.out")
memp=$(awk '/^memory_parse/{print $2}' "$work/mem.out")
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
dbruns=$(awk '/^db_total /{printf "%s ", $2}' "$work/db.out")
dbt=$(awk '/^db_total /{print $2}' "$work/db.out" | median)
dbc=$(awk '/^db_total_cpu /{print $2}' "$work/db.out" | median)
pyr=$(awk '/^python_read/{print $2}' "$work/py.out")
pys=$(awk '/^python_sample /{print $2}' "$work/py.out")
echo
echo "== draw of 3% per grade from $N targets (seconds, one core) =="
printf '%-66s %8s\n' "spotcheck, in memory (draw only)" "$mem"
printf '%-66s %8s\n' "spotcheck, in memory (parse file + draw)" "$(echo "$memp + $mem" | bc)"
printf '%-66s %8s\n' "spotcheck draw run, from SQLite (read frozen file + parse + draw)" "$dbt"
printf '%-66s %8s\n' "  the same, CPU seconds (user + system), median" "$dbc"
printf '%-66s %8s\n' "  the three runs (wall)" "$dbruns"
printf '%-66s %8s\n' "spotcheck draw freeze: population from the target table, stored" "$(awk '/^db_freeze /{print $2}' "$work/db.out")"
printf '%-66s %8s\n' "PostgreSQL ORDER BY random() LIMIT n" "$pg"
printf '%-66s %8s\n' "Python random.sample (sample only)" "$pys"
printf '%-66s %8s\n' "Python random.sample (read file + sample)" "$(echo "$pyr + $pys" | bc)"
echo "ratios: PostgreSQL / spotcheck-from-SQLite = $(echo "scale=2; $pg / $dbt" | bc)," \
     "Python(read+sample) / spotcheck(parse+draw) = $(echo "scale=2; ($pyr + $pys) / ($memp + $mem)" | bc)," \
     "Python(sample) / spotcheck(draw) = $(echo "scale=2; $pys / $mem" | bc)"
