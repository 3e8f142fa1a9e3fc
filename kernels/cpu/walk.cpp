#include "kernels/cpu/walk.h"

#include <string>
#include <utility>
#include <vector>

#include "engine/core/iter.h"
#include "engine/spec/error.h"
#include "kernels/cpu/parallel.h"

namespace parity::kernels::cpu {
namespace {

// Whether every operand walks `shape` in C order with unit steps (size-1 dims aside): then
// the call is one flat row and needs no plan.
bool all_flat(const spec::Shape& shape, std::span<const Operand* const> ops) {
  for (const Operand* o : ops) {
    std::int64_t expected = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (shape[d] == 1) continue;
      if (o->strides[d] != expected) return false;
      expected *= shape[d];
    }
  }
  return true;
}

}  // namespace

void walk_rows(const spec::Shape& shape, std::span<const Operand* const> ops, RowFn fn, const void* ctx) {
  if (ops.size() > core::kMaxOperands)
    throw ValueError("cpu kernel: " + std::to_string(ops.size()) + " operands, more than the " +
                     std::to_string(core::kMaxOperands) + " a walk takes");
  if (all_flat(shape, ops)) {
    std::array<std::int64_t, core::kMaxOperands> unit;
    unit.fill(1);
    parallel_for(spec::numel(shape), kGrain, [&](std::int64_t b, std::int64_t e) {
      std::array<std::int64_t, core::kMaxOperands> off;
      off.fill(b);
      fn(ctx, off.data(), e - b, unit.data());
    });
    return;
  }
  std::vector<std::vector<std::int64_t>> strides;
  strides.reserve(ops.size());
  for (const Operand* o : ops) strides.push_back(o->strides);
  const core::StridedPlan plan = core::make_plan(shape, std::move(strides));
  parallel_for(plan.numel(), kGrain, [&](std::int64_t b, std::int64_t e) {
    core::for_each_row(plan, b, e, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
      fn(ctx, off, n, st);
    });
  });
}

}  // namespace parity::kernels::cpu
