// CPU reductions: out (stride 0 on reduced dims) = the reduction of in (kernels::Reduction).
// Sum:
//
// Integer and bool inputs accumulate in int64 with wrapping adds, which are exact in any
// order, so they take one plain pass. Float sums must not lose accuracy on long reductions,
// so they never add many terms into one running total:
//  - when the input's innermost (smallest-stride) dimension is reduced, each output element
//    is the cascade sum of its rows: pairwise halving down to blocks summed with eight
//    independent accumulators (as PyTorch's cascade_sum), rows combined by a counter cascade;
//  - when it is kept, rows of columns are added into a cascade of row buffers (16 rows per
//    level), so memory is read in order and each column still gets a cascaded total.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/spec/fault.h"
#include "engine/core/iter.h"
#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/functors.h"
#include "kernels/cpu/isa.h"
#include "kernels/cpu/parallel.h"

namespace parity::kernels::cpu {
namespace {

using Dims = std::vector<std::int64_t>;

template <class A>
A plus(A a, A b) {
  return AddFn{}(a, b);
}

constexpr std::int64_t kLeaf = 256;

// Cascade sum of n elements at p with stride s, accumulated in A.
template <class A, class I>
A row_sum(const I* p, std::int64_t n, std::int64_t s) {
  if (n > kLeaf) {
    const std::int64_t half = n / 16 * 8;  // a multiple of 8 keeps the leaves aligned
    // The left half first: as two arguments of one call, GCC evaluated the right one first,
    // so the leaves were read from the end of the row backwards, 1 KiB at a time, which the
    // hardware prefetcher does not follow (16M float32 on one thread: 10 GB/s, against 35 GB/s
    // in memory order; docs/performance.md, 2026-12-07). The same two partial sums either way.
    const A lo = row_sum<A>(p, half, s);
    const A hi = row_sum<A>(p + half * s, n - half, s);
    return plus(lo, hi);
  }
  A acc[8] = {};
  std::int64_t i = 0;
  if (s == 1) {
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) acc[k] = plus(acc[k], cast_value<A>(p[i + k]));
  } else {
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) acc[k] = plus(acc[k], cast_value<A>(p[(i + k) * s]));
  }
  for (; i < n; ++i) acc[i % 8] = plus(acc[i % 8], cast_value<A>(p[i * s]));
  return plus(plus(plus(acc[0], acc[1]), plus(acc[2], acc[3])),
              plus(plus(acc[4], acc[5]), plus(acc[6], acc[7])));
}

// row_sum with its top `levels` halvings run as OpenMP tasks: the same tree, split at the
// same points, so the same bits as row_sum on one thread, whatever the thread count.
template <class A, class I>
A row_sum_split(const I* p, std::int64_t n, std::int64_t s, int levels) {
  if (levels == 0 || n <= kLeaf) return row_sum<A>(p, n, s);
  const std::int64_t half = n / 16 * 8;
  A lo = A(0), hi = A(0);
#pragma omp task shared(lo)
  lo = row_sum_split<A>(p, half, s, levels - 1);
  hi = row_sum_split<A>(p + half * s, n - half, s, levels - 1);
#pragma omp taskwait
  return plus(lo, hi);
}

// row_sum on up to threads_for(n, kGrain) threads.
template <class A, class I>
A row_sum_threaded(const I* p, std::int64_t n, std::int64_t s) {
  const int t = threads_for(n, kGrain);
  if (t <= 1) return row_sum<A>(p, n, s);
  int levels = 0;
  while ((1 << levels) < t) ++levels;
  A total = A(0);
#pragma omp parallel num_threads(t)
#pragma omp single
  total = row_sum_split<A>(p, n, s, levels);
  return total;
}

// b[j] += p[j] for j < n, both contiguous: one add per element, the same in every clone.
template <class A, class I>
PARITY_ISA_CLONES void add_into(A* b, const I* p, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) b[j] = plus(b[j], cast_value<A>(p[j]));
}

// Adds many partial sums without a long running total: level l holds up to 16 sums of
// level l-1, like a base-16 counter.
constexpr int kBase = 16;
constexpr int kDepth = 12;

template <class A>
class ScalarCascade {
 public:
  void add(A v) {
    sum_[0] = plus(sum_[0], v);
    for (int l = 0; ++count_[l] == kBase && l + 1 < kDepth; ++l) {
      sum_[l + 1] = plus(sum_[l + 1], sum_[l]);
      sum_[l] = A(0);
      count_[l] = 0;
    }
  }
  A total() const {
    A t = A(0);
    for (int l = 0; l < kDepth; ++l) t = plus(t, sum_[l]);
    return t;
  }

 private:
  std::array<A, kDepth> sum_{};
  std::array<int, kDepth> count_{};
};

// The same over rows of `width` columns; only levels that were reached are touched.
template <class A>
class RowCascade {
 public:
  explicit RowCascade(std::int64_t max_width) : buf_(std::size_t(kDepth * max_width), A(0)) {}

