#pragma once
// Threads for the cpu kernels (OpenMP). A call is split into contiguous chunks of at least
// kGrain elements, one per thread, so that small calls never pay for waking threads.
// Elementwise results do not depend on the split (each element is computed alone); the
// float sum splits its pairwise tree at the same points as one thread does (reduce.cpp), so
// its bits do not depend on the thread count either.
#include <algorithm>
#include <cstdint>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace parity::kernels::cpu {

// Elements a thread gets at least. PyTorch's grain is 32,768; here a call below 2 x 262,144
// elements stays on one thread, because waking a second thread on a busy machine costs
// milliseconds: at load 5 on 2 cores, add of 262,144 float32 took 40 us on one thread and
// 183 us (best) to 13 ms (median) on two with a 32,768 grain (docs/performance.md, 2026-12-02).
inline constexpr std::int64_t kGrain = 262144;

// Threads the kernels may use: PARITY_NUM_THREADS when set (a whole number from 1 to 4096;
// ValueError otherwise), else every core the process may run on. 1 without OpenMP.
int num_threads();
// Overrides num_threads() for this process (tests compare thread counts with it); 0 goes
// back to the default above.
void set_num_threads(int n);

// Threads for `work` units when each thread should get at least `grain` of them.
inline int threads_for(std::int64_t work, std::int64_t grain) {
  const std::int64_t most = work / std::max<std::int64_t>(grain, 1);
  return most <= 1 ? 1 : int(std::min<std::int64_t>(num_threads(), most));
}

// body(begin, end) over [0, n) in contiguous chunks (multiples of kAlign units but the
// last), on up to threads_for(n, grain) threads; on the calling thread alone when that is 1.
// kAlign = 64 keeps elementwise chunks on whole cache lines; a split of a few coarse units
// (runs of rows, per-thread parts) needs kAlign = 1, or every unit lands on the first thread.
// `body` must not throw.
template <std::int64_t kAlign = 64, class Body>
void parallel_for(std::int64_t n, std::int64_t grain, Body&& body) {
  if (n <= 0) return;
  const int want = threads_for(n, grain);
  if (want <= 1) {
    body(std::int64_t(0), n);
    return;
  }
#if defined(_OPENMP)
#pragma omp parallel num_threads(want)
  {
    const std::int64_t t = omp_get_num_threads(), i = omp_get_thread_num();
    const std::int64_t chunk = (n / t + kAlign - 1) / kAlign * kAlign;
    const std::int64_t b = std::min(n, i * chunk), e = i + 1 == t ? n : std::min(n, (i + 1) * chunk);
    if (b < e) body(b, e);
  }
#else
  body(std::int64_t(0), n);
#endif
}

}  // namespace parity::kernels::cpu
