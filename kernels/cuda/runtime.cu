// The CUDA runtime facade of kernels/common/cuda_runtime.h: device discovery (once, cached),
// a caching device allocator, pinned host memory, synchronous copies, event timers and the
// L2 flush used for cold timings. Every CUDA error becomes a parity exception; nothing here
// aborts, so a machine with the toolkit but no driver or GPU just reports "not available".
#include <cuda_runtime_api.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels/cuda/detail.cuh"

namespace parity::kernels::cuda {

namespace {

// What cudaGetDeviceCount and the first context creation said, asked once per process.
struct DeviceState {
  bool ok = false;
  int count = 0;
  std::string reason;
};

// activity()'s counts; relaxed, as they are only read between timed batches.
std::atomic<std::uint64_t> g_launches{0}, g_syncs{0};
void count_sync() noexcept { g_syncs.fetch_add(1, std::memory_order_relaxed); }

// Never destroyed: storage deleters may ask for it during static destruction.
const DeviceState& device_state() {
  static const DeviceState* state = new DeviceState([] {
    DeviceState s;
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
      // Short causes: callers say "no CUDA device (REASON)". A missing driver reports
      // "insufficient driver", which reads like a broken one: the driver version tells them apart.
      int driver = 0;
      if (cudaDriverGetVersion(&driver) != cudaSuccess) driver = 0;
      if (err == cudaErrorInsufficientDriver && driver == 0) s.reason = "no driver";
      else if (err == cudaErrorInsufficientDriver) s.reason = "the driver is older than this build's CUDA runtime";
      else if (err == cudaErrorNoDevice) s.reason = "no device";
      else s.reason = "cudaGetDeviceCount failed: " + detail::describe(err);
      cudaGetLastError();  // a failed discovery must not poison later error checks
      return s;
    }
    if (n <= 0) {
      s.reason = "no device";
      return s;
    }
    // Create the primary context now, so a device that is listed but cannot be used
    // (busy, exclusive mode, broken) reports here rather than in the first kernel.
    err = cudaSetDevice(0);
    if (err == cudaSuccess) err = cudaFree(nullptr);
    if (err != cudaSuccess) {
      s.reason = "CUDA device 0 cannot be used: " + detail::describe(err);
      cudaGetLastError();
      return s;
    }
    s.ok = true;
    s.count = n;
    return s;
  }());
  return *state;
}

// Errors that mean "this machine has no usable device" rather than "this call went wrong".
bool is_device_problem(cudaError_t e) {
  switch (e) {
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorInvalidDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorStubLibrary:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorUnsupportedPtxVersion:
      return true;
    default:
      return false;
  }
}

// Errors after which the context is unusable (the CUDA error is sticky).
bool is_sticky(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorMisalignedAddress:
    case cudaErrorIllegalInstruction:
    case cudaErrorHardwareStackError:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
      return true;
    default:
      return false;
  }
}

std::string version_string(int v) {
  if (v <= 0) return "";
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

// Device memory with free lists keyed by rounded size: a freed block goes back to its list
// and the next request of that size class takes it without cudaMalloc/cudaFree (which are
// slow and synchronise the device). All work runs on the legacy default stream, so handing
// a block to a new owner while the old owner's kernels are queued is safe: they run first.
class CachingAllocator {
 public:
  void* allocate(std::size_t nbytes) {
    const std::size_t size = round_size(nbytes);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(size);
    if (it != free_.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      live_.emplace(p, size);
      return p;
    }
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, size);
    if (err == cudaErrorMemoryAllocation) {
      // Give the cached blocks back to the driver and try once more.
      cudaGetLastError();
      release_cached_locked();
      err = cudaMalloc(&p, size);
    }
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw RuntimeError("CUDA out of memory allocating " + std::to_string(nbytes) +
                         " bytes (free device tensors or use smaller inputs)");
    }
    detail::check(err, "cudaMalloc");
    live_.emplace(p, size);
    return p;
  }

  // True when p points into a block handed out by allocate() and not yet released: device
  // memory for certain, without asking CUDA.
  bool owns(const void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.upper_bound(p);  // the first block starting after p
    if (it == live_.begin()) return false;
    --it;
    return static_cast<const char*>(p) < static_cast<const char*>(it->first) + it->second;
  }

  // Never throws: it runs from storage destructors. Pointers that did not come from
  // allocate() are ignored.
  void release(void* p) noexcept {
    if (!p) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end()) return;
    const std::size_t size = it->second;
    live_.erase(it);
    try {
      free_[size].push_back(p);
    } catch (...) {
      cudaFree(p);  // no room to cache it: give it back instead
      cudaGetLastError();
    }
  }

 private:
  // 512-byte classes up to 1 MiB, 2 MiB classes above: small tensors waste little, large
  // ones of nearly equal size share a class.
  static std::size_t round_size(std::size_t n) {
    constexpr std::size_t kSmall = 512, kLarge = std::size_t(2) << 20, kSplit = std::size_t(1) << 20;
    const std::size_t unit = n <= kSplit ? kSmall : kLarge;
    if (n > SIZE_MAX - unit) throw RuntimeError("CUDA out of memory: cannot allocate " + std::to_string(n) + " bytes");
    return (n + unit - 1) / unit * unit;
  }

  void release_cached_locked() {
    for (auto& [size, blocks] : free_) {
      for (void* p : blocks) cudaFree(p);
      blocks.clear();
    }
    cudaGetLastError();
  }

  std::mutex mu_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  // Ordered, so that owns() finds the block a pointer into the middle of one belongs to.
  std::map<void*, std::size_t, std::less<>> live_;
};

