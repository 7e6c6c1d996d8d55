#include "gateway/core/route_table.hpp"

#include <algorithm>
#include <cctype>

namespace gw::core {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

void RouteTable::add(const std::string& context, std::vector<std::string> spans) {
  routes_[lower(context)] = std::move(spans);
}

const std::vector<std::string>* RouteTable::find(const dialplan::DialTarget& target) const {
  if (!target.global) {
    if (const auto found = routes_.find(lower(target.phone_context)); found != routes_.end())
      return &found->second;
    if (target.phone_context.empty() || target.phone_context.front() != '+') return nullptr;
  }
  const auto global = routes_.find("+");
  return global == routes_.end() ? nullptr : &global->second;
}

}  // namespace gw::core
