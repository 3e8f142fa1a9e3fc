// Tests of compare(): the noise model and its verdicts, Benjamini-Hochberg control, every
// gate (time, counters, accuracy, coverage, kinds, empty and damaged input, environment),
// --match across devices, the policy file, and the text/Markdown/JSON/JUnit outputs with
// their caps and escaping. The statistics are checked against values worked out by hand.
#include "reports/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "reports/escape.h"
#include "reports/policy.h"
#include "reports/render.h"
#include "reports/stats.h"

namespace {

using parity::reports::BenchRecord;
using parity::reports::CaseChange;
using parity::reports::CheckRecord;
using parity::reports::CompareOptions;
using parity::reports::Comparison;
using parity::reports::Format;
using parity::reports::kNaN;
using parity::reports::Report;
using parity::reports::Verdict;
namespace stats = parity::reports::stats;
namespace esc = parity::reports::escape;

CheckRecord check(const std::string& key, const std::string& status, double ulp = 0.5, double budget = 4,
                  const std::string& message = "") {
  CheckRecord c;
  c.key = key;
  c.op = key.substr(0, key.find('|'));
  c.dtype = "float32";
  c.device = "cpu";
  c.shapes = "(8,)";
  c.layout = "contiguous";
  c.mode = "forward";
  c.reference = "array";
  c.status = status;
  c.max_abs_err = 1e-7;
  c.max_rel_err = 1e-7;
  c.max_ulp = ulp;
  c.budget = budget;
  c.message = message;
  return c;
}

BenchRecord bench(const std::string& op, const std::string& device, std::vector<double> samples,
                  const std::string& shape = "(4096,)") {
  BenchRecord b;
  b.op = op;
  b.dtype = "float32";
  b.device = device;
  b.shape = shape;
  b.key = op + "|float32|" + device + "|" + shape;
  b.numel = 4096;
  b.timer = "wall";
  b.samples = std::move(samples);
  return b;
}

Report check_report(std::vector<CheckRecord> cs) {
  Report r;
  r.meta.set("kind", "check");
  r.checks = std::move(cs);
  return r;
}

Report bench_report(std::vector<BenchRecord> bs) {
  Report r;
  r.meta.set("kind", "bench");
  r.benches = std::move(bs);
  return r;
}

// One simulated bench run of `cases` cases: each case's true time is 1 us * (1 + case), the
// run draws one drift per case (run-to-run, relative sd `drift`) and `n` samples with
// within-run sd `within`. `slow_case` (if >= 0) is `factor` times slower.
Report simulated_run(std::mt19937_64& rng, int cases, double drift, double within, int n = 5,
                     int slow_case = -1, double factor = 1) {
  std::normal_distribution<double> g(0, 1);
  std::vector<BenchRecord> bs;
  for (int c = 0; c < cases; ++c) {
    const double run = std::exp(drift * g(rng)) * (c == slow_case ? factor : 1.0);
    std::vector<double> s;
    for (int i = 0; i < n; ++i) s.push_back(1e-6 * (1 + c) * run * std::exp(within * g(rng)));
    bs.push_back(bench("op" + std::to_string(c), "cpu", std::move(s)));
  }
  return bench_report(std::move(bs));
}

Comparison run_compare(const std::vector<const Report*>& bases, const Report& next, CompareOptions o = {}) {
  return parity::reports::compare(bases, next, o);
}

const CaseChange& find(const Comparison& c, const std::string& key) {
  for (const CaseChange& ch : c.changes) {
    if (c.key(ch) == key) return ch;
  }
  ADD_FAILURE() << "no case " << key;
  return c.changes.front();
}

// ---------------------------------------------------------------------------------------------
// Statistics against hand-computed values

TEST(Stats, BootstrapMedianWeightsOfThree) {
  // n = 3, median = 2nd order statistic. P(resampled median <= x_(1)) = P(Bin(3, 1/3) >= 2)
  // = 3 (1/3)^2 (2/3) + (1/3)^3 = 7/27; P(<= x_(2)) = P(Bin(3, 2/3) >= 2) = 20/27.
  const std::vector<double> w = stats::bootstrap_median_weights(3);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0], 7.0 / 27, 1e-12);
  EXPECT_NEAR(w[1], 13.0 / 27, 1e-12);
  EXPECT_NEAR(w[2], 7.0 / 27, 1e-12);
  // Values {0, 1, 2}: mean 1, E[x^2] = (0 + 13 + 28) / 27, variance 41/27 - 1 = 14/27.
  const std::vector<double> x{0, 1, 2};
  EXPECT_NEAR(stats::bootstrap_median_variance(x, w), 14.0 / 27, 1e-12);
  stats::MedianVariance mv;
  EXPECT_NEAR(mv(x), 14.0 / 27, 1e-12);
  EXPECT_EQ(mv(std::vector<double>{5}), 0.0);
}

