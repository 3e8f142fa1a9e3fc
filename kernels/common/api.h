#pragma once
// What the tensor engine asks of its kernels. The same calls exist in parity::kernels::cpu
// (kernels/cpu) and parity::kernels::cuda (kernels/cuda); data pointers are host pointers
// for cpu and device pointers for cuda. Kernels know nothing of tensors or autograd: they
// get pointers, dtypes, a shape and element strides, plan the walk with core::make_plan and
// run it.
#include <array>
#include <cstdint>
#include <vector>

#include "engine/spec/broadcast.h"
#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"

namespace parity::kernels {

// One operand: pointer to its first element (storage offset already applied) and element
// strides, one per dimension of the call's shape (0 where it is broadcast or reduced).
struct Operand {
  void* data = nullptr;
  spec::DType dtype = spec::DType::Float32;
  std::vector<std::int64_t> strides;
};

// out = f(in...) elementwise over `shape`, any number of inputs (the functor's arity). The
// inputs have one dtype, the op's compute dtype (the engine casts them to it first), except
// the functor's condition operands (`kConditions`: where's condition), which are bool; out
// has the result dtype: the same, or bool for ops whose functor declares `using result =
// bool;` (comparisons, logical ops, predicates). `scalars`: the op's scalar parameters,
// resolved (spec::scalar_values), for a functor that takes them (nan_to_num).
struct Elementwise {
  spec::Shape shape;
  Operand out;
  std::vector<Operand> in;
  std::array<double, spec::kMaxScalarParams> scalars{};
};

// out (strides 0 on the reduced dims) = the reduction of in over `shape` (the input's shape).
// The kernel writes every output element, the op's identity (Combine<R>::identity) where
// nothing is reduced.
//   Sum, Prod: out is the accumulation dtype (int64 for bool and integers, float32 for
//     float16 and bfloat16), which may differ from in's;
//   Max, Min: out has in's dtype; a NaN among the elements is the result;
//   All, Any: out is bool or uint8 (0 or 1), in any dtype, read as truth (x != 0; NaN is true);
//   Count: out is int64, the number of nonzero elements (NaN is nonzero);
//   ArgMax, ArgMin: out is int64, the position of the first extremum (a NaN beyond every
//     number) counted row-major over the reduced dims in the order `shape` gives them; an
//     empty reduced dim is a ValueError.
// Mean is not a kernel op (the engine divides a Sum).
struct Reduction {
  spec::Shape shape;
  Operand out;
  Operand in;
  spec::Reduce op = spec::Reduce::Sum;
};

// out[m, n] = sum_k a[m, k] * b[k, n]; strides are [row, column] in elements; one dtype
// (float; int32/int64 on cpu, wrapping).
struct Matmul {
  std::int64_t m = 0, n = 0, k = 0;
  Operand a, b, out;
};

}  // namespace parity::kernels

// Declares the kernel entry points of one device namespace.
#define PARITY_DECLARE_KERNELS                                                               \
  /* any elementwise op of the registry (its functor, kernels/common/functors.h); the   */ \
  /* inputs share the compute dtype, out has the functor's result dtype for it;          */ \
  /* ValueError for an op that is not elementwise.                                       */ \
  void elementwise(spec::OpId op, const Elementwise& args);                                  \
  /* out = in[0] converted to out's dtype (strided copy and cast). */                         \
  void copy(const Elementwise& args);                                                        \
  /* every element of out set to value converted to out's dtype. */                          \
  void fill(const spec::Shape& shape, const Operand& out, double value);                     \
  void reduce(const Reduction& args);                                                        \
  void matmul(const Matmul& args);

namespace parity::kernels::cpu {
PARITY_DECLARE_KERNELS
}  // namespace parity::kernels::cpu

namespace parity::kernels::cuda {
PARITY_DECLARE_KERNELS
}  // namespace parity::kernels::cuda
