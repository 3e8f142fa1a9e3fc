#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace parity::core {

struct Device {
  enum class Kind : std::uint8_t { CPU, CUDA };
  Kind kind = Kind::CPU;
  int index = 0;

  static constexpr Device cpu() { return {Kind::CPU, 0}; }
  static constexpr Device cuda(int i = 0) { return {Kind::CUDA, i}; }
  constexpr bool is_cpu() const { return kind == Kind::CPU; }
  constexpr bool is_cuda() const { return kind == Kind::CUDA; }
  friend constexpr bool operator==(const Device&, const Device&) = default;

  // "cpu", "cuda:0"
  std::string str() const;
  // Accepts "cpu", "cuda", "cuda:N"; throws ValueError otherwise.
  static Device parse(std::string_view text);
};

}  // namespace parity::core
