#!/usr/bin/env bash
# End-to-end tests of the parity command: exit codes, reports on disk, bad input.
# Usage: cli_test.sh PARITY SCALE_REPORT
set -u
parity=$1
scale=$2
source "$(dirname "$0")/cli_lib.sh"

expect 0 "$parity" spec
ok "spec lists matmul" grep -q '^matmul' "$tmp/out"
expect 0 "$parity" --help

# A small bench report; compare it with itself, with a slower and with a faster copy.
expect 0 "$parity" bench --quick --devices array,cpu --ops add,sum --sizes 4096 --repetitions 6 \
  --no-conversions -o "$tmp/base.h5"
ok "bench report exists" test -s "$tmp/base.h5"
ok "no temporary file left" test -z "$(find "$tmp" -name '*.tmp*')"
expect 0 h5dump -H "$tmp/base.h5"
expect 0 "$parity" show "$tmp/base.h5"
ok "show prints the add row" grep -q 'add' "$tmp/out"
expect 0 "$parity" compare "$tmp/base.h5" "$tmp/base.h5"
expect 0 "$scale" "$tmp/base.h5" "$tmp/slow.h5" 50
expect 1 "$parity" compare "$tmp/base.h5" "$tmp/slow.h5"
expect 0 "$parity" compare "$tmp/slow.h5" "$tmp/base.h5"
expect 0 "$parity" compare --threshold 100 "$tmp/base.h5" "$tmp/slow.h5"

# Cold timings are separate cases.
expect 0 "$parity" bench --cold --devices cpu --ops neg --sizes 4096 --repetitions 3 --no-conversions -o "$tmp/cold.h5"
expect 0 "$parity" show "$tmp/cold.h5"
ok "cold cases are marked" grep -q 'wall-cold' "$tmp/out"

# A check report.
expect 0 "$parity" check --ops neg,matmul --devices cpu -o "$tmp/check.h5"
ok "check prints a summary line" grep -q 'cases: .* pass' "$tmp/out"
expect 0 "$parity" show "$tmp/check.h5"
expect 0 "$parity" compare "$tmp/check.h5" "$tmp/check.h5"

# Bad input: one line on stderr, exit 2, nothing half written.
expect 2 "$parity"
ok "no subcommand: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5"
ok "missing argument: one-line error" one_line_error
expect 2 "$parity" check --no-such-option
ok "unknown option: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/missing.h5"
ok "missing file: one-line error" one_line_error
echo "not an HDF5 file" >"$tmp/junk.h5"
expect 2 "$parity" show "$tmp/junk.h5"
ok "junk file: one-line error" one_line_error
expect 2 "$parity" check --ops bogus
ok "unknown op: one-line error" one_line_error
expect 2 "$parity" check --devices tpu
ok "unknown device: one-line error" one_line_error
expect 2 "$parity" check --dtypes float8
ok "unknown dtype: one-line error" one_line_error
expect 2 "$parity" bench --sizes 0
ok "bad size: one-line error" one_line_error
expect 2 "$parity" bench --sizes abc
ok "non-numeric size: one-line error" one_line_error
expect 2 "$parity" bench --repetitions 0
expect 2 "$parity" bench --min-time -1
# Sizes that give one matmul shape (capped at 1024x1024) still make a valid report.
expect 0 "$parity" bench --devices cpu --ops matmul --sizes 1048576,4194304,1048576 --repetitions 2 \
  --min-time 0.001 --no-conversions -o "$tmp/mm.h5"
expect 2 "$parity" compare --threshold -1 "$tmp/base.h5" "$tmp/base.h5"
expect 2 "$parity" check --ops neg --devices cpu -o "$tmp/nodir/x.h5"
ok "no report in a missing directory" test ! -e "$tmp/nodir/x.h5"
# A foreign HDF5 file (not a Parity report), made with h5py where it is installed.
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'w'); f['x']=[1,2,3]; f.close()" "$tmp/foreign.h5"
  expect 2 "$parity" show "$tmp/foreign.h5"
  ok "foreign file: one-line error" one_line_error
  expect 2 "$parity" compare "$tmp/foreign.h5" "$tmp/base.h5"
  # Reports are readable from Python.
  expect 0 /usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); print(f['parity'].attrs['schema_version'])" "$tmp/base.h5"
fi

# parity spec: the registry in three formats, and the op x dtype x engine/device matrix.
expect 0 "$parity" spec --matrix
ok "spec matrix: torch cpu refuses bool matmul with RuntimeError" \
  grep -Eq '^matmul +bool +-> bool +refused \(RuntimeError\)' "$tmp/out"
ok "spec matrix: exp of bool is float16 in NumPy, float32 in PyTorch" grep -Eq '^exp +bool +-> float16 +-> float32 ' "$tmp/out"
ok "spec matrix: PyTorch has no uint16" grep -Eq '^add +uint16 +-> uint16 +absent ' "$tmp/out"
ok "spec matrix: no cpu Half exp in PyTorch 1.13" grep -Eq '^exp +float16 +-> float16 +refused \(RuntimeError\) +-> float16 ' "$tmp/out"
ok "spec lists refusals with the library's class" grep -q 'RuntimeError: "addmm_impl_cpu_" not implemented' "$tmp/out"
expect 0 "$parity" spec --format markdown --matrix
ok "spec markdown has a row per op" test "$(grep -c '^| [a-z]* | `numpy\.' "$tmp/out")" -ge 7
expect 0 "$parity" spec --format json --matrix
if /usr/bin/python3 -c 'import json' 2>/dev/null; then
  ok "spec json parses, one matrix cell per op x dtype x column" /usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d['matrix']) == len(d['ops']) * 13 * 3, len(d['matrix'])
mm = [o for o in d['ops'] if o['name'] == 'matmul'][0]
assert mm['numpy_name'] == 'numpy.matmul' and 'bool' in mm['dtypes']['numpy'] and 'bool' not in mm['dtypes']['torch_cpu']
assert all(r['class'] for o in d['ops'] for r in o['refusals'])
" "$tmp/out"
fi
expect 2 "$parity" spec --format xml
ok "spec: unknown format is a one-line error" one_line_error

finish
