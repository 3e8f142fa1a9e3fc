// The cpu kernels: their own float32 exp against the correctly rounded value, over a dense sweep
// of float32 inputs and the special cases; the threaded kernels against one thread; the float
// matmul (CBLAS) on every operand layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/cpu/exp.h"
#include "kernels/cpu/parallel.h"

namespace pk = parity::kernels::cpu;

namespace {
// Units in the last place between two floats of the same sign region.
std::int64_t ulps(float a, float b) {
  auto key = [](float v) {
    const std::int32_t i = std::bit_cast<std::int32_t>(v);
    return i < 0 ? -std::int64_t(i & 0x7fffffff) : std::int64_t(i);
  };
  return std::llabs(key(a) - key(b));
}
// exp in double (glibc's is accurate to well under an ulp of double), rounded once.
float reference(float x) { return float(std::exp(double(x))); }
}  // namespace

TEST(CpuExp, WithinOneUlpOverTheWholeFloatRange) {
  std::int64_t worst = 0, off_by_one = 0, checked = 0;
  auto sweep = [&](std::uint32_t from, std::uint32_t to, std::uint32_t step) {
    for (std::uint64_t bits = from; bits <= to; bits += step) {
      const float x = std::bit_cast<float>(std::uint32_t(bits));
      const float got = pk::exp_f32(x), want = reference(x);
      const std::int64_t d = ulps(got, want);
      worst = std::max(worst, d);
      off_by_one += d == 1;
      ++checked;
    }
  };
  // Every 101st float from 0 to 89 and from -0 to -104 (bit patterns 0x42b20000 and
  // 0xc2d00000), where exp is neither 1 nor out of range: about 21 million inputs.
  sweep(0x00000000u, 0x42b20000u, 101);
  sweep(0x80000000u, 0xc2d00000u, 101);
  EXPECT_LE(worst, 1);
  // Off by one only in near-halfway cases, which a 1e-14-accurate double result almost
  // never meets; a polynomial short by one term is off about once in a thousand.
  EXPECT_LT(double(off_by_one) / double(checked), 1e-5) << off_by_one << " of " << checked;
}

