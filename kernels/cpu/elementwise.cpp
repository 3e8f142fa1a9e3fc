// CPU elementwise kernels: any elementwise op (its functor), copy (with cast) and fill. Each walks a
// core::make_plan plan row by row; rows whose operands are all unit-stride (or scalar
// broadcasts) get their own plain loops so the compiler vectorises them.
#include <cstdint>
#include <string>
#include <type_traits>

#include "engine/core/iter.h"
#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/functors.h"
#include "engine/spec/fault.h"
#include "kernels/cpu/exp.h"

namespace parity::kernels::cpu {
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

template <class T, class F>
void unary_loop(F f, const Elementwise& a) {
  const core::StridedPlan plan = core::make_plan(a.shape, {a.out.strides, a.in[0].strides});
  core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    T* o = at<T>(a.out, off[0]);
    const T* x = at<T>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]]);
    }
  });
}

// float32 exp: contiguous rows go to the vectorised loop (kernels/cpu/exp.h).
void exp_f32_loop(const Elementwise& a) {
  const core::StridedPlan plan = core::make_plan(a.shape, {a.out.strides, a.in[0].strides});
  core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    float* o = at<float>(a.out, off[0]);
    const float* x = at<float>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      exp_f32_contiguous(x, o, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = exp_f32(x[i * st[1]]);
    }
    if (PARITY_FAULT("exp-ulp-drift"))
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = std::nextafter(o[i * st[0]], INFINITY);
  });
}

template <class T, class F>
void binary_loop(F f, const Elementwise& a) {
  const core::StridedPlan plan = core::make_plan(a.shape, {a.out.strides, a.in[0].strides, a.in[1].strides});
  const bool second_as_contiguous = PARITY_FAULT("strided-second-operand");
  core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st_in) {
    const std::int64_t planted[3] = {st_in[0], st_in[1], st_in[2] != 0 ? 1 : 0};
    const std::int64_t* st = second_as_contiguous ? planted : st_in;
    T* o = at<T>(a.out, off[0]);
    const T* x = at<T>(a.in[0], off[1]);
    const T* y = at<T>(a.in[1], off[2]);
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      const T yv = *y;  // tensor op scalar: the common broadcast
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
      const T xv = *x;
      for (std::int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
    }
  });
}

template <class To, class From>
void copy_loop(const Elementwise& a) {
  const core::StridedPlan plan = core::make_plan(a.shape, {a.out.strides, a.in[0].strides});
  core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    To* o = at<To>(a.out, off[0]);
    const From* x = at<From>(a.in[0], off[1]);
    if (st[0] == 1 && st[1] == 1) {
      for (std::int64_t i = 0; i < n; ++i) o[i] = cast_value<To>(x[i]);
    } else if (st[0] == 1 && st[1] == 0) {
      const To v = cast_value<To>(*x);
      for (std::int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[0]] = cast_value<To>(x[i * st[1]]);
    }
  });
}

void check_elementwise(const Elementwise& a, std::size_t arity, const char* who, bool same_dtype) {
  if (a.in.size() != arity)
    throw ValueError(std::string(who) + ": expected " + std::to_string(arity) + " input(s), got " +
                     std::to_string(a.in.size()));
  check_rank(a.shape, a.out, who);
  for (const Operand& o : a.in) {
    check_rank(a.shape, o, who);
    if (same_dtype && o.dtype != a.out.dtype)
      throw TypeError(std::string(who) + ": input dtype " + std::string(spec::dtype_name(o.dtype)) +
                      " differs from output dtype " + std::string(spec::dtype_name(a.out.dtype)) +
                      " (cast the inputs first)");
  }
}

}  // namespace

void elementwise(spec::OpId op, const Elementwise& args) {
  with_functor(op, [&](auto fn) {
    using F = decltype(fn);
    check_elementwise(args, F::arity, "elementwise kernel", true);
    spec::visit_torch_dtype(args.out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!computes<F, T>()) {
        throw TypeError(std::string(spec::op_spec(op).name) + " kernel: dtype " +
                        std::string(spec::dtype_name(args.out.dtype)) +
                        " is not supported (the engine refuses or casts it first)");
      } else if constexpr (std::is_same_v<F, ExpFn> && std::is_same_v<T, float>) {
        exp_f32_loop(args);  // the vectorised float32 exp (kernels/cpu/exp.h)
      } else if constexpr (F::arity == 1) {
        if constexpr (std::is_same_v<F, NegFn> && std::is_floating_point_v<T>)
          if (PARITY_FAULT("neg-signed-zero"))
            return unary_loop<T>([](T x) { return x == T(0) ? T(0) : -x; }, args);
        unary_loop<T>(on_elements<T>(fn), args);
      } else {
        if constexpr (std::is_same_v<F, MulFn> && std::is_floating_point_v<T>)
          if (PARITY_FAULT("mul-zero-nan"))
            return binary_loop<T>([fn](T x, T y) { return x == T(0) || y == T(0) ? T(0) : fn(x, y); }, args);
        binary_loop<T>(on_elements<T>(fn), args);
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
    const core::StridedPlan plan = core::make_plan(shape, {out.strides});
    core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
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
