#pragma once
// HDF5 plumbing shared by the report writer and reader, and by suite/'s golden-file reader
// (the only other code that touches HDF5): RAII handles, silenced error stacks, fixed-length
// string types, file access properties.
#include <hdf5.h>

#include <cstddef>
#include <string>

namespace parity::reports::h5 {

// Silences HDF5's automatic error-stack printing for the duration of a call and restores the
// caller's setting afterwards: failures become our exceptions, never stderr noise.
class SilenceErrors {
 public:
  SilenceErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~SilenceErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  SilenceErrors(const SilenceErrors&) = delete;
  SilenceErrors& operator=(const SilenceErrors&) = delete;

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
  // Closes now and reports whether the close succeeded.
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

inline Handle type_handle(hid_t id) { return Handle(id, H5Tclose); }
inline Handle space_handle(hid_t id) { return Handle(id, H5Sclose); }
inline Handle plist_handle(hid_t id) { return Handle(id, H5Pclose); }
inline Handle group_handle(hid_t id) { return Handle(id, H5Gclose); }
inline Handle dataset_handle(hid_t id) { return Handle(id, H5Dclose); }
inline Handle attr_handle(hid_t id) { return Handle(id, H5Aclose); }

// Fixed-length string type of `size` bytes (terminator included). Fixed-length because
// variable-length strings live in HDF5's global heap, which has no checksum: a damaged length
// there makes HDF5 1.10 itself read out of bounds.
inline Handle fixed_string_type(std::size_t size, H5T_str_t pad = H5T_STR_NULLTERM,
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
inline std::string trim_fixed_string(std::string s, H5T_str_t pad) {
  const auto end = s.find('\0');
  if (end != std::string::npos) s.resize(end);
  if (pad == H5T_STR_SPACEPAD) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
  }
  return s;
}

// File access for reading. HDF5 1.10 locks files, which fails outright on file systems without
// lock support (some network mounts); where the library allows it, such a failure is ignored
// (the writer's atomic rename already keeps readers from seeing a half-written report).
inline Handle read_access() {
  Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid()) return fapl;
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
  H5Pset_file_locking(fapl.get(), true, true);
#endif
  return fapl;
}

}  // namespace parity::reports::h5