TEST(CpuExp, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(pk::exp_f32(0.0f), 1.0f);
  EXPECT_EQ(pk::exp_f32(-0.0f), 1.0f);
  EXPECT_EQ(pk::exp_f32(inf), inf);
  EXPECT_EQ(pk::exp_f32(-inf), 0.0f);
  EXPECT_TRUE(std::isnan(pk::exp_f32(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(pk::exp_f32(88.72283f), reference(88.72283f));  // just below FLT_MAX
  EXPECT_EQ(pk::exp_f32(88.7229f), inf);                     // just above: overflows
  EXPECT_EQ(pk::exp_f32(-87.33654f), reference(-87.33654f));  // near FLT_MIN
  EXPECT_EQ(pk::exp_f32(-100.0f), reference(-100.0f));        // subnormal result
  EXPECT_EQ(pk::exp_f32(-110.0f), 0.0f);
}

// The loop the kernels run (its FMA clones may round differently from exp_f32 on rare
// inputs): within one ulp over the same sweep as above, and on the special values.
TEST(CpuExp, ContiguousLoopWithinOneUlp) {
  std::vector<float> x, out;
  std::int64_t worst = 0, off_by_one = 0, checked = 0;
  auto flush = [&] {
    out.resize(x.size());
    pk::exp_f32_contiguous(x.data(), out.data(), std::int64_t(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::int64_t d = ulps(out[i], reference(x[i]));
      worst = std::max(worst, d);
      off_by_one += d == 1;
    }
    checked += std::int64_t(x.size());
    x.clear();
  };
  for (auto [from, to] : {std::pair<std::uint32_t, std::uint32_t>{0x00000000u, 0x42b20000u}, {0x80000000u, 0xc2d00000u}})
    for (std::uint64_t bits = from; bits <= to; bits += 101) {
      x.push_back(std::bit_cast<float>(std::uint32_t(bits)));
      if (x.size() == 4099) flush();  // odd lengths: the loop's tails too
    }
  const float inf = std::numeric_limits<float>::infinity();
  x.insert(x.end(), {0.0f, -0.0f, inf, -inf, 88.72283f, 88.7229f, -87.33654f, -100.0f, -110.0f});
  flush();
  EXPECT_LE(worst, 1);
  EXPECT_LT(double(off_by_one) / double(checked), 1e-5) << off_by_one << " of " << checked;
  float nan = std::numeric_limits<float>::quiet_NaN(), got = 0.0f;
  pk::exp_f32_contiguous(&nan, &got, 1);
  EXPECT_TRUE(std::isnan(got));
}

// Every float32 input of [-104, 89] (2.24 billion; about 25 s): run on demand with
//   build/default/tests/kernels_test --gtest_also_run_disabled_tests --gtest_filter='*Exhaustive*'
TEST(CpuExp, DISABLED_Exhaustive) {
  std::int64_t worst = 0, off_by_one = 0, checked = 0;
  for (auto [from, to] : {std::pair<std::uint32_t, std::uint32_t>{0x00000000u, 0x42b20000u}, {0x80000000u, 0xc2d00000u}}) {
    for (std::uint64_t bits = from; bits <= to; ++bits) {
      const float x = std::bit_cast<float>(std::uint32_t(bits));
      const std::int64_t d = ulps(pk::exp_f32(x), reference(x));
      worst = std::max(worst, d);
      off_by_one += d == 1;
      ++checked;
    }
  }
  std::printf("exhaustive: %lld inputs, %lld one ulp off, worst %lld ulp\n", (long long)checked,
              (long long)off_by_one, (long long)worst);
  EXPECT_LE(worst, 1);
}

// The threaded kernels give the same bits on 1 and 2 threads (kernels/cpu/parallel.h):
// contiguous and transposed elementwise calls and float sums, sizes well above the grain
// so that both threads work, and lengths that do not divide evenly.
namespace {
struct Threads {
  explicit Threads(int n) { pk::set_num_threads(n); }
  ~Threads() { pk::set_num_threads(0); }
};

std::vector<float> run_elementwise(parity::spec::OpId op, int threads, const std::vector<float>& x,
                                   const std::vector<float>& y, std::int64_t rows, std::int64_t cols,
                                   bool transposed) {
  Threads t(threads);
  std::vector<float> out(x.size(), -1.0f);
  namespace k = parity::kernels;
  const std::vector<std::int64_t> c{cols, 1}, tr{1, rows};
  k::Elementwise a{{rows, cols}, {out.data(), parity::spec::DType::Float32, c}, {}};
  a.in.push_back({const_cast<float*>(x.data()), parity::spec::DType::Float32, transposed ? tr : c});
  if (op != parity::spec::OpId::Exp) a.in.push_back({const_cast<float*>(y.data()), parity::spec::DType::Float32, c});
  pk::elementwise(op, a);
  return out;
}

float run_sum(int threads, const std::vector<float>& x) {
  Threads t(threads);
  float out = -1.0f;  // the kernel writes it (api.h)
  namespace k = parity::kernels;
  pk::reduce(k::Reduction{{std::int64_t(x.size())},
                       {&out, parity::spec::DType::Float32, {0}},
                       {const_cast<float*>(x.data()), parity::spec::DType::Float32, {1}}});
  return out;
}
// The sums of the columns of a rows x cols matrix (axis 0) on `threads` threads.
std::vector<float> run_column_sums(int threads, const std::vector<float>& x, std::int64_t rows, std::int64_t cols) {
  Threads t(threads);
  std::vector<float> out(std::size_t(cols), -1.0f);
  namespace k = parity::kernels;
  pk::reduce(k::Reduction{{rows, cols},
                          {out.data(), parity::spec::DType::Float32, {0, 1}},
                          {const_cast<float*>(x.data()), parity::spec::DType::Float32, {cols, 1}}});
  return out;
}
}  // namespace

TEST(CpuThreads, SameBitsOnOneAndTwoThreads) {
  const std::int64_t rows = 1031, cols = 997;  // 1,027,907 elements: 3 grains, uneven chunks
  std::vector<float> x(std::size_t(rows * cols)), y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = -20.0f + 40.0f * float((i * 7919) % 100003) / 100003.0f;
    y[i] = 0.5f + float(i % 1013) / 7.0f;
  }
  using parity::spec::OpId;
  for (OpId op : {OpId::Add, OpId::Mul, OpId::Exp})
    for (bool transposed : {false, true}) {
      const auto one = run_elementwise(op, 1, x, y, rows, cols, transposed);
      const auto two = run_elementwise(op, 2, x, y, rows, cols, transposed);
      EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0)
          << parity::spec::op_spec(op).name << (transposed ? " transposed" : " contiguous");
      EXPECT_EQ(std::count(one.begin(), one.end(), -1.0f), 0) << "an element was not written";
    }
  // Over axis 0: one thread runs one cascade down each column; more share its rows (runs of
  // 256 rows fed to one cascade in order), which must give the same bits. 4,500 rows: 17
  // runs (a carry past the runs' level) and 148 more rows (carries below it).
  const std::int64_t tall = 4500, narrow = 240;
  std::vector<float> m(std::size_t(tall * narrow));
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = -20.0f + 40.0f * float((i * 7919) % 100003) / 100003.0f;
  const std::vector<float> c1 = run_column_sums(1, m, tall, narrow);
  for (int threads : {2, 3}) {
    const std::vector<float> c = run_column_sums(threads, m, tall, narrow);
    EXPECT_EQ(std::memcmp(c1.data(), c.data(), c.size() * sizeof(float)), 0) << threads << " threads";
  }
  const float s1 = run_sum(1, x), s2 = run_sum(2, x), s3 = run_sum(3, x);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(s1), std::bit_cast<std::uint32_t>(s2));
  EXPECT_EQ(std::bit_cast<std::uint32_t>(s1), std::bit_cast<std::uint32_t>(s3));
}

// The elementwise kernel reads the compute dtype and writes the functor's result dtype: a
// comparison of float32 inputs writes bool (every layout path: contiguous, a broadcast
// scalar, strided), and an output of another dtype is refused, as inputs of two dtypes are.
// (1 < 2, 2 < 2, NaN < 2, -0 < 0 are true, false, false, false in any IEEE arithmetic.)
TEST(CpuElementwise, BoolResultOfFloatInputs) {
  namespace k = parity::kernels;
  using parity::spec::DType;
  std::vector<float> x{1.0f, 2.0f, NAN, -0.0f}, y{2.0f, 2.0f, 2.0f, 0.0f};
  std::vector<double> d{1, 2, 3, 4};
  // less(x, y) into `o` (of dtype od, stride os), y read with stride ys from yp (of dtype yd).
  auto less = [&](void* o, DType od, std::int64_t os, void* yp, DType yd, std::int64_t ys) {
    k::Elementwise a{{4}, {o, od, {os}}, {}};
    a.in.push_back({x.data(), DType::Float32, {1}});
    a.in.push_back({yp, yd, {ys}});
    pk::elementwise(parity::spec::OpId::Less, a);
  };
  bool out[4] = {true, true, true, true};
  less(out, DType::Bool, 1, y.data(), DType::Float32, 1);
  EXPECT_EQ(std::vector<bool>(out, out + 4), (std::vector<bool>{true, false, false, false}));
  less(out, DType::Bool, 1, y.data(), DType::Float32, 0);  // y[0] = 2 broadcast: the scalar loop
  EXPECT_EQ(std::vector<bool>(out, out + 4), (std::vector<bool>{true, false, false, true}));
  bool wide[8] = {};
  less(wide, DType::Bool, 2, y.data(), DType::Float32, 1);  // every other element: the strided loop
  EXPECT_EQ(std::vector<bool>(wide, wide + 8),
            (std::vector<bool>{true, false, false, false, false, false, false, false}));
  float f[4];
  EXPECT_THROW(less(f, DType::Float32, 1, y.data(), DType::Float32, 1), parity::TypeError);
  EXPECT_THROW(less(out, DType::Bool, 1, d.data(), DType::Float64, 1), parity::TypeError);
}

// Three operands, the first a condition (where): the condition is read as bool bytes, the
// values in the compute dtype, on the contiguous loop, with a broadcast operand and strided;
// a condition of another dtype is refused. np.where([True, False, True, False], [1, 2, 3, 4],
// [5, 6, 7, 8]) -> [1, 6, 3, 8]; with y = 5 broadcast -> [1, 5, 3, 5]. And the scalar
// parameters reach the functor: np.nan_to_num([nan, inf, -inf, 2.], nan=1.5, posinf=100.,
// neginf=-100.) -> [1.5, 100, -100, 2].
TEST(CpuElementwise, ConditionOperandAndScalars) {
  namespace k = parity::kernels;
  using parity::spec::DType;
  bool c[4] = {true, false, true, false};
  std::vector<float> x{1, 2, 3, 4}, y{5, 6, 7, 8}, cf{1, 0, 1, 0};
  auto where = [&](float* o, std::int64_t os, void* cp, DType cd, std::int64_t ys) {
    k::Elementwise a{{4}, {o, DType::Float32, {os}}, {}};
    a.in.push_back({cp, cd, {1}});
    a.in.push_back({x.data(), DType::Float32, {1}});
    a.in.push_back({y.data(), DType::Float32, {ys}});
    pk::elementwise(parity::spec::OpId::Where, a);
  };
  float out[4] = {};
  where(out, 1, c, DType::Bool, 1);
  EXPECT_EQ(std::vector<float>(out, out + 4), (std::vector<float>{1, 6, 3, 8}));
  where(out, 1, c, DType::Bool, 0);
  EXPECT_EQ(std::vector<float>(out, out + 4), (std::vector<float>{1, 5, 3, 5}));
  float wide[8] = {};
  where(wide, 2, c, DType::Bool, 1);
  EXPECT_EQ(std::vector<float>(wide, wide + 8), (std::vector<float>{1, 0, 6, 0, 3, 0, 8, 0}));
  EXPECT_THROW(where(out, 1, cf.data(), DType::Float32, 1), parity::TypeError);

  std::vector<float> v{NAN, INFINITY, -INFINITY, 2};
  k::Elementwise a{{4}, {out, DType::Float32, {1}}, {}};
  a.in.push_back({v.data(), DType::Float32, {1}});
  a.scalars = {1.5, 100.0, -100.0};
  pk::elementwise(parity::spec::OpId::NanToNum, a);
  EXPECT_EQ(std::vector<float>(out, out + 4), (std::vector<float>{1.5f, 100, -100, 2}));
}

// The cpu matmul's float path (CBLAS sgemm / dgemm) on every layout it takes as it lies or
// copies: each operand row-major, column-major (a transposed view, passed transposed),
// with a row stride beyond its width (a slice), or with neither stride 1 (copied); the
// output row-major, column-major (a scattered buffer) or padded; and shapes with a dimension
// of one (whose stride is arbitrary) or of zero. Small integers keep every partial sum exact,
// so any summation order must equal the naive triple loop.
namespace {
enum class Layout { Row, Col, Padded, Gapped };
// Strides (in elements) of a rows x cols operand in one of the layouts, and the size of the
// buffer it needs.
std::pair<std::vector<std::int64_t>, std::int64_t> layout_strides(Layout l, std::int64_t rows, std::int64_t cols) {
  switch (l) {
    case Layout::Row: return {{cols, 1}, rows * cols};
    case Layout::Col: return {{1, rows}, rows * cols};
    case Layout::Padded: return {{cols + 3, 1}, rows * (cols + 3)};
    default: return {{2 * cols * 3, 3}, rows * cols * 6};  // neither stride 1: copied
  }
}
template <class T>
void check_matmul_layouts(parity::spec::DType dtype) {
  const std::int64_t dims[][3] = {{1, 1, 1}, {3, 1, 4}, {1, 5, 1}, {4, 7, 3}, {1, 6, 5}, {5, 6, 1}, {65, 33, 17},
                                  {3, 0, 2}, {0, 4, 3}};
  const Layout all[] = {Layout::Row, Layout::Col, Layout::Padded, Layout::Gapped};
  for (const auto& d : dims)
    for (Layout la : all)
      for (Layout lb : all)
        for (Layout lo : all) {
          const std::int64_t m = d[0], k = d[1], n = d[2];
          auto [sa, na] = layout_strides(la, m, k);
          auto [sb, nb] = layout_strides(lb, k, n);
          auto [so, no] = layout_strides(lo, m, n);
          std::vector<T> a(std::size_t(std::max<std::int64_t>(na, 1)), T(-99)), b(std::size_t(std::max<std::int64_t>(nb, 1)), T(-99));
          std::vector<T> out(std::size_t(std::max<std::int64_t>(no, 1)), T(-7));
          auto at = [&](std::int64_t i, std::int64_t p) -> T& { return a[std::size_t(i * sa[0] + p * sa[1])]; };
          auto bt = [&](std::int64_t p, std::int64_t j) -> T& { return b[std::size_t(p * sb[0] + j * sb[1])]; };
          for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t p = 0; p < k; ++p) at(i, p) = T(int((i * 7 + p * 3) % 11) - 5);
          for (std::int64_t p = 0; p < k; ++p)
            for (std::int64_t j = 0; j < n; ++j) bt(p, j) = T(int((p * 5 + j * 2) % 9) - 4);
          parity::kernels::Matmul args;
          args.m = m;
          args.n = n;
          args.k = k;
          args.a = {a.data(), dtype, sa};
          args.b = {b.data(), dtype, sb};
          args.out = {out.data(), dtype, so};
          pk::matmul(args);
          for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t j = 0; j < n; ++j) {
              T want = 0;
              for (std::int64_t p = 0; p < k; ++p) want += at(i, p) * bt(p, j);
              ASSERT_EQ(out[std::size_t(i * so[0] + j * so[1])], want)
                  << m << "x" << k << "x" << n << " layouts " << int(la) << int(lb) << int(lo) << " at " << i << ","
                  << j;
            }
          // Padding and gaps of the output are not written.
          std::int64_t written = 0;
          for (T v : out) written += v != T(-7);
          EXPECT_LE(written, m * n);
        }
}
}  // namespace

