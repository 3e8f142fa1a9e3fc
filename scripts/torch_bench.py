#!/usr/bin/env python3
"""The spec's ops in PyTorch on the GPU, timed as `parity bench` times its cuda device:
CUDA events around each iteration, median of the per-repetition means. Prints one line per
case with the same keys as Parity's report, for side-by-side ratios in the same run."""
import argparse
import math
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="4096,1048576")
    p.add_argument("--repetitions", type=int, default=10)
    a = p.parse_args()
    dev = torch.device("cuda")
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    print(f"{'key':<40} {'median':>12}")
    for n in [int(s) for s in a.sizes.split(",")]:
        x = torch.rand(n, device=dev)
        y = torch.rand(n, device=dev)
        m = max(1, min(512, round(math.sqrt(n))))
        A = torch.rand(m, m, device=dev)
        B = torch.rand(m, m, device=dev)
        cases = {
            f"add|float32|cuda:0|({n},)x({n},)": lambda: x + y,
            f"mul|float32|cuda:0|({n},)x({n},)": lambda: x * y,
            f"neg|float32|cuda:0|({n},)": lambda: -x,
            f"exp|float32|cuda:0|({n},)": lambda: torch.exp(x),
            f"sum|float32|cuda:0|({n},)": lambda: x.sum(),
            f"matmul|float32|cuda:0|({m},{m})x({m},{m})": lambda: A @ B,
        }
        for key, fn in cases.items():
            print(f"{key:<40} {timed(fn, a.repetitions) * 1e6:>10.2f}us")


if __name__ == "__main__":
    main()
