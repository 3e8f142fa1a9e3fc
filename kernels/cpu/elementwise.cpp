// CPU elementwise kernels: any elementwise op (its functor), copy (with cast) and fill. Each is a
// row function handed to walk() (kernels/cpu/walk.h), which follows a core::make_plan plan row
// by row (or, when every operand is contiguous, one flat row), split between threads above
// kGrain elements; rows whose operands are all unit-stride (or scalar broadcasts) get their
// own plain loops so the compiler vectorises them.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/functors.h"
#include "engine/spec/fault.h"
#include "kernels/cpu/exp.h"
#include "kernels/cpu/isa.h"
#include "kernels/cpu/tanh.h"
#include "kernels/cpu/walk.h"

namespace parity::kernels::cpu {

#if PARITY_TANH_SLEEF
TanhF32 tanh_f32_vector() {
  static const TanhF32 f = __builtin_cpu_supports("avx512f")                                   ? tanh_f32_avx512
                           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? tanh_f32_avx2
                                                                                              : nullptr;
  return f;
}
#endif

namespace {

template <class T>
T* at(const Operand& o, std::int64_t offset) {
  return static_cast<T*>(o.data) + offset;
}

void check_rank(const spec::Shape& shape, const Operand& o, const char* who) {
  if (o.strides.size() != shape.size())
    throw ValueError(std::string(who) + ": operand has " + std::to_string(o.strides.size()) +
                     " strides for a " + std::to_string(shape.size()) + "-d shape");
}

// The contiguous loops are PARITY_ISA_CLONES (isa.h); this file is compiled without FMA
// contraction, so every clone does the same IEEE operations.

// The inputs are of T (the compute dtype), the output of R: T, or bool for a functor whose
// result is bool.
template <class T, class R, class F>
PARITY_ISA_CLONES void unary_row(F f, const T* x, R* o, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
}
template <class T, class R, class F>
PARITY_ISA_CLONES void binary_row(F f, const T* x, const T* y, R* o, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
}
template <class T, class R, class F>
PARITY_ISA_CLONES void binary_row_scalar_y(F f, const T* x, T y, R* o, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y);
}
template <class T, class R, class F>
PARITY_ISA_CLONES void binary_row_scalar_x(F f, T x, const T* y, R* o, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x, y[i]);
}

template <class T, class R, class F>
void unary_loop(F f, const Elementwise& a) {
  walk(a.shape, std::array{&a.out, &a.in[0]}, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    R* o = at<R>(a.out, off[0]);
    const T* x = at<T>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      unary_row(f, x, o, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]]);
    }
  });
}

// A unary float op with a vectorised contiguous loop (float32 exp, tanh): contiguous rows go
// to it; strided rows are gathered into a buffer and go through the same loop, so every
// layout gives the same bits. `drift` is the planted exp fault (one ulp up).
template <class T, class Contiguous>
void vector_unary_loop(Contiguous contiguous, const Elementwise& a, bool drift = false) {
  walk(a.shape, std::array{&a.out, &a.in[0]}, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    T* o = at<T>(a.out, off[0]);
    const T* x = at<T>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      contiguous(x, o, n);
    } else {
      constexpr std::int64_t kChunk = 256;
      T in[kChunk], res[kChunk];  // apart: an aliased loop would not vectorise
      for (std::int64_t i0 = 0; i0 < n; i0 += kChunk) {
        const std::int64_t m = std::min(kChunk, n - i0);
        for (std::int64_t i = 0; i < m; ++i) in[i] = x[(i0 + i) * st[1]];
        contiguous(in, res, m);
        for (std::int64_t i = 0; i < m; ++i) o[(i0 + i) * st[0]] = res[i];
      }
    }
    if (drift)
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = std::nextafter(o[i * st[0]], T(INFINITY));
  });
}

template <class T, class R, class F>
void binary_loop(F f, const Elementwise& a) {
  const bool second_as_contiguous = PARITY_FAULT("strided-second-operand");
  walk(a.shape, std::array{&a.out, &a.in[0], &a.in[1]},
       [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st_in) {
    const std::int64_t planted[3] = {st_in[0], st_in[1], st_in[2] != 0 ? 1 : 0};
    const std::int64_t* st = second_as_contiguous ? planted : st_in;
    R* o = at<R>(a.out, off[0]);
    const T* x = at<T>(a.in[0], off[1]);
    const T* y = at<T>(a.in[1], off[2]);
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      binary_row(f, x, y, o, n);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      binary_row_scalar_y(f, x, *y, o, n);  // tensor op scalar: the common broadcast
    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
      binary_row_scalar_x(f, *x, y, o, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
    }
  });
}

// Ops of three or more operands (where, clip): operand K of F's operand type (T, or bool for
// a condition). A row whose operands are all unit-stride is one plain loop over pointers,
// which the compiler vectorises (where's select, clip's max and min); other rows step each
// operand by its stride.
template <class R, class F, class... A>
PARITY_ISA_CLONES void nary_row(F f, R* o, std::int64_t n, const A*... x) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]...);
}
template <class T, class R, class F, std::size_t... K>
void nary_loop(F f, const Elementwise& a, std::index_sequence<K...>) {
  constexpr std::size_t N = sizeof...(K);
  walk(a.shape, std::array<const Operand*, N + 1>{&a.out, &a.in[K]...},
       [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    R* o = at<R>(a.out, off[0]);
    const std::tuple<const operand_t<F, T, K>*...> x{at<operand_t<F, T, K>>(a.in[K], off[K + 1])...};
    if (st[0] == 1 && ((st[K + 1] == 1) && ...)) {
      nary_row(f, o, n, std::get<K>(x)...);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = f(std::get<K>(x)[i * st[K + 1]]...);
    }
  });
}