// Max, min, all and any of one contiguous row, at lengths around the vector loops' lane
// counts (64 and 128 bytes) and with the deciding element at every position: the extremum
// is the one std::max_element / std::min_element finds, a NaN anywhere makes it NaN, a
// single zero makes all false and a single nonzero makes any true.
namespace {
template <class T>
T reduce_row(parity::spec::Reduce op, const std::vector<T>& x, parity::spec::DType in, parity::spec::DType out) {
  T r{};
  parity::kernels::Reduction a{{std::int64_t(x.size())}, {&r, out, {0}}, {const_cast<T*>(x.data()), in, {1}}, op};
  pk::reduce(a);
  return r;
}
}  // namespace

TEST(CpuReduce, ExtremaAndTruthAtEveryLanePosition) {
  using parity::spec::DType;
  using parity::spec::Reduce;
  for (std::size_t n : {1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200}) {
    std::vector<float> f(n);
    std::vector<double> d(n);
    for (std::size_t i = 0; i < n; ++i) f[i] = float(d[i] = std::sin(double(i) + 0.5) * 10.0);
    for (std::size_t at = 0; at < n; ++at) {
      std::vector<float> g = f;
      g[at] = 1e30f;
      EXPECT_EQ(reduce_row(Reduce::Max, g, DType::Float32, DType::Float32), 1e30f) << n << " " << at;
      g[at] = -1e30f;
      EXPECT_EQ(reduce_row(Reduce::Min, g, DType::Float32, DType::Float32), -1e30f) << n << " " << at;
      g[at] = NAN;
      EXPECT_TRUE(std::isnan(reduce_row(Reduce::Max, g, DType::Float32, DType::Float32))) << n << " " << at;
      EXPECT_TRUE(std::isnan(reduce_row(Reduce::Min, g, DType::Float32, DType::Float32))) << n << " " << at;
      std::vector<double> e = d;
      e[at] = NAN;
      EXPECT_TRUE(std::isnan(reduce_row(Reduce::Max, e, DType::Float64, DType::Float64))) << n << " " << at;
      std::vector<std::int32_t> k(n, 5);
      k[at] = -7;
      EXPECT_EQ(reduce_row(Reduce::Min, k, DType::Int32, DType::Int32), -7) << n << " " << at;
      std::vector<float> ones(n, 1.0f), zeros(n, 0.0f);
      ones[at] = 0.0f;
      zeros[at] = -NAN;  // NaN reads as true
      bool all = true, any = false;
      parity::kernels::Reduction ra{{std::int64_t(n)}, {&all, DType::Bool, {0}}, {ones.data(), DType::Float32, {1}}, Reduce::All};
      pk::reduce(ra);
      parity::kernels::Reduction rb{{std::int64_t(n)}, {&any, DType::Bool, {0}}, {zeros.data(), DType::Float32, {1}}, Reduce::Any};
      pk::reduce(rb);
      EXPECT_FALSE(all) << n << " " << at;
      EXPECT_TRUE(any) << n << " " << at;
    }
    EXPECT_EQ(reduce_row(Reduce::Max, f, DType::Float32, DType::Float32), *std::max_element(f.begin(), f.end()));
    EXPECT_EQ(reduce_row(Reduce::Min, d, DType::Float64, DType::Float64), *std::min_element(d.begin(), d.end()));
  }
}

