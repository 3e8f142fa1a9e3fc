#pragma once
// What a run ran on: the tool, the build, the machine, the GPU.
#include <string>

#include "reports/report.h"
#include "suite/shard.h"

namespace parity::suite {

// kind: "check" or "bench"; command_line: the arguments as typed.
reports::Metadata collect_metadata(const std::string& kind, const std::string& command_line);

// What `parity merge` matches between shards: "selection" (the command line without the
// program, -o and --shard) always; "shard" ("I/N") when the run is one shard of several;
// "instrumentation" ("callgrind") when running under valgrind, whose timings mean nothing.
void record_run(reports::Metadata& meta, const Shard& shard, const std::string& selection);

}  // namespace parity::suite
