#include "engine/spec/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/spec/error.h"

namespace parity::spec {
namespace {

constexpr DTypeSet kBool{DType::Bool};
constexpr DTypeSet kBoolInt = kIntegerDTypes.with(DType::Bool);

constexpr auto NumPy = Semantics::NumPy;
constexpr auto Torch = Semantics::PyTorch;

constexpr Signature kBinarySig{{"x1", "x2"}, {"input", "other"}, {}, 0};
constexpr Signature kUnarySig{{"x", ""}, {"input", ""}, {}, 0};
constexpr Signature kReductionSig{{"a", ""},
                                  {"input", ""},
                                  {{{"axis", "dim", "int or tuple of ints", "None", "None", ParamKind::Axes},
                                    {"keepdims", "keepdim", "bool", "False", "False", ParamKind::Keepdims}}},
                                  2};
// torch.all and torch.any of a tuple dim (PyTorch 1.13): their overloads, one per line.
constexpr std::string_view kAllTupleDim =
    "all() received an invalid combination of arguments - got (Tensor, dim=tuple), but expected one of:\n"
    " * (Tensor input, *, Tensor out)\n"
    " * (Tensor input, int dim, bool keepdim, *, Tensor out)\n"
    " * (Tensor input, name dim, bool keepdim, *, Tensor out)\n";
constexpr std::string_view kAnyTupleDim =
    "any() received an invalid combination of arguments - got (Tensor, dim=tuple), but expected one of:\n"
    " * (Tensor input, *, Tensor out)\n"
    " * (Tensor input, int dim, bool keepdim, *, Tensor out)\n"
    " * (Tensor input, name dim, bool keepdim, *, Tensor out)\n";
// np.argmax and torch.argmax take one int axis or none (all: the position in the flattened,
// C-order input).
constexpr Signature kArgReductionSig{{"a", ""},
                                     {"input", ""},
                                     {{{"axis", "dim", "int", "None", "None", ParamKind::Axes},
                                       {"keepdims", "keepdim", "bool", "False", "False", ParamKind::Keepdims}}},
                                     2};
// amax and amin of -0 and +0: each library keeps whichever its (vectorised) loop meets last,
// so the sign of a zero extremum depends on the order and the vector width.
constexpr std::string_view kZeroTieReason =
    "a zero extremum of -0 and +0: the sign is whichever each library's loop keeps "
    "(np.amax([-0., 0.]) is 0.0, torch.amax(torch.tensor([-0., 0.])) is -0.0)";
constexpr std::string_view kUint8TruthReason = "uint8 input: NumPy gives bool, PyTorch keeps uint8 (0 or 1)";
constexpr Signature kWhereSig{{"condition", "x", "y"}, {"condition", "input", "other"}, {}, 0};
constexpr Signature kClipSig{{"a", "a_min", "a_max"}, {"input", "min", "max"}, {}, 0};
// np.nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None) and torch.nan_to_num(input,
// nan=0.0, posinf=None, neginf=None): None is the dtype's largest (most negative) finite value.
constexpr Signature kNanToNumSig{
    {"x", "", ""},
    {"input", "", ""},
    {{{"nan", "nan", "float", "0.0", "0.0", ParamKind::Scalar, ScalarDefault::Value, 0.0},
      {"posinf", "posinf", "float or None", "None", "None", ParamKind::Scalar, ScalarDefault::DTypeMax},
      {"neginf", "neginf", "float or None", "None", "None", ParamKind::Scalar, ScalarDefault::DTypeLowest}}},
    3};

// x.astype(dtype) / input.to(dtype): the one parameter is the target dtype, which the cases set
// to every dtype (ParamKind::DType).
constexpr Signature kAstypeSig{{"x", ""}, {"input", ""}, {{{"dtype", "dtype", "dtype", "", "", ParamKind::DType}}}, 1};

constexpr std::string_view kPromotionReason =
    "an integer with a float: NumPy the float that holds the integer exactly (int32 with float32: "
    "float64), PyTorch the float operand's dtype; a 0-d operand promotes only by category in PyTorch";

constexpr std::string_view kBinaryToFloatReason =
    "bool and integer operands: NumPy the float each casts to safely, promoted (bool, int8, uint8: float16; "
    "int16: float32; wider: float64), PyTorch float32 (the default dtype); an integer with a float as for add";

constexpr std::string_view kIntPromotionReason =
    "a 0-d operand: NumPy promotes it like any array (int32 with a 0-d int64: int64), PyTorch only by "
    "category (int32)";

constexpr std::string_view kShiftReason =
    "shift amounts below 0 or at least the bit width: NumPy shifts every bit out (0, or -1 for a negative value "
    "shifted right), PyTorch's cpu kernels shift a 32-bit word (64-bit for int64) by the amount modulo 32 (64) "
    "(np.left_shift(np.int8(1), np.int8(32)) is 0, torch.bitwise_left_shift of the same int8 tensors 1)";

// PyTorch's compute dtypes that can be narrower than NumPy's for the same operands (int64,
// float64 and bool never are).
constexpr DTypeSet kNarrowCompute{DType::UInt8, DType::Int8,     DType::Int16,  DType::Int32,
                                  DType::Float16, DType::BFloat16, DType::Float32};

constexpr std::string_view kCompareComputeReason =
    "mixed dtypes compare in each library's promoted dtype: NumPy's holds both operands (int64 with float32: "
    "float64; uint8 with a 0-d int8: int16), PyTorch's may not (float32; a 0-d operand of the tensor's category "
    "takes the tensor's dtype: uint8), so where an operand does not survive the cast to PyTorch's dtype the "
    "answers may differ: np.equal(np.array([16777217]), np.array([16777216.], np.float32)) is [False], torch.eq "
    "[True]; np.less_equal(np.array([1], np.uint8), np.array(-3, np.int8)) [False], torch.le [True]";

constexpr std::string_view kLogicalComputeReason =
    "mixed dtypes test truth in each library's promoted dtype; where an operand does not survive the cast to "
    "PyTorch's narrower one it can turn false: np.logical_and(np.array([1.], np.float32), np.array(1e-300)) is "
    "[True], torch.logical_and(torch.tensor([1.]), torch.tensor(1e-300, dtype=torch.float64)) [False] (0 in "
    "float32); np.logical_and(np.array([1], np.int8), np.array(256, np.int16)) [True], torch [False] (256 wraps "
    "to 0 in int8)";

constexpr std::string_view kIntToFloatReason =
    "bool and integer input: NumPy the narrowest float that holds it (bool, int8, uint8: float16; int16, "
    "uint16: float32; wider: float64), PyTorch float32 (the default dtype)";

constexpr std::string_view kIntToFloatFormulaReason =
    "integer input: NumPy's formula gives the narrowest float that holds it (int8, uint8: float16; int16, "
    "uint16: float32; wider: float64), after -x in the integer dtype (it wraps in unsigned integers: the formula "
    "of np.uint8(1) is 0.0), PyTorch float32 of the value";

// np.negative of a bool array, the first step of the formulas that negate x.
constexpr std::string_view kNumpyBoolNegative =
    "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not "
    "function instead.";

// The bitwise ops and shifts: binary, bool and integers only, refused by both libraries where
// the promoted dtype has no loop or kernel (NumPy: a float; PyTorch: `torch_refused`), not
// differentiable, exact.
#define KNoLoop                                                                                  \
  "not supported for the input types, and the inputs could not be safely coerced to any supported " \
  "types according to the casting rule ''safe''"
#define KNoKernel "not implemented for '{r}'"
struct IntegerOp {
  OpId id;
  std::string_view name, numpy_name, torch_name;
  Promotion numpy_result;
  DTypeSet torch_refused;
  std::string_view numpy_message, cpu_message, cuda_message;
  Domain int_domain;
};
constexpr OpSpec integer_row(const IntegerOp& o, std::array<Divergence, kMaxDivergences> divergences, int n) {
  return {.id = o.id, .name = o.name, .numpy_name = o.numpy_name, .torch_name = o.torch_name,
          .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
          .numpy_result = o.numpy_result, .torch_result = Promotion::Binary,
          .refusals = {{{NumPy, Backend::Any, Match::ResultIn, kFloatDTypes, "TypeError", o.numpy_message},
                        {Torch, Backend::Cpu, Match::ResultIn, o.torch_refused, "RuntimeError", o.cpu_message},
                        {Torch, Backend::Cuda, Match::ResultIn, o.torch_refused, "RuntimeError", o.cuda_message}}},
          .num_refusals = 3,
          .domain = {-4.0, 4.0}, .int_domain = o.int_domain, .specials = kExtremes,
          .differentiable = false, .flops_per_element = 1.0,
          .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
          .divergences = divergences, .num_divergences = n};
}
constexpr std::array<Divergence, kMaxDivergences> kShiftDivergences{
    {{DivergenceKind::ResultDtype, kIntPromotionReason},
     {DivergenceKind::TorchRefuses, "bool with bool: NumPy shifts in int8, PyTorch has no bool shift"},
     {DivergenceKind::Values, kShiftReason, Where::ShiftOutOfRange}}};

// The row of an op whose result is bool (comparisons, logical ops, predicates): computed in
// each library's compute dtype, written as bool; both libraries take every dtype; exact; not
// differentiable. `values_reason`: where PyTorch's compute dtype can be narrower than NumPy's
// (binary ops), the Values divergence on the operands it does not hold.
constexpr OpSpec bool_row(OpId id, std::string_view name, std::string_view numpy_name, std::string_view torch_name,
                          int arity, Promotion numpy_compute, Promotion torch_compute,
                          std::string_view values_reason = {}) {
  OpSpec row{.id = id, .name = name, .numpy_name = numpy_name, .torch_name = torch_name,
             .kind = arity == 2 ? OpKind::Binary : OpKind::Unary, .arity = arity,
             .signature = arity == 2 ? kBinarySig : kUnarySig,
             .numpy_result = numpy_compute, .torch_result = torch_compute, .output = Output::Bool,
             .refusals = {}, .num_refusals = 0,
             .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
             .differentiable = false, .flops_per_element = 1.0,
             .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
             .divergences = {}, .num_divergences = 0};
  if (!values_reason.empty()) {
    row.divergences[0] = {DivergenceKind::Values, values_reason, Where::OperandInexact, kNarrowCompute};
    row.num_divergences = 1;
  }
  return row;
}

// sum and nansum: the accumulation dtypes (NumPy uint64 for unsigned integers, PyTorch
// int64), no refusal, a budget of 2 per term's rounding.
constexpr OpSpec sum_row(OpId id, std::string_view name, std::string_view numpy_name, std::string_view torch_name,
                         Reduce reduce) {
  return {.id = id, .name = name, .numpy_name = numpy_name, .torch_name = torch_name,
          .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
          .numpy_result = Promotion::SumAccumulate, .torch_result = Promotion::SumAccumulate,
          .refusals = {}, .num_refusals = 0,
          .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
          .differentiable = true, .flops_per_element = 1.0,
          .accuracy = {0.0, 2.0}, .accuracy_float64 = {0.0, 2.0},
          .divergences = {{{DivergenceKind::ResultDtype,
                            "uint8 input: NumPy adds unsigned integers in uint64, PyTorch in int64"}}},
          .num_divergences = 1,
          .reduce = reduce};
}

// A reduction with the input's dtype (amax, amin) or a truth result (all, any): no refusal,
// one divergence, exact.
constexpr OpSpec fold_row(OpId id, std::string_view name, std::string_view numpy_name, std::string_view torch_name,
                          Reduce reduce, Promotion result, Domain domain, Domain int_domain, Divergence divergence,
                          std::string_view torch_tuple_dim_error = {}) {
  const bool truth = result == Promotion::Truth;
  return {.id = id, .name = name, .numpy_name = numpy_name, .torch_name = torch_name,
          .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
          .numpy_result = result, .torch_result = result,
          .refusals = {}, .num_refusals = 0,
          .domain = domain, .int_domain = int_domain, .specials = kAllSpecials,
          .differentiable = !truth, .flops_per_element = 1.0,
          .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
          .divergences = {{divergence}}, .num_divergences = 1,
          .reduce = reduce, .torch_tuple_dim_error = torch_tuple_dim_error};
}

// np.argmax / torch.argmax and argmin: the int64 position of the first largest (smallest)
// element, a NaN counting as beyond every number (both: np.argmax([1., nan, 0., nan]) and
// torch.argmin of the same are 1; -0 and +0 tie, so the first is taken). One int axis or none
// in both libraries (np.argmax(a, axis=(0, 1)): "'tuple' object cannot be interpreted as an
// integer"; torch: "argmax(): argument 'dim' must be int, not tuple"); no identity (an empty
// reduced axis is each library's error, from result_shape). PyTorch 1.13 has no Bool kernel:
// torch.argmax(torch.tensor([True, False])) is RuntimeError "argmax_cpu" not implemented for
// 'Bool' (measured); the cuda message is the same with "argmax_cuda" (read from its dispatch
// macro, not run: no GPU yet). Not differentiable (an integer result).
constexpr OpSpec arg_row(OpId id, std::string_view name, std::string_view numpy_name, std::string_view torch_name,
                         Reduce reduce, std::string_view cpu_message, std::string_view cuda_message,
                         std::string_view tuple_dim_error) {
  return {.id = id, .name = name, .numpy_name = numpy_name, .torch_name = torch_name,
          .kind = OpKind::Reduction, .arity = 1, .signature = kArgReductionSig,
          .numpy_result = Promotion::Index, .torch_result = Promotion::Index,
          .refusals = {{{Torch, Backend::Cpu, Match::FirstIn, kBool, "RuntimeError", cpu_message},
                        {Torch, Backend::Cuda, Match::FirstIn, kBool, "RuntimeError", cuda_message}}},
          .num_refusals = 2,
          .domain = {-4.0, 4.0}, .int_domain = {-3.0, 3.0}, .specials = kAllSpecials,
          .differentiable = false, .flops_per_element = 1.0,
          .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
          .divergences = {{{DivergenceKind::TorchRefuses,
                            "bool: NumPy gives the position of the first True (False), PyTorch has no Bool kernel"}}},
          .num_divergences = 1,
          .reduce = reduce, .torch_tuple_dim_error = tuple_dim_error, .numpy_single_axis = true};
}

// maximum/minimum and fmax/fmin at a -0/+0 tie (the engines follow the libraries' scalar
// loops; PyTorch's AVX2 loop gives the second operand, which the goldens avoid).
constexpr std::string_view kTieReason =
    "-0 against +0 in float32 and float64: NumPy gives the second operand (np.maximum(np.float32(0), "
    "np.float32(-0.)) is -0.), PyTorch's cpu the first (in float16 both the first)";
constexpr std::string_view kTieReasonFmax =
    "-0 against +0: NumPy gives the first operand in float16 and the second in float32 and float64, "
    "PyTorch's cpu the second in float16 and bfloat16 and the first in float32 and float64 "
    "(torch.fmax(torch.tensor([0.]), torch.tensor([-0.])) is 0.)";

// The rounding ops (floor, ceil, trunc, rint): NumPy's loops are float only, so bool and
// integers go to the float they cast to safely (np.floor(np.ones(3, np.int8)).dtype is
// float16, of int32 float64), where PyTorch keeps an integer dtype and returns its values
// (torch.floor(torch.tensor([2**62 + 1])) is int64 [4611686018427387905]). PyTorch has no
// bool kernel, and its 1.13 cpu no Half one (torch.floor(torch.ones(3, dtype=torch.bool)):
// "floor_vml_cpu" not implemented for 'Bool'; of float16: ... for 'Half'). Exact (the
// result is an integer of the dtype), every value in halves and past 2**23 / 2**52 included;
// the gradient is zero (derivatives.yaml: zeros_like(grad)).
constexpr std::string_view kRoundingDtypeReason =
    "bool and integer input: NumPy the float its loop casts to safely (bool, int8, uint8: float16; int16, "
    "uint16: float32; wider: float64, where int64 values past 2**53 round: np.floor(np.array([2**53 + 1])) is "
    "[9007199254740992.]), PyTorch keeps the integer dtype and its values";
constexpr OpSpec rounding_row(OpId id, std::string_view name, std::string_view numpy_name, std::string_view torch_name,
                              std::string_view cpu_message, std::string_view cuda_message,
                              std::string_view refuses_reason) {
  return {.id = id, .name = name, .numpy_name = numpy_name, .torch_name = torch_name,
          .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
          .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::Same,
          .refusals = {{{Torch, Backend::Cpu, Match::AnyIn, {DType::Bool, DType::Float16}, "RuntimeError", cpu_message},
                        {Torch, Backend::Cuda, Match::AnyIn, kBool, "RuntimeError", cuda_message}}},
          .num_refusals = 2,
          .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
          .differentiable = true, .flops_per_element = 1.0,
          .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
          .divergences = {{{DivergenceKind::ResultDtype, kRoundingDtypeReason},
                           {DivergenceKind::TorchRefuses, refuses_reason}}},
          .num_divergences = 2};
}

// NumPy's error for a unary ufunc without a bool loop (np.positive(np.array([True])),
// np.sign too): the class as its traceback names it, the message word for word.
#define KNoBoolLoop(ufunc) \
  "ufunc '" ufunc "' did not contain a loop with signature matching types <class 'numpy.dtype[bool_]'> -> None"
// Both gelu rows are one PyTorch function: its cpu kernel (GeluKernelImpl) and its cuda kernel
// (GeluCUDAKernelImpl, not run here) refuse the same dtypes whichever approximation is asked for.
constexpr std::array<Refusal, kMaxRefusals> kGeluRefusals{{
    {Torch, Backend::Cpu, Match::AnyIn, kBoolInt.with(DType::Float16), "RuntimeError",
     "\"GeluKernelImpl\" not implemented for '{0}'"},
    {Torch, Backend::Cuda, Match::AnyIn, kBoolInt, "RuntimeError",
     "\"GeluCUDAKernelImpl\" not implemented for '{0}'"}}};

constexpr std::string_view kNoLoopClass = "numpy.core._exceptions._UFuncNoLoopError";

// clip at a tie of -0 and +0 (the engines follow NumPy's loop and PyTorch's scalar loop;
// PyTorch's AVX2 loop takes the bound, which the goldens avoid).
constexpr std::string_view kClipTieReason =
    "-0 against +0 in float32 and float64: NumPy's clip takes the bound at a tie (np.clip(np.float32(-0.), "
    "np.float32(0), np.float32(1)) is 0.0; its float16 loop keeps the operand), PyTorch's cpu scalar loop the "
    "operand (torch.clamp(torch.tensor([-0.]), torch.tensor([0.]), torch.tensor([1.])) is -0.)";

// PyTorch's where takes bool and (deprecated) uint8 conditions.
constexpr DTypeSet kNotBoolCondition{DType::Int8,    DType::Int16,    DType::Int32,   DType::Int64,
                                     DType::Float16, DType::BFloat16, DType::Float32, DType::Float64};

// The rows. Messages are NumPy 1.24's and PyTorch 1.13's, word for word (the versions the
// goldens come from).
// clang-format off
constexpr std::array<OpSpec, kNumOps> kRows{{
  {.id = OpId::Add, .name = "add", .numpy_name = "numpy.add", .torch_name = "torch.add",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason}}}, .num_divergences = 1},
  {.id = OpId::Mul, .name = "mul", .numpy_name = "numpy.multiply", .torch_name = "torch.mul",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason}}}, .num_divergences = 1},
  {.id = OpId::Neg, .name = "neg", .numpy_name = "numpy.negative", .torch_name = "torch.neg",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {{
     {NumPy, Backend::Any, Match::AnyIn, kBool, "TypeError",
      "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the "
      "logical_not function instead."},
     {Torch, Backend::Any, Match::AnyIn, kBool, "RuntimeError",
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
      "mask, use the `~` or `logical_not()` operator instead."}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {}, .num_divergences = 0},
  {.id = OpId::Exp, .name = "exp", .numpy_name = "numpy.exp", .torch_name = "torch.exp",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.exp(torch.ones(3, dtype=torch.float16)) on cpu (1.13 has no cpu Half exp)
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"exp_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses,
                     "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half exp"}}},
   .num_divergences = 2},
  sum_row(OpId::Sum, "sum", "numpy.sum", "torch.sum", Reduce::Sum),
  {.id = OpId::Matmul, .name = "matmul", .numpy_name = "numpy.matmul", .torch_name = "torch.matmul",
   .kind = OpKind::Matmul, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.ones(2,3,dtype=torch.bool) @ torch.ones(3,2,dtype=torch.bool): the dispatch on
     // operand 0's dtype fails before the dtypes are compared.
     // The same for float16: PyTorch 1.13 has no cpu Half mm.
     {Torch, Backend::Cpu, Match::FirstIn, {DType::Bool, DType::Float16}, "RuntimeError",
      "\"addmm_impl_cpu_\" not implemented for '{0}'"},
     // cuBLAS has no integer gemm; PyTorch's cuda mm dispatches floating types only.
     {Torch, Backend::Cuda, Match::FirstIn, kBoolInt, "RuntimeError",
      "\"addmm_cuda\" not implemented for '{0}'"},
     // torch.ones(2,3) @ torch.ones(3,2,dtype=torch.float64)
     {Torch, Backend::Any, Match::OperandsDiffer, {}, "RuntimeError",
      "expected scalar type {0} but found {1}"}}},
   .num_refusals = 3,
   .domain = {-2.0, 2.0}, .int_domain = {-2.0, 2.0}, .specials = kSignedZero | kNaN | kInf,
   .differentiable = true, .flops_per_element = 2.0,
   .accuracy = {0.0, 2.0}, .accuracy_float64 = {0.0, 2.0},
   .divergences = {{{DivergenceKind::TorchRefuses,
                     "mixed dtypes: NumPy promotes, PyTorch's mm refuses; bool and (on cpu) float16: NumPy "
                     "computes, PyTorch's mm is not implemented for them"}}},
   .num_divergences = 1},
  {.id = OpId::Sub, .name = "sub", .numpy_name = "numpy.subtract", .torch_name = "torch.sub",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {{
     // np.subtract(np.ones(3, bool), np.ones(3, bool)); a bool with a number computes.
     {NumPy, Backend::Any, Match::AllIn, kBool, "TypeError",
      "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` "
      "operator, or the logical_xor function instead."},
     // torch.ones(3, dtype=torch.bool) - torch.ones(3, dtype=torch.bool)
     {Torch, Backend::Any, Match::AllIn, kBool, "RuntimeError",
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
      "`logical_xor()` operator instead."},
     // torch.ones(3, dtype=torch.bool) - torch.ones(3, dtype=torch.int32), either order
     {Torch, Backend::Any, Match::AnyIn, kBool, "RuntimeError",
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
      "invert a mask, use the `~` or `logical_not()` operator instead."}}},
   .num_refusals = 3,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "bool with a number: NumPy computes in the number's dtype, PyTorch refuses any bool "
                     "operand"}}},
   .num_divergences = 2},
  {.id = OpId::Sqrt, .name = "sqrt", .numpy_name = "numpy.sqrt", .torch_name = "torch.sqrt",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.sqrt(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"sqrt_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {0.0, 8.0}, .int_domain = {0.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half sqrt"}}},
   .num_divergences = 2},
  {.id = OpId::Log, .name = "log", .numpy_name = "numpy.log", .torch_name = "torch.log",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.log(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"log_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {0.0, 8.0}, .int_domain = {0.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half log"}}},
   .num_divergences = 2},
  {.id = OpId::Sin, .name = "sin", .numpy_name = "numpy.sin", .torch_name = "torch.sin",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.sin(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"sin_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half sin"}}},
   .num_divergences = 2},
  {.id = OpId::Cos, .name = "cos", .numpy_name = "numpy.cos", .torch_name = "torch.cos",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.cos(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"cos_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half cos"}}},
   .num_divergences = 2},
  {.id = OpId::Tanh, .name = "tanh", .numpy_name = "numpy.tanh", .torch_name = "torch.tanh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.tanh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"tanh_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   // Not wider: the gradient comes from the output (PyTorch's formula, 1 - y^2), and beyond
   // |x| = 2.5 float32's rounding of y costs it more than the check's 1e-5 (at |x| = 4.5, 1e-4).
   .domain = {-2.5, 2.5}, .int_domain = {-5.0, 5.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half tanh"}}},
   .num_divergences = 2},
  {.id = OpId::Square, .name = "square", .numpy_name = "numpy.square", .torch_name = "torch.square",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   // np.square(np.ones(3, bool)) is int8; torch.square(torch.ones(3, dtype=torch.bool)) int64
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::BoolToInt64,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype,
                     "bool input: NumPy int8 (its square loops start at int8), PyTorch int64 (square is "
                     "pow(x, 2), an integer exponent)"}}},
   .num_divergences = 1},
  {.id = OpId::Reciprocal, .name = "reciprocal", .numpy_name = "numpy.reciprocal",
   .torch_name = "torch.reciprocal",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   // np.reciprocal(np.array([0, 1, 2, -1], np.int32)) is int32 [-2147483648, 1, 0, -1];
   // torch.reciprocal(torch.tensor([0, 2])) is float32 [inf, 0.5]
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::IntToFloat,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype,
                     "bool and integer input: NumPy keeps the integer dtype (bool: int8) and truncates 1/x "
                     "(0 but for 1 and -1; 1/0 is the minimum of int32 and int64 and 0 in the other integers, "
                     "as x86-64 converts inf), PyTorch float32"}}},
   .num_divergences = 1},
  {.id = OpId::Log1p, .name = "log1p", .numpy_name = "numpy.log1p", .torch_name = "torch.log1p",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.log1p(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"log1p_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-1.0, 8.0}, .int_domain = {-1.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half log1p"}}},
   .num_divergences = 2},
  {.id = OpId::Expm1, .name = "expm1", .numpy_name = "numpy.expm1", .torch_name = "torch.expm1",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.expm1(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"expm1_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half expm1"}}},
   .num_divergences = 2},
  {.id = OpId::Log2, .name = "log2", .numpy_name = "numpy.log2", .torch_name = "torch.log2",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.log2(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"log2_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {0.0, 8.0}, .int_domain = {0.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half log2"}}},
   .num_divergences = 2},
  {.id = OpId::Log10, .name = "log10", .numpy_name = "numpy.log10", .torch_name = "torch.log10",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.log10(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"log10_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {0.0, 8.0}, .int_domain = {0.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half log10"}}},
   .num_divergences = 2},
  {.id = OpId::Exp2, .name = "exp2", .numpy_name = "numpy.exp2", .torch_name = "torch.exp2",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {}, .num_refusals = 0,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason}}}, .num_divergences = 1},
  {.id = OpId::Tan, .name = "tan", .numpy_name = "numpy.tan", .torch_name = "torch.tan",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.tan(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"tan_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-1.5, 1.5}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half tan"}}},
   .num_divergences = 2},
  {.id = OpId::Asin, .name = "asin", .numpy_name = "numpy.arcsin", .torch_name = "torch.asin",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.asin(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"asin_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-1.0, 1.0}, .int_domain = {-1.0, 1.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half asin"}}},
   .num_divergences = 2},
  {.id = OpId::Acos, .name = "acos", .numpy_name = "numpy.arccos", .torch_name = "torch.acos",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.acos(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"acos_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-1.0, 1.0}, .int_domain = {-1.0, 1.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half acos"}}},
   .num_divergences = 2},
  {.id = OpId::Atan, .name = "atan", .numpy_name = "numpy.arctan", .torch_name = "torch.atan",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.atan(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"atan_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half atan"}}},
   .num_divergences = 2},
  {.id = OpId::Sinh, .name = "sinh", .numpy_name = "numpy.sinh", .torch_name = "torch.sinh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.sinh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"sinh_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half sinh"}}},
   .num_divergences = 2},
  {.id = OpId::Cosh, .name = "cosh", .numpy_name = "numpy.cosh", .torch_name = "torch.cosh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.cosh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"cosh_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half cosh"}}},
   .num_divergences = 2},
  {.id = OpId::Asinh, .name = "asinh", .numpy_name = "numpy.arcsinh", .torch_name = "torch.asinh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.asinh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"asinh_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-8.0, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half asinh"}}},
   .num_divergences = 2},
  {.id = OpId::Acosh, .name = "acosh", .numpy_name = "numpy.arccosh", .torch_name = "torch.acosh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.acosh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"acosh_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {1.0, 8.0}, .int_domain = {1.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half acosh"}}},
   .num_divergences = 2},
  {.id = OpId::Atanh, .name = "atanh", .numpy_name = "numpy.arctanh", .torch_name = "torch.atanh",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.atanh(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"atanh_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-1.0, 1.0}, .int_domain = {-1.0, 1.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half atanh"}}},
   .num_divergences = 2},
  {.id = OpId::Abs, .name = "abs", .numpy_name = "numpy.absolute", .torch_name = "torch.abs",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {{
     // torch.abs(torch.ones(3, dtype=torch.bool)); np.absolute of bool is the identity
     {Torch, Backend::Cpu, Match::AnyIn, kBool, "RuntimeError", "\"abs_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (aten/src/ATen/native/cuda/AbsKernel.cu)
     {Torch, Backend::Cuda, Match::AnyIn, kBool, "RuntimeError", "\"abs_cuda\" not implemented for '{0}'"}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::TorchRefuses,
                     "bool: NumPy's absolute is the identity, PyTorch has no bool abs kernel"}}},
   .num_divergences = 1},
  // np.divide(np.ones(3, np.int8), np.ones(3, np.int8)).dtype is float64 (bool and every integer
  // pair: NumPy's true_divide loops for integers are float64); torch.div of integer or bool
  // tensors is float32. A float beside an integer is result_type in both:
  // np.divide(np.ones(3, np.int16), np.ones(3, np.float16)).dtype is float32, torch's float16.
  // Neither refuses a dtype: bool / bool is true division in both, and PyTorch 1.13's cpu has
  // Half and BFloat16 div. Division by zero is IEEE's in both (integers are divided as floats):
  // np.divide(np.array([1, 0]), np.array([0, 0])) is [inf, nan].
  {.id = OpId::Divide, .name = "divide", .numpy_name = "numpy.divide", .torch_name = "torch.div",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::TrueDivision, .torch_result = Promotion::TrueDivision,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype,
                     "bool and integer operands: NumPy float64, PyTorch float32 (its default dtype); an "
                     "integer with a float: NumPy the float that holds the integer exactly, PyTorch the float "
                     "operand's dtype"}}},
   .num_divergences = 1},
  // np.floor_divide(np.ones(3, bool), np.ones(3, bool)).dtype is int8; PyTorch refuses two
  // bools and computes a bool beside a number in the number's dtype. Integer division by zero:
  // NumPy 0 (with a RuntimeWarning), PyTorch's cpu raises. The minimum // -1 is the minimum in
  // NumPy (np.floor_divide(np.array([-128], np.int8), np.array([-1], np.int8)) is [-128]) and in
  // PyTorch's int8 and int16; its cpu int32 and int64 kernels die of SIGFPE there (x86's idiv),
  // so the goldens leave that pair out. Floats: Python's float floor division in both
  // (np.floor_divide([7., -7., 1.], [2., 2., 0.]) is [3., -4., inf]); PyTorch's AVX2 loop gives
  // NaN where the quotient overflows (torch.floor_divide of a contiguous float32 row with
  // 3e38 / 0.5), its scalar loop inf, as NumPy: the engines and the goldens follow the latter.
  // Not differentiable in PyTorch ("derivative for aten::floor_divide is not implemented").
  {.id = OpId::FloorDivide, .name = "floor_divide", .numpy_name = "numpy.floor_divide",
   .torch_name = "torch.floor_divide",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.floor_divide(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.bool))
     {Torch, Backend::Cpu, Match::AllIn, kBool, "RuntimeError", "\"div_floor_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (BinaryDivFloorKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AllIn, kBool, "RuntimeError", "\"div_floor_cuda\" not implemented for '{0}'"},
     // torch.floor_divide(torch.tensor([1]), torch.tensor([0])) on cpu: raised from the values
     {Torch, Backend::Cpu, Match::AllIn, kBoolInt, "RuntimeError", "ZeroDivisionError", {}, Where::ZeroOperand1}}},
   .num_refusals = 3,
   // Random integers from 1 (a zero divisor is PyTorch's ZeroDivisionError for the whole
   // call, which a benchmark cannot time); the special cases mix in 0, -1 and the extremes.
   .domain = {-4.0, 4.0}, .int_domain = {1.0, 8.0}, .specials = kAllSpecials,
   .differentiable = false, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses, "two bools: NumPy int8, PyTorch has no bool kernel"},
                    {DivergenceKind::Values,
                     "bfloat16: PyTorch rounds every step of the floor division to bfloat16 (2.109375 // "
                     "0.006988525390625 is 302, the quotient 301.83 being rounded before the floor); NumPy has "
                     "no bfloat16, and the array engine computes it in float, as NumPy's float16 (301, rounded to 300)",
                     Where::Always, {DType::BFloat16}}}},
   .num_divergences = 3},
  // np.remainder / torch.remainder: the remainder with the divisor's sign, as floor_divide's
  // (same dtypes and refusals). A zero remainder of floats: NumPy's has the divisor's sign,
  // PyTorch's the dividend's (fmod's): np.remainder([-4., 4.], [2., -2.]) is [0., -0.],
  // torch.remainder the reverse. Integer remainder by zero: NumPy 0, PyTorch's cpu raises.
  {.id = OpId::Remainder, .name = "remainder", .numpy_name = "numpy.remainder", .torch_name = "torch.remainder",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.remainder(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.bool))
     {Torch, Backend::Cpu, Match::AllIn, kBool, "RuntimeError", "\"remainder_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (BinaryRemainderKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AllIn, kBool, "RuntimeError", "\"remainder_cuda\" not implemented for '{0}'"},
     // torch.remainder(torch.tensor([1]), torch.tensor([0])) on cpu: raised from the values
     {Torch, Backend::Cpu, Match::AllIn, kBoolInt, "RuntimeError", "ZeroDivisionError", {}, Where::ZeroOperand1}}},
   .num_refusals = 3,
   // Random integers from 1 (a zero divisor is PyTorch's ZeroDivisionError for the whole
   // call, which a benchmark cannot time); the special cases mix in 0, -1 and the extremes.
   .domain = {-4.0, 4.0}, .int_domain = {1.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses, "two bools: NumPy int8, PyTorch has no bool kernel"},
                    {DivergenceKind::Values,
                     "a zero remainder of floats: NumPy's has the divisor's sign, PyTorch's the dividend's (fmod's)",
                     Where::ZeroRemainderSignsDiffer, kFloatDTypes}}},
   .num_divergences = 3},
  // np.fmod / torch.fmod: C's truncated remainder (the dividend's sign:
  // np.fmod([-7., 7.], [2., -2.]) is [-1., 1.]); dtypes and refusals as floor_divide's.
  {.id = OpId::Fmod, .name = "fmod", .numpy_name = "numpy.fmod", .torch_name = "torch.fmod",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.fmod(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.bool))
     {Torch, Backend::Cpu, Match::AllIn, kBool, "RuntimeError", "\"fmod_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (BinaryRemainderKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AllIn, kBool, "RuntimeError", "\"fmod_cuda\" not implemented for '{0}'"},
     // torch.fmod(torch.tensor([1]), torch.tensor([0])) on cpu: raised from the values
     {Torch, Backend::Cpu, Match::AllIn, kBoolInt, "RuntimeError", "ZeroDivisionError", {}, Where::ZeroOperand1}}},
   .num_refusals = 3,
   // Random integers from 1 (a zero divisor is PyTorch's ZeroDivisionError for the whole
   // call, which a benchmark cannot time); the special cases mix in 0, -1 and the extremes.
   .domain = {-4.0, 4.0}, .int_domain = {1.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses, "two bools: NumPy int8, PyTorch has no bool kernel"}}},
   .num_divergences = 2},
  // np.power / torch.pow: np.power(np.ones(3, bool), np.ones(3, bool)).dtype is int8, PyTorch
  // refuses two bools. Integers wrap (3 ** 40 in int64 is -6289078614652622815 in both); 0 ** 0
  // is 1. A negative integer exponent: NumPy raises (ValueError: Integers to negative integer
  // powers are not allowed.), PyTorch gives 1 ** e = 1, (-1) ** e = +-1, else 0. Floats: the
  // libraries' pow are within an ULP of each other and of the correctly rounded result
  // (np.power(2.5, -1.) is 0.39999999999999997 on this machine's NumPy), hence the budget.
  {.id = OpId::Power, .name = "power", .numpy_name = "numpy.power", .torch_name = "torch.pow",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BoolToInt8, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.pow(torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.bool))
     {Torch, Backend::Cpu, Match::AllIn, kBool, "RuntimeError", "\"pow\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (PowKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AllIn, kBool, "RuntimeError", "\"pow_cuda\" not implemented for '{0}'"},
     // np.power(np.array([2], np.int32), np.array([-1], np.int32)) (np.power(np.array([True]),
     // np.array([-1], np.int8)) too): raised from the values, for an integer result only
     // (np.power(np.array([2], np.uint64), np.array([-1], np.int64)) is float64 [0.5])
     {NumPy, Backend::Any, Match::AllIn, kBoolInt, "ValueError", "Integers to negative integer powers are not allowed.",
      {}, Where::NegativeIntegerExponent}}},
   .num_refusals = 3,
   // Bases and exponents in [0.25, 3]: positive bases (a negative base has no real power of
   // a fraction), results below 27.
   .domain = {0.25, 3.0}, .int_domain = {0.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {2.0, 0.0}, .accuracy_float64 = {2.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses, "two bools: NumPy int8, PyTorch has no bool kernel"}}},
   .num_divergences = 2},
  // np.maximum / torch.maximum: result_type of the operands in both, every dtype (bool is
  // logical or), a NaN operand gives NaN.
  {.id = OpId::Maximum, .name = "maximum", .numpy_name = "numpy.maximum", .torch_name = "torch.maximum",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::Values, kTieReason, Where::SignedZeroTie, {DType::Float32, DType::Float64}}}},
   .num_divergences = 2},
  {.id = OpId::Minimum, .name = "minimum", .numpy_name = "numpy.minimum", .torch_name = "torch.minimum",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::Values, kTieReason, Where::SignedZeroTie, {DType::Float32, DType::Float64}}}},
   .num_divergences = 2},
  // np.fmax / torch.fmax: as maximum, but a NaN operand is ignored (NaN only where both are).
  {.id = OpId::Fmax, .name = "fmax", .numpy_name = "numpy.fmax", .torch_name = "torch.fmax",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::Values, kTieReasonFmax, Where::SignedZeroTie, kFloatDTypes}}},
   .num_divergences = 2},
  {.id = OpId::Fmin, .name = "fmin", .numpy_name = "numpy.fmin", .torch_name = "torch.fmin",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::Values, kTieReasonFmax, Where::SignedZeroTie, kFloatDTypes}}},
   .num_divergences = 2},
  // The binary float functions (atan2, hypot, copysign, nextafter, logaddexp): NumPy's
  // loops are float16/float32/float64 (np.arctan2(np.ones(3, np.uint8), np.ones(3, np.int8))
  // is float16: both cast to it safely); PyTorch's atan2 and copysign turn integers into
  // float32 (torch.atan2(torch.ones(3, dtype=torch.int32), torch.ones(3, dtype=torch.int32))
  // is float32), hypot, nextafter and logaddexp have no integer kernels. The messages name
  // the promoted dtype (torch.hypot(torch.ones(3, dtype=torch.bool), torch.ones(3,
  // dtype=torch.int8)): "hypot_cpu" not implemented for 'Char').
  {.id = OpId::Atan2, .name = "atan2", .numpy_name = "numpy.arctan2", .torch_name = "torch.atan2",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BinaryToFloat, .torch_result = Promotion::BinaryToFloat,
   .refusals = {{
     // torch.atan2(torch.ones(3, dtype=torch.float16), torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::ResultIn, {DType::Float16}, "RuntimeError",
      "\"atan2_cpu\" not implemented for '{r}'"}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kBinaryToFloatReason},
                    {DivergenceKind::TorchRefuses, "float16 on cpu: NumPy computes, PyTorch 1.13 has no cpu Half atan2"}}},
   .num_divergences = 2},
  {.id = OpId::Hypot, .name = "hypot", .numpy_name = "numpy.hypot", .torch_name = "torch.hypot",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BinaryToFloat, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.hypot(torch.ones(3, dtype=torch.int32), torch.ones(3, dtype=torch.int32)); float16 on cpu
     {Torch, Backend::Cpu, Match::ResultIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"hypot_cpu\" not implemented for '{r}'"},
     // the cuda kernel's dispatch name (PyTorch 1.13's cuda hypot has Half)
     {Torch, Backend::Cuda, Match::ResultIn, kBoolInt, "RuntimeError", "\"hypot_cuda\" not implemented for '{r}'"}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {1.0, 0.0}, .accuracy_float64 = {1.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy computes in a float, PyTorch has no integer hypot; float16 on "
                     "cpu: PyTorch 1.13 has no cpu Half hypot"}}},
   .num_divergences = 2},
  {.id = OpId::Copysign, .name = "copysign", .numpy_name = "numpy.copysign", .torch_name = "torch.copysign",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   // torch.copysign(torch.ones(3, dtype=torch.float16), torch.ones(3, dtype=torch.float16)) computes on cpu
   .numpy_result = Promotion::BinaryToFloat, .torch_result = Promotion::BinaryToFloat,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kBinaryToFloatReason}}},
   .num_divergences = 1},
  {.id = OpId::Nextafter, .name = "nextafter", .numpy_name = "numpy.nextafter", .torch_name = "torch.nextafter",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   // np.nextafter(np.float16(1), np.float16(2)) - 1 is 2**-10 (a float16 step);
   // torch.nextafter(torch.ones(1, dtype=torch.bfloat16), 2 * torch.ones(1, dtype=torch.bfloat16)) - 1 is 2**-7
   .numpy_result = Promotion::BinaryToFloat, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.nextafter(torch.ones(3, dtype=torch.int64), torch.ones(3, dtype=torch.int64)); float16 on cpu
     {Torch, Backend::Cpu, Match::ResultIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"nextafter_cpu\" not implemented for '{r}'"},
     // PyTorch 1.13's cuda nextafter dispatches the float types and bfloat16, not Half
     // (aten/src/ATen/native/cuda/StepKernel.cu; Half came later)
     {Torch, Backend::Cuda, Match::ResultIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"nextafter_cuda\" not implemented for '{r}'"}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = false, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy computes in a float, PyTorch has no integer nextafter; float16 "
                     "on cpu: PyTorch 1.13 has no cpu Half nextafter"}}},
   .num_divergences = 2, .rounds = false},
  {.id = OpId::Logaddexp, .name = "logaddexp", .numpy_name = "numpy.logaddexp", .torch_name = "torch.logaddexp",
   .kind = OpKind::Binary, .arity = 2, .signature = kBinarySig,
   .numpy_result = Promotion::BinaryToFloat, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.logaddexp(torch.ones(3, dtype=torch.uint8), torch.ones(3, dtype=torch.uint8)); float16 on cpu
     {Torch, Backend::Cpu, Match::ResultIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"logaddexp_cpu\" not implemented for '{r}'"},
     {Torch, Backend::Cuda, Match::ResultIn, kBoolInt, "RuntimeError",
      "\"logaddexp_cuda\" not implemented for '{r}'"}}},
   .num_refusals = 2,
   // Not negative: where e^x + e^y is near 1 the result cancels to near 0, and both libraries'
   // max + log1p(exp(-|x - y|)) (PyTorch's log(1 + exp(...))) are then thousands of ULP from
   // the correctly rounded value (np.logaddexp over uniform [-4, 4] pairs: 7,296 float32 ULP).
   .domain = {0.0, 8.0}, .int_domain = {0.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   // PyTorch's cpu kernel takes log(1 + exp(-|x - y|)), not log1p: torch.logaddexp(0, -3) is
   // 6 ULP from the correctly rounded value in float32 and 15 in float64 (0.04858735157374196,
   // NumPy's 0.04858735157374206), the worst over the goldens' special values.
   .accuracy = {8.0, 0.0}, .accuracy_float64 = {16.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy computes in a float, PyTorch has no integer logaddexp; float16 "
                     "on cpu: PyTorch 1.13 has no cpu Half logaddexp"}}},
   .num_divergences = 2},
  // The bitwise family: bool and integers only. Both libraries promote first and refuse where
  // the promoted dtype is a float (NumPy also where uint64 meets a signed integer: float64).
  // bool is logical (np.bitwise_and(np.ones(3, bool), np.ones(3, bool)) is bool).
  // np.bitwise_and(np.ones(3, np.float32), np.ones(3, np.int32)) and of uint64 with int8: the
  // TypeError; torch.bitwise_and(torch.ones(3, dtype=torch.bool), torch.ones(3,
  // dtype=torch.float16)): "bitwise_and_cpu" not implemented for 'Half'.
  integer_row({OpId::BitwiseAnd, "bitwise_and", "numpy.bitwise_and", "torch.bitwise_and", Promotion::Binary,
               kFloatDTypes, "ufunc 'bitwise_and' " KNoLoop, "\"bitwise_and_cpu\" " KNoKernel,
               "\"bitwise_and_cuda\" " KNoKernel, {-70.0, 70.0}},
              {{{DivergenceKind::ResultDtype, kIntPromotionReason}}}, 1),
  integer_row({OpId::BitwiseOr, "bitwise_or", "numpy.bitwise_or", "torch.bitwise_or", Promotion::Binary,
               kFloatDTypes, "ufunc 'bitwise_or' " KNoLoop, "\"bitwise_or_cpu\" " KNoKernel,
               "\"bitwise_or_cuda\" " KNoKernel, {-70.0, 70.0}},
              {{{DivergenceKind::ResultDtype, kIntPromotionReason}}}, 1),
  integer_row({OpId::BitwiseXor, "bitwise_xor", "numpy.bitwise_xor", "torch.bitwise_xor", Promotion::Binary,
               kFloatDTypes, "ufunc 'bitwise_xor' " KNoLoop, "\"bitwise_xor_cpu\" " KNoKernel,
               "\"bitwise_xor_cuda\" " KNoKernel, {-70.0, 70.0}},
              {{{DivergenceKind::ResultDtype, kIntPromotionReason}}}, 1),
  // The shifts: integers; NumPy's loops start at int8 (np.left_shift(np.ones(3, bool),
  // np.ones(3, bool)) is int8 [2, 2, 2]), PyTorch has no bool kernel but casts a bool beside
  // an integer (torch.bitwise_left_shift(torch.ones(3, dtype=torch.bool), torch.ones(3,
  // dtype=torch.bool)): "lshift_cpu" not implemented for 'Bool'). Amounts outside [0, bits)
  // are defined differently by the two (see the references and functors); the random ones
  // run from below 0 to past 64 bits, so every integer dtype sees its edges.
  integer_row({OpId::LeftShift, "left_shift", "numpy.left_shift", "torch.bitwise_left_shift", Promotion::BoolToInt8,
               kFloatDTypes.with(DType::Bool), "ufunc 'left_shift' " KNoLoop, "\"lshift_cpu\" " KNoKernel,
               "\"lshift_cuda\" " KNoKernel, {-3.0, 66.0}},
              kShiftDivergences, 3),
  integer_row({OpId::RightShift, "right_shift", "numpy.right_shift", "torch.bitwise_right_shift",
               Promotion::BoolToInt8, kFloatDTypes.with(DType::Bool), "ufunc 'right_shift' " KNoLoop,
               "\"rshift_cpu\" " KNoKernel, "\"rshift_cuda\" " KNoKernel, {-3.0, 66.0}},
              kShiftDivergences, 3),
  // The ops whose result is bool (bool_row). Comparisons and the binary logical ops compute
  // in result_type(a, b), each library's: np.less(np.ones(3, np.int64), np.ones(3, np.float32))
  // compares in float64 (np.less.types has 'dd->?', no mixed loop), torch.lt in float32; bool
  // for every dtype pair in both, on cpu float16 and bfloat16 too (no refusals). Logical ops
  // read nonzero as true (NaN too, -0 not).
  bool_row(OpId::Equal, "equal", "numpy.equal", "torch.eq", 2, Promotion::Binary, Promotion::Binary,
           kCompareComputeReason),
  bool_row(OpId::NotEqual, "not_equal", "numpy.not_equal", "torch.ne", 2, Promotion::Binary, Promotion::Binary,
           kCompareComputeReason),
  bool_row(OpId::Less, "less", "numpy.less", "torch.lt", 2, Promotion::Binary, Promotion::Binary,
           kCompareComputeReason),
  bool_row(OpId::LessEqual, "less_equal", "numpy.less_equal", "torch.le", 2, Promotion::Binary, Promotion::Binary,
           kCompareComputeReason),
  bool_row(OpId::Greater, "greater", "numpy.greater", "torch.gt", 2, Promotion::Binary, Promotion::Binary,
           kCompareComputeReason),
  bool_row(OpId::GreaterEqual, "greater_equal", "numpy.greater_equal", "torch.ge", 2, Promotion::Binary,
           Promotion::Binary, kCompareComputeReason),
  bool_row(OpId::LogicalAnd, "logical_and", "numpy.logical_and", "torch.logical_and", 2, Promotion::Binary,
           Promotion::Binary, kLogicalComputeReason),
  bool_row(OpId::LogicalOr, "logical_or", "numpy.logical_or", "torch.logical_or", 2, Promotion::Binary,
           Promotion::Binary, kLogicalComputeReason),
  bool_row(OpId::LogicalXor, "logical_xor", "numpy.logical_xor", "torch.logical_xor", 2, Promotion::Binary,
           Promotion::Binary, kLogicalComputeReason),
  // logical_not, isnan, isinf, isfinite: every dtype, tested in its own (np.isnan.types has
  // integer loops: np.isnan(np.ones(3, np.int8)) is all False, np.isfinite all True; float16 is
  // tested as float16), as torch.isnan(x) and the others.
  bool_row(OpId::LogicalNot, "logical_not", "numpy.logical_not", "torch.logical_not", 1, Promotion::Same,
           Promotion::Same),
  bool_row(OpId::Isnan, "isnan", "numpy.isnan", "torch.isnan", 1, Promotion::Same, Promotion::Same),
  bool_row(OpId::Isinf, "isinf", "numpy.isinf", "torch.isinf", 1, Promotion::Same, Promotion::Same),
  bool_row(OpId::Isfinite, "isfinite", "numpy.isfinite", "torch.isfinite", 1, Promotion::Same, Promotion::Same),
  // np.signbit has float loops only (np.signbit.types is ['e->?', 'f->?', 'd->?', 'g->?']): bool
  // and integers are cast to the narrowest float that holds them (int8: float16, int32:
  // float64); torch.signbit(x) reads x's own dtype (an integer's sign is x < 0). The sign
  // survives every such cast, so the values agree: np.signbit(np.array([-128], np.int8)) and
  // torch.signbit(torch.tensor([-128], dtype=torch.int8)) are [True].
  bool_row(OpId::Signbit, "signbit", "numpy.signbit", "torch.signbit", 1, Promotion::IntToFloat, Promotion::Same),
  // np.positive / torch.positive: the identity on every dtype but bool, which both refuse
  // (torch.positive(torch.tensor([True])): RuntimeError The `+` operator, on a bool tensor is
  // not supported.). torch.positive returns its input itself (torch.positive(x) is x); the
  // gradient passes through.
  {.id = OpId::Positive, .name = "positive", .numpy_name = "numpy.positive", .torch_name = "torch.positive",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {{
     {NumPy, Backend::Any, Match::AnyIn, kBool, kNoLoopClass, KNoBoolLoop("positive")},
     {Torch, Backend::Any, Match::AnyIn, kBool, "RuntimeError", "The `+` operator, on a bool tensor is not supported."}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {}, .num_divergences = 0},
  // np.sign / torch.sign: -1, 0 or 1 in the input's dtype (unsigned: 0 or 1), +0 for -0 in both
  // (np.sign(np.array([-0.])) is [0.]). NumPy has no bool loop; torch.sign of bool is the
  // identity. NaN: np.sign(np.array([np.nan])) is [nan], torch.sign(torch.tensor([float('nan')]))
  // [0.] (every float dtype, scalar and vectorised loops alike). Gradient zero (SignBackward0).
  {.id = OpId::Sign, .name = "sign", .numpy_name = "numpy.sign", .torch_name = "torch.sign",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {{{NumPy, Backend::Any, Match::AnyIn, kBool, kNoLoopClass, KNoBoolLoop("sign")}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyRefuses,
                     "bool: NumPy's sign has no bool loop, torch.sign of bool is the identity"},
                    {DivergenceKind::Values,
                     "NaN: NumPy's sign is NaN, PyTorch's 0 (torch.sign(torch.tensor([float('nan')])) is [0.])",
                     Where::NaNOperand, kFloatDTypes}}},
   .num_divergences = 2},
  rounding_row(OpId::Floor, "floor", "numpy.floor", "torch.floor", "\"floor_vml_cpu\" not implemented for '{0}'",
               "\"floor_cuda\" not implemented for '{0}'",
               "bool: NumPy floors it in float16, PyTorch has no bool floor; float16 on cpu: PyTorch 1.13 has no cpu "
               "Half floor"),
  rounding_row(OpId::Ceil, "ceil", "numpy.ceil", "torch.ceil", "\"ceil_vml_cpu\" not implemented for '{0}'",
               "\"ceil_cuda\" not implemented for '{0}'",
               "bool: NumPy computes it in float16, PyTorch has no bool ceil; float16 on cpu: PyTorch 1.13 has no cpu "
               "Half ceil"),
  rounding_row(OpId::Trunc, "trunc", "numpy.trunc", "torch.trunc", "\"trunc_vml_cpu\" not implemented for '{0}'",
               "\"trunc_cuda\" not implemented for '{0}'",
               "bool: NumPy computes it in float16, PyTorch has no bool trunc; float16 on cpu: PyTorch 1.13 has no cpu "
               "Half trunc"),
  // np.rint / torch.round: to the nearest integer, halves to even in both
  // (np.rint([0.5, 1.5, 2.5, -0.5]) is [0., 2., 2., -0.]; torch.round the same).
  rounding_row(OpId::Rint, "rint", "numpy.rint", "torch.round", "\"round_vml_cpu\" not implemented for '{0}'",
               "\"round_cuda\" not implemented for '{0}'",
               "bool: NumPy computes it in float16, PyTorch has no bool round; float16 on cpu: PyTorch 1.13 has no "
               "cpu Half round"),
  // np.invert / torch.bitwise_not: ~x on integers, logical not on bool
  // (np.invert(np.array([True, False])) is [False, True], torch.bitwise_not the same); both
  // refuse floats: np.invert(np.ones(3)) TypeError ufunc 'invert' not supported ...,
  // torch.bitwise_not(torch.ones(3)) "bitwise_not_cpu" not implemented for 'Float'. Not
  // differentiable (no float dtype).
  {.id = OpId::Invert, .name = "invert", .numpy_name = "numpy.invert", .torch_name = "torch.bitwise_not",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {{
     {NumPy, Backend::Any, Match::AnyIn, kFloatDTypes, "TypeError", "ufunc 'invert' " KNoLoop},
     {Torch, Backend::Cpu, Match::AnyIn, kFloatDTypes, "RuntimeError", "\"bitwise_not_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (UnarySignKernels.cu), not run here
     {Torch, Backend::Cuda, Match::AnyIn, kFloatDTypes, "RuntimeError",
      "\"bitwise_not_cuda\" not implemented for '{0}'"}}},
   .num_refusals = 3,
   .domain = {-4.0, 4.0}, .int_domain = {-70.0, 70.0}, .specials = kExtremes,
   .differentiable = false, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {}, .num_divergences = 0},
  // Ops one library lacks. np.cbrt has the float functions' loops (np.cbrt.types starts 'e->e':
  // np.cbrt(np.ones(3, np.int8)).dtype is float16); PyTorch 1.13 has neither torch.cbrt nor
  // torch.special.cbrt. The tensor engine computes it as PyTorch's unary float functions do
  // (bool and integers to float32), and refuses nothing: PyTorch has no error of its own to
  // quote, and its float functions differ on cpu float16 (torch.exp2 computes, torch.sqrt refuses).
  {.id = OpId::Cbrt, .name = "cbrt", .numpy_name = "numpy.cbrt", .torch_name = "",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {}, .num_refusals = 0,
   // Positive: the gradient cases' finite differences lose their digits where the derivative
   // 1 / (3 cbrt(x)^2) grows, near 0; negative values come from the special values and the goldens.
   .domain = {0.125, 8.0}, .int_domain = {-8.0, 8.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kIntToFloatReason},
                    {DivergenceKind::TorchLacks,
                     "PyTorch 1.13 has no cbrt (torch.cbrt and torch.special.cbrt are AttributeErrors; users write "
                     "torch.sign(x) * x.abs().pow(1 / 3)); the tensor engine computes it by the rules of torch's "
                     "unary float functions (bool and integers to float32), and the goldens are NumPy's alone"}}},
   .num_divergences = 2},
  // NumPy 1.24 has no erf (np.erf is an AttributeError); its side is scipy.special.erf, a real
  // ufunc that resolves types as NumPy's do, over its loops 'f->f' and 'd->d'
  // (scipy.special.erf.types is ['f->f', 'd->d', 'F->F', 'D->D']): scipy.special.erf(np.ones(3,
  // np.int8)).dtype is float32, of float16 float32, of int32 float64. torch.erf makes bool and
  // integers float32 and has no cpu Half kernel (bfloat16 it has).
  {.id = OpId::Erf, .name = "erf", .numpy_name = "", .torch_name = "torch.erf",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::FloatOrDouble, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     // torch.erf(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"erf_vml_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {-3.0, 3.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks,
                     "NumPy 1.24 has no erf (np.erf is an AttributeError); its side is scipy.special.erf, a ufunc "
                     "with float32 and float64 loops only, which the array engine follows"},
                    {DivergenceKind::ResultDtype,
                     "int32, int64 (and uint32, uint64): scipy.special.erf float64 (its 'd->d' loop), PyTorch "
                     "float32; bool and the narrower integers are float32 in both"},
                    {DivergenceKind::TorchRefuses,
                     "float16 on cpu: scipy.special.erf computes in float32, PyTorch 1.13 has no cpu Half erf"}}},
   .num_divergences = 3, .numpy_formula = "scipy.special.erf(x)"},
  // Composites: PyTorch has a function, NumPy users write a formula (numpy_formula), which the
  // array engine evaluates step by step, each step a NumPy op in its own dtype. The formulas'
  // -x wraps in unsigned integers (np.negative(np.uint8(1)) is 255) and at the signed minimum,
  // so integer inputs are drawn where it does not ([-4, 0], unsigned 0), without the extremes;
  // the goldens hold the integer edges, wraps included.
  // torch.relu: clamp_min(x, 0); keeps integer dtypes, refuses bool
  // (torch.relu(torch.ones(3, dtype=torch.bool))), and on cpu float16 ("clamp_min_cpu"); -0 stays
  // -0 and NaN NaN. np.maximum(x, 0) of a bool array is int64 (NEP 50: the Python 0 is an int);
  // at -0 it gives the second operand in float32 and float64 (+0), the first in float16 (-0).
  {.id = OpId::Relu, .name = "relu", .numpy_name = "", .torch_name = "torch.relu",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::BoolToInt64, .torch_result = Promotion::Same,
   .refusals = {{
     {Torch, Backend::Any, Match::AnyIn, kBool, "RuntimeError", "Boolean inputs not supported for relu"},
     // torch.relu(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"clamp_min_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks, "NumPy has no relu; its users write np.maximum(x, 0)"},
                    {DivergenceKind::TorchRefuses,
                     "bool: np.maximum(x, 0) is int64, PyTorch refuses bool; float16 on cpu: PyTorch 1.13 has no "
                     "cpu Half clamp_min"},
                    {DivergenceKind::Values,
                     "-0 in float32 and float64: np.maximum(x, 0) gives +0 (the second operand at a tie), "
                     "torch.relu keeps -0",
                     Where::SignedZeroTie, {DType::Float32, DType::Float64}}}},
   .num_divergences = 3, .numpy_formula = "maximum(x, 0)"},
  // torch.sigmoid: bool and integers to float32, no cpu Half kernel; float32 as 1 / (1 + exp(-x))
  // in float, bfloat16 computed in float and rounded once. NumPy's formula refuses bool (its -x:
  // np.negative of bool) and gives integers NumPy's float (uint8: float16).
  {.id = OpId::Sigmoid, .name = "sigmoid", .numpy_name = "", .torch_name = "torch.sigmoid",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::IntToFloat,
   .refusals = {{
     {NumPy, Backend::Any, Match::AnyIn, kBool, "TypeError", kNumpyBoolNegative},
     // torch.sigmoid(torch.ones(3, dtype=torch.float16)) on cpu
     {Torch, Backend::Cpu, Match::AnyIn, {DType::Float16}, "RuntimeError",
      "\"sigmoid_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 2,
   // Not wider, as tanh: the gradient comes from the output (y * (1 - y), PyTorch's formula), and
   // beyond |x| = 2.5 float32's rounding of y costs 1 - y more than the check allows.
   .domain = {-2.5, 2.5}, .int_domain = {-4.0, 0.0}, .specials = kSignedZero | kNaN | kInf | kDenormal,
   .differentiable = true, .flops_per_element = 4.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks, "NumPy has no sigmoid; its users write 1 / (1 + np.exp(-x))"},
                    {DivergenceKind::ResultDtype, kIntToFloatFormulaReason},
                    {DivergenceKind::NumpyRefuses, "bool: the formula's -x raises in NumPy, torch.sigmoid gives float32"},
                    {DivergenceKind::TorchRefuses,
                     "float16 on cpu: NumPy's formula computes, PyTorch 1.13 has no cpu Half sigmoid"}}},
   .num_divergences = 4, .numpy_formula = "1 / (1 + exp(-x))"},
  // torch.nn.functional.silu: floats only ("silu_cpu" not implemented for 'Byte'), no cpu Half;
  // PyTorch's cpu kernel computes x / (1 + exp(-x)), each step in the dtype (bfloat16 rounds each:
  // F.silu of a bfloat16 tensor equals x / (1 + exp(-x)) evaluated in bfloat16 on 100000 draws).
  {.id = OpId::Silu, .name = "silu", .numpy_name = "", .torch_name = "torch.nn.functional.silu",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::Same,
   .refusals = {{
     {NumPy, Backend::Any, Match::AnyIn, kBool, "TypeError", kNumpyBoolNegative},
     {Torch, Backend::Cpu, Match::AnyIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"silu_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (ActivationSiluKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AnyIn, kBoolInt, "RuntimeError", "\"silu_cuda\" not implemented for '{0}'"}}},
   .num_refusals = 3,
   .domain = {-8.0, 8.0}, .int_domain = {-4.0, 0.0}, .specials = kSignedZero | kNaN | kInf | kDenormal,
   .differentiable = true, .flops_per_element = 4.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks, "NumPy has no silu; its users write x / (1 + np.exp(-x))"},
                    {DivergenceKind::TorchRefuses,
                     "integers: NumPy's formula computes in NumPy's float (uint8: float16), PyTorch has no integer "
                     "silu; float16 on cpu: PyTorch 1.13 has no cpu Half silu"}}},
   .num_divergences = 2, .numpy_formula = "x / (1 + exp(-x))"},
  // torch.nn.functional.softplus with its defaults beta=1, threshold=20: x where x > 20, else
  // log1p(exp(x)) (its cpu kernel; float32 equals the formula in float32 bit for bit on 200000
  // draws, bfloat16 the formula in float rounded once); floats only, no cpu Half. NumPy's side
  // keeps the threshold with np.where; bool and integers give NumPy's float of exp (bool, int8:
  // float16). In float16 exp(x) overflows above 11, so the formula is inf on (11, 20], where
  // PyTorch would give x: the check draws from [-8, 8], the goldens hold that band.
  {.id = OpId::Softplus, .name = "softplus", .numpy_name = "", .torch_name = "torch.nn.functional.softplus",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::IntToFloat, .torch_result = Promotion::Same,
   .refusals = {{
     {Torch, Backend::Cpu, Match::AnyIn, kBoolInt.with(DType::Float16), "RuntimeError",
      "\"softplus_cpu\" not implemented for '{0}'"},
     // the cuda kernel's dispatch name in PyTorch 1.13 (ActivationSoftplusKernel.cu), not run here
     {Torch, Backend::Cuda, Match::AnyIn, kBoolInt, "RuntimeError",
      "\"softplus_cuda\" not implemented for '{0}'"}}},
   .num_refusals = 2,
   .domain = {-8.0, 8.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 3.0,
   .accuracy = {4.0, 0.0}, .accuracy_float64 = {4.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks,
                     "NumPy has no softplus; its users write np.where(x > 20, x, np.log1p(np.exp(x))) (PyTorch's "
                     "beta=1, threshold=20)"},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy's formula computes in NumPy's float (bool, int8: float16), PyTorch "
                     "has no integer softplus; float16 on cpu: PyTorch 1.13 has no cpu Half softplus"}}},
   .num_divergences = 2, .numpy_formula = "where(x > 20, x, log1p(exp(x)))"},
  // where(condition, x, y): the condition is read as truth (NumPy any dtype: nonzero, NaN true
  // and -0 false; PyTorch bool or uint8), the result is the promotion of x and y, each
  // library's (np.where(c, int8, float32) float32; int64 with float32: NumPy float64, PyTorch
  // float32; torch.where(c, uint8 [1], int8 0-d) uint8, np.where int16).
  {.id = OpId::Where, .name = "where", .numpy_name = "numpy.where", .torch_name = "torch.where",
   .kind = OpKind::Ternary, .arity = 3, .signature = kWhereSig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary, .conditions = 0b001,
   .refusals = {{
     // torch.where(torch.tensor([0., 1.]), x, y); a uint8 condition passes with a deprecation warning
     {Torch, Backend::Any, Match::FirstIn, kNotBoolCondition, "RuntimeError",
      "where expected condition to be a boolean tensor, but got a tensor with dtype {0}"}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 0.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "a condition that is neither bool nor uint8: NumPy reads its truth (np.where(np.array([0., "
                     "np.nan]), 1, 2) is [2, 1]), PyTorch refuses"}}},
   .num_divergences = 2},
  // clip(a, a_min, a_max) / clamp(input, min, max) with array bounds: max then min, so min >
  // max gives max in both (np.clip(5., 6., 4.) and torch.clamp are 4.); a NaN anywhere gives
  // NaN in both; the result is the promotion of all three (np.clip(uint8, int8, int8) int16).
  {.id = OpId::Clip, .name = "clip", .numpy_name = "numpy.clip", .torch_name = "torch.clamp",
   .kind = OpKind::Ternary, .arity = 3, .signature = kClipSig,
   .numpy_result = Promotion::Binary, .torch_result = Promotion::Binary,
   .refusals = {{
     // torch.clamp(torch.tensor([True]), torch.tensor([False]), torch.tensor([True])) and of
     // float16 on cpu; the kernel dispatches on the promoted dtype (bool with int8 bounds clamps
     // in int8). PyTorch 1.13's cuda kernel has Half but no bool (AT_DISPATCH_ALL_TYPES_AND2).
     {Torch, Backend::Cpu, Match::ResultIn, {DType::Bool, DType::Float16}, "RuntimeError",
      "\"clamp_cpu\" not implemented for '{r}'"},
     {Torch, Backend::Cuda, Match::ResultIn, kBool, "RuntimeError", "\"clamp_cuda\" not implemented for '{r}'"}}},
   .num_refusals = 2,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 2.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::ResultDtype, kPromotionReason},
                    {DivergenceKind::TorchRefuses,
                     "bool (and float16 on cpu): NumPy clips, PyTorch 1.13 has no bool clamp and no cpu Half one"},
                    {DivergenceKind::Values, kClipTieReason, Where::SignedZeroTie,
                     {DType::Float32, DType::Float64}}}},
   .num_divergences = 3},
  // nan_to_num(x, nan, posinf, neginf): floats replace NaN, +inf and -inf (defaults 0 and the
  // dtype's extremes: np.nan_to_num(np.float16(np.inf)) is 65504); bool and integers are
  // returned as they are, in both; a replacement that overflows the dtype is inf
  // (np.nan_to_num(np.array([np.inf], np.float16), posinf=1e6) and torch's are [inf]).
  {.id = OpId::NanToNum, .name = "nan_to_num", .numpy_name = "numpy.nan_to_num",
   .torch_name = "torch.nan_to_num",
   .kind = OpKind::Unary, .arity = 1, .signature = kNanToNumSig,
   .numpy_result = Promotion::Same, .torch_result = Promotion::Same,
   .refusals = {}, .num_refusals = 0,
   .domain = {-4.0, 4.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {}, .num_divergences = 0},
  // torch.nn.functional.gelu, in its two forms: approximate='none' (gelu, the erf form) and
  // approximate='tanh' (gelu_tanh, a row with fixed keyword arguments). Measured by
  // scripts/measure-gelu (docs/adding-an-op.md, "gelu and gelu_tanh"):
  // floats only, no cpu Half ("GeluKernelImpl" not implemented for 'Bool', 'Byte', 'Int',
  // 'Long', 'Half'); the cuda kernel has Half (AT_DISPATCH_FLOATING_TYPES_AND2, not run here).
  // PyTorch's kernel is the formula as written, so below x = -1 its 1 + erf (1 + tanh) cancels
  // (48 ULPs of float32 at [-2, -1), 576 at [-3, -2), against the same formula rounded step by
  // step): the check and the goldens draw from [-1, 8] and the specials, where the two agree
  // within the budget. Its contiguous float32 erf-form loop gives +0 where the formula gives -0
  // (at -0, and below about -5.5 where 1 + erf is 0): the goldens take the special values
  // through a strided view, whose scalar loop is the formula. NumPy's side is the formula with
  // Python floats (NEP 50: weak), so bool and integers give float64 and, through
  // scipy.special.erf's 'f->f' loop, float16 gives float32.
  {.id = OpId::Gelu, .name = "gelu", .numpy_name = "", .torch_name = "torch.nn.functional.gelu",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::WeakFloatOrDouble, .torch_result = Promotion::Same,
   .refusals = kGeluRefusals, .num_refusals = 2,
   .domain = {-1.0, 8.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 5.0,
   .accuracy = {16.0, 0.0}, .accuracy_float64 = {16.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks,
                     "NumPy has no gelu; its users write 0.5 * x * (1 + scipy.special.erf(x / sqrt(2)))"},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy's formula gives float64, PyTorch has no integer gelu; float16 on "
                     "cpu: the formula gives float32 (scipy.special.erf has no float16 loop), PyTorch 1.13 has no "
                     "cpu Half gelu"},
                    {DivergenceKind::ResultDtype,
                     "bfloat16: the formula gives float32 (0.5 * x in bfloat16, then scipy.special.erf's float32 "
                     "loop), PyTorch bfloat16"}}},
   .num_divergences = 3, .numpy_formula = "0.5 * x * (1 + scipy.special.erf(x * 0.7071067811865476))"},
  {.id = OpId::GeluTanh, .name = "gelu_tanh", .numpy_name = "", .torch_name = "torch.nn.functional.gelu",
   .kind = OpKind::Unary, .arity = 1, .signature = kUnarySig,
   .numpy_result = Promotion::WeakFloat, .torch_result = Promotion::Same,
   .refusals = kGeluRefusals, .num_refusals = 2,
   .domain = {-1.0, 8.0}, .int_domain = {-4.0, 4.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 9.0,
   .accuracy = {16.0, 0.0}, .accuracy_float64 = {16.0, 0.0},
   .divergences = {{{DivergenceKind::NumpyLacks,
                     "NumPy has no gelu; its users write 0.5 * x * (1 + np.tanh(sqrt(2 / pi) * (x + 0.044715 * "
                     "x**3)))"},
                    {DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy's formula gives float64, PyTorch has no integer gelu; float16 on "
                     "cpu: the formula computes in float16, PyTorch 1.13 has no cpu Half gelu"}}},
   .num_divergences = 2,
   .numpy_formula = "0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * (x * x * x))))",
   .torch_kwargs = R"({"approximate": "tanh"})"},
  // x.astype(dtype) (casting='unsafe', a copy) / input.to(dtype) (self when the dtype is its
  // own): every dtype to every dtype, no refusal. Bool is x != 0 (NaN is true); integers wrap;
  // floats round to nearest even, overflowing to inf. A float to an integer truncates toward
  // zero, and where the value does not fit C leaves it undefined: x86-64's cvtt instructions
  // give the "integer indefinite" (the minimum of int32 or int64) and the libraries' loops
  // reach the narrow dtypes through different widths (NumPy's uint8 keeps int32's low byte,
  // PyTorch's cpu int64's: 2**32 + 5. is 0 in NumPy, 5 in PyTorch); PTX's float-to-integer
  // conversions saturate instead, so PyTorch's cuda results there are likely not its cpu ones
  // (not measured: no GPU yet; the cuda kernels here give the cpu's). float64 to
  // float16: NumPy rounds once (npy_double_to_half), PyTorch through float32 (c10::Half is made
  // from a float), so 1 + 2**-11 + 2**-40 is 1.0009765625 in NumPy and 1.0 in PyTorch. The
  // domain spans the 8-bit ranges so that a third of the draws are out of range for int8 and
  // uint8; the specials bring the rest (NaN, inf, dtype extremes).
  {.id = OpId::Astype, .name = "astype", .numpy_name = "numpy.ndarray.astype", .torch_name = "torch.Tensor.to",
   .kind = OpKind::Unary, .arity = 1, .signature = kAstypeSig,
   .numpy_result = Promotion::DTypeParam, .torch_result = Promotion::DTypeParam,
   .refusals = {}, .num_refusals = 0,
   .domain = {-150.0, 300.0}, .int_domain = {-100.0, 100.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 0.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {{{DivergenceKind::Values,
                     "a float to an integer where it is NaN, infinite or out of the integer's range: C leaves it "
                     "undefined; NumPy's uint8 keeps int32's low byte and PyTorch's int64's (2**32 + 5.: NumPy 0, "
                     "PyTorch 5); on cuda PTX's conversions saturate instead (not measured here)",
                     Where::CastOutOfRange, kIntegerDTypes},
                    {DivergenceKind::Values,
                     "float64 to float16: NumPy rounds once, PyTorch through float32, twice "
                     "(1 + 2**-11 + 2**-40: NumPy 1.0009765625, PyTorch 1.0)",
                     Where::CastRoundsTwice, DTypeSet{DType::Float16}}}},
   .num_divergences = 2},
  // np.amax / torch.amax: the input's dtype; a NaN anywhere in the reduced elements is the
  // result (both); no identity: a zero-length reduced axis is an error (result_shape).
  fold_row(OpId::Amax, "amax", "numpy.amax", "torch.amax", Reduce::Max, Promotion::Same, {-4.0, 4.0},
           {-100.0, 100.0}, {DivergenceKind::Values, kZeroTieReason, Where::SignedZeroTie}),
  fold_row(OpId::Amin, "amin", "numpy.amin", "torch.amin", Reduce::Min, Promotion::Same, {-4.0, 4.0},
           {-100.0, 100.0}, {DivergenceKind::Values, kZeroTieReason, Where::SignedZeroTie}),
  // np.prod / torch.prod: sum's accumulation dtypes; multiplied in order (not pairwise) in
  // both libraries. torch.prod takes one int dim.
  {.id = OpId::Prod, .name = "prod", .numpy_name = "numpy.prod", .torch_name = "torch.prod",
   .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
   .numpy_result = Promotion::SumAccumulate, .torch_result = Promotion::SumAccumulate,
   .refusals = {{
     // torch.prod(torch.ones(3, dtype=torch.float16)); the same for bfloat16
     {Torch, Backend::Cpu, Match::FirstIn, {DType::Float16, DType::BFloat16}, "RuntimeError",
      "\"prod_cpu\" not implemented for '{0}'"}}},
   .num_refusals = 1,
   .domain = {0.7, 1.4}, .int_domain = {-3.0, 3.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 2.0}, .accuracy_float64 = {0.0, 2.0},
   .divergences = {{{DivergenceKind::ResultDtype,
                     "uint8 input: NumPy multiplies unsigned integers in uint64, PyTorch in int64"},
                    {DivergenceKind::TorchRefuses,
                     "float16 on cpu: NumPy multiplies in float16, PyTorch 1.13 has no cpu Half prod"}}},
   .num_divergences = 2,
   .reduce = Reduce::Prod,
   .torch_tuple_dim_error =
       "prod() received an invalid combination of arguments - got (Tensor, dim=tuple), but expected one of:\n"
       " * (Tensor input, *, torch.dtype dtype)\n"
       " * (Tensor input, int dim, bool keepdim, *, torch.dtype dtype, Tensor out)\n"
       " * (Tensor input, name dim, bool keepdim, *, torch.dtype dtype, Tensor out)\n"},
  // np.mean / torch.mean: the sum divided by the count. NumPy sums bool and integers in
  // float64 (float16 in float32) and divides there; PyTorch refuses them.
  {.id = OpId::Mean, .name = "mean", .numpy_name = "numpy.mean", .torch_name = "torch.mean",
   .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
   .numpy_result = Promotion::TrueDivision, .torch_result = Promotion::Same,
   .refusals = {{
     // torch.mean(torch.ones(3, dtype=torch.int64))
     {Torch, Backend::Any, Match::FirstIn, kBoolInt, "RuntimeError",
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
      "Got: {0}"}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-100.0, 100.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 2.0}, .accuracy_float64 = {0.0, 2.0},
   .divergences = {{{DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy averages in float64, PyTorch cannot infer a float dtype"},
                    {DivergenceKind::Values,
                     "float16 over a count that is no float16: NumPy divides in float32, PyTorch by the count "
                     "rounded to float16 (2049 is 2048, 70001 inf: torch.mean of 70001 float16 0.3s is 0.0, "
                     "np.mean 0.3); bfloat16 (no NumPy dtype) alike",
                     Where::CountInexact, DTypeSet{DType::Float16, DType::BFloat16}}}},
   .num_divergences = 2,
   .reduce = Reduce::Mean},
  // np.all / torch.all: whether every element is nonzero (NaN is true). NumPy gives bool;
  // PyTorch bool too, except for uint8, which stays uint8 (0 or 1). torch.all takes one dim.
  fold_row(OpId::All, "all", "numpy.all", "torch.all", Reduce::All, Promotion::Truth, {-1.0, 1.0}, {-1.0, 8.0},
           {DivergenceKind::ResultDtype, kUint8TruthReason}, kAllTupleDim),
  fold_row(OpId::Any, "any", "numpy.any", "torch.any", Reduce::Any, Promotion::Truth, {-1.0, 1.0}, {-8.0, 1.0},
           {DivergenceKind::ResultDtype, kUint8TruthReason}, kAnyTupleDim),
  arg_row(OpId::Argmax, "argmax", "numpy.argmax", "torch.argmax", Reduce::ArgMax,
          "\"argmax_cpu\" not implemented for '{0}'", "\"argmax_cuda\" not implemented for '{0}'",
          "argmax(): argument 'dim' must be int, not tuple"),
  arg_row(OpId::Argmin, "argmin", "numpy.argmin", "torch.argmin", Reduce::ArgMin,
          "\"argmin_cpu\" not implemented for '{0}'", "\"argmin_cuda\" not implemented for '{0}'",
          "argmin(): argument 'dim' must be int, not tuple"),
  // np.count_nonzero / torch.count_nonzero: the int64 number of elements that are not zero
  // (NaN counts, -0 does not: np.count_nonzero(np.array([nan, -0., 0., 1e-45], np.float32)) is
  // 2, and torch's the same). Axes as sum's (an int or a tuple in both). PyTorch has no keepdim:
  // torch.count_nonzero(x, dim=1, keepdim=True) is a TypeError listing its two overloads
  // (result_shape). Every dtype in both; not differentiable.
  {.id = OpId::CountNonzero, .name = "count_nonzero", .numpy_name = "numpy.count_nonzero",
   .torch_name = "torch.count_nonzero",
   .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
   .numpy_result = Promotion::Index, .torch_result = Promotion::Index,
   .refusals = {}, .num_refusals = 0,
   .domain = {-1.0, 1.0}, .int_domain = {-1.0, 1.0}, .specials = kAllSpecials,
   .differentiable = false, .flops_per_element = 1.0,
   .accuracy = {0.0, 0.0}, .accuracy_float64 = {0.0, 0.0},
   .divergences = {}, .num_divergences = 0,
   .reduce = Reduce::Count, .torch_keepdim = false},
  // np.nansum / torch.nansum: sum's dtypes and rules with every NaN read as 0 (an all-NaN
  // slice is 0; inf + -inf is still NaN). np.nansum replaces the NaNs in a copy and calls
  // np.sum, so it adds in sum's order. torch.nansum's gradient is grad where the input is
  // not NaN, 0 where it is (NansumBackward0, with or without dims).
  sum_row(OpId::Nansum, "nansum", "numpy.nansum", "torch.nansum", Reduce::NanSum),
  // np.nanmean / torch.nanmean: nansum over the count of elements that are not NaN (an
  // all-NaN slice is 0 / 0, NaN). NumPy: bool and integers go to np.mean (float64); floats
  // divide the nansum (in the input's dtype) by an int64 count, in float64 (np.divide with
  // casting='unsafe' into the sum), rounded once. PyTorch: floats only; nansum(x).div(count),
  // the count converted to the result dtype (in float16 2049 is 2048, as torch.mean's), whose
  // grad_fn is the division's (DivBackward0).
  {.id = OpId::Nanmean, .name = "nanmean", .numpy_name = "numpy.nanmean", .torch_name = "torch.nanmean",
   .kind = OpKind::Reduction, .arity = 1, .signature = kReductionSig,
   .numpy_result = Promotion::TrueDivision, .torch_result = Promotion::Same,
   .refusals = {{
     // torch.nanmean(torch.tensor([1, 2], dtype=torch.int8))
     {Torch, Backend::Any, Match::FirstIn, kBoolInt, "RuntimeError",
      "nanmean(): expected input to have floating point dtype but got {0}"}}},
   .num_refusals = 1,
   .domain = {-4.0, 4.0}, .int_domain = {-100.0, 100.0}, .specials = kAllSpecials,
   .differentiable = true, .flops_per_element = 1.0,
   .accuracy = {0.0, 2.0}, .accuracy_float64 = {0.0, 2.0},
   .divergences = {{{DivergenceKind::TorchRefuses,
                     "bool and integers: NumPy averages them as np.mean (float64), PyTorch refuses"},
                    {DivergenceKind::Values,
                     "float16 over a count that is no float16: NumPy divides in float64, PyTorch by the count "
                     "rounded to float16 (2049 is 2048); bfloat16 (no NumPy dtype) alike",
                     Where::CountInexact, DTypeSet{DType::Float16, DType::BFloat16}}}},
   .num_divergences = 2,
   .reduce = Reduce::NanMean},
}};
// clang-format on
#undef KNoLoop
#undef KNoKernel
#undef KNoBoolLoop

constexpr bool table_in_id_order() {
  for (int i = 0; i < kNumOps; ++i)
    if (int(kRows[i].id) != i) return false;
  return true;
}
static_assert(table_in_id_order(), "op table rows must be in OpId order, one per OpId");

// The operands that take part in the promotion: all but the condition operands (bit k of
// `conditions`: operand k), copied into `buf` (at most kMaxArity).
constexpr std::span<const Operand> value_operands(std::uint8_t conditions, std::span<const Operand> in,
                                                  std::array<Operand, kMaxArity>& buf) {
  if (conditions == 0) return in;
  std::size_t n = 0;
  for (std::size_t k = 0; k < in.size() && n < buf.size(); ++k)
    if (!((conditions >> k) & 1u)) buf[n++] = in[k];
  return {buf.data(), n};
}

// Same-dtype operands of `d` for `op`'s arity, its condition operands bool.
constexpr std::array<Operand, kMaxArity> same_dtype_operands(const OpSpec& op, DType d) {
  std::array<Operand, kMaxArity> in{};
  for (std::size_t k = 0; k < in.size(); ++k) in[k] = {op.is_condition(k) ? DType::Bool : d, false};
  return in;
}

constexpr bool matches(const Refusal& r, std::span<const Operand> all, std::uint8_t conditions) {
  // ResultIn reads the promoted operands (not a condition); the others every operand.
  std::array<Operand, kMaxArity> buf{};
  const std::span<const Operand> in = r.match == Match::ResultIn ? value_operands(conditions, all, buf) : all;
  switch (r.match) {
    case Match::AnyIn:
      for (const Operand& o : in)
        if (r.dtypes.contains(o.dtype)) return true;
      return false;
    case Match::AllIn:
      for (const Operand& o : in)
        if (!r.dtypes.contains(o.dtype)) return false;
      return !in.empty();
    case Match::FirstIn:
      return !in.empty() && r.dtypes.contains(in[0].dtype);
    case Match::OperandsDiffer:
      for (const Operand& o : in)
        if (o.dtype != in[0].dtype) return true;
      return false;
    case Match::ResultIn: {
      // Operands of one dtype promote to it (the only case the table's constexpr columns
      // evaluate); others through the row's library's rules.
      bool same = !in.empty();
      for (const Operand& o : in) same = same && o.dtype == in[0].dtype;
      return !in.empty() && r.dtypes.contains(same ? in[0].dtype : result_type(r.library, in));
    }
  }
  return false;
}

constexpr bool applies_on(const Refusal& r, Semantics s, Backend b) {
  return r.library == s && (r.backend == Backend::Any || r.backend == b);
}

// The first dtype refusal (one of the dtypes alone) that applies; data-dependent rows
// (`where` other than Always) are not dtype rules.
constexpr const Refusal* first_refusal(const OpSpec& op, Semantics s, std::span<const Operand> in,
                                       Backend b) {
  for (int i = 0; i < op.num_refusals; ++i)
    if (op.refusals[i].where == Where::Always && applies_on(op.refusals[i], s, b) &&
        matches(op.refusals[i], in, op.conditions))
      return &op.refusals[i];
  return nullptr;
}

// Fills the derived `dtypes` column: same-dtype operands that neither library refuses on cpu.
constexpr std::array<OpSpec, kNumOps> with_derived_dtypes(std::array<OpSpec, kNumOps> rows) {
  for (OpSpec& op : rows) {
    op.dtypes = {};
    for (DType d : kAllDTypes) {
      const std::array<Operand, kMaxArity> in = same_dtype_operands(op, d);
      const std::span<const Operand> ops(in.data(), std::size_t(op.arity));
      if (in_torch(d) && !first_refusal(op, NumPy, ops, Backend::Cpu) && !first_refusal(op, Torch, ops, Backend::Cpu))
        op.dtypes = op.dtypes.with(d);
    }
  }
  return rows;
}
constexpr std::array<OpSpec, kNumOps> kTable = with_derived_dtypes(kRows);

std::string library_dtype_name(Semantics s, DType t) {
  return std::string(s == Semantics::NumPy ? dtype_name(t) : torch_scalar_name(t));
}

// A refusal's message with {0}/{1} replaced by the operands' dtype names, {r} by the promoted
// dtype of the operands that take part in the promotion.
std::string format_refusal(const OpSpec& op, const Refusal& r, Semantics s, std::span<const Operand> in) {
  std::string out(r.message);
  std::array<Operand, kMaxArity> buf{};
  if (const std::size_t p = out.find("{r}"); p != std::string::npos)
    out.replace(p, 3, library_dtype_name(s, result_type(s, value_operands(op.conditions, in, buf))));
  for (std::size_t k = 0; k < in.size() && k < 2; ++k) {
    const std::string key = "{" + std::to_string(k) + "}";
    for (std::size_t p = out.find(key); p != std::string::npos; p = out.find(key))
      out.replace(p, key.size(), library_dtype_name(s, in[k].dtype));
  }
  return out;
}

void check_arity(const OpSpec& op, std::size_t n) {
  if (int(n) != op.arity)
    throw ValueError(std::string(op.name) + " takes " + std::to_string(op.arity) + " operand(s), got " +
                     std::to_string(n));
}

}  // namespace

std::string_view promotion_name(Promotion p) {
  switch (p) {
    case Promotion::Same:
      return "same";
    case Promotion::Binary:
      return "binary";
    case Promotion::IntToFloat:
      return "int_to_float";
    case Promotion::SumAccumulate:
      return "sum_accumulate";
    case Promotion::BoolToInt8:
      return "bool_to_int8";
    case Promotion::BoolToInt64:
      return "bool_to_int64";
    case Promotion::TrueDivision:
      return "true_division";
    case Promotion::BinaryToFloat:
      return "binary_to_float";
    case Promotion::FloatOrDouble:
      return "float_or_double";
    case Promotion::WeakFloat:
      return "weak_float";
    case Promotion::WeakFloatOrDouble:
      return "weak_float_or_double";
    case Promotion::Index:
      return "index";
    case Promotion::Truth:
      return "truth";
    case Promotion::DTypeParam:
      return "dtype_param";
  }
  return "?";
}

std::string_view reduce_name(Reduce r) {
  switch (r) {
    case Reduce::None: return "none";
    case Reduce::Sum: return "sum";
    case Reduce::Prod: return "prod";
    case Reduce::Mean: return "mean";
    case Reduce::Max: return "max";
    case Reduce::Min: return "min";
    case Reduce::All: return "all";
    case Reduce::Any: return "any";
    case Reduce::ArgMax: return "argmax";
    case Reduce::ArgMin: return "argmin";
    case Reduce::Count: return "count";
    case Reduce::NanSum: return "nansum";
    case Reduce::NanMean: return "nanmean";
  }
  return "?";
}

std::string_view output_name(Output o) {
  switch (o) {
    case Output::Compute:
      return "compute";
    case Output::Bool:
      return "bool";
  }
  return "?";
}

std::string_view backend_name(Backend b) {
  switch (b) {
    case Backend::Any:
      return "any";
    case Backend::Cpu:
      return "cpu";
    case Backend::Cuda:
      return "cuda";
  }
  return "?";
}

std::string_view divergence_kind_name(DivergenceKind k) {
  switch (k) {
    case DivergenceKind::ResultDtype:
      return "result_dtype";
    case DivergenceKind::TorchRefuses:
      return "torch_refuses";
    case DivergenceKind::NumpyRefuses:
      return "numpy_refuses";
    case DivergenceKind::Values:
      return "values";
    case DivergenceKind::NumpyLacks:
      return "numpy_lacks";
    case DivergenceKind::TorchLacks:
      return "torch_lacks";
  }
  return "?";
}

namespace {
// Whether `dtype` holds `x` exactly (NaN counts as held: it stays NaN).
bool holds_exactly(DType dtype, double x) {
  if (std::isnan(x)) return true;
  return visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      return x == 0 || x == 1;
    } else if constexpr (std::is_integral_v<T>) {
      // In range (min and max + 1 are exact doubles) and integral.
      return x >= double(std::numeric_limits<T>::min()) && x < double(std::numeric_limits<T>::max()) + 1.0 &&
             x == std::trunc(x);
    } else {
      return double(widen(from_double<T>(x))) == x;
    }
  });
}
}  // namespace

