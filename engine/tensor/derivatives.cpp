// The gradient table: one row per op of the registry, in OpId order (checked at compile
// time), with what each input's gradient reads and the formula.
#include "engine/tensor/derivatives.h"

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
};
// clang-format on

// That a row has a formula exactly where the registry says the op is differentiable is
// checked by autograd_test (the registry's table is not visible at compile time here).
static_assert(spec::one_row_per_op(kRows), "one gradient row per op, in OpId order");

}  // namespace

const GradRow& grad_row(OpId op) { return kRows[std::size_t(op)]; }

}  // namespace parity::tensor::autograd
