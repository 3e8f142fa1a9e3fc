// The array engine's ops: one reference implementation per op, in a table indexed by op.
// Elementwise ops are a value function (a "Ref") run by one generic loop that casts each
// operand to the result dtype as it reads it; sum and matmul have their own loops.
#include "engine/spec/ops.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "engine/array/array.h"
#include "engine/array/element.h"
#include "engine/spec/error.h"

// glibc's vector math library (libmvec), as GCC reaches it: a function declared `omp declare
// simd` (the pragma needs -fopenmp-simd, which enables these pragmas only: no OpenMP runtime)
// is called through its vector variant (_ZGVbN2v_exp: two doubles a call) in the loops the
// compiler vectorises, and through the scalar function elsewhere. glibc's <math.h> declares
// its functions so only under -ffast-math, which would change values; here they are names of
// their own, bound to the same symbols, so that only the calls that name them (the float rows
// of InDoubleRef below) are vectorised. `const`: errno is neither set nor read
// (-fno-math-errno). Elsewhere than glibc on x86-64 the names are the scalar functions.
namespace parity::array::libmvec {
#if defined(__GLIBC__) && defined(__x86_64__)
#define PARITY_LIBMVEC(name) \
  _Pragma("omp declare simd notinbranch") double name(double) noexcept __asm__(#name) __attribute__((const));
#define PARITY_LIBMVEC2(name) \
  _Pragma("omp declare simd notinbranch") double name(double, double) noexcept __asm__(#name) __attribute__((const));
#else
#define PARITY_LIBMVEC(name) \
  inline double name(double x) { return std::name(x); }
#define PARITY_LIBMVEC2(name) \
  inline double name(double x, double y) { return std::name(x, y); }
#endif
// clang-format off
PARITY_LIBMVEC(exp) PARITY_LIBMVEC(exp2) PARITY_LIBMVEC(expm1) PARITY_LIBMVEC(log) PARITY_LIBMVEC(log2)
PARITY_LIBMVEC(log10) PARITY_LIBMVEC(log1p) PARITY_LIBMVEC(sin) PARITY_LIBMVEC(cos) PARITY_LIBMVEC(tan)
PARITY_LIBMVEC(asin) PARITY_LIBMVEC(acos) PARITY_LIBMVEC(atan) PARITY_LIBMVEC(sinh) PARITY_LIBMVEC(cosh)
PARITY_LIBMVEC(tanh) PARITY_LIBMVEC(asinh) PARITY_LIBMVEC(acosh) PARITY_LIBMVEC(atanh) PARITY_LIBMVEC(cbrt)
PARITY_LIBMVEC(erf) PARITY_LIBMVEC2(atan2) PARITY_LIBMVEC2(hypot)
// clang-format on
#undef PARITY_LIBMVEC
#undef PARITY_LIBMVEC2
}  // namespace parity::array::libmvec

namespace parity::array {
namespace {

using detail::base_of;
using detail::cast_value;
using detail::load;
using detail::make_owned;
using detail::Odometer;
using detail::store;
using spec::OpId;

constexpr spec::Semantics kNumPy = spec::Semantics::NumPy;

// ---- the value functions (integer arithmetic wraps modulo 2^bits, as NumPy's does; done
// in unsigned arithmetic because signed overflow is undefined in C++) -------------------

// Unsigned, and at least as wide as unsigned int: uint8/uint16 operands would otherwise be
// promoted to (signed) int, where 65535 * 65535 overflows.
template <class T>
using uint_t = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

struct AddRef {
  template <class T>
  static T apply(T x, T y) {
    if constexpr (std::is_same_v<T, bool>)
      return x || y;  // np.add on bool is logical or
    else if constexpr (std::is_integral_v<T>)
      return T(uint_t<T>(x) + uint_t<T>(y));
    else
      return x + y;
  }
};

struct SubRef {
  template <class T>
  requires(!std::is_same_v<T, bool>)  // refused by the registry, as NumPy does
      static T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>)
      return T(uint_t<T>(x) - uint_t<T>(y));
    else
      return x - y;
  }
};

struct MulRef {
  template <class T>
  static T apply(T x, T y) {
    if constexpr (std::is_same_v<T, bool>)
      return x && y;  // np.multiply on bool is logical and
    else if constexpr (std::is_integral_v<T>)
      return T(uint_t<T>(x) * uint_t<T>(y));
    else
      return x * y;
  }
};

struct NegRef {
  template <class T>
  requires(!std::is_same_v<T, bool>)  // refused by the registry, as NumPy does
      static T apply(T x) {
    if constexpr (std::is_integral_v<T>)
      return T(uint_t<T>(0) - uint_t<T>(x));  // -INT_MIN wraps
    else
      return -x;
  }
};

// The float functions (exp, log, sin, ...): computed in double and rounded once to T,
// so float32 (and float16/bfloat16, which run here as float, NumPy's loop type for them, and
// are rounded once more after) is correctly rounded in all but rare cases: a better reference
// than the libraries' vectorised float loops. `F::f` is the C library's scalar function
// (within an ULP in double, correctly rounded in most cases), which the float64 rows call;
// `F::v` is the same function of glibc's vector math library (libmvec, above), which the
// float rows call: its error of up to 4 ULP in double is 2^-27 of a float ULP, so the one
// rounding to float gives the same result but where the exact value lies that close to a
// midpoint between two floats.
template <class F>
struct InDoubleRef {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x) {
    if constexpr (std::is_same_v<T, double>)
      return F::f(x);
    else
      return T(F::v(double(x)));
  }
};
// clang-format off
struct ExpOf { static double f(double x) { return std::exp(x); } static double v(double x) { return libmvec::exp(x); } };
struct LogOf { static double f(double x) { return std::log(x); } static double v(double x) { return libmvec::log(x); } };
struct SinOf { static double f(double x) { return std::sin(x); } static double v(double x) { return libmvec::sin(x); } };
struct CosOf { static double f(double x) { return std::cos(x); } static double v(double x) { return libmvec::cos(x); } };
struct TanhOf { static double f(double x) { return std::tanh(x); } static double v(double x) { return libmvec::tanh(x); } };
struct Log1pOf { static double f(double x) { return std::log1p(x); } static double v(double x) { return libmvec::log1p(x); } };
struct Expm1Of { static double f(double x) { return std::expm1(x); } static double v(double x) { return libmvec::expm1(x); } };
struct Log2Of { static double f(double x) { return std::log2(x); } static double v(double x) { return libmvec::log2(x); } };
struct Log10Of { static double f(double x) { return std::log10(x); } static double v(double x) { return libmvec::log10(x); } };
struct Exp2Of { static double f(double x) { return std::exp2(x); } static double v(double x) { return libmvec::exp2(x); } };
struct TanOf { static double f(double x) { return std::tan(x); } static double v(double x) { return libmvec::tan(x); } };
struct AsinOf { static double f(double x) { return std::asin(x); } static double v(double x) { return libmvec::asin(x); } };
struct AcosOf { static double f(double x) { return std::acos(x); } static double v(double x) { return libmvec::acos(x); } };
struct AtanOf { static double f(double x) { return std::atan(x); } static double v(double x) { return libmvec::atan(x); } };
struct SinhOf { static double f(double x) { return std::sinh(x); } static double v(double x) { return libmvec::sinh(x); } };
struct CoshOf { static double f(double x) { return std::cosh(x); } static double v(double x) { return libmvec::cosh(x); } };
struct AsinhOf { static double f(double x) { return std::asinh(x); } static double v(double x) { return libmvec::asinh(x); } };
struct AcoshOf { static double f(double x) { return std::acosh(x); } static double v(double x) { return libmvec::acosh(x); } };
struct AtanhOf { static double f(double x) { return std::atanh(x); } static double v(double x) { return libmvec::atanh(x); } };
struct CbrtOf { static double f(double x) { return std::cbrt(x); } static double v(double x) { return libmvec::cbrt(x); } };
struct ErfOf { static double f(double x) { return std::erf(x); } static double v(double x) { return libmvec::erf(x); } };  // scipy.special.erf's side
// clang-format on
using ExpRef = InDoubleRef<ExpOf>;

// sqrt: the instruction in T itself (IEEE sqrt is correctly rounded in every format, and a
// float result rounded once more to float16 or bfloat16 is still correctly rounded, 24 bits
// being at least twice theirs plus two), so the same values as in double, at twice the lanes.
struct SqrtRef {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x) { return std::sqrt(x); }
};

// np.square: wraps in integers (200 ** 2 in uint8 is 64); never sees bool (bool -> int8).
struct SquareRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x) {
    if constexpr (std::is_integral_v<T>)
      return T(uint_t<T>(x) * uint_t<T>(x));
    else
      return x * x;
  }
};

// np.reciprocal: 1/x in floats; in integers NumPy computes 1.0/x and converts it back, so 1/x
// truncated (0 unless x is 1 or -1), and for x = 0 what x86-64 makes of inf:
// np.reciprocal(np.zeros(1, t)) is the minimum for int32 and int64, 0 for the others.
struct ReciprocalRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x) {
    if constexpr (std::is_floating_point_v<T>) {
      return T(1) / x;
    } else {
      if (x == T(0)) return sizeof(T) >= 4 && std::is_signed_v<T> ? std::numeric_limits<T>::min() : T(0);
      return T(T(1) / x);
    }
  }
};

// np.absolute: bool is the identity, unsigned integers too; the minimum of a signed integer
// wraps to itself (np.absolute(np.int8(-128)) is -128); floats clear the sign bit.
struct AbsRef {
  template <class T>
  static T apply(T x) {
    if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>)
      return x;
    else if constexpr (std::is_integral_v<T>)
      return x < 0 ? T(uint_t<T>(0) - uint_t<T>(x)) : x;
    else
      return std::fabs(x);
  }
};

// np.divide: true division; every result dtype is a float (integers and bool are cast to
// float64 first), IEEE's quotients by zero included.
struct DivideRef {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x, T y) { return x / y; }
};

