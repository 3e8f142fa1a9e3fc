// Test helper: copies a report with every bench sample multiplied by FACTOR, to make a
// report whose timings are worse (or better) than the original by construction.
// Usage: scale_report IN.h5 OUT.h5 FACTOR
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "reports/report.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: scale_report IN.h5 OUT.h5 FACTOR\n");
    return 2;
  }
  try {
    parity::reports::Report r = parity::reports::read_report(argv[1]);
    const double factor = std::strtod(argv[3], nullptr);
    for (auto& b : r.benches)
      for (double& s : b.samples) s *= factor;
    parity::reports::write_report(r, argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_report: %s\n", e.what());
    return 2;
  }
  return 0;
}
