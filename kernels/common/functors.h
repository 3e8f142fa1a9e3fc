#pragma once
// The tensor engine's elementwise math, written once for both devices (g++ for kernels/cpu,
// nvcc for kernels/cuda), and the table that maps each elementwise op of the registry to
// its functor (with_functor). Integer arithmetic wraps modulo 2^N as in NumPy and PyTorch
// (done in unsigned arithmetic: signed overflow is undefined in C++). bool add is logical
// or, bool mul logical and. A functor's operator() is declared only for the dtypes it
// computes; the kernels refuse the others (the registry refuses them first).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "engine/spec/hd.h"
#include "engine/spec/error.h"
#include "engine/spec/ops.h"

namespace parity::kernels {

// Unsigned, and at least as wide as unsigned int: uint8/int16 operands would otherwise be
// promoted to (signed) int, where 65535 * 65535 overflows.
template <class T>
using wrap_t = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

struct AddFn {
  static constexpr int arity = 2;
  template <class T>
  PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>)
      return a || b;
    else if constexpr (std::is_integral_v<T>)
      return T(wrap_t<T>(a) + wrap_t<T>(b));
    else
      return a + b;
  }
};

// Not for bool (both libraries refuse bool - bool; the engine casts a bool beside a number).
struct SubFn {
  static constexpr int arity = 2;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return T(wrap_t<T>(a) - wrap_t<T>(b));
    else
      return a - b;
  }
};

struct MulFn {
  static constexpr int arity = 2;
  template <class T>
  PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else if constexpr (std::is_integral_v<T>)
      return T(wrap_t<T>(a) * wrap_t<T>(b));
    else
      return a * b;
  }
};

struct NegFn {
  static constexpr int arity = 1;
  template <class T>
  requires(!std::is_same_v<T, bool>)  // PyTorch refuses bool negation
      PARITY_HD T
      operator()(T a) const {
    if constexpr (std::is_integral_v<T>)
      return T(wrap_t<T>(0) - wrap_t<T>(a));
    else
      return -a;
  }
};

// Float dtypes only: the engine casts bool and integer inputs to the float result first.
struct ExpFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const {
    if constexpr (std::is_same_v<T, float>)
      return ::expf(a);
    else
      return ::exp(a);
  }
};

// IEEE sqrt is correctly rounded in every precision.
struct SqrtFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const {
    if constexpr (std::is_same_v<T, float>)
      return ::sqrtf(a);
    else
      return ::sqrt(a);
  }
};

// The float functions, float dtypes only (the engine casts bool and integer inputs to the
// float result first): the C library's (or on cuda the device's) double function, for float
// (and float16/bfloat16, in float) rounded once to float. The float versions (sinf, expm1f,
// ...) are not correctly rounded, and their errors at the few values of integer inputs
// cast to float add up to a bias the check rejects; through double the result is correctly
// rounded in all but rare cases. sqrtf is correctly rounded, so sqrt uses it.
#define PARITY_FLOAT_FN(Name, fn)                                                                         \
  struct Name {                                                                                           \
    static constexpr int arity = 1;                                                                       \
    template <class T>                                                                                    \
    requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return T(::fn(double(a))); } \
  };
// clang-format off
PARITY_FLOAT_FN(LogFn, log)
PARITY_FLOAT_FN(SinFn, sin)
PARITY_FLOAT_FN(CosFn, cos)
PARITY_FLOAT_FN(TanhFn, tanh)
PARITY_FLOAT_FN(Log1pFn, log1p)
PARITY_FLOAT_FN(Expm1Fn, expm1)
PARITY_FLOAT_FN(Log2Fn, log2)
PARITY_FLOAT_FN(Log10Fn, log10)
PARITY_FLOAT_FN(Exp2Fn, exp2)
PARITY_FLOAT_FN(TanFn, tan)
PARITY_FLOAT_FN(AsinFn, asin)
PARITY_FLOAT_FN(AcosFn, acos)
PARITY_FLOAT_FN(AtanFn, atan)
PARITY_FLOAT_FN(SinhFn, sinh)
PARITY_FLOAT_FN(CoshFn, cosh)
PARITY_FLOAT_FN(AsinhFn, asinh)
PARITY_FLOAT_FN(AcoshFn, acosh)
PARITY_FLOAT_FN(AtanhFn, atanh)
PARITY_FLOAT_FN(CbrtFn, cbrt)  // PyTorch has no cbrt; computed as its float functions are
PARITY_FLOAT_FN(ErfFn, erf)
// clang-format on
#undef PARITY_FLOAT_FN

// torch.square: x * x, wrapping in integers; bool never reaches it (bool -> int64 first).
struct SquareFn {
  static constexpr int arity = 1;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a) const {
    if constexpr (std::is_integral_v<T>)
      return T(wrap_t<T>(a) * wrap_t<T>(a));
    else
      return a * a;
  }
};

// torch.reciprocal: floats only (integers and bool become float32 first).
struct ReciprocalFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return T(1) / a; }
};

// torch.abs: not for bool (PyTorch has no bool abs kernel); the minimum of a signed integer
// wraps to itself; floats clear the sign bit.
struct AbsFn {
  static constexpr int arity = 1;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a) const {
    if constexpr (std::is_unsigned_v<T>)
      return a;
    else if constexpr (std::is_integral_v<T>)
      return a < 0 ? T(wrap_t<T>(0) - wrap_t<T>(a)) : a;
    else if constexpr (std::is_same_v<T, float>)
      return ::fabsf(a);
    else
      return ::fabs(a);
  }
};

// torch.div: true division, floats only (the engine casts integers and bool to float32
// first); IEEE's quotients by zero.
struct DivideFn {
  static constexpr int arity = 2;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a, T b) const { return a / b; }
};

