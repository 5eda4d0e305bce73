#!/usr/bin/env bash
# The PostgreSQL half of the suite alone (`make test-pg`; issue 18): tests/run.sh with
# DRIVERS=postgresql, which starts a throwaway cluster (scripts/pgtest.sh) and runs every test that
# opens a database (all but tests/nodb.list) there. Inside scripts/pgtest.sh already, it runs on
# that cluster. Usage: tests/run_pg.sh [BUILD]   (default build-san). Ends with
# "postgresql: N passed, N failed". Environment as tests/run.sh's (TEST_JOBS, ONLY), and
# SPOTCHECK_PG_TRACE=FILE (db_pg.c: every failing statement and its error).
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SPOTCHECK_PG_MAP:-}" ]; then RUN_DRIVER=postgresql exec "$root/tests/run.sh" "$@"; fi
DRIVERS=postgresql exec "$root/tests/run.sh" "$@"
