#include "suite/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "engine/spec/error.h"
#include "engine/spec/ops.h"
#include "reports/compare.h"
#include "reports/render.h"
#include "reports/report.h"
#include "suite/bench.h"
#include "suite/check.h"
#include "suite/meta.h"

namespace parity::suite {
namespace {

constexpr int kExitFail = 1;
constexpr int kExitBadInput = 2;

std::vector<spec::OpId> parse_ops(const std::vector<std::string>& names) {
  std::vector<spec::OpId> out;
  for (const auto& n : names) out.push_back(spec::find_op(n).id);
  return out;
}

std::vector<spec::DType> parse_dtypes(const std::vector<std::string>& names) {
  std::vector<spec::DType> out;
  for (const auto& n : names) out.push_back(spec::parse_dtype(n));
  return out;
}

reports::Format parse_format(const std::string& f) {
  if (f == "text") return reports::Format::Text;
  if (f == "markdown") return reports::Format::Markdown;
  throw ValueError("unknown format '" + f + "' (expected text or markdown)");
}

std::string joined_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

// The check's own table: cases per op and device by status, then every failure.
void print_check(const std::vector<reports::CheckRecord>& records) {
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> counts;  // op, device, status
  std::vector<std::string> devices;
  std::map<std::string, int> totals;
  for (const auto& r : records) {
    ++counts[r.op][r.device][r.status];
    ++totals[r.status];
    if (std::find(devices.begin(), devices.end(), r.device) == devices.end()) devices.push_back(r.device);
  }
  std::string head = fmt::format("{:<8}", "op");
  for (const auto& d : devices) head += fmt::format(" | {:<30}", d + " pass/diverg/skip/FAIL");
  fmt::print("{}\n{}\n", head, std::string(head.size(), '-'));
  for (const spec::OpSpec& op : spec::op_table()) {
    auto it = counts.find(std::string(op.name));
    if (it == counts.end()) continue;
    std::string line = fmt::format("{:<8}", op.name);
    for (const auto& d : devices) {
      auto& c = it->second[d];
      line += fmt::format(" | {:<30}", fmt::format("{}/{}/{}/{}", c["pass"], c["divergent"], c["skip"], c["fail"]));
    }
    fmt::print("{}\n", line);
  }
  bool any_fail = false;
  for (const auto& r : records) {
    if (r.status != "fail") continue;
    if (!any_fail) fmt::print("\nFailures:\n");
    any_fail = true;
    fmt::print("  FAIL {}: {}\n", r.key, r.message);
  }
  std::map<std::string, std::string> skip_reasons;
  for (const auto& r : records)
    if (r.status == "skip") skip_reasons[r.device] = r.message;
  for (const auto& [dev, why] : skip_reasons) fmt::print("\n{} skipped: {}\n", dev, why);
  fmt::print("\n{} cases: {} pass, {} divergent by design, {} skipped, {} failed\n", records.size(),
             totals["pass"], totals["divergent"], totals["skip"], totals["fail"]);
}

// Refuses an output path whose folder is missing or not writable before any work is done.
void check_output_path(const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path p(path);
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw ValueError("cannot write " + path + ": folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw ValueError("cannot write " + path + ": folder is not writable");
  if (std::filesystem::is_directory(p, ec)) throw ValueError("cannot write " + path + ": it is a folder");
}

void save(const reports::Report& report, const std::string& path) {
  if (path.empty()) return;
  reports::write_report(report, path);
  fmt::print("report written to {}\n", path);
}

void print_spec() {
  fmt::print("{:<7} {:<9} {:<5} {:<36} {:<15} {:<12} {:<5} {:<15} {:<13} {}\n", "op", "kind", "arity", "dtypes",
             "promotion", "domain", "grad", "numpy", "torch", "accuracy");
  for (const spec::OpSpec& op : spec::op_table()) {
    const std::string acc = op.accuracy.reduce_factor > 0
                                ? fmt::format("{}*eps*(log2(k)+2+sqrt(k))*sum|terms|", op.accuracy.reduce_factor)
                                : (op.accuracy.max_ulp == 0 ? std::string("exact")
                                                            : fmt::format("{} ulp", op.accuracy.max_ulp));
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
      for (spec::DType b : spec::kAllDTypes) fmt::print("{:<9}", spec::dtype_name(spec::promote_types(s, a, b)));
      fmt::print("\n");
    }
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"parity: conformance checks and benchmarks for a NumPy-like array engine and a "
               "PyTorch-like tensor engine (cpu, cuda), with HDF5 reports"};
  app.require_subcommand(1);
  app.set_version_flag("--version", PARITY_VERSION_STRING);

  // check
  auto* check = app.add_subcommand("check", "Run every spec op on both engines and compare; exit 1 on any failure");
  std::vector<std::string> check_devices{"cpu", "cuda"}, check_ops, check_dtypes;
  std::string check_out;
  check->add_option("--devices", check_devices, "Tensor devices (cuda is skipped when absent)")
      ->delimiter(',')->capture_default_str();
  check->add_option("--ops", check_ops, "Ops to check (default: all)")->delimiter(',');
  check->add_option("--dtypes", check_dtypes, "Dtypes to check (default: all)")->delimiter(',');
  check->add_option("-o,--output", check_out, "Write the report to this HDF5 file");

  // bench
  auto* bench = app.add_subcommand("bench", "Time every op per device and size, and the conversions");
  BenchOptions bopts;
  std::vector<std::string> bench_ops, bench_dtypes{"float32"};
  std::string bench_out;
  bench->add_option("--devices", bopts.devices, "array (reference engine), cpu, cuda")
      ->delimiter(',')->capture_default_str();
  bench->add_option("--ops", bench_ops, "Ops to time (default: all)")->delimiter(',');
  bench->add_option("--dtypes", bench_dtypes, "Dtypes to time")->delimiter(',')->capture_default_str();
  bench->add_option("--sizes", bopts.sizes,
                    "Element counts (default 1024,16384,262144,4194304; --quick 4096,262144); matmul "
                    "uses square matrices of about that many elements, at most 512x512")
      ->delimiter(',');
  bench->add_flag("--quick", bopts.quick, "Fewer sizes, repetitions and less time per repetition");
  bench->add_option("--repetitions", bopts.repetitions, "Samples per case (default 10, quick 5)")
      ->check(CLI::Range(1, 1000));
  bench->add_option("--min-time", bopts.min_time, "Seconds per sample (default 0.05, quick 0.01)")
      ->check(CLI::Range(1e-6, 60.0));
  bench->add_flag("--cold", bopts.cold,
                  "Flush caches before every timed iteration (host last-level cache, GPU L2); keys get |cold");
  bool no_conversions = false;
  bench->add_flag("--no-conversions", no_conversions, "Skip the conversion timings");
  bench->add_option("-o,--output", bench_out, "Write the report to this HDF5 file");

  // show
  auto* show = app.add_subcommand("show", "Print a report's summary");
  std::string show_file, show_format = "text";
  show->add_option("file", show_file, "Report (.h5)")->required();
  show->add_option("--format", show_format, "text or markdown")->capture_default_str();

  // compare
  auto* compare = app.add_subcommand(
      "compare", "Compare two reports case by case; exit 1 when a case regressed, 0 otherwise, 2 on bad input");
  std::string base_file, new_file, cmp_format = "text";
  reports::CompareOptions copts;
  compare->add_option("base", base_file, "Baseline report (.h5)")->required();
  compare->add_option("new", new_file, "New report (.h5)")->required();
  compare->add_option("--threshold", copts.threshold,
                      "A bench case regresses when its median time grows by more than this fraction "
                      "and the change is significant")
      ->capture_default_str()->check(CLI::Range(0.0, 100.0));
  compare->add_option("--alpha", copts.alpha, "Significance level of the Mann-Whitney U test")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  compare->add_option("--format", cmp_format, "text or markdown")->capture_default_str();

  auto* spec_cmd = app.add_subcommand("spec", "Print the op table and both promotion tables");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "parity: error: " << e.what() << " (see parity --help)\n";
    return kExitBadInput;
  }

