// float32 tanh on the cpu device with AVX-512F: SLEEF's double tanh (Sleef_tanhd8_u35avx512f,
// within 3.5 ulp of double, which is 2^-27 of a float ulp; on an AMD EPYC with AVX-512 twice as
// fast as the 1-ulp u10, docs/performance.md 2026-12-07) on eight floats widened to double,
// rounded once to float. That is
// the functor's own recipe (libm's double tanh, rounded to float: correctly rounded in all but
// near-halfway cases) eight lanes at a time, where libm is a call per element. This file alone
// is compiled with -mavx512f; elementwise.cpp calls it only when the CPU has AVX-512F.
#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

#include "kernels/cpu/tanh.h"
#include "kernels/cpu/tanh_lanes.h"

namespace parity::kernels::cpu {

void tanh_f32_avx512(const float* x, float* out, std::int64_t n) {
  widened_tanh_loop<8>([](const float* p, float* o) { _mm256_storeu_ps(o, _mm512_cvtpd_ps(Sleef_tanhd8_u35avx512f(_mm512_cvtps_pd(_mm256_loadu_ps(p))))); }, x, out, n);
}

}  // namespace parity::kernels::cpu
