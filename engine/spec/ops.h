#pragma once
// The op table: one row per op, as data. Both engines' front ends, the check cases, the
// benchmarks and `parity spec` read it; adding an op is adding a row (and its kernels).
#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/spec/broadcast.h"
#include "engine/spec/dtype.h"
#include "engine/spec/promote.h"

namespace parity::spec {

enum class OpId : std::uint8_t { Add, Mul, Neg, Exp, Sum, Matmul };
inline constexpr int kNumOps = 6;

enum class OpKind : std::uint8_t { Unary, Binary, Reduction, Matmul };
constexpr std::string_view kind_name(OpKind k) {
  switch (k) {
    case OpKind::Unary: return "unary";
    case OpKind::Binary: return "binary";
    case OpKind::Reduction: return "reduction";
    case OpKind::Matmul: return "matmul";
  }
  return "?";
}

// How the result dtype follows from the inputs.
enum class Promotion : std::uint8_t {
  Same,         // result dtype = input dtype (neg)
  Binary,       // result_type() of the inputs (add, mul, matmul)
  IntToFloat,   // float_result_type() (exp)
  SumAccumulate // sum_result_type() (sum)
};
std::string_view promotion_name(Promotion p);

// Where inputs are drawn from for checks and benchmarks (uniform in [lo, hi]); exp keeps
// its inputs where the result is finite in float32.
struct Domain {
  double lo;
  double hi;
};

// How close an engine's result must be to the reference, per float dtype. Elementwise ops
// are judged in ULPs of the result. Reductions and matmul are judged against a bound that
// grows with the condition: |got - want| <= rel * sum(|terms|) with
// rel = factor * eps * (ceil(log2 k) + 2 + sqrt k), k the length of the reduced dimension
// (tree orders err by log2 k roundings, sequential ones by about sqrt k on random data).
struct Accuracy {
  double max_ulp;        // elementwise ops; 0 means exact (correctly rounded both sides)
  double reduce_factor;  // reductions/matmul: multiplier of eps * k; 0 when not a reduction
};

// Bytes moved and floating point operations, for GB/s and GFLOP/s.
struct Cost {
  double bytes = 0;
  double flops = 0;
};

struct OpSpec {
  OpId id;
  std::string_view name;
  OpKind kind;
  int arity;
  DTypeSet dtypes;  // dtypes both engines accept; others raise TypeError
  Promotion promotion;
  Domain domain;
  bool differentiable;
  double flops_per_element;  // per output element (elementwise) or per input element (sum)
  std::string_view numpy_name;
  std::string_view torch_name;
  Accuracy accuracy;
  std::string_view divergence;  // how NumPy and PyTorch differ on purpose; "" when they agree
};

const std::array<OpSpec, kNumOps>& op_table();
const OpSpec& op_spec(OpId id);
// Looks an op up by name; throws ValueError listing the known names.
const OpSpec& find_op(std::string_view name);
std::string op_names();  // "add, mul, ..."

// The result dtype of `op` under one library's rules; throws TypeError where the op is not
// defined for the input dtypes (neg of bool, exp of bool, matmul of integers).
DType result_dtype(OpId op, Semantics s, std::span<const Operand> inputs);

// The result shape of `op`. For sum, axes empty means all axes. Throws ValueError with the
// library's wording on mismatch.
Shape result_shape(OpId op, Semantics s, std::span<const Shape> inputs,
                   std::span<const std::int64_t> axes = {}, bool keepdims = false);

// Bytes and flops of one call, from the shapes and dtypes.
Cost op_cost(OpId op, std::span<const Shape> inputs, DType in, DType out,
             std::span<const std::int64_t> axes = {});

}  // namespace parity::spec

namespace parity::spec {
// The reduced axes of a reduction, normalised (0..ndim-1), sorted, checked for duplicates;
// empty `axes` means all axes.
std::vector<int> reduction_axes(Semantics s, int ndim, std::span<const std::int64_t> axes);
}  // namespace parity::spec
