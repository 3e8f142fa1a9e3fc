#include "engine/core/storage.h"

#include <cstdlib>
#include <new>
#include <stdexcept>

#include "engine/spec/error.h"

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
  void* p = std::aligned_alloc(kAlign, rounded == 0 ? kAlign : rounded);
  if (!p) throw RuntimeError("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  return adopt(p, nbytes, Device::cpu(), [](void* q) { std::free(q); });
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
