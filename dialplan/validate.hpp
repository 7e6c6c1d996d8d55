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

// Every problem of `plan`, each naming its field. Loopback spans are made
// as the trunks name them, so any well-formed name will do.
[[nodiscard]] std::vector<PlanError> validate(const Plan& plan);

}  // namespace gw::dialplan
