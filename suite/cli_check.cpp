// `parity check`: every case of the registry on the array engine and each tensor device.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/core/device.h"
#include "suite/check.h"
#include "suite/cli_common.h"
#include "suite/goldens.h"
#include "suite/meta.h"

namespace parity::suite::cli {
namespace {

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

class CheckCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("check", "Run every spec op on both engines and compare; exit 1 on any failure");
    cmd->add_option("--devices", devices_, "Tensor devices (cuda is skipped when absent)")
        ->delimiter(',')->capture_default_str();
    cmd->add_option("--ops", ops_, "Ops to check (default: all)")->delimiter(',');
    cmd->add_option("--dtypes", dtypes_, "Dtypes to check (default: all)")->delimiter(',');
    cmd->add_option("-o,--output", out_, "Write the report to this HDF5 file");
    cmd->add_option("--goldens", goldens_, "Replay only these golden files (datasets/README.md)");
    cmd->add_option("--datasets", datasets_,
                    "Folder of the committed goldens (default: $PARITY_DATASETS, else the source tree's)");
    return cmd;
  }

  int run(const std::string& command_line) override {
    check_output_path(out_);
    CheckOptions opts;
    for (const auto& d : devices_) opts.devices.push_back(core::Device::parse(d));
    opts.filter.ops = parse_ops(ops_);
    opts.filter.dtypes = parse_dtypes(dtypes_);
    reports::Report report;
    report.meta = collect_metadata("check", command_line);
    // With --goldens only those files are replayed; without, the generated cases run and the
    // committed goldens are replayed too.
    const std::vector<std::string> golden_files = golden_paths(goldens_, datasets_);
    if (goldens_.empty()) {
      report.checks = run_check(opts);
      print_check(report.checks);
    }
    for (auto& r : replay_goldens(golden_files, {opts.devices, opts.filter.ops, opts.filter.dtypes}))
      report.checks.push_back(std::move(r));
    print_golden_summary(report.checks);
    save(report, out_);
    for (const auto& r : report.checks)
      if (r.status == "fail") return kExitFail;
    return kExitOk;
  }

 private:
  std::vector<std::string> devices_{"cpu", "cuda"}, ops_, dtypes_, goldens_;
  std::string out_, datasets_;
};

}  // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

}  // namespace parity::suite::cli
