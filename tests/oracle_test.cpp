// The correctly rounded oracle (suite/oracle.h) against values worked out elsewhere, its ULP
// metric on hand-made cases, and the inputs it measures on.
//
// The expected values were computed outside MPFR: Python's decimal at 80 digits gave exp(x),
// rounded to nearest-even into each format by exact integer arithmetic (fractions.Fraction),
// subnormals and overflow included.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <set>

#include "engine/spec/error.h"
#include "suite/oracle.h"
#include "suite/oracle_inputs.h"

namespace parity::suite::oracle {
namespace {

using spec::DType;
using spec::OpId;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double f32(std::uint32_t bits) { return double(std::bit_cast<float>(bits)); }
double f64(std::uint64_t bits) { return std::bit_cast<double>(bits); }
double exp_cr(DType d, double x) { return correctly_rounded(OpId::Exp, d, x); }
// Equal as values of the format, the sign of zero included.
void expect_same(double got, double want) {
  EXPECT_EQ(got, want);
  EXPECT_EQ(std::signbit(got), std::signbit(want)) << got;
}

TEST(Oracle, ExpOfOneInEachDtype) {
  expect_same(exp_cr(DType::Float16, 1.0), 2.71875);
  expect_same(exp_cr(DType::BFloat16, 1.0), 2.71875);
  expect_same(exp_cr(DType::Float32, 1.0), 0x1.5bf0a8p+1);
  expect_same(exp_cr(DType::Float64, 1.0), 0x1.5bf0a8b145769p+1);
  expect_same(exp_cr(DType::Float16, -1.0), 0x1.78cp-2);
}

TEST(Oracle, Float16SubnormalAndZeroResults) {
  expect_same(exp_cr(DType::Float16, -10.0), 0x1.7dp-15);   // 762 * 2^-24, subnormal
  expect_same(exp_cr(DType::Float16, -16.625), 0x1p-24);    // 1.01 * 2^-24 -> the smallest
  expect_same(exp_cr(DType::Float16, -17.0), 0x1p-24);      // 0.69 * 2^-24 rounds up
  expect_same(exp_cr(DType::Float16, -18.0), 0.0);          // 0.26 * 2^-24 rounds to +0
}

TEST(Oracle, NearOverflow) {
  expect_same(exp_cr(DType::Float16, 11.0859375), 65248.0);
  expect_same(exp_cr(DType::Float16, 11.09375), kInf);
  expect_same(exp_cr(DType::BFloat16, 88.5), 0x1.9ap+127);
  expect_same(exp_cr(DType::BFloat16, 89.0), kInf);
  expect_same(exp_cr(DType::Float32, f32(0x42b17217)), 0x1.ffff08p+127);
  expect_same(exp_cr(DType::Float32, f32(0x42b17218)), kInf);
  expect_same(exp_cr(DType::Float64, f64(0x40862E42FEFA39EF)), 0x1.fffffffffff2ap+1023);
  expect_same(exp_cr(DType::Float64, f64(0x40862E42FEFA39F0)), kInf);
}

TEST(Oracle, NearUnderflow) {
  expect_same(exp_cr(DType::BFloat16, -90.0), 0x1.2p-130);  // 9 * 2^-133
  expect_same(exp_cr(DType::Float32, -87.5), 0x1.b2cafp-127);
  expect_same(exp_cr(DType::Float32, -103.0), 0x1p-149);
  expect_same(exp_cr(DType::Float32, -104.0), 0.0);
  expect_same(exp_cr(DType::Float64, -740.0), 0x0.0000000000055p-1022);
  expect_same(exp_cr(DType::Float64, -744.0), 0x0.0000000000002p-1022);
  expect_same(exp_cr(DType::Float64, -745.0), 0x0.0000000000001p-1022);
}

TEST(Oracle, SpecialValues) {
  EXPECT_TRUE(std::isnan(exp_cr(DType::Float32, kNaN)));
  expect_same(exp_cr(DType::Float16, kInf), kInf);
  expect_same(exp_cr(DType::BFloat16, -kInf), 0.0);
  expect_same(correctly_rounded(OpId::Neg, DType::Float64, 0.0), -0.0);
  expect_same(correctly_rounded(OpId::Neg, DType::Float16, -0.0), 0.0);
  expect_same(correctly_rounded(OpId::Neg, DType::Float32, 0x1p-149), -0x1p-149);
}

TEST(Oracle, RefusesWhatItCannotJudge) {
  EXPECT_THROW(exp_cr(DType::Int32, 1.0), TypeError);
  EXPECT_THROW(correctly_rounded(OpId::Add, DType::Float32, 1.0), ValueError);
  EXPECT_THROW(exp_cr(DType::Float32, 0.1), ValueError);  // 0.1 is no float32
  EXPECT_THROW(exp_cr(DType::Float16, 1.0 / 4096 + 1), ValueError);
  EXPECT_TRUE(has_oracle(OpId::Exp));
  EXPECT_FALSE(has_oracle(OpId::Matmul));
}

TEST(UlpMetric, HandMadeCases) {
  // cr = 1 with op(x) = 1 + 2^-25: the next float32 up is 0.75 ULP away, 1 itself 0.25.
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float32, 1.0 + 0x1p-23, 1.0 + 0x1p-25, 1.0), 0.75);
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float32, 1.0, 1.0 + 0x1p-25, 1.0), 0.25);
  // Below a power of two the ULP is still the correctly rounded result's binade's: cr = 1
  // (op(x) = 1 - 2^-26), the float below 1 is (2^-24 - 2^-26) / 2^-23 = 0.375 away.
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float32, 1.0 - 0x1p-24, 1.0 - 0x1p-26, 1.0), 0.375);
  // Subnormal and zero results: ULPs of the smallest subnormal, 2^-24 in float16.
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float16, 0.0, 0.75 * 0x1p-24, 0x1p-24), 0.75);
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float16, 0x1p-23, 0.75 * 0x1p-24, 0x1p-24), 1.25);
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float16, 0x1p-24, 0.25 * 0x1p-24, 0.0), 0.75);
  // Overflow: the largest float16 (65504) where op(x) = 65536 is 32 away, one ULP of the top
  // binade; infinity, the correctly rounded result, counts 0.
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float16, 65504.0, 65536.0, kInf), 1.0);
  EXPECT_EQ(ulp_error_of(DType::Float16, kInf, 65536.0, kInf), 0.0);
  // float64 ULP at 2^1000.
  EXPECT_DOUBLE_EQ(ulp_error_of(DType::Float64, 0x1p1000 + 0x1p949, 0x1p1000, 0x1p1000), 2.0);
}