  void reset(std::int64_t width) {
    for (int l = 0; l <= top_; ++l) std::fill_n(level(l), width_, A(0));
    width_ = width;
    top_ = 0;
    count_.fill(0);
  }
  template <class I>
  void add_row(const I* p, std::int64_t s) {
    A* b = level(0);
    if (s == 1) {
      add_into(b, p, width_);
    } else {
      for (std::int64_t j = 0; j < width_; ++j) b[j] = plus(b[j], cast_value<A>(p[j * s]));
    }
    carry_from(0);
  }
  // Adds row v (contiguous) at level l, as the carry of a full block of kBase**l rows would:
  // a cascade fed the same rows in the same order holds the same bits.
  void add_at(int l, const A* v) {
    add_into(level(l), v, width_);
    top_ = std::max(top_, l);
    carry_from(l);
  }
  const A* values(int l) const { return level(l); }
  // out[j * s] += total of column j.
  void flush(A* out, std::int64_t s) const {
    for (std::int64_t j = 0; j < width_; ++j) {
      A t = A(0);
      for (int l = 0; l <= top_; ++l) t = plus(t, level(l)[j]);
      out[j * s] = plus(out[j * s], t);
    }
  }

 private:
  void carry_from(int l0) {
    for (int l = l0; ++count_[l] == kBase && l + 1 < kDepth; ++l) {
      A* lo = level(l);
      A* hi = level(l + 1);
      if (PARITY_FAULT("outer-sum-carry"))
        std::copy_n(lo, width_, hi);
      else
        add_into(hi, lo, width_);
      std::fill_n(lo, width_, A(0));
      count_[l] = 0;
      top_ = std::max(top_, l + 1);
    }
  }
  A* level(int l) { return buf_.data() + std::size_t(l) * std::size_t(width_); }
  const A* level(int l) const { return buf_.data() + std::size_t(l) * std::size_t(width_); }
  std::vector<A> buf_;
  std::int64_t width_ = 0;
  int top_ = 0;
  std::array<int, kDepth> count_{};
};

// The same plan with its innermost dimension removed (iterated by the caller).
core::StridedPlan drop_inner(core::StridedPlan p) {
  p.shape.pop_back();
  for (auto& s : p.strides) s.pop_back();
  return p;
}

// An integer row: one wrapping accumulator (exact in any order). Not row_sum's eight lanes:
// g++ 12.2 at -O3 miscompiles those for 1-byte inputs (uint8 or int8 widened to int64: 16
// elements of 253 summed to 2024), which `parity check` caught.
template <class A, class I>
A int_row_sum(const I* p, std::int64_t n, std::int64_t s) {
  using U = std::make_unsigned_t<A>;
  U acc = 0;
  if (s == 1) {
    for (std::int64_t i = 0; i < n; ++i) acc += U(cast_value<A>(p[i]));
  } else {
    for (std::int64_t i = 0; i < n; ++i) acc += U(cast_value<A>(p[i * s]));
  }
  return A(acc);
}

// Integers and bool: wrapping int64 adds are exact in any order, so one pass in the
// input's memory order.
template <class A, class I>
void sum_plain(const Reduction& r) {
  const core::StridedPlan plan = core::make_plan(r.shape, {r.in.strides, r.out.strides});
  const I* in = static_cast<const I*>(r.in.data);
  A* out = static_cast<A*>(r.out.data);
  core::for_each_row(plan, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    const I* x = in + off[0];
    A* o = out + off[1];
    if (st[1] == 0) {
      *o = plus(*o, int_row_sum<A>(x, n, st[0]));
    } else {
      for (std::int64_t i = 0; i < n; ++i) o[i * st[1]] = plus(o[i * st[1]], cast_value<A>(x[i * st[0]]));
    }
  });
}

struct Split {
  Dims kept_shape, kept_in, kept_out;
  Dims red_shape, red_in;
  std::int64_t min_kept_stride = INT64_MAX, min_red_stride = INT64_MAX;
};

Split split_dims(const Reduction& r) {
  Split s;
  for (std::size_t d = 0; d < r.shape.size(); ++d) {
    if (r.shape[d] == 1) continue;  // moves no pointer
    const std::int64_t is = r.in.strides[d] < 0 ? -r.in.strides[d] : r.in.strides[d];
    if (r.out.strides[d] == 0) {
      s.red_shape.push_back(r.shape[d]);
      s.red_in.push_back(r.in.strides[d]);
      s.min_red_stride = std::min(s.min_red_stride, is);
    } else {
      s.kept_shape.push_back(r.shape[d]);
      s.kept_in.push_back(r.in.strides[d]);
      s.kept_out.push_back(r.out.strides[d]);
      s.min_kept_stride = std::min(s.min_kept_stride, is);
    }
  }
  return s;
}

// Kept columns per block of the kept-inner paths: a block's accumulators (a RowCascade's
// level 0, or the outputs themselves) stay in L1 while whole rows of the block are read in
// memory order. 256 read each row in 1 KiB pieces 16 KiB apart on a 4096 x 4096 sum over
// axis 0, which the prefetcher followed badly (docs/performance.md, 2026-12-07).
constexpr std::int64_t kColumnBlock = 4096;

