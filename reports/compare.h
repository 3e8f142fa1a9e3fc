#pragma once
// Compare reports case by case, for CI gating. A baseline may be several reports (history):
// from them compare estimates each case's run-to-run spread, so that a change must stand out
// from the noise between runs, not only from the spread of repetitions inside one run.
//
// Bench cases: d = log(new median / base median), where the base median is the geometric
// mean of the baselines' medians. Its variance is the within-run part (the exact bootstrap
// variance of each log median) plus the run-to-run part s^2 (1 + 1/K), K baselines; s comes
// from the spread of the baselines' log medians (shrunk towards the mean over all cases,
// at least noise_floor) or, with one baseline, is the policy's `noise`. Then
//   slower:       H0 d <= log(1+threshold) rejected by Benjamini-Hochberg at FDR alpha
//   faster:       H0 d >= -log(1+threshold) rejected likewise
//   same:         the (1-2 alpha) interval of d lies within +-log(1+margin)
//   inconclusive: none of these.
// Instruction counts fail past their own threshold; other counters (allocations, launches)
// are deterministic and fail on any growth. Check cases: a pass that became fail, skip or
// divergent is worse, and so is max ULP growing by more than ulp_fraction of the budget.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reports/policy.h"
#include "reports/report.h"
#include "reports/report_table.h"

namespace parity::reports {

enum class Verdict : std::uint8_t {
  Same,          // bench: shown equivalent; check: no change that matters
  Faster,        // bench
  Slower,        // bench: time, instructions or a deterministic counter grew
  Inconclusive,  // bench: neither shown different nor shown the same
  Better,        // check: status or accuracy improved
  Worse,         // check: status or accuracy got worse
  Added,         // only in the new report
  Removed,       // only in the baseline
  Invalid,       // not a measurement: no samples, or samples of 0 s (a zeroed chunk)
};
inline constexpr int kVerdictCount = 9;
const char* verdict_name(Verdict v);  // "same", "faster", ..., "invalid"

// Exit codes of `parity compare` (and what Comparison::exit_code returns).
inline constexpr int kCompareOk = 0, kCompareRegression = 1, kCompareBadInput = 2, kCompareEnvMismatch = 3;

struct CompareOptions {
  Policy policy;
  // Identity fields cases are matched on (see identity_fields()); empty: the full key.
  // E.g. {"op", "dtype", "shape"} with base filter device=cpu and new filter device=cuda
  // compares the devices.
  std::vector<std::string> match;
  // FIELD=PATTERN (fnmatch) filters applied before matching, to each side.
  std::vector<std::pair<std::string, std::string>> base_filter, next_filter;
};

enum class CaseKind : std::uint8_t { Check, Bench };

struct CaseChange {
  CaseKind kind = CaseKind::Check;
  Verdict verdict = Verdict::Same;
  bool fails = false;                        // counts towards exit 1 under the policy
  std::uint32_t base = kNone, next = kNone;  // record index in the primary (last) baseline
                                             // and in the new report
  static constexpr std::uint32_t kNone = 0xffffffffu;
  double base_value = kNaN, next_value = kNaN;  // bench: median seconds; check: max_ulp or
                                                // max_abs_err
  double ratio = kNaN, lo = kNaN, hi = kNaN;    // bench: new/base and its (1-2 alpha) interval
  double p_slower = kNaN, p_faster = kNaN;      // bench: one-sided p against the threshold
  double q_slower = kNaN, q_faster = kNaN;      // ... Benjamini-Hochberg adjusted
  double noise = kNaN;                          // run-to-run relative deviation used
  double instr_base = kNaN, instr_next = kNaN;  // "instructions" counter when both have it
  std::uint16_t history = 0;                    // baselines that hold the case
  std::string reason;                           // one line, set for every verdict but a plain "same"
};

struct Comparison {
  // The reports compared, as tables: those compare() was given must outlive the Comparison;
  // those it made from Reports are kept in `owned`.
  std::vector<const ReportTable*> bases;
  const ReportTable* next = nullptr;
  std::vector<std::shared_ptr<const ReportTable>> owned;
  std::vector<std::string> match;         // as in the options
  std::vector<CaseChange> changes;        // checks, then benches; base order, then added cases
  std::vector<std::string> notes;         // metadata that differs, e.g. "cpu_model: X -> Y"
  std::vector<std::string> env_mismatch;  // policy env_must_match keys that differ
  double alpha = 0.05;
  int counts[kVerdictCount] = {};
  int failing = 0;

  int count(Verdict v) const { return counts[static_cast<int>(v)]; }
  bool regressed() const { return failing > 0; }
  // 2 when any case is invalid, else 3 when the environment differs where the policy forbids
  // it, else 1 when any case fails, else 0.
  int exit_code() const;
  // The case's match key ("op|dtype|..." for the chosen fields, or the record's key).
  std::string key(const CaseChange& c) const;
  // One line on the case: the numbers behind its verdict and its reason.
  std::string describe(const CaseChange& c) const;
  // The case's row in the primary baseline and in the new report (empty when it has none).
  std::optional<CheckRow> base_check(const CaseChange& c) const;
  std::optional<CheckRow> next_check(const CaseChange& c) const;
  std::optional<BenchRow> base_bench(const CaseChange& c) const;
  std::optional<BenchRow> next_bench(const CaseChange& c) const;
};

// Throws parity::ValueError (exit 2) when: there is no baseline; the new report is empty, or
// a bench report none of whose cases has samples; the reports are of different kinds (check
// against bench); a report's kind attribute disagrees with its content; two cases share a
// match key in one report; options are out of range. `names` label the reports in errors
// (bases then new; default "base N", "new").
Comparison compare(const std::vector<const ReportTable*>& bases, const ReportTable& next,
                   const CompareOptions& opts = {}, const std::vector<std::string>& names = {});
// The same on Reports, which are converted to tables the Comparison keeps.
Comparison compare(const std::vector<const Report*>& bases, const Report& next,
                   const CompareOptions& opts = {}, const std::vector<std::string>& names = {});
inline Comparison compare(const Report& base, const Report& next, const CompareOptions& opts = {}) {
  return compare(std::vector<const Report*>{&base}, next, opts);
}

// "check" or "bench" from the kind attribute, else from the content ("" when empty). Throws
// parity::ValueError when the attribute disagrees with the content or is unknown.
std::string report_kind(const ReportTable& r, const std::string& name);
std::string report_kind(const Report& r, const std::string& name);

// A record's identity field by name ("" when the record has no such field).
std::string check_field(const CheckRow& c, const std::string& field);
std::string bench_field(const BenchRow& b, const std::string& field);
inline std::string check_field(const CheckRecord& c, const std::string& field) {
  return check_field(row_of(c), field);
}
inline std::string bench_field(const BenchRecord& b, const std::string& field) {
  return bench_field(row_of(b), field);
}

}  // namespace parity::reports