std::string_view where_name(Where w) {
  switch (w) {
    case Where::Always:
      return "always";
    case Where::NaNOperand:
      return "nan_operand";
    case Where::ZeroOperand1:
      return "zero_operand1";
    case Where::NegativeOperand1:
      return "negative_operand1";
    case Where::ShiftOutOfRange:
      return "shift_out_of_range";
    case Where::OperandInexact:
      return "operand_inexact";
    case Where::SignedZeroTie:
      return "signed_zero_tie";
    case Where::NegativeIntegerExponent:
      return "negative_integer_exponent";
    case Where::ZeroRemainderSignsDiffer:
      return "zero_remainder_signs_differ";
    case Where::CastOutOfRange:
      return "cast_out_of_range";
    case Where::CastRoundsTwice:
      return "cast_rounds_twice";
    case Where::CountInexact:
      return "count_inexact";
  }
  return "?";
}

bool where_holds(Where w, DType dtype, double x0, double x1) {
  const double x[2] = {x0, x1};
  return where_holds(w, dtype, std::span<const double>(x, 2));
}

bool where_holds(Where w, DType dtype, std::span<const double> x) {
  const double x0 = x.empty() ? 0.0 : x[0], x1 = x.size() < 2 ? 0.0 : x[1];
  auto any = [&](auto pred) { return std::any_of(x.begin(), x.end(), pred); };
  switch (w) {
    case Where::Always:
      return true;
    case Where::NaNOperand:
      return any([](double v) { return std::isnan(v); });
    case Where::ZeroOperand1:
      return x1 == 0;
    case Where::NegativeOperand1:
      return x1 < 0;
    case Where::ShiftOutOfRange:
      return x1 < 0 || x1 >= double(8 * itemsize(dtype));
    case Where::OperandInexact:
      return any([&](double v) { return !holds_exactly(dtype, v); });
    case Where::SignedZeroTie:
      return any([](double v) { return v == 0 && std::signbit(v); }) &&
             any([](double v) { return v == 0 && !std::signbit(v); });
    case Where::NegativeIntegerExponent:
      return is_integer(dtype) && x1 < 0;
    case Where::ZeroRemainderSignsDiffer:
      // fmod is exact, so its zero in double is its zero in the compute dtype.
      return x1 != 0 && std::isfinite(x0) && !std::isnan(x1) && std::fmod(x0, x1) == 0 &&
             std::signbit(x0) != std::signbit(x1);
    case Where::CastOutOfRange:
      // Truncated toward zero, x0 must be an integer of the dtype (bool: any value is fine).
      return is_integer(dtype) && (std::isnan(x0) || !holds_exactly(dtype, std::trunc(x0)));
    case Where::CastRoundsTwice:
      return visit_dtype(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        if constexpr (is_half_v<T>) {
          const T once = from_double<T>(x0), twice = T(float(x0));
          return !std::isnan(x0) && widen(once) != widen(twice);
        } else {
          return false;
        }
      });
    case Where::CountInexact:
      // x: a reduction's reduced values (where_mask_reduced); their count in the dtype
      return is_floating(dtype) && !holds_exactly(dtype, double(x.size()));
  }
  return false;
}

