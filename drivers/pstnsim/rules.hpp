#pragma once
// How the simulated PSTN treats a call, chosen by the called number's leading
// digits (the longest matching prefix wins; "*" matches anything) and
// optionally the span it comes in on (a rule for the span beats one for any
// span with the same prefix): "one trunk busy, the other free" for failover.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/isdn/q850.hpp"

namespace gw::pstnsim {

enum class Action : std::uint8_t {
  reject,       // DISCONNECT at once with `cause`
  no_answer,    // ring until the caller gives up, or `timeout` then `cause`
  answer,       // ring `ring`, answer and echo; with `hangup_after`, clear then with `cause`
  early_media,  // PROGRESS (PI 8) with a tone for `tone`, then answer and echo
};

struct Rule {
  std::string prefix;  // "*" for the default
  Action action = Action::answer;
  isdn::Cause cause = isdn::Cause::normal_clearing;
  std::chrono::milliseconds ring{1000};
  std::chrono::milliseconds timeout{180'000};
  std::optional<std::chrono::milliseconds> hangup_after;
  std::chrono::milliseconds tone{2000};
  std::string span;  // only calls on this span ("span1"); empty: any span
  friend bool operator==(const Rule&, const Rule&) = default;
};

[[nodiscard]] std::string_view to_string(Action action) noexcept;

class RuleSet {
 public:
  // The behaviour table the product documents (486 busy, 404 unallocated, ...).
  [[nodiscard]] static RuleSet defaults();
  // One rule a line: PREFIX ACTION [key=value ...]; '#' starts a comment.
  // Throws std::invalid_argument "rules line N: field: reason".
  [[nodiscard]] static RuleSet parse(std::string_view text);

  void add(Rule rule);
  [[nodiscard]] const Rule& match(std::string_view number, std::string_view span = {}) const;
  [[nodiscard]] const std::vector<Rule>& rules() const noexcept { return rules_; }

 private:
  std::vector<Rule> rules_;
  Rule fallback_;
};

}  // namespace gw::pstnsim
