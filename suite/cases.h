#pragma once
// Check cases, made from the op table: for every op, a handful of shapes (0-d, empty,
// broadcast pairs, long rows), every dtype it accepts, mixed-dtype pairs where NumPy and
// PyTorch promote differently, and three memory layouts of the same logical values.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/array/array.h"
#include "engine/spec/ops.h"

namespace parity::suite {

enum class Layout : std::uint8_t { Contiguous, Transposed, NegativeStride };
std::string_view layout_name(Layout l);

enum class Mode : std::uint8_t {
  Forward,  // both engines compute; results compared
  Grad,     // tensor autograd vs central differences of the array engine in float64
  Error     // both engines must refuse, each with its own library's error
};
std::string_view mode_name(Mode m);

struct Case {
  spec::OpId op;
  Mode mode = Mode::Forward;
  std::vector<spec::Shape> shapes;  // logical input shapes
  std::vector<spec::DType> dtypes;  // one per input
  std::vector<std::int64_t> axes;   // sum only; empty = all
  bool keepdims = false;
  Layout layout = Layout::Contiguous;

  std::string shapes_str() const;  // "(2,3)x(3,)" [+ " axes=(0,)" [+ " keepdims"]]
  std::string dtypes_str() const;  // "float32" or "int32+float32"
  // The report key without the device: "add|float32|(2,3)x(3,)|contiguous|forward".
  std::string key() const;
  std::uint64_t seed() const;  // from the key, so every machine draws the same inputs
};

struct CaseFilter {
  std::vector<spec::OpId> ops;      // empty = all
  std::vector<spec::DType> dtypes;  // empty = all; a mixed case needs all its dtypes listed
};
std::vector<Case> make_cases(const CaseFilter& filter);

// One input as the array engine sees it (`view`, in the case's layout) and how to rebuild
// that view from a C-contiguous `base` on another engine or device.
struct Input {
  array::NdArray base;  // C-contiguous buffer
  array::NdArray view;  // logical values, in the case's layout
  Layout layout;        // Transposed: view = base.transpose(); NegativeStride: view = base
                        // flipped on the last axis; Contiguous: view = base
};
// Seeded inputs in the op's domain, identical on every machine.
std::vector<Input> make_inputs(const Case& c);

}  // namespace parity::suite
