"""The registry's names for the libraries' functions are theirs, and gen-goldens agrees with it.

From `parity spec --format json`: every numpy_name and torch_name resolves in NumPy and PyTorch;
where a row says a library lacks the op (an empty name), the library has no function of that
name (np.erf, torch.cbrt, torch.special.cbrt, torch.nn.functional.cbrt); every numpy_formula is
the text scripts/gen-goldens evaluates (its FORMULAS) and every torch_kwargs what it passes (its
TORCH_KWARGS); and every op gen-goldens records is a
row's name or formula, so the generator never calls a function a library lacks.

usage: library_names_test.py PARITY GEN_GOLDENS
"""
import importlib.machinery
import importlib.util
import json
import subprocess
import sys

import numpy
import torch

parity, gen_path = sys.argv[1], sys.argv[2]
spec = json.loads(subprocess.run([parity, "spec", "--format", "json"], check=True, capture_output=True,
                                 text=True).stdout)
loader = importlib.machinery.SourceFileLoader("gen_goldens", gen_path)
gen = importlib.util.module_from_spec(importlib.util.spec_from_loader("gen_goldens", loader))
loader.exec_module(gen)


def resolve(qualified):
    obj = {"numpy": numpy, "torch": torch}[qualified.split(".")[0]]
    for part in qualified.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


errors = []
for op in spec["ops"]:
    name = op["name"]
    for lib, field, places in (("numpy", "numpy_name", ["numpy"]),
                               ("torch", "torch_name", ["torch", "torch.special", "torch.nn.functional"])):
        qualified = op[field]
        if qualified:
            if not callable(resolve(qualified)):
                errors.append(f"{name}: the row names {qualified}, which {lib} does not have")
        else:
            present = [f"{p}.{name}" for p in places if resolve(f"{p}.{name}") is not None]
            if present:
                errors.append(f"{name}: the row says {lib} lacks it, but {', '.join(present)} exists")
    if op["torch_kwargs"] != gen.TORCH_KWARGS.get(name, {}):
        errors.append(f"{name}: registry torch_kwargs {op['torch_kwargs']!r}, gen-goldens' "
                      f"{gen.TORCH_KWARGS.get(name)!r}")
    if op["numpy_formula"] != gen.FORMULAS.get(name, ""):
        errors.append(f"{name}: registry formula {op['numpy_formula']!r}, gen-goldens' {gen.FORMULAS.get(name)!r}")
numpy_names = {op["numpy_name"] or op["numpy_formula"] for op in spec["ops"]} - {""}
torch_names = {op["torch_name"] for op in spec["ops"]} - {""}
for table, names, lib in ((gen.NP_OPS, numpy_names, "numpy"), (gen.TORCH_OPS, torch_names, "torch")):
    for short, (qualified, _, _) in table.items():
        if qualified not in names:
            errors.append(f"gen-goldens' {lib} file {short} records {qualified!r}, no row's name or formula")
for e in errors:
    print("FAIL:", e)
print(f"{len(spec['ops'])} ops, {len(gen.NP_OPS)} numpy and {len(gen.TORCH_OPS)} torch golden files: "
      f"{len(errors)} disagreements")
sys.exit(1 if errors else 0)
