#pragma once
// A golden file read into memory and validated against the layout of datasets/README.md:
// HDF5 and JSON stop here, the replay (suite/goldens.cpp) sees typed data only.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/array/array.h"
#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"

namespace parity::suite::golden {

struct Library {
  std::string name;     // "numpy" | "torch"
  std::string version;  // library_version
  std::string stem;     // the file's name without .h5, for the report keys
};

// One dataset: its dtype as the library names it, and its values when Parity has that dtype.
struct Array {
  std::string dtype_name;            // "int8", "bool", "bfloat16", ...
  spec::Shape shape;                 // {} for a scalar dataspace
  std::optional<spec::DType> dtype;  // empty: not in Parity yet (the values are not read)
  array::NdArray array;              // C-contiguous, when dtype is set
};

// One step of an in<k>_view recipe.
struct ViewStep {
  bool transpose = false;
  std::vector<int> axes;             // transpose
  std::vector<array::Slice> slices;  // slice, one per leading axis
};

struct Case {
  std::string name;
  const spec::OpSpec* op = nullptr;  // the registry row the library's name maps to
  std::string params_text;           // the JSON as written
  std::vector<std::int64_t> axes;    // axis / dim (empty: all)
  bool keepdims = false;             // keepdims / keepdim
  // The op's Scalar parameters (nan_to_num's nan, posinf, neginf), in its signature's order;
  // unset (absent or null): the default.
  std::array<std::optional<double>, spec::kMaxScalarParams> scalars{};
  std::optional<spec::DType> target;  // the dtype parameter (astype's dtype), by its name
  std::string unsupported_param;     // a parameter Parity does not take ("" when none)
  bool expect_error = false;
  std::string error_class, error_message;
  std::vector<Array> in;
  std::vector<std::vector<ViewStep>> views;  // per input; empty: as stored
  std::optional<Array> out, grad_out;
  std::vector<std::optional<Array>> grad_in;  // per input; empty where not differentiated
};

struct File {
  Library lib;
  std::vector<Case> cases;  // in name order
};

// A row's fixed PyTorch keyword arguments (OpSpec::torch_kwargs) in order, each as its name and
// its value written in Python ("approximate", "'tanh'"); empty for a row without them. Throws
// ValueError when the row's text is not a JSON object of strings, numbers and bools.
std::vector<std::pair<std::string, std::string>> torch_kwargs(const spec::OpSpec& op);

// Reads and validates the whole file. Throws ValueError with one line naming the file when it
// is missing, not HDF5, not a golden file, of a newer layout version, truncated or damaged,
// or malformed (missing or mistyped attribute, invalid JSON, an unknown view step, an op name
// no registry row carries, a wrong operand count, sizes the file cannot hold). Never prints
// HDF5's error stack. Strings may be fixed-length or variable-length (h5py's default).
File read_file(const std::string& path);

}  // namespace parity::suite::golden
