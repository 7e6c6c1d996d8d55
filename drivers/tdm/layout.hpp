#pragma once
// The shape of a PRI span: which timeslots carry bearers and which the D-channel,
// and the companding law its B-channels use by default.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gw::tdm {

enum class Law : std::uint8_t { mulaw, alaw };
enum class Shape : std::uint8_t { e1, t1 };

// DAHDI's B-channel block: 160 bytes, 20 ms of 8 kHz G.711.
inline constexpr std::size_t kBlockBytes = 160;
inline constexpr std::chrono::milliseconds kBlockPeriod{20};
inline constexpr int kSampleRate = 8000;

// E1: 31 timeslots, 30 B + D on timeslot 16. T1: 24 channels, 23 B + D on 24.
class Layout {
 public:
  constexpr explicit Layout(Shape shape) noexcept : shape_(shape) {}
  [[nodiscard]] constexpr Shape shape() const noexcept { return shape_; }
  [[nodiscard]] constexpr int timeslots() const noexcept { return shape_ == Shape::e1 ? 31 : 24; }
  [[nodiscard]] constexpr int d_timeslot() const noexcept { return shape_ == Shape::e1 ? 16 : 24; }
  [[nodiscard]] constexpr int bearer_count() const noexcept { return timeslots() - 1; }
  [[nodiscard]] constexpr bool is_bearer(int timeslot) const noexcept {
    return timeslot >= 1 && timeslot <= timeslots() && timeslot != d_timeslot();
  }
  [[nodiscard]] constexpr Law default_law() const noexcept {
    return shape_ == Shape::e1 ? Law::alaw : Law::mulaw;
  }
  [[nodiscard]] std::vector<int> bearers() const;

 private:
  Shape shape_;
};

// The code a G.711 line carries when nobody speaks (positive zero).
[[nodiscard]] constexpr std::byte idle_code(Law law) noexcept {
  return law == Law::alaw ? std::byte{0xD5} : std::byte{0xFF};
}

[[nodiscard]] std::string_view to_string(Shape shape) noexcept;
[[nodiscard]] std::string_view to_string(Law law) noexcept;
[[nodiscard]] std::optional<Shape> parse_shape(std::string_view text) noexcept;
[[nodiscard]] std::optional<Law> parse_law(std::string_view text) noexcept;

}  // namespace gw::tdm
