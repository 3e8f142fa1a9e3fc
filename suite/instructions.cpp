#include "suite/instructions.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/spec/error.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>
#define PARITY_HAVE_VALGRIND 1
#else
#define PARITY_HAVE_VALGRIND 0
#endif

namespace parity::suite {

bool running_on_valgrind() {
#if PARITY_HAVE_VALGRIND
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

std::string PerfInstructions::open() {
  close_all();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    const long tid = std::strtol(entry.path().filename().c_str(), nullptr, 10);
    const long fd = ::syscall(SYS_perf_event_open, &attr, pid_t(tid), -1, -1, 0UL);
    if (fd < 0) {
      const int err = errno;
      close_all();
      if (err == ENOENT || err == EOPNOTSUPP) return "perf_event_open: no hardware instruction counter here";
      if (err == EACCES || err == EPERM)
        return "perf_event_open: not permitted (kernel.perf_event_paranoid is above 2, or no CAP_PERFMON)";
      return std::string("perf_event_open: ") + std::strerror(err);
    }
    fds_.push_back(int(fd));
  }
  if (ec) return "cannot list /proc/self/task: " + ec.message();
  if (fds_.empty()) return "perf_event_open: no thread to count";
  return "";
}

PerfInstructions::~PerfInstructions() { close_all(); }

void PerfInstructions::close_all() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

void PerfInstructions::start() {
  for (int fd : fds_) {
    ::ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ::ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
  }
}

double PerfInstructions::stop() {
  for (int fd : fds_) ::ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
  double total = 0;
  for (int fd : fds_) {
    std::uint64_t count = 0;
    if (::read(fd, &count, sizeof count) != ssize_t(sizeof count))
      throw RuntimeError("perf_event: cannot read an instruction counter");
    total += double(count);
  }
  return total;
}

CallgrindInstructions::CallgrindInstructions(std::string out_file) {
  if (!running_on_valgrind())
    throw ValueError(
        "--instructions callgrind needs valgrind: valgrind --tool=callgrind --collect-atstart=no "
        "--instr-atstart=no parity bench ... (or --instructions perf)");
  const std::string pid = std::to_string(::getpid());
  if (out_file.empty()) out_file = "callgrind.out.%p";
  for (auto at = out_file.find("%p"); at != std::string::npos; at = out_file.find("%p"))
    out_file.replace(at, 2, pid);
  prefix_ = out_file;
}

CallgrindInstructions::~CallgrindInstructions() {
#if PARITY_HAVE_VALGRIND
  if (instrumenting_) CALLGRIND_STOP_INSTRUMENTATION;
#endif
}

void CallgrindInstructions::start() {
#if PARITY_HAVE_VALGRIND
  // Instrumented from the first case on (with --instr-atstart=no the setup runs fast).
  if (!instrumenting_) CALLGRIND_START_INSTRUMENTATION;
  instrumenting_ = true;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
#endif
}

double CallgrindInstructions::stop(const std::string& label) {
#if PARITY_HAVE_VALGRIND
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(label.c_str());
#endif
  // Callgrind numbers its dumps PREFIX.1, PREFIX.2, ... and writes each before the request
  // returns.
  const std::string path = prefix_ + "." + std::to_string(++dumps_);
  std::ifstream in(path);
  if (!in)
    throw RuntimeError("callgrind wrote no dump at " + path +
                       " (give --callgrind-out the same file as valgrind's --callgrind-out-file)");
  std::string line;
  bool labelled = false;
  double total = -1;
  while (std::getline(in, line)) {
    if (line == "desc: Trigger: Client Request: " + label) labelled = true;
    if (line.rfind("totals:", 0) == 0 || (total < 0 && line.rfind("summary:", 0) == 0))
      total = std::strtod(line.c_str() + line.find(':') + 1, nullptr);
  }
  in.close();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!labelled) throw RuntimeError("callgrind dump " + path + " is not the one for " + label);
  if (total <= 0)
    throw RuntimeError("callgrind counted nothing for " + label +
                       " (run valgrind with --collect-atstart=no, so that the toggles switch collection on)");
  return total;
}

}  // namespace parity::suite
