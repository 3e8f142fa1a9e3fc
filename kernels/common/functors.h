#pragma once
// The tensor engine's elementwise math, written once for both devices (g++ for kernels/cpu,
// nvcc for kernels/cuda). Integer arithmetic wraps modulo 2^N as in NumPy and PyTorch
// (done in unsigned arithmetic: signed overflow is undefined in C++). bool add is logical
// or, bool mul logical and.
#include <cmath>
#include <type_traits>

#include "engine/core/hd.h"

namespace parity::kernels {

template <class T> using wrap_t = std::make_unsigned_t<T>;

struct AddFn {
  template <class T> PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a || b;
    else if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(a) + wrap_t<T>(b));
    else return a + b;
  }
};

struct MulFn {
  template <class T> PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a && b;
    else if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(a) * wrap_t<T>(b));
    else return a * b;
  }
};

struct NegFn {
  template <class T> PARITY_HD T operator()(T a) const {
    if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(0) - wrap_t<T>(a));
    else return -a;
  }
};

// Only instantiated for float and double (the engine casts integer inputs to float first).
struct ExpFn {
  PARITY_HD float operator()(float a) const { return ::expf(a); }
  PARITY_HD double operator()(double a) const { return ::exp(a); }
};

// Conversion between dtypes as a C cast, except that bool is x != 0.
template <class To, class From> PARITY_HD To cast_value(From v) {
  if constexpr (std::is_same_v<To, bool>) return v != From(0);
  else return To(v);
}

}  // namespace parity::kernels
