#include "reports/merge.h"

#include <charconv>
#include <set>
#include <string_view>
#include <unordered_set>

#include "engine/spec/error.h"

namespace parity::reports {
namespace {

struct ShardId {
  int index = 0, count = 0;
};

ShardId parse_shard_meta(const std::string& text, const std::string& name) {
  ShardId s;
  const auto slash = text.find('/');
  const std::string_view v(text);
  auto number = [&](std::string_view part, int& out) {
    const auto [end, err] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && err == std::errc() && end == part.data() + part.size();
  };
  if (text.empty())
    throw ValueError(name + " is not a shard (no shard metadata: it was written without --shard)");
  if (slash == std::string::npos || !number(v.substr(0, slash), s.index) ||
      !number(v.substr(slash + 1), s.count) || s.count < 2 || s.index < 0 || s.index >= s.count)
    throw ValueError(name + " has a malformed shard attribute '" + text + "'");
  return s;
}

}  // namespace

const std::vector<std::string>& merge_must_match() {
  static const std::vector<std::string> keys{
      "kind",       "selection",  "tool_version", "git_sha",      "compiler",       "cxx_flags",
      "build_type", "cuda_built", "cuda_archs",   "cpu_model",    "cpu_isa",        "cpu_cores",
      "os",         "gpu",        "gpu_driver",   "cuda_runtime", "instrumentation"};
  return keys;
}

Report merge_reports(const std::vector<Report>& parts, const std::vector<std::string>& names,
                     const MergeOptions& opts) {
  if (parts.empty()) throw ValueError("merge needs at least one report");
  if (names.size() != parts.size()) throw ValueError("merge: one name per report");
  const ShardId first = parse_shard_meta(parts[0].meta.get("shard"), names[0]);
  std::vector<int> owner(std::size_t(first.count), -1);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const ShardId s = parse_shard_meta(parts[i].meta.get("shard"), names[i]);
    if (s.count != first.count)
      throw ValueError(names[i] + " is shard " + std::to_string(s.index) + " of " + std::to_string(s.count) +
                       ", " + names[0] + " one of " + std::to_string(first.count));
    if (owner[std::size_t(s.index)] >= 0)
      throw ValueError(names[i] + " and " + names[std::size_t(owner[std::size_t(s.index)])] +
                       " are both shard " + std::to_string(s.index) + "/" + std::to_string(s.count));
    owner[std::size_t(s.index)] = int(i);
    for (const std::string& key : merge_must_match())
      if (parts[i].meta.get(key) != parts[0].meta.get(key))
        throw ValueError(names[i] + " is not from the same run as " + names[0] + ": " + key + " differs ('" +
                         parts[i].meta.get(key) + "' vs '" + parts[0].meta.get(key) + "')");
  }
  std::string present, missing;
  for (int k = 0; k < first.count; ++k)
    (owner[std::size_t(k)] >= 0 ? present : missing) +=
        ((owner[std::size_t(k)] >= 0 ? present : missing).empty() ? "" : ",") + std::to_string(k);
  if (!missing.empty() && !opts.allow_partial)
    throw ValueError("merge: shard(s) " + missing + " of " + std::to_string(first.count) +
                     " missing (pass them, or --allow-partial)");

  Report out;
  out.meta = parts[0].meta;
  std::erase_if(out.meta.entries, [](const auto& e) { return e.first == "shard"; });
  out.meta.set("merged_shards", missing.empty()
                                    ? std::to_string(first.count) + "/" + std::to_string(first.count)
                                    : present + " of " + std::to_string(first.count));
  std::unordered_set<std::string> seen;
  auto claim = [&](const std::string& key, std::size_t part) {
    if (!seen.insert(key).second)
      throw ValueError("merge: case " + key + " is in more than one report (" + names[part] +
                       " overlaps an earlier one): the shards overlap");
  };
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (const CheckRecord& r : parts[i].checks) {
      claim(r.key, i);
      out.checks.push_back(r);
    }
    for (const BenchRecord& r : parts[i].benches) {
      claim(r.key, i);
      out.benches.push_back(r);
    }
  }
  return out;
}

}  // namespace parity::reports
