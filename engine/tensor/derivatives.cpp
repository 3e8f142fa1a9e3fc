// The gradient table: one row per op of the registry, in OpId order (checked at compile
// time), with what each input's gradient reads and the formula.
#include "engine/tensor/derivatives.h"

#include <algorithm>
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

// A reduction's output (or its gradient) with the reduced dims back as size 1
// (restore_reduced_dims in PyTorch's derivatives).
Tensor restore_reduced(const Node& n, const Tensor& t) {
  const Shape& in = n.inputs[0].shape;
  if (n.params.keepdims) return t;
  Shape s = in;
  if (n.params.axes.empty()) {
    std::fill(s.begin(), s.end(), 1);
  } else {
    for (std::int64_t a : n.params.axes)
      if (a < std::int64_t(s.size())) s[std::size_t(a)] = 1;
  }
  return t.reshape(s);
}

Grads sum_bw(const Node& n, const Tensor& g) { return {restore_reduced(n, g).expand(n.inputs[0].shape)}; }

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
Tensor op(OpId id, const Tensor& a, const Tensor& b, const Tensor& c) { return call(id, std::array{a, b, c}); }
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

// divide (DivBackward0): grad / other, and for other -grad * ((self / other) / other), as
// PyTorch 1.13's div_tensor_other_backward groups it.
Grads divide_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  const Tensor& b = n.input(1);
  if (n.needs_grad(0)) r[0] = op(OpId::Divide, g, b);
  if (n.needs_grad(1)) r[1] = mul(neg(g), op(OpId::Divide, op(OpId::Divide, n.input(0), b), b));
  return r;
}

// The comparisons of a and b that the gradients of maximum and its kin read, as 0/1 float64
// tensors (the engine has no comparison ops), from casts to bool as in abs_bw: d = a - b in
// float64 has the sign of a - b exactly (subnormals: distinct values never subtract to 0),
// t = tanh(d) keeps it and is finite at +-inf; t + |t| is nonzero where a > b, |t| - t where
// a < b, and both (NaN) where an operand is NaN or a and b are the same infinity, which a + b
// tells apart (NaN only for the former). Every comparison is 0 where an operand is NaN, as
// PyTorch's are.
struct Order {
  Tensor lt, eq, gt;
};
Tensor indicator(const Tensor& v) { return v.to(DType::Bool).to(DType::Float64); }
Tensor is_nan(const Tensor& x64) {
  const Tensor t = op(OpId::Tanh, x64), a = op(OpId::Abs, t);
  return mul(indicator(add(t, a)), indicator(sub(a, t)));
}
Order order_of(const Tensor& x, const Tensor& y) {
  const Tensor a = x.to(DType::Float64), b = y.to(DType::Float64);
  const Tensor t = op(OpId::Tanh, sub(a, b)), abs_t = op(OpId::Abs, t);
  const Tensor pos = indicator(add(t, abs_t)), negative = indicator(sub(abs_t, t));
  const Tensor undefined = mul(pos, negative);
  const Tensor one = constant(1, a);
  const Tensor same_inf = mul(undefined, sub(one, is_nan(add(a, b))));
  return {sub(negative, undefined), add(sub(one, indicator(t)), same_inf), sub(pos, undefined)};
}
// g * w for a 0/1/0.5 weight w in float64: exact in g's dtype.
Tensor weighted(const Tensor& g, const Tensor& w) { return mul(g, w.to(g.dtype())); }

// maximum / minimum (PyTorch 1.13's derivatives.yaml): where(self == other, grad / 2, grad),
// then 0 where the operand loses (self < other for maximum's self, self > other for its
// other; the reverse for minimum). A NaN operand: both get grad.
template <bool kMax>
Grads extremum_bw(const Node& n, const Tensor& g) {
  const Order o = order_of(n.input(0), n.input(1));
  const Tensor one = constant(1, o.eq), half_eq = mul(constant(0.5, o.eq), o.eq);
  Grads r(2);
  if (n.needs_grad(0)) r[0] = weighted(g, sub(sub(one, kMax ? o.lt : o.gt), half_eq));
  if (n.needs_grad(1)) r[1] = weighted(g, sub(sub(one, kMax ? o.gt : o.lt), half_eq));
  return r;
}
// fmax / fmin: self gets grad where (self >= other, for fmin self <= other) or other is NaN,
// other gets it everywhere else (ties all to self, unlike maximum).
template <bool kMax>
Grads fextremum_bw(const Node& n, const Tensor& g) {
  const Order o = order_of(n.input(0), n.input(1));
  const Tensor self_wins = add(add(kMax ? o.gt : o.lt, o.eq), is_nan(n.input(1).to(DType::Float64)));
  Grads r(2);
  if (n.needs_grad(0)) r[0] = weighted(g, self_wins);
  if (n.needs_grad(1)) r[1] = weighted(g, sub(constant(1, self_wins), self_wins));
  return r;
}

