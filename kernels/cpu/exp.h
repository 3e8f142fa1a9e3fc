#pragma once
// exp for float32 on the cpu device. libm's expf is a call per element, which keeps the
// loop scalar. This one is evaluated in double and rounded once: x = k*ln2 + r with
// |r| <= ln2/2, e^r by a degree-9 Taylor polynomial (truncation below 1e-11 relative), 2^k
// built in the exponent bits. The double result is within ~1e-11 relative of e^x, far below
// float's 6e-8, so after the one rounding to float it is the correctly rounded value except
// in rare near-halfway cases (then 1 ulp off). No branches or calls, so loops vectorise.
// SLEEF's expf (u10, as PyTorch uses) was measured against it and is up to 2x faster
// with AVX-512 but off by one ulp on 0.8% of inputs and on 19 of the 192 integers in range
// (exp(4.0f) among them), which `parity check` flags as bias; docs/performance.md, 2026-12-02.
#include <bit>
#include <cstdint>

namespace parity::kernels::cpu {

inline float exp_f32(float xf) {
  double x = xf;
  // Outside [-104, 89] the float result is 0 or inf; clamping keeps 2^k a normal double.
  x = x < -104.0 ? -104.0 : x;
  x = x > 89.0 ? 89.0 : x;
  constexpr double kLog2e = 1.4426950408889634, kLn2 = 0.6931471805599453;
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const double t = x * kLog2e + kShift;
  const double k = t - kShift;
  const double r = x - k * kLn2;
  double p = 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // t's low bits hold k: (bits(t) - bits(kShift)) == k, so 2^k has bits (k + 1023) << 52.
  const std::int64_t ki = std::bit_cast<std::int64_t>(t) - std::bit_cast<std::int64_t>(kShift);
  const double scale = std::bit_cast<double>(std::uint64_t(ki + 1023) << 52);
  const float out = float(p * scale);
  return xf != xf ? xf : out;  // NaN stays NaN
}

// out[i] = exp_f32(x[i]) for contiguous arrays; built for
// several ISAs, picked at load time (exp.cpp). The FMA clones may differ from exp_f32 by
// one ulp on rare inputs; the kernels send every layout through this loop.
void exp_f32_contiguous(const float* x, float* out, std::int64_t n);

}  // namespace parity::kernels::cpu
