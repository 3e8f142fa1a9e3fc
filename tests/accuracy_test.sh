#!/usr/bin/env bash
# `parity accuracy` end to end: the table in three formats, the exit code when a budget is
# exceeded, one-line errors on bad input, and (where Debian's numpy, torch and h5py are
# installed) NumPy's and PyTorch's rows from scripts/accuracy-anchors.
# Usage: accuracy_test.sh PARITY ACCURACY_ANCHORS_SCRIPT
set -u
parity=$1
anchors_script=$2
python=${PARITY_PYTHON:-/usr/bin/python3}
source "$(dirname "$0")/cli_lib.sh"
one_line_error() { [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^parity: error: ' "$tmp/err" && ! grep -q HDF5-DIAG "$tmp/err"; }

# float16 exp over all 65,536 patterns, on the array engine and the tensor engine's cpu.
expect 0 "$parity" accuracy --ops exp --dtypes float16 --devices cpu
ok "inputs named" grep -q 'exp float16: 65536 inputs (all 65536 bit patterns)' "$tmp/out"
ok "array row within budget" grep -Eq '^  array +[0-9.]+ .* within$' "$tmp/out"
ok "PyTorch 1.13 has no cpu Half exp: the tensor engine refuses, as it does" \
  grep -Eq "^  tensor cpu +refused +RuntimeError: \"exp_vml_cpu\" not implemented for 'Half'" "$tmp/out"

# neg is exact: every result correctly rounded, max error 0.
expect 0 "$parity" accuracy --ops neg --dtypes bfloat16,float64 --devices cpu --quick
ok "neg exact: four rows at 0 ULP" [ "$(grep -Ec '^  (array|tensor cpu) +0\.00000 ' "$tmp/out")" -eq 4 ]

# JSON: every histogram adds up to the input count.
expect 0 "$parity" accuracy --ops exp --dtypes bfloat16 --devices cpu --format json
ok "json histograms add up" "$python" -c "
import json, sys
d = json.load(open('$tmp/out'))
rows = [r for r in d['results'] if 'histogram' in r]
assert len(rows) == 2, rows
for r in rows:
    assert sum(r['histogram'].values()) == r['inputs'] == 65536, r
    assert r['verdict'] == 'within' and r['max_ulp'] <= r['budget_ulp'], r
"
expect 0 "$parity" accuracy --ops exp --dtypes float16 --devices cpu --format markdown
ok "markdown table" grep -q '^| op | dtype | engine | max ULP' "$tmp/out"

# A judged range (gelu: x >= -1, where the formula does not cancel): within budget there, the
# cancelled tail measured beside it; NumPy's formula gives float32 for bfloat16 inputs, so the
# array engine's row is not measured in bfloat16 ULPs.
expect 0 "$parity" accuracy --ops gelu --dtypes bfloat16 --devices cpu --format json
ok "gelu: judged and outside parts add up, the tail shown" "$python" -c "
import json
d = json.load(open('$tmp/out'))
rows = {r['engine']: r for r in d['results']}
assert rows['array']['verdict'] == 'not measured', rows['array']
t = rows['tensor cpu']
o = t['outside_judged_range']
assert o['judged_range'] == [-1.0, 'inf'], o
assert sum(t['histogram'].values()) + o['inputs'] == t['inputs'] == 65536, t
assert sum(o['histogram'].values()) == o['inputs'] > 10000, o
assert t['verdict'] == 'within' and t['max_ulp'] <= t['budget_ulp'] < o['max_ulp'], t
"
expect 0 "$parity" accuracy --ops sigmoid --dtypes float16 --devices cpu
ok "text: the judged range and the outside line" \
  grep -q '^  judged range: x >= -11.09 ' "$tmp/out"
ok "text: outside line under the array row" grep -Eq '^ +outside the judged range: [0-9]+ inputs, max [0-9.]+ ULP at ' "$tmp/out"

# A budget the oracle's own rounding cannot meet: exit 1, the row says so.
expect 1 "$parity" accuracy --ops exp --dtypes float16 --devices cpu --max-ulp 0.4
ok "over budget row" grep -Eq '^  array .* OVER BUDGET$' "$tmp/out"

# Bad input: one line, exit 2.
for args in "--ops add" "--ops nope" "--dtypes int32" "--dtypes float16,,float32" "--format xml" \
            "--threads 0" "--max-ulp nan" "--anchors $tmp/missing.h5" "--write-inputs $tmp/no/such/dir/x.h5"; do
  # shellcheck disable=SC2086
  expect 2 "$parity" accuracy --dtypes float16 $args
  ok "one-line error for $args" one_line_error
done
echo "not hdf5" >"$tmp/text.h5"
expect 2 "$parity" accuracy --dtypes float16 --anchors "$tmp/text.h5"
ok "not an anchors file: one line" one_line_error
if grep -q 'skipped: no CUDA device' <("$parity" accuracy --ops neg --dtypes float16 2>&1); then
  expect 2 "$parity" accuracy --ops neg --dtypes float16 --devices cuda
  ok "cuda asked for without a device: one line" one_line_error
fi

# Anchors made for other inputs are refused, not misread.
expect 0 "$parity" accuracy --write-inputs "$tmp/quick.h5" --ops exp --dtypes float64 --quick
expect 2 "$parity" accuracy --ops exp --dtypes float64 --devices cpu --anchors "$tmp/quick.h5"
ok "other inputs: one line" one_line_error
ok "other inputs: says why" grep -q 'made with another --quick setting' "$tmp/err"

# NumPy and PyTorch beside Parity.
if "$python" -c 'import numpy, scipy, torch, h5py' 2>/dev/null; then
  PARITY=$parity expect 0 bash "$anchors_script" "$tmp/anchors.h5" --ops exp --dtypes float16,bfloat16
  expect 0 "$parity" accuracy --ops exp --dtypes float16,bfloat16 --devices cpu --anchors "$tmp/anchors.h5"
  ok "numpy float16 row" grep -Eq '^  numpy 1[.0-9]+ +[0-9.]+ ' "$tmp/out"
  ok "torch bfloat16 row" grep -Eq '^  torch 1[.0-9+a-z]+ +[0-9.]+ ' "$tmp/out"
  ok "torch refuses cpu Half exp in its own words" grep -Eq "^  torch .* - +RuntimeError: \"exp_vml_cpu\" not implemented for 'Half'" "$tmp/out"
  ok "numpy has no bfloat16" grep -Eq '^  numpy .* - +TypeError: numpy has no bfloat16' "$tmp/out"
  # NumPy's side of an op it lacks is the registry's formula; PyTorch 1.13 has no cbrt; a
  # fixed keyword argument (gelu_tanh: approximate='tanh') reaches PyTorch.
  PARITY=$parity expect 0 bash "$anchors_script" "$tmp/anchors.h5" --ops cbrt,sigmoid,gelu_tanh --dtypes bfloat16,float32 --quick
  expect 0 "$parity" accuracy --ops cbrt,sigmoid,gelu_tanh --dtypes bfloat16,float32 --devices cpu --anchors "$tmp/anchors.h5" --quick --format json
  ok "formula, missing op and kwargs rows" "$python" -c "
import json
r = {(x['op'], x['dtype'], x['engine'].split(' ')[0]): x for x in json.load(open('$tmp/out'))['results']}
assert r[('cbrt', 'float32', 'torch')]['error'] == 'TypeError: torch has no cbrt', r[('cbrt', 'float32', 'torch')]
assert r[('cbrt', 'float32', 'numpy')]['verdict'] == 'within', r[('cbrt', 'float32', 'numpy')]
assert r[('sigmoid', 'float32', 'numpy')]['max_ulp'] < 4, r[('sigmoid', 'float32', 'numpy')]
# the tanh form, not the erf form, which is up to 5e-4 away (about 2,000 float32 ULPs near x = 2.7)
assert r[('gelu_tanh', 'float32', 'torch')]['max_ulp'] < 16, r[('gelu_tanh', 'float32', 'torch')]
assert r[('gelu_tanh', 'float32', 'numpy')]['max_ulp'] < 16, r[('gelu_tanh', 'float32', 'numpy')]
"
else
  echo "skip: anchors (no numpy, scipy, torch or h5py for $python)"
fi
finish