// pow (PowBackward1): self: where(exponent == 0, 0, grad * exponent * pow(self, exponent - 1));
// exponent: grad * where(self == 0 & exponent >= 0, 0, result * log(self)). The engine has
// no where, so the excluded elements get inputs whose term is finite and 0: exponent 1 in the
// pow (e * pow(x, 0) is e = 0), base 1 in the log (result * log(1) is 0).
Grads power_bw(const Node& n, const Tensor& g) {
  const Tensor &x = n.input(0), &e = n.input(1);
  Grads r(2);
  if (n.needs_grad(0)) {
    const Tensor e_zero = sub(constant(1, e), indicator(e).to(e.dtype()));
    r[0] = mul(g, mul(e, op(OpId::Power, x, sub(add(e, e_zero), constant(1, e)))));
  }
  if (n.needs_grad(1)) {
    const Order sign = order_of(e, constant(0, e));
    const Tensor x_zero = sub(constant(1, sign.eq), indicator(x));
    const Tensor excluded = mul(x_zero, add(sign.gt, sign.eq)).to(x.dtype());
    r[1] = mul(g, mul(n.output(), op(OpId::Log, add(x, excluded))));
  }
  return r;
}

// fmod and remainder (FmodBackward1, RemainderBackward1): grad for self; for other
// -grad * self.div(other, rounding_mode="trunc") (fmod) or "floor" (remainder). trunc(q) is
// q - fmod(q, 1) (exact: q's integer part is representable); floor division is floor_divide.
Grads fmod_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  if (n.needs_grad(0)) r[0] = g;
  if (n.needs_grad(1)) {
    const Tensor q = op(OpId::Divide, n.input(0), n.input(1));
    r[1] = mul(neg(g), sub(q, op(OpId::Fmod, q, constant(1, q))));
  }
  return r;
}
Grads remainder_bw(const Node& n, const Tensor& g) {
  Grads r(2);
  if (n.needs_grad(0)) r[0] = g;
  if (n.needs_grad(1)) r[1] = mul(neg(g), op(OpId::FloorDivide, n.input(0), n.input(1)));
  return r;
}

// The rounding and sign ops: a zero gradient (derivatives.yaml: zeros_like(grad) for sign,
// floor, ceil, trunc and round); positive passes it through.
Grads zero_bw(const Node&, const Tensor& g) { return {Tensor::full(g.sizes(), 0.0, g.dtype(), g.device())}; }
Grads identity_bw(const Node&, const Tensor& g) { return {g}; }

// cbrt: g / (3 * cbrt(x)^2), from the output (PyTorch has no cbrt; this is the derivative).
Grads cbrt_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  return {div(g, mul(constant(3, y), square(y)))};
}
// erf: 2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad
constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // M_2_SQRTPI
Grads erf_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  return {mul(mul(constant(kTwoOverSqrtPi, x), op(OpId::Exp, neg(square(x)))), g)};
}
// relu: threshold_backward(grad, result, 0), which is 0 where result <= 0 and grad elsewhere
// (a NaN result passes grad).
Grads relu_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  const Tensor passes = op(OpId::LogicalNot, op(OpId::LessEqual, y, constant(0, y)));
  return {mul(g, passes.to(g.dtype()))};
}
// sigmoid: sigmoid_backward(grad, result), on cpu grad * (1 - y) * y.
Grads sigmoid_bw(const Node& n, const Tensor& g) {
  const Tensor& y = n.output();
  return {mul(mul(g, sub(constant(1, y), y)), y)};
}
// silu: silu_backward(grad, self), on cpu with s = 1 / (1 + exp(-x)):
// grad * s * (1 + x * (1 - s)).
Grads silu_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor s = op(OpId::Sigmoid, x), one = constant(1, x);
  return {mul(mul(g, s), add(one, mul(x, sub(one, s))))};
}

