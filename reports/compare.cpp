// Report comparison for CI gating. Checks are compared by status; benches by median ratio,
// gated by a one-sided Mann-Whitney U test on the raw samples so that noise alone does not
// fail a build.
#include "reports/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "engine/spec/error.h"
#include "reports/render.h"

namespace parity::reports {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Unchanged:
      return "unchanged";
    case Verdict::Improved:
      return "improved";
    case Verdict::Regressed:
      return "regressed";
    case Verdict::Added:
      return "added";
    case Verdict::Removed:
      return "removed";
  }
  return "unknown";
}

int Comparison::count(Verdict v) const {
  return static_cast<int>(std::count_if(changes.begin(), changes.end(),
                                        [&](const CaseChange& c) { return c.verdict == v; }));
}

bool Comparison::regressed() const { return count(Verdict::Regressed) > 0; }

// ---------------------------------------------------------------------------------------------
// Mann-Whitney U

namespace {

// Pooled sample with doubled mid-ranks: ties share the mean of their positions, and doubling
// keeps every rank an integer so the exact null distribution can be tabulated by rank sum.
struct Ranked {
  std::vector<long> rank2;  // doubled mid-rank of each pooled value, x values first
  std::vector<long> tie_sizes;
};

Ranked rank_pooled(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size(), N = x.size() + y.size();
  std::vector<std::pair<double, std::size_t>> pooled;
  pooled.reserve(N);
  for (std::size_t i = 0; i < n; ++i) pooled.emplace_back(x[i], i);
  for (std::size_t j = 0; j < y.size(); ++j) pooled.emplace_back(y[j], n + j);
  std::sort(pooled.begin(), pooled.end());
  Ranked r;
  r.rank2.assign(N, 0);
  for (std::size_t i = 0; i < N;) {
    std::size_t j = i;
    while (j + 1 < N && pooled[j + 1].first == pooled[i].first) ++j;
    // Positions i..j (0-based) are ranks i+1..j+1; their mean doubled is i+j+2.
    const long r2 = static_cast<long>(i + j + 2);
    for (std::size_t k = i; k <= j; ++k) r.rank2[pooled[k].second] = r2;
    r.tie_sizes.push_back(static_cast<long>(j - i + 1));
    i = j + 1;
  }
  return r;
}

// Sizes up to this pooled count use the exact distribution: the table has at most
// N * n * N(N+1) cells (about 1.3 million at N = 40), and every count stays below 2^53, so
// the doubles that hold them are exact integers.
constexpr std::size_t kExactMaxPooled = 40;

double exact_upper_tail(const Ranked& r, std::size_t n, long w2_obs) {
  const std::size_t N = r.rank2.size();
  long max_sum = 0;
  for (long v : r.rank2) max_sum += v;
  // count[k][s]: number of k-subsets of the values seen so far with doubled rank sum s.
  std::vector<std::vector<double>> count(
      n + 1, std::vector<double>(static_cast<std::size_t>(max_sum) + 1, 0.0));
  count[0][0] = 1.0;
  for (std::size_t i = 0; i < N; ++i) {
    const long v = r.rank2[i];
    for (std::size_t k = std::min(n, i + 1); k >= 1; --k) {
      auto& dst = count[k];
      const auto& src = count[k - 1];
      for (long s = max_sum; s >= v; --s)
        dst[static_cast<std::size_t>(s)] += src[static_cast<std::size_t>(s - v)];
    }
  }
  double total = 0, tail = 0;
  for (long s = 0; s <= max_sum; ++s) {
    total += count[n][static_cast<std::size_t>(s)];
    if (s >= w2_obs) tail += count[n][static_cast<std::size_t>(s)];
  }
  return tail / total;
}

std::vector<double> finite_only(std::span<const double> v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double d : v) {
    if (!std::isnan(d)) out.push_back(d);
  }
  return out;
}

}  // namespace

double mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  double u = 0;
  for (double a : x) {
    if (std::isnan(a)) continue;
    for (double b : y) {
      if (std::isnan(b)) continue;
      u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
    }
  }
  return u;
}

