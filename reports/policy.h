#pragma once
// What `parity compare` gates on and with which thresholds: defaults, overridden per op,
// dtype, device (any identity field) by a policy file. Format (documented in docs/ci.md):
//
//   # comment
//   alpha = 0.05                       # global keys first
//   fail_on = slower, instructions, counters, accuracy, removed
//   env_must_match = cpu_model, gpu
//   threshold = 0.10                   # limits given before any section apply everywhere
//   [device=cuda*]                     # a section: cases whose fields all match (fnmatch)
//   threshold = 0.25
//   [op=matmul dtype=float16]
//   ulp_fraction = 1
//   gate = false
//
// Later sections override earlier ones for the keys they set.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace parity::reports {

// Per-case limits: a section of a policy may set any of these.
struct Limits {
  double threshold = 0.10;     // practical threshold: a time (or instruction count) change
                               // smaller than this fraction is never "slower" or "faster"
  double margin = 0.10;        // equivalence margin: "same" when the whole confidence
                               // interval of the time ratio lies within 1/(1+m) .. 1+m
  double noise = 0.10;         // run-to-run relative standard deviation assumed when no
                               // history (one baseline) shows it
  double noise_floor = 0.01;   // the least run-to-run deviation used with history
  double instructions = 0.02;  // instruction-count growth (fraction) that fails
  double ulp_fraction = 0.5;   // max ULP growth, as a fraction of the case's budget, that fails
  bool gate = true;            // false: the cases are compared and shown but never fail
};

struct PolicyRule {
  std::vector<std::pair<std::string, std::string>> where;  // field, fnmatch pattern
  std::vector<std::pair<std::string, double>> set;         // limit name, value
  int line = 0;
};

struct Policy {
  Limits limits;  // the defaults, before any section
  std::vector<PolicyRule> rules;
  double alpha = 0.05;  // false discovery rate for slower/faster (Benjamini-Hochberg over the
                        // bench cases) and 1 - confidence of the equivalence interval
  // What makes compare exit 1.
  bool fail_slower = true, fail_instructions = true, fail_counters = true, fail_accuracy = true,
       fail_removed = true;
  std::vector<std::string> env_must_match;  // metadata keys that must agree, else exit 3

  // Limits for one case. `field` returns the case's identity field by name ("" if none).
  Limits resolve(const std::function<std::string(const std::string&)>& field) const;
  // Throws ValueError when a value is out of range.
  void validate() const;
};

// The identity fields a policy section or --match may name.
const std::vector<std::string>& identity_fields();

// Parses a policy; `name` labels errors ("FILE:LINE: ..."). Throws parity::ValueError.
Policy parse_policy(const std::string& text, const std::string& name, Policy base = {});
Policy read_policy(const std::string& path, Policy base = {});

}  // namespace parity::reports
