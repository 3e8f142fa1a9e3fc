// The gradient table: one row per op of the registry, in OpId order (checked at compile
// time), with what each input's gradient reads and the formula.
#include "engine/tensor/derivatives.h"

#include <array>

#include "engine/tensor/autograd.h"

namespace parity::tensor::autograd {
namespace {

using spec::OpId;

Grads add_bw(const Node&, const Tensor& g) { return {g, g}; }

Grads mul_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  if (n.needs_grad(0)) r[0] = mul(g, n.input(1));
  if (n.needs_grad(1)) r[1] = mul(g, n.input(0));
  return r;
}

Grads neg_bw(const Node&, const Tensor& g) { return {neg(g)}; }

Grads exp_bw(const Node& n, const Tensor& g) { return {mul(g, n.output())}; }  // reuses exp(a)

Grads sum_bw(const Node& n, const Tensor& g) {
  const Shape& in = n.inputs[0].shape;
  Tensor kept = g;
  if (!n.params.axes.empty() && !n.params.keepdims) {  // re-insert the reduced dims as size 1
    Shape s = in;
    for (std::int64_t a : n.params.axes)
      if (a < std::int64_t(s.size())) s[std::size_t(a)] = 1;
    kept = g.reshape(s);
  }
  return {kept.expand(in)};
}

Grads sub_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  if (n.needs_grad(0)) r[0] = g;
  if (n.needs_grad(1)) r[1] = neg(g);
  return r;
}

Grads mm_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  if (n.needs_grad(0)) r[0] = matmul(g, n.input(1).t());
  if (n.needs_grad(1)) r[1] = matmul(n.input(0).t(), g);
  return r;
}

// The engine's ops by id (the named wrappers cover only a few), and constants as 0-d
// tensors of `like`'s dtype and device (a 0-d operand keeps the other's dtype).
Tensor op(OpId id, const Tensor& a) { return call(id, std::array{a}); }
Tensor op(OpId id, const Tensor& a, const Tensor& b) { return call(id, std::array{a, b}); }
Tensor constant(double v, const Tensor& like) { return Tensor::full({}, v, like.dtype(), like.device()); }
Tensor div(const Tensor& a, const Tensor& b) { return mul(a, op(OpId::Reciprocal, b)); }
Tensor sub(const Tensor& a, const Tensor& b) { return op(OpId::Sub, a, b); }
Tensor square(const Tensor& a) { return mul(a, a); }
Tensor rsqrt(const Tensor& a) { return op(OpId::Reciprocal, op(OpId::Sqrt, a)); }

constexpr double kLn2 = 0.6931471805599453;  // M_LN2, as PyTorch's formulas write it
constexpr double kLn10 = 2.302585092994046;  // M_LN10

