#include "suite/shard.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "engine/spec/error.h"

namespace parity::suite {
namespace {

constexpr int kMaxShards = 100000;

// A whole non-negative decimal number, nothing else (no sign, no spaces, no overflow).
bool parse_count(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  const auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), out);
  return err == std::errc() && end == s.data() + s.size() && out >= 0;
}

Shard make(int index, int count, const std::string& where) {
  if (count < 1 || count > kMaxShards)
    throw ValueError("shard count must be 1.." + std::to_string(kMaxShards) + ", got " +
                     std::to_string(count) + where);
  if (index < 0 || index >= count)
    throw ValueError("shard index must be 0.." + std::to_string(count - 1) + " for " + std::to_string(count) +
                     " shards, got " + std::to_string(index) + where);
  return Shard{index, count};
}

int env_number(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  int n = 0;
  if (!v || !parse_count(v, n))
    throw ValueError(std::string("--shard auto: ") + name + " is " + (v ? "not a whole number" : "not set"));
  return n;
}

}  // namespace

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool Shard::contains(const std::string& key) const {
  return count <= 1 || fnv1a64(key) % std::uint64_t(count) == std::uint64_t(index);
}

std::string Shard::str() const { return std::to_string(index) + "/" + std::to_string(count); }

Shard parse_shard(const std::string& text, const GetEnv& getenv) {
  if (text == "auto") {
    if (getenv("SLURM_ARRAY_TASK_ID")) {
      if (!getenv("SLURM_ARRAY_TASK_COUNT"))
        throw ValueError("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
      return make(env_number(getenv, "SLURM_ARRAY_TASK_ID"), env_number(getenv, "SLURM_ARRAY_TASK_COUNT"),
                  " (from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT; use --array=0-N-1)");
    }
    if (getenv("JOB_COMPLETION_INDEX")) {
      if (!getenv("PARITY_SHARD_COUNT"))
        throw ValueError(
            "--shard auto: JOB_COMPLETION_INDEX is set but PARITY_SHARD_COUNT is not (set it to the "
            "Job's completions)");
      return make(env_number(getenv, "JOB_COMPLETION_INDEX"), env_number(getenv, "PARITY_SHARD_COUNT"),
                  " (from JOB_COMPLETION_INDEX/PARITY_SHARD_COUNT)");
    }
    if (getenv("PARITY_SHARD_INDEX"))
      return make(env_number(getenv, "PARITY_SHARD_INDEX"), env_number(getenv, "PARITY_SHARD_COUNT"),
                  " (from PARITY_SHARD_INDEX/PARITY_SHARD_COUNT)");
    throw ValueError(
        "--shard auto: no shard in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or "
        "PARITY_SHARD_INDEX, each with its count)");
  }
  const auto slash = text.find('/');
  int index = 0, count = 0;
  if (slash == std::string::npos || !parse_count(std::string_view(text).substr(0, slash), index) ||
      !parse_count(std::string_view(text).substr(slash + 1), count))
    throw ValueError("--shard expects I/N (e.g. 0/4) or auto, got '" + text + "'");
  return make(index, count, "");
}

Shard parse_shard(const std::string& text) {
  return parse_shard(text, [](const char* name) -> const char* { return std::getenv(name); });
}

}  // namespace parity::suite
