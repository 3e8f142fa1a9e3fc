#!/usr/bin/env python3
"""Issue 7's bar, from the text that scripts/gpu-check run saved: Parity's add and mul at 64M
float32 elements on cuda (`parity bench --details`) against a device-to-device cudaMemcpy and
PyTorch's add and mul on the same GPU (`scripts/torch_bench.py`), measured in the same run.

  bandwidth ratio = (3 * 4 * n / parity median) / (2 * 4 * n / copy median)   must be >= 0.90
  torch ratio     = parity median / torch median                               must be <= 1.00

Prints one line per op and exits 1 when a bar is missed or a number is missing."""
import argparse
import re
import sys

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def seconds(text):
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(ns|us|ms|s)\s*", text)
    if not m:
        raise ValueError(f"not a time: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parity_medians(path, n):
    """{op: seconds} for the cuda rows of shape (n,)x(n,) of a `parity bench --details` table."""
    out, header = {}, None
    for line in open(path):
        cols = re.split(r"\s{2,}", line.strip())
        if cols[:2] == ["op", "engine"] and "median" in cols:
            header = cols
            continue
        if header is None or len(cols) != len(header):
            continue
        row = dict(zip(header, cols))
        if row["device"].startswith("cuda") and row["shape"] == f"({n},)x({n},)" and row["dtype"] == "float32":
            out[row["op"]] = seconds(row["median"])
    return out


def torch_medians(path, n):
    """{op: seconds} from scripts/torch_bench.py lines `op|float32|cuda:0|shape   12.34us`."""
    out = {}
    for line in open(path):
        m = re.match(r"(\w+)\|float32\|cuda:0\|(\S+)\s+([0-9.]+)us\s*$", line.strip())
        if m and m.group(2) in (f"({n},)x({n},)", f"({n},)"):
            out[m.group(1)] = float(m.group(3)) * 1e-6
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--parity", required=True, help="output of parity bench --details")
    p.add_argument("--torch", required=True, help="output of scripts/torch_bench.py with copy_d2d")
    p.add_argument("--n", type=int, default=64 * 1024 * 1024)
    p.add_argument("--min-bandwidth-ratio", type=float, default=0.90)
    a = p.parse_args()
    par, tor = parity_medians(a.parity, a.n), torch_medians(a.torch, a.n)
    copy = tor.get("copy_d2d")
    ok = copy is not None
    if copy is None:
        print("no copy_d2d time in the torch output")
    else:
        print(f"cudaMemcpy D2D: {copy * 1e6:.1f} us, {2 * 4 * a.n / copy / 1e9:.1f} GB/s (read + write)")
    for op in ("add", "mul"):
        if op not in par or op not in tor or copy is None:
            print(f"{op}: missing (parity {par.get(op)}, torch {tor.get(op)})")
            ok = False
            continue
        bw = 3 * 4 * a.n / par[op]
        ratio = bw / (2 * 4 * a.n / copy)
        vs_torch = par[op] / tor[op]
        good = ratio >= a.min_bandwidth_ratio and vs_torch <= 1.0
        ok = ok and good
        print(f"{op}: parity {par[op] * 1e6:.1f} us ({bw / 1e9:.1f} GB/s, {ratio:.3f} of the copy's), "
              f"torch {tor[op] * 1e6:.1f} us, parity/torch {vs_torch:.3f}: {'PASS' if good else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