// The kept-inner layout (the input's smallest stride is on a kept dimension), planned once
// per call: the kept dimensions with strides {in, out}, the innermost of them (the columns)
// cut into blocks of up to kColumnBlock.
struct KeptInner {
  core::StridedPlan kept, outer;  // outer: kept without its columns
  std::int64_t ncols, col_in, col_out, nblocks;
  explicit KeptInner(const Split& s)
      : kept(core::make_plan(s.kept_shape, {s.kept_in, s.kept_out})),
        outer(drop_inner(kept)),
        ncols(kept.shape.back()),
        col_in(kept.strides[0].back()),
        col_out(kept.strides[1].back()),
        nblocks((ncols + kColumnBlock - 1) / kColumnBlock) {}
  // The (outer element, block) pairs for_column_blocks runs; 1 when the kept elements are
  // one block of columns (a matrix of up to kColumnBlock columns reduced over its rows).
  std::int64_t jobs() const { return outer.numel() * nblocks; }
};

// Calls block(state, x, o, width) for every block of columns, for every element of the
// other kept dimensions; x and o are the block's first input and output element, and the
// block folds the reduced sub-space of each of its columns. Threads share the (outer
// element, block) pairs, each thread with its own make_state(widest block). Every column is
// folded whole by one block, so the split does not change a bit.
template <class I, class A, class MakeState, class Block>
void for_column_blocks(const KeptInner& k, const I* in, A* out, std::int64_t red_numel, MakeState&& make_state,
                       Block&& block) {
  const std::int64_t nblocks = k.nblocks, width = std::min(k.ncols, kColumnBlock);
  const std::int64_t grain = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(1, red_numel * width));
  // Jobs are (outer element, block) pairs, outer element major; a thread takes a range.
  parallel_for(k.jobs(), grain, [&](std::int64_t b, std::int64_t e) {
    auto state = make_state(width);
    std::int64_t q = b / nblocks;
    const std::int64_t q_last = (e - 1) / nblocks;
    core::for_each_row(k.outer, q, q_last + 1, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
      for (std::int64_t i = 0; i < n; ++i, ++q) {
        const I* x = in + off[0] + i * st[0];
        A* o = out + off[1] + i * st[1];
        const std::int64_t kb = q == b / nblocks ? b % nblocks : 0;
        const std::int64_t ke = q == q_last ? (e - 1) % nblocks + 1 : nblocks;
        for (std::int64_t j = kb; j < ke; ++j) {
          const std::int64_t j0 = j * kColumnBlock;
          block(state, x + j0 * k.col_in, o + j0 * k.col_out, std::min(kColumnBlock, k.ncols - j0));
        }
      }
    });
  });
}

// Outputs along one kept dimension, each over several reduced rows (axes (0, 2) of a cube):
// threads share the outputs, and a block of them is walked in the input's memory order (one
// reduced row of every output in the block before the next reduced row). Each output's state
// sees fold(state, row, n, stride) for its rows in the order reduce_block takes them, so the
// bits are those of one output at a time; finish(output offset, state) ends each. One output
// at a time read 1 KiB pieces 256 KiB apart on a 256-cube summed over axes (0, 2).
template <class State, class I, class Fold, class Finish>
void fold_output_blocks(const core::StridedPlan& kept, const core::StridedPlan& red, const I* in, std::int64_t grain,
                        Fold&& fold, Finish&& finish) {
  constexpr std::int64_t kOutBlock = 256;
  const std::int64_t so = kept.strides[0][0], si = kept.strides[1][0];
  const std::int64_t len = red.shape.back(), rs = red.strides[0].back();
  const core::StridedPlan red_rows = drop_inner(red);
  parallel_for<1>(kept.numel(), grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<State> state(std::size_t(std::min(kOutBlock, e - b)));
    for (std::int64_t j0 = b; j0 < e; j0 += kOutBlock) {
      const std::int64_t m = std::min(kOutBlock, e - j0);
      std::fill_n(state.begin(), m, State{});
      core::for_each_row(red_rows, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
        for (std::int64_t q = 0; q < n; ++q) {
          const I* x = in + j0 * si + off[0] + q * st[0];
          for (std::int64_t j = 0; j < m; ++j) fold(state[std::size_t(j)], x + j * si, len, rs);
        }
      });
      for (std::int64_t j = 0; j < m; ++j) finish((j0 + j) * so, state[std::size_t(j)]);
    }
  });
}

// Sum of the reduced sub-space starting at `base`; a single row may use threads.
template <class A, class I>
A reduce_block(const I* base, const core::StridedPlan& red, bool threaded = false) {
  if (red.shape.size() <= 1) {
    const std::int64_t n = red.shape.empty() ? 1 : red.shape[0];
    const std::int64_t s = red.shape.empty() ? 0 : red.strides[0][0];
    return threaded ? row_sum_threaded<A>(base, n, s) : row_sum<A>(base, n, s);
  }
  ScalarCascade<A> acc;
  core::for_each_row(red, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    acc.add(row_sum<A>(base + off[0], n, st[0]));
  });
  return acc.total();
}