  try {
    const std::string cmdline = joined_args(argc, argv);
    if (*check) {
      check_output_path(check_out);
      CheckOptions opts;
      for (const auto& d : check_devices) opts.devices.push_back(core::Device::parse(d));
      opts.filter.ops = parse_ops(check_ops);
      opts.filter.dtypes = parse_dtypes(check_dtypes);
      reports::Report report;
      report.meta = collect_metadata("check", cmdline);
      report.checks = run_check(opts);
      print_check(report.checks);
      save(report, check_out);
      for (const auto& r : report.checks)
        if (r.status == "fail") return kExitFail;
      return 0;
    }
    if (*bench) {
      check_output_path(bench_out);
      bopts.ops = parse_ops(bench_ops);
      bopts.dtypes = parse_dtypes(bench_dtypes);
      bopts.conversions = !no_conversions;
      reports::Report report;
      report.meta = collect_metadata("bench", cmdline);
      BenchResult res = run_bench(bopts);
      report.benches = std::move(res.records);
      for (const auto& n : res.notes) fmt::print("note: {}\n", n);
      fmt::print("{}", reports::render_summary(report));
      save(report, bench_out);
      return 0;
    }
    if (*show) {
      const reports::Format f = parse_format(show_format);
      fmt::print("{}", reports::render_summary(reports::read_report(show_file), f));
      return 0;
    }
    if (*compare) {
      const reports::Format f = parse_format(cmp_format);
      const reports::Report base = reports::read_report(base_file);
      const reports::Report next = reports::read_report(new_file);
      const reports::Comparison c = reports::compare(base, next, copts);
      fmt::print("{}", reports::render_comparison(c, f));
      return c.regressed() ? kExitFail : 0;
    }
    if (*spec_cmd) {
      print_spec();
      return 0;
    }
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "parity: error: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitBadInput;
}

}  // namespace parity::suite
