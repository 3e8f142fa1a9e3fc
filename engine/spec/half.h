#pragma once
// The two 16-bit float types, as storage (the bits) plus correctly rounded conversions,
// compiled by g++ and nvcc alike. They have no arithmetic on purpose: NumPy's float16 loops
// and PyTorch's Half and BFloat16 kernels both compute in float32 ("opmath") and round the
// result once per op, so code that computes on them converts explicitly (opmath_t below).
//
// float16 is IEEE binary16 (1 sign, 5 exponent, 10 fraction bits); bfloat16 is the top half
// of a binary32 (1, 8, 7). Rounding is to nearest, ties to even. A NaN stays a NaN with its
// sign (quiet; its payload is not kept: neither library promises it).
#include <bit>
#include <cstdint>
#include <type_traits>

#include "engine/spec/hd.h"

namespace parity::spec {

namespace half_detail {

PARITY_HD constexpr float half_bits_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu;
  const std::uint32_t frac = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (frac << 13));  // inf, NaN
  if (exp == 0) {
    // Zero or subnormal: frac * 2^-24, exact in float.
    const float mag = float(frac) * 5.9604644775390625e-8f;
    return sign ? -mag : mag;
  }
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (frac << 13));
}

// Branch-free, so that a loop of it vectorises (every path is computed, then selected);
// dtype_test's Float16.RoundsLikeLibgcc holds it to GCC's _Float16 conversion.
PARITY_HD constexpr std::uint16_t float_to_half_bits(float f) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const std::uint32_t a = u & 0x7fffffffu;
  // Normal: rebias the exponent (127 -> 15), round the 13 dropped bits to even; a carry
  // out of the fraction correctly bumps the exponent.
  const std::uint32_t normal = (a - (112u << 23) + 0xfffu + ((a >> 13) & 1u)) >> 13;
  // Below 2^-14: a subnormal (or zero) half, a multiple of 2^-24. Adding 0.5 puts the
  // value where float's spacing is 2^-24, so the float addition does the rounding.
  const std::uint32_t subnormal = std::bit_cast<std::uint32_t>(std::bit_cast<float>(a) + 0.5f) - 0x3f000000u;
  std::uint32_t r = a < 0x38800000u ? subnormal : normal;
  r = a >= 0x477ff000u ? 0x7c00u : r;  // >= 65520 rounds to inf
  r = a > 0x7f800000u ? 0x7e00u : r;   // NaN
  return std::uint16_t(sign | r);
}

// double -> binary16 in one rounding (NumPy's npy_double_to_half): going through float
// first would round twice.
PARITY_HD constexpr std::uint16_t double_to_half_bits(double d) {
  const std::uint64_t u = std::bit_cast<std::uint64_t>(d);
  const std::uint16_t sign = std::uint16_t((u >> 48) & 0x8000u);
  const std::uint64_t a = u & 0x7fffffffffffffffull;
  if (a > 0x7ff0000000000000ull) return std::uint16_t(sign | 0x7e00u);  // NaN
  if (a >= 0x40effe0000000000ull) return std::uint16_t(sign | 0x7c00u);  // >= 65520
  if (a < 0x3f10000000000000ull) {
    // Below 2^-14: 2^28 has double spacing 2^-24.
    const double t = std::bit_cast<double>(a) + 268435456.0;
    return std::uint16_t(sign | (std::bit_cast<std::uint64_t>(t) - 0x41b0000000000000ull));
  }
  const std::uint64_t odd = (a >> 42) & 1u;
  const std::uint64_t r = a - (1008ull << 52) + ((1ull << 41) - 1) + odd;
  return std::uint16_t(sign | std::uint16_t(r >> 42));
}

PARITY_HD constexpr float bfloat16_bits_to_float(std::uint16_t b) {
  return std::bit_cast<float>(std::uint32_t(b) << 16);
}

PARITY_HD constexpr std::uint16_t float_to_bfloat16_bits(float f) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((u >> 16) | 0x0040u);  // quiet NaN
  return std::uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

}  // namespace half_detail

struct float16 {
  std::uint16_t bits = 0;

  float16() = default;
  PARITY_HD constexpr explicit float16(float f) : bits(half_detail::float_to_half_bits(f)) {}
  float16(double) = delete;  // say which: from_double (one rounding) or float16(float(d))
  // One rounding from double (as NumPy converts float64 to float16).
  PARITY_HD static constexpr float16 from_double(double d) { return from_bits(half_detail::double_to_half_bits(d)); }
  PARITY_HD static constexpr float16 from_bits(std::uint16_t b) {
    float16 h;
    h.bits = b;
    return h;
  }
  PARITY_HD constexpr explicit operator float() const { return half_detail::half_bits_to_float(bits); }
};

struct bfloat16 {
  std::uint16_t bits = 0;

  bfloat16() = default;
  PARITY_HD constexpr explicit bfloat16(float f) : bits(half_detail::float_to_bfloat16_bits(f)) {}
  bfloat16(double) = delete;  // say which: from_double or bfloat16(float(d))
  // Through float, as c10::BFloat16 converts a double (two roundings).
  PARITY_HD static constexpr bfloat16 from_double(double d) { return bfloat16(float(d)); }
  PARITY_HD static constexpr bfloat16 from_bits(std::uint16_t b) {
    bfloat16 h;
    h.bits = b;
    return h;
  }
  PARITY_HD constexpr explicit operator float() const { return half_detail::bfloat16_bits_to_float(bits); }
};

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
// A float type of Parity's: float, double, float16, bfloat16.
template <class T>
inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;

// The type an op computes in for elements of T: float for the 16-bit floats (both libraries'
// "opmath"), T itself otherwise.
template <class T>
using opmath_t = std::conditional_t<is_half_v<T>, float, T>;

// An element to its opmath type (exact), and an opmath value back to the element type (one
// rounding for the 16-bit floats; the identity otherwise).
template <class T>
PARITY_HD constexpr opmath_t<T> widen(T v) {
  if constexpr (is_half_v<T>)
    return float(v);
  else
    return v;
}
template <class T>
PARITY_HD constexpr T narrow(opmath_t<T> v) {
  if constexpr (is_half_v<T>)
    return T(v);
  else
    return v;
}
// A double as T: for float16 one rounding, for bfloat16 through float (as PyTorch), else a C cast.
template <class T>
PARITY_HD constexpr T from_double(double v) {
  if constexpr (is_half_v<T>)
    return T::from_double(v);
  else
    return T(v);
}
// Any element as a double (exact for every dtype but int64/uint64 beyond 2^53).
template <class T>
PARITY_HD constexpr double to_double(T v) {
  return double(widen(v));
}

}  // namespace parity::spec