TEST(Stats, BootstrapWeightsSumToOneAndAreSymmetric) {
  for (std::size_t n : {2u, 4u, 5u, 10u, 33u, 64u}) {
    const std::vector<double> w = stats::bootstrap_median_weights(n);
    double sum = 0;
    for (double v : w) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-12) << n;
    for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(w[i], w[n - 1 - i], 1e-12) << n;
  }
}

TEST(Stats, BenjaminiHochbergByHand) {
  // Sorted 0.01, 0.03, 0.04, 0.5 (m = 4): p m / rank = 0.04, 0.06, 0.0533, 0.5; the running
  // minimum from the top gives 0.04, 0.0533, 0.0533, 0.5. NaN is outside the family.
  const std::vector<double> p{0.01, 0.04, 0.03, kNaN, 0.5};
  const std::vector<double> q = stats::bh_adjust(p);
  EXPECT_NEAR(q[0], 0.04, 1e-12);
  EXPECT_NEAR(q[1], 0.04 * 4 / 3, 1e-12);
  EXPECT_NEAR(q[2], 0.04 * 4 / 3, 1e-12);
  EXPECT_TRUE(std::isnan(q[3]));
  EXPECT_NEAR(q[4], 0.5, 1e-12);
}

TEST(Stats, NormalQuantile) {
  EXPECT_NEAR(stats::normal_quantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(stats::normal_quantile(0.5), 0.0, 1e-10);
  EXPECT_NEAR(stats::normal_cdf(stats::normal_quantile(0.01)), 0.01, 1e-12);
  // t with 4 degrees of freedom: F(t) = 1/2 + t (t^2 + 6) / (2 (t^2 + 4)^1.5); the 95th
  // percentile is 2.131847 (tables).
  for (double t : {-3.0, -0.5, 0.0, 1.0, 2.5}) {
    EXPECT_NEAR(stats::student_t_cdf(t, 4), 0.5 + t * (t * t + 6) / (2 * std::pow(t * t + 4, 1.5)), 1e-12)
        << t;
  }
  EXPECT_NEAR(stats::student_t_quantile(0.95, 4), 2.131847, 1e-6);
  EXPECT_NEAR(stats::student_t_cdf(1.0, 2), 0.5 + 0.5 / std::sqrt(3.0), 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Bench verdicts under noise

TEST(CompareNoise, AaOnNoisyRunsGivesNoRegression) {
  // 20 pairs of runs of 200 cases with 8% drift between runs and 5% spread within a run (the
  // pattern that made the old test fail 6 pairs out of 6): no case may come out slower,
  // with one baseline or with five.
  std::mt19937_64 rng(12345);
  int slower = 0, fails = 0;
  for (int pair = 0; pair < 20; ++pair) {
    const Report a = simulated_run(rng, 200, 0.08, 0.05), b = simulated_run(rng, 200, 0.08, 0.05);
    const Comparison c = run_compare({&a}, b);
    slower += c.count(Verdict::Slower);
    fails += c.exit_code() != 0;
  }
  EXPECT_EQ(slower, 0);
  EXPECT_EQ(fails, 0);
  std::vector<Report> hist;
  for (int k = 0; k < 5; ++k) hist.push_back(simulated_run(rng, 200, 0.08, 0.05));
  std::vector<const Report*> bases;
  for (const Report& r : hist) bases.push_back(&r);
  for (int rep = 0; rep < 10; ++rep) {
    const Report b = simulated_run(rng, 200, 0.08, 0.05);
    const Comparison c = run_compare(bases, b);
    EXPECT_EQ(c.count(Verdict::Slower), 0);
    EXPECT_EQ(c.exit_code(), 0);
  }
}

TEST(CompareNoise, ClearQuarterSlowdownIsFlaggedAndOnlyIt) {
  // Five baselines with 2% drift: a case 25% slower stands out in every one of 10 runs and
  // no other case does.
  std::mt19937_64 rng(777);
  std::vector<Report> hist;
  for (int k = 0; k < 5; ++k) hist.push_back(simulated_run(rng, 50, 0.02, 0.02));
  std::vector<const Report*> bases;
  for (const Report& r : hist) bases.push_back(&r);
  for (int rep = 0; rep < 10; ++rep) {
    const Report b = simulated_run(rng, 50, 0.02, 0.02, 5, 7, 1.25);
    const Comparison c = run_compare(bases, b);
    const CaseChange& hit = find(c, "op7|float32|cpu|(4096,)");
    EXPECT_EQ(hit.verdict, Verdict::Slower) << c.describe(hit);
    EXPECT_TRUE(hit.fails);
    EXPECT_EQ(hit.history, 5);
    EXPECT_EQ(c.count(Verdict::Slower), 1);
    EXPECT_EQ(c.exit_code(), 1);
  }
}

TEST(CompareNoise, HistoryNoiseComesFromTheBaselinesSpread) {
  // Baselines whose medians differ by exactly +-10% around 1 ms: the case's run-to-run
  // deviation is their log spread, reported in `noise`.
  std::vector<Report> hist;
  for (double f : {0.9, 1.0, 1.1})
    hist.push_back(bench_report({bench("add", "cpu", {f * 1e-3, f * 1e-3, f * 1e-3})}));
  const Report next = bench_report({bench("add", "cpu", {1e-3, 1e-3, 1e-3})});
  const Comparison c = run_compare({&hist[0], &hist[1], &hist[2]}, next);
  const double l1 = std::log(0.9), l3 = std::log(1.1), m = (l1 + l3) / 3;
  const double var = ((l1 - m) * (l1 - m) + m * m + (l3 - m) * (l3 - m)) / 2;
  // One case: the pooled variance is its own, so shrinkage leaves it unchanged.
  EXPECT_NEAR(c.changes[0].noise, std::sqrt(var), 1e-12);
  EXPECT_NEAR(c.changes[0].ratio, 1e-3 / std::exp((l1 + l3) / 3 + std::log(1e-3)) * 1e-3 / 1e-3, 1e-9);
}

TEST(CompareNoise, TwiceAsSlowAndTwiceAsFast) {
  const Report a = bench_report({bench("add", "cpu", {1e-3, 1.01e-3, 0.99e-3, 1.02e-3, 0.98e-3})});
  const Report slow = bench_report({bench("add", "cpu", {2e-3, 2.02e-3, 1.98e-3, 2.04e-3, 1.96e-3})});
  const Report fast = bench_report({bench("add", "cpu", {5e-4, 5.05e-4, 4.95e-4, 5.1e-4, 4.9e-4})});
  const Comparison s = run_compare({&a}, slow), f = run_compare({&a}, fast);
  EXPECT_EQ(s.changes[0].verdict, Verdict::Slower);
  EXPECT_NEAR(s.changes[0].ratio, 2.0, 1e-12);
  EXPECT_EQ(s.exit_code(), 1);
  EXPECT_NE(s.describe(s.changes[0]).find("+100.0%"), std::string::npos) << s.describe(s.changes[0]);
  EXPECT_EQ(f.changes[0].verdict, Verdict::Faster);
  EXPECT_EQ(f.exit_code(), 0);
}

TEST(CompareNoise, SmallChangeIsSameAndUnclearIsInconclusive) {
  // Five quiet baselines: +1% is inside the 10% margin (same). One baseline with the default
  // 10% assumed noise: a 15% change can be shown neither slower nor the same.
  std::vector<Report> hist;
  for (double f : {1.0, 1.005, 0.995, 1.002, 0.998})
    hist.push_back(bench_report({bench("add", "cpu", {f, f, f})}));
  std::vector<const Report*> bases;
  for (const Report& r : hist) bases.push_back(&r);
  const Report plus1 = bench_report({bench("add", "cpu", {1.01, 1.01, 1.01})});
  EXPECT_EQ(run_compare(bases, plus1).changes[0].verdict, Verdict::Same);
  const Report plus15 = bench_report({bench("add", "cpu", {1.15, 1.15, 1.15})});
  const Comparison c = run_compare({&hist[0]}, plus15);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Inconclusive) << c.describe(c.changes[0]);
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(CompareNoise, BenjaminiHochbergControlsManyComparisons) {
  // Constant samples and --noise 0.05 (one baseline): sd of d = 0.05 sqrt(2), and with one
  // baseline p comes from Student's t with 4 degrees of freedom. A case 37% slower has
  // t = (log 1.37 - log 1.1) / 0.0707 = 3.10, p = 0.018: slower on its own; among 99
  // unchanged cases its adjusted q is far above alpha, so it is not a discovery.
  CompareOptions o;
  o.policy.limits.noise = 0.05;
  const Report a1 = bench_report({bench("hot", "cpu", {1, 1, 1})});
  const Report b1 = bench_report({bench("hot", "cpu", {1.37, 1.37, 1.37})});
  const Comparison alone = run_compare({&a1}, b1, o);
  EXPECT_NEAR(alone.changes[0].p_slower,
              1 - stats::student_t_cdf((std::log(1.37) - std::log(1.1)) / (0.05 * std::sqrt(2.0)), 4), 1e-12);
  EXPECT_LT(alone.changes[0].p_slower, 0.05);
  EXPECT_EQ(alone.changes[0].verdict, Verdict::Slower);

  Report a = a1, b = b1;
  for (int i = 0; i < 99; ++i) {
    a.benches.push_back(bench("op" + std::to_string(i), "cpu", {1, 1, 1}));
    b.benches.push_back(bench("op" + std::to_string(i), "cpu", {1, 1, 1}));
  }
  const Comparison many = run_compare({&a}, b, o);
  const CaseChange& hot = find(many, "hot|float32|cpu|(4096,)");
  EXPECT_NEAR(hot.p_slower, alone.changes[0].p_slower, 1e-15);
  // q = min over ranks j >= 1 of p_(j) m / j: the unchanged cases' p (rank 100, m = 100) caps it.
  const CaseChange& other = find(many, "op0|float32|cpu|(4096,)");
  EXPECT_NEAR(hot.q_slower, std::min(hot.p_slower * 100, other.p_slower), 1e-12);
  EXPECT_GT(hot.q_slower, 0.05);
  EXPECT_NE(hot.verdict, Verdict::Slower);
  EXPECT_EQ(many.exit_code(), 0);
}

// ---------------------------------------------------------------------------------------------
// Gates

TEST(CompareGates, RemovedCasesFailUnlessAllowed) {
  std::vector<CheckRecord> all;
  for (int i = 0; i < 900; ++i) all.push_back(check("op" + std::to_string(i) + "|x", "pass"));
  const Report base = check_report(all);
  const Report subset = check_report({all.begin(), all.begin() + 5});
  const Comparison c = parity::reports::compare(base, subset);
  EXPECT_EQ(c.count(Verdict::Removed), 895);
  EXPECT_EQ(c.failing, 895);
  EXPECT_EQ(c.exit_code(), 1);
  CompareOptions allow;
  allow.policy.fail_removed = false;
  EXPECT_EQ(parity::reports::compare(base, subset, allow).exit_code(), 0);
}

TEST(CompareGates, EmptyOrSamplelessNewReportIsBadInput) {
  const Report base = bench_report({bench("add", "cpu", {1e-3})});
  Report empty;
  empty.meta.set("kind", "bench");
  EXPECT_THROW(parity::reports::compare(base, empty), parity::ValueError);
  EXPECT_THROW(parity::reports::compare(base, Report{}), parity::ValueError);
  const Report untimed = bench_report({bench("add", "cpu", {})});
  EXPECT_THROW(parity::reports::compare(base, untimed), parity::ValueError);
  // One untimed case among timed ones is an invalid case (exit 2), not a pass.
  const Report base2 = bench_report({bench("add", "cpu", {1e-3}), bench("mul", "cpu", {1e-3})});
  const Report half = bench_report({bench("add", "cpu", {1e-3}), bench("mul", "cpu", {})});
  const Comparison c = parity::reports::compare(base2, half);
  EXPECT_EQ(c.count(Verdict::Invalid), 1);
  EXPECT_EQ(c.exit_code(), 2);
}

TEST(CompareGates, CheckAgainstBenchAndLyingKindAreBadInput) {
  const Report checks = check_report({check("add|x", "pass")});
  const Report benches = bench_report({bench("add", "cpu", {1e-3})});
  EXPECT_THROW(parity::reports::compare(checks, benches), parity::ValueError);
  EXPECT_THROW(parity::reports::compare(benches, checks), parity::ValueError);
  Report liar = benches;
  liar.meta.set("kind", "check");  // says check, holds benches
  EXPECT_THROW(parity::reports::compare(benches, liar), parity::ValueError);
  EXPECT_THROW(parity::reports::compare(liar, benches), parity::ValueError);
  Report odd = benches;
  odd.meta.set("kind", "weird");
  EXPECT_THROW(parity::reports::compare(benches, odd), parity::ValueError);
}

TEST(CompareGates, ZeroedSamplesAreInvalid) {
  const Report base =
      bench_report({bench("add", "cpu", {1e-3, 1e-3, 1e-3}), bench("mul", "cpu", {1e-3, 1e-3})});
  const Report zeroed = bench_report({bench("add", "cpu", {0, 0, 0}), bench("mul", "cpu", {1e-3, 1e-3})});
  const Comparison c = parity::reports::compare(base, zeroed);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Invalid);
  EXPECT_NE(c.changes[0].reason.find("0 s"), std::string::npos) << c.changes[0].reason;
  EXPECT_EQ(c.exit_code(), 2);
  // A zeroed baseline is just as unusable.
  EXPECT_EQ(parity::reports::compare(zeroed, base).exit_code(), 2);
}

TEST(CompareGates, UlpJumpOnAPassingCaseIsWorse) {
  const Report base = check_report({check("exp|x", "pass", 0, 4)});
  const Report next = check_report({check("exp|x", "pass", 1e9, 4)});
  const Comparison c = parity::reports::compare(base, next);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Worse);
  EXPECT_TRUE(c.changes[0].fails);
  EXPECT_EQ(c.exit_code(), 1);
  // Growth within half the budget (4 ulp -> 2 allowed) is not.
  const Report small = check_report({check("exp|x", "pass", 1.5, 4)});
  EXPECT_EQ(parity::reports::compare(base, small).exit_code(), 0);
  // ulp_fraction from the policy, per op.
  CompareOptions strict;
  strict.policy = parity::reports::parse_policy("[op=exp]\nulp_fraction = 0.25\n", "p");
  EXPECT_EQ(parity::reports::compare(base, small, strict).exit_code(), 1);
}

TEST(CompareGates, StatusTransitions) {
  const Report base =
      check_report({check("a|", "pass"), check("b|", "fail"), check("c|", "divergent"), check("d|", "skip"),
                    check("e|", "pass"), check("f|", "pass"), check("g|", "fail")});
  const Report next = check_report({check("a|", "fail", 9, 4, "off by 9 ulp"), check("b|", "pass"),
                                    check("c|", "fail"), check("d|", "pass"), check("e|", "divergent"),
                                    check("f|", "skip", kNaN, 4, "no CUDA device"), check("g|", "fail")});
  const Comparison c = parity::reports::compare(base, next);
  ASSERT_EQ(c.changes.size(), 7u);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Worse);
  EXPECT_EQ(c.changes[0].reason, "pass -> fail: off by 9 ulp");
  EXPECT_EQ(c.changes[1].verdict, Verdict::Better);
  EXPECT_EQ(c.changes[2].verdict, Verdict::Worse);
  EXPECT_EQ(c.changes[3].verdict, Verdict::Better);
  EXPECT_EQ(c.changes[4].verdict, Verdict::Worse);  // pass -> divergent
  EXPECT_EQ(c.changes[5].verdict, Verdict::Worse);  // coverage lost
  EXPECT_NE(c.changes[5].reason.find("coverage lost"), std::string::npos);
  EXPECT_EQ(c.changes[6].verdict, Verdict::Same);
  EXPECT_EQ(c.failing, 4);
}

