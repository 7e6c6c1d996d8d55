#pragma once
// Which spans serve a dialled number, until the dialplan engine (issue 4)
// replaces this: a phone-context ("p1234", "+1") or global numbers ("+")
// names an ordered list of spans, tried in turn.

#include <map>
#include <string>
#include <vector>

#include "dialplan/dial_target.hpp"

namespace gw::core {

class RouteTable {
 public:
  // `context`: a phone-context as written in the URI (compared without case),
  // or "+" for global numbers and local numbers in a "+CC" context without a
  // route of their own.
  void add(const std::string& context, std::vector<std::string> spans);
  // The spans for `target`, or nullptr when nothing routes it (404).
  [[nodiscard]] const std::vector<std::string>* find(const dialplan::DialTarget& target) const;

 private:
  std::map<std::string, std::vector<std::string>> routes_;
};

}  // namespace gw::core
