#pragma once
// Audio checked by content: a pseudo-random G.711 pattern sent down a line and
// looked for, bit for bit, in what comes back, with the delay it took.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace gw::pstnsim {

class EchoProbe {
 public:
  // `length` bytes (8 per ms). The pattern avoids the idle codes of both laws.
  explicit EchoProbe(std::size_t length, std::uint32_t seed = 12345);

  [[nodiscard]] std::span<const std::byte> pattern() const noexcept { return pattern_; }

  struct Match {
    std::size_t offset = 0;    // where the pattern starts in the received bytes
    std::size_t compared = 0;  // bytes compared from there
    std::size_t mismatches = 0;
    [[nodiscard]] double delay_ms() const noexcept { return static_cast<double>(offset) / 8.0; }
  };
  // Finds the pattern's first 32 bytes in `received` and compares the rest.
  [[nodiscard]] std::optional<Match> find(std::span<const std::byte> received) const;

 private:
  std::vector<std::byte> pattern_;
};

}  // namespace gw::pstnsim
