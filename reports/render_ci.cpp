// The machine formats: JSON (every case with its verdict and numbers; schema in SCHEMA.md,
// "Compare output (JSON)") and JUnit XML (one testcase per case) for CI test reporters.
// Both stream case by case, so a million cases never sit in memory as one string.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "reports/escape.h"
#include "reports/render.h"

namespace parity::reports::detail {
namespace {

// JSON has no NaN or infinity: n/a is null. 17 significant digits round-trip a double.
std::string jnum(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : "null"; }

using escape::json;
using escape::xml;

void json_meta(std::ostream& out, const Metadata& meta) {
  out << "{";
  bool first = true;
  for (const auto& [k, v] : meta.entries) {
    out << (first ? "" : ",") << json(k) << ":" << json(v);
    first = false;
  }
  out << "}";
}

const char* kind_name(CaseKind k) { return k == CaseKind::Check ? "check" : "bench"; }

// A testcase's time attribute: seconds, finite and non-negative (reporters reject others).
std::string junit_time(double v) { return std::isfinite(v) && v >= 0 ? fmt::format("{:.9f}", v) : "0"; }

}  // namespace

void summary_json(std::ostream& out, const Report& r) {
  out << "{\"format\":\"parity-show\",\"format_version\":1,\"schema_version\":" << kSchemaVersion
      << ",\"meta\":";
  json_meta(out, r.meta);
  std::map<std::string, std::size_t> counts;
  for (const CheckRecord& c : r.checks) ++counts[c.status];
  out << ",\"check_counts\":{";
  bool first = true;
  for (const auto& [s, n] : counts) {
    out << (first ? "" : ",") << json(s) << ":" << n;
    first = false;
  }
  out << "},\"checks\":[";
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    const CheckRecord& c = r.checks[i];
    out << (i ? ",\n" : "\n") << "{\"key\":" << json(c.key) << ",\"op\":" << json(c.op)
        << ",\"engine\":" << json(c.engine) << ",\"dtype\":" << json(c.dtype)
        << ",\"device\":" << json(c.device) << ",\"shapes\":" << json(c.shapes)
        << ",\"layout\":" << json(c.layout) << ",\"mode\":" << json(c.mode)
        << ",\"params\":" << json(c.params) << ",\"reference\":" << json(c.reference)
        << ",\"status\":" << json(c.status) << ",\"max_abs_err\":" << jnum(c.max_abs_err)
        << ",\"max_rel_err\":" << jnum(c.max_rel_err) << ",\"max_ulp\":" << jnum(c.max_ulp)
        << ",\"budget\":" << jnum(c.budget) << ",\"message\":" << json(c.message) << "}";
  }
  out << "],\"benches\":[";
  for (std::size_t i = 0; i < r.benches.size(); ++i) {
    const BenchRecord& b = r.benches[i];
    out << (i ? ",\n" : "\n") << "{\"key\":" << json(b.key) << ",\"op\":" << json(b.op)
        << ",\"engine\":" << json(b.engine) << ",\"dtype\":" << json(b.dtype)
        << ",\"device\":" << json(b.device) << ",\"shape\":" << json(b.shape) << ",\"numel\":" << b.numel
        << ",\"timer\":" << json(b.timer) << ",\"samples\":" << b.samples.size()
        << ",\"median\":" << jnum(b.median()) << ",\"min\":" << jnum(b.min())
        << ",\"mean\":" << jnum(b.mean()) << ",\"stddev\":" << jnum(b.stddev())
        << ",\"gbps\":" << jnum(b.gbps()) << ",\"gflops\":" << jnum(b.gflops())
        << ",\"counter_source\":" << json(b.counter_source) << ",\"counters\":{";
    for (std::size_t k = 0; k < b.counters.size(); ++k)
      out << (k ? "," : "") << json(b.counters[k].first) << ":" << jnum(b.counters[k].second);
    out << "}}";
  }
  out << "\n]}\n";
}

