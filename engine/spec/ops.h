#pragma once
// The op registry: one row per op holding everything the op is, as data. Both engines'
// front ends, the check cases, the benchmarks and `parity spec` read it. Adding an op is
// adding a row here, its reference in the array engine, its functor in kernels/common and
// its gradient row (docs/adding-an-op.md).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec/broadcast.h"
#include "engine/spec/dtype.h"
#include "engine/spec/params.h"
#include "engine/spec/promote.h"

namespace parity::spec {

// clang-format off
enum class OpId : std::uint8_t {
  Add, Mul, Neg, Exp, Sum, Matmul, Sub,
  Sqrt, Log, Sin, Cos, Tanh, Square, Reciprocal, Log1p, Expm1, Log2, Log10, Exp2, Tan,
  Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Abs,
  Divide, FloorDivide, Remainder, Fmod, Power, Maximum, Minimum, Fmax, Fmin,
  Atan2, Hypot, Copysign, Nextafter, Logaddexp, BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift, RightShift,
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, LogicalAnd, LogicalOr, LogicalXor,
  LogicalNot, Isnan, Isinf, Isfinite, Signbit,
  Positive, Sign, Floor, Ceil, Trunc, Rint, Invert,
  Cbrt, Erf, Relu, Sigmoid, Silu, Softplus,
  Where, Clip, NanToNum,
  Gelu, GeluTanh,
  Astype,
  Amax, Amin, Prod, Mean, All, Any,
  Argmax, Argmin, CountNonzero, Nansum, Nanmean
};
// clang-format on
inline constexpr int kNumOps = 92;

// The most operands an op takes (where, clip: three).
inline constexpr int kMaxArity = 3;

// The shape rule of an op: how the result shape, the cost and the sample shapes follow from
// the operands. Every switch over it names every kind (no default), so a new kind fails to
// compile until each place says what it means.
// Binary and Ternary ops broadcast their operands together (any number of them: the engines'
// elementwise paths, the kernels and the cases take arity N).
enum class OpKind : std::uint8_t { Unary, Binary, Ternary, Reduction, Matmul };
constexpr std::string_view kind_name(OpKind k) {
  switch (k) {
    case OpKind::Unary:
      return "unary";
    case OpKind::Binary:
      return "binary";
    case OpKind::Ternary:
      return "ternary";
    case OpKind::Reduction:
      return "reduction";
    case OpKind::Matmul:
      return "matmul";
  }
  return "?";
}

// How one library's compute dtype follows from the input dtypes: the dtype the inputs are
// cast to and the op computes in. It is the result dtype too, unless the row's `output`
// says the result is bool (see Output).
enum class Promotion : std::uint8_t {
  Same,           // result dtype = input dtype (neg)
  Binary,         // result_type() of the inputs (add, mul, matmul)
  IntToFloat,     // float_result_type() (exp)
  SumAccumulate,  // sum_result_type() (sum)
  BoolToInt8,     // result_type() of the inputs, bool -> int8 (NumPy's square, reciprocal,
                  // floor_divide, remainder, fmod, power, left_shift and right_shift: their
                  // loops start at int8)
  BoolToInt64,    // bool -> int64, others the input dtype (torch.square: pow(x, 2) with an
                  // integer exponent)
  TrueDivision,   // result_type() of the inputs; a bool or integer result becomes the library's
                  // default float: NumPy float64 (its true_divide loops for integers are
                  // float64), PyTorch float32 (divide)
  BinaryToFloat,  // a float for every input: NumPy promotes the float each operand casts to
                  // safely (float_result_type of each: uint8 with int8 is float16, as
                  // np.arctan2's first loop both cast to), PyTorch result_type() and then, for
                  // bool and integers, float32 (torch.atan2, torch.copysign)
  FloatOrDouble,  // float32 or float64, the first the input casts to safely: a ufunc whose only
                  // real loops are 'f->f' and 'd->d' (scipy.special.erf: bool, int8, int16 and
                  // float16 give float32, int32 and int64 float64)
  WeakFloat,      // result_type() of the input with a Python float (NEP 50: it is weak): floats
                  // keep their dtype, bool and integers give the library's default float (NumPy
                  // float64, PyTorch float32): a formula that starts 0.5 * x (gelu_tanh's)
  WeakFloatOrDouble,  // WeakFloat, then FloatOrDouble: a formula that multiplies x by a Python
                      // float and passes it through scipy.special.erf (gelu's: float16 gives
                      // float32, bool and integers float64)
  Index,      // int64: the position of an element (np.argmax, torch.argmax), for every input dtype
  Truth,      // bool: a reduction of truth values (np.all, np.any); PyTorch keeps uint8 (torch.all
              // of a uint8 tensor is uint8, 0 or 1) and gives bool for every other dtype
  DTypeParam  // the call's dtype parameter (Params::dtype): a cast computes, for each element, the
              // target dtype's value of it (astype, to); the per-element rules read the operand
              // in its own dtype (OpSpec::casts)
};
std::string_view promotion_name(Promotion p);

// The result dtype, given the compute dtype. Comparisons, logical ops and predicates compute
// in the compute dtype (np.less(int64, float32) compares in float64, torch.lt in float32;
// np.isnan(float16) tests float16) and write bool. The functor of a Bool op declares
// `using result = bool;`, its reference returns bool, and both engines' generic elementwise
// paths cast the inputs to the compute dtype and allocate a bool result.
enum class Output : std::uint8_t {
  Compute,  // the result is in the compute dtype (add, exp, ...)
  Bool      // the result is bool (equal, logical_and, isnan, ...)
};
std::string_view output_name(Output o);

// The device a PyTorch rule applies on (NumPy rules use Any).
enum class Backend : std::uint8_t { Any, Cpu, Cuda };
std::string_view backend_name(Backend b);

// What a signature parameter is to the engines: which member of spec::Params holds it.
enum class ParamKind : std::uint8_t {
  Axes,      // Params::axes (axis / dim)
  Keepdims,  // Params::keepdims
  Scalar,    // Params::scalars, in the order of the row's Scalar parameters (nan_to_num's nan)
  DType      // Params::dtype (astype's dtype): written by its dtype name ("float16") in goldens
};
std::string_view param_kind_name(ParamKind k);

// The value a Scalar parameter takes when the call leaves it out (both libraries agree on
// these; a row whose libraries differed would need a default per library).
enum class ScalarDefault : std::uint8_t {
  Value,       // ParamSpec::default_value (nan_to_num's nan: 0.0)
  DTypeMax,    // the compute dtype's largest finite value (posinf=None)
  DTypeLowest  // its most negative finite value (neginf=None)
};

// A signature parameter, as each library spells it.
struct ParamSpec {
  std::string_view numpy_name;  // "axis"
  std::string_view torch_name;  // "dim"
  std::string_view type;        // "int or tuple of ints"
  std::string_view numpy_default;
  std::string_view torch_default;
  ParamKind kind = ParamKind::Axes;
  ScalarDefault scalar_default = ScalarDefault::Value;  // Scalar parameters only
  double default_value = 0.0;                           // ScalarDefault::Value
};
inline constexpr int kMaxParams = 3;
struct Signature {
  std::array<std::string_view, kMaxArity> numpy_operands;  // "x1", "x2"
  std::array<std::string_view, kMaxArity> torch_operands;  // "input", "other"
  std::array<ParamSpec, kMaxParams> params;
  int num_params = 0;
};

// Where inputs are drawn from for checks and benchmarks (uniform in [lo, hi]).
struct Domain {
  double lo;
  double hi;
};

// Special values an op's inputs should be mixed with (bit mask).
enum Special : std::uint8_t {
  kSignedZero = 1 << 0,
  kNaN = 1 << 1,
  kInf = 1 << 2,
  kDenormal = 1 << 3,
  kExtremes = 1 << 4,  // dtype min/max, integer overflow edges
  kAllSpecials = 0x1f,
};
std::string special_names(std::uint8_t mask);  // "signed_zero,nan,..."

// How close an engine's result must be to the reference, per float dtype. Elementwise ops
// are judged in ULPs of the result. Reductions and matmul are judged against a bound that
// grows with the condition: |got - want| <= rel * sum(|terms|) with
// rel = factor * eps * (ceil(log2 k) + 2 + sqrt k), k the length of the reduced dimension
// (tree orders err by log2 k roundings, sequential ones by about sqrt k on random data).
struct Accuracy {
  double max_ulp;        // elementwise ops; 0 means exact (correctly rounded both sides)
  double reduce_factor;  // reductions/matmul: multiplier of eps * k; 0 when not a reduction
};

// Bytes moved and floating point operations, for GB/s and GFLOP/s.
struct Cost {
  double bytes = 0;
  double flops = 0;
};

// Which elements a per-element rule covers, evaluated on one element's operand values (in
// the dtype the op computes in) by where_holds. Every switch over it names every condition.
enum class Where : std::uint8_t {
  Always,            // every element (a rule of the dtypes alone)
  NaNOperand,        // some operand is NaN
  ZeroOperand1,      // operand 1 (a divisor) is zero
  NegativeOperand1,  // operand 1 is negative (an integer power's exponent)
  ShiftOutOfRange,   // operand 1 is negative or at least the bit width of the dtype
  OperandInexact,    // some operand does not survive a cast to the dtype: the values are
                     // NumPy's (in its compute dtype), the dtype PyTorch's narrower one
                     // (np.equal(int64 16777217, float32 16777216.) compares in float64,
                     // torch.eq in float32, where 16777217 rounds to 16777216)
  SignedZeroTie,     // two of the operands are -0 and +0 (either order)
  NegativeIntegerExponent,  // operand 1 is negative and the op computes in an integer dtype
                            // (np.power of uint64 with int64 computes in float64: no error)
  ZeroRemainderSignsDiffer,  // operand 0 is a multiple of operand 1 (fmod 0, operand 1 finite
                             // or infinite but not 0) and their signs differ
  CastOutOfRange,  // a cast to an integer dtype (the dtype it computes in) of a value that is NaN,
                   // infinite or, truncated toward zero, outside the dtype's range (operand 0 read
                   // in its own dtype): C leaves the conversion undefined, each library's loop
                   // does what its instructions give
  CastRoundsTwice,  // a cast to float16 or bfloat16 (the dtype it computes in) of a value whose
                    // rounding to it differs from its rounding to float32 and then to it
  CountInexact      // a reduction whose count of reduced elements is no value of the dtype
                    // (float16: 2049, or anything above 65504, which is inf)
};
std::string_view where_name(Where w);
// Whether `w` holds for an element whose operands are x0 (and x1), computed in `dtype`.
bool where_holds(Where w, DType dtype, double x0, double x1);
// The same for an element of any number of operands (the rules that name operand 0 or 1 read
// those; NaNOperand, OperandInexact and SignedZeroTie read them all).
bool where_holds(Where w, DType dtype, std::span<const double> x);

// A library's refusal of some operand dtypes, with the library's own error. Refusals are
// tried in row order; the first that matches is raised. `message` may hold {0} and {1}:
// the library's name of operand 0's / 1's dtype (PyTorch's ScalarType names: "Bool"), and
// {r}: the name of their result_type() (the dtype a PyTorch kernel dispatches on).
enum class Match : std::uint8_t {
  AnyIn,          // some operand's dtype is in `dtypes`
  AllIn,          // every operand's dtype is in `dtypes`
  FirstIn,        // operand 0's dtype is in `dtypes`
  OperandsDiffer, // the operands' dtypes differ (`dtypes` unused)
  ResultIn        // the operands' result_type() under the row's library is in `dtypes` (a loop
                  // or kernel missing for the promoted dtype: np.bitwise_and of uint64 with
                  // int64, which promote to float64)
};
struct Refusal {
  Semantics library;
  Backend backend;  // PyTorch: Any, Cpu or Cuda; NumPy: Any
  Match match;
  DTypeSet dtypes;
  std::string_view py_class;  // the Python class the library raises
  std::string_view message;
  // Parity's own gap, not the library's: the library computes this, Parity cannot yet.
  std::string_view todo = {};
  // A data-dependent error: raised only when some element satisfies `where` (torch's
  // integer division by zero on cpu). The dtype rules (result_dtype, accepts) pass over
  // such rows; the engines raise them from their generic elementwise paths, before
  // computing (raise_value_refusal), and the check predicts them from the inputs.
  Where where = Where::Always;
};

// An intended difference between NumPy and PyTorch, with a condition a test evaluates
// against the rules above (divergence_applies).
enum class DivergenceKind : std::uint8_t {
  ResultDtype,   // both compute, in different result dtypes
  TorchRefuses,  // NumPy computes, PyTorch raises
  NumpyRefuses,  // PyTorch computes, NumPy raises
  Values,        // both compute in one dtype; on the elements `where` covers, the values differ
  NumpyLacks,    // NumPy has no function of this name (the row's numpy_name is empty); the reason
                 // says what NumPy offers instead (the row's numpy_formula). Holds for every dtype;
                 // the array engine computes the op by NumPy's rules for that formula
  TorchLacks     // PyTorch has no such function (torch_name is empty); the tensor engine computes
                 // the op by the rules of PyTorch's nearest family, which the reason names
};
std::string_view divergence_kind_name(DivergenceKind k);
struct Divergence {
  DivergenceKind kind;
  std::string_view reason;
  // Values only: which elements differ by design, in which compute dtypes (empty: all).
  // `parity check` leaves them out of the engine-against-engine comparison and calls the
  // case divergent when one differs; the goldens judge each engine there against its own
  // library.
  Where where = Where::Always;
  DTypeSet dtypes = {};
};

// What a reduction row computes over the reduced elements; None for every other kind. Both
// engines' reductions, the kernels (kernels::Reduction::op), the gradient rows and the
// check's error allowance read it. Max and Min have no identity: reducing a zero-length
// axis is each library's error (result_shape raises it). Mean is a Sum divided by the count
// of reduced elements, in the result dtype.
// ArgMax and ArgMin write the int64 position (row-major over the reduced dims) of the first
// largest (smallest) element, a NaN counting as larger (smaller) than every number.
// Count writes the int64 number of nonzero elements (NaN counts: it is nonzero). NanSum is a
// sum with every NaN read as 0 (the engines replace the NaNs and run Sum; no kernel has it);
// NanMean that sum divided by the number of elements that are not NaN.
enum class Reduce : std::uint8_t { None, Sum, Prod, Mean, Max, Min, All, Any, ArgMax, ArgMin, Count, NanSum, NanMean };
std::string_view reduce_name(Reduce r);
// Whether a reduction has an identity (the value of reducing nothing).
constexpr bool has_identity(Reduce r) {
  return r != Reduce::Max && r != Reduce::Min && r != Reduce::ArgMax && r != Reduce::ArgMin;
}
// Whether a reduction writes a position rather than a value.
constexpr bool is_arg_reduce(Reduce r) { return r == Reduce::ArgMax || r == Reduce::ArgMin; }

inline constexpr int kMaxRefusals = 4;
inline constexpr int kMaxDivergences = 4;

struct OpSpec {
  OpId id;
  std::string_view name;        // Parity's short name: "mul"
  std::string_view numpy_name;  // qualified: "numpy.multiply"; empty where NumPy lacks the op
  std::string_view torch_name;  // qualified: "torch.mul"; empty where PyTorch lacks the op
  OpKind kind;
  int arity;
  Signature signature;
  Promotion numpy_result;  // NumPy's compute-dtype rule (the result dtype's too, unless `output`)
  Promotion torch_result;  // PyTorch's
  Output output = Output::Compute;  // both libraries': Bool for comparisons and predicates
  // Operands the op reads as truth values (bit k: operand k; where's condition): both engines
  // cast them to bool, and they take no part in the promotion, which is over the others.
  std::uint8_t conditions = 0;
  std::array<Refusal, kMaxRefusals> refusals;
  int num_refusals;
  Domain domain;      // float inputs
  Domain int_domain;  // integer inputs (bool is a fair coin)
  std::uint8_t specials;
  bool differentiable;
  double flops_per_element;  // per output element (elementwise) or per input element (sum)
  Accuracy accuracy;         // every float dtype but float64 (read through accuracy_for)
  Accuracy accuracy_float64;
  std::array<Divergence, kMaxDivergences> divergences;
  int num_divergences;
  // Whether the result is a real function of the operands rounded to the dtype, so that a
  // wider computation rounded once is a reference for it; false for nextafter, a step in
  // the dtype's own bits.
  bool rounds = true;
  // Where NumPy lacks the op: what computes it on the NumPy side, as an expression in `x` over
  // NumPy's functions (or a SciPy ufunc, which resolves types as NumPy's do):
  // "1 / (1 + exp(-x))", "scipy.special.erf(x)". scripts/gen-goldens evaluates the same text
  // for the NumPy goldens (their cases record it as their op), and the array engine's
  // reference computes it step by step, each step a NumPy op rounded to its dtype.
  std::string_view numpy_formula = {};
  // Derived from the refusals when the table is built: the dtypes that both libraries
  // compute on cpu for same-dtype operands.
  DTypeSet dtypes;
  // Keyword arguments the PyTorch call always passes, as a JSON object (`{"approximate": "tanh"}`:
  // gelu_tanh is torch.nn.functional.gelu(input, approximate='tanh')); empty for none. A row
  // with them is one of several ops behind one PyTorch function: `parity spec` prints them in
  // the call, scripts/gen-goldens passes them (its TORCH_KWARGS, which tests/library_names_test
  // compares) and records them in each case's params, and the golden reader matches a case to
  // the row whose fixed arguments its params hold. Its golden file is named after Parity's op.
  std::string_view torch_kwargs = {};
  // Reductions: what the row reduces with (Sum for sum, Max for amax, ...).
  Reduce reduce = Reduce::None;
  // Reductions with a single-dim signature in PyTorch (torch.prod, all, any, argmax and argmin
  // take one int dim or none; torch.sum, amax, mean a tuple): the TypeError PyTorch raises for
  // a tuple, whose text lists the function's overloads (PyTorch 1.13, recorded by the goldens'
  // error_dim_tuple cases); empty where a tuple is taken. See torch_single_dim().
  std::string_view torch_tuple_dim_error = {};
  // Reductions whose PyTorch function has no keepdim (torch.count_nonzero): passing it is
  // PyTorch's TypeError.
  bool torch_keepdim = true;
  // Reductions that take one int axis (or none) in NumPy too (np.argmax: a tuple is NumPy's
  // TypeError as well).
  bool numpy_single_axis = false;

