#!/usr/bin/env bash
# data/lunar.tsv against a well-kept lunar-calendar library (lunar-javascript from the npm
# registry, installed into tests/e2e like playwright-core): no hand-written astronomy anywhere.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -d "$root/tests/e2e/node_modules/lunar-javascript" ]; then
  (cd "$root/tests/e2e" && npm install --no-audit --no-fund --silent) || { echo "npm install failed"; echo "RESULT 0 1"; exit 1; }
fi
node "$root/tests/cli/lunar.mjs" "$root"
