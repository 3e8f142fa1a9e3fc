#pragma once
// float32 tanh on the cpu device, vectorised where the CPU has AVX-512F (tanh_avx512.cpp:
// SLEEF's double tanh on widened lanes, rounded once, as the functor computes it with libm).
// Measured in docs/performance.md (2026-12-02): 16M float32 142 ms with libm per element.
#include <cstdint>

namespace parity::kernels::cpu {

// Whether tanh_f32_avx512 may run here (the CPU has AVX-512F).
bool tanh_f32_vectorised();
void tanh_f32_avx512(const float* x, float* out, std::int64_t n);

}  // namespace parity::kernels::cpu
