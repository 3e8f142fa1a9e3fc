// `parity check`: every case of the registry on the array engine and each tensor device.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/core/device.h"
#include "engine/spec/error.h"
#include "suite/check.h"
#include "suite/cli_common.h"
#include "suite/goldens.h"
#include "suite/meta.h"
#include "suite/shard.h"

namespace parity::suite::cli {
namespace {

constexpr std::size_t kMaxFailuresShown = 10;
constexpr std::size_t kMaxReasonsShown = 8;
constexpr std::size_t kMaxReasonChars = 110;

std::string capped(const std::string& s, std::size_t n) {
  const std::string line = one_line(s);
  return line.size() <= n ? line : line.substr(0, n - 3) + "...";
}

// The check's summary, short enough for a terminal: the counts, then one line per distinct
// reason for divergent and skipped cases, then the worst failures (the largest error over
// budget first). `details` adds the per-op table and every failure.
void print_check(const std::vector<reports::CheckRecord>& records, bool details) {
  std::map<std::string, int> totals;
  std::vector<std::string> devices;
  for (const auto& r : records) {
    ++totals[r.status];
    if (std::find(devices.begin(), devices.end(), r.device) == devices.end()) devices.push_back(r.device);
  }
  if (details) {
    std::map<std::string, std::map<std::string, std::map<std::string, int>>> counts;  // op, device, status
    for (const auto& r : records) ++counts[r.op][r.device][r.status];
    std::string head = fmt::format("{:<8}", "op");
    for (const auto& d : devices) head += fmt::format(" | {:<30}", d + " pass/diverg/skip/FAIL");
    fmt::print("{}\n{}\n", head, std::string(head.size(), '-'));
    for (const spec::OpSpec& op : spec::op_table()) {
      auto it = counts.find(std::string(op.name));
      if (it == counts.end()) continue;
      std::string line = fmt::format("{:<8}", op.name);
      for (const auto& d : devices) {
        auto& c = it->second[d];
        line += fmt::format(" | {:<30}",
                            fmt::format("{}/{}/{}/{}", c["pass"], c["divergent"], c["skip"], c["fail"]));
      }
      fmt::print("{}\n", line);
    }
  }
  std::string devs;
  for (const auto& d : devices) devs += (devs.empty() ? "" : ", ") + d;
  fmt::print("check ({}): {} cases: {} pass, {} divergent by design, {} skipped, {} FAILED\n",
             devs.empty() ? "nothing" : devs, records.size(), totals["pass"], totals["divergent"],
             totals["skip"], totals["fail"]);

  // One line per reason: how many cases, on which ops, and why.
  for (const char* status : {"divergent", "skip"}) {
    std::map<std::string, std::pair<int, std::set<std::string>>> reasons;
    for (const auto& r : records)
      if (r.status == status) {
        auto& [n, ops] = reasons[r.message];
        ++n;
        ops.insert(r.op);
      }
    if (reasons.empty()) continue;
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [why, v] : reasons) order.emplace_back(-v.first, why);
    std::sort(order.begin(), order.end());
    fmt::print("{} ({} {}):\n", std::string(status) == "skip" ? "skipped" : "divergent by design",
               order.size(), order.size() == 1 ? "reason" : "reasons");
    for (std::size_t i = 0; i < order.size() && (details || i < kMaxReasonsShown); ++i) {
      const auto& [n, ops] = reasons[order[i].second];
      std::string op_list;
      for (const auto& op : ops) op_list += (op_list.empty() ? "" : ",") + op;
      fmt::print("  {:>5}  {:<16} {}\n", n, capped(op_list, 16), capped(order[i].second, kMaxReasonChars));
    }
    if (!details && order.size() > kMaxReasonsShown)
      fmt::print("  ... {} more reasons (--details, or parity show REPORT)\n",
                 order.size() - kMaxReasonsShown);
  }

