#pragma once
// Schema version 2 as plain arrays (internal to reports/): a Report is encoded into the exact
// datasets the file holds (an Image) and decoded back, so that the writer, the reader and the
// content checksum all work on one representation. HDF5 only moves Images to and from disk.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "reports/report.h"

namespace parity::reports::format {

// How the harness builds keys (op|dtype|device|shapes|layout|mode for checks,
// op|dtype|device|shape for benches); stored as /parity@key_format.
inline constexpr int kKeyFormat = 1;

// Thrown by decode() for content that cannot be a report; the reader turns it into a
// ValueError that names the file.
struct Corrupt : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Kind { Id, Int, Real };  // Id: uint32 index into the string table

struct Column {
  const char* name;
  Kind kind;
  std::vector<std::uint32_t> ids;
  std::vector<std::int64_t> ints;
  std::vector<double> reals;

  std::size_t size() const;
  std::size_t element_size() const { return kind == Kind::Id ? 4 : 8; }
  const void* data() const;
  void* resize(std::size_t n);  // returns the data, n elements
};

struct Image {
  std::string strings;                       // every distinct string, back to back
  std::vector<std::int64_t> string_offsets;  // n_strings + 1; string 0 is ""
  std::vector<std::int64_t> shape_dims;      // per operand: ndim, then the dims
  std::vector<Column> checks, benches;       // the file's columns, in file order
  std::vector<double> bench_samples;
  std::vector<std::uint32_t> bench_counter_names;
  std::vector<double> bench_counter_values;
};

// The columns of /parity/checks and /parity/benches, empty, in the order of SCHEMA.md (which is
// also the order the checksum covers them).
std::vector<Column> check_columns();
std::vector<Column> bench_columns();

Image encode(const Report& r);
// Throws Corrupt for out-of-range ids, offsets or dims, bad statuses, samples that are not
// times, duplicated keys, a kind that disagrees with the records.
Report decode(Image&& image, Metadata meta);

// CRC-32 (zlib's) over the metadata and every dataset, as SCHEMA.md defines it.
std::uint32_t checksum(const Metadata& meta, const Image& image);

// The rules both the writer (before writing) and the reader (after reading) hold a report to;
// returns "" when the report is fine, else what is wrong.
std::string check_kind(const Report& r);
std::string duplicate_key(const std::vector<CheckRecord>& records);  // "" when none
std::string duplicate_key(const std::vector<BenchRecord>& records);
std::string check_status(const std::string& status);
std::string check_sample(double v);

}  // namespace parity::reports::format

namespace parity::reports::format {

// Reads a report (either schema version) and, for version 2, returns the checksum the file
// stores (it has already been matched against the content). Used by read_report() and by the
// writer to verify its temporary file; with `decode` false a version 2 file is read and its
// checksum matched, but no records are built (the Report holds only the metadata). `checksum`
// is 0 for version 1 files.
Report read_file(const std::string& path, std::uint32_t& checksum, bool decode = true);

// Chunk size and compression of every dataset Parity writes (SCHEMA.md, Integrity).
inline constexpr std::size_t kChunkBytes = 256 * 1024;
inline constexpr unsigned kDeflateLevel = 4;

}  // namespace parity::reports::format
