#pragma once
// Everything wrong with a plan, each problem naming its field
// ("routes[p1234].called.replace") and the reason. A plan with problems is
// never stored or applied.

#include <string>
#include <vector>

#include "dialplan/plan.hpp"

namespace gw::dialplan {

struct PlanError {
  std::string field;
  std::string reason;
  [[nodiscard]] std::string to_string() const { return field + ": " + reason; }
};

// `loopback_spans`: the loopback spans this gateway has, when a trunk's
// loopback span must be one of them; nullptr: not checked.
[[nodiscard]] std::vector<PlanError> validate(
    const Plan& plan, const std::vector<std::string>* loopback_spans = nullptr);

}  // namespace gw::dialplan
