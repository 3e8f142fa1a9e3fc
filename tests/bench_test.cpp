// The bench's statistics and counters, the shard function, and report merging.
#include "suite/bench.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "engine/spec/error.h"
#include "reports/merge.h"
#include "suite/instructions.h"
#include "suite/shard.h"

namespace ps = parity::suite;
namespace pr = parity::reports;

TEST(MedianCi, OrderStatistics) {
  // n = 20: ranks 5 and 16 (1-based) bracket the median; samples 1..20, median 10.5.
  std::vector<double> x;
  for (int i = 20; i >= 1; --i) x.push_back(i);  // unsorted on purpose
  EXPECT_DOUBLE_EQ(ps::median_ci_halfwidth(x), (16.0 - 5.0) / 2 / 10.5);
  EXPECT_TRUE(std::isinf(ps::median_ci_halfwidth({1.0, 2.0})));
  EXPECT_DOUBLE_EQ(ps::median_ci_halfwidth(std::vector<double>(10, 3.0)), 0.0);
}

TEST(BenchDefaults, QuickAndFull) {
  ps::BenchOptions o;
  ps::Sampling full = ps::resolve(o);
  EXPECT_EQ(full.min_samples, 10);
  EXPECT_EQ(full.max_samples, 50);
  o.quick = true;
  EXPECT_EQ(ps::resolve(o).min_samples, 5);
  o.repetitions = 7;
  EXPECT_EQ(ps::resolve(o).min_samples, 7);
  EXPECT_EQ(ps::resolve(o).max_samples, 7);
}

ps::BenchOptions tiny(const std::string& device) {
  ps::BenchOptions o;
  o.devices = {device};
  o.ops = {parity::spec::find_op("add").id};
  o.sizes = {4096};
  o.conversions = false;
  o.repetitions = 3;
  o.min_time = 1e-4;
  o.warmup = 0;
  o.counters = true;
  return o;
}

double counter(const pr::BenchRecord& r, const std::string& name) {
  for (const auto& [k, v] : r.counters)
    if (k == name) return v;
  return -1;
}

TEST(BenchCounters, OneOutputAllocationPerAdd) {
  // The tensor engine's add of two 4096-element float32 tensors allocates exactly its output.
  const ps::BenchResult res = ps::run_bench(tiny("cpu"));
  ASSERT_EQ(res.records.size(), 1u);
  const pr::BenchRecord& r = res.records[0];
  EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(counter(r, "allocations"), 1.0);
  EXPECT_EQ(counter(r, "bytes_allocated"), 4096.0 * 4);
  EXPECT_EQ(r.counter_source, "count");
  EXPECT_EQ(counter(r, "kernel_launches"), -1.0);  // cuda only
}

TEST(BenchSelection, NothingSelectedIsAnError) {
  ps::BenchOptions o = tiny("cpu");
  o.ops = {parity::spec::find_op("matmul").id};
  o.dtypes = {parity::spec::DType::Bool};
  EXPECT_THROW(ps::run_bench(o), parity::ValueError);
}

// --reduce-over: a reduction is timed over every axis of (n,) (its key unchanged), axis 1
// or 0 of a matrix, or axes 0 and 2 of a cube; ops that PyTorch reduces over one dim only
// get no "several" case; a non-reduction is timed once; an unknown choice is refused.
TEST(BenchSelection, ReduceOver) {
  ps::BenchOptions o = tiny("cpu");
  o.sizes = {4096};
  o.counters = false;
  o.repetitions = 1;
  o.ops = {parity::spec::find_op("sum").id, parity::spec::find_op("prod").id, parity::spec::find_op("neg").id};
  o.reduce_over = ps::parse_reduce_over({"all", "inner", "outer", "several", "outer"});
  std::set<std::string> keys;
  for (const auto& r : ps::run_bench(o).records) keys.insert(r.key);
  EXPECT_EQ(keys, (std::set<std::string>{
                      "neg|float32|cpu|(4096,)", "prod|float32|cpu|(4096,)", "prod|float32|cpu|(64,64) axes=(0,)",
                      "prod|float32|cpu|(64,64) axes=(1,)", "sum|float32|cpu|(16,16,16) axes=(0,2)",
                      "sum|float32|cpu|(4096,)", "sum|float32|cpu|(64,64) axes=(0,)",
                      "sum|float32|cpu|(64,64) axes=(1,)"}));
  EXPECT_THROW(ps::parse_reduce_over({"rows"}), parity::ValueError);
}

TEST(BenchShards, PartitionTheCases) {
  ps::BenchOptions o = tiny("cpu");
  o.sizes = {64, 128, 256, 512, 1024};
  o.ops = {};
  o.counters = false;
  o.repetitions = 1;
  std::set<std::string> all;
  for (const auto& r : ps::run_bench(o).records) all.insert(r.key);
  std::multiset<std::string> sharded;
  for (int i = 0; i < 3; ++i) {
    o.shard = {i, 3};
    for (const auto& r : ps::run_bench(o).records) sharded.insert(r.key);
  }
  EXPECT_EQ(std::set<std::string>(sharded.begin(), sharded.end()), all);
  EXPECT_EQ(sharded.size(), all.size());  // no key in two shards
}

