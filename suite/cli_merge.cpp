// `parity merge`: the shards of one run into one report.
#include <fmt/format.h>

#include "reports/merge.h"
#include "suite/cli_common.h"

namespace parity::suite::cli {
namespace {

class MergeCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd =
        app.add_subcommand("merge", "Merge the shard reports of one run (--shard I/N) into one report");
    cmd->add_option("reports", inputs_, "Shard reports (.h5), one per shard")->required();
    out_opt_ = cmd->add_option("-o,--output", out_, "The merged report (.h5)")->required();
    cmd->add_flag("--allow-partial", opts_.allow_partial, "Merge even when a shard is missing");
    std::string match;
    for (const auto& k : reports::merge_must_match()) match += (match.empty() ? "" : ", ") + k;
    cmd->footer("\nThe reports must be distinct shards of one run: same shard count and the same " + match +
                "; no case may appear twice.\nExit codes: 0 merged; 2 bad input (missing, overlapping or "
                "mismatched shards, unreadable files); 130/143 interrupted\n"
                "Example: parity merge shard-0.h5 shard-1.h5 shard-2.h5 shard-3.h5 -o check.h5\n");
    return cmd;
  }

  int run(const std::string&) override {
    check_output_option(out_opt_, out_);
    std::vector<reports::Report> parts;
    for (const auto& f : inputs_) parts.push_back(reports::read_report(f));
    const reports::Report merged = reports::merge_reports(parts, inputs_, opts_);
    fmt::print("merged {} reports ({} check cases, {} bench cases), shards {}\n", parts.size(),
               merged.checks.size(), merged.benches.size(), merged.meta.get("merged_shards"));
    save(merged, out_);
    return kExitOk;
  }

 private:
  std::vector<std::string> inputs_;
  std::string out_;
  reports::MergeOptions opts_;
  CLI::Option* out_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_merge_command() { return std::make_unique<MergeCommand>(); }

}  // namespace parity::suite::cli
