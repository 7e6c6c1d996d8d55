#pragma once
// The span options pstnsim and pstncall share on their command lines.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/isdn/types.hpp"
#include "drivers/loopback/backend.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::pstnsim {

struct SpanOptions {
  std::vector<std::string> specs;  // --span BACKEND:ADDRESS, repeatable
  tdm::Shape shape = tdm::Shape::e1;
  std::optional<tdm::Law> law;
  std::optional<isdn::SwitchType> switchtype;  // default: euroisdn_e1 on E1, national on T1
  bool limit_dchannel = false;
  std::string echo_canceller;
  bool debug = false;

  [[nodiscard]] isdn::SwitchType effective_switchtype() const {
    return switchtype.value_or(shape == tdm::Shape::e1 ? isdn::SwitchType::euroisdn_e1
                                                       : isdn::SwitchType::ni2);
  }
};

// Consumes argv[i] (and its value) when it is a span option. Throws
// std::invalid_argument naming the option when its value is bad.
bool take_span_option(int argc, char** argv, int& i, SpanOptions& options);
[[nodiscard]] std::string span_options_usage();

// Every backend the product ships, registered by name.
class Backends {
 public:
  Backends();
  [[nodiscard]] std::vector<std::unique_ptr<tdm::Span>> open(const SpanOptions& options);
  [[nodiscard]] tdm::BackendRegistry& registry() noexcept { return registry_; }

 private:
  loopback::Backend loopback_;
  tdm::BackendRegistry registry_;
};

}  // namespace gw::pstnsim