// np.floor_divide, np.remainder, np.fmod on integers: a zero divisor gives 0 (NumPy warns
// "divide by zero encountered" and gives 0: np.floor_divide(np.array([1], np.int8),
// np.array([0], np.int8)) is [0]), and the minimum divided by -1 gives the minimum with
// remainder 0 (np.floor_divide(np.array([-128], np.int8), np.array([-1], np.int8)) is [-128]);
// C's x / -1 there is undefined, so both are spelled out.
template <class T>
T trunc_quotient(T x, T y) {
  if (y == 0) return 0;
  if constexpr (std::is_signed_v<T>)
    if (y == T(-1)) return T(uint_t<T>(0) - uint_t<T>(x));
  return T(x / y);
}
template <class T>
T trunc_remainder(T x, T y) {
  if (y == 0) return 0;
  if constexpr (std::is_signed_v<T>)
    if (y == T(-1)) return 0;
  return T(x % y);
}
// Whether a nonzero remainder r and the divisor y differ in sign (then floor division
// corrects the truncated quotient by one and the remainder by y).
template <class T>
bool signs_differ(T r, T y) {
  return r != T(0) && ((r < T(0)) != (y < T(0)));
}

// np.floor_divide: integers round the quotient down; floats as Python's float floor
// division (NumPy's npy_floor_divide): a / y for a zero divisor, else from r = fmod(x, y),
// q = (x - r) / y less one where r's sign differs from y's, then the nearest integer to q
// (floor, up when q is more than half above it); a zero quotient has the sign of x / y.
// Never bool (bool -> int8).
struct FloorDivideRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      const T q = trunc_quotient(x, y);
      return signs_differ(trunc_remainder(x, y), y) ? T(q - 1) : q;
    } else {
      if (y == 0) return x / y;
      const T r = std::fmod(x, y);
      T q = (x - r) / y;
      if (signs_differ(r, y)) q -= 1;
      if (q == 0) return std::copysign(T(0), x / y);
      T f = std::floor(q);
      if (q - f > T(0.5)) f += 1;
      return f;
    }
  }
};

// np.remainder: the remainder with the divisor's sign; for floats a zero remainder is +-0
// with the divisor's sign (np.remainder(-4., 2.) is 0.0, np.remainder(4., -2.) is -0.0), and
// a zero divisor gives fmod's NaN.
struct RemainderRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      const T r = trunc_remainder(x, y);
      return signs_differ(r, y) ? T(r + y) : r;
    } else {
      const T r = std::fmod(x, y);
      if (y == 0 || r != r) return r;
      if (r == 0) return std::copysign(T(0), y);
      return signs_differ(r, y) ? r + y : r;
    }
  }
};

// np.fmod: C's truncated remainder, the dividend's sign.
struct FmodRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>)
      return trunc_remainder(x, y);
    else
      return std::fmod(x, y);
  }
};

// np.power: integers by repeated squaring, wrapping (np.power(np.array([3], np.int8),
// np.array([5], np.int8)) is [-13]; 0 ** 0 is 1). A negative integer exponent never gets
// here: NumPy raises ValueError for it (a data-dependent refusal of the registry, raised
// before the loop); were it computed, it would be 1 ** e = 1, (-1) ** e = +-1 and 0
// otherwise. Floats: pow in double, rounded once to T.
struct PowerRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x, T y) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>)
        if (y < 0) return x == 1 ? T(1) : x == -1 ? T(y % 2 == 0 ? 1 : -1) : T(0);
      uint_t<T> r = 1, b = uint_t<T>(x);
      for (uint_t<T> e = uint_t<T>(y); e != 0; e >>= 1) {
        if (e & 1u) r *= b;
        b *= b;
      }
      return T(r);
    } else {
      return T(std::pow(double(x), double(y)));
    }
  }
};

// np.maximum, np.minimum (a NaN operand gives NaN) and np.fmax, np.fmin (a NaN operand is
// ignored): bool is logical or / and. At a tie of -0 and +0, NumPy 1.24's float16 loops give
// the first operand and its float32 and float64 loops (SIMD or not) the second:
// np.maximum(np.float32(0), np.float32(-0.0)) is -0.0, np.maximum(np.float16(0), np.float16(-0.0))
// is 0.0. So the choice depends on the stored dtype (`stored<R>`), not just the float the
// loop computes in.
template <bool kMax, bool kIgnoreNaN>
struct ExtremumRef {
  template <class R, class T>
  static T stored(T x, T y) {
    if constexpr (std::is_same_v<T, bool>) {
      return kMax ? (x || y) : (x && y);
    } else if constexpr (std::is_integral_v<T>) {
      return (kMax ? x > y : x < y) ? x : y;
    } else {
      if (x != x) return kIgnoreNaN ? y : x;
      if (y != y) return kIgnoreNaN ? x : y;
      if (x == y) return spec::is_half_v<R> ? x : y;
      return (kMax ? x > y : x < y) ? x : y;
    }
  }
  template <class T>
  static T apply(T x, T y) { return stored<T>(x, y); }
};

// The binary float functions (np.arctan2, np.hypot, np.copysign, np.logaddexp): in double,
// rounded once to T, as InDoubleRef (F::f for the float64 rows, F::v for the float rows).
template <class F>
struct InDoubleRef2 {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x, T y) {
    if constexpr (std::is_same_v<T, double>)
      return F::f(x, y);
    else
      return T(F::v(double(x), double(y)));
  }
};
// log(e^x + e^y) = max + log1p(e^-|x - y|); equal operands (infinities of one sign among them)
// are x + log 2, a NaN operand NaN (np.logaddexp(np.inf, np.inf) is inf, of (-inf, -inf) -inf).
double logaddexp_of(double x, double y) {
  if (x == y) return x + 0.6931471805599453;  // ln 2
  const double d = x - y;
  if (std::isnan(d)) return d;
  return std::max(x, y) + std::log1p(std::exp(-std::fabs(d)));
}
// clang-format off
struct Atan2Of {
  static double f(double y, double x) { return std::atan2(y, x); }
  static double v(double y, double x) { return libmvec::atan2(y, x); }
};
struct HypotOf {
  static double f(double x, double y) { return std::hypot(x, y); }
  static double v(double x, double y) { return libmvec::hypot(x, y); }
};
struct LogaddexpOf {
  static double f(double x, double y) { return logaddexp_of(x, y); }
  static double v(double x, double y) { return logaddexp_of(x, y); }
};
// clang-format on

// np.copysign: exact in every float dtype (x's magnitude, y's sign bit, NaNs included).
struct CopysignRef {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x, T y) { return std::copysign(x, y); }
};

// np.nextafter: the next value of T itself after x toward y, so float16 (and bfloat16) step
// in their own bits, not in float's: the loop hands this reference the elements unwidened
// (kOnStorage). Equal operands give y in float32 and float64 (C's nextafter:
// np.nextafter(np.float32(0), np.float32(-0.)) is -0.0) but x in float16 (of np.float16 it is
// 0.0; bfloat16, which NumPy lacks, keeps C's y); a NaN operand gives NaN, a zero the smallest
// subnormal on y's side; otherwise the magnitude's bits move one up or down.
struct NextafterRef {
  static constexpr bool kOnStorage = true;
  template <class T>
  requires spec::is_float_v<T>
  static T apply(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::nextafter(x, y);
    } else {
      const double a = spec::to_double(x), b = spec::to_double(y);
      if (std::isnan(a) || std::isnan(b)) return spec::from_double<T>(a + b);
      if (a == b) return std::is_same_v<T, spec::float16> ? x : y;
      if (a == 0) return T::from_bits(b > 0 ? 0x0001 : 0x8001);
      const bool away_from_zero = (a < b) == (a > 0);
      return T::from_bits(std::uint16_t(away_from_zero ? x.bits + 1 : x.bits - 1));
    }
  }
};

// np.bitwise_and/or/xor: bool is logical (and, or, not-equal); integers bit by bit. The
// registry refuses floats (NumPy has no float loop), so the references have none.
template <class Int, class Bool>
struct BitwiseRef {
  template <class T>
  requires(std::is_integral_v<T>)
  static T apply(T x, T y) {
    if constexpr (std::is_same_v<T, bool>)
      return Bool{}(x, y);
    else
      return T(Int{}(x, y));
  }
};
using BitwiseAndRef = BitwiseRef<std::bit_and<>, std::logical_and<>>;
using BitwiseOrRef = BitwiseRef<std::bit_or<>, std::logical_or<>>;
using BitwiseXorRef = BitwiseRef<std::bit_xor<>, std::not_equal_to<>>;

// np.left_shift and np.right_shift, with NumPy's definition where C++ has none: an amount
// below 0 or at least the width shifts everything out (np.left_shift(np.int8(1), np.int8(8))
// and (.., -1) are 0; np.right_shift(np.int8(-5), np.int8(8)) is -1, of 5 0); within it, left
// wraps (np.left_shift(np.int32(1), 31) is -2**31) and right is arithmetic for signed
// integers. Never bool (bool -> int8 first).
template <class T>
constexpr bool shift_in_range(T n) {
  if constexpr (std::is_signed_v<T>)
    if (n < 0) return false;
  return std::uint64_t(n) < 8 * sizeof(T);
}
struct LeftShiftRef {
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) static T apply(T x, T n) {
    return shift_in_range(n) ? T(uint_t<T>(x) << unsigned(n)) : T(0);
  }
};
struct RightShiftRef {
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) static T apply(T x, T n) {
    if (shift_in_range(n)) return T(x >> unsigned(n));
    return x < 0 ? T(-1) : T(0);  // the sign fills every bit
  }
};

// ---- comparisons, logical ops and predicates: computed in the compute dtype (the loop casts
// the operands to it), returning bool, which the loop writes as a bool array. Comparisons are
// IEEE's, as NumPy's loops: NaN is unequal to everything, -0 == +0.

