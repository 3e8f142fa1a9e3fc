#pragma once
// The loop both SLEEF tanh files share: `lanes` floats at a time through `vec` (which reads
// `lanes` floats and writes `lanes` results), the tail through the same call on a padded copy,
// so an element's result never depends on its place. Included only by tanh_avx512.cpp and
// tanh_avx2.cpp, each compiled with its own ISA flags.
#include <cstdint>

namespace parity::kernels::cpu {

template <int Lanes, class Vec>
inline void widened_tanh_loop(Vec vec, const float* x, float* out, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + Lanes <= n; i += Lanes) vec(x + i, out + i);
  if (i == n) return;
  float in[Lanes] = {}, res[Lanes];
  for (std::int64_t k = 0; k < n - i; ++k) in[k] = x[i + k];
  vec(in, res);
  for (std::int64_t k = 0; k < n - i; ++k) out[i + k] = res[k];
}

}  // namespace parity::kernels::cpu
