// Core pieces: Philox against Random123's published known answers, the strided plan,
// devices and storage.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/core/device.h"
#include "engine/core/iter.h"
#include "engine/core/philox.h"
#include "engine/core/random.h"
#include "engine/core/storage.h"
#include "engine/spec/error.h"

namespace pc = parity::core;

namespace {
void expect_block(pc::Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1, pc::Philox4x32 want) {
  const pc::Philox4x32 got = pc::philox4x32_10(ctr, k0, k1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], want.v[i]) << "word " << i;
}
}  // namespace

// Known-answer vectors for philox4x32-10 from Random123's kat_vectors file.
TEST(Philox, KnownAnswers) {
  expect_block({{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}});
  expect_block({{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
               {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}});
  expect_block({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
               {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}});
}

TEST(Philox, UnitDoubleUsesTheTop53Bits) {
  EXPECT_EQ(pc::philox_unit_double(0, 0), 0.0);
  EXPECT_EQ(pc::philox_unit_double(0x80000000u, 0), 0.5);
  EXPECT_LT(pc::philox_unit_double(0xffffffffu, 0xffffffffu), 1.0);
}

TEST(Random, ElementDependsOnSeedAndIndexOnly) {
  // Element 5 of a stream is the same whether 6 or 100 elements are drawn.
  double a[6], b[100];
  pc::fill_random(pc::Distribution::Uniform, parity::spec::DType::Float64, a, 6, 42, 0, 1);
  pc::fill_random(pc::Distribution::Uniform, parity::spec::DType::Float64, b, 100, 42, 0, 1);
  EXPECT_EQ(a[5], b[5]);
  // uniform(0,1) of element i is philox_unit_double of block i's first two words.
  const pc::Philox4x32 w = pc::philox_block(42, 5);
  EXPECT_EQ(a[5], pc::philox_unit_double(w.v[0], w.v[1]));
  EXPECT_THROW(pc::fill_random(pc::Distribution::Uniform, parity::spec::DType::Float64, a, -1, 1, 0, 1),
               parity::ValueError);
}

TEST(Plan, CoalescesContiguousDims) {
  // A contiguous (2,3,4) output and input become one dim of 24.
  auto p = pc::make_plan({2, 3, 4}, {{12, 4, 1}, {12, 4, 1}});
  EXPECT_EQ(p.shape, (std::vector<std::int64_t>{24}));
  EXPECT_EQ(p.strides[1], (std::vector<std::int64_t>{1}));
}

TEST(Plan, ReordersToTheOutputsMemoryOrder) {
  // Output stored transposed (column-major 3x4: strides (1,3)); the inner loop runs along
  // the output's stride-1 dim, and the two dims merge for the output but not the input.
  auto p = pc::make_plan({3, 4}, {{1, 3}, {4, 1}});
  ASSERT_EQ(p.shape, (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(p.strides[0], (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(p.strides[1], (std::vector<std::int64_t>{1, 4}));
}

TEST(Plan, BroadcastAndEmpty) {
  const auto s = pc::broadcast_strides({4}, {1}, {3, 4});
  EXPECT_EQ(s, (std::vector<std::int64_t>{0, 1}));
  EXPECT_THROW(pc::broadcast_strides({3}, {1}, {3, 4}), parity::ValueError);
  auto p = pc::make_plan({3, 0}, {{0, 1}});
  EXPECT_EQ(p.numel(), 0);
  int rows = 0;
  pc::for_each_row(p, [&](const std::int64_t*, std::int64_t, const std::int64_t*) { ++rows; });
  EXPECT_EQ(rows, 0);
  // A 0-d plan is one element.
  auto z = pc::make_plan({}, {{}, {}});
  std::int64_t n = 0;
  pc::for_each_row(z, [&](const std::int64_t*, std::int64_t len, const std::int64_t*) { n += len; });
  EXPECT_EQ(n, 1);
}

TEST(Plan, WalksEveryElementOnce) {
  // A (2,3) output over a transposed (3,2) input: visit order and offsets by hand.
  auto p = pc::make_plan({2, 3}, {{3, 1}, {1, 2}});
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;
  pc::for_each_row(p, [&](const std::int64_t* off, std::int64_t n, const std::int64_t* st) {
    for (std::int64_t i = 0; i < n; ++i) seen.push_back({off[0] + i * st[0], off[1] + i * st[1]});
  });
  const std::vector<std::pair<std::int64_t, std::int64_t>> want{{0, 0}, {1, 2}, {2, 4}, {3, 1}, {4, 3}, {5, 5}};
  EXPECT_EQ(seen, want);
}

TEST(Device, Parse) {
  EXPECT_EQ(pc::Device::parse("cpu"), pc::Device::cpu());
  EXPECT_EQ(pc::Device::parse("cuda"), pc::Device::cuda(0));
  EXPECT_EQ(pc::Device::parse("cuda:3").index, 3);
  EXPECT_EQ(pc::Device::cuda(1).str(), "cuda:1");
  for (const char* bad : {"tpu", "cuda:", "cuda:x", "CPU", "", "cuda:-1", "cuda:2147483648", "cuda:99999999999999999999"})
    EXPECT_THROW(pc::Device::parse(bad), parity::ValueError) << bad;
}

TEST(Storage, OwnsBorrowsAndCounts) {
  auto s = pc::Storage::allocate_cpu(100);
  EXPECT_TRUE(s->owned());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s->data()) % 64, 0u);
  EXPECT_EQ(s->version(), 0u);
  s->bump_version();
  EXPECT_EQ(s->version(), 1u);
  // A borrowed storage keeps its owner alive.
  auto owner = std::make_shared<std::vector<int>>(10, 7);
  std::weak_ptr<std::vector<int>> watch = owner;
  auto b = pc::Storage::borrow(owner->data(), 40, pc::Device::cpu(), owner);
  owner.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_FALSE(b->owned());
  b.reset();
  EXPECT_TRUE(watch.expired());
  // An adopted block is freed with its deleter.
  bool freed = false;
  {
    auto a = pc::Storage::adopt(new int[4], 16, pc::Device::cpu(), [&](void* p) {
      delete[] static_cast<int*>(p);
      freed = true;
    });
  }
  EXPECT_TRUE(freed);
}

namespace parity::core {
namespace {

// Large host buffers come back from the cache: the same block for the same size, never
// more held than the cap, and a block of another size is not handed out.
TEST(HostCache, ReusesLargeBlocksUpToTheCap) {
  if (host_cache_cap() == 0) GTEST_SKIP() << "no host cache here (AddressSanitizer or PARITY_HOST_CACHE_BYTES=0)";
  constexpr std::size_t kBlock = std::size_t(64) << 20;
  void* first = nullptr;
  {
    auto s = Storage::allocate_cpu(kBlock);
    first = s->data();
    static_cast<unsigned char*>(s->data())[kBlock - 1] = 7;  // writable to its end
  }
  {
    auto s = Storage::allocate_cpu(kBlock);
    EXPECT_EQ(s->data(), first);
    auto other = Storage::allocate_cpu(kBlock + (std::size_t(4) << 20));
    EXPECT_NE(other->data(), first);
  }
  std::vector<std::shared_ptr<Storage>> many;
  for (std::size_t held = 0; held <= host_cache_cap() + 2 * kBlock; held += kBlock)
    many.push_back(Storage::allocate_cpu(kBlock));  // untouched: address space only
  many.clear();
  EXPECT_LE(host_cache_bytes(), host_cache_cap());
  EXPECT_GT(host_cache_bytes(), 0u);
  // A full cache makes room for a block of a new size (evicting others) rather than
  // refusing it: the next request of that size gets it back.
  constexpr std::size_t kOther = std::size_t(70) << 20;
  void* other = nullptr;
  {
    auto s = Storage::allocate_cpu(kOther);
    other = s->data();
  }
  const std::size_t held = host_cache_bytes();
  EXPECT_LE(held, host_cache_cap());
  auto again = Storage::allocate_cpu(kOther);
  EXPECT_EQ(again->data(), other);
  ASSERT_GE(held, host_cache_bytes() + kOther);  // it came out of the cache, not from malloc
}

}  // namespace
}  // namespace parity::core
