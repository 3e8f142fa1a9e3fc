#pragma once
// What the `parity` subcommands share: the exit codes, the Command interface each
// subcommand implements (one file per subcommand: cli_check.cpp, cli_bench.cpp,
// cli_reports.cpp, cli_spec.cpp, cli_merge.cpp), and the argument parsers they have in common.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "reports/render.h"
#include "reports/report.h"

namespace parity::suite::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;         // a check failed, or compare found a regression
inline constexpr int kExitBadInput = 2;     // bad arguments or files, or an error
inline constexpr int kExitEnvironment = 3;  // compare: environment mismatch under a policy
inline constexpr int kExitSigint = 130;     // 128 + SIGINT
inline constexpr int kExitSigterm = 143;    // 128 + SIGTERM

// One subcommand. add() declares it and its options on the app; run() is called when the
// user chose it, after parsing, with the whole command line (for the report's metadata).
// Errors are thrown (parity::Error and friends); run_cli turns them into one line and exit 2.
class Command {
 public:
  virtual ~Command() = default;
  virtual CLI::App* add(CLI::App& app) = 0;
  virtual int run(const std::string& command_line) = 0;
};

std::unique_ptr<Command> make_check_command();
std::unique_ptr<Command> make_bench_command();
std::unique_ptr<Command> make_show_command();
std::unique_ptr<Command> make_compare_command();
std::unique_ptr<Command> make_spec_command();
std::unique_ptr<Command> make_merge_command();
std::unique_ptr<Command> make_accuracy_command();

// Splits comma-separated option values ("add,sum", given once or several times) and refuses
// empty items ("add,,sum", "add,", "") with a one-line ValueError naming `option`.
std::vector<std::string> split_list(const std::vector<std::string>& values, const std::string& option);
std::vector<spec::OpId> parse_ops(const std::vector<std::string>& names);
std::vector<spec::DType> parse_dtypes(const std::vector<std::string>& names);
std::vector<std::int64_t> parse_sizes(const std::vector<std::string>& values, const std::string& option);
reports::Format parse_format(const std::string& f);

// A CLI11 check: a finite number in [lo, hi] (CLI::Range lets NaN through).
CLI::Validator finite_range(double lo, double hi);

// The --help footer every command ends with: ops, dtypes, devices, exit codes, an example.
std::string help_footer(const std::string& devices, const std::string& exit_codes,
                        const std::string& example);

// An error message as one printable line (reports::escape::text): control characters as
// \xNN and at most kMaxErrorChars characters, so echoed input can neither split the line
// nor flood it.
inline constexpr std::size_t kMaxErrorChars = 400;
std::string one_line(std::string_view message);

// Refuses an output path before any work is done: a folder that is missing or not writable,
// an existing folder, device, FIFO or socket at the path, a name too long for the report
// writer's temporary beside it. "" (no -o given) passes.
void check_output_path(const std::string& path);
// As check_output_path, and refuses `-o ''` (given but empty) when `given`.
void check_output_option(const CLI::Option* option, const std::string& path);
// Writes the report when a path was given and says where.
void save(const reports::Report& report, const std::string& path);

// Throws when cuda was asked for explicitly (the option was given) but no device answers:
// "--devices cuda: no CUDA device (no driver)". Default runs skip cuda with a note instead.
void require_cuda_if_asked(const CLI::Option* devices_option, const std::vector<std::string>& devices);
// "no CUDA device (REASON)".
std::string no_cuda_message();

// The command line without the program name, -o/--output and --shard: what every shard of
// one run has in common (the report's "selection" metadata, which `parity merge` matches).
std::string run_selection(const std::string& command_line);

}  // namespace parity::suite::cli
