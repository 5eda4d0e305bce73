#!/usr/bin/env python3
"""Independent verifier of spotcheck's audit log (审计日志) hash chain, as specified in
docs/AUDIT.md. Python 3 standard library only; opens the database read-only.

Usage: python3 tools/verify_audit.py DATABASE
Prints the same lines as `spotcheck audit verify` and exits 0 (intact), 1 (broken), 2 (usage
or unreadable database).
"""
import hashlib
import sqlite3
import sys

GENESIS = "0" * 64
FIELDS = ("id", "at", "actor", "org_id", "action", "entity", "entity_id", "before", "after", "remote")


def field(value):
    """One field of the canonical serialisation: "-" for NULL, else <byte length>:<UTF-8 bytes>."""
    if value is None:
        return b"-"
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return str(len(data)).encode() + b":" + data


def row_hash(prev_hash, row):
    """hash = hex SHA-256(prev_hash || "\\n" || canonical(row)); a row with a state digest (schema 41 on)
    hashes it as an eleventh field, a row without one (every older row) the ten fields alone."""
    digest = row["digest"] if "digest" in row.keys() else None
    data = b"".join(field(row[f]) for f in FIELDS) + (field(digest) if digest is not None else b"")
    return hashlib.sha256(prev_hash.encode() + b"\n" + data).hexdigest()


def verify(con):
    """Returns (count, None, None, head hash) when intact, else (count, bad_id, reason, None)."""
    prev, expect, count = GENESIS, 1, 0
    for row in con.execute("SELECT * FROM audit_log ORDER BY id"):
        if row["id"] != expect:
            return count, row["id"], "编号不连续", None
        if row["prev_hash"] != prev:
            return count, row["id"], "prev_hash 与上一条记录的哈希不一致", None
        if row["hash"] != row_hash(prev, row):
            return count, row["id"], "哈希与记录内容不符", None
        prev, expect, count = row["hash"], row["id"] + 1, count + 1
    return count, None, None, prev


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        con = sqlite3.connect(f"file:{argv[1]}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        count, bad_id, reason, head = verify(con)
    except sqlite3.Error as e:
        print(f"无法读取数据库 {argv[1]}: {e}", file=sys.stderr)
        return 2
    if bad_id is not None:
        print(f"审计日志在第 {bad_id} 条记录处断裂: {reason}")
        return 1
    print(f"审计日志完整: {count} 条记录")
    print(f"最新哈希: {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
