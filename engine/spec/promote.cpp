#include "engine/spec/promote.h"

#include <optional>

#include "engine/spec/error.h"
#include "engine/spec/fault.h"

namespace parity::spec {
namespace {

enum class Category { Bool, Integer, Floating };
constexpr Category category(DType t) {
  if (is_bool(t)) return Category::Bool;
  if (is_integer(t)) return Category::Integer;
  return Category::Floating;
}

constexpr std::size_t size(DType t) { return itemsize(t); }

// The signed integer dtype of a width in bytes (1, 2, 4, 8).
constexpr DType signed_of_size(std::size_t n) {
  return n == 1 ? DType::Int8 : n == 2 ? DType::Int16 : n == 4 ? DType::Int32 : DType::Int64;
}

// Two float dtypes: the wider; float16 with bfloat16 (neither holds the other) float32.
constexpr DType promote_floats(DType a, DType b) {
  if (a == b) return a;
  if (is_half(a) && is_half(b)) return DType::Float32;
  return size(a) >= size(b) ? a : b;
}

// NumPy's promote_types (NEP 50 with arrays: the dtypes alone decide). Integers of one
// signedness: the wider. Signed with unsigned: the narrowest signed dtype that holds both
// (uint64 with any signed dtype has none: float64). Integer with float: the narrowest float
// that holds every value of the integer dtype (mantissa wide enough), at least the float
// operand's. bfloat16 is not NumPy's; Parity gives it float16's rules (with float16 itself:
// float32).
constexpr DType numpy_promote(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_floating(a) && is_floating(b)) return promote_floats(a, b);
  if (is_integer(a) && is_integer(b)) {
    if (is_unsigned(a) == is_unsigned(b)) return size(a) >= size(b) ? a : b;
    const DType u = is_unsigned(a) ? a : b, s = is_unsigned(a) ? b : a;
    if (size(u) < size(s)) return s;
    if (u == DType::UInt64) return DType::Float64;
    return signed_of_size(2 * size(u));
  }
  const DType i = is_integer(a) ? a : b, f = is_integer(a) ? b : a;
  const int bits = dtype_info(i).mantissa_bits;
  if (bits <= dtype_info(f).mantissa_bits) return f;
  for (DType g : {DType::Float16, DType::Float32, DType::Float64})
    if (bits <= dtype_info(g).mantissa_bits && size(g) > size(f)) return g;
  return DType::Float64;
}

// PyTorch's promoteTypes (c10/core/ScalarType.cpp, 1.13): integers of one signedness the
// wider; uint8 with a signed dtype the signed one, but with int8 int16; an integer with a
// float the float; float16 with bfloat16 float32.
constexpr DType torch_promote(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_floating(a) && is_floating(b)) return promote_floats(a, b);
  if (is_floating(a)) return a;
  if (is_floating(b)) return b;
  if (is_unsigned(a) != is_unsigned(b)) {  // uint8 is PyTorch's only unsigned dtype
    const DType s = is_unsigned(a) ? b : a;
    return s == DType::Int8 ? DType::Int16 : s;
  }
  return size(a) >= size(b) ? a : b;
}

}  // namespace

DType promote_types(Semantics s, DType a, DType b) {
  if (s == Semantics::PyTorch) {
    for (DType t : {a, b})
      if (!in_torch(t)) throw_not_in_torch(t);
  }
  if (PARITY_FAULT("promotion-entry") && s == Semantics::PyTorch &&
      ((a == DType::Int32 && b == DType::Float32) || (a == DType::Float32 && b == DType::Int32)))
    return DType::Float64;
  return s == Semantics::NumPy ? numpy_promote(a, b) : torch_promote(a, b);
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
  if (s == Semantics::PyTorch) return DType::Float32;  // the default dtype
  // NumPy's first float loop the input casts to safely: bool, int8, uint8 -> float16;
  // int16, uint16 -> float32; wider integers -> float64.
  const int bits = dtype_info(in).mantissa_bits;
  for (DType g : {DType::Float16, DType::Float32})
    if (bits <= dtype_info(g).mantissa_bits) return g;
  return DType::Float64;
}

DType sum_result_type(Semantics s, DType in) {
  if (is_floating(in)) return in;
  // NumPy adds small integers in the platform's long (int64 here), unsigned ones in its
  // unsigned long; PyTorch in int64 for all.
  if (s == Semantics::NumPy && is_unsigned(in)) return DType::UInt64;
  return DType::Int64;
}

}  // namespace parity::spec