  std::vector<const reports::CheckRecord*> failures;
  for (const auto& r : records)
    if (r.status == "fail") failures.push_back(&r);
  // Worst first: the largest error relative to its budget, NaN (no number) last.
  auto badness = [](const reports::CheckRecord* r) {
    const double ratio = r->budget > 0 ? r->max_ulp / r->budget : r->max_abs_err;
    return std::isnan(ratio) ? -1.0 : ratio;
  };
  std::stable_sort(failures.begin(), failures.end(),
                   [&](const auto* a, const auto* b) { return badness(a) > badness(b); });
  if (!failures.empty()) fmt::print("failures (worst first):\n");
  for (std::size_t i = 0; i < failures.size() && (details || i < kMaxFailuresShown); ++i)
    fmt::print("  FAIL {}: {}\n", capped(failures[i]->key, 80),
               capped(failures[i]->message, kMaxReasonChars));
  if (!details && failures.size() > kMaxFailuresShown)
    fmt::print("  ... {} more failures (--details, or parity show REPORT)\n",
               failures.size() - kMaxFailuresShown);
}

class CheckCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd =
        app.add_subcommand("check", "Run every spec op on both engines and compare; exit 1 on any failure");
    devices_opt_ = cmd->add_option("--devices", devices_,
                                   "Tensor devices, comma separated (default cpu,cuda; cuda is skipped when "
                                   "absent, and refused when asked for explicitly)");
    cmd->add_option("--ops", ops_, "Ops to check, comma separated (default: all)");
    cmd->add_option("--dtypes", dtypes_, "Dtypes to check (default: all)");
    cmd->add_option("--shard", shard_,
                    "Run one shard: I/N (0-based) or auto (Slurm array, Kubernetes Indexed Job)");
    cmd->add_flag("--details", details_, "Print the per-op table, every reason and every failure");
    out_opt_ = cmd->add_option("-o,--output", out_, "Write the report to this HDF5 file");
    cmd->add_option("--goldens", goldens_, "Replay only these golden files (datasets/README.md)");
    cmd->add_option("--datasets", datasets_,
                    "Folder of the committed goldens (default: $PARITY_DATASETS, else the source tree's)");
    cmd->footer(
        help_footer("cpu, cuda, cuda:N (the array engine is the reference, always run)",
                    "0 every case passed, diverged by design or was skipped; 1 a case failed; 2 bad "
                    "input, nothing selected, or cuda asked for without a device; 130/143 interrupted",
                    "parity check --ops add,sum --dtypes float32 --devices cpu -o check.h5"));
    return cmd;
  }

  int run(const std::string& command_line) override {
    check_output_option(out_opt_, out_);
    std::vector<std::string> device_names = devices_;
    if (devices_opt_->count()) device_names = split_list(devices_, "--devices");
    std::vector<core::Device> devices;
    for (const auto& d : device_names) devices.push_back(core::Device::parse(d));
    require_cuda_if_asked(devices_opt_, device_names);
    CaseFilter filter;
    filter.ops = parse_ops(split_list(ops_, "--ops"));
    filter.dtypes = parse_dtypes(split_list(dtypes_, "--dtypes"));
    const Shard shard = shard_.empty() ? Shard{} : parse_shard(shard_);
    reports::Report report;
    report.meta = collect_metadata("check", command_line);
    record_run(report.meta, shard, run_selection(command_line));
    // With --goldens only those files are replayed; without, the generated cases run and the
    // committed goldens are replayed too.
    const std::vector<std::string> golden_files = golden_paths(goldens_, datasets_);
    if (goldens_.empty()) {
      const std::vector<Case> cases = make_cases(filter);
      if (cases.empty())
        throw ValueError("the selection has no check case (no op of --ops accepts a dtype of --dtypes)");
      // run_check's loop, with the shard's filter: a case on a device belongs to the shard of
      // its record key's hash.
      for (const Case& c : cases)
        for (const core::Device& d : devices) {
          if (!shard.contains(c.key() + "|" + d.str())) continue;
          report.checks.push_back(check_case(c, d));
        }
      if (shard.active()) fmt::print("shard {}: ", shard.str());
      print_check(report.checks, details_);
    }
    for (auto& r : replay_goldens(golden_files, {devices, filter.ops, filter.dtypes, shard}))
      report.checks.push_back(std::move(r));
    print_golden_summary(report.checks);
    save(report, out_);
    for (const auto& r : report.checks)
      if (r.status == "fail") return kExitFail;
    return kExitOk;
  }

 private:
  std::vector<std::string> devices_{"cpu", "cuda"}, ops_, dtypes_, goldens_;
  std::string out_, shard_, datasets_;
  bool details_ = false;
  CLI::Option* devices_opt_ = nullptr;
  CLI::Option* out_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

}  // namespace parity::suite::cli
