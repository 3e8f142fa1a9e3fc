// Test helper: prints a report's metadata value KEY (with -m KEY) or one "key status" line
// per case, sorted, so shell tests can compare the case sets of two reports.
// Usage: report_keys REPORT.h5 | report_keys -m KEY REPORT.h5
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "reports/report.h"

int main(int argc, char** argv) {
  const bool meta = argc == 4 && std::strcmp(argv[1], "-m") == 0;
  if (argc != 2 && !meta) {
    std::fprintf(stderr, "usage: report_keys REPORT.h5 | report_keys -m KEY REPORT.h5\n");
    return 2;
  }
  try {
    const parity::reports::Report r = parity::reports::read_report(argv[argc - 1]);
    if (meta) {
      std::printf("%s\n", r.meta.get(argv[2]).c_str());
      return 0;
    }
    std::vector<std::string> lines;
    for (const auto& c : r.checks) lines.push_back(c.key + " " + c.status);
    for (const auto& b : r.benches) lines.push_back(b.key + " bench");
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) std::printf("%s\n", l.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "report_keys: %s\n", e.what());
    return 2;
  }
  return 0;
}