std::string special_names(std::uint8_t mask) {
  static constexpr std::pair<Special, std::string_view> kNames[] = {{kSignedZero, "signed_zero"},
                                                                    {kNaN, "nan"},
                                                                    {kInf, "inf"},
                                                                    {kDenormal, "denormal"},
                                                                    {kExtremes, "extremes"}};
  std::string out;
  for (const auto& [bit, name] : kNames)
    if (mask & bit) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

void check_arity(OpId op, std::size_t n) { check_arity(op_spec(op), n); }

const std::array<OpSpec, kNumOps>& op_table() { return kTable; }
const OpSpec& op_spec(OpId id) { return kTable[std::size_t(id)]; }

std::string op_names() {
  std::string out;
  for (const auto& op : kTable) {
    if (!out.empty()) out += ", ";
    out += op.name;
  }
  return out;
}

const OpSpec& find_op(std::string_view name) {
  for (const auto& op : kTable)
    if (op.name == name) return op;
  throw ValueError("unknown op '" + std::string(name) + "' (known: " + op_names() + ")");
}

const OpSpec* find_library_op(std::string_view qualified_name) {
  if (qualified_name.empty()) return nullptr;  // the name of no op (an op the library lacks)
  for (const auto& op : kTable)  // the function's own row, not one that fixes its arguments
    if (op.numpy_name == qualified_name || (op.torch_name == qualified_name && op.torch_kwargs.empty())) return &op;
  return nullptr;
}

bool library_has(const OpSpec& op, Semantics s) {
  return !(s == Semantics::NumPy ? op.numpy_name : op.torch_name).empty();
}

std::string_view golden_name(const OpSpec& op, Semantics s) {
  if (library_has(op, s)) return s == Semantics::NumPy ? op.numpy_name : op.torch_name;
  return s == Semantics::NumPy ? op.numpy_formula : std::string_view();
}

const Accuracy& accuracy_for(const OpSpec& op, DType dtype) {
  return dtype == DType::Float64 ? op.accuracy_float64 : op.accuracy;
}

Domain domain_for(const OpSpec& op, DType dtype) {
  if (is_bool(dtype)) return {0.0, 1.0};
  if (is_unsigned(dtype)) return {std::max(0.0, op.int_domain.lo), op.int_domain.hi};
  return is_integer(dtype) ? op.int_domain : op.domain;
}

const Refusal* find_refusal(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend) {
  return first_refusal(op_spec(id), s, inputs, backend);
}

std::vector<Operand> operands_of_dtype(const OpSpec& op, DType dtype) {
  const std::array<Operand, kMaxArity> in = same_dtype_operands(op, dtype);
  return {in.begin(), in.begin() + op.arity};
}

bool accepts(OpId id, Semantics s, DType dtype, Backend backend) {
  const OpSpec& op = op_spec(id);
  if (s == Torch && !in_torch(dtype)) return false;
  const std::array<Operand, kMaxArity> in = same_dtype_operands(op, dtype);
  return !first_refusal(op, s, std::span<const Operand>(in.data(), std::size_t(op.arity)), backend);
}

DType result_dtype(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend, const Params& params) {
  return output_dtype(id, compute_dtype(id, s, inputs, backend, params));
}

DType output_dtype(OpId id, DType compute) {
  switch (op_spec(id).output) {
    case Output::Compute:
      return compute;
    case Output::Bool:
      return DType::Bool;
  }
  return compute;
}

DType operand_dtype(OpId id, std::size_t k, DType compute) {
  return op_spec(id).is_condition(k) ? DType::Bool : compute;
}

std::string_view param_kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::Axes:
      return "axes";
    case ParamKind::Keepdims:
      return "keepdims";
    case ParamKind::Scalar:
      return "scalar";
    case ParamKind::DType:
      return "dtype";
  }
  return "?";
}

