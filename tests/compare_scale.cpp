// Benchmark helper (not a test: no timing is asserted): builds two reports of N cases in
// memory (checks, or benches with 5 samples each), then times compare() and the rendering of
// every format, and prints the peak resident set size. docs/performance.md has the numbers.
// Usage: compare_scale [N] [check|bench]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "reports/compare.h"
#include "reports/render.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// Processor time of this process: on a shared machine the wall clock also counts other jobs.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

parity::reports::Report make(long n, bool bench, double factor, unsigned seed) {
  parity::reports::Report r;
  r.meta.set("kind", bench ? "bench" : "check");
  std::srand(seed);
  for (long i = 0; i < n; ++i) {
    const std::string op = "op" + std::to_string(i % 97);
    const std::string shape = "(" + std::to_string(i) + ",)";
    if (bench) {
      parity::reports::BenchRecord b;
      b.op = op;
      b.dtype = "float32";
      b.device = "cpu";
      b.shape = shape;
      b.key = op + "|float32|cpu|" + shape;
      b.timer = "wall";
      for (int k = 0; k < 5; ++k) b.samples.push_back(1e-6 * factor * (1 + 0.05 * std::rand() / RAND_MAX));
      r.benches.push_back(std::move(b));
    } else {
      parity::reports::CheckRecord c;
      c.op = op;
      c.dtype = "float32";
      c.device = "cpu";
      c.shapes = shape;
      c.layout = "contiguous";
      c.mode = "forward";
      c.key = op + "|float32|cpu|" + shape + "|contiguous|forward";
      c.status = (i % 1000 == 0 && factor > 1) ? "fail" : "pass";
      c.max_ulp = 0.5;
      c.budget = 4;
      r.checks.push_back(std::move(c));
    }
  }
  return r;
}

const char* const kFormats[] = {"text", "markdown", "json", "junit"};

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  const bool bench = argc > 2 && std::string(argv[2]) == "bench";
  auto t = Clock::now();
  const auto a = make(n, bench, 1, 1), b = make(n, bench, 1.02, 2);
  std::printf("%ld %s cases x 2 built in %.2f s (peak RSS %ld MB)\n", n, bench ? "bench" : "check", since(t),
              peak_rss_mb());
  t = Clock::now();
  double cpu = cpu_now();
  const auto c = parity::reports::compare(a, b);
  std::printf("compare: %.2f s wall, %.2f s cpu (exit %d, %d failing)\n", since(t), cpu_now() - cpu,
              c.exit_code(), c.failing);
  for (auto f : {parity::reports::Format::Text, parity::reports::Format::Markdown,
                 parity::reports::Format::Json, parity::reports::Format::Junit}) {
    t = Clock::now();
    cpu = cpu_now();
    std::ofstream out("/dev/null");
    parity::reports::render_comparison(out, c, f);
    std::printf("render %s: %.2f s wall, %.2f s cpu\n", kFormats[static_cast<int>(f)], since(t),
                cpu_now() - cpu);
  }
  t = Clock::now();
  cpu = cpu_now();
  std::ofstream out("/dev/null");
  parity::reports::render_summary(out, b, parity::reports::Format::Text);
  std::printf("show text: %.2f s wall, %.2f s cpu\npeak RSS %ld MB\n", since(t), cpu_now() - cpu,
              peak_rss_mb());
  return 0;
}
