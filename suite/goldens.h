#pragma once
// Replaying golden files: what real NumPy and PyTorch computed (datasets/README.md has the
// layout), run again on the array engine (numpy files) and the tensor engine (torch files),
// and judged case by case. The truth comes from outside the registry, so a wrong promotion
// entry, result dtype, error text or value fails here even when both engines agree.
#include <string>
#include <vector>

#include "engine/core/device.h"
#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "reports/report.h"
#include "suite/shard.h"

namespace parity::suite {

struct GoldenOptions {
  std::vector<core::Device> devices{core::Device::cpu()};  // torch files: cuda runs only when present
  std::vector<spec::OpId> ops;                             // empty = all
  std::vector<spec::DType> dtypes;                         // empty = all (every input listed)
  // A golden case belongs to the shard of "golden|<library>/<file stem>/<case>", with all its
  // records (modes and devices): a shard replays only its own cases.
  Shard shard;
};

// Replays one file. Throws ValueError with one line (naming the file) when it is not a golden
// file in the documented layout: missing, not HDF5, foreign, truncated or damaged, a missing
// or mistyped attribute, an op name no registry row carries. Never prints HDF5's error stack.
// Each case gives one record per device and mode (forward or error; grad when the file holds
// gradients), keyed "golden|<library>/<file stem>/<case>|<mode>|<device>".
std::vector<reports::CheckRecord> replay_golden_file(const std::string& path, const GoldenOptions& opts);

// The files to replay: `files` when given; else every golden file under `datasets_dir`
// (default_datasets_dir() when empty). A folder named explicitly (or by PARITY_DATASETS) must
// exist; a missing default folder is noted on stdout and nothing is replayed.
std::vector<std::string> golden_paths(const std::vector<std::string>& files, const std::string& datasets_dir);
// Replays each file once (a path named twice is replayed once), in order.
std::vector<reports::CheckRecord> replay_goldens(const std::vector<std::string>& paths,
                                                 const GoldenOptions& opts);

// The committed golden files: <dir>/numpy/*.h5 and <dir>/torch/*.h5, sorted.
std::vector<std::string> golden_files_in(const std::string& dir);
// The datasets folder: $PARITY_DATASETS when set, else the source tree's datasets/ (fixed at
// configure time).
std::string default_datasets_dir();

// Whether a record came from a golden file.
bool is_golden_record(const reports::CheckRecord& r);
// The kind of a failure ("value differs", "error message differs", ...): its message's prefix.
std::string failure_kind(const reports::CheckRecord& r);

// Counts per library (pass / fail / skip), failures by kind, skips by reason, and the failing
// cases (up to `max_listed` per kind; all of them are in the report).
void print_golden_summary(const std::vector<reports::CheckRecord>& records, int max_listed = 25);

}  // namespace parity::suite
