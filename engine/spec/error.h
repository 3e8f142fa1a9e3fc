#pragma once
// The few kinds of error Parity raises. They live in the bottom layer (spec) because the
// spec itself must raise them (dtype parsing, broadcasting); every layer above reuses them.
// Messages are one line and say what to do; the CLI prints what() and exits non-zero.
#include <stdexcept>
#include <string>

namespace parity {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Wrong dtype, or an op that is not defined for a dtype.
class TypeError : public Error {
 public:
  using Error::Error;
};
// Wrong shape, axis, argument value or file content.
class ValueError : public Error {
 public:
  using Error::Error;
};
// Wrong device, or a device that is not there.
class DeviceError : public Error {
 public:
  using Error::Error;
};
// Everything else that goes wrong at run time (I/O, CUDA runtime, autograd misuse).
class RuntimeError : public Error {
 public:
  using Error::Error;
};

}  // namespace parity