template <class A, class I>
void sum_float(const Reduction& r) {
  const I* in = static_cast<const I*>(r.in.data);
  A* out = static_cast<A*>(r.out.data);
  const Split s = split_dims(r);
  const core::StridedPlan red = core::make_plan(s.red_shape, {s.red_in});

  if (s.red_shape.empty() || s.min_red_stride <= s.min_kept_stride) {
    // One cascade per output element, over rows that run along the input's memory. One
    // output: its row's tree is split between threads; several: threads share the outputs
    // (each output computed whole by one thread, so the bits do not depend on the split).
    const core::StridedPlan kept = core::make_plan(s.kept_shape, {s.kept_out, s.kept_in});
    const std::int64_t outputs = kept.numel();
    if (outputs == 1) {
      *out = plus(*out, reduce_block<A>(in, red, true));
      return;
    }
    const std::int64_t grain = std::max<std::int64_t>(1, kGrain / red.numel());
    if (kept.shape.size() == 1 && red.shape.size() >= 2) {
      fold_output_blocks<ScalarCascade<A>>(
          kept, red, in, grain,
          [](ScalarCascade<A>& acc, const I* x, std::int64_t n, std::int64_t st) { acc.add(row_sum<A>(x, n, st)); },
          [&](std::int64_t o, const ScalarCascade<A>& acc) { out[o] = plus(out[o], acc.total()); });
      return;
    }
    parallel_for<1>(outputs, grain, [&](std::int64_t b, std::int64_t e) {
      core::for_each_row(kept, b, e, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
        for (std::int64_t i = 0; i < n; ++i) {
          A* o = out + off[0] + i * st[0];
          *o = plus(*o, reduce_block<A>(in + off[1] + i * st[1], red));
        }
      });
    });
    return;
  }

  // The innermost input dimension is kept: accumulate whole rows of columns.
  const KeptInner k(s);
  const std::int64_t rows = red.numel();
  const auto add_rows = [&](RowCascade<A>& acc, const I* x, std::int64_t begin, std::int64_t end) {
    core::for_each_row(red, begin, end, [&](const std::int64_t* roff, std::int64_t rn, const std::int64_t* rst) {
      for (std::int64_t q = 0; q < rn; ++q) acc.add_row(x + roff[0] + q * rst[0], k.col_in);
    });
  };
  if (k.jobs() == 1) {
    // One block of columns: threads share the rows in runs of kRun, each run summed by a
    // fresh cascade, whose result is the level-2 carry a single cascade makes after those
    // rows; the runs' results are then fed at level 2 in order, and the last rows at level
    // 0. The same additions in the same order as one cascade over all rows: the same bits on
    // any thread count.
    constexpr int kRunLevel = 2;
    constexpr std::int64_t kRun = std::int64_t(kBase) * kBase;
    const std::int64_t width = k.ncols, runs = rows / kRun;
    const int t = threads_for(rows * width, kGrain);
    if (t > 1 && runs >= t) {
      std::vector<A> run_sums(std::size_t(runs * width));
      parallel_for<1>(runs, 1, [&](std::int64_t b, std::int64_t e) {
        RowCascade<A> acc(width);
        for (std::int64_t r = b; r < e; ++r) {
          acc.reset(width);
          add_rows(acc, in, r * kRun, (r + 1) * kRun);
          std::copy_n(acc.values(kRunLevel), width, run_sums.begin() + r * width);
        }
      });
      RowCascade<A> acc(width);
      acc.reset(width);
      for (std::int64_t r = 0; r < runs; ++r) acc.add_at(kRunLevel, run_sums.data() + r * width);
      add_rows(acc, in, runs * kRun, rows);
      acc.flush(out, k.col_out);
      return;
    }
  }
  for_column_blocks(k, in, out, rows, [](std::int64_t width) { return RowCascade<A>(width); },
                    [&](RowCascade<A>& acc, const I* x, A* o, std::int64_t width) {
                      acc.reset(width);
                      add_rows(acc, x, 0, rows);
                      acc.flush(o, k.col_out);
                    });
}

// ---- Prod, Max, Min, All, Any: one pass in the input's memory order, folding each element
// into its output (in V, Combine's type: float for float16 and bfloat16 outputs).

template <class A>
using value_t = std::conditional_t<spec::is_half_v<A>, float, A>;

template <class C>
constexpr bool is_extremum_v = std::is_same_v<C, Combine<spec::Reduce::Max>> || std::is_same_v<C, Combine<spec::Reduce::Min>>;
template <class C>
constexpr bool is_truth_v = std::is_same_v<C, Combine<spec::Reduce::All>> || std::is_same_v<C, Combine<spec::Reduce::Any>>;

// Lanes of the vector loops below: two 64-byte registers of V.
template <class V>
constexpr int kLanes = 128 / int(sizeof(V));

// The extremum of a contiguous row of a built-in type, NaNs set aside: *saw_nan says whether
// there was one (the caller then folds the row again with Combine's NaN rule). Combine's
// NaN test in the loop kept GCC from vectorising it (amax of 262,144 float32 took 221 us on
// one thread of this machine, this loop 16 us). A tie keeps the value held, as Combine's
// apply, per lane: which of -0 and +0 a zero extremum keeps depends on the lanes (a Values
// divergence between the libraries anyway).
template <bool kMax, class V>
PARITY_ISA_CLONES V extremum_row(const V* p, std::int64_t n, V start, bool* saw_nan) {
  constexpr int L = kLanes<V>;
  // The NaN flags in lanes as wide as V's: flags of bytes beside float lanes made GCC pack
  // and unpack every vector (amax of 16M float32 on one thread: 2.9 ms, 23 GB/s).
  using M = std::conditional_t<sizeof(V) == 8, std::uint64_t,
                               std::conditional_t<sizeof(V) == 4, std::uint32_t,
                                                  std::conditional_t<sizeof(V) == 2, std::uint16_t, std::uint8_t>>>;
  V acc[L];
  M nan[L];
  for (int k = 0; k < L; ++k) {
    acc[k] = start;
    nan[k] = 0;
  }
  std::int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int k = 0; k < L; ++k) {
      const V x = p[i + k];
      acc[k] = (kMax ? x > acc[k] : x < acc[k]) ? x : acc[k];
      nan[k] |= M(x != x);
    }
  V v = start;
  M any_nan = 0;
  for (int k = 0; k < L; ++k) {
    v = (kMax ? acc[k] > v : acc[k] < v) ? acc[k] : v;
    any_nan |= nan[k];
  }
  for (; i < n; ++i) {
    const V x = p[i];
    v = (kMax ? x > v : x < v) ? x : v;
    any_nan |= (x != x);
  }
  *saw_nan = any_nan != 0;
  return v;
}

