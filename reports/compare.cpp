// Report comparison for CI gating: verdicts that account for run-to-run noise (see
// compare.h for the model), accuracy and coverage gates, and cross-engine matching.
#include "reports/compare.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "engine/spec/error.h"
#include "reports/render.h"
#include "reports/stats.h"

namespace parity::reports {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Same:
      return "same";
    case Verdict::Faster:
      return "faster";
    case Verdict::Slower:
      return "slower";
    case Verdict::Inconclusive:
      return "inconclusive";
    case Verdict::Better:
      return "better";
    case Verdict::Worse:
      return "worse";
    case Verdict::Added:
      return "added";
    case Verdict::Removed:
      return "removed";
    case Verdict::Invalid:
      return "invalid";
  }
  return "unknown";
}

int Comparison::exit_code() const {
  if (count(Verdict::Invalid) > 0) return kCompareBadInput;
  if (!env_mismatch.empty()) return kCompareEnvMismatch;
  return failing > 0 ? kCompareRegression : kCompareOk;
}

std::string check_field(const CheckRow& c, const std::string& f) {
  if (f == "kind") return "check";
  if (f == "op") return std::string(c.op);
  if (f == "engine") return std::string(c.engine);
  if (f == "dtype") return std::string(c.dtype);
  if (f == "device") return std::string(c.device);
  if (f == "shapes" || f == "shape") return std::string(c.shapes);
  if (f == "layout") return std::string(c.layout);
  if (f == "mode") return std::string(c.mode);
  if (f == "params") return std::string(c.params);
  return "";
}

std::string bench_field(const BenchRow& b, const std::string& f) {
  if (f == "kind") return "bench";
  if (f == "op") return std::string(b.op);
  if (f == "engine") return std::string(b.engine);
  if (f == "dtype") return std::string(b.dtype);
  if (f == "device") return std::string(b.device);
  if (f == "shapes" || f == "shape") return std::string(b.shape);
  if (f == "timer") return std::string(b.timer);
  return "";
}

namespace {

template <class Record>
std::string field_of(const Record& r, const std::string& f) {
  if constexpr (std::is_same_v<Record, CheckRow>) {
    return check_field(r, f);
  } else {
    return bench_field(r, f);
  }
}

template <class Record>
std::string match_key(const Record& r, const std::vector<std::string>& match) {
  if (match.empty()) return std::string(r.key);
  std::string k;
  for (std::size_t i = 0; i < match.size(); ++i) {
    if (i) k += '|';
    k += field_of(r, match[i]);
  }
  return k;
}

template <class Record>
bool passes(const Record& r, const std::vector<std::pair<std::string, std::string>>& filter) {
  for (const auto& [f, pattern] : filter) {
    if (::fnmatch(pattern.c_str(), field_of(r, f).c_str(), 0) != 0) return false;
  }
  return true;
}

// Records of one report by match key: an open-addressing table of record indices (no
// allocation per entry; at 1M cases std::unordered_map's nodes cost seconds in cache misses).
// Keys are held as strings only when --match builds them; the default match reads the
// records' own keys.
template <class Rows>
class Index {
 public:
  Index(const Rows& records, const CompareOptions& opts, bool is_next, const std::string& name)
      : records_(records), match_(!opts.match.empty()), name_(name) {
    const auto& filter = is_next ? opts.next_filter : opts.base_filter;
    if (match_) built_.resize(records.size());
    indexed_.assign(records.size(), false);
    order_.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (!filter.empty() && !passes(records[i], filter)) continue;
      if (match_) built_[i] = match_key(records[i], opts.match);
      indexed_[i] = true;
      order_.push_back(static_cast<std::uint32_t>(i));
    }
    // Keys a reader has already found distinct need no table until a lookup misses its hint
    // (two reports of one harness, in one order, never build one); other keys are checked now.
    if (match_ || !records.unique_keys()) build();
  }
  // `hint`: the record to try first. Reports of one harness hold their cases in one order, so
  // the record at the other report's index is nearly always the one, and the table (a cache
  // miss or more per probe at 1M cases) is not touched.
  std::uint32_t find(std::string_view k, std::uint32_t hint = CaseChange::kNone) const {
    if (hint < indexed_.size() && indexed_[hint] && key_of(hint) == k) return hint;
    if (slots_.empty()) build();
    std::size_t h = std::hash<std::string_view>{}(k) & (slots_.size() - 1);
    while (slots_[h] != CaseChange::kNone) {
      if (key_of(slots_[h]) == k) return slots_[h];
      h = (h + 1) & (slots_.size() - 1);
    }
    return CaseChange::kNone;
  }
  // The other report's record `r`, by its key under this match.
  template <class Other>
  std::uint32_t find_record(const Other& r, const std::vector<std::string>& match,
                            std::uint32_t hint = CaseChange::kNone) const {
    return match.empty() ? find(std::string_view(r.key), hint) : find(match_key(r, match), hint);
  }
  const std::vector<std::uint32_t>& order() const { return order_; }