namespace {
// The largest finite value of a dtype (an integer's maximum; 1 for bool).
double max_finite(DType t) {
  return visit_dtype(t, [](auto tag) -> double {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float16>)
      return 65504.0;
    else if constexpr (std::is_same_v<T, bfloat16>)
      return 0x1.fep127;
    else
      return double(std::numeric_limits<T>::max());
  });
}
}  // namespace

std::array<double, kMaxScalarParams> scalar_values(OpId id, const Params& params, DType compute) {
  std::array<double, kMaxScalarParams> out{};
  std::size_t k = 0;
  for (const ParamSpec& p : op_spec(id).param_list()) {
    if (p.kind != ParamKind::Scalar || k >= out.size()) continue;
    if (params.scalars[k]) {
      out[k] = *params.scalars[k];
    } else {
      switch (p.scalar_default) {
        case ScalarDefault::Value:
          out[k] = p.default_value;
          break;
        case ScalarDefault::DTypeMax:
          out[k] = max_finite(compute);
          break;
        case ScalarDefault::DTypeLowest:
          out[k] = -max_finite(compute);
          break;
      }
    }
    ++k;
  }
  return out;
}

namespace {
// The dtype of x times a Python float (weak under NEP 50 and in PyTorch): x's if it is a float,
// else the library's default float.
DType weak_float(Semantics s, DType x) {
  if (is_floating(x)) return x;
  return s == Semantics::NumPy ? DType::Float64 : DType::Float32;
}
}  // namespace

