// HDF5 reader for the Parity report: schema version 2 (columns, a string table, a content
// checksum) and version 1 (fixed-width compound rows), as reports/SCHEMA.md describes them.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "engine/spec/error.h"
#include "reports/hdf5_util.h"
#include "reports/report.h"
#include "reports/report_format.h"
#include "reports/report_table.h"

namespace parity::reports {
namespace {

namespace fs = std::filesystem;
using h5::attr_handle;
using h5::fixed_string_type;
using h5::Handle;
using h5::plist_handle;
using h5::space_handle;
using h5::trim_fixed_string;
using h5::type_handle;

// ---------------------------------------------------------------------------------------------
// Version 1 tables (read only). One field list per dataset drives the reader's validation.

enum class FieldKind { String, Float64, Int64 };
struct Field {
  const char* name;
  FieldKind kind;
};

constexpr Field kCheckFields[] = {
    {"key", FieldKind::String},          {"op", FieldKind::String},           {"dtype", FieldKind::String},
    {"device", FieldKind::String},       {"shapes", FieldKind::String},       {"layout", FieldKind::String},
    {"mode", FieldKind::String},         {"reference", FieldKind::String},    {"status", FieldKind::String},
    {"max_abs_err", FieldKind::Float64}, {"max_rel_err", FieldKind::Float64}, {"max_ulp", FieldKind::Float64},
    {"budget", FieldKind::Float64},      {"message", FieldKind::String},
};

constexpr Field kBenchFields[] = {
    {"key", FieldKind::String},          {"op", FieldKind::String},          {"dtype", FieldKind::String},
    {"device", FieldKind::String},       {"shape", FieldKind::String},       {"numel", FieldKind::Int64},
    {"timer", FieldKind::String},        {"bytes", FieldKind::Float64},      {"flops", FieldKind::Float64},
    {"sample_offset", FieldKind::Int64}, {"sample_count", FieldKind::Int64}, {"median", FieldKind::Float64},
    {"mean", FieldKind::Float64},        {"min", FieldKind::Float64},        {"stddev", FieldKind::Float64},
    {"gbps", FieldKind::Float64},        {"gflops", FieldKind::Float64},
};

// The reader does not need these bench fields; the derived statistics are recomputed from the
// samples so a file edited by hand cannot make them disagree.
constexpr std::string_view kDerivedBenchFields[] = {"median", "mean", "min", "stddev", "gbps", "gflops"};

bool is_derived_bench_field(const char* name) {
  return std::find(std::begin(kDerivedBenchFields), std::end(kDerivedBenchFields), std::string_view(name)) !=
         std::end(kDerivedBenchFields);
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

  void put(std::string_view name, const std::string& v) { col(name, FieldKind::String).strings.push_back(v); }
  void put(std::string_view name, double v) { col(name, FieldKind::Float64).reals.push_back(v); }
  void put(std::string_view name, std::int64_t v) { col(name, FieldKind::Int64).ints.push_back(v); }

  std::vector<std::string>& strings(std::string_view name) { return col(name, FieldKind::String).strings; }
  const std::vector<double>& reals(std::string_view name) { return col(name, FieldKind::Float64).reals; }
  const std::vector<std::int64_t>& ints(std::string_view name) { return col(name, FieldKind::Int64).ints; }

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

// Reader
//
// A report may be damaged, so nothing read from it is trusted before it is checked: HDF5
// verifies the checksums of the metadata and of every chunk (in files this writer makes), and
// every size is held against the file's own size before anything is allocated. (A file crafted
// with valid checksums still reaches HDF5's own parsers; those are HDF5's to harden.)

class Reader {
 public:
  Reader(std::string path, bool decode) : path_(std::move(path)), decode_(decode) {}

  [[noreturn]] void corrupt(const std::string& what) const {
    throw ValueError(path_ + " is a corrupt Parity report: " + what);
  }

  ReportTable read(std::uint32_t& checksum) {
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

    const int version = check_schema_version(root.get());
    Metadata meta = read_meta(root.get());
    if (version >= 2) return read_v2(root.get(), std::move(meta), checksum);
    checksum = 0;
    Report r;
    r.meta = std::move(meta);
    r.checks = read_checks(root.get());
    r.benches = read_benches(root.get());
    const std::string why = format::check_kind(r);
    if (!why.empty()) corrupt(why);
    return ReportTable::from(r);
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
    Handle fapl = h5::read_access();
    file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, fapl.valid() ? fapl.get() : H5P_DEFAULT), H5Fclose);
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
    const std::uintmax_t limit = compressed ? std::max<std::uintmax_t>(file_size_, 1) * 1024 : file_size_;
    if (item_size != 0 && count > limit / item_size) {
      corrupt(what + " claims " + std::to_string(count) + " elements of " + std::to_string(item_size) +
              " bytes, more than the file holds");
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
      const H5Z_filter_t f =
          H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelmts, nullptr, 0, nullptr, &config);
      if (f != H5Z_FILTER_FLETCHER32 && f != H5Z_FILTER_SHUFFLE) return true;
    }
    return false;
  }

