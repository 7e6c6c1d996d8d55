#pragma once
// Backends register under a name ("dahdi", "loopback"); a span is opened from a
// spec such as "dahdi:1" or "loopback:connect:/run/sipgw/span1.sock".

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/tdm/span.hpp"

namespace gw::tdm {

struct SpanSpec {
  std::string backend;  // registry name
  std::string address;  // backend specific: DAHDI span number, loopback endpoint
  Shape shape = Shape::e1;
  std::optional<Law> law;       // defaults to the shape's law
  std::string name;             // operator's name for the span; defaults to the spec text
  bool limit_dchannel = false;  // loopback: carry the D-channel at 64 kbit/s like a real line
  std::string echo_canceller;   // dahdi: DAHDI's canceller name, empty for none
  int echo_taps = 128;

  [[nodiscard]] Law effective_law() const noexcept {
    return law.value_or(Layout(shape).default_law());
  }
};

// Parses "BACKEND:ADDRESS". Throws std::invalid_argument naming what is wrong.
[[nodiscard]] SpanSpec parse_span_spec(std::string_view text, Shape shape);

class BackendRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Span>(const SpanSpec&)>;

  void add(std::string name, Factory factory);
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
  // Throws std::invalid_argument for an unknown backend, std::system_error when
  // the backend cannot open the span.
  [[nodiscard]] std::unique_ptr<Span> open(const SpanSpec& spec) const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace gw::tdm
