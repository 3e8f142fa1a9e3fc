#pragma once
// The few kinds of error Parity raises. They live in the bottom layer (spec) because the
// spec itself must raise them (dtype parsing, broadcasting); every layer above reuses them.
// Messages are one line and say what to do; the CLI prints what() and exits non-zero.
//
// The kind (TypeError, ValueError, ...) is Parity's category; py_class() is the Python
// exception class the library being imitated raises there, spelled as a traceback prints
// it: builtins bare ("RuntimeError", "IndexError"), others qualified ("numpy.AxisError").
// Each kind defaults to the builtin of its name; throw sites that imitate a library say
// the library's class when it differs (PyTorch raises RuntimeError for most shape and
// dtype errors).
#include <stdexcept>
#include <string>
#include <string_view>

namespace parity {

class Error : public std::runtime_error {
 public:
  // `py_class` must outlive the error (a string literal, or a registry field).
  Error(const std::string& what, std::string_view py_class) : std::runtime_error(what), py_class_(py_class) {}
  std::string_view py_class() const { return py_class_; }

 private:
  std::string_view py_class_;
};
// Wrong dtype, or an op that is not defined for a dtype.
class TypeError : public Error {
 public:
  explicit TypeError(const std::string& what, std::string_view py_class = "TypeError")
      : Error(what, py_class) {}
};
// Wrong shape, axis, argument value or file content.
class ValueError : public Error {
 public:
  explicit ValueError(const std::string& what, std::string_view py_class = "ValueError")
      : Error(what, py_class) {}
};
// An index or dimension out of range.
class IndexError : public Error {
 public:
  explicit IndexError(const std::string& what, std::string_view py_class = "IndexError")
      : Error(what, py_class) {}
};
// Wrong device, or a device that is not there.
class DeviceError : public Error {
 public:
  explicit DeviceError(const std::string& what, std::string_view py_class = "RuntimeError")
      : Error(what, py_class) {}
};
// Everything else that goes wrong at run time (I/O, CUDA runtime, autograd misuse).
class RuntimeError : public Error {
 public:
  explicit RuntimeError(const std::string& what, std::string_view py_class = "RuntimeError")
      : Error(what, py_class) {}
};

// Python class names used at more than one throw site.
namespace py {
inline constexpr std::string_view kRuntimeError = "RuntimeError";
inline constexpr std::string_view kAxisError = "numpy.AxisError";  // MRO: ValueError, IndexError
}  // namespace py

}  // namespace parity