// `Cmp` is the standard library's comparison (std::less<> is IEEE's x < y).
template <class Cmp>
struct CompareRef {
  template <class T>
  static bool apply(T x, T y) { return Cmp{}(x, y); }
};

// NumPy's logical ops read nonzero as true: NaN is true, -0 false. `Op` combines the truths
// (std::logical_and<>, std::logical_or<>; std::not_equal_to<> is xor).
template <class T>
bool nonzero(T x) {
  return x != T(0);
}
template <class Op>
struct LogicalRef {
  template <class T>
  static bool apply(T x, T y) { return Op{}(nonzero(x), nonzero(y)); }
};
struct LogicalNotRef {
  template <class T>
  static bool apply(T x) { return !nonzero(x); }
};

// np.isnan, np.isinf, np.isfinite have loops for bool and the integers, which are finite.
struct IsnanRef {
  template <class T>
  static bool apply(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::isnan(x);
    else
      return false;
  }
};
struct IsinfRef {
  template <class T>
  static bool apply(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::isinf(x);
    else
      return false;
  }
};
struct IsfiniteRef {
  template <class T>
  static bool apply(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::isfinite(x);
    else
      return true;
  }
};
// np.signbit: floats only (the registry's compute dtype for bool and integers is a float);
// the sign bit of -0 and of a negative NaN too.
struct SignbitRef {
  template <class T>
  requires std::is_floating_point_v<T>
  // The sign bit read from the bits: std::signbit's float loop crashes GCC 12's vectoriser
  // ("unrecognizable insn"); the bits are what it tests.
  static bool apply(T x) {
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    return (std::bit_cast<U>(x) >> (8 * sizeof(T) - 1)) != 0;
  }
};

// ---- the rounding and sign ops ---------------------------------------------------------

// np.positive: the identity (bool is refused by the registry, as NumPy has no bool loop).
struct PositiveRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x) { return x; }
};

// np.sign: -1, 0 or 1 in T; -0 gives +0 (np.sign(np.array([-0.])) is [0.]) and NaN stays NaN
// (np.sign(np.array([np.nan])) is [nan]); unsigned integers 0 or 1. No bool loop (refused).
struct SignRef {
  template <class T>
  requires(!std::is_same_v<T, bool>) static T apply(T x) {
    if constexpr (std::is_unsigned_v<T>) {
      return x > T(0) ? T(1) : T(0);
    } else {
      if constexpr (std::is_floating_point_v<T>)
        if (x != x) return x;
      return x > T(0) ? T(1) : x < T(0) ? T(-1) : T(0);
    }
  }
};

// np.floor, np.ceil, np.trunc, np.rint: float loops only (bool and integers come cast to the
// float they cast to safely). The C library's functions are exact; rint rounds halves to even
// in the default rounding mode (np.rint(2.5) is 2.0), as nearbyint does without raising.
template <class F>
struct RoundingRef {
  template <class T>
  requires std::is_floating_point_v<T>
  static T apply(T x) { return F::f(x); }
};
// clang-format off
struct FloorOf { template <class T> static T f(T x) { return std::floor(x); } };
struct CeilOf { template <class T> static T f(T x) { return std::ceil(x); } };
struct TruncOf { template <class T> static T f(T x) { return std::trunc(x); } };
struct RintOf { template <class T> static T f(T x) { return std::nearbyint(x); } };
// clang-format on

// np.invert: ~x on integers, logical not on bool (np.invert(np.array([True])) is [False]);
// floats are refused by the registry (no loop).
struct InvertRef {
  template <class T>
  requires std::is_integral_v<T>
  static T apply(T x) {
    if constexpr (std::is_same_v<T, bool>)
      return !x;
    else
      return T(~x);
  }
};

// ---- ops of three operands, and ops with parameters

// np.where(condition, x, y): the condition read as truth (the loop casts it to bool first:
// nonzero, so NaN is true and -0 false: np.where(np.array([0., np.nan, -0.]), 1, 2) is [2, 1,
// 2]), the value taken as stored (kOnStorage: a NaN keeps its bits).
struct WhereRef {
  static constexpr unsigned kConditions = 0b001;
  static constexpr bool kOnStorage = true;
  template <class T>
  static T apply(bool c, T x, T y) { return c ? x : y; }
};

// np.clip(a, a_min, a_max) as NumPy 1.24's loops (_NPY_CLIP): max(a, a_min) then min(., a_max).
// The float32 and float64 loops keep their first operand only when it is NaN or strictly
// beyond the second, so a tie of -0 and +0 gives the bound (np.clip(np.float32(-0.), 0, 1) is
// 0.0, np.clip(0., -0., 1.) is -0.0); the float16 loop keeps it unless the second is strictly
// beyond, so a tie gives `a` (np.clip(np.float16(-0.), 0, 1) is -0.0): the choice depends on the
// stored dtype (`stored<R>`; bfloat16, which NumPy lacks, as float16). Either way a NaN anywhere
// gives NaN (np.clip(1., np.nan, 2.) is nan) and a_min > a_max gives a_max (np.clip(0., 6., 4.)
// is 4.0). bool: or with a_min, and with a_max.
struct ClipRef {
  template <class R, class T>
  static T stored(T a, T lo, T hi) {
    if constexpr (std::is_floating_point_v<T>) {
      if (spec::is_half_v<R>) {
        if (lo != lo) return lo;
        if (hi != hi) return hi;
        const T m = a < lo ? lo : a;
        return hi < m ? hi : m;
      }
      const T m = (a != a || a > lo) ? a : lo;
      return (m != m || m < hi) ? m : hi;
    } else {
      const T m = a > lo ? a : lo;
      return m < hi ? m : hi;
    }
  }
  template <class T>
  static T apply(T a, T lo, T hi) { return stored<T>(a, lo, hi); }
};

// np.nan_to_num(x, nan, posinf, neginf): floats replace NaN, +inf and -inf by the parameters
// (`s`: resolved by the registry, None being the dtype's extremes) converted to the element
// type (np.nan_to_num(np.array([np.inf], np.float16), posinf=1e6) is [inf]); bool and
// integers are returned as they are (np.nan_to_num(np.array([1], np.int8), nan=5.) is [1]).
struct NanToNumRef {
  template <class T>
  static T apply(const double* s, T x) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return T(s[0]);
      if (std::isinf(x)) return T(x > 0 ? s[1] : s[2]);
    }
    return x;
  }
};

// ---- elementwise ----------------------------------------------------------------------

// A Ref whose result depends on the stored dtype beyond the opmath value it computes on has
// `stored<R>(x...)`; one with scalar parameters `apply(scalars, x...)` (the op's resolved
// Scalar parameters); the others `apply(x...)`.
template <class Ref, class R, class... M>
auto apply_ref(const double* scalars, M... x) {
  if constexpr (requires { Ref::template stored<R>(x...); })
    return Ref::template stored<R>(x...);
  else if constexpr (requires { Ref::apply(scalars, x...); })
    return Ref::apply(scalars, x...);
  else
    return Ref::apply(x...);
}

// Operands a Ref reads as truth values (bit k: operand k; where's condition), as
// `kConditions`; the loop hands them over as bool. The registry row's `conditions` must say
// the same (the loop checks it).
template <class Ref>
constexpr unsigned ref_conditions() {
  if constexpr (requires { Ref::kConditions; })
    return Ref::kConditions;
  else
    return 0;
}
// The element type of the Ref's operand K for compute type C: bool for a condition, else C.
template <class Ref, class C, std::size_t K>
using operand_c = std::conditional_t<((ref_conditions<Ref>() >> K) & 1u) != 0, bool, C>;

// A reference that declares kOnStorage gets the elements of R themselves (nextafter).
template <class Ref>
constexpr bool on_storage() {
  if constexpr (requires { Ref::kOnStorage; })
    return Ref::kOnStorage;
  else
    return false;
}
template <class Ref, class R>
using compute_t = std::conditional_t<on_storage<Ref>(), R, spec::opmath_t<R>>;

// Operand K's element pointer in an element function's parameter list.
template <std::size_t>
using element_ptr = const char*;

// The row where every operand is contiguous: constant steps, so that the compiler may
// vectorise it (plain code all the same: the strided rows call the same element function, so
// the layout changes no value).
template <class Element, class P, class RS, class... KS>
void dense_row(const Element& element, char* o, const P& p, std::int64_t len, RS, KS...) noexcept {
  [&]<std::size_t... K>(std::index_sequence<K...>) noexcept {
    for (std::int64_t i = 0; i < len; ++i) element(o + i * RS::value, (p[K] + i * KS::value)...);
  }(std::make_index_sequence<sizeof...(KS)>{});
}

// One inner row of an elementwise loop: the output at o, operand k's first element at p[k],
// len elements, step[k] bytes apart (operand 0 the output).
using InnerRowFn = void (*)(const void* ctx, char* o, const char* const* p, std::int64_t len,
                            const std::int64_t* step);

// NumPy's iteration, as one function for every op and dtype: an odometer over every axis but
// the last calls `row` for the last (NumPy's inner loop), once per row, through a pointer (as
// NumPy calls its inner loops). `shape` has at least one axis; operand 0 is the output, then
// `nin` inputs (at most spec::kMaxArity), each with its byte strides.
void for_each_inner_row(const Shape& shape, char* out, const char* const* in, std::size_t nin,
                        const Strides* const* strides, InnerRowFn row, const void* ctx) {
  if (spec::numel(shape) == 0) return;
  const std::size_t n = nin + 1;
  std::array<std::int64_t, spec::kMaxArity + 1> step{}, off{};
  for (std::size_t k = 0; k < n; ++k) step[k] = strides[k]->back();
  std::array<const char*, spec::kMaxArity> p{};
  const std::size_t outer = shape.size() - 1;
  std::vector<std::int64_t> index(outer, 0);
  for (;;) {
    for (std::size_t k = 0; k < nin; ++k) p[k] = in[k] + off[k + 1];
    row(ctx, out + off[0], p.data(), shape.back(), step.data());
    // The next row: carry from the innermost outer axis to the left.
    std::size_t d = outer;
    for (; d-- > 0;) {
      ++index[d];
      for (std::size_t k = 0; k < n; ++k) off[k] += (*strides[k])[d];
      if (index[d] < shape[d]) break;
      for (std::size_t k = 0; k < n; ++k) off[k] -= (*strides[k])[d] * shape[d];
      index[d] = 0;
    }
    if (d == std::size_t(-1)) return;  // every outer axis wrapped (or there is none)
  }
}

