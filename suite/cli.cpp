#include "suite/cli.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "engine/core/storage.h"
#include "kernels/cpu/parallel.h"
#include "reports/temporaries.h"
#include "suite/cli_common.h"

namespace parity::suite {
namespace {

std::string joined_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

// SIGINT and SIGTERM stop the run at once: the report writer's temporary (if one is being
// written) is unlinked and the process leaves with 128 + the signal, as shells report it.
// The report at -o is never touched: it is replaced only by the rename of a complete,
// verified temporary, so it holds either the old report or the new one. Only
// async-signal-safe calls here (unlink inside remove_temporaries, write, _exit).
extern "C" void on_stop_signal(int sig) {
  reports::remove_temporaries();
  const char* msg = sig == SIGINT ? "\nparity: interrupted (SIGINT); no report written\n"
                                  : "\nparity: terminated (SIGTERM); no report written\n";
  std::size_t len = 0;
  while (msg[len]) ++len;
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, msg, len);
  ::_exit(sig == SIGINT ? cli::kExitSigint : cli::kExitSigterm);
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // Block the other stop signal while one is handled, so the two never interleave.
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int run_cli(int argc, char** argv) {
  install_stop_handlers();
  CLI::App app{
      "parity: conformance checks and benchmarks for a NumPy-like array engine and a "
      "PyTorch-like tensor engine (cpu, cuda), with HDF5 reports"};
  app.require_subcommand(1);
  app.set_version_flag("--version", PARITY_VERSION_STRING);
  app.footer(
      "\nExit codes: 0 success; 1 a check failed or compare found a regression; 2 bad input or an "
      "error; 3 compare: environment mismatch under a policy; 130/143 interrupted (SIGINT/SIGTERM).\n"
      "Example: parity check --ops add,sum --devices cpu -o check.h5");

  std::vector<std::pair<std::unique_ptr<cli::Command>, CLI::App*>> commands;
  for (auto make : {cli::make_check_command, cli::make_bench_command, cli::make_show_command,
                    cli::make_compare_command, cli::make_merge_command, cli::make_spec_command,
                    cli::make_accuracy_command}) {
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
    std::cerr << "parity: error: " << cli::one_line(e.what()) << " (see parity --help)\n";
    return cli::kExitBadInput;
  }

  try {
    // A bad PARITY_NUM_THREADS or PARITY_HOST_CACHE_BYTES is one line and exit 2 before any
    // work, not a failure of the first call large enough to read it.
    kernels::cpu::num_threads();
    core::host_cache_cap();
    const std::string cmdline = joined_args(argc, argv);
    for (auto& [cmd, sub] : commands)
      if (*sub) return cmd->run(cmdline);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "parity: error: " << cli::one_line(e.what()) << "\n";
    return cli::kExitBadInput;
  }
  return cli::kExitBadInput;
}

}  // namespace parity::suite