 private:
  // The open-addressing table over order_; throws for a key held twice.
  void build() const {
    std::size_t cap = 16;
    while (cap < 2 * order_.size()) cap *= 2;
    slots_.assign(cap, CaseChange::kNone);
    for (const std::uint32_t i : order_) {
      const std::string_view k = key_of(i);
      std::size_t h = std::hash<std::string_view>{}(k) & (slots_.size() - 1);
      while (slots_[h] != CaseChange::kNone) {
        if (key_of(slots_[h]) == k) {
          throw ValueError(
              fmt::format("{} has two cases with the key '{}'{}", name_, std::string(k).substr(0, 200),
                          match_ ? "; add fields to --match (or filter) to tell them apart" : ""));
        }
        h = (h + 1) & (slots_.size() - 1);
      }
      slots_[h] = i;
    }
  }
  std::string_view key_of(std::uint32_t i) const {
    return match_ ? std::string_view(built_[i]) : records_.key_of(i);
  }
  const Rows& records_;
  bool match_;
  std::string name_;
  std::vector<std::string> built_;            // match keys by record index (only with --match)
  mutable std::vector<std::uint32_t> slots_;  // power-of-two table, at most half full (built lazily)
  std::vector<bool> indexed_;                 // records that passed the filter, by index
  std::vector<std::uint32_t> order_;          // records that passed the filter, in report order
};

double check_value(const CheckRow& c) { return std::isnan(c.max_ulp) ? c.max_abs_err : c.max_ulp; }

std::string with_message(std::string head, std::string_view message) {
  if (!message.empty()) head.append(": ").append(message);
  return head;
}

std::string num(double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:.3g}", v); }

template <class Getter>
Limits limits_for(const Policy& p, const Getter& get) {
  if (p.rules.empty()) return p.limits;
  return p.resolve(get);
}

// Status transitions: a pass that became fail, skip or divergent is worse; a fail or skip
// that became pass (or divergent) is better.
void judge_check(const CheckRow& b, const CheckRow& n, const Limits& lim, const Policy& pol, CaseChange& c) {
  c.base_value = check_value(b);
  c.next_value = check_value(n);
  auto set = [&](Verdict v, std::string why) {
    c.verdict = v;
    c.reason = std::move(why);
    c.fails = v == Verdict::Worse && pol.fail_accuracy && lim.gate;
  };
  if (b.status != n.status) {
    const std::string transition = fmt::format("{} -> {}", b.status, n.status);
    const bool worse =
        n.status == "fail" || (n.status == "skip") || (n.status == "divergent" && b.status == "pass");
    const bool better = n.status == "pass" || (n.status == "divergent" && b.status != "pass");
    if (worse) {
      set(Verdict::Worse,
          with_message(transition + (n.status == "skip" ? " (coverage lost)" : ""), n.message));
    } else if (better) {
      set(Verdict::Better, with_message(transition, n.message));
    } else {
      set(Verdict::Same, with_message(transition, n.message));
    }
    return;
  }
  // Same status: the size of the error decides.
  if (std::isnan(b.max_ulp) || std::isnan(n.max_ulp)) {
    if (n.status == "fail") set(Verdict::Same, with_message("still fails", n.message));
    return;
  }
  const double growth = n.max_ulp - b.max_ulp;
  const double budget = n.budget > 0 && std::isfinite(n.budget) ? n.budget : 1.0;
  const double limit = lim.ulp_fraction * budget;
  const auto what = [&] {
    return fmt::format("{}, max_ulp {} -> {} (budget {})", n.status, num(b.max_ulp), num(n.max_ulp),
                       num(n.budget));
  };
  if (growth > limit) {
    set(Verdict::Worse, fmt::format("{}: grew by more than {} of the budget", what(), lim.ulp_fraction));
  } else if (-growth > limit) {
    set(Verdict::Better, what());
  } else if (n.status == "fail") {
    set(Verdict::Same, with_message("still fails", n.message));
  }
}

