#include "suite/meta.h"

#include <sys/utsname.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "build_info.h"
#include "engine/tensor/tensor.h"
#include "kernels/common/cuda_runtime.h"
#include "suite/instructions.h"

namespace parity::suite {
namespace {

std::string cpuinfo_field(const std::string& name) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    const auto start = v.find_first_not_of(' ');
    return start == std::string::npos ? "" : v.substr(start);
  }
  return "";
}

// The vector ISA extensions that matter for these kernels, as the CPU reports them.
std::string cpu_isa() {
  std::istringstream flags(cpuinfo_field("flags"));
  std::set<std::string> have;
  for (std::string f; flags >> f;) have.insert(f);
  std::string out;
  for (const char* f : {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "neon", "asimd"})
    if (have.count(f)) out += (out.empty() ? "" : " ") + std::string(f);
  return out;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

reports::Metadata collect_metadata(const std::string& kind, const std::string& command_line) {
  reports::Metadata m;
  m.set("kind", kind);
  m.set("tool_version", PARITY_VERSION);
  m.set("git_sha", PARITY_GIT_SHA);
  m.set("date_utc", utc_now());
  m.set("command_line", command_line);
  m.set("compiler", PARITY_COMPILER);
  m.set("cxx_flags", PARITY_CXX_FLAGS);
  m.set("build_type", PARITY_BUILD_TYPE);
  std::string cpu = cpuinfo_field("model name");
  m.set("cpu_model", cpu.empty() ? "unknown" : cpu);
  m.set("cpu_isa", cpu_isa());
  m.set("cpu_cores", std::to_string(std::thread::hardware_concurrency()));
  utsname u{};
  m.set("os", uname(&u) == 0 ? std::string(u.sysname) + " " + u.release + " " + u.machine : "unknown");
  namespace kc = kernels::cuda;
  m.set("cuda_built", kc::built() ? "yes" : "no");
  m.set("cuda_archs", PARITY_CUDA_ARCHS);
  if (kc::available()) {
    m.set("gpu", kc::device_name(0));
    m.set("gpu_driver", kc::driver_version());
    m.set("cuda_runtime", kc::runtime_version());
  } else {
    m.set("gpu", "none (no CUDA device (" + kc::unavailable_reason() + "))");
    m.set("gpu_driver", kc::driver_version());
    m.set("cuda_runtime", kc::runtime_version());
  }
  return m;
}

void record_run(reports::Metadata& meta, const Shard& shard, const std::string& selection) {
  meta.set("selection", selection);
  if (shard.active()) meta.set("shard", shard.str());
  if (running_on_valgrind()) meta.set("instrumentation", "callgrind");
}

}  // namespace parity::suite
