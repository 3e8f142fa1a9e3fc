#pragma once
// A refcounted block of bytes on a device. Views of either engine share one Storage through
// std::shared_ptr; the storage knows whether it owns its bytes or borrows them from someone
// else (kept alive by `keep_alive`), whether host memory is pinned, and carries the version
// counter that autograd uses to catch in-place writes to saved tensors.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "engine/core/device.h"

namespace parity::core {

class Storage {
 public:
  using Deleter = std::function<void(void*)>;

  // Owned host memory, 64-byte aligned, uninitialised. nbytes may be 0.
  static std::shared_ptr<Storage> allocate_cpu(std::size_t nbytes);
  // Memory owned elsewhere; `keep_alive` (may be null) is held until this storage dies.
  static std::shared_ptr<Storage> borrow(void* data, std::size_t nbytes, Device device,
                                         std::shared_ptr<const void> keep_alive);
  // Memory this storage owns and frees with `deleter` (device memory, pinned host memory).
  static std::shared_ptr<Storage> adopt(void* data, std::size_t nbytes, Device device, Deleter deleter,
                                        bool pinned = false);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool owned() const { return owned_; }
  bool pinned() const { return pinned_; }

  std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  Storage() = default;
  void* data_ = nullptr;
  std::size_t nbytes_ = 0;
  Device device_{};
  bool owned_ = false;
  bool pinned_ = false;
  Deleter deleter_;
  std::shared_ptr<const void> keep_alive_;
  std::atomic<std::uint64_t> version_{0};
};

// Storages created that own their bytes (allocate_cpu and adopt: host, pinned and device
// memory) since the process started, for the bench's load-independent counters. Views and
// borrows are not allocations and are not counted.
struct AllocationCount {
  std::uint64_t allocations = 0;
  std::uint64_t bytes = 0;
};
AllocationCount allocation_count();

// Host buffers of 4 MiB and up are kept for reuse once freed, process-wide, up to a cap:
// a fresh buffer's first touch costs a page fault and the kernel's zeroing of every page,
// which a reused buffer never pays (a float32 neg of 16M elements wrote its 64 MiB result
// twice). The cap is PARITY_HOST_CACHE_BYTES if set (0: no cache), else the smaller of
// 1 GiB and an eighth of physical memory. Not under AddressSanitizer, which should see
// every free. These say what the cache holds now and its cap, for tests.
std::size_t host_cache_bytes();
std::size_t host_cache_cap();

}  // namespace parity::core