// A sample of 0 s is not a time: an all-zero chunk is what a damaged or unfinished write leaves.
std::string invalid_samples(const BenchRow& r, const std::string& side) {
  if (r.samples.empty()) return "no samples in " + side;
  std::size_t zeros = 0;
  for (double s : r.samples) zeros += s <= 0 ? 1 : 0;
  if (zeros) {
    return fmt::format("{} of {} samples in {} are 0 s: not times (a zeroed chunk?)", zeros, r.samples.size(),
                       side);
  }
  return "";
}

// Log median and its within-run (bootstrap) variance, for one report's record.
struct RunStat {
  double log_median = kNaN, within = 0;
};

RunStat run_stat(const BenchRow& r, std::vector<double>& scratch, stats::MedianVariance& mv) {
  scratch.assign(r.samples.begin(), r.samples.end());
  for (double& s : scratch) s = std::log(s);
  std::sort(scratch.begin(), scratch.end());
  RunStat st;
  const std::size_t n = scratch.size();
  st.log_median = n % 2 ? scratch[n / 2] : 0.5 * (scratch[n / 2 - 1] + scratch[n / 2]);
  st.within = mv(scratch);
  return st;
}

double counter(const BenchRow& r, std::string_view name) {
  for (const auto& [k, v] : r.counters) {
    if (k == name) return v;
  }
  return kNaN;
}

// Instructions gate past their threshold; the other counters (allocations, launches, syncs)
// are deterministic, so any growth fails.
void judge_counters(const BenchRow& b, const BenchRow& n, const Limits& lim, const Policy& pol,
                    CaseChange& c) {
  if (b.counters.empty() || n.counters.empty()) return;
  if (b.counter_source != n.counter_source) {
    c.reason += fmt::format("; counters not compared (source {} -> {})", b.counter_source, n.counter_source);
    return;
  }
  for (const auto& [name, nv] : n.counters) {
    const double bv = counter(b, name);
    if (std::isnan(bv) || std::isnan(nv)) continue;
    const bool instr = name == "instructions";
    if (instr) {
      c.instr_base = bv;
      c.instr_next = nv;
    }
    const bool grew = instr ? nv > bv * (1 + lim.instructions) : nv > bv;
    if (!grew) continue;
    c.verdict = Verdict::Slower;
    c.reason += bv > 0 ? fmt::format("; {} {} -> {} ({:+.1f}%)", name, num(bv), num(nv), (nv / bv - 1) * 100)
                       : fmt::format("; {} {} -> {}", name, num(bv), num(nv));
    if (lim.gate && (instr ? pol.fail_instructions : pol.fail_counters)) c.fails = true;
  }
}

std::string kind_label(const ReportTable& r) {
  const std::string k = r.meta.get("kind");
  return k.empty() ? "unlabelled" : k;
}

}  // namespace

namespace {
std::string kind_of(const Metadata& meta, std::size_t n_checks, std::size_t n_benches,
                    const std::string& name) {
  const std::string attr = meta.get("kind");
  if (!attr.empty() && attr != "check" && attr != "bench")
    throw ValueError(
        fmt::format("{}: unknown kind '{}' (expected check or bench)", name, attr.substr(0, 40)));
  if (attr == "check" && n_benches > 0)
    throw ValueError(fmt::format("{}: its kind is 'check' but it holds {} bench cases", name, n_benches));
  if (attr == "bench" && n_checks > 0)
    throw ValueError(fmt::format("{}: its kind is 'bench' but it holds {} check cases", name, n_checks));
  if (!attr.empty()) return attr;
  if (n_checks > 0 && n_benches > 0) return "mixed";
  if (n_checks > 0) return "check";
  if (n_benches > 0) return "bench";
  return "";
}
}  // namespace

std::string report_kind(const ReportTable& r, const std::string& name) {
  return kind_of(r.meta, r.checks.size(), r.benches.size(), name);
}
std::string report_kind(const Report& r, const std::string& name) {
  return kind_of(r.meta, r.checks.size(), r.benches.size(), name);
}