TEST(CompareGates, InstructionsAndDeterministicCounters) {
  auto with = [](double instr, double allocs, const std::string& source = "callgrind") {
    BenchRecord b = bench("add", "cpu", {1e-3, 1e-3, 1e-3});
    b.counters = {{"instructions", instr}, {"allocations", allocs}};
    b.counter_source = source;
    return bench_report({b});
  };
  const Report base = with(1e6, 2);
  EXPECT_EQ(parity::reports::compare(base, with(1.01e6, 2)).exit_code(), 0);  // within 2%
  const Comparison more = parity::reports::compare(base, with(1.05e6, 2));
  EXPECT_EQ(more.changes[0].verdict, Verdict::Slower);
  EXPECT_EQ(more.changes[0].instr_next, 1.05e6);
  EXPECT_NE(more.describe(more.changes[0]).find("instructions"), std::string::npos);
  EXPECT_EQ(more.exit_code(), 1);
  const Comparison alloc = parity::reports::compare(base, with(1e6, 3));  // any growth fails
  EXPECT_EQ(alloc.changes[0].verdict, Verdict::Slower);
  EXPECT_EQ(alloc.exit_code(), 1);
  // Counts of another kind are not compared.
  EXPECT_EQ(parity::reports::compare(base, with(2e6, 3, "perf_event")).exit_code(), 0);
  // fail_on without instructions: reported, not failing.
  CompareOptions o;
  o.policy = parity::reports::parse_policy("fail_on = slower, accuracy, removed\n", "p");
  const Comparison quiet = parity::reports::compare(base, with(1.05e6, 3), o);
  EXPECT_EQ(quiet.changes[0].verdict, Verdict::Slower);
  EXPECT_EQ(quiet.exit_code(), 0);
}