// The C library's float functions for float (fmodf, ...) and double, on both devices.
template <class T>
PARITY_HD T c_fmod(T a, T b) {
  if constexpr (std::is_same_v<T, float>)
    return ::fmodf(a, b);
  else
    return ::fmod(a, b);
}
template <class T>
PARITY_HD T c_floor(T a) {
  if constexpr (std::is_same_v<T, float>)
    return ::floorf(a);
  else
    return ::floor(a);
}
template <class T>
PARITY_HD T c_copysign(T a, T b) {
  if constexpr (std::is_same_v<T, float>)
    return ::copysignf(a, b);
  else
    return ::copysign(a, b);
}

// Integer division helpers of floor_divide, remainder and fmod, defined for every operand
// pair: a zero divisor gives 0 (NumPy's value; PyTorch's cpu raises ZeroDivisionError first,
// from the registry), and the minimum divided by -1 wraps to the minimum with remainder 0
// (NumPy's values, and PyTorch's for int8 and int16; its int32 and int64 cpu kernels trap
// there, a SIGFPE, so never C's undefined x / -1).
// Whether integers a and b have different signs (never for unsigned types, where nvcc
// rejects the comparison with zero as pointless).
template <class T>
PARITY_HD bool signs_differ(T a, T b) {
  if constexpr (std::is_signed_v<T>)
    return (a < T(0)) != (b < T(0));
  else
    return false;
}
template <class T>
PARITY_HD T int_trunc_div(T a, T b) {
  if (b == T(0)) return T(0);
  if constexpr (std::is_signed_v<T>)
    if (b == T(-1)) return T(wrap_t<T>(0) - wrap_t<T>(a));
  return T(a / b);
}
template <class T>
PARITY_HD T int_trunc_mod(T a, T b) {
  if (b == T(0)) return T(0);
  if constexpr (std::is_signed_v<T>)
    if (b == T(-1)) return T(0);
  return T(a % b);
}

// x rounded to bfloat16 and back where S is bfloat16 (PyTorch's bfloat16 floor division
// rounds every step: c10::BFloat16 arithmetic), else x.
template <class S>
struct RoundTo {
  template <class T>
  PARITY_HD T operator()(T x) const {
    if constexpr (std::is_same_v<S, spec::bfloat16>)
      return spec::widen(spec::narrow<S>(x));
    else
      return x;
  }
};

// torch.floor_divide: the quotient rounded down. Integers: C's truncated quotient, one less
// where the remainder is nonzero and its sign differs from the divisor's. Floats, as Python's
// float floor division: a / b for a zero divisor (IEEE's inf or NaN); else from the exact
// remainder r = fmod(a, b), q = (a - r) / b, one less where r's sign differs from b's, then
// the integer nearest q (floor, and up when q sits more than half above it), a zero quotient
// keeping the sign of a / b. float16 computes in float (PyTorch's cpu scalar loop; its AVX2
// loop rounds each step to float16, as it does for bfloat16 in both: `round`). Not for bool
// (PyTorch refuses two bools).
struct FloorDivideFn {
  static constexpr int arity = 2;
  template <class S, class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T stored(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      const T q = int_trunc_div(a, b), r = int_trunc_mod(a, b);
      return r != T(0) && signs_differ(r, b) ? T(q - T(1)) : q;
    } else {
      const RoundTo<S> round;
      if (b == T(0)) return a / b;
      const T r = c_fmod(a, b);
      T q = round(round(a - r) / b);
      if (r != T(0) && ((b < T(0)) != (r < T(0)))) q = round(q - T(1));
      if (q == T(0)) return c_copysign(T(0), a / b);
      T f = c_floor(q);
      if (round(q - f) > T(0.5)) f = round(f + T(1));
      return f;
    }
  }
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const { return stored<T>(a, b); }
};

// torch.remainder: the remainder with the divisor's sign (a - b * floor(a / b)). Integers: C's
// remainder, plus b where it is nonzero and its sign differs from b's. Floats: fmod(a, b), plus
// b likewise; a zero result keeps fmod's sign (the dividend's: torch.remainder(torch.tensor(
// [-4.]), torch.tensor([2.])) is -0.), where NumPy gives the divisor's (a Values divergence).
struct RemainderFn {
  static constexpr int arity = 2;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      const T r = int_trunc_mod(a, b);
      return r != T(0) && signs_differ(r, b) ? T(r + b) : r;
    } else {
      const T r = c_fmod(a, b);
      return r != T(0) && ((b < T(0)) != (r < T(0))) ? r + b : r;
    }
  }
};

// torch.fmod: C's truncated remainder (the dividend's sign); floats the C library's fmod.
struct FmodFn {
  static constexpr int arity = 2;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>)
      return int_trunc_mod(a, b);
    else
      return c_fmod(a, b);
  }
};

// torch.pow. Integers: by squaring, wrapping (torch.pow(torch.tensor([3], dtype=torch.int8),
// torch.tensor([5], dtype=torch.int8)) is -13); a negative exponent gives 1 for base 1, +-1
// for base -1 and 0 for every other base, 0 included (torch.pow(torch.tensor([2, 1, -1, 0]),
// torch.tensor([-1, -1, -1, -1])) is [0, 1, -1, 0]). Floats: the C library's double pow,
// rounded once to T. Not for bool (PyTorch refuses two bools).
struct PowerFn {
  static constexpr int arity = 2;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b < T(0)) {
          if (a == T(1)) return T(1);
          if (a == T(-1)) return (b & T(1)) ? T(-1) : T(1);
          return T(0);
        }
      }
      wrap_t<T> r = 1, x = wrap_t<T>(a);
      for (wrap_t<T> e = wrap_t<T>(b); e != 0; e >>= 1) {
        if (e & 1u) r *= x;
        x *= x;
      }
      return T(r);
    } else {
      return T(::pow(double(a), double(b)));
    }
  }
};

