// float32 tanh on the cpu device with AVX2 and FMA: SLEEF's double tanh of 3.5-ulp accuracy
// (Sleef_tanhd4_u35avx2) on four floats widened to double, rounded once to float. A double
// result within 3.5 double ulps rounds to the correctly rounded float except where the exact
// value lies within about 2^-26 float ulps of a halfway point; `parity accuracy --ops tanh`
// measures it over its whole float32 input set (docs/performance.md). The u35 variant is 2.2x
// faster than u10 here and, rounded to float, no less accurate. This file alone is compiled
// with -mavx2 -mfma; elementwise.cpp calls it only when the CPU has both.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

#include "kernels/cpu/tanh.h"
#include "kernels/cpu/tanh_lanes.h"

namespace parity::kernels::cpu {

void tanh_f32_avx2(const float* x, float* out, std::int64_t n) {
  widened_tanh_loop<4>([](const float* p, float* o) { _mm_storeu_ps(o, _mm256_cvtpd_ps(Sleef_tanhd4_u35avx2(_mm256_cvtps_pd(_mm_loadu_ps(p))))); }, x, out, n);
}

}  // namespace parity::kernels::cpu
