#pragma once
// Deterministic shards of a run (--shard I/N, --shard auto): a case belongs to shard
// fnv1a64(key) mod N, so each shard's case set is fixed by the keys alone (the same on every
// machine, whatever order the cases are made in) and the shards together hold every case
// exactly once.
#include <cstdint>
#include <functional>
#include <string>

namespace parity::suite {

struct Shard {
  int index = 0;  // 0-based
  int count = 1;  // 1 = not sharded
  bool active() const { return count > 1; }
  bool contains(const std::string& key) const;
  std::string str() const;  // "I/N"
};

// The environment variables --shard auto reads, in this order of preference:
// Slurm array jobs: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (task ids must be 0..N-1,
// e.g. --array=0-3). Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX, with the count from
// PARITY_SHARD_COUNT (set it to the Job's .spec.completions). Anywhere: PARITY_SHARD_INDEX
// and PARITY_SHARD_COUNT.
using GetEnv = std::function<const char*(const char*)>;
// Parses "I/N" (0 <= I < N <= 100000) or "auto" (from the environment through `getenv`).
// Throws ValueError with a one-line message naming what is wrong.
Shard parse_shard(const std::string& text, const GetEnv& getenv);
Shard parse_shard(const std::string& text);  // with ::getenv

std::uint64_t fnv1a64(const std::string& s);

}  // namespace parity::suite
