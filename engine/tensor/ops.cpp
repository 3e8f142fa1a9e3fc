// The ops, PyTorch semantics: one implementation per op in a table indexed by op. Result
// dtype, shape and refusals come from the registry (engine/spec/ops.h, which also raises
// PyTorch's errors); inputs are cast to the result dtype, the kernel of the operands'
// device runs (elementwise ops: the op's functor in kernels/common/functors.h), then the
// gradient table (derivatives.cpp) records what backward needs.
#include "engine/spec/ops.h"

#include <algorithm>
#include <limits>
#include <array>

#include "engine/spec/error.h"
#include "engine/tensor/autograd.h"
#include "engine/tensor/impl.h"

namespace parity::tensor {
namespace {

constexpr auto kTorch = spec::Semantics::PyTorch;
using spec::OpId;

Tensor as_dtype(const Tensor& t, DType d) { return t.dtype() == d ? t : detail::cast(t, d); }

// The dtype sum and matmul run in for a result dtype: float16 and bfloat16 in float32, as
// PyTorch accumulates them (its opmath), rounded to the result dtype once at the end.
DType compute_dtype(DType result) { return spec::is_half(result) ? DType::Float32 : result; }

spec::Backend backend_of(Device d) { return d.is_cuda() ? spec::Backend::Cuda : spec::Backend::Cpu; }

// The inputs' operands for the registry, after checking they are defined and on one
// device (which it returns); `out` has room for every input.
Device operands_into(std::span<const Tensor> in, std::span<spec::Operand> out) {
  for (std::size_t k = 0; k < in.size(); ++k) {
    const Tensor& t = in[k];
    detail::get(t);
    if (t.device() != in[0].device())
      throw DeviceError(
          "Expected all tensors to be on the same device, but found at least two "
          "devices, " +
          in[0].device().str() + " and " + t.device().str() + "!");
    out[k] = {t.dtype(), t.dim() == 0};
  }
  return in.empty() ? Device::cpu() : in[0].device();
}

std::vector<spec::Operand> operands_of(std::span<const Tensor> in) {
  std::vector<spec::Operand> ops(in.size());
  operands_into(in, ops);
  return ops;
}

std::vector<Shape> shapes_of(std::span<const Tensor> in) {
  std::vector<Shape> s;
  s.reserve(in.size());
  for (const Tensor& t : in) s.push_back(t.sizes());
  return s;
}

// Elementwise ops have at most this many inputs (where: 3).
constexpr std::size_t kMaxInputs = 4;

// The kernel arguments of elementwise calls on this thread, reused so that a call does not
// allocate its shape and stride lists again (their capacity stays). Filled only after the
// inputs are cast (casts run their own kernels), read only by the one kernel call, so no
// two calls share it at once.
kernels::Elementwise& elementwise_args() {
  thread_local kernels::Elementwise args;
  return args;
}

// o's data and dtype from t (its strides are the caller's).
void point_at(const Tensor& t, kernels::Operand& o) {
  o.data = t.data_ptr();
  o.dtype = t.dtype();
}

// PyTorch's data-dependent errors (integer division by zero on cpu): raised before the
// kernel runs when an element of the cast operands satisfies the row, so that no functor
// throws. Reads the operands' values (a copy from the device for cuda).
void raise_value_refusal(OpId op, std::span<const spec::Operand> ops, spec::Backend backend,
                         std::span<const Tensor* const> inputs, DType ct, const Shape& rs) {
  std::vector<std::vector<double>> values;
  std::vector<spec::ElementValues> ev;
  values.reserve(inputs.size());
  for (const Tensor* t : inputs) values.push_back(t->to_doubles());
  for (std::size_t k = 0; k < inputs.size(); ++k) ev.push_back({&values[k], inputs[k]->sizes()});
  spec::raise_value_refusal(op, kTorch, ops, backend, ct, rs, ev);
}

// Any elementwise op, of any arity: inputs cast to the compute dtype (condition operands to
// bool) and broadcast, then the op's functor with the op's scalar parameters, which writes
// the result dtype (the compute dtype, or bool: registry's Output).
// The small-call path (docs/performance.md, 2026-12-02) allocates only the result: the
// operands' list is on the stack, equal shapes skip the broadcast (its result is that
// shape), and the kernel's argument lists are reused.
Tensor elementwise(OpId op, std::span<const Tensor> in, const spec::Params& params) {
  if (in.size() > kMaxInputs) throw ValueError("elementwise: too many inputs");
  std::array<spec::Operand, kMaxInputs> ops_buf{};
  const Device device = operands_into(in, ops_buf);
  const std::span<const spec::Operand> ops(ops_buf.data(), in.size());
  const DType ct = spec::compute_dtype(op, kTorch, ops, backend_of(device));
  const DType rt = spec::output_dtype(op, ct);
  bool same_shapes = true;
  for (const Tensor& t : in) same_shapes = same_shapes && t.sizes() == in[0].sizes();
  Tensor out = same_shapes ? detail::empty(in[0].sizes(), rt, device)
                           : detail::empty(spec::result_shape(op, kTorch, shapes_of(in), params), rt, device);
  const Shape& rs = out.sizes();
  std::array<Tensor, kMaxInputs> casts;  // keeps the cast copies alive through the kernel
  std::array<const Tensor*, kMaxInputs> inputs{};
  for (std::size_t k = 0; k < in.size(); ++k) {
    inputs[k] = &in[k];
    const DType want = spec::operand_dtype(op, k, ct);  // bool for a condition operand
    if (in[k].dtype() != want) inputs[k] = &(casts[k] = detail::cast(in[k], want));
  }
  if (spec::has_value_refusal(op, kTorch, ops, backend_of(device)))
    raise_value_refusal(op, ops, backend_of(device), std::span(inputs.data(), in.size()), ct, rs);
  kernels::Elementwise& args = elementwise_args();
  args.shape.assign(rs.begin(), rs.end());
  point_at(out, args.out);
  args.out.strides.assign(out.strides().begin(), out.strides().end());
  args.in.resize(in.size());
  args.scalars = spec::scalar_values(op, params, ct);
  for (std::size_t k = 0; k < in.size(); ++k) {
    const Tensor& c = *inputs[k];
    point_at(c, args.in[k]);
    core::broadcast_strides_into(c.sizes(), c.strides(), rs, args.in[k].strides);
  }
  detail::run_elementwise(device, op, args);
  autograd::record_op(op, in, out, params);
  return out;
}

// A reduction row (sum, prod, amax, amin, mean, all, any, argmax, argmin): the registry gives the result
// dtype (and PyTorch's refusals), the shape and the reduced dims; the kernel reduces with the
// row's Reduce. Sum and prod accumulate float16 and bfloat16 in float32 and round once at the
// end; mean is the sum, rounded to the result dtype, divided by the count there (as
// torch.mean: sum(dtype) then div_, so a float16 mean rounds twice, and its count too).
// x with every NaN replaced by 0 and the infinities kept (nan_to_num with posinf and neginf
// at +-inf), recording nothing: nansum's input.
Tensor without_nan(const Tensor& x) {
  NoGradGuard no_grad;
  spec::Params p;
  p.scalars[0] = 0.0;
  p.scalars[1] = std::numeric_limits<double>::infinity();
  p.scalars[2] = -std::numeric_limits<double>::infinity();
  return call(OpId::NanToNum, std::array{x}, p);
}

Tensor reduction(OpId op, std::span<const Tensor> in, const spec::Params& params) {
  const spec::OpSpec& row = spec::op_spec(op);
  // nansum and nanmean: a sum of the input with its NaNs replaced (bool and integers have none)
  const bool nan_skipping = row.reduce == spec::Reduce::NanSum || row.reduce == spec::Reduce::NanMean;
  const Tensor& a = nan_skipping && spec::is_floating(in[0].dtype()) ? without_nan(in[0]) : in[0];
  const std::vector<spec::Operand> ops = operands_of(in);
  const DType rt = spec::result_dtype(op, kTorch, ops, backend_of(a.device()));  // bool/integers: int64
  const Shape rs = spec::result_shape(op, kTorch, shapes_of(in), params);
  const std::vector<int> axes = spec::reduction_axes(op, kTorch, a.dim(), params.axes);
  const spec::Reduce red = row.reduce == spec::Reduce::Mean || nan_skipping ? spec::Reduce::Sum : row.reduce;
  const bool accumulates = red == spec::Reduce::Sum || red == spec::Reduce::Prod;

  Tensor acc = detail::empty(rs, accumulates ? compute_dtype(rt) : rt, a.device());
  // The output seen with the input's rank: stride 0 on reduced dims. A 0-d input may name
  // dim 0, which it does not have; such axes reduce nothing.
  Strides ost(std::size_t(a.dim()), 0);
  std::int64_t count = 1;
  for (int d = 0, j = 0; d < a.dim(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced) ost[std::size_t(d)] = acc.strides()[std::size_t(j)];
    else count *= a.sizes()[std::size_t(d)];
    if (!reduced || params.keepdims) ++j;
  }
  detail::run_reduce(a.device(),
                     kernels::Reduction{a.sizes(), detail::operand(acc, ost), detail::operand(a), red});
  Tensor out = as_dtype(acc, rt);
  if (row.reduce == spec::Reduce::Mean) {
    // out / count elementwise in rt, the count converted to rt first, as torch.mean's div_:
    // in float16 a count of 2049 is 2048 and one of 70001 inf (torch.mean of 70001 float16
    // 0.3s is 0.0). 0 / 0 is NaN: the mean of nothing.
    Tensor n = detail::empty({}, rt, a.device());
    detail::fill_raw(n, double(count));
    Tensor q = detail::empty(out.sizes(), rt, a.device());
    kernels::Elementwise args;
    args.shape.assign(out.sizes().begin(), out.sizes().end());
    args.out = detail::operand(q);
    args.in = {detail::operand(out), detail::operand(n, Strides(out.sizes().size(), 0))};
    detail::run_elementwise(a.device(), OpId::Divide, args);
    out = q;
  }
  if (row.reduce == spec::Reduce::NanMean) {
    // torch.nanmean: nansum(x).div(count of x that is not NaN), an int64 count converted to
    // the result dtype by the division (in float16 2049 is 2048); recorded once, below.
    NoGradGuard no_grad;
    const Tensor kept = call(OpId::LogicalNot, std::array{call(OpId::Isnan, std::array{in[0]})});
    out = call(OpId::Divide, std::array{out, call(OpId::Sum, std::array{kept}, params)});
  }
  if (grad_enabled() && in[0].requires_grad() && row.differentiable) {  // the gradient needs the normalised axes
    spec::Params saved = params;
    if (!params.axes.empty()) saved.axes.assign(axes.begin(), axes.end());
    autograd::record_op(op, in, out, saved);
  }
  return out;
}

Tensor matmul_impl(OpId op, std::span<const Tensor> in, const spec::Params& params) {
  const Tensor &a = in[0], &b = in[1];
  const std::vector<spec::Operand> ops = operands_of(in);
  // torch.mm checks the sizes before the dtypes.
  const Shape rs = spec::result_shape(op, kTorch, shapes_of(in), params);
  // torch.mm returns before it dispatches on the dtype when the product is empty or k is 0:
  // torch.ones(2, 0, dtype=torch.bool) @ torch.ones(0, 3, dtype=torch.bool) is all False, so a
  // dtype its kernel refuses ("addmm_impl_cpu_" not implemented for 'Bool') passes there.
  if (a.dtype() == b.dtype() && (spec::numel(rs) == 0 || a.sizes()[1] == 0)) {
    Tensor out = detail::zeros(rs, a.dtype(), a.device());
    autograd::record_op(op, in, out, params);
    return out;
  }
  const DType rt = spec::result_dtype(op, kTorch, ops, backend_of(a.device()));
  const DType ct = compute_dtype(rt);
  const Tensor ac = as_dtype(a, ct), bc = as_dtype(b, ct);
  Tensor prod = detail::empty(rs, ct, a.device());
  kernels::Matmul args;
  args.m = a.sizes()[0];
  args.k = a.sizes()[1];
  args.n = b.sizes()[1];
  args.a = detail::operand(ac);
  args.b = detail::operand(bc);
  args.out = detail::operand(prod);
  detail::run_matmul(a.device(), args);
  const Tensor out = as_dtype(prod, rt);
  autograd::record_op(op, in, out, params);
  return out;
}

// input.to(dtype): self when it already has the dtype (PyTorch returns the same tensor), else a
// new contiguous tensor cast element by element as PyTorch's casts do (kernels' cast_value),
// its grad_fn ToCopyBackward0 where the result is a float.
Tensor astype_impl(OpId op, std::span<const Tensor> in, const spec::Params& params) {
  const Tensor& a = in[0];
  const spec::Operand ops[] = {{a.dtype(), a.dim() == 0}};
  const DType rt = spec::result_dtype(op, kTorch, ops, backend_of(a.device()), params);
  if (a.dtype() == rt) return a;
  Tensor out = detail::cast(a, rt);
  autograd::record_op(op, in, out, params);
  return out;
}

using Impl = Tensor (*)(OpId, std::span<const Tensor>, const spec::Params&);
struct ImplRow {
  OpId op;
  Impl impl;
};

// clang-format off
constexpr std::array kImpls{
  ImplRow{OpId::Add,    elementwise},
  ImplRow{OpId::Mul,    elementwise},
  ImplRow{OpId::Neg,    elementwise},
  ImplRow{OpId::Exp,    elementwise},
  ImplRow{OpId::Sum,    reduction},
  ImplRow{OpId::Matmul, matmul_impl},
  ImplRow{OpId::Sub,    elementwise},
  ImplRow{OpId::Sqrt,       elementwise},
  ImplRow{OpId::Log,        elementwise},
  ImplRow{OpId::Sin,        elementwise},
  ImplRow{OpId::Cos,        elementwise},
  ImplRow{OpId::Tanh,       elementwise},
  ImplRow{OpId::Square,     elementwise},
  ImplRow{OpId::Reciprocal, elementwise},
  ImplRow{OpId::Log1p,      elementwise},
  ImplRow{OpId::Expm1,      elementwise},
  ImplRow{OpId::Log2,       elementwise},
  ImplRow{OpId::Log10,      elementwise},
  ImplRow{OpId::Exp2,       elementwise},
  ImplRow{OpId::Tan,        elementwise},
  ImplRow{OpId::Asin,       elementwise},
  ImplRow{OpId::Acos,       elementwise},
  ImplRow{OpId::Atan,       elementwise},
  ImplRow{OpId::Sinh,       elementwise},
  ImplRow{OpId::Cosh,       elementwise},
  ImplRow{OpId::Asinh,      elementwise},
  ImplRow{OpId::Acosh,      elementwise},
  ImplRow{OpId::Atanh,      elementwise},
  ImplRow{OpId::Abs,        elementwise},
  ImplRow{OpId::Divide,     elementwise},
  ImplRow{OpId::FloorDivide, elementwise},
  ImplRow{OpId::Remainder,  elementwise},
  ImplRow{OpId::Fmod,       elementwise},
  ImplRow{OpId::Power,      elementwise},
  ImplRow{OpId::Maximum,    elementwise},
  ImplRow{OpId::Minimum,    elementwise},
  ImplRow{OpId::Fmax,       elementwise},
  ImplRow{OpId::Fmin,       elementwise},
  ImplRow{OpId::Atan2,      elementwise},
  ImplRow{OpId::Hypot,      elementwise},
  ImplRow{OpId::Copysign,   elementwise},
  ImplRow{OpId::Nextafter,  elementwise},
  ImplRow{OpId::Logaddexp,  elementwise},
  ImplRow{OpId::BitwiseAnd, elementwise},
  ImplRow{OpId::BitwiseOr,  elementwise},
  ImplRow{OpId::BitwiseXor, elementwise},
  ImplRow{OpId::LeftShift,  elementwise},
  ImplRow{OpId::RightShift, elementwise},
  ImplRow{OpId::Equal,        elementwise},
  ImplRow{OpId::NotEqual,     elementwise},
  ImplRow{OpId::Less,         elementwise},
  ImplRow{OpId::LessEqual,    elementwise},
  ImplRow{OpId::Greater,      elementwise},
  ImplRow{OpId::GreaterEqual, elementwise},
  ImplRow{OpId::LogicalAnd,   elementwise},
  ImplRow{OpId::LogicalOr,    elementwise},
  ImplRow{OpId::LogicalXor,   elementwise},
  ImplRow{OpId::LogicalNot,   elementwise},
  ImplRow{OpId::Isnan,        elementwise},
  ImplRow{OpId::Isinf,        elementwise},
  ImplRow{OpId::Isfinite,     elementwise},
  ImplRow{OpId::Signbit,      elementwise},
  ImplRow{OpId::Positive,     elementwise},
  ImplRow{OpId::Sign,         elementwise},
  ImplRow{OpId::Floor,        elementwise},
  ImplRow{OpId::Ceil,         elementwise},
  ImplRow{OpId::Trunc,        elementwise},
  ImplRow{OpId::Rint,         elementwise},
  ImplRow{OpId::Invert,       elementwise},
  ImplRow{OpId::Cbrt,         elementwise},
  ImplRow{OpId::Erf,          elementwise},
  ImplRow{OpId::Relu,         elementwise},
  ImplRow{OpId::Sigmoid,      elementwise},
  ImplRow{OpId::Silu,         elementwise},
  ImplRow{OpId::Softplus,     elementwise},
  ImplRow{OpId::Where,        elementwise},
  ImplRow{OpId::Clip,         elementwise},
  ImplRow{OpId::NanToNum,     elementwise},
  ImplRow{OpId::Gelu,         elementwise},
  ImplRow{OpId::GeluTanh,     elementwise},
  ImplRow{OpId::Astype,       astype_impl},
  ImplRow{OpId::Amax,         reduction},
  ImplRow{OpId::Amin,         reduction},
  ImplRow{OpId::Prod,         reduction},
  ImplRow{OpId::Mean,         reduction},
  ImplRow{OpId::All,          reduction},
  ImplRow{OpId::Any,          reduction},
  ImplRow{OpId::Argmax,       reduction},
  ImplRow{OpId::Argmin,       reduction},
  ImplRow{OpId::CountNonzero, reduction},
  ImplRow{OpId::Nansum,       reduction},
  ImplRow{OpId::Nanmean,      reduction},
};
// clang-format on

static_assert(spec::one_row_per_op(kImpls),
              "the tensor engine needs one implementation per op, in OpId order");

}  // namespace

Tensor call(OpId op, std::span<const Tensor> inputs, const spec::Params& params) {
  spec::check_arity(op, inputs.size());
  return kImpls[std::size_t(op)].impl(op, inputs, params);
}

Tensor add(const Tensor& a, const Tensor& b) { return call(OpId::Add, std::array{a, b}); }
Tensor mul(const Tensor& a, const Tensor& b) { return call(OpId::Mul, std::array{a, b}); }
Tensor neg(const Tensor& a) { return call(OpId::Neg, std::array{a}); }
Tensor exp(const Tensor& a) { return call(OpId::Exp, std::array{a}); }
Tensor sum(const Tensor& a, std::span<const std::int64_t> dims, bool keepdim) {
  spec::Params p;
  p.axes.assign(dims.begin(), dims.end());
  p.keepdims = keepdim;
  return call(OpId::Sum, std::array{a}, p);
}
Tensor matmul(const Tensor& a, const Tensor& b) { return call(OpId::Matmul, std::array{a, b}); }

}  // namespace parity::tensor
