#include "suite/cli_common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "engine/spec/error.h"

namespace parity::suite::cli {

std::vector<spec::OpId> parse_ops(const std::vector<std::string>& names) {
  std::vector<spec::OpId> out;
  for (const auto& n : names) out.push_back(spec::find_op(n).id);
  return out;
}

std::vector<spec::DType> parse_dtypes(const std::vector<std::string>& names) {
  std::vector<spec::DType> out;
  for (const auto& n : names) out.push_back(spec::parse_dtype(n));
  return out;
}

reports::Format parse_format(const std::string& f) {
  if (f == "text") return reports::Format::Text;
  if (f == "markdown") return reports::Format::Markdown;
  throw ValueError("unknown format '" + f + "' (expected text or markdown)");
}

void check_output_path(const std::string& path) {
  if (path.empty()) return;  // no -o: nothing to write
  reports::check_output_path(path);
}

void save(const reports::Report& report, const std::string& path) {
  if (path.empty()) return;
  reports::write_report(report, path);
  fmt::print("report written to {}\n", path);
}

}  // namespace parity::suite::cli
