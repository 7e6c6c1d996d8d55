#pragma once
// Span alarms as an operator reads them on a gateway's front page.

#include <cstdint>
#include <string>

namespace gw::tdm {

enum class Alarm : std::uint8_t {
  red = 1U << 0,            // loss of signal or framing at our receiver
  yellow = 1U << 1,         // the far end reports that it receives nothing (RAI)
  blue = 1U << 2,           // the far end sends all ones (AIS): upstream failure
  dchannel_down = 1U << 3,  // layer 2 (Q.921) is not established
};

class AlarmSet {
 public:
  constexpr AlarmSet() noexcept = default;
  constexpr explicit AlarmSet(std::uint8_t bits) noexcept : bits_(bits) {}

  constexpr void set(Alarm alarm, bool on) noexcept {
    const auto bit = static_cast<std::uint8_t>(alarm);
    bits_ = on ? static_cast<std::uint8_t>(bits_ | bit) : static_cast<std::uint8_t>(bits_ & ~bit);
  }
  [[nodiscard]] constexpr bool has(Alarm alarm) const noexcept {
    return (bits_ & static_cast<std::uint8_t>(alarm)) != 0;
  }
  [[nodiscard]] constexpr bool clear() const noexcept { return bits_ == 0; }
  // Red or blue: the line itself is unusable, whatever layer 2 says.
  [[nodiscard]] constexpr bool line_down() const noexcept {
    return has(Alarm::red) || has(Alarm::blue);
  }
  [[nodiscard]] constexpr std::uint8_t bits() const noexcept { return bits_; }
  // "OK" or a comma separated list such as "RED,DCHAN-DOWN".
  [[nodiscard]] std::string to_string() const;

  friend constexpr bool operator==(AlarmSet, AlarmSet) noexcept = default;

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace gw::tdm
