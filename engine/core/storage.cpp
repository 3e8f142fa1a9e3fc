#include "engine/core/storage.h"

#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "engine/spec/error.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace parity::core {
namespace {
// Relaxed: the counts are read between timed batches, never used to order memory.
std::atomic<std::uint64_t> g_allocations{0}, g_bytes{0};
void count_allocation(std::size_t nbytes) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(nbytes, std::memory_order_relaxed);
}
}  // namespace

AllocationCount allocation_count() {
  return {g_allocations.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}

std::shared_ptr<Storage> Storage::allocate_cpu(std::size_t nbytes) {
  constexpr std::size_t kAlign = 64;
  const std::size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
  // malloc and align by hand: glibc's aligned_alloc splits and frees the slack on every
  // call, which cost a small tensor op a third of its time (docs/performance.md, 2026-12-02).
  void* raw = std::malloc((rounded == 0 ? kAlign : rounded) + kAlign);
  if (!raw) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  void* p = reinterpret_cast<void*>((reinterpret_cast<std::uintptr_t>(raw) + kAlign) & ~std::uintptr_t(kAlign - 1));
#if defined(__linux__)
  // As NumPy does (4 MiB and up): ask for transparent huge pages, so that the first touch of
  // a fresh buffer faults once per 2 MiB instead of once per 4 KiB (a float32 add at 16M
  // elements: 5x faster here, docs/performance.md 2026-12-02). Only advice; errors ignored.
  if (rounded >= (std::size_t(1) << 22)) {
    const auto lo = (reinterpret_cast<std::uintptr_t>(p) + 4095) & ~std::uintptr_t(4095);
    const auto hi = (reinterpret_cast<std::uintptr_t>(p) + rounded) & ~std::uintptr_t(4095);
    if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
  }
#endif
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
