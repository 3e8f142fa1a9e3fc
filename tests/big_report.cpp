// Scale helper (not a test): makes and reads reports of many cases, to measure the writer and
// the reader at scale (docs/performance.md, "Report files at scale").
// Usage: big_report check|bench N OUT.h5 [FACTOR]
//                                          writes a report of N cases (bench: 5 samples each,
//                                          every sample times FACTOR, default 1)
//        big_report read FILE.h5            reads FILE and prints its counts and the read time
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "reports/report.h"

namespace {

using parity::reports::BenchRecord;
using parity::reports::CheckRecord;
using parity::reports::Report;

const char* const kOps[] = {"add", "mul", "exp", "sum", "matmul", "where", "var", "log1p"};
const char* const kDtypes[] = {"float32", "float64", "int32", "bfloat16"};
const char* const kLayouts[] = {"contiguous", "transposed", "step-sliced", "broadcast"};

// Case i's identity: distinct for every i (the shape carries i).
void identity(std::size_t i, std::string& op, std::string& dtype, std::string& shapes) {
  op = kOps[i % 8];
  dtype = kDtypes[(i / 8) % 4];
  shapes = "(" + std::to_string(i / 32 + 1) + "," + std::to_string(i % 32 + 1) + ")x(" +
           std::to_string(i % 32 + 1) + ",)";
}

Report make_checks(std::size_t n) {
  Report r;
  r.meta.set("kind", "check");
  r.checks.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    CheckRecord& c = r.checks[i];
    identity(i, c.op, c.dtype, c.shapes);
    c.device = "cpu";
    c.layout = kLayouts[(i / 3) % 4];
    c.mode = i % 5 == 0 ? "grad" : "forward";
    c.params = i % 8 == 3 ? "{\"axis\":1,\"keepdims\":false}" : "";
    c.key = c.op + "|" + c.dtype + "|" + c.device + "|" + c.shapes + "|" + c.layout + "|" + c.mode;
    c.reference = c.mode == "grad" ? "finite-difference" : "array";
    // One case in 50 fails with a message, as a real run's few failures and skips.
    c.status = i % 50 == 7 ? "fail" : "pass";
    c.max_abs_err = 1e-7 * static_cast<double>(i % 13);
    c.max_rel_err = 1e-8 * static_cast<double>(i % 7);
    c.max_ulp = static_cast<double>(i % 3);
    c.budget = 4;
    if (c.status == "fail")
      c.message = "max ULP " + std::to_string(i % 97) + " > budget 4 at index " + std::to_string(i);
  }
  return r;
}

Report make_benches(std::size_t n, double factor) {
  Report r;
  r.meta.set("kind", "bench");
  r.benches.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    BenchRecord& b = r.benches[i];
    identity(i, b.op, b.dtype, b.shape);
    b.device = "cpu";
    b.engine = "tensor";
    b.numel = static_cast<std::int64_t>(i + 1);
    b.key = b.op + "|" + b.dtype + "|" + b.device + "|" + b.shape;
    b.timer = "wall";
    b.bytes = 12.0 * static_cast<double>(i + 1);
    b.flops = static_cast<double>(i + 1);
    for (int s = 0; s < 5; ++s)
      b.samples.push_back(factor * 1e-6 * (1.0 + 0.01 * s + 1e-9 * static_cast<double>(i)));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if ((mode == "check" && argc == 4) || (mode == "bench" && (argc == 4 || argc == 5))) {
      const std::size_t n = std::strtoull(argv[2], nullptr, 10);
      const double factor = argc == 5 ? std::strtod(argv[4], nullptr) : 1.0;
      const Report r = mode == "check" ? make_checks(n) : make_benches(n, factor);
      const auto t0 = std::chrono::steady_clock::now();
      parity::reports::write_report(r, argv[3]);
      const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
      std::printf("wrote %zu %s cases to %s in %.3f s\n", n, mode.c_str(), argv[3], dt.count());
      return 0;
    }
    if (mode == "read" && argc == 3) {
      const auto t0 = std::chrono::steady_clock::now();
      const Report r = parity::reports::read_report(argv[2]);
      const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
      std::printf("read %zu checks, %zu benches from %s in %.3f s\n", r.checks.size(), r.benches.size(),
                  argv[2], dt.count());
      return 0;
    }
    std::fprintf(
        stderr,
        "usage: big_report check N OUT.h5 | big_report bench N OUT.h5 [FACTOR] | big_report read FILE.h5\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "big_report: %s\n", e.what());
    return 2;
  }
}
