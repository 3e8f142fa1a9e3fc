// The ops, PyTorch semantics: result dtype and shape from engine/spec (which also raises
// PyTorch's errors), inputs cast to the result dtype, the kernel of the operands' device,
// then the autograd record.
#include "engine/spec/ops.h"

#include <algorithm>

#include "engine/spec/error.h"
#include "engine/tensor/autograd.h"
#include "engine/tensor/impl.h"

namespace parity::tensor {
namespace {

constexpr auto kTorch = spec::Semantics::PyTorch;
using autograd::Fn;
using spec::OpId;

spec::Operand spec_operand(const Tensor& t) { return {t.dtype(), t.dim() == 0}; }

Tensor as_dtype(const Tensor& t, DType d) { return t.dtype() == d ? t : detail::cast(t, d); }

void check_same_device(const Tensor& a, const Tensor& b) {
  if (a.device() != b.device())
    throw DeviceError(
        "Expected all tensors to be on the same device, but found at least two "
        "devices, " +
        a.device().str() + " and " + b.device().str() + "!");
}

Tensor binary(OpId op, const Tensor& a, const Tensor& b) {
  detail::get(a);
  detail::get(b);
  check_same_device(a, b);
  const spec::Operand ops[] = {spec_operand(a), spec_operand(b)};
  const DType rt = spec::result_dtype(op, kTorch, ops);
  const Shape shapes[] = {a.sizes(), b.sizes()};
  const Shape rs = spec::result_shape(op, kTorch, shapes);
  const Tensor ac = as_dtype(a, rt), bc = as_dtype(b, rt);
  Tensor out = detail::empty(rs, rt, a.device());
  detail::run_binary(
      a.device(), op,
      kernels::Elementwise{rs,
                           detail::operand(out),
                           {detail::operand(ac, core::broadcast_strides(ac.sizes(), ac.strides(), rs)),
                            detail::operand(bc, core::broadcast_strides(bc.sizes(), bc.strides(), rs))}});
  if (auto node = autograd::record(op == OpId::Add ? Fn::Add : Fn::Mul, {a, b}, out)) {
    if (op == OpId::Mul) {
      // d(a*b)/da needs b and d/db needs a; save only what a needed gradient uses, as
      // PyTorch does, so unrelated in-place writes do not trip the version check.
      if (node->needs_grad(0)) node->save(1, b);
      if (node->needs_grad(1)) node->save(0, a);
    }
  }
  return out;
}

Tensor unary(OpId op, const Tensor& a) {
  detail::get(a);
  const spec::Operand ops[] = {spec_operand(a)};
  const DType rt = spec::result_dtype(op, kTorch, ops);  // exp of integers: float32
  const Tensor ac = as_dtype(a, rt);
  Tensor out = detail::empty(a.sizes(), rt, a.device());
  detail::run_unary(a.device(), op,
                    kernels::Elementwise{a.sizes(), detail::operand(out), {detail::operand(ac)}});
  if (auto node = autograd::record(op == OpId::Neg ? Fn::Neg : Fn::Exp, {a}, out))
    if (op == OpId::Exp) node->save(0, out);  // d exp(a) = exp(a) da: reuse the result
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(OpId::Add, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(OpId::Mul, a, b); }
Tensor neg(const Tensor& a) { return unary(OpId::Neg, a); }
Tensor exp(const Tensor& a) { return unary(OpId::Exp, a); }

Tensor sum(const Tensor& a, std::span<const std::int64_t> dims, bool keepdim) {
  detail::get(a);
  const spec::Operand ops[] = {spec_operand(a)};
  const DType rt = spec::result_dtype(OpId::Sum, kTorch, ops);  // bool/integers: int64
  const Shape shapes[] = {a.sizes()};
  const Shape rs = spec::result_shape(OpId::Sum, kTorch, shapes, dims, keepdim);
  const std::vector<int> axes = spec::reduction_axes(kTorch, a.dim(), dims);

  Tensor out = detail::zeros(rs, rt, a.device());
  // The output seen with the input's rank: stride 0 on reduced dims. A 0-d input may name
  // dim 0, which it does not have; such axes reduce nothing.
  Strides ost(std::size_t(a.dim()), 0);
  for (int d = 0, j = 0; d < a.dim(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced) ost[std::size_t(d)] = out.strides()[std::size_t(j)];
    if (!reduced || keepdim) ++j;
  }
  detail::run_sum(a.device(), kernels::Reduction{a.sizes(), detail::operand(out, ost), detail::operand(a)});

  if (auto node = autograd::record(dims.empty() ? Fn::Sum : Fn::SumDims, {a}, out)) {
    node->ints.assign(axes.begin(), axes.end());
    node->flag = keepdim;
  }
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::get(a);
  detail::get(b);
  check_same_device(a, b);
  const spec::Operand ops[] = {spec_operand(a), spec_operand(b)};
  const DType rt = spec::result_dtype(OpId::Matmul, kTorch, ops);
  const Shape shapes[] = {a.sizes(), b.sizes()};
  const Shape rs = spec::result_shape(OpId::Matmul, kTorch, shapes);
  const Tensor ac = as_dtype(a, rt), bc = as_dtype(b, rt);
  Tensor out = detail::empty(rs, rt, a.device());
  kernels::Matmul args;
  args.m = a.sizes()[0];
  args.k = a.sizes()[1];
  args.n = b.sizes()[1];
  args.a = detail::operand(ac);
  args.b = detail::operand(bc);
  args.out = detail::operand(out);
  detail::run_matmul(a.device(), args);
  if (auto node = autograd::record(Fn::Mm, {a, b}, out)) {
    if (node->needs_grad(0)) node->save(1, b);  // grad_a = g @ b^T
    if (node->needs_grad(1)) node->save(0, a);  // grad_b = a^T @ g
  }
  return out;
}

}  // namespace parity::tensor
