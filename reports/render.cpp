// Text and Markdown rendering of reports and comparisons. Tables are built as rows of strings
// first, then laid out, so both formats share the content and differ only in layout. Every
// table is capped (RenderOptions::max_rows) and says how many rows it left out.
#include "reports/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <vector>

#include "engine/spec/error.h"
#include "reports/escape.h"

namespace parity::reports {

Format parse_output_format(const std::string& name) {
  if (name == "text") return Format::Text;
  if (name == "markdown") return Format::Markdown;
  if (name == "json") return Format::Json;
  if (name == "junit") return Format::Junit;
  throw ValueError("unknown format " + escape::json(escape::text(name, 40)) +
                   " (expected text, markdown, json or junit)");
}

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

constexpr std::size_t kCellCap = 200;  // characters of one cell (keys, messages)

std::string cell(const std::string& s, Format f, std::size_t cap = kCellCap) {
  return f == Format::Markdown ? escape::markdown(s, cap) : escape::text(s, cap);
}

// Display width of an escaped text cell: UTF-8 continuation bytes take no column.
std::size_t width_of(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xc0) != 0x80 ? 1 : 0;
  return w;
}

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // right-align numeric columns
  std::vector<std::vector<std::string>> rows;
  std::size_t left_out = 0;  // rows not shown (over the cap)

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
      if (left_out) out += fmt::format("\n{} more not shown (the JSON output has every case).\n", left_out);
      return out;
    }
    std::vector<std::vector<std::string>> cells;
    cells.reserve(rows.size());
    for (const auto& r : rows) {
      std::vector<std::string> c;
      for (const auto& v : r) c.push_back(cell(v, f));
      cells.push_back(std::move(c));
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& r : cells) {
      for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], width_of(r[i]));
    }
    auto line = [&](const std::vector<std::string>& r) {
      std::string l = indent;
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string& c = r[i];
        const std::string pad(width[i] - width_of(c), ' ');
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
    for (const auto& r : cells) out += line(r);
    if (left_out)
      out +=
          fmt::format("{}... {} more not shown (--max-rows, or --format json for all)\n", indent, left_out);
    return out;
  }
};

std::string heading(const std::string& title, Format f, int level) {
  if (f == Format::Markdown)
    return std::string(static_cast<std::size_t>(level), '#') + " " + escape::markdown(title, 300) + "\n\n";
  return escape::text(title, 300) + "\n";
}

// Markdown folds long sections; text prints them under a heading.
std::string folded(const std::string& title, const std::string& body, Format f) {
  if (body.empty()) return "";
  if (f == Format::Markdown)
    return "<details><summary>" + escape::markdown(title, 200) + "</summary>\n\n" + body + "\n</details>\n\n";
  return escape::text(title, 200) + "\n" + body + "\n";
}

std::string bullet(const std::string& s, Format f) {
  return (f == Format::Markdown ? "- " : "  ") + cell(s, f, 300) + "\n";
}

std::string render_meta(const Metadata& meta, Format f) {
  if (meta.entries.empty()) return "";
  if (f == Format::Markdown) {
    Table t{{"key", "value"}, {false, false}, {}, 0};
    for (const auto& [k, v] : meta.entries) t.add({k, v});
    return folded("Run metadata", t.render(f), f);
  }
  // Text: a plain two-column block reads better than a ruled table.
  std::size_t w = 0;
  for (const auto& kv : meta.entries) w = std::max(w, width_of(cell(kv.first, f)));
  std::string out;
  for (const auto& [k, v] : meta.entries) {
    const std::string kc = cell(k, f);
    out += "  " + kc + std::string(w - width_of(kc), ' ') + "  " + cell(v, f) + "\n";
  }
  return out + "\n";
}

// Groups (reason -> count, first key), most frequent first, capped.
std::string grouped(const std::map<std::string, std::pair<std::size_t, std::string>>& groups,
                    const char* what, Format f, std::size_t cap) {
  std::vector<std::pair<std::string, std::pair<std::size_t, std::string>>> v(groups.begin(), groups.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < cap; ++i) {
    const auto& [reason, n_key] = v[i];
    out += bullet(fmt::format("{} {} {} (e.g. {})", n_key.first, what,
                              reason.empty() ? "(no message)" : reason, n_key.second),
                  f);
  }
  if (v.size() > cap) out += bullet(fmt::format("... {} more reasons", v.size() - cap), f);
  return out;
}

