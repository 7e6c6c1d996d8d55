#include "drivers/dahdi/backend.hpp"

#include <charconv>
#include <stdexcept>

#include "drivers/dahdi/dahdi_span.hpp"

namespace gw::dahdi {

void register_backend(tdm::BackendRegistry& registry, const BackendPaths& paths) {
  registry.add("dahdi", [paths](const tdm::SpanSpec& spec) -> std::unique_ptr<tdm::Span> {
    int span = 0;
    const auto& text = spec.address;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), span);
    if (error != std::errc() || end != text.data() + text.size() || span < 1) {
      throw std::invalid_argument("span address: '" + text + "' is not a DAHDI span number");
    }
    return std::make_unique<DahdiSpan>(spec, locate_span(span, paths), paths);
  });
}

}  // namespace gw::dahdi
