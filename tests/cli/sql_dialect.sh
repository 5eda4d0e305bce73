#!/usr/bin/env bash
# SQL outside the driver is dialect-free (docs/ARCHITECTURE.md): no SQLite-only construct in an SQL
# string in src/ outside src/db (tools/check_sql_dialect.sh); and the check itself finds each kind
# of violation planted in a file, but not the same words in C code or comments.
. "$(dirname "$0")/../lib.sh"
chk=$SPOTCHECK_ROOT/tools/check_sql_dialect.sh
check "SQL outside src/db is dialect-free" bash "$chk"
planted() { # a file with one line of $1 must be caught
  printf '/* planted */\nstatic void f(Db *db) {\n    %s\n}\n' "$1" >"$TMP/planted.c"
  ! bash "$chk" "$TMP/planted.c" >/dev/null 2>&1
}
check "... it finds INSERT OR IGNORE" planted 'db_exec(db, "INSERT OR IGNORE INTO tag(name) VALUES (?)", "t", n);'
check "... a PRAGMA" planted 'db_exec(db, "PRAGMA cache_size = -65536", NULL);'
check "... rowid" planted 'db_query_int(db, &id, "SELECT rowid FROM draw_file WHERE draw_id = ?", "i", d);'
check "... strftime" planted "const char *q = \"SELECT strftime('%Y', drawn_at) FROM draw\";"
check "... datetime('now')" planted "db_exec(db, \"UPDATE task SET updated_at = datetime('now')\", NULL);"
check "... json_extract" planted "const char *q = \"SELECT json_extract(attrs, '\$.name') FROM refdata\";"
check "... group_concat" planted "const char *q = \"SELECT group_concat(code, ',') FROM item\";"
check "... instr" planted 'const char *q = "SELECT id FROM target WHERE instr(name, ?) > 0";'
check "... GLOB" planted "const char *q = \"SELECT id FROM target WHERE code GLOB 'H*'\";"
check "... IS with a value" planted "const char *q = \"SELECT 1 FROM t WHERE a IS b\";"
check "... the table user" planted 'db_query_int(db, &n, "SELECT count(*) FROM user WHERE role = ?", "t", r);'
check "... on the second line of a string" planted '"SELECT id, org_id FROM account a "
        "JOIN user u ON u.id = a.id";'
passes() { # C code, comments and messages that only name the words pass
  cat >"$TMP/fine.c" <<'C'
/* a comment may say PRAGMA, rowid or "json_extract(x)" */
static void f(Db *db, char *out, struct tm *tm) {
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", tm); // "INSERT OR IGNORE" in a comment
    json_t *o = json_object();
    fprintf(stderr, "spotcheck user list: 机构不存在\n");
    db_exec(db, "INSERT INTO account(username) VALUES (?) ON CONFLICT DO NOTHING", "t", "a");
    db_exec(db, "SELECT id FROM target WHERE name LIKE ? ESCAPE '\\'", "t", "%a%");
}
C
  bash "$chk" "$TMP/fine.c"
}
check "... and passes C code, comments and messages" passes
finish
