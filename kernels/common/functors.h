#pragma once
// The tensor engine's elementwise math, written once for both devices (g++ for kernels/cpu,
// nvcc for kernels/cuda), and the table that maps each elementwise op of the registry to
// its functor (with_functor). Integer arithmetic wraps modulo 2^N as in NumPy and PyTorch
// (done in unsigned arithmetic: signed overflow is undefined in C++). bool add is logical
// or, bool mul logical and. A functor's operator() is declared only for the dtypes it
// computes; the kernels refuse the others (the registry refuses them first).
#include <cmath>
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

// Whether functor F computes dtype T (float16 and bfloat16: in float, their opmath).
template <class F, class T>
constexpr bool computes() {
  using M = spec::opmath_t<T>;
  if constexpr (F::arity == 1) return requires(F f, M a) {
      f(a);
    };
  else
    return requires(F f, M a, M b) { f(a, b); };
}

// F on elements of T: operands widened to the opmath type (float for float16 and
// bfloat16, as PyTorch's kernels compute), the result rounded back to T once (a bool result
// is taken as it is). For the other dtypes it is F itself.
template <class F, class T>
struct OnElements {
  using R = result_t<F, T>;
  F f;
  PARITY_HD R operator()(T a) const { return spec::narrow<R>(f(spec::widen(a))); }
  PARITY_HD R operator()(T a, T b) const { return spec::narrow<R>(f(spec::widen(a), spec::widen(b))); }
};
template <class T, class F>
PARITY_HD auto on_elements(F f) {
  if constexpr (spec::is_half_v<T>)
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
