#include "suite/goldens.h"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "engine/array/array.h"
#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "engine/tensor/tensor.h"
#include "suite/cases.h"
#include "suite/check.h"

#ifndef PARITY_SOURCE_DIR
#define PARITY_SOURCE_DIR "."
#endif

namespace parity::suite {

using spec::DType;
using json = nlohmann::json;

namespace {

namespace fs = std::filesystem;

constexpr int kLayoutVersion = 1;
constexpr std::size_t kMaxString = 1 << 16;  // longest attribute string read
constexpr std::size_t kMaxName = 256;        // longest case name
constexpr const char* kReferenceSuffix = " golden";

// ---------------------------------------------------------------------------------------------
// HDF5 plumbing: every call checked, handles closed on every path, no error stack printed.

class SilenceHdf5 {
 public:
  SilenceHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  SilenceHdf5(const SilenceHdf5&) = delete;
  SilenceHdf5& operator=(const SilenceHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

class H5 {
 public:
  using Closer = herr_t (*)(hid_t);
  H5(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  H5(H5&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  H5(const H5&) = delete;
  H5& operator=(const H5&) = delete;
  H5& operator=(H5&&) = delete;
  ~H5() {
    if (id_ >= 0) closer_(id_);
  }
  bool ok() const { return id_ >= 0; }
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  Closer closer_;
};

// One array read from a file: its dtype as the library names it, and its values when Parity
// has that dtype.
struct Loaded {
  std::string dtype_name;
  spec::Shape shape;
  std::optional<DType> dtype;
  array::NdArray array;  // C-contiguous, valid when dtype is set
};

struct GoldenCase {
  std::string name;
  const spec::OpSpec* op = nullptr;
  std::string params_text;
  json params;
  bool expect_error = false;
  std::string error_class, error_message;
  std::vector<Loaded> in;
  std::vector<std::optional<json>> views;
  std::optional<Loaded> out, grad_out;
  std::vector<std::optional<Loaded>> grad_in;
};

struct Library {
  std::string name;     // "numpy" | "torch"
  std::string version;  // library_version
  std::string stem;     // the file's name without .h5, for the keys
};

// The library's spelling of the reduction parameters.
struct ParamNames {
  const char* axes;
  const char* keepdims;
};
ParamNames param_names(const std::string& library) {
  return library == "numpy" ? ParamNames{"axis", "keepdims"} : ParamNames{"dim", "keepdim"};
}

// The registry row a library's qualified op name belongs to (nullptr when none).
const spec::OpSpec* registry_op(const std::string& library, const std::string& qualified) {
  for (const spec::OpSpec& op : spec::op_table())
    if ((library == "numpy" ? op.numpy_name : op.torch_name) == qualified) return &op;
  return nullptr;
}

std::string known_names(const std::string& library) {
  std::string s;
  for (const spec::OpSpec& op : spec::op_table())
    s += (s.empty() ? "" : ", ") + std::string(library == "numpy" ? op.numpy_name : op.torch_name);
  return s;
}

void apply_params(const GoldenCase& gc, const Library& lib, Case& c);
void check_view(const json& recipe);
array::NdArray array_view(array::NdArray a, const std::optional<json>& recipe);

class GoldenReader {
 public:
  explicit GoldenReader(std::string path) : path_(std::move(path)) {}

  // Opens and validates the root; fills `lib`.
  H5 open(Library& lib) {
    std::error_code ec;
    const fs::file_status st = fs::status(path_, ec);
    if (st.type() == fs::file_type::not_found) throw ValueError("golden file '" + path_ + "' does not exist");
    if (ec) throw ValueError("cannot read golden file '" + path_ + "' (" + ec.message() + ")");
    if (!fs::is_regular_file(st)) throw ValueError(path_ + " is not a regular file");
    file_size_ = fs::file_size(path_, ec);
    if (ec) throw ValueError("cannot read golden file '" + path_ + "' (" + ec.message() + ")");
    const htri_t is_h5 = H5Fis_hdf5(path_.c_str());
    if (is_h5 == 0) throw ValueError(path_ + " is not an HDF5 file");
    if (is_h5 < 0) throw ValueError("cannot read golden file '" + path_ + "' (damaged or unreadable)");
    H5 file(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw ValueError("cannot open golden file '" + path_ + "' (is it truncated or damaged?)");
    H5 root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
    if (!root.ok()) bad("cannot open the root group");
    if (exists_attr(root.get(), "parity_goldens", "/") == false)
      throw ValueError(path_ + " is not a Parity golden file (no parity_goldens attribute)");
    const long long version = int_attr(root.get(), "parity_goldens", "/");
    if (version > kLayoutVersion)
      throw ValueError(path_ + " has golden layout version " + std::to_string(version) +
                       ", newer than this build reads (" + std::to_string(kLayoutVersion) + ")");
    if (version < 1) bad("parity_goldens " + std::to_string(version) + " is not a layout version");
    lib.name = required_string(root.get(), "library", "/");
    if (lib.name != "numpy" && lib.name != "torch")
      bad("library '" + lib.name + "' is neither numpy nor torch");
    lib.version = required_string(root.get(), "library_version", "/");
    required_string(root.get(), "generator", "/");
    lib.stem = fs::path(path_).stem().string();
    return file;
  }

  std::vector<std::string> case_names(hid_t file) {
    H5 cases = open_group(file, "cases", "/");
    H5G_info_t info;
    if (H5Gget_info(cases.get(), &info) < 0) bad("cannot list /cases");
    std::vector<std::string> names;
    char buf[kMaxName];
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t n =
          H5Lget_name_by_idx(cases.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
      if (n < 0) bad("cannot read the name of case " + std::to_string(i));
      if (std::size_t(n) >= sizeof buf)
        bad("a case name is longer than " + std::to_string(kMaxName - 1) + " bytes");
      names.emplace_back(buf, std::size_t(n));
    }
    return names;
  }

  GoldenCase read_case(hid_t file, const Library& lib, const std::string& name) {
    H5 cases = open_group(file, "cases", "/");
    H5 g = open_group(cases.get(), name, "/cases/");
    const std::string where = "/cases/" + name;
    GoldenCase c;
    c.name = name;
    const std::string op = required_string(g.get(), "op", where);
    c.op = registry_op(lib.name, op);
    if (!c.op)
      bad(where + ": op '" + op + "' is not in Parity's registry (known: " + known_names(lib.name) + ")");
    c.params_text = required_string(g.get(), "params", where);
    c.params = parse_json(c.params_text, where + " params");
    if (!c.params.is_object()) bad(where + ": params is not a JSON object");
    const std::string expect = required_string(g.get(), "expect", where);
    if (expect != "value" && expect != "error")
      bad(where + ": expect is '" + expect + "', not value or error");
    c.expect_error = expect == "error";
    if (c.expect_error) {
      c.error_class = required_string(g.get(), "error_class", where);
      c.error_message = required_string(g.get(), "error_message", where);
    }
    for (int k = 0;; ++k) {
      const std::string in = "in" + std::to_string(k);
      if (!exists_link(g.get(), in, where)) break;
      c.in.push_back(read_dataset(g.get(), in, where));
      const std::string view_attr = in + "_view";
      if (exists_attr(g.get(), view_attr.c_str(), where))
        c.views.push_back(
            parse_json(required_string(g.get(), view_attr.c_str(), where), where + " " + view_attr));
      else
        c.views.emplace_back();
    }
    for (std::size_t k = 0; k < c.views.size(); ++k) {
      if (!c.views[k]) continue;
      try {
        check_view(*c.views[k]);
      } catch (const ValueError& e) {
        bad(where + ": in" + std::to_string(k) + "_view: " + e.what());
      }
    }
    try {
      Case scratch;
      apply_params(c, lib, scratch);
    } catch (const ValueError& e) {
      bad(where + ": params: " + e.what());
    }
    if (int(c.in.size()) != c.op->arity)
      bad(where + ": " + op + " takes " + std::to_string(c.op->arity) + " operand(s), the case has " +
          std::to_string(c.in.size()));
    if (!c.expect_error) {
      if (!exists_link(g.get(), "out", where)) bad(where + ": expect is value but there is no out dataset");
      c.out = read_dataset(g.get(), "out", where);
    }
    if (exists_link(g.get(), "grad_out", where)) {
      if (c.expect_error) bad(where + ": gradients in an error case");
      c.grad_out = read_dataset(g.get(), "grad_out", where);
    }
    for (std::size_t k = 0; k < c.in.size(); ++k) {
      const std::string gn = "grad_in" + std::to_string(k);
      if (exists_link(g.get(), gn, where)) {
        if (!c.grad_out) bad(where + ": " + gn + " without grad_out");
        c.grad_in.push_back(read_dataset(g.get(), gn, where));
      } else {
        c.grad_in.emplace_back();
      }
    }
    return c;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    throw ValueError(path_ + " is not a golden file in the documented layout: " + what);
  }

  json parse_json(const std::string& text, const std::string& what) const {
    try {
      return json::parse(text);
    } catch (const json::exception&) {
      bad(what + " is not valid JSON");
    }
  }

  bool exists_attr(hid_t obj, const char* name, const std::string& where) const {
    const htri_t e = H5Aexists(obj, name);
    if (e < 0) bad("cannot read the attributes of " + where);
    return e > 0;
  }

  bool exists_link(hid_t group, const std::string& name, const std::string& where) const {
    const htri_t e = H5Lexists(group, name.c_str(), H5P_DEFAULT);
    if (e < 0) bad("cannot read the members of " + where);
    if (e == 0) return false;
    H5L_info_t info;
    if (H5Lget_info(group, name.c_str(), &info, H5P_DEFAULT) < 0)
      bad("cannot read link " + where + "/" + name);
    if (info.type != H5L_TYPE_HARD) bad(where + "/" + name + " is a soft or external link");
    return true;
  }

  H5 open_group(hid_t parent, const std::string& name, const std::string& where) const {
    if (!exists_link(parent, name, where)) bad("no group " + where + name);
    H5 g(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) bad(where + name + " is not a group");
    return g;
  }

  std::string required_string(hid_t obj, const char* name, const std::string& where) const {
    if (!exists_attr(obj, name, where)) bad(where + " has no attribute '" + name + "'");
    H5 attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    if (!attr.ok()) bad("cannot open attribute '" + std::string(name) + "' of " + where);
    H5 type(H5Aget_type(attr.get()), H5Tclose);
    H5 space(H5Aget_space(attr.get()), H5Sclose);
    const std::string what = "attribute '" + std::string(name) + "' of " + where;
    if (!type.ok() || !space.ok() || H5Tget_class(type.get()) != H5T_STRING ||
        H5Sget_simple_extent_npoints(space.get()) != 1)
      bad(what + " is not one string");
    const htri_t variable = H5Tis_variable_str(type.get());
    if (variable < 0) bad("cannot read the type of " + what);
    H5 mem(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!mem.ok()) bad("cannot read " + what);
    const H5T_cset_t cset = H5Tget_cset(type.get());
    if (cset < 0 || H5Tset_cset(mem.get(), cset) < 0) bad("cannot read the character set of " + what);
    if (variable > 0) {
      // h5py writes str attributes as variable-length strings; the committed files use
      // fixed-length ones (their bytes are covered by the metadata checksums).
      if (H5Tset_size(mem.get(), H5T_VARIABLE) < 0) bad("cannot read " + what);
      char* p = nullptr;
      if (H5Aread(attr.get(), mem.get(), &p) < 0 || p == nullptr) bad("cannot read " + what);
      std::string s(p, strnlen(p, kMaxString));
      H5free_memory(p);
      return s;
    }
    const std::size_t n = H5Tget_size(type.get());
    if (n == 0 || n > kMaxString) bad(what + " is longer than " + std::to_string(kMaxString) + " bytes");
    if (H5Tset_size(mem.get(), n) < 0 || H5Tset_strpad(mem.get(), H5T_STR_NULLPAD) < 0)
      bad("cannot read " + what);
    std::string buf(n, '\0');
    if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) bad("cannot read " + what);
    buf.resize(strnlen(buf.data(), n));
    return buf;
  }

  long long int_attr(hid_t obj, const char* name, const std::string& where) const {
    H5 attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    if (!attr.ok()) bad("cannot open attribute '" + std::string(name) + "' of " + where);
    H5 type(H5Aget_type(attr.get()), H5Tclose);
    H5 space(H5Aget_space(attr.get()), H5Sclose);
    if (!type.ok() || !space.ok() || H5Tget_class(type.get()) != H5T_INTEGER ||
        H5Sget_simple_extent_npoints(space.get()) != 1)
      bad("attribute '" + std::string(name) + "' of " + where + " is not one integer");
    long long v = 0;
    if (H5Aread(attr.get(), H5T_NATIVE_LLONG, &v) < 0)
      bad("cannot read attribute '" + std::string(name) + "'");
    return v;
  }

  // The library's dtype name of a dataset's HDF5 type (bool is h5py's enum; bfloat16 is
  // uint16 with attribute dtype = "bfloat16").
  std::string dtype_name(hid_t ds, hid_t type, const std::string& what) const {
    const H5T_class_t cls = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    std::string name;
    if (cls == H5T_INTEGER) {
      const H5T_sign_t sign = H5Tget_sign(type);
      if (sign < 0 || (size != 1 && size != 2 && size != 4 && size != 8))
        bad(what + " has an unusual integer type");
      name = (sign == H5T_SGN_NONE ? "uint" : "int") + std::to_string(size * 8);
    } else if (cls == H5T_FLOAT) {
      if (size != 2 && size != 4 && size != 8)
        bad(what + " has a float type of " + std::to_string(size) + " bytes");
      name = "float" + std::to_string(size * 8);
    } else if (cls == H5T_ENUM) {
      H5 base(H5Tget_super(type), H5Tclose);
      signed char v0 = -1, v1 = -1;
      if (!base.ok() || H5Tget_class(base.get()) != H5T_INTEGER || H5Tget_size(base.get()) != 1 ||
          H5Tget_nmembers(type) != 2 || H5Tenum_valueof(type, "FALSE", &v0) < 0 ||
          H5Tenum_valueof(type, "TRUE", &v1) < 0 || v0 != 0 || v1 != 1)
        bad(what + " is an enum but not h5py's bool (FALSE = 0, TRUE = 1)");
      name = "bool";
    } else {
      bad(what + " is neither a number nor a bool");
    }
    if (exists_attr(ds, "dtype", what)) {
      const std::string declared = required_string(ds, "dtype", what);
      if (declared == "bfloat16" && name == "uint16") return "bfloat16";
      if (declared != name) bad(what + " declares dtype '" + declared + "' but holds " + name);
    }
    return name;
  }

  // The in-memory type for a Parity dtype's storage (native byte order).
  static H5 memory_type(const std::string& name) {
    if (name == "bool") {
      H5 t(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
      const signed char f = 0, tr = 1;
      if (t.ok() && H5Tenum_insert(t.get(), "FALSE", &f) >= 0 && H5Tenum_insert(t.get(), "TRUE", &tr) >= 0)
        return t;
      return H5(H5I_INVALID_HID, H5Tclose);
    }
    static const std::map<std::string, hid_t> natives{
        {"int8", H5T_NATIVE_INT8},     {"int16", H5T_NATIVE_INT16},   {"int32", H5T_NATIVE_INT32},
        {"int64", H5T_NATIVE_INT64},   {"uint8", H5T_NATIVE_UINT8},   {"uint16", H5T_NATIVE_UINT16},
        {"uint32", H5T_NATIVE_UINT32}, {"uint64", H5T_NATIVE_UINT64}, {"bfloat16", H5T_NATIVE_UINT16},
        {"float32", H5T_NATIVE_FLOAT}, {"float64", H5T_NATIVE_DOUBLE}};
    if (auto it = natives.find(name); it != natives.end()) return H5(H5Tcopy(it->second), H5Tclose);
    if (name == "float16") {
      // HDF5 has no native half type: IEEE binary16 in little-endian order, as h5py writes it.
      H5 t(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
      if (t.ok() && H5Tset_fields(t.get(), 15, 10, 5, 0, 10) >= 0 && H5Tset_size(t.get(), 2) >= 0 &&
          H5Tset_ebias(t.get(), 15) >= 0)
        return t;
    }
    return H5(H5I_INVALID_HID, H5Tclose);
  }

  Loaded read_dataset(hid_t group, const std::string& name, const std::string& where) const {
    const std::string what = where + "/" + name;
    H5 ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) bad(what + " is not a dataset");
    H5 type(H5Dget_type(ds.get()), H5Tclose);
    H5 space(H5Dget_space(ds.get()), H5Sclose);
    if (!type.ok() || !space.ok()) bad("cannot read the type or shape of " + what);
    Loaded l;
    l.dtype_name = dtype_name(ds.get(), type.get(), what);
    const H5S_class_t sc = H5Sget_simple_extent_type(space.get());
    if (sc == H5S_SIMPLE) {
      hsize_t dims[H5S_MAX_RANK];
      const int rank = H5Sget_simple_extent_ndims(space.get());
      if (rank < 0 || rank > H5S_MAX_RANK || H5Sget_simple_extent_dims(space.get(), dims, nullptr) != rank)
        bad("cannot read the shape of " + what);
      for (int d = 0; d < rank; ++d) l.shape.push_back(std::int64_t(dims[d]));
    } else if (sc != H5S_SCALAR) {
      bad(what + " has no data (null dataspace)");
    }
    // A damaged dataspace must fail here, not in the allocator: gzip compresses at most
    // about 1:1000.
    const std::uintmax_t limit = std::max<std::uintmax_t>(file_size_, 1) * 1024;
    std::uintmax_t count = 1;
    const std::size_t item = H5Tget_size(type.get());
    for (std::int64_t d : l.shape) {
      if (d != 0 && count > limit / std::uintmax_t(d))
        bad(what + " claims more elements than the file can hold");
      count *= std::uintmax_t(d);
    }
    if (item != 0 && count > limit / item) bad(what + " claims more elements than the file can hold");
    try {
      l.dtype = spec::parse_dtype(l.dtype_name);
    } catch (const Error&) {
      return l;  // not in Parity yet: the case is skipped, its data is not needed
    }
    H5 mem = memory_type(l.dtype_name);
    if (!mem.ok() || H5Tget_size(mem.get()) != spec::itemsize(*l.dtype))
      bad("cannot map the type of " + what);
    l.array = array::NdArray::empty(l.shape, *l.dtype);
    if (count > 0 && H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, l.array.data()) < 0)
      bad("cannot read " + what + " (damaged?)");
    return l;
  }

  std::string path_;
  std::uintmax_t file_size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Judging

// The class name the library would raise for an engine error. The engines raise Parity's few
// kinds; until they carry the library's own class name, the kind's name stands in for it.
std::string error_class_name(const Error& e) {
  if (dynamic_cast<const TypeError*>(&e)) return "TypeError";
  if (dynamic_cast<const ValueError*>(&e)) return "ValueError";
  if (dynamic_cast<const DeviceError*>(&e)) return "DeviceError";
  return "RuntimeError";
}

struct Raised {
  std::string cls, message;
};

std::string join_dtypes(const GoldenCase& c) {
  bool same = true;
  for (const Loaded& l : c.in) same = same && l.dtype_name == c.in[0].dtype_name;
  std::string s;
  for (std::size_t i = 0; i < (same ? 1 : c.in.size()); ++i) s += (i ? "+" : "") + c.in[i].dtype_name;
  return s;
}

// Why a case cannot run in Parity today ("" when it can).
std::string skip_reason(const GoldenCase& c, const Library& lib) {
  auto check = [](const std::optional<Loaded>& l) -> std::string {
    return l && !l->dtype ? "dtype " + l->dtype_name + " is not in Parity yet" : "";
  };
  for (const Loaded& l : c.in)
    if (!l.dtype) return "dtype " + l.dtype_name + " is not in Parity yet";
  if (auto s = check(c.out); !s.empty()) return s;
  if (auto s = check(c.grad_out); !s.empty()) return s;
  for (const auto& g : c.grad_in)
    if (auto s = check(g); !s.empty()) return s;
  const ParamNames pn = param_names(lib.name);
  for (const auto& [key, value] : c.params.items())
    if (key != pn.axes && key != pn.keepdims) return "parameter '" + key + "' is not in Parity yet";
  return "";
}

// The engine arguments from the library's params (axis/dim as an int, a list or null;
// keepdims/keepdim a bool). Throws ValueError for a value of the wrong type.
void apply_params(const GoldenCase& gc, const Library& lib, Case& c) {
  const ParamNames pn = param_names(lib.name);
  const std::string op(lib.name == "numpy" ? gc.op->numpy_name : gc.op->torch_name);
  // Only reductions take axes today; the registry's signature will say which ops take what.
  const bool reduces = gc.op->kind == spec::OpKind::Reduction;
  if (gc.params.contains(pn.axes)) {
    const json& a = gc.params[pn.axes];
    if (!reduces) throw ValueError(op + " takes no " + pn.axes);
    if (a.is_number_integer())
      c.axes.push_back(a.get<std::int64_t>());
    else if (a.is_array()) {
      for (const json& v : a) {
        if (!v.is_number_integer()) throw ValueError(std::string(pn.axes) + " holds a non-integer");
        c.axes.push_back(v.get<std::int64_t>());
      }
      if (c.axes.empty()) throw ValueError(std::string(pn.axes) + " = [] (no axis) is not in Parity yet");
    } else if (!a.is_null()) {
      throw ValueError(std::string(pn.axes) + " is neither an integer, a list nor null");
    }
  }
  if (gc.params.contains(pn.keepdims)) {
    if (!reduces) throw ValueError(op + " takes no " + pn.keepdims);
    if (!gc.params[pn.keepdims].is_boolean()) throw ValueError(std::string(pn.keepdims) + " is not a bool");
    c.keepdims = gc.params[pn.keepdims].get<bool>();
  }
}

// The steps of a view recipe: one {"transpose": axes} or {"slice": [[start, stop, step], ...]}
// object, or a list of them applied in order.
std::vector<std::pair<std::string, json>> view_steps(const json& recipe) {
  std::vector<std::pair<std::string, json>> steps;
  auto add = [&](const json& step) {
    if (!step.is_object()) throw ValueError("a view step is not a JSON object");
    for (const auto& [k, v] : step.items()) steps.emplace_back(k, v);
  };
  if (recipe.is_array())
    for (const json& s : recipe) add(s);
  else
    add(recipe);
  return steps;
}

std::vector<int> transpose_axes(const json& v) {
  if (!v.is_array()) throw ValueError("transpose takes a list of axes");
  std::vector<int> axes;
  for (const json& a : v) {
    if (!a.is_number_integer()) throw ValueError("transpose takes integer axes");
    axes.push_back(a.get<int>());
  }
  return axes;
}

std::vector<array::Slice> slices(const json& v) {
  if (!v.is_array()) throw ValueError("slice takes a list of [start, stop, step]");
  std::vector<array::Slice> out;
  for (const json& s : v) {
    array::Slice sl;
    if (s.is_array() && s.size() <= 3) {
      auto part = [&](std::size_t i) -> std::optional<std::int64_t> {
        if (i >= s.size() || s[i].is_null()) return std::nullopt;
        if (!s[i].is_number_integer()) throw ValueError("slice bounds must be integers or null");
        return s[i].get<std::int64_t>();
      };
      sl.start = part(0);
      sl.stop = part(1);
      sl.step = part(2).value_or(1);
    } else if (!s.is_null()) {
      throw ValueError("slice takes [start, stop, step] per axis");
    }
    out.push_back(sl);
  }
  return out;
}

// Throws ValueError when a recipe is malformed or names an unknown step.
void check_view(const json& recipe) {
  for (const auto& [key, v] : view_steps(recipe)) {
    if (key == "transpose")
      transpose_axes(v);
    else if (key == "slice")
      slices(v);
    else
      throw ValueError("view step '" + key + "' is not known (transpose, slice)");
  }
}

array::NdArray array_view(array::NdArray a, const std::optional<json>& recipe) {
  if (!recipe) return a;
  for (const auto& [key, v] : view_steps(*recipe)) {
    if (key == "transpose") {
      const std::vector<int> axes = transpose_axes(v);
      a = a.transpose(axes);
    } else if (key == "slice") {
      const std::vector<array::Slice> s = slices(v);
      a = a.slice(s);
    } else {
      throw ValueError("view step '" + key + "' is not known");
    }
  }
  return a;
}

// The tensor engine's view; nullopt where PyTorch cannot express it (negative steps).
std::optional<tensor::Tensor> tensor_view(tensor::Tensor t, const std::optional<json>& recipe) {
  if (!recipe) return t;
  for (const auto& [key, v] : view_steps(*recipe)) {
    if (key == "transpose") {
      const std::vector<int> axes = transpose_axes(v);
      t = t.permute(axes);
    } else if (key == "slice") {
      const std::vector<array::Slice> s = slices(v);
      for (std::size_t d = 0; d < s.size(); ++d) {
        if (s[d].step <= 0) return std::nullopt;
        t = t.slice(int(d), s[d].start, s[d].stop, s[d].step);
      }
    } else {
      throw ValueError("view step '" + key + "' is not known");
    }
  }
  return t;
}

std::string fmt_value(double v) { return fmt::format("{:.9g}", v); }

// Integers and bool: exact, compared as stored bits (doubles cannot hold every int64).
// Returns the number of differing elements and the first one's index.
std::pair<std::int64_t, std::int64_t> raw_mismatches(const array::NdArray& got, const array::NdArray& want) {
  const array::NdArray g = got.copy(), w = want.copy();
  const std::size_t item = std::size_t(g.itemsize());
  const auto* a = static_cast<const unsigned char*>(g.data());
  const auto* b = static_cast<const unsigned char*>(w.data());
  std::int64_t n = 0, first = -1;
  for (std::int64_t i = 0; i < g.size(); ++i) {
    if (std::memcmp(a + std::size_t(i) * item, b + std::size_t(i) * item, item) != 0) {
      if (first < 0) first = i;
      ++n;
    }
  }
  return {n, first};
}

// What the goldens judge exactly and compare_values() may not (it treats -0 and +0 alike,
// and a reduction's allowance can be NaN where terms are infinite): NaN positions, equal
// infinities, the sign of zero. The first element that breaks one (-1 when none).
std::int64_t first_special_mismatch(const std::vector<double>& got, const std::vector<double>& want) {
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool nan_differs = std::isnan(g) != std::isnan(w);
    const bool inf_differs = (std::isinf(g) || std::isinf(w)) && g != w;
    const bool zero_differs = g == 0 && w == 0 && std::signbit(g) != std::signbit(w);
    if (nan_differs || inf_differs || zero_differs) return std::int64_t(i);
  }
  return -1;
}

std::string element_text(const array::NdArray& a, std::int64_t flat) {
  const array::NdArray c = a.copy();
  if (spec::is_integer(c.dtype())) {
    return c.dtype() == DType::Int64 ? std::to_string(static_cast<const std::int64_t*>(c.data())[flat])
                                     : std::to_string(static_cast<const std::int32_t*>(c.data())[flat]);
  }
  return fmt_value(c.to_doubles()[std::size_t(flat)]);
}

void fail(reports::CheckRecord& r, const std::string& kind, const std::string& detail) {
  r.status = "fail";
  r.message = kind + ": " + detail;
}

// Judges a value against the golden: dtype, shape, then the values ("" when it agrees).
// `views` are the inputs as arrays (for a reduction's allowance).
void judge_value(const Case& c, const array::NdArray& got, const Loaded& want,
                 const std::vector<array::NdArray>& views, const Library& lib, reports::CheckRecord& r) {
  if (got.dtype() != *want.dtype)
    return fail(
        r, "dtype differs",
        "got " + std::string(spec::dtype_name(got.dtype())) + ", " + lib.name + " gives " + want.dtype_name);
  if (got.shape() != want.shape)
    return fail(r, "shape differs",
                "got " + spec::shape_str(got.shape()) + ", want " + spec::shape_str(want.shape));
  const DType d = got.dtype();
  if (!spec::is_floating(d)) {
    const auto [n, first] = raw_mismatches(got, want.array);
    r.max_abs_err = n == 0 ? 0.0 : reports::kNaN;
    r.budget = 0;
    if (n > 0)
      return fail(r, "value differs",
                  std::to_string(n) + " of " + std::to_string(got.size()) +
                      " elements differ; first at flat index " + std::to_string(first) + ": got " +
                      element_text(got, first) + ", want " + element_text(want.array, first));
    r.status = "pass";
    return;
  }
  const spec::OpSpec& op = spec::op_spec(c.op);
  const std::vector<double> g = got.to_doubles(), w = want.array.to_doubles();
  std::vector<double> allowed;
  if (op.accuracy.reduce_factor > 0) allowed = reduction_allowance(c, views, w, d);
  const Agreement ag = compare_values(g, w, d, op.accuracy.max_ulp, allowed.empty() ? nullptr : &allowed);
  r.max_abs_err = ag.max_abs;
  r.max_rel_err = ag.max_rel;
  r.max_ulp = ag.max_ulp;
  r.budget = allowed.empty() ? op.accuracy.max_ulp : ag.worst_allowed;
  if (ag.mismatches > 0) {
    const auto i = std::size_t(ag.first_bad);
    return fail(r, "value differs",
                std::to_string(ag.mismatches) + " of " + std::to_string(w.size()) +
                    " elements over budget; first at flat index " + std::to_string(i) + ": got " +
                    fmt_value(g[i]) + ", want " + fmt_value(w[i]));
  }
  if (const std::int64_t z = first_special_mismatch(g, w); z >= 0)
    return fail(r, "value differs",
                "special value at flat index " + std::to_string(z) + ": got " + fmt_value(g[std::size_t(z)]) +
                    ", want " + fmt_value(w[std::size_t(z)]));
  r.status = "pass";
}

void judge_error(const GoldenCase& gc, const std::optional<Raised>& got, const std::string& gave,
                 const Library& lib, reports::CheckRecord& r) {
  const std::string want = gc.error_class + ": " + gc.error_message;
  if (!got)
    return fail(r, "no error raised", "the engine gave " + gave + "; " + lib.name + " raises " + want);
  if (got->cls != gc.error_class)
    return fail(r, "error class differs", "got " + got->cls + ": " + got->message + "; want " + want);
  if (got->message != gc.error_message)
    return fail(r, "error message differs", "got '" + got->message + "', want '" + gc.error_message + "'");
  r.status = "pass";
}

// Gradient tolerance: |got - want| <= 16 eps (|want| + max|want|) per element, eps of the
// less precise of the gradient's and the upstream gradient's dtypes (PyTorch reduces a
// broadcast gradient in the result's dtype before casting it to the input's); NaN positions
// exact; the sign of zero is not judged (PyTorch does not define it for accumulated gradients).
double epsilon_of(DType d) { return d == DType::Float32 ? double(FLT_EPSILON) : DBL_EPSILON; }

void judge_grad(const array::NdArray& got, const Loaded& want, DType upstream, int k,
                reports::CheckRecord& r) {
  const std::string which = "d/d(in" + std::to_string(k) + ")";
  if (got.dtype() != *want.dtype)
    return fail(
        r, "gradient differs",
        which + " has dtype " + std::string(spec::dtype_name(got.dtype())) + ", want " + want.dtype_name);
  if (got.shape() != want.shape)
    return fail(
        r, "gradient differs",
        which + " has shape " + spec::shape_str(got.shape()) + ", want " + spec::shape_str(want.shape));
  const std::vector<double> g = got.to_doubles(), w = want.array.to_doubles();
  double scale = 0;
  for (double v : w)
    if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  const double eps = std::max(epsilon_of(got.dtype()), epsilon_of(upstream));
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double tol = 16 * eps * (std::fabs(w[i]) + scale);
    const bool same = g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]));
    const double err = same ? 0.0 : std::fabs(g[i] - w[i]);
    r.max_abs_err =
        std::max(std::isnan(r.max_abs_err) ? 0.0 : r.max_abs_err, std::isnan(err) ? INFINITY : err);
    if (!(err <= tol))
      return fail(r, "gradient differs",
                  which + "[" + std::to_string(i) + "]: got " + fmt_value(g[i]) + ", want " +
                      fmt_value(w[i]) + " (allowed " + fmt_value(tol) + ")");
  }
  r.status = "pass";
}

template <class F>
std::optional<Raised> raised_by(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return Raised{error_class_name(e), e.what()};
  }
  return std::nullopt;
}

reports::CheckRecord new_record(const GoldenCase& gc, const Library& lib, const std::string& mode,
                                const std::string& device) {
  reports::CheckRecord r;
  r.op = std::string(gc.op->name);
  r.dtype = join_dtypes(gc);
  r.device = device;
  for (std::size_t i = 0; i < gc.in.size(); ++i) r.shapes += (i ? "x" : "") + spec::shape_str(gc.in[i].shape);
  r.layout = "contiguous";
  for (const auto& v : gc.views)
    if (v) r.layout = "view";
  r.mode = mode;
  r.engine = lib.name == "numpy" ? "array" : "tensor";
  r.params = gc.params_text;
  r.reference = lib.name + " " + lib.version + kReferenceSuffix;
  r.key = "golden|" + lib.name + "/" + lib.stem + "/" + gc.name + "|" + mode + "|" + device;
  return r;
}

Case engine_case(const GoldenCase& gc, const Library& lib, Mode mode) {
  Case c;
  c.op = gc.op->id;
  c.mode = mode;
  for (const Loaded& l : gc.in) {
    c.dtypes.push_back(*l.dtype);
    c.shapes.push_back(l.shape);
  }
  apply_params(gc, lib, c);
  return c;
}

std::vector<reports::CheckRecord> replay_numpy(const GoldenCase& gc, const Library& lib) {
  const std::string mode = gc.expect_error ? "error" : "forward";
  reports::CheckRecord r = new_record(gc, lib, mode, "cpu");
  if (std::string why = skip_reason(gc, lib); !why.empty()) {
    r.status = "skip";
    r.message = why;
    return {r};
  }
  try {
    Case c = engine_case(gc, lib, gc.expect_error ? Mode::Error : Mode::Forward);
    std::vector<array::NdArray> views;
    for (std::size_t k = 0; k < gc.in.size(); ++k) views.push_back(array_view(gc.in[k].array, gc.views[k]));
    c.shapes.clear();
    for (const auto& v : views) c.shapes.push_back(v.shape());
    std::optional<array::NdArray> got;
    const std::optional<Raised> err = raised_by([&] { got = apply_array(c, views); });
    if (gc.expect_error) {
      judge_error(
          gc, err,
          got ? std::string(spec::dtype_name(got->dtype())) + " " + spec::shape_str(got->shape()) : "", lib,
          r);
    } else if (err) {
      fail(r, "unexpected error", err->cls + ": " + err->message);
    } else {
      judge_value(c, *got, *gc.out, views, lib, r);
    }
  } catch (const std::exception& e) {
    fail(r, "unexpected error", e.what());
  }
  return {r};
}

void replay_torch_forward(const GoldenCase& gc, const Library& lib, core::Device device,
                          reports::CheckRecord& r) {
  Case c = engine_case(gc, lib, gc.expect_error ? Mode::Error : Mode::Forward);
  std::vector<tensor::Tensor> views;
  std::vector<array::NdArray> view_arrays;
  for (std::size_t k = 0; k < gc.in.size(); ++k) {
    const std::optional<tensor::Tensor> v =
        tensor_view(interop::to_tensor(gc.in[k].array, device), gc.views[k]);
    if (!v) {
      r.status = "skip";
      r.message =
          "in" + std::to_string(k) + "_view has a negative step, which PyTorch's tensors cannot express";
      return;
    }
    views.push_back(*v);
    view_arrays.push_back(interop::copy_to_array(*v));
  }
  c.shapes.clear();
  for (const auto& v : views) c.shapes.push_back(v.sizes());
  std::optional<tensor::Tensor> got;
  const std::optional<Raised> err = raised_by([&] { got = apply_tensor(c, views); });
  if (gc.expect_error) {
    judge_error(gc, err,
                got ? std::string(spec::dtype_name(got->dtype())) + " " + spec::shape_str(got->sizes()) : "",
                lib, r);
  } else if (err) {
    fail(r, "unexpected error", err->cls + ": " + err->message);
  } else if (!(got->device() == device)) {
    fail(r, "value differs", "the result is on " + got->device().str() + ", not " + device.str());
  } else {
    judge_value(c, interop::copy_to_array(*got), *gc.out, view_arrays, lib, r);
  }
}

void replay_torch_grad(const GoldenCase& gc, const Library& lib, core::Device device,
                       reports::CheckRecord& r) {
  Case c = engine_case(gc, lib, Mode::Grad);
  std::vector<tensor::Tensor> leaves, views;
  for (std::size_t k = 0; k < gc.in.size(); ++k) {
    tensor::Tensor leaf = interop::to_tensor(gc.in[k].array, device);
    if (gc.grad_in[k]) leaf.requires_grad_(true);
    const std::optional<tensor::Tensor> v = tensor_view(leaf, gc.views[k]);
    if (!v) {
      r.status = "skip";
      r.message =
          "in" + std::to_string(k) + "_view has a negative step, which PyTorch's tensors cannot express";
      return;
    }
    leaves.push_back(leaf);
    views.push_back(*v);
  }
  c.shapes.clear();
  for (const auto& v : views) c.shapes.push_back(v.sizes());
  const tensor::Tensor out = apply_tensor(c, views);
  if (out.sizes() != gc.grad_out->shape)
    return fail(r, "gradient differs",
                "grad_out has shape " + spec::shape_str(gc.grad_out->shape) + ", the result " +
                    spec::shape_str(out.sizes()));
  out.backward(interop::to_tensor(gc.grad_out->array, device));
  r.status = "pass";
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    if (!gc.grad_in[k]) continue;
    const tensor::Tensor g = leaves[k].grad();
    if (!g.defined()) return fail(r, "gradient differs", "no gradient reached in" + std::to_string(k));
    judge_grad(interop::copy_to_array(g), *gc.grad_in[k], *gc.grad_out->dtype, int(k), r);
    if (r.status == "fail") return;
  }
}