// All or any of a contiguous row of a built-in type, each element read as truth (x != 0:
// NaN is true, as C++'s and both libraries' bool(x)).
template <bool kAll, class I>
PARITY_ISA_CLONES bool truth_row(const I* p, std::int64_t n) {
  constexpr int L = kLanes<I>;
  unsigned char acc[L];
  for (unsigned char& a : acc) a = kAll;
  std::int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int k = 0; k < L; ++k) {
      if constexpr (kAll)
        acc[k] &= (p[i + k] != I(0));
      else
        acc[k] |= (p[i + k] != I(0));
    }
  unsigned char v = kAll;
  for (int k = 0; k < L; ++k) v = kAll ? (v & acc[k]) : (v | acc[k]);
  for (; i < n; ++i) v = kAll ? (v & (p[i] != I(0))) : (v | (p[i] != I(0)));
  return v != 0;
}

// Folds a row of n elements at p (stride s) into one value: Max, Min, All and Any of
// built-in types on contiguous rows in the vector loops above, otherwise with eight
// independent accumulators (the same value in any grouping, but for the sign of a zero
// extremum); Prod in order.
template <class C, class V, class I>
V combine_row(const I* p, std::int64_t n, std::int64_t s) {
  if constexpr (is_extremum_v<C> && std::is_same_v<V, I> && std::is_arithmetic_v<I>) {
    if (s == 1) {
      bool saw_nan = false;
      const V v = extremum_row<std::is_same_v<C, Combine<spec::Reduce::Max>>>(p, n, C::template identity<V>(), &saw_nan);
      if (!saw_nan) return v;
    }
  }
  if constexpr (is_truth_v<C> && std::is_arithmetic_v<I>)
    if (s == 1) return V(truth_row<std::is_same_v<C, Combine<spec::Reduce::All>>>(p, n));
  if constexpr (std::is_same_v<C, Combine<spec::Reduce::Prod>>) {
    // A product in order, one element at a time, as NumPy's and PyTorch's loops: whether a
    // row holding huge, tiny and infinite values ends NaN, infinite or finite depends on the
    // order (inf * tiny is inf, tiny * tiny * inf is NaN).
    V v = C::template identity<V>();
    for (std::int64_t i = 0; i < n; ++i) v = C::apply(v, C::template load<V>(p[i * s]));
    return v;
  }
  V acc[8];
  for (V& a : acc) a = C::template identity<V>();
  std::int64_t i = 0;
  if (s == 1)
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) acc[k] = C::apply(acc[k], C::template load<V>(p[i + k]));
  for (; i < n; ++i) acc[i % 8] = C::apply(acc[i % 8], C::template load<V>(p[i * s]));
  return C::apply(C::apply(C::apply(acc[0], acc[1]), C::apply(acc[2], acc[3])),
                  C::apply(C::apply(acc[4], acc[5]), C::apply(acc[6], acc[7])));
}

// o[k] = C(o[k], x[k]) over one block of columns (o of stride so, x of stride si).
// Contiguous extrema of a built-in type in a vector loop: a NaN held stays, a NaN met is
// taken, otherwise the larger (smaller) value, a tie keeping the value held, as Combine's apply.
template <bool kMax, class V>
PARITY_ISA_CLONES void extremum_into(V* o, const V* x, std::int64_t n) {
  for (std::int64_t k = 0; k < n; ++k) {
    const V a = o[k], b = x[k];
    o[k] = (b != b && a == a) ? b : ((kMax ? b > a : b < a) ? b : a);
  }
}

// The same for all and any: o[k] = o[k] and (or) x[k] != 0. The outputs (bool, or uint8
// holding 0 and 1) are combined as bytes: GCC does not vectorise the loop that reads them as bool.
template <bool kAll, class A, class I>
PARITY_ISA_CLONES void truth_into(A* o, const I* x, std::int64_t n) {
  static_assert(sizeof(A) == 1);
  unsigned char* u = reinterpret_cast<unsigned char*>(o);
  for (std::int64_t k = 0; k < n; ++k) {
    const unsigned char b = x[k] != I(0);
    u[k] = kAll ? (u[k] & b) : (u[k] | b);
  }
}

