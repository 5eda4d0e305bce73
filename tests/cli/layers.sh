#!/usr/bin/env bash
# The layers hold (docs/ARCHITECTURE.md): no SQL text, db_* call, transaction or audit row in src/web
# or src/cli (tools/check_layers.sh); and the check itself finds each kind of violation planted in a file.
. "$(dirname "$0")/../lib.sh"
chk=$SPOTCHECK_ROOT/tools/check_layers.sh
check "src/web and src/cli hold no SQL and open no transaction" bash "$chk"
planted() { # a file with one line of $1 must be caught
  printf '/* planted */\nstatic void f(Req *r) {\n    %s\n}\n' "$1" >"$TMP/planted.c"
  ! bash "$chk" "$TMP/planted.c"
}
check "... it finds SQL text" planted 'db_query_int(r->db, &n, "SELECT count(*) FROM target", NULL);'
check "... an SQL string alone" planted 'const char *q = "UPDATE record SET status = ? WHERE id = ?";'
check "... a transaction" planted 'if (db_begin(r->db) != DB_OK) return;'
check "... an audit row" planted 'audit_append(r->db, &e, NULL);'
check "... the scope SQL" planted 'const char *q = SCOPE_SQL("t.org_id");'
renders() { # a page that only renders, with a message that happens to hold an SQL word, passes
  printf '/* fine */\nstatic void f(Req *r) {\n    web_error(r, 409, "stale", "记录已被他人更新，请 SELECT 最新版本后重试");\n}\n' >"$TMP/fine.c"
  bash "$chk" "$TMP/fine.c"
}
check "... and passes a page that only renders" renders
finish