// Never destroyed: blocks are released with the process. Freeing them from a static
// destructor would race the CUDA runtime's own teardown.
CachingAllocator& allocator() {
  static CachingAllocator* a = new CachingAllocator();
  return *a;
}

}  // namespace

namespace detail {

void count_launch() noexcept { g_launches.fetch_add(1, std::memory_order_relaxed); }

std::string describe(cudaError_t err) {
  return std::string(cudaGetErrorString(err)) + " (" + cudaGetErrorName(err) + ")";
}

void throw_cuda_error(cudaError_t err, const char* call) {
  cudaGetLastError();  // clear a non-sticky error so the next check does not report it again
  std::string msg = std::string(call) + " failed: " + describe(err);
  if (err == cudaErrorNoKernelImageForDevice || err == cudaErrorUnsupportedPtxVersion)
    msg += "; rebuild with -DCMAKE_CUDA_ARCHITECTURES set to this GPU's compute capability";
  if (is_sticky(err)) msg += "; the CUDA context is now unusable, restart the process";
  if (is_device_problem(err)) throw DeviceError(msg);
  throw RuntimeError(msg);
}

void require_device(const char* what) {
  if (!available())
    throw DeviceError(std::string(what) + ": CUDA is not available (" + unavailable_reason() + ")");
}

void require_device_pointer(const void* p, const char* what) {
  if (!p) throw ValueError(std::string(what) + ": null data pointer");
  if (allocator().owns(p)) return;  // every cuda tensor's storage: no CUDA call per launch
  cudaPointerAttributes attr{};
  const cudaError_t err = cudaPointerGetAttributes(&attr, p);
  if (err != cudaSuccess) {
    // After a fault the context's sticky error surfaces here first: report that error, not
    // a puzzle about the pointer.
    if (err != cudaErrorInvalidValue) throw_cuda_error(err, "cudaPointerGetAttributes");
    cudaGetLastError();
    throw DeviceError(std::string(what) + ": cannot tell where the data lives (" + describe(err) + ")");
  }
  if (attr.type != cudaMemoryTypeDevice && attr.type != cudaMemoryTypeManaged)
    throw DeviceError(std::string(what) +
                      ": data is in host memory; CUDA kernels need device memory (copy it to "
                      "the device first)");
}

const DeviceProps& device_props() {
  static const DeviceProps props = [] {
    DeviceProps p;
    int v = 0;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, 0) == cudaSuccess && v > 0) p.sm_count = v;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, 0) == cudaSuccess && v > 0) p.l2_bytes = v;
    if (cudaDeviceGetAttribute(&v, cudaDevAttrMaxThreadsPerMultiProcessor, 0) == cudaSuccess && v > 0)
      p.max_threads_per_sm = v;
    cudaGetLastError();
    return p;
  }();
  return props;
}

}  // namespace detail

bool built() { return true; }
bool available() { return device_state().ok; }
std::string unavailable_reason() { return device_state().reason; }
int device_count() { return device_state().count; }

std::string device_name(int device) {
  detail::require_device("device_name");
  if (device < 0 || device >= device_count())
    throw DeviceError("CUDA device " + std::to_string(device) + " does not exist (" +
                      std::to_string(device_count()) + " device(s))");
  cudaDeviceProp prop{};
  detail::check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  return std::string(prop.name);
}

