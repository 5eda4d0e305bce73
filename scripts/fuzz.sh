#!/usr/bin/env bash
# Builds the libFuzzer targets tests/fuzz/fuzz_*.c with clang and runs each for a while,
# adding the inputs that reach new code to its committed corpus tests/fuzz/corpus/<name>/.
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]     (default 60 seconds each, every target)
# Environment: JOBS=N runs N fuzzing processes per target (default 1); CC=clang-XX;
# MINIMIZE=1 re-minimizes the committed corpus instead of only adding to it; RUNS=N stops a
# target after N executions (or SECONDS, whichever comes first); TIMEOUT=S is the wall time one
# input may take (default 10; raise it on a loaded machine, where a niced fuzzer can stall).
# Crashes are written to build-fuzz/artifacts/ and make the script exit 1: fix the bug, then
# copy the (minimized: build-fuzz/<name> -minimize_crash=1 FILE) input into the corpus, where
# `make test` replays it from then on.
# Needs clang and its libFuzzer runtime (Debian: clang + libclang-rt-<ver>-dev, which holds
# libclang_rt.fuzzer-x86_64.a); they are installed here, as scripts/deps.sh does, when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-60}
shift || true
out=build-fuzz
CC=${CC:-clang}

install_pkgs() { # the same conventions as scripts/deps.sh: apt-get update first, sudo when not root
  echo "fuzz: installing $*" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

command -v "$CC" >/dev/null 2>&1 || { install_pkgs clang; CC=clang; }
mkdir -p "$out/artifacts"
probe=$out/probe
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! "$CC" -fsanitize=fuzzer "$probe.c" -o "$probe" 2>/dev/null; then
  ver=$("$CC" -dumpversion | cut -d. -f1)
  install_pkgs "libclang-rt-$ver-dev"
  "$CC" -fsanitize=fuzzer "$probe.c" -o "$probe"
fi

# Each target links only the part of the library it exercises, so a reader's fuzz build does
# not depend on the web layer: the table readers need src/io + src/core, the multipart parser
# its file + http.c, the template engine tmpl.c + the embedded templates (its partials); any
# other target (fuzz_form: web.c) links the whole library except main.c.
pkgs="sqlite3 libsodium jansson libmicrohttpd libzip expat xlsxwriter"
flags="-std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Isrc"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
pkg_libs=$(pkg-config --libs $pkgs)
sources_for() {
  case "$1" in
  fuzz_csv | fuzz_xlsx) ls src/io/*.c src/core/*.c ;;
  fuzz_multipart) ls src/core/*.c src/web/multipart.c src/web/http.c ;;
  fuzz_tmpl) ls src/core/*.c src/web/tmpl.c; echo "$out/gen/embedded.c" ;;
  *) find src -name '*.c' ! -name main.c | sort; echo "$out/gen/embedded.c" ;;
  esac
}
# The embedded files (templates, migrations) come from the Makefile's own rule and list.
make --no-print-directory BUILD="$out" "$out/gen/embedded.c" >/dev/null
# Library objects are compiled once (instrumented, not linked with libFuzzer's main) and
# reused by every target and later runs until their source or any header under src/ changes.
object_of() {
  local c=$1 o=$out/obj/${1%.c}.o
  if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" -print -quit)" ]; then
    mkdir -p "$(dirname "$o")"
    # shellcheck disable=SC2086
    "$CC" $flags -fsanitize=fuzzer-no-link -Wno-missing-prototypes $pkg_cflags -c -o "$o" "$c"
  fi
  echo "$o"
}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do names+=("$(basename "$f" .c)"); done
fi
status=0
for name in "${names[@]}"; do
  bin=$out/$name
  objs=()
  for c in $(sources_for "$name"); do objs+=("$(object_of "$c")"); done
  # shellcheck disable=SC2086
  "$CC" $flags -fsanitize=fuzzer $pkg_cflags -o "$bin" "tests/fuzz/$name.c" "${objs[@]}" $pkg_libs -lm -pthread
  corpus=$root/tests/fuzz/corpus/$name
  work=$root/$out/work-$name
  mkdir -p "$corpus" "$work"
  cp -n "$corpus"/* "$work"/ 2>/dev/null || true
  mkdir -p "$out/artifacts/seen" # crashes of earlier runs, kept but no longer reported
  mv "$out/artifacts/$name-"* "$out/artifacts/seen/" 2>/dev/null || true
  echo "fuzz: $name for ${secs}s" >&2
  set +e
  # Run inside $out: with -jobs, libFuzzer writes fuzz-N.log files into the current directory.
  (cd "$out" && ASAN_OPTIONS=detect_leaks=1 "./$name" -max_total_time="$secs" -max_len=65536 \
    ${RUNS:+-runs=$RUNS} -timeout="${TIMEOUT:-10}" -rss_limit_mb=4096 -jobs="${JOBS:-1}" -workers="${JOBS:-1}" -print_final_stats=1 \
    -artifact_prefix="artifacts/$name-" "$work" >"$name.log" 2>&1)
  rc=$?
  set -e
  tail -n 12 "$out/$name.log" >&2
  # The committed corpus = the hand-written seeds (named files, always kept) + the fuzzer's
  # inputs (hex SHA-1 names) that reach edges the rest misses, chosen by set cover with hit counts
  # ignored, so it stays at tens of files. By default the committed inputs stay and only new edges
  # add files (no churn in git); MINIMIZE=1 re-chooses every hex-named input from scratch.
  # $work keeps the full working corpus for the next run.
  before=$(ls "$corpus" | wc -l)
  fresh=$root/$out/merge-$name
  rm -rf "$fresh" && mkdir -p "$fresh"
  if [ "${MINIMIZE:-0}" = 1 ]; then
    find "$corpus" -maxdepth 1 -type f ! -regex '.*/[0-9a-f]+' -exec cp {} "$fresh"/ \;
  else
    cp "$corpus"/* "$fresh"/ 2>/dev/null || true
  fi
  if "$bin" -set_cover_merge=1 -use_counters=0 "$fresh" "$corpus" "$work" >"$out/$name-merge.log" 2>&1; then
    find "$corpus" -maxdepth 1 -type f -regex '.*/[0-9a-f]+' -delete
    find "$fresh" -maxdepth 1 -type f -regex '.*/[0-9a-f]+' -exec cp {} "$corpus"/ \;
  else
    echo "fuzz: $name corpus merge failed, corpus unchanged; see $out/$name-merge.log" >&2
  fi
  echo "fuzz: $name corpus $before -> $(ls "$corpus" | wc -l) files" >&2
  if [ $rc -ne 0 ] || ls "$out/artifacts/$name-"* >/dev/null 2>&1; then
    echo "fuzz: $name FOUND A PROBLEM (exit $rc); see $out/$name.log and $out/artifacts/" >&2
    status=1
  fi
done
exit $status
