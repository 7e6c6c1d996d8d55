#include "drivers/tdm/registry.hpp"

#include <stdexcept>

namespace gw::tdm {

std::string_view to_string(SpanEvent::Kind kind) noexcept {
  switch (kind) {
    case SpanEvent::Kind::alarms_changed:
      return "alarms-changed";
    case SpanEvent::Kind::bad_fcs:
      return "bad-fcs";
    case SpanEvent::Kind::hdlc_abort:
      return "hdlc-abort";
    case SpanEvent::Kind::overrun:
      return "overrun";
    case SpanEvent::Kind::echo_canceller_unavailable:
      return "echo-canceller-unavailable";
  }
  return "unknown";
}

SpanSpec parse_span_spec(std::string_view text, Shape shape) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    throw std::invalid_argument("span: '" + std::string(text) +
                                "' is not BACKEND:ADDRESS (e.g. dahdi:1)");
  }
  SpanSpec spec;
  spec.backend = std::string(text.substr(0, colon));
  spec.address = std::string(text.substr(colon + 1));
  spec.shape = shape;
  spec.name = std::string(text);
  return spec;
}

void BackendRegistry::add(std::string name, Factory factory) {
  factories_.insert_or_assign(std::move(name), std::move(factory));
}

bool BackendRegistry::has(std::string_view name) const {
  return factories_.contains(name);
}

std::vector<std::string> BackendRegistry::names() const {
  std::vector<std::string> result;
  for (const auto& entry : factories_) result.push_back(entry.first);
  return result;
}

std::unique_ptr<Span> BackendRegistry::open(const SpanSpec& spec) const {
  const auto found = factories_.find(spec.backend);
  if (found == factories_.end()) {
    std::string known;
    for (const auto& entry : factories_) known += (known.empty() ? "" : ", ") + entry.first;
    throw std::invalid_argument("span backend: unknown '" + spec.backend + "' (known: " + known +
                                ")");
  }
  return found->second(spec);
}

}  // namespace gw::tdm