// One loop over operands of the compute dtype C: each element widened to the opmath type
// (float for float16, as NumPy's half loops compute), the value function applied, the result
// rounded back to R (C, or bool for a value function that returns bool: comparisons,
// logical ops, predicates).
template <class Ref, class C, class R, std::size_t... K>
void elementwise_loop(const Shape& shape, char* out, const std::array<const char*, sizeof...(K)>& in,
                      const std::array<const Strides*, sizeof...(K) + 1>& strides, const double* scalars,
                      std::index_sequence<K...>) {
  // One element: out at o, operand K at p (each pointer its own parameter, not an array in
  // memory, so that a contiguous row can vectorise).
  const auto element = [scalars](char* o, element_ptr<K>... p) noexcept {
    if constexpr (on_storage<Ref>())
      store<R>(o, apply_ref<Ref, C>(scalars, load<operand_c<Ref, C, K>>(p)...));
    else
      store<R>(o, spec::narrow<R>(apply_ref<Ref, C>(scalars, spec::widen(load<operand_c<Ref, C, K>>(p))...)));
  };
  if (shape.empty()) return element(out, in[K]...);
  // Row by row (for_each_inner_row); where every operand is contiguous along the row, with
  // constant steps. The same element function either way, so the layout changes no value.
  using Element = decltype(element);
  const InnerRowFn row = [](const void* ctx, char* o, const char* const* p, std::int64_t len,
                            const std::int64_t* step) noexcept {
    const Element& element = *static_cast<const Element*>(ctx);
    // The row's pointers as locals (the stores through o could alias the caller's array, and
    // then no loop vectorises).
    const std::array<const char*, sizeof...(K)> q{p[K]...};
    const bool dense =
        step[0] == std::int64_t(sizeof(R)) && ((step[K + 1] == std::int64_t(sizeof(operand_c<Ref, C, K>))) && ...);
    if (dense)
      dense_row(element, o, q, len, std::integral_constant<std::int64_t, sizeof(R)>{},
                std::integral_constant<std::int64_t, sizeof(operand_c<Ref, C, K>)>{}...);
    else
      for (std::int64_t i = 0; i < len; ++i) element(o + i * step[0], (q[K] + i * step[K + 1])...);
  };
  for_each_inner_row(shape, out, in.data(), sizeof...(K), strides.data(), row, &element);
}

// NumPy's data-dependent errors (np.power of integers with a negative exponent): raised
// before computing when an element of the cast, broadcast operands satisfies the row.
void raise_value_refusal(OpId op, std::span<const spec::Operand> ops, std::span<const NdArray> views, DType ct,
                         const Shape& os) {
  if (!spec::has_value_refusal(op, kNumPy, ops, spec::Backend::Cpu)) return;
  std::vector<std::vector<double>> values;
  std::vector<spec::ElementValues> ev;
  values.reserve(views.size());
  for (const NdArray& v : views) values.push_back(v.to_doubles());
  for (std::size_t k = 0; k < views.size(); ++k) ev.push_back({&values[k], views[k].shape()});
  spec::raise_value_refusal(op, kNumPy, ops, spec::Backend::Cpu, ct, os, ev);
}

// Whether a value function takes operands of opmath type M (its conditions bool), and what
// it returns for them.
template <class Ref, class M, std::size_t... K>
constexpr bool has_ref(std::index_sequence<K...>) {
  return requires(operand_c<Ref, M, K>... x) { Ref::apply(x...); } ||
         requires(const double* s, operand_c<Ref, M, K>... x) { Ref::apply(s, x...); };
}
template <class Ref, class M, std::size_t... K>
auto ref_value(std::index_sequence<K...>)
    -> decltype(apply_ref<Ref, M>(static_cast<const double*>(nullptr), operand_c<Ref, M, K>{}...));

// A loop over the operands of one compute dtype, type-erased: the template part of an
// elementwise op is its loops alone, and everything around them (dtypes, shapes, casts,
// broadcasts, refusals) is run_elementwise below, compiled once for every op (it was
// instantiated per op and dtype, most of this file's code and compile time: docs/ci.md).
using LoopFn = void (*)(const Shape& shape, char* out, const char* const* in, const Strides* const* strides,
                        const double* scalars);
struct RefLoop {
  LoopFn loop;   // null: the reference has no loop for that compute dtype
  DType writes;  // the dtype the loop stores: bool, or the compute dtype
};

template <class Ref, class C, class R, std::size_t N>
void erased_loop(const Shape& shape, char* out, const char* const* in, const Strides* const* strides,
                 const double* scalars) {
  std::array<const char*, N> ptrs;
  std::array<const Strides*, N + 1> st;
  std::copy_n(in, N, ptrs.begin());
  std::copy_n(strides, N + 1, st.begin());
  elementwise_loop<Ref, C, R>(shape, out, ptrs, st, scalars, std::make_index_sequence<N>{});
}

template <class Ref, std::size_t N>
RefLoop ref_loop(DType ct) {
  return spec::visit_dtype(ct, [&](auto ctag) -> RefLoop {
    using C = typename decltype(ctag)::type;
    using M = compute_t<Ref, C>;
    using Seq = std::make_index_sequence<N>;
    if constexpr (has_ref<Ref, M>(Seq{})) {
      // The reference's own result type says what it writes: bool, or the compute dtype.
      using R = std::conditional_t<std::is_same_v<decltype(ref_value<Ref, M>(Seq{})), bool>, bool, C>;
      return {&erased_loop<Ref, C, R, N>, spec::dtype_of<R>()};
    } else {
      return {nullptr, ct};
    }
  });
}

// The op-independent part of every elementwise reference: `loop_for` gives the loop for a
// compute dtype, `conditions` the operands the reference reads as truth values.
NdArray run_elementwise(OpId op, std::span<const NdArray> in, const spec::Params& params, unsigned conditions,
                        RefLoop (*loop_for)(DType)) {
  const std::size_t n = in.size();
  if (n > std::size_t(spec::kMaxArity))
    throw RuntimeError("array engine: " + std::string(spec::op_spec(op).name) + " has more operands than " +
                       std::to_string(spec::kMaxArity));
  std::array<spec::Operand, spec::kMaxArity> ops;
  std::array<Shape, spec::kMaxArity> shapes;
  for (std::size_t k = 0; k < n; ++k) {
    ops[k] = {in[k].dtype(), in[k].ndim() == 0};
    shapes[k] = in[k].shape();
  }
  const std::span<const spec::Operand> operands(ops.data(), n);
  const DType ct = spec::compute_dtype(op, kNumPy, operands);
  const DType rt = spec::output_dtype(op, ct);
  const Shape os = spec::result_shape(op, kNumPy, std::span<const Shape>(shapes.data(), n), params);
  const std::array<double, spec::kMaxScalarParams> scalars = spec::scalar_values(op, params, ct);
  for (std::size_t k = 0; k < n; ++k)
    if (spec::op_spec(op).is_condition(k) != (((conditions >> k) & 1u) != 0))
      throw RuntimeError("array engine: the reference of " + std::string(spec::op_spec(op).name) +
                         " and the registry differ on whether operand " + std::to_string(k) + " is a condition");
  const RefLoop loop = loop_for(ct);
  if (loop.loop == nullptr)
    throw RuntimeError("array engine: " + std::string(spec::op_spec(op).name) + " has no reference for " +
                       std::string(spec::dtype_name(ct)) + " but the registry accepts it");
  if (loop.writes != rt)
    throw RuntimeError("array engine: the reference of " + std::string(spec::op_spec(op).name) + " writes " +
                       std::string(spec::dtype_name(loop.writes)) + " but the registry's result is " +
                       std::string(spec::dtype_name(rt)));
  NdArray out = make_owned(os, rt);
  // Operands of another dtype are cast to the compute dtype first (NumPy's casting to the
  // loop's dtype), then broadcast: stride 0 on the broadcast axes, so one loop over `os`
  // reads them all.
  std::array<NdArray, spec::kMaxArity> views;
  std::array<const char*, spec::kMaxArity> ptrs{};
  std::array<const Strides*, spec::kMaxArity + 1> strides{&out.strides()};
  for (std::size_t k = 0; k < n; ++k) {
    const DType want = spec::operand_dtype(op, k, ct);  // bool for a condition operand
    views[k] = (in[k].dtype() == want ? in[k] : in[k].astype(want)).broadcast_to(os);
    ptrs[k] = base_of(views[k]);
    strides[k + 1] = &views[k].strides();
  }
  // On the operands in the compute dtype.
  raise_value_refusal(op, operands, std::span<const NdArray>(views.data(), n), ct, os);
  loop.loop(os, base_of(out), ptrs.data(), strides.data(), scalars.data());
  return out;
}

template <class Ref, std::size_t N>
NdArray elementwise(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  return run_elementwise(op, in, params, ref_conditions<Ref>(), ref_loop<Ref, N>);
}

// ---- sum ------------------------------------------------------------------------------

