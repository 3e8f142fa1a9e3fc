#!/usr/bin/env bash
# `parity show` and `parity compare` on reports of a million cases (label `scale`): every
# count they print is the one tests/big_report.cpp builds in, the text stays a few dozen lines
# (rows capped, never a million), and JSON and JUnit hold every case. Times and memory are
# not asserted: each command's wall time is printed for the log (docs/performance.md has the
# measurements, with the commands).
# Usage: scale_test.sh PARITY BIG_REPORT [N]   (N of at least 2000, so that every table is capped)
set -u
parity=$1
big=$2
n=${3:-1000000}
source "$(dirname "$0")/cli_lib.sh"

half=$((n / 2))
# big_report: check i fails when i % 50 == 7; keys are distinct for every i, and a report of
# fewer cases holds the first ones of a larger one.
fails=$(((n + 42) / 50))
half_fails=$(((half + 42) / 50))

expect 0 "$big" check "$n" "$tmp/c1.h5"
cp "$tmp/c1.h5" "$tmp/c2.h5"
expect 0 "$big" check "$half" "$tmp/c_half.h5"
expect 0 "$big" bench "$n" "$tmp/b1.h5"
cp "$tmp/b1.h5" "$tmp/b2.h5"
expect 0 "$big" bench "$n" "$tmp/b3.h5" 3  # every sample three times as long

# timed CODE CMD...: expect, and print the wall time (for the log; never asserted).
timed() {
  local t0 t1
  t0=$(date +%s%N)
  expect "$@"
  t1=$(date +%s%N)
  echo "scale: $(printf '%s ' "${@:2}" | sed "s|$tmp/||g; s|$parity|parity|")took $(((t1 - t0) / 1000000)) ms"
}
has() { grep -qF -- "$1" "$2"; }
lines_under() { [ "$(wc -l <"$1")" -lt "$2" ]; }
# count_of FIXED_STRING FILE: how many times it occurs (lines hold at most one case each).
count_of() { grep -cF -- "$1" "$2"; }

# ---- show
timed 0 "$parity" show "$tmp/c1.h5" --format text --output "$tmp/show_c.txt" --format junit --output "$tmp/show_c.xml"
ok "show counts the checks" has "Checks: $n ($((n - fails)) pass, $fails fail, 0 divergent, 0 skip)" "$tmp/show_c.txt"
ok "show caps the failure rows" has "... $((fails - 20)) more not shown" "$tmp/show_c.txt"
ok "show of 1M checks is short" lines_under "$tmp/show_c.txt" 100
ok "junit has every check" [ "$(count_of '<testcase ' "$tmp/show_c.xml")" -eq "$n" ]
ok "junit fails the failing checks" [ "$(count_of '<failure ' "$tmp/show_c.xml")" -eq "$fails" ]

timed 0 "$parity" show "$tmp/b1.h5"
ok "show counts the benches" has "Benches: $n" "$tmp/out"
ok "show caps the bench rows" has "... $((n - 20)) more not shown" "$tmp/out"
ok "show of 1M benches is short" lines_under "$tmp/out" 100

# ---- compare: checks
timed 0 "$parity" compare "$tmp/c1.h5" "$tmp/c2.h5"
ok "identical checks are the same" has "$n cases: 0 slower, 0 faster, $n same, 0 inconclusive, 0 worse, 0 better, 0 added, 0 removed, 0 invalid; 0 fail the gate" "$tmp/out"
ok "compare of 1M checks is short" lines_under "$tmp/out" 100

timed 1 "$parity" compare "$tmp/c1.h5" "$tmp/c_half.h5" --format text --output "$tmp/cmp.txt" --format json --output "$tmp/cmp.json"
ok "removed cases fail" has "$n cases: 0 slower, 0 faster, $half same, 0 inconclusive, 0 worse, 0 better, 0 added, $((n - half)) removed, 0 invalid; $((n - half)) fail the gate" "$tmp/cmp.txt"
ok "the text caps the removed rows" has "... $((n - half - 20)) more not shown" "$tmp/cmp.txt"
ok "json has every case" [ "$(count_of '{"kind":"check"' "$tmp/cmp.json")" -eq "$n" ]
ok "json marks the removed" [ "$(count_of '"verdict":"removed"' "$tmp/cmp.json")" -eq "$((n - half))" ]
ok "json keeps the failing statuses" [ "$(count_of '"new_status":"fail"' "$tmp/cmp.json")" -eq "$half_fails" ]

timed 0 "$parity" compare "$tmp/c_half.h5" "$tmp/c1.h5"
ok "added cases are counted" has "$n cases: 0 slower, 0 faster, $half same, 0 inconclusive, 0 worse, 0 better, $((n - half)) added, 0 removed, 0 invalid; 0 fail the gate" "$tmp/out"

# ---- compare: benches (one baseline; --noise 0.01 so that an identical run is shown the same)
timed 0 "$parity" compare "$tmp/b1.h5" "$tmp/b2.h5" --noise 0.01
ok "identical benches are the same" has "$n cases: 0 slower, 0 faster, $n same, 0 inconclusive, 0 worse, 0 better, 0 added, 0 removed, 0 invalid; 0 fail the gate" "$tmp/out"
ok "compare of 1M benches is short" lines_under "$tmp/out" 100

timed 1 "$parity" compare "$tmp/b1.h5" "$tmp/b3.h5"
ok "three times slower is slower" has "$n cases: $n slower, 0 faster, 0 same, 0 inconclusive, 0 worse, 0 better, 0 added, 0 removed, 0 invalid; $n fail the gate" "$tmp/out"
ok "the change is +200%" has "+200.0%" "$tmp/out"

finish
