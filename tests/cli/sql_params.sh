#!/usr/bin/env bash
# Every literal SQL statement passed to db_exec/db_query_* has as many parameters as its type
# string has letters (tools/check_sql_params.py).
set -eu
cd "$(dirname "$0")/../.."
python3 tools/check_sql_params.py
