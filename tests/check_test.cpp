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
    // An error case wherever both libraries refuse something: shapes for every op but the
    // unary ones, and bool for a unary op that both refuse it for (neg); exp, sqrt, ...
    // accept every dtype (abs: NumPy accepts bool).
    const bool both_refuse_bool =
        !parity::spec::accepts(op.id, parity::spec::Semantics::NumPy, DType::Bool) &&
        !parity::spec::accepts(op.id, parity::spec::Semantics::PyTorch, DType::Bool);
    EXPECT_EQ(errors > 0, op.kind != parity::spec::OpKind::Unary || both_refuse_bool) << op.name;
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

TEST(Metrics, SignAndInfinityAreExact) {
  // -0 for +0 is wrong even for an exact op, and so is the largest float for infinity
  // (one ULP away) whatever the budget.
  EXPECT_EQ(ps::compare_values({-0.0}, {0.0}, DType::Float32, 1e9).mismatches, 1);
  EXPECT_EQ(ps::compare_values({0.0}, {-0.0}, DType::Float64, 1e9).mismatches, 1);
  EXPECT_EQ(ps::compare_values({-0.0}, {-0.0}, DType::Float64, 0.0).mismatches, 0);
  EXPECT_EQ(ps::compare_values({double(FLT_MAX)}, {INFINITY}, DType::Float32, 4.0).mismatches, 1);
  EXPECT_EQ(ps::compare_values({-INFINITY}, {-INFINITY}, DType::Float32, 0.0).mismatches, 0);
  std::vector<double> allowed{1.0};
  EXPECT_EQ(ps::compare_values({-0.0}, {0.0}, DType::Float64, 0.0, &allowed).mismatches, 1);
}

TEST(Metrics, BiasOfOneUlpIsSeen) {
  std::vector<double> want, up, mixed;
  for (int i = 0; i < 200; ++i) {
    const float w = 1.0f + float(i) / 256.0f;
    want.push_back(w);
    up.push_back(std::nextafter(w, 2.0f));
    mixed.push_back(i % 2 ? std::nextafter(w, 2.0f) : std::nextafter(w, 0.0f));
  }
  const auto biased = ps::compare_values(up, want, DType::Float32, 4.0);
  EXPECT_EQ(biased.mismatches, 0);  // within 4 ulp everywhere ...
  EXPECT_NEAR(biased.mean_signed_ulp, 1.0, 1e-12);  // ... but one ulp high on average
  EXPECT_EQ(biased.finite, 200);
  EXPECT_NEAR(ps::compare_values(mixed, want, DType::Float32, 4.0).mean_signed_ulp, 0.0, 1e-12);
}

TEST(Cases, EachOperandGetsItsOwnLayout) {
  const auto cases = ps::make_cases({{parity::spec::OpId::Add}, {DType::Float32}});
  bool found = false;
  for (const auto& c : cases) {
    if (c.shapes != std::vector<parity::spec::Shape>{{3, 4}, {3, 4}} || c.layouts.size() != 2) continue;
    if (c.layouts[0] != ps::Layout::Contiguous || c.layouts[1] != ps::Layout::Sliced) continue;
    found = true;
    const auto in = ps::make_inputs(c);
    EXPECT_TRUE(in[0].view.is_c_contiguous());
    EXPECT_EQ(in[1].view.strides(), (parity::array::Strides{32, 8}));  // every second float
    EXPECT_NE(c.key().find("contiguous+sliced"), std::string::npos) << c.key();
  }
  EXPECT_TRUE(found);
  // Every layout reaches the second operand alone somewhere.
  for (ps::Layout l : ps::kAllLayouts) {
    bool second = false;
    for (const auto& c : cases)
      second |= c.layouts.size() == 2 && c.layouts[0] == ps::Layout::Contiguous && c.layouts[1] == l;
    EXPECT_TRUE(second) << ps::layout_name(l);
  }
}

TEST(Cases, LayoutsOffsetAndBroadcast) {
  ps::Case c{parity::spec::OpId::Neg, ps::Mode::Forward, {{3, 4}}, {DType::Float64}, {}, false,
             ps::Layout::Offset};
  const auto plain = ps::make_inputs({parity::spec::OpId::Neg, ps::Mode::Forward, {{3, 4}}, {DType::Float64}});
  const auto off = ps::make_inputs(c);
  EXPECT_EQ(off[0].view.to_doubles(), plain[0].view.to_doubles());
  EXPECT_EQ(off[0].view.offset(), 3 * 8);
  c.layout = ps::Layout::Broadcast;
  const auto b = ps::make_inputs(c);
  EXPECT_EQ(b[0].view.strides()[0], 0);
  EXPECT_EQ(b[0].view.shape(), (parity::spec::Shape{3, 4}));
}

TEST(Cases, SpecialValuesReachTheInputs) {
  ps::Case c{parity::spec::OpId::Add, ps::Mode::ForwardSpecial, {{4097}, {4097}}, {DType::Float32, DType::Float32}};
  const auto in = ps::make_inputs(c);
  int neg_zero = 0, nan = 0, inf = 0, denormal = 0, extreme = 0;
  for (const auto& i : in)
    for (double v : i.view.to_doubles()) {
      neg_zero += v == 0 && std::signbit(v);
      nan += std::isnan(v);
      inf += std::isinf(v);
      denormal += v != 0 && std::fabs(v) < double(FLT_MIN);
      extreme += std::fabs(v) == double(FLT_MAX);
    }
  EXPECT_GT(neg_zero, 10);
  EXPECT_GT(nan, 10);
  EXPECT_GT(inf, 10);
  EXPECT_GT(denormal, 10);
  EXPECT_GT(extreme, 10);
  // Integer inputs get the overflow edges.
  ps::Case ci{parity::spec::OpId::Mul, ps::Mode::ForwardSpecial, {{4097}, {4097}}, {DType::Int32, DType::Int32}};
  int mins = 0;
  for (double v : ps::make_inputs(ci)[0].view.to_doubles()) mins += v == -2147483648.0;
  EXPECT_GT(mins, 10);
  // Every op that takes floats has special cases.
  for (const auto& op : parity::spec::op_table()) {
    int special = 0;
    for (const auto& k : ps::make_cases({{op.id}, {}})) special += k.mode == ps::Mode::ForwardSpecial;
    EXPECT_GT(special, 0) << op.name;
  }
}

TEST(Cases, ReductionsReachBlockedPaths) {
  bool outer16 = false, big = false, around_block = false;
  for (const auto& c : ps::make_cases({{parity::spec::OpId::Sum}, {DType::Float32}})) {
    const auto& s = c.shapes[0];
    outer16 |= s.size() >= 2 && s[0] >= 16 && c.axes == std::vector<std::int64_t>{0};
    big |= parity::spec::numel(s) > (1 << 16);
    around_block |= s == parity::spec::Shape{129} || s == parity::spec::Shape{9};
  }
  EXPECT_TRUE(outer16);
  EXPECT_TRUE(big);
  EXPECT_TRUE(around_block);
}

TEST(Cases, GradientsThatAccumulate) {
  for (const auto& op : parity::spec::op_table()) {
    if (!op.differentiable) continue;
    int twice = 0, shared = 0;
    for (const auto& c : ps::make_cases({{op.id}, {}})) {
      twice += c.mode == ps::Mode::GradTwice;
      shared += c.mode == ps::Mode::GradSharedLeaf;
    }
    EXPECT_GT(twice, 0) << op.name;
    EXPECT_EQ(shared > 0, op.arity > 1) << op.name;
  }
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
