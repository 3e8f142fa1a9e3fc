// HDF5 writer and reader for the Parity report (layout documented in reports/SCHEMA.md).
// Uses the HDF5 C API directly; every handle is owned by a small RAII wrapper so that an
// exception anywhere closes the file before the temporary is removed.
#include "reports/report.h"
#include "reports/temporaries.h"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "engine/spec/error.h"
#include "reports/report_detail.h"

namespace parity::reports {

// ---------------------------------------------------------------------------------------------
// Metadata and derived statistics

void Metadata::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = value;
      return;
    }
  }
  entries.emplace_back(key, value);
}

std::string Metadata::get(const std::string& key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return v;
  }
  return "";
}

bool Metadata::has(const std::string& key) const {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const auto& kv) { return kv.first == key; });
}

double BenchRecord::median() const {
  if (samples.empty()) return kNaN;
  std::vector<double> s = samples;
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double BenchRecord::mean() const {
  if (samples.empty()) return kNaN;
  return std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double BenchRecord::min() const {
  if (samples.empty()) return kNaN;
  return *std::min_element(samples.begin(), samples.end());
}

double BenchRecord::stddev() const {
  if (samples.size() < 2) return kNaN;
  const double m = mean();
  double ss = 0;
  for (double x : samples) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(samples.size() - 1));
}

double BenchRecord::gbps() const {
  const double med = median();
  // A zero or missing median has no meaningful rate, nor has a case that moves no bytes
  // (a zero-copy wrap); NaN renders as "n/a".
  return med > 0 && bytes > 0 ? bytes / med / 1e9 : kNaN;
}

double BenchRecord::gflops() const {
  const double med = median();
  return med > 0 && flops > 0 ? flops / med / 1e9 : kNaN;
}

namespace detail {
std::function<void(const std::string&)>& write_hook_for_testing() {
  static std::function<void(const std::string&)> hook;
  return hook;
}
}  // namespace detail

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// HDF5 plumbing

// Silences HDF5's automatic error-stack printing for the duration of a call and restores the
// caller's setting afterwards: failures become our exceptions, never stderr noise.
class SilenceHdf5Errors {
 public:
  SilenceHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~SilenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  SilenceHdf5Errors(const SilenceHdf5Errors&) = delete;
  SilenceHdf5Errors& operator=(const SilenceHdf5Errors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and reports whether the close succeeded (a file close flushes, so it can fail).
  bool close() {
    bool ok = true;
    if (id_ >= 0) ok = closer_(id_) >= 0;
    id_ = H5I_INVALID_HID;
    return ok;
  }

 private:
  void reset() {
    if (id_ >= 0) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

Handle type_handle(hid_t id) { return Handle(id, H5Tclose); }
Handle space_handle(hid_t id) { return Handle(id, H5Sclose); }
Handle plist_handle(hid_t id) { return Handle(id, H5Pclose); }
Handle group_handle(hid_t id) { return Handle(id, H5Gclose); }
Handle dataset_handle(hid_t id) { return Handle(id, H5Dclose); }
Handle attr_handle(hid_t id) { return Handle(id, H5Aclose); }

// Fixed-length string type of `size` bytes (terminator included). Strings are stored fixed-length
// because variable-length ones live in HDF5's global heap, which has no checksum: a damaged
// length there makes HDF5 itself read out of bounds.
Handle fixed_string_type(std::size_t size, H5T_str_t pad = H5T_STR_NULLTERM,
                         H5T_cset_t cset = H5T_CSET_UTF8) {
  Handle t = type_handle(H5Tcopy(H5T_C_S1));
  if (!t.valid() || H5Tset_size(t.get(), size) < 0 || H5Tset_strpad(t.get(), pad) < 0 ||
      H5Tset_cset(t.get(), cset) < 0) {
    return Handle();
  }
  return t;
}

// The value of a fixed-length string read as raw bytes: up to the first NUL (NULLTERM and
// NULLPAD), less trailing blanks for SPACEPAD (how Fortran-style writers pad).
std::string trim_fixed_string(std::string s, H5T_str_t pad) {
  const auto end = s.find('\0');
  if (end != std::string::npos) s.resize(end);
  if (pad == H5T_STR_SPACEPAD) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
  }
  return s;
}

// File access. HDF5 1.10 locks files, which fails outright on file systems without lock support
// (some network mounts); where the library allows it, such a failure is ignored (our own atomic
// rename already keeps readers from seeing a half-written report). Writing uses the 1.10 file
// format only: superblock v3 and v2 object headers, B-trees, heaps and chunk indexes all carry
// checksums that HDF5 verifies when it reads them.
Handle file_access(bool for_write) {
  Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid()) return fapl;
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
  H5Pset_file_locking(fapl.get(), true, true);
#endif
  if (for_write && H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) {
    return Handle();
  }
  return fapl;
}

// Rows per chunk aim at this many bytes (HDF5 advises chunks of 10 KiB to 1 MiB); every chunk
// carries its own Fletcher32 checksum.
constexpr std::size_t kChunkBytes = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Tables. One field list per dataset drives the writer's types and the reader's validation, so
// the two cannot drift apart. In between, rows travel column by column.

enum class FieldKind { String, Float64, Int64 };
struct Field {
  const char* name;
  FieldKind kind;
};

constexpr Field kCheckFields[] = {
    {"key", FieldKind::String},          {"op", FieldKind::String},
    {"dtype", FieldKind::String},        {"device", FieldKind::String},
    {"shapes", FieldKind::String},       {"layout", FieldKind::String},
    {"mode", FieldKind::String},         {"reference", FieldKind::String},
    {"status", FieldKind::String},       {"max_abs_err", FieldKind::Float64},
    {"max_rel_err", FieldKind::Float64}, {"max_ulp", FieldKind::Float64},
    {"budget", FieldKind::Float64},      {"message", FieldKind::String},
};

constexpr Field kBenchFields[] = {
    {"key", FieldKind::String},         {"op", FieldKind::String},
    {"dtype", FieldKind::String},       {"device", FieldKind::String},
    {"shape", FieldKind::String},       {"numel", FieldKind::Int64},
    {"timer", FieldKind::String},       {"bytes", FieldKind::Float64},
    {"flops", FieldKind::Float64},      {"sample_offset", FieldKind::Int64},
    {"sample_count", FieldKind::Int64}, {"median", FieldKind::Float64},
    {"mean", FieldKind::Float64},       {"min", FieldKind::Float64},
    {"stddev", FieldKind::Float64},     {"gbps", FieldKind::Float64},
    {"gflops", FieldKind::Float64},
};

// The reader does not need these bench fields; the derived statistics are recomputed from the
// samples so a file edited by hand cannot make them disagree.
constexpr std::string_view kDerivedBenchFields[] = {"median", "mean", "min",
                                                    "stddev", "gbps", "gflops"};

bool is_derived_bench_field(const char* name) {
  return std::find(std::begin(kDerivedBenchFields), std::end(kDerivedBenchFields),
                   std::string_view(name)) != std::end(kDerivedBenchFields);
}

struct Column {
  const Field* field = nullptr;
  std::vector<std::string> strings;  // FieldKind::String
  std::vector<double> reals;         // FieldKind::Float64
  std::vector<std::int64_t> ints;    // FieldKind::Int64

  std::size_t size() const {
    switch (field->kind) {
      case FieldKind::String:
        return strings.size();
      case FieldKind::Float64:
        return reals.size();
      case FieldKind::Int64:
        return ints.size();
    }
    return 0;
  }
};

class Table {
 public:
  // The columns of `fields`, less those `skip` names (fields a reader does not need).
  template <std::size_t N>
  explicit Table(const Field (&fields)[N], bool (*skip)(const char*) = nullptr) {
    for (const Field& f : fields) {
      if (skip && skip(f.name)) continue;
      columns_.push_back(Column{&f, {}, {}, {}});
    }
  }

  std::vector<Column>& columns() { return columns_; }
  const std::vector<Column>& columns() const { return columns_; }

  void put(std::string_view name, const std::string& v) {
    col(name, FieldKind::String).strings.push_back(v);
  }
  void put(std::string_view name, double v) { col(name, FieldKind::Float64).reals.push_back(v); }
  void put(std::string_view name, std::int64_t v) { col(name, FieldKind::Int64).ints.push_back(v); }

  std::vector<std::string>& strings(std::string_view name) {
    return col(name, FieldKind::String).strings;
  }
  const std::vector<double>& reals(std::string_view name) {
    return col(name, FieldKind::Float64).reals;
  }
  const std::vector<std::int64_t>& ints(std::string_view name) {
    return col(name, FieldKind::Int64).ints;
  }

 private:
  // A name or kind not in the field list is a bug in this file, not bad input.
  Column& col(std::string_view name, FieldKind kind) {
    for (Column& c : columns_) {
      if (name == c.field->name) {
        if (c.field->kind != kind) break;
        return c;
      }
    }
    throw std::logic_error("report table has no " + std::string(name) + " column of that kind");
  }

  std::vector<Column> columns_;
};

// ---------------------------------------------------------------------------------------------
// Writer

class Writer {
 public:
  Writer(std::string path, std::string temp) : path_(std::move(path)), temp_(std::move(temp)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw RuntimeError("cannot write report '" + path_ + "': HDF5 failed to " + what);
  }
  hid_t need(hid_t id, const std::string& what) const {
    if (id < 0) fail(what);
    return id;
  }
  void need_ok(herr_t rc, const std::string& what) const {
    if (rc < 0) fail(what);
  }

  void write(const Report& r) {
    Handle fapl = file_access(true);
    if (!fapl.valid()) fail("set up file access (1.10 file format)");
    Handle file(H5Fcreate(temp_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), H5Fclose);
    if (!file.valid()) {
      throw RuntimeError("cannot write report '" + path_ + "': cannot create temporary file '" +
                         temp_ + "'");
    }
    Handle root =
        group_handle(need(H5Gcreate2(file.get(), "parity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                          "create group /parity"));
    write_int_attr(root.get(), "schema_version", kSchemaVersion);
    write_meta(root.get(), r.meta);
    write_checks(root.get(), r.checks);
    write_benches(root.get(), r.benches);
    root.close();
    need_ok(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush the file");
    if (!file.close()) fail("close the file");
  }

 private:
  void write_int_attr(hid_t loc, const char* name, int value) {
    Handle space = space_handle(need(H5Screate(H5S_SCALAR), "create a dataspace"));
    Handle attr = attr_handle(
        need(H5Acreate2(loc, name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
             std::string("create attribute ") + name));
    need_ok(H5Awrite(attr.get(), H5T_NATIVE_INT, &value), std::string("write attribute ") + name);
  }

  void write_string_attr(hid_t loc, const std::string& name, const std::string& value) {
    Handle str = fixed_string_type(value.size() + 1);
    if (!str.valid()) fail("create a string type");
    Handle space = space_handle(need(H5Screate(H5S_SCALAR), "create a dataspace"));
    Handle attr = attr_handle(
        need(H5Acreate2(loc, name.c_str(), str.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
             "create attribute '" + name + "'"));
    need_ok(H5Awrite(attr.get(), str.get(), value.c_str()), "write attribute '" + name + "'");
  }

  void write_meta(hid_t root, const Metadata& meta) {
    // Tracking creation order keeps the metadata in the order the harness set it.
    Handle gcpl = plist_handle(need(H5Pcreate(H5P_GROUP_CREATE), "create a property list"));
    need_ok(H5Pset_attr_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track attribute order");
    // Compact storage keeps the attributes inside the group's object header, which is
    // checksummed; HDF5's default switches to dense storage past 8 attributes, where values over
    // 4 KiB become fractal-heap "huge" objects without a checksum. (A single value of 64 KiB or
    // more still goes dense: an object header message cannot hold it.)
    need_ok(H5Pset_attr_phase_change(gcpl.get(), 65535, 0), "keep attributes compact");
    Handle g = group_handle(need(H5Gcreate2(root, "meta", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                                 "create group /parity/meta"));
    for (const auto& [k, v] : meta.entries) write_string_attr(g.get(), k, v);
  }

  // A 1-D dataset of n elements, chunked (also when empty: the unlimited maximum size allows a
  // 0-row chunked dataset) with every chunk checksummed by the Fletcher32 filter.
  void write_dataset(hid_t loc, const char* name, hid_t file_type, hid_t mem_type, std::size_t n,
                     std::size_t element_size, const void* data) {
    const std::string what = std::string("/parity/") + name;
    const hsize_t dims[1] = {static_cast<hsize_t>(n)};
    const hsize_t max_dims[1] = {H5S_UNLIMITED};
    Handle space = space_handle(need(H5Screate_simple(1, dims, max_dims), "create a dataspace"));
    Handle dcpl = plist_handle(need(H5Pcreate(H5P_DATASET_CREATE), "create a property list"));
    const std::size_t per_chunk = std::clamp<std::size_t>(
        kChunkBytes / std::max<std::size_t>(element_size, 1), 1, std::max<std::size_t>(n, 1));
    const hsize_t chunk[1] = {static_cast<hsize_t>(per_chunk)};
    need_ok(H5Pset_chunk(dcpl.get(), 1, chunk), "set the chunk size of " + what);
    need_ok(H5Pset_fletcher32(dcpl.get()), "add the Fletcher32 filter to " + what);
    Handle ds = dataset_handle(
        need(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
             "create dataset " + what));
    if (n > 0) {
      need_ok(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
              "write dataset " + what);
    }
  }

  // Rows are packed in field order; each string column is as wide as its longest value plus a
  // terminator (at least 1 byte), NUL-padded.
  void write_table(hid_t root, const char* name, const Table& table, std::size_t n) {
    const std::string what = std::string("/parity/") + name;
    const std::vector<Column>& cols = table.columns();
    std::vector<std::size_t> sizes, offsets;
    std::size_t row_size = 0;
    for (const Column& c : cols) {
      if (c.size() != n) throw std::logic_error("report table " + what + " has ragged columns");
      std::size_t size = 8;
      if (c.field->kind == FieldKind::String) {
        size = 1;
        for (const std::string& s : c.strings) size = std::max(size, s.size() + 1);
      }
      offsets.push_back(row_size);
      sizes.push_back(size);
      row_size += size;
    }
    Handle mem = type_handle(need(H5Tcreate(H5T_COMPOUND, row_size), "build the type of " + what));
    Handle file = type_handle(need(H5Tcreate(H5T_COMPOUND, row_size), "build the type of " + what));
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const char* field = cols[i].field->name;
      Handle str;
      hid_t mem_member = H5T_NATIVE_DOUBLE, file_member = H5T_IEEE_F64LE;
      if (cols[i].field->kind == FieldKind::Int64) {
        mem_member = H5T_NATIVE_INT64;
        file_member = H5T_STD_I64LE;
      } else if (cols[i].field->kind == FieldKind::String) {
        str = fixed_string_type(sizes[i]);
        if (!str.valid()) fail("create a string type");
        mem_member = file_member = str.get();
      }
      need_ok(H5Tinsert(mem.get(), field, offsets[i], mem_member), "build the type of " + what);
      need_ok(H5Tinsert(file.get(), field, offsets[i], file_member), "build the type of " + what);
    }
    std::vector<unsigned char> buf(n * row_size, 0);  // zeros: the strings' NUL padding
    for (std::size_t r = 0; r < n; ++r) {
      unsigned char* row = buf.data() + r * row_size;
      for (std::size_t i = 0; i < cols.size(); ++i) {
        unsigned char* cell = row + offsets[i];
        switch (cols[i].field->kind) {
          case FieldKind::String:
            std::memcpy(cell, cols[i].strings[r].data(), cols[i].strings[r].size());
            break;
          case FieldKind::Float64:
            std::memcpy(cell, &cols[i].reals[r], 8);
            break;
          case FieldKind::Int64:
            std::memcpy(cell, &cols[i].ints[r], 8);
            break;
        }
      }
    }
    write_dataset(root, name, file.get(), mem.get(), n, row_size, buf.data());
  }

  void write_checks(hid_t root, const std::vector<CheckRecord>& checks) {
    Table t(kCheckFields);
    for (const CheckRecord& c : checks) {
      t.put("key", c.key);
      t.put("op", c.op);
      t.put("dtype", c.dtype);
      t.put("device", c.device);
      t.put("shapes", c.shapes);
      t.put("layout", c.layout);
      t.put("mode", c.mode);
      t.put("reference", c.reference);
      t.put("status", c.status);
      t.put("max_abs_err", c.max_abs_err);
      t.put("max_rel_err", c.max_rel_err);
      t.put("max_ulp", c.max_ulp);
      t.put("budget", c.budget);
      t.put("message", c.message);
    }
    write_table(root, "checks", t, checks.size());
  }

  void write_benches(hid_t root, const std::vector<BenchRecord>& benches) {
    Table t(kBenchFields);
    std::vector<double> samples;
    for (const BenchRecord& b : benches) {
      t.put("key", b.key);
      t.put("op", b.op);
      t.put("dtype", b.dtype);
      t.put("device", b.device);
      t.put("shape", b.shape);
      t.put("numel", b.numel);
      t.put("timer", b.timer);
      t.put("bytes", b.bytes);
      t.put("flops", b.flops);
      t.put("sample_offset", static_cast<std::int64_t>(samples.size()));
      t.put("sample_count", static_cast<std::int64_t>(b.samples.size()));
      t.put("median", b.median());
      t.put("mean", b.mean());
      t.put("min", b.min());
      t.put("stddev", b.stddev());
      t.put("gbps", b.gbps());
      t.put("gflops", b.gflops());
      samples.insert(samples.end(), b.samples.begin(), b.samples.end());
    }
    write_table(root, "benches", t, benches.size());

    write_dataset(root, "bench_samples", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, samples.size(),
                  sizeof(double), samples.data());
    // Units travel with the data so h5dump readers need not consult SCHEMA.md.
    Handle ds = dataset_handle(
        need(H5Dopen2(root, "bench_samples", H5P_DEFAULT), "open /parity/bench_samples"));
    write_string_attr(ds.get(), "units", "seconds per iteration");
  }

  std::string path_;
  std::string temp_;
};

// Validation that needs no disk: duplicated keys would make compare() ambiguous, and HDF5
// attribute names must be unique and non-empty.
void validate_for_write(const Report& r) {
  std::set<std::string> seen;
  for (const auto& [k, v] : r.meta.entries) {
    if (k.empty()) throw ValueError("report metadata has an empty key; give every entry a name");
    if (!seen.insert(k).second) {
      throw ValueError("report metadata key '" + k + "' appears twice; use Metadata::set");
    }
  }
  seen.clear();
  for (const CheckRecord& c : r.checks) {
    if (!seen.insert(c.key).second) {
      throw ValueError("check key '" + c.key +
                       "' appears twice in the report; keys must be unique");
    }
  }
  seen.clear();
  for (const BenchRecord& b : r.benches) {
    if (!seen.insert(b.key).second) {
      throw ValueError("bench key '" + b.key +
                       "' appears twice in the report; keys must be unique");
    }
  }
}

// Pushes the temp file's bytes to disk before the rename, so a crash right after the rename
// cannot expose an empty or partial file under the final name.
void sync_file(const std::string& p) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// ---------------------------------------------------------------------------------------------
// Reader
//
// A report may be damaged, so nothing read from it is trusted before it is checked: HDF5
// verifies the checksums of the metadata and of every chunk (in files this writer makes), and
// every size is held against the file's own size before anything is allocated. (A file crafted
// with valid checksums still reaches HDF5's own parsers; those are HDF5's to harden.)

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void corrupt(const std::string& what) const {
    throw ValueError(path_ + " is a corrupt Parity report: " + what);
  }

  Report read() {
    open_file();
    const htri_t has_parity = H5Lexists(file_.get(), "parity", H5P_DEFAULT);
    if (has_parity < 0) corrupt("cannot read the root group");
    if (has_parity == 0) not_parity();
    require_hard_link(file_.get(), "parity", "/parity");
    // A /parity that is not a group (a dataset) is someone else's; one that cannot be opened
    // is damaged.
    Handle root(H5Oopen(file_.get(), "parity", H5P_DEFAULT), H5Oclose);
    if (!root.valid()) corrupt("cannot open /parity");
    if (H5Iget_type(root.get()) != H5I_GROUP) not_parity();

    check_schema_version(root.get());
    Report r;
    r.meta = read_meta(root.get());
    r.checks = read_checks(root.get());
    r.benches = read_benches(root.get());
    return r;
  }

 private:
  [[noreturn]] void not_parity() const {
    throw ValueError(path_ + " is not a Parity report (no /parity group)");
  }

  void open_file() {
    std::error_code ec;
    const fs::file_status st = fs::status(path_, ec);
    if (st.type() == fs::file_type::not_found) {
      throw ValueError("report file '" + path_ + "' does not exist");
    }
    if (ec) throw ValueError("cannot read report file '" + path_ + "' (" + ec.message() + ")");
    // Only a regular file can be a report: opening a FIFO would block, a directory or a device
    // is never one.
    if (!fs::is_regular_file(st)) throw ValueError(path_ + " is not a regular file");
    file_size_ = fs::file_size(path_, ec);
    if (ec) throw ValueError("cannot read report file '" + path_ + "' (" + ec.message() + ")");
    const htri_t is_h5 = H5Fis_hdf5(path_.c_str());
    if (is_h5 == 0) throw ValueError(path_ + " is not an HDF5 file");
    if (is_h5 < 0) throw ValueError("cannot read report file '" + path_ + "' (check permissions)");
    Handle fapl = file_access(false);
    file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.valid() ? fapl.get() : H5P_DEFAULT),
                   H5Fclose);
    if (!file_.valid()) {
      throw ValueError("cannot open report file '" + path_ +
                       "' (is it damaged, or open for writing elsewhere?)");
    }
  }

  // Refuses `count` items of `item_size` bytes when the file could not hold them: a damaged
  // dataspace or type must fail here, not in the allocator. Rows Parity writes are stored
  // uncompressed, so they cannot exceed the file; a foreign writer's compression filter gets
  // room for deflate's best ratio (about 1:1000).
  void check_fits(hsize_t count, std::size_t item_size, bool compressed, const std::string& what) {
    const std::uintmax_t limit =
        compressed ? std::max<std::uintmax_t>(file_size_, 1) * 1024 : file_size_;
    if (item_size != 0 && count > limit / item_size) {
      corrupt(what + " claims " + std::to_string(count) + " elements of " +
              std::to_string(item_size) + " bytes, more than the file holds");
    }
  }

  // Whether a dataset's filters may shrink its data (anything but checksums and shuffling).
  static bool has_compression(hid_t ds) {
    Handle dcpl = plist_handle(H5Dget_create_plist(ds));
    if (!dcpl.valid()) return false;
    const int n = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < n; ++i) {
      unsigned flags = 0;
      std::size_t nelmts = 0;
      unsigned config = 0;
      const H5Z_filter_t f = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelmts,
                                            nullptr, 0, nullptr, &config);
      if (f != H5Z_FILTER_FLETCHER32 && f != H5Z_FILTER_SHUFFLE) return true;
    }
    return false;
  }

  void check_schema_version(hid_t root) {
    if (H5Aexists(root, "schema_version") <= 0) corrupt("/parity has no schema_version attribute");
    Handle attr = attr_handle(H5Aopen(root, "schema_version", H5P_DEFAULT));
    if (!attr.valid()) corrupt("cannot open attribute /parity/schema_version");
    Handle t = type_handle(H5Aget_type(attr.get()));
    Handle space = space_handle(H5Aget_space(attr.get()));
    if (!t.valid() || H5Tget_class(t.get()) != H5T_INTEGER || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1) {
      corrupt("/parity/schema_version is not a single integer");
    }
    long long version = 0;
    if (H5Aread(attr.get(), H5T_NATIVE_LLONG, &version) < 0) {
      corrupt("cannot read /parity/schema_version");
    }
    if (version > kSchemaVersion) {
      throw ValueError(path_ + " has report schema version " + std::to_string(version) +
                       ", newer than this build reads (" + std::to_string(kSchemaVersion) +
                       "); update Parity to read it");
    }
    if (version < 1) corrupt("schema_version " + std::to_string(version) + " is not valid");
  }

  // Variable-length strings are refused rather than read: their bytes live in the global heap,
  // which has no checksum, and HDF5 1.10 reads a damaged heap entry out of bounds.
  [[noreturn]] void variable_length(const std::string& where) const {
    corrupt(where +
            " is a variable-length string (Parity reports store fixed-length strings; "
            "see reports/SCHEMA.md)");
  }

  std::string read_string_attr(hid_t attr, const std::string& where) {
    Handle t = type_handle(H5Aget_type(attr));
    Handle space = space_handle(H5Aget_space(attr));
    if (!t.valid() || H5Tget_class(t.get()) != H5T_STRING || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1) {
      corrupt(where + " is not a single string");
    }
    if (H5Tis_variable_str(t.get()) != 0) variable_length(where);
    const std::size_t n = H5Tget_size(t.get());
    check_fits(1, n, false, where);
    const H5T_str_t pad = H5Tget_strpad(t.get());
    // A memory type equal to the file's (size, padding, character set) reads the bytes as
    // they are; a narrower one would make HDF5 drop the last byte for a terminator.
    Handle mem = fixed_string_type(n, pad, H5Tget_cset(t.get()));
    std::string s(n, '\0');
    if (n == 0 || !mem.valid() || H5Aread(attr, mem.get(), s.data()) < 0) {
      corrupt("cannot read " + where);
    }
    return trim_fixed_string(std::move(s), pad);
  }

  static herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* op_data) noexcept {
    try {
      static_cast<std::vector<std::string>*>(op_data)->emplace_back(name);
      return 0;
    } catch (...) {
      return -1;
    }
  }

  Metadata read_meta(hid_t root) {
    Handle g = open_object(root, "meta", H5I_GROUP);
    // Files written by other tools may not track creation order; fall back to name order.
    unsigned order_flags = 0;
    {
      Handle gcpl = plist_handle(H5Gget_create_plist(g.get()));
      if (gcpl.valid()) H5Pget_attr_creation_order(gcpl.get(), &order_flags);
    }
    const H5_index_t index =
        (order_flags & H5P_CRT_ORDER_TRACKED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    std::vector<std::string> names;
    hsize_t idx = 0;
    if (H5Aiterate2(g.get(), index, H5_ITER_INC, &idx, collect_name, &names) < 0) {
      corrupt("cannot list the attributes of /parity/meta");
    }
    Metadata meta;
    for (const std::string& name : names) {
      Handle attr = attr_handle(H5Aopen(g.get(), name.c_str(), H5P_DEFAULT));
      if (!attr.valid()) corrupt("cannot open attribute '" + name + "' of /parity/meta");
      meta.entries.emplace_back(
          name, read_string_attr(attr.get(), "/parity/meta attribute '" + name + "'"));
    }
    return meta;
  }

  // Soft and external links are not followed: an external link would make HDF5 open another
  // file, which need not be a regular file or exist at all.
  void require_hard_link(hid_t loc, const char* name, const std::string& where) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) corrupt("cannot look up " + where);
    if (info.type != H5L_TYPE_HARD) corrupt(where + " is a soft or external link");
  }

  // Opens /parity/NAME, a group or a dataset. A missing object, one of the wrong kind and one
  // that cannot be opened (a damaged object header fails its checksum) are told apart.
  Handle open_object(hid_t root, const char* name, H5I_type_t type) {
    const std::string where = std::string("/parity/") + name;
    const char* kind = type == H5I_GROUP ? "group" : "dataset";
    const htri_t exists = H5Lexists(root, name, H5P_DEFAULT);
    if (exists < 0) corrupt("cannot look up " + where);
    if (exists == 0) corrupt(std::string(kind) + " " + where + " is missing");
    require_hard_link(root, name, where);
    Handle h(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
    if (!h.valid()) corrupt("cannot open " + where);
    if (H5Iget_type(h.get()) != type) corrupt(where + " is not a " + kind);
    return h;
  }

  // Opens a 1-D dataset and returns its length.
  Handle open_1d(hid_t root, const char* name, hsize_t& length) {
    const std::string where = std::string("/parity/") + name;
    Handle ds = open_object(root, name, H5I_DATASET);
    Handle space = space_handle(H5Dget_space(ds.get()));
    hsize_t dims[1] = {0};
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 1 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) {
      corrupt(where + " is not one-dimensional");
    }
    length = dims[0];
    return ds;
  }

  // Reads the columns of `table` from the compound dataset `name`. Fields are found by name
  // (extra fields in the file are ignored); each string field is read with a memory type of
  // the file's own size, so any width is accepted.
  void read_table(hid_t root, const char* name, Table& table, hsize_t& n) {
    const std::string where = std::string("/parity/") + name;
    Handle ds = open_1d(root, name, n);
    Handle t = type_handle(H5Dget_type(ds.get()));
    if (!t.valid() || H5Tget_class(t.get()) != H5T_COMPOUND) corrupt(where + " is not a table");
    const std::size_t file_row_size = H5Tget_size(t.get());
    if (file_row_size == 0) corrupt(where + " has rows of size 0");

    struct Layout {
      std::size_t offset, size;
      H5T_str_t pad;
    };
    std::vector<Layout> layout;
    std::size_t row_size = 0;
    std::vector<Handle> member_types;  // kept open until the read is done
    for (Column& c : table.columns()) {
      const std::string field = "field '" + std::string(c.field->name) + "' of " + where;
      const int i = H5Tget_member_index(t.get(), c.field->name);
      if (i < 0) corrupt(field + " is missing");
      const H5T_class_t cls = H5Tget_member_class(t.get(), static_cast<unsigned>(i));
      const bool ok =
          (c.field->kind == FieldKind::String && cls == H5T_STRING) ||
          (c.field->kind == FieldKind::Float64 && (cls == H5T_FLOAT || cls == H5T_INTEGER)) ||
          (c.field->kind == FieldKind::Int64 && cls == H5T_INTEGER);
      if (!ok) corrupt(field + " has the wrong type");
      Layout l{row_size, 8, H5T_STR_NULLTERM};
      if (c.field->kind == FieldKind::String) {
        Handle member = type_handle(H5Tget_member_type(t.get(), static_cast<unsigned>(i)));
        if (!member.valid()) corrupt("cannot read the type of " + field);
        if (H5Tis_variable_str(member.get()) != 0) variable_length(field);
        l.size = H5Tget_size(member.get());
        l.pad = H5Tget_strpad(member.get());
        if (l.size == 0 || l.size > file_row_size) corrupt(field + " has an impossible size");
        Handle mem = fixed_string_type(l.size, l.pad, H5Tget_cset(member.get()));
        if (!mem.valid()) corrupt("cannot build the type of " + field);
        member_types.push_back(std::move(mem));
      } else {
        member_types.emplace_back();
      }
      layout.push_back(l);
      row_size += l.size;
    }
    if (n == 0) return;
    check_fits(n, file_row_size, has_compression(ds.get()), where);

    Handle mem = type_handle(H5Tcreate(H5T_COMPOUND, row_size));
    if (!mem.valid()) corrupt("cannot build the type of " + where);
    const std::vector<Column>& cols = table.columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
      hid_t member = member_types[i].get();
      if (cols[i].field->kind == FieldKind::Float64) member = H5T_NATIVE_DOUBLE;
      if (cols[i].field->kind == FieldKind::Int64) member = H5T_NATIVE_INT64;
      if (H5Tinsert(mem.get(), cols[i].field->name, layout[i].offset, member) < 0) {
        corrupt("cannot build the type of " + where);
      }
    }
    const auto rows = static_cast<std::size_t>(n);
    std::vector<unsigned char> buf(rows * row_size);
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
      corrupt("cannot read " + where + " (damaged data or unexpected field types)");
    }
    for (std::size_t i = 0; i < cols.size(); ++i) {
      Column& c = table.columns()[i];
      const Layout& l = layout[i];
      for (std::size_t r = 0; r < rows; ++r) {
        const unsigned char* cell = buf.data() + r * row_size + l.offset;
        switch (c.field->kind) {
          case FieldKind::String:
            c.strings.push_back(
                trim_fixed_string(std::string(reinterpret_cast<const char*>(cell), l.size), l.pad));
            break;
          case FieldKind::Float64: {
            double v = 0;
            std::memcpy(&v, cell, sizeof v);
            c.reals.push_back(v);
            break;
          }
          case FieldKind::Int64: {
            std::int64_t v = 0;
            std::memcpy(&v, cell, sizeof v);
            c.ints.push_back(v);
            break;
          }
        }
      }
    }
  }

  std::vector<CheckRecord> read_checks(hid_t root) {
    Table t(kCheckFields);
    hsize_t n = 0;
    read_table(root, "checks", t, n);
    auto& key = t.strings("key");
    auto& op = t.strings("op");
    auto& dtype = t.strings("dtype");
    auto& device = t.strings("device");
    auto& shapes = t.strings("shapes");
    auto& layout = t.strings("layout");
    auto& mode = t.strings("mode");
    auto& reference = t.strings("reference");
    auto& status = t.strings("status");
    auto& message = t.strings("message");
    const auto& max_abs_err = t.reals("max_abs_err");
    const auto& max_rel_err = t.reals("max_rel_err");
    const auto& max_ulp = t.reals("max_ulp");
    const auto& budget = t.reals("budget");
    std::vector<CheckRecord> out(static_cast<std::size_t>(n));
    std::set<std::string> keys;
    for (std::size_t i = 0; i < out.size(); ++i) {
      CheckRecord& c = out[i];
      c.key = std::move(key[i]);
      c.op = std::move(op[i]);
      c.dtype = std::move(dtype[i]);
      c.device = std::move(device[i]);
      c.shapes = std::move(shapes[i]);
      c.layout = std::move(layout[i]);
      c.mode = std::move(mode[i]);
      c.reference = std::move(reference[i]);
      c.status = std::move(status[i]);
      c.max_abs_err = max_abs_err[i];
      c.max_rel_err = max_rel_err[i];
      c.max_ulp = max_ulp[i];
      c.budget = budget[i];
      c.message = std::move(message[i]);
      if (c.status != "pass" && c.status != "fail" && c.status != "skip" && c.status != "divergent")
        corrupt("check '" + c.key + "' has status '" + c.status + "' (expected pass, fail, skip or divergent)");
      if (!keys.insert(c.key).second) corrupt("check key '" + c.key + "' appears twice");
    }
    return out;
  }

  std::vector<BenchRecord> read_benches(hid_t root) {
    hsize_t n_samples = 0;
    std::vector<double> samples;
    {
      Handle ds = open_1d(root, "bench_samples", n_samples);
      Handle t = type_handle(H5Dget_type(ds.get()));
      if (!t.valid() || H5Tget_class(t.get()) != H5T_FLOAT) {
        corrupt("/parity/bench_samples is not floating point");
      }
      if (n_samples > 0) {
        check_fits(n_samples, std::max<std::size_t>(H5Tget_size(t.get()), 1),
                   has_compression(ds.get()), "/parity/bench_samples");
        samples.resize(static_cast<std::size_t>(n_samples));
        if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, samples.data()) <
            0) {
          corrupt("cannot read /parity/bench_samples (damaged data?)");
        }
      }
    }
    Table t(kBenchFields, is_derived_bench_field);
    hsize_t n = 0;
    read_table(root, "benches", t, n);
    auto& key = t.strings("key");
    auto& op = t.strings("op");
    auto& dtype = t.strings("dtype");
    auto& device = t.strings("device");
    auto& shape = t.strings("shape");
    auto& timer = t.strings("timer");
    const auto& numel = t.ints("numel");
    const auto& bytes = t.reals("bytes");
    const auto& flops = t.reals("flops");
    const auto& sample_offset = t.ints("sample_offset");
    const auto& sample_count = t.ints("sample_count");
    std::vector<BenchRecord> out(static_cast<std::size_t>(n));
    std::set<std::string> keys;
    for (std::size_t i = 0; i < out.size(); ++i) {
      BenchRecord& b = out[i];
      b.key = std::move(key[i]);
      b.op = std::move(op[i]);
      b.dtype = std::move(dtype[i]);
      b.device = std::move(device[i]);
      b.shape = std::move(shape[i]);
      b.numel = numel[i];
      b.timer = std::move(timer[i]);
      b.bytes = bytes[i];
      b.flops = flops[i];
      const std::int64_t off = sample_offset[i], cnt = sample_count[i];
      if (off < 0 || cnt < 0 || static_cast<std::uint64_t>(off) > n_samples ||
          static_cast<std::uint64_t>(cnt) > n_samples - static_cast<std::uint64_t>(off)) {
        corrupt("bench '" + b.key + "' points outside /parity/bench_samples");
      }
      b.samples.assign(samples.begin() + off, samples.begin() + off + cnt);
      for (double v : b.samples)
        if (!std::isfinite(v) || v < 0) corrupt("bench '" + b.key + "' has a sample that is not a time (" + std::to_string(v) + ")");
      if (!keys.insert(b.key).second) corrupt("bench key '" + b.key + "' appears twice");
    }
    return out;
  }

  std::string path_;
  std::uintmax_t file_size_ = 0;
  Handle file_;
};

