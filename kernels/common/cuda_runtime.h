#pragma once
// The CUDA runtime as the rest of Parity sees it: plain C++, no CUDA headers. Built from
// kernels/cuda/*.cu where nvcc exists, and from a stub that reports "no device" where it
// does not. A machine with the toolkit but no driver or GPU also reports "no device":
// available() is false and every other call throws DeviceError naming the reason.
#include <cstddef>
#include <cstdint>
#include <string>

namespace parity::kernels::cuda {

// True when CUDA support was compiled in.
bool built();
// True when CUDA support was compiled in and at least one device answers.
bool available();
// Why available() is false ("" when it is true): not built, no driver, no device...
std::string unavailable_reason();
int device_count();
std::string device_name(int device);
std::string driver_version();   // "13.0" or "" when unknown
std::string runtime_version();  // "13.0" or "" when unknown

// Device memory (through a caching allocator: freed blocks are kept for reuse).
void* device_malloc(std::size_t nbytes);
void device_free(void* p);
// Page-locked host memory.
void* host_malloc_pinned(std::size_t nbytes);
void host_free_pinned(void* p);

enum class CopyKind { HostToDevice, DeviceToHost, DeviceToDevice };
// Synchronous with respect to the host on return.
void memcpy(void* dst, const void* src, std::size_t nbytes, CopyKind kind);
void synchronize();

// Times GPU work with CUDA events on the default stream.
class EventTimer {
 public:
  EventTimer();
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start();
  // Records the stop event, waits for it, returns milliseconds since start().
  double stop_ms();

 private:
  void* start_ = nullptr;
  void* stop_ = nullptr;
};

// Kernel launches (one per cuBLAS call, which may launch more inside) and host-device
// synchronisations (synchronize, memcpy, EventTimer::stop_ms) since the process started:
// the bench's load-independent counters. Zero where CUDA is not built.
struct Activity {
  std::uint64_t launches = 0;
  std::uint64_t syncs = 0;
};
Activity activity();

// Flushes the L2 cache by writing a buffer larger than it (for cold timings).
void flush_l2();

}  // namespace parity::kernels::cuda
