#!/usr/bin/env bash
# spotcheck sample: the consistent_sampler reference values, agreement with the independent
# Python implementation on generated ids, and the usage/rejection exit codes.
set -euo pipefail
S=${SPOTCHECK:?}; ROOT=${SPOTCHECK_ROOT:?}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT

printf 'ab-1\nab-2\ncd-1\nef-3\n' | "$S" sample --seed 314159 > "$t/out"
cut -f2 "$t/out" | tr '\n' ' ' | grep -qx 'cd-1 ef-3 ab-1 ab-2 ' || { echo "order wrong"; cat "$t/out"; exit 1; }
grep -q '^0\.317685817[0-9]*	cd-1$' "$t/out"
grep -q '^0\.9231549043[0-9]*	ab-2$' "$t/out"
printf 'A-1\nA-2\nA-3\nB-1\nB-2\nB-3\n' | "$S" sample --seed 314159 --take 4 | cut -f2 | tr '\n' ' ' \
  | grep -qx 'B-2 B-3 A-3 A-2 '
printf 'AB-130\n' | "$S" sample --seed 01382438112797316654 \
  | grep -qx $'0.26299714122838008416507544297546663599715395525154425586041245287750224561854\tAB-130'

# the same as the Python verifier's sampler on 2000 generated ids, including non-ASCII ones
python3 -c 'import random; r=random.Random(7); print("\n".join(sorted({"H%011d" % r.randrange(10**11) for _ in range(1990)} | {"参保人-%d" % i for i in range(10)})))' > "$t/ids"
"$S" sample --seed 'spotcheck-v1|T|42|00' < "$t/ids" > "$t/c"
python3 "$ROOT/tools/verify_draw.py" --sample 'spotcheck-v1|T|42|00' < "$t/ids" > "$t/py"
cmp "$t/c" "$t/py"
[ "$(wc -l < "$t/c")" -eq 2000 ]
# --take is a prefix of the full order
"$S" sample --seed x --take 17 < "$t/ids" > "$t/17"
"$S" sample --seed x < "$t/ids" > "$t/all"
head -n 17 "$t/all" | cmp - "$t/17"

# exit codes
"$S" sample --help | grep -q 'consistent_sampler'
set +e
printf 'a\na\n' | "$S" sample --seed 1 >/dev/null 2>&1; [ $? -eq 1 ] || exit 1
printf 'b\na\nc\nb\n' | "$S" sample --seed 1 >/dev/null 2>&1; [ $? -eq 1 ] || exit 1   # not adjacent
"$S" sample </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || exit 1
"$S" sample --seed 1 --take -3 </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || exit 1
exit 0
