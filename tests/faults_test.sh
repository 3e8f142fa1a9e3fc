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

# run_fault FAULT OP: `parity check --devices cpu --ops OP` under PARITY_FAULT=FAULT, its
# output in $tmp/FAULT.out and its exit status in $tmp/FAULT.rc. OP is the op the fault is
# planted in: check's cases and goldens for an op are the same whatever else is selected, so
# the run shows what the whole check would, in a fraction of the time (eight whole checks
# took 212 s of CI's 2 cores). The whole check runs once, with no fault, below. The runs are
# independent and each is one thread, so they go as many at a time as there are cores.
run_fault() {
  PARITY_FAULT=$1 "$parity" check --devices cpu --ops "$2" --details -o "$tmp/$1.h5" >"$tmp/$1.out" 2>"$tmp/$1.err"
  echo $? >"$tmp/$1.rc"
}
# caught FAULT KEY: the run of FAULT exited 1 and lists a failing case whose key starts with
# KEY ("neg|" for a generated case, "golden|torch/add/" for a replayed golden).
caught() {
  local fault=$1 op=$2
  local rc n
  rc=$(cat "$tmp/$fault.rc")
  n=$(grep -c "FAIL $op" "$tmp/$fault.out")
  if [ "$rc" -eq 1 ] && [ "$n" -gt 0 ]; then
    passed=$((passed + 1))
    echo "caught $fault: $n failing $op cases, e.g. $(grep -m1 "FAIL $op" "$tmp/$fault.out" | cut -c1-160)"
  else
    failed=$((failed + 1))
    echo "FAIL: fault $fault not caught (exit $rc, $n failing $op cases)"
    tail -3 "$tmp/$fault.out" "$tmp/$fault.err"
  fi
}
# FAULT:OP, the op each fault is planted in.
faults=(neg-signed-zero:neg mul-zero-nan:mul exp-ulp-drift:exp strided-second-operand:add
        outer-sum-carry:sum grad-overwrite:add promotion-entry:add error-message:add)
jobs_max=$(nproc 2>/dev/null || echo 2)
for f in "${faults[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_fault "${f%%:*}" "${f#*:}" &
done

"$parity" check --devices cpu >"$tmp/out" 2>"$tmp/err"
status=$?
wait
if [ $status -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: the faults build fails with no fault"; tail -5 "$tmp/out"; fi

# Kernel, reference-side and autograd faults: the generated cases catch them.
caught neg-signed-zero "neg|"
caught mul-zero-nan "mul|"
caught exp-ulp-drift "exp|"
caught strided-second-operand "add|"
caught outer-sum-carry "sum|"
caught grad-overwrite "add|"
# The correctly rounded oracle (MPFR) names the side that is off: the tensor engine's result
# ("got"), where the fault is, and not the array engine's reference ("want").
oracle_names() {
  if "$parity" show "$tmp/$1.h5" --format json | grep -q "$2"; then
    passed=$((passed + 1))
    echo "oracle names the faulty side for $1"
  else
    failed=$((failed + 1))
    echo "FAIL: no failure of $1 says '$2'"
  fi
}
oracle_names exp-ulp-drift "mean signed error from the correctly rounded exp (MPFR): got 1 ULP, want 0 ULP: got is biased"
oracle_names neg-signed-zero "against the correctly rounded neg(0) = -0 (MPFR): got inf ULP, want 0 ULP: got is off"
# Registry faults: both engines read the rule, so only the goldens from the real libraries
# can show it wrong.
caught promotion-entry "golden|torch/add/"
caught error-message "golden|numpy/add/"

# A name that is no fault is refused, not ignored.
PARITY_FAULT=no-such-fault "$parity" check --devices cpu --ops neg >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: unknown fault accepted"; fi

echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
