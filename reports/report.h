#pragma once
// The Parity report: what ran, on what, and what came out (checks and raw bench samples).
// This header is the in-memory model; report.cpp maps it to HDF5 (layout in SCHEMA.md).
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace parity::reports {

// Bumped when the file layout changes in a way an older reader cannot follow. This build writes
// version 2 and reads versions 1 and 2.
inline constexpr int kSchemaVersion = 2;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Run metadata: ordered key/value strings, stored as string attributes.
// Keys the harness sets: kind ("check"|"bench"), tool_version, git_sha, date_utc (ISO 8601),
// command_line, compiler, cxx_flags, build_type, cpu_model, cpu_isa, cpu_cores, os,
// gpu (name or "none"), gpu_driver, cuda_runtime, cuda_built ("yes"|"no").
struct Metadata {
  std::vector<std::pair<std::string, std::string>> entries;
  void set(const std::string& key, const std::string& value);  // replaces if present
  std::string get(const std::string& key) const;               // "" when absent
  bool has(const std::string& key) const;
};

struct CheckRecord {
  std::string key;  // unique in a report; e.g. "add|float32|cpu|(2,3)x(3,)|contiguous|forward"
  // The case's identity, field by field (the key is derived from these).
  std::string op, dtype, device, shapes, layout, mode;  // mode: "forward", "grad", "error"
  std::string engine = "tensor";  // the engine judged: "tensor" (against the reference or
                                  // torch goldens), "array" (against NumPy goldens)
  std::string params;             // op parameters as a JSON object ("" when none)
  std::string reference;          // what it was compared with, e.g. "array", "finite-difference"
  std::string status;             // "pass" | "fail" | "skip" | "divergent" (agrees with its own
                                  // library's rule where NumPy and PyTorch differ by design)
  double max_abs_err = kNaN, max_rel_err = kNaN, max_ulp = kNaN, budget = kNaN;  // NaN: n/a
  std::string message;  // why it failed / was skipped / diverges; "" on a plain pass
};

struct BenchRecord {
  std::string key;  // unique; e.g. "add|float32|cpu|1048576"
  std::string op, dtype, device, shape;
  std::int64_t numel = 0;
  std::string engine;           // "array", "tensor", "numpy", "torch" ("" = from device)
  std::string timer;            // "wall" (host steady clock) or "cuda-event"
  double bytes = 0, flops = 0;  // per iteration, from the op spec's cost model
  std::vector<double> samples;  // seconds per iteration, one per repetition (raw)
  // Load-independent measures per iteration, by name: "instructions", "allocations",
  // "bytes_allocated", "kernel_launches", "syncs". Empty when not measured.
  std::vector<std::pair<std::string, double>> counters;
  std::string counter_source;  // how counters were taken: "perf_event", "callgrind", "count"
  // Derived from samples (also written to the file for readers). NaN when samples is empty;
  // stddev is the sample standard deviation (n-1), NaN for fewer than 2 samples.
  double median() const;
  double mean() const;
  double min() const;
  double stddev() const;
  double gbps() const;    // bytes / median / 1e9
  double gflops() const;  // flops / median / 1e9
};

struct Report {
  Metadata meta;
  std::vector<CheckRecord> checks;
  std::vector<BenchRecord> benches;
  // How the harness builds `key` from the identity fields (1: op|dtype|device|shapes|layout|mode
  // for checks, op|dtype|device|shape for benches). Stored as /parity@key_format; a reader that
  // meets two reports of different key formats should match cases on the fields, not the key.
  int key_format = 1;
};

// Refuses, with a one-line parity::ValueError, an output path a report cannot be written to:
// empty; naming an existing folder, device, FIFO or socket (a regular file is replaced); in a
// folder that is missing or not writable; a file name longer than the folder allows. The CLI
// calls it before a run, so that a bad -o fails in a second, not after the whole run.
void check_output_path(const std::string& path);

// Writes the report to a temporary file beside `path` (registered with register_temporary()
// while it exists), syncs it, reads it back and matches its content checksum, and only then
// renames it over `path`: a failed write (full disk, I/O error) never replaces or damages the
// report already at `path`, and leaves no temporary behind.
// Throws parity::ValueError before touching the disk for what check_output_path() refuses and
// for a report the reader would refuse (duplicated keys, a status other than pass, fail, skip or
// divergent, a sample that is not a finite non-negative time, a `kind` that disagrees with the
// records, metadata with an empty key or a NUL byte); parity::RuntimeError with a one-line
// message when the disk or HDF5 fails.
void write_report(const Report& report, const std::string& path);

// Throws parity::ValueError with a one-line message for: missing file, not a regular file
// ("FILE is not a regular file": a FIFO, a directory), not HDF5, HDF5 but not a Parity report
// ("FILE is not a Parity report (no /parity group)"), schema version newer than kSchemaVersion,
// a `kind` attribute that disagrees with the content (a "check" report with bench records, or
// the reverse), content that does not match its checksum (version 2), and a corrupt report: missing or
// mistyped datasets/fields, variable-length strings, sizes the file cannot hold, soft or external links, data
// or metadata that fails HDF5's checksums. Damage (flipped bytes, truncation) is caught by those checksums:
// an error, never a crash. Never prints HDF5's own error stack.
Report read_report(const std::string& path);

}  // namespace parity::reports
