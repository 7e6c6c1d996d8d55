#pragma once
// The "loopback" backend for the span registry. Addresses:
//   listen:/path   accept the far end on a unix socket (one at a time)
//   connect:/path  connect to a listening far end, and again whenever it goes away
//   pair:NAME      the two spans opened with the same NAME in this process are wired
//                  to each other

#include <map>
#include <mutex>
#include <string>

#include "drivers/loopback/loopback_span.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::loopback {

class Backend {
 public:
  explicit Backend(LineOptions defaults = {}) : defaults_(defaults) {}
  // Registers "loopback" with `registry`; this object must outlive the registry's use.
  void register_with(tdm::BackendRegistry& registry);
  // Throws std::invalid_argument for a bad address.
  [[nodiscard]] std::unique_ptr<LoopbackSpan> open(const tdm::SpanSpec& spec);

 private:
  LineOptions defaults_;
  std::mutex mutex_;
  std::map<std::string, UniqueFd> waiting_pairs_;  // second ends not yet opened
};

}  // namespace gw::loopback
