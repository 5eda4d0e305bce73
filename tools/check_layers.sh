#!/usr/bin/env bash
# The layers (docs/ARCHITECTURE.md): pages, the API and commands parse and render; the domain owns
# every unit of work. So src/web and src/cli hold no SQL text and open no transaction: any line
# there with an SQL statement in a string, a db_* query or transaction call, or a scope-SQL macro
# is listed and fails the test. Usage: layers.sh [FILE...] (default: every file of both layers). Run by tests/cli/layers.sh in `make test`.
set -uo pipefail
root=${SPOTCHECK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(ls src/web/*.c src/web/*.h src/cli/*.c src/cli/*.h)
# SQL text: a string literal holding a statement keyword followed by the clause that makes it SQL
sql='"[^"]*\b(SELECT\b[^"]*\bFROM|SELECT (count|coalesce|EXISTS|max|min|json_)|INSERT (OR [A-Z]+ )?INTO|UPDATE [a-z_]+ SET|DELETE FROM|WITH RECURSIVE|PRAGMA )'
calls='\b(audit_append|web_audit|db_begin|db_commit|db_rollback|db_prepare|db_exec|db_query_[a-z]+|db_step|WEB_SCOPE_SQL|SCOPE_SQL)\s*\('
calls2='\bWEB_SCOPE_SQL\b|\bSCOPE_SQL\b'
out=$(grep -nE "$sql|$calls|$calls2" "${files[@]}" 2>/dev/null | grep -v 'db_rollback_if_open')
if [ -n "$out" ]; then
  echo "$out"
  echo "layers: $(echo "$out" | wc -l) line(s) in src/web or src/cli run SQL or a transaction; move them into the domain" >&2
  exit 1
fi
echo "layers: src/web and src/cli hold no SQL and open no transaction"
