#!/usr/bin/env bash
# `parity check --goldens` on files written from scratch with h5py (tests/write_golden.py):
# they replay and pass; a wrong expected value or error fails the check (exit 1); a foreign,
# truncated or malformed file is refused with one line (exit 2).
# Usage: goldens_test.sh PARITY WRITE_GOLDEN_PY DATASETS
set -u
parity=$1
writer=$2
datasets=$3
# Debian's interpreter, where scripts/setup installs python3-h5py.
python=${PARITY_PYTHON:-/usr/bin/python3}
source "$(dirname "$0")/cli_lib.sh"
# As cli_lib.sh's, and HDF5 must not have printed its own error stack.
one_line_error() { [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^parity: error: ' "$tmp/err" && ! grep -q HDF5-DIAG "$tmp/err"; }
write() { "$python" "$writer" "$@" || { echo "FAIL: write_golden.py $*"; exit 1; }; }

write "$tmp/numpy.h5" numpy
write "$tmp/torch.h5" torch

# Good files replay: every case passes but the one with a parameter Parity lacks, a skip.
expect 0 "$parity" check --goldens "$tmp/numpy.h5"
ok "numpy counts" grep -q 'numpy hand-written: 9 records: 8 pass, 0 fail, 1 skip' "$tmp/out"
ok "the skip says why" grep -q "skip .*1  parameter 'dtype' is not in Parity yet" "$tmp/out"
ok "no generated cases with --goldens" bash -c "! grep -q 'divergent by design' '$tmp/out'"
# The same file in the HDF5 1.10 format but with h5py's variable-length string attributes: the
# reader, which reads checksummed files directly, meets a variable-length string, falls back
# to the probe in a child, and replays it the same.
"$python" -c "
import sys, h5py
with h5py.File(sys.argv[1], 'r') as src, h5py.File(sys.argv[2], 'w', libver=('v110', 'v110')) as dst:
    for k, v in src.attrs.items():
        dst.attrs[k] = v
    for name in src:
        src.copy(name, dst)
" "$tmp/numpy.h5" "$tmp/numpy110.h5" || { echo "FAIL: writing numpy110.h5"; exit 1; }
expect 0 "$parity" check --goldens "$tmp/numpy110.h5"
ok "a 1.10-format file with variable-length strings replays" grep -q 'numpy hand-written: 9 records: 8 pass, 0 fail, 1 skip' "$tmp/out"
expect 0 "$parity" check --goldens "$tmp/torch.h5"
# All four pass, neg_bfloat16 too: read as uint16, the negation of 0x3F80 would be 0xC080 of
# dtype uint16, and the record would fail.
ok "torch counts (forward and grad; bfloat16 read as bfloat16)" grep -q 'torch hand-written: 4 records: 4 pass, 0 fail, 0 skip' "$tmp/out"
expect 0 "$parity" check --goldens "$tmp/numpy.h5" "$tmp/torch.h5" "$tmp/numpy.h5" -o "$tmp/report.h5"
ok "a file named twice replays once" grep -q 'numpy hand-written: 9 records' "$tmp/out"
expect 0 "$parity" show "$tmp/report.h5"

# Wrong expectations fail, each as its own kind.
write "$tmp/value.h5" numpy --break value
expect 1 "$parity" check --goldens "$tmp/value.h5"
ok "wrong value is a value failure" grep -q 'FAIL golden|numpy/value/add_int32|forward|cpu: value differs: 1 of 3' "$tmp/out"
write "$tmp/zero.h5" numpy --break zero
expect 1 "$parity" check --goldens "$tmp/zero.h5"
ok "the sign of zero is judged" grep -q 'mul_signed_zero|forward|cpu: value differs: .*flat index 0: got -0, want 0' "$tmp/out"
write "$tmp/dtype.h5" numpy --break dtype
expect 1 "$parity" check --goldens "$tmp/dtype.h5"
ok "wrong dtype is a dtype failure" grep -q 'dtype differs: got int32, numpy gives int64' "$tmp/out"
write "$tmp/grad.h5" torch --break grad
expect 1 "$parity" check --goldens "$tmp/grad.h5" --devices cpu
ok "wrong gradient fails the grad record only" grep -q 'torch hand-written: 4 records: 3 pass, 1 fail, 0 skip' "$tmp/out"
ok "wrong gradient is a gradient failure" grep -q 'mul_broadcast_grad|grad|cpu: gradient differs: d/d(in0)' "$tmp/out"
write "$tmp/message.h5" numpy --break message
expect 1 "$parity" check --goldens "$tmp/message.h5"
ok "wrong message is its own kind" grep -q 'fail .*1  error message differs' "$tmp/out"
write "$tmp/class.h5" numpy --break class
expect 1 "$parity" check --goldens "$tmp/class.h5"
ok "wrong class is its own kind" grep -q 'error class differs: got ValueError' "$tmp/out"

# A committed file (fixed-length strings, compressed datasets) replays from another folder too;
# numpy.add has no known engine failure, so every case it can run passes.
expect 0 "$parity" check --goldens "$datasets/numpy/add.h5"
ok "committed numpy.add replays without failures" grep -q 'numpy 1.24.2: 678 records: [0-9]* pass, 0 fail' "$tmp/out"

# Files that are not goldens, or not well formed: one line, exit 2.
echo "not hdf5" >"$tmp/text.h5"
expect 2 "$parity" check --goldens "$tmp/text.h5"
ok "text file: one line" one_line_error
expect 2 "$parity" check --goldens "$tmp/missing.h5"
ok "missing file: one line" one_line_error
"$python" -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_group('x')" "$tmp/foreign.h5"
expect 2 "$parity" check --goldens "$tmp/foreign.h5"
ok "foreign HDF5: one line" one_line_error
ok "foreign HDF5: says why" grep -q 'not a Parity golden file' "$tmp/err"
head -c 3000 "$tmp/numpy.h5" >"$tmp/truncated.h5"
expect 2 "$parity" check --goldens "$tmp/truncated.h5"
ok "truncated: one line" one_line_error
# Damage gives a failure or one line, never a crash or HDF5's own output: seeded byte flips
# in a committed file (HDF5 1.10 format: metadata checksums, Fletcher-32 chunks, fixed-length
# strings; read directly, with no probe: 100 flips) and in h5py's default format (no
# checksums; HDF5 itself can crash there, which the reader's probe in a child process turns
# into an error: 25 flips).
for source in "$datasets/torch/neg.h5" "$tmp/numpy.h5"; do
  flips=25
  [ "$source" = "$datasets/torch/neg.h5" ] && flips=100
  for i in $(seq 1 "$flips"); do
    "$python" -c "
import random, sys
data = bytearray(open(sys.argv[1], 'rb').read())
rng = random.Random(int(sys.argv[3]))
for _ in range(rng.randint(1, 4)):
    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
open(sys.argv[2], 'wb').write(data)" "$source" "$tmp/flipped.h5" "$i"
    "$parity" check --goldens "$tmp/flipped.h5" --devices cpu >"$tmp/out" 2>"$tmp/err"
    code=$?
    if [ "$code" -gt 2 ] || { [ "$code" -eq 2 ] && ! one_line_error; } ||
      grep -q -e HDF5-DIAG -e '^HDF5:' "$tmp/err"; then
      failed=$((failed + 1))
      echo "FAIL: $(basename "$source") flip seed $i exited $code"
      head -3 "$tmp/err"
    else
      passed=$((passed + 1))
    fi
  done
done
for broken in op attr params view; do
  write "$tmp/$broken.h5" numpy --break "$broken"
  expect 2 "$parity" check --goldens "$tmp/$broken.h5"
  ok "$broken: one line" one_line_error
done
ok "unknown op is named" bash -c "$parity check --goldens $tmp/op.h5 2>&1 | grep -q \"op 'numpy.frobnicate' is not in Parity's registry\""
expect 2 "$parity" check --datasets "$tmp/nowhere" --ops neg
ok "missing datasets folder: one line" one_line_error

# With --ops, a datasets folder's files of other ops are not read: a damaged add.h5 beside a
# good negative.h5 does not stop `check --ops neg`, and stops `check --ops add` with one line.
mkdir -p "$tmp/ds/numpy" "$tmp/ds/torch"
cp "$datasets/numpy/negative.h5" "$tmp/ds/numpy/negative.h5"
head -c 4096 "$datasets/numpy/add.h5" >"$tmp/ds/numpy/add.h5"
expect 0 "$parity" check --datasets "$tmp/ds" --ops neg --devices cpu
ok "only the selected op's file is read" grep -q 'numpy 1.24.2: 113 records: 113 pass' "$tmp/out"
expect 2 "$parity" check --datasets "$tmp/ds" --ops add --devices cpu
ok "the damaged file of a selected op: one line" one_line_error

echo "goldens_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
