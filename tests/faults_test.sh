#!/usr/bin/env bash
# Planted faults: `parity check` alone, run from a build with -DPARITY_FAULTS=ON, must fail
# under each fault, and the failures must name the op the fault is in. Without a fault the
# same build passes. Usage: faults_test.sh PARITY
set -u
parity=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# caught FAULT KEY [CHECK ARGS...]: under PARITY_FAULT=FAULT, `parity check --devices cpu`
# exits 1 and lists a failing case whose key starts with KEY ("neg|" for a generated case,
# "golden|torch/add/" for a replayed golden).
caught() {
  local fault=$1 op=$2
  shift 2
  PARITY_FAULT=$fault "$parity" check --devices cpu --details "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local n
  n=$(grep -c "FAIL $op" "$tmp/out")
  if [ "$rc" -eq 1 ] && [ "$n" -gt 0 ]; then
    passed=$((passed + 1))
    echo "caught $fault: $n failing $op cases, e.g. $(grep -m1 "FAIL $op" "$tmp/out" | cut -c1-160)"
  else
    failed=$((failed + 1))
    echo "FAIL: fault $fault not caught (exit $rc, $n failing $op cases)"
    tail -3 "$tmp/out" "$tmp/err"
  fi
}

"$parity" check --devices cpu >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: the faults build fails with no fault"; tail -5 "$tmp/out"; fi

# Kernel, reference-side and autograd faults: the generated cases catch them.
caught neg-signed-zero "neg|"
caught mul-zero-nan "mul|"
caught exp-ulp-drift "exp|"
caught strided-second-operand "add|"
caught outer-sum-carry "sum|"
caught grad-overwrite "add|"
# Registry faults: both engines read the rule, so only the goldens from the real libraries
# can show it wrong.
caught promotion-entry "golden|torch/add/"
caught error-message "golden|numpy/add/"

# A name that is no fault is refused, not ignored.
PARITY_FAULT=no-such-fault "$parity" check --devices cpu --ops neg >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: unknown fault accepted"; fi

echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
