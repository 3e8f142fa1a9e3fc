#!/usr/bin/env bash
# scripts/parity_report.py, the Python writer of Parity bench reports that
# scripts/speed-anchors uses for NumPy's and PyTorch's timings: what it writes, `parity show`
# reads back exactly (layout, ranges and content checksum checked by the reader); a sample
# changed behind the checksum's back is refused; a bad record is refused before any file is
# written. Then, where PyTorch is installed, one tiny speed-anchors run (no timing is judged):
# its report holds the engines numpy and torch for the case asked for, and compares with a
# Parity bench on --match.
# Usage: anchors_test.sh PARITY SOURCE_DIR
set -u
parity=$1
src=$2
python=${PARITY_PYTHON:-/usr/bin/python3}
source "$(dirname "$0")/cli_lib.sh"

cat >"$tmp/write.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from parity_report import write_bench_report
out, what = sys.argv[2], sys.argv[3]
b = [{"key": "add|float32|cpu|(1024,)x(1024,)|numpy", "op": "add", "engine": "numpy", "dtype": "float32",
      "device": "cpu", "shape": "(1024,)x(1024,)", "numel": 1024, "timer": "wall", "bytes": 12288.0,
      "flops": 1024.0, "samples": [4.5e-7, 4.75e-7, 5e-7]},
     {"key": "sum|float32|cpu|(7,3) axes=(0,)|torch", "op": "sum", "engine": "torch", "dtype": "float32",
      "device": "cpu", "shape": "(7,3) axes=(0,)", "numel": 21, "timer": "wall", "bytes": 96.0, "flops": 21.0,
      "samples": [1.25e-6]}]
if what == "negative":
    b[1]["samples"] = [-1.0]
if what == "duplicate":
    b[1]["key"] = b[0]["key"]
write_bench_report(out, {"tool_version": "anchors_test", "note": "caf\u00e9"}, b)
PY
cat >"$tmp/read.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
got = [(b["key"], b["engine"], b["shape"], b["numel"], b["samples"], b["median"]) for b in r["benches"]]
want = [("add|float32|cpu|(1024,)x(1024,)|numpy", "numpy", "(1024,)x(1024,)", 1024, 3, 4.75e-7),
        ("sum|float32|cpu|(7,3) axes=(0,)|torch", "torch", "(7,3) axes=(0,)", 21, 1, 1.25e-6)]
assert got == want, got
assert r["meta"]["kind"] == "bench" and r["meta"]["note"] == "caf\u00e9", r["meta"]
PY
cat >"$tmp/tamper.py" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    s = f["parity/bench_samples"]
    s[0] = 1.0  # HDF5 recomputes the chunk's Fletcher32; the content checksum is left as it was
PY

expect 0 "$python" "$tmp/write.py" "$src/scripts" "$tmp/a.h5" good
expect 0 "$parity" show "$tmp/a.h5" --format json
ok "show reads back what parity_report.py wrote" "$python" "$tmp/read.py" "$tmp/out"
expect 0 "$parity" show "$tmp/a.h5"
ok "show lists the engines" grep -q 'numpy' "$tmp/out"
cp "$tmp/a.h5" "$tmp/t.h5"
expect 0 "$python" "$tmp/tamper.py" "$tmp/t.h5"
expect 2 "$parity" show "$tmp/t.h5"
ok "a changed sample is refused: content checksum" grep -q 'checksum' "$tmp/err"
expect 1 "$python" "$tmp/write.py" "$src/scripts" "$tmp/n.h5" negative
ok "a negative sample is refused, no file" test ! -e "$tmp/n.h5"
expect 1 "$python" "$tmp/write.py" "$src/scripts" "$tmp/d.h5" duplicate
ok "duplicate keys are refused, no file" test ! -e "$tmp/d.h5"
ok "no temporary left" test -z "$(find "$tmp" -name '.*.tmp-*')"

# One tiny run of the script itself, where PyTorch is installed (scripts/setup --goldens; CI's
# setup does not install it, so there this part is left out and says so).
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "speed-anchors run left out: no PyTorch for $python (scripts/setup --goldens installs it)"
  finish
  exit
fi
expect 0 "$python" "$src/scripts/speed-anchors" --parity "$parity" --rounds 1 --sizes 1024 --ops add \
  --batch 0.001 --repeat 2 --no-array --report "$tmp/anchors.h5"
expect 0 "$parity" show "$tmp/anchors.h5" --format json
ok "the anchors report holds numpy and torch" "$python" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted((b["engine"], b["key"], b["samples"]) for b in r["benches"]) == [
    ("numpy", "add|float32|cpu|(1024,)x(1024,)|numpy", 2), ("torch", "add|float32|cpu|(1024,)x(1024,)|torch", 2)], r
# bytes from the cost model of parity bench (12,288 for add of two 1,024-element float32 operands)
assert all(abs(b["gbps"] * b["median"] * 1e9 - 12288) < 1e-3 for b in r["benches"]), r
' "$tmp/out"
expect 0 "$parity" bench --devices cpu --ops add --sizes 1024 --no-conversions --repetitions 2 --min-time 0.001 \
  -o "$tmp/bench.h5"
expect 0 "$parity" compare "$tmp/anchors.h5" "$tmp/bench.h5" --match op,dtype,shapes --base-filter engine=numpy \
  --new-filter engine=tensor --format json
ok "compare matches NumPy's case with the tensor engine's" "$python" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["cases"]) == 1 and r["cases"][0]["kind"] == "bench", r["cases"]
' "$tmp/out"
expect 1 "$python" "$src/scripts/speed-anchors" --parity "$parity" --report "$tmp/no/such/folder/a.h5"
ok "a report path that cannot be written is refused before the run" grep -q 'cannot write a report' "$tmp/err"
finish
