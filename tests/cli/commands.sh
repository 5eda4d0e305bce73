#!/usr/bin/env bash
# The command table: --help everywhere, exit codes 0/1/2, init, backup, user.
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db

check "overview lists every command" bash -c "sc() { \"$SPOTCHECK\" \"\$@\"; }; sc --help | grep -q import && sc --help | grep -q backup"
for c in init serve import export user backup test-http; do
  check "$c --help exits 0 with usage" bash -c "\"$SPOTCHECK\" $c --help | grep -q '用法'"
done
check "unknown command exits 2" expect_exit 2 sc frobnicate
check "no command exits 2" expect_exit 2 sc
check "import without arguments exits 2" expect_exit 2 sc import --db "$db"
check "import of unknown kind exits 2" expect_exit 2 sc import planets x.csv --db "$db"
check "unknown option exits 2" expect_exit 2 sc export targets x.csv --db "$db" --bogus
check "init creates the database" expect_exit 0 sc init --db "$db"
check "schema version is recorded" bash -c "dbq '$db' 'SELECT max(version) FROM schema_migrations' | grep -qx '[1-9][0-9]*'"
on_pg && skip_on_pg "WAL mode (SQLite's journal)" || check "database is in WAL mode" bash -c "sqlite3 '$db' 'PRAGMA journal_mode' | grep -qx wal"
check "init twice is harmless" expect_exit 0 sc init --db "$db"
# the one clock: SPOTCHECK_TODAY and SPOTCHECK_TZ for every command, refused when wrong
check "SPOTCHECK_TODAY sets the day of a command" bash -c "SPOTCHECK_TODAY=2027-02-17 \"$SPOTCHECK\" remind --db '$db' | grep -q '^每日期限提醒 2027-02-17 '"
check "... with a time of day too" bash -c "SPOTCHECK_TODAY=2027-02-17T23:59 \"$SPOTCHECK\" remind --db '$db' | grep -q '^每日期限提醒 2027-02-17 '"
check "a bad SPOTCHECK_TODAY exits 2" bash -c "SPOTCHECK_TODAY=2027-02-30 \"$SPOTCHECK\" remind --db '$db' 2>'$TMP/err'; [ \$? -eq 2 ] && grep -q 'SPOTCHECK_TODAY“2027-02-30”无效' '$TMP/err'"
check "a bad SPOTCHECK_TZ exits 2, serve included" bash -c "SPOTCHECK_TZ=Mars/Base \"$SPOTCHECK\" serve --db '$db' --listen 127.0.0.1:1 2>'$TMP/err'; [ \$? -eq 2 ] && grep -q '不是有效的时区' '$TMP/err'"

printf '行政区划代码,机构名称\n130528,宁晋县医疗保障局\n' >"$TMP/orgs.csv"
check "import orgs" expect_exit 0 sc import orgs "$TMP/orgs.csv" --db "$db"
check "user add with a short password is rejected" bash -c "echo short | \"$SPOTCHECK\" user add alice --role staff --org 130528 --password-stdin --db '$db'; [ \$? -eq 1 ]"
check "user add" bash -c "echo 'correct horse battery' | \"$SPOTCHECK\" user add alice --role staff --org 130528 --name 王丽 --password-stdin --db '$db'"
check "password stored as argon2id, never plain" bash -c "h=\$(dbq '$db' \"SELECT password_hash FROM account WHERE username='alice'\"); [[ \$h == '\$argon2id\$'* ]] && dbdump '$db' >'$TMP/dump' && grep -q alice '$TMP/dump' && ! grep -q 'correct horse' '$TMP/dump'"
check "duplicate user is rejected with exit 1" bash -c "echo 'another password' | \"$SPOTCHECK\" user add alice --role staff --org 130528 --password-stdin --db '$db'; [ \$? -eq 1 ]"
check "unknown role is a usage error" bash -c "echo 'another password' | \"$SPOTCHECK\" user add bob --role king --org 130528 --password-stdin --db '$db'; [ \$? -eq 2 ]"
check "user passwd changes the hash" bash -c "a=\$(dbq '$db' \"SELECT password_hash FROM account WHERE username='alice'\"); echo 'a new long password' | \"$SPOTCHECK\" user passwd alice --password-stdin --db '$db' && b=\$(dbq '$db' \"SELECT password_hash FROM account WHERE username='alice'\"); [ -n \"\$a\" ] && [ \"\$a\" != \"\$b\" ]"
check "user passwd of unknown user exits 1" bash -c "echo 'a new long password' | \"$SPOTCHECK\" user passwd nobody --password-stdin --db '$db'; [ \$? -eq 1 ]"
check "user list shows the role in Chinese" bash -c "\"$SPOTCHECK\" user list --db '$db' | grep alice | grep -q 检查科室"

if on_pg; then # db_pg.c: a PostgreSQL database is backed up with pg_dump
  check "backup on PostgreSQL names pg_dump, exit 1, nothing written" bash -c "\"$SPOTCHECK\" backup '$TMP/b.db' --db '$db' 2>'$TMP/err'; [ \$? -eq 1 ] && grep -q pg_dump '$TMP/err' && [ ! -e '$TMP/b.db' ]"
  skip_on_pg "backup over an existing file, backup of a missing database file (no file backup there)"
else
  check "backup writes a usable copy" bash -c "\"$SPOTCHECK\" backup '$TMP/b.db' --db '$db' && sqlite3 '$TMP/b.db' 'SELECT name FROM org' | grep -q 宁晋县"
  check "backup refuses to overwrite" expect_exit 1 sc backup "$TMP/b.db" --db "$db"
  check "backup of a missing database exits 1" expect_exit 1 sc backup "$TMP/c.db" --db "$TMP/none.db"
fi
finish