template <class C, class V, class A, class I>
void fold_columns(A* o, const I* x, std::int64_t n, std::int64_t si, std::int64_t so) {
  if constexpr (is_extremum_v<C> && std::is_same_v<A, I> && std::is_arithmetic_v<I>) {
    if (si == 1 && so == 1) return extremum_into<std::is_same_v<C, Combine<spec::Reduce::Max>>>(o, x, n);
  }
  if constexpr (is_truth_v<C> && std::is_arithmetic_v<I>) {
    if (si == 1 && so == 1) return truth_into<std::is_same_v<C, Combine<spec::Reduce::All>>>(o, x, n);
  }
  for (std::int64_t k = 0; k < n; ++k) o[k * so] = A(C::apply(V(o[k * so]), C::template load<V>(x[k * si])));
}

template <class C, class A, class I>
void combine_reduce(const Reduction& r) {
  using V = value_t<A>;
  const I* in = static_cast<const I*>(r.in.data);
  A* out = static_cast<A*>(r.out.data);
  const Split s = split_dims(r);
  const core::StridedPlan red = core::make_plan(s.red_shape, {s.red_in});
  const core::StridedPlan kept = core::make_plan(s.kept_shape, {s.kept_out, s.kept_in});
  const std::int64_t outputs = kept.numel();
  // One output: its reduced elements are split between threads, partial values combined.
  if (outputs == 1 && red.shape.size() == 1) {
    const std::int64_t n = red.shape[0], st = red.strides[0][0];
    const int t = threads_for(n, kGrain);
    const std::int64_t chunk = (n / t + 63) / 64 * 64;
    std::vector<V> part(std::size_t(t), C::template identity<V>());
    parallel_for<1>(t, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t q = b; q < e; ++q) {
        const std::int64_t lo = std::min(n, q * chunk), hi = q + 1 == t ? n : std::min(n, (q + 1) * chunk);
        part[std::size_t(q)] = combine_row<C, V>(in + lo * st, hi - lo, st);
      }
    });
    V v = C::template identity<V>();
    for (V x : part) v = C::apply(v, x);
    *out = A(v);
    return;
  }
  if (s.red_shape.empty() || s.min_red_stride <= s.min_kept_stride) {
    // Each output folds its reduced sub-space (rows along memory); threads share the outputs.
    const std::int64_t grain = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(red.numel(), 1));
    if (kept.shape.size() == 1 && red.shape.size() >= 2) {
      struct Acc {
        V v = C::template identity<V>();
      };
      fold_output_blocks<Acc>(
          kept, red, in, grain,
          [](Acc& acc, const I* x, std::int64_t n, std::int64_t st) { acc.v = C::apply(acc.v, combine_row<C, V>(x, n, st)); },
          [&](std::int64_t o, const Acc& acc) { out[o] = A(acc.v); });
      return;
    }
    parallel_for<1>(outputs, grain, [&](std::int64_t b, std::int64_t e) {
                   core::for_each_row(kept, b, e, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
                     for (std::int64_t i = 0; i < n; ++i) {
                       V v = C::template identity<V>();
                       const I* base = in + off[1] + i * st[1];
                       core::for_each_row(red, [&](const std::int64_t* ro, std::int64_t rn, const std::int64_t* rs) {
                         v = C::apply(v, combine_row<C, V>(base + ro[0], rn, rs[0]));
                       });
                       out[off[0] + i * st[0]] = A(v);
                     }
                   });
                 });
    return;
  }
  // The innermost input dimension is kept: each block of columns starts at the identity,
  // then folds the block's part of every reduced row, in the input's memory order.
  const KeptInner k(s);
  const std::int64_t rows = red.numel();
  const auto fold_rows = [&](A* o, std::int64_t so, const I* x, std::int64_t width, std::int64_t begin,
                             std::int64_t end) {
    for (std::int64_t j = 0; j < width; ++j) o[j * so] = A(C::template identity<V>());
    core::for_each_row(red, begin, end, [&](const std::int64_t* ro, std::int64_t rn, const std::int64_t* rs) {
      for (std::int64_t q = 0; q < rn; ++q) fold_columns<C, V>(o, x + ro[0] + q * rs[0], width, k.col_in, so);
    });
  };
  if (k.jobs() == 1 && !std::is_same_v<C, Combine<spec::Reduce::Prod>>) {
    // One block of columns: threads share the rows, each folding its range into its own
    // block, combined in row order. The extrema, all and any are exact in any grouping, and
    // combining in order keeps the first of tied values and the first NaN, as one pass
    // does; the product is left in order on one thread.
    const std::int64_t width = k.ncols;
    const int t = threads_for(rows * width, kGrain);
    if (t > 1) {
      const std::unique_ptr<A[]> part(new A[std::size_t(t * width)]);  // (not vector: vector<bool> has no data())
      const std::int64_t chunk = (rows + t - 1) / t;
      parallel_for<1>(t, 1, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t q = b; q < e; ++q)
          fold_rows(part.get() + std::size_t(q * width), 1, in, width, std::min(rows, q * chunk),
                    std::min(rows, (q + 1) * chunk));
      });
      for (std::int64_t j = 0; j < width; ++j) out[j * k.col_out] = A(C::template identity<V>());
      for (int q = 0; q < t; ++q) fold_columns<C, V>(out, part.get() + std::size_t(q * width), width, 1, k.col_out);
      return;
    }
  }
  for_column_blocks(k, in, out, rows, [](std::int64_t) { return 0; },
                    [&](int, const I* x, A* o, std::int64_t width) { fold_rows(o, k.col_out, x, width, 0, rows); });
}

