#pragma once
// The `parity` command line: check, bench, show, compare, merge, spec.
// Exit codes: 0 success; 1 the check failed or the comparison found a regression;
// 2 bad input (arguments, files) or an error; 3 compare found an environment mismatch that
// its policy forbids; 130 / 143 stopped by SIGINT / SIGTERM (no report written, the old one
// left as it was).
namespace parity::suite {
int run_cli(int argc, char** argv);
}
