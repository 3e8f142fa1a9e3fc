#pragma once
// Merging the shards of one run (`parity check|bench --shard I/N`) into one report.
#include <string>
#include <vector>

#include "reports/report.h"

namespace parity::reports {

// The metadata every shard of one run must share, else the merge is refused: what ran
// (kind, selection: the command line without -o and --shard), the tool and build (tool
// version, git sha, compiler, flags, build type, CUDA build and archs), the machine class
// (CPU model, ISA, cores, OS, GPU, driver, CUDA runtime: bench numbers from different
// machines must not be mixed into one report) and the shard count. Dates may differ.
const std::vector<std::string>& merge_must_match();

struct MergeOptions {
  bool allow_partial = false;  // accept a missing shard (the merged report says which are there)
};

// `parts[i]` was read from `names[i]` (used in messages). Throws ValueError with one line
// naming the file and the field when: fewer than one part, a part is not a shard ("shard"
// metadata missing), counts differ, two parts are the same shard, metadata above differs,
// a case key appears in two parts, or (without allow_partial) a shard is missing.
// The result has the first part's metadata, "shard" removed, "merged_shards" = "N/N" (or
// "0,1,3 of 4" when partial), and every part's records in part order.
Report merge_reports(const std::vector<Report>& parts, const std::vector<std::string>& names,
                     const MergeOptions& opts = {});

}  // namespace parity::reports