// softplus: softplus_backward(grad, self, beta=1, threshold=20), on cpu with z = exp(x):
// x > 20 ? grad : grad * z / (z + 1). The engine has no where: the exp reads min(x, 20)
// (finite where that branch is not taken) and the branches are weighted by the 0/1 mask.
Grads softplus_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor threshold = constant(20, x);
  const Tensor above = op(OpId::Greater, x, threshold).to(g.dtype());
  const Tensor z = op(OpId::Exp, op(OpId::Minimum, x, threshold));
  const Tensor below = op(OpId::Divide, mul(g, z), add(z, constant(1, z)));
  return {add(mul(g, above), mul(below, sub(constant(1, above), above)))};
}

// gelu: gelu_backward(grad, self, approximate='none'), on cpu
// grad * (0.5 * (1 + erf(x / sqrt(2))) + x * exp(-x^2 / 2) / sqrt(2 pi)).
Grads gelu_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor cdf = mul(constant(0.5, x), add(constant(1, x), op(OpId::Erf, mul(x, constant(0.70710678118654752440, x)))));
  const Tensor pdf = mul(constant(0.39894228040143267794, x), op(OpId::Exp, mul(square(x), constant(-0.5, x))));
  return {mul(g, add(cdf, mul(x, pdf)))};
}
// gelu_tanh: gelu_backward(grad, self, approximate='tanh'), on cpu with
// t = tanh(kBeta * (x + kKappa * x^3)): grad * (0.5 * (1 + t) + 0.5 * x * (1 - t^2) * kBeta *
// (1 + 3 * kKappa * x^2)).
Grads gelu_tanh_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor beta = constant(0.79788456080286535588, x), kappa = constant(0.044715, x), one = constant(1, x);
  const Tensor x_sq = square(x);
  const Tensor t = op(OpId::Tanh, mul(beta, add(x, mul(kappa, mul(x_sq, x)))));
  const Tensor left = mul(constant(0.5, x), x), right = add(one, t);
  const Tensor inner_derivative = mul(beta, add(one, mul(constant(3 * 0.044715, x), x_sq)));
  const Tensor right_derivative = mul(mul(left, sub(one, square(t))), inner_derivative);
  return {mul(g, add(mul(constant(0.5, x), right), right_derivative))};
}

constexpr std::uint8_t kBoth = std::uint8_t(in(0) | in(1));  // both inputs

// atan2_backward: with r = 1 / (self^2 + other^2), g * other * r and g * -self * r.
Grads atan2_bw(const Node& n, const Tensor& g) {
  const Tensor &y = n.input(0), &x = n.input(1);
  const Tensor r = op(OpId::Reciprocal, add(square(y), square(x)));
  Grads out(2);
  if (n.needs_grad(0)) out[0] = mul(mul(g, x), r);
  if (n.needs_grad(1)) out[1] = mul(mul(g, neg(y)), r);
  return out;
}
// hypot: g * self / result and g * other / result.
Grads hypot_bw(const Node& n, const Tensor& g) {
  Grads out(2);
  for (int k = 0; k < 2; ++k)
    if (n.needs_grad(k)) out[std::size_t(k)] = div(mul(g, n.input(k)), n.output());
  return out;
}
// copysign_tensor_self_backward: g * (result / self), 0 where self is 0; other gets zeros.
// result / self is +-1 for finite nonzero self (NaN where self is inf or NaN), built without a
// division that would give 0/0 at the zeros: copysign(self != 0, result) * copysign(1, self),
// times (self - self + 1), which is 1 for finite self and NaN for inf and NaN.
Grads copysign_bw(const Node& n, const Tensor& g) {
  Grads out(2);
  if (n.needs_grad(0)) {
    const Tensor& x = n.input(0);
    const Tensor one = constant(1, x);
    const Tensor nonzero = x.to(DType::Bool).to(x.dtype());
    const Tensor ratio = mul(op(OpId::Copysign, nonzero, n.output()), op(OpId::Copysign, one, x));
    out[0] = mul(g, mul(ratio, add(sub(x, x), one)));
  }
  if (n.needs_grad(1)) out[1] = Tensor::full(g.sizes(), 0.0, g.dtype(), g.device());
  return out;
}
// logaddexp: g / (1 + exp(other - self)) and g / (1 + exp(self - other)).
Grads logaddexp_bw(const Node& n, const Tensor& g) {
  const Tensor &x = n.input(0), &y = n.input(1);
  Grads out(2);
  if (n.needs_grad(0)) out[0] = div(g, add(constant(1, g), exp(sub(y, x))));
  if (n.needs_grad(1)) out[1] = div(g, add(constant(1, g), exp(sub(x, y))));
  return out;
}