std::vector<reports::CheckRecord> replay_torch(const GoldenCase& gc, const Library& lib,
                                               const GoldenOptions& opts) {
  std::vector<reports::CheckRecord> out;
  const std::string why = skip_reason(gc, lib);
  for (const core::Device& device : opts.devices) {
    if (device.is_cuda() && !tensor::cuda_available()) continue;
    std::vector<std::string> modes{gc.expect_error ? "error" : "forward"};
    if (gc.grad_out) modes.push_back("grad");
    for (const std::string& mode : modes) {
      reports::CheckRecord r = new_record(gc, lib, mode, device.str());
      if (!why.empty()) {
        r.status = "skip";
        r.message = why;
      } else {
        try {
          if (mode == "grad")
            replay_torch_grad(gc, lib, device, r);
          else
            replay_torch_forward(gc, lib, device, r);
        } catch (const std::exception& e) {
          fail(r, "unexpected error", e.what());
        }
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool selected(const GoldenCase& gc, const GoldenOptions& opts) {
  if (!opts.ops.empty() && std::find(opts.ops.begin(), opts.ops.end(), gc.op->id) == opts.ops.end())
    return false;
  if (opts.dtypes.empty()) return true;
  for (const Loaded& l : gc.in)
    if (!l.dtype || std::find(opts.dtypes.begin(), opts.dtypes.end(), *l.dtype) == opts.dtypes.end())
      return false;
  return true;
}

}  // namespace

std::vector<reports::CheckRecord> replay_golden_file(const std::string& path, const GoldenOptions& opts) {
  const SilenceHdf5 quiet;
  GoldenReader reader(path);
  Library lib;
  const H5 file = reader.open(lib);
  // Every case is read (and so validated) before any runs: a damaged file gives one error.
  std::vector<GoldenCase> cases;
  for (const std::string& name : reader.case_names(file.get()))
    cases.push_back(reader.read_case(file.get(), lib, name));
  std::vector<reports::CheckRecord> out;
  for (const GoldenCase& gc : cases) {
    if (!selected(gc, opts)) continue;
    auto records = lib.name == "numpy" ? replay_numpy(gc, lib) : replay_torch(gc, lib, opts);
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> golden_files_in(const std::string& dir) {
  std::vector<std::string> files;
  for (const char* sub : {"numpy", "torch"}) {
    const fs::path d = fs::path(dir) / sub;
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.path().extension() == ".h5") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string default_datasets_dir() {
  if (const char* env = std::getenv("PARITY_DATASETS"); env && *env) return env;
  return (fs::path(PARITY_SOURCE_DIR) / "datasets").string();
}

bool is_golden_record(const reports::CheckRecord& r) { return r.key.rfind("golden|", 0) == 0; }

std::string failure_kind(const reports::CheckRecord& r) {
  const auto colon = r.message.find(':');
  return colon == std::string::npos ? r.message : r.message.substr(0, colon);
}

void print_golden_summary(const std::vector<reports::CheckRecord>& records, int max_listed) {
  struct Counts {
    int cases = 0, pass = 0, fail = 0, skip = 0;
    std::map<std::string, int> kinds, skips;
  };
  std::map<std::string, Counts> per_lib;  // "numpy 1.24.2", "torch 1.13.0a0"
  for (const auto& r : records) {
    if (!is_golden_record(r)) continue;
    const std::string lib = r.reference.substr(0, r.reference.size() - std::strlen(kReferenceSuffix));
    Counts& c = per_lib[lib];
    ++c.cases;
    if (r.status == "pass")
      ++c.pass;
    else if (r.status == "skip")
      ++c.skip, ++c.skips[r.message];
    else
      ++c.fail, ++c.kinds[failure_kind(r)];
  }
  if (per_lib.empty()) return;
  std::map<std::string, int> listed;
  bool header = false;
  for (const auto& r : records) {
    if (!is_golden_record(r) || r.status != "fail") continue;
    if (!header) fmt::print("\nGolden failures:\n");
    header = true;
    if (listed[failure_kind(r)]++ < max_listed) fmt::print("  FAIL {}: {}\n", r.key, r.message);
  }
  for (const auto& [kind, n] : listed)
    if (n > max_listed)
      fmt::print("  ... and {} more '{}' failures (every one is in the report: -o FILE)\n", n - max_listed,
                 kind);
  fmt::print("\nGoldens (one record per case, mode and device):\n");
  for (const auto& [lib, c] : per_lib) {
    fmt::print("  {}: {} records: {} pass, {} fail, {} skip\n", lib, c.cases, c.pass, c.fail, c.skip);
    for (const auto& [kind, n] : c.kinds) fmt::print("    fail {:>6}  {}\n", n, kind);
    for (const auto& [why, n] : c.skips) fmt::print("    skip {:>6}  {}\n", n, why);
  }
}

std::vector<std::string> golden_paths(const std::vector<std::string>& files,
                                      const std::string& datasets_dir) {
  if (!files.empty()) return files;
  const std::string dir = datasets_dir.empty() ? default_datasets_dir() : datasets_dir;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return golden_files_in(dir);
  if (!datasets_dir.empty() || std::getenv("PARITY_DATASETS"))
    throw ValueError("datasets folder '" + dir + "' does not exist");
  fmt::print("Goldens: none replayed (no datasets folder at {}; set PARITY_DATASETS or --datasets)\n", dir);
  return {};
}

std::vector<reports::CheckRecord> replay_goldens(const std::vector<std::string>& paths,
                                                 const GoldenOptions& opts) {
  // The same file named twice is replayed once (its keys would collide in the report).
  std::set<std::string> seen;
  std::vector<reports::CheckRecord> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(p, ec).string();
    if (!seen.insert(ec ? p : canonical).second) continue;
    for (auto& r : replay_golden_file(p, opts)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace parity::suite
