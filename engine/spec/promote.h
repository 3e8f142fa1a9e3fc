#pragma once
// Type promotion, both rule books. NumPy follows NEP 50 (NumPy 2): the result dtype depends
// on the operand dtypes only. PyTorch adds "dimension categories": a 0-d tensor only takes
// part when its category (bool < integer < floating) is higher than that of the
// dimensioned operands.
//
// The rules are written as rules over the dtype traits (widths, signedness, mantissa bits)
// and checked cell by cell against the goldens of both libraries (datasets/). Where they
// differ, for example:
//   int16/int32/int64 with float16 or float32: NumPy the float that holds the integer
//     exactly (float32, float64), PyTorch the float operand's dtype.
//   uint8 with int8: both int16; uint16/uint32/uint64: NumPy only.
//   int32 tensor with a 0-d int64 tensor: NumPy int64, PyTorch int32.
//   float32 tensor with a 0-d float64 tensor: NumPy float64, PyTorch float32.
#include <span>

#include "engine/spec/dtype.h"

namespace parity::spec {

enum class Semantics : std::uint8_t { NumPy, PyTorch };
constexpr std::string_view semantics_name(Semantics s) {
  return s == Semantics::NumPy ? "numpy" : "pytorch";
}

// The pairwise promotion of each library (no 0-d special case). PyTorch's throws TypeError
// for a dtype PyTorch does not have.
DType promote_types(Semantics s, DType a, DType b);

struct Operand {
  DType dtype;
  bool zero_dim = false;
};
// The result dtype of an elementwise op over these operands (PyTorch's dimension categories
// applied when s == PyTorch).
DType result_type(Semantics s, std::span<const Operand> operands);

// The dtype a float-valued op (exp) gives for an input dtype: NumPy picks the smallest float
// that holds the input safely (bool, int8, uint8 -> float16; int16, uint16 -> float32; wider
// -> float64), PyTorch the default float (float32).
DType float_result_type(Semantics s, DType in);

// The dtype sum() returns: bool and signed integers -> int64 in both; unsigned -> uint64 in
// NumPy, int64 in PyTorch; floats keep theirs (float16 and bfloat16 accumulate in float32
// inside the engines, as both libraries do).
DType sum_result_type(Semantics s, DType in);

}  // namespace parity::spec
