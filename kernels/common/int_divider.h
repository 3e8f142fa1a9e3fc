#pragma once
// Division by a divisor fixed before a kernel starts, without a hardware divide: the host
// computes a magic multiplier and a shift once (the round-up method of Granlund and
// Montgomery, "Division by invariant integers using multiplication", 1994), and every
// element then costs one multiply-high, an add, a shift and (for the remainder) a
// multiply-subtract. The CUDA offset calculator splits linear indices into coordinates with
// it; being plain C++ marked PARITY_HD, the cpu tests check it against / and %.
//
// For a U of N bits (uint32_t or uint64_t) and a divisor d in [1, 2^N - 1]:
//   l = ceil(log2 d), m = floor(2^N * (2^l - d) / d) + 1 (fits in N bits), and for every
//   n in [0, 2^N - 1]:  n / d == (t + ((n - t) >> 1)) >> (l - 1), t = mulhi(m, n)   (l >= 1)
// which is floor((2^N + m) * n / 2^(N + l)) computed without an N+1-bit sum. d == 1 (l == 0)
// takes its own branch: the same for every thread of a launch, so it does not diverge.
#include <cstdint>
#include <type_traits>

#include "engine/spec/hd.h"

namespace parity::kernels {

namespace divider_detail {
__extension__ typedef unsigned __int128 u128;  // GCC/Clang/nvcc host; __extension__ for -Wpedantic
// The high half of the 2N-bit product a * b.
PARITY_HD inline std::uint32_t mulhi(std::uint32_t a, std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __umulhi(a, b);
#else
  return std::uint32_t((std::uint64_t(a) * b) >> 32);
#endif
}
PARITY_HD inline std::uint64_t mulhi(std::uint64_t a, std::uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __umul64hi(a, b);
#else
  return std::uint64_t((static_cast<u128>(a) * b) >> 64);
#endif
}
}  // namespace divider_detail

template <class U>
struct DivMod {
  U quot;
  U rem;
};

template <class U>
class IntDivider {
  static_assert(std::is_same_v<U, std::uint32_t> || std::is_same_v<U, std::uint64_t>,
                "IntDivider is for uint32_t and uint64_t");

 public:
  IntDivider() = default;
  // Host only (it divides once, in 2N bits). `d` must be at least 1; callers pass the sizes
  // of non-empty dimensions.
  explicit IntDivider(U d) : divisor_(d) {
    constexpr int kBits = int(sizeof(U) * 8);
    int l = 0;
    while (l < kBits && (U(1) << l) < d) ++l;  // l = ceil(log2 d); d > 2^(N-1) gives l = N
    shift_ = l;
    if (l == 0) {
      magic_ = 0;  // unused: d == 1
      return;
    }
    using Wide = std::conditional_t<std::is_same_v<U, std::uint32_t>, std::uint64_t, divider_detail::u128>;
    // 2^l - d computed in the wide type (2^N does not fit in U); the quotient is below 2^N
    // because 2^l - d < d.
    const Wide two_l = Wide(1) << l;
    magic_ = U(((Wide(two_l - d)) << kBits) / d + 1);
  }

  PARITY_HD U divisor() const { return divisor_; }

  PARITY_HD U div(U n) const {
    if (shift_ == 0) return n;
    const U t = divider_detail::mulhi(magic_, n);
    return (t + ((n - t) >> 1)) >> (shift_ - 1);
  }

  PARITY_HD DivMod<U> divmod(U n) const {
    const U q = div(n);
    return {q, U(n - q * divisor_)};
  }

 private:
  U divisor_ = 1;
  U magic_ = 0;
  int shift_ = 0;
};

}  // namespace parity::kernels