std::string summary_text(const ReportTable& r, Format f, std::size_t max_rows) {
  std::string out = heading(fmt::format("Parity report (schema {})", kSchemaVersion), f, 2);
  if (r.checks.empty() && r.benches.empty()) out += "No checks or benches.\n\n";
  if (!r.checks.empty()) {
    // Known statuses in a fixed order, then anything else in the order first seen.
    std::vector<std::string> order = {"pass", "fail", "divergent", "skip"};
    std::map<std::string, std::size_t> counts;
    for (const CheckRow c : r.checks) {
      if (std::find(order.begin(), order.end(), c.status) == order.end()) order.emplace_back(c.status);
      ++counts[std::string(c.status)];
    }
    std::string parts;
    for (const std::string& s : order) {
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("{} {}", counts[s], s.empty() ? "(no status)" : s);
    }
    out += heading(fmt::format("Checks: {} ({})", r.checks.size(), parts), f, 3);
    // Failures are listed; skips (by device and reason) and divergences (by reason) come in
    // bulk and are summarised one line per reason.
    std::map<std::string, std::pair<std::size_t, std::string>> skipped, divergent;
    Table t{{"status", "key", "max_abs_err", "max_rel_err", "max_ulp", "budget", "message"},
            {false, false, true, true, true, true, false},
            {},
            0};
    for (const CheckRow c : r.checks) {
      if (c.status == "pass") continue;
      if (c.status == "skip" || c.status == "divergent") {
        auto& g = c.status == "skip" ? skipped[fmt::format("{}: {}", c.device, c.message)]
                                     : divergent[std::string(c.message)];
        if (g.first++ == 0) g.second = c.key;
        continue;
      }
      if (t.rows.size() < max_rows) {
        t.add({std::string(c.status), std::string(c.key), num(c.max_abs_err), num(c.max_rel_err),
               num(c.max_ulp), num(c.budget), std::string(c.message)});
      } else {
        ++t.left_out;
      }
    }
    if (!t.rows.empty() || t.left_out) out += t.render(f, "  ") + "\n";
    out += grouped(skipped, "skipped on", f, max_rows);
    std::string div = grouped(divergent, "divergent by design:", f, max_rows);
    out += f == Format::Markdown ? folded("Divergent by design (NumPy and PyTorch differ)", div, f) : div;
    out += "\n";
  }
  if (!r.benches.empty()) {
    out += heading(fmt::format("Benches: {}", r.benches.size()), f, 3);
    Table t{{"op", "engine", "dtype", "device", "shape", "timer", "median", "GB/s", "GFLOP/s", "samples"},
            {false, false, false, false, false, false, true, true, true, true},
            {},
            0};
    // Rows past the cap are only counted: a million benches build no row they do not show.
    const std::size_t shown = std::min(max_rows, r.benches.size());
    for (std::size_t i = 0; i < shown; ++i) {
      const BenchRow b = r.benches[i];
      t.add({std::string(b.op), b.engine.empty() ? std::string("-") : std::string(b.engine),
             std::string(b.dtype), std::string(b.device), std::string(b.shape),
             std::string(b.timer), format_seconds(b.median()), num(b.gbps()), num(b.gflops()),
             fmt::format("{}", b.samples.size())});
    }
    t.left_out = r.benches.size() - shown;
    out += t.render(f, "  ");
  }
  // Metadata last: what matters comes first.
  out += f == Format::Markdown ? render_meta(r.meta, f) : heading("Run", f, 3) + render_meta(r.meta, f);
  return out;
}

std::string change_pct(double ratio) {
  return std::isnan(ratio) ? "-" : fmt::format("{:+.1f}%", (ratio - 1) * 100);
}

std::string value_of(const CaseChange& c, double v) {
  return c.kind == CaseKind::Bench ? format_seconds(v) : num(v);
}

Table change_table(const Comparison& cmp, const std::vector<const CaseChange*>& rows, std::size_t cap) {
  Table t{{"verdict", "kind", "key", "base", "new", "change", "why"},
          {false, false, false, true, true, true, false},
          {},
          0};
  for (const CaseChange* c : rows) {
    if (t.rows.size() >= cap) {
      ++t.left_out;
      continue;
    }
    t.add({verdict_name(c->verdict), c->kind == CaseKind::Check ? "check" : "bench", cmp.key(*c),
           value_of(*c, c->base_value), value_of(*c, c->next_value), change_pct(c->ratio), cmp.describe(*c)});
  }
  return t;
}

