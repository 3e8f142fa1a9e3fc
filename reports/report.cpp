// The report's in-memory model helpers and the HDF5 writer (schema version 2, layout in
// reports/SCHEMA.md). The file is built in memory by HDF5's core driver and written to disk by
// this file's own checked write(2) calls, so a full disk or an I/O error never reaches HDF5
// (whose teardown crashed after a failed flush); the temporary is then read back and verified
// against its content checksum before it is renamed over the target.
#include "reports/report.h"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
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
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/spec/error.h"
#include "reports/hdf5_util.h"
#include "reports/report_detail.h"
#include "reports/report_format.h"
#include "reports/report_table.h"
#include "reports/temporaries.h"

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
  return std::any_of(entries.begin(), entries.end(), [&](const auto& kv) { return kv.first == key; });
}

double BenchRecord::median() const { return sample_stats::median(samples); }
double BenchRecord::mean() const { return sample_stats::mean(samples); }
double BenchRecord::min() const { return sample_stats::min(samples); }
double BenchRecord::stddev() const { return sample_stats::stddev(samples); }
double BenchRecord::gbps() const { return sample_stats::rate(bytes, median()); }
double BenchRecord::gflops() const { return sample_stats::rate(flops, median()); }

namespace detail {
std::function<void(const std::string&)>& write_hook_for_testing() {
  static std::function<void(const std::string&)> hook;
  return hook;
}
std::function<void(const std::string&)>& written_hook_for_testing() {
  static std::function<void(const std::string&)> hook;
  return hook;
}
}  // namespace detail

namespace {

namespace fs = std::filesystem;
using h5::attr_handle;
using h5::dataset_handle;
using h5::group_handle;
using h5::Handle;
using h5::plist_handle;
using h5::space_handle;

// ---------------------------------------------------------------------------------------------
// The output path

// Room the temporary's suffix ".tmp-PID-N" needs beyond the target's name (and the dot).
constexpr std::size_t kTempSuffixMax = std::char_traits<char>::length(".tmp-") + 10 + 1 + 10 + 1;

std::size_t name_max(const fs::path& dir) {
  const long n = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : 255;
}

// What is wrong with `path` as the place to write a report, or "" when nothing is.
std::string output_path_problem(const std::string& path) {
  if (path.empty()) return "the output path is empty";
  if (path.size() >= 4000)
    return "the output path is " + std::to_string(path.size()) + " bytes long (at most 3999)";
  const fs::path target(path);
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") return "it names a folder, not a file";
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  const fs::file_status dst = fs::status(dir, ec);
  if (!fs::exists(dst)) return "folder '" + dir.string() + "' does not exist";
  if (!fs::is_directory(dst)) return "'" + dir.string() + "' is not a folder";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "folder '" + dir.string() + "' is not writable";
  const std::size_t max = name_max(dir);
  if (name.size() > max)
    return "the file name is " + std::to_string(name.size()) + " bytes, more than the folder allows (" +
           std::to_string(max) + ")";
  // An existing target must be a regular file: the rename would replace a device, a FIFO or a
  // socket with a regular file (as root, /dev/null itself), and cannot replace a folder.
  const fs::file_status st = fs::status(target, ec);
  switch (st.type()) {
    case fs::file_type::not_found:
    case fs::file_type::regular:
      return "";
    case fs::file_type::directory:
      return "it is a folder";
    case fs::file_type::character:
    case fs::file_type::block:
      return "it is a device";
    case fs::file_type::fifo:
      return "it is a FIFO";
    case fs::file_type::socket:
      return "it is a socket";
    default:
      return "it is not a regular file";
  }
}

// Beside the target (same file system, so the rename is atomic) and unique per process and
// call, so concurrent writers never share a temporary. A long target name is shortened so the
// temporary's name still fits the folder's limit.
fs::path temp_path_for(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string name = target.filename().string();
  const std::size_t max = name_max(dir);
  const std::size_t room = max > kTempSuffixMax + 1 ? max - kTempSuffixMax - 1 : 1;
  if (name.size() > room) name.resize(room);
  std::string temp = ".";
  temp.append(name)
      .append(".tmp-")
      .append(std::to_string(::getpid()))
      .append("-")
      .append(std::to_string(counter++));
  return dir / temp;
}

// ---------------------------------------------------------------------------------------------
// Building the file in memory

// The core driver's buffer, caught when HDF5 frees it at file close, which is after HDF5 has
// written the final superblock. (H5Fget_file_image on an open 1.10-format file returns an image
// whose superblock checksum does not match: HDF5 1.10.8 clears the "open for writing" flags in
// the copy without updating the checksum, so the copy cannot be opened.)
class Image {
 public:
  static void* malloc_cb(std::size_t size, H5FD_file_image_op_t, void* u) {
    auto* self = static_cast<Image*>(u);
    void* p = std::malloc(size);
    if (p) self->sizes_[p] = size;
    return p;
  }
  static void* memcpy_cb(void* dst, const void* src, std::size_t size, H5FD_file_image_op_t, void*) {
    return std::memcpy(dst, src, size);
  }
  static void* realloc_cb(void* ptr, std::size_t size, H5FD_file_image_op_t, void* u) {
    auto* self = static_cast<Image*>(u);
    void* p = std::realloc(ptr, size);
    if (p) {
      self->sizes_.erase(ptr);
      self->sizes_[p] = size;
    }
    return p;
  }
  static herr_t free_cb(void* ptr, H5FD_file_image_op_t op, void* u) {
    auto* self = static_cast<Image*>(u);
    if (ptr && op == H5FD_FILE_IMAGE_OP_FILE_CLOSE) {
      const auto it = self->sizes_.find(ptr);
      if (it != self->sizes_.end()) {
        try {
          const auto* b = static_cast<const unsigned char*>(ptr);
          self->bytes_.assign(b, b + it->second);
        } catch (...) {
          self->failed_ = true;
        }
      }
    }
    self->sizes_.erase(ptr);
    std::free(ptr);
    return 0;
  }
  static void* udata_copy(void* u) { return u; }
  static herr_t udata_free(void*) { return 0; }

