// The dtype traits table and the 16-bit float conversions. float16 is judged against g++'s
// _Float16, whose conversions are libgcc's (an implementation that shares nothing with
// engine/spec/half.h): every one of the 65,536 halves to float, and every float16 value, every
// rounding midpoint between neighbours and millions of random floats and doubles back.
// bfloat16 is judged against its definition (the top 16 bits of a float, rounded to nearest
// even), written out here with integer arithmetic on the 32 bits.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "engine/spec/dtype.h"
#include "engine/spec/error.h"

namespace ps = parity::spec;
using ps::DType;

namespace {

std::uint16_t gcc_half_bits(float f) { return std::bit_cast<std::uint16_t>(static_cast<_Float16>(f)); }
std::uint16_t gcc_half_bits(double d) { return std::bit_cast<std::uint16_t>(static_cast<_Float16>(d)); }
float gcc_half_to_float(std::uint16_t b) { return static_cast<float>(std::bit_cast<_Float16>(b)); }

bool is_nan_half(std::uint16_t b) { return (b & 0x7c00u) == 0x7c00u && (b & 0x3ffu) != 0; }

// Same value, or both NaN with the same sign (payloads are not promised).
void expect_same_half(std::uint16_t got, std::uint16_t want, double from) {
  if (is_nan_half(want)) {
    EXPECT_TRUE(is_nan_half(got)) << from;
    EXPECT_EQ(got >> 15, want >> 15) << from;
  } else {
    EXPECT_EQ(got, want) << std::hexfloat << from;
  }
}

}  // namespace

TEST(DType, TraitsTable) {
  EXPECT_EQ(ps::kAllDTypes.size(), 13u);
  EXPECT_EQ(ps::itemsize(DType::Float16), 2u);
  EXPECT_EQ(ps::itemsize(DType::UInt64), 8u);
  EXPECT_EQ(ps::torch_scalar_name(DType::Float16), "Half");
  EXPECT_EQ(ps::torch_scalar_name(DType::UInt8), "Byte");
  EXPECT_EQ(ps::torch_scalar_name(DType::Int8), "Char");
  EXPECT_EQ(ps::torch_scalar_name(DType::Int16), "Short");
  EXPECT_TRUE(ps::is_floating(DType::BFloat16));
  EXPECT_TRUE(ps::is_unsigned(DType::UInt32));
  EXPECT_FALSE(ps::is_unsigned(DType::Int8));
  EXPECT_FALSE(ps::in_torch(DType::UInt16));
  EXPECT_FALSE(ps::in_numpy(DType::BFloat16));
  EXPECT_EQ(ps::epsilon(DType::Float16), 0x1p-10);
  EXPECT_EQ(ps::epsilon(DType::BFloat16), 0x1p-7);
  EXPECT_EQ(ps::epsilon(DType::Float32), double(std::numeric_limits<float>::epsilon()));
  EXPECT_EQ(ps::epsilon(DType::Float64), std::numeric_limits<double>::epsilon());
  for (DType t : ps::kAllDTypes) {
    EXPECT_EQ(ps::parse_dtype(ps::dtype_name(t)), t);
    ps::visit_dtype(t, [&](auto tag) {
      using T = typename decltype(tag)::type;
      EXPECT_EQ(sizeof(T), ps::itemsize(t)) << ps::dtype_name(t);
      EXPECT_EQ(ps::dtype_of<T>(), t);
    });
  }
  EXPECT_THROW(ps::parse_dtype("float8"), parity::ValueError);
}

TEST(DType, TorchVisitorRefusesWhatPyTorchLacks) {
  int visited = 0;
  for (DType t : ps::kAllDTypes) {
    if (ps::in_torch(t)) {
      ps::visit_torch_dtype(t, [&](auto tag) {
        EXPECT_EQ(ps::dtype_of<typename decltype(tag)::type>(), t);
        ++visited;
      });
    } else {
      EXPECT_THROW(ps::visit_torch_dtype(t, [](auto) {}), parity::TypeError);
    }
  }
  EXPECT_EQ(visited, 10);
}

TEST(Float16, EveryHalfWidensExactly) {
  for (std::uint32_t b = 0; b < 0x10000u; ++b) {
    const auto h = std::uint16_t(b);
    const float got = float(ps::float16::from_bits(h));
    const float want = gcc_half_to_float(h);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << b;
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << b;
    } else {
      EXPECT_EQ(std::bit_cast<std::uint32_t>(got), std::bit_cast<std::uint32_t>(want)) << b;
    }
  }
}

