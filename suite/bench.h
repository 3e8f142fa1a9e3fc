#pragma once
// Benchmarks with Google Benchmark used as a library: every spec op on each engine/device
// and size, and the conversions between engines and devices. Host work is timed with the
// steady clock; GPU work with CUDA events around each iteration. Each repetition's time per
// iteration is kept as a raw sample in the report.
#include <functional>
#include <string>
#include <vector>

#include "engine/spec/ops.h"
#include "reports/report.h"

namespace parity::suite {

struct BenchOptions {
  // "array" (the reference engine), "cpu", "cuda" (skipped, with a note, when absent).
  std::vector<std::string> devices{"array", "cpu", "cuda"};
  std::vector<spec::OpId> ops;                        // empty = all
  std::vector<spec::DType> dtypes{spec::DType::Float32};
  std::vector<std::int64_t> sizes;                    // elements; empty = defaults
  bool quick = false;
  bool conversions = true;
  // Cold timings: caches flushed before every timed iteration (host: the last-level cache;
  // cuda: the L2), keys and timers marked "cold". Hot (the default) keeps data in cache.
  bool cold = false;
  int repetitions = 0;                                // 0 = default (5 quick, 10 otherwise)
  double min_time = 0;                                // seconds per repetition; 0 = default
};

// Sizes used when none are given.
std::vector<std::int64_t> default_sizes(bool quick);
// The largest matmul side: the reference engine's plain triple loop is slow by design.
inline constexpr std::int64_t kMaxMatmulSide = 512;

struct BenchResult {
  std::vector<reports::BenchRecord> records;
  std::vector<std::string> notes;  // e.g. "cuda: skipped (no CUDA device: ...)"
};
BenchResult run_bench(const BenchOptions& opts);

}  // namespace parity::suite