std::string comparison_text(const Comparison& c, Format f, std::size_t max_rows) {
  const int code = c.exit_code();
  const char* outcome = code == kCompareOk            ? "no regression"
                        : code == kCompareRegression  ? "regression"
                        : code == kCompareEnvMismatch ? "environment mismatch"
                                                      : "invalid data";
  std::string out = heading(fmt::format("Parity comparison: {} (exit {})", outcome, code), f, 2);
  std::string counts;
  const Verdict all[] = {Verdict::Slower,       Verdict::Faster,  Verdict::Same,
                         Verdict::Inconclusive, Verdict::Worse,   Verdict::Better,
                         Verdict::Added,        Verdict::Removed, Verdict::Invalid};
  for (Verdict v : all) {
    if (!counts.empty()) counts += ", ";
    counts += fmt::format("{} {}", c.count(v), verdict_name(v));
  }
  const std::string line = fmt::format("{} cases: {}; {} fail the gate", c.changes.size(), counts, c.failing);
  out += (f == Format::Markdown ? "**" + escape::markdown(line, 1000) + "**" : line) + "\n";
  const bool history = c.bases.size() > 1;
  out += (f == Format::Markdown ? "\n" : "") +
         cell(fmt::format(
                  "{} baseline report{}; run-to-run noise {}; false discovery rate {}", c.bases.size(),
                  c.bases.size() > 1 ? "s" : "",
                  history ? "estimated from their spread" : "assumed (give several baselines to measure it)",
                  c.alpha),
              f, 400) +
         "\n\n";

  if (!c.env_mismatch.empty()) {
    out += heading("Environment differs where the policy requires it to match", f, 3);
    for (std::size_t i = 0; i < c.env_mismatch.size() && i < max_rows; ++i)
      out += bullet(c.env_mismatch[i], f);
    out += "\n";
  }

  std::vector<const CaseChange*> failing, moved, other;
  for (const CaseChange& ch : c.changes) {
    if (ch.fails || ch.verdict == Verdict::Invalid) {
      failing.push_back(&ch);
    } else if (ch.kind == CaseKind::Bench && !std::isnan(ch.ratio)) {
      moved.push_back(&ch);
    } else if (ch.verdict != Verdict::Same || !ch.reason.empty()) {
      other.push_back(&ch);
    }
  }
  if (!failing.empty()) {
    // Invalid data first, then the rest in report order.
    std::stable_sort(failing.begin(), failing.end(), [](const CaseChange* a, const CaseChange* b) {
      return (a->verdict == Verdict::Invalid) > (b->verdict == Verdict::Invalid);
    });
    out += heading(fmt::format("Fails the gate: {}", failing.size()), f, 3);
    out += change_table(c, failing, max_rows).render(f, "  ") + "\n";
  }
  if (!moved.empty()) {
    // The largest time changes either way, by |log ratio|: only the top rows are sorted.
    const std::size_t top = std::min(moved.size(), max_rows);
    std::partial_sort(moved.begin(), moved.begin() + static_cast<std::ptrdiff_t>(top), moved.end(),
                      [](const CaseChange* a, const CaseChange* b) {
                        return std::fabs(std::log(a->ratio)) > std::fabs(std::log(b->ratio));
                      });
    Table t = change_table(c, {moved.begin(), moved.begin() + static_cast<std::ptrdiff_t>(top)}, max_rows);
    t.left_out = moved.size() - top;
    out +=
        folded(fmt::format("Largest time changes (of {} timed cases)", moved.size()), t.render(f, "  "), f);
  }
  if (!other.empty())
    out += folded(fmt::format("Other changes: {}", other.size()),
                  change_table(c, other, max_rows).render(f, "  "), f);
  if (!c.notes.empty()) {
    std::string notes;
    for (std::size_t i = 0; i < c.notes.size() && i < max_rows; ++i) notes += bullet(c.notes[i], f);
    if (c.notes.size() > max_rows) notes += bullet(fmt::format("... {} more", c.notes.size() - max_rows), f);
    out += folded("Metadata that differs", notes, f);
  }
  return out;
}

// Markdown must fit a pull-request comment: fewer rows until it does, then a hard cut.
template <class Make>
std::string fit(const Make& make, Format f, const RenderOptions& o) {
  std::size_t rows = o.max_rows;
  std::string s = make(rows);
  while (f == Format::Markdown && s.size() > o.max_chars && rows > 0) {
    // Shrink in proportion to the excess (at least by a third), so a huge cap needs few tries.
    const double scale = static_cast<double>(o.max_chars) / static_cast<double>(s.size());
    rows =
        std::min(rows * 2 / 3,
                 static_cast<std::size_t>(static_cast<double>(std::min<std::size_t>(rows, 100000)) * scale));
    s = make(rows);
  }
  if (f == Format::Markdown && s.size() > o.max_chars) {
    const std::string tail = "\n\n(cut to fit; the JSON output has everything)\n";
    std::size_t cut = o.max_chars > tail.size() ? o.max_chars - tail.size() : 0;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // whole UTF-8 characters
    s = s.substr(0, cut) + tail;
  }
  return s;
}

}  // namespace

void render_summary(std::ostream& out, const ReportTable& r, Format f, const RenderOptions& o) {
  if (f == Format::Json) return detail::summary_json(out, r);
  if (f == Format::Junit) return detail::summary_junit(out, r);
  out << fit([&](std::size_t rows) { return summary_text(r, f, rows); }, f, o);
}

void render_summary(std::ostream& out, const Report& r, Format f, const RenderOptions& o) {
  render_summary(out, ReportTable::from(r), f, o);
}

void render_comparison(std::ostream& out, const Comparison& c, Format f, const RenderOptions& o) {
  if (f == Format::Json) return detail::comparison_json(out, c);
  if (f == Format::Junit) return detail::comparison_junit(out, c);
  out << fit([&](std::size_t rows) { return comparison_text(c, f, rows); }, f, o);
}

std::string render_summary(const ReportTable& r, Format f, const RenderOptions& o) {
  std::ostringstream s;
  render_summary(s, r, f, o);
  return s.str();
}

std::string render_summary(const Report& r, Format f, const RenderOptions& o) {
  return render_summary(ReportTable::from(r), f, o);
}

std::string render_comparison(const Comparison& c, Format f, const RenderOptions& o) {
  std::ostringstream s;
  render_comparison(s, c, f, o);
  return s.str();
}

}  // namespace parity::reports