// The formulas of PyTorch 1.13's tools/autograd/derivatives.yaml, over the engine's ops.
Grads sqrt_bw(const Node& n, const Tensor& g) { return {div(g, mul(constant(2, g), n.output()))}; }
Grads log_bw(const Node& n, const Tensor& g) { return {div(g, n.input(0))}; }
Grads sin_bw(const Node& n, const Tensor& g) { return {mul(g, op(OpId::Cos, n.input(0)))}; }
Grads cos_bw(const Node& n, const Tensor& g) { return {mul(g, neg(op(OpId::Sin, n.input(0))))}; }
// tanh_backward: g * (1 - y * y), which PyTorch's cpu kernel computes with a fused
// multiply-add (its float64 goldens match (1 - y)(1 + y), not 1 - y*y rounded twice); near
// |y| = 1, where 1 - y*y cancels, 1 - y (or 1 + y) is exact.
Grads tanh_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  const Tensor one = constant(1, y);
  return {mul(g, mul(sub(one, y), add(one, y)))};
}
Grads square_bw(const Node& n, const Tensor& g) { return {mul(g, mul(constant(2, g), n.input(0)))}; }
Grads reciprocal_bw(const Node& n, const Tensor& g) { return {mul(neg(g), square(n.output()))}; }
Grads log1p_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  return {div(g, add(x, constant(1, x)))};
}
Grads expm1_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  return {mul(g, add(y, constant(1, y)))};
}
Grads log2_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  return {div(g, mul(x, constant(kLn2, x)))};
}
Grads log10_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  return {div(g, mul(x, constant(kLn10, x)))};
}
Grads exp2_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  return {mul(mul(g, y), constant(kLn2, y))};
}
Grads tan_bw(const Node& n, const Tensor& g) {  // g * (1 + y^2)
  const Tensor& y = n.output();
  return {mul(g, add(constant(1, y), square(y)))};
}
Grads asin_bw(const Node& n, const Tensor& g) {  // g * rsqrt(1 - x^2)
  const Tensor& x = n.input(0);
  return {mul(g, rsqrt(sub(constant(1, x), square(x))))};
}
Grads acos_bw(const Node& n, const Tensor& g) {  // g * -rsqrt(1 - x^2)
  const Tensor& x = n.input(0);
  return {mul(g, neg(rsqrt(sub(constant(1, x), square(x)))))};
}
Grads atan_bw(const Node& n, const Tensor& g) {  // g / (x^2 + 1)
  const Tensor& x = n.input(0);
  return {div(g, add(square(x), constant(1, x)))};
}
Grads sinh_bw(const Node& n, const Tensor& g) { return {mul(g, op(OpId::Cosh, n.input(0)))}; }
Grads cosh_bw(const Node& n, const Tensor& g) { return {mul(g, op(OpId::Sinh, n.input(0)))}; }
Grads asinh_bw(const Node& n, const Tensor& g) {  // g * rsqrt(x^2 + 1)
  const Tensor& x = n.input(0);
  return {mul(g, rsqrt(add(square(x), constant(1, x))))};
}
Grads acosh_bw(const Node& n, const Tensor& g) {  // g * rsqrt(x^2 - 1)
  const Tensor& x = n.input(0);
  return {mul(g, rsqrt(sub(square(x), constant(1, x))))};
}
Grads atanh_bw(const Node& n, const Tensor& g) {  // g / (1 - x^2)
  const Tensor& x = n.input(0);
  return {div(g, sub(constant(1, x), square(x)))};
}

// abs: g * sgn(x). The engine has no sign op, so sgn comes from casts: t = tanh(x) has x's
// sign and zeros and is finite at +-inf; (t + |t|) is nonzero exactly where x > 0 and
// (|t| - t) where x < 0, and each cast to bool and back is 1 there, else 0. NaN gives
// 1 - 1 = 0, as PyTorch's cpu sgn does (torch.sign(torch.tensor(float('nan'))) is 0). In
// float64, which holds every float dtype's values exactly and has tanh on every device
// (PyTorch 1.13's cpu has no float16 tanh).
Grads abs_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor t = op(OpId::Tanh, x.to(DType::Float64)), a = op(OpId::Abs, t);
  auto indicator = [](const Tensor& v) { return v.to(DType::Bool).to(DType::Float64); };
  return {mul(g, sub(indicator(add(t, a)), indicator(sub(a, t))).to(x.dtype()))};
}