// Max, min, all and any over axis 0 of a matrix (the kept-inner paths): wider than one
// column block (5000 columns), and one block whose rows threads share (2000 x 300), on one
// and on two threads. Each column is checked against a plain loop: its largest (smallest)
// value, NaN where a column holds one, all false where it holds a zero, any true where it
// holds a nonzero (every third column holds one zero, or one nonzero, in some row).
TEST(CpuReduce, OuterAxisOnEveryPath) {
  using parity::spec::DType;
  using parity::spec::Reduce;
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{300, 5000}, {2000, 300}}) {
    std::vector<float> x(std::size_t(rows * cols));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i) * 0.7) * 100.0);
    for (std::int64_t c = 0; c < cols; c += 7) x[std::size_t(((c * 31) % rows) * cols + c)] = NAN;
    std::vector<float> truth(x.size(), 1.0f);
    for (std::int64_t c = 0; c < cols; c += 3) truth[std::size_t(((c * 17) % rows) * cols + c)] = 0.0f;
    std::vector<float> spikes(x.size());  // -2 where truth has its zeros, 0 elsewhere
    for (std::size_t i = 0; i < x.size(); ++i) spikes[i] = truth[i] == 0.0f ? -2.0f : 0.0f;
    for (int threads : {1, 2}) {
      pk::set_num_threads(threads);
      for (Reduce op : {Reduce::Max, Reduce::Min, Reduce::All, Reduce::Any}) {
        const bool truth_op = op == Reduce::All || op == Reduce::Any;
        std::vector<float> out(std::size_t(cols), -1.0f);
        std::vector<unsigned char> bout(std::size_t(cols), 7);
        parity::kernels::Reduction r{{rows, cols},
                                     {truth_op ? static_cast<void*>(bout.data()) : out.data(),
                                      truth_op ? DType::Bool : DType::Float32, {0, 1}},
                                     {op == Reduce::All ? truth.data() : op == Reduce::Any ? spikes.data() : x.data(),
                                      DType::Float32, {cols, 1}},
                                     op};
        pk::reduce(r);
        for (std::int64_t c = 0; c < cols; ++c) {
          bool nan = false, zero = false;
          float m = op == Reduce::Max ? -INFINITY : INFINITY;
          for (std::int64_t k = 0; k < rows; ++k) {
            const float v = x[std::size_t(k * cols + c)];
            nan |= std::isnan(v);
            if (!std::isnan(v)) m = op == Reduce::Max ? std::max(m, v) : std::min(m, v);
            zero |= truth[std::size_t(k * cols + c)] == 0.0f;
          }
          const auto where = [&] { return std::to_string(rows) + "x" + std::to_string(cols) + " column " +
                                          std::to_string(c) + " on " + std::to_string(threads) + " threads"; };
          if (op == Reduce::All) {
            ASSERT_EQ(bout[std::size_t(c)], zero ? 0 : 1) << where();
          } else if (op == Reduce::Any) {
            ASSERT_EQ(bout[std::size_t(c)], zero ? 1 : 0) << where();
          } else if (nan) {
            ASSERT_TRUE(std::isnan(out[std::size_t(c)])) << where();
          } else {
            ASSERT_EQ(out[std::size_t(c)], m) << where();
          }
        }
      }
    }
    pk::set_num_threads(0);
  }
}