void silence_hdf5_at_exit() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public entry points

void write_report(const Report& report, const std::string& path) {
  validate_for_write(report);
  if (path.empty()) throw RuntimeError("cannot write report: the output path is empty");
  const fs::path target(path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw RuntimeError("cannot write report '" + path + "': directory '" + dir.string() +
                       "' does not exist");
  }
  if (fs::is_directory(target, ec)) {
    throw RuntimeError("cannot write report '" + path + "': it is a directory");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw RuntimeError("cannot write report '" + path + "': directory '" + dir.string() +
                       "' is not writable");
  }

  // Beside the target (same file system, so the rename is atomic) and unique per process and
  // call, so concurrent writers never share a temporary.
  static std::atomic<unsigned> counter{0};
  std::string temp_name = ".";
  temp_name.append(target.filename().string())
      .append(".tmp-")
      .append(std::to_string(::getpid()))
      .append("-")
      .append(std::to_string(counter++));
  const fs::path temp = dir / temp_name;
  SilenceHdf5Errors quiet;
  register_temporary(temp.string());
  try {
    Writer(path, temp.string()).write(report);
    sync_file(temp.string());
    if (auto& hook = detail::write_hook_for_testing()) hook(temp.string());
    if (std::rename(temp.c_str(), target.c_str()) != 0) {
      const int err = errno;
      throw RuntimeError("cannot write report '" + path + "': cannot replace it (" +
                         std::strerror(err) + ")");
    }
  } catch (...) {
    fs::remove(temp, ec);
    unregister_temporary(temp.string());
    throw;
  }
  unregister_temporary(temp.string());
}

Report read_report(const std::string& path) {
  SilenceHdf5Errors quiet;  // also initialises HDF5, which registers its own exit handler
  // HDF5 1.10 leaks a free-list block when an object header fails its checksum (H5O_protect's
  // error path), and at exit its library shutdown then prints "HDF5: infinite loop closing
  // library" to stderr (every hid_t of ours is closed; the tests check it). Exit handlers run
  // in reverse order, so this one runs just before HDF5's and turns off the automatic error
  // printing that the message depends on; the shutdown itself still runs.
  static const bool quiet_exit = [] { return std::atexit(silence_hdf5_at_exit) == 0; }();
  (void)quiet_exit;
  return Reader(path).read();
}

}  // namespace parity::reports