  std::span<const Refusal> refusal_list() const { return {refusals.data(), std::size_t(num_refusals)}; }
  std::span<const Divergence> divergence_list() const {
    return {divergences.data(), std::size_t(num_divergences)};
  }
  std::span<const ParamSpec> param_list() const {
    return {signature.params.data(), std::size_t(signature.num_params)};
  }
  // Whether PyTorch takes one int dim only: a call naming several axes is its TypeError, a
  // divergence the check and goldens see.
  constexpr bool torch_single_dim() const { return !torch_tuple_dim_error.empty(); }
  constexpr bool is_condition(std::size_t operand) const { return (conditions >> operand) & 1u; }
  // Whether the row is a cast: its result is the call's dtype parameter (Promotion::DTypeParam,
  // under both libraries; its signature has the ParamKind::DType parameter), and the
  // per-element rules read its operand in the operand's own dtype, the value before the cast.
  constexpr bool casts() const { return numpy_result == Promotion::DTypeParam; }
};

// Whether a per-op table (rows with a member `op`) has one row per op, in OpId order: the
// engines' implementation tables and the gradient table static_assert it.
template <class Rows>
constexpr bool one_row_per_op(const Rows& rows) {
  if (rows.size() != std::size_t(kNumOps)) return false;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (std::size_t(rows[i].op) != i) return false;
  return true;
}

// ValueError unless `n` operands is the op's arity.
void check_arity(OpId op, std::size_t n);

const std::array<OpSpec, kNumOps>& op_table();
const OpSpec& op_spec(OpId id);
// Looks an op up by Parity's name; throws ValueError listing the known names.
const OpSpec& find_op(std::string_view name);
// Looks an op up by a library's qualified name ("numpy.multiply", "torch.mul"); null if none.
// Of the rows behind one PyTorch function, the one without fixed arguments (torch_kwargs).
const OpSpec* find_library_op(std::string_view qualified_name);
// What a library's golden cases name the op by: its qualified name, or for NumPy, where it
// lacks the op, the row's numpy_formula ("" where neither: no goldens from that library).
std::string_view golden_name(const OpSpec& op, Semantics s);
// Whether the library has the op under its own name (the row names it).
bool library_has(const OpSpec& op, Semantics s);
std::string op_names();  // "add, mul, ..."

// The accuracy budget of `op` for a float dtype.
const Accuracy& accuracy_for(const OpSpec& op, DType dtype);
// The input domain of `op` for a dtype.
Domain domain_for(const OpSpec& op, DType dtype);

// The refusal `library` makes for these operands on `backend` (null when it computes).
const Refusal* find_refusal(OpId op, Semantics library, std::span<const Operand> inputs,
                            Backend backend = Backend::Cpu);
// Same-dtype operands of `dtype` for `op` (its arity of them, 0-d none), its condition
// operands bool: what "op on dtype" means for accepts, the derived dtypes and `parity spec`.
std::vector<Operand> operands_of_dtype(const OpSpec& op, DType dtype);
// Whether `library` computes `op` for same-dtype operands of `dtype` on `backend`.
bool accepts(OpId op, Semantics library, DType dtype, Backend backend = Backend::Cpu);

// The result dtype of `op` under one library's rules; throws TypeError (with the library's
// class and message from the refusal rows) where the library refuses the input dtypes.
// A row whose Promotion is DTypeParam reads params.dtype (ValueError when it is unset; PyTorch's
// TypeError for a dtype PyTorch lacks).
DType result_dtype(OpId op, Semantics s, std::span<const Operand> inputs, Backend backend = Backend::Cpu,
                   const Params& params = kNoParams);
// The dtype the inputs are cast to and `op` computes in, under one library's rules (the
// row's Promotion); the result dtype unless the row's output is Bool. Throws as result_dtype.
DType compute_dtype(OpId op, Semantics s, std::span<const Operand> inputs, Backend backend = Backend::Cpu,
                    const Params& params = kNoParams);
// The result dtype of `op` for a compute dtype (the row's Output): `compute`, or bool.
DType output_dtype(OpId op, DType compute);
// The dtype the engines cast operand `k` to: bool for a condition operand (the row's
// `conditions`), else the compute dtype.
DType operand_dtype(OpId op, std::size_t k, DType compute);

// The values of the op's Scalar parameters for a call computing in `compute`: the call's, or
// the row's defaults (ScalarDefault), in the order the signature lists them; the rest 0.
std::array<double, kMaxScalarParams> scalar_values(OpId op, const Params& params, DType compute);

// The result shape of `op`. For reductions, params.axes empty means all axes. Throws with
// the library's wording on mismatch.
Shape result_shape(OpId op, Semantics s, std::span<const Shape> inputs, const Params& params);
// The same, with sum's parameters spelled out (kept for callers that have no Params).
Shape result_shape(OpId op, Semantics s, std::span<const Shape> inputs,
                   std::span<const std::int64_t> axes = {}, bool keepdims = false);

// Whether a declared divergence of `op` holds for these operands (evaluated from the rules).
bool divergence_applies(const OpSpec& op, const Divergence& d, std::span<const Operand> inputs);
// The reasons of every divergence of `op`, joined ("" when the libraries agree).
std::string divergence_summary(const OpSpec& op);
// A library's result rule as `parity spec` prints it: "binary", or "binary -> bool" for an op
// whose output is Bool (the compute rule, then the result).
std::string result_rule_name(const OpSpec& op, Semantics s);

// The operand values of one elementwise call, each in C order over its own shape (which
// broadcasts to `out`), as the per-element rules read them.
struct ElementValues {
  const std::vector<double>* values;
  Shape shape;
};
// Per element of `out`: whether `w` holds for the broadcast operands, computed in `dtype`.
std::vector<bool> where_mask(Where w, DType dtype, const Shape& out, std::span<const ElementValues> in);
// Whether any element of `out` satisfies `w`.
bool where_any(Where w, DType dtype, const Shape& out, std::span<const ElementValues> in);
// The same for a reduction: one entry per output element (kept dims in C order), true where
// the rule holds over the element's reduced values taken together (SignedZeroTie: the
// slice holds both -0 and +0).
std::vector<bool> where_mask_reduced(Where w, DType dtype, const ElementValues& in, std::span<const int> reduced);
// Whether `op` has data-dependent refusals for `library` on `backend` that these operand
// dtypes match (then the caller reads the values and calls raise_value_refusal).
bool has_value_refusal(OpId op, Semantics library, std::span<const Operand> inputs, Backend backend);
// Throws the first data-dependent refusal that matches the operands and holds for some
// element (the library's class and message); returns when none does. `dtype` is the dtype
// the op computes in.
void raise_value_refusal(OpId op, Semantics library, std::span<const Operand> inputs, Backend backend,
                         DType dtype, const Shape& out, std::span<const ElementValues> values);
// The message of that refusal ("" when none holds), for the check's predictions.
std::string value_refusal_message(OpId op, Semantics library, std::span<const Operand> inputs, Backend backend,
                                  DType dtype, const Shape& out, std::span<const ElementValues> values);

// Bytes and flops of one call, from the shapes and dtypes.
Cost op_cost(OpId op, std::span<const Shape> inputs, DType in, DType out,
             std::span<const std::int64_t> axes = {});

// The reduced axes of reduction `op`, normalised (0..ndim-1), sorted, checked for
// duplicates; empty `axes` means all axes. NumPy's argmax and argmin see a 0-d input as 1-d:
// axis 0 or -1 is accepted and reduces nothing.
std::vector<int> reduction_axes(OpId op, Semantics s, int ndim, std::span<const std::int64_t> axes);

}  // namespace parity::spec