TEST(CompareGates, EnvironmentMismatchUnderPolicyIsExit3) {
  Report a = check_report({check("a|", "pass")}), b = a;
  a.meta.set("cpu_model", "A");
  b.meta.set("cpu_model", "B");
  EXPECT_EQ(parity::reports::compare(a, b).exit_code(), 0);  // a note only, by default
  CompareOptions o;
  o.policy = parity::reports::parse_policy("env_must_match = cpu_model, gpu\n", "p");
  const Comparison c = parity::reports::compare(a, b, o);
  ASSERT_EQ(c.env_mismatch.size(), 1u);
  EXPECT_NE(c.env_mismatch[0].find("cpu_model: A -> B"), std::string::npos);
  EXPECT_EQ(c.exit_code(), 3);
}

TEST(CompareGates, GateFalseInThePolicyReportsWithoutFailing) {
  const Report base = check_report({check("exp|x", "pass"), check("add|x", "pass")});
  const Report next = check_report({check("exp|x", "fail"), check("add|x", "pass")});
  CompareOptions o;
  o.policy = parity::reports::parse_policy("[op=exp]\ngate = false\n", "p");
  const Comparison c = parity::reports::compare(base, next, o);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Worse);
  EXPECT_FALSE(c.changes[0].fails);
  EXPECT_EQ(c.exit_code(), 0);
}

