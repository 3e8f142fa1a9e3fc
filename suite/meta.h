#pragma once
// What a run ran on: the tool, the build, the machine, the GPU.
#include <string>

#include "reports/report.h"

namespace parity::suite {

// kind: "check" or "bench"; command_line: the arguments as typed.
reports::Metadata collect_metadata(const std::string& kind, const std::string& command_line);

}  // namespace parity::suite
