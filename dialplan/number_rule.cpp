#include "dialplan/number_rule.hpp"

#include <algorithm>

namespace gw::dialplan {

NumberRewrite::NumberRewrite(const NumberRule& rule) : rule_(rule) {
  if (!rule_.replace.empty()) replace_.emplace(rule_.replace, std::regex::ECMAScript);
}

std::string NumberRewrite::apply(std::string_view number) const {
  const auto strip = std::min(number.size(), static_cast<std::size_t>(std::max(rule_.strip, 0)));
  std::string result = rule_.prepend;
  result += number.substr(strip);
  if (replace_ && result.size() <= kMaxRegexNumber) {
    result = std::regex_replace(result, *replace_, rule_.with);
  }
  return result;
}

bool NumberRewrite::changes_nothing() const noexcept {
  return rule_.strip == 0 && rule_.prepend.empty() && !replace_;
}

}  // namespace gw::dialplan
