#!/usr/bin/env bash
# Dialect-free SQL outside the driver (docs/ARCHITECTURE.md, "What a second storage driver must
# provide"): an SQL string literal in src/ outside src/db may not use what only SQLite knows, so a
# second driver needs no change to the domain. Lists every string literal (per line, char literals
# and comments aside) holding one of: INSERT OR, PRAGMA, rowid, strftime, julianday, datetime(,
# date('now'), WHERE 1 (an integer as a condition: PostgreSQL wants WHERE 1=1), json_extract / json_each / json_object( and the other JSON functions, group_concat,
# GLOB, instr(, IS or IS NOT with anything but NULL (PostgreSQL: IS [NOT] DISTINCT FROM, which
# older SQLite lacks: spell it out with = and IS NULL), or the table name user (a reserved word in
# PostgreSQL; the table is `account`) after FROM, JOIN, INTO or UPDATE; and fails when there is one. Migrations (sql/) are per driver
# and not checked. Usage: check_sql_dialect.sh [FILE...] (default: src/**/*.c and *.h but src/db).
# Run by tests/cli/sql_dialect.sh in `make test`.
set -uo pipefail
root=${SPOTCHECK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find src -name '*.[ch]' -not -path 'src/db/*' | sort)
out=$(perl -ne '
  BEGIN {
    $bad = qr{\bINSERT\s+OR\b|\bPRAGMA\b|\browid\b|\bstrftime\s*\(|\bjulianday\s*\(|\bdatetime\s*\(|\bdate\s*\(\s*.now.\s*\)
             |\bjson_(?:extract|each|tree|object|array|group_array|group_object|set|insert|replace|remove|patch|valid|type|quote)\s*\(
             |\bWHERE\s+[01]\s*(?:$|AND\b|OR\b|ORDER\b|GROUP\b|LIMIT\b|\))
             |\bgroup_concat\s*\(|\bGLOB\b|\binstr\s*\(|\b(?:FROM|JOIN|INTO|UPDATE)\s+"?user\b
             |(?-i:\bIS\s+(?:NOT\s+)?+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)[A-Za-z_?])}xi;
  }
  $in_comment = 0 if $. == 1;
  my $l = $_;
  if ($in_comment) { if ($l =~ s{^.*?\*/}{}) { $in_comment = 0 } else { next } }
  $l =~ s{\x27(?:\\.|[^\x27\\])\x27}{ }g;            # char literals
  my $s = "";
  while ($l =~ m{\G(?:[^"/]+|/(?![*/])|"((?:\\.|[^"\\])*)"|/\*.*?\*/|(/\*.*)|//.*)}gc) {
    if (defined $1) { $s .= " " . $1 }
    elsif (defined $2) { $in_comment = 1; last }
  }
  print "$ARGV:$.: $&  | ", ($_ =~ s/^\s+//r) if $s =~ $bad;
  close ARGV if eof;
' "${files[@]}")
if [ -n "$out" ]; then
  echo "$out"
  echo "sql_dialect: $(echo "$out" | wc -l) SQL string(s) outside src/db use SQLite-only SQL; move it behind db.h or into C" >&2
  exit 1
fi
echo "sql_dialect: no SQLite-only SQL outside src/db"
