#pragma once
// Benchmarks: every spec op on each engine/device and size, and the conversions between
// engines and devices. Host work is timed with the steady clock; GPU work with CUDA events.
//
// The timing loop is our own; Google Benchmark is used only for its compiler barriers
// (DoNotOptimize). Its runner times one benchmark's repetitions back to back and stops on
// an iteration count, where this design needs (1) rounds that visit every case once, in an
// order rotated from round to round, so that drift (thermal, a neighbour's load) lands on
// every case alike and the samples of one case are separated in time, and (2) a stopping
// rule on the noise of each case's median, which its runner cannot express.
//
// Per case: calibrate a batch (iterations so that one batch takes at least min_time),
// warm up, then one sample per round (a separately timed batch; the sample is its time per
// iteration) until the median's relative 95% confidence half-width is at most `target`
// (after min_samples), or max_samples, or the case's time cap (max_time).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/spec/ops.h"
#include "reports/report.h"
#include "suite/shard.h"

namespace parity::suite {

// How to take instruction counts (--instructions).
enum class InstructionSource : std::uint8_t {
  None,       // not taken
  Auto,       // callgrind when running under valgrind, else perf_event (a note when refused)
  PerfEvent,  // hardware counters through perf_event_open (user-space instructions, all threads)
  Callgrind   // valgrind's callgrind, toggled around each case (run under valgrind)
};

// What a reduction is timed over (--reduce-over): every axis of a 1-d operand of n elements
// (All, the default); an axis of an about sqrt(n) x sqrt(n) matrix, its inner one (Inner,
// axes=(1,)) or its outer one (Outer, axes=(0,)); two axes of an about cbrt(n)-sided cube
// (Several, axes=(0, 2); not for the ops PyTorch reduces over one dim only).
enum class ReduceOver : std::uint8_t { All, Inner, Outer, Several };
std::vector<ReduceOver> parse_reduce_over(const std::vector<std::string>& names);  // ValueError

struct BenchOptions {
  // "array" (the reference engine), "cpu", "cuda" (skipped, with a note, when absent).
  std::vector<std::string> devices{"array", "cpu", "cuda"};
  std::vector<spec::OpId> ops;  // empty = all
  std::vector<spec::DType> dtypes{spec::DType::Float32};
  std::vector<std::int64_t> sizes;  // elements; empty = defaults
  std::vector<ReduceOver> reduce_over{ReduceOver::All};  // reductions only
  bool quick = false;
  bool conversions = true;
  // Cold timings: caches flushed before every timed iteration (host: the last-level cache;
  // cuda: the L2), keys and timers marked "cold". Hot (the default) keeps data in cache.
  bool cold = false;
  // Sampling. 0 (or a negative target) means the default, which depends on `quick`; see
  // resolve() and `parity bench --help`.
  int repetitions = 0;  // exactly this many samples (sets min and max samples; no stopping rule)
  int min_samples = 0;  // default 10 (quick 5)
  int max_samples = 0;  // default 50 (quick 15)
  double min_time = 0;  // seconds per sample (one batch); default 0.01 (quick 0.005)
  double warmup = -1;   // seconds of untimed batches before sampling; default 0.05 (quick 0.01)
  double target = -1;   // the median's relative 95% CI half-width to stop at; default 0.01 (quick 0.03)
  double max_time = 0;  // seconds of sampling per case at most; default 2 (quick 0.25)
  // Load-independent counters per iteration (allocations, bytes allocated, cuda launches and
  // syncs; instructions when `instructions` is not None).
  bool counters = false;
  InstructionSource instructions = InstructionSource::None;
  std::string callgrind_out;  // callgrind's --callgrind-out-file, "" = its default
  Shard shard;
};

// The options with every default filled in (what the run used; printed by --help).
struct Sampling {
  int min_samples, max_samples;
  double min_time, warmup, target, max_time;
};
Sampling resolve(const BenchOptions& o);

// Sizes used when none are given.
std::vector<std::int64_t> default_sizes(bool quick);
// The largest matmul side: 1024 on the tensor engine (BLAS on the cpu device), 512 on the
// array engine, whose reference dot products are compensated and serial by design (3.3 s at
// 1024 x 1024 float32, against 36 ms through OpenBLAS).
inline constexpr std::int64_t kMaxMatmulSide = 1024;
inline constexpr std::int64_t kMaxArrayMatmulSide = 512;

// The median's relative 95% confidence half-width from the order statistics (distribution
// free): (x[k] - x[j]) / 2 / median with j, k = n/2 -/+ 1.96 sqrt(n)/2. Infinity for fewer
// than 3 samples or a zero median.
double median_ci_halfwidth(std::vector<double> samples);

struct BenchResult {
  std::vector<reports::BenchRecord> records;
  std::vector<std::string> notes;  // e.g. "cuda: skipped (no CUDA device (no driver))"
  int stopped_on_target = 0, stopped_on_max_samples = 0, stopped_on_time = 0;
};
// Throws ValueError when the options select no case at all.
BenchResult run_bench(const BenchOptions& opts);

}  // namespace parity::suite
