#pragma once
// The tensor engine's elementwise math, written once for both devices (g++ for kernels/cpu,
// nvcc for kernels/cuda), and the table that maps each elementwise op of the registry to
// its functor (with_functor). Integer arithmetic wraps modulo 2^N as in NumPy and PyTorch
// (done in unsigned arithmetic: signed overflow is undefined in C++). bool add is logical
// or, bool mul logical and. A functor's operator() is declared only for the dtypes it
// computes; the kernels refuse the others (the registry refuses them first).
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

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

// A functor that declares kOnStorage computes on the elements themselves, not on their
// opmath widening (nextafter of float16/bfloat16 steps in their own bits).
template <class F>
constexpr bool on_storage() {
  if constexpr (requires { F::kOnStorage; })
    return F::kOnStorage;
  else
    return false;
}

// Whether functor F computes dtype T (float16 and bfloat16: in float, their opmath, unless
// F computes on storage).
template <class F, class T>
constexpr bool computes() {
  using M = std::conditional_t<on_storage<F>(), T, spec::opmath_t<T>>;
  if constexpr (F::arity == 1) return requires(F f, M a) {
      f(a);
    };
  else
    return requires(F f, M a, M b) { f(a, b); };
}

// F on elements of T: operands widened to the opmath type (float for float16 and
// bfloat16, as PyTorch's kernels compute), the result rounded back to T once. For the other
// dtypes it is F itself.
template <class F, class T>
struct OnElements {
  F f;
  PARITY_HD T operator()(T a) const { return spec::narrow<T>(f(spec::widen(a))); }
  PARITY_HD T operator()(T a, T b) const { return spec::narrow<T>(f(spec::widen(a), spec::widen(b))); }
};
template <class T, class F>
PARITY_HD auto on_elements(F f) {
  if constexpr (spec::is_half_v<T> && !on_storage<F>())
    return OnElements<F, T>{f};
  else
    return f;
}

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
    case spec::OpId::Sum:
    case spec::OpId::Matmul:
      break;
  }
  throw ValueError("elementwise kernel: " + std::string(spec::op_spec(op).name) +
                   " is not an elementwise op (it has its own kernel)");
}

// Conversion between dtypes as PyTorch's static_cast: a C cast, except that bool is
// x != 0, and float16/bfloat16 convert through float (c10::Half and c10::BFloat16 are built
// from a float, so a double rounds twice).
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
  else
    return To(v);
}

}  // namespace parity::kernels