TEST(UlpMetric, WrongKindOrSignIsInfinite) {
  EXPECT_EQ(ulp_error_of(DType::Float32, kNaN, kNaN, kNaN), 0.0);
  EXPECT_EQ(ulp_error_of(DType::Float32, 1.0, kNaN, kNaN), kInf);    // a number for NaN
  EXPECT_EQ(ulp_error_of(DType::Float32, kNaN, 1.0, 1.0), kInf);     // NaN for a number
  EXPECT_EQ(ulp_error_of(DType::Float32, kInf, 1.0, 1.0), kInf);     // inf for a finite cr
  EXPECT_EQ(ulp_error_of(DType::Float32, 0x1p127, kInf, kInf), kInf);  // finite for an exact inf
  EXPECT_EQ(ulp_error_of(DType::Float16, -0.0, 1e-9, 0.0), kInf);    // a zero of the wrong sign
  EXPECT_EQ(ulp_error_of(DType::Float32, -1.0, 1.0, 1.0), kInf);
}

TEST(UlpMetric, ThroughMpfr) {
  // exp(1) in float32: |0x1.5bf0a8p+1 - e| / 2^-22 = 0.346233087... (Python's decimal).
  EXPECT_NEAR(ulp_error(OpId::Exp, DType::Float32, 1.0, 0x1.5bf0a8p+1), 0.3462330873, 1e-9);
  EXPECT_NEAR(ulp_error(OpId::Exp, DType::Float32, 1.0, 0x1.5bf0acp+1), 1.6537669127, 1e-9);  // 2 ULP up
  EXPECT_EQ(ulp_error(OpId::Exp, DType::Float32, 0.0, 1.0), 0.0);
}

TEST(UlpMetric, Histogram) {
  EXPECT_EQ(classify(1.0, 1.0, 0.3), Bin::CorrectlyRounded);
  EXPECT_EQ(classify(kNaN, kNaN, 0.0), Bin::CorrectlyRounded);
  EXPECT_EQ(classify(-0.0, 0.0, kInf), Bin::Special);
  EXPECT_EQ(classify(2.0, 1.0, 0.75), Bin::Within1);
  EXPECT_EQ(classify(2.0, 1.0, 1.5), Bin::Within2);
  EXPECT_EQ(classify(2.0, 1.0, 4.0), Bin::Within4);
  EXPECT_EQ(classify(2.0, 1.0, 4.5), Bin::Over4);
  EXPECT_EQ(bin_name(Bin::Special), "special");
}