void comparison_json(std::ostream& out, const Comparison& c) {
  out << "{\"format\":\"parity-compare\",\"format_version\":1,\"exit_code\":" << c.exit_code()
      << ",\"baselines\":" << c.bases.size() << ",\"alpha\":" << jnum(c.alpha) << ",\"match\":[";
  for (std::size_t i = 0; i < c.match.size(); ++i) out << (i ? "," : "") << json(c.match[i]);
  out << "],\"failing\":" << c.failing << ",\"counts\":{";
  for (int v = 0; v < kVerdictCount; ++v)
    out << (v ? "," : "") << json(verdict_name(static_cast<Verdict>(v))) << ":" << c.counts[v];
  out << "},\"env_mismatch\":[";
  for (std::size_t i = 0; i < c.env_mismatch.size(); ++i) out << (i ? "," : "") << json(c.env_mismatch[i]);
  out << "],\"notes\":[";
  for (std::size_t i = 0; i < c.notes.size(); ++i) out << (i ? "," : "") << json(c.notes[i]);
  out << "],\"cases\":[";
  for (std::size_t i = 0; i < c.changes.size(); ++i) {
    const CaseChange& ch = c.changes[i];
    out << (i ? ",\n" : "\n") << "{\"kind\":\"" << kind_name(ch.kind) << "\",\"key\":" << json(c.key(ch))
        << ",\"verdict\":\"" << verdict_name(ch.verdict) << "\",\"fails\":" << (ch.fails ? "true" : "false")
        << ",\"base\":" << jnum(ch.base_value) << ",\"new\":" << jnum(ch.next_value);
    if (ch.kind == CaseKind::Check) {
      const CheckRecord* b = c.base_check(ch);
      const CheckRecord* n = c.next_check(ch);
      out << ",\"base_status\":" << (b ? json(b->status) : "null")
          << ",\"new_status\":" << (n ? json(n->status) : "null") << ",\"budget\":"
          << jnum(n   ? n->budget
                  : b ? b->budget
                      : kNaN);
    } else {
      out << ",\"ratio\":" << jnum(ch.ratio) << ",\"ratio_low\":" << jnum(ch.lo)
          << ",\"ratio_high\":" << jnum(ch.hi) << ",\"p_slower\":" << jnum(ch.p_slower)
          << ",\"q_slower\":" << jnum(ch.q_slower) << ",\"p_faster\":" << jnum(ch.p_faster)
          << ",\"q_faster\":" << jnum(ch.q_faster) << ",\"noise\":" << jnum(ch.noise)
          << ",\"history\":" << ch.history << ",\"instructions_base\":" << jnum(ch.instr_base)
          << ",\"instructions_new\":" << jnum(ch.instr_next);
    }
    out << ",\"reason\":" << json(c.describe(ch)) << "}";
  }
  out << "\n]}\n";
}

namespace {

struct SuiteCounts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

// One <testcase>: outcome "" (passed), "failure", "error" or "skipped".
void testcase(std::ostream& out, const std::string& suite, const std::string& op, const std::string& name,
              double time, const char* outcome, const std::string& type, const std::string& message) {
  out << "    <testcase name=\"" << xml(name) << "\" classname=\""
      << xml("parity." + suite + "." + (op.empty() ? "case" : op)) << "\" time=\"" << junit_time(time)
      << "\"";
  if (!*outcome) {
    out << "/>\n";
    return;
  }
  out << ">\n      <" << outcome << " message=\"" << xml(message) << "\"";
  if (!type.empty()) out << " type=\"" << xml(type) << "\"";
  out << "/>\n    </testcase>\n";
}

void suite_open(std::ostream& out, const std::string& name, const SuiteCounts& n) {
  out << "  <testsuite name=\"" << xml(name) << "\" tests=\"" << n.tests << "\" failures=\"" << n.failures
      << "\" errors=\"" << n.errors << "\" skipped=\"" << n.skipped << "\" time=\"0\">\n";
}

void root_open(std::ostream& out, const std::string& name, const SuiteCounts& a, const SuiteCounts& b) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" << xml(name) << "\" tests=\""
      << a.tests + b.tests << "\" failures=\"" << a.failures + b.failures << "\" errors=\""
      << a.errors + b.errors << "\" skipped=\"" << a.skipped + b.skipped << "\" time=\"0\">\n";
}