// where(mask, g, 0): the gradient where `mask` (bool) holds, 0 elsewhere.
Tensor masked(const Tensor& mask, const Tensor& g) { return op(OpId::Where, mask, g, constant(0, g)); }

// where: the condition has no gradient (bool); x gets g where it holds, y where it does not.
Grads where_bw(const Node& n, const Tensor& g) {
  const Tensor& c = n.input(0);
  Grads r(3);
  if (n.needs_grad(1)) r[1] = masked(c, g);
  if (n.needs_grad(2)) r[2] = masked(op(OpId::LogicalNot, c), g);
  return r;
}

// clamp_backward_min_max (PyTorch 1.13's FunctionsManual.cpp): input where min <= x <= max
// (ties included), min where x < min < max, max where x > max or max < min; so at min == max
// with x outside, neither bound gets it, and a NaN anywhere gives all three 0.
Grads clip_bw(const Node& n, const Tensor& g) {
  const Tensor &x = n.input(0), &lo = n.input(1), &hi = n.input(2);
  Grads r(3);
  if (n.needs_grad(0))
    r[0] = masked(op(OpId::LogicalAnd, op(OpId::GreaterEqual, x, lo), op(OpId::LessEqual, x, hi)), g);
  if (n.needs_grad(1)) r[1] = masked(op(OpId::LogicalAnd, op(OpId::Less, x, lo), op(OpId::Less, lo, hi)), g);
  if (n.needs_grad(2)) r[2] = masked(op(OpId::LogicalOr, op(OpId::Greater, x, hi), op(OpId::Less, hi, lo)), g);
  return r;
}

// nan_to_num: grad * isfinite(self).
Grads nan_to_num_bw(const Node& n, const Tensor& g) { return {masked(op(OpId::Isfinite, n.input(0)), g)}; }


// mean: sum's gradient divided by the count of reduced elements (MeanBackward).
Grads mean_bw(const Node& n, const Tensor& g) {
  const Shape& in = n.inputs[0].shape;
  double count = 1;
  for (std::size_t d = 0; d < in.size(); ++d) {
    const bool reduced = n.params.axes.empty() ||
                         std::find(n.params.axes.begin(), n.params.axes.end(), std::int64_t(d)) != n.params.axes.end();
    if (reduced) count *= double(in[d]);
  }
  return {op(OpId::Divide, restore_reduced(n, g).expand(in), constant(count, g))};
}

// nansum (derivatives.yaml: grad.expand_as(self) * self.isnan().logical_not()): the gradient
// where the input is not NaN, 0 where it is.
Grads nansum_bw(const Node& n, const Tensor& g) {
  const Tensor kept = op(OpId::LogicalNot, op(OpId::Isnan, n.input(0)));
  return {mul(restore_reduced(n, g).expand(n.inputs[0].shape), kept)};
}

// nanmean (a composite in PyTorch: nansum(x).div(count), so its grad_fn is DivBackward0):
// grad / count where the input is not NaN, 0 where it is.
Grads nanmean_bw(const Node& n, const Tensor& g) {
  const Tensor kept = op(OpId::LogicalNot, op(OpId::Isnan, n.input(0)));
  const Tensor count = sum(kept, n.params.axes, /*keepdim=*/true);
  return {mul(op(OpId::Divide, restore_reduced(n, g), count), kept)};
}

