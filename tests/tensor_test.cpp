// The tensor engine's forward behaviour, PyTorch semantics. Expected values are derived by
// hand; where a PyTorch expression gives the value, it is quoted in a comment.
#include "engine/tensor/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/spec/error.h"
#include "tests/test_util.h"

namespace parity::tensor {
namespace {

using spec::DType;

template <class T>
Tensor make(const Shape& shape, std::vector<T> v) {
  return Tensor::from_values<T>(shape, std::span<const T>(v.data(), v.size()));
}
Tensor f32(const Shape& s, std::vector<float> v) { return make<float>(s, std::move(v)); }
Tensor f64(const Shape& s, std::vector<double> v) { return make<double>(s, std::move(v)); }
Tensor i32(const Shape& s, std::vector<std::int32_t> v) { return make<std::int32_t>(s, std::move(v)); }
Tensor i64(const Shape& s, std::vector<std::int64_t> v) { return make<std::int64_t>(s, std::move(v)); }
Tensor b8(const Shape& s, std::vector<bool> v) {
  // std::vector<bool> is packed: give from_values a real bool array.
  std::unique_ptr<bool[]> a(new bool[v.size()]);
  for (std::size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return Tensor::from_values<bool>(s, std::span<const bool>(a.get(), v.size()));
}

// torch.arange(6.).reshape(2, 3) = [[0, 1, 2], [3, 4, 5]]
Tensor m23() { return Tensor::arange(0, 6, 1, DType::Float32).reshape({2, 3}); }

std::vector<double> V(const Tensor& t) { return t.to_doubles(); }

using parity::testing::expect_error;
using parity::testing::expect_library_error;

// ---- creation and metadata ------------------------------------------------------------

TEST(TensorCreate, ContiguousStridesAndFill) {
  Tensor z = Tensor::zeros({2, 3, 4}, DType::Float32);
  // torch.zeros(2, 3, 4).stride() == (12, 4, 1)
  EXPECT_EQ(z.strides(), (Strides{12, 4, 1}));
  EXPECT_EQ(z.numel(), 24);
  EXPECT_EQ(z.dim(), 3);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(z.storage_offset(), 0);
  EXPECT_TRUE(z.device().is_cpu());
  for (double v : V(z)) EXPECT_EQ(v, 0.0);
  for (double v : V(Tensor::ones({3}, DType::Int32))) EXPECT_EQ(v, 1.0);
  EXPECT_EQ(V(Tensor::full({2}, 2.5, DType::Float64)), (std::vector<double>{2.5, 2.5}));
  // torch.full((2,), 2.7, dtype=torch.int32) truncates: tensor([2, 2])
  EXPECT_EQ(V(Tensor::full({2}, 2.7, DType::Int32)), (std::vector<double>{2, 2}));
  EXPECT_EQ(V(Tensor::full({2}, 3, DType::Bool)), (std::vector<double>{1, 1}));
}

TEST(TensorCreate, ZeroDimAndEmpty) {
  Tensor s = Tensor::full({}, 3.0, DType::Float32);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 3.0);
  Tensor e = Tensor::zeros({0, 3}, DType::Float32);
  EXPECT_EQ(e.numel(), 0);
  EXPECT_TRUE(e.is_contiguous());
  EXPECT_TRUE(V(e).empty());
  // torch.zeros(0, 3).sum() == 0; torch.zeros(0, 3).sum(0) == zeros(3)
  EXPECT_EQ(sum(e).item(), 0.0);
  const std::int64_t d0[] = {0};
  EXPECT_EQ(V(sum(e, d0)), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ((e + e).sizes(), (Shape{0, 3}));
}

TEST(TensorCreate, Arange) {
  // torch.arange(0, 1, 0.25) = [0, 0.25, 0.5, 0.75]
  EXPECT_EQ(V(Tensor::arange(0, 1, 0.25, DType::Float64)), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  // torch.arange(5, 0, -2) = [5, 3, 1]
  EXPECT_EQ(V(Tensor::arange(5, 0, -2, DType::Int64)), (std::vector<double>{5, 3, 1}));
  EXPECT_EQ(Tensor::arange(2, 2, 1, DType::Float32).numel(), 0);
  expect_error<ValueError>([] { Tensor::arange(0, 3, 0, DType::Float32); }, "step must be nonzero");
  expect_error<ValueError>([] { Tensor::arange(0, 3, -1, DType::Float32); },
                           "upper bound and larger bound inconsistent with step sign");
}

TEST(TensorCreate, Errors) {
  expect_error<ValueError>(
      [] {
        Tensor::zeros({-1, 2}, DType::Float32);
      },
      "Trying to create tensor with negative dimension -1: [-1, 2]");
  // torch.full((1,), 1e10, dtype=torch.int32)
  expect_error<RuntimeError>([] { Tensor::full({1}, 1e10, DType::Int32); },
                             "value cannot be converted to type int32_t without overflow");
  expect_error<ValueError>([] { f32({2, 2}, {1, 2, 3}); }, "3 values");
  expect_error<RuntimeError>([] { m23().item(); }, "a Tensor with 6 elements cannot be converted to Scalar");
  expect_error<RuntimeError>([] { Tensor().dtype(); }, "undefined");
}

TEST(TensorCreate, RandomIsSeeded) {
  Tensor a = Tensor::random({1000}, DType::Float64, 7, core::Distribution::Uniform, -2.0, 3.0);
  Tensor b = Tensor::random({1000}, DType::Float64, 7, core::Distribution::Uniform, -2.0, 3.0);
  Tensor c = Tensor::random({1000}, DType::Float64, 8, core::Distribution::Uniform, -2.0, 3.0);
  EXPECT_EQ(V(a), V(b));
  EXPECT_NE(V(a), V(c));
  for (double v : V(a)) {
    EXPECT_GE(v, -2.0);
    EXPECT_LT(v, 3.0);
  }
  // Element i depends only on (seed, i): a longer tensor starts with the same values.
  Tensor d = Tensor::random({10}, DType::Float64, 7, core::Distribution::Uniform, -2.0, 3.0);
  const std::vector<double> av = V(a);
  EXPECT_EQ(V(d), std::vector<double>(av.begin(), av.begin() + 10));
}

TEST(TensorCreate, FromStorage) {
  Tensor base = Tensor::arange(0, 12, 1, DType::Float32);
  // A 3x2 view with row stride 4 starting at element 1: [[1, 2], [5, 6], [9, 10]]
  Tensor v = Tensor::from_storage(base.storage(), DType::Float32, {3, 2}, {4, 1}, 1);
  EXPECT_EQ(V(v), (std::vector<double>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(v.storage(), base.storage());
  EXPECT_FALSE(v.is_contiguous());
  expect_error<ValueError>(
      [&] {
        Tensor::from_storage(base.storage(), DType::Float32, {3, 4}, {4, 1}, 1);
      },
      "out of bounds for storage of size 48");
  expect_error<ValueError>([&] { Tensor::from_storage(base.storage(), DType::Float32, {2}, {-1}, 4); },
                           "negative strides");
}

// ---- elementwise ops on contiguous, transposed, sliced and expanded inputs -------------

TEST(TensorOps, AddMulContiguous) {
  Tensor a = f32({3}, {1, 2, 3}), b = f32({3}, {10, 20, 30});
  EXPECT_EQ(V(a + b), (std::vector<double>{11, 22, 33}));
  EXPECT_EQ(V(a * b), (std::vector<double>{10, 40, 90}));
  EXPECT_EQ((a + b).dtype(), DType::Float32);
}

TEST(TensorOps, Broadcasting) {
  // [[0,1,2],[3,4,5]] + [10,20,30] = [[10,21,32],[13,24,35]]
  EXPECT_EQ(V(m23() + f32({3}, {10, 20, 30})), (std::vector<double>{10, 21, 32, 13, 24, 35}));
  // Outer sum: [[1],[2]] + [10,20,30] -> (2,3)
  Tensor r = f32({2, 1}, {1, 2}) + f32({1, 3}, {10, 20, 30});
  EXPECT_EQ(r.sizes(), (Shape{2, 3}));
  EXPECT_EQ(V(r), (std::vector<double>{11, 21, 31, 12, 22, 32}));
  // 0-d scalar times a matrix
  EXPECT_EQ(V(m23() * Tensor::full({}, 2.0, DType::Float32)), (std::vector<double>{0, 2, 4, 6, 8, 10}));
}

TEST(TensorOps, TransposedInputs) {
  Tensor t = m23().t();  // [[0,3],[1,4],[2,5]], strides (1, 3)
  EXPECT_EQ(t.strides(), (Strides{1, 3}));
  EXPECT_FALSE(t.is_contiguous());
  Tensor ones = Tensor::ones({3, 2}, DType::Float32);
  EXPECT_EQ(V(t + ones), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(V(t * t), (std::vector<double>{0, 9, 1, 16, 4, 25}));
  // transposed + transposed: still elementwise in logical order
  EXPECT_EQ(V(t + t), (std::vector<double>{0, 6, 2, 8, 4, 10}));
  EXPECT_EQ(V(neg(t)), (std::vector<double>{-0.0, -3, -1, -4, -2, -5}));
}

TEST(TensorOps, SlicedInputs) {
  Tensor x = Tensor::arange(0, 10, 1, DType::Float64);
  Tensor s = x.slice(0, 1, 8, 3);  // x[1:8:3] = [1, 4, 7]
  EXPECT_EQ(V(s), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(s.strides(), (Strides{3}));
  EXPECT_EQ(s.storage_offset(), 1);
  EXPECT_EQ(V(s * s), (std::vector<double>{1, 16, 49}));
  Tensor cols = m23().slice(1, 0, std::nullopt, 2);  // [:, ::2] = [[0,2],[3,5]]
  EXPECT_EQ(V(cols + f32({2}, {100, 200})), (std::vector<double>{100, 202, 103, 205}));
  EXPECT_EQ(V(exp(f32({4}, {0, 9, 0, 9}).slice(0, 0, 4, 2))), (std::vector<double>{1, 1}));
}

TEST(TensorOps, ExpandedInputs) {
  Tensor row = f32({3}, {1, 2, 3}).expand({2, 3});
  EXPECT_EQ(row.strides(), (Strides{0, 1}));
  EXPECT_EQ(V(row * m23()), (std::vector<double>{0, 2, 6, 3, 8, 15}));
  Tensor col = f32({2, 1}, {5, 7}).expand({2, 3});
  EXPECT_EQ(V(col + row), (std::vector<double>{6, 7, 8, 8, 9, 10}));
}

TEST(TensorOps, NegExp) {
  EXPECT_EQ(V(neg(i32({3}, {1, -2, 0}))), (std::vector<double>{-1, 2, 0}));
  Tensor e = exp(f64({3}, {0, 1, -1}));
  EXPECT_EQ(e.dtype(), DType::Float64);
  EXPECT_EQ(V(e)[0], 1.0);
  EXPECT_NEAR(V(e)[1], 2.718281828459045, 1e-15);
  EXPECT_NEAR(V(e)[2], 0.36787944117144233, 1e-16);
  Tensor e32 = exp(f32({2}, {0, 2}));
  EXPECT_NEAR(V(e32)[1], 7.38905609893065, 7.39 * 2e-7);
}

// ---- promotion --------------------------------------------------------------------------

TEST(TensorPromotion, PyTorchRules) {
  Tensor a = i32({2}, {1, 2});
  // torch.tensor([1, 2], dtype=torch.int32) + torch.tensor([0.5, 0.5]) -> float32
  Tensor r = a + f32({2}, {0.5, 0.5});
  EXPECT_EQ(r.dtype(), DType::Float32);
  EXPECT_EQ(V(r), (std::vector<double>{1.5, 2.5}));
  // int32 tensor + 0-d int64 tensor: the 0-d operand does not promote -> int32
  Tensor z = a + i64({}, {5});
  EXPECT_EQ(z.dtype(), DType::Int32);
  EXPECT_EQ(V(z), (std::vector<double>{6, 7}));
  // ...but a 1-d int64 does
  EXPECT_EQ((a + i64({1}, {5})).dtype(), DType::Int64);
  // float32 tensor * 0-d float64 -> float32 (same category)
  EXPECT_EQ((f32({1}, {1}) * f64({}, {2})).dtype(), DType::Float32);
  // int32 tensor * 0-d float64: the 0-d operand's category is higher, so its dtype enters
  // (PyTorch's type promotion docs: "a type with sufficient size ... to hold all zero-dim
  // tensor operands of that category") -> float64
  EXPECT_EQ((a * f64({}, {0.5})).dtype(), DType::Float64);
  // exp of integers gives float32: torch.exp(torch.tensor([0, 1], dtype=torch.int32))
  Tensor e = exp(i32({2}, {0, 1}));
  EXPECT_EQ(e.dtype(), DType::Float32);
  EXPECT_EQ(V(e)[0], 1.0);
  EXPECT_NEAR(V(e)[1], 2.718281828, 1e-6);
  // bool + bool stays bool (logical or); bool * int -> int
  Tensor t = b8({3}, {true, false, false});
  Tensor u = b8({3}, {true, true, false});
  EXPECT_EQ((t + u).dtype(), DType::Bool);
  EXPECT_EQ(V(t + u), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(V(t * u), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ((t * i32({3}, {4, 5, 6})).dtype(), DType::Int32);
}

TEST(TensorPromotion, IntegerWrap) {
  const std::int32_t imax = std::numeric_limits<std::int32_t>::max();
  const std::int32_t imin = std::numeric_limits<std::int32_t>::min();
  // torch.tensor([2**31 - 1], dtype=torch.int32) + 1 == -2**31
  EXPECT_EQ(V(i32({1}, {imax}) + i32({1}, {1})), (std::vector<double>{double(imin)}));
  // 65536 * 65536 = 2**32 == 0 mod 2**32
  EXPECT_EQ(V(i32({1}, {65536}) * i32({1}, {65536})), (std::vector<double>{0}));
  // -(-2**31) wraps to itself
  EXPECT_EQ(V(neg(i32({1}, {imin}))), (std::vector<double>{double(imin)}));
  // int64 sum wraps too: torch.tensor([2**63 - 1, 1]).sum() == -2**63
  const std::int64_t lmax = std::numeric_limits<std::int64_t>::max();
  Tensor s = sum(i64({2}, {lmax, 1}));
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(*static_cast<const std::int64_t*>(s.data_ptr()), std::numeric_limits<std::int64_t>::min());
}

// ---- sum ----------------------------------------------------------------------------------

TEST(TensorSum, AllAndDims) {
  EXPECT_EQ(sum(m23()).item(), 15.0);
  EXPECT_EQ(sum(m23()).dim(), 0);
  const std::int64_t d0[] = {0}, d1[] = {1}, dm1[] = {-1};
  EXPECT_EQ(V(sum(m23(), d0)), (std::vector<double>{3, 5, 7}));
  EXPECT_EQ(V(sum(m23(), d1)), (std::vector<double>{3, 12}));
  EXPECT_EQ(V(sum(m23(), dm1)), (std::vector<double>{3, 12}));
  Tensor k = sum(m23(), d0, true);
  EXPECT_EQ(k.sizes(), (Shape{1, 3}));
  EXPECT_EQ(V(k), (std::vector<double>{3, 5, 7}));
  // 3-D, two dims: torch.arange(24.).reshape(2, 3, 4).sum((0, 2)) = [60, 92, 124]
  Tensor x = Tensor::arange(0, 24, 1, DType::Float64).reshape({2, 3, 4});
  const std::int64_t d02[] = {0, 2};
  EXPECT_EQ(V(sum(x, d02)), (std::vector<double>{60, 92, 124}));
  EXPECT_EQ(sum(x, d02, true).sizes(), (Shape{1, 3, 1}));
}

TEST(TensorSum, StridedInputs) {
  const std::int64_t d0[] = {0}, d1[] = {1};
  Tensor t = m23().t();  // [[0,3],[1,4],[2,5]]
  EXPECT_EQ(V(sum(t, d0)), (std::vector<double>{3, 12}));
  EXPECT_EQ(V(sum(t, d1)), (std::vector<double>{3, 5, 7}));
  EXPECT_EQ(sum(t).item(), 15.0);
  Tensor s = m23().slice(1, 1, 3);  // [[1,2],[4,5]]
  EXPECT_EQ(V(sum(s, d0)), (std::vector<double>{5, 7}));
  EXPECT_EQ(V(sum(s, d1)), (std::vector<double>{3, 9}));
  Tensor e = f32({3}, {1, 2, 3}).expand({4, 3});
  EXPECT_EQ(V(sum(e, d0)), (std::vector<double>{4, 8, 12}));
  EXPECT_EQ(sum(e).item(), 24.0);
  // permuted 3-D: torch.arange(24.).reshape(2,3,4).permute(2,0,1).sum(2)[k][i] = sum_j x[i][j][k]
  Tensor x = Tensor::arange(0, 24, 1, DType::Float32).reshape({2, 3, 4});
  const int perm[] = {2, 0, 1};
  const std::int64_t d2[] = {2};
  // x[i][j][k] = 12i + 4j + k; sum over j = 36i + 12 + 3k
  std::vector<double> want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i) want.push_back(36.0 * i + 12 + 3 * k);
  EXPECT_EQ(V(sum(x.permute(perm), d2)), want);
}

TEST(TensorSum, Dtypes) {
  // torch.tensor([True, False, True]).sum() == 2, dtype int64
  Tensor b = sum(b8({3}, {true, false, true}));
  EXPECT_EQ(b.dtype(), DType::Int64);
  EXPECT_EQ(b.item(), 2.0);
  Tensor i = sum(i32({3}, {1, 2, 3}));
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.item(), 6.0);
  EXPECT_EQ(sum(f32({2}, {1, 2})).dtype(), DType::Float32);
}

TEST(TensorSum, LongRowsKeepAccuracy) {
  // n copies of float(0.1) sum to n * 0.100000001490116... exactly; a single float32 running
  // total would be off by about 1% at this length, a cascade by about 1e-7.
  const std::int64_t n = 1 << 22;
  const double want = double(n) * double(0.1f);
  Tensor x = Tensor::full({n}, 0.1, DType::Float32);
  EXPECT_NEAR(sum(x).item(), want, want * 1e-5);
  // The same reduced over the outer dimension of (n/4, 4): columns reduced in memory order.
  const std::int64_t d0[] = {0};
  Tensor cols = sum(x.reshape({n / 4, 4}), d0);
  for (double v : V(cols)) EXPECT_NEAR(v, want / 4, want / 4 * 1e-5);
  // And a strided long row: x[::2] is one row of stride 2.
  EXPECT_NEAR(sum(x.slice(0, std::nullopt, std::nullopt, 2)).item(), want / 2, want / 2 * 1e-5);
  // Many short rows into one total (a 2-D slice does not coalesce into one row).
  EXPECT_NEAR(sum(x.reshape({n / 8, 8}).slice(1, 0, 7)).item(), want * 7 / 8, want * 7 / 8 * 1e-5);
}

TEST(TensorSum, Errors) {
  const std::int64_t bad[] = {2}, dup[] = {0, -2};
  // torch.ones(2,3).sum(2); torch.ones(2,3).sum((0,-2))
  expect_library_error<IndexError>([&] { sum(m23(), bad); }, "IndexError",
                                   "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_library_error<ValueError>([&] { sum(m23(), dup); }, "RuntimeError",
                                   "dim 0 appears multiple times in the list of dims");
}

// ---- matmul ---------------------------------------------------------------------------

TEST(TensorMatmul, SmallCases) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {5, 6, 7, 8});
  // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
  EXPECT_EQ(V(matmul(a, b)), (std::vector<double>{19, 22, 43, 50}));
  // a.t() @ b = [[1,3],[2,4]] @ [[5,6],[7,8]] = [[26,30],[38,44]]
  EXPECT_EQ(V(matmul(a.t(), b)), (std::vector<double>{26, 30, 38, 44}));
  // a @ b.t() = [[1,2],[3,4]] @ [[5,7],[6,8]] = [[17,23],[39,53]]
  EXPECT_EQ(V(matmul(a, b.t())), (std::vector<double>{17, 23, 39, 53}));
  // sliced: m23()[:, 1:] = [[1,2],[4,5]] @ b = [[19,22],[55,64]]
  EXPECT_EQ(V(matmul(m23().slice(1, 1, 3), b)), (std::vector<double>{19, 22, 55, 64}));
  // expanded: rows of [1, 1] @ b = [[12,14],[12,14]]
  EXPECT_EQ(V(matmul(f32({2}, {1, 1}).expand({2, 2}), b)), (std::vector<double>{12, 14, 12, 14}));
  // (2,3) @ (3,1)
  EXPECT_EQ(V(matmul(m23(), f32({3, 1}, {1, 1, 1}))), (std::vector<double>{3, 12}));
  // k = 0 gives zeros
  EXPECT_EQ(V(matmul(Tensor::ones({2, 0}, DType::Float32), Tensor::ones({0, 2}, DType::Float32))),
            (std::vector<double>{0, 0, 0, 0}));
}

TEST(TensorMatmul, LargerAgainstNaiveLoop) {
  // Small integers keep every partial sum exact, so any summation order must match the
  // naive triple loop exactly. n > 512 crosses the kernel's column blocks.
  const std::int64_t m = 7, k = 33, n = 600;
  Tensor a = Tensor::random({k, m}, DType::Float64, 1, core::Distribution::Uniform, -5, 5)
                 .to(DType::Int32)
                 .to(DType::Float64)
                 .t();  // transposed operand
  Tensor b = Tensor::random({k, n}, DType::Float64, 2, core::Distribution::Uniform, -5, 5)
                 .to(DType::Int32)
                 .to(DType::Float64);
  const std::vector<double> av = V(a), bv = V(b), got = V(matmul(a, b));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t p = 0; p < k; ++p) s += av[std::size_t(i * k + p)] * bv[std::size_t(p * n + j)];
      ASSERT_EQ(got[std::size_t(i * n + j)], s) << i << "," << j;
    }
}

TEST(TensorMatmul, Errors) {
  // torch.ones(2, 3) @ torch.ones(2, 3)
  expect_library_error<ValueError>([] { matmul(m23(), m23()); }, "RuntimeError",
                                   "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)");
  // torch.ones(2,3,dtype=torch.bool) @ torch.ones(3,2,dtype=torch.bool)
  expect_library_error<TypeError>(
      [] {
        matmul(b8({1, 1}, {true}), b8({1, 1}, {true}));
      },
      "RuntimeError", "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  // torch.ones(2,3) @ torch.ones(3,2,dtype=torch.float64)
  expect_library_error<TypeError>(
      [] {
        matmul(m23(), Tensor::ones({3, 2}, DType::Float64));
      },
      "RuntimeError", "expected scalar type Float but found Double");
  // torch.ones(2,3,dtype=torch.int32) @ torch.ones(4,5,dtype=torch.bool): sizes are checked first.
  expect_library_error<ValueError>(
      [] {
        matmul(Tensor::ones({2, 3}, DType::Int32), Tensor::ones({4, 5}, DType::Bool));
      },
      "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  expect_error<ValueError>([] { matmul(f32({2}, {1, 2}), f32({2}, {1, 2})); }, "2-D");
}

// ---- errors -----------------------------------------------------------------------------

TEST(TensorErrors, ShapesAndDtypes) {
  // torch.ones(2, 3) + torch.ones(4)
  expect_error<ValueError>(
      [] { m23() + Tensor::ones({4}, DType::Float32); },
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  // -torch.tensor([True])
  expect_error<TypeError>([] { neg(b8({1}, {true})); },
                          "Negation, the `-` operator, on a bool tensor is not supported.");
}

// torch.tensor([[2**30, 2**30]], dtype=torch.int32) @ torch.tensor([[2], [2]], dtype=torch.int32)
// -> int32 [[0]] (wraps); torch.ones(2,3,dtype=torch.int64) @ torch.ones(3,2,dtype=torch.int64)
// -> int64 [[3, 3], [3, 3]].
TEST(TensorMatmul, IntegersOnCpu) {
  const Tensor w = matmul(i32({1, 2}, {1 << 30, 1 << 30}), i32({2, 1}, {2, 2}));
  EXPECT_EQ(w.dtype(), DType::Int32);
  EXPECT_EQ(V(w), (std::vector<double>{0}));
  const Tensor l = matmul(Tensor::ones({2, 3}, DType::Int64), Tensor::ones({3, 2}, DType::Int64));
  EXPECT_EQ(l.dtype(), DType::Int64);
  EXPECT_EQ(V(l), (std::vector<double>{3, 3, 3, 3}));
  EXPECT_EQ(V(matmul(i32({2, 2}, {1, 2, 3, 4}).t(), i32({2, 2}, {5, 6, 7, 8}))),
            (std::vector<double>{26, 30, 38, 44}));
}

// torch.exp(torch.tensor([True, False])) -> float32 [2.7183, 1.0]
TEST(TensorExp, OfBoolIsFloat32) {
  const Tensor e = exp(b8({2}, {true, false}));
  EXPECT_EQ(e.dtype(), DType::Float32);
  EXPECT_EQ(V(e), (std::vector<double>{double(std::exp(1.0f)), 1.0}));
}

// Errors carry PyTorch 1.13.1's class: RuntimeError for shapes, IndexError for dims.
TEST(TensorErrors, PythonClasses) {
  // torch.ones(4,0) + torch.ones(4,0,7)
  expect_library_error<ValueError>(
      [] {
        Tensor::ones({4, 0}, DType::Float32) + Tensor::ones({4, 0, 7}, DType::Float32);
      },
      "RuntimeError",
      "The size of tensor a (0) must match the size of tensor b (7) at non-singleton dimension 2");
  // -torch.tensor([True])
  expect_library_error<TypeError>(
      [] { neg(b8({1}, {true})); }, "RuntimeError",
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
      "to invert a mask, use the `~` or `logical_not()` operator instead.");
  // torch.ones(3, dtype=torch.int32).add_(torch.ones(3))
  expect_library_error<TypeError>(
      [] { Tensor::ones({3}, DType::Int32).add_(Tensor::ones({3}, DType::Float32)); }, "RuntimeError",
      "result type Float can't be cast to the desired output type Int");
  // torch.ones(6).reshape(4)
  expect_library_error<ValueError>([] { Tensor::ones({6}, DType::Float32).reshape({4}); }, "RuntimeError",
                                   "shape '[4]' is invalid for input of size 6");
  // torch.ones(2,2).transpose(0,3)
  expect_library_error<IndexError>(
      [] {
        Tensor::ones({2, 2}, DType::Float32).transpose(0, 3);
      },
      "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 3)");
  // torch.tensor(1.0)[0:1]
  expect_library_error<IndexError>([] { Tensor::full({}, 1.0, DType::Float32).slice(0, 0, 1); }, "IndexError",
                                   "slice() cannot be applied to a 0-dim tensor.");
}

TEST(TensorErrors, Devices) {
  if (cuda_available()) GTEST_SKIP() << "CUDA is present; the cuda tests cover it";
  expect_error<DeviceError>([] { m23().to(Device::cuda()); }, "CUDA is not available: ");
  expect_error<DeviceError>([] { Tensor::zeros({2}, DType::Float32, Device::cuda()); },
                            "CUDA is not available");
  expect_error<DeviceError>(
      [] { Tensor::random({2}, DType::Float32, 1, core::Distribution::Uniform, 0, 1, Device::cuda()); },
      "CUDA is not available");
  // A tensor labelled cuda:0 (over borrowed bytes) meets a cpu tensor.
  Tensor host = Tensor::zeros({2}, DType::Float32);
  auto fake = core::Storage::borrow(host.data_ptr(), 8, Device::cuda(0), nullptr);
  Tensor dev = Tensor::from_storage(fake, DType::Float32, {2}, {1}, 0);
  EXPECT_EQ(dev.device(), Device::cuda(0));
  expect_error<DeviceError>(
      [&] { host + dev; },
      "Expected all tensors to be on the same device, but found at least two devices, cpu and cuda:0!");
  expect_error<DeviceError>([&] { matmul(dev.reshape({1, 2}), host.reshape({2, 1})); }, "same device");
  expect_error<DeviceError>([&] { dev.cpu(); }, "CUDA is not available");
  expect_error<DeviceError>([&] { exp(dev); }, "CUDA is not available");
}

// ---- views --------------------------------------------------------------------------------

TEST(TensorViews, ShareStorageAndVersion) {
  Tensor x = m23();
  Tensor t = x.t(), s = x.slice(1, 1, 3), e = x.slice(0, 0, 1).expand({4, 3}), r = x.reshape({3, 2});
  const int perm[] = {1, 0};
  Tensor p = x.permute(perm);
  for (const Tensor& v : {t, s, e, r, p}) EXPECT_EQ(v.storage(), x.storage());
  const std::uint64_t v0 = x.version();
  s.fill_(-1);  // writes through the view land in x: [[0,-1,-1],[3,-1,-1]]
  EXPECT_EQ(V(x), (std::vector<double>{0, -1, -1, 3, -1, -1}));
  EXPECT_EQ(x.version(), v0 + 1);
  EXPECT_EQ(t.version(), x.version());  // one counter per storage
  x.add_(Tensor::ones({3}, DType::Float32));
  EXPECT_EQ(e.version(), v0 + 2);
  EXPECT_EQ(V(t), (std::vector<double>{1, 4, 0, 0, 0, 0}));
}

TEST(TensorViews, Geometry) {
  Tensor x = Tensor::arange(0, 24, 1, DType::Float32).reshape({2, 3, 4});
  EXPECT_EQ(x.strides(), (Strides{12, 4, 1}));
  Tensor t = x.transpose(0, 2);  // torch: x.transpose(0, 2).stride() == (1, 4, 12)
  EXPECT_EQ(t.sizes(), (Shape{4, 3, 2}));
  EXPECT_EQ(t.strides(), (Strides{1, 4, 12}));
  const int perm[] = {1, -1, 0};
  Tensor p = x.permute(perm);
  EXPECT_EQ(p.sizes(), (Shape{3, 4, 2}));
  EXPECT_EQ(p.strides(), (Strides{4, 1, 12}));
  // x[:, 1:, ::3]: sizes (2, 2, 2), strides (12, 4, 3), offset 4
  Tensor s = x.slice(1, 1, std::nullopt).slice(2, std::nullopt, std::nullopt, 3);
  EXPECT_EQ(s.sizes(), (Shape{2, 2, 2}));
  EXPECT_EQ(s.strides(), (Strides{12, 4, 3}));
  EXPECT_EQ(s.storage_offset(), 4);
  EXPECT_EQ(V(s), (std::vector<double>{4, 7, 8, 11, 16, 19, 20, 23}));
  // Python bounds: x[-2:100] on a length-5 dim = the last two; x[4:1] is empty
  Tensor v = Tensor::arange(0, 5, 1, DType::Int64);
  EXPECT_EQ(V(v.slice(0, -2, 100)), (std::vector<double>{3, 4}));
  EXPECT_EQ(v.slice(0, 4, 1).numel(), 0);
  EXPECT_EQ(V(v.slice(0, -100, 2)), (std::vector<double>{0, 1}));
  // expand: new leading dims and size-1 dims get stride 0; -1 keeps a size
  Tensor e = f32({3, 1}, {1, 2, 3}).expand({2, -1, 4});
  EXPECT_EQ(e.sizes(), (Shape{2, 3, 4}));
  EXPECT_EQ(e.strides(), (Strides{0, 1, 0}));
  EXPECT_EQ(V(sum(e)), (std::vector<double>{48}));
  // t() of a 1-D tensor is itself
  EXPECT_EQ(v.t().sizes(), (Shape{5}));
}

TEST(TensorViews, ReshapeViewOrCopy) {
  Tensor x = m23();
  Tensor r = x.reshape({3, -1});
  EXPECT_EQ(r.sizes(), (Shape{3, 2}));
  EXPECT_EQ(r.storage(), x.storage());  // contiguous: a view
  // A column slice x[:, :2] reshaped to (4,) cannot be a view (rows are 3 apart): a copy
  Tensor s = x.slice(1, 0, 2);
  Tensor c = s.reshape({4});
  EXPECT_NE(c.storage(), x.storage());
  EXPECT_EQ(V(c), (std::vector<double>{0, 1, 3, 4}));
  // The transpose flattened is a copy in C order of the transpose
  Tensor tf = x.t().reshape({-1});
  EXPECT_NE(tf.storage(), x.storage());
  EXPECT_EQ(V(tf), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  // Splitting a dim of the transpose keeps it a view: (3,2) strides (1,3) -> (3,1,2)
  Tensor tv = x.t().reshape({3, 1, 2});
  EXPECT_EQ(tv.storage(), x.storage());
  EXPECT_EQ(tv.strides()[0], 1);
  EXPECT_EQ(tv.strides()[2], 3);
  // A row slice x[1:] stays a view when flattened
  EXPECT_EQ(x.slice(0, 1, 2).reshape({3}).storage(), x.storage());
  // 0-d <-> (1, 1)
  EXPECT_EQ(Tensor::full({}, 4.0, DType::Float32).reshape({1, 1}).sizes(), (Shape{1, 1}));
  expect_error<ValueError>([&] { x.reshape({4, 4}); }, "shape '[4, 4]' is invalid for input of size 6");
  expect_error<ValueError>([&] { x.reshape({-1, -1}); }, "only one dimension can be inferred");
}

TEST(TensorViews, Errors) {
  Tensor x = m23();
  expect_error<ValueError>([&] { x.slice(0, 0, 2, 0); }, "step must be greater than zero");
  expect_error<ValueError>([&] { x.slice(0, std::nullopt, std::nullopt, -1); },
                           "step must be greater than zero");
  expect_error<ValueError>(
      [&] {
        x.expand({4, 3});
      },
      "The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  "
      "Target sizes: [4, 3].  Tensor sizes: [2, 3]");
  expect_error<ValueError>([&] { x.expand({3}); }, "must be greater or equal to the number of dimensions");
  expect_error<IndexError>([&] { x.transpose(0, 2); }, "Dimension out of range");
  const int dup[] = {0, 0};
  expect_error<ValueError>([&] { x.permute(dup); }, "duplicate dims");
  expect_error<ValueError>(
      [&] {
        Tensor::zeros({2, 2, 2}, DType::Float32).t();
      },
      "t() expects a tensor with <= 2 dimensions");
  expect_error<IndexError>([] { Tensor::full({}, 1.0, DType::Float32).slice(0, 0, 1); }, "0-dim");
}

// ---- copies and in-place ---------------------------------------------------------------------

TEST(TensorCopy, ContiguousCloneTo) {
  Tensor x = m23();
  EXPECT_EQ(x.contiguous().impl(), x.impl());  // already contiguous: self
  Tensor c = x.t().contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.strides(), (Strides{2, 1}));
  EXPECT_EQ(V(c), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  Tensor k = x.clone();
  EXPECT_NE(k.storage(), x.storage());
  EXPECT_EQ(V(k), V(x));
  EXPECT_EQ(x.to(DType::Float32).impl(), x.impl());
  EXPECT_EQ(x.to(Device::cpu()).impl(), x.impl());
  // float -> int truncates toward zero: torch.tensor([2.7, -2.7]).to(torch.int32) == [2, -2]
  EXPECT_EQ(V(f32({2}, {2.7f, -2.7f}).to(DType::Int32)), (std::vector<double>{2, -2}));
  EXPECT_EQ(V(i32({3}, {0, 5, -1}).to(DType::Bool)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(f32({1}, {1}).to(DType::Float64).dtype(), DType::Float64);
}

// Float to integer casts where C++ has no answer (NaN, inf, out of range), as PyTorch 1.13's
// cpu gives them on x86-64. Every row is
//   torch.tensor(kCastInputs, dtype=torch.float64).to(dtype).tolist()
// and the same for a one-element tensor per value, a 120-element contiguous one (the
// vectorised loop) and a step-2 view: PyTorch gives the same values in all four.
TEST(TensorTo, FloatToIntegerOutOfRangeAsPyTorch) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> in = {nan,     inf,      -inf,  -0.0,    2.5,          -1.5,          128.0, -129.0,
                                  300.0, -1.0, -32769.0, 0x1p31, 0x1p32 + 5, 0x1p63, 1e20};
  const double m32 = -2147483648.0;
  const double m64 = -9223372036854775808.0;
  const std::vector<std::pair<DType, std::vector<double>>> want = {
      {DType::Int8, {0, 0, 0, 0, 2, -1, -128, 127, 44, -1, -1, 0, 0, 0, 0}},
      // through int64, as c10 casts to uint8: 2**32 + 5 keeps its low byte (np.astype: 0)
      {DType::UInt8, {0, 0, 0, 0, 2, 255, 128, 127, 44, 255, 255, 0, 5, 0, 0}},
      {DType::Int16, {0, 0, 0, 0, 2, -1, 128, -129, 300, -1, 32767, 0, 0, 0, 0}},
      {DType::Int32, {m32, m32, m32, 0, 2, -1, 128, -129, 300, -1, -32769, m32, m32, m32, m32}},
      {DType::Int64, {m64, m64, m64, 0, 2, -1, 128, -129, 300, -1, -32769, 0x1p31, 0x1p32 + 5, m64, m64}},
  };
  std::vector<double> tiled, doubled;
  for (int k = 0; k < 8; ++k) tiled.insert(tiled.end(), in.begin(), in.end());
  for (double v : in) doubled.insert(doubled.end(), {v, 7.0});
  const Tensor x = f64({std::int64_t(in.size())}, in);
  const Tensor big = f64({std::int64_t(tiled.size())}, tiled);
  const Tensor strided = f64({std::int64_t(doubled.size())}, doubled).slice(0, 0, std::nullopt, 2);
  for (const auto& [dtype, w] : want) {
    SCOPED_TRACE(std::string(spec::dtype_name(dtype)));
    EXPECT_EQ(V(x.to(dtype)), w);
    EXPECT_EQ(V(strided.to(dtype)), w);
    const std::vector<double> b = V(big.to(dtype));
    EXPECT_EQ(std::vector<double>(b.end() - std::ptrdiff_t(in.size()), b.end()), w);
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(V(f64({1}, {in[i]}).to(dtype))[0], w[i]) << in[i];
  }
  // float32 rounds 2**32 + 5 to 2**32 first: torch.tensor([2.**32 + 5]).to(torch.uint8) -> [0]
  EXPECT_EQ(V(f32({1}, {float(0x1p32 + 5)}).to(DType::UInt8)), (std::vector<double>{0}));
  // A half converts through float: torch.tensor([nan, 65504.], dtype=torch.float16).to(torch.int16)
  // -> [0, -32] (past int16: int32's low bits, 65504 - 65536), to(torch.int32) ->
  // [-2147483648, 65504]
  const Tensor h = f64({2}, {nan, 65504.0}).to(DType::Float16);
  EXPECT_EQ(V(h.to(DType::Int16)), (std::vector<double>{0, -32}));
  EXPECT_EQ(V(h.to(DType::Int32)), (std::vector<double>{m32, 65504}));
  // torch.tensor([nan, -0., 5e-324], dtype=torch.float64).to(torch.bool) -> [True, False, True]
  EXPECT_EQ(V(f64({3}, {nan, -0.0, 5e-324}).to(DType::Bool)), (std::vector<double>{1, 0, 1}));
  // Through float, a double rounds twice: torch.tensor([1 + 2**-11 + 2**-40],
  // dtype=torch.float64).to(torch.float16) -> [1.0] (np.astype: 1.0009765625); to(torch.bfloat16)
  // of 1 + 2**-8 + 2**-40 -> [1.0]
  EXPECT_EQ(V(f64({1}, {1 + 0x1p-11 + 0x1p-40}).to(DType::Float16)), (std::vector<double>{1.0}));
  EXPECT_EQ(V(f64({1}, {1 + 0x1p-8 + 0x1p-40}).to(DType::BFloat16)), (std::vector<double>{1.0}));
}

TEST(TensorInPlace, AddFillCopy) {
  Tensor x = m23();
  std::uint64_t v = x.version();
  x.add_(f32({3}, {1, 1, 1}));
  EXPECT_EQ(V(x), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(x.version(), ++v);
  // float32 += float64: computed in float64, written back as float32
  x.add_(f64({1}, {0.5}));
  EXPECT_EQ(x.dtype(), DType::Float32);
  EXPECT_EQ(V(x), (std::vector<double>{1.5, 2.5, 3.5, 4.5, 5.5, 6.5}));
  EXPECT_EQ(x.version(), ++v);
  // int32 += int64 -> int64 result cast back to int32
  Tensor n = i32({2}, {1, 2});
  n.add_(i64({2}, {10, 20}));
  EXPECT_EQ(n.dtype(), DType::Int32);
  EXPECT_EQ(V(n), (std::vector<double>{11, 22}));
  x.fill_(2);
  EXPECT_EQ(V(x), (std::vector<double>(6, 2.0)));
  EXPECT_EQ(x.version(), ++v);
  // copy_ broadcasts and casts: int32 <- float32 rows
  Tensor d = Tensor::zeros({2, 3}, DType::Int32);
  d.copy_(f32({3}, {1.9f, -1.9f, 7}));
  EXPECT_EQ(V(d), (std::vector<double>{1, -1, 7, 1, -1, 7}));
  // self-overlapping copy: x.copy_(x.t()) on a square matrix is a transpose
  Tensor sq = f64({2, 2}, {1, 2, 3, 4});
  sq.copy_(sq.t());
  EXPECT_EQ(V(sq), (std::vector<double>{1, 3, 2, 4}));
  // x.add_(x.t())
  Tensor sq2 = f64({2, 2}, {1, 2, 3, 4});
  sq2.add_(sq2.t());
  EXPECT_EQ(V(sq2), (std::vector<double>{2, 5, 5, 8}));
}

TEST(TensorInPlace, Errors) {
  // torch.ones(2, dtype=torch.int32).add_(torch.ones(2))
  expect_error<TypeError>([] { Tensor::ones({2}, DType::Int32).add_(Tensor::ones({2}, DType::Float32)); },
                          "result type Float can't be cast to the desired output type Int");
  // torch.ones(3).add_(torch.ones(2, 3))
  expect_error<ValueError>(
      [] {
        Tensor::ones({3}, DType::Float32).add_(Tensor::ones({2, 3}, DType::Float32));
      },
      "output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect_error<ValueError>(
      [] {
        Tensor::ones({3}, DType::Float32).copy_(Tensor::ones({2, 3}, DType::Float32));
      },
      "output with shape [3] doesn't match the broadcast shape [2, 3]");
  Tensor e = Tensor::ones({3}, DType::Float32).expand({2, 3});
  expect_error<RuntimeError>(
      [&] {
        e.add_(Tensor::ones({2, 3}, DType::Float32));
      },
      "more than one element of the written-to tensor refers to a single memory location");
  expect_error<RuntimeError>([] { Tensor::ones({2}, DType::Int32).fill_(1e12); }, "without overflow");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// torch.sub(torch.tensor([5, -2**31], dtype=torch.int32), torch.tensor([7, 1], dtype=torch.int32))
// -> [-2, 2147483647] (wraps); bool operands raise RuntimeError in 1.13.1.
TEST(TensorSub, ValuesAndRefusals) {
  const Tensor d = call(
      spec::OpId::Sub, std::array{i32({2}, {5, std::numeric_limits<std::int32_t>::min()}), i32({2}, {7, 1})});
  EXPECT_EQ(d.dtype(), DType::Int32);
  EXPECT_EQ(V(d), (std::vector<double>{-2, 2147483647}));
  // torch.ones(3, dtype=torch.bool) - torch.ones(3, dtype=torch.bool)
  expect_library_error<TypeError>(
      [] {
        call(spec::OpId::Sub, std::array{b8({1}, {true}), b8({1}, {true})});
      },
      "RuntimeError",
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
      "`^` or `logical_xor()` operator instead.");
  // torch.ones(3, dtype=torch.int32) - torch.ones(3, dtype=torch.bool)
  expect_library_error<TypeError>(
      [] {
        call(spec::OpId::Sub, std::array{i32({1}, {1}), b8({1}, {true})});
      },
      "RuntimeError",
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
      "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
// Values and messages from PyTorch 1.13.1 (Debian's python3-torch, cpu).
TEST(Matmul, EmptyBoolProductSkipsTheRefusingKernel) {
  // torch.ones(2, 0, dtype=torch.bool) @ torch.ones(0, 3, dtype=torch.bool): all False.
  const Tensor k0 = matmul(Tensor::ones({2, 0}, DType::Bool), Tensor::ones({0, 3}, DType::Bool));
  EXPECT_EQ(k0.dtype(), DType::Bool);
  EXPECT_EQ(k0.sizes(), (Shape{2, 3}));
  EXPECT_EQ(k0.to_doubles(), std::vector<double>(6, 0.0));
  // torch.ones(0, 3, dtype=torch.bool) @ torch.ones(3, 2, dtype=torch.bool): empty (0, 2).
  EXPECT_EQ(matmul(Tensor::ones({0, 3}, DType::Bool), Tensor::ones({3, 2}, DType::Bool)).sizes(), (Shape{0, 2}));
  // A non-empty one reaches the kernel, which refuses.
  parity::testing::expect_library_error<parity::Error>(
      [] { matmul(Tensor::ones({2, 3}, DType::Bool), Tensor::ones({3, 2}, DType::Bool)); }, "RuntimeError",
      "\"addmm_impl_cpu_\" not implemented for 'Bool'");
}

TEST(Matmul, ZeroDimOperandIsRefusedAsTorchDoes) {
  // torch.ones(2, 2) @ torch.tensor(1.)
  parity::testing::expect_library_error<parity::Error>(
      [] { matmul(Tensor::ones({2, 2}, DType::Float32), Tensor::ones({}, DType::Float32)); }, "RuntimeError",
      "both arguments to matmul need to be at least 1D, but they are 2D and 0D");
}
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

Tensor call1(OpId op, const Tensor& a) { return call(op, std::array{a}); }

// PyTorch 1.13.1, cpu: torch.sqrt(torch.tensor([0.5, 2.0])).tolist() ->
// [0.7071067690849304, 1.4142135381698608], and so on per row. float32 within one ULP (the
// engine uses the C library's float functions, PyTorch SLEEF's).
TEST(TensorUnary, FloatFunctionsOfFloat32) {
  struct Row {
    OpId op;
    double want0, want1;
  };
  const Row rows[] = {
      {OpId::Sqrt, 0.7071067690849304, 1.4142135381698608},
      {OpId::Log, -0.6931471824645996, 0.6931471824645996},
      {OpId::Sin, 0.4794255495071411, 0.9092974066734314},
      {OpId::Cos, 0.8775825500488281, -0.416146844625473},
      {OpId::Tanh, 0.46211716532707214, 0.9640275835990906},
      {OpId::Exp2, 1.4142135381698608, 4.0},
      {OpId::Atan, 0.46364760398864746, 1.1071487665176392},
      {OpId::Asinh, 0.4812118411064148, 1.4436354637145996},
  };
  for (const Row& r : rows) {
    const Tensor y = call1(r.op, f32({2}, {0.5f, 2.0f}));
    const std::string name(spec::op_spec(r.op).name);
    ASSERT_EQ(y.dtype(), DType::Float32) << name;
    EXPECT_NEAR(V(y)[0], r.want0, 1.2e-7 * std::fabs(r.want0)) << name;
    EXPECT_NEAR(V(y)[1], r.want1, 1.2e-7 * std::fabs(r.want1)) << name;
  }
}

// torch.sqrt(torch.tensor([4, 9], dtype=torch.int32)) -> float32 [2., 3.];
// torch.square(torch.tensor([True, False])) -> int64 [1, 0];
// torch.reciprocal(torch.tensor([0, 2], dtype=torch.int32)) -> float32 [inf, 0.5]
TEST(TensorUnary, ResultDtypes) {
  const Tensor s = call1(OpId::Sqrt, i32({2}, {4, 9}));
  EXPECT_EQ(s.dtype(), DType::Float32);
  EXPECT_EQ(V(s), (std::vector<double>{2, 3}));
  const Tensor q = call1(OpId::Square, b8({2}, {true, false}));
  EXPECT_EQ(q.dtype(), DType::Int64);
  EXPECT_EQ(V(q), (std::vector<double>{1, 0}));
  const Tensor r = call1(OpId::Reciprocal, i32({2}, {0, 2}));
  EXPECT_EQ(r.dtype(), DType::Float32);
  EXPECT_EQ(V(r), (std::vector<double>{INFINITY, 0.5}));
  // torch.square(torch.tensor([200], dtype=torch.uint8)) -> [64] (wraps)
  EXPECT_EQ(V(call1(OpId::Square, Tensor::full({1}, 200, DType::UInt8))), (std::vector<double>{64}));
}

// torch.sqrt(torch.ones(3, dtype=torch.float16)) on the cpu: RuntimeError: "sqrt_vml_cpu" not
// implemented for 'Half'; torch.exp2 has a cpu Half kernel:
// torch.exp2(torch.tensor([3.0, -1.0], dtype=torch.float16)) -> [8., 0.5]
TEST(TensorUnary, HalfOnTheCpu) {
  expect_library_error<TypeError>([] { call1(OpId::Sqrt, Tensor::ones({3}, DType::Float16)); },
                                  "RuntimeError", "\"sqrt_vml_cpu\" not implemented for 'Half'");
  expect_library_error<TypeError>([] { call1(OpId::Sinh, Tensor::ones({3}, DType::Float16)); },
                                  "RuntimeError", "\"sinh_cpu\" not implemented for 'Half'");
  const Tensor e = call1(OpId::Exp2, Tensor::full({2}, 3.0, DType::Float16));
  EXPECT_EQ(e.dtype(), DType::Float16);
  EXPECT_EQ(V(e), (std::vector<double>{8, 8}));
  // bfloat16 computes: torch.sqrt(torch.tensor([4.], dtype=torch.bfloat16)) -> [2.]
  EXPECT_EQ(V(call1(OpId::Sqrt, Tensor::full({1}, 4.0, DType::BFloat16))), (std::vector<double>{2}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// torch.abs(torch.tensor([-128, 5], dtype=torch.int8)) -> [-128, 5];
// torch.abs(torch.tensor([-0., -2.5])) -> [0., 2.5];
// torch.abs(torch.tensor([True])): RuntimeError: "abs_cpu" not implemented for 'Bool'
TEST(TensorUnary, Abs) {
  const Tensor i = call(spec::OpId::Abs, std::array{i32({2}, {-128, 5}).to(DType::Int8)});
  EXPECT_EQ(i.dtype(), DType::Int8);
  EXPECT_EQ(V(i), (std::vector<double>{-128, 5}));
  const std::vector<double> f = V(call(spec::OpId::Abs, std::array{f32({2}, {-0.0f, -2.5f})}));
  EXPECT_EQ(f, (std::vector<double>{0.0, 2.5}));
  EXPECT_FALSE(std::signbit(f[0]));
  expect_library_error<TypeError>([] { call(spec::OpId::Abs, std::array{b8({1}, {true})}); }, "RuntimeError",
                                  "\"abs_cpu\" not implemented for 'Bool'");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// torch.div(torch.tensor([1, -1, 0, 7], dtype=torch.int32), torch.tensor([0, 0, 0, 2],
// dtype=torch.int32)) -> float32 [inf, -inf, nan, 3.5]
TEST(TensorDivide, TrueDivisionOfIntegersIsFloat32) {
  const Tensor q = call(spec::OpId::Divide, std::array{i32({4}, {1, -1, 0, 7}), i32({4}, {0, 0, 0, 2})});
  EXPECT_EQ(q.dtype(), DType::Float32);
  const std::vector<double> v = V(q);
  EXPECT_EQ(v[0], INFINITY);
  EXPECT_EQ(v[1], -INFINITY);
  EXPECT_TRUE(std::isnan(v[2]));
  EXPECT_EQ(v[3], 3.5);
}

// torch.maximum(torch.tensor([0., 1., nan]), torch.tensor([-0., 2., 1.])) -> [0., 2., nan]
// (a -0/+0 tie: the first operand); torch.minimum(torch.tensor([-0.]), torch.tensor([0.])) ->
// [-0.]; torch.fmax of float16 [0.] and [-0.] -> [-0.] (the second), of float32 -> [0.];
// torch.fmin(torch.tensor([nan, 1.]), torch.tensor([1., nan])) -> [1., 1.]
TEST(TensorExtremum, NaNAndTies) {
  const std::vector<double> m = V(call(spec::OpId::Maximum, std::array{f32({3}, {0.f, 1.f, NAN}), f32({3}, {-0.f, 2.f, 1.f})}));
  EXPECT_TRUE(m[0] == 0 && !std::signbit(m[0]));
  EXPECT_EQ(m[1], 2.0);
  EXPECT_TRUE(std::isnan(m[2]));
  EXPECT_TRUE(std::signbit(V(call(spec::OpId::Minimum, std::array{f32({1}, {-0.f}), f32({1}, {0.f})}))[0]));
  const Tensor h = call(spec::OpId::Fmax, std::array{f32({1}, {0.f}).to(DType::Float16), f32({1}, {-0.f}).to(DType::Float16)});
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_TRUE(std::signbit(V(h)[0]));
  EXPECT_FALSE(std::signbit(V(call(spec::OpId::Fmax, std::array{f32({1}, {0.f}), f32({1}, {-0.f})}))[0]));
  EXPECT_EQ(V(call(spec::OpId::Fmin, std::array{f32({2}, {NAN, 1.f}), f32({2}, {1.f, NAN})})), (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

// PyTorch 1.13.1 (cpu): torch.atan2(torch.tensor([1], dtype=torch.int32), torch.tensor([2],
// dtype=torch.int32)) -> float32 [0.4636]; torch.copysign(torch.tensor([1, 2], dtype=torch.int32),
// torch.tensor([-1, 1], dtype=torch.int32)) -> float32 [-1., 2.]; torch.hypot(torch.tensor([True]),
// torch.tensor([1], dtype=torch.int8)): RuntimeError "hypot_cpu" not implemented for 'Char';
// torch.nextafter(torch.tensor([0, -0., 1, 3.3895e38, inf]).bfloat16(), torch.tensor([-1, 1, 0,
// inf, 0]).bfloat16()) -> [-2**-133, 2**-133, 0.99609375, inf, 3.3895313892515355e+38].
TEST(TensorBinaryFloat, DtypesRefusalsAndNextafter) {
  const Tensor a = call(OpId::Atan2, std::array{i32({1}, {1}), i32({1}, {2})});
  EXPECT_EQ(a.dtype(), DType::Float32);
  EXPECT_NEAR(V(a)[0], 0.46364760398864746, 1e-7);
  const Tensor c = call(OpId::Copysign, std::array{i32({2}, {1, 2}), i32({2}, {-1, 1})});
  EXPECT_EQ(c.dtype(), DType::Float32);
  EXPECT_EQ(V(c), (std::vector<double>{-1, 2}));
  expect_library_error<TypeError>(
      [] {
        call(OpId::Hypot, std::array{b8({1}, {true}), i32({1}, {1}).to(DType::Int8)});
      },
      "RuntimeError", "\"hypot_cpu\" not implemented for 'Char'");
  const double inf = INFINITY;
  const Tensor n = call(OpId::Nextafter, std::array{f64({5}, {0, -0., 1, 3.3895313892515355e+38, inf}).to(DType::BFloat16),
                                                    f64({5}, {-1, 1, 0, inf, 0}).to(DType::BFloat16)});
  EXPECT_EQ(n.dtype(), DType::BFloat16);
  EXPECT_EQ(V(n), (std::vector<double>{-0x1p-133, 0x1p-133, 0.99609375, inf, 3.3895313892515355e+38}));
}

// torch.bitwise_and(torch.tensor([12, -1], dtype=torch.int8), torch.tensor([10, -128],
// dtype=torch.int8)) -> [8, -128]; torch.bitwise_xor(torch.tensor([True, False, True]),
// torch.tensor([True, True, False])) -> [False, True, True]; torch.bitwise_and(torch.tensor([True]),
// torch.tensor([1.], dtype=torch.float16)): RuntimeError "bitwise_and_cpu" not implemented for 'Half'.
TEST(TensorBitwise, ValuesAndRefusals) {
  EXPECT_EQ(V(call(OpId::BitwiseAnd, std::array{i32({2}, {12, -1}).to(DType::Int8), i32({2}, {10, -128}).to(DType::Int8)})),
            (std::vector<double>{8, -128}));
  const Tensor x = call(OpId::BitwiseXor, std::array{b8({3}, {true, false, true}), b8({3}, {true, true, false})});
  EXPECT_EQ(x.dtype(), DType::Bool);
  EXPECT_EQ(V(x), (std::vector<double>{0, 1, 1}));
  expect_library_error<TypeError>(
      [] {
        call(OpId::BitwiseAnd, std::array{b8({1}, {true}), f32({1}, {1}).to(DType::Float16)});
      },
      "RuntimeError", "\"bitwise_and_cpu\" not implemented for 'Half'");
}

// torch.bitwise_left_shift(torch.ones(5, dtype=torch.int8), torch.tensor([-3, 0, 7, 8, 32],
// dtype=torch.int8)) -> [0, 1, -128, 0, 1]; right_shift of -5 -> [-1, -5, -1, -1, -5];
// int32 1 << [-3, 31, 32, 33, 64] -> [536870912, -2147483648, 1, 2, 1]; int64 1 << [-3, 63, 64,
// 65, 100] -> [2305843009213693952, -2**63, 1, 2, 68719476736], -5 >> them -> [-1, -1, -5, -3, -1];
// torch.bitwise_left_shift(torch.tensor([True]), torch.tensor([3], dtype=torch.uint8)) -> uint8 [8];
// of two bool tensors: RuntimeError "lshift_cpu" not implemented for 'Bool'.
TEST(TensorShift, AmountsAsPyTorchsCpuKernels) {
  const Tensor k8 = i32({5}, {-3, 0, 7, 8, 32}).to(DType::Int8);
  EXPECT_EQ(V(call(OpId::LeftShift, std::array{i32({5}, {1, 1, 1, 1, 1}).to(DType::Int8), k8})),
            (std::vector<double>{0, 1, -128, 0, 1}));
  EXPECT_EQ(V(call(OpId::RightShift, std::array{i32({5}, {-5, -5, -5, -5, -5}).to(DType::Int8), k8})),
            (std::vector<double>{-1, -5, -1, -1, -5}));
  EXPECT_EQ(V(call(OpId::LeftShift, std::array{i32({5}, {1, 1, 1, 1, 1}), i32({5}, {-3, 31, 32, 33, 64})})),
            (std::vector<double>{536870912, -2147483648.0, 1, 2, 1}));
  const Tensor k64 = i64({5}, {-3, 63, 64, 65, 100});
  const Tensor l64 = call(OpId::LeftShift, std::array{i64({5}, {1, 1, 1, 1, 1}), k64});
  const std::int64_t* p = static_cast<const std::int64_t*>(l64.data_ptr());
  EXPECT_EQ((std::vector<std::int64_t>(p, p + 5)),
            (std::vector<std::int64_t>{2305843009213693952, std::numeric_limits<std::int64_t>::min(), 1, 2,
                                       68719476736}));
  EXPECT_EQ(V(call(OpId::RightShift, std::array{i64({5}, {-5, -5, -5, -5, -5}), k64})),
            (std::vector<double>{-1, -1, -5, -3, -1}));
  const Tensor u = call(OpId::LeftShift, std::array{b8({1}, {true}), i32({1}, {3}).to(DType::UInt8)});
  EXPECT_EQ(u.dtype(), DType::UInt8);
  EXPECT_EQ(V(u), (std::vector<double>{8}));
  expect_library_error<TypeError>(
      [] {
        call(OpId::LeftShift, std::array{b8({1}, {true}), b8({1}, {true})});
      },
      "RuntimeError", "\"lshift_cpu\" not implemented for 'Bool'");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

// PyTorch 1.13.1 compares in its own promoted dtype: torch.eq(torch.tensor([16777217, 3]),
// torch.tensor([16777216., 3.])) -> [True, True] and torch.gt -> [False, False] (in float32,
// where 2**24 + 1 rounds to 2**24; NumPy gives [False, True]); torch.eq(torch.tensor([0.1]),
// torch.tensor(0.1, dtype=torch.float64)) -> [True] (the 0-d float64 is rounded to float32),
// with a 1-d float64 operand [False]; torch.eq(torch.tensor([2049], dtype=torch.int16),
// torch.tensor([2048], dtype=torch.float16)) -> [True] (in float16);
// torch.eq(torch.tensor([255], dtype=torch.uint8), torch.tensor([-1], dtype=torch.int8)) -> [False]
TEST(TensorCompare, ComputeDtypeDecides) {
  const Tensor big = i64({2}, {16777217, 3}), f = f32({2}, {16777216.0f, 3.0f});
  const Tensor eq = call(OpId::Equal, std::array{big, f});
  EXPECT_EQ(eq.dtype(), DType::Bool);
  EXPECT_EQ(V(eq), (std::vector<double>{1, 1}));
  EXPECT_EQ(V(call(OpId::Greater, std::array{big, f})), (std::vector<double>{0, 0}));
  EXPECT_EQ(V(call(OpId::Equal, std::array{f32({1}, {0.1f}), f64({}, {0.1})})), (std::vector<double>{1}));
  EXPECT_EQ(V(call(OpId::Equal, std::array{f32({1}, {0.1f}), f64({1}, {0.1})})), (std::vector<double>{0}));
  EXPECT_EQ(V(call(OpId::Equal, std::array{Tensor::full({1}, 2049, DType::Int16),
                                           Tensor::full({1}, 2048, DType::Float16)})),
            (std::vector<double>{1}));
  EXPECT_EQ(V(call(OpId::Equal, std::array{Tensor::full({1}, 255, DType::UInt8),
                                           Tensor::full({1}, -1, DType::Int8)})),
            (std::vector<double>{0}));
}

// a = torch.tensor([nan, -0., 1.]); b = torch.tensor([1., 0., nan]): torch.lt(a, b) -> [F, F, F],
// torch.le -> [F, T, F], torch.ne -> [T, F, T], torch.ge -> [F, T, F], torch.eq -> [F, T, F],
// torch.gt -> [F, F, F]; with a = [nan, -0., 2.], b = [1., 1., 0.]: torch.logical_and -> [T, F, F],
// torch.logical_or -> [T, T, T], torch.logical_xor -> [F, T, T], torch.logical_not(a) -> [F, T, F];
// torch.lt(torch.tensor([True, False]), torch.tensor([True, True])) -> [False, True]
TEST(TensorCompare, NaNSignedZeroAndLogical) {
  const Tensor a = f32({3}, {NAN, -0.0f, 1.0f}), b = f32({3}, {1.0f, 0.0f, NAN});
  const std::pair<OpId, std::vector<double>> rows[] = {
      {OpId::Less, {0, 0, 0}},     {OpId::LessEqual, {0, 1, 0}}, {OpId::NotEqual, {1, 0, 1}},
      {OpId::GreaterEqual, {0, 1, 0}}, {OpId::Equal, {0, 1, 0}},     {OpId::Greater, {0, 0, 0}}};
  for (const auto& [op, want] : rows) EXPECT_EQ(V(call(op, std::array{a, b})), want) << spec::op_spec(op).name;
  const Tensor x = f32({3}, {NAN, -0.0f, 2.0f}), y = f32({3}, {1.0f, 1.0f, 0.0f});
  EXPECT_EQ(V(call(OpId::LogicalAnd, std::array{x, y})), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(V(call(OpId::LogicalOr, std::array{x, y})), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(V(call(OpId::LogicalXor, std::array{x, y})), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(V(call(OpId::LogicalNot, std::array{x})), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(V(call(OpId::Less, std::array{b8({2}, {true, false}), b8({2}, {true, true})})),
            (std::vector<double>{0, 1}));
}

// torch.isnan(torch.tensor([1, 2], dtype=torch.int8)) -> [F, F], torch.isinf -> [F, F],
// torch.isfinite -> [T, T]; torch.isnan(torch.tensor([nan, 1.], dtype=torch.float16)) -> [T, F];
// torch.isinf(torch.tensor([inf, 65504], dtype=torch.float16)) -> [T, F];
// torch.signbit(torch.tensor([-128, 0], dtype=torch.int8)) -> [T, F];
// torch.signbit(torch.tensor([-0., -nan, nan, -inf])) -> [T, T, F, T]
TEST(TensorPredicates, EveryDtype) {
  const Tensor i = Tensor::full({2}, 1, DType::Int8);
  EXPECT_EQ(V(call(OpId::Isnan, std::array{i})), (std::vector<double>{0, 0}));
  EXPECT_EQ(V(call(OpId::Isinf, std::array{i})), (std::vector<double>{0, 0}));
  EXPECT_EQ(V(call(OpId::Isfinite, std::array{i})), (std::vector<double>{1, 1}));
  const Tensor h = call(OpId::Isnan, std::array{f32({2}, {NAN, 1.0f}).to(DType::Float16)});
  EXPECT_EQ(h.dtype(), DType::Bool);
  EXPECT_EQ(V(h), (std::vector<double>{1, 0}));
  EXPECT_EQ(V(call(OpId::Isinf, std::array{f32({2}, {INFINITY, 65504.0f}).to(DType::Float16)})),
            (std::vector<double>{1, 0}));
  EXPECT_EQ(V(call(OpId::Signbit, std::array{i32({2}, {-128, 0}).to(DType::Int8)})), (std::vector<double>{1, 0}));
  EXPECT_EQ(V(call(OpId::Signbit, std::array{f32({4}, {-0.0f, -NAN, NAN, -INFINITY})})),
            (std::vector<double>{1, 1, 0, 1}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

// torch.floor_divide / torch.remainder / torch.fmod of torch.tensor([7, -7, 7, -7]) by
// torch.tensor([2, 2, -2, -2]): [3, -4, -4, 3], [1, 1, -1, -1], [1, -1, 1, -1];
// torch.remainder(torch.tensor([5, -5]), torch.tensor([0, 3])): RuntimeError: ZeroDivisionError
// (from the values: torch.floor_divide(torch.tensor([1, 2]), torch.tensor(False)) too);
// torch.fmod(torch.tensor([5., -5.]), torch.tensor([0, 3])) -> [nan, -2.] (a float computes);
// torch.floor_divide(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.bool)):
// RuntimeError: "div_floor_cpu" not implemented for 'Bool'
TEST(TensorDivision, IntegersAndZeroDivisors) {
  const Tensor x = i64({4}, {7, -7, 7, -7}), y = i64({4}, {2, 2, -2, -2});
  EXPECT_EQ(V(call(spec::OpId::FloorDivide, std::array{x, y})), (std::vector<double>{3, -4, -4, 3}));
  EXPECT_EQ(V(call(spec::OpId::Remainder, std::array{x, y})), (std::vector<double>{1, 1, -1, -1}));
  EXPECT_EQ(V(call(spec::OpId::Fmod, std::array{x, y})), (std::vector<double>{1, -1, 1, -1}));
  expect_library_error<TypeError>(
      [] { call(spec::OpId::Remainder, std::array{i64({2}, {5, -5}), i64({2}, {0, 3})}); }, "RuntimeError",
      "ZeroDivisionError");
  expect_library_error<TypeError>(
      [] { call(spec::OpId::FloorDivide, std::array{i64({2}, {1, 2}), b8({}, {false})}); }, "RuntimeError",
      "ZeroDivisionError");
  const std::vector<double> f = V(call(spec::OpId::Fmod, std::array{f32({2}, {5.f, -5.f}), i64({2}, {0, 3})}));
  EXPECT_TRUE(std::isnan(f[0]));
  EXPECT_EQ(f[1], -2.0);
  expect_library_error<TypeError>(
      [] { call(spec::OpId::FloorDivide, std::array{b8({3}, {true, true, true}), b8({3}, {true, true, true})}); },
      "RuntimeError", "\"div_floor_cpu\" not implemented for 'Bool'");
}

// torch.remainder(torch.tensor([-4., 4., -7.5]), torch.tensor([2., -2., 2.])) -> [-0., 0., 0.5]
// (a zero remainder keeps the dividend's sign); torch.pow(torch.tensor([2, 1, -1, 0, -2, 3]),
// torch.tensor([-1, -1, -1, -1, -2, -3])) -> [0, 1, -1, 0, 0, 0]
TEST(TensorDivision, RemainderSignAndIntegerPower) {
  const std::vector<double> r = V(call(spec::OpId::Remainder, std::array{f32({3}, {-4.f, 4.f, -7.5f}), f32({3}, {2.f, -2.f, 2.f})}));
  EXPECT_TRUE(r[0] == 0 && std::signbit(r[0]));
  EXPECT_TRUE(r[1] == 0 && !std::signbit(r[1]));
  EXPECT_EQ(r[2], 0.5);
  EXPECT_EQ(V(call(spec::OpId::Power, std::array{i64({6}, {2, 1, -1, 0, -2, 3}), i64({6}, {-1, -1, -1, -1, -2, -3})})),
            (std::vector<double>{0, 1, -1, 0, 0, 0}));
}

// torch.where(torch.tensor([0., 1.]), x, y): RuntimeError: where expected condition to be a
// boolean tensor, but got a tensor with dtype Float; torch.where(torch.tensor([0, 1, 1],
// dtype=torch.uint8), torch.tensor([1, 2, 3], dtype=torch.int8), torch.tensor([4, 5, 6],
// dtype=torch.int8)) -> int8 [4, 2, 3] (deprecated, with a warning); torch.where(c,
// torch.tensor([1]), torch.tensor([1.])).dtype -> float32; torch.where(c, uint8 [1], int8 0-d)
// -> uint8; torch.where(torch.ones(2, dtype=torch.bool), torch.ones(3, 1), torch.ones(4)):
// RuntimeError: The size of tensor a (2) must match the size of tensor b (4) at non-singleton
// dimension 1
TEST(TensorWhere, ConditionDtypesPromotionAndBroadcast) {
  const Tensor x = i32({3}, {1, 2, 3}).to(DType::Int8), y = i32({3}, {4, 5, 6}).to(DType::Int8);
  expect_library_error<Error>([&] { call(OpId::Where, std::array{f32({3}, {0, 1, 1}), x, y}); }, "RuntimeError",
                              "where expected condition to be a boolean tensor, but got a tensor with dtype Float");
  const Tensor w = call(OpId::Where, std::array{i32({3}, {0, 1, 1}).to(DType::UInt8), x, y});
  EXPECT_EQ(w.dtype(), DType::Int8);
  EXPECT_EQ(V(w), (std::vector<double>{4, 2, 3}));
  const Tensor t = b8({1}, {true});
  EXPECT_EQ(call(OpId::Where, std::array{t, i64({1}, {1}), f32({1}, {1})}).dtype(), DType::Float32);
  EXPECT_EQ(call(OpId::Where, std::array{t, i32({1}, {1}).to(DType::UInt8), i32({}, {1}).to(DType::Int8)}).dtype(),
            DType::UInt8);
  expect_library_error<Error>(
      [] {
        call(OpId::Where, std::array{Tensor::ones({2}, DType::Bool), Tensor::ones({3, 1}, DType::Float32),
                                     Tensor::ones({4}, DType::Float32)});
      },
      "RuntimeError", "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 1");
}

// torch.clamp(torch.tensor([True, False]), torch.tensor([False]), torch.tensor([True])):
// RuntimeError: "clamp_cpu" not implemented for 'Bool'; of float16: ... for 'Half';
// torch.clamp(torch.tensor([True, False]), torch.tensor([0], dtype=torch.int8), torch.tensor([1],
// dtype=torch.int8)) -> int8 [1, 0]; torch.clamp(torch.tensor([-0., 0., -0., 0.]),
// torch.tensor([0., -0., -0., 0.]), torch.tensor([1., 1., -0., -0.])) -> [-0., 0., -0., 0.] (the
// scalar loop keeps the input at ties); torch.clamp(torch.tensor([1., 1.]), torch.tensor([nan,
// 0.]), torch.tensor([2., nan])) -> [nan, nan]; torch.clamp(torch.tensor([0., 5., 10.]),
// torch.tensor([6.]), torch.tensor([4.])) -> [4., 4., 4.]; torch.clamp(torch.tensor([1, 200],
// dtype=torch.uint8), torch.tensor(-1, dtype=torch.int8), torch.tensor(100, dtype=torch.int8)) ->
// uint8 [100, 100] (-1 becomes 255)
TEST(TensorClip, RefusalsTiesNaNAndZeroDimBounds) {
  expect_library_error<Error>(
      [] { call(OpId::Clip, std::array{b8({2}, {true, false}), b8({1}, {false}), b8({1}, {true})}); },
      "RuntimeError", "\"clamp_cpu\" not implemented for 'Bool'");
  const Tensor h = Tensor::ones({2}, DType::Float16);
  expect_library_error<Error>([&] { call(OpId::Clip, std::array{h, h, h}); }, "RuntimeError",
                              "\"clamp_cpu\" not implemented for 'Half'");
  const Tensor bi = call(OpId::Clip, std::array{b8({2}, {true, false}), i32({1}, {0}).to(DType::Int8),
                                                i32({1}, {1}).to(DType::Int8)});
  EXPECT_EQ(bi.dtype(), DType::Int8);
  EXPECT_EQ(V(bi), (std::vector<double>{1, 0}));
  const std::vector<double> z = V(call(OpId::Clip, std::array{f32({4}, {-0.0f, 0.0f, -0.0f, 0.0f}),
                                                              f32({4}, {0.0f, -0.0f, -0.0f, 0.0f}),
                                                              f32({4}, {1.0f, 1.0f, -0.0f, -0.0f})}));
  EXPECT_TRUE(std::signbit(z[0]) && !std::signbit(z[1]) && std::signbit(z[2]) && !std::signbit(z[3]));
  const std::vector<double> n = V(call(OpId::Clip, std::array{f32({2}, {1, 1}), f32({2}, {NAN, 0}), f32({2}, {2, NAN})}));
  EXPECT_TRUE(std::isnan(n[0]) && std::isnan(n[1]));
  EXPECT_EQ(V(call(OpId::Clip, std::array{f32({3}, {0, 5, 10}), f32({1}, {6}), f32({1}, {4})})),
            (std::vector<double>{4, 4, 4}));
  const Tensor u = call(OpId::Clip, std::array{i32({2}, {1, 200}).to(DType::UInt8), i32({}, {-1}).to(DType::Int8),
                                               i32({}, {100}).to(DType::Int8)});
  EXPECT_EQ(u.dtype(), DType::UInt8);
  EXPECT_EQ(V(u), (std::vector<double>{100, 100}));
}

// torch.nan_to_num(torch.tensor([nan, inf, -inf, 1., -nan], dtype=torch.float16)) -> [0, 65504,
// -65504, 1, 0]; of bfloat16 -> [0, 3.3895e38, -3.3895e38, 1, 0]; torch.nan_to_num(torch.tensor([nan,
// inf, -inf, 1.]), nan=1e300, posinf=1e300, neginf=-1e300) -> [inf, inf, -inf, 1.];
// torch.nan_to_num(torch.tensor([True, False, True]), nan=5.) -> the same bools;
// torch.nan_to_num(torch.tensor(nan)) -> tensor(0.)
TEST(TensorNanToNum, DefaultsParametersAndBool) {
  const Tensor x = f32({5}, {NAN, INFINITY, -INFINITY, 1, -NAN});
  const Tensor h = call(OpId::NanToNum, std::array{x.to(DType::Float16)});
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(V(h), (std::vector<double>{0, 65504, -65504, 1, 0}));
  EXPECT_EQ(V(call(OpId::NanToNum, std::array{x.to(DType::BFloat16)})),
            (std::vector<double>{0, 0x1.fep127, -0x1.fep127, 1, 0}));
  spec::Params p;
  p.scalars = {1e300, 1e300, -1e300};
  EXPECT_EQ(V(call(OpId::NanToNum, std::array{f32({4}, {NAN, INFINITY, -INFINITY, 1})}, p)),
            (std::vector<double>{INFINITY, INFINITY, -INFINITY, 1}));
  p.scalars = {5.0, std::nullopt, std::nullopt};
  const Tensor b = call(OpId::NanToNum, std::array{b8({3}, {true, false, true})}, p);
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(V(b), (std::vector<double>{1, 0, 1}));
  const Tensor s = call(OpId::NanToNum, std::array{f32({}, {NAN})});
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(V(s), (std::vector<double>{0}));
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

std::vector<double> signbits(const Tensor& t) {
  std::vector<double> out;
  for (double v : V(t)) out.push_back(std::signbit(v) ? 1 : 0);
  return out;
}

// torch.positive(torch.tensor([-0., 1.5])) -> [-0., 1.5]; of torch.tensor([-128, 5],
// dtype=torch.int8) -> [-128, 5]; torch.positive(torch.tensor([True])): RuntimeError: The `+`
// operator, on a bool tensor is not supported.
TEST(TensorPositive, ValuesAndRefusals) {
  const Tensor f = call(spec::OpId::Positive, std::array{f32({2}, {-0.0f, 1.5f})});
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(V(f), (std::vector<double>{0.0, 1.5}));
  EXPECT_EQ(signbits(f), (std::vector<double>{1, 0}));
  EXPECT_EQ(V(call(spec::OpId::Positive, std::array{i32({2}, {-128, 5}).to(DType::Int8)})),
            (std::vector<double>{-128, 5}));
  expect_library_error<TypeError>([] { call(spec::OpId::Positive, std::array{b8({1}, {true})}); }, "RuntimeError",
                                  "The `+` operator, on a bool tensor is not supported.");
}

// torch.sign(torch.tensor([-0., float('nan'), -float('inf'), 2.5])) -> [0., 0., -1., 1.] (NaN
// gives 0); torch.sign(torch.tensor([True, False])) -> [True, False];
// torch.sign(torch.tensor([0, 7, 255], dtype=torch.uint8)) -> [0, 1, 1]; in bfloat16 as in float32.
TEST(TensorSign, ValuesAndRefusals) {
  const Tensor f = call(spec::OpId::Sign, std::array{f32({4}, {-0.0f, NAN, -INFINITY, 2.5f})});
  EXPECT_EQ(V(f), (std::vector<double>{0, 0, -1, 1}));
  EXPECT_EQ(signbits(f), (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(V(call(spec::OpId::Sign, std::array{f32({4}, {-0.0f, NAN, -INFINITY, 2.5f}).to(DType::BFloat16)})),
            (std::vector<double>{0, 0, -1, 1}));
  const Tensor b = call(spec::OpId::Sign, std::array{b8({2}, {true, false})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(V(b), (std::vector<double>{1, 0}));
  EXPECT_EQ(V(call(spec::OpId::Sign, std::array{i32({3}, {0, 7, 255}).to(DType::UInt8)})),
            (std::vector<double>{0, 1, 1}));
}

// t = torch.tensor([-2.5, -0.5, 0.5, 1.5, 2.5, -0.], dtype=torch.float64):
// torch.floor(t) -> [-3., -1., 0., 1., 2., -0.]; torch.ceil(t) -> [-2., -0., 1., 2., 3., -0.];
// torch.trunc(t) -> [-2., -0., 0., 1., 2., -0.]; torch.round(t) -> [-2., -0., 0., 2., 2., -0.];
// the same in bfloat16. Integers keep their dtype and values: torch.floor(torch.tensor([2**62 + 1]))
// -> int64 [4611686018427387905]; torch.ceil(torch.tensor([-5, 7], dtype=torch.int8)) -> int8 [-5, 7].
// Refused: bool (torch.floor(torch.tensor([True])): RuntimeError: "floor_vml_cpu" not implemented
// for 'Bool') and cpu float16 (... for 'Half'), as for ceil_vml_cpu, trunc_vml_cpu, round_vml_cpu.
void expect_rounding(spec::OpId op, const std::vector<double>& want, const std::string& kernel) {
  const Tensor t = f64({6}, {-2.5, -0.5, 0.5, 1.5, 2.5, -0.0});
  const Tensor r = call(op, std::array{t});
  EXPECT_EQ(r.dtype(), DType::Float64);
  EXPECT_EQ(V(r), want);
  EXPECT_EQ(signbits(r), (std::vector<double>{1, 1, 0, 0, 0, 1}));
  const Tensor h = call(op, std::array{t.to(DType::BFloat16)});
  EXPECT_EQ(h.dtype(), DType::BFloat16);
  EXPECT_EQ(V(h), want);
  const Tensor big = call(op, std::array{i64({1}, {(std::int64_t(1) << 62) + 1})});
  EXPECT_EQ(big.dtype(), DType::Int64);
  EXPECT_EQ(*static_cast<const std::int64_t*>(big.data_ptr()), (std::int64_t(1) << 62) + 1);
  const Tensor i8 = call(op, std::array{i32({2}, {-5, 7}).to(DType::Int8)});
  EXPECT_EQ(i8.dtype(), DType::Int8);
  EXPECT_EQ(V(i8), (std::vector<double>{-5, 7}));
  expect_library_error<TypeError>([op] { call(op, std::array{b8({1}, {true})}); }, "RuntimeError",
                                  "\"" + kernel + "\" not implemented for 'Bool'");
  expect_library_error<TypeError>([op] { call(op, std::array{f32({1}, {1.5f}).to(DType::Float16)}); },
                                  "RuntimeError", "\"" + kernel + "\" not implemented for 'Half'");
}

TEST(TensorFloor, ValuesAndRefusals) { expect_rounding(spec::OpId::Floor, {-3, -1, 0, 1, 2, -0.0}, "floor_vml_cpu"); }
TEST(TensorCeil, ValuesAndRefusals) { expect_rounding(spec::OpId::Ceil, {-2, -0.0, 1, 2, 3, -0.0}, "ceil_vml_cpu"); }
TEST(TensorTrunc, ValuesAndRefusals) { expect_rounding(spec::OpId::Trunc, {-2, -0.0, 0, 1, 2, -0.0}, "trunc_vml_cpu"); }
// torch.round(torch.tensor([2.5, 3.5, -2.5, 126.5], dtype=torch.bfloat16)) -> [2., 4., -2., 126.]
TEST(TensorRint, ValuesAndRefusals) {
  expect_rounding(spec::OpId::Rint, {-2, -0.0, 0, 2, 2, -0.0}, "round_vml_cpu");
  EXPECT_EQ(V(call(spec::OpId::Rint, std::array{f32({4}, {2.5f, 3.5f, -2.5f, 126.5f}).to(DType::BFloat16)})),
            (std::vector<double>{2, 4, -2, 126}));
}

// torch.bitwise_not(torch.tensor([0, -1, 127, -128], dtype=torch.int8)) -> [-1, 0, -128, 127];
// torch.bitwise_not(torch.tensor([0, -9223372036854775808])) -> [-1, 9223372036854775807];
// torch.bitwise_not(torch.tensor([True, False])) -> [False, True];
// torch.bitwise_not(torch.ones(3)): RuntimeError: "bitwise_not_cpu" not implemented for 'Float'
TEST(TensorInvert, ValuesAndRefusals) {
  EXPECT_EQ(V(call(spec::OpId::Invert, std::array{i32({4}, {0, -1, 127, -128}).to(DType::Int8)})),
            (std::vector<double>{-1, 0, -128, 127}));
  const Tensor l = call(spec::OpId::Invert, std::array{i64({2}, {0, std::numeric_limits<std::int64_t>::min()})});
  const auto* p = static_cast<const std::int64_t*>(l.data_ptr());
  EXPECT_EQ(p[0], -1);
  EXPECT_EQ(p[1], std::numeric_limits<std::int64_t>::max());
  const Tensor b = call(spec::OpId::Invert, std::array{b8({2}, {true, false})});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(V(b), (std::vector<double>{0, 1}));
  expect_library_error<TypeError>([] { call(spec::OpId::Invert, std::array{f32({3}, {1, 1, 1})}); }, "RuntimeError",
                                  "\"bitwise_not_cpu\" not implemented for 'Float'");
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

using spec::OpId;

// PyTorch 1.13.1, cpu: torch.erf(torch.tensor([0.5, -1., 3., float('inf'), -0.])) ->
// [0.5204999, -0.8427008, 0.9999779, 1., -0.]; torch.erf of int32 [-1, 0, 2] -> float32
// [-0.8427, 0., 0.9953]; of float16: RuntimeError: "erf_vml_cpu" not implemented for 'Half'.
// cbrt: PyTorch has none; the engine follows its float functions (int8 -> float32):
// np.cbrt(np.array([-8., 64.])) -> [-2., 4.].
TEST(TensorLacking, ErfAndCbrt) {
  const std::vector<double> e = V(call(OpId::Erf, std::array{f32({5}, {0.5f, -1.f, 3.f, INFINITY, -0.f})}));
  EXPECT_FLOAT_EQ(float(e[0]), 0.5204998850822449f);
  EXPECT_FLOAT_EQ(float(e[1]), -0.8427007794380188f);
  EXPECT_FLOAT_EQ(float(e[2]), 0.9999778866767883f);
  EXPECT_EQ(e[3], 1.0);
  EXPECT_TRUE(e[4] == 0 && std::signbit(e[4]));
  const Tensor ei = call(OpId::Erf, std::array{i32({3}, {-1, 0, 2})});
  EXPECT_EQ(ei.dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(float(V(ei)[2]), 0.9953222870826721f);
  expect_library_error<TypeError>([] { call(OpId::Erf, std::array{Tensor::ones({3}, DType::Float16)}); },
                                  "RuntimeError", "\"erf_vml_cpu\" not implemented for 'Half'");
  const Tensor c = call(OpId::Cbrt, std::array{i32({2}, {-8, 64}).to(DType::Int8)});
  EXPECT_EQ(c.dtype(), DType::Float32);
  EXPECT_EQ(V(c), (std::vector<double>{-2, 4}));
}

// torch.relu(torch.tensor([-2., -0., 0., float('nan'), 1.5])) -> [0., -0., 0., nan, 1.5]; of int32
// [-3, 0, 5] -> int32 [0, 0, 5]; of bool: RuntimeError: Boolean inputs not supported for relu; of
// float16: RuntimeError: "clamp_min_cpu" not implemented for 'Half'.
// torch.sigmoid(torch.tensor([0., -1., 1., 20., -100., inf, -inf])) -> [0.5, 0.26894143, 0.7310586,
// 1., 0., 1., 0.]; of int8 [-3, 0, 2] -> float32 [0.047425874, 0.5, 0.880797].
// F.silu(torch.tensor([-1., 1., -inf, 3., -0.])) -> [-0.26894143, 0.7310586, nan, 2.8577225, -0.];
// F.silu(torch.tensor([0.7, -2.5, 5.], dtype=torch.bfloat16)) -> [0.466796875, -0.189453125, 4.96875]
// (each step rounded to bfloat16); of int32: RuntimeError: "silu_cpu" not implemented for 'Int'.
TEST(TensorComposite, ReluSigmoidSilu) {
  const std::vector<double> r =
      V(call(OpId::Relu, std::array{f32({5}, {-2.f, -0.f, 0.f, std::numeric_limits<float>::quiet_NaN(), 1.5f})}));
  EXPECT_EQ(r[0], 0.0);
  EXPECT_TRUE(r[1] == 0 && std::signbit(r[1]));
  EXPECT_TRUE(r[2] == 0 && !std::signbit(r[2]));
  EXPECT_TRUE(std::isnan(r[3]));
  EXPECT_EQ(r[4], 1.5);
  const Tensor ri = call(OpId::Relu, std::array{i32({3}, {-3, 0, 5})});
  EXPECT_EQ(ri.dtype(), DType::Int32);
  EXPECT_EQ(V(ri), (std::vector<double>{0, 0, 5}));
  expect_library_error<TypeError>([] { call(OpId::Relu, std::array{b8({2}, {true, false})}); }, "RuntimeError",
                                  "Boolean inputs not supported for relu");
  expect_library_error<TypeError>([] { call(OpId::Relu, std::array{Tensor::ones({3}, DType::Float16)}); },
                                  "RuntimeError", "\"clamp_min_cpu\" not implemented for 'Half'");
  const std::vector<double> s =
      V(call(OpId::Sigmoid, std::array{f32({7}, {0.f, -1.f, 1.f, 20.f, -100.f, INFINITY, -INFINITY})}));
  const std::vector<float> want{0.5f, 0.2689414322376251f, 0.7310585975646973f, 1.f, 0.f, 1.f, 0.f};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(float(s[i]), want[i]) << i;
  const Tensor si = call(OpId::Sigmoid, std::array{i32({3}, {-3, 0, 2}).to(DType::Int8)});
  EXPECT_EQ(si.dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(float(V(si)[0]), 0.04742587357759476f);
  const std::vector<double> q = V(call(OpId::Silu, std::array{f32({5}, {-1.f, 1.f, -INFINITY, 3.f, -0.f})}));
  EXPECT_FLOAT_EQ(float(q[0]), -0.2689414322376251f);
  EXPECT_FLOAT_EQ(float(q[3]), 2.857722520828247f);
  EXPECT_TRUE(std::isnan(q[2]));
  EXPECT_TRUE(q[4] == 0 && std::signbit(q[4]));
  const Tensor qb = call(OpId::Silu, std::array{f32({3}, {0.69921875f, -2.5f, 5.f}).to(DType::BFloat16)});
  EXPECT_EQ(V(qb), (std::vector<double>{0.466796875, -0.189453125, 4.96875}));
  expect_library_error<TypeError>([] { call(OpId::Silu, std::array{i32({2}, {1, 2})}); }, "RuntimeError",
                                  "\"silu_cpu\" not implemented for 'Int'");
}

// F.gelu(torch.tensor([-1., 1., -inf, inf, 3., nan, 0.5])) -> [-0.15865529, 0.84134471, nan, inf,
// 2.99595022, nan, 0.3457312]; approximate='tanh' -> [-0.15880799, 0.84119201, nan, inf, 2.99636269,
// nan, 0.345714]; of a strided float32 [-0., -8.] -> [-0., -0.] in both; of bfloat16 [0.69921875,
// -2.5, 5., -0.75] -> [0.53125, -0.0146484375, 5., -0.169921875] in both (each step rounded to
// bfloat16); of float64 [-0.75, 1.25] -> [-0.16997051428265111, 1.117937782916431], tanh
// [-0.17003944483437966, 1.1177142029697147]; of int32: RuntimeError: "GeluKernelImpl" not
// implemented for 'Int'; of float16 on cpu: ... for 'Half'.
TEST(TensorComposite, GeluBothForms) {
  struct Form {
    OpId op;
    std::vector<float> f32;
    std::vector<double> f64;
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Form forms[] = {
      {OpId::Gelu,
       {-0.1586552858352661f, 0.8413447141647339f, nan, INFINITY, 2.995950222015381f, nan, 0.3457311987876892f},
       {-0.16997051428265111, 1.117937782916431}},
      {OpId::GeluTanh,
       {-0.15880799293518066f, 0.8411920070648193f, nan, INFINITY, 2.9963626861572266f, nan, 0.3457140028476715f},
       {-0.17003944483437966, 1.1177142029697147}},
  };
  for (const Form& f : forms) {
    const std::string name(spec::op_spec(f.op).name);
    const std::vector<double> y = V(call(f.op, std::array{f32({7}, {-1.f, 1.f, -INFINITY, INFINITY, 3.f, nan, 0.5f})}));
    for (std::size_t i = 0; i < f.f32.size(); ++i) {
      if (std::isnan(f.f32[i])) EXPECT_TRUE(std::isnan(y[i])) << name << " " << i;
      else if (std::isinf(f.f32[i])) EXPECT_EQ(y[i], f.f32[i]) << name << " " << i;
      else EXPECT_NEAR(y[i], f.f32[i], 2e-7 * std::fabs(f.f32[i])) << name << " " << i;
    }
    const Tensor zeros = f32({4}, {-0.f, 0.f, -8.f, 0.f}).slice(0, 0, 4, 2);
    for (double z : V(call(f.op, std::array{zeros}))) EXPECT_TRUE(z == 0 && std::signbit(z)) << name;
    const Tensor b = call(f.op, std::array{f32({4}, {0.69921875f, -2.5f, 5.f, -0.75f}).to(DType::BFloat16)});
    EXPECT_EQ(b.dtype(), DType::BFloat16);
    EXPECT_EQ(V(b), (std::vector<double>{0.53125, -0.0146484375, 5.0, -0.169921875})) << name;
    const std::vector<double> d = V(call(f.op, std::array{Tensor::from_values<double>({2}, std::vector<double>{-0.75, 1.25})}));
    for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(d[i], f.f64[i], 4e-16 * std::fabs(f.f64[i])) << name << " " << i;
    expect_library_error<TypeError>([&] { call(f.op, std::array{i32({2}, {1, 2})}); }, "RuntimeError",
                                    "\"GeluKernelImpl\" not implemented for 'Int'");
    expect_library_error<TypeError>([&] { call(f.op, std::array{Tensor::ones({3}, DType::Float16)}); },
                                    "RuntimeError", "\"GeluKernelImpl\" not implemented for 'Half'");
  }
}

// F.softplus(torch.tensor([-1., 0., 20., 20.5, 100., -100., inf, -inf])) -> [0.31326169, 0.6931472,
// 20., 20.5, 100., 3.7835059e-44, inf, 0.] (x itself above 20); of int8: RuntimeError:
// "softplus_cpu" not implemented for 'Char'; of float16 on cpu: ... for 'Half'.
TEST(TensorComposite, Softplus) {
  const std::vector<double> s = V(call(
      spec::OpId::Softplus, std::array{f32({8}, {-1.f, 0.f, 20.f, 20.5f, 100.f, -100.f, INFINITY, -INFINITY})}));
  const std::vector<float> want{0.3132616877555847f, 0.6931471824645996f, 20.f, 20.5f, 100.f, 3.783505853677006e-44f,
                                INFINITY, 0.f};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(float(s[i]), want[i]) << i;
  expect_library_error<TypeError>(
      [] { call(spec::OpId::Softplus, std::array{i32({2}, {1, 2}).to(DType::Int8)}); }, "RuntimeError",
      "\"softplus_cpu\" not implemented for 'Char'");
  expect_library_error<TypeError>([] { call(spec::OpId::Softplus, std::array{Tensor::ones({2}, DType::Float16)}); },
                                  "RuntimeError", "\"softplus_cpu\" not implemented for 'Half'");
}

// x = torch.tensor([-1.5, 0.5, 2., 25.], dtype=torch.float64, requires_grad=True);
// F.softplus(x).backward(torch.tensor([1., -2., 0.5, 3.], dtype=torch.float64)); x.grad ->
// [0.18242552380635632, -1.2449186624037092, 0.4403985389889412, 3.] (grad itself above 20),
// grad_fn SoftplusBackward0
TEST(TensorComposite, SoftplusGradient) {
  Tensor x = f64({4}, {-1.5, 0.5, 2.0, 25.0});
  x.requires_grad_();
  const Tensor y = call(spec::OpId::Softplus, std::array{x});
  EXPECT_EQ(y.grad_fn_name(), "SoftplusBackward0");
  y.backward(f64({4}, {1.0, -2.0, 0.5, 3.0}));
  const std::vector<double> g = V(x.grad());
  const std::vector<double> want{0.18242552380635632, -1.2449186624037092, 0.4403985389889412, 3.0};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(g[i], want[i], 1e-15 * std::fabs(want[i])) << i;
}

}  // namespace
}  // namespace parity::tensor

namespace parity::tensor {
namespace {

Tensor reduce_call(spec::OpId op, const Tensor& a, std::vector<std::int64_t> dims = {}, bool keepdim = false) {
  spec::Params p;
  p.axes = std::move(dims);
  p.keepdims = keepdim;
  return call(op, std::array{a}, p);
}

// Each expected value is what PyTorch 1.13 printed for the call in the comment.
TEST(TensorReductions, ValuesAndDTypes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // torch.amax(torch.tensor([[1., nan, 3.], [4., 5., -1.]]), dim=1) -> [nan, 5.]
  const Tensor mx = reduce_call(spec::OpId::Amax, f32({2, 3}, {1, nan, 3, 4, 5, -1}), {1});
  EXPECT_TRUE(std::isnan(V(mx)[0]));
  EXPECT_EQ(V(mx)[1], 5.0);
  // torch.amax(torch.tensor([-0., 0.])) -> -0.; torch.amin(torch.tensor([0., -0.])) -> 0. (the first of a tie)
  EXPECT_TRUE(std::signbit(V(reduce_call(spec::OpId::Amax, f32({2}, {-0.0f, 0.0f})))[0]));
  EXPECT_FALSE(std::signbit(V(reduce_call(spec::OpId::Amin, f32({2}, {0.0f, -0.0f})))[0]));
  // torch.prod(torch.tensor([[1.5, 2.], [3., 4.]]), 0) -> [4.5, 8.]; of int32 [2, 3, 4] -> 24 (int64)
  EXPECT_EQ(V(reduce_call(spec::OpId::Prod, f32({2, 2}, {1.5f, 2, 3, 4}), {0})), (std::vector<double>{4.5, 8}));
  const Tensor pi = reduce_call(spec::OpId::Prod, i32({3}, {2, 3, 4}));
  EXPECT_EQ(pi.dtype(), DType::Int64);
  EXPECT_EQ(V(pi), (std::vector<double>{24}));
  // torch.all(torch.tensor([1, 0, 3], dtype=torch.uint8)) -> tensor(0, dtype=torch.uint8);
  // torch.any(torch.tensor([0, 0, 3], dtype=torch.uint8)) -> tensor(1, dtype=torch.uint8)
  const Tensor u = Tensor::full({3}, 3, DType::UInt8);
  const Tensor al = reduce_call(spec::OpId::All, i32({3}, {1, 0, 3}).to(DType::UInt8));
  EXPECT_EQ(al.dtype(), DType::UInt8);
  EXPECT_EQ(V(al), (std::vector<double>{0}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Any, i32({3}, {0, 0, 3}).to(DType::UInt8))), (std::vector<double>{1}));
  EXPECT_EQ(reduce_call(spec::OpId::Any, f32({2}, {0, nan})).dtype(), DType::Bool);
  EXPECT_EQ(V(reduce_call(spec::OpId::All, u)), (std::vector<double>{1}));
  // torch.mean(torch.full((70001,), 0.3, dtype=torch.float16)).item() -> 0.0: the count is inf in float16
  EXPECT_EQ(V(reduce_call(spec::OpId::Mean, Tensor::full({70001}, 0.3, DType::Float16))), (std::vector<double>{0}));
  // torch.mean(torch.ones(2, 3), 1) -> [1., 1.]
  EXPECT_EQ(V(reduce_call(spec::OpId::Mean, Tensor::full({2, 3}, 1, DType::Float32), {1})),
            (std::vector<double>{1, 1}));
}

// torch.argmax / torch.argmin (PyTorch 1.13), t = torch.tensor([[1., 3., 3.], [nan, 2., nan]]):
// torch.argmax(t) -> 3, torch.argmax(t, dim=1) -> [1, 0], torch.argmin(t, dim=0) -> [1, 1, 1],
// torch.argmax(t, keepdim=True) -> [[3]] (shape (1, 1)), torch.argmin(torch.tensor([1., nan, 0.,
// nan])) -> 1, torch.argmax(torch.tensor([1, 3, 2], dtype=torch.int8)) -> 1 (int64 results);
// torch.argmax(torch.tensor([True, False])): RuntimeError "argmax_cpu" not implemented for
// 'Bool'; torch.argmax(torch.ones(0)): IndexError; torch.argmax(t, dim=(0, 1)): TypeError.
TEST(TensorReductions, ArgmaxArgmin) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor t = f32({2, 3}, {1, 3, 3, nan, 2, nan});
  const Tensor all = reduce_call(spec::OpId::Argmax, t);
  EXPECT_EQ(all.dtype(), DType::Int64);
  EXPECT_EQ(V(all), (std::vector<double>{3}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Argmax, t, {1})), (std::vector<double>{1, 0}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Argmin, t, {0})), (std::vector<double>{1, 1, 1}));
  const Tensor keep = reduce_call(spec::OpId::Argmax, t, {}, true);
  EXPECT_EQ(keep.sizes(), (Shape{1, 1}));
  EXPECT_EQ(V(keep), (std::vector<double>{3}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Argmin, f32({4}, {1, nan, 0, nan}))), (std::vector<double>{1}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Argmax, i32({3}, {1, 3, 2}).to(DType::Int8))), (std::vector<double>{1}));
  expect_library_error<TypeError>([] { reduce_call(spec::OpId::Argmax, Tensor::full({2}, 1, DType::Bool)); },
                                  "RuntimeError", "\"argmax_cpu\" not implemented for 'Bool'");
  expect_library_error<IndexError>([] { reduce_call(spec::OpId::Argmax, Tensor::full({0}, 1, DType::Float32)); },
                                   "IndexError",
                                   "argmax(): Expected reduction dim to be specified for input.numel() == 0.");
  expect_library_error<TypeError>([&] { reduce_call(spec::OpId::Argmax, t, {0, 1}); }, "TypeError",
                                  "argmax(): argument 'dim' must be int, not tuple");
}

// torch.count_nonzero (PyTorch 1.13), t = torch.tensor([[1., 0., nan], [0., -0., 2.]]):
// torch.count_nonzero(t) -> 3, dim=1 -> [2, 1], dim=(0, 1) -> 3, of torch.ones(2,
// dtype=torch.bool) -> 2 (int64); torch.count_nonzero(t, dim=1, keepdim=True) is a TypeError (no keepdim).
TEST(TensorReductions, CountNonzero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor t = f32({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  const Tensor all = reduce_call(spec::OpId::CountNonzero, t);
  EXPECT_EQ(all.dtype(), DType::Int64);
  EXPECT_EQ(V(all), (std::vector<double>{3}));
  EXPECT_EQ(V(reduce_call(spec::OpId::CountNonzero, t, {1})), (std::vector<double>{2, 1}));
  EXPECT_EQ(V(reduce_call(spec::OpId::CountNonzero, t, {0, 1})), (std::vector<double>{3}));
  const Tensor b = reduce_call(spec::OpId::CountNonzero, Tensor::full({2}, 1, DType::Bool));
  EXPECT_EQ(V(b), (std::vector<double>{2}));
  expect_library_error<TypeError>(
      [&] { reduce_call(spec::OpId::CountNonzero, t, {1}, true); }, "TypeError",
      "count_nonzero() received an invalid combination of arguments - got (Tensor, keepdim=bool, dim=int), but "
      "expected one of:\n * (Tensor input, int dim)\n * (Tensor input, tuple of ints dim)\n");
}

// torch.nansum (PyTorch 1.13): of torch.tensor([[1., 0., nan], [0., -0., 2.]]) -> 3., dim=0 ->
// [1., 0., 2.]; of [nan, nan] -> 0.; of [inf, -inf] -> nan; of uint8 [1, 2] -> 3 (int64); of
// float16 [nan, 1.] -> 1. (float16).
TEST(TensorReductions, Nansum) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Tensor t = f32({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  EXPECT_EQ(V(reduce_call(spec::OpId::Nansum, t)), (std::vector<double>{3}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Nansum, t, {0})), (std::vector<double>{1, 0, 2}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Nansum, f32({2}, {nan, nan}))), (std::vector<double>{0}));
  EXPECT_TRUE(std::isnan(V(reduce_call(spec::OpId::Nansum, f32({2}, {inf, -inf})))[0]));
  const Tensor u = reduce_call(spec::OpId::Nansum, i32({2}, {1, 2}).to(DType::UInt8));
  EXPECT_EQ(u.dtype(), DType::Int64);
  EXPECT_EQ(V(u), (std::vector<double>{3}));
  const Tensor h = reduce_call(spec::OpId::Nansum, f32({2}, {nan, 1}).to(DType::Float16));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(V(h), (std::vector<double>{1}));
}

// torch.nanmean (PyTorch 1.13): of torch.tensor([[1., 0., nan], [0., -0., 2.]]) -> 0.6, dim=0
// -> [0.5, 0., 2.]; of float16 [1., 3.] -> 2. (float16); of int8: RuntimeError "nanmean():
// expected input to have floating point dtype but got Char".
TEST(TensorReductions, Nanmean) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor t = f32({2, 3}, {1, 0, nan, 0, -0.0f, 2});
  EXPECT_EQ(V(reduce_call(spec::OpId::Nanmean, t)), (std::vector<double>{double(0.6f)}));
  EXPECT_EQ(V(reduce_call(spec::OpId::Nanmean, t, {0})), (std::vector<double>{0.5, 0, 2}));
  const Tensor h = reduce_call(spec::OpId::Nanmean, f32({2}, {1, 3}).to(DType::Float16));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(V(h), (std::vector<double>{2}));
  expect_library_error<TypeError>([] { reduce_call(spec::OpId::Nanmean, i32({2}, {1, 2}).to(DType::Int8)); },
                                  "RuntimeError", "nanmean(): expected input to have floating point dtype but got Char");
}

TEST(TensorReductions, Refusals) {
  // torch.amax(torch.ones(3, 0), dim=1); torch.amax(torch.ones(0))
  expect_library_error<IndexError>([] { reduce_call(spec::OpId::Amax, Tensor::full({3, 0}, 1, DType::Float32), {1}); },
                                   "IndexError", "amax(): Expected reduction dim 1 to have non-zero size.");
  expect_library_error<ValueError>(
      [] { reduce_call(spec::OpId::Amax, Tensor::full({0}, 1, DType::Float32)); }, "RuntimeError",
      "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the "
      "'dim' argument.");
  // torch.mean(torch.ones(3, dtype=torch.int64)); torch.prod(torch.ones(3, dtype=torch.float16))
  expect_library_error<TypeError>(
      [] { reduce_call(spec::OpId::Mean, i64({3}, {1, 2, 3})); }, "RuntimeError",
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long");
  expect_library_error<TypeError>([] { reduce_call(spec::OpId::Prod, Tensor::full({3}, 1, DType::Float16)); },
                                  "RuntimeError", "\"prod_cpu\" not implemented for 'Half'");
  // torch.prod(torch.ones(2, 3), dim=(0, 1)): one int dim only
  EXPECT_THROW(reduce_call(spec::OpId::Prod, Tensor::full({2, 3}, 1, DType::Float32), {0, 1}), TypeError);
}

}  // namespace
}  // namespace parity::tensor
