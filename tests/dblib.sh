# tests/dblib.sh - sourced by shell tests (tests/lib.sh sources it).
# The test database on either driver (issue 18; tests/web/dbtool.py is the Python twin). A test names
# its database by a file path; under scripts/pgtest.sh (SPOTCHECK_PG_MAP) db.c maps the path to a
# PostgreSQL database of its own, "sc_" and the FNV-1a hash of the path, reached here through psql.
on_pg() { [ -n "${SPOTCHECK_PG_MAP:-}" ]; }
driver() { if on_pg; then echo postgresql; else echo sqlite; fi; }
pg_name() { # PATH: the database name db.c gives the path
  local LC_ALL=C s=$1 h=1469598103934665603 i c # db.c sql_hash's basis
  for ((i = 0; i < ${#s}; i++)); do
    printf -v c '%d' "'${s:i:1}"
    h=$(((h ^ (c & 255)) * 1099511628211))
  done
  printf 'sc_%016x\n' "$h"
}
pg_psql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d "$SPOTCHECK_PG_MAP dbname=$1" "${@:2}"; }
# dbq DB [SQL]: runs the statements (SQL, else stdin), prints the rows as the sqlite3 shell does
# (columns joined by |, NULL as nothing)
dbq() {
  if [ $# -eq 1 ]; then
    if on_pg; then pg_psql "$(pg_name "$1")" -f -; else sqlite3 -cmd ".timeout 30000" "$1"; fi
  elif on_pg; then pg_psql "$(pg_name "$1")" -c "$2"; else sqlite3 -cmd ".timeout 30000" "$1" "$2"; fi
}
# jtext COLUMN KEY: the SQL for a member of a JSON text column, as text
jtext() { if on_pg; then echo "($1::json ->> '$2')"; else echo "json_extract($1, '\$.$2')"; fi; }
# sqlchr: the name of the function that makes a character of a code (SQLite char, PostgreSQL chr)
sqlchr() { if on_pg; then echo chr; else echo char; fi; }
# dbcopy SRC DST: DST becomes a copy of the database SRC (a file backup; CREATE DATABASE … TEMPLATE)
dbcopy() {
  if on_pg; then
    pg_psql postgres -c "DROP DATABASE IF EXISTS \"$(pg_name "$2")\"" &&
      pg_psql postgres -c "CREATE DATABASE \"$(pg_name "$2")\" TEMPLATE \"$(pg_name "$1")\""
  else
    rm -f "$2" "$2-wal" "$2-shm" && sqlite3 "$1" ".backup '$2'"
  fi
}
# dbdump DB: the database as SQL text (sqlite3's .dump, pg_dump)
dbdump() {
  if on_pg; then pg_dump -d "$SPOTCHECK_PG_MAP dbname=$(pg_name "$1")"; else sqlite3 "$1" .dump; fi
}
# dbexists DB: the database exists (the file, or the mapped PostgreSQL database)
dbexists() {
  if on_pg; then [ "$(pg_psql postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$(pg_name "$1")'")" = 1 ]
  else test -e "$1"; fi
}
# drop_triggers DB NAME...: the statements that drop the named triggers, for a tampering test to run
# before its edit (PostgreSQL's DROP TRIGGER names the table: looked up in pg_trigger)
drop_triggers() {
  local db=$1 n; shift
  for n in "$@"; do
    if on_pg; then
      printf 'DROP TRIGGER %s ON %s; ' "$n" "$(dbq "$db" "SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = '$n'")"
    else
      printf 'DROP TRIGGER %s; ' "$n"
    fi
  done
}
# skip_on_pg WHY: says that a step is skipped on PostgreSQL (where it means nothing) and why; succeeds
# on PostgreSQL, fails on SQLite, so `on_pg && skip_on_pg "…" || check …` runs the check on SQLite only
skip_on_pg() { on_pg && echo "skip [postgresql] $1"; }
# for the checks that run in `bash -c "…"`
export -f on_pg driver pg_name pg_psql dbq sqlchr jtext dbcopy dbdump dbexists drop_triggers skip_on_pg
