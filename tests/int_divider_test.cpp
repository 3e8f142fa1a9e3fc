// kernels/common/int_divider.h, the magic-number divider of the CUDA offset calculator,
// against the hardware's / and %: exhaustively over small divisors and dividends, at the
// edges of each width, and on random 32-bit and 64-bit operands. The divider is the same
// PARITY_HD code that nvcc compiles for the device (only mulhi differs: __umulhi /
// __umul64hi there, a widening multiply here).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/common/int_divider.h"

using parity::kernels::IntDivider;

namespace {

template <class U>
::testing::AssertionResult agrees(const IntDivider<U>& div, U n) {
  const U d = div.divisor();
  const auto qr = div.divmod(n);
  if (qr.quot == n / d && qr.rem == n % d && div.div(n) == n / d) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << n << " / " << d << ": got " << qr.quot << " rem " << qr.rem
                                       << ", want " << n / d << " rem " << n % d;
}

// Divisors worth singling out: 1..2^10, every power of two with its neighbours, and the
// largest values of the type.
template <class U>
std::vector<U> edge_divisors() {
  std::vector<U> ds;
  for (U d = 1; d <= 1024; ++d) ds.push_back(d);
  constexpr int kBits = int(sizeof(U) * 8);
  for (int b = 11; b < kBits; ++b) {
    const U p = U(1) << b;
    ds.insert(ds.end(), {U(p - 1), p, U(p + 1)});
  }
  const U max = std::numeric_limits<U>::max();
  ds.insert(ds.end(), {U(max - 1), max, U(max / 2), U(max / 2 + 1), U(max / 3), U(max / 7)});
  return ds;
}

template <class U>
std::vector<U> edge_dividends(U d) {
  const U max = std::numeric_limits<U>::max();
  std::vector<U> ns{0, 1, U(d - 1), d, U(max - 1), max, U(max - d), U(max / 2), U(max / 2 + 1)};
  if (d <= max / 2) ns.insert(ns.end(), {U(2 * d - 1), U(2 * d), U(2 * d + 1)});
  // The last multiple of d and its neighbours (where a magic number one short shows).
  const U last = U(max / d * d);
  ns.insert(ns.end(), {last, U(last - 1)});
  if (last < max) ns.push_back(U(last + 1));
  return ns;
}

template <class U>
void small_exhaustive() {
  for (U d = 1; d <= 300; ++d) {
    const IntDivider<U> div(d);
    for (U n = 0; n <= 5000; ++n) ASSERT_TRUE(agrees(div, n));
  }
}

template <class U>
void edges() {
  for (U d : edge_divisors<U>()) {
    const IntDivider<U> div(d);
    for (U n : edge_dividends(d)) ASSERT_TRUE(agrees(div, n));
  }
}

template <class U>
void random_operands(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  constexpr int kBits = int(sizeof(U) * 8);
  for (int i = 0; i < 20000; ++i) {
    // Divisors of every magnitude (a uniform draw would almost always be near 2^N).
    const int bits = 1 + int(rng() % kBits);
    U d = U(rng());
    if (bits < kBits) d &= (U(1) << bits) - 1;
    if (d == 0) d = 1;
    const IntDivider<U> div(d);
    for (int j = 0; j < 50; ++j) {
      const int nbits = 1 + int(rng() % kBits);
      U n = U(rng());
      if (nbits < kBits) n &= (U(1) << nbits) - 1;
      ASSERT_TRUE(agrees(div, n));
    }
  }
}

}  // namespace

TEST(IntDivider, Uint32SmallRangesExhaustive) { small_exhaustive<std::uint32_t>(); }
TEST(IntDivider, Uint64SmallRangesExhaustive) { small_exhaustive<std::uint64_t>(); }
TEST(IntDivider, Uint32Edges) { edges<std::uint32_t>(); }
TEST(IntDivider, Uint64Edges) { edges<std::uint64_t>(); }
TEST(IntDivider, Uint32Random) { random_operands<std::uint32_t>(0x9e3779b97f4a7c15u); }
TEST(IntDivider, Uint64Random) { random_operands<std::uint64_t>(0xd1b54a32d192ed03u); }
