#include "engine/core/iter.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "engine/spec/error.h"

namespace parity::core {

std::int64_t StridedPlan::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<std::int64_t> broadcast_strides(const std::vector<std::int64_t>& in,
                                            const std::vector<std::int64_t>& in_strides,
                                            const std::vector<std::int64_t>& out) {
  std::vector<std::int64_t> s;
  broadcast_strides_into(in, in_strides, out, s);
  return s;
}

void broadcast_strides_into(const std::vector<std::int64_t>& in, const std::vector<std::int64_t>& in_strides,
                            const std::vector<std::int64_t>& out, std::vector<std::int64_t>& s) {
  if (in.size() > out.size() || in_strides.size() != in.size())
    throw ValueError("broadcast_strides: operand has more dims than the result");
  if (in == out) {  // the common case: no broadcast, only size-1 dims get stride 0
    s.assign(in_strides.begin(), in_strides.end());
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i] == 1) s[i] = 0;
    return;
  }
  s.assign(out.size(), 0);
  const std::size_t lead = out.size() - in.size();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == out[lead + i]) s[lead + i] = in[i] == 1 ? 0 : in_strides[i];
    else if (in[i] == 1) s[lead + i] = 0;
    else throw ValueError("broadcast_strides: shapes do not broadcast");
  }
}

StridedPlan make_plan(std::vector<std::int64_t> shape,
                      std::vector<std::vector<std::int64_t>> strides) {
  const int nd = int(shape.size());
  if (nd > kMaxDims) throw ValueError("too many dimensions (" + std::to_string(nd) + " > 16)");
  if (strides.size() > kMaxOperands)
    throw ValueError("make_plan: " + std::to_string(strides.size()) + " operands (at most " +
                     std::to_string(kMaxOperands) + ")");
  for (const auto& s : strides)
    if (int(s.size()) != nd) throw ValueError("make_plan: stride list length differs from shape");

  // 1. Drop size-1 dims (they never move a pointer). An empty result keeps one dim of 0.
  std::vector<int> dims;
  for (int d = 0; d < nd; ++d)
    if (shape[d] != 1) dims.push_back(d);
  for (int d = 0; d < nd; ++d)
    if (shape[d] == 0) dims = {d};

  // 2. Order dims outermost first: by |stride| of operand 0, then of the others. A stable
  //    sort keeps the logical order where strides tie (broadcast dims).
  std::stable_sort(dims.begin(), dims.end(), [&](int a, int b) {
    for (const auto& s : strides) {
      const std::int64_t sa = std::llabs(s[a]), sb = std::llabs(s[b]);
      if (sa != sb) return sa > sb;
    }
    return false;
  });

  // 3. Merge an outer dim into its inner neighbour where every operand steps across both
  //    as across one dim.
  StridedPlan plan;
  plan.strides.assign(strides.size(), {});
  for (int d : dims) {
    const std::size_t m = plan.shape.size();
    bool merge = m > 0;
    for (std::size_t k = 0; merge && k < strides.size(); ++k)
      merge = plan.strides[k][m - 1] == strides[k][d] * shape[d];
    if (merge) {
      plan.shape[m - 1] *= shape[d];
      for (std::size_t k = 0; k < strides.size(); ++k) plan.strides[k][m - 1] = strides[k][d];
    } else {
      plan.shape.push_back(shape[d]);
      for (std::size_t k = 0; k < strides.size(); ++k) plan.strides[k].push_back(strides[k][d]);
    }
  }
  return plan;
}

}  // namespace parity::core
