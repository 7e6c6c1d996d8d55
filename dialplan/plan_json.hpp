#pragma once
// The dialplan as a JSON file people read, diff, back up and provision
// with (`sipgw export`, `sipgw import`). Every field is written, defaults
// too, so an exported file documents what can be set. Reading refuses
// unknown fields (a typo must not silently mean "default") and wrong types,
// naming the field: "routes[2].called.strip: expected a whole number".

#include <string>
#include <string_view>
#include <variant>

#include "dialplan/plan.hpp"

namespace gw::dialplan {

struct JsonError {
  std::string field;  // "routes[2].called.strip"; empty for a syntax error
  std::string reason;
};

[[nodiscard]] std::string plan_to_json(const Plan& plan);
[[nodiscard]] std::variant<Plan, JsonError> plan_from_json(std::string_view text);

}  // namespace gw::dialplan