// ---------------------------------------------------------------------------------------------
// Policy files

TEST(Policy, SectionsOverrideInOrder) {
  const auto p = parity::reports::parse_policy(
      "# defaults\nthreshold = 0.2\nalpha = 0.01\n[device=cuda*]\nthreshold = 0.3\n[op=matmul device=cuda*]\n"
      "threshold = 0.5 # matmul on any GPU\n",
      "p");
  EXPECT_EQ(p.alpha, 0.01);
  auto at = [&](const std::string& op, const std::string& dev) {
    return p
        .resolve([&](const std::string& f) { return f == "op"       ? op
                                                    : f == "device" ? dev
                                                                    : std::string(); })
        .threshold;
  };
  EXPECT_EQ(at("add", "cpu"), 0.2);
  EXPECT_EQ(at("add", "cuda:0"), 0.3);
  EXPECT_EQ(at("matmul", "cuda:0"), 0.5);
  EXPECT_EQ(at("matmul", "cpu"), 0.2);
}

TEST(Policy, ErrorsNameTheLine) {
  const auto msg = [](const std::string& text) {
    try {
      parity::reports::parse_policy(text, "pol.txt");
    } catch (const parity::ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("threshold = 0.1\nbogus = 1\n").find("pol.txt:2"), std::string::npos);
  EXPECT_NE(msg("threshold = abc\n").find("not a number"), std::string::npos);
  EXPECT_NE(msg("threshold = -1\n").find("out of range"), std::string::npos);
  EXPECT_NE(msg("[colour=red]\n").find("unknown field"), std::string::npos);
  EXPECT_NE(msg("[op=add]\nalpha = 0.1\n").find("global"), std::string::npos);
  EXPECT_NE(msg("fail_on = slower, nonsense\n").find("nonsense"), std::string::npos);
  EXPECT_NE(msg("[op=add\n").find("pol.txt:1"), std::string::npos);
  EXPECT_NE(msg("just words\n").find("KEY = VALUE"), std::string::npos);
  // Control characters from the file are escaped in the one-line error.
  const std::string m = msg("bad\x1b[31m = 1\n");
  EXPECT_EQ(m.find('\x1b'), std::string::npos) << m;
  EXPECT_EQ(msg("alpha = 0.6\n").find("no error"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Cross-device matching

TEST(CompareMatch, CudaAgainstCpuFromOneReport) {
  const Report r =
      bench_report({bench("add", "cpu", {4e-3, 4e-3, 4e-3}), bench("add", "cuda:0", {1e-3, 1e-3, 1e-3}),
                    bench("mul", "cpu", {4e-3, 4e-3, 4e-3}), bench("mul", "cuda:0", {1e-3, 1e-3, 1e-3})});
  CompareOptions o;
  o.match = {"op", "dtype", "shape"};
  o.base_filter = {{"device", "cpu"}};
  o.next_filter = {{"device", "cuda*"}};
  const Comparison c = parity::reports::compare(r, r, o);
  ASSERT_EQ(c.changes.size(), 2u);
  EXPECT_EQ(c.key(c.changes[0]), "add|float32|(4096,)");
  EXPECT_NEAR(c.changes[0].ratio, 0.25, 1e-12);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Faster);
  EXPECT_EQ(c.next_bench(c.changes[0])->device, "cuda:0");
  // Without the filters, two cases share each match key: refused, with the fix in the message.
  CompareOptions loose;
  loose.match = {"op"};
  try {
    parity::reports::compare(r, r, loose);
    ADD_FAILURE() << "no error";
  } catch (const parity::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("--match"), std::string::npos) << e.what();
  }
  CompareOptions bad;
  bad.match = {"colour"};
  EXPECT_THROW(parity::reports::compare(r, r, bad), parity::ValueError);
}

// ---------------------------------------------------------------------------------------------
// Output

Report many_failing_checks(int n, const std::string& message) {
  std::vector<CheckRecord> cs;
  for (int i = 0; i < n; ++i)
    cs.push_back(check("op" + std::to_string(i) + "|float32|cpu|(8,)", "fail", 9, 4, message));
  return check_report(cs);
}

TEST(Render, TextAndMarkdownLeadWithCountsAndCapRows) {
  std::vector<CheckRecord> pass;
  for (int i = 0; i < 2000; ++i)
    pass.push_back(check("op" + std::to_string(i) + "|float32|cpu|(8,)", "pass"));
  const Report base = check_report(pass);
  const Report next = many_failing_checks(2000, std::string(500, 'x'));
  const Comparison c = parity::reports::compare(base, next);
  parity::reports::RenderOptions ro;
  ro.max_rows = 25;
  const std::string text = parity::reports::render_comparison(c, Format::Text, ro);
  EXPECT_EQ(text.find("Parity comparison: regression (exit 1)"), 0u) << text.substr(0, 200);
  EXPECT_LT(text.find("2000 cases: "), text.find("Fails the gate")) << text.substr(0, 400);
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 60);
  EXPECT_NE(text.find("1975 more not shown"), std::string::npos);
  const std::string md = parity::reports::render_comparison(c, Format::Markdown);
  EXPECT_LT(md.size(), 60000u);
  EXPECT_EQ(md.find("## Parity comparison"), 0u);
  // With every row allowed, it still fits: rows are dropped until it does.
  ro.max_rows = 100000;
  EXPECT_LT(parity::reports::render_comparison(c, Format::Markdown, ro).size(), 60000u);
  EXPECT_LT(parity::reports::render_summary(next, Format::Markdown, ro).size(), 60000u);
}

TEST(Render, MarkdownFoldsDetailsAndEscapes) {
  const Report a = bench_report({bench("add", "cpu", {1, 1, 1}), bench("mul", "cpu", {1, 1, 1})});
  Report b = bench_report({bench("add", "cpu", {1.01, 1.01, 1.01}), bench("mul", "cpu", {1, 1, 1})});
  b.meta.set("git_sha", "<script>alert(1)</script>|*x*");
  const Comparison c = parity::reports::compare(a, b);
  const std::string md = parity::reports::render_comparison(c, Format::Markdown);
  EXPECT_NE(md.find("<details><summary>Largest time changes"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos) << md;
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos) << md;
  EXPECT_NE(md.find("\\|\\*x\\*"), std::string::npos) << md;
}

TEST(Render, EscapingOfEveryFormat) {
  const std::string nasty =
      "a\"b\\c\nd\te\x01"
      "f\x1b[31m<&>'\xff\xc3\xa9";
  EXPECT_EQ(esc::json(nasty), "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001b[31m<&>'\\ufffd\xc3\xa9\"");
  EXPECT_EQ(esc::xml(nasty),
            "a&quot;b\\c&#10;d&#9;e\xef\xbf\xbd"
            "f\xef\xbf\xbd[31m&lt;&amp;&gt;&apos;\xef\xbf\xbd\xc3\xa9");
  EXPECT_EQ(esc::text(nasty), "a\"b\\c\\x0ad\\x09e\\x01f\\x1b[31m<&>'\\xff\xc3\xa9");
  EXPECT_EQ(esc::markdown("a|b\n<i>*"), "a\\|b &lt;i&gt;\\*");
  EXPECT_EQ(esc::text(std::string(400, 'y'), 10), std::string(10, 'y') + "...");
  EXPECT_EQ(esc::text("\xc2\x9b"
                      "2J"),
            "\\u009b2J");  // C1 CSI
}

TEST(Render, JsonHoldsEveryCase) {
  const Report base = many_failing_checks(3, "m");
  Report next = many_failing_checks(2, "m\"q");
  const Comparison c = parity::reports::compare(base, next);
  const std::string js = parity::reports::render_comparison(c, Format::Json);
  EXPECT_EQ(js.find("{\"format\":\"parity-compare\""), 0u);
  std::size_t cases = 0;
  for (std::size_t p = js.find("{\"kind\":"); p != std::string::npos; p = js.find("{\"kind\":", p + 1))
    ++cases;
  EXPECT_EQ(cases, 3u);
  EXPECT_NE(js.find("\"verdict\":\"removed\""), std::string::npos);
  EXPECT_NE(js.find("\"exit_code\":1"), std::string::npos);
  EXPECT_EQ(js.find("nan"), std::string::npos);
}

TEST(Render, JunitCountsMatchTheCases) {
  const Report base = check_report({check("a|", "pass"), check("b|", "pass"), check("c|", "pass")});
  const Report next =
      check_report({check("a|", "pass"), check("b|<x>", "pass"), check("c|", "fail", 1, 4, "bad & worse")});
  CompareOptions o;
  o.policy.fail_removed = false;
  const Comparison c = parity::reports::compare(base, next, o);
  const std::string x = parity::reports::render_comparison(c, Format::Junit);
  EXPECT_EQ(x.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), 0u) << x;
  EXPECT_NE(x.find("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure message=\"worse: pass -&gt; fail: bad &amp; worse\" type=\"worse\"/>"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("name=\"b|&lt;x&gt;\""), std::string::npos) << x;
  EXPECT_NE(x.find("classname=\"parity.check.c\""), std::string::npos) << x;
  EXPECT_EQ(std::count(x.begin(), x.end(), '\n'), std::count(x.begin(), x.end(), '>') - 0)
      << "one element per line";
}

TEST(Render, ShowSummarisesDivergentAndSkippedByReason) {
  std::vector<CheckRecord> cs;
  for (int i = 0; i < 40; ++i)
    cs.push_back(check("sum" + std::to_string(i) + "|", "divergent", kNaN, kNaN, "int sums differ"));
  for (int i = 0; i < 30; ++i)
    cs.push_back(check("exp" + std::to_string(i) + "|", "skip", kNaN, kNaN, "no CUDA device"));
  cs.push_back(check("bad|", "fail", 9, 4, "9 ulp > budget 4"));
  const std::string text = parity::reports::render_summary(check_report(cs), Format::Text);
  EXPECT_NE(text.find("Checks: 71 (0 pass, 1 fail, 40 divergent, 30 skip)"), std::string::npos) << text;
  EXPECT_NE(text.find("40 divergent by design: int sums differ"), std::string::npos) << text;
  EXPECT_NE(text.find("30 skipped on: cpu: no CUDA device"), std::string::npos) << text;
  EXPECT_NE(text.find("9 ulp > budget 4"), std::string::npos) << text;
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 20);
}

TEST(Render, FormatSecondsAndFormats) {
  EXPECT_EQ(parity::reports::format_seconds(850e-9), "850 ns");
  EXPECT_EQ(parity::reports::format_seconds(12.3e-6), "12.3 us");
  EXPECT_EQ(parity::reports::format_seconds(999.96e-6), "1.00 ms");
  EXPECT_EQ(parity::reports::format_seconds(kNaN), "n/a");
  EXPECT_EQ(parity::reports::parse_output_format("junit"), Format::Junit);
  EXPECT_THROW(parity::reports::parse_output_format("html"), parity::ValueError);
}

}  // namespace