std::string Comparison::key(const CaseChange& c) const {
  const bool in_next = c.next != CaseChange::kNone;
  if (!in_next && c.base == CaseChange::kNone) return "";
  const ReportTable& t = in_next ? *next : *bases.back();
  const std::uint32_t i = in_next ? c.next : c.base;
  if (c.kind == CaseKind::Check)
    return match.empty() ? std::string(t.checks.key_of(i)) : match_key(t.checks[i], match);
  return match.empty() ? std::string(t.benches.key_of(i)) : match_key(t.benches[i], match);
}
std::optional<CheckRow> Comparison::base_check(const CaseChange& c) const {
  if (c.kind != CaseKind::Check || c.base == CaseChange::kNone) return std::nullopt;
  return bases.back()->checks[c.base];
}
std::optional<CheckRow> Comparison::next_check(const CaseChange& c) const {
  if (c.kind != CaseKind::Check || c.next == CaseChange::kNone) return std::nullopt;
  return next->checks[c.next];
}
std::optional<BenchRow> Comparison::base_bench(const CaseChange& c) const {
  if (c.kind != CaseKind::Bench || c.base == CaseChange::kNone) return std::nullopt;
  return bases.back()->benches[c.base];
}
std::optional<BenchRow> Comparison::next_bench(const CaseChange& c) const {
  if (c.kind != CaseKind::Bench || c.next == CaseChange::kNone) return std::nullopt;
  return next->benches[c.next];
}

std::string Comparison::describe(const CaseChange& c) const {
  if (c.kind == CaseKind::Check || std::isnan(c.ratio)) {
    if (c.kind == CaseKind::Bench && (c.verdict == Verdict::Removed || c.verdict == Verdict::Added)) {
      const double v = c.verdict == Verdict::Added ? c.next_value : c.base_value;
      return fmt::format("{}; median {}", c.reason, format_seconds(v));
    }
    return c.reason;
  }
  const double level = 100 * (1 - 2 * alpha);
  std::string s = fmt::format("median {} -> {} ({:+.1f}%; {:.0f}% interval {:+.1f}% .. {:+.1f}%; ",
                              format_seconds(c.base_value), format_seconds(c.next_value), (c.ratio - 1) * 100,
                              level, (c.lo - 1) * 100, (c.hi - 1) * 100);
  const double q = c.ratio >= 1 ? c.q_slower : c.q_faster;
  s += fmt::format("q={:.2g}; run-to-run noise {:.1f}%{})", q, c.noise * 100,
                   c.history > 1 ? fmt::format(" from {} baselines", c.history) : " assumed");
  if (!c.reason.empty()) s += c.reason;
  return s;
}

Comparison compare(const std::vector<const Report*>& bases, const Report& next, const CompareOptions& opts,
                   const std::vector<std::string>& names) {
  std::vector<std::shared_ptr<const ReportTable>> owned;
  std::vector<const ReportTable*> tables;
  for (const Report* b : bases) {
    owned.push_back(std::make_shared<const ReportTable>(ReportTable::from(*b)));
    tables.push_back(owned.back().get());
  }
  owned.push_back(std::make_shared<const ReportTable>(ReportTable::from(next)));
  Comparison c = compare(tables, *owned.back(), opts, names);
  c.owned = std::move(owned);
  return c;
}

