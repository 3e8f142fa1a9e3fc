#include "kernels/cpu/exp.h"

namespace parity::kernels::cpu {

// One clone per x86-64 ISA (the binary stays portable; the loader picks the widest the CPU
// has). Elsewhere the compiler's baseline vectorisation applies.
#if defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void exp_f32_contiguous(const float* x, float* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = exp_f32(x[i]);
}

}  // namespace parity::kernels::cpu
