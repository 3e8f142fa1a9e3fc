#pragma once
// The `parity` command line: check, bench, show, compare, spec.
// Exit codes: 0 success; 1 the check failed or the comparison found a regression;
// 2 bad input (arguments, files) or an error.
namespace parity::suite {
int run_cli(int argc, char** argv);
}