// Sum and max over axes (0, 2) of a 40 x 300 x 50 cube (the outputs walked in blocks of
// 256 in memory order: two blocks, the second short), on one, two and three threads. Each
// sum is within 2^-20 of the total of |x| of its float64 total, each max (NaN where a slice
// holds one) equals a plain loop, and the sums have the same bits on every thread count.
TEST(CpuReduce, SeveralAxesInMemoryOrder) {
  using parity::spec::DType;
  using parity::spec::Reduce;
  const std::int64_t a = 40, b = 300, c = 50;
  std::vector<float> x(std::size_t(a * b * c));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i) * 0.37) * 100.0);
  for (std::int64_t j = 0; j < b; j += 11) x[std::size_t(((j * 7) % a) * b * c + j * c + j % c)] = NAN;
  std::vector<float> first;
  for (int threads : {1, 2, 3}) {
    pk::set_num_threads(threads);
    for (Reduce op : {Reduce::Sum, Reduce::Max}) {
      std::vector<float> out(std::size_t(b), -1.0f);
      parity::kernels::Reduction r{{a, b, c}, {out.data(), DType::Float32, {0, 1, 0}},
                                   {x.data(), DType::Float32, {b * c, c, 1}}, op};
      pk::reduce(r);
      for (std::int64_t j = 0; j < b; ++j) {
        double total = 0, mag = 0;
        float m = -INFINITY;
        for (std::int64_t i = 0; i < a; ++i)
          for (std::int64_t k = 0; k < c; ++k) {
            const float v = x[std::size_t(i * b * c + j * c + k)];
            total += v;
            mag += std::fabs(v);
            m = std::isnan(v) || std::isnan(m) ? NAN : std::max(m, v);
          }
        const float got = out[std::size_t(j)];
        const std::string where = std::to_string(j) + " on " + std::to_string(threads) + " threads";
        if (op == Reduce::Max) {
          if (std::isnan(m)) {
            ASSERT_TRUE(std::isnan(got)) << where;
          } else {
            ASSERT_EQ(got, m) << where;
          }
        } else if (!std::isnan(total)) {
          ASSERT_LE(std::fabs(double(got) - total), mag * 0x1p-20) << where;
        }
      }
      if (op == Reduce::Sum && threads == 1) first = out;
      if (op == Reduce::Sum) {
        EXPECT_EQ(std::memcmp(first.data(), out.data(), out.size() * sizeof(float)), 0) << threads;
      }
    }
  }
  pk::set_num_threads(0);
}