// torch.maximum, torch.minimum (a NaN operand gives NaN) and torch.fmax, torch.fmin (a NaN
// operand is ignored); bool is logical or / and. At a tie of -0 and +0 PyTorch 1.13's cpu
// kernels give (in their scalar loops) the first operand for maximum and minimum, and for
// fmax and fmin the first in float32 and float64 but the second in float16 and bfloat16:
// torch.fmax(torch.tensor([0.], dtype=torch.float16), torch.tensor([-0.], dtype=torch.float16))
// is -0. So the choice depends on the stored dtype (`stored<S>`, which OnElements calls for the
// 16-bit floats). Their AVX2 loops give the second operand at every tie; that difference is
// the registry's (a Values divergence), not this functor's.
template <bool kMax, bool kIgnoreNaN>
struct ExtremumFn {
  static constexpr int arity = 2;
  template <class S, class T>
  PARITY_HD T stored(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return kMax ? (a || b) : (a && b);
    } else if constexpr (std::is_integral_v<T>) {
      return (kMax ? a > b : a < b) ? a : b;
    } else {
      if (a != a) return kIgnoreNaN ? b : a;
      if (b != b) return kIgnoreNaN ? a : b;
      if (a == b) return kIgnoreNaN && spec::is_half_v<S> ? b : a;
      return (kMax ? a > b : a < b) ? a : b;
    }
  }
  template <class T>
  PARITY_HD T operator()(T a, T b) const { return stored<T>(a, b); }
};
using MaximumFn = ExtremumFn<true, false>;
using MinimumFn = ExtremumFn<false, false>;
using FmaxFn = ExtremumFn<true, true>;
using FminFn = ExtremumFn<false, true>;

// The binary float functions (torch.atan2, torch.hypot, torch.logaddexp), float dtypes only
// (the engine casts bool and integers to the float result first): in double, rounded once,
// as PARITY_FLOAT_FN.
struct Atan2Fn {
  static constexpr int arity = 2;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a, T b) const { return T(::atan2(double(a), double(b))); }
};
struct HypotFn {
  static constexpr int arity = 2;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a, T b) const { return T(::hypot(double(a), double(b))); }
};
// log(e^a + e^b): equal operands (and so infinities of one sign) a + log 2, NaN stays NaN,
// else the larger plus log1p(e^-|a - b|), which is exact where the smaller vanishes.
struct LogaddexpFn {
  static constexpr int arity = 2;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a, T b) const {
    const double x = double(a), y = double(b);
    if (x == y) return T(x + 0.6931471805599453);  // M_LN2
    const double diff = x - y;
    if (diff != diff) return T(diff);  // a NaN operand
    return T((diff > 0 ? x : y) + ::log1p(::exp(-::fabs(diff))));
  }
};
// torch.copysign: a's magnitude with b's sign bit, exact in every float dtype.
struct CopysignFn {
  static constexpr int arity = 2;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, float>)
      return ::copysignf(a, b);
    else
      return ::copysign(a, b);
  }
};

// torch.nextafter: the next T after a toward b, in T's own bits for bfloat16 (kOnStorage: the
// kernels hand it the elements, not their float widening, which would step in float's bits).
struct NextafterFn {
  static constexpr int arity = 2;
  static constexpr bool kOnStorage = true;
  template <class T>
  requires spec::is_float_v<T> PARITY_HD T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, float>) {
      return ::nextafterf(a, b);
    } else if constexpr (std::is_same_v<T, double>) {
      return ::nextafter(a, b);
    } else {
      const float x = float(a), y = float(b);
      if (x != x || y != y) return T(x + y);
      if (x == y) return b;
      const std::uint16_t sign = y < x ? 0x8000 : 0;  // the direction of the step
      if (x == 0.0f) return T::from_bits(std::uint16_t(sign | 1));
      // Up in magnitude when the step leads away from zero, down when toward it.
      const bool up = (a.bits & 0x8000) == sign;
      return T::from_bits(std::uint16_t(up ? a.bits + 1 : a.bits - 1));
    }
  }
};

// The bitwise ops (torch.bitwise_and, _or, _xor): bool logical, integers bit by bit; not for
// floats (PyTorch has no float kernel; the registry refuses them).
#define PARITY_BITWISE_FN(Name, op, bool_op)                                     \
  struct Name {                                                                  \
    static constexpr int arity = 2;                                              \
    template <class T>                                                           \
    requires std::is_integral_v<T> PARITY_HD T operator()(T a, T b) const {      \
      if constexpr (std::is_same_v<T, bool>)                                     \
        return a bool_op b;                                                      \
      else                                                                       \
        return T(a op b);                                                        \
    }                                                                            \
  };
// clang-format off
PARITY_BITWISE_FN(BitwiseAndFn, &, &&)
PARITY_BITWISE_FN(BitwiseOrFn, |, ||)
PARITY_BITWISE_FN(BitwiseXorFn, ^, !=)
// clang-format on
#undef PARITY_BITWISE_FN

// torch.bitwise_left_shift / right_shift as PyTorch 1.13's cpu kernels give them on x86-64,
// spelled out (C++ leaves these shifts undefined): the value is shifted as a 32-bit integer
// (64-bit for int64) by the amount modulo 32 (64), then truncated to T
// (torch.bitwise_left_shift(torch.tensor([1], dtype=torch.int8), torch.tensor([32],
// dtype=torch.int8)) is 1, by 8 it is 0, by -3 (29) 0; int32 1 << -3 is 2**29); right shifts
// are arithmetic for signed T (int8 -5 >> 32 is -5, >> 8 is -1). Not for bool (refused).
template <class T>
using shift_word_t = std::conditional_t<(sizeof(T) <= 4), std::uint32_t, std::uint64_t>;
template <class T>
PARITY_HD unsigned shift_count(T n) {
  return unsigned(std::uint64_t(n) & (8 * sizeof(shift_word_t<T>) - 1));
}
struct LeftShiftFn {
  static constexpr int arity = 2;
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    return T(shift_word_t<T>(a) << shift_count(b));
  }
};
struct RightShiftFn {
  static constexpr int arity = 2;
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T b) const {
    using Word = shift_word_t<T>;
    if constexpr (std::is_signed_v<T>)
      return T(std::make_signed_t<Word>(a) >> shift_count(b));  // arithmetic (C++20)
    else
      return T(Word(a) >> shift_count(b));
  }
};