// clang-format off
constexpr std::array kRows{
  //      op           grad_fn          with dims        needs (input 0, input 1)          formula
  GradRow{OpId::Add,    "AddBackward0",  "",             {},                              add_bw},
  GradRow{OpId::Mul,    "MulBackward0",  "",             {{{in(1)}, {in(0)}}},            mul_bw},
  GradRow{OpId::Neg,    "NegBackward0",  "",             {},                              neg_bw},
  GradRow{OpId::Exp,    "ExpBackward0",  "",             {{{0, true}}},                   exp_bw},
  GradRow{OpId::Sum,    "SumBackward0",  "SumBackward1", {},                              sum_bw},
  GradRow{OpId::Matmul, "MmBackward0",   "",             {{{in(1)}, {in(0)}}},            mm_bw},
  GradRow{OpId::Sub,    "SubBackward0",  "",             {},                              sub_bw},
  GradRow{OpId::Sqrt,       "SqrtBackward0",       "",             {{{0, true}}},                    sqrt_bw},
  GradRow{OpId::Log,        "LogBackward0",        "",             {{{in(0)}}},                      log_bw},
  GradRow{OpId::Sin,        "SinBackward0",        "",             {{{in(0)}}},                      sin_bw},
  GradRow{OpId::Cos,        "CosBackward0",        "",             {{{in(0)}}},                      cos_bw},
  GradRow{OpId::Tanh,       "TanhBackward0",       "",             {{{0, true}}},                    tanh_bw},
  GradRow{OpId::Square,     "PowBackward0",        "",             {{{in(0)}}},                      square_bw},
  GradRow{OpId::Reciprocal, "ReciprocalBackward0", "",             {{{0, true}}},                    reciprocal_bw},
  GradRow{OpId::Log1p,      "Log1PBackward0",      "",             {{{in(0)}}},                      log1p_bw},
  GradRow{OpId::Expm1,      "Expm1Backward0",      "",             {{{0, true}}},                    expm1_bw},
  GradRow{OpId::Log2,       "Log2Backward0",       "",             {{{in(0)}}},                      log2_bw},
  GradRow{OpId::Log10,      "Log10Backward0",      "",             {{{in(0)}}},                      log10_bw},
  GradRow{OpId::Exp2,       "Exp2Backward0",       "",             {{{0, true}}},                    exp2_bw},
  GradRow{OpId::Tan,        "TanBackward0",        "",             {{{0, true}}},                    tan_bw},
  GradRow{OpId::Asin,       "AsinBackward0",       "",             {{{in(0)}}},                      asin_bw},
  GradRow{OpId::Acos,       "AcosBackward0",       "",             {{{in(0)}}},                      acos_bw},
  GradRow{OpId::Atan,       "AtanBackward0",       "",             {{{in(0)}}},                      atan_bw},
  GradRow{OpId::Sinh,       "SinhBackward0",       "",             {{{in(0)}}},                      sinh_bw},
  GradRow{OpId::Cosh,       "CoshBackward0",       "",             {{{in(0)}}},                      cosh_bw},
  GradRow{OpId::Asinh,      "AsinhBackward0",      "",             {{{in(0)}}},                      asinh_bw},
  GradRow{OpId::Acosh,      "AcoshBackward0",      "",             {{{in(0)}}},                      acosh_bw},
  GradRow{OpId::Atanh,      "AtanhBackward0",      "",             {{{in(0)}}},                      atanh_bw},
  GradRow{OpId::Abs,        "AbsBackward0",        "",             {{{in(0)}}},                      abs_bw},
  // Not differentiable (the registry says so): the result is bool, and PyTorch gives it no
  // grad_fn (torch.lt(torch.ones(2, requires_grad=True), 1).grad_fn is None, requires_grad
  // False, for all fourteen), so there is no name and no formula.
  GradRow{OpId::Equal,        "",                    "",             {},                              nullptr},
  GradRow{OpId::NotEqual,     "",                    "",             {},                              nullptr},
  GradRow{OpId::Less,         "",                    "",             {},                              nullptr},
  GradRow{OpId::LessEqual,    "",                    "",             {},                              nullptr},
  GradRow{OpId::Greater,      "",                    "",             {},                              nullptr},
  GradRow{OpId::GreaterEqual, "",                    "",             {},                              nullptr},
  GradRow{OpId::LogicalAnd,   "",                    "",             {},                              nullptr},
  GradRow{OpId::LogicalOr,    "",                    "",             {},                              nullptr},
  GradRow{OpId::LogicalXor,   "",                    "",             {},                              nullptr},
  GradRow{OpId::LogicalNot,   "",                    "",             {},                              nullptr},
  GradRow{OpId::Isnan,        "",                    "",             {},                              nullptr},
  GradRow{OpId::Isinf,        "",                    "",             {},                              nullptr},
  GradRow{OpId::Isfinite,     "",                    "",             {},                              nullptr},
  GradRow{OpId::Signbit,      "",                    "",             {},                              nullptr},
};
// clang-format on

// That a row has a formula exactly where the registry says the op is differentiable is
// checked by autograd_test (the registry's table is not visible at compile time here).
static_assert(spec::one_row_per_op(kRows), "one gradient row per op, in OpId order");

}  // namespace

const GradRow& grad_row(OpId op) { return kRows[std::size_t(op)]; }

}  // namespace parity::tensor::autograd
