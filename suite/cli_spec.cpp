// `parity spec`: the registry as text, markdown or JSON; --matrix adds op x dtype x
// engine/device (supported, refused, divergent). Everything printed comes from the rows.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "engine/spec/promote.h"
#include "suite/cli_common.h"
#include "suite/golden_file.h"

namespace parity::suite::cli {
namespace {

using spec::Backend;
using spec::DType;
using spec::OpSpec;
using spec::Semantics;

std::string json_str(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string accuracy_str(const spec::Accuracy& a) {
  if (a.reduce_factor > 0) return fmt::format("{}*eps*(log2(k)+2+sqrt(k))*sum|terms|", a.reduce_factor);
  return a.max_ulp == 0 ? std::string("exact") : fmt::format("{} ulp", a.max_ulp);
}

std::string dtypes_of(const OpSpec& op, Semantics s, Backend b) {
  std::string out;
  for (DType d : spec::kAllDTypes)
    if (spec::accepts(op.id, s, d, b)) out += (out.empty() ? "" : ",") + std::string(spec::dtype_name(d));
  return out;
}

// A library's name of the op, "-" where it lacks the op.
std::string_view library_name(const OpSpec& op, Semantics s) {
  if (!spec::library_has(op, s)) return "-";
  return s == Semantics::NumPy ? op.numpy_name : op.torch_name;
}

std::string signature_str(const OpSpec& op, Semantics s) {
  if (!spec::library_has(op, s))
    return op.numpy_formula.empty() || s != Semantics::NumPy ? std::string("- (none)")
                                                              : fmt::format("- (formula: {})", op.numpy_formula);
  const auto& names = s == Semantics::NumPy ? op.signature.numpy_operands : op.signature.torch_operands;
  std::string out = std::string(s == Semantics::NumPy ? op.numpy_name : op.torch_name) + "(";
  for (int i = 0; i < op.arity; ++i) out += (i ? ", " : "") + std::string(names[std::size_t(i)]);
  for (const spec::ParamSpec& p : op.param_list()) {
    // A parameter without a default (astype's dtype) is required: its name alone.
    const std::string_view def = s == Semantics::NumPy ? p.numpy_default : p.torch_default;
    out += fmt::format(", {}{}{}", s == Semantics::NumPy ? p.numpy_name : p.torch_name, def.empty() ? "" : "=", def);
  }
  if (s == Semantics::PyTorch)
    for (const auto& [key, value] : golden::torch_kwargs(op)) out += fmt::format(", {}={}", key, value);
  return out + ")";
}

// The dtypes a library has (PyTorch 1.13 has no uint16, uint32, uint64).
std::vector<DType> library_dtypes(Semantics s) {
  std::vector<DType> out;
  for (DType d : spec::kAllDTypes)
    if (s == Semantics::NumPy || spec::in_torch(d)) out.push_back(d);
  return out;
}

std::string_view kind_str(spec::DTypeKind k) {
  switch (k) {
    case spec::DTypeKind::Bool: return "bool";
    case spec::DTypeKind::Signed: return "signed";
    case spec::DTypeKind::Unsigned: return "unsigned";
    case spec::DTypeKind::Float: return "float";
  }
  return "?";
}

// One cell of the matrix: what one library does with same-dtype operands of `d`.
struct Cell {
  std::string status;  // "supported", "refused", "todo", "absent"
  std::string detail;  // result dtype, or the error class
};
Cell cell(const OpSpec& op, Semantics s, Backend b, DType d) {
  if (s == Semantics::PyTorch && !spec::in_torch(d)) return {"absent", "no such dtype"};
  const std::vector<spec::Operand> ops = spec::operands_of_dtype(op, d);
  if (const spec::Refusal* r = spec::find_refusal(op.id, s, ops, b))
    return {r->todo.empty() ? "refused" : "todo", std::string(r->py_class)};
  // A cast's result is whatever dtype the call names.
  if (op.casts()) return {"supported", "the dtype parameter"};
  return {"supported", std::string(spec::dtype_name(spec::result_dtype(op.id, s, ops, b)))};
}
bool divergent(const OpSpec& op, DType d) {
  const std::vector<spec::Operand> ops = spec::operands_of_dtype(op, d);
  for (const spec::Divergence& dv : op.divergence_list())
    if (spec::divergence_applies(op, dv, ops)) return true;
  return false;
}

struct Column {
  std::string name;
  Semantics library;
  Backend backend;
};
const std::vector<Column>& columns() {
  static const std::vector<Column> cols{{"array (numpy)", Semantics::NumPy, Backend::Any},
                                        {"tensor cpu (torch)", Semantics::PyTorch, Backend::Cpu},
                                        {"tensor cuda (torch)", Semantics::PyTorch, Backend::Cuda}};
  return cols;
}

std::string cell_text(const Cell& c) {
  return c.status == "supported" ? "-> " + c.detail : c.status + " (" + c.detail + ")";
}

// The widest of a column of names (at least its heading), so that every row lines up.
template <class Get>
std::size_t column_width(std::string_view heading, Get get) {
  std::size_t w = heading.size();
  for (const OpSpec& op : spec::op_table()) w = std::max(w, std::string_view(get(op)).size());
  return w;
}

void print_text(bool matrix) {
  const std::size_t w = column_width("op", [](const OpSpec& op) { return op.name; });
  const std::size_t wn = column_width("numpy", [](const OpSpec& op) { return library_name(op, Semantics::NumPy); });
  const std::size_t wt =
      column_width("torch", [](const OpSpec& op) { return library_name(op, Semantics::PyTorch); });
  const std::size_t wr =
      column_width("result numpy", [](const OpSpec& op) { return spec::result_rule_name(op, Semantics::NumPy); });
  fmt::print("{:<{}} {:<9} {:<5} {:<{}} {:<{}} {:<{}} {:<{}} {:<12} {:<5} {}\n", "op", w, "kind", "arity",
             "numpy", wn, "torch", wt, "result numpy", wr, "result torch", wr, "domain", "grad",
             "accuracy (float32 / float64)");
  for (const OpSpec& op : spec::op_table())
    fmt::print("{:<{}} {:<9} {:<5} {:<{}} {:<{}} {:<{}} {:<{}} {:<12} {:<5} {} / {}\n", op.name, w,
               spec::kind_name(op.kind), op.arity, library_name(op, Semantics::NumPy), wn,
               library_name(op, Semantics::PyTorch), wt,
               spec::result_rule_name(op, Semantics::NumPy), wr, spec::result_rule_name(op, Semantics::PyTorch), wr,
               fmt::format("[{},{}]", op.domain.lo, op.domain.hi), op.differentiable ? "yes" : "no",
               accuracy_str(op.accuracy), accuracy_str(op.accuracy_float64));
  fmt::print("\nSignatures, dtypes and special values:\n");
  for (const OpSpec& op : spec::op_table()) {
    fmt::print("  {}\n    {}\n    {}\n", op.name, signature_str(op, Semantics::NumPy),
               signature_str(op, Semantics::PyTorch));
    fmt::print("    dtypes: numpy {}; torch cpu {}; torch cuda {}\n",
               dtypes_of(op, Semantics::NumPy, Backend::Cpu), dtypes_of(op, Semantics::PyTorch, Backend::Cpu),
               dtypes_of(op, Semantics::PyTorch, Backend::Cuda));
    fmt::print("    special values: {}; cost: {} flop per element\n", spec::special_names(op.specials),
               op.flops_per_element);
  }
  fmt::print("\nRefusals (the library's error class and message):\n");
  for (const OpSpec& op : spec::op_table())
    for (const spec::Refusal& r : op.refusal_list())
      fmt::print("  {:<{}} {:<7} {:<4} {}: {}{}\n", op.name, w, spec::semantics_name(r.library),
                 spec::backend_name(r.backend), r.py_class, r.message,
                 r.todo.empty() ? "" : fmt::format("  [TODO: {}]", r.todo));
  fmt::print("\nDivergent by design:\n");
  for (const OpSpec& op : spec::op_table())
    for (const spec::Divergence& d : op.divergence_list())
      fmt::print("  {:<{}} {:<14} {}\n", op.name, w, spec::divergence_kind_name(d.kind), d.reason);
  fmt::print("\nDtypes (bfloat16 is not NumPy's: the array engine gives it float16's rules, computing in float32):\n");
  fmt::print("  {:<9} {:<9} {:<9} {:<6} {}\n", "dtype", "kind", "torch", "bytes", "mantissa bits");
  for (const spec::DTypeInfo& t : spec::kDTypeTable)
    fmt::print("  {:<9} {:<9} {:<9} {:<6} {}\n", t.name, kind_str(t.kind), t.in_torch ? t.torch_name : "(none)",
               t.itemsize, t.mantissa_bits);
  for (Semantics s : {Semantics::NumPy, Semantics::PyTorch}) {
    const std::vector<DType> ds = library_dtypes(s);
    fmt::print("\nPromotion ({}):\n{:<9}", spec::semantics_name(s), "");
    for (DType b : ds) fmt::print("{:<9}", spec::dtype_name(b));
    fmt::print("\n");
    for (DType a : ds) {
      fmt::print("{:<9}", spec::dtype_name(a));
      for (DType b : ds) fmt::print("{:<9}", spec::dtype_name(spec::promote_types(s, a, b)));
      fmt::print("\n");
    }
  }
  if (!matrix) return;
  fmt::print("\nMatrix (same-dtype operands; '*' marks a divergence by design):\n{:<{}} {:<8}", "op", w, "dtype");
  for (const Column& c : columns()) fmt::print(" {:<26}", c.name);
  fmt::print("\n");
  for (const OpSpec& op : spec::op_table())
    for (DType d : spec::kAllDTypes) {
      fmt::print("{:<{}} {:<8}", op.name, w, spec::dtype_name(d));
      for (const Column& c : columns()) fmt::print(" {:<26}", cell_text(cell(op, c.library, c.backend, d)));
      fmt::print("{}\n", divergent(op, d) ? " *" : "");
    }
}

void print_markdown(bool matrix) {
  fmt::print("# Parity op registry\n\n");
  fmt::print(
      "| op | NumPy | PyTorch | kind | result (NumPy / PyTorch) | dtypes NumPy | dtypes torch cpu | "
      "dtypes torch cuda | grad | accuracy float32 / float64 |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const OpSpec& op : spec::op_table())
    fmt::print("| {} | `{}` | `{}` | {} | {} / {} | {} | {} | {} | {} | {} / {} |\n", op.name,
               signature_str(op, Semantics::NumPy), signature_str(op, Semantics::PyTorch),
               spec::kind_name(op.kind), spec::result_rule_name(op, Semantics::NumPy),
               spec::result_rule_name(op, Semantics::PyTorch), dtypes_of(op, Semantics::NumPy, Backend::Cpu),
               dtypes_of(op, Semantics::PyTorch, Backend::Cpu),
               dtypes_of(op, Semantics::PyTorch, Backend::Cuda), op.differentiable ? "yes" : "no",
               accuracy_str(op.accuracy), accuracy_str(op.accuracy_float64));
  fmt::print("\n## Refusals\n\n| op | library | device | class | message |\n|---|---|---|---|---|\n");
  for (const OpSpec& op : spec::op_table())
    for (const spec::Refusal& r : op.refusal_list())
      fmt::print("| {} | {} | {} | {} | {}{} |\n", op.name, spec::semantics_name(r.library),
                 spec::backend_name(r.backend), r.py_class, r.message,
                 r.todo.empty() ? "" : fmt::format(" (TODO: {})", r.todo));
  fmt::print("\n## Divergent by design\n\n| op | kind | reason |\n|---|---|---|\n");
  for (const OpSpec& op : spec::op_table())
    for (const spec::Divergence& d : op.divergence_list())
      fmt::print("| {} | {} | {} |\n", op.name, spec::divergence_kind_name(d.kind), d.reason);
  if (!matrix) return;
  fmt::print("\n## Matrix\n\n| op | dtype |");
  for (const Column& c : columns()) fmt::print(" {} |", c.name);
  fmt::print(" divergent |\n|---|---|---|---|---|---|\n");
  for (const OpSpec& op : spec::op_table())
    for (DType d : spec::kAllDTypes) {
      fmt::print("| {} | {} |", op.name, spec::dtype_name(d));
      for (const Column& c : columns()) fmt::print(" {} |", cell_text(cell(op, c.library, c.backend, d)));
      fmt::print(" {} |\n", divergent(op, d) ? "yes" : "");
    }
}

// ---- the divergence catalogue (--divergences; docs/divergences.md is its markdown) ----

// Where a divergence row holds, from the rules: the dtypes whose same-dtype operands it
// covers (condition operands bool), and how many other ordered tuples of dtypes, one per
// operand (all n-d: for binary ops the pairs of different dtypes), it covers.
struct Occurrence {
  std::string same;  // "int8,int16" or "" when none
  int mixed_pairs = 0;
};
Occurrence occurrence(const OpSpec& op, const spec::Divergence& dv) {
  Occurrence o;
  for (DType a : spec::kAllDTypes)
    if (spec::divergence_applies(op, dv, spec::operands_of_dtype(op, a)))
      o.same += (o.same.empty() ? "" : ",") + std::string(spec::dtype_name(a));
  const std::size_t n = std::size_t(op.arity), nd = spec::kAllDTypes.size();
  std::vector<std::size_t> idx(n, 0);
  for (bool more = n > 1; more;) {
    std::vector<spec::Operand> in;
    for (std::size_t k : idx) in.push_back({spec::kAllDTypes[k], false});
    bool same = true;
    for (DType a : spec::kAllDTypes) {
      const std::vector<spec::Operand> s = spec::operands_of_dtype(op, a);
      same = true;
      for (std::size_t k = 0; k < n && same; ++k) same = s[k].dtype == in[k].dtype;
      if (same) break;
    }
    if (!same && spec::divergence_applies(op, dv, in)) ++o.mixed_pairs;
    more = false;
    for (std::size_t k = 0; k < n && !more; ++k) {
      if (++idx[k] < nd) more = true;
      else idx[k] = 0;
    }
  }
  return o;
}

// The condition of a Values row or a data-dependent refusal, in words.
std::string where_str(spec::Where w) {
  switch (w) {
    case spec::Where::Always: return "every element";
    case spec::Where::NaNOperand: return "an operand is NaN";
    case spec::Where::ZeroOperand1: return "the second operand is 0";
    case spec::Where::NegativeOperand1: return "the second operand is negative";
    case spec::Where::ShiftOutOfRange: return "the shift is negative or at least the bit width";
    case spec::Where::OperandInexact: return "an operand PyTorch's compute dtype does not hold";
    case spec::Where::SignedZeroTie: return "the operands are -0 and +0";
    case spec::Where::NegativeIntegerExponent: return "the exponent is negative in an integer dtype";
    case spec::Where::ZeroRemainderSignsDiffer: return "the remainder is 0 and the operands' signs differ";
    case spec::Where::CastOutOfRange: return "the value is NaN, infinite or out of the integer dtype's range";
    case spec::Where::CastRoundsTwice: return "rounding through float32 changes the value";
    case spec::Where::CountInexact: return "the count of reduced elements is no value of the dtype";
  }
  return "?";
}

std::string dtypes_or_all(spec::DTypeSet s) { return s.empty() ? std::string("all") : s.to_string(); }

// Each row's fields for printing: kind, elements, dtypes it covers, mixed pairs, reason.
struct CatalogueRow {
  std::string op, kind, elements, dtypes, mixed, reason;
};
std::vector<CatalogueRow> catalogue() {
  std::vector<CatalogueRow> rows;
  for (const OpSpec& op : spec::op_table())
    for (const spec::Divergence& d : op.divergence_list()) {
      const Occurrence o = occurrence(op, d);
      const bool values = d.kind == spec::DivergenceKind::Values;
      const bool lacks = d.kind == spec::DivergenceKind::NumpyLacks || d.kind == spec::DivergenceKind::TorchLacks;
      rows.push_back({std::string(op.name), std::string(spec::divergence_kind_name(d.kind)),
                      values ? where_str(d.where) : lacks ? "the whole op" : "the whole result", o.same.empty() ? "none" : o.same,
                      op.arity == 1 ? "-" : std::to_string(o.mixed_pairs), std::string(d.reason)});
    }
  return rows;
}
struct ValueErrorRow {
  std::string op, library, device, dtypes, when, py_class, message;
};
std::vector<ValueErrorRow> value_errors() {
  std::vector<ValueErrorRow> rows;
  for (const OpSpec& op : spec::op_table())
    for (const spec::Refusal& r : op.refusal_list())
      if (r.where != spec::Where::Always)
        rows.push_back({std::string(op.name), std::string(spec::semantics_name(r.library)),
                        std::string(spec::backend_name(r.backend)), dtypes_or_all(r.dtypes), where_str(r.where),
                        std::string(r.py_class), std::string(r.message)});
  return rows;
}

void print_divergences(const std::string& format) {
  const std::vector<CatalogueRow> rows = catalogue();
  const std::vector<ValueErrorRow> errors = value_errors();
  if (format == "text") {
    fmt::print("Divergences by design ({} rows; dtypes: same-dtype operands it covers; pairs: mixed-dtype pairs):\n",
               rows.size());
    for (const CatalogueRow& r : rows)
      fmt::print("  {:<12} {:<14} {}; dtypes {}; pairs {}\n    {}\n", r.op, r.kind, r.elements, r.dtypes, r.mixed,
                 r.reason);
    fmt::print("\nErrors that depend on the values ({} rows):\n", errors.size());
    for (const ValueErrorRow& e : errors)
      fmt::print("  {:<12} {:<7} {:<4} dtypes {}; when {}: {}: {}\n", e.op, e.library, e.device, e.dtypes, e.when,
                 e.py_class, e.message);
    return;
  }
  if (format == "markdown") {
    fmt::print(
        "# Divergences between NumPy and PyTorch\n\n"
        "Generated from the op registry (`engine/spec/ops.cpp`) by\n"
        "`parity spec --divergences --format markdown > docs/divergences.md`; the test\n"
        "`docs_divergences_current` fails when this page and the registry disagree.\n\n"
        "Each row is an intended difference between NumPy {} and PyTorch {}, the versions the\n"
        "goldens come from. The goldens show that each engine follows its own library on these\n"
        "cases; `parity check` calls such a case `divergent` (not failed) and says why. Kinds:\n\n"
        "- `result_dtype`: both compute, in different result dtypes;\n"
        "- `torch_refuses` / `numpy_refuses`: one library computes, the other raises;\n"
        "- `values`: both compute in one dtype, and on the elements named the values differ (the\n"
        "  check leaves those elements out of the comparison between the engines);\n"
        "- `numpy_lacks` / `torch_lacks`: the library has no such function; the reason says what\n"
        "  it offers instead. The engine of that side computes the op by its library's rules for\n"
        "  that stand-in, and the goldens come from the stand-in or from the other library alone.\n\n"
        "*dtypes* lists the dtypes whose same-dtype operands the row covers (from the rules);\n"
        "*pairs* counts the ordered pairs of different dtypes it covers.\n\n"
        "| op | kind | elements | dtypes | pairs | reason |\n|---|---|---|---|---|---|\n",
        "1.24.2", "1.13.1");
    for (const CatalogueRow& r : rows)
      fmt::print("| {} | {} | {} | {} | {} | {} |\n", r.op, r.kind, r.elements, r.dtypes, r.mixed, r.reason);
    fmt::print(
        "\n## Errors that depend on the values\n\n"
        "Raised only when an element meets the condition (both engines check before computing).\n\n"
        "| op | library | device | dtypes | when | class | message |\n|---|---|---|---|---|---|---|\n");
    for (const ValueErrorRow& e : errors)
      fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", e.op, e.library, e.device, e.dtypes, e.when, e.py_class,
                 e.message);
    if (errors.empty()) fmt::print("| (none) | | | | | | |\n");
    return;
  }
  if (format == "json") {
    std::vector<std::string> items, errs;
    for (const CatalogueRow& r : rows)
      items.push_back(fmt::format(
          "    {{\"op\": {}, \"kind\": {}, \"elements\": {}, \"dtypes\": {}, \"mixed_pairs\": {}, \"reason\": {}}}",
          json_str(r.op), json_str(r.kind), json_str(r.elements), json_str(r.dtypes),
          r.mixed == "-" ? "null" : r.mixed, json_str(r.reason)));
    for (const ValueErrorRow& e : errors)
      errs.push_back(fmt::format(
          "    {{\"op\": {}, \"library\": {}, \"device\": {}, \"dtypes\": {}, \"when\": {}, \"class\": {}, "
          "\"message\": {}}}",
          json_str(e.op), json_str(e.library), json_str(e.device), json_str(e.dtypes), json_str(e.when),
          json_str(e.py_class), json_str(e.message)));
    fmt::print("{{\n  \"divergences\": [\n{}\n  ],\n  \"value_errors\": [\n{}\n  ]\n}}\n", fmt::join(items, ",\n"),
               fmt::join(errs, ",\n"));
    return;
  }
  throw ValueError("unknown --format '" + format + "' (expected text, markdown or json)");
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::vector<std::string> quoted_split(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < csv.size()) {
    const std::size_t end = csv.find(',', start);
    out.push_back(json_str(csv.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

void print_json(bool matrix) {
  std::vector<std::string> ops;
  for (const OpSpec& op : spec::op_table()) {
    std::vector<std::string> params, refusals, divergences;
    for (const spec::ParamSpec& p : op.param_list())
      params.push_back(
          fmt::format("{{\"numpy\": {}, \"torch\": {}, \"type\": {}, \"numpy_default\": {}, "
                      "\"torch_default\": {}, \"kind\": {}}}",
                      json_str(p.numpy_name), json_str(p.torch_name), json_str(p.type),
                      json_str(p.numpy_default), json_str(p.torch_default), json_str(spec::param_kind_name(p.kind))));
    for (const spec::Refusal& r : op.refusal_list())
      refusals.push_back(fmt::format(
          "{{\"library\": {}, \"device\": {}, \"dtypes\": {}, \"class\": {}, \"message\": {}, "
          "\"todo\": {}, \"where\": {}}}",
          json_str(spec::semantics_name(r.library)), json_str(spec::backend_name(r.backend)),
          json_str(r.dtypes.to_string()), json_str(r.py_class), json_str(r.message), json_str(r.todo),
          json_str(spec::where_name(r.where))));
    for (const spec::Divergence& d : op.divergence_list())
      divergences.push_back(fmt::format("{{\"kind\": {}, \"where\": {}, \"dtypes\": {}, \"reason\": {}}}",
                                        json_str(spec::divergence_kind_name(d.kind)),
                                        json_str(spec::where_name(d.where)), json_str(dtypes_or_all(d.dtypes)),
                                        json_str(d.reason)));
    std::vector<std::string> np_ops, torch_ops;
    for (int i = 0; i < op.arity; ++i) {
      np_ops.push_back(json_str(op.signature.numpy_operands[std::size_t(i)]));
      torch_ops.push_back(json_str(op.signature.torch_operands[std::size_t(i)]));
    }
    ops.push_back(fmt::format(
        "    {{\"name\": {}, \"numpy_name\": {}, \"torch_name\": {}, \"torch_kwargs\": {}, \"numpy_formula\": {}, "
        "\"kind\": {}, "
        "\"arity\": {}, "
        "\"signature\": {{\"numpy_operands\": {}, \"torch_operands\": {}, \"params\": {}}}, "
        "\"result_rule\": {{\"numpy\": {}, \"torch\": {}}}, "
        "\"dtypes\": {{\"numpy\": {}, \"torch_cpu\": {}, \"torch_cuda\": {}}}, \"refusals\": {}, "
        "\"domain\": {{\"float\": [{}, {}], \"integer\": [{}, {}]}}, \"special_values\": {}, "
        "\"differentiable\": {}, \"flops_per_element\": {}, "
        "\"accuracy\": {{\"float32\": {{\"max_ulp\": {}, \"reduce_factor\": {}}}, "
        "\"float64\": {{\"max_ulp\": {}, \"reduce_factor\": {}}}}}, \"divergences\": {}}}",
        json_str(op.name), json_str(op.numpy_name), json_str(op.torch_name),
        op.torch_kwargs.empty() ? std::string_view("{}") : op.torch_kwargs, json_str(op.numpy_formula),
        json_str(spec::kind_name(op.kind)), op.arity, json_list(np_ops), json_list(torch_ops),
        json_list(params), json_str(spec::result_rule_name(op, Semantics::NumPy)),
        json_str(spec::result_rule_name(op, Semantics::PyTorch)),
        json_list(quoted_split(dtypes_of(op, Semantics::NumPy, Backend::Cpu))),
        json_list(quoted_split(dtypes_of(op, Semantics::PyTorch, Backend::Cpu))),
        json_list(quoted_split(dtypes_of(op, Semantics::PyTorch, Backend::Cuda))), json_list(refusals),
        op.domain.lo, op.domain.hi, op.int_domain.lo, op.int_domain.hi,
        json_list(quoted_split(spec::special_names(op.specials))), op.differentiable ? "true" : "false",
        op.flops_per_element, op.accuracy.max_ulp, op.accuracy.reduce_factor, op.accuracy_float64.max_ulp,
        op.accuracy_float64.reduce_factor, json_list(divergences)));
  }
  std::vector<std::string> promotion;
  for (Semantics s : {Semantics::NumPy, Semantics::PyTorch}) {
    std::vector<std::string> rows;
    for (DType a : library_dtypes(s)) {
      std::vector<std::string> cells;
      for (DType b : library_dtypes(s))
        cells.push_back(fmt::format("{}: {}", json_str(spec::dtype_name(b)),
                                    json_str(spec::dtype_name(spec::promote_types(s, a, b)))));
      rows.push_back(fmt::format("{}: {{{}}}", json_str(spec::dtype_name(a)), fmt::join(cells, ", ")));
    }
    promotion.push_back(fmt::format("{}: {{{}}}", json_str(spec::semantics_name(s)), fmt::join(rows, ", ")));
  }
  fmt::print("{{\n  \"ops\": [\n{}\n  ],\n  \"promotion\": {{{}}}", fmt::join(ops, ",\n"),
             fmt::join(promotion, ", "));
  if (matrix) {
    std::vector<std::string> cells;
    for (const OpSpec& op : spec::op_table())
      for (DType d : spec::kAllDTypes)
        for (const Column& c : columns()) {
          const Cell x = cell(op, c.library, c.backend, d);
          cells.push_back(
              fmt::format("    {{\"op\": {}, \"dtype\": {}, \"engine\": {}, \"status\": {}, \"detail\": {}, "
                          "\"divergent\": {}}}",
                          json_str(op.name), json_str(spec::dtype_name(d)), json_str(c.name),
                          json_str(x.status), json_str(x.detail), divergent(op, d) ? "true" : "false"));
        }
    fmt::print(",\n  \"matrix\": [\n{}\n  ]", fmt::join(cells, ",\n"));
  }
  fmt::print("\n}}\n");
}

class SpecCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd =
        app.add_subcommand("spec", "Print the op registry (rows, refusals, divergences, promotion tables)");
    cmd->add_option("--format", format_, "text, markdown or json")->capture_default_str();
    cmd->add_flag("--matrix", matrix_, "Add op x dtype x engine/device: supported, refused, divergent");
    cmd->add_flag("--divergences", divergences_,
                  "Print only the catalogue of divergences by design (docs/divergences.md is its markdown)");
    cmd->footer(help_footer("array (reference), cpu, cuda", "0 printed, 2 bad input",
                            "parity spec --matrix --format markdown"));
    return cmd;
  }
  int run(const std::string&) override {
    if (divergences_) {
      if (matrix_) throw ValueError("--divergences and --matrix are separate views; give one");
      print_divergences(format_);
      return kExitOk;
    }
    if (format_ == "text")
      print_text(matrix_);
    else if (format_ == "markdown")
      print_markdown(matrix_);
    else if (format_ == "json")
      print_json(matrix_);
    else
      throw ValueError("unknown --format '" + format_ + "' (expected text, markdown or json)");
    return kExitOk;
  }

 private:
  std::string format_ = "text";
  bool matrix_ = false;
  bool divergences_ = false;
};

}  // namespace

std::unique_ptr<Command> make_spec_command() { return std::make_unique<SpecCommand>(); }

}  // namespace parity::suite::cli