// NumPy's pairwise summation (numpy/core/src/umath/loops_utils.h.src, pairwise_sum),
// re-derived: below 8 terms a plain loop from 0; up to 128 terms eight interleaved partial
// sums (term i goes to lane i % 8 for the largest multiple of 8), combined as a balanced tree,
// then the leftover terms one by one; above 128, split at half rounded down to a multiple of 8
// and recurse. Accumulates in T, as NumPy does (float32 sums stay float32).
template <class T>
T pairwise_sum(const T* x, std::int64_t n) {
  constexpr std::int64_t kBlock = 128;
  if (n < 8) {
    T s = T(0);
    for (std::int64_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
  if (n <= kBlock) {
    T lane[8];
    for (int j = 0; j < 8; ++j) lane[j] = x[j];
    const std::int64_t whole = n - n % 8;
    std::int64_t i = 8;
    for (; i < whole; i += 8)
      for (int j = 0; j < 8; ++j) lane[j] += x[i + j];
    T s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (; i < n; ++i) s += x[i];
    return s;
  }
  std::int64_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
}

// NumPy's ufunc buffer size (NPY_BUFSIZE): its reduction loop sees at most this many
// elements per call, so pairwise sums cover chunks of this length, added in sequence.
constexpr std::int64_t kNumPyBufferSize = 8192;

// One axis of the iteration, as NumPy's iterator sees it: size and byte strides of the
// input and of the output (0 on reduced axes).
struct IterAxis {
  std::int64_t size;
  std::int64_t in_stride;
  std::int64_t out_stride;
};

// The axis order NumPy's iterator picks (nditer's find_best_axis_ordering, re-derived): an
// insertion sort of the axes, innermost first, by |input stride|, moving an axis inward only
// when its stride is strictly smaller; stride-0 axes compare as ambiguous and stay put. The
// output is allocated after the order is chosen, so only the input's strides count. Returns
// the axes innermost first.
std::vector<int> numpy_axis_order(const NdArray& a) {
  const int nd = a.ndim();
  std::vector<int> perm(static_cast<std::size_t>(nd));
  for (int i = 0; i < nd; ++i) perm[std::size_t(i)] = nd - 1 - i;  // innermost (last C axis) first
  for (int i0 = 1; i0 < nd; ++i0) {
    const int j0 = perm[std::size_t(i0)];
    const std::int64_t s0 = a.strides()[std::size_t(j0)];
    int ipos = i0;
    for (int i1 = i0 - 1; i1 >= 0; --i1) {
      const std::int64_t s1 = a.strides()[std::size_t(perm[std::size_t(i1)])];
      if (s0 == 0 || s1 == 0) continue;  // ambiguous: look further
      if (std::abs(s1) <= std::abs(s0)) break;
      ipos = i1;
    }
    if (ipos != i0) {
      perm.erase(perm.begin() + i0);
      perm.insert(perm.begin() + ipos, j0);
    }
  }
  return perm;
}

// Merges neighbouring axes (innermost first) that walk both operands as one run, as NumPy's
// iterator coalesces them.
std::vector<IterAxis> coalesce(const std::vector<IterAxis>& axes) {
  std::vector<IterAxis> out;
  for (const IterAxis& ax : axes) {
    if (!out.empty()) {
      IterAxis& inner = out.back();
      const bool one = inner.size == 1 || ax.size == 1;
      if (one ||
          (inner.in_stride * inner.size == ax.in_stride && inner.out_stride * inner.size == ax.out_stride)) {
        if (inner.size == 1) {
          inner.in_stride = ax.in_stride;
          inner.out_stride = ax.out_stride;
        }
        inner.size *= ax.size;
        continue;
      }
    }
    out.push_back(ax);
  }
  return out;
}

// A float sum in NumPy's order (checked bit for bit against NumPy 1.24 by
// scripts/check-sum-order): the output starts at 0 (add's identity); the iterator walks the
// axes in NumPy's order; where the innermost run of axes is reduced, each chunk of up to
// kNumPyBufferSize of its terms is summed pairwise and added to the output element; where
// the innermost axis is kept, each row is added elementwise. So outer axes add row by row,
// and pairwise sums reach only as far as the innermost reduced run.
template <class T>
NdArray float_sum(const NdArray& a, const std::vector<int>& reduced, const Shape& result) {
  const std::vector<int> order = numpy_axis_order(a);  // innermost first
  auto is_reduced = [&](int d) { return std::find(reduced.begin(), reduced.end(), d) != reduced.end(); };
  // The output in the iteration order (as NumPy allocates it): kept axes, outermost first.
  Shape kept_shape;
  std::vector<int> kept_axes;
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (!is_reduced(*it)) {
      kept_axes.push_back(*it);
      kept_shape.push_back(a.shape()[std::size_t(*it)]);
    }
  NdArray buf = NdArray::zeros(kept_shape, spec::dtype_of<T>());
  std::vector<std::int64_t> out_stride(std::size_t(a.ndim()), 0);
  for (std::size_t k = 0; k < kept_axes.size(); ++k) out_stride[std::size_t(kept_axes[k])] = buf.strides()[k];

  std::vector<IterAxis> axes;
  for (int d : order)
    axes.push_back({a.shape()[std::size_t(d)], a.strides()[std::size_t(d)], out_stride[std::size_t(d)]});
  const std::vector<IterAxis> co = coalesce(axes);
  if (a.size() > 0 && !co.empty()) {
    // The inner loop: the innermost run of reduced axes, walked as one (NumPy's buffered
    // reduction hands them to the loop as one flat run), or else the innermost kept axis.
    std::size_t run = 0;
    while (run < co.size() && co[run].out_stride == 0) ++run;
    const std::size_t inner_dims = std::max<std::size_t>(run, 1);
    Shape inner_shape, outer_shape;
    Strides inner_in, outer_in, outer_out;
    for (std::size_t k = co.size(); k-- > 0;) {
      if (k < inner_dims) {
        inner_shape.push_back(co[k].size);
        inner_in.push_back(co[k].in_stride);
      } else {
        outer_shape.push_back(co[k].size);
        outer_in.push_back(co[k].in_stride);
        outer_out.push_back(co[k].out_stride);
      }
    }
    const char* pin = base_of(a);
    char* pout = base_of(buf);
    // float16 adds in float (its opmath), as NumPy's HALF_add: the pairwise sum of a chunk
    // runs in float, and the output element is rounded back to float16 after each chunk
    // (or each row, where the innermost axis is kept).
    using M = spec::opmath_t<T>;
    std::vector<M> chunk(std::size_t(std::min(spec::numel(inner_shape), kNumPyBufferSize)));
    auto add_to = [](char* o, M v) { store<T>(o, spec::narrow<T>(spec::widen(load<T>(o)) + v)); };
    for (Odometer<2> it(outer_shape, {&outer_in, &outer_out}); !it.done(); it.next()) {
      const char* x = pin + it.offset(0);
      char* o = pout + it.offset(1);
      if (run > 0) {
        // out += pairwise(chunk) for each chunk of up to kNumPyBufferSize terms, in order.
        std::size_t n = 0;
        for (Odometer<1> in(inner_shape, {&inner_in}); !in.done(); in.next()) {
          chunk[n++] = spec::widen(load<T>(x + in.offset(0)));
          if (std::int64_t(n) == kNumPyBufferSize) {
            add_to(o, pairwise_sum(chunk.data(), std::int64_t(n)));
            n = 0;
          }
        }
        if (n > 0) add_to(o, pairwise_sum(chunk.data(), std::int64_t(n)));
      } else {
        const IterAxis& inner = co.front();  // kept: one row added elementwise
        for (std::int64_t i = 0; i < inner.size; ++i)
          add_to(o + i * inner.out_stride, spec::widen(load<T>(x + i * inner.in_stride)));
      }
    }
  } else if (a.size() > 0) {  // 0-d: nothing to iterate but the one element
    store<T>(base_of(buf), spec::narrow<T>(spec::opmath_t<T>(0) + spec::widen(load<T>(base_of(a)))));
  }
  // Back to the original axis order, C-contiguous, with keepdims' size-1 axes.
  std::vector<int> to_original;  // position in buf of each kept axis, in original order
  for (int d = 0; d < a.ndim(); ++d)
    if (!is_reduced(d))
      to_original.push_back(int(std::find(kept_axes.begin(), kept_axes.end(), d) - kept_axes.begin()));
  return buf.transpose(to_original).copy().reshape(result);
}

// A reduction's result dtype, result shape (raising NumPy's errors) and reduced axes.
struct ReductionSetup {
  DType rt;
  Shape os;
  std::vector<int> reduced;
};
ReductionSetup reduction_setup(OpId op, const NdArray& a, const spec::Params& params) {
  const spec::Operand ops[] = {{a.dtype(), a.ndim() == 0}};
  const Shape shapes[] = {a.shape()};
  return {spec::result_dtype(op, kNumPy, ops), spec::result_shape(op, kNumPy, shapes, params),
          spec::reduction_axes(op, kNumPy, a.ndim(), params.axes)};
}

// Kept axes (one output element per index) and reduced axes (its terms), each in C order,
// with a's strides; output element k is the k-th kept index.
struct AxisSplit {
  Shape kept_shape;
  Strides kept_strides;
  Shape red_shape;
  Strides red_strides;
};
AxisSplit split_axes(const NdArray& a, const std::vector<int>& reduced) {
  AxisSplit s;
  for (int d = 0; d < a.ndim(); ++d) {
    const bool r = std::find(reduced.begin(), reduced.end(), d) != reduced.end();
    (r ? s.red_shape : s.kept_shape).push_back(a.shape()[std::size_t(d)]);
    (r ? s.red_strides : s.kept_strides).push_back(a.strides()[std::size_t(d)]);
  }
  return s;
}

NdArray sum_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const NdArray& a = in[0];
  const auto [rt, os, reduced] = reduction_setup(op, a, params);
  if (spec::is_floating(a.dtype())) {
    return spec::visit_dtype(a.dtype(), [&](auto tag) -> NdArray {
      using T = typename decltype(tag)::type;
      if constexpr (spec::is_float_v<T>)
        return float_sum<T>(a, reduced, os);
      else
        throw RuntimeError("unreachable: float dtype without a float type");
    });
  }
  // bool and integers: a 64-bit accumulator (int64, or uint64 for unsigned inputs: the same
  // bits), wrapping like NumPy's adds; the order does not matter.
  const auto [kept_shape, kept_strides, red_shape, red_strides] = split_axes(a, reduced);
  NdArray out = make_owned(os, rt);
  char *po = base_of(out), *pa = base_of(a);
  spec::visit_dtype(a.dtype(), [&](auto atag) {
    using A = typename decltype(atag)::type;
    std::int64_t k = 0;
    for (Odometer<1> outer(kept_shape, {&kept_strides}); !outer.done(); outer.next(), ++k) {
      const char* first = pa + outer.offset(0);
      std::uint64_t acc = 0;
      for (Odometer<1> inner(red_shape, {&red_strides}); !inner.done(); inner.next())
        acc += std::uint64_t(cast_value<std::int64_t>(load<A>(first + inner.offset(0))));
      store<std::int64_t>(po + k * std::int64_t(sizeof(std::int64_t)), std::int64_t(acc));
    }
  });
  return out;
}

// ---- mean, prod, amax, amin, all, any -------------------------------------------------

// A copy of `a` in `dtype` whose memory runs in the order NumPy's iterator walks `a`
// (numpy_axis_order), so that a sum over the copy adds in the order NumPy's buffered cast
// feeds its loop (np.mean's umr_sum(arr, dtype=...)).
NdArray astype_in_walk_order(const NdArray& a, DType dtype) {
  const std::vector<int> order = numpy_axis_order(a);  // innermost first
  std::vector<int> outer_first(order.rbegin(), order.rend());
  std::vector<int> back(outer_first.size());
  for (std::size_t k = 0; k < outer_first.size(); ++k) back[std::size_t(outer_first[k])] = int(k);
  return a.transpose(outer_first).astype(dtype).transpose(back);
}

// np.nansum as numpy/lib/nanfunctions.py: _replace_nan copies the array (np.array(a,
// copy=True): the same memory order) with 0 where it is NaN, and np.sum adds the copy; bool
// and integers have no NaN and go to np.sum as they are.
NdArray nansum_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const NdArray& a = in[0];
  if (!spec::is_floating(a.dtype())) return sum_ref(op, in, params);
  NdArray copy = astype_in_walk_order(a, a.dtype());
  spec::visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (spec::is_float_v<T>) {
      for (Odometer<1> it(copy.shape(), {&copy.strides()}); !it.done(); it.next()) {
        char* p = base_of(copy) + it.offset(0);
        if (spec::widen(load<T>(p)) != spec::widen(load<T>(p))) store<T>(p, spec::narrow<T>(spec::opmath_t<T>(0)));
      }
    }
  });
  return sum_ref(op, std::array{copy}, params);
}

