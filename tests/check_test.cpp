// The harness's own arithmetic (ULP distances, the comparison that decides pass or fail),
// and the conformance run itself: every case on every available device must pass.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <set>

#include "engine/tensor/tensor.h"
#include "suite/cases.h"
#include "suite/check.h"

namespace ps = parity::suite;
using parity::spec::DType;

TEST(Metrics, UlpDistance) {
  const float one = 1.0f;
  EXPECT_EQ(ps::ulp_distance(one, std::nextafter(one, 2.0f), DType::Float32), 1.0);
  EXPECT_EQ(ps::ulp_distance(1.0, std::nextafter(1.0, 2.0), DType::Float64), 1.0);
  // The same two doubles are 0 ulp apart as float32 when they round to one float.
  EXPECT_EQ(ps::ulp_distance(1.0, std::nextafter(1.0, 2.0), DType::Float32), 0.0);
  // Across zero: the smallest subnormals either side are two steps apart (via +-0).
  const float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(ps::ulp_distance(-tiny, tiny, DType::Float32), 2.0);
  EXPECT_EQ(ps::ulp_distance(0.0, -0.0, DType::Float64), 0.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(ps::ulp_distance(nan, nan, DType::Float64), 0.0);
  EXPECT_TRUE(std::isinf(ps::ulp_distance(nan, 1.0, DType::Float64)));
  EXPECT_TRUE(std::isinf(ps::ulp_distance(INFINITY, -INFINITY, DType::Float64)));
  // 2^24 + 2 and 2^24 are one float32 step apart (spacing 2 above 2^24).
  EXPECT_EQ(ps::ulp_distance(16777218.0, 16777216.0, DType::Float32), 1.0);
}

TEST(Metrics, ExactOpsFlagOneUlp) {
  const double a = 1.0, b = std::nextafter(1.0, 2.0);
  auto ag = ps::compare_values({a, 2.0}, {b, 2.0}, DType::Float64, 0.0);
  EXPECT_EQ(ag.mismatches, 1);
  EXPECT_EQ(ag.first_bad, 0);
  EXPECT_EQ(ag.max_ulp, 1.0);
  EXPECT_EQ(ps::compare_values({a}, {b}, DType::Float64, 1.0).mismatches, 0);
  // Integers compare exactly; a size mismatch is a mismatch.
  EXPECT_EQ(ps::compare_values({3, 4}, {3, 5}, DType::Int32, 0.0).mismatches, 1);
  EXPECT_EQ(ps::compare_values({3}, {3, 5}, DType::Int64, 0.0).mismatches, 1);
  // NaN where a number is wanted is a failure whatever the budget.
  EXPECT_EQ(ps::compare_values({NAN}, {1.0}, DType::Float32, 1e9).mismatches, 1);
}

TEST(Metrics, ReductionAllowance) {
  std::vector<double> allowed{1e-6, 0.0};
  auto ag = ps::compare_values({1.0 + 5e-7, 0.0}, {1.0, 0.0}, DType::Float64, 0.0, &allowed);
  EXPECT_EQ(ag.mismatches, 0);
  EXPECT_NEAR(ag.worst_ratio, 0.5, 1e-6);
  ag = ps::compare_values({1.0 + 2e-6, 0.0}, {1.0, 0.0}, DType::Float64, 0.0, &allowed);
  EXPECT_EQ(ag.mismatches, 1);
}

TEST(Cases, CoverEveryOpDtypeAndLayout) {
  const auto cases = ps::make_cases({});
  for (const auto& op : parity::spec::op_table()) {
    int forward = 0, grad = 0, errors = 0;
    bool zero_d = false, empty = false;
    for (const auto& c : cases) {
      if (c.op != op.id) continue;
      forward += c.mode == ps::Mode::Forward;
      grad += c.mode == ps::Mode::Grad;
      errors += c.mode == ps::Mode::Error;
      for (const auto& s : c.shapes) {
        zero_d |= s.empty();
        empty |= parity::spec::numel(s) == 0;
      }
    }
    EXPECT_GT(forward, 0) << op.name;
    // Every op has a refusal both libraries make, except exp (both accept every dtype).
    EXPECT_EQ(errors > 0, op.id != parity::spec::OpId::Exp) << op.name;
    EXPECT_EQ(grad > 0, op.differentiable) << op.name;
    EXPECT_TRUE(empty) << op.name;
    if (op.kind != parity::spec::OpKind::Matmul) {
      EXPECT_TRUE(zero_d) << op.name;
    }
  }
  // Keys are unique, so reports can be matched case by case.
  std::set<std::string> keys;
  for (const auto& c : cases) EXPECT_TRUE(keys.insert(c.key()).second) << c.key();
}

TEST(Cases, LayoutsHoldTheSameValues) {
  ps::Case c{parity::spec::OpId::Add, ps::Mode::Forward, {{3, 4}, {3, 4}}, {DType::Float32, DType::Float32},
             {}, false, ps::Layout::Contiguous};
  const auto k = ps::make_inputs(c);
  c.layout = ps::Layout::Transposed;
  const auto t = ps::make_inputs(c);
  c.layout = ps::Layout::NegativeStride;
  const auto n = ps::make_inputs(c);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(t[i].view.to_doubles(), k[i].view.to_doubles());
    EXPECT_EQ(n[i].view.to_doubles(), k[i].view.to_doubles());
  }
  // ... in three different memory layouts.
  EXPECT_TRUE(k[0].view.is_c_contiguous());
  EXPECT_EQ(t[0].view.strides(), (parity::array::Strides{4, 12}));  // Fortran order, float32
  EXPECT_EQ(n[0].view.strides(), (parity::array::Strides{16, -4}));
  // The two operands of a case draw different values.
  EXPECT_NE(k[0].view.to_doubles(), k[1].view.to_doubles());
}

namespace {
void expect_all_pass(parity::core::Device device) {
  ps::CheckOptions opts;
  opts.devices = {device};
  const auto records = ps::run_check(opts);
  int divergent = 0;
  for (const auto& r : records) {
    EXPECT_NE(r.status, "fail") << r.key << ": " << r.message;
    EXPECT_NE(r.status, "skip") << r.key << ": " << r.message;
    divergent += r.status == "divergent";
  }
  // The spec lists divergences (int/float32 promotion, exp of ints, 0-d categories); the
  // check must show them as such rather than as plain passes.
  EXPECT_GT(divergent, 0);
}
}  // namespace

TEST(Conformance, AllCasesPassOnCpu) { expect_all_pass(parity::core::Device::cpu()); }

TEST(Conformance, AllCasesPassOnCuda) {
  if (!parity::tensor::cuda_available()) GTEST_SKIP() << "no CUDA device";
  expect_all_pass(parity::core::Device::cuda());
}

TEST(Conformance, CudaIsReportedSkippedWithoutADevice) {
  if (parity::tensor::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  ps::Case c{parity::spec::OpId::Neg, ps::Mode::Forward, {{3}}, {DType::Float32}, {}, false,
             ps::Layout::Contiguous};
  const auto r = ps::check_case(c, parity::core::Device::cuda());
  EXPECT_EQ(r.status, "skip");
  EXPECT_FALSE(r.message.empty());
}