DType compute_dtype(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend, const Params& params) {
  const OpSpec& op = op_spec(id);
  check_arity(op, inputs.size());
  if (s == Torch)
    for (const Operand& o : inputs)
      if (!in_torch(o.dtype)) throw_not_in_torch(o.dtype);
  if (const Refusal* r = first_refusal(op, s, inputs, backend))
    throw TypeError(format_refusal(op, *r, s, inputs), r->py_class);
  std::array<Operand, kMaxArity> buf{};
  inputs = value_operands(op.conditions, inputs, buf);  // the condition operands take no part
  switch (s == Semantics::NumPy ? op.numpy_result : op.torch_result) {
    case Promotion::Same:
      return inputs[0].dtype;
    case Promotion::Binary:
      return result_type(s, inputs);
    case Promotion::IntToFloat:
      return float_result_type(s, inputs[0].dtype);
    case Promotion::SumAccumulate:
      return sum_result_type(s, inputs[0].dtype);
    case Promotion::BoolToInt8: {
      const DType r = result_type(s, inputs);
      return is_bool(r) ? DType::Int8 : r;
    }
    case Promotion::BoolToInt64:
      return is_bool(inputs[0].dtype) ? DType::Int64 : inputs[0].dtype;
    case Promotion::TrueDivision: {
      const DType r = result_type(s, inputs);
      return is_floating(r) ? r : s == Semantics::NumPy ? DType::Float64 : DType::Float32;
    }
    case Promotion::BinaryToFloat: {
      if (s == Semantics::PyTorch) return float_result_type(s, result_type(s, inputs));
      DType r = float_result_type(s, inputs[0].dtype);
      for (const Operand& o : inputs.subspan(1)) r = promote_types(s, r, float_result_type(s, o.dtype));
      return r;
    }
    case Promotion::FloatOrDouble: {
      const DType r = float_result_type(s, inputs[0].dtype);
      return is_half(r) ? DType::Float32 : r;
    }
    case Promotion::WeakFloat:
      return weak_float(s, inputs[0].dtype);
    case Promotion::WeakFloatOrDouble: {
      const DType r = weak_float(s, inputs[0].dtype);
      return is_half(r) ? DType::Float32 : r;
    }
    case Promotion::Index:
      return DType::Int64;
    case Promotion::Truth:
      return s == Semantics::PyTorch && inputs[0].dtype == DType::UInt8 ? DType::UInt8 : DType::Bool;
    case Promotion::DTypeParam:
      if (!params.dtype) throw ValueError(std::string(op.name) + ": the dtype parameter is required");
      if (s == Torch && !in_torch(*params.dtype)) throw_not_in_torch(*params.dtype);
      return *params.dtype;
  }
  return inputs[0].dtype;
}