// Every output element set to v (the kept dims; reduced dims have stride 0).
template <class A>
void fill_outputs(const Reduction& r, A v) {
  Dims shape, st;
  for (std::size_t d = 0; d < r.shape.size(); ++d)
    if (r.out.strides[d] != 0) {
      shape.push_back(r.shape[d]);
      st.push_back(r.out.strides[d]);
    }
  const core::StridedPlan p = core::make_plan(shape, {st});
  A* out = static_cast<A*>(r.out.data);
  core::for_each_row(p, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* s) {
    for (std::int64_t i = 0; i < n; ++i) out[off[0] + i * s[0]] = v;
  });
}

// ---- ArgMax, ArgMin: the position of the first extremum (a NaN beyond every number), an
// int64, row-major over the reduced dims in the order the Reduction gives them.

// The reduced dims in their logical order, size-1 dims dropped (they add 0 to a position)
// and neighbours merged where the outer one steps exactly over the inner one: one strided
// row for a single axis, or for all of a contiguous input.
struct LogicalDims {
  Dims shape, in;
};
LogicalDims logical_reduced(const Reduction& r) {
  LogicalDims l;
  for (std::size_t d = 0; d < r.shape.size(); ++d) {
    if (r.out.strides[d] != 0 || r.shape[d] == 1) continue;
    if (!l.shape.empty() && l.in.back() == r.in.strides[d] * r.shape[d]) {
      l.shape.back() *= r.shape[d];
      l.in.back() = r.in.strides[d];
    } else {
      l.shape.push_back(r.shape[d]);
      l.in.push_back(r.in.strides[d]);
    }
  }
  return l;
}

// (value, position) of the winner among positions [begin, end) of the reduced elements at
// base, met in order: a challenger replaces the holder only when it wins (ArgPick), so ties
// keep the first; a NaN ends the scan (nothing beats the first NaN).
// The same over a contiguous row of a built-in type, in blocks: each block's extremum comes
// from extremum_row's vector loop (NaNs set aside and flagged); the first block holding a NaN
// ends the scan at its first NaN, and otherwise the first block whose extremum beats every
// earlier block's holds the answer: its first element equal to that extremum (-0 and +0 are
// equal, so the first of either). The scalar scan took 3.4 ns per float32 element.
template <bool kMax, class V>
std::pair<V, std::int64_t> arg_contiguous(const V* p, std::int64_t begin, std::int64_t end) {
  constexpr std::int64_t kBlock = 4096;
  V best = p[begin];
  std::int64_t best_block = begin;
  for (std::int64_t b = begin; b < end; b += kBlock) {
    const std::int64_t e = std::min(end, b + kBlock);
    bool saw_nan = false;
    const V m = extremum_row<kMax>(p + b, e - b, p[b], &saw_nan);
    if (saw_nan) {
      for (std::int64_t i = b; i < e; ++i)
        if (p[i] != p[i]) return {p[i], i};
    }
    if (b == begin || (kMax ? m > best : m < best)) {
      best = m;
      best_block = b;
    }
  }
  for (std::int64_t i = best_block;; ++i)
    if (p[i] == best) return {best, i};
}

template <bool kMax, class V, class I>
std::pair<V, std::int64_t> arg_scan(const I* base, const LogicalDims& l, std::int64_t begin, std::int64_t end) {
  using P = ArgPick<kMax>;
  if constexpr (std::is_same_v<V, I> && std::is_arithmetic_v<I> && !std::is_same_v<I, bool>) {
    if (l.shape.size() == 1 && l.in[0] == 1) return arg_contiguous<kMax>(base, begin, end);
  }
  // The offset of position i: one stride for one dim, else row-major over the dims.
  const auto at = [&](std::int64_t i) {
    if (l.shape.size() <= 1) return l.shape.empty() ? 0 : i * l.in[0];
    std::int64_t off = 0;
    for (std::size_t d = l.shape.size(); d-- > 0;) {
      off += (i % l.shape[d]) * l.in[d];
      i /= l.shape[d];
    }
    return off;
  };
  V best = cast_value<V>(base[at(begin)]);
  std::int64_t pos = begin;
  for (std::int64_t i = begin + 1; i < end; ++i) {
    if constexpr (std::is_floating_point_v<V>)
      if (best != best) break;
    const V x = cast_value<V>(base[at(i)]);
    if (P::wins(x, i, best, pos)) {
      best = x;
      pos = i;
    }
  }
  return {best, pos};
}