  // The file's bytes: the buffer up to the end-of-file address its superblock records (the
  // buffer grows in whole increments). Superblock version 2 and 3, 8-byte addresses: the
  // address sits at byte 28, little-endian.
  std::vector<unsigned char> take() {
    if (failed_ || bytes_.size() < 48 || bytes_[8] < 2 || bytes_[9] != 8) return {};
    std::uint64_t eof = 0;
    for (int i = 7; i >= 0; --i) eof = eof << 8 | bytes_[28 + static_cast<std::size_t>(i)];
    if (eof < 48 || eof > bytes_.size()) return {};
    bytes_.resize(static_cast<std::size_t>(eof));
    return std::move(bytes_);
  }

 private:
  std::unordered_map<void*, std::size_t> sizes_;
  std::vector<unsigned char> bytes_;
  bool failed_ = false;
};

class Builder {
 public:
  explicit Builder(std::string path) : path_(std::move(path)) {}

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

  // The bytes of a complete HDF5 file holding `r`, whose encoding is `im`.
  std::vector<unsigned char> build(const Report& r, const format::Image& im, std::uint32_t checksum) {
    Handle fapl = plist_handle(need(H5Pcreate(H5P_FILE_ACCESS), "create a property list"));
    // The 1.10 format only: superblock v3, v2 object headers, B-trees, heaps and chunk indexes
    // that all carry checksums HDF5 verifies when it reads them.
    need_ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
            "select the 1.10 file format");
    need_ok(H5Pset_fapl_core(fapl.get(), 1 << 20, false), "set up an in-memory file");
    H5FD_file_image_callbacks_t callbacks = {&Image::malloc_cb,
                                             &Image::memcpy_cb,
                                             &Image::realloc_cb,
                                             &Image::free_cb,
                                             &Image::udata_copy,
                                             &Image::udata_free,
                                             &image_};
    need_ok(H5Pset_file_image_callbacks(fapl.get(), &callbacks), "set up an in-memory file");
    Handle file(
        need(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "create an in-memory file"),
        H5Fclose);
    {
      Handle root = group_handle(need(H5Gcreate2(file.get(), "parity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                      "create group /parity"));
      write_scalar_attr(root.get(), "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &kSchemaVersion);
      write_scalar_attr(root.get(), "key_format", H5T_STD_I32LE, H5T_NATIVE_INT, &r.key_format);
      write_scalar_attr(root.get(), "content_checksum", H5T_STD_U32LE, H5T_NATIVE_UINT32, &checksum);
      write_meta(root.get(), r.meta);
      write_dataset(root.get(), "/parity", "strings", H5T_STD_U8LE, H5T_NATIVE_UINT8, im.strings.size(), 1,
                    im.strings.data());
      write_vector(root.get(), "/parity", "string_offsets", im.string_offsets);
      write_vector(root.get(), "/parity", "shape_dims", im.shape_dims);
      write_columns(root.get(), "checks", im.checks);
      write_columns(root.get(), "benches", im.benches);
      write_vector(root.get(), "/parity", "bench_samples", im.bench_samples);
      {
        // Units travel with the data so h5dump readers need not consult SCHEMA.md.
        Handle ds = dataset_handle(
            need(H5Dopen2(root.get(), "bench_samples", H5P_DEFAULT), "open /parity/bench_samples"));
        write_string_attr(ds.get(), "units", "seconds per iteration");
      }
      write_vector(root.get(), "/parity", "bench_counter_names", im.bench_counter_names);
      write_vector(root.get(), "/parity", "bench_counter_values", im.bench_counter_values);
    }
    if (!file.close()) fail("close the in-memory file");
    return image_.take();
  }

 private:
  void write_scalar_attr(hid_t loc, const char* name, hid_t file_type, hid_t mem_type, const void* value) {
    Handle space = space_handle(need(H5Screate(H5S_SCALAR), "create a dataspace"));
    Handle attr = attr_handle(need(H5Acreate2(loc, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                   std::string("create attribute ") + name));
    need_ok(H5Awrite(attr.get(), mem_type, value), std::string("write attribute ") + name);
  }

  void write_string_attr(hid_t loc, const std::string& name, const std::string& value) {
    Handle str = h5::fixed_string_type(value.size() + 1);
    if (!str.valid()) fail("create a string type");
    Handle space = space_handle(need(H5Screate(H5S_SCALAR), "create a dataspace"));
    Handle attr =
        attr_handle(need(H5Acreate2(loc, name.c_str(), str.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
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
    // more still goes dense; the content checksum covers it.)
    need_ok(H5Pset_attr_phase_change(gcpl.get(), 65535, 0), "keep attributes compact");
    Handle g = group_handle(
        need(H5Gcreate2(root, "meta", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "create group /parity/meta"));
    for (const auto& [k, v] : meta.entries) write_string_attr(g.get(), k, v);
  }

  // A 1-D dataset of n elements, chunked (also when empty: the unlimited maximum size allows a
  // 0-row chunked dataset), shuffled, deflated, and every stored chunk checksummed (Fletcher32
  // last, so it covers the bytes on disk).
  void write_dataset(hid_t loc, const std::string& group, const char* name, hid_t file_type, hid_t mem_type,
                     std::size_t n, std::size_t element_size, const void* data) {
    const std::string what = group + "/" + name;
    const hsize_t dims[1] = {static_cast<hsize_t>(n)};
    const hsize_t max_dims[1] = {H5S_UNLIMITED};
    Handle space = space_handle(need(H5Screate_simple(1, dims, max_dims), "create a dataspace"));
    Handle dcpl = plist_handle(need(H5Pcreate(H5P_DATASET_CREATE), "create a property list"));
    const std::size_t per_chunk =
        std::clamp<std::size_t>(format::kChunkBytes / element_size, 1, std::max<std::size_t>(n, 1));
    const hsize_t chunk[1] = {static_cast<hsize_t>(per_chunk)};
    need_ok(H5Pset_chunk(dcpl.get(), 1, chunk), "set the chunk size of " + what);
    need_ok(H5Pset_shuffle(dcpl.get()), "add the shuffle filter to " + what);
    need_ok(H5Pset_deflate(dcpl.get(), format::kDeflateLevel), "add the deflate filter to " + what);
    need_ok(H5Pset_fletcher32(dcpl.get()), "add the Fletcher32 filter to " + what);
    Handle ds = dataset_handle(
        need(H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
             "create dataset " + what));
    if (n > 0)
      need_ok(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset " + what);
  }

  static hid_t file_type_of(std::size_t size, bool is_float, bool is_unsigned) {
    if (is_float) return H5T_IEEE_F64LE;
    if (size == 4) return is_unsigned ? H5T_STD_U32LE : H5T_STD_I32LE;
    return H5T_STD_I64LE;
  }
  static hid_t mem_type_of(std::size_t size, bool is_float) {
    if (is_float) return H5T_NATIVE_DOUBLE;
    return size == 4 ? H5T_NATIVE_UINT32 : H5T_NATIVE_INT64;
  }

  template <typename T>
  void write_vector(hid_t loc, const std::string& group, const char* name, const std::vector<T>& v) {
    constexpr bool is_float = std::is_floating_point_v<T>;
    write_dataset(loc, group, name, file_type_of(sizeof(T), is_float, std::is_unsigned_v<T>),
                  mem_type_of(sizeof(T), is_float), v.size(), sizeof(T), v.data());
  }

  void write_columns(hid_t root, const char* table, const std::vector<format::Column>& cols) {
    const std::string group = std::string("/parity/") + table;
    Handle g = group_handle(
        need(H5Gcreate2(root, table, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create group " + group));
    for (const format::Column& c : cols) {
      const bool is_float = c.kind == format::Kind::Real;
      write_dataset(g.get(), group, c.name,
                    file_type_of(c.element_size(), is_float, c.kind == format::Kind::Id),
                    mem_type_of(c.element_size(), is_float), c.size(), c.element_size(), c.data());
    }
  }

  std::string path_;
  Image image_;
};

// Validation that needs no disk: what the reader would refuse is refused here, before the run's
// report is written (duplicated keys would make compare() ambiguous; HDF5 attribute names must be
// unique and non-empty; metadata values are NUL-terminated strings in the file).
void validate_for_write(const Report& r) {
  std::unordered_set<std::string_view> seen;
  for (const auto& [k, v] : r.meta.entries) {
    if (k.empty()) throw ValueError("report metadata has an empty key; give every entry a name");
    if (k.find('\0') != std::string::npos || v.find('\0') != std::string::npos)
      throw ValueError("report metadata entry '" + k.substr(0, k.find('\0')) + "' contains a NUL byte");
    if (!seen.insert(k).second)
      throw ValueError("report metadata key '" + k + "' appears twice; use Metadata::set");
  }
  const std::string dup_check = format::duplicate_key(r.checks);
  if (!dup_check.empty())
    throw ValueError("check key '" + dup_check + "' appears twice in the report; keys must be unique");
  const std::string dup_bench = format::duplicate_key(r.benches);
  if (!dup_bench.empty())
    throw ValueError("bench key '" + dup_bench + "' appears twice in the report; keys must be unique");
  for (const CheckRecord& c : r.checks) {
    const std::string why = format::check_status(c.status);
    if (!why.empty()) throw ValueError("check '" + c.key + "' " + why);
  }
  for (const BenchRecord& b : r.benches) {
    for (double v : b.samples) {
      const std::string why = format::check_sample(v);
      if (!why.empty()) throw ValueError("bench '" + b.key + "' " + why);
    }
  }
  const std::string why = format::check_kind(r);
  if (!why.empty()) throw ValueError("cannot write the report: " + why);
}

std::string errno_text(int err) { return std::strerror(err); }

// Writes `bytes` to a new file at `temp` and pushes them to disk. Every call is checked: a full
// disk (ENOSPC), a file size limit (EFBIG) or an I/O error at fsync or close fails here.
void write_file(const std::string& target, const std::string& temp, const std::vector<unsigned char>& bytes) {
  const auto failed = [&](const std::string& step, int err) {
    return RuntimeError("cannot write report '" + target + "': " + step + " '" + temp + "' failed (" +
                        errno_text(err) + ")");
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw failed("creating the temporary file", errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      throw failed("writing the temporary file", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    throw failed("syncing the temporary file", err);
  }
  if (::close(fd) != 0) throw failed("closing the temporary file", errno);
}

// After the rename, the folder's entry must reach the disk too, or a crash could bring the old
// report back (or none). Best effort: some file systems refuse fsync on a folder.
void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public entry points

void check_output_path(const std::string& path) {
  const std::string why = output_path_problem(path);
  if (!why.empty()) throw ValueError("cannot write report '" + path + "': " + why);
}

void write_report(const Report& report, const std::string& path) {
  validate_for_write(report);
  check_output_path(path);
  const fs::path target(path);
  const fs::path temp = temp_path_for(target);
  h5::SilenceErrors quiet;

  std::uint32_t checksum = 0;
  std::vector<unsigned char> bytes;
  {
    const format::Image image = format::encode(report);
    checksum = format::checksum(report.meta, image);
    bytes = Builder(temp.string()).build(report, image, checksum);
  }  // the encoded arrays are freed before the file is read back
  if (bytes.empty()) throw RuntimeError("cannot write report '" + path + "': HDF5 produced no file image");

  register_temporary(temp.string());
  std::error_code ec;
  try {
    write_file(path, temp.string(), bytes);
    if (auto& hook = detail::written_hook_for_testing()) hook(temp.string());
    // Read back what is on disk, through the reader, and match the checksum of what was meant
    // to be written: a file that does not read back whole never replaces a report. (The records
    // themselves were validated before writing; the checksum covers all of them.)
    std::uint32_t read_back = 0;
    std::vector<unsigned char>().swap(bytes);  // freed before the read-back
    try {
      (void)format::read_file(temp.string(), read_back, false);
    } catch (const Error& e) {
      throw RuntimeError("cannot write report '" + path + "': the file written does not read back (" +
                         e.what() + ")");
    }
    if (read_back != checksum) {
      throw RuntimeError("cannot write report '" + path +
                         "': the file written does not read back as written");
    }
    if (auto& hook = detail::write_hook_for_testing()) hook(temp.string());
    if (std::rename(temp.c_str(), target.c_str()) != 0) {
      const int err = errno;
      throw RuntimeError("cannot write report '" + path + "': cannot replace it (" + errno_text(err) + ")");
    }
  } catch (...) {
    fs::remove(temp, ec);
    unregister_temporary(temp.string());
    throw;
  }
  unregister_temporary(temp.string());
  sync_folder(target.has_parent_path() ? target.parent_path() : fs::path("."));
}

}  // namespace parity::reports
