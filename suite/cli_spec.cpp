// `parity spec`: the registry as a table, and both promotion tables.
#include <fmt/format.h>

#include "engine/spec/promote.h"
#include "suite/cli_common.h"

namespace parity::suite::cli {
namespace {

void print_spec() {
  fmt::print("{:<7} {:<9} {:<5} {:<36} {:<15} {:<12} {:<5} {:<15} {:<13} {}\n", "op", "kind", "arity",
             "dtypes", "promotion", "domain", "grad", "numpy", "torch", "accuracy");
  for (const spec::OpSpec& op : spec::op_table()) {
    const std::string acc =
        op.accuracy.reduce_factor > 0
            ? fmt::format("{}*eps*(log2(k)+2+sqrt(k))*sum|terms|", op.accuracy.reduce_factor)
            : (op.accuracy.max_ulp == 0 ? std::string("exact") : fmt::format("{} ulp", op.accuracy.max_ulp));
    fmt::print("{:<7} {:<9} {:<5} {:<36} {:<15} {:<12} {:<5} {:<15} {:<13} {}\n", op.name,
               spec::kind_name(op.kind), op.arity, op.dtypes.to_string(), spec::promotion_name(op.promotion),
               fmt::format("[{},{}]", op.domain.lo, op.domain.hi), op.differentiable ? "yes" : "no",
               op.numpy_name, op.torch_name, acc);
  }
  fmt::print("\nDivergent by design:\n");
  for (const spec::OpSpec& op : spec::op_table())
    if (!op.divergence.empty()) fmt::print("  {:<7} {}\n", op.name, op.divergence);
  for (spec::Semantics s : {spec::Semantics::NumPy, spec::Semantics::PyTorch}) {
    fmt::print("\nPromotion ({}):\n{:<9}", spec::semantics_name(s), "");
    for (spec::DType b : spec::kAllDTypes) fmt::print("{:<9}", spec::dtype_name(b));
    fmt::print("\n");
    for (spec::DType a : spec::kAllDTypes) {
      fmt::print("{:<9}", spec::dtype_name(a));
      for (spec::DType b : spec::kAllDTypes)
        fmt::print("{:<9}", spec::dtype_name(spec::promote_types(s, a, b)));
      fmt::print("\n");
    }
  }
}

class SpecCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("spec", "Print the op table and both promotion tables");
    cmd->footer(help_footer("array (reference), cpu, cuda", "0 printed", "parity spec | less"));
    return cmd;
  }
  int run(const std::string&) override {
    print_spec();
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> make_spec_command() { return std::make_unique<SpecCommand>(); }

}  // namespace parity::suite::cli