std::string driver_version() {
  int v = 0;
  if (cudaDriverGetVersion(&v) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return version_string(v);
}

std::string runtime_version() {
  int v = 0;
  if (cudaRuntimeGetVersion(&v) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return version_string(v);
}

void* device_malloc(std::size_t nbytes) {
  detail::require_device("device_malloc");
  if (nbytes == 0) return nullptr;
  return allocator().allocate(nbytes);
}

void device_free(void* p) {
  if (!p || !available()) return;
  allocator().release(p);
}

void* host_malloc_pinned(std::size_t nbytes) {
  detail::require_device("host_malloc_pinned");
  if (nbytes == 0) return nullptr;
  void* p = nullptr;
  const cudaError_t err = cudaMallocHost(&p, nbytes);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw RuntimeError("out of pinned host memory allocating " + std::to_string(nbytes) + " bytes");
  }
  detail::check(err, "cudaMallocHost");
  return p;
}

void host_free_pinned(void* p) {
  if (!p || !available()) return;
  if (cudaFreeHost(p) != cudaSuccess) cudaGetLastError();  // called from destructors
}

void memcpy(void* dst, const void* src, std::size_t nbytes, CopyKind kind) {
  detail::require_device("memcpy");
  if (nbytes == 0) return;
  if (!dst || !src) throw ValueError("memcpy: null pointer");
  cudaMemcpyKind k = cudaMemcpyDeviceToDevice;
  switch (kind) {
    case CopyKind::HostToDevice:
      detail::require_device_pointer(dst, "memcpy (host to device) destination");
      k = cudaMemcpyHostToDevice;
      break;
    case CopyKind::DeviceToHost:
      detail::require_device_pointer(src, "memcpy (device to host) source");
      k = cudaMemcpyDeviceToHost;
      break;
    case CopyKind::DeviceToDevice:
      detail::require_device_pointer(dst, "memcpy (device to device) destination");
      detail::require_device_pointer(src, "memcpy (device to device) source");
      k = cudaMemcpyDeviceToDevice;
      break;
  }
  count_sync();
  detail::check(cudaMemcpy(dst, src, nbytes, k), "cudaMemcpy");
  // cudaMemcpy may return before a device-side or pageable copy has landed; the facade
  // promises the bytes are in place on return.
  detail::check(cudaStreamSynchronize(nullptr), "cudaStreamSynchronize after cudaMemcpy");
}

void synchronize() {
  if (!available()) return;
  count_sync();
  detail::check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

EventTimer::EventTimer() {
  detail::require_device("EventTimer");
  cudaEvent_t a = nullptr, b = nullptr;
  detail::check(cudaEventCreate(&a), "cudaEventCreate");
  const cudaError_t err = cudaEventCreate(&b);
  if (err != cudaSuccess) {
    cudaEventDestroy(a);
    detail::throw_cuda_error(err, "cudaEventCreate");
  }
  start_ = a;
  stop_ = b;
}

EventTimer::~EventTimer() {
  if (start_) cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  if (stop_) cudaEventDestroy(static_cast<cudaEvent_t>(stop_));
  cudaGetLastError();
}

void EventTimer::start() {
  detail::check(cudaEventRecord(static_cast<cudaEvent_t>(start_), nullptr), "cudaEventRecord");
}

double EventTimer::stop_ms() {
  auto stop = static_cast<cudaEvent_t>(stop_);
  detail::check(cudaEventRecord(stop, nullptr), "cudaEventRecord");
  count_sync();
  detail::check(cudaEventSynchronize(stop), "cudaEventSynchronize");
  float ms = 0.0f;
  detail::check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start_), stop),
                "cudaEventElapsedTime (was start() called?)");
  return double(ms);
}

Activity activity() {
  return {g_launches.load(std::memory_order_relaxed), g_syncs.load(std::memory_order_relaxed)};
}

void flush_l2() {
  detail::require_device("flush_l2");
  static std::mutex mu;
  static void* buffer = nullptr;  // allocated once, never freed (like the allocator's blocks)
  static std::size_t size = 0;
  std::lock_guard<std::mutex> lock(mu);
  if (!buffer) {
    const std::size_t l2 = std::size_t(detail::device_props().l2_bytes);
    if (l2 == 0) return;  // no L2 reported: nothing to flush
    void* p = nullptr;
    detail::check(cudaMalloc(&p, 2 * l2), "cudaMalloc (L2 flush buffer)");
    buffer = p;
    size = 2 * l2;
  }
  // Writing twice the L2's size evicts whatever the timed op would otherwise find there.
  detail::check(cudaMemsetAsync(buffer, 0, size, nullptr), "cudaMemsetAsync (L2 flush)");
}

}  // namespace parity::kernels::cuda
