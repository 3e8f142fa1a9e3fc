#pragma once
// What the `parity` subcommands share: the exit codes, the Command interface each
// subcommand implements (one file per subcommand: cli_check.cpp, cli_bench.cpp,
// cli_reports.cpp, cli_spec.cpp), and the argument parsers they have in common.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/spec/dtype.h"
#include "engine/spec/ops.h"
#include "reports/render.h"
#include "reports/report.h"

namespace parity::suite::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;      // a check failed, or compare found a regression
inline constexpr int kExitBadInput = 2;  // bad arguments or files, or an error

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

std::vector<spec::OpId> parse_ops(const std::vector<std::string>& names);
std::vector<spec::DType> parse_dtypes(const std::vector<std::string>& names);
reports::Format parse_format(const std::string& f);

// Refuses an output path whose folder is missing or not writable before any work is done.
void check_output_path(const std::string& path);
// Writes the report when a path was given and says where.
void save(const reports::Report& report, const std::string& path);

}  // namespace parity::suite::cli