// np.mean as numpy/core/_methods.py's _mean: bool and integers summed in float64, float16 in
// float32 (umr_sum with that dtype, in sum's order), then divided by the count: where the
// result is an array, by true_divide in the sum's dtype; where it is a scalar (every axis
// reduced, no keepdims), as ret.dtype.type(ret / rcount), a float64 division rounded to the
// sum's dtype. A float16 result is rounded from that last.
NdArray mean_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const NdArray& a = in[0];
  const auto [rt, os, reduced] = reduction_setup(op, a, params);
  std::int64_t count = 1;
  for (int d : reduced) count *= a.shape()[std::size_t(d)];
  const DType acc = spec::is_half(rt) ? DType::Float32 : rt;  // float16 in float32
  const NdArray cast = a.dtype() == acc ? a : astype_in_walk_order(a, acc);
  const bool scalar = os.empty();
  return spec::visit_dtype(acc, [&](auto tag) -> NdArray {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      NdArray s = float_sum<T>(cast, reduced, os);
      T* p = static_cast<T*>(s.data());
      for (std::int64_t i = 0; i < s.size(); ++i)
        p[i] = scalar ? T(double(p[i]) / double(count)) : T(p[i] / T(count));
      return s.astype(rt);
    } else {
      throw RuntimeError("mean: unexpected accumulation dtype " + std::string(spec::dtype_name(acc)));
    }
  });
}

// np.nanmean as numpy/lib/nanfunctions.py: bool and integers (no NaN) go to np.mean; floats
// divide the nansum (np.sum of the copy with 0 for NaN, in the input's dtype) by the count of
// elements that are not NaN (np.sum(~mask, dtype=np.intp)), with np.divide(tot, cnt,
// casting='unsafe'): float / int64 computes in float64, rounded once to the dtype (a scalar
// result as tot.dtype.type(tot / cnt), the same). An all-NaN slice is 0 / 0: NaN.
NdArray nanmean_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const NdArray& a = in[0];
  if (!spec::is_floating(a.dtype())) return mean_ref(op, in, params);
  const auto [rt, os, reduced] = reduction_setup(op, a, params);
  const std::vector<double> tot = nansum_ref(op, in, params).to_doubles();
  std::vector<double> kept = a.to_doubles();
  for (double& v : kept) v = std::isnan(v) ? 0.0 : 1.0;
  const std::vector<double> cnt =
      sum_ref(OpId::Sum, std::array{NdArray::from_values<double>(a.shape(), kept)}, params).to_doubles();
  std::vector<double> avg(tot.size());
  for (std::size_t i = 0; i < tot.size(); ++i) avg[i] = tot[i] / cnt[i];
  return NdArray::from_values<double>(os, avg).astype(rt);
}

// One output element's fold over its reduced elements, for prod, amax, amin, all and any.
template <class T>
struct Folder {
  // prod: each product rounded to T (NumPy's half loop multiplies in float and rounds each
  // step), integers wrapping in the 64-bit accumulator the result dtype is
  static T prod(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else if constexpr (std::is_integral_v<T>)
      return T(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
    else
      return spec::narrow<T>(spec::widen(a) * spec::widen(b));
  }
  // amax/amin: a NaN is kept once met. A tie keeps the element met later in float32 and
  // float64 (NumPy 1.24's loops: np.amax(np.array([-0., 0.])) is 0.0, of [0., -0.] -0.0) and
  // the one held in float16 (its scalar loop: io1 >= in2 ? io1 : in2, so -0.0 for [-0., 0.]);
  // bfloat16, which NumPy lacks, as float16.
  template <bool kMax>
  static T extremum(T a, T b) {
    if constexpr (!std::is_integral_v<T>)
      if (spec::widen(a) != spec::widen(a)) return a;
    const auto x = spec::widen(a), y = spec::widen(b);
    if constexpr (spec::is_half_v<T>)
      return (kMax ? y > x : y < x) || y != y ? b : a;
    else
      return (kMax ? x > y : x < y) ? a : b;
  }
};

// np.prod, np.amax, np.amin, np.all, np.any, np.count_nonzero: each output element folds its reduced elements
// one at a time in the order NumPy's iterator meets them (numpy_axis_order; a product's
// rounding depends on it), starting from the identity (prod 1, all true, any false) or, for
// amax and amin, which have none, from the first element.
NdArray fold_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const spec::OpSpec& row = spec::op_spec(op);
  const NdArray& a = in[0];
  const auto [rt, os, reduced] = reduction_setup(op, a, params);  // amax of nothing raises
  auto is_reduced = [&](int d) { return std::find(reduced.begin(), reduced.end(), d) != reduced.end(); };
  // Kept axes in C order (output element k is the k-th kept index); reduced axes outermost
  // first in NumPy's walk, so the innermost (smallest stride) varies fastest.
  const std::vector<int> order = numpy_axis_order(a);
  // prod and the extrema fold in the result dtype (prod's accumulator: int64, uint64 or the
  // float); all and any in bool.
  const NdArray src = row.reduce == spec::Reduce::Prod && a.dtype() != rt ? a.astype(rt) : a;
  NdArray out = make_owned(os, rt);
  char* po = base_of(out);
  const char* pa = base_of(src);
  const Strides& ss = src.strides();
  // src keeps a's layout unless it was cast (astype: C order); walk its own strides.
  Shape kept_shape, red_shape;
  Strides k_st, r_st;
  for (int d = 0; d < a.ndim(); ++d)
    if (!is_reduced(d)) {
      kept_shape.push_back(a.shape()[std::size_t(d)]);
      k_st.push_back(ss[std::size_t(d)]);
    }
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (is_reduced(*it)) {
      red_shape.push_back(a.shape()[std::size_t(*it)]);
      r_st.push_back(ss[std::size_t(*it)]);
    }
  spec::visit_dtype(src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::int64_t k = 0;
    for (Odometer<1> outer(kept_shape, {&k_st}); !outer.done(); outer.next(), ++k) {
      const char* first = pa + outer.offset(0);
      switch (row.reduce) {
        case spec::Reduce::All:
        case spec::Reduce::Any: {
          const bool all = row.reduce == spec::Reduce::All;
          bool v = all;
          for (Odometer<1> r(red_shape, {&r_st}); !r.done(); r.next()) {
            const bool x = cast_value<bool>(load<T>(first + r.offset(0)));
            v = all ? (v && x) : (v || x);
          }
          store<bool>(po + k, v);
          break;
        }
        case spec::Reduce::Count: {  // np.count_nonzero: the elements that are true as bool
          std::int64_t v = 0;
          for (Odometer<1> r(red_shape, {&r_st}); !r.done(); r.next())
            v += cast_value<bool>(load<T>(first + r.offset(0))) ? 1 : 0;
          store<std::int64_t>(po + k * std::int64_t(sizeof(std::int64_t)), v);
          break;
        }
        case spec::Reduce::Prod: {
          if constexpr (std::is_same_v<T, bool>) {
            throw RuntimeError("prod: the accumulator is never bool");
          } else {
            T v = spec::narrow<T>(spec::opmath_t<T>(1));
            for (Odometer<1> r(red_shape, {&r_st}); !r.done(); r.next())
              v = Folder<T>::prod(v, load<T>(first + r.offset(0)));
            store<T>(po + k * std::int64_t(sizeof(T)), v);
          }
          break;
        }
        case spec::Reduce::Max:
        case spec::Reduce::Min: {
          const bool mx = row.reduce == spec::Reduce::Max;
          Odometer<1> r(red_shape, {&r_st});
          T v = load<T>(first + r.offset(0));  // result_shape refused an empty reduction
          for (r.next(); !r.done(); r.next()) {
            const T x = load<T>(first + r.offset(0));
            v = mx ? Folder<T>::template extremum<true>(v, x) : Folder<T>::template extremum<false>(v, x);
          }
          store<T>(po + k * std::int64_t(sizeof(T)), v);
          break;
        }
        case spec::Reduce::None:
        case spec::Reduce::Sum:
        case spec::Reduce::Mean:
        case spec::Reduce::ArgMax:
        case spec::Reduce::ArgMin:
        case spec::Reduce::NanSum:
        case spec::Reduce::NanMean:
          throw RuntimeError("fold_ref: " + std::string(row.name) + " is not a fold");
      }
    }
  });
  return out;
}