// ---- the rounding and sign ops.
// torch.positive: the identity; not for bool (PyTorch refuses it).
struct PositiveFn {
  static constexpr int arity = 1;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a) const { return a; }
};
// torch.sign: -1, 0 or 1 in T; -0 and NaN give +0 (torch.sign(torch.tensor([float('nan')])) is
// [0.]); bool is the identity, unsigned integers 0 or 1.
struct SignFn {
  static constexpr int arity = 1;
  template <class T>
  PARITY_HD T operator()(T a) const {
    if constexpr (std::is_same_v<T, bool>)
      return a;
    else if constexpr (std::is_unsigned_v<T>)
      return a > T(0) ? T(1) : T(0);
    else
      return a > T(0) ? T(1) : a < T(0) ? T(-1) : T(0);
  }
};
// torch.floor, torch.ceil, torch.trunc, torch.round: the C library's (the device's) function
// for float and double, exact; integers are returned as they are (PyTorch keeps their dtype
// and values); not for bool (PyTorch has no bool kernel). round is rint: halves to even in
// the default rounding mode (torch.round(torch.tensor([2.5])) is [2.]).
#define PARITY_ROUNDING_FN(Name, fn)                                        \
  struct Name {                                                             \
    static constexpr int arity = 1;                                         \
    template <class T>                                                      \
    requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a) const {  \
      if constexpr (std::is_integral_v<T>)                                  \
        return a;                                                           \
      else if constexpr (std::is_same_v<T, float>)                          \
        return ::fn##f(a);                                                  \
      else                                                                  \
        return ::fn(a);                                                     \
    }                                                                       \
  };
// clang-format off
PARITY_ROUNDING_FN(FloorFn, floor)
PARITY_ROUNDING_FN(CeilFn, ceil)
PARITY_ROUNDING_FN(TruncFn, trunc)
PARITY_ROUNDING_FN(RintFn, rint)
// clang-format on
#undef PARITY_ROUNDING_FN
// torch.bitwise_not: ~a on integers, logical not on bool; not for floats (no kernel).
struct InvertFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_integral_v<T> PARITY_HD T operator()(T a) const {
    if constexpr (std::is_same_v<T, bool>)
      return !a;
    else
      return T(~a);
  }
};

// A functor that declares kOnStorage computes on the elements themselves, not on their
// opmath widening (nextafter of float16/bfloat16 steps in their own bits).
template <class F>
constexpr bool on_storage() {
  if constexpr (requires { F::kOnStorage; })
    return F::kOnStorage;
  else
    return false;
}

// ---- comparisons, logical ops and predicates: they compute in the inputs' dtype (the
// registry's compute dtype, to which the engine casts the inputs) and write bool; each says
// so with `using result = bool;`, which the kernels and OnElements honour.

// Whether a value counts as true (NaN does; -0 does not), as both libraries' logical ops.
template <class T>
PARITY_HD bool truth(T a) {
  return a != T(0);
}

// clang-format off
#define PARITY_COMPARE_FN(Name, expr)                                      \
  struct Name {                                                            \
    static constexpr int arity = 2;                                        \
    using result = bool;                                                   \
    template <class T> PARITY_HD bool operator()(T a, T b) const { return expr; } \
  };
PARITY_COMPARE_FN(EqualFn, a == b)
PARITY_COMPARE_FN(NotEqualFn, a != b)
PARITY_COMPARE_FN(LessFn, a < b)
PARITY_COMPARE_FN(LessEqualFn, a <= b)
PARITY_COMPARE_FN(GreaterFn, a > b)
PARITY_COMPARE_FN(GreaterEqualFn, a >= b)
PARITY_COMPARE_FN(LogicalAndFn, truth(a) && truth(b))
PARITY_COMPARE_FN(LogicalOrFn, truth(a) || truth(b))
PARITY_COMPARE_FN(LogicalXorFn, truth(a) != truth(b))
#undef PARITY_COMPARE_FN
// clang-format on

struct LogicalNotFn {
  static constexpr int arity = 1;
  using result = bool;
  template <class T>
  PARITY_HD bool operator()(T a) const {
    return !truth(a);
  }
};

// The predicates take every dtype: bool and integers are never NaN or infinite (torch.isnan
// of an integer tensor is all False), and their sign is x < 0.
struct IsnanFn {
  static constexpr int arity = 1;
  using result = bool;
  template <class T>
  PARITY_HD bool operator()(T a) const {
    if constexpr (std::is_floating_point_v<T>)
      return a != a;
    else
      return false;
  }
};

struct IsinfFn {
  static constexpr int arity = 1;
  using result = bool;
  template <class T>
  PARITY_HD bool operator()(T a) const {
    if constexpr (std::is_floating_point_v<T>)
      return a == T(INFINITY) || a == -T(INFINITY);
    else
      return false;
  }
};

struct IsfiniteFn {
  static constexpr int arity = 1;
  using result = bool;
  template <class T>
  PARITY_HD bool operator()(T a) const {
    return !IsnanFn{}(a) && !IsinfFn{}(a);
  }
};

// The sign bit, of -0 and of a negative NaN too (copysign reads it without comparing).
struct SignbitFn {
  static constexpr int arity = 1;
  using result = bool;
  template <class T>
  PARITY_HD bool operator()(T a) const {
    if constexpr (std::is_same_v<T, float>)
      return ::copysignf(1.0f, a) < 0.0f;
    else if constexpr (std::is_floating_point_v<T>)
      return ::copysign(1.0, a) < 0.0;
    else if constexpr (std::is_signed_v<T>)
      return a < 0;
    else
      return false;  // bool and unsigned integers
  }
};

// ---- the composites (PyTorch's functions that NumPy writes as a formula): what PyTorch
// 1.13's cpu kernels compute, step by step, in the opmath type (float for bfloat16); exp is
// exp in double rounded once, as ExpFn's float functions.

