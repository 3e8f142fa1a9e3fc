#pragma once
// Output of a report (`parity show`) and of a comparison (`parity compare`) in four formats:
// text for terminals, Markdown for CI job summaries and pull-request comments, JSON with
// every case (schema in SCHEMA.md, "Compare output (JSON)"), and JUnit XML for the test
// reporters of GitLab, Jenkins and GitHub. Text and Markdown lead with counts, then what
// fails, then the largest changes, and cap their rows; JSON and JUnit hold every case.
#include <cstddef>
#include <ostream>
#include <string>

#include "reports/compare.h"
#include "reports/report.h"
#include "reports/report_table.h"

namespace parity::reports {

enum class Format { Text, Markdown, Json, Junit };

// "text", "markdown", "json", "junit"; throws parity::ValueError for anything else.
Format parse_output_format(const std::string& name);

struct RenderOptions {
  std::size_t max_rows = 20;      // rows per table in text and Markdown (0: no table rows)
  std::size_t max_chars = 60000;  // Markdown: rows are dropped until it fits (a pull-request
                                  // comment holds 65,536 characters)
};

void render_summary(std::ostream& out, const ReportTable& r, Format f, const RenderOptions& o = {});
void render_summary(std::ostream& out, const Report& r, Format f, const RenderOptions& o = {});
void render_comparison(std::ostream& out, const Comparison& c, Format f, const RenderOptions& o = {});
std::string render_summary(const ReportTable& r, Format f = Format::Text, const RenderOptions& o = {});
std::string render_summary(const Report& r, Format f = Format::Text, const RenderOptions& o = {});
std::string render_comparison(const Comparison& c, Format f = Format::Text, const RenderOptions& o = {});

// Seconds with a readable unit: "850 ns", "12.3 us", "1.20 ms", "2.50 s"; "n/a" for NaN.
std::string format_seconds(double seconds);

namespace detail {
// The machine formats (render_ci.cpp).
void summary_json(std::ostream& out, const ReportTable& r);
void summary_junit(std::ostream& out, const ReportTable& r);
void comparison_json(std::ostream& out, const Comparison& c);
void comparison_junit(std::ostream& out, const Comparison& c);
}  // namespace detail

}  // namespace parity::reports
