#pragma once
// The strided iteration plan used by the tensor engine's kernels on both devices
// (after PyTorch's TensorIterator): operands are broadcast to one shape, dimensions are
// reordered so the first operand (the output) is walked in memory order, and dimensions
// that are contiguous for every operand are merged. What is left is a short shape whose
// last dimension is the inner loop.
//
// Strides here are in whatever unit the caller uses (elements or bytes), one list per
// operand, and 0 on broadcast dimensions.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace parity::core {

inline constexpr int kMaxDims = 16;

struct StridedPlan {
  std::vector<std::int64_t> shape;                 // innermost last; empty for one element
  std::vector<std::vector<std::int64_t>> strides;  // [operand][dim], same length as shape
  std::int64_t numel() const;
};

// Strides of an operand of shape `in` (with `in_strides`) seen through broadcasting to
// `out`: leading and size-1 dims become stride 0. `in` must broadcast to `out`.
std::vector<std::int64_t> broadcast_strides(const std::vector<std::int64_t>& in,
                                            const std::vector<std::int64_t>& in_strides,
                                            const std::vector<std::int64_t>& out);
// The same into `s` (its capacity reused: no allocation when it is large enough).
void broadcast_strides_into(const std::vector<std::int64_t>& in, const std::vector<std::int64_t>& in_strides,
                            const std::vector<std::int64_t>& out, std::vector<std::int64_t>& s);

// Builds the plan. Every operand's strides must have shape.size() entries. For a
// reduction, give the output stride 0 on the reduced dimensions.
StridedPlan make_plan(std::vector<std::int64_t> shape,
                      std::vector<std::vector<std::int64_t>> strides);

// Operands a plan may have (make_plan refuses more): for_each_row keeps its cursors on the stack.
inline constexpr std::size_t kMaxOperands = 8;

// Calls body(offsets, n, inner_strides) once per inner row of the plan's elements
// [begin, end), taken in plan order (innermost dimension fastest): offsets[k] is operand
// k's offset of the row's first element, n the row length (rows at either end of the range
// are clipped to it), inner_strides[k] its stride. Disjoint ranges touch disjoint elements,
// which is how the cpu kernels split a plan between threads.
template <class Body>
void for_each_row(const StridedPlan& plan, std::int64_t begin, std::int64_t end, Body&& body) {
  const std::size_t nops = plan.strides.size();
  const int nd = int(plan.shape.size());
  std::array<std::int64_t, kMaxOperands> offsets{}, inner{};
  if (begin >= end) return;  // also every plan with a dimension of 0
  if (nd == 0) {
    body(offsets.data(), std::int64_t(1), inner.data());
    return;
  }
  for (std::size_t k = 0; k < nops; ++k) inner[k] = plan.strides[k][nd - 1];
  const std::int64_t n = plan.shape[nd - 1];
  std::array<std::int64_t, kMaxDims> idx{};
  for (std::int64_t rest = begin, d = nd - 1; d >= 0; --d) {
    idx[d] = rest % plan.shape[d];
    rest /= plan.shape[d];
    for (std::size_t k = 0; k < nops; ++k) offsets[k] += idx[d] * plan.strides[k][d];
  }
  for (std::int64_t pos = begin;;) {
    const std::int64_t len = std::min(n - idx[nd - 1], end - pos);
    body(offsets.data(), len, inner.data());
    pos += len;
    if (pos >= end) return;
    for (std::size_t k = 0; k < nops; ++k) offsets[k] -= idx[nd - 1] * inner[k];  // back to the row's start
    idx[nd - 1] = 0;
    for (int d = nd - 2; d >= 0; --d) {
      ++idx[d];
      for (std::size_t k = 0; k < nops; ++k) offsets[k] += plan.strides[k][d];
      if (idx[d] < plan.shape[d]) break;
      for (std::size_t k = 0; k < nops; ++k) offsets[k] -= plan.strides[k][d] * plan.shape[d];
      idx[d] = 0;
    }
  }
}

// Every row of the plan.
template <class Body> void for_each_row(const StridedPlan& plan, Body&& body) {
  for_each_row(plan, 0, plan.numel(), std::forward<Body>(body));
}

}  // namespace parity::core
