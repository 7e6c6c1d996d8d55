#include "drivers/tdm/layout.hpp"

namespace gw::tdm {

std::vector<int> Layout::bearers() const {
  std::vector<int> result;
  result.reserve(static_cast<std::size_t>(bearer_count()));
  for (int ts = 1; ts <= timeslots(); ++ts) {
    if (is_bearer(ts)) result.push_back(ts);
  }
  return result;
}

std::string_view to_string(Shape shape) noexcept {
  switch (shape) {
    case Shape::e1:
      return "e1";
    case Shape::t1:
      return "t1";
  }
  return "unknown";
}

std::string_view to_string(Law law) noexcept {
  switch (law) {
    case Law::mulaw:
      return "mulaw";
    case Law::alaw:
      return "alaw";
  }
  return "unknown";
}

std::optional<Shape> parse_shape(std::string_view text) noexcept {
  if (text == "e1" || text == "E1") return Shape::e1;
  if (text == "t1" || text == "T1") return Shape::t1;
  return std::nullopt;
}

std::optional<Law> parse_law(std::string_view text) noexcept {
  if (text == "mulaw" || text == "ulaw" || text == "pcmu") return Law::mulaw;
  if (text == "alaw" || text == "pcma") return Law::alaw;
  return std::nullopt;
}

}  // namespace gw::tdm
