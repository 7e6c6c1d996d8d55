#include "dialplan/dial_target.hpp"

#include <algorithm>
#include <cctype>

namespace gw::dialplan {
namespace {

bool visual_separator(char c) {
  return c == '-' || c == '.' || c == '(' || c == ')';
}

bool dialable(char c) {
  return (c >= '0' && c <= '9') || c == '*' || c == '#';
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::optional<DialTarget> refuse(ParseError* error, std::string reason) {
  if (error != nullptr) error->reason = std::move(reason);
  return std::nullopt;
}

// RFC 3966 parameters after the number: only phone-context matters here;
// isub, ext and unknown parameters are kept out of the digits.
std::string find_phone_context(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto end = parameters.find_first_of(";,");
    const auto parameter = parameters.substr(0, end);
    const auto equals = parameter.find('=');
    if (equals != std::string_view::npos && lower(parameter.substr(0, equals)) == "phone-context") {
      return std::string(parameter.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    parameters.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace

std::optional<DialTarget> parse_dial_target(std::string_view user_part, ParseError* error) {
  const auto split = user_part.find_first_of(";,");
  std::string_view number = user_part.substr(0, split);
  const std::string_view parameters =
      split == std::string_view::npos ? std::string_view{} : user_part.substr(split + 1);
  DialTarget target;
  if (!number.empty() && number.front() == '+') {
    target.global = true;
    number.remove_prefix(1);
  }
  for (const char c : number) {
    if (visual_separator(c)) continue;
    if (!dialable(c)) {
      return refuse(error, "'" + std::string(user_part) + "' is not a telephone number");
    }
    target.digits += c;
  }
  if (target.digits.empty()) return refuse(error, "no digits to dial");
  target.phone_context = find_phone_context(parameters);
  // A "+CC" context is a global number prefix (RFC 3966): its visual
  // separators go, as the number's do, so "+1-212" and "+1212" are one context.
  if (!target.phone_context.empty() && target.phone_context.front() == '+') {
    std::erase_if(target.phone_context, visual_separator);
  }
  if (!target.global && target.phone_context.empty()) {
    return refuse(error, "a local number needs a phone-context (RFC 3966)");
  }
  if (target.global) target.phone_context.clear();
  return target;
}

}  // namespace gw::dialplan
