// Text and Markdown rendering of reports and comparisons. Tables are built as rows of strings
// first, then laid out, so both formats share the content and differ only in layout.
#include "reports/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace parity::reports {

std::string format_seconds(double s) {
  if (std::isnan(s)) return "n/a";
  if (std::isinf(s)) return s > 0 ? "inf" : "-inf";
  if (s == 0) return "0 s";
  // Pick the unit after rounding to three digits, so 999.96 us prints as "1.00 ms".
  const double a = std::stod(fmt::format("{:.3g}", std::fabs(s)));
  double v = s;
  const char* unit = "s";
  if (a < 1e-6) {
    v = s * 1e9;
    unit = "ns";
  } else if (a < 1e-3) {
    v = s * 1e6;
    unit = "us";
  } else if (a < 1) {
    v = s * 1e3;
    unit = "ms";
  }
  // Three significant digits in fixed notation: "850 ns", "12.3 us", "1.20 ms".
  const double av = std::fabs(v);
  if (av >= 99.5) return fmt::format("{:.0f} {}", v, unit);
  if (av >= 9.95) return fmt::format("{:.1f} {}", v, unit);
  return fmt::format("{:.2f} {}", v, unit);
}

namespace {

// A number for a table cell: "-" for n/a, no exponent for everyday magnitudes.
std::string num(double v) {
  if (std::isnan(v)) return "-";
  if (std::fabs(v) >= 1000 && std::fabs(v) < 1e9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

// Cells are single lines; Markdown also needs its column separator escaped.
std::string cell(const std::string& s, Format f) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    if (ch == '\n' || ch == '\r' || ch == '\t') {
      out += ' ';
    } else if (ch == '|' && f == Format::Markdown) {
      out += "\\|";
    } else {
      out += ch;
    }
  }
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // right-align numeric columns
  std::vector<std::vector<std::string>> rows;

  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }

  std::string render(Format f, const std::string& indent = "") const {
    std::string out;
    if (f == Format::Markdown) {
      out += "|";
      for (const auto& h : header) out.append(" ").append(cell(h, f)).append(" |");
      out += "\n|";
      for (std::size_t i = 0; i < header.size(); ++i) out += right[i] ? "---:|" : "---|";
      out += "\n";
      for (const auto& r : rows) {
        out += "|";
        for (const auto& c : r) out.append(" ").append(cell(c, f)).append(" |");
        out += "\n";
      }
      return out;
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& r : rows) {
      for (std::size_t i = 0; i < r.size(); ++i)
        width[i] = std::max(width[i], cell(r[i], f).size());
    }
    auto line = [&](const std::vector<std::string>& r) {
      std::string l = indent;
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string c = cell(r[i], f);
        const std::string pad(width[i] - c.size(), ' ');
        const bool last = i + 1 == r.size();
        if (right[i]) {
          l += pad + c;
        } else {
          l += c;
          if (!last) l += pad;  // no trailing blanks at the end of a line
        }
        if (!last) l += "  ";
      }
      return l + "\n";
    };
    out += line(header);
    std::vector<std::string> rule;
    for (std::size_t w : width) rule.emplace_back(w, '-');
    out += line(rule);
    for (const auto& r : rows) out += line(r);
    return out;
  }
};

std::string heading(const std::string& title, Format f, int level) {
  if (f == Format::Markdown)
    return std::string(static_cast<std::size_t>(level), '#') + " " + title + "\n\n";
  return title + "\n";
}

// Blank line between sections in both formats (Markdown needs it around tables).
const char* kGap = "\n";

std::string render_meta(const Metadata& meta, Format f) {
  if (meta.entries.empty()) return "";
  Table t{{"key", "value"}, {false, false}, {}};
  for (const auto& [k, v] : meta.entries) t.add({k, v});
  if (f == Format::Markdown) return t.render(f) + kGap;
  // Text: a plain two-column block reads better than a ruled table.
  std::size_t w = 0;
  for (const auto& kv : meta.entries) w = std::max(w, kv.first.size());
  std::string out;
  for (const auto& [k, v] : meta.entries) {
    out += fmt::format("  {:<{}}  {}\n", cell(k, f), w, cell(v, f));
  }
  return out + kGap;
}

int status_rank(const std::string& s) {
  if (s == "fail") return 0;
  if (s == "divergent") return 1;
  if (s == "skip") return 2;
  return 3;
}

}  // namespace