TEST(Measure, CountsBinsAndTheWorstInput) {
  // float16: exp(1) = 2.71875 (cr); exp(-10) = 761.69 * 2^-24, cr 762 * 2^-24; exp(NaN) = NaN.
  const std::vector<double> x = {1.0, -10.0, kNaN, -10.0};
  const std::vector<double> exact = {2.71875, 762 * 0x1p-24, kNaN, 762 * 0x1p-24};
  // 2.71875 + 2^-9 is 1.24 ULP from e; 761 * 2^-24 is 0.69 ULP from exp(-10).
  const std::vector<double> off = {2.71875 + 0x1p-9, 762 * 0x1p-24, 1.0, 761 * 0x1p-24};
  const std::span<const double> results[] = {exact, off};
  const std::vector<Split> split = measure(OpId::Exp, DType::Float16, x, results, 2);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].outside.count, 0);  // exp judges every input
  const std::vector<Stats> s = {split[0].judged, split[1].judged};
  EXPECT_EQ(s[0].count, 4);
  EXPECT_EQ(s[0].bins[std::size_t(Bin::CorrectlyRounded)], 4);
  EXPECT_LE(s[0].max_ulp, 0.5);
  EXPECT_EQ(s[1].bins[std::size_t(Bin::CorrectlyRounded)], 1);
  EXPECT_EQ(s[1].bins[std::size_t(Bin::Within1)], 1);
  EXPECT_EQ(s[1].bins[std::size_t(Bin::Within2)], 1);
  EXPECT_EQ(s[1].bins[std::size_t(Bin::Special)], 1);
  EXPECT_EQ(s[1].worst, 2);  // the number for NaN
  EXPECT_EQ(s[1].max_ulp, kInf);
  EXPECT_EQ(s[1].worst_got, 1.0);
}

TEST(Measure, SameForAnyThreadCount) {
  // neg over the first 8192 bfloat16 patterns (+0 up through the subnormals), answered three
  // ways: correctly, with the wrong sign, and about one ULP off.
  const std::vector<double> all = values_of(accuracy_inputs(OpId::Neg, DType::BFloat16, true));
  const std::vector<double> x(all.begin(), all.begin() + 8192);
  std::vector<double> got(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) got[i] = i % 3 == 0 ? -x[i] : i % 3 == 1 ? x[i] : -x[i] * (1 + 0x1p-7);
  const std::span<const double> results[] = {got};
  const Stats one = measure(OpId::Neg, DType::BFloat16, x, results, 1)[0].judged;
  const Stats three = measure(OpId::Neg, DType::BFloat16, x, results, 3)[0].judged;
  EXPECT_EQ(one.bins, three.bins);
  EXPECT_EQ(one.worst, three.worst);
  EXPECT_EQ(one.max_ulp, three.max_ulp);
  EXPECT_GT(one.bins[std::size_t(Bin::CorrectlyRounded)], 2000);
  EXPECT_GT(one.bins[std::size_t(Bin::Special)], 2000);
  EXPECT_GT(one.bins[std::size_t(Bin::Within1)] + one.bins[std::size_t(Bin::Within2)], 2000);
}

TEST(Inputs, HalfTypesAreExhaustive) {
  for (DType d : {DType::Float16, DType::BFloat16}) {
    const InputSet s = accuracy_inputs(OpId::Exp, d, false);
    ASSERT_EQ(s.bits.size(), 65536u);
    EXPECT_EQ(std::set<std::uint64_t>(s.bits.begin(), s.bits.end()).size(), 65536u);
  }
}

TEST(Inputs, WideTypesCoverEveryExponentAndAreDeterministic) {
  const InputSet f = accuracy_inputs(OpId::Exp, DType::Float32, false);
  EXPECT_GE(f.bits.size(), std::size_t(1) << 24);
  std::set<std::uint64_t> exps;
  for (std::uint64_t b : f.bits) exps.insert(b >> 23);  // sign and exponent
  EXPECT_EQ(exps.size(), 512u);
  const InputSet d = accuracy_inputs(OpId::Exp, DType::Float64, false);
  EXPECT_GE(d.bits.size(), std::size_t(1) << 20);
  std::set<std::uint64_t> dexps;
  for (std::uint64_t b : d.bits) dexps.insert(b >> 52);
  EXPECT_EQ(dexps.size(), 4096u);
  EXPECT_EQ(accuracy_inputs(OpId::Exp, DType::Float64, false).bits, d.bits);
  // exp's hard range reaches its float32 underflow and overflow: some inputs give a
  // subnormal result, some a result within a factor 2 of the largest float.
  bool subnormal = false, near_max = false;
  for (std::uint64_t b : f.bits) {
    const float x = std::bit_cast<float>(std::uint32_t(b));
    subnormal = subnormal || (x > -103.0f && x < -88.0f);
    near_max = near_max || (x > 88.1f && x < 88.72f);
  }
  EXPECT_TRUE(subnormal);
  EXPECT_TRUE(near_max);
  EXPECT_LT(accuracy_inputs(OpId::Exp, DType::Float32, true).bits.size(), f.bits.size() / 32);
}

