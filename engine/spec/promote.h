#pragma once
// Type promotion, both rule books. NumPy follows NEP 50 (NumPy 2): the result dtype depends
// on the operand dtypes only. PyTorch adds "dimension categories": a 0-d tensor only takes
// part when its category (bool < integer < floating) is higher than that of the
// dimensioned operands.
//
// Where they differ on Parity's dtypes:
//   int32/int64 with float32: NumPy float64, PyTorch float32.
//   int32 tensor with a 0-d int64 tensor: NumPy int64, PyTorch int32.
//   float32 tensor with a 0-d float64 tensor: NumPy float64, PyTorch float32.
#include <span>

#include "engine/spec/dtype.h"

namespace parity::spec {

enum class Semantics : std::uint8_t { NumPy, PyTorch };
constexpr std::string_view semantics_name(Semantics s) {
  return s == Semantics::NumPy ? "numpy" : "pytorch";
}

// The pairwise promotion table of each library (no 0-d special case).
DType promote_types(Semantics s, DType a, DType b);

struct Operand {
  DType dtype;
  bool zero_dim = false;
};
// The result dtype of an elementwise op over these operands (PyTorch's dimension categories
// applied when s == PyTorch).
DType result_type(Semantics s, std::span<const Operand> operands);

// The dtype a float-valued op (exp) gives for an input dtype: NumPy picks the smallest float
// that holds the input safely (int32, int64 -> float64), PyTorch the default float (float32).
DType float_result_type(Semantics s, DType in);

// The dtype sum() accumulates into and returns: bool and integers -> int64 in both.
DType sum_result_type(Semantics s, DType in);

}  // namespace parity::spec