std::vector<bool> where_mask(Where w, DType dtype, const Shape& out, std::span<const ElementValues> in) {
  // The flat index into each operand of every element of `out`, stepped like an odometer
  // (broadcast dimensions step 0).
  const std::size_t nd = out.size();
  const std::int64_t n = numel(out);
  std::vector<bool> mask(std::size_t(n), false);
  std::vector<std::int64_t> step(in.size() * nd, 0);  // step[k * nd + d]
  for (std::size_t k = 0; k < in.size(); ++k) {
    const Shape& s = in[k].shape;
    if (s.size() > nd || std::int64_t(in[k].values->size()) != numel(s))
      throw ValueError("where_mask: operand " + std::to_string(k) + " of shape " + shape_str(s) +
                       " does not broadcast to " + shape_str(out));
    std::int64_t stride = 1;
    for (std::size_t d = s.size(); d-- > 0;) {
      const std::size_t od = d + (nd - s.size());
      if (s[d] != 1 && s[d] != out[od])
        throw ValueError("where_mask: shape " + shape_str(s) + " does not broadcast to " + shape_str(out));
      step[k * nd + od] = s[d] == 1 ? 0 : stride;
      stride *= s[d];
    }
  }
  std::vector<std::int64_t> idx(nd, 0), flat(in.size(), 0);
  std::vector<double> x(std::max<std::size_t>(in.size(), 2), 0.0);
  for (std::int64_t e = 0; e < n; ++e) {
    for (std::size_t k = 0; k < in.size(); ++k) x[k] = (*in[k].values)[std::size_t(flat[k])];
    mask[std::size_t(e)] = where_holds(w, dtype, x);
    for (std::size_t d = nd; d-- > 0;) {
      for (std::size_t k = 0; k < in.size(); ++k) flat[k] += step[k * nd + d];
      if (++idx[d] < out[d]) break;
      for (std::size_t k = 0; k < in.size(); ++k) flat[k] -= step[k * nd + d] * out[d];
      idx[d] = 0;
    }
  }
  return mask;
}

