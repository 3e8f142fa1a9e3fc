#include "suite/oracle_anchors.h"

#include <hdf5.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/spec/error.h"
#include "reports/hdf5_util.h"

namespace parity::suite::oracle {
namespace {

namespace h5 = reports::h5;
constexpr std::size_t kMaxString = 4096;  // longest attribute string read

hid_t uint_type(spec::DType d) {
  switch (spec::itemsize(d)) {
    case 2: return H5T_NATIVE_UINT16;
    case 4: return H5T_NATIVE_UINT32;
    default: return H5T_NATIVE_UINT64;
  }
}

// The bit patterns narrowed to the dtype's width, as the file stores them.
std::vector<unsigned char> packed(const InputSet& s) {
  const std::size_t w = spec::itemsize(s.dtype);
  std::vector<unsigned char> out(s.bits.size() * w);
  for (std::size_t i = 0; i < s.bits.size(); ++i) {
    const std::uint64_t b = s.bits[i];
    if (w == 2) {
      const std::uint16_t v = std::uint16_t(b);
      std::memcpy(&out[i * w], &v, w);
    } else if (w == 4) {
      const std::uint32_t v = std::uint32_t(b);
      std::memcpy(&out[i * w], &v, w);
    } else {
      std::memcpy(&out[i * w], &b, w);
    }
  }
  return out;
}

h5::Handle open_or_create_group(hid_t parent, const std::string& name) {
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0)
    return h5::group_handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT));
  return h5::group_handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
}