// A contiguous row of a copy with cast, in the ISA clones (the same cast_value in each, so
// no clone changes a value): float -> float16 and the integer <-> float casts vectorise.
template <class To, class From>
PARITY_ISA_CLONES void cast_row(const From* x, To* o, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = cast_value<To>(x[i]);
}

template <class To, class From>
void copy_loop(const Elementwise& a) {
  walk(a.shape, std::array{&a.out, &a.in[0]}, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    To* o = at<To>(a.out, off[0]);
    const From* x = at<From>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      cast_row(x, o, n);
    } else if (st[0] == 1 && st[1] == 0) {
      const To v = cast_value<To>(*x);
      for (std::int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = cast_value<To>(x[i * st[1]]);
    }
  });
}

// `same_dtype`: every input but the condition operands (bit k of `conditions`, which must be
// bool) has the compute dtype, the dtype of the first input that is not a condition.
void check_elementwise(const Elementwise& a, std::size_t arity, const char* who, bool same_dtype,
                       unsigned conditions = 0) {
  if (a.in.size() != arity)
    throw ValueError(std::string(who) + ": expected " + std::to_string(arity) + " input(s), got " +
                     std::to_string(a.in.size()));
  check_rank(a.shape, a.out, who);
  const spec::DType compute = a.in[compute_operand(conditions)].dtype;
  for (std::size_t k = 0; k < a.in.size(); ++k) {
    const Operand& o = a.in[k];
    check_rank(a.shape, o, who);
    const spec::DType want = (conditions >> k) & 1u ? spec::DType::Bool : compute;
    if (same_dtype && o.dtype != want)
      throw TypeError(std::string(who) + ": input " + std::to_string(k) + " dtype " +
                      std::string(spec::dtype_name(o.dtype)) + " is not " + std::string(spec::dtype_name(want)) +
                      " (cast the inputs to the compute dtype, the conditions to bool, first)");
  }
}

// The output must be of the functor's result dtype for the inputs' dtype.
void check_output(const Elementwise& a, spec::DType want, const char* who) {
  if (a.out.dtype != want)
    throw TypeError(std::string(who) + ": output dtype " + std::string(spec::dtype_name(a.out.dtype)) +
                    " is not the result dtype " + std::string(spec::dtype_name(want)) + " of " +
                    std::string(spec::dtype_name(a.in[0].dtype)) + " inputs");
}

}  // namespace

void elementwise(spec::OpId op, const Elementwise& args) {
  with_functor(op, [&](auto unbound) {
    using F = decltype(unbound);
    const F fn = bind_scalars(unbound, args.scalars.data());
    check_elementwise(args, F::arity, "elementwise kernel", true, conditions<F>());
    // Dispatched on the inputs' dtype (the compute dtype); the output is of the functor's
    // result type for it (the same dtype, or bool).
    const spec::DType compute = args.in[compute_operand(conditions<F>())].dtype;
    spec::visit_torch_dtype(compute, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!computes<F, T>()) {
        throw TypeError(std::string(spec::op_spec(op).name) + " kernel: dtype " +
                        std::string(spec::dtype_name(compute)) +
                        " is not supported (the engine refuses or casts it first)");
      } else {
        using R = result_t<F, T>;
        check_output(args, spec::dtype_of<R>(), "elementwise kernel");
        if constexpr (std::is_same_v<F, ExpFn> && std::is_same_v<T, float>) {
          // the vectorised float32 exp (kernels/cpu/exp.h)
          vector_unary_loop<float>(exp_f32_contiguous, args, PARITY_FAULT("exp-ulp-drift"));
#if PARITY_TANH_SLEEF
        } else if constexpr (std::is_same_v<F, TanhFn> && std::is_same_v<T, float>) {
          // SLEEF's vector tanh where the CPU has AVX-512F or AVX2 (kernels/cpu/tanh.h), else libm's
          if (const TanhF32 vec = tanh_f32_vector()) vector_unary_loop<float>(vec, args);
          else unary_loop<T, R>(on_elements<T>(fn), args);
#endif
        } else if constexpr (F::arity == 1) {
          if constexpr (std::is_same_v<F, NegFn> && std::is_floating_point_v<T>)
            if (PARITY_FAULT("neg-signed-zero"))
              return unary_loop<T, R>([](T x) { return x == T(0) ? T(0) : -x; }, args);
          unary_loop<T, R>(on_elements<T>(fn), args);
        } else if constexpr (F::arity >= 3) {
          nary_loop<T, R>(on_elements<T>(fn), args, std::make_index_sequence<std::size_t(F::arity)>{});
        } else {
          if constexpr (std::is_same_v<F, MulFn> && std::is_floating_point_v<T>)
            if (PARITY_FAULT("mul-zero-nan"))
              return binary_loop<T, R>([fn](T x, T y) { return x == T(0) || y == T(0) ? T(0) : fn(x, y); },
                                       args);
          binary_loop<T, R>(on_elements<T>(fn), args);
        }
      }
    });
  });
}

void copy(const Elementwise& args) {
  check_elementwise(args, 1, "copy kernel", false);
  spec::visit_torch_dtype(args.out.dtype, [&](auto to_tag) {
    using To = typename decltype(to_tag)::type;
    spec::visit_torch_dtype(args.in[0].dtype, [&](auto from_tag) {
      using From = typename decltype(from_tag)::type;
      copy_loop<To, From>(args);
    });
  });
}

void fill(const spec::Shape& shape, const Operand& out, double value) {
  check_rank(shape, out, "fill kernel");
  spec::visit_torch_dtype(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = cast_value<T>(value);
    walk(shape, std::array{&out}, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
      T* o = at<T>(out, off[0]);
      if (st[0] == 1) {
        for (std::int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = v;
      }
    });
  });
}

}  // namespace parity::kernels::cpu
