#include "drivers/pstnsim/span_options.hpp"

#include <stdexcept>

#include "drivers/dahdi/backend.hpp"

namespace gw::pstnsim {
namespace {

std::string value_of(int argc, char** argv, int& i) {
  if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + ": needs a value");
  return argv[++i];
}

}  // namespace

bool take_span_option(int argc, char** argv, int& i, SpanOptions& options) {
  const std::string arg = argv[i];
  if (arg == "--span") {
    options.specs.push_back(value_of(argc, argv, i));
  } else if (arg == "--shape") {
    const auto value = value_of(argc, argv, i);
    const auto shape = tdm::parse_shape(value);
    if (!shape) throw std::invalid_argument("--shape: '" + value + "' is not e1 or t1");
    options.shape = *shape;
  } else if (arg == "--law") {
    const auto value = value_of(argc, argv, i);
    options.law = tdm::parse_law(value);
    if (!options.law) throw std::invalid_argument("--law: '" + value + "' is not alaw or mulaw");
  } else if (arg == "--switchtype") {
    const auto value = value_of(argc, argv, i);
    options.switchtype = isdn::parse_switchtype(value);
    if (!options.switchtype) {
      throw std::invalid_argument("--switchtype: '" + value +
                                  "' (national, dms100, 4ess, 5ess, euroisdn_e1, qsig, ...)");
    }
  } else if (arg == "--dchannel-64k") {
    options.limit_dchannel = true;
  } else if (arg == "--echo-canceller") {
    options.echo_canceller = value_of(argc, argv, i);
  } else if (arg == "--debug") {
    options.debug = true;
  } else {
    return false;
  }
  return true;
}

std::string span_options_usage() {
  return "  --span BACKEND:ADDRESS   dahdi:N, loopback:listen:PATH, loopback:connect:PATH\n"
         "  --shape e1|t1            span shape (default e1)\n"
         "  --law alaw|mulaw         B-channel law (default: A-law on E1, mu-law on T1)\n"
         "  --switchtype TYPE        national, dms100, 4ess, 5ess, euroisdn_e1, qsig, ...\n"
         "  --dchannel-64k           pace the loopback D-channel at 64 kbit/s\n"
         "  --echo-canceller NAME    DAHDI echo canceller for B-channels (dahdi spans)\n"
         "  --debug                  log Q.921/Q.931\n";
}

Backends::Backends() {
  loopback_.register_with(registry_);
  dahdi::register_backend(registry_);
}

std::vector<std::unique_ptr<tdm::Span>> Backends::open(const SpanOptions& options) {
  if (options.specs.empty()) throw std::invalid_argument("--span: at least one is needed");
  std::vector<std::unique_ptr<tdm::Span>> spans;
  for (const auto& text : options.specs) {
    auto spec = tdm::parse_span_spec(text, options.shape);
    spec.law = options.law;
    spec.limit_dchannel = options.limit_dchannel;
    spec.echo_canceller = options.echo_canceller;
    spans.push_back(registry_.open(spec));
  }
  return spans;
}

}  // namespace gw::pstnsim
