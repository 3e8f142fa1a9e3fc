// `parity show` and `parity compare`: reading reports back.
#include <fmt/format.h>

#include "reports/compare.h"
#include "suite/cli_common.h"

namespace parity::suite::cli {
namespace {

class ShowCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("show", "Print a report's summary");
    cmd->add_option("file", file_, "Report (.h5)")->required();
    cmd->add_option("--format", format_, "text or markdown")->capture_default_str();
    return cmd;
  }
  int run(const std::string&) override {
    const reports::Format f = parse_format(format_);
    fmt::print("{}", reports::render_summary(reports::read_report(file_), f));
    return kExitOk;
  }

 private:
  std::string file_, format_ = "text";
};

class CompareCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "compare", "Compare two reports case by case; exit 1 when a case regressed, 0 otherwise, 2 on bad input");
    cmd->add_option("base", base_, "Baseline report (.h5)")->required();
    cmd->add_option("new", next_, "New report (.h5)")->required();
    cmd->add_option("--threshold", opts_.threshold,
                    "A bench case regresses when its median time grows by more than this fraction "
                    "and the change is significant")
        ->capture_default_str()->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--alpha", opts_.alpha, "Significance level of the Mann-Whitney U test")
        ->capture_default_str()->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--format", format_, "text or markdown")->capture_default_str();
    return cmd;
  }
  int run(const std::string&) override {
    const reports::Format f = parse_format(format_);
    const reports::Report base = reports::read_report(base_);
    const reports::Report next = reports::read_report(next_);
    const reports::Comparison c = reports::compare(base, next, opts_);
    fmt::print("{}", reports::render_comparison(c, f));
    return c.regressed() ? kExitFail : kExitOk;
  }

 private:
  std::string base_, next_, format_ = "text";
  reports::CompareOptions opts_;
};

}  // namespace

std::unique_ptr<Command> make_show_command() { return std::make_unique<ShowCommand>(); }
std::unique_ptr<Command> make_compare_command() { return std::make_unique<CompareCommand>(); }

}  // namespace parity::suite::cli