template <class T>
PARITY_HD T exp_once(T a) {
  return T(::exp(double(a)));
}

// torch.relu (clamp_min(x, 0)): 0 where x < 0, else x, so NaN and -0 stay; integers keep their
// dtype; bool never reaches it (PyTorch refuses it).
struct ReluFn {
  static constexpr int arity = 1;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a) const {
    if constexpr (std::is_unsigned_v<T>)
      return a;
    else
      return a < T(0) ? T(0) : a;
  }
};

// torch.sigmoid: 1 / (1 + exp(-x)) in float32 and float64; bfloat16 computed in float and
// rounded once (torch.sigmoid of bfloat16 equals sigmoid in float64 rounded to bfloat16).
struct SigmoidFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return T(1) / (T(1) + exp_once(-a)); }
};

// torch.nn.functional.silu: x / (1 + exp(-x)), each step rounded to the stored dtype S (its cpu
// kernel computes bfloat16 in c10::BFloat16 arithmetic: F.silu of bfloat16 equals the formula
// rounded to bfloat16 at each step).
struct SiluFn {
  static constexpr int arity = 1;
  template <class S, class T>
  requires std::is_floating_point_v<T> PARITY_HD T stored(T a) const {
    const RoundTo<S> r;
    return a / r(T(1) + r(exp_once(-a)));
  }
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return stored<T>(a); }
};

// torch.nn.functional.softplus (beta 1, threshold 20): x above 20, else log1p(exp(x)) with
// exp rounded to the dtype first.
struct SoftplusFn {
  static constexpr int arity = 1;
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const {
    return a > T(20) ? a : T(::log1p(double(exp_once(a))));
  }
};

// torch.nn.functional.gelu, the erf form: x * 0.5 * (1 + erf(x * M_SQRT1_2)), and the tanh form
// (approximate='tanh'): x * 0.5 * (1 + tanh(kBeta * (x + kKappa * x^3))), as PyTorch's cpu
// kernel writes them: each step, constants included, rounded to the stored dtype S (bfloat16
// computes in c10::BFloat16 arithmetic); erf and tanh through double, rounded once to T.
template <class T>
PARITY_HD T erf_once(T a) {
  return T(::erf(double(a)));
}
template <class T>
PARITY_HD T tanh_once(T a) {
  return T(::tanh(double(a)));
}
struct GeluFn {
  static constexpr int arity = 1;
  template <class S, class T>
  requires std::is_floating_point_v<T> PARITY_HD T stored(T a) const {
    const RoundTo<S> r;
    const T alpha = r(T(0.70710678118654752440));  // M_SQRT1_2
    return r(r(a * T(0.5)) * r(T(1) + r(erf_once(r(a * alpha)))));
  }
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return stored<T>(a); }
};
struct GeluTanhFn {
  static constexpr int arity = 1;
  template <class S, class T>
  requires std::is_floating_point_v<T> PARITY_HD T stored(T a) const {
    const RoundTo<S> r;
    const T beta = r(T(0.79788456080286535588));  // M_SQRT2 * M_2_SQRTPI * 0.5
    const T kappa = r(T(0.044715));
    const T cube = r(r(a * a) * a);
    const T inner = r(beta * r(a + r(kappa * cube)));
    return r(r(T(0.5) * a) * r(T(1) + r(tanh_once(inner))));
  }
  template <class T>
  requires std::is_floating_point_v<T> PARITY_HD T operator()(T a) const { return stored<T>(a); }
};

// The element type F writes for inputs of T: F::result where it declares one (bool for the
// ops above), else T.
template <class F, class T>
struct result_of {
  using type = T;
};
template <class F, class T>
requires requires { typename F::result; }
struct result_of<F, T> {
  using type = typename F::result;
};
template <class F, class T>
using result_t = typename result_of<F, T>::type;

// Operands a functor reads as truth values (bit k: operand k), declared as `kConditions`
// (where's condition): the engine casts them to bool, and the kernels hand them over as the
// bytes of that bool array (std::uint8_t, 0 or 1) whatever the compute dtype: g++ vectorises
// a select on a byte but not on a bool load. The registry row's `conditions` says the same
// (registry_test).
template <class F>
constexpr unsigned conditions() {
  if constexpr (requires { F::kConditions; })
    return F::kConditions;
  else
    return 0;
}
// The first operand that is not a condition: its dtype is the call's compute dtype.
PARITY_HD constexpr std::size_t compute_operand(unsigned conditions) {
  std::size_t k = 0;
  while ((conditions >> k) & 1u) ++k;
  return k;
}
// The element type of F's operand K for compute dtype T: a bool's byte for a condition, else T.
template <class F, class T, std::size_t K>
using operand_t = std::conditional_t<((conditions<F>() >> K) & 1u) != 0, std::uint8_t, T>;

// Whether functor F computes dtype T (float16 and bfloat16: in float, their opmath, unless
// F computes on storage), its condition operands bool.
template <class F, class T, std::size_t... K>
constexpr bool computes_with(std::index_sequence<K...>) {
  using M = std::conditional_t<on_storage<F>(), T, spec::opmath_t<T>>;
  return requires(F f, operand_t<F, M, K>... a) { f(a...); };
}
template <class F, class T>
constexpr bool computes() {
  return computes_with<F, T>(std::make_index_sequence<std::size_t(F::arity)>{});
}

// F on elements of T: operands widened to the opmath type (float for float16 and
// bfloat16, as PyTorch's kernels compute), the result rounded back to T once (a bool result
// is taken as it is; a bool condition operand is passed as it is); a functor whose result
// depends on the stored dtype gets it (`stored<T>`). For the other dtypes it is F itself.
template <class F, class T>
struct OnElements {
  using R = result_t<F, T>;
  static constexpr unsigned kConditions = conditions<F>();  // the operands it hands over as is
  F f;
  template <class... A>
  PARITY_HD R operator()(A... a) const {
    if constexpr (requires { f.template stored<T>(spec::widen(a)...); })
      return spec::narrow<R>(f.template stored<T>(spec::widen(a)...));
    else
      return spec::narrow<R>(f(spec::widen(a)...));
  }
};
template <class T, class F>
PARITY_HD auto on_elements(F f) {
  if constexpr (spec::is_half_v<T> && !on_storage<F>())
    return OnElements<F, T>{f};
  else
    return f;
}

