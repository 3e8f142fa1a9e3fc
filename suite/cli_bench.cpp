// `parity bench`: every op per device and size, and the conversions.
#include <fmt/format.h>

#include "suite/bench.h"
#include "suite/cli_common.h"
#include "suite/meta.h"

namespace parity::suite::cli {
namespace {

class BenchCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("bench", "Time every op per device and size, and the conversions");
    cmd->add_option("--devices", opts_.devices, "array (reference engine), cpu, cuda")
        ->delimiter(',')->capture_default_str();
    cmd->add_option("--ops", ops_, "Ops to time (default: all)")->delimiter(',');
    cmd->add_option("--dtypes", dtypes_, "Dtypes to time")->delimiter(',')->capture_default_str();
    cmd->add_option("--sizes", opts_.sizes,
                    "Element counts (default 1024,16384,262144,4194304; --quick 4096,262144); matmul "
                    "uses square matrices of about that many elements, at most 512x512")
        ->delimiter(',');
    cmd->add_flag("--quick", opts_.quick, "Fewer sizes, repetitions and less time per repetition");
    cmd->add_option("--repetitions", opts_.repetitions, "Samples per case (default 10, quick 5)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--min-time", opts_.min_time, "Seconds per sample (default 0.05, quick 0.01)")
        ->check(CLI::Range(1e-6, 60.0));
    cmd->add_flag("--cold", opts_.cold,
                  "Flush caches before every timed iteration (host last-level cache, GPU L2); keys get |cold");
    cmd->add_flag("--no-conversions", no_conversions_, "Skip the conversion timings");
    cmd->add_option("-o,--output", out_, "Write the report to this HDF5 file");
    return cmd;
  }

  int run(const std::string& command_line) override {
    check_output_path(out_);
    opts_.ops = parse_ops(ops_);
    opts_.dtypes = parse_dtypes(dtypes_);
    opts_.conversions = !no_conversions_;
    reports::Report report;
    report.meta = collect_metadata("bench", command_line);
    BenchResult res = run_bench(opts_);
    report.benches = std::move(res.records);
    for (const auto& n : res.notes) fmt::print("note: {}\n", n);
    fmt::print("{}", reports::render_summary(report));
    save(report, out_);
    return kExitOk;
  }

 private:
  BenchOptions opts_;
  std::vector<std::string> ops_, dtypes_{"float32"};
  std::string out_;
  bool no_conversions_ = false;
};

}  // namespace

std::unique_ptr<Command> make_bench_command() { return std::make_unique<BenchCommand>(); }

}  // namespace parity::suite::cli