// ---- argmax, argmin ---------------------------------------------------------------------

// np.argmax / np.argmin as NumPy's @TYPE@_argmax loops: each output scans its reduced
// elements in C order of the reduced axes (the one axis, or all of them: the flattened
// array), from the first; for argmax an element takes over when !(x <= held) (a NaN, or a
// larger value), for argmin when !(x >= held), and a NaN held ends the scan. So ties keep
// the first, and the first NaN wins. Bool compares as 0 and 1.
NdArray arg_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const spec::OpSpec& row = spec::op_spec(op);
  const NdArray& a = in[0];
  const auto [rt, os, reduced] = reduction_setup(op, a, params);  // an empty sequence raises
  const bool mx = row.reduce == spec::Reduce::ArgMax;
  const auto [kept_shape, k_st, red_shape, r_st] = split_axes(a, reduced);
  NdArray out = make_owned(os, rt);
  std::int64_t* po = static_cast<std::int64_t*>(out.data());
  const char* pa = base_of(a);
  spec::visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::int64_t k = 0;
    for (Odometer<1> outer(kept_shape, {&k_st}); !outer.done(); outer.next(), ++k) {
      const char* first = pa + outer.offset(0);
      Odometer<1> r(red_shape, {&r_st});
      auto held = spec::widen(load<T>(first + r.offset(0)));
      std::int64_t at = 0, i = 0;
      for (r.next(), ++i; !r.done() && held == held; r.next(), ++i) {
        const auto x = spec::widen(load<T>(first + r.offset(0)));
        if (mx ? !(x <= held) : !(x >= held)) {
          held = x;
          at = i;
        }
      }
      po[k] = at;
    }
  });
  return out;
}

// ---- astype ---------------------------------------------------------------------------

// x.astype(dtype): a new array of the target dtype (NumPy's default copy=True copies even to
// the same dtype), each element cast as NumPy's unsafe casts do (detail::cast_value).
NdArray astype_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const spec::Operand ops[] = {{in[0].dtype(), in[0].ndim() == 0}};
  return in[0].astype(spec::result_dtype(op, kNumPy, ops, spec::Backend::Cpu, params));
}

// ---- matmul ---------------------------------------------------------------------------

NdArray matmul_ref(OpId op, std::span<const NdArray> in, const spec::Params& params) {
  const NdArray &a = in[0], &b = in[1];
  const spec::Operand ops[] = {{a.dtype(), a.ndim() == 0}, {b.dtype(), b.ndim() == 0}};
  const Shape shapes[] = {a.shape(), b.shape()};
  const Shape os = spec::result_shape(op, kNumPy, shapes, params);  // 2-D, k matches
  const DType rt = spec::result_dtype(op, kNumPy, ops);
  const std::int64_t m = os[0], n = os[1], k = a.shape()[1];
  NdArray out = make_owned(os, rt);
  char* po = base_of(out);
  // Rows of A and columns of B (rows of B^T) as contiguous rows of the compute type.
  auto rows = [&](DType t) { return std::pair{a.astype(t), b.transpose().astype(t)}; };
  spec::visit_dtype(rt, [&](auto tag) {
    using R = typename decltype(tag)::type;
    if constexpr (spec::is_float_v<R>) {
      // Every float dtype widens exactly to double. Each dot product is accumulated in
      // double with compensation (TwoProduct via fma, TwoSum: Ogita, Rump and Oishi's Dot2)
      // and rounded to R once: about as accurate as twice double precision, a better
      // reference than BLAS, which sums in the input precision in a blocked order.
      const auto [ad, btd] = rows(DType::Float64);
      const double* pa = static_cast<const double*>(ad.data());
      const double* pb = static_cast<const double*>(btd.data());
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
          const double* x = pa + i * k;
          const double* y = pb + j * k;
          double s = 0.0, err = 0.0;
          for (std::int64_t p = 0; p < k; ++p) {
            const double prod = x[p] * y[p];
            const double prod_err = std::fma(x[p], y[p], -prod);  // exact: x*y = prod + prod_err
            const double t = s + prod;
            const double bv = t - s;
            const double sum_err = (s - (t - bv)) + (prod - bv);  // exact: s+prod = t + sum_err
            s = t;
            err += prod_err + sum_err;
          }
          // An inf or NaN makes the error terms NaN; then the plain sum is the answer.
          const double dot = std::isfinite(s) ? s + err : s;
          store<R>(po + (i * n + j) * std::int64_t(sizeof(R)), cast_value<R>(dot));
        }
    } else {
      // Integers: products and sums in R, wrapping, as NumPy's integer matmul loop; bool:
      // "any of x[p] and y[p]" (np.matmul of bool arrays is logical or of ands).
      const auto [ar, btr] = rows(rt);
      const R* pa = static_cast<const R*>(ar.data());
      const R* pb = static_cast<const R*>(btr.data());
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
          R s = R(0);
          for (std::int64_t p = 0; p < k; ++p)
            s = AddRef::apply(s, MulRef::apply(pa[i * k + p], pb[j * k + p]));
          store<R>(po + (i * n + j) * std::int64_t(sizeof(R)), s);
        }
    }
  });
  return out;
}

// ---- composites: ops NumPy lacks, computed as the row's numpy_formula ------------------
// Each is the formula evaluated with the engine's own NumPy ops, one call per step, so every
// step is rounded to its dtype and promotes, wraps and refuses as NumPy's does (the formula's
// -x of a bool raises np.negative's error; of np.uint8(1) it is 255). The registry's refusals
// and result dtype are raised and checked around it, so a formula and its row cannot drift.

// A Python number in the formula, as NEP 50 treats it beside an array `like`: weak, so it
// takes like's dtype, except that an int beside bool is int64 and a float beside bool or an
// integer is float64 (np.maximum(np.ones(3, bool), 0).dtype is int64).
NdArray weak(double v, const NdArray& like) {
  const DType d = like.dtype();
  if (spec::is_floating(d)) return NdArray::full({}, v, d);
  if (v != std::trunc(v)) return NdArray::full({}, v, DType::Float64);
  return NdArray::full({}, v, spec::is_bool(d) ? DType::Int64 : d);
}
NdArray np_op(OpId id, const NdArray& a) { return call(id, std::array{a}); }
NdArray np_op(OpId id, const NdArray& a, const NdArray& b) { return call(id, std::array{a, b}); }

// The formulas, each the text of its row's numpy_formula.
NdArray relu_formula(const NdArray& x) { return np_op(OpId::Maximum, x, weak(0, x)); }  // maximum(x, 0)
NdArray one_plus_exp_neg(const NdArray& x) {  // 1 + exp(-x)
  const NdArray e = np_op(OpId::Exp, np_op(OpId::Neg, x));
  return np_op(OpId::Add, weak(1, e), e);
}
NdArray sigmoid_formula(const NdArray& x) {  // 1 / (1 + exp(-x))
  const NdArray den = one_plus_exp_neg(x);
  return np_op(OpId::Divide, weak(1, den), den);
}
NdArray silu_formula(const NdArray& x) { return np_op(OpId::Divide, x, one_plus_exp_neg(x)); }  // x / (1 + exp(-x))

NdArray softplus_formula(const NdArray& x) {  // where(x > 20, x, log1p(exp(x)))
  return call(OpId::Where,
              std::array{np_op(OpId::Greater, x, weak(20, x)), x, np_op(OpId::Log1p, np_op(OpId::Exp, x))});
}

// 0.5 * x * (1 + scipy.special.erf(x * 0.7071067811865476))
NdArray gelu_formula(const NdArray& x) {
  const NdArray half_x = np_op(OpId::Mul, weak(0.5, x), x);
  const NdArray e = np_op(OpId::Erf, np_op(OpId::Mul, x, weak(0.7071067811865476, x)));
  return np_op(OpId::Mul, half_x, np_op(OpId::Add, weak(1, e), e));
}
// 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * (x * x * x))))
NdArray gelu_tanh_formula(const NdArray& x) {
  const NdArray half_x = np_op(OpId::Mul, weak(0.5, x), x);
  const NdArray cube = np_op(OpId::Mul, np_op(OpId::Mul, x, x), x);
  const NdArray sum = np_op(OpId::Add, x, np_op(OpId::Mul, weak(0.044715, cube), cube));
  const NdArray t = np_op(OpId::Tanh, np_op(OpId::Mul, weak(0.7978845608028654, sum), sum));
  return np_op(OpId::Mul, half_x, np_op(OpId::Add, weak(1, t), t));
}

