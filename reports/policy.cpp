// The compare policy: a small key = value format parsed here (no new dependency for a few
// dozen lines; the format is documented in policy.h and docs/ci.md).
#include "reports/policy.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/spec/error.h"

namespace parity::reports {

const std::vector<std::string>& identity_fields() {
  static const std::vector<std::string> fields = {"kind",  "op",     "engine", "dtype",  "device", "shapes",
                                                  "shape", "layout", "mode",   "params", "timer"};
  return fields;
}

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Error text quotes at most 80 characters of the file, with control characters escaped, so a
// binary file given by mistake still gives one short line.
std::string quoted(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 80)) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return "'" + out + (s.size() > 80 ? "...'" : "'");
}

double parse_number(const std::string& v, const std::string& where) {
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !std::isfinite(d)) throw ValueError(where + ": not a number: " + quoted(v));
  return d;
}

bool parse_bool(const std::string& v, const std::string& where) {
  if (v == "true" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "no" || v == "0") return false;
  throw ValueError(where + ": expected true or false, got " + quoted(v));
}

const std::vector<std::string>& limit_names() {
  static const std::vector<std::string> names = {"threshold",    "margin",       "noise", "noise_floor",
                                                 "instructions", "ulp_fraction", "gate"};
  return names;
}

void apply(Limits& l, const std::string& key, double v) {
  if (key == "threshold") l.threshold = v;
  if (key == "margin") l.margin = v;
  if (key == "noise") l.noise = v;
  if (key == "noise_floor") l.noise_floor = v;
  if (key == "instructions") l.instructions = v;
  if (key == "ulp_fraction") l.ulp_fraction = v;
  if (key == "gate") l.gate = v != 0;
}

void validate_limits(const Limits& l, const std::string& where) {
  const auto in = [&](const char* name, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi))
      throw ValueError(fmt::format("{}: {} = {} is out of range [{}, {}]", where, name, v, lo, hi));
  };
  in("threshold", l.threshold, 0, 100);
  in("margin", l.margin, 0, 100);
  in("noise", l.noise, 0, 10);
  in("noise_floor", l.noise_floor, 0, 10);
  in("instructions", l.instructions, 0, 100);
  in("ulp_fraction", l.ulp_fraction, 0, 1e6);
}

}  // namespace

Limits Policy::resolve(const std::function<std::string(const std::string&)>& field) const {
  Limits l = limits;
  for (const PolicyRule& r : rules) {
    const bool hit = std::all_of(r.where.begin(), r.where.end(), [&](const auto& w) {
      return ::fnmatch(w.second.c_str(), field(w.first).c_str(), 0) == 0;
    });
    if (!hit) continue;
    for (const auto& [k, v] : r.set) apply(l, k, v);
  }
  return l;
}

void Policy::validate() const {
  if (!(alpha > 0 && alpha < 0.5))
    throw ValueError(fmt::format("policy: alpha = {} must be in (0, 0.5)", alpha));
  validate_limits(limits, "policy");
  for (const PolicyRule& r : rules) {
    Limits l = limits;
    for (const auto& [k, v] : r.set) apply(l, k, v);
    validate_limits(l, fmt::format("policy line {}", r.line));
  }
}

Policy parse_policy(const std::string& text, const std::string& name, Policy p) {
  std::stringstream in(text);
  std::string raw;
  int lineno = 0;
  PolicyRule* section = nullptr;
  while (std::getline(in, raw)) {
    ++lineno;
    const std::string where = fmt::format("{}:{}", name, lineno);
    const auto hash = raw.find('#');
    const std::string line = trim(hash == std::string::npos ? raw : raw.substr(0, hash));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']') throw ValueError(where + ": a section ends with ']': " + quoted(line));
      PolicyRule rule;
      rule.line = lineno;
      std::stringstream words(line.substr(1, line.size() - 2));
      std::string w;
      while (words >> w) {
        const auto eq = w.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == w.size())
          throw ValueError(where + ": a section holds FIELD=PATTERN words, got " + quoted(w));
        const std::string f = w.substr(0, eq);
        const auto& known = identity_fields();
        if (std::find(known.begin(), known.end(), f) == known.end())
          throw ValueError(where + ": unknown field " + quoted(f) +
                           " (expected one of kind, op, engine, "
                           "dtype, device, shapes, shape, "
                           "layout, mode, params, timer)");
        rule.where.emplace_back(f == "shape" ? "shapes" : f, w.substr(eq + 1));
      }
      if (rule.where.empty()) throw ValueError(where + ": empty section []");
      p.rules.push_back(std::move(rule));
      section = &p.rules.back();
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw ValueError(where + ": expected KEY = VALUE, got " + quoted(line));
    const std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    const auto& limits = limit_names();
    if (std::find(limits.begin(), limits.end(), key) != limits.end()) {
      const double v = key == "gate" ? (parse_bool(value, where) ? 1.0 : 0.0) : parse_number(value, where);
      if (section) {
        section->set.emplace_back(key, v);
      } else {
        apply(p.limits, key, v);
      }
      continue;
    }
    if (section) throw ValueError(where + ": " + quoted(key) + " is global: put it before the first section");
    if (key == "alpha") {
      p.alpha = parse_number(value, where);
    } else if (key == "allow_removed") {
      p.fail_removed = !parse_bool(value, where);
    } else if (key == "fail_on") {
      p.fail_slower = p.fail_instructions = p.fail_counters = p.fail_accuracy = p.fail_removed = false;
      for (const std::string& f : split_list(value)) {
        if (f == "slower") {
          p.fail_slower = true;
        } else if (f == "instructions") {
          p.fail_instructions = true;
        } else if (f == "counters") {
          p.fail_counters = true;
        } else if (f == "accuracy") {
          p.fail_accuracy = true;
        } else if (f == "removed") {
          p.fail_removed = true;
        } else {
          throw ValueError(where + ": unknown fail_on item " + quoted(f) +
                           " (expected slower, instructions, counters, accuracy, removed)");
        }
      }
    } else if (key == "env_must_match") {
      p.env_must_match = split_list(value);
    } else {
      throw ValueError(where + ": unknown key " + quoted(key));
    }
  }
  p.validate();
  return p;
}

Policy read_policy(const std::string& path, Policy base) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ValueError("cannot read policy " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_policy(ss.str(), path, std::move(base));
}

}  // namespace parity::reports