// ---- ops of three operands, and ops with parameters

// torch.where(condition, input, other): the condition a bool's byte (the engine casts it to
// bool), the value selected as stored (no widening: a NaN keeps its bits). Both values are
// read for every element, so the contiguous loop is a vectorised select.
struct WhereFn {
  static constexpr int arity = 3;
  static constexpr unsigned kConditions = 0b001;
  static constexpr bool kOnStorage = true;
  template <class T>
  PARITY_HD T operator()(std::uint8_t c, T a, T b) const {
    return c != 0 ? a : b;
  }
};

// torch.clamp(input, min, max) as PyTorch 1.13's cpu scalar loop: a NaN bound gives NaN,
// else std::min(std::max(a, min), max), which keeps `a` at ties (torch.clamp(-0., 0., 1.) is
// -0.) and a NaN `a`; min > max gives max. Not for bool (refused).
struct ClipFn {
  static constexpr int arity = 3;
  template <class T>
  requires(!std::is_same_v<T, bool>) PARITY_HD T operator()(T a, T lo, T hi) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (lo != lo) return lo;
      if (hi != hi) return hi;
    }
    const T m = a < lo ? lo : a;
    return hi < m ? hi : m;
  }
};

// A functor with scalar parameters holds them in `scalars` (in the order of the row's
// signature); the kernels fill them from the call (Elementwise::scalars) with bind_scalars.
template <class F>
PARITY_HD F bind_scalars(F f, const double* values) {
  if constexpr (requires { f.scalars[0]; })
    for (int k = 0; k < spec::kMaxScalarParams; ++k) f.scalars[k] = values[k];
  return f;
}

// torch.nan_to_num(input, nan, posinf, neginf): floats replace NaN, +inf and -inf by the
// parameters (the registry resolves None to the dtype's extremes) converted to the element
// type (a value it cannot hold becomes inf); bool and integers are returned as they are.
struct NanToNumFn {
  static constexpr int arity = 1;
  double scalars[spec::kMaxScalarParams] = {0.0, 0.0, 0.0};  // nan, posinf, neginf
  template <class T>
  PARITY_HD T operator()(T a) const {
    if constexpr (std::is_floating_point_v<T>) {
      // Selects, not early returns: the contiguous loop vectorises.
      const T nan = T(scalars[0]), posinf = T(scalars[1]), neginf = T(scalars[2]);
      const T r = a == T(INFINITY) ? posinf : a == -T(INFINITY) ? neginf : a;
      return a != a ? nan : r;
    } else {
      return a;
    }
  }
};

