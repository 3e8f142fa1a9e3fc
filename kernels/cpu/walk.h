#pragma once
// The one driver of the cpu elementwise kernels' loops. A kernel gives a row function (what
// to do with one inner row of its operands, for its op and dtypes); walk_rows does the rest,
// once for every op and dtype: the flat test, the plan (core::make_plan), the split between
// threads (parallel.h) and the odometer (core::for_each_row). The row is called through a
// pointer, once per row (as PyTorch's TensorIterator calls its loop through a function_ref):
// a few nanoseconds per row, and one copy of the driver instead of one inlined into each of
// the ~650 op x dtype instantiations, which had made elementwise.cpp the slowest file to
// compile (docs/ci.md).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/common/api.h"

namespace parity::kernels::cpu {

// row(ctx, offsets, n, strides): n elements, operand k's first at element offset offsets[k]
// and the next ones strides[k] elements apart (operand 0 the output). Must not throw.
using RowFn = void (*)(const void* ctx, const std::int64_t* offsets, std::int64_t n, const std::int64_t* strides);

// Calls fn over every element of the operands (at most core::kMaxOperands), split between
// threads in chunks of whole rows' elements; a call whose operands are all contiguous in C
// order is one flat row per thread, the others follow the plan.
void walk_rows(const spec::Shape& shape, std::span<const Operand* const> ops, RowFn fn, const void* ctx);

// The same with a callable row(offsets, n, strides).
template <std::size_t N, class Row>
void walk(const spec::Shape& shape, const std::array<const Operand*, N>& ops, const Row& row) {
  walk_rows(
      shape, ops,
      [](const void* ctx, const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
        (*static_cast<const Row*>(ctx))(off, n, st);
      },
      &row);
}

}  // namespace parity::kernels::cpu