const char* comparison_outcome(const CaseChange& ch) {
  if (ch.verdict == Verdict::Invalid) return "error";
  if (ch.fails) return "failure";
  if (ch.verdict == Verdict::Removed) return "skipped";  // removed, and the policy allows it
  return "";
}

const char* check_outcome(const CheckRecord& c) {
  if (c.status == "fail") return "failure";
  if (c.status == "skip") return "skipped";
  return "";
}

const char* bench_outcome(const BenchRecord& b) {
  for (double s : b.samples) {
    if (!(s > 0)) return "error";
  }
  return b.samples.empty() ? "error" : "";
}

void add(SuiteCounts& n, const char* outcome) {
  ++n.tests;
  const std::string o = outcome;
  n.failures += o == "failure";
  n.errors += o == "error";
  n.skipped += o == "skipped";
}

}  // namespace

void comparison_junit(std::ostream& out, const Comparison& c) {
  // Counts first: the attributes come before the cases they count.
  SuiteCounts checks, benches;
  for (const CaseChange& ch : c.changes)
    add(ch.kind == CaseKind::Check ? checks : benches, comparison_outcome(ch));
  root_open(out, "parity compare", checks, benches);
  for (CaseKind kind : {CaseKind::Check, CaseKind::Bench}) {
    const SuiteCounts& n = kind == CaseKind::Check ? checks : benches;
    if (n.tests == 0) continue;
    suite_open(out, kind == CaseKind::Check ? "parity.compare.check" : "parity.compare.bench", n);
    for (const CaseChange& ch : c.changes) {
      if (ch.kind != kind) continue;
      const CheckRecord* cr =
          kind == CaseKind::Check ? (c.next_check(ch) ? c.next_check(ch) : c.base_check(ch)) : nullptr;
      const BenchRecord* br =
          kind == CaseKind::Bench ? (c.next_bench(ch) ? c.next_bench(ch) : c.base_bench(ch)) : nullptr;
      const std::string op = cr ? cr->op : br ? br->op : "";
      const char* outcome = comparison_outcome(ch);
      const double time = kind == CaseKind::Bench ? ch.next_value : 0;
      testcase(out, kind == CaseKind::Check ? "check" : "bench", op, c.key(ch), time, outcome,
               verdict_name(ch.verdict),
               *outcome ? fmt::format("{}: {}", verdict_name(ch.verdict), c.describe(ch)) : "");
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void summary_junit(std::ostream& out, const Report& r) {
  SuiteCounts checks, benches;
  for (const CheckRecord& c : r.checks) add(checks, check_outcome(c));
  for (const BenchRecord& b : r.benches) add(benches, bench_outcome(b));
  root_open(out, "parity show", checks, benches);
  if (checks.tests) {
    suite_open(out, "parity.check", checks);
    for (const CheckRecord& c : r.checks) {
      const char* o = check_outcome(c);
      testcase(out, "check", c.op, c.key, 0, o, *o ? c.status : "", *o ? c.status + ": " + c.message : "");
    }
    out << "  </testsuite>\n";
  }
  if (benches.tests) {
    suite_open(out, "parity.bench", benches);
    for (const BenchRecord& b : r.benches) {
      const char* o = bench_outcome(b);
      testcase(out, "bench", b.op, b.key, b.samples.empty() ? 0 : b.median(), o, *o ? "invalid" : "",
               *o ? "samples are missing or not times (0 s)" : "");
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace parity::reports::detail
