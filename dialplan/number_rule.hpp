#pragma once
// A NumberRule ready to apply: its regular expression compiled once.

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "dialplan/plan.hpp"

namespace gw::dialplan {

// The longest number a plan's regular expressions (a route's number_regex,
// a rewrite's replace) are applied to. libstdc++'s std::regex recurses for
// each character it matches, and a SIP peer or an operator can write tens
// of thousands of digits into a Request-URI, a From or the route tester:
// that would exhaust the control thread's stack. No numbering plan comes
// near this length; a longer number matches no number_regex and is not
// rewritten by `replace`.
inline constexpr std::size_t kMaxRegexNumber = 256;

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