template <NdArray (*Formula)(const NdArray&)>
NdArray composite(OpId op, std::span<const NdArray> in, const spec::Params&) {
  const spec::Operand ops[] = {{in[0].dtype(), in[0].ndim() == 0}};
  const DType rt = spec::result_dtype(op, kNumPy, ops);  // raises the row's refusals
  NdArray out = Formula(in[0]);
  if (out.dtype() != rt)
    throw RuntimeError("array engine: the formula of " + std::string(spec::op_spec(op).name) + " gives " +
                       std::string(spec::dtype_name(out.dtype())) + " but the registry's result is " +
                       std::string(spec::dtype_name(rt)));
  return out;
}

// ---- the table ------------------------------------------------------------------------

using Impl = NdArray (*)(OpId, std::span<const NdArray>, const spec::Params&);
struct ImplRow {
  OpId op;
  Impl impl;
};

// clang-format off
constexpr std::array kImpls{
  ImplRow{OpId::Add,    elementwise<AddRef, 2>},
  ImplRow{OpId::Mul,    elementwise<MulRef, 2>},
  ImplRow{OpId::Neg,    elementwise<NegRef, 1>},
  ImplRow{OpId::Exp,    elementwise<ExpRef, 1>},
  ImplRow{OpId::Sum,    sum_ref},
  ImplRow{OpId::Matmul, matmul_ref},
  ImplRow{OpId::Sub,    elementwise<SubRef, 2>},
  ImplRow{OpId::Sqrt,      elementwise<SqrtRef, 1>},
  ImplRow{OpId::Log,       elementwise<InDoubleRef<LogOf>, 1>},
  ImplRow{OpId::Sin,       elementwise<InDoubleRef<SinOf>, 1>},
  ImplRow{OpId::Cos,       elementwise<InDoubleRef<CosOf>, 1>},
  ImplRow{OpId::Tanh,      elementwise<InDoubleRef<TanhOf>, 1>},
  ImplRow{OpId::Square,    elementwise<SquareRef, 1>},
  ImplRow{OpId::Reciprocal,elementwise<ReciprocalRef, 1>},
  ImplRow{OpId::Log1p,     elementwise<InDoubleRef<Log1pOf>, 1>},
  ImplRow{OpId::Expm1,     elementwise<InDoubleRef<Expm1Of>, 1>},
  ImplRow{OpId::Log2,      elementwise<InDoubleRef<Log2Of>, 1>},
  ImplRow{OpId::Log10,     elementwise<InDoubleRef<Log10Of>, 1>},
  ImplRow{OpId::Exp2,      elementwise<InDoubleRef<Exp2Of>, 1>},
  ImplRow{OpId::Tan,       elementwise<InDoubleRef<TanOf>, 1>},
  ImplRow{OpId::Asin,      elementwise<InDoubleRef<AsinOf>, 1>},
  ImplRow{OpId::Acos,      elementwise<InDoubleRef<AcosOf>, 1>},
  ImplRow{OpId::Atan,      elementwise<InDoubleRef<AtanOf>, 1>},
  ImplRow{OpId::Sinh,      elementwise<InDoubleRef<SinhOf>, 1>},
  ImplRow{OpId::Cosh,      elementwise<InDoubleRef<CoshOf>, 1>},
  ImplRow{OpId::Asinh,     elementwise<InDoubleRef<AsinhOf>, 1>},
  ImplRow{OpId::Acosh,     elementwise<InDoubleRef<AcoshOf>, 1>},
  ImplRow{OpId::Atanh,     elementwise<InDoubleRef<AtanhOf>, 1>},
  ImplRow{OpId::Abs,       elementwise<AbsRef, 1>},
  ImplRow{OpId::Divide,    elementwise<DivideRef, 2>},
  ImplRow{OpId::FloorDivide, elementwise<FloorDivideRef, 2>},
  ImplRow{OpId::Remainder, elementwise<RemainderRef, 2>},
  ImplRow{OpId::Fmod,      elementwise<FmodRef, 2>},
  ImplRow{OpId::Power,     elementwise<PowerRef, 2>},
  ImplRow{OpId::Maximum,   elementwise<ExtremumRef<true, false>, 2>},
  ImplRow{OpId::Minimum,   elementwise<ExtremumRef<false, false>, 2>},
  ImplRow{OpId::Fmax,      elementwise<ExtremumRef<true, true>, 2>},
  ImplRow{OpId::Fmin,      elementwise<ExtremumRef<false, true>, 2>},
  ImplRow{OpId::Atan2,     elementwise<InDoubleRef2<Atan2Of>, 2>},
  ImplRow{OpId::Hypot,     elementwise<InDoubleRef2<HypotOf>, 2>},
  ImplRow{OpId::Copysign,  elementwise<CopysignRef, 2>},
  ImplRow{OpId::Nextafter, elementwise<NextafterRef, 2>},
  ImplRow{OpId::Logaddexp, elementwise<InDoubleRef2<LogaddexpOf>, 2>},
  ImplRow{OpId::BitwiseAnd,elementwise<BitwiseAndRef, 2>},
  ImplRow{OpId::BitwiseOr, elementwise<BitwiseOrRef, 2>},
  ImplRow{OpId::BitwiseXor,elementwise<BitwiseXorRef, 2>},
  ImplRow{OpId::LeftShift, elementwise<LeftShiftRef, 2>},
  ImplRow{OpId::RightShift,elementwise<RightShiftRef, 2>},
  ImplRow{OpId::Equal,        elementwise<CompareRef<std::equal_to<>>, 2>},
  ImplRow{OpId::NotEqual,     elementwise<CompareRef<std::not_equal_to<>>, 2>},
  ImplRow{OpId::Less,         elementwise<CompareRef<std::less<>>, 2>},
  ImplRow{OpId::LessEqual,    elementwise<CompareRef<std::less_equal<>>, 2>},
  ImplRow{OpId::Greater,      elementwise<CompareRef<std::greater<>>, 2>},
  ImplRow{OpId::GreaterEqual, elementwise<CompareRef<std::greater_equal<>>, 2>},
  ImplRow{OpId::LogicalAnd,   elementwise<LogicalRef<std::logical_and<>>, 2>},
  ImplRow{OpId::LogicalOr,    elementwise<LogicalRef<std::logical_or<>>, 2>},
  ImplRow{OpId::LogicalXor,   elementwise<LogicalRef<std::not_equal_to<>>, 2>},
  ImplRow{OpId::LogicalNot,   elementwise<LogicalNotRef, 1>},
  ImplRow{OpId::Isnan,        elementwise<IsnanRef, 1>},
  ImplRow{OpId::Isinf,        elementwise<IsinfRef, 1>},
  ImplRow{OpId::Isfinite,     elementwise<IsfiniteRef, 1>},
  ImplRow{OpId::Signbit,      elementwise<SignbitRef, 1>},
  ImplRow{OpId::Positive,     elementwise<PositiveRef, 1>},
  ImplRow{OpId::Sign,         elementwise<SignRef, 1>},
  ImplRow{OpId::Floor,        elementwise<RoundingRef<FloorOf>, 1>},
  ImplRow{OpId::Ceil,         elementwise<RoundingRef<CeilOf>, 1>},
  ImplRow{OpId::Trunc,        elementwise<RoundingRef<TruncOf>, 1>},
  ImplRow{OpId::Rint,         elementwise<RoundingRef<RintOf>, 1>},
  ImplRow{OpId::Invert,       elementwise<InvertRef, 1>},
  ImplRow{OpId::Cbrt,         elementwise<InDoubleRef<CbrtOf>, 1>},
  ImplRow{OpId::Erf,          elementwise<InDoubleRef<ErfOf>, 1>},
  ImplRow{OpId::Relu,         composite<relu_formula>},
  ImplRow{OpId::Sigmoid,      composite<sigmoid_formula>},
  ImplRow{OpId::Silu,         composite<silu_formula>},
  ImplRow{OpId::Softplus,     composite<softplus_formula>},
  ImplRow{OpId::Where,        elementwise<WhereRef, 3>},
  ImplRow{OpId::Clip,         elementwise<ClipRef, 3>},
  ImplRow{OpId::NanToNum,     elementwise<NanToNumRef, 1>},
  ImplRow{OpId::Gelu,         composite<gelu_formula>},
  ImplRow{OpId::GeluTanh,     composite<gelu_tanh_formula>},
  ImplRow{OpId::Astype,       astype_ref},
  ImplRow{OpId::Amax,         fold_ref},
  ImplRow{OpId::Amin,         fold_ref},
  ImplRow{OpId::Prod,         fold_ref},
  ImplRow{OpId::Mean,         mean_ref},
  ImplRow{OpId::All,          fold_ref},
  ImplRow{OpId::Any,          fold_ref},
  ImplRow{OpId::Argmax,       arg_ref},
  ImplRow{OpId::Argmin,       arg_ref},
  ImplRow{OpId::CountNonzero, fold_ref},
  ImplRow{OpId::Nansum,       nansum_ref},
  ImplRow{OpId::Nanmean,      nanmean_ref},
};
// clang-format on

static_assert(spec::one_row_per_op(kImpls), "the array engine needs one reference per op, in OpId order");

}  // namespace

NdArray call(OpId op, std::span<const NdArray> inputs, const spec::Params& params) {
  spec::check_arity(op, inputs.size());
  return kImpls[std::size_t(op)].impl(op, inputs, params);
}

NdArray add(const NdArray& a, const NdArray& b) { return call(OpId::Add, std::array{a, b}); }
NdArray mul(const NdArray& a, const NdArray& b) { return call(OpId::Mul, std::array{a, b}); }
NdArray neg(const NdArray& a) { return call(OpId::Neg, std::array{a}); }
NdArray exp(const NdArray& a) { return call(OpId::Exp, std::array{a}); }
NdArray sum(const NdArray& a, std::span<const std::int64_t> axes, bool keepdims) {
  spec::Params p;
  p.axes.assign(axes.begin(), axes.end());
  p.keepdims = keepdims;
  return call(OpId::Sum, std::array{a}, p);
}
NdArray matmul(const NdArray& a, const NdArray& b) { return call(OpId::Matmul, std::array{a, b}); }

}  // namespace parity::array
