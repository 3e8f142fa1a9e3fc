#include "suite/golden_file.h"

#include <hdf5.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/spec/error.h"
#include "reports/hdf5_util.h"

namespace parity::suite::golden {

using json = nlohmann::json;
using spec::DType;

namespace {

namespace fs = std::filesystem;

constexpr int kLayoutVersion = 1;
constexpr std::size_t kMaxString = 1 << 16;  // longest attribute string read
constexpr std::size_t kMaxName = 256;        // longest case name

// ---------------------------------------------------------------------------------------------
// HDF5 plumbing: every call checked, handles closed on every path, no error stack printed.

using SilenceHdf5 = reports::h5::SilenceErrors;

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


spec::Semantics semantics_of(const std::string& library) {
  return library == "numpy" ? spec::Semantics::NumPy : spec::Semantics::PyTorch;
}

// A row's fixed PyTorch keyword arguments as a JSON object (empty without them).
json fixed_kwargs(const spec::OpSpec& op) {
  if (op.torch_kwargs.empty()) return json::object();
  json v = json::parse(op.torch_kwargs, nullptr, false);
  if (!v.is_object()) throw ValueError("registry: " + std::string(op.name) + "'s torch_kwargs is not a JSON object");
  for (const auto& [key, value] : v.items())
    if (!value.is_string() && !value.is_number() && !value.is_boolean())
      throw ValueError("registry: " + std::string(op.name) + "'s torch_kwargs." + key +
                       " is not a string, number or bool");
  return v;
}

// The registry row a library's golden cases name (its qualified op name, or for an op NumPy
// lacks the row's numpy_formula) with their params: of the rows with that name whose fixed
// keyword arguments the params hold, the one with the most (torch.nn.functional.gelu with
// approximate='tanh' is gelu_tanh, without it gelu); nullptr when none.
const spec::OpSpec* registry_op(const std::string& library, const std::string& qualified, const json& params) {
  const spec::OpSpec* best = nullptr;
  std::size_t best_fixed = 0;
  for (const spec::OpSpec& op : spec::op_table()) {
    const std::string_view name = spec::golden_name(op, semantics_of(library));
    if (name.empty() || name != qualified) continue;
    const json fixed = library == "torch" ? fixed_kwargs(op) : json::object();
    bool holds = true;
    for (const auto& [key, value] : fixed.items()) holds = holds && params.contains(key) && params[key] == value;
    if (holds && (!best || fixed.size() > best_fixed)) {
      best = &op;
      best_fixed = fixed.size();
    }
  }
  return best;
}

std::string known_names(const std::string& library) {
  std::string s;
  for (const spec::OpSpec& op : spec::op_table())
    if (const std::string_view name = spec::golden_name(op, semantics_of(library)); !name.empty())
      s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
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

// The steps of a view recipe: one {"transpose": axes} or {"slice": [[start, stop, step], ...]}
// object, or a list of them applied in order. Throws ValueError when a step is malformed or
// not known.
std::vector<ViewStep> view_steps(const json& recipe) {
  std::vector<ViewStep> steps;
  auto add = [&](const json& step) {
    if (!step.is_object()) throw ValueError("a view step is not a JSON object");
    for (const auto& [key, v] : step.items()) {
      ViewStep s;
      if (key == "transpose") {
        s.transpose = true;
        s.axes = transpose_axes(v);
      } else if (key == "slice") {
        s.slices = slices(v);
      } else {
        throw ValueError("view step '" + key + "' is not known (transpose, slice)");
      }
      steps.push_back(std::move(s));
    }
  };
  if (recipe.is_array()) {
    for (const json& s : recipe) add(s);
  } else {
    add(recipe);
  }
  return steps;
}

// One parameter of the library's params as the engine's argument, by the kind the row
// declares: axis/dim an integer, a list or null; keepdims/keepdim a bool; a Scalar parameter
// a number, or null for the default; a dtype parameter the dtype's name ("float16").
void parse_param(const std::string& key, const json& value, const spec::ParamSpec& p, std::size_t scalar_slot,
                 Case& c) {
  switch (p.kind) {
    case spec::ParamKind::Axes:
      if (value.is_number_integer()) {
        c.axes.push_back(value.get<std::int64_t>());
      } else if (value.is_array()) {
        for (const json& v : value) {
          if (!v.is_number_integer()) throw ValueError(key + " holds a non-integer");
          c.axes.push_back(v.get<std::int64_t>());
        }
        if (c.axes.empty()) throw ValueError(key + " = [] (no axis) is not in Parity yet");
      } else if (!value.is_null()) {
        throw ValueError(key + " is neither an integer, a list nor null");
      }
      return;
    case spec::ParamKind::Keepdims:
      if (!value.is_boolean()) throw ValueError(key + " is not a bool");
      c.keepdims = value.get<bool>();
      return;
    case spec::ParamKind::Scalar:
      if (value.is_number()) c.scalars.at(scalar_slot) = value.get<double>();
      else if (!value.is_null()) throw ValueError(key + " is neither a number nor null");
      return;
    case spec::ParamKind::DType: {
      if (!value.is_string()) throw ValueError(key + " is not a dtype name");
      const std::string name = value.get<std::string>();
      c.target = spec::dtype_named(name);
      // A dtype Parity lacks (complex64) is a parameter it does not take yet.
      if (!c.target && c.unsupported_param.empty()) c.unsupported_param = key + "=" + name;
      return;
    }
  }
}

// The library's params as the engine's arguments, read by the row's signature (which says
// each parameter's names and kind); a parameter Parity does not take is noted, not refused.
// Throws ValueError for a value of the wrong type, or for a reduction's parameter given to
// an op that takes none.
void parse_params(const json& params, const std::string& library, const spec::OpSpec& spec, Case& c) {
  const bool numpy = library == "numpy";
  const std::string op(spec::golden_name(spec, semantics_of(library)));
  const json fixed = numpy ? json::object() : fixed_kwargs(spec);
  for (const auto& [key, value] : params.items()) {
    if (fixed.contains(key)) continue;  // the row's own (registry_op matched them)
    const spec::ParamSpec* found = nullptr;
    std::size_t slot = 0, found_slot = 0;
    for (const spec::ParamSpec& p : spec.param_list()) {
      if ((numpy ? p.numpy_name : p.torch_name) == key) {
        found = &p;
        found_slot = slot;
      }
      if (p.kind == spec::ParamKind::Scalar) ++slot;
    }
    if (found) {
      parse_param(key, value, *found, found_slot, c);
      continue;
    }
    // A reduction's parameter elsewhere is a malformed file, anything else not in Parity yet.
    const bool reduction_param = numpy ? (key == "axis" || key == "keepdims") : (key == "dim" || key == "keepdim");
    if (reduction_param) throw ValueError(op + " takes no " + key);
    if (c.unsupported_param.empty()) c.unsupported_param = key;
  }
}

// Thrown by a reader that may not read variable-length strings (see read_file) when it meets
// one: the file is then probed in a child process and read again.
struct NeedsProbe {};

class GoldenReader {
 public:
  explicit GoldenReader(std::string path, bool allow_variable_strings = true)
      : path_(std::move(path)), allow_variable_strings_(allow_variable_strings) {}

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

  // The case names in name order, in one pass over the group's links (H5Lget_name_by_idx
  // rebuilds and sorts the whole link table on every call: quadratic in the cases, and most
  // of a replay's time for a file of a few thousand cases).
  std::vector<std::string> case_names(hid_t file) {
    H5 cases = open_group(file, "cases", "/");
    std::vector<std::string> names;
    hsize_t idx = 0;
    const auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
      auto* out = static_cast<std::vector<std::string>*>(data);
      const std::size_t n = std::strlen(name);
      if (n >= kMaxName) return 1;  // stops the iteration; reported below
      out->emplace_back(name, n);
      return 0;
    };
    const herr_t r = H5Literate(cases.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names);
    if (r < 0) bad("cannot list /cases");
    if (r > 0) bad("a case name is longer than " + std::to_string(kMaxName - 1) + " bytes");
    return names;
  }

  Case read_case(hid_t file, const Library& lib, const std::string& name) {
    H5 cases = open_group(file, "cases", "/");
    H5 g = open_group(cases.get(), name, "/cases/");
    const std::string where = "/cases/" + name;
    Case c;
    c.name = name;
    const std::string op = required_string(g.get(), "op", where);
    c.params_text = required_string(g.get(), "params", where);
    const json params = parse_json(c.params_text, where + " params");
    if (!params.is_object()) bad(where + ": params is not a JSON object");
    c.op = registry_op(lib.name, op, params);
    if (!c.op)
      bad(where + ": op '" + op + "' is not in Parity's registry (known: " + known_names(lib.name) + ")");
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
      c.views.emplace_back();
      if (!exists_attr(g.get(), view_attr.c_str(), where)) continue;
      const json recipe =
          parse_json(required_string(g.get(), view_attr.c_str(), where), where + " " + view_attr);
      try {
        c.views.back() = view_steps(recipe);
      } catch (const ValueError& e) {
        bad(where + ": " + view_attr + ": " + e.what());
      }
    }
    try {
      parse_params(params, lib.name, *c.op, c);
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
      if (!allow_variable_strings_) throw NeedsProbe{};
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

  Array read_dataset(hid_t group, const std::string& name, const std::string& where) const {
    const std::string what = where + "/" + name;
    H5 ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) bad(what + " is not a dataset");
    H5 type(H5Dget_type(ds.get()), H5Tclose);
    H5 space(H5Dget_space(ds.get()), H5Sclose);
    if (!type.ok() || !space.ok()) bad("cannot read the type or shape of " + what);
    Array l;
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
  bool allow_variable_strings_ = true;
  std::uintmax_t file_size_ = 0;
};

// A message that embeds bytes from a damaged file stays one printable line: control and
// non-ASCII bytes are escaped, the length is capped.
std::string printable(std::string_view text) {
  constexpr std::size_t kMaxMessage = 400;
  std::string out;
  for (const char ch : text) {
    if (out.size() >= kMaxMessage) return out + "...";
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u < 0x7f) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

void silence_hdf5_at_exit() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace

namespace {

File read_unprobed(const std::string& path, bool allow_variable_strings = true) {
  try {
    GoldenReader reader(path, allow_variable_strings);
    File f;
    const H5 file = reader.open(f.lib);
    for (const std::string& name : reader.case_names(file.get()))
      f.cases.push_back(reader.read_case(file.get(), f.lib, name));
    return f;
  } catch (const ValueError& e) {
    throw ValueError(printable(e.what()));
  }
}

// Whether every byte HDF5 reads from the file carries a checksum, as far as its first bytes
// tell: the HDF5 signature at offset 0 and a superblock of version 2 or 3 (HDF5 1.8/1.10
// formats: checksummed superblock, object headers, B-trees and heaps). With fixed-length
// strings and Fletcher-32 chunks (what gen-goldens writes), damage then fails a checksum
// instead of reaching HDF5's unchecked decoders, as Parity's own reports rely on.
bool metadata_checksummed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[9];
  if (!in.read(head, sizeof head)) return false;
  return std::memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0 && static_cast<unsigned char>(head[8]) >= 2;
}

// Reads the file once in a child process. HDF5 1.10 can crash on a damaged file that has no
// checksums (h5py's default format; the global heap of variable-length strings has none):
// in the child a crash becomes an error here. Reading is deterministic, so a file the child
// read whole is safe to read again in this process. Without fork or pipe, no probe is made.
void probe_in_child(const std::string& path) {
  int fds[2];
  if (pipe(fds) != 0) return;
  std::fflush(nullptr);  // the child leaves with _exit: nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    close(fds[0]);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGBUS, SIG_DFL);
    int code = 0;
    try {
      read_unprobed(path);
    } catch (const std::exception& e) {
      const std::string m = e.what();
      const ssize_t written = write(fds[1], m.data(), m.size());
      (void)written;
      code = 3;
    }
    _exit(code);
  }
  close(fds[1]);
  std::string message;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0)
      message.append(buf, std::size_t(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    throw ValueError(printable(path) + " is damaged: HDF5 crashed reading it (signal " +
                     std::to_string(WTERMSIG(status)) + ")");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && !message.empty()) throw ValueError(message);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> torch_kwargs(const spec::OpSpec& op) {
  std::vector<std::pair<std::string, std::string>> out;
  const json fixed = fixed_kwargs(op);
  for (auto it = fixed.begin(); it != fixed.end(); ++it) {
    const json& value = it.value();
    const std::string& key = it.key();
    std::string text;
    if (value.is_string()) text = "'" + value.get<std::string>() + "'";
    else if (value.is_boolean()) text = value.get<bool>() ? "True" : "False";
    else text = value.dump();
    out.emplace_back(key, text);
  }
  return out;
}

File read_file(const std::string& path) {
  const SilenceHdf5 quiet;  // also initialises HDF5, which registers its own exit handler
  // HDF5 1.10 leaks a free-list block when an object header fails its checksum, and its
  // shutdown then prints "HDF5: infinite loop closing library" (as reports/report.cpp notes).
  // Exit handlers run in reverse order: this one turns the printing off just before HDF5's.
  static const bool quiet_exit = [] { return std::atexit(silence_hdf5_at_exit) == 0; }();
  (void)quiet_exit;
  // A file in a checksummed format is read here directly, unless it holds a variable-length
  // string (whose global heap HDF5 1.10 reads without checks): then, and for every other
  // file, it is read in a child first. Reading each committed file once instead of twice
  // halves a replay's time.
  if (metadata_checksummed(path)) {
    try {
      return read_unprobed(path, /*allow_variable_strings=*/false);
    } catch (const NeedsProbe&) {
    }
  }
  probe_in_child(path);
  return read_unprobed(path);
}

}  // namespace parity::suite::golden
