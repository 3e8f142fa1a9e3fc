#include "engine/spec/dtype.h"

#include "engine/spec/error.h"

namespace parity::spec {

std::string dtype_names() {
  std::string out;
  for (DType t : kAllDTypes) {
    if (!out.empty()) out += ", ";
    out += dtype_name(t);
  }
  return out;
}

std::optional<DType> dtype_named(std::string_view name) {
  for (DType t : kAllDTypes)
    if (dtype_name(t) == name) return t;
  return std::nullopt;
}

DType parse_dtype(std::string_view name) {
  if (const std::optional<DType> t = dtype_named(name)) return *t;
  throw ValueError("unknown dtype '" + std::string(name) + "' (expected one of " + dtype_names() + ")");
}

void throw_not_in_torch(DType t) {
  throw TypeError("PyTorch 1.13 has no dtype " + std::string(dtype_name(t)) +
                  " (its unsigned dtype is uint8 alone); the array engine has it");
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