std::vector<bool> where_mask_reduced(Where w, DType dtype, const ElementValues& in, std::span<const int> reduced) {
  const Shape& shape = in.shape;
  const std::int64_t n = numel(shape);
  if (std::int64_t(in.values->size()) != n)
    throw ValueError("where_mask_reduced: " + std::to_string(in.values->size()) + " values for shape " +
                     shape_str(shape));
  // Each input element's output element: its index over the kept dims, in C order.
  std::int64_t outputs = 1;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (std::find(reduced.begin(), reduced.end(), int(d)) == reduced.end()) outputs *= shape[d];
  std::vector<std::vector<double>> slices(std::size_t(std::max<std::int64_t>(outputs, 0)));
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t rest = i, out = 0, scale = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const std::int64_t k = rest % shape[d];
      rest /= shape[d];
      if (std::find(reduced.begin(), reduced.end(), int(d)) == reduced.end()) {
        out += k * scale;
        scale *= shape[d];
      }
    }
    slices[std::size_t(out)].push_back((*in.values)[std::size_t(i)]);
  }
  std::vector<bool> mask(slices.size(), false);
  for (std::size_t k = 0; k < slices.size(); ++k) mask[k] = !slices[k].empty() && where_holds(w, dtype, slices[k]);
  return mask;
}