Comparison compare(const std::vector<const ReportTable*>& bases, const ReportTable& next,
                   const CompareOptions& given, const std::vector<std::string>& names) {
  if (bases.empty()) throw ValueError("compare needs at least one baseline report");
  // Reports whose keys are built differently are matched on the identity fields instead.
  CompareOptions opts = given;
  bool key_formats_differ = false;
  for (const ReportTable* b : bases)
    key_formats_differ = key_formats_differ || b->key_format != next.key_format;
  if (key_formats_differ && opts.match.empty())
    opts.match = {"kind", "op", "engine", "dtype", "device", "shapes", "layout", "mode", "params", "timer"};
  opts.policy.validate();
  for (const std::string& f : opts.match) {
    const auto& known = identity_fields();
    if (std::find(known.begin(), known.end(), f) == known.end())
      throw ValueError(
          fmt::format("unknown --match field '{}' (expected some of kind, op, engine, "
                      "dtype, device, shapes, layout, mode, params, timer)",
                      f.substr(0, 40)));
  }
  auto name_of = [&](std::size_t i) {
    if (i < names.size()) return names[i];
    return i == bases.size()
               ? std::string("the new report")
               : (bases.size() == 1 ? std::string("the base report") : fmt::format("base report {}", i + 1));
  };
  const std::string next_name = name_of(bases.size());
  const std::string next_kind = report_kind(next, next_name);
  if (next.checks.empty() && next.benches.empty())
    throw ValueError(next_name + " has no cases (an empty report)");
  for (std::size_t i = 0; i < bases.size(); ++i) {
    const std::string k = report_kind(*bases[i], name_of(i));
    if (!k.empty() && k != next_kind)
      throw ValueError(fmt::format("{} is a {} report and {} a {} report: compare reports of one kind",
                                   name_of(i), kind_label(*bases[i]), next_name, kind_label(next)));
  }
  bool timed = false;
  for (std::size_t i = 0; i < next.benches.size() && !timed; ++i) timed = !next.benches[i].samples.empty();
  if (!next.benches.empty() && !timed)
    throw ValueError(next_name + " has no bench samples (" + std::to_string(next.benches.size()) +
                     " cases, none timed)");

  const Policy& pol = opts.policy;
  const ReportTable& base = *bases.back();  // the primary baseline: the most recent
  Comparison out;
  out.bases = bases;
  out.next = &next;
  out.match = opts.match;
  out.alpha = pol.alpha;

  // Metadata: notes against the primary baseline; env_must_match against every baseline.
  const auto noisy = [](const std::string& k) { return k == "date_utc" || k == "command_line"; };
  for (const auto& [k, v] : base.meta.entries) {
    if (noisy(k)) continue;
    const std::string w = next.meta.has(k) ? next.meta.get(k) : "(absent)";
    if (w != v) out.notes.push_back(fmt::format("{}: {} -> {}", k, v, w));
  }
  for (const auto& [k, w] : next.meta.entries) {
    if (!noisy(k) && !base.meta.has(k)) out.notes.push_back(fmt::format("{}: (absent) -> {}", k, w));
  }
  for (const char* k : {"cpu_model", "gpu"}) {
    if (base.meta.get(k) != next.meta.get(k)) {
      out.notes.push_back("the reports come from different machines: timing changes may reflect the machine");
      break;
    }
  }
  if (key_formats_differ && given.match.empty())
    out.notes.push_back(
        "the reports build keys differently (key_format): cases matched on their identity fields");
  for (const std::string& k : pol.env_must_match) {
    for (std::size_t i = 0; i < bases.size(); ++i) {
      if (bases[i]->meta.get(k) != next.meta.get(k)) {
        out.env_mismatch.push_back(
            fmt::format("{}: {} -> {} ({})", k, bases[i]->meta.get(k), next.meta.get(k), name_of(i)));
        break;
      }
    }
  }

  // ---- checks: the primary baseline against the new report.
  {
    const Index<ReportTable::Checks> bi(base.checks, opts, false, name_of(bases.size() - 1));
    const Index<ReportTable::Checks> ni(next.checks, opts, true, next_name);
    // New cases that a baseline case found: keys are unique in an index, so the rest of the
    // new report's cases are exactly those the baseline does not hold.
    std::vector<bool> matched(next.checks.size(), false);
    out.changes.reserve(bi.order().size() + next.benches.size());
    for (std::uint32_t i : bi.order()) {
      const CheckRow b = base.checks[i];
      CaseChange c;
      c.kind = CaseKind::Check;
      c.base = i;
      c.next = ni.find_record(b, opts.match, i);
      if (c.next != CaseChange::kNone) matched[c.next] = true;
      const CheckRow id = c.next != CaseChange::kNone ? next.checks[c.next] : b;
      const Limits lim = limits_for(pol, [&](const std::string& f) { return check_field(id, f); });
      if (c.next == CaseChange::kNone) {
        c.verdict = Verdict::Removed;
        c.base_value = check_value(b);
        c.reason = fmt::format("was {}; not in the new report", b.status);
        c.fails = pol.fail_removed && lim.gate;
      } else {
        judge_check(b, next.checks[c.next], lim, pol, c);
      }
      out.changes.push_back(std::move(c));
    }
    for (std::uint32_t i : ni.order()) {
      if (matched[i]) continue;
      const CheckRow n = next.checks[i];
      CaseChange c;
      c.kind = CaseKind::Check;
      c.next = i;
      c.verdict = Verdict::Added;
      c.next_value = check_value(n);
      c.reason = with_message(std::string(n.status), n.message);
      out.changes.push_back(std::move(c));
    }
  }

  // ---- benches
  {
    std::vector<Index<ReportTable::Benches>> bix;
    bix.reserve(bases.size());
    for (std::size_t j = 0; j < bases.size(); ++j)
      bix.emplace_back(bases[j]->benches, opts, false, name_of(j));
    const Index<ReportTable::Benches> ni(next.benches, opts, true, next_name);
    std::vector<bool> matched(next.benches.size(), false);  // as for the checks
    const std::size_t K = bases.size();

    // Pass 1: per matched case, the statistics of each run.
    struct Pending {
      std::size_t change;
      double d, within_next, within_base, var_hist;  // var_hist: spread of baselines' log medians
      int history;
    };
    std::vector<Pending> pending;
    std::vector<double> scratch, logs;
    stats::MedianVariance mv;
    double pooled_sum = 0, pooled_df = 0;
    for (std::uint32_t i : bix.back().order()) {
      const BenchRow b = base.benches[i];
      CaseChange c;
      c.kind = CaseKind::Bench;
      c.base = i;
      const auto find_in = [&](const Index<ReportTable::Benches>& ix) {
        return ix.find_record(b, opts.match, i);
      };
      c.next = find_in(ni);
      if (c.next != CaseChange::kNone) matched[c.next] = true;
      const BenchRow id = c.next != CaseChange::kNone ? next.benches[c.next] : b;
      const Limits lim = limits_for(pol, [&](const std::string& f) { return bench_field(id, f); });
      if (c.next == CaseChange::kNone) {
        c.base_value = b.samples.empty() ? kNaN : b.median();
        c.verdict = Verdict::Removed;
        c.reason = "not in the new report";
        c.fails = pol.fail_removed && lim.gate;
        out.changes.push_back(std::move(c));
        continue;
      }
      const BenchRow& n = id;
      c.next_value = n.samples.empty() ? kNaN : n.median();
      std::string bad = invalid_samples(n, "the new report");
      // Every baseline holding the case contributes a run; a damaged one makes the case invalid.
      logs.clear();
      double within_base = 0;
      for (std::size_t j = 0; j < K && bad.empty(); ++j) {
        const std::uint32_t bj = j + 1 == K ? i : find_in(bix[j]);
        if (bj == CaseChange::kNone) continue;
        const BenchRow r = j + 1 == K ? b : bases[j]->benches[bj];
        bad = invalid_samples(r, name_of(j));
        if (!bad.empty()) break;
        const RunStat st = run_stat(r, scratch, mv);
        logs.push_back(st.log_median);
        within_base += st.within;
      }
      if (!bad.empty()) {
        c.verdict = Verdict::Invalid;
        c.reason = bad;
        out.changes.push_back(std::move(c));
        continue;
      }
      if (b.timer != n.timer) c.reason += fmt::format("; timer {} -> {}", b.timer, n.timer);
      const RunStat ns = run_stat(n, scratch, mv);
      const double k = static_cast<double>(logs.size());
      double mean = 0;
      for (double l : logs) mean += l;
      mean /= k;
      double var = 0;
      for (double l : logs) var += (l - mean) * (l - mean);
      if (logs.size() >= 2) {
        var /= (k - 1);
        pooled_sum += var * (k - 1);
        pooled_df += k - 1;
      }
      c.history = static_cast<std::uint16_t>(logs.size());
      c.ratio = std::exp(ns.log_median - mean);
      c.base_value = std::exp(mean);
      pending.push_back({out.changes.size(), ns.log_median - mean, ns.within, within_base / k, var,
                         static_cast<int>(logs.size())});
      judge_counters(b, n, lim, pol, c);
      out.changes.push_back(std::move(c));
    }
    for (std::uint32_t i : ni.order()) {
      if (matched[i]) continue;
      const BenchRow n = next.benches[i];
      CaseChange c;
      c.kind = CaseKind::Bench;
      c.next = i;
      c.verdict = Verdict::Added;
      c.next_value = n.samples.empty() ? kNaN : n.median();
      c.reason = "new case";
      out.changes.push_back(std::move(c));
    }

    // Pass 2: run-to-run variance, p-values, Benjamini-Hochberg, verdicts.
    constexpr std::size_t kMinCasesForSpread = 8;  // fewer cases say too little about the spread
    constexpr double kPrior = 2;                   // weight (in degrees of freedom) of the pooled variance
    const double pooled = pooled_df > 0 ? pooled_sum / pooled_df : kNaN;
    // The comparison's own cases give an "empirical null" (Efron): most cases did not
    // change, so the robust spread of d around its median bounds the run-to-run noise from
    // below even with one baseline, and a run made noisy by load widens every interval. A
    // shift of all cases alike moves the median, not the spread, so it is still seen.
    double cross_var_d = 0;
    if (pending.size() >= kMinCasesForSpread) {
      std::vector<double> ds;
      ds.reserve(pending.size());
      for (const Pending& pd : pending) ds.push_back(pd.d);
      const double med = stats::median_inplace(ds);
      for (double& v : ds) v = std::fabs(v - med);
      const double mad = 1.4826 * stats::median_inplace(ds);
      cross_var_d = mad * mad;
    }
    // One baseline: the noise is a guess, and on a loaded machine its tails are heavy (in
    // 90 A/A pairs on a shared 2-core machine, changes of +300% between runs of one build
    // came with a cross-case spread of 13%), so p-values come from Student's t with 2
    // degrees of freedom. With history, the normal.
    constexpr int kOneBaselineDf = 2;
    const bool one_run = pooled_df == 0;
    const auto upper = [&](double zv) {
      return one_run ? 1 - stats::student_t_cdf(zv, kOneBaselineDf) : 1 - stats::normal_cdf(zv);
    };
    const double z = one_run ? stats::student_t_quantile(1 - pol.alpha, kOneBaselineDf)
                             : stats::normal_quantile(1 - pol.alpha);
    std::vector<double> ps(pending.size()), pf(pending.size());
    std::vector<double> sds(pending.size());
    std::vector<Limits> lims(pending.size());
    for (std::size_t t = 0; t < pending.size(); ++t) {
      const Pending& pd = pending[t];
      CaseChange& c = out.changes[pd.change];
      lims[t] = limits_for(pol, [&](const std::string& f) { return bench_field(next.benches[c.next], f); });
      const Limits& lim = lims[t];
      double run_var;
      if (!one_run) {
        // History: this case's spread, shrunk towards the pooled spread of all cases.
        const double df = pd.history - 1;
        const double s2 = (df * pd.var_hist + kPrior * pooled) / (df + kPrior);
        const double k = pd.history;
        run_var =
            std::max({s2, lim.noise_floor * lim.noise_floor, pd.within_base, cross_var_d / (1 + 1 / k)});
        sds[t] = std::sqrt(std::max(run_var, pd.within_next) + run_var / k);
      } else {
        run_var = std::max(lim.noise * lim.noise, cross_var_d / 2);
        sds[t] = std::sqrt(run_var + pd.within_next + run_var + pd.within_base);
      }
      c.noise = std::sqrt(run_var);
      const double thr = std::log1p(lim.threshold);
      c.p_slower = upper((pd.d - thr) / sds[t]);
      c.p_faster = upper((-pd.d - thr) / sds[t]);
      c.lo = std::exp(pd.d - z * sds[t]);
      c.hi = std::exp(pd.d + z * sds[t]);
      ps[t] = c.p_slower;
      pf[t] = c.p_faster;
    }
    const std::vector<double> qs = stats::bh_adjust(ps), qf = stats::bh_adjust(pf);
    for (std::size_t t = 0; t < pending.size(); ++t) {
      const Pending& pd = pending[t];
      CaseChange& c = out.changes[pd.change];
      const Limits& lim = lims[t];
      c.q_slower = qs[t];
      c.q_faster = qf[t];
      const double m = std::log1p(lim.margin);
      const bool counter_slower = c.verdict == Verdict::Slower;
      if (c.q_slower <= pol.alpha) {
        c.verdict = Verdict::Slower;
        if (lim.gate && pol.fail_slower) c.fails = true;
      } else if (counter_slower) {
        // a counter grew: the verdict stays slower, whatever the time says
      } else if (c.q_faster <= pol.alpha) {
        c.verdict = Verdict::Faster;
      } else if (pd.d + z * sds[t] <= m && pd.d - z * sds[t] >= -m) {
        c.verdict = Verdict::Same;
      } else {
        c.verdict = Verdict::Inconclusive;
      }
    }
  }

  for (const CaseChange& c : out.changes) {
    ++out.counts[static_cast<int>(c.verdict)];
    out.failing += c.fails ? 1 : 0;
  }
  return out;
}

}  // namespace parity::reports
