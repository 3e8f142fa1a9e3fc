#pragma once
// Check cases, made from the op table, as PyTorch's OpInfo makes sample inputs: for every op,
// shapes that reach every path of a kernel (0-d, empty, broadcast pairs, long rows, reduction
// lengths around pairwise block sizes, outer-axis reductions of 16+ rows, more than 2^16
// elements), every dtype it accepts, mixed-dtype pairs, each operand's memory layout chosen
// on its own, special values (signed zeros, infinities, NaN, denormals, dtype extremes,
// integer overflow edges) and gradient cases that accumulate.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/array/array.h"
#include "engine/spec/ops.h"

namespace parity::suite {

// How one operand sits in memory. The logical values are the same in every layout (except
// Broadcast, whose values repeat along axis 0 by construction).
enum class Layout : std::uint8_t {
  Contiguous,      // C order
  Transposed,      // memory in reversed axis order (Fortran-like strides)
  NegativeStride,  // reversed along the last axis (array engine; the tensor engine, which has
                   // no negative strides, sees a strided offset view instead)
  Sliced,          // every second element of a buffer twice as wide on the last axis
  Offset,          // C order, starting a few elements into its storage
  Broadcast        // stride 0 along axis 0: one row seen many times
};
inline constexpr Layout kAllLayouts[] = {Layout::Contiguous, Layout::Transposed, Layout::NegativeStride,
                                         Layout::Sliced,     Layout::Offset,     Layout::Broadcast};
std::string_view layout_name(Layout l);
// Whether `l` differs from Contiguous for an operand of this shape.
bool layout_applies(Layout l, const spec::Shape& shape);

enum class Mode : std::uint8_t {
  Forward,         // both engines compute; results compared
  ForwardSpecial,  // the same, with special values mixed into the inputs
  Grad,            // tensor autograd vs central differences of the array engine in float64
  GradSharedLeaf,  // the same leaf is every operand: gradients from both edges must add up
  GradTwice,       // backward twice on a retained graph: the leaf's .grad must accumulate
  Error            // both engines must refuse, each with its own library's error
};
std::string_view mode_name(Mode m);
constexpr bool is_grad(Mode m) { return m == Mode::Grad || m == Mode::GradSharedLeaf || m == Mode::GradTwice; }

struct Case {
  spec::OpId op;
  Mode mode = Mode::Forward;
  std::vector<spec::Shape> shapes;  // logical input shapes
  std::vector<spec::DType> dtypes;  // one per input
  std::vector<std::int64_t> axes;   // sum only; empty = all
  bool keepdims = false;
  Layout layout = Layout::Contiguous;  // of every operand, unless `layouts` says otherwise
  std::vector<Layout> layouts;         // one per operand (empty: all `layout`)
  // The op's Scalar parameters (nan_to_num's nan, posinf, neginf); unset: the default.
  std::array<std::optional<double>, spec::kMaxScalarParams> scalars{};
  // The op's dtype parameter (astype's target); unset for ops without one.
  std::optional<spec::DType> target;

  // The engines' arguments: axes, keepdims, scalars and target.
  spec::Params params() const;
  Layout operand_layout(std::size_t i) const { return layouts.empty() ? layout : layouts.at(i); }
  // "(2,3)x(3,)" [+ " axes=(0,)" [+ " keepdims"]] [+ " nan=1.5 ..."] [+ " dtype=float16"]
  std::string shapes_str() const;
  std::string dtypes_str() const;   // "float32" or "int32+float32"
  std::string layouts_str() const;  // "contiguous", or "contiguous+sliced" when they differ
  // The report key without the device: "add|float32|(2,3)x(3,)|contiguous|forward".
  std::string key() const;
  std::uint64_t seed() const;  // from the key, so every machine draws the same inputs
};

struct CaseFilter {
  std::vector<spec::OpId> ops;      // empty = all
  std::vector<spec::DType> dtypes;  // empty = all; a mixed case needs all its dtypes listed
};
std::vector<Case> make_cases(const CaseFilter& filter);
// The operand dtypes of a case of `op` computing in `d`: `d` for each of its `n` operands,
// bool for its condition operands (where's condition).
std::vector<spec::DType> operand_dtypes(const spec::OpSpec& op, std::size_t n, spec::DType d);

// One input as the array engine sees it (`view`, in the operand's layout) and the memory it
// looks at (`base`), from which the tensor side rebuilds the same layout.
struct Input {
  array::NdArray base;  // C-contiguous buffer the view looks at (Contiguous: the view itself)
  array::NdArray view;  // logical values, in the operand's layout
  Layout layout;        // how view is made from base: see Layout
  std::int64_t offset = 0;  // Offset: elements into base where the view starts
};
// Seeded inputs in the op's domain, identical on every machine; special values mixed in for
// Mode::ForwardSpecial.
std::vector<Input> make_inputs(const Case& c);

// The float special values mixed into inputs of `dtype` for an op of this kind, of the kinds the
// op's `specials` mask names, in the order they are drawn from. Empty for bool. Reductions and matmul get no finite extremes (max + max - max
// depends on the order of summation, which the libraries do not fix).
std::vector<double> special_values(spec::DType dtype, spec::OpKind kind, std::uint8_t mask = spec::kAllSpecials);
// The integer edges mixed into integer inputs: min, max, their neighbours, -1, 0, 1 (where the
// mask names kExtremes).
std::vector<std::int64_t> special_integers(spec::DType dtype, std::uint8_t mask = spec::kAllSpecials);

}  // namespace parity::suite