// amax / amin (PyTorch 1.13's derivatives.yaml): scale_grad_by_count(restore(grad),
// restore(result) == self, dim): the gradient shared evenly by the elements equal to the
// extremum, (grad / count) * mask. A NaN extremum equals nothing: count 0, and inf * 0 makes
// the whole slice NaN, as in PyTorch.
Grads extremum_reduce_bw(const Node& n, const Tensor& g) {
  const Tensor mask = op(OpId::Equal, n.input(0), restore_reduced(n, n.output()));
  const Tensor count = sum(mask, n.params.axes, /*keepdim=*/true);
  return {mul(op(OpId::Divide, restore_reduced(n, g), count), mask)};
}

// prod (PyTorch's prod_backward): grad * result / self where the slice has no zero; where it
// has one, that element gets grad * the product of the others and the rest 0; where it has
// more, every element gets 0.
Grads prod_bw(const Node& n, const Tensor& g) {
  const Tensor& x = n.input(0);
  const Tensor zero = op(OpId::Equal, x, constant(0, x));
  const Tensor zeros = sum(zero, n.params.axes, /*keepdim=*/true);  // int64
  spec::Params p;
  p.axes = n.params.axes;
  p.keepdims = true;
  const Tensor others = call(OpId::Prod, std::array{op(OpId::Where, zero, constant(1, x), x)}, p);
  const Tensor none = op(OpId::Equal, zeros, constant(0, zeros));
  const Tensor one = op(OpId::LogicalAnd, op(OpId::Equal, zeros, constant(1, zeros)), zero);
  const Tensor gk = restore_reduced(n, g);
  const Tensor when_none = op(OpId::Divide, mul(gk, restore_reduced(n, n.output())), x);
  const Tensor when_one = op(OpId::Where, one, mul(gk, others), constant(0, x));
  return {op(OpId::Where, none, when_none, when_one)};
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
  GradRow{OpId::Divide,     "DivBackward0",        "",             {{{in(1)}, {in(0) | in(1)}}},     divide_bw},
  // torch.floor_divide has no derivative: its grad_fn is NotImplemented, whose backward raises
  // "derivative for aten::floor_divide is not implemented".
  GradRow{OpId::FloorDivide, "NotImplemented",     "",             {},                               nullptr},
  GradRow{OpId::Remainder,  "RemainderBackward1",  "",             {{{}, {in(0) | in(1)}}},          remainder_bw},
  GradRow{OpId::Fmod,       "FmodBackward1",       "",             {{{}, {in(0) | in(1)}}},          fmod_bw},
  GradRow{OpId::Power,      "PowBackward1",        "",             {{{in(0) | in(1)}, {in(0) | in(1), true}}}, power_bw},
  GradRow{OpId::Maximum,    "MaximumBackward0",    "",             {{{in(0) | in(1)}, {in(0) | in(1)}}}, extremum_bw<true>},
  GradRow{OpId::Minimum,    "MinimumBackward0",    "",             {{{in(0) | in(1)}, {in(0) | in(1)}}}, extremum_bw<false>},
  GradRow{OpId::Fmax,       "FmaxBackward0",       "",             {{{in(0) | in(1)}, {in(0) | in(1)}}}, fextremum_bw<true>},
  GradRow{OpId::Fmin,       "FminBackward0",       "",             {{{in(0) | in(1)}, {in(0) | in(1)}}}, fextremum_bw<false>},
  GradRow{OpId::Atan2,      "Atan2Backward0",      "",             {{{kBoth}, {kBoth}}}, atan2_bw},
  GradRow{OpId::Hypot,      "HypotBackward0",      "",             {{{in(0), true}, {in(1), true}}}, hypot_bw},
  GradRow{OpId::Copysign,   "CopysignBackward0",   "",             {{{in(0), true}, {}}},            copysign_bw},
  GradRow{OpId::Nextafter,  "NextafterBackward0",  "",             {},                               nullptr},
  GradRow{OpId::Logaddexp,  "LogaddexpBackward0",  "",             {{{kBoth}, {kBoth}}}, logaddexp_bw},
  GradRow{OpId::BitwiseAnd, "",                    "",             {},                               nullptr},
  GradRow{OpId::BitwiseOr,  "",                    "",             {},                               nullptr},
  GradRow{OpId::BitwiseXor, "",                    "",             {},                               nullptr},
  GradRow{OpId::LeftShift,  "",                    "",             {},                               nullptr},
  GradRow{OpId::RightShift, "",                    "",             {},                               nullptr},
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
  // torch.positive returns its input itself (torch.positive(x) is x), so PyTorch records no
  // node of its own; the engine's result is a new tensor, whose node passes the gradient
  // through as a copy's does.
  GradRow{OpId::Positive,     "CloneBackward0",      "",             {},                              identity_bw},
  GradRow{OpId::Sign,         "SignBackward0",       "",             {},                              zero_bw},
  GradRow{OpId::Floor,        "FloorBackward0",      "",             {},                              zero_bw},
  GradRow{OpId::Ceil,         "CeilBackward0",       "",             {},                              zero_bw},
  GradRow{OpId::Trunc,        "TruncBackward0",      "",             {},                              zero_bw},
  GradRow{OpId::Rint,         "RoundBackward0",      "",             {},                              zero_bw},
  // torch.bitwise_not: integers and bool only, no gradient.
  GradRow{OpId::Invert,       "",                    "",             {},                              nullptr},
  // cbrt's name follows PyTorch's pattern; PyTorch has no cbrt to name it.
  GradRow{OpId::Cbrt,         "CbrtBackward0",       "",             {{{0, true}}},                   cbrt_bw},
  GradRow{OpId::Erf,          "ErfBackward0",        "",             {{{in(0)}}},                     erf_bw},
  GradRow{OpId::Relu,         "ReluBackward0",       "",             {{{0, true}}},                   relu_bw},
  GradRow{OpId::Sigmoid,      "SigmoidBackward0",    "",             {{{0, true}}},                   sigmoid_bw},
  GradRow{OpId::Silu,         "SiluBackward0",       "",             {{{in(0)}}},                     silu_bw},
  GradRow{OpId::Softplus,     "SoftplusBackward0",   "",             {{{in(0)}}},                     softplus_bw},
  GradRow{OpId::Where,        "WhereBackward0",      "",             {{{}, {in(0)}, {in(0)}}},        where_bw},
  GradRow{OpId::Clip,         "ClampBackward0",      "",
          {{{in(0) | in(1) | in(2)}, {in(0) | in(1) | in(2)}, {in(0) | in(1) | in(2)}}},                 clip_bw},
  GradRow{OpId::NanToNum,     "NanToNumBackward0",   "",             {{{in(0)}}},                     nan_to_num_bw},
  GradRow{OpId::Gelu,         "GeluBackward0",       "",             {{{in(0)}}},                     gelu_bw},
  GradRow{OpId::GeluTanh,     "GeluBackward0",       "",             {{{in(0)}}},                     gelu_tanh_bw},
  // to(dtype): the gradient passes through, cast back to the input's dtype by the engine.
  GradRow{OpId::Astype,       "ToCopyBackward0",     "",             {},                              identity_bw},
  GradRow{OpId::Amax,         "AmaxBackward0",       "",             {{{in(0), true}}},                extremum_reduce_bw},
  GradRow{OpId::Amin,         "AminBackward0",       "",             {{{in(0), true}}},                extremum_reduce_bw},
  GradRow{OpId::Prod,         "ProdBackward0",       "ProdBackward1", {{{in(0), true}}},               prod_bw},
  GradRow{OpId::Mean,         "MeanBackward0",       "MeanBackward1", {},                              mean_bw},
  GradRow{OpId::All,          "",                    "",             {},                              nullptr},
  GradRow{OpId::Any,          "",                    "",             {},                              nullptr},
  GradRow{OpId::Argmax,       "",                    "",             {},                              nullptr},
  GradRow{OpId::Argmin,       "",                    "",             {},                              nullptr},
  GradRow{OpId::CountNonzero, "",                    "",             {},                              nullptr},
  GradRow{OpId::Nansum,       "NansumBackward0",     "NansumBackward0", {{{in(0)}}},                  nansum_bw},
  GradRow{OpId::Nanmean,      "DivBackward0",        "DivBackward0", {{{in(0)}}},                     nanmean_bw},
};
// clang-format on

// That a row has a formula exactly where the registry says the op is differentiable is
// checked by autograd_test (the registry's table is not visible at compile time here).
static_assert(spec::one_row_per_op(kRows), "one gradient row per op, in OpId order");

}  // namespace

const GradRow& grad_row(OpId op) { return kRows[std::size_t(op)]; }

}  // namespace parity::tensor::autograd
