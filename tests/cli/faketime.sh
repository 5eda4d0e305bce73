#!/usr/bin/env bash
# The suite does not depend on the day it runs: a representative part of it (the clock, calendar
# and deadline unit tests, `remind`, `audit`, and the web tests that need a date) runs under
# Debian's faketime at three moments in the bureau's time zone: 2026-12-31 23:58 (a run that
# crosses midnight into a year without the State Council notice), 2027-12-20 (deadlines running
# into 2028, provisional) and 2028-10-02 (国庆, a provisional holiday). SPOTCHECK_TODAY is unset and
# SPOTCHECK_TEST_WALLCLOCK=1, so the tests take their day from the faked wall clock
# (webtest.pin_today) and the binary reads it through its one clock (src/core/clock.c).
# Prints "RESULT passed failed" over all runs.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime not installed (scripts/deps.sh test installs it)"
  echo "RESULT 0 1"
  exit 1
fi
build=${BUILD:-build-san}
# The faketime wrapper names its semaphore and shared memory by its own pid and refuses to start
# ("sem_open: File exists") when a killed run left them under a pid now reused: drop those of
# processes that are gone.
for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
  [ -e "$f" ] || continue
  pid=${f##*_}
  case $pid in '' | *[!0-9]*) continue ;; esac
  kill -0 "$pid" 2>/dev/null || rm -f "$f"
done
unit="test_clock test_calendar test_deadline test_task test_result test_followup"
cli="remind audit"
web="test_closure.py test_dash.py test_task.py test_followup.py test_result.py test_figures.py test_provisional.py"
out=$(mktemp)
rc=0
# ASan wants to be the first library loaded; libfaketime comes before it through LD_PRELOAD
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:verify_asan_link_order=0"
export SPOTCHECK_TEST_WALLCLOCK=1 TZ=CST-8
unset SPOTCHECK_TODAY
for at in "2026-12-31 23:58:00" "2027-12-20 09:30:00" "2028-10-02 09:30:00"; do
  run() { # name, command...
    local name=$1; shift
    local o
    o=$(cd "$root" && faketime "$at" "$@" 2>&1)
    local r=$?
    local res
    res=$(printf '%s\n' "$o" | grep -E '^RESULT [0-9]+ [0-9]+$' | tail -n 1)
    [ -z "$res" ] && res="RESULT $([ $r -eq 0 ] && echo "1 0" || echo "0 1")"
    echo "$res" >>"$out"
    if [ $r -ne 0 ] || [ "${res##* }" != 0 ]; then
      rc=1
      echo "FAIL [$at] $name (exit $r)"
      printf '%s\n' "$o" | grep -v '^ok ' | tail -n 20
    else
      echo "ok   [$at] $name: ${res#RESULT }"
    fi
  }
  for t in $unit; do run "unit/$t" "$root/$build/tests/$t"; done
  for t in $cli; do run "cli/$t" bash "$root/tests/cli/$t.sh"; done
  for t in $web; do run "web/$t" bash -c "cd '$root/tests/web' && python3 '$t'"; done
done
awk '/^RESULT/ {p += $2; f += $3} END {print "RESULT " p + 0 " " f + 0}' "$out"
rm -f "$out"
exit $rc
