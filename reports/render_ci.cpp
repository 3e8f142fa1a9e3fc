// The machine formats: JSON (every case with its verdict and numbers; schema in SCHEMA.md,
// "Compare output (JSON)") and JUnit XML (one testcase per case) for CI test reporters.
// Both stream case by case, so a million cases never sit in memory as one string.
#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <string_view>

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
std::string junit_time(double v) { return std::isfinite(v) && v > 0 ? fmt::format("{:.9f}", v) : "0"; }

}  // namespace

void summary_json(std::ostream& out, const ReportTable& r) {
  out << "{\"format\":\"parity-show\",\"format_version\":1,\"schema_version\":" << kSchemaVersion
      << ",\"meta\":";
  json_meta(out, r.meta);
  std::map<std::string, std::size_t> counts;
  for (const CheckRow c : r.checks) ++counts[std::string(c.status)];
  out << ",\"check_counts\":{";
  bool first = true;
  for (const auto& [s, n] : counts) {
    out << (first ? "" : ",") << json(s) << ":" << n;
    first = false;
  }
  out << "},\"checks\":[";
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    const CheckRow c = r.checks[i];
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
    const BenchRow b = r.benches[i];
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

namespace {

// One JSON object built in a reused buffer (no allocation per field at 1M cases).
struct JsonLine {
  std::string buf;
  bool first = true;
  void open() {
    buf += '{';
    first = true;
  }
  void key(const char* k) {
    if (!first) buf += ',';
    first = false;
    buf += '"';
    buf += k;
    buf += "\":";
  }
  void str(const char* k, std::string_view v) {
    key(k);
    escape::append_json(buf, v);
  }
  void num(const char* k, double v) {
    key(k);
    // Shortest representation that reads back to the same double; JSON has no NaN: null.
    if (std::isfinite(v)) {
      fmt::format_to(std::back_inserter(buf), "{}", v);
    } else {
      buf += "null";
    }
  }
  void integer(const char* k, long long v) {
    key(k);
    fmt::format_to(std::back_inserter(buf), "{}", v);
  }
  void boolean(const char* k, bool v) {
    key(k);
    buf += v ? "true" : "false";
  }
  void null(const char* k) {
    key(k);
    buf += "null";
  }
};

}  // namespace

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
  JsonLine j;
  for (std::size_t i = 0; i < c.changes.size(); ++i) {
    const CaseChange& ch = c.changes[i];
    j.buf = i ? ",\n" : "\n";
    j.open();
    j.str("kind", kind_name(ch.kind));
    j.str("key", c.key(ch));
    j.str("verdict", verdict_name(ch.verdict));
    j.boolean("fails", ch.fails);
    j.num("base", ch.base_value);
    j.num("new", ch.next_value);
    if (ch.kind == CaseKind::Check) {
      const std::optional<CheckRow> b = c.base_check(ch);
      const std::optional<CheckRow> n = c.next_check(ch);
      b ? j.str("base_status", b->status) : j.null("base_status");
      n ? j.str("new_status", n->status) : j.null("new_status");
      j.num("budget", n ? n->budget : b ? b->budget : kNaN);
    } else {
      j.num("ratio", ch.ratio);
      j.num("ratio_low", ch.lo);
      j.num("ratio_high", ch.hi);
      j.num("p_slower", ch.p_slower);
      j.num("q_slower", ch.q_slower);
      j.num("p_faster", ch.p_faster);
      j.num("q_faster", ch.q_faster);
      j.num("noise", ch.noise);
      j.integer("history", ch.history);
      j.num("instructions_base", ch.instr_base);
      j.num("instructions_new", ch.instr_next);
    }
    // The numbers are members already: the one-line reason is spelled out only where there
    // is something to explain (formatting it for a million inconclusive cases costs seconds).
    const bool plain =
        (ch.verdict == Verdict::Same || ch.verdict == Verdict::Inconclusive) && ch.reason.empty();
    j.str("reason", plain ? std::string() : c.describe(ch));
    j.buf += '}';
    out.write(j.buf.data(), static_cast<std::streamsize>(j.buf.size()));
  }
  out << "\n]}\n";
}

namespace {

struct SuiteCounts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

// One <testcase>: outcome "" (passed), "failure", "error" or "skipped". Built in a reused
// buffer: at 1M cases, stream insertions of small pieces dominate.
void testcase(std::ostream& out, const std::string& suite, std::string_view op, std::string_view name,
              double time, const char* outcome, std::string_view type, const std::string& message) {
  thread_local std::string b;
  b = "    <testcase name=\"";
  escape::append_xml(b, name);
  b += "\" classname=\"parity.";
  escape::append_xml(b, suite);
  b += '.';
  escape::append_xml(b, op.empty() ? std::string_view("case") : op);
  b += "\" time=\"";
  b += junit_time(time);
  b += '"';
  if (!*outcome) {
    b += "/>\n";
  } else {
    b += ">\n      <";
    b += outcome;
    b += " message=\"";
    escape::append_xml(b, message);
    b += '"';
    if (!type.empty()) {
      b += " type=\"";
      escape::append_xml(b, type);
      b += '"';
    }
    b += "/>\n    </testcase>\n";
  }
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
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

const char* check_outcome(const CheckRow& c) {
  if (c.status == "fail") return "failure";
  if (c.status == "skip") return "skipped";
  return "";
}

const char* bench_outcome(const BenchRow& b) {
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
      std::string_view op;
      if (kind == CaseKind::Check) {
        const std::optional<CheckRow> r = c.next_check(ch) ? c.next_check(ch) : c.base_check(ch);
        if (r) op = r->op;
      } else {
        const std::optional<BenchRow> r = c.next_bench(ch) ? c.next_bench(ch) : c.base_bench(ch);
        if (r) op = r->op;
      }
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

void summary_junit(std::ostream& out, const ReportTable& r) {
  SuiteCounts checks, benches;
  for (const CheckRow c : r.checks) add(checks, check_outcome(c));
  for (const BenchRow b : r.benches) add(benches, bench_outcome(b));
  root_open(out, "parity show", checks, benches);
  if (checks.tests) {
    suite_open(out, "parity.check", checks);
    for (const CheckRow c : r.checks) {
      const char* o = check_outcome(c);
      testcase(out, "check", c.op, c.key, 0, o, *o ? c.status : "",
               *o ? fmt::format("{}: {}", c.status, c.message) : "");
    }
    out << "  </testsuite>\n";
  }
  if (benches.tests) {
    suite_open(out, "parity.bench", benches);
    for (const BenchRow b : r.benches) {
      const char* o = bench_outcome(b);
      testcase(out, "bench", b.op, b.key, b.samples.empty() ? 0 : b.median(), o, *o ? "invalid" : "",
               *o ? "samples are missing or not times (0 s)" : "");
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace parity::reports::detail
