#pragma once
// Schema version 2 as plain arrays (internal to reports/): a Report is encoded into the exact
// datasets the file holds (an Image), and an Image becomes a ReportTable (its arrays moved, not
// copied), so that the writer, the reader and the content checksum all work on one
// representation. HDF5 only moves Images to and from disk.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/report.h"
#include "reports/report_table.h"

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
// The report as columns (report_table.cpp). Throws Corrupt for out-of-range ids, offsets or
// dims, bad statuses, samples that are not times, duplicated keys, a kind that disagrees with
// the records.
ReportTable table_from_image(Image&& image, Metadata meta);

// Writes into `out` the shapes text of one row ("(2,3)x(3,)" then `rest`) from `count` values
// of `dims` at `offset`; throws Corrupt for a count, rank or range the array cannot hold.
void decode_shapes(std::string& out, const std::vector<std::int64_t>& dims, std::int64_t offset,
                   std::int64_t count, std::string_view rest);

// CRC-32 (zlib's) over the metadata and every dataset, as SCHEMA.md defines it.
std::uint32_t checksum(const Metadata& meta, const Image& image);

// The rules both the writer (before writing) and the reader (after reading) hold a report to;
// returns "" when the report is fine, else what is wrong.
std::string check_kind(const Report& r);
std::string check_kind(const Metadata& meta, std::size_t n_checks, std::size_t n_benches);
std::string duplicate_key(const std::vector<CheckRecord>& records);  // "" when none
std::string duplicate_key(const std::vector<BenchRecord>& records);
std::string check_status(std::string_view status);
std::string check_sample(double v);

// A key that appears twice among key_at(0) .. key_at(n - 1), or "" when all are distinct.
// Hashes sorted, then equal neighbours compared: no node per key, unlike a hash set (a
// 1M-case report spent a fifth of its read time in std::unordered_set).
template <class KeyAt>
std::string duplicate_key_of(std::size_t n, const KeyAt& key_at) {
  std::vector<std::pair<std::size_t, std::size_t>> h(n);
  const std::hash<std::string_view> hash;
  for (std::size_t i = 0; i < n; ++i) h[i] = {hash(std::string_view(key_at(i))), i};
  std::sort(h.begin(), h.end());
  for (std::size_t i = 1; i < h.size(); ++i) {
    // Equal hashes form a run; compare every pair within it (runs are tiny).
    for (std::size_t j = i; j > 0 && h[j - 1].first == h[i].first; --j)
      if (std::string_view(key_at(h[j - 1].second)) == std::string_view(key_at(h[i].second)))
        return std::string(key_at(h[i].second));
  }
  return "";
}

}  // namespace parity::reports::format

namespace parity::reports::format {

// Reads a report (either schema version) and, for version 2, returns the checksum the file
// stores (it has already been matched against the content). Used by read_report(),
// read_report_table() and by the writer to verify its temporary file; with `decode` false a
// version 2 file is read and its checksum matched, but no rows are built (the table holds only
// the metadata). `checksum` is 0 for version 1 files.
ReportTable read_file(const std::string& path, std::uint32_t& checksum, bool decode = true);

// Chunk size and compression of every dataset Parity writes (SCHEMA.md, Integrity).
inline constexpr std::size_t kChunkBytes = 256 * 1024;
inline constexpr unsigned kDeflateLevel = 4;

}  // namespace parity::reports::format
