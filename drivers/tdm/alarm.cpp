#include "drivers/tdm/alarm.hpp"

#include <array>
#include <utility>

namespace gw::tdm {

std::string AlarmSet::to_string() const {
  static constexpr std::array<std::pair<Alarm, const char*>, 4> kNames{{
      {Alarm::red, "RED"},
      {Alarm::yellow, "YELLOW"},
      {Alarm::blue, "BLUE"},
      {Alarm::dchannel_down, "DCHAN-DOWN"},
  }};
  std::string text;
  for (const auto& [alarm, name] : kNames) {
    if (!has(alarm)) continue;
    if (!text.empty()) text += ',';
    text += name;
  }
  return text.empty() ? "OK" : text;
}

}  // namespace gw::tdm