bool write_string_attr(hid_t obj, const char* name, const std::string& value) {
  h5::Handle type = h5::fixed_string_type(value.size() + 1);
  h5::Handle space = h5::space_handle(H5Screate(H5S_SCALAR));
  if (!type.valid() || !space.valid()) return false;
  h5::Handle attr = h5::attr_handle(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  return attr.valid() && H5Awrite(attr.get(), type.get(), value.c_str()) >= 0;
}

bool write_set(hid_t file, spec::OpId op, const InputSet& s) {
  const spec::OpSpec& row = spec::op_spec(op);
  const bool fresh = H5Lexists(file, std::string(row.name).c_str(), H5P_DEFAULT) <= 0;
  h5::Handle g_op = open_or_create_group(file, std::string(row.name));
  if (!g_op.valid()) return false;
  // The libraries' names of the op, so the script needs no table of its own: where NumPy
  // lacks it, the row's formula (what NumPy's users write), and PyTorch's fixed keyword
  // arguments (JSON; gelu_tanh's approximate='tanh').
  if (fresh && (!write_string_attr(g_op.get(), "numpy_name", std::string(row.numpy_name)) ||
                !write_string_attr(g_op.get(), "torch_name", std::string(row.torch_name)) ||
                !write_string_attr(g_op.get(), "numpy_formula", std::string(row.numpy_formula)) ||
                !write_string_attr(g_op.get(), "torch_kwargs", std::string(row.torch_kwargs))))
    return false;
  h5::Handle g = open_or_create_group(g_op.get(), std::string(spec::dtype_name(s.dtype)));
  if (!g.valid()) return false;
  const hsize_t n = s.bits.size();
  h5::Handle space = h5::space_handle(H5Screate_simple(1, &n, nullptr));
  if (!space.valid()) return false;
  h5::Handle ds = h5::dataset_handle(
      H5Dcreate2(g.get(), "input", uint_type(s.dtype), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  const std::vector<unsigned char> data = packed(s);
  return ds.valid() && H5Dwrite(ds.get(), uint_type(s.dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) >= 0;
}

}  // namespace

void write_inputs(const std::string& path, const std::vector<InputsToWrite>& sets) {
  const h5::SilenceErrors quiet;
  bool ok = false;
  {
    h5::Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (file.valid()) {
      ok = write_string_attr(file.get(), "layout", kAnchorLayout);
      for (const InputsToWrite& w : sets) ok = ok && write_set(file.get(), w.op, w.inputs);
      ok = file.close() && ok;
    }
  }
  if (!ok) {
    std::remove(path.c_str());
    throw ValueError("--write-inputs " + path + ": cannot write the file");
  }
}

namespace {

// A fixed-length string attribute of `obj` (nullopt when absent).
std::optional<std::string> string_attr(const std::string& path, hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return std::nullopt;
  h5::Handle attr = h5::attr_handle(H5Aopen(obj, name, H5P_DEFAULT));
  h5::Handle type = h5::type_handle(attr.valid() ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) != 0 ||
      H5Tget_size(type.get()) > kMaxString)
    throw ValueError(path + ": attribute '" + name + "' is not a fixed-length string (write it as numpy.bytes_)");
  std::string buf(H5Tget_size(type.get()), '\0');
  if (H5Aread(attr.get(), type.get(), buf.data()) < 0)
    throw ValueError(path + ": cannot read attribute '" + name + "'");
  return h5::trim_fixed_string(buf, H5Tget_strpad(type.get()));
}

// A 1-D dataset of unsigned integers of the dtype's width, of length n.
std::vector<std::uint64_t> read_bits(const std::string& path, hid_t group, const std::string& where,
                                     const char* name, spec::DType d, std::size_t n) {
  h5::Handle ds = h5::dataset_handle(H5Dopen2(group, name, H5P_DEFAULT));
  h5::Handle type = h5::type_handle(ds.valid() ? H5Dget_type(ds.get()) : H5I_INVALID_HID);
  h5::Handle space = h5::space_handle(ds.valid() ? H5Dget_space(ds.get()) : H5I_INVALID_HID);
  const std::size_t w = spec::itemsize(d);
  hsize_t len = 0;
  if (!type.valid() || !space.valid() || H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_size(type.get()) != w ||
      H5Tget_sign(type.get()) != H5T_SGN_NONE || H5Sget_simple_extent_ndims(space.get()) != 1 ||
      H5Sget_simple_extent_dims(space.get(), &len, nullptr) != 1)
    throw ValueError(path + ": " + where + "/" + name + " is not a 1-D array of uint" + std::to_string(8 * w));
  if (len != n)
    throw ValueError(path + ": " + where + "/" + name + " holds " + std::to_string(len) + " values, this run has " +
                     std::to_string(n) + " inputs (made with another --quick setting?)");
  std::vector<unsigned char> raw(n * w);
  if (n > 0 && H5Dread(ds.get(), uint_type(d), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
    throw ValueError(path + ": cannot read " + where + "/" + name);
  std::vector<std::uint64_t> out(n, 0);
  for (std::size_t i = 0; i < n; ++i) std::memcpy(&out[i], &raw[i * w], w);  // little-endian hosts
  return out;
}

}  // namespace

AnchorFile::AnchorFile(const std::string& path) : path_(path), file_(H5I_INVALID_HID) {
  const h5::SilenceErrors quiet;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ValueError("--anchors " + path + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw ValueError("--anchors " + path + ": not an HDF5 file");
  h5::Handle fapl = h5::read_access();
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.valid() ? fapl.get() : H5P_DEFAULT);
  if (file_ < 0) throw ValueError("--anchors " + path + ": cannot open it as HDF5");
  std::optional<std::string> layout;
  try {
    layout = string_attr(path, hid_t(file_), "layout");
  } catch (...) {
    H5Fclose(hid_t(file_));
    throw;
  }
  if (layout != std::string(kAnchorLayout)) {
    H5Fclose(hid_t(file_));
    throw ValueError("--anchors " + path + ": not an accuracy anchors file (no layout '" + kAnchorLayout +
                     "'; make one with scripts/accuracy-anchors)");
  }
}

AnchorFile::~AnchorFile() {
  const h5::SilenceErrors quiet;
  if (file_ >= 0) H5Fclose(hid_t(file_));
}

std::vector<Anchor> AnchorFile::read(spec::OpId op, const InputSet& inputs) const {
  const h5::SilenceErrors quiet;
  const std::string where = std::string(spec::op_spec(op).name) + "/" + std::string(spec::dtype_name(inputs.dtype));
  const hid_t file = hid_t(file_);
  if (H5Lexists(file, std::string(spec::op_spec(op).name).c_str(), H5P_DEFAULT) <= 0 ||
      H5Lexists(file, where.c_str(), H5P_DEFAULT) <= 0)
    return {};
  h5::Handle g = h5::group_handle(H5Gopen2(file, where.c_str(), H5P_DEFAULT));
  if (!g.valid()) throw ValueError(path_ + ": " + where + " is not a group");
  if (read_bits(path_, g.get(), where, "input", inputs.dtype, inputs.bits.size()) != inputs.bits)
    throw ValueError(path_ + ": the inputs of " + where +
                     " differ from this run's (regenerate with scripts/accuracy-anchors)");
  std::vector<Anchor> out;
  for (const char* lib : kAnchorLibraries) {
    Anchor a;
    a.library = lib;
    a.version = string_attr(path_, file, (std::string(lib) + "_version").c_str()).value_or("");
    const std::string err_name = std::string(lib) + "_error";
    if (H5Lexists(g.get(), lib, H5P_DEFAULT) > 0) {
      a.bits = read_bits(path_, g.get(), where, lib, inputs.dtype, inputs.bits.size());
    } else if (auto e = string_attr(path_, g.get(), err_name.c_str())) {
      a.error = *e;
    } else {
      continue;  // the script did not run this library
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace parity::suite::oracle