TEST(Shard, Parse) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  const ps::Shard s = ps::parse_shard("2/4", env({}));
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "1/", "/4", "a/b", "1/4x", "1/99999999999", ""})
    EXPECT_THROW(ps::parse_shard(bad, env({})), parity::ValueError) << bad;
  EXPECT_EQ(
      ps::parse_shard("auto", env({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "8"}})).str(),
      "3/8");
  EXPECT_EQ(ps::parse_shard("auto", env({{"JOB_COMPLETION_INDEX", "0"}, {"PARITY_SHARD_COUNT", "2"}})).str(),
            "0/2");
  EXPECT_THROW(ps::parse_shard("auto", env({{"JOB_COMPLETION_INDEX", "0"}})), parity::ValueError);
  EXPECT_THROW(ps::parse_shard("auto", env({{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_COUNT", "8"}})),
               parity::ValueError);
  EXPECT_THROW(ps::parse_shard("auto", env({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "8"}})),
               parity::ValueError);
  EXPECT_THROW(ps::parse_shard("auto", env({})), parity::ValueError);
  // The same key always lands in the same shard: FNV-1a's published test vector.
  EXPECT_EQ(ps::fnv1a64("a"), 0xaf63dc4c8601ec8cull);
}

pr::Report shard_report(int index, int count, std::vector<std::string> keys) {
  pr::Report r;
  r.meta.set("kind", "check");
  r.meta.set("selection", "check --ops add");
  r.meta.set("shard", std::to_string(index) + "/" + std::to_string(count));
  for (const auto& k : keys) {
    pr::CheckRecord c;
    c.key = k;
    c.status = "pass";
    r.checks.push_back(c);
  }
  return r;
}

TEST(Merge, RefusesOverlapMismatchAndGaps) {
  const pr::Report a = shard_report(0, 2, {"x", "y"}), b = shard_report(1, 2, {"z"});
  const pr::Report m = pr::merge_reports({a, b}, {"a", "b"});
  EXPECT_EQ(m.checks.size(), 3u);
  EXPECT_FALSE(m.meta.has("shard"));
  EXPECT_EQ(m.meta.get("merged_shards"), "2/2");
  EXPECT_THROW(pr::merge_reports({a, a}, {"a", "a2"}), parity::ValueError);  // same shard twice
  EXPECT_THROW(pr::merge_reports({a, shard_report(1, 2, {"y"})}, {"a", "c"}), parity::ValueError);  // overlap
  EXPECT_THROW(pr::merge_reports({a}, {"a"}), parity::ValueError);  // shard 1 missing
  EXPECT_EQ(pr::merge_reports({a}, {"a"}, {.allow_partial = true}).meta.get("merged_shards"), "0 of 2");
  EXPECT_THROW(pr::merge_reports({a, shard_report(1, 3, {"z"})}, {"a", "c"}), parity::ValueError);  // counts
  pr::Report other = b;
  other.meta.set("git_sha", "different");
  EXPECT_THROW(pr::merge_reports({a, other}, {"a", "c"}), parity::ValueError);
  pr::Report bench = b;
  bench.meta.set("kind", "bench");
  EXPECT_THROW(pr::merge_reports({a, bench}, {"a", "c"}), parity::ValueError);
  pr::Report unsharded = b;
  unsharded.meta.entries.clear();
  EXPECT_THROW(pr::merge_reports({a, unsharded}, {"a", "c"}), parity::ValueError);
}

// Runs only under valgrind (the ctest entry bench_callgrind starts it so): callgrind's
// instruction counts per case must be present and grow with the work.
TEST(Callgrind, InstructionsPerCase) {
  if (!ps::running_on_valgrind()) GTEST_SKIP() << "not under valgrind";
  ps::BenchOptions o = tiny("array");
  o.sizes = {1024, 65536};
  o.repetitions = 1;
  o.instructions = ps::InstructionSource::Callgrind;
  const ps::BenchResult res = ps::run_bench(o);
  ASSERT_EQ(res.records.size(), 2u);
  const double small = counter(res.records[0], "instructions"),
               large = counter(res.records[1], "instructions");
  std::printf("instructions per iteration: %.0f (1024 elements), %.0f (65536)\n", small, large);
  EXPECT_EQ(res.records[0].counter_source, "callgrind");
  // The array engine's contiguous rows are vectorised (SSE2 here: 4 floats per add; measured
  // 1.75 instructions per extra element), so the bound is 1 per 8 elements: even a 16-float
  // AVX-512 loop spends two loads, an add, a store and its own step per 16 (0.3 per element).
  // 64x the elements must add at least that per extra element; a fixed cost dominates the
  // small case.
  EXPECT_GT(small, 1024 / 8);
  EXPECT_GT(large - small, (65536 - 1024) / 8);
}
