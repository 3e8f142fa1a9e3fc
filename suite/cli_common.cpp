#include "suite/cli_common.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "engine/spec/error.h"
#include "engine/tensor/tensor.h"
#include "kernels/common/cuda_runtime.h"
#include "reports/escape.h"

namespace parity::suite::cli {

std::vector<std::string> split_list(const std::vector<std::string>& values, const std::string& option) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = v.find(',', start);
      const std::string item =
          v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (item.empty()) throw ValueError(option + ": empty item in '" + v + "'");
      out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

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

std::vector<std::int64_t> parse_sizes(const std::vector<std::string>& values, const std::string& option) {
  std::vector<std::int64_t> out;
  for (const std::string& item : split_list(values, option)) {
    std::int64_t n = 0;
    const auto [end, err] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (err != std::errc() || end != item.data() + item.size() || n <= 0)
      throw ValueError(option + " expects positive element counts, got '" + item + "'");
    out.push_back(n);
  }
  return out;
}

reports::Format parse_format(const std::string& f) {
  if (f == "text") return reports::Format::Text;
  if (f == "markdown") return reports::Format::Markdown;
  throw ValueError("unknown format '" + f + "' (expected text or markdown)");
}

CLI::Validator finite_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        double v = 0;
        std::istringstream in(text);
        if (!(in >> v) || !in.eof()) return "'" + text + "' is not a number";
        if (!std::isfinite(v) || v < lo || v > hi)
          return fmt::format("'{}' is not a finite number in [{}, {}]", text, lo, hi);
        return "";
      },
      fmt::format("NUMBER in [{} - {}]", lo, hi));
}

std::string help_footer(const std::string& devices, const std::string& exit_codes,
                        const std::string& example) {
  std::string ops, dtypes;
  for (const spec::OpSpec& op : spec::op_table()) ops += (ops.empty() ? "" : ", ") + std::string(op.name);
  for (spec::DType d : spec::kAllDTypes)
    dtypes += (dtypes.empty() ? "" : ", ") + std::string(spec::dtype_name(d));
  return fmt::format("\nOps: {}\nDtypes: {}\nDevices: {}\nExit codes: {}\nExample: {}\n", ops, dtypes,
                     devices, exit_codes, example);
}

std::string one_line(std::string_view message) { return reports::escape::text(message, kMaxErrorChars); }

void check_output_path(const std::string& path) {
  if (path.empty()) return;  // no -o: nothing to write
  // One rule for every command, the report writer's own: folder, name length, and no device,
  // FIFO, socket or folder in the way.
  reports::check_output_path(path);
}

void check_output_option(const CLI::Option* option, const std::string& path) {
  if (option && option->count() > 0 && path.empty())
    throw ValueError(option->get_name() + " needs a file name (got an empty one)");
  check_output_path(path);
}

void save(const reports::Report& report, const std::string& path) {
  if (path.empty()) return;
  reports::write_report(report, path);
  fmt::print("report written to {}\n", path);
}

std::string no_cuda_message() { return "no CUDA device (" + kernels::cuda::unavailable_reason() + ")"; }

void require_cuda_if_asked(const CLI::Option* devices_option, const std::vector<std::string>& devices) {
  if (!devices_option || devices_option->count() == 0 || tensor::cuda_available()) return;
  for (const std::string& d : devices)
    if (d.rfind("cuda", 0) == 0) throw DeviceError("--devices " + d + ": " + no_cuda_message());
}

std::string run_selection(const std::string& command_line) {
  std::istringstream in(command_line);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  std::string out;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "-o" || t == "--output" || t == "--shard") {
      ++i;  // and its value
      continue;
    }
    if (t.rfind("--output=", 0) == 0 || t.rfind("--shard=", 0) == 0 ||
        (t.rfind("-o", 0) == 0 && t.size() > 2))
      continue;
    out += (out.empty() ? "" : " ") + t;
  }
  return out;
}

}  // namespace parity::suite::cli
