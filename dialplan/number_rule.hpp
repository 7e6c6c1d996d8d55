#pragma once
// A NumberRule ready to apply: its regular expression compiled once.

#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "dialplan/plan.hpp"

namespace gw::dialplan {

class NumberRewrite {
 public:
  // Throws std::regex_error for a bad `replace` (validate() reports it first).
  explicit NumberRewrite(const NumberRule& rule);

  [[nodiscard]] std::string apply(std::string_view number) const;
  [[nodiscard]] bool changes_nothing() const noexcept;

 private:
  NumberRule rule_;
  std::optional<std::regex> replace_;
};

}  // namespace gw::dialplan