TEST(Float16, RoundsLikeLibgcc) {
  for (std::uint32_t b = 0; b < 0x10000u; ++b) {
    const auto h = std::uint16_t(b);
    const float v = gcc_half_to_float(h);
    expect_same_half(ps::float16(v).bits, gcc_half_bits(v), v);
    expect_same_half(ps::float16::from_double(double(v)).bits, gcc_half_bits(double(v)), v);
    if (!std::isfinite(v) || (h & 0x7fffu) == 0x7bffu) continue;
    // The midpoint to the next half up (exact in float and double): ties go to even; and
    // its float neighbours, which must not.
    const float next = gcc_half_to_float(std::uint16_t(h + 1));
    const double mid = (double(v) + double(next)) / 2;
    for (float f : {float(mid), std::nextafter(float(mid), 0.0f), std::nextafter(float(mid), INFINITY)})
      expect_same_half(ps::float16(f).bits, gcc_half_bits(f), f);
    for (double d : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY)})
      expect_same_half(ps::float16::from_double(d).bits, gcc_half_bits(d), d);
  }
  // Past the largest half: 65519.99 rounds down, 65520 (the midpoint to 2^16) up to inf.
  EXPECT_EQ(ps::float16(65519.99f).bits, 0x7bffu);
  EXPECT_EQ(ps::float16(65520.0f).bits, 0x7c00u);
  EXPECT_EQ(ps::float16::from_double(-65520.0).bits, 0xfc00u);
  std::mt19937_64 rng(20261202);
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint64_t r = rng();
    const float f = std::bit_cast<float>(std::uint32_t(r));
    expect_same_half(ps::float16(f).bits, gcc_half_bits(f), f);
    // Doubles near the half range, where double rounding through float would show.
    const double d = std::ldexp(double(r >> 11) / 0x1p53, int(r % 48) - 30) * ((r & 1) ? -1 : 1);
    expect_same_half(ps::float16::from_double(d).bits, gcc_half_bits(d), d);
    if (HasFailure()) return;
  }
}

// One rounding from double: 1 + 2^-11 + 2^-40 is above the midpoint of 1 and 1 + 2^-10, but
// through float (which drops 2^-40) it is the midpoint, and ties to even go down to 1.
TEST(Float16, FromDoubleRoundsOnce) {
  const double d = 1.0 + 0x1p-11 + 0x1p-40;
  EXPECT_EQ(ps::float16::from_double(d).bits, 0x3c01u);
  EXPECT_EQ(ps::float16(float(d)).bits, 0x3c00u);
}

TEST(BFloat16, RoundsToNearestEvenOfTheTop16Bits) {
  auto want = [](float f) -> std::uint16_t {
    const std::uint32_t u = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t low = u & 0xffffu, high = u >> 16;
    if (low > 0x8000u || (low == 0x8000u && (high & 1u))) return std::uint16_t(high + 1);
    return std::uint16_t(high);
  };
  std::mt19937 rng(7);
  for (int i = 0; i < 2'000'000; ++i) {
    const float f = std::bit_cast<float>(std::uint32_t(rng()));
    const std::uint16_t got = ps::bfloat16(f).bits;
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(float(ps::bfloat16::from_bits(got))));
      EXPECT_EQ(got >> 15, std::bit_cast<std::uint32_t>(f) >> 31);
    } else {
      EXPECT_EQ(got, want(f)) << std::hexfloat << f;
    }
    if (HasFailure()) return;
  }
  // 1 + 2^-8 is the midpoint of 1 and 1 + 2^-7: ties to even (1); a hair above goes up.
  EXPECT_EQ(ps::bfloat16(1.0f + 0x1p-8f).bits, 0x3f80u);
  EXPECT_EQ(ps::bfloat16(1.0f + 0x1p-8f + 0x1p-20f).bits, 0x3f81u);
  EXPECT_EQ(float(ps::bfloat16::from_bits(0x3f81u)), 1.0f + 0x1p-7f);
  // The largest finite bfloat16 rounds to inf only past the midpoint to 2^128.
  EXPECT_EQ(ps::bfloat16(std::numeric_limits<float>::max()).bits, 0x7f80u);
  EXPECT_EQ(ps::bfloat16(0x1.fep127f).bits, 0x7f7fu);
}
