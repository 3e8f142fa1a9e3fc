#pragma once
// Instruction counts around a piece of work, from one of two sources:
// - perf_event: the CPU's retired-instructions counter through perf_event_open(2), user space
//   only, one counter per thread of the process (so the tensor engine's worker threads
//   count). Needs a PMU and perf_event_paranoid <= 2 (or CAP_PERFMON); VMs often have none.
// - callgrind: valgrind's callgrind, run as
//     valgrind --tool=callgrind --collect-atstart=no --instr-atstart=no parity bench ...
//   Collection is toggled on around the work (all threads), the counts are dumped with the
//   case's key (CALLGRIND_DUMP_STATS_AT) and read back from callgrind's dump file, which is
//   then removed. Exact and load independent; the timings of such a run mean nothing.
#include <cstdint>
#include <string>
#include <vector>

namespace parity::suite {

// True when this process runs under valgrind (and the valgrind headers were available).
bool running_on_valgrind();

class PerfInstructions {
 public:
  // Opens one counter per current thread. Empty string on success, else why not.
  std::string open();
  ~PerfInstructions();
  void start();
  double stop();  // instructions since start(), all threads

 private:
  void close_all();
  std::vector<int> fds_;
};

class CallgrindInstructions {
 public:
  // `out_file`: valgrind's --callgrind-out-file ("" = its default, callgrind.out.<pid>;
  // "%p" is replaced by the pid). Throws ValueError when not running under valgrind.
  explicit CallgrindInstructions(std::string out_file);
  ~CallgrindInstructions();  // stops instrumentation, if start() began it
  void start();
  // Dumps the counts under `label`, reads them back, removes the dump; throws RuntimeError
  // when the dump is missing or does not carry the label.
  double stop(const std::string& label);

 private:
  std::string prefix_;
  int dumps_ = 0;
  bool instrumenting_ = false;
};

}  // namespace parity::suite