// The table: calls f(Functor{}) with the functor of elementwise op `op`. Every op is named
// (no default: -Wswitch makes a new op a compile error here until it gets its entry); ops
// that are not elementwise are an explicit refusal.
template <class F>
void with_functor(spec::OpId op, F&& f) {
  switch (op) {
    case spec::OpId::Add:
      return f(AddFn{});
    case spec::OpId::Mul:
      return f(MulFn{});
    case spec::OpId::Sub:
      return f(SubFn{});
    case spec::OpId::Neg:
      return f(NegFn{});
    case spec::OpId::Exp:
      return f(ExpFn{});
    case spec::OpId::Sqrt:
      return f(SqrtFn{});
    case spec::OpId::Log:
      return f(LogFn{});
    case spec::OpId::Sin:
      return f(SinFn{});
    case spec::OpId::Cos:
      return f(CosFn{});
    case spec::OpId::Tanh:
      return f(TanhFn{});
    case spec::OpId::Square:
      return f(SquareFn{});
    case spec::OpId::Reciprocal:
      return f(ReciprocalFn{});
    case spec::OpId::Log1p:
      return f(Log1pFn{});
    case spec::OpId::Expm1:
      return f(Expm1Fn{});
    case spec::OpId::Log2:
      return f(Log2Fn{});
    case spec::OpId::Log10:
      return f(Log10Fn{});
    case spec::OpId::Exp2:
      return f(Exp2Fn{});
    case spec::OpId::Tan:
      return f(TanFn{});
    case spec::OpId::Asin:
      return f(AsinFn{});
    case spec::OpId::Acos:
      return f(AcosFn{});
    case spec::OpId::Atan:
      return f(AtanFn{});
    case spec::OpId::Sinh:
      return f(SinhFn{});
    case spec::OpId::Cosh:
      return f(CoshFn{});
    case spec::OpId::Asinh:
      return f(AsinhFn{});
    case spec::OpId::Acosh:
      return f(AcoshFn{});
    case spec::OpId::Atanh:
      return f(AtanhFn{});
    case spec::OpId::Abs:
      return f(AbsFn{});
    case spec::OpId::Divide:
      return f(DivideFn{});
    case spec::OpId::FloorDivide:
      return f(FloorDivideFn{});
    case spec::OpId::Remainder:
      return f(RemainderFn{});
    case spec::OpId::Fmod:
      return f(FmodFn{});
    case spec::OpId::Power:
      return f(PowerFn{});
    case spec::OpId::Maximum:
      return f(MaximumFn{});
    case spec::OpId::Minimum:
      return f(MinimumFn{});
    case spec::OpId::Fmax:
      return f(FmaxFn{});
    case spec::OpId::Fmin:
      return f(FminFn{});
    case spec::OpId::Atan2:
      return f(Atan2Fn{});
    case spec::OpId::Hypot:
      return f(HypotFn{});
    case spec::OpId::Copysign:
      return f(CopysignFn{});
    case spec::OpId::Nextafter:
      return f(NextafterFn{});
    case spec::OpId::Logaddexp:
      return f(LogaddexpFn{});
    case spec::OpId::BitwiseAnd:
      return f(BitwiseAndFn{});
    case spec::OpId::BitwiseOr:
      return f(BitwiseOrFn{});
    case spec::OpId::BitwiseXor:
      return f(BitwiseXorFn{});
    case spec::OpId::LeftShift:
      return f(LeftShiftFn{});
    case spec::OpId::RightShift:
      return f(RightShiftFn{});
    case spec::OpId::Equal:
      return f(EqualFn{});
    case spec::OpId::NotEqual:
      return f(NotEqualFn{});
    case spec::OpId::Less:
      return f(LessFn{});
    case spec::OpId::LessEqual:
      return f(LessEqualFn{});
    case spec::OpId::Greater:
      return f(GreaterFn{});
    case spec::OpId::GreaterEqual:
      return f(GreaterEqualFn{});
    case spec::OpId::LogicalAnd:
      return f(LogicalAndFn{});
    case spec::OpId::LogicalOr:
      return f(LogicalOrFn{});
    case spec::OpId::LogicalXor:
      return f(LogicalXorFn{});
    case spec::OpId::LogicalNot:
      return f(LogicalNotFn{});
    case spec::OpId::Isnan:
      return f(IsnanFn{});
    case spec::OpId::Isinf:
      return f(IsinfFn{});
    case spec::OpId::Isfinite:
      return f(IsfiniteFn{});
    case spec::OpId::Signbit:
      return f(SignbitFn{});
    case spec::OpId::Positive:
      return f(PositiveFn{});
    case spec::OpId::Sign:
      return f(SignFn{});
    case spec::OpId::Floor:
      return f(FloorFn{});
    case spec::OpId::Ceil:
      return f(CeilFn{});
    case spec::OpId::Trunc:
      return f(TruncFn{});
    case spec::OpId::Rint:
      return f(RintFn{});
    case spec::OpId::Invert:
      return f(InvertFn{});
    case spec::OpId::Cbrt:
      return f(CbrtFn{});
    case spec::OpId::Erf:
      return f(ErfFn{});
    case spec::OpId::Relu:
      return f(ReluFn{});
    case spec::OpId::Sigmoid:
      return f(SigmoidFn{});
    case spec::OpId::Silu:
      return f(SiluFn{});
    case spec::OpId::Softplus:
      return f(SoftplusFn{});
    case spec::OpId::Where:
      return f(WhereFn{});
    case spec::OpId::Clip:
      return f(ClipFn{});
    case spec::OpId::NanToNum:
      return f(NanToNumFn{});
    case spec::OpId::Gelu:
      return f(GeluFn{});
    case spec::OpId::GeluTanh:
      return f(GeluTanhFn{});
    case spec::OpId::Sum:
    case spec::OpId::Amax:
    case spec::OpId::Amin:
    case spec::OpId::Prod:
    case spec::OpId::Mean:
    case spec::OpId::All:
    case spec::OpId::Any:
    case spec::OpId::Argmax:
    case spec::OpId::Argmin:
    case spec::OpId::CountNonzero:
    case spec::OpId::Nansum:
    case spec::OpId::Nanmean:
    case spec::OpId::Matmul:
    case spec::OpId::Astype:  // the copy kernel's cast (cast_value)
      break;
  }
  throw ValueError("elementwise kernel: " + std::string(spec::op_spec(op).name) +
                   " is not an elementwise op (it has its own kernel)");
}

// A float truncated toward zero into the signed integer I as x86-64's cvttss2si/cvttsd2si
// do: NaN and values outside I's range give the "integer indefinite", I's minimum (a C cast
// would be undefined behaviour there).
template <class I, class From>
PARITY_HD I truncate_or_indefinite(From v) {
  constexpr I lowest = I(std::make_unsigned_t<I>(1) << (sizeof(I) * 8 - 1));
  constexpr From lo = From(lowest);  // -2^31 or -2^63, exact in float and double
  if (!(v >= lo && v < -lo)) return lowest;  // also NaN
  return I(v);
}

// A float to an integer as PyTorch 1.13's cpu casts give it on x86-64, with no undefined
// behaviour. Measured (torch.tensor([...], dtype=torch.float64).to(dtype); contiguous,
// strided and one-element tensors alike):
//   int32, int64: direct; NaN, +-inf and out of range give the minimum (to(int32) of nan,
//     inf, -inf, 2**31, 1e20: -2147483648);
//   int8, int16: through int32, keeping the low bits (to(int16) of -32769.: 32767; of 2**32+5.:
//     0, int32's indefinite);
//   uint8: through int64 (c10's cast to uint8 goes through int64), keeping the low byte
//     (to(uint8) of 2**32+5.: 5, where NumPy's astype gives 0; of -1.: 255; of 1e20: 0).
// uint16, uint32 and uint64 are no PyTorch dtypes; they follow NumPy's loops (uint16 through
// int32, uint32 through int64, uint64 as the compiler's unsigned conversion: see the array
// engine's float_to_int).
template <class To, class From>
PARITY_HD To float_to_int(From v) {
  if constexpr (std::is_same_v<To, std::uint64_t>) {
    const From two63 = From(9223372036854775808.0);  // from 2^63: convert v - 2^63, flip the top bit
    if (v >= two63) return To(truncate_or_indefinite<std::int64_t>(v - two63)) ^ (To(1) << 63);
    return To(truncate_or_indefinite<std::int64_t>(v));
  } else if constexpr (sizeof(To) == 8 || std::is_same_v<To, std::uint32_t> || std::is_same_v<To, std::uint8_t>) {
    return To(truncate_or_indefinite<std::int64_t>(v));
  } else {
    return To(truncate_or_indefinite<std::int32_t>(v));
  }
}

