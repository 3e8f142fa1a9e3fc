#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. Value i of a seeded stream is a pure function of (seed, i), so
// inputs are identical on every machine and device, in any order, with no state to carry.
#include <cstdint>

#include "engine/spec/hd.h"

namespace parity::core {

struct Philox4x32 {
  std::uint32_t v[4];
};

PARITY_HD inline Philox4x32 philox4x32_10(Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t(kMul0) * ctr.v[0];
    const std::uint64_t p1 = std::uint64_t(kMul1) * ctr.v[2];
    const std::uint32_t hi0 = std::uint32_t(p0 >> 32), lo0 = std::uint32_t(p0);
    const std::uint32_t hi1 = std::uint32_t(p1 >> 32), lo1 = std::uint32_t(p1);
    ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return ctr;
}

// The four 32-bit words of block `block` of stream `seed`.
PARITY_HD inline Philox4x32 philox_block(std::uint64_t seed, std::uint64_t block) {
  return philox4x32_10(Philox4x32{{std::uint32_t(block), std::uint32_t(block >> 32), 0u, 0u}},
                       std::uint32_t(seed), std::uint32_t(seed >> 32));
}

// A double in [0, 1) from two words, using 53 random bits.
PARITY_HD inline double philox_unit_double(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = ((std::uint64_t(hi) << 32) | lo) >> 11;
  return double(bits) * (1.0 / 9007199254740992.0);
}

}  // namespace parity::core
