// The cpu kernels' own float32 exp against the correctly rounded value, over a dense sweep
// of float32 inputs and the special cases.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/cpu/exp.h"

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

TEST(CpuExp, ContiguousLoopMatchesScalar) {
  std::vector<float> x(1031), out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -90.0f + 0.175f * float(i);
  pk::exp_f32_contiguous(x.data(), out.data(), std::int64_t(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(out[i], pk::exp_f32(x[i])) << x[i];
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
