// `parity show` and `parity compare`: reading reports back, in text, Markdown, JSON or JUnit,
// to stdout and to files (several --format/--output pairs in one command).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/spec/error.h"
#include "reports/compare.h"
#include "reports/escape.h"
#include "reports/report_table.h"
#include "suite/cli_common.h"

namespace parity::suite::cli {
namespace {

struct Output {
  reports::Format format = reports::Format::Text;
  std::string path;  // "" or "-": stdout
};

reports::Format format_for_extension(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".json") return reports::Format::Json;
  if (ext == ".xml") return reports::Format::Junit;
  if (ext == ".md") return reports::Format::Markdown;
  if (ext == ".txt") return reports::Format::Text;
  throw ValueError("--output " + reports::escape::text(path, 200) +
                   " has no --format before it, and its extension says none (.txt, .md, .json, .xml)");
}

// Pairs each --output with the nearest --format before it that has no output yet, in the
// order they were given; formats left without a file go to stdout (at most one), and when
// every format has a file, text goes to stdout as well.
std::vector<Output> outputs_in_order(const CLI::App& cmd, const CLI::Option* fmt_opt,
                                     const CLI::Option* out_opt) {
  std::vector<Output> outs;
  std::size_t fi = 0, oi = 0;
  const auto& formats = fmt_opt->results();
  const auto& paths = out_opt->results();
  std::vector<bool> has_path;
  for (const CLI::Option* o : cmd.parse_order()) {
    if (o == fmt_opt && fi < formats.size()) {
      outs.push_back({reports::parse_output_format(formats[fi++]), ""});
      has_path.push_back(false);
    } else if (o == out_opt && oi < paths.size()) {
      const std::string& p = paths[oi++];
      if (p.empty()) throw ValueError("--output needs a file name (or - for stdout)");
      std::size_t k = outs.size();
      while (k > 0 && !has_path[k - 1]) --k;
      if (k < outs.size()) {
        outs[k].path = p;
        has_path[k] = true;
      } else {
        outs.push_back({format_for_extension(p), p});
        has_path.push_back(true);
      }
    }
  }
  std::size_t to_stdout = 0;
  for (const Output& o : outs) to_stdout += o.path.empty() || o.path == "-";
  if (to_stdout > 1)
    throw ValueError("more than one --format goes to stdout: give each but one an --output FILE");
  if (to_stdout == 0) outs.push_back({reports::Format::Text, ""});
  return outs;
}

// Refuses outputs that would overwrite an input or each other, or that cannot be written,
// before any report is read.
void check_outputs(const std::vector<Output>& outs, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const std::string& p = outs[i].path;
    if (p.empty() || p == "-") continue;
    check_output_path(p);
    std::error_code ec;
    for (const std::string& in : inputs) {
      if (fs::equivalent(p, in, ec) ||
          fs::absolute(p).lexically_normal() == fs::absolute(in).lexically_normal())
        throw ValueError("--output " + reports::escape::text(p, 200) + " is one of the input reports");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (outs[j].path == p)
        throw ValueError("--output " + reports::escape::text(p, 200) + " is given twice");
    }
  }
}