template <bool kMax, class I>
void arg_reduce(const Reduction& r) {
  using V = value_t<I>;
  const I* in = static_cast<const I*>(r.in.data);
  std::int64_t* out = static_cast<std::int64_t*>(r.out.data);
  const LogicalDims l = logical_reduced(r);
  std::int64_t n = 1;
  for (std::int64_t d : l.shape) n *= d;
  Dims kshape, kin, kout;
  for (std::size_t d = 0; d < r.shape.size(); ++d)
    if (r.out.strides[d] != 0) {
      kshape.push_back(r.shape[d]);
      kin.push_back(r.in.strides[d]);
      kout.push_back(r.out.strides[d]);
    }
  const core::StridedPlan kept = core::make_plan(kshape, {kout, kin});
  const std::int64_t outputs = kept.numel();
  if (outputs == 1) {
    // One output: threads scan ranges of positions, the winners compared in order.
    const int t = threads_for(n, kGrain);
    const std::int64_t chunk = (n + t - 1) / t;
    std::vector<std::pair<V, std::int64_t>> part(static_cast<std::size_t>(t));
    parallel_for<1>(t, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t q = b; q < e; ++q)
        part[std::size_t(q)] = arg_scan<kMax, V>(in, l, q * chunk, std::min(n, (q + 1) * chunk));
    });
    auto best = part[0];
    for (std::size_t q = 1; q < part.size(); ++q)
      if (ArgPick<kMax>::wins(part[q].first, part[q].second, best.first, best.second)) best = part[q];
    *out = best.second;
    return;
  }
  parallel_for<1>(outputs, std::max<std::int64_t>(1, kGrain / n), [&](std::int64_t b, std::int64_t e) {
    core::for_each_row(kept, b, e, [&](const std::int64_t* off, std::int64_t rn, const std::int64_t* st) {
      for (std::int64_t i = 0; i < rn; ++i) out[off[0] + i * st[0]] = arg_scan<kMax, V>(in + off[1] + i * st[1], l, 0, n).second;
    });
  });
}

void arg_into(const Reduction& args) {
  if (args.out.dtype != spec::DType::Int64)
    throw TypeError("reduce kernel: " + std::string(spec::reduce_name(args.op)) + " writes int64, not " +
                    std::string(spec::dtype_name(args.out.dtype)));
  for (std::size_t d = 0; d < args.shape.size(); ++d)
    if (args.out.strides[d] == 0 && args.shape[d] == 0)
      throw ValueError("reduce kernel: " + std::string(spec::reduce_name(args.op)) + " of an empty sequence");
  if (spec::numel(args.shape) == 0) return;  // no outputs
  spec::visit_torch_dtype(args.in.dtype, [&](auto in_tag) {
    using I = typename decltype(in_tag)::type;
    if (args.op == spec::Reduce::ArgMax)
      arg_reduce<true, I>(args);
    else
      arg_reduce<false, I>(args);
  });
}

void sum_into(const Reduction& args) {
  spec::visit_torch_dtype(args.out.dtype, [&](auto out_tag) {
    using A = typename decltype(out_tag)::type;
    if constexpr (!std::is_same_v<A, std::int64_t> && !std::is_floating_point_v<A>) {
      // float16 and bfloat16 sums accumulate in float32: the engine passes a float32 output.
      throw TypeError("sum kernel: the output (accumulation) dtype must be int64, float32 or float64");
    } else {
      fill_outputs(args, A(0));
      if (spec::numel(args.shape) == 0) return;  // an empty sum is 0
      spec::visit_torch_dtype(args.in.dtype, [&](auto in_tag) {
        using I = typename decltype(in_tag)::type;
        if constexpr (std::is_floating_point_v<A>)
          sum_float<A, I>(args);
        else
          sum_plain<A, I>(args);
      });
    }
  });
}

}  // namespace

void reduce(const Reduction& args) {
  if (args.in.strides.size() != args.shape.size() || args.out.strides.size() != args.shape.size())
    throw ValueError("reduce kernel: stride lists must match the input's rank");
  if (args.op == spec::Reduce::Sum) return sum_into(args);
  if (spec::is_arg_reduce(args.op)) return arg_into(args);
  // A dtype pair the op does not write (api.h) is refused below, before any instantiation.
  const auto refuse = [&](const char* rule) {
    throw TypeError("reduce kernel: " + std::string(spec::reduce_name(args.op)) + " of " +
                    std::string(spec::dtype_name(args.in.dtype)) + " cannot write " +
                    std::string(spec::dtype_name(args.out.dtype)) + " (" + rule + ")");
  };
  with_combine(args.op, [&](auto c) {
    using C = decltype(c);
    spec::visit_torch_dtype(args.out.dtype, [&](auto out_tag) {
      using A = typename decltype(out_tag)::type;
      spec::visit_torch_dtype(args.in.dtype, [&](auto in_tag) {
        using I = typename decltype(in_tag)::type;
        if constexpr (std::is_same_v<C, Combine<spec::Reduce::Prod>> && !std::is_same_v<A, std::int64_t> &&
                      !std::is_floating_point_v<A>) {
          refuse("prod accumulates in int64, float32 or float64");
        } else if constexpr (is_extremum_v<C> && !std::is_same_v<A, I>) {
          refuse("max and min write the input's dtype");
        } else if constexpr (is_truth_v<C> && !std::is_same_v<A, bool> && !std::is_same_v<A, std::uint8_t>) {
          refuse("all and any write bool or uint8");
        } else if constexpr (std::is_same_v<C, Combine<spec::Reduce::Count>> && !std::is_same_v<A, std::int64_t>) {
          refuse("count writes int64");
        } else {
          if (spec::numel(args.shape) == 0) {
            fill_outputs(args, A(C::template identity<value_t<A>>()));
            return;
          }
          combine_reduce<C, A, I>(args);
        }
      });
    });
  });
}

}  // namespace parity::kernels::cpu
