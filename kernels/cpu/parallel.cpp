#include "kernels/cpu/parallel.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "engine/spec/error.h"

namespace parity::kernels::cpu {
namespace {

int threads_from_environment() {
  const char* env = std::getenv("PARITY_NUM_THREADS");
#if defined(_OPENMP)
  const int fallback = omp_get_num_procs();  // every core, whatever OMP_NUM_THREADS says
#else
  const int fallback = 1;
#endif
  if (env == nullptr || *env == '\0') return fallback;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < 1 || v > 4096)
    throw ValueError("PARITY_NUM_THREADS must be a whole number from 1 to 4096, got '" + std::string(env) + "'");
  return int(v);
}

std::atomic<int> g_override{0};

}  // namespace

int num_threads() {
  if (const int o = g_override.load(std::memory_order_relaxed); o > 0) return o;
  // Read once; a bad value throws here on every call (a function-local static whose
  // initialiser throws is tried again), so each kernel call reports it.
  static const int n = threads_from_environment();
  return n;
}

void set_num_threads(int n) {
  if (n < 0 || n > 4096) throw ValueError("set_num_threads: " + std::to_string(n) + " is not from 0 to 4096");
  g_override.store(n, std::memory_order_relaxed);
}

}  // namespace parity::kernels::cpu