// Writes beside the target and renames, so a failed write never leaves half a file.
template <class Render>
void emit(const Output& o, const Render& render) {
  if (o.path.empty() || o.path == "-") {
    render(std::cout);
    std::cout.flush();
    if (!std::cout) throw RuntimeError("cannot write to stdout");
    return;
  }
  const std::string tmp = o.path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw RuntimeError("cannot write " + reports::escape::text(o.path, 200));
    render(f);
    f.flush();
    if (!f) {
      f.close();
      std::remove(tmp.c_str());
      throw RuntimeError("cannot write " + reports::escape::text(o.path, 200) + " (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), o.path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw RuntimeError("cannot write " + reports::escape::text(o.path, 200));
  }
}

void add_output_options(CLI::App* cmd, CLI::Option*& fmt_opt, CLI::Option*& out_opt,
                        std::vector<std::string>& f, std::vector<std::string>& o,
                        reports::RenderOptions& ro) {
  fmt_opt = cmd->add_option("--format", f,
                            "text, markdown, json or junit; repeat with --output FILE after each for several "
                            "outputs (a format without --output goes to stdout; text goes there otherwise)");
  out_opt = cmd->add_option("--output", o,
                            "File for the --format before it (written whole or not at all); - is stdout; "
                            "alone, the format comes from the extension (.txt .md .json .xml)");
  cmd->add_option("--max-rows", ro.max_rows,
                  "Rows per table in text and Markdown (JSON and JUnit hold every case)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
}

class ShowCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("show", "Print a report's summary");
    cmd->add_option("file", file_, "Report (.h5)")->required();
    add_output_options(cmd, fmt_opt_, out_opt_, formats_, outputs_, render_);
    cmd->footer(
        "Exit codes: 0 shown, 2 bad input (missing, damaged or foreign file, bad option).\n"
        "Example: parity show check.h5 --format markdown --output summary.md --format junit --output "
        "check.xml");
    cmd_ = cmd;
    return cmd;
  }
  int run(const std::string&) override {
    const std::vector<Output> outs = outputs_in_order(*cmd_, fmt_opt_, out_opt_);
    check_outputs(outs, {file_});
    const reports::ReportTable r = reports::read_report_table(file_);
    for (const Output& o : outs)
      emit(o, [&](std::ostream& s) { reports::render_summary(s, r, o.format, render_); });
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  CLI::Option *fmt_opt_ = nullptr, *out_opt_ = nullptr;
  std::string file_;
  std::vector<std::string> formats_, outputs_;
  reports::RenderOptions render_;
};

std::vector<std::pair<std::string, std::string>> parse_filters(const std::vector<std::string>& items,
                                                               const char* option) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& known = reports::identity_fields();
  for (const std::string& it : items) {
    const auto eq = it.find('=');
    const std::string field = it.substr(0, eq);
    if (eq == std::string::npos || eq == 0 || std::find(known.begin(), known.end(), field) == known.end())
      throw ValueError(
          fmt::format("{} takes FIELD=PATTERN with FIELD one of kind, op, engine, dtype, device, "
                      "shapes, layout, mode, params, timer; got {}",
                      option, reports::escape::text(it, 80)));
    out.emplace_back(field == "shape" ? "shapes" : field, it.substr(eq + 1));
  }
  return out;
}

class CompareCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "compare",
        "Compare reports case by case: BASE... NEW (several baselines give the run-to-run noise); "
        "exit 0 no regression, 1 regression, 2 bad input, 3 environment mismatch under the policy");
    cmd->add_option("reports", files_,
                    "Baseline report(s), then the new report (.h5); the last one is the new one")
        ->required();
    cmd->add_option("--baseline", baselines_, "A further baseline report (repeatable)");
    cmd->add_option("--policy", policy_file_,
                    "Policy file: thresholds per op/dtype/device, what fails (docs/ci.md)");
    auto& l = opts_.policy.limits;
    threshold_ =
        cmd->add_option("--threshold", l.threshold,
                        "Practical threshold: slower/faster only past this fraction of the median time")
            ->capture_default_str()
            ->check(CLI::Range(0.0, 100.0));
    margin_ =
        cmd->add_option("--margin", l.margin, "Equivalence margin: 'same' when the interval lies within it")
            ->capture_default_str()
            ->check(CLI::Range(0.0, 100.0));
    alpha_ = cmd->add_option("--alpha", opts_.policy.alpha,
                             "False discovery rate (Benjamini-Hochberg over the bench cases)")
                 ->capture_default_str()
                 ->check(CLI::Range(1e-12, 0.4999));
    noise_ = cmd->add_option("--noise", l.noise, "Run-to-run relative deviation assumed with one baseline")
                 ->capture_default_str()
                 ->check(CLI::Range(0.0, 10.0));
    noise_floor_ =
        cmd->add_option("--noise-floor", l.noise_floor, "Least run-to-run deviation used with history")
            ->capture_default_str()
            ->check(CLI::Range(0.0, 10.0));
    instr_ =
        cmd->add_option("--instructions-threshold", l.instructions, "Instruction-count growth that fails")
            ->capture_default_str()
            ->check(CLI::Range(0.0, 100.0));
    ulp_ = cmd->add_option("--ulp-fraction", l.ulp_fraction,
                           "Max ULP growth, as a fraction of the case's budget, that makes a check worse")
               ->capture_default_str()
               ->check(CLI::Range(0.0, 1e6));
    allow_removed_ = cmd->add_flag("--allow-removed", allow_removed_flag_,
                                   "Cases missing from the new report do not fail");
    cmd->add_option("--match", match_,
                    "Fields cases are matched on, comma-separated (kind, op, engine, dtype, device, shapes, "
                    "layout, mode, params, timer); default: the whole key")
        ->delimiter(',');
    cmd->add_option("--base-filter", base_filter_,
                    "FIELD=PATTERN: only baseline cases that match (repeatable)");
    cmd->add_option("--new-filter", new_filter_, "FIELD=PATTERN: only new cases that match (repeatable)");
    add_output_options(cmd, fmt_opt_, out_opt_, formats_, outputs_, render_);
    cmd->footer(
        "Exit codes: 0 no regression; 1 a case fails the gate (slower, more instructions or allocations, "
        "worse "
        "accuracy, a removed case); 2 bad input (unreadable report, check against bench, empty report, "
        "samples "
        "that are not times); 3 the environment differs where the policy's env_must_match forbids it.\n"
        "Examples:\n"
        "  parity compare old1.h5 old2.h5 old3.h5 new.h5 --format markdown --output cmp.md --format junit "
        "--output cmp.xml\n"
        "  parity compare run.h5 run.h5 --match op,dtype,shape --base-filter device=cpu --new-filter "
        "device=cuda");
    cmd_ = cmd;
    return cmd;
  }

  int run(const std::string&) override {
    const std::vector<Output> outs = outputs_in_order(*cmd_, fmt_opt_, out_opt_);
    std::vector<std::string> base_files = baselines_;
    base_files.insert(base_files.end(), files_.begin(), files_.end() - 1);
    const std::string next_file = files_.back();
    if (base_files.empty()) throw ValueError("compare needs a baseline and a new report (BASE... NEW)");
    std::vector<std::string> inputs = base_files;
    inputs.push_back(next_file);
    check_outputs(outs, inputs);

    reports::CompareOptions opts = opts_;
    if (!policy_file_.empty()) {
      // The policy sets the defaults; options given on the command line win over it.
      opts.policy = reports::read_policy(policy_file_);
      auto& l = opts.policy.limits;
      const auto& given = opts_.policy.limits;
      if (threshold_->count()) l.threshold = given.threshold;
      if (margin_->count()) l.margin = given.margin;
      if (noise_->count()) l.noise = given.noise;
      if (noise_floor_->count()) l.noise_floor = given.noise_floor;
      if (instr_->count()) l.instructions = given.instructions;
      if (ulp_->count()) l.ulp_fraction = given.ulp_fraction;
      if (alpha_->count()) opts.policy.alpha = opts_.policy.alpha;
    }
    if (allow_removed_->count()) opts.policy.fail_removed = false;
    opts.match = match_;
    opts.base_filter = parse_filters(base_filter_, "--base-filter");
    opts.next_filter = parse_filters(new_filter_, "--new-filter");

    // The same file given twice (one report against itself, filtered) is read once.
    std::vector<reports::ReportTable> loaded;
    loaded.reserve(inputs.size());
    std::vector<const reports::ReportTable*> ptrs;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      std::size_t same = i;
      for (std::size_t j = 0; j < i; ++j) {
        if (inputs[j] == inputs[i]) same = j;
      }
      if (same == i) {
        loaded.push_back(reports::read_report_table(inputs[i]));
        ptrs.push_back(&loaded.back());
      } else {
        ptrs.push_back(ptrs[same]);
      }
      names.push_back(reports::escape::text(inputs[i], 200));
    }
    const reports::ReportTable* next = ptrs.back();
    ptrs.pop_back();
    const reports::Comparison c = reports::compare(ptrs, *next, opts, names);
    for (const Output& o : outs)
      emit(o, [&](std::ostream& s) { reports::render_comparison(s, c, o.format, render_); });
    return c.exit_code();
  }

 private:
  CLI::App* cmd_ = nullptr;
  CLI::Option *fmt_opt_ = nullptr, *out_opt_ = nullptr, *threshold_ = nullptr, *margin_ = nullptr,
              *alpha_ = nullptr, *noise_ = nullptr, *noise_floor_ = nullptr, *instr_ = nullptr,
              *ulp_ = nullptr, *allow_removed_ = nullptr;
  std::vector<std::string> files_, baselines_, match_, base_filter_, new_filter_, formats_, outputs_;
  std::string policy_file_;
  bool allow_removed_flag_ = false;
  reports::CompareOptions opts_;
  reports::RenderOptions render_;
};

}  // namespace

std::unique_ptr<Command> make_show_command() { return std::make_unique<ShowCommand>(); }
std::unique_ptr<Command> make_compare_command() { return std::make_unique<CompareCommand>(); }

}  // namespace parity::suite::cli
