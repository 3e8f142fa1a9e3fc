#!/usr/bin/env python3
"""The spec's ops in PyTorch on the GPU, timed as `parity bench` times its cuda device:
CUDA events around each iteration, median of the per-repetition means. Prints one line per
case with the same keys as Parity's report, for side-by-side ratios in the same run.

--ops picks cases by op name; the case `copy_d2d` is a device-to-device cudaMemcpy of the
input (through the CUDA runtime that PyTorch loaded, via ctypes; PyTorch's own contiguous
same-dtype copy_, which issues that same cudaMemcpyAsync, when the runtime cannot be found),
the bandwidth yardstick of issue 7."""
import argparse
import ctypes
import glob
import math
import os
import statistics

import torch


def timed(fn, reps, min_time=0.01):
    fn()  # warm up the allocator and cuBLAS
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(reps):
        iters, total = 0, 0.0
        while total < min_time * 1e3:
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            total += start.elapsed_time(stop)
            iters += 1
        samples.append(total / iters / 1e3)
    return statistics.median(samples)


def cudart():
    """The libcudart that this process already uses (PyTorch's), or None."""
    roots = [os.path.dirname(torch.__file__)]
    try:
        import nvidia  # the pip wheels' CUDA libraries
        roots += list(nvidia.__path__)
    except ImportError:
        pass
    names = []
    for r in roots:
        names += sorted(glob.glob(os.path.join(r, "**", "libcudart*.so*"), recursive=True))
    names += ["libcudart.so", "libcudart.so.13", "libcudart.so.12"]
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            lib.cudaMemcpyAsync.restype = ctypes.c_int
            lib.cudaMemcpyAsync.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                            ctypes.c_void_p]
            return lib
        except OSError:
            continue
    return None


def d2d_copy(dst, src):
    """A function issuing cudaMemcpyAsync(dst, src, nbytes, DeviceToDevice) on PyTorch's stream,
    and how it does so."""
    lib = cudart()
    nbytes = src.numel() * src.element_size()
    if lib is None:
        return (lambda: dst.copy_(src)), "torch copy_ (cudaMemcpyAsync inside PyTorch)"
    kDeviceToDevice = 3

    def run():
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        err = lib.cudaMemcpyAsync(ctypes.c_void_p(dst.data_ptr()), ctypes.c_void_p(src.data_ptr()), nbytes,
                                  kDeviceToDevice, stream)
        if err != 0:
            raise RuntimeError(f"cudaMemcpyAsync failed: error {err}")

    return run, f"cudaMemcpyAsync via {lib._name}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="4096,1048576")
    p.add_argument("--repetitions", type=int, default=10)
    p.add_argument("--ops", default="", help="comma separated op names (default: all cases)")
    a = p.parse_args()
    want = set(s for s in a.ops.split(",") if s)
    dev = torch.device("cuda")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    print(f"{'key':<40} {'median':>12}")
    for n in [int(s) for s in a.sizes.split(",")]:
        x = torch.rand(n, device=dev)
        y = torch.rand(n, device=dev)
        m = max(1, min(512, round(math.sqrt(n))))
        A = torch.rand(m, m, device=dev) if not want or "matmul" in want else None
        B = torch.rand(m, m, device=dev) if not want or "matmul" in want else None
        cases = {
            "add": (f"add|float32|cuda:0|({n},)x({n},)", lambda: x + y),
            "mul": (f"mul|float32|cuda:0|({n},)x({n},)", lambda: x * y),
            "neg": (f"neg|float32|cuda:0|({n},)", lambda: -x),
            "exp": (f"exp|float32|cuda:0|({n},)", lambda: torch.exp(x)),
            "sum": (f"sum|float32|cuda:0|({n},)", lambda: x.sum()),
            "matmul": (f"matmul|float32|cuda:0|({m},{m})x({m},{m})", lambda: A @ B),
        }
        if "copy_d2d" in want:
            dst = torch.empty_like(x)
            fn, how = d2d_copy(dst, x)
            print(f"# copy_d2d: {how}")
            cases["copy_d2d"] = (f"copy_d2d|float32|cuda:0|({n},)", fn)
        for op, (key, fn) in cases.items():
            if want and op not in want:
                continue
            print(f"{key:<40} {timed(fn, a.repetitions) * 1e6:>10.2f}us")


if __name__ == "__main__":
    main()
