#include "engine/spec/ops.h"

#include <algorithm>

#include "engine/spec/error.h"

namespace parity::spec {
namespace {

constexpr DTypeSet kAll{DType::Bool, DType::Int32, DType::Int64, DType::Float32, DType::Float64};
constexpr DTypeSet kNumeric{DType::Int32, DType::Int64, DType::Float32, DType::Float64};
constexpr DTypeSet kFloat{DType::Float32, DType::Float64};

// clang-format off
constexpr std::array<OpSpec, kNumOps> kTable{{
  {OpId::Add, "add", OpKind::Binary, 2, kAll, Promotion::Binary, {-4.0, 4.0}, true, 1.0,
   "numpy.add", "torch.add", {0.0, 0.0},
   "int32/int64 with float32: NumPy float64, PyTorch float32; 0-d operands promote only by "
   "category in PyTorch"},
  {OpId::Mul, "mul", OpKind::Binary, 2, kAll, Promotion::Binary, {-4.0, 4.0}, true, 1.0,
   "numpy.multiply", "torch.mul", {0.0, 0.0},
   "int32/int64 with float32: NumPy float64, PyTorch float32; 0-d operands promote only by "
   "category in PyTorch"},
  {OpId::Neg, "neg", OpKind::Unary, 1, kNumeric, Promotion::Same, {-4.0, 4.0}, true, 1.0,
   "numpy.negative", "torch.neg", {0.0, 0.0}, ""},
  {OpId::Exp, "exp", OpKind::Unary, 1, kNumeric, Promotion::IntToFloat, {-8.0, 8.0}, true, 1.0,
   "numpy.exp", "torch.exp", {4.0, 0.0},
   "integer input: NumPy float64, PyTorch float32 (the default dtype)"},
  {OpId::Sum, "sum", OpKind::Reduction, 1, kAll, Promotion::SumAccumulate, {-4.0, 4.0}, true,
   1.0, "numpy.sum", "torch.sum", {0.0, 2.0}, ""},
  {OpId::Matmul, "matmul", OpKind::Matmul, 2, kFloat, Promotion::Binary, {-2.0, 2.0}, true,
   2.0, "numpy.matmul", "torch.matmul", {0.0, 2.0},
   "mixed float dtypes: NumPy promotes, PyTorch refuses (no promotion in mm)"},
}};
// clang-format on

constexpr bool table_in_id_order() {
  for (int i = 0; i < kNumOps; ++i)
    if (int(kTable[i].id) != i) return false;
  return true;
}
static_assert(table_in_id_order(), "op table rows must be in OpId order, one per OpId");

// How PyTorch prints a dtype inside its C++ error messages.
std::string_view torch_type_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
  }
  return "?";
}

void check_dtype(const OpSpec& op, Semantics s, DType t) {
  if (op.id == OpId::Neg && is_bool(t)) {
    if (s == Semantics::NumPy)
      throw TypeError("The numpy boolean negative, the `-` operator, is not supported, use the "
                      "`~` operator or the logical_not function instead.");
    throw TypeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                    "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  }
  if (!op.dtypes.contains(t))
    throw TypeError(std::string(op.name) + ": dtype " + std::string(dtype_name(t)) +
                    " is not supported (supported: " + op.dtypes.to_string() + ")");
}

}  // namespace

std::string_view promotion_name(Promotion p) {
  switch (p) {
    case Promotion::Same: return "same";
    case Promotion::Binary: return "binary";
    case Promotion::IntToFloat: return "int_to_float";
    case Promotion::SumAccumulate: return "sum_accumulate";
  }
  return "?";
}

const std::array<OpSpec, kNumOps>& op_table() { return kTable; }
const OpSpec& op_spec(OpId id) { return kTable[std::size_t(id)]; }

std::string op_names() {
  std::string out;
  for (const auto& op : kTable) {
    if (!out.empty()) out += ", ";
    out += op.name;
  }
  return out;
}

const OpSpec& find_op(std::string_view name) {
  for (const auto& op : kTable)
    if (op.name == name) return op;
  throw ValueError("unknown op '" + std::string(name) + "' (known: " + op_names() + ")");
}

