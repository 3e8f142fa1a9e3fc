#!/usr/bin/env python3
"""Writes a golden file from scratch with plain h5py defaults (variable-length string
attributes, h5py's bool enum), in the layout of datasets/README.md, with expected values
written out by hand. The replay test checks that `parity check --goldens` reads it.

usage: write_golden.py OUT.h5 numpy|torch [--break KIND]
  KIND (numpy): value, zero, dtype, message, class, op, attr, params, view; (torch): grad
"""
import json
import sys

import h5py
import numpy as np


def case(cases, name, op, params, inputs, out=None, error=None, views=None, grads=None):
    g = cases.create_group(name)
    g.attrs["op"] = op
    g.attrs["params"] = json.dumps(params)
    for k, a in enumerate(inputs):
        g.create_dataset(f"in{k}", data=a)
    for k, v in (views or {}).items():
        g.attrs[f"in{k}_view"] = json.dumps(v)
    if error is None:
        g.attrs["expect"] = "value"
        g.create_dataset("out", data=out)
    else:
        g.attrs["expect"] = "error"
        g.attrs["error_class"], g.attrs["error_message"] = error
    for name_, a in (grads or {}).items():
        g.create_dataset(name_, data=a)
    return g


def numpy_file(f, broken):
    cases = f.create_group("cases")
    add_out = np.array([11, 22, 34 if broken == "value" else 33],
                       dtype=np.int64 if broken == "dtype" else np.int32)
    case(cases, "add_int32", "numpy.frobnicate" if broken == "op" else "numpy.add", {},
         [np.array([1, 2, 3], np.int32), np.array([10, 20, 30], np.int32)], add_out)
    case(cases, "mul_signed_zero", "numpy.multiply", {},
         [np.array([-0.0, 2.0, np.inf]), np.array([1.0, 0.5, -1.0])],
         np.array([0.0 if broken == "zero" else -0.0, 1.0, -np.inf]))
    case(cases, "neg_0d_float32", "numpy.negative", {}, [np.float32(2.5)], np.float32(-2.5))
    case(cases, "sum_bool_axis0", "numpy.sum", {"axis": [0]},
         [np.array([[True, False], [True, True]])], np.array([2, 1], np.int64))
    # [[1, 2, 3], [4, 5, 6]] seen as its transpose (3, 2), summed over axis 1, kept.
    case(cases, "sum_transposed_keepdims", "numpy.sum", {"axis": 1, "keepdims": True},
         [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])], np.array([[5.0], [7.0], [9.0]]),
         views={0: {"transpose": [1, 0]}})
    # [[1, 2], [3, 4]] with its rows reversed is [[3, 4], [1, 2]]; times [[1, 0], [0, 2]].
    view = {"slice": [[None, None, -1]]} if broken != "view" else {"flip": [0]}
    case(cases, "matmul_negative_stride", "numpy.matmul", {},
         [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])],
         np.array([[3.0, 8.0], [1.0, 4.0]]), views={0: view})
    message = "operands could not be broadcast together with shapes (3,) (4,) "
    if broken == "message":
        message = message.strip()
    case(cases, "add_bad_broadcast", "numpy.add", {}, [np.zeros(3), np.zeros(4)],
         error=("TypeError" if broken == "class" else "ValueError", message))
    case(cases, "add_float16", "numpy.add", {}, [np.ones(2, np.float16), np.ones(2, np.float16)],
         np.full(2, 2.0, np.float16))
    # A parameter Parity does not model: replayed as a skip that names it.
    case(cases, "sum_with_dtype", "numpy.sum", {"axis": [0], "dtype": "float64"},
         [np.array([1, 2], np.int32)], np.float64(3.0))
    if broken == "params":
        cases["sum_bool_axis0"].attrs["params"] = "{axis: 0"
    if broken == "attr":
        del cases["neg_0d_float32"].attrs["expect"]


def torch_file(f, broken):
    cases = f.create_group("cases")
    a = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
    b = np.array([2.0, -1.0], np.float32)
    g = np.array([[1.0, 1.0], [0.5, -1.0]], np.float32)
    # d/da (a * b) . g = g * b; d/db = sum over rows of g * a.
    case(cases, "mul_broadcast_grad", "torch.mul", {}, [a, b],
         np.array([[2.0, 2.0], [1.0, -3.0]], np.float32),
         grads={"grad_out": g, "grad_in0": g * b * (1.001 if broken == "grad" else 1.0),
                "grad_in1": np.array([1.0 + 0.25, -2.0 - 3.0], np.float32)})
    case(cases, "sum_dim1", "torch.sum", {"dim": [1]}, [np.arange(6, dtype=np.int64).reshape(2, 3)],
         np.array([3, 12], np.int64))
    bf = case(cases, "neg_bfloat16", "torch.neg", {}, [np.array([0x3F80], np.uint16)],
              np.array([0xBF80], np.uint16))  # 1.0 and -1.0 as bfloat16 bits
    bf["in0"].attrs["dtype"] = "bfloat16"
    bf["out"].attrs["dtype"] = "bfloat16"


def main():
    path, library = sys.argv[1], sys.argv[2]
    broken = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--break" else ""
    with h5py.File(path, "w") as f:
        f.attrs["parity_goldens"] = 1
        f.attrs["library"] = library
        f.attrs["library_version"] = "hand-written"
        f.attrs["generator"] = "tests/write_golden.py"
        (numpy_file if library == "numpy" else torch_file)(f, broken)


if __name__ == "__main__":
    main()