// ArgMax and ArgMin in the kernel: one output of 600,000 float32 (threads scan ranges, the
// winners compared in order) and 300 x 2000 over either axis (threads share the outputs), on
// one and two threads. The deciding elements sit on both sides of the threads' split: equal
// extremes in both halves (the first wins), a NaN in the second half only, NaNs in both (the
// first). Each position is checked against a plain loop.
TEST(CpuReduce, ArgOnEveryPath) {
  using parity::spec::DType;
  using parity::spec::Reduce;
  const auto plain = [](const float* x, std::int64_t n, std::int64_t s, bool mx) {
    std::int64_t at = 0;
    for (std::int64_t i = 1; i < n; ++i) {
      const float v = x[i * s], h = x[at * s];
      if (std::isnan(h)) break;
      if (std::isnan(v) || (mx ? v > h : v < h)) at = i;
    }
    return at;
  };
  const std::int64_t n = 600000;
  for (int setup = 0; setup < 3; ++setup) {
    std::vector<float> x(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) x[std::size_t(i)] = float(std::sin(double(i) * 0.37));
    x[100] = x[450000] = 5.0f;
    x[200] = x[500000] = -5.0f;
    if (setup >= 1) x[400000] = NAN;
    if (setup == 2) x[350] = NAN;
    for (int threads : {1, 2}) {
      pk::set_num_threads(threads);
      for (Reduce op : {Reduce::ArgMax, Reduce::ArgMin}) {
        std::int64_t got = -1;
        pk::reduce({{n}, {&got, DType::Int64, {0}}, {x.data(), DType::Float32, {1}}, op});
        EXPECT_EQ(got, plain(x.data(), n, 1, op == Reduce::ArgMax)) << setup << " " << threads;
      }
    }
  }
  const std::int64_t rows = 300, cols = 2000;
  std::vector<float> m(std::size_t(rows * cols));
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = float(int(i * 7919 % 13) - 6);  // many ties
  for (std::int64_t c = 0; c < cols; c += 9) m[std::size_t(((c * 31) % rows) * cols + c)] = NAN;
  for (int threads : {1, 2}) {
    pk::set_num_threads(threads);
    for (Reduce op : {Reduce::ArgMax, Reduce::ArgMin}) {
      std::vector<std::int64_t> over0(std::size_t(cols), -1), over1(std::size_t(rows), -1);
      pk::reduce({{rows, cols}, {over0.data(), DType::Int64, {0, 1}}, {m.data(), DType::Float32, {cols, 1}}, op});
      pk::reduce({{rows, cols}, {over1.data(), DType::Int64, {1, 0}}, {m.data(), DType::Float32, {cols, 1}}, op});
      for (std::int64_t c = 0; c < cols; ++c)
        ASSERT_EQ(over0[std::size_t(c)], plain(m.data() + c, rows, cols, op == Reduce::ArgMax)) << c << " " << threads;
      for (std::int64_t r = 0; r < rows; ++r)
        ASSERT_EQ(over1[std::size_t(r)], plain(m.data() + r * cols, cols, 1, op == Reduce::ArgMax)) << r << " " << threads;
    }
  }
  pk::set_num_threads(0);
  // an output that is not int64, and an empty sequence, are refused
  float f = 0;
  std::vector<float> one{1.0f};
  EXPECT_THROW(pk::reduce({{1}, {&f, DType::Float32, {0}}, {one.data(), DType::Float32, {1}}, Reduce::ArgMax}),
               parity::TypeError);
  std::int64_t i = 0;
  EXPECT_THROW(pk::reduce({{0}, {&i, DType::Int64, {0}}, {one.data(), DType::Float32, {1}}, Reduce::ArgMin}),
               parity::ValueError);
}

TEST(CpuMatmul, FloatThroughBlasOnEveryLayout) {
  check_matmul_layouts<float>(parity::spec::DType::Float32);
  check_matmul_layouts<double>(parity::spec::DType::Float64);
}