DType result_dtype(OpId id, Semantics s, std::span<const Operand> inputs) {
  const OpSpec& op = op_spec(id);
  if (int(inputs.size()) != op.arity)
    throw ValueError(std::string(op.name) + " takes " + std::to_string(op.arity) + " operand(s), got " +
                     std::to_string(inputs.size()));
  for (const Operand& o : inputs) check_dtype(op, s, o.dtype);
  // torch.mm / torch.matmul do not promote: torch.ones(2,3) @ torch.ones(3,2, dtype=torch.float64)
  // raises (PyTorch 2's mm check); NumPy promotes to float64.
  if (op.kind == OpKind::Matmul && s == Semantics::PyTorch && inputs[0].dtype != inputs[1].dtype)
    throw TypeError("expected mat1 and mat2 to have the same dtype, but got: " +
                    std::string(torch_type_name(inputs[0].dtype)) + " != " +
                    std::string(torch_type_name(inputs[1].dtype)));
  switch (op.promotion) {
    case Promotion::Same: return inputs[0].dtype;
    case Promotion::Binary: return result_type(s, inputs);
    case Promotion::IntToFloat: return float_result_type(s, inputs[0].dtype);
    case Promotion::SumAccumulate: return sum_result_type(s, inputs[0].dtype);
  }
  return inputs[0].dtype;
}

namespace {

// Axes to reduce, normalised and sorted; empty `axes` means all of them.
std::vector<int> reduced_axes(Semantics s, int ndim, std::span<const std::int64_t> axes) {
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (auto a : axes) {
    int n = normalize_axis(s, a, ndim);
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      if (s == Semantics::NumPy) throw ValueError("duplicate value in 'axis'");
      throw ValueError("dim " + std::to_string(n) + " appears multiple times in the list of dims");
    }
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_matmul_shapes(Semantics s, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2)
    throw ValueError("matmul: this spec covers 2-D operands only, got shapes " + shape_str(a) +
                     " and " + shape_str(b));
  if (a[1] == b[0]) return;
  if (s == Semantics::NumPy)
    throw ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                     "signature (n?,k),(k,m?)->(n?,m?) (size " + std::to_string(b[0]) +
                     " is different from " + std::to_string(a[1]) + ")");
  throw ValueError("mat1 and mat2 shapes cannot be multiplied (" + std::to_string(a[0]) + "x" +
                   std::to_string(a[1]) + " and " + std::to_string(b[0]) + "x" +
                   std::to_string(b[1]) + ")");
}

}  // namespace

Shape result_shape(OpId id, Semantics s, std::span<const Shape> inputs,
                   std::span<const std::int64_t> axes, bool keepdims) {
  const OpSpec& op = op_spec(id);
  if (int(inputs.size()) != op.arity)
    throw ValueError(std::string(op.name) + " takes " + std::to_string(op.arity) + " operand(s), got " +
                     std::to_string(inputs.size()));
  switch (op.kind) {
    case OpKind::Unary: return inputs[0];
    case OpKind::Binary: return broadcast_shapes(s, inputs[0], inputs[1]);
    case OpKind::Matmul:
      check_matmul_shapes(s, inputs[0], inputs[1]);
      return {inputs[0][0], inputs[1][1]};
    case OpKind::Reduction: {
      const Shape& in = inputs[0];
      std::vector<int> red = reduced_axes(s, int(in.size()), axes);
      Shape out;
      for (int i = 0; i < int(in.size()); ++i) {
        bool r = std::find(red.begin(), red.end(), i) != red.end();
        if (!r) out.push_back(in[i]);
        else if (keepdims) out.push_back(1);
      }
      return out;
    }
  }
  return inputs[0];
}

std::vector<int> reduction_axes(Semantics s, int ndim, std::span<const std::int64_t> axes) {
  return reduced_axes(s, ndim, axes);
}

Cost op_cost(OpId id, std::span<const Shape> inputs, DType in, DType out,
             std::span<const std::int64_t> axes) {
  const OpSpec& op = op_spec(id);
  const double isz = double(itemsize(in)), osz = double(itemsize(out));
  Cost c;
  switch (op.kind) {
    case OpKind::Unary:
    case OpKind::Binary: {
      Shape o = result_shape(id, Semantics::NumPy, inputs);
      for (const Shape& s : inputs) c.bytes += double(numel(s)) * isz;
      c.bytes += double(numel(o)) * osz;
      c.flops = op.flops_per_element * double(numel(o));
      break;
    }
    case OpKind::Reduction: {
      Shape o = result_shape(id, Semantics::NumPy, inputs, axes);
      c.bytes = double(numel(inputs[0])) * isz + double(numel(o)) * osz;
      c.flops = op.flops_per_element * double(numel(inputs[0]));
      break;
    }
    case OpKind::Matmul: {
      const double m = double(inputs[0][0]), k = double(inputs[0][1]), n = double(inputs[1][1]);
      c.bytes = (m * k + k * n) * isz + m * n * osz;
      c.flops = op.flops_per_element * m * n * k;
      break;
    }
  }
  return c;
}

}  // namespace parity::spec
