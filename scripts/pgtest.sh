#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster (issue 18): initdb and pg_ctl in a temporary
# directory, listening on a unix socket only (no TCP), stopped and removed when the command ends,
# whatever its outcome. The command sees
#   SPOTCHECK_PG_HOST  the socket directory
#   SPOTCHECK_DB       a URL of a database on it (postgresql:///spotcheck?host=DIR); the driver
#                      creates a database named in a URL on first use, so a test may name its own
#   SPOTCHECK_PG_MAP   the same server, for `SPOTCHECK_PG_MAP=… spotcheck …`: every file path given
#                      as a database becomes a database of its own on that server (db.c, tests only)
# Usage: scripts/pgtest.sh COMMAND [ARG...]      e.g. scripts/pgtest.sh psql -c 'SELECT 1'
# Exits with the command's status. Needs the postgresql package (scripts/deps.sh test).
# PGTEST_DIR=DIR keeps the cluster in DIR instead (benchmarks, bench/province): created by initdb
# when DIR/data is absent, started, stopped at the end but not removed, so a second run reuses it.
set -uo pipefail
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$bin/initdb" ]; then
  echo "pgtest: PostgreSQL server binaries not found (apt-get install postgresql, or PG_BIN=…)" >&2
  exit 2
fi
keep=${PGTEST_DIR:-}
if [ -n "$keep" ]; then
  mkdir -p "$keep" && dir=$(cd "$keep" && pwd)
else
  dir=$(mktemp -d /tmp/spotcheck-pg-XXXXXX)
fi
user=$(id -un)
run_as=()
if [ "$(id -u)" -eq 0 ]; then # the server refuses to run as root: a cluster owned by nobody
  chown nobody "$dir"
  run_as=(runuser -u nobody --)
  user=nobody
fi
cleanup() {
  if [ -n "$keep" ]; then
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1
  else
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$keep" ] && [ -s "$dir/data/PG_VERSION" ]; then
  : # kept from an earlier run
elif ! "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 \
  --lc-collate=C --lc-ctype=C.UTF-8 >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  exit 2
fi
# unix socket in $dir only; fsync off (a throwaway cluster); room for the web tests' connections
if ! "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start; then
  cat "$dir/server.log" >&2
  exit 2
fi
export PGHOST="$dir" PGUSER="$user" PGDATABASE=postgres
export SPOTCHECK_PG_HOST="$dir"
export SPOTCHECK_DB="postgresql://$user@/spotcheck?host=$dir"
export SPOTCHECK_PG_MAP="host=$dir user=$user"
"$@"
