#include "engine/spec/dtype.h"

#include "engine/spec/error.h"

namespace parity::spec {

DType parse_dtype(std::string_view name) {
  for (DType t : kAllDTypes)
    if (dtype_name(t) == name) return t;
  throw ValueError("unknown dtype '" + std::string(name) +
                   "' (expected one of bool, int32, int64, float32, float64)");
}

std::string DTypeSet::to_string() const {
  std::string out;
  for (DType t : kAllDTypes) {
    if (!contains(t)) continue;
    if (!out.empty()) out += ',';
    out += dtype_name(t);
  }
  return out;
}

}  // namespace parity::spec
