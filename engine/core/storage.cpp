#include "engine/core/storage.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/spec/error.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace parity::core {
namespace {
// Relaxed: the counts are read between timed batches, never used to order memory.
std::atomic<std::uint64_t> g_allocations{0}, g_bytes{0};
void count_allocation(std::size_t nbytes) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(nbytes, std::memory_order_relaxed);
}
constexpr std::size_t kAlign = 64;
constexpr std::size_t kLarge = std::size_t(1) << 22;  // 4 MiB: huge pages advised, cached
constexpr std::size_t kLargeStep = std::size_t(1) << 21;  // large blocks in 2 MiB steps

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheLarge = false;
#else
constexpr bool kCacheLarge = true;
#endif

// PARITY_HOST_CACHE_BYTES, checked as PARITY_NUM_THREADS is: a bad value is a ValueError at
// the first large allocation (and at every one after, as the initialiser is tried again).
std::size_t default_cap() {
  const char* env = std::getenv("PARITY_HOST_CACHE_BYTES");
  if (env != nullptr && *env != '\0') {
    bool digits = true;
    for (const char* c = env; *c; ++c) digits = digits && *c >= '0' && *c <= '9';
    errno = 0;
    const unsigned long long v = digits ? std::strtoull(env, nullptr, 10) : 0;
    if (!digits || errno == ERANGE) {
      const std::string shown(env, std::min<std::size_t>(std::strlen(env), 40));
      throw ValueError("PARITY_HOST_CACHE_BYTES must be a whole number of bytes (0: no cache), got '" + shown +
                       (std::strlen(env) > 40 ? "...'" : "'"));
    }
    return std::size_t(v);
  }
  std::size_t cap = std::size_t(1) << 30;
#if defined(__linux__)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) cap = std::min(cap, std::size_t(pages) * std::size_t(page) / 8);
#endif
  return cap;
}

// Freed large blocks by their size (what malloc was asked for). Never destroyed: a storage
// freed by a static destructor at exit may still return its block here.
struct LargeCache {
  std::mutex mutex;
  std::multimap<std::size_t, void*> blocks;
  std::size_t held = 0;
  const std::size_t cap = default_cap();
};
LargeCache& large_cache() {
  static LargeCache* cache = new LargeCache();
  return *cache;
}

void* take_large(std::size_t block) {
  LargeCache& c = large_cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  const auto it = c.blocks.find(block);
  if (it == c.blocks.end()) return nullptr;
  void* raw = it->second;
  c.blocks.erase(it);
  c.held -= block;
  return raw;
}

// Keeps a freed block; to stay under the cap it frees cached blocks first, smallest first
// (a workload whose sizes change must not leave the cache full of blocks nobody asks for).
void give_large(void* raw, std::size_t block) {
  LargeCache& c = large_cache();
  std::vector<void*> evicted;
  bool kept = false;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (block <= c.cap) {
      for (auto it = c.blocks.begin(); c.held + block > c.cap && it != c.blocks.end();) {
        c.held -= it->first;
        evicted.push_back(it->second);
        it = c.blocks.erase(it);
      }
      c.blocks.emplace(block, raw);
      c.held += block;
      kept = true;
    }
  }
  for (void* p : evicted) std::free(p);  // outside the lock
  if (!kept) std::free(raw);
}

// As NumPy does (4 MiB and up): ask for transparent huge pages, so that the first touch of
// a fresh buffer faults once per 2 MiB instead of once per 4 KiB (a float32 add at 16M
// elements: 5x faster here, docs/performance.md 2026-12-02). Only advice; errors ignored.
void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(__linux__)
  const auto lo = (reinterpret_cast<std::uintptr_t>(p) + 4095) & ~std::uintptr_t(4095);
  const auto hi = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~std::uintptr_t(4095);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

void* aligned_in(void* raw) {
  return reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(raw) + kAlign) & ~std::uintptr_t(kAlign - 1));
}
}  // namespace

std::size_t host_cache_bytes() {
  LargeCache& c = large_cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.held;
}
std::size_t host_cache_cap() {
  const std::size_t cap = large_cache().cap;  // reads and checks the variable in every build
  return kCacheLarge ? cap : 0;
}

AllocationCount allocation_count() {
  return {g_allocations.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}

std::shared_ptr<Storage> Storage::allocate_cpu(std::size_t nbytes) {
  const std::size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
  // The cap is read (and PARITY_HOST_CACHE_BYTES checked) under AddressSanitizer too.
  if (rounded >= kLarge && large_cache().cap > 0 && kCacheLarge) {
    const std::size_t block = (rounded + kAlign + kLargeStep - 1) / kLargeStep * kLargeStep;
    void* raw = take_large(block);
    if (!raw) {
      raw = std::malloc(block);
      if (!raw) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
      advise_huge_pages(aligned_in(raw), rounded);
    }
    try {
      return adopt(aligned_in(raw), nbytes, Device::cpu(), [raw, block](void*) { give_large(raw, block); });
    } catch (...) {
      give_large(raw, block);
      throw;
    }
  }
  // malloc and align by hand: glibc's aligned_alloc splits and frees the slack on every
  // call, which cost a small tensor op a third of its time (docs/performance.md, 2026-12-02).
  void* raw = std::malloc((rounded == 0 ? kAlign : rounded) + kAlign);
  if (!raw) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  void* p = aligned_in(raw);
  if (rounded >= kLarge) advise_huge_pages(p, rounded);
  // The deleter frees what malloc returned (one pointer: std::function keeps it inline).
  return adopt(p, nbytes, Device::cpu(), [raw](void*) { std::free(raw); });
}

std::shared_ptr<Storage> Storage::borrow(void* data, std::size_t nbytes, Device device,
                                         std::shared_ptr<const void> keep_alive) {
  std::shared_ptr<Storage> s(new Storage());
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->owned_ = false;
  s->keep_alive_ = std::move(keep_alive);
  return s;
}

std::shared_ptr<Storage> Storage::adopt(void* data, std::size_t nbytes, Device device, Deleter deleter,
                                        bool pinned) {
  std::shared_ptr<Storage> s(new Storage());
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->owned_ = true;
  s->pinned_ = pinned;
  s->deleter_ = std::move(deleter);
  count_allocation(nbytes);
  return s;
}

Storage::~Storage() {
  if (owned_ && deleter_ && data_) deleter_(data_);
}

}  // namespace parity::core
