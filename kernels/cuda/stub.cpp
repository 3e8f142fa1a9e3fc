// Built when CUDA is not: every entry point says so. available() is false, so callers
// that check it first (the tensor engine, the harness, the cuda tests) skip cleanly.
#include "engine/spec/error.h"
#include "kernels/common/api.h"
#include "kernels/common/cuda_runtime.h"

namespace parity::kernels::cuda {
namespace {
[[noreturn]] void not_built() {
  throw DeviceError("CUDA support was not built (configure with the default or cuda preset on a "
                    "machine with nvcc)");
}
}  // namespace

bool built() { return false; }
bool available() { return false; }
std::string unavailable_reason() { return "CUDA support not built"; }
int device_count() { return 0; }
std::string device_name(int) { not_built(); }
std::string driver_version() { return ""; }
std::string runtime_version() { return ""; }
void* device_malloc(std::size_t) { not_built(); }
void device_free(void*) {}
void* host_malloc_pinned(std::size_t) { not_built(); }
void host_free_pinned(void*) {}
void memcpy(void*, const void*, std::size_t, CopyKind) { not_built(); }
void synchronize() {}
EventTimer::EventTimer() { not_built(); }
EventTimer::~EventTimer() = default;
void EventTimer::start() { not_built(); }
double EventTimer::stop_ms() { not_built(); }
void flush_l2() { not_built(); }
Activity activity() { return {}; }

void elementwise(spec::OpId, const Elementwise&) { not_built(); }
void copy(const Elementwise&) { not_built(); }
void fill(const spec::Shape&, const Operand&, double) { not_built(); }
void reduce(const Reduction&) { not_built(); }
void matmul(const Matmul&) { not_built(); }

}  // namespace parity::kernels::cuda
