#pragma once
// Human-readable output of a report and of a comparison: plain text for terminals,
// Markdown for CI job summaries and pull-request comments.
#include <string>

#include "reports/compare.h"
#include "reports/report.h"

namespace parity::reports {

enum class Format { Text, Markdown };

// Metadata block; for checks: counts by status, then a table of fail/divergent/skip rows
// (pass rows are counted, not listed, to keep output short) with key, errors and message;
// for benches: a table op | dtype | device | shape | median | GB/s | GFLOP/s | samples.
std::string render_summary(const Report& r, Format f = Format::Text);

// Counts per verdict, then the regressed and improved rows first, then a compact list.
std::string render_comparison(const Comparison& c, Format f = Format::Text);

// Seconds with a readable unit: "850 ns", "12.3 us", "1.20 ms", "2.50 s"; "n/a" for NaN.
std::string format_seconds(double seconds);

}  // namespace parity::reports
