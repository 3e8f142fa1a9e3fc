#include "suite/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "suite/cli_common.h"

namespace parity::suite {
namespace {

std::string joined_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"parity: conformance checks and benchmarks for a NumPy-like array engine and a "
               "PyTorch-like tensor engine (cpu, cuda), with HDF5 reports"};
  app.require_subcommand(1);
  app.set_version_flag("--version", PARITY_VERSION_STRING);

  std::vector<std::pair<std::unique_ptr<cli::Command>, CLI::App*>> commands;
  for (auto make : {cli::make_check_command, cli::make_bench_command, cli::make_show_command,
                    cli::make_compare_command, cli::make_spec_command}) {
    std::unique_ptr<cli::Command> cmd = make();
    CLI::App* sub = cmd->add(app);
    commands.emplace_back(std::move(cmd), sub);
  }

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
    return cli::kExitBadInput;
  }

  try {
    const std::string cmdline = joined_args(argc, argv);
    for (auto& [cmd, sub] : commands)
      if (*sub) return cmd->run(cmdline);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "parity: error: " << e.what() << "\n";
    return cli::kExitBadInput;
  }
  return cli::kExitBadInput;
}

}  // namespace parity::suite
