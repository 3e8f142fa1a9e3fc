#pragma once
// float32 tanh on the cpu device, vectorised with SLEEF's double tanh on widened lanes,
// rounded once to float: the functor's own recipe (libm's double tanh, rounded once), several
// lanes at a time. tanh_avx512.cpp (AVX-512F, Sleef_tanhd8_u35avx512f) and tanh_avx2.cpp
// (AVX2 and FMA, Sleef_tanhd4_u35avx2) are each compiled alone with their ISA flags and chosen
// at run time; without either, libm per element. Measured in docs/performance.md.
#include <cstdint>

namespace parity::kernels::cpu {

using TanhF32 = void (*)(const float* x, float* out, std::int64_t n);
// The vector loop this CPU can run, or null (libm per element).
TanhF32 tanh_f32_vector();
void tanh_f32_avx512(const float* x, float* out, std::int64_t n);
void tanh_f32_avx2(const float* x, float* out, std::int64_t n);

}  // namespace parity::kernels::cpu