bool where_any(Where w, DType dtype, const Shape& out, std::span<const ElementValues> in) {
  const std::vector<bool> m = where_mask(w, dtype, out, in);
  return std::find(m.begin(), m.end(), true) != m.end();
}

namespace {
// The data-dependent refusals of `op` that apply to these operands on `backend`.
template <class F>
void for_value_refusals(const OpSpec& op, Semantics s, std::span<const Operand> in, Backend b, F&& f) {
  for (const Refusal& r : op.refusal_list())
    if (r.where != Where::Always && applies_on(r, s, b) && matches(r, in, op.conditions) && f(r)) return;
}
}  // namespace

bool has_value_refusal(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend) {
  bool any = false;
  for_value_refusals(op_spec(id), s, inputs, backend, [&](const Refusal&) { return any = true; });
  return any;
}

std::string value_refusal_message(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend,
                                  DType dtype, const Shape& out, std::span<const ElementValues> values) {
  std::string msg;
  for_value_refusals(op_spec(id), s, inputs, backend, [&](const Refusal& r) {
    if (!where_any(r.where, dtype, out, values)) return false;
    msg = format_refusal(op_spec(id), r, s, inputs);
    return true;
  });
  return msg;
}

void raise_value_refusal(OpId id, Semantics s, std::span<const Operand> inputs, Backend backend, DType dtype,
                         const Shape& out, std::span<const ElementValues> values) {
  for_value_refusals(op_spec(id), s, inputs, backend, [&](const Refusal& r) {
    if (!where_any(r.where, dtype, out, values)) return false;
    throw TypeError(format_refusal(op_spec(id), r, s, inputs), r.py_class);
  });
}

namespace {

// Axes to reduce, normalised and sorted; empty `axes` means all of them. With
// `zero_d_as_1d`, NumPy's argmax and argmin: a 0-d input's axis is checked as a 1-d one's
// (np.argmax(np.array(3.), axis=0) is 0; axis=1 is "axis 1 is out of bounds for array of
// dimension 1") and reduces nothing.
std::vector<int> reduced_axes(Semantics s, int ndim, std::span<const std::int64_t> axes, bool zero_d_as_1d = false) {
  if (zero_d_as_1d && s == Semantics::NumPy && ndim == 0) {
    for (auto a : axes) normalize_axis(s, a, 1);
    return {};
  }
  std::vector<int> out;
  if (axes.empty()) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (auto a : axes) {
    int n = normalize_axis(s, a, ndim);
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      // np.sum(np.ones((2,3)), axis=(0,-2)); torch.sum(torch.ones(2,3), dim=(0,-2))
      if (s == Semantics::NumPy) throw ValueError("duplicate value in 'axis'");
      throw ValueError("dim " + std::to_string(n) + " appears multiple times in the list of dims",
                       py::kRuntimeError);
    }
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_matmul_shapes(Semantics s, const Shape& a, const Shape& b) {
  // A 0-d operand: np.matmul(np.ones((2,2)), np.float64(1)); torch.ones(2,2) @ torch.tensor(1.)
  if (a.empty() || b.empty()) {
    if (s == Semantics::NumPy)
      throw ValueError("matmul: Input operand " + std::string(a.empty() ? "0" : "1") +
                       " does not have enough dimensions (has 0, gufunc core with signature "
                       "(n?,k),(k,m?)->(n?,m?) requires 1)");
    throw ValueError("both arguments to matmul need to be at least 1D, but they are " +
                         std::to_string(a.size()) + "D and " + std::to_string(b.size()) + "D",
                     "RuntimeError");
  }
  if (a.size() != 2 || b.size() != 2)
    throw ValueError("matmul: this spec covers 2-D operands only, got shapes " + shape_str(a) + " and " +
                     shape_str(b));
  if (a[1] == b[0]) return;
  // np.ones((2,3)) @ np.ones((4,5)) (any dtype); torch.ones(2,3) @ torch.ones(4,5)
  if (s == Semantics::NumPy)
    throw ValueError(
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
        "signature (n?,k),(k,m?)->(n?,m?) (size " +
        std::to_string(b[0]) + " is different from " + std::to_string(a[1]) + ")");
  throw ValueError("mat1 and mat2 shapes cannot be multiplied (" + std::to_string(a[0]) + "x" +
                       std::to_string(a[1]) + " and " + std::to_string(b[0]) + "x" + std::to_string(b[1]) +
                       ")",
                   py::kRuntimeError);
}

}  // namespace

Shape result_shape(OpId id, Semantics s, std::span<const Shape> inputs, const Params& params) {
  const OpSpec& op = op_spec(id);
  check_arity(op, inputs.size());
  switch (op.kind) {
    case OpKind::Unary:
      return inputs[0];
    case OpKind::Binary:
    case OpKind::Ternary:
      return broadcast_shapes(s, inputs);
    case OpKind::Matmul:
      check_matmul_shapes(s, inputs[0], inputs[1]);
      return {inputs[0][0], inputs[1][1]};
    case OpKind::Reduction: {
      const Shape& in = inputs[0];
      const bool arg = is_arg_reduce(op.reduce);
      // torch.prod(torch.ones(2, 3), dim=(0, 1)): torch.prod, all, any, argmax and argmin take
      // one int dim.
      if (s == Semantics::PyTorch && op.torch_single_dim() && params.axes.size() > 1)
        throw TypeError(std::string(op.torch_tuple_dim_error));
      // torch.count_nonzero(torch.ones(2, 3), dim=1, keepdim=True): no keepdim in PyTorch. The
      // text names the call's arguments (keyword order as PyTorch prints it); without a dim it
      // also says why each overload did not match.
      if (s == Semantics::PyTorch && !op.torch_keepdim && params.keepdims) {
        const std::string head = std::string(op.name) + "() received an invalid combination of arguments - got (Tensor, keepdim=bool";
        if (params.axes.empty())
          throw TypeError(head + "), but expected one of:\n * (Tensor input, int dim)\n      didn't match because some "
                                 "of the keywords were incorrect: keepdim\n * (Tensor input, tuple of ints dim)\n      "
                                 "didn't match because some of the keywords were incorrect: keepdim\n");
        throw TypeError(head + (params.axes.size() == 1 ? ", dim=int" : ", dim=tuple") +
                        "), but expected one of:\n * (Tensor input, int dim)\n * (Tensor input, tuple of ints dim)\n");
      }
      // np.argmax(np.ones((2, 3)), axis=(0, 1))
      if (s == Semantics::NumPy && op.numpy_single_axis && params.axes.size() > 1)
        throw TypeError("'tuple' object cannot be interpreted as an integer");
      std::vector<int> red = reduced_axes(s, int(in.size()), params.axes, arg);
      if (!has_identity(op.reduce)) {
        // np.amax(np.ones((3, 0)), axis=1); torch.amax(torch.ones(3, 0), dim=1); a zero-length
        // axis that is kept is no error (np.amax(np.ones((0, 3)), axis=1) is empty).
        for (int d : red)
          if (in[std::size_t(d)] == 0) {
            if (s == Semantics::NumPy && arg)  // np.argmax(np.ones((0, 3)), axis=0)
              throw ValueError("attempt to get " + std::string(op.name) + " of an empty sequence");
            if (s == Semantics::NumPy)
              throw ValueError("zero-size array to reduction operation " +
                               std::string(op.reduce == Reduce::Max ? "maximum" : "minimum") +
                               " which has no identity");
            // torch.argmax(torch.ones(0)) is an IndexError, torch.amax(torch.ones(0)) a RuntimeError
            if (params.axes.empty() && arg)
              throw IndexError(std::string(op.name) +
                               "(): Expected reduction dim to be specified for input.numel() == 0.");
            if (params.axes.empty())
              throw ValueError(std::string(op.name) +
                                   "(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                                   "the reduction dim with the 'dim' argument.",
                               py::kRuntimeError);
            throw IndexError(std::string(op.name) + "(): Expected reduction dim " + std::to_string(d) +
                             " to have non-zero size.");
          }
      }
      Shape out;
      for (int i = 0; i < int(in.size()); ++i) {
        bool r = std::find(red.begin(), red.end(), i) != red.end();
        if (!r)
          out.push_back(in[i]);
        else if (params.keepdims)
          out.push_back(1);
      }
      return out;
    }
  }
  return inputs[0];
}

Shape result_shape(OpId op, Semantics s, std::span<const Shape> inputs, std::span<const std::int64_t> axes,
                   bool keepdims) {
  Params p;
  p.axes.assign(axes.begin(), axes.end());
  p.keepdims = keepdims;
  return result_shape(op, s, inputs, p);
}

std::vector<int> reduction_axes(OpId op, Semantics s, int ndim, std::span<const std::int64_t> axes) {
  return reduced_axes(s, ndim, axes, is_arg_reduce(op_spec(op).reduce));
}

bool divergence_applies(const OpSpec& op, const Divergence& d, std::span<const Operand> inputs) {
  const bool np_refuses = first_refusal(op, NumPy, inputs, Backend::Cpu) != nullptr;
  // A dtype PyTorch does not have is the dtype table's difference, not one of this op's.
  for (const Operand& o : inputs)
    if (!in_torch(o.dtype)) return false;
  const bool torch_refuses = first_refusal(op, Torch, inputs, Backend::Cpu) != nullptr;
  switch (d.kind) {
    case DivergenceKind::ResultDtype:
      // A cast's result is its dtype parameter in both libraries.
      if (op.casts()) return false;
      return !np_refuses && !torch_refuses &&
             result_dtype(op.id, NumPy, inputs) != result_dtype(op.id, Torch, inputs);
    case DivergenceKind::TorchRefuses:
      return !np_refuses && torch_refuses;
    case DivergenceKind::NumpyRefuses:
      return np_refuses && !torch_refuses;
    case DivergenceKind::NumpyLacks:
      return !library_has(op, NumPy);
    case DivergenceKind::TorchLacks:
      return !library_has(op, Torch);
    case DivergenceKind::Values:
      // Both compute, to one result dtype (PyTorch computing in one of the row's dtypes, when
      // it names some); which elements differ depends on the values, which the check and the
      // goldens see.
      if (np_refuses || torch_refuses) return false;
      // A cast's rows name target dtypes, which these operands do not fix: some target applies.
      if (op.casts()) return true;
      {
        const DType nd = result_dtype(op.id, NumPy, inputs), td = result_dtype(op.id, Torch, inputs);
        return nd == td && (d.dtypes.empty() || d.dtypes.contains(compute_dtype(op.id, Torch, inputs)));
      }
  }
  return false;
}

std::string result_rule_name(const OpSpec& op, Semantics s) {
  const std::string rule(promotion_name(s == Semantics::NumPy ? op.numpy_result : op.torch_result));
  return op.output == Output::Compute ? rule : rule + " -> " + std::string(output_name(op.output));
}

std::string divergence_summary(const OpSpec& op) {
  std::string out;
  for (const Divergence& d : op.divergence_list()) out += (out.empty() ? "" : "; ") + std::string(d.reason);
  return out;
}

Cost op_cost(OpId id, std::span<const Shape> inputs, DType in, DType out,
             std::span<const std::int64_t> axes) {
  const OpSpec& op = op_spec(id);
  const double isz = double(itemsize(in)), osz = double(itemsize(out));
  Cost c;
  switch (op.kind) {
    case OpKind::Unary:
    case OpKind::Binary:
    case OpKind::Ternary: {
      Shape o = result_shape(id, Semantics::NumPy, inputs);
      for (std::size_t k = 0; k < inputs.size(); ++k)  // a condition operand is read as bool
        c.bytes += double(numel(inputs[k])) * (op.is_condition(k) ? double(itemsize(DType::Bool)) : isz);
      c.bytes += double(numel(o)) * osz;
      c.flops = op.flops_per_element * double(numel(o));
      break;
    }
    case OpKind::Reduction: {
      Shape o = result_shape(id, Semantics::NumPy, inputs, axes);
      c.bytes = double(numel(inputs[0])) * isz + double(numel(o)) * osz;
      c.flops = op.flops_per_element * double(numel(inputs[0]));
      break;
    }
    case OpKind::Matmul: {
      const double m = double(inputs[0][0]), k = double(inputs[0][1]), n = double(inputs[1][1]);
      c.bytes = (m * k + k * n) * isz + m * n * osz;
      c.flops = op.flops_per_element * m * n * k;
      break;
    }
  }
  return c;
}

}  // namespace parity::spec
