// HDF5 writer and reader for the Parity report (layout documented in reports/SCHEMA.md).
// Uses the HDF5 C API directly; every handle is owned by a small RAII wrapper so that an
// exception anywhere closes the file before the temporary is removed.
#include "reports/report.h"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>
#include <string_view>
#include <system_error>

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

// Variable-length UTF-8 string type: h5py reads it as str (bytes inside compounds).
Handle vlen_string_type() {
  Handle t = type_handle(H5Tcopy(H5T_C_S1));
  if (!t.valid() || H5Tset_size(t.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0) {
    return Handle();
  }
  return t;
}

// File access: HDF5 1.10 locks files, which fails outright on file systems without lock
// support (some network mounts); where the library allows it, such a failure is ignored
// (our own atomic rename already keeps readers from seeing a half-written report).
Handle file_access() {
  Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS));
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
  if (fapl.valid()) H5Pset_file_locking(fapl.get(), true, true);
#endif
  return fapl;
}

herr_t reclaim_vlen(hid_t type, hid_t space, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

// ---------------------------------------------------------------------------------------------
// Row layouts. One table per dataset drives the memory type, the file type, and the reader's
// validation, so the three cannot drift apart.

enum class FieldKind { String, Float64, Int64 };
struct Field {
  const char* name;
  std::size_t offset;
  FieldKind kind;
};

struct CheckRow {
  const char* key;
  const char* op;
  const char* dtype;
  const char* device;
  const char* shapes;
  const char* layout;
  const char* mode;
  const char* reference;
  const char* status;
  double max_abs_err;
  double max_rel_err;
  double max_ulp;
  double budget;
  const char* message;
};

constexpr Field kCheckFields[] = {
    {"key", offsetof(CheckRow, key), FieldKind::String},
    {"op", offsetof(CheckRow, op), FieldKind::String},
    {"dtype", offsetof(CheckRow, dtype), FieldKind::String},
    {"device", offsetof(CheckRow, device), FieldKind::String},
    {"shapes", offsetof(CheckRow, shapes), FieldKind::String},
    {"layout", offsetof(CheckRow, layout), FieldKind::String},
    {"mode", offsetof(CheckRow, mode), FieldKind::String},
    {"reference", offsetof(CheckRow, reference), FieldKind::String},
    {"status", offsetof(CheckRow, status), FieldKind::String},
    {"max_abs_err", offsetof(CheckRow, max_abs_err), FieldKind::Float64},
    {"max_rel_err", offsetof(CheckRow, max_rel_err), FieldKind::Float64},
    {"max_ulp", offsetof(CheckRow, max_ulp), FieldKind::Float64},
    {"budget", offsetof(CheckRow, budget), FieldKind::Float64},
    {"message", offsetof(CheckRow, message), FieldKind::String},
};

struct BenchRow {
  const char* key;
  const char* op;
  const char* dtype;
  const char* device;
  const char* shape;
  std::int64_t numel;
  const char* timer;
  double bytes;
  double flops;
  std::int64_t sample_offset;
  std::int64_t sample_count;
  double median;
  double mean;
  double min;
  double stddev;
  double gbps;
  double gflops;
};

constexpr Field kBenchFields[] = {
    {"key", offsetof(BenchRow, key), FieldKind::String},
    {"op", offsetof(BenchRow, op), FieldKind::String},
    {"dtype", offsetof(BenchRow, dtype), FieldKind::String},
    {"device", offsetof(BenchRow, device), FieldKind::String},
    {"shape", offsetof(BenchRow, shape), FieldKind::String},
    {"numel", offsetof(BenchRow, numel), FieldKind::Int64},
    {"timer", offsetof(BenchRow, timer), FieldKind::String},
    {"bytes", offsetof(BenchRow, bytes), FieldKind::Float64},
    {"flops", offsetof(BenchRow, flops), FieldKind::Float64},
    {"sample_offset", offsetof(BenchRow, sample_offset), FieldKind::Int64},
    {"sample_count", offsetof(BenchRow, sample_count), FieldKind::Int64},
    {"median", offsetof(BenchRow, median), FieldKind::Float64},
    {"mean", offsetof(BenchRow, mean), FieldKind::Float64},
    {"min", offsetof(BenchRow, min), FieldKind::Float64},
    {"stddev", offsetof(BenchRow, stddev), FieldKind::Float64},
    {"gbps", offsetof(BenchRow, gbps), FieldKind::Float64},
    {"gflops", offsetof(BenchRow, gflops), FieldKind::Float64},
};

// The reader only needs these bench fields; the derived statistics are recomputed from the
// samples so a file edited by hand cannot make them disagree.
constexpr std::string_view kDerivedBenchFields[] = {"median", "mean", "min",
                                                    "stddev", "gbps", "gflops"};

bool is_derived_bench_field(const char* name) {
  return std::find(std::begin(kDerivedBenchFields), std::end(kDerivedBenchFields),
                   std::string_view(name)) != std::end(kDerivedBenchFields);
}

// Builds the compound type: in memory (native types at struct offsets) or for the file
// (little-endian standard types, packed without padding).
template <std::size_t N>
Handle make_compound(const Field (&fields)[N], std::size_t row_size, bool for_file) {
  Handle str = vlen_string_type();
  if (!str.valid()) return Handle();
  std::size_t size = 0;
  if (for_file) {
    for (const Field& f : fields) size += f.kind == FieldKind::String ? H5Tget_size(str.get()) : 8;
  } else {
    size = row_size;
  }
  Handle t = type_handle(H5Tcreate(H5T_COMPOUND, size));
  if (!t.valid()) return Handle();
  std::size_t file_offset = 0;
  for (const Field& f : fields) {
    hid_t member = str.get();
    if (f.kind == FieldKind::Float64) member = for_file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
    if (f.kind == FieldKind::Int64) member = for_file ? H5T_STD_I64LE : H5T_NATIVE_INT64;
    const std::size_t offset = for_file ? file_offset : f.offset;
    if (H5Tinsert(t.get(), f.name, offset, member) < 0) return Handle();
    file_offset += H5Tget_size(member);
  }
  return t;
}

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
    Handle fapl = file_access();
    Handle file(H5Fcreate(temp_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT,
                          fapl.valid() ? fapl.get() : H5P_DEFAULT),
                H5Fclose);
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
    Handle str = vlen_string_type();
    if (!str.valid()) fail("create a string type");
    Handle space = space_handle(need(H5Screate(H5S_SCALAR), "create a dataspace"));
    Handle attr = attr_handle(
        need(H5Acreate2(loc, name.c_str(), str.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
             "create attribute '" + name + "'"));
    const char* p = value.c_str();
    need_ok(H5Awrite(attr.get(), str.get(), &p), "write attribute '" + name + "'");
  }

  void write_meta(hid_t root, const Metadata& meta) {
    // Tracking creation order keeps the metadata in the order the harness set it.
    Handle gcpl = plist_handle(need(H5Pcreate(H5P_GROUP_CREATE), "create a property list"));
    need_ok(H5Pset_attr_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track attribute order");
    Handle g = group_handle(need(H5Gcreate2(root, "meta", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                                 "create group /parity/meta"));
    for (const auto& [k, v] : meta.entries) write_string_attr(g.get(), k, v);
  }

  template <class Row, std::size_t N>
  void write_table(hid_t root, const char* name, const Field (&fields)[N],
                   const std::vector<Row>& rows) {
    const std::string what = std::string("/parity/") + name;
    Handle mem = make_compound(fields, sizeof(Row), false);
    Handle file = make_compound(fields, sizeof(Row), true);
    if (!mem.valid() || !file.valid()) fail("build the type of " + what);
    const hsize_t dims[1] = {static_cast<hsize_t>(rows.size())};
    Handle space = space_handle(need(H5Screate_simple(1, dims, nullptr), "create a dataspace"));
    Handle ds = dataset_handle(
        need(H5Dcreate2(root, name, file.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             "create dataset " + what));
    if (!rows.empty()) {
      need_ok(H5Dwrite(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()),
              "write dataset " + what);
    }
  }

  void write_checks(hid_t root, const std::vector<CheckRecord>& checks) {
    std::vector<CheckRow> rows;
    rows.reserve(checks.size());
    for (const CheckRecord& c : checks) {
      rows.push_back({c.key.c_str(), c.op.c_str(), c.dtype.c_str(), c.device.c_str(),
                      c.shapes.c_str(), c.layout.c_str(), c.mode.c_str(), c.reference.c_str(),
                      c.status.c_str(), c.max_abs_err, c.max_rel_err, c.max_ulp, c.budget,
                      c.message.c_str()});
    }
    write_table(root, "checks", kCheckFields, rows);
  }

  void write_benches(hid_t root, const std::vector<BenchRecord>& benches) {
    std::vector<BenchRow> rows;
    std::vector<double> samples;
    rows.reserve(benches.size());
    for (const BenchRecord& b : benches) {
      rows.push_back({b.key.c_str(), b.op.c_str(), b.dtype.c_str(), b.device.c_str(),
                      b.shape.c_str(), b.numel, b.timer.c_str(), b.bytes, b.flops,
                      static_cast<std::int64_t>(samples.size()),
                      static_cast<std::int64_t>(b.samples.size()), b.median(), b.mean(), b.min(),
                      b.stddev(), b.gbps(), b.gflops()});
      samples.insert(samples.end(), b.samples.begin(), b.samples.end());
    }
    write_table(root, "benches", kBenchFields, rows);

    const hsize_t dims[1] = {static_cast<hsize_t>(samples.size())};
    Handle space = space_handle(need(H5Screate_simple(1, dims, nullptr), "create a dataspace"));
    Handle ds = dataset_handle(need(H5Dcreate2(root, "bench_samples", H5T_IEEE_F64LE, space.get(),
                                               H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                    "create dataset /parity/bench_samples"));
    if (!samples.empty()) {
      need_ok(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, samples.data()),
              "write dataset /parity/bench_samples");
    }
    // Units travel with the data so h5dump readers need not consult SCHEMA.md.
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

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void corrupt(const std::string& what) const {
    throw ValueError(path_ + " is a corrupt Parity report: " + what);
  }

  Report read() {
    open_file();
    if (H5Lexists(file_.get(), "parity", H5P_DEFAULT) <= 0) not_parity();
    // H5Gopen2 also fails when /parity exists but is a dataset: still not one of ours.
    Handle root = group_handle(H5Gopen2(file_.get(), "parity", H5P_DEFAULT));
    if (!root.valid()) not_parity();

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
    if (!fs::exists(st)) throw ValueError("report file '" + path_ + "' does not exist");
    if (fs::is_directory(st)) throw ValueError("'" + path_ + "' is a directory, not a report file");
    const htri_t is_h5 = H5Fis_hdf5(path_.c_str());
    if (is_h5 == 0) throw ValueError(path_ + " is not an HDF5 file");
    if (is_h5 < 0) throw ValueError("cannot read report file '" + path_ + "' (check permissions)");
    Handle fapl = file_access();
    file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.valid() ? fapl.get() : H5P_DEFAULT),
                   H5Fclose);
    if (!file_.valid()) {
      throw ValueError("cannot open report file '" + path_ +
                       "' (is it damaged, or open for writing elsewhere?)");
    }
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

  std::string read_string_attr(hid_t attr, const std::string& where) {
    Handle t = type_handle(H5Aget_type(attr));
    Handle space = space_handle(H5Aget_space(attr));
    if (!t.valid() || H5Tget_class(t.get()) != H5T_STRING || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1) {
      corrupt(where + " is not a single string");
    }
    if (H5Tis_variable_str(t.get()) > 0) {
      Handle mem = vlen_string_type();
      char* p = nullptr;
      if (!mem.valid() || H5Aread(attr, mem.get(), &p) < 0) corrupt("cannot read " + where);
      std::string s = p ? p : "";
      reclaim_vlen(mem.get(), space.get(), &p);
      return s;
    }
    // Fixed-length strings (other writers, e.g. h5py with numpy bytes) are read as they are,
    // minus the padding.
    const std::size_t n = H5Tget_size(t.get());
    std::string s(n, '\0');
    Handle mem = type_handle(H5Tcopy(H5T_C_S1));
    if (!mem.valid() || H5Tset_size(mem.get(), n) < 0 || H5Aread(attr, mem.get(), s.data()) < 0) {
      corrupt("cannot read " + where);
    }
    const auto end = s.find('\0');
    if (end != std::string::npos) s.resize(end);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
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
    if (H5Lexists(root, "meta", H5P_DEFAULT) <= 0) corrupt("group /parity/meta is missing");
    Handle g = group_handle(H5Gopen2(root, "meta", H5P_DEFAULT));
    if (!g.valid()) corrupt("/parity/meta is not a group");
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

  // Opens a 1-D dataset and returns its length.
  Handle open_1d(hid_t root, const char* name, hsize_t& length) {
    const std::string where = std::string("/parity/") + name;
    if (H5Lexists(root, name, H5P_DEFAULT) <= 0) corrupt("dataset " + where + " is missing");
    Handle ds = dataset_handle(H5Dopen2(root, name, H5P_DEFAULT));
    if (!ds.valid()) corrupt(where + " is not a dataset");
    Handle space = space_handle(H5Dget_space(ds.get()));
    hsize_t dims[1] = {0};
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 1 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) {
      corrupt(where + " is not one-dimensional");
    }
    length = dims[0];
    return ds;
  }

  template <class Row, std::size_t N>
  void validate_fields(hid_t ds, const std::string& where, const Field (&fields)[N],
                       bool (*optional)(const char*)) {
    Handle t = type_handle(H5Dget_type(ds));
    if (!t.valid() || H5Tget_class(t.get()) != H5T_COMPOUND) corrupt(where + " is not a table");
    for (const Field& f : fields) {
      if (optional && optional(f.name)) continue;
      const int i = H5Tget_member_index(t.get(), f.name);
      if (i < 0) corrupt("field '" + std::string(f.name) + "' of " + where + " is missing");
      const H5T_class_t c = H5Tget_member_class(t.get(), static_cast<unsigned>(i));
      const bool ok = (f.kind == FieldKind::String && c == H5T_STRING) ||
                      (f.kind == FieldKind::Float64 && (c == H5T_FLOAT || c == H5T_INTEGER)) ||
                      (f.kind == FieldKind::Int64 && c == H5T_INTEGER);
      if (!ok) {
        corrupt("field '" + std::string(f.name) + "' of " + where + " has the wrong type");
      }
    }
  }

  // Reads all rows with a memory type that lists only the fields this reader needs (HDF5
  // matches compound members by name, so extra fields in the file are ignored).
  template <class Row, std::size_t N, class Convert>
  void read_rows(hid_t ds, hsize_t n, const std::string& where, const Field (&fields)[N],
                 bool (*optional)(const char*), Convert convert) {
    validate_fields<Row>(ds, where, fields, optional);
    if (n == 0) return;
    Handle str = vlen_string_type();
    Handle mem = type_handle(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
    if (!str.valid() || !mem.valid()) corrupt("cannot build the type of " + where);
    for (const Field& f : fields) {
      if (optional && optional(f.name)) continue;
      hid_t member = str.get();
      if (f.kind == FieldKind::Float64) member = H5T_NATIVE_DOUBLE;
      if (f.kind == FieldKind::Int64) member = H5T_NATIVE_INT64;
      if (H5Tinsert(mem.get(), f.name, f.offset, member) < 0) {
        corrupt("cannot build the type of " + where);
      }
    }
    std::vector<Row> rows(static_cast<std::size_t>(n));
    std::memset(static_cast<void*>(rows.data()), 0, rows.size() * sizeof(Row));
    // The strings HDF5 allocates are released on every path, also when a row is rejected
    // (null pointers from the memset are skipped by the reclaim).
    struct Reclaim {
      hid_t type;
      hsize_t n;
      void* buf;
      ~Reclaim() {
        const hsize_t dims[1] = {n};
        const hid_t space = H5Screate_simple(1, dims, nullptr);
        if (space >= 0) {
          reclaim_vlen(type, space, buf);
          H5Sclose(space);
        }
      }
    } reclaim{mem.get(), n, rows.data()};
    if (H5Dread(ds, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0) {
      corrupt("cannot read " + where + " (unexpected field types?)");
    }
    for (const Row& row : rows) convert(row);
  }

  static std::string str(const char* p) { return p ? std::string(p) : std::string(); }

  std::vector<CheckRecord> read_checks(hid_t root) {
    hsize_t n = 0;
    Handle ds = open_1d(root, "checks", n);
    std::vector<CheckRecord> out;
    out.reserve(static_cast<std::size_t>(n));
    std::set<std::string> keys;
    read_rows<CheckRow>(ds.get(), n, "/parity/checks", kCheckFields, nullptr,
                        [&](const CheckRow& row) {
                          CheckRecord c;
                          c.key = str(row.key);
                          c.op = str(row.op);
                          c.dtype = str(row.dtype);
                          c.device = str(row.device);
                          c.shapes = str(row.shapes);
                          c.layout = str(row.layout);
                          c.mode = str(row.mode);
                          c.reference = str(row.reference);
                          c.status = str(row.status);
                          c.max_abs_err = row.max_abs_err;
                          c.max_rel_err = row.max_rel_err;
                          c.max_ulp = row.max_ulp;
                          c.budget = row.budget;
                          c.message = str(row.message);
                          if (!keys.insert(c.key).second) {
                            corrupt("check key '" + c.key + "' appears twice");
                          }
                          out.push_back(std::move(c));
                        });
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
      samples.resize(static_cast<std::size_t>(n_samples));
      if (n_samples > 0 &&
          H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, samples.data()) < 0) {
        corrupt("cannot read /parity/bench_samples");
      }
    }
    hsize_t n = 0;
    Handle ds = open_1d(root, "benches", n);
    std::vector<BenchRecord> out;
    out.reserve(static_cast<std::size_t>(n));
    std::set<std::string> keys;
    read_rows<BenchRow>(
        ds.get(), n, "/parity/benches", kBenchFields, is_derived_bench_field,
        [&](const BenchRow& row) {
          BenchRecord b;
          b.key = str(row.key);
          b.op = str(row.op);
          b.dtype = str(row.dtype);
          b.device = str(row.device);
          b.shape = str(row.shape);
          b.numel = row.numel;
          b.timer = str(row.timer);
          b.bytes = row.bytes;
          b.flops = row.flops;
          const std::int64_t off = row.sample_offset, cnt = row.sample_count;
          if (off < 0 || cnt < 0 || static_cast<std::uint64_t>(off) > n_samples ||
              static_cast<std::uint64_t>(cnt) > n_samples - static_cast<std::uint64_t>(off)) {
            corrupt("bench '" + b.key + "' points outside /parity/bench_samples");
          }
          b.samples.assign(samples.begin() + off, samples.begin() + off + cnt);
          if (!keys.insert(b.key).second) corrupt("bench key '" + b.key + "' appears twice");
          out.push_back(std::move(b));
        });
    return out;
  }

  std::string path_;
  Handle file_;
};

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
    throw;
  }
}

Report read_report(const std::string& path) {
  SilenceHdf5Errors quiet;
  return Reader(path).read();
}

}  // namespace parity::reports
