#include "engine/core/device.h"

#include <charconv>
#include <limits>

#include "engine/spec/error.h"

namespace parity::core {

std::string Device::str() const { return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index); }

Device Device::parse(std::string_view text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.substr(0, 5) == "cuda:" && text.size() > 5) {
    const std::string_view digits = text.substr(5);
    int idx = 0;
    // from_chars refuses signs and reports overflow, where a hand-rolled loop wrapped
    // "cuda:99999999999999999999" round to a plausible index.
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), idx);
    if (err == std::errc::result_out_of_range)
      throw ValueError("device index too large in '" + std::string(text) + "' (at most " +
                       std::to_string(std::numeric_limits<int>::max()) + ")");
    if (err == std::errc() && end == digits.data() + digits.size() && digits.front() != '-') return cuda(idx);
  }
  throw ValueError("unknown device '" + std::string(text) + "' (expected cpu, cuda or cuda:N)");
}

}  // namespace parity::core
