#pragma once
// The strided iteration plan used by the tensor engine's kernels on both devices
// (after PyTorch's TensorIterator): operands are broadcast to one shape, dimensions are
// reordered so the first operand (the output) is walked in memory order, and dimensions
// that are contiguous for every operand are merged. What is left is a short shape whose
// last dimension is the inner loop.
//
// Strides here are in whatever unit the caller uses (elements or bytes), one list per
// operand, and 0 on broadcast dimensions.
#include <cstdint>
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

// Builds the plan. Every operand's strides must have shape.size() entries. For a
// reduction, give the output stride 0 on the reduced dimensions.
StridedPlan make_plan(std::vector<std::int64_t> shape,
                      std::vector<std::vector<std::int64_t>> strides);

// Calls body(offsets, n, inner_strides) once per inner row: offsets[k] is operand k's
// offset of the row's first element, n the row length, inner_strides[k] its stride.
template <class Body> void for_each_row(const StridedPlan& plan, Body&& body) {
  const std::size_t nops = plan.strides.size();
  const int nd = int(plan.shape.size());
  std::vector<std::int64_t> offsets(nops, 0), inner(nops, 0);
  if (nd == 0) {
    body(offsets.data(), std::int64_t(1), inner.data());
    return;
  }
  for (std::size_t k = 0; k < nops; ++k) inner[k] = plan.strides[k][nd - 1];
  const std::int64_t n = plan.shape[nd - 1];
  for (std::int64_t d : plan.shape)
    if (d == 0) return;
  std::vector<std::int64_t> idx(nd, 0);
  while (true) {
    body(offsets.data(), n, inner.data());
    int d = nd - 2;
    for (; d >= 0; --d) {
      ++idx[d];
      for (std::size_t k = 0; k < nops; ++k) offsets[k] += plan.strides[k][d];
      if (idx[d] < plan.shape[d]) break;
      for (std::size_t k = 0; k < nops; ++k) offsets[k] -= plan.strides[k][d] * plan.shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace parity::core