  int check_schema_version(hid_t root) {
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
    return static_cast<int>(version);
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
    const H5_index_t index = (order_flags & H5P_CRT_ORDER_TRACKED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    std::vector<std::string> names;
    hsize_t idx = 0;
    if (H5Aiterate2(g.get(), index, H5_ITER_INC, &idx, collect_name, &names) < 0) {
      corrupt("cannot list the attributes of /parity/meta");
    }
    Metadata meta;
    for (const std::string& name : names) {
      Handle attr = attr_handle(H5Aopen(g.get(), name.c_str(), H5P_DEFAULT));
      if (!attr.valid()) corrupt("cannot open attribute '" + name + "' of /parity/meta");
      meta.entries.emplace_back(name, read_string_attr(attr.get(), "/parity/meta attribute '" + name + "'"));
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
  Handle open_object(hid_t root, const char* name, H5I_type_t type, const std::string& group = "/parity") {
    const std::string where = group + "/" + name;
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
  Handle open_1d(hid_t root, const char* name, hsize_t& length, const std::string& group = "/parity") {
    const std::string where = group + "/" + name;
    Handle ds = open_object(root, name, H5I_DATASET, group);
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
      const bool ok = (c.field->kind == FieldKind::String && cls == H5T_STRING) ||
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

  // The records of a version 1 table: its string fields moved into `strings`' members, then
  // `rest` fills each record's other fields (and checks them), then keys must be distinct.
  template <class Record>
  struct StringMember {
    const char* name;
    std::string Record::*member;
  };
  template <class Record, class Rest>
  std::vector<Record> records_of(Table& t, hsize_t n, std::initializer_list<StringMember<Record>> strings,
                                 const char* what, const Rest& rest) {
    std::vector<Record> out(static_cast<std::size_t>(n));
    for (const StringMember<Record>& f : strings) {
      std::vector<std::string>& col = t.strings(f.name);
      for (std::size_t i = 0; i < out.size(); ++i) out[i].*f.member = std::move(col[i]);
    }
    std::set<std::string> keys;
    for (std::size_t i = 0; i < out.size(); ++i) {
      rest(out[i], i);
      if (!keys.insert(out[i].key).second)
        corrupt(std::string(what) + " key '" + out[i].key + "' appears twice");
    }
    return out;
  }

  std::vector<CheckRecord> read_checks(hid_t root) {
    Table t(kCheckFields);
    hsize_t n = 0;
    read_table(root, "checks", t, n);
    const auto& max_abs_err = t.reals("max_abs_err");
    const auto& max_rel_err = t.reals("max_rel_err");
    const auto& max_ulp = t.reals("max_ulp");
    const auto& budget = t.reals("budget");
    using C = CheckRecord;
    return records_of<C>(t, n,
                         {{"key", &C::key},
                          {"op", &C::op},
                          {"dtype", &C::dtype},
                          {"device", &C::device},
                          {"shapes", &C::shapes},
                          {"layout", &C::layout},
                          {"mode", &C::mode},
                          {"reference", &C::reference},
                          {"status", &C::status},
                          {"message", &C::message}},
                         "check", [&](C& c, std::size_t i) {
                           c.max_abs_err = max_abs_err[i];
                           c.max_rel_err = max_rel_err[i];
                           c.max_ulp = max_ulp[i];
                           c.budget = budget[i];
                           const std::string why = format::check_status(c.status);
                           if (!why.empty()) corrupt("check '" + c.key + "' " + why);
                         });
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
        check_fits(n_samples, std::max<std::size_t>(H5Tget_size(t.get()), 1), has_compression(ds.get()),
                   "/parity/bench_samples");
        samples.resize(static_cast<std::size_t>(n_samples));
        if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, samples.data()) < 0) {
          corrupt("cannot read /parity/bench_samples (damaged data?)");
        }
      }
    }
    Table t(kBenchFields, is_derived_bench_field);
    hsize_t n = 0;
    read_table(root, "benches", t, n);
    const auto& numel = t.ints("numel");
    const auto& bytes = t.reals("bytes");
    const auto& flops = t.reals("flops");
    const auto& sample_offset = t.ints("sample_offset");
    const auto& sample_count = t.ints("sample_count");
    using B = BenchRecord;
    return records_of<B>(
        t, n,
        {{"key", &B::key},
         {"op", &B::op},
         {"dtype", &B::dtype},
         {"device", &B::device},
         {"shape", &B::shape},
         {"timer", &B::timer}},
        "bench", [&](B& b, std::size_t i) {
          b.numel = numel[i];
          b.bytes = bytes[i];
          b.flops = flops[i];
          const std::int64_t off = sample_offset[i], cnt = sample_count[i];
          if (off < 0 || cnt < 0 || static_cast<std::uint64_t>(off) > n_samples ||
              static_cast<std::uint64_t>(cnt) > n_samples - static_cast<std::uint64_t>(off)) {
            corrupt("bench '" + b.key + "' points outside /parity/bench_samples");
          }
          b.samples.assign(samples.begin() + off, samples.begin() + off + cnt);
          for (double v : b.samples) {
            const std::string why = format::check_sample(v);
            if (!why.empty()) corrupt("bench '" + b.key + "' " + why);
          }
        });
  }

  // ---- Version 2

  // Reads a whole 1-D dataset of `elem_size`-byte integers (`is_float` false) or floats into
  // `out` (already typed by the caller through `resize`). Any byte order is accepted; the
  // class and size must be the schema's, so the values hashed are the values written.
  template <typename Resize>
  void read_array(hid_t loc, const char* name, const std::string& group, bool is_float, std::size_t elem_size,
                  bool is_unsigned, Resize resize) {
    const std::string where = group + "/" + name;
    hsize_t n = 0;
    Handle ds = open_1d(loc, name, n, group);
    Handle t = type_handle(H5Dget_type(ds.get()));
    if (!t.valid()) corrupt("cannot read the type of " + where);
    const H5T_class_t cls = H5Tget_class(t.get());
    if (cls != (is_float ? H5T_FLOAT : H5T_INTEGER) || H5Tget_size(t.get()) != elem_size ||
        (!is_float && (H5Tget_sign(t.get()) == H5T_SGN_NONE) != is_unsigned)) {
      corrupt(where + " has the wrong type");
    }
    if (n > 0) check_fits(n, elem_size, has_compression(ds.get()), where);
    void* data = resize(static_cast<std::size_t>(n));
    hid_t mem = H5T_NATIVE_DOUBLE;
    if (!is_float) {
      mem = elem_size == 1 ? H5T_NATIVE_UINT8 : elem_size == 4 ? H5T_NATIVE_UINT32 : H5T_NATIVE_INT64;
    }
    if (n > 0 && H5Dread(ds.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
      corrupt("cannot read " + where + " (damaged data?)");
    }
  }

  template <typename T>
  void read_vector(hid_t loc, const char* name, const std::string& group, std::vector<T>& v) {
    read_array(loc, name, group, std::is_floating_point_v<T>, sizeof(T), std::is_unsigned_v<T>,
               [&](std::size_t n) {
                 v.resize(n);
                 return static_cast<void*>(v.data());
               });
  }

  void read_columns(hid_t root, const char* table, std::vector<format::Column>& cols) {
    const std::string group = std::string("/parity/") + table;
    Handle g = open_object(root, table, H5I_GROUP);
    for (format::Column& c : cols) {
      read_array(g.get(), c.name, group, c.kind == format::Kind::Real, c.element_size(),
                 c.kind == format::Kind::Id, [&](std::size_t n) { return c.resize(n); });
    }
  }

  long long read_int_attr(hid_t root, const char* name) {
    const std::string where = std::string("/parity/") + name;
    if (H5Aexists(root, name) <= 0) corrupt("/parity has no " + std::string(name) + " attribute");
    Handle attr = attr_handle(H5Aopen(root, name, H5P_DEFAULT));
    Handle t = type_handle(attr.valid() ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
    Handle space = space_handle(attr.valid() ? H5Aget_space(attr.get()) : H5I_INVALID_HID);
    long long v = 0;
    if (!t.valid() || H5Tget_class(t.get()) != H5T_INTEGER || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1 || H5Aread(attr.get(), H5T_NATIVE_LLONG, &v) < 0) {
      corrupt(where + " is not a single integer");
    }
    if (v < 1 || v > 1000000) corrupt(where + " is " + std::to_string(v) + ", not a key format");
    return v;
  }

  std::uint32_t read_checksum_attr(hid_t root) {
    if (H5Aexists(root, "content_checksum") <= 0) corrupt("/parity has no content_checksum attribute");
    Handle attr = attr_handle(H5Aopen(root, "content_checksum", H5P_DEFAULT));
    Handle t = type_handle(attr.valid() ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
    Handle space = space_handle(attr.valid() ? H5Aget_space(attr.get()) : H5I_INVALID_HID);
    std::uint32_t v = 0;
    if (!t.valid() || H5Tget_class(t.get()) != H5T_INTEGER || H5Tget_size(t.get()) != 4 || !space.valid() ||
        H5Sget_simple_extent_npoints(space.get()) != 1 || H5Aread(attr.get(), H5T_NATIVE_UINT32, &v) < 0) {
      corrupt("/parity/content_checksum is not a single 32-bit integer");
    }
    return v;
  }

  ReportTable read_v2(hid_t root, Metadata meta, std::uint32_t& checksum) {
    const std::uint32_t stored = read_checksum_attr(root);
    const long long key_format = read_int_attr(root, "key_format");
    format::Image im;
    read_array(root, "strings", "/parity", false, 1, true, [&](std::size_t k) {
      im.strings.resize(k);
      return static_cast<void*>(im.strings.data());
    });
    read_vector(root, "string_offsets", "/parity", im.string_offsets);
    read_vector(root, "shape_dims", "/parity", im.shape_dims);
    im.checks = format::check_columns();
    read_columns(root, "checks", im.checks);
    im.benches = format::bench_columns();
    read_columns(root, "benches", im.benches);
    read_vector(root, "bench_samples", "/parity", im.bench_samples);
    read_vector(root, "bench_counter_names", "/parity", im.bench_counter_names);
    read_vector(root, "bench_counter_values", "/parity", im.bench_counter_values);
    const std::uint32_t computed = format::checksum(meta, im);
    if (computed != stored) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "stored %08x, computed %08x", stored, computed);
      corrupt(std::string("the content does not match its checksum (") + buf +
              "): the file was damaged or changed");
    }
    checksum = stored;
    if (!decode_) {
      ReportTable t;
      t.meta = std::move(meta);
      return t;
    }
    try {
      ReportTable t = format::table_from_image(std::move(im), std::move(meta));
      t.key_format = static_cast<int>(key_format);
      return t;
    } catch (const format::Corrupt& e) {
      corrupt(e.what());
    }
  }

  std::string path_;
  bool decode_ = true;
  std::uintmax_t file_size_ = 0;
  Handle file_;
};

void silence_hdf5_at_exit() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace

namespace format {
ReportTable read_file(const std::string& path, std::uint32_t& checksum, bool decode) {
  h5::SilenceErrors quiet;  // also initialises HDF5, which registers its own exit handler
  // HDF5 1.10 leaks a free-list block when an object header fails its checksum (H5O_protect's
  // error path), and at exit its library shutdown then prints "HDF5: infinite loop closing
  // library" to stderr (every hid_t of ours is closed; the tests check it). Exit handlers run
  // in reverse order, so this one runs just before HDF5's and turns off the automatic error
  // printing that the message depends on; the shutdown itself still runs.
  static const bool quiet_exit = [] { return std::atexit(silence_hdf5_at_exit) == 0; }();
  (void)quiet_exit;
  return Reader(path, decode).read(checksum);
}
}  // namespace format

ReportTable read_report_table(const std::string& path) {
  std::uint32_t checksum = 0;
  return format::read_file(path, checksum);
}

Report read_report(const std::string& path) { return read_report_table(path).to_report(); }

}  // namespace parity::reports
