#pragma once
// Compare two reports case by case, for CI gating: check status transitions and bench
// timings (median ratio plus a one-sided Mann-Whitney U test on the raw samples).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "reports/report.h"

namespace parity::reports {

struct CompareOptions {
  double threshold = 0.10;  // a bench case regresses when its median time grows by more
                            // than this fraction AND the change is significant
  double alpha = 0.01;      // significance level of the one-sided Mann-Whitney U test on the
                            // raw samples; with fewer than 5 samples on either side the test
                            // cannot reach it, so the threshold alone decides (said in detail)
};

enum class Verdict { Unchanged, Improved, Regressed, Added, Removed };

// "unchanged", "improved", "regressed", "added", "removed".
const char* verdict_name(Verdict v);

struct CaseChange {
  std::string kind;  // "check" or "bench"
  std::string key;
  Verdict verdict = Verdict::Unchanged;
  double base = kNaN, next = kNaN;  // bench: median seconds; check: max_ulp (or max_abs_err)
  double ratio = kNaN;              // bench: next/base median
  double p_value = kNaN;            // bench: Mann-Whitney one-sided p (next slower than base)
  double p_value_faster = kNaN;     // bench: the mirror test's p (next faster than base)
  std::string detail;               // one line: "median 1.20 ms -> 1.50 ms (+25.0%, p=0.0004)",
                                    // "pass -> fail: <message>"
};

struct Comparison {
  std::vector<CaseChange> changes;  // every matched, added and removed case
  std::vector<std::string> notes;   // e.g. metadata that differs: "cpu_model: X -> Y"
  int count(Verdict v) const;
  bool regressed() const;  // any Regressed
};

// Bench verdicts: Regressed when next median > (1 + threshold) * base median and the one-sided
// test "next slower" gives p < alpha; Improved when next median < (1 - threshold) * base median
// and the test "next faster" gives p < alpha. When either side has fewer than 5 samples (or
// 1 / C(n+m, n) > alpha, so no outcome could reach alpha) the threshold alone decides and
// the detail says so. Check verdicts: pass/divergent -> fail is Regressed, fail ->
// pass/divergent is Improved, anything involving skip (and pass <-> divergent) is Unchanged
// with the transition in the detail. Changes list base order, then cases only in next.
// Throws parity::ValueError when a key appears twice in one report or opts is out of range.
Comparison compare(const Report& base, const Report& next, const CompareOptions& opts = {});

// One-sided Mann-Whitney U test. Returns P(U_x >= observed | H0), i.e. the p-value for the
// alternative "x tends to be larger than y", where U_x counts pairs (xi, yj) with xi > yj
// plus half the ties. Exact when the pooled count n+m is at most 40: the permutation null
// distribution of the rank sum, conditional on the observed ties (mid-ranks), tabulated by
// dynamic programming. Above 40, the normal approximation with tie and continuity correction.
// NaN samples are left out; NaN if either side is then empty.
double mann_whitney_greater(std::span<const double> x, std::span<const double> y);

// U_x as defined above (pairs with xi > yj, ties counting one half).
double mann_whitney_u(std::span<const double> x, std::span<const double> y);

}  // namespace parity::reports