double mann_whitney_greater(std::span<const double> xs, std::span<const double> ys) {
  // NaN samples carry no ordering information; they are left out.
  const std::vector<double> x = finite_only(xs), y = finite_only(ys);
  const std::size_t n = x.size(), m = y.size(), N = n + m;
  if (n == 0 || m == 0) return kNaN;
  const Ranked r = rank_pooled(x, y);
  long w2 = 0;
  for (std::size_t i = 0; i < n; ++i) w2 += r.rank2[i];
  if (N <= kExactMaxPooled) return exact_upper_tail(r, n, w2);

  // Normal approximation: U_x = W_x - n(n+1)/2, mean nm/2, variance with the tie correction
  // nm/12 * ((N+1) - sum(t^3 - t) / (N(N-1))), and a continuity correction of 1/2.
  const double dn = static_cast<double>(n), dm = static_cast<double>(m),
               dN = static_cast<double>(N);
  const double u = static_cast<double>(w2) / 2.0 - dn * (dn + 1) / 2.0;
  double ties = 0;
  for (long t : r.tie_sizes) {
    const double dt = static_cast<double>(t);
    ties += dt * dt * dt - dt;
  }
  const double var = dn * dm / 12.0 * ((dN + 1) - ties / (dN * (dN - 1)));
  const double mu = dn * dm / 2.0;
  if (var <= 0) return 1.0;  // every value tied: U equals its mean, no evidence either way
  const double z = (u - mu - 0.5) / std::sqrt(var);
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// ---------------------------------------------------------------------------------------------
// compare()

namespace {

template <class Record>
std::unordered_map<std::string, const Record*> index_by_key(const std::vector<Record>& records,
                                                            const char* kind, const char* side) {
  std::unordered_map<std::string, const Record*> map;
  for (const Record& r : records) {
    if (!map.emplace(r.key, &r).second) {
      throw ValueError(fmt::format(
          "{} key '{}' appears twice in the {} report; keys must be unique", kind, r.key, side));
    }
  }
  return map;
}

double check_value(const CheckRecord& c) {
  return std::isnan(c.max_ulp) ? c.max_abs_err : c.max_ulp;
}

bool status_ok(const std::string& s) { return s == "pass" || s == "divergent"; }

std::string with_message(std::string head, const std::string& message) {
  if (!message.empty()) head += ": " + message;
  return head;
}

std::string fmt_value(double v) {
  return std::isnan(v) ? std::string("n/a") : fmt::format("{:.3g}", v);
}

CaseChange compare_check(const CheckRecord& b, const CheckRecord& n) {
  CaseChange c;
  c.kind = "check";
  c.key = b.key;
  c.base = check_value(b);
  c.next = check_value(n);
  const std::string transition = b.status + " -> " + n.status;
  if (status_ok(b.status) && n.status == "skip") {
    // Coverage lost (a device gone, a case no longer run): a gate must notice.
    c.verdict = Verdict::Regressed;
    c.detail = with_message(transition, n.message);
  } else if (b.status == "skip" || n.status == "skip") {
    c.verdict = Verdict::Unchanged;
    c.detail = b.status == n.status ? with_message("skip", n.message)
                                    : with_message(transition, n.message);
  } else if (status_ok(b.status) && n.status == "fail") {
    c.verdict = Verdict::Regressed;
    c.detail = with_message(transition, n.message);
  } else if (b.status == "fail" && status_ok(n.status)) {
    c.verdict = Verdict::Improved;
    c.detail = with_message(transition, n.message);
  } else if (b.status != n.status) {
    // pass <-> divergent, or a status this build does not know: worth showing, not gating.
    c.verdict = Verdict::Unchanged;
    c.detail = with_message(transition, n.message);
  } else {
    c.verdict = Verdict::Unchanged;
    const bool same_err = (std::isnan(c.base) && std::isnan(c.next)) || c.base == c.next;
    if (!same_err) {
      const char* metric = std::isnan(b.max_ulp) || std::isnan(n.max_ulp) ? "error" : "max_ulp";
      c.detail =
          fmt::format("{}, {} {} -> {}", n.status, metric, fmt_value(c.base), fmt_value(c.next));
    } else if (n.status == "fail") {
      c.detail = with_message("still fails", n.message);
    }
  }
  return c;
}

// True when the one-sided test can reach alpha at these sample sizes. Below 5 samples a side
// it cannot at the default alpha (the smallest exact p for 4 vs 4 is 1/70 = 0.014); in general
// the smallest attainable p is 1 / C(n+m, n).
bool test_usable(std::size_t n, std::size_t m, double alpha) {
  if (n < 5 || m < 5) return false;
  double log_choose = std::lgamma(static_cast<double>(n + m) + 1) -
                      std::lgamma(static_cast<double>(n) + 1) -
                      std::lgamma(static_cast<double>(m) + 1);
  return -log_choose <= std::log(alpha);
}

CaseChange compare_bench(const BenchRecord& b, const BenchRecord& n, const CompareOptions& opts) {
  CaseChange c;
  c.kind = "bench";
  c.key = b.key;
  c.verdict = Verdict::Unchanged;
  c.base = b.median();
  c.next = n.median();
  std::string timer_note;
  if (b.timer != n.timer) timer_note = fmt::format("; timer {} -> {}", b.timer, n.timer);
  if (std::isnan(c.base) || std::isnan(c.next)) {
    c.detail = fmt::format("no samples in the {} report{}", std::isnan(c.base) ? "base" : "next",
                           timer_note);
    // Timed before, not now: the case stopped running, which a gate must notice.
    if (!std::isnan(c.base)) c.verdict = Verdict::Regressed;
    return c;
  }
  if (!(c.base > 0)) {
    c.detail = fmt::format("base median is {}, no ratio{}", format_seconds(c.base), timer_note);
    return c;
  }
  c.ratio = c.next / c.base;
  c.p_value = mann_whitney_greater(n.samples, b.samples);
  c.p_value_faster = mann_whitney_greater(b.samples, n.samples);

  const bool slower = c.ratio > 1 + opts.threshold;
  const bool faster = c.ratio < 1 - opts.threshold;
  const bool usable = test_usable(b.samples.size(), n.samples.size(), opts.alpha);
  const double p = c.ratio >= 1 ? c.p_value : c.p_value_faster;
  std::string stat;
  if (usable) {
    stat = fmt::format("p={:.2g}", p);
    if ((slower || faster) && !(p < opts.alpha)) stat += ", not significant";
  } else {
    stat =
        fmt::format("n={}/{}: too few samples for the significance test, threshold alone decides",
                    b.samples.size(), n.samples.size());
  }
  if (slower && (!usable || c.p_value < opts.alpha)) c.verdict = Verdict::Regressed;
  if (faster && (!usable || c.p_value_faster < opts.alpha)) c.verdict = Verdict::Improved;
  c.detail = fmt::format("median {} -> {} ({:+.1f}%, {}){}", format_seconds(c.base),
                         format_seconds(c.next), (c.ratio - 1) * 100, stat, timer_note);
  return c;
}

CaseChange one_sided(const char* kind, const std::string& key, Verdict v, double value,
                     std::string detail) {
  CaseChange c;
  c.kind = kind;
  c.key = key;
  c.verdict = v;
  (v == Verdict::Added ? c.next : c.base) = value;
  c.detail = std::move(detail);
  return c;
}

// Keys that always differ between runs and say nothing about comparability.
bool noisy_meta_key(const std::string& k) { return k == "date_utc"; }

}  // namespace

Comparison compare(const Report& base, const Report& next, const CompareOptions& opts) {
  if (!(opts.threshold >= 0) || !(opts.alpha > 0 && opts.alpha < 1)) {
    throw ValueError(
        fmt::format("compare options out of range (threshold {} must be >= 0, alpha {} in (0, 1))",
                    opts.threshold, opts.alpha));
  }
  Comparison out;

  for (const auto& [k, v] : base.meta.entries) {
    if (noisy_meta_key(k)) continue;
    const std::string w = next.meta.has(k) ? next.meta.get(k) : "(absent)";
    if (w != v) out.notes.push_back(fmt::format("{}: {} -> {}", k, v, w));
  }
  for (const auto& [k, w] : next.meta.entries) {
    if (!noisy_meta_key(k) && !base.meta.has(k))
      out.notes.push_back(fmt::format("{}: (absent) -> {}", k, w));
  }
  for (const char* k : {"cpu_model", "gpu"}) {
    if (base.meta.get(k) != next.meta.get(k)) {
      out.notes.push_back(
          "the reports come from different machines: timing changes may reflect the machine");
      break;
    }
  }

  const auto next_checks = index_by_key(next.checks, "check", "next");
  const auto base_checks = index_by_key(base.checks, "check", "base");
  for (const CheckRecord& b : base.checks) {
    auto it = next_checks.find(b.key);
    if (it == next_checks.end()) {
      out.changes.push_back(
          one_sided("check", b.key, Verdict::Removed, check_value(b), "was " + b.status));
    } else {
      out.changes.push_back(compare_check(b, *it->second));
    }
  }
  for (const CheckRecord& n : next.checks) {
    if (!base_checks.count(n.key)) {
      out.changes.push_back(one_sided("check", n.key, Verdict::Added, check_value(n),
                                      with_message(n.status, n.message)));
    }
  }

  const auto next_benches = index_by_key(next.benches, "bench", "next");
  const auto base_benches = index_by_key(base.benches, "bench", "base");
  for (const BenchRecord& b : base.benches) {
    auto it = next_benches.find(b.key);
    if (it == next_benches.end()) {
      out.changes.push_back(one_sided("bench", b.key, Verdict::Removed, b.median(),
                                      "median was " + format_seconds(b.median())));
    } else {
      out.changes.push_back(compare_bench(b, *it->second, opts));
    }
  }
  for (const BenchRecord& n : next.benches) {
    if (!base_benches.count(n.key)) {
      out.changes.push_back(one_sided("bench", n.key, Verdict::Added, n.median(),
                                      "median " + format_seconds(n.median())));
    }
  }
  return out;
}

}  // namespace parity::reports
