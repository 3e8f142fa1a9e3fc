// The registry is the one place an op lives. These tests fail when an op id or an op's
// name is switched on outside the files whose job it is (the registry, the kernels'
// functors, the reference implementations, the engines' implementation tables and the
// gradient table), and when a per-op table misses an op.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "engine/spec/ops.h"
#include "engine/tensor/derivatives.h"
#include "kernels/common/functors.h"

namespace fs = std::filesystem;
namespace ps = parity::spec;

namespace {

// Files allowed to name ops, and why.
const std::map<std::string, std::string>& allowed_files() {
  static const std::map<std::string, std::string> files{
      {"engine/spec/ops.h", "the registry"},
      {"engine/spec/ops.cpp", "the registry"},
      {"kernels/common/functors.h", "the kernels' functors and their table"},
      {"engine/array/ops.cpp", "the reference implementations and the array engine's table"},
      {"engine/tensor/ops.cpp", "the tensor engine's implementation table and named wrappers"},
      {"engine/tensor/derivatives.cpp", "the gradient table"},
      {"engine/tensor/tensor.cpp", "Tensor::add_, the in-place form of add"},
      {"kernels/cuda/sum_matmul.cu", "the kernels of the ops that have their own kernel (reductions, matmul)"},
      {"kernels/cpu/reduce.cpp", "the reductions' own cpu kernel"},
      {"kernels/cpu/matmul.cpp", "matmul's own cpu kernel"},
      {"suite/oracle.cpp", "the correctly rounded oracle's table: each op's MPFR function"},
  };
  return files;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines of `text` that name an op: an OpId enumerator, or an op's short or qualified
// name as a whole string literal.
// Short names that are also ordinary words of the code ("all" devices, a sample's "mean") are
// matched only through their OpId and qualified names.
bool is_plain_word(std::string_view n) { return n == "all" || n == "any" || n == "mean"; }

std::vector<std::string> op_mentions(const std::string& text) {
  std::string names;
  for (const ps::OpSpec& op : ps::op_table()) {
    for (std::string_view n : {op.name, op.numpy_name, op.torch_name})
      if (!n.empty() && !is_plain_word(n))  // a library that lacks the op has no name for it
        names += (names.empty() ? "" : "|") + std::regex_replace(std::string(n), std::regex(R"(\.)"), R"(\.)");
  }
  const std::regex id(R"(\bOpId::[A-Z]\w*)");
  const std::regex literal("\"(" + names + ")\"");
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n)
    if (std::regex_search(line, id) || std::regex_search(line, literal))
      out.push_back(std::to_string(n) + ": " + line);
  return out;
}

}  // namespace

TEST(Registry, OpsAreNamedOnlyWhereTheyLive) {
  const fs::path root(PARITY_SOURCE_DIR);
  int scanned = 0;
  for (const char* dir : {"engine", "kernels", "suite", "reports"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".cu" && ext != ".cuh"))
        continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      ++scanned;
      if (allowed_files().count(rel)) continue;
      for (const std::string& m : op_mentions(read(entry.path())))
        ADD_FAILURE()
            << rel << ":" << m
            << "\n  names an op outside the registry's files; read the row instead (docs/adding-an-op.md)";
    }
  }
  EXPECT_GT(scanned, 20) << "the source tree was not found at " << PARITY_SOURCE_DIR;
}

// The scanner itself: it must see what it is meant to see.
TEST(Registry, ScannerFindsIdsAndNames) {
  EXPECT_EQ(op_mentions("if (op == spec::OpId::Mul) x();").size(), 1u);
  EXPECT_EQ(op_mentions("  case OpId::Add: return;").size(), 1u);
  EXPECT_EQ(op_mentions("if (name == \"matmul\")").size(), 1u);
  EXPECT_EQ(op_mentions("lookup(\"numpy.multiply\")").size(), 1u);
  EXPECT_EQ(op_mentions("std::vector<spec::OpId> ops; // summary \"summary\"").size(), 0u);
}

// Every elementwise op has a functor; the others are refused explicitly, never defaulted.
TEST(Registry, FunctorTableCoversTheElementwiseOps) {
  for (const ps::OpSpec& op : ps::op_table()) {
    // A cast (astype) is unary but runs the copy kernel's cast, not a functor.
    const bool elementwise =
        (op.kind == ps::OpKind::Unary || op.kind == ps::OpKind::Binary || op.kind == ps::OpKind::Ternary) &&
        !op.casts();
    int arity = -1;
    unsigned conditions = 0;
    auto probe = [&] {
      parity::kernels::with_functor(op.id, [&](auto fn) {
        arity = decltype(fn)::arity;
        conditions = parity::kernels::conditions<decltype(fn)>();
      });
    };
    if (elementwise) {
      probe();
      EXPECT_EQ(arity, op.arity) << op.name;
      // The functor reads as bool exactly the operands the row calls conditions.
      EXPECT_EQ(conditions, unsigned(op.conditions)) << op.name;
    } else {
      EXPECT_THROW(probe(), parity::ValueError) << op.name;
    }
  }
}

// The gradient table has a formula and a grad_fn name exactly where the registry says the op
// is differentiable (PyTorch gives a non-differentiable op's result no grad_fn), and the row
// of each op is that op's.
TEST(Registry, GradientTableFollowsTheRegistry) {
  for (const ps::OpSpec& op : ps::op_table()) {
    const auto& row = parity::tensor::autograd::grad_row(op.id);
    EXPECT_EQ(row.op, op.id) << op.name;
    EXPECT_EQ(row.formula != nullptr, op.differentiable) << op.name;
    // A name wherever PyTorch records a node (differentiable ops, and nextafter, whose node
    // refuses backward); integer-only ops record none.
    if (op.differentiable) {
      EXPECT_FALSE(row.name.empty()) << op.name;
    }
  }
}