// The expected values: x / 2 * erfc(-x / sqrt 2) = x * Phi(x) (Phi(1) = 0.84134474606854294858...,
// Phi(-8) = 6.22096057427178413e-16) and x / (1 + exp(-2u)), u = sqrt(2 / pi) * (x + 0.044715 x^3),
// evaluated to 60 digits with Python's decimal module and rounded to the dtype.
TEST(Oracle, GeluWithoutTheFormulasCancellation) {
  EXPECT_EQ(correctly_rounded(OpId::Gelu, DType::Float64, 1.0), 0.8413447460685429);
  EXPECT_EQ(correctly_rounded(OpId::Gelu, DType::Float64, -1.0), -0.15865525393145705);
  // float32's 1 + erf(-8 / sqrt 2) is 0, the function -4.9767684594e-15
  EXPECT_EQ(correctly_rounded(OpId::Gelu, DType::Float32, -8.0), -0x1.669d2cp-48);
  EXPECT_EQ(correctly_rounded(OpId::GeluTanh, DType::Float64, 1.0), 0.8411919906082767);
  EXPECT_EQ(correctly_rounded(OpId::GeluTanh, DType::Float32, -3.0), -0x1.dcc2ap-9);
  EXPECT_EQ(correctly_rounded(OpId::GeluTanh, DType::Float32, 1.0), 0x1.aeb0b8p-1);
  for (OpId op : {OpId::Gelu, OpId::GeluTanh}) {
    EXPECT_TRUE(std::isnan(correctly_rounded(op, DType::Float32, -kInf)));  // -inf times 0
    EXPECT_EQ(correctly_rounded(op, DType::Float32, kInf), kInf);
    const double z = correctly_rounded(op, DType::Float32, -0.0);
    EXPECT_EQ(z, 0.0);
    EXPECT_TRUE(std::signbit(z));
  }
}

TEST(Oracle, JudgedRangeFromTheRegistryDomain) {
  const std::optional<spec::Domain> r = judged_range(OpId::Gelu, DType::Float32);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->lo, spec::domain_for(spec::op_spec(OpId::Gelu), DType::Float32).lo);
  EXPECT_EQ(r->hi, kInf);
  EXPECT_TRUE(judged_range(OpId::GeluTanh, DType::BFloat16).has_value());
  EXPECT_FALSE(judged_range(OpId::Exp, DType::Float32).has_value());
  // sigmoid: from where exp(-x) overflows (float32: -128 ln 2; float16: -16 ln 2)
  EXPECT_DOUBLE_EQ(judged_range(OpId::Sigmoid, DType::Float32)->lo, -88.722839111672999);
  EXPECT_DOUBLE_EQ(judged_range(OpId::Silu, DType::Float16)->lo, -11.090354888959125);
  EXPECT_TRUE(is_judged(r, r->lo));
  EXPECT_FALSE(is_judged(r, r->lo - 0.5));
  EXPECT_FALSE(is_judged(r, -kInf));
  EXPECT_TRUE(is_judged(r, kInf));
  EXPECT_TRUE(is_judged(r, kNaN));
  EXPECT_TRUE(is_judged(std::nullopt, -kInf));
}

TEST(Measure, SplitsByTheJudgedRange) {
  // Correct results in the judged range; at -8, below it, a cancelled one (-2^-24, as the
  // formula gives with one bad rounding), millions of ULPs from -4.98e-15.
  const std::vector<double> x = {-8.0, -0.5, 2.0, kNaN, -3.0};
  std::vector<double> got(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) got[i] = correctly_rounded(OpId::Gelu, DType::Float32, x[i]);
  got[0] = -0x1p-24;
  const std::span<const double> results[] = {got};
  const Split s = measure(OpId::Gelu, DType::Float32, x, results, 1)[0];
  EXPECT_EQ(s.judged.count, 3);
  EXPECT_EQ(s.judged.bins[std::size_t(Bin::CorrectlyRounded)], 3);
  EXPECT_LE(s.judged.max_ulp, 0.5);
  EXPECT_EQ(s.outside.count, 2);
  EXPECT_EQ(s.outside.worst, 0);
  EXPECT_GT(s.outside.max_ulp, 1e6);
  EXPECT_EQ(s.outside.bins[std::size_t(Bin::CorrectlyRounded)], 1);
}

}  // namespace
}  // namespace parity::suite::oracle
