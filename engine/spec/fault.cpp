#include "engine/spec/fault.h"

#if defined(PARITY_FAULTS) && PARITY_FAULTS
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/spec/error.h"

namespace parity::spec {

bool fault_active(const char* name) {
  static const char* const kKnown[] = {"neg-signed-zero",       "mul-zero-nan",    "exp-ulp-drift",
                                       "strided-second-operand", "outer-sum-carry", "grad-overwrite",
                                       "promotion-entry",        "error-message"};
  auto known = [&](const char* n) {
    for (const char* k : kKnown)
      if (std::strcmp(k, n) == 0) return true;
    return false;
  };
  if (!known(name)) throw RuntimeError(std::string("unknown planted fault '") + name + "'");
  static const std::string chosen = [&] {
    const char* v = std::getenv("PARITY_FAULT");
    if (v && *v && !known(v)) throw RuntimeError(std::string("PARITY_FAULT names no planted fault: ") + v);
    return std::string(v ? v : "");
  }();
  return chosen == name;
}

}  // namespace parity::spec
#endif