// Conversion between dtypes as PyTorch's static_cast: a C cast, except that bool is
// x != 0, float16/bfloat16 convert through float (c10::Half and c10::BFloat16 are built
// from a float, so a double rounds twice: torch.tensor([1 + 2**-11 + 2**-40],
// dtype=torch.float64).to(torch.float16) is 1.0, NumPy's astype 1.0009765625), and a float
// to an integer is float_to_int.
template <class To, class From>
PARITY_HD To cast_value(From v) {
  if constexpr (std::is_same_v<To, From>)
    return v;
  else if constexpr (spec::is_half_v<From>)
    return cast_value<To>(float(v));
  else if constexpr (spec::is_half_v<To>)
    return To(float(v));
  else if constexpr (std::is_same_v<To, bool>)
    return v != From(0);
  else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>)
    return float_to_int<To>(v);
  else
    return To(v);
}

// ---- reductions: how each kernels::Reduction op folds values. V is the type the kernel
// combines in: the output's type, or float where the output is float16 or bfloat16 (a
// maximum of halves is a maximum of their float values, which are exact).
template <spec::Reduce R>
struct Combine;
template <>
struct Combine<spec::Reduce::Sum> {
  template <class V> PARITY_HD static V identity() { return V(0); }
  template <class V, class I> PARITY_HD static V load(I x) { return cast_value<V>(x); }
  template <class V> PARITY_HD static V apply(V a, V b) { return AddFn{}(a, b); }
};
template <>
struct Combine<spec::Reduce::Prod> {
  template <class V> PARITY_HD static V identity() { return V(1); }
  template <class V, class I> PARITY_HD static V load(I x) { return cast_value<V>(x); }
  template <class V> PARITY_HD static V apply(V a, V b) { return MulFn{}(a, b); }
};
// Max and Min: a NaN wins (it is kept once met, and taken when met); at a tie the value held
// is kept, as PyTorch's loops keep the first of -0 and +0 (torch.amax(torch.tensor([-0., 0.]))
// is -0.0; in a vectorised loop "first" is per lane: the sign of a zero extremum is each
// library's own, a Values divergence).
template <bool kMax>
struct ExtremumCombine {
  template <class V> PARITY_HD static V identity() {
    if constexpr (std::is_same_v<V, bool>)
      return !kMax;
    else if constexpr (std::is_floating_point_v<V>)
      return V(kMax ? -HUGE_VAL : HUGE_VAL);
    else
      return kMax ? std::numeric_limits<V>::lowest() : std::numeric_limits<V>::max();
  }
  template <class V, class I> PARITY_HD static V load(I x) { return cast_value<V>(x); }
  template <class V> PARITY_HD static V apply(V a, V b) {
    if constexpr (std::is_floating_point_v<V>)
      if (a != a || b != b) return a != a ? a : b;
    return (kMax ? b > a : b < a) ? b : a;
  }
};
template <> struct Combine<spec::Reduce::Max> : ExtremumCombine<true> {};
template <> struct Combine<spec::Reduce::Min> : ExtremumCombine<false> {};
// All and Any: V is bool or uint8 (PyTorch's all of uint8 is uint8), each element read as
// truth first.
template <bool kAll>
struct TruthCombine {
  template <class V> PARITY_HD static V identity() { return V(kAll); }
  template <class V, class I> PARITY_HD static V load(I x) { return V(cast_value<bool>(x)); }
  template <class V> PARITY_HD static V apply(V a, V b) { return V(kAll ? (a && b) : (a || b)); }
};
template <> struct Combine<spec::Reduce::All> : TruthCombine<true> {};
template <> struct Combine<spec::Reduce::Any> : TruthCombine<false> {};

// Count: the number of nonzero elements, in int64 (V is int64); NaN is nonzero.
template <>
struct Combine<spec::Reduce::Count> {
  template <class V> PARITY_HD static V identity() { return V(0); }
  template <class V, class I> PARITY_HD static V load(I x) { return V(cast_value<bool>(x) ? 1 : 0); }
  template <class V> PARITY_HD static V apply(V a, V b) { return a + b; }
};

// Calls f(Combine<R>{}) for a kernel op (not None or Mean: ValueError).
template <class F>
decltype(auto) with_combine(spec::Reduce r, F&& f) {
  switch (r) {
    case spec::Reduce::Sum: return f(Combine<spec::Reduce::Sum>{});
    case spec::Reduce::Prod: return f(Combine<spec::Reduce::Prod>{});
    case spec::Reduce::Max: return f(Combine<spec::Reduce::Max>{});
    case spec::Reduce::Min: return f(Combine<spec::Reduce::Min>{});
    case spec::Reduce::All: return f(Combine<spec::Reduce::All>{});
    case spec::Reduce::Any: return f(Combine<spec::Reduce::Any>{});
    case spec::Reduce::Count: return f(Combine<spec::Reduce::Count>{});
    case spec::Reduce::None:
    case spec::Reduce::Mean:
    case spec::Reduce::ArgMax:  // positions: ArgPick, below
    case spec::Reduce::ArgMin:
    case spec::Reduce::NanSum:  // the engines replace the NaNs and run Sum
    case spec::Reduce::NanMean:
      break;
  }
  throw ValueError("reduction kernel: '" + std::string(spec::reduce_name(r)) +
                   "' is not a value fold (mean is a sum divided by the count; argmax and argmin pick positions)");
}

// ArgMax and ArgMin: whether candidate (a, ia) wins over (b, ib), in either order of the two
// (a kernel may meet them in any order): a NaN beats every number, and of two NaNs or two
// equal values (-0 and +0 included) the smaller position wins, which is the first
// occurrence both libraries return. V is Combine's type (float for float16 and bfloat16).
template <bool kMax>
struct ArgPick {
  template <class V>
  PARITY_HD static bool wins(V a, std::int64_t ia, V b, std::int64_t ib) {
    if constexpr (std::is_floating_point_v<V>) {
      const bool an = a != a, bn = b != b;
      if (an || bn) return an && (!bn || ia < ib);
    }
    if (a == b) return ia < ib;
    return kMax ? a > b : a < b;
  }
};

}  // namespace parity::kernels