std::string render_summary(const Report& r, Format f) {
  std::string out = heading(fmt::format("Parity report (schema {})", kSchemaVersion), f, 2);
  out += render_meta(r.meta, f);

  if (r.checks.empty() && r.benches.empty()) {
    out += "No checks or benches.\n";
    return out;
  }

  if (!r.checks.empty()) {
    // Known statuses in a fixed order, then anything else in the order first seen.
    std::vector<std::string> order = {"pass", "fail", "divergent", "skip"};
    std::map<std::string, int> counts;
    for (const CheckRecord& c : r.checks) {
      if (std::find(order.begin(), order.end(), c.status) == order.end()) order.push_back(c.status);
      ++counts[c.status];
    }
    std::string parts;
    for (const std::string& s : order) {
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("{} {}", counts[s], s.empty() ? "(no status)" : s);
    }
    out += heading(fmt::format("Checks: {} ({})", r.checks.size(), parts), f, 3);
    // Skips come in bulk (a device that is absent): one line per device and reason.
    std::vector<const CheckRecord*> listed;
    std::map<std::pair<std::string, std::string>, int> skipped;
    for (const CheckRecord& c : r.checks) {
      if (c.status == "skip") {
        ++skipped[{c.device, c.message}];
      } else if (c.status != "pass") {
        listed.push_back(&c);
      }
    }
    for (const auto& [where, n] : skipped) {
      out += fmt::format("  {} skipped on {}: {}\n", n, cell(where.first, f), cell(where.second, f));
    }
    std::stable_sort(listed.begin(), listed.end(), [](const CheckRecord* a, const CheckRecord* b) {
      return status_rank(a->status) < status_rank(b->status);
    });
    if (!listed.empty()) {
      Table t{{"status", "key", "max_abs_err", "max_rel_err", "max_ulp", "budget", "message"},
              {false, false, true, true, true, true, false},
              {}};
      for (const CheckRecord* c : listed) {
        t.add({c->status, c->key, num(c->max_abs_err), num(c->max_rel_err), num(c->max_ulp),
               num(c->budget), c->message});
      }
      out += t.render(f, "  ");
    }
    out += kGap;
  }

  if (!r.benches.empty()) {
    out += heading(fmt::format("Benches: {}", r.benches.size()), f, 3);
    Table t{{"op", "dtype", "device", "shape", "timer", "median", "GB/s", "GFLOP/s", "samples"},
            {false, false, false, false, false, true, true, true, true},
            {}};
    for (const BenchRecord& b : r.benches) {
      t.add({b.op, b.dtype, b.device, b.shape, b.timer, format_seconds(b.median()), num(b.gbps()),
             num(b.gflops()), fmt::format("{}", b.samples.size())});
    }
    out += t.render(f, "  ");
  }
  return out;
}

namespace {

std::string change_value(const CaseChange& c, double v) {
  return c.kind == "bench" ? format_seconds(v) : num(v);
}

Table change_table(const std::vector<const CaseChange*>& rows) {
  Table t{{"kind", "key", "base", "next", "change", "detail"},
          {false, false, true, true, true, false},
          {}};
  for (const CaseChange* c : rows) {
    const std::string change =
        std::isnan(c->ratio) ? "-" : fmt::format("{:+.1f}%", (c->ratio - 1) * 100);
    t.add(
        {c->kind, c->key, change_value(*c, c->base), change_value(*c, c->next), change, c->detail});
  }
  return t;
}

}  // namespace

std::string render_comparison(const Comparison& c, Format f) {
  std::string out = heading("Parity comparison", f, 2);
  const Verdict all[] = {Verdict::Regressed, Verdict::Improved, Verdict::Unchanged, Verdict::Added,
                         Verdict::Removed};
  std::string counts;
  for (Verdict v : all) {
    if (!counts.empty()) counts += ", ";
    counts += fmt::format("{} {}", c.count(v), verdict_name(v));
  }
  out += (f == Format::Markdown ? "**" + counts + "**" : counts) + "\n" + kGap;

  if (!c.notes.empty()) {
    out += heading("Notes", f, 3);
    for (const std::string& n : c.notes)
      out += (f == Format::Markdown ? "- " : "  ") + cell(n, f) + "\n";
    out += kGap;
  }

  for (Verdict v : {Verdict::Regressed, Verdict::Improved}) {
    std::vector<const CaseChange*> rows;
    for (const CaseChange& ch : c.changes) {
      if (ch.verdict == v) rows.push_back(&ch);
    }
    if (rows.empty()) continue;
    out += heading(v == Verdict::Regressed ? "Regressed" : "Improved", f, 3);
    out += change_table(rows).render(f, "  ") + kGap;
  }

  // Compact list: additions, removals, and unchanged cases that have something to say (a
  // plain pass that stayed a pass is only counted).
  std::string rest;
  for (const CaseChange& ch : c.changes) {
    if (ch.verdict == Verdict::Regressed || ch.verdict == Verdict::Improved) continue;
    if (ch.verdict == Verdict::Unchanged && ch.detail.empty()) continue;
    const std::string line = fmt::format("{} {} {}{}", verdict_name(ch.verdict), ch.kind, ch.key,
                                         ch.detail.empty() ? "" : ": " + ch.detail);
    rest += (f == Format::Markdown ? "- " : "  ") + cell(line, f) + "\n";
  }
  if (!rest.empty()) {
    out += heading("Other changes", f, 3);
    out += rest;
  }
  return out;
}

}  // namespace parity::reports
