#include "engine/spec/promote.h"

#include <optional>

#include "engine/spec/error.h"
#include "engine/spec/fault.h"

namespace parity::spec {
namespace {

enum class Category { Bool, Integer, Floating };
Category category(DType t) {
  if (is_bool(t)) return Category::Bool;
  if (is_integer(t)) return Category::Integer;
  return Category::Floating;
}

// Rows and columns in DType order: bool, int32, int64, float32, float64.
constexpr DType B = DType::Bool, I4 = DType::Int32, I8 = DType::Int64, F4 = DType::Float32,
                F8 = DType::Float64;
// NumPy: float32 cannot hold every int32/int64 safely, so mixing them gives float64.
constexpr DType kNumPy[kNumDTypes][kNumDTypes] = {
    /* bool    */ {B, I4, I8, F4, F8},
    /* int32   */ {I4, I4, I8, F8, F8},
    /* int64   */ {I8, I8, I8, F8, F8},
    /* float32 */ {F4, F8, F8, F4, F8},
    /* float64 */ {F8, F8, F8, F8, F8},
};
// PyTorch: a floating dtype wins over any integer dtype as it is.
constexpr DType kTorch[kNumDTypes][kNumDTypes] = {
    /* bool    */ {B, I4, I8, F4, F8},
    /* int32   */ {I4, I4, I8, F4, F8},
    /* int64   */ {I8, I8, I8, F4, F8},
    /* float32 */ {F4, F4, F4, F4, F8},
    /* float64 */ {F8, F8, F8, F8, F8},
};

}  // namespace

DType promote_types(Semantics s, DType a, DType b) {
  const auto& table = s == Semantics::NumPy ? kNumPy : kTorch;
  if (PARITY_FAULT("promotion-entry") && s == Semantics::PyTorch &&
      ((a == DType::Int32 && b == DType::Float32) || (a == DType::Float32 && b == DType::Int32)))
    return DType::Float64;
  return table[int(a)][int(b)];
}

DType result_type(Semantics s, std::span<const Operand> operands) {
  if (operands.empty()) throw ValueError("result_type needs at least one operand");
  if (s == Semantics::NumPy) {
    DType r = operands[0].dtype;
    for (const Operand& o : operands.subspan(1)) r = promote_types(s, r, o.dtype);
    return r;
  }
  // PyTorch: promote within each group, then let the 0-d group in only where its category
  // is higher (ATen's combine_categories).
  std::optional<DType> dim, zero;
  for (const Operand& o : operands) {
    auto& slot = o.zero_dim ? zero : dim;
    slot = slot ? promote_types(s, *slot, o.dtype) : o.dtype;
  }
  if (!dim) return *zero;
  if (!zero) return *dim;
  if (category(*zero) > category(*dim)) return promote_types(s, *dim, *zero);
  return *dim;
}

DType float_result_type(Semantics s, DType in) {
  if (is_floating(in)) return in;
  if (s == Semantics::PyTorch) return DType::Float32;
  // NumPy's smallest safe float: bool would be float16, which Parity has no dtype for.
  if (is_bool(in)) throw TypeError("NumPy gives float16 for a float op on bool; Parity has no float16");
  return DType::Float64;
}

DType sum_result_type(Semantics, DType in) { return is_floating(in) ? in : DType::Int64; }

}  // namespace parity::spec
