"""Writes a Parity bench report (reports/SCHEMA.md, schema version 2) from Python with h5py,
for timings taken outside Parity (scripts/speed-anchors: NumPy and PyTorch as engines
`numpy` and `torch`), so that `parity show` and `parity compare` set them beside Parity's own.

An independent writer of the documented layout: `parity show` reading its files back checks
the layout, every range and the content checksum (tests/anchors_test.sh).

    write_bench_report(path, meta, benches)

meta: {key: value} strings, in the order to keep (`kind` is set to "bench").
benches: dicts with key, op, engine, dtype, device, shape (the harness's spelling, e.g.
"(1024,)x(1024,)"), numel, timer, bytes, flops and samples (seconds per iteration).
The file is written beside `path` and renamed over it once complete.
"""
import os
import re
import zlib

import h5py
import numpy as np

SCHEMA_VERSION = 2
KEY_FORMAT = 1
CHECK_ID_COLUMNS = ["key", "op", "engine", "dtype", "device", "shapes_text"]
CHECK_COLUMNS = (CHECK_ID_COLUMNS + ["shapes_dims_offset", "shapes_dims_count"] +
                 ["layout", "params", "mode", "reference", "status", "message"] +
                 ["max_abs_err", "max_rel_err", "max_ulp", "budget"])
CHECK_INTS = {"shapes_dims_offset", "shapes_dims_count"}
CHECK_REALS = {"max_abs_err", "max_rel_err", "max_ulp", "budget"}
BENCH_COLUMNS = ["key", "op", "engine", "dtype", "device", "shape_text", "shape_dims_offset",
                 "shape_dims_count", "numel", "timer", "bytes", "flops", "sample_offset",
                 "sample_count", "counter_offset", "counter_count", "counter_source"]
BENCH_INTS = {"shape_dims_offset", "shape_dims_count", "numel", "sample_offset", "sample_count",
              "counter_offset", "counter_count"}
BENCH_REALS = {"bytes", "flops"}
TYPES = {"id": np.dtype("<u4"), "int": np.dtype("<i8"), "real": np.dtype("<f8"), "u8": np.dtype("u1")}
_SHAPE = re.compile(r"\((\d+(?:,\d+)*,?)?\)")


def _shape_dims(text):
    """(count, dims, rest) as SCHEMA.md's Shapes section stores them; count -1 keeps the text."""
    dims, pos, count = [], 0, 0
    while True:
        m = _SHAPE.match(text, pos)
        if not m:
            break
        d = [int(v) for v in m.group(1).rstrip(",").split(",")] if m.group(1) else []
        canonical = "(" + ",".join(map(str, d)) + ("," if len(d) == 1 else "") + ")"
        if m.group(0) != canonical:
            return -1, [], text
        dims += [len(d)] + d
        count += 1
        pos = m.end()
        if text.startswith("x(", pos):
            pos += 1
        else:
            break
    if count == 0:
        return -1, [], text
    return len(dims), dims, text[pos:]


class _Strings:
    def __init__(self):
        self.blob, self.offsets, self.ids = bytearray(), [0, 0], {"": 0}

    def id(self, s):
        if s not in self.ids:
            self.blob += s.encode()
            self.offsets.append(len(self.blob))
            self.ids[s] = len(self.offsets) - 2
        return self.ids[s]


def _dataset(group, name, values, dtype):
    a = np.asarray(values, dtype=dtype)
    chunk = max(1, min(262144 // a.dtype.itemsize, max(len(a), 1)))
    group.create_dataset(name, data=a, dtype=dtype, maxshape=(None,), chunks=(chunk,),
                         shuffle=True, compression="gzip", compression_opts=4, fletcher32=True)
    return a


def _string_attr(gid, name, value):
    raw = value.encode()
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(len(raw) + 1)
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    tid.set_cset(h5py.h5t.CSET_UTF8)
    attr = h5py.h5a.create(gid, name.encode(), tid, h5py.h5s.create(h5py.h5s.SCALAR))
    attr.write(np.array(raw + b"\0", dtype=f"S{len(raw) + 1}"), mtype=tid)


def write_bench_report(path, meta, benches):
    meta = {"kind": "bench", **{k: v for k, v in meta.items() if k != "kind"}}
    for k, v in meta.items():
        if not k or "\0" in k or "\0" in str(v):
            raise ValueError(f"metadata key {k!r}: empty or holding a NUL")
    keys = [b["key"] for b in benches]
    if len(set(keys)) != len(keys):
        raise ValueError("bench keys are not unique")
    strings, dims = _Strings(), []
    cols = {c: [] for c in BENCH_COLUMNS}
    samples = []
    for b in benches:
        if not b["samples"] or any(not np.isfinite(s) or s < 0 for s in b["samples"]):
            raise ValueError(f"bench {b['key']}: samples must be finite non-negative times")
        count, d, rest = _shape_dims(b["shape"])
        row = {"key": b["key"], "op": b["op"], "engine": b["engine"], "dtype": b["dtype"],
               "device": b["device"], "shape_text": rest, "shape_dims_offset": len(dims),
               "shape_dims_count": count, "numel": b["numel"], "timer": b["timer"],
               "bytes": b["bytes"], "flops": b["flops"], "sample_offset": len(samples),
               "sample_count": len(b["samples"]), "counter_offset": 0, "counter_count": 0,
               "counter_source": ""}
        dims += d
        samples += list(b["samples"])
        for c in BENCH_COLUMNS:
            cols[c].append(row[c] if c in BENCH_INTS | BENCH_REALS else strings.id(row[c]))

    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with h5py.File(tmp, "w", libver=("v110", "v110")) as f:
            root = f.create_group("parity")
            root.attrs.create("schema_version", SCHEMA_VERSION, dtype="<i4")
            root.attrs.create("key_format", KEY_FORMAT, dtype="<i4")
            gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            gcpl.set_attr_creation_order(h5py.h5p.CRT_ORDER_TRACKED)
            gcpl.set_attr_phase_change(65535, 0)
            mgid = h5py.h5g.create(root.id, b"meta", gcpl=gcpl)
            crc = 0
            for k, v in meta.items():
                _string_attr(mgid, k, str(v))
                crc = zlib.crc32(k.encode() + b"\0" + str(v).encode() + b"\0", crc)
            parts = [_dataset(root, "strings", np.frombuffer(bytes(strings.blob), np.uint8), TYPES["u8"]),
                     _dataset(root, "string_offsets", strings.offsets, TYPES["int"]),
                     _dataset(root, "shape_dims", dims, TYPES["int"])]
            checks = root.create_group("checks")
            for c in CHECK_COLUMNS:
                kind = "int" if c in CHECK_INTS else "real" if c in CHECK_REALS else "id"
                parts.append(_dataset(checks, c, [], TYPES[kind]))
            bg = root.create_group("benches")
            for c in BENCH_COLUMNS:
                kind = "int" if c in BENCH_INTS else "real" if c in BENCH_REALS else "id"
                parts.append(_dataset(bg, c, cols[c], TYPES[kind]))
            parts.append(_dataset(root, "bench_samples", samples, TYPES["real"]))
            root["bench_samples"].attrs["units"] = "seconds per iteration"
            parts.append(_dataset(root, "bench_counter_names", [], TYPES["id"]))
            parts.append(_dataset(root, "bench_counter_values", [], TYPES["real"]))
            for a in parts:
                crc = zlib.crc32(a.tobytes(), crc)
            root.attrs.create("content_checksum", crc, dtype="<u4")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
