#pragma once
// Decides where a call goes: the screening lists first, then the most
// specific route (see RouteMatch), its trunk groups in order and the numbers
// as they go out. Built once from a valid plan and never changed, so a
// reload builds a new Router and calls already placed keep their Decision.
//
// Lookup: routes are filed by phone-context, then in a digit trie on their
// number prefix with the candidates of each node sorted by the rest of the
// precedence; a call walks its number down the trie and takes, from the
// deepest node up, the first candidate whose other conditions hold.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dialplan/dial_target.hpp"
#include "dialplan/plan.hpp"

namespace gw::dialplan {

// What is known about a call when it is routed.
struct CallFacts {
  DialTarget target;
  std::string caller;            // "+15551234567" or "5551234"; empty: unknown
  bool caller_asserted = false;  // from P-Asserted-Identity (a trusted network said so)
  bool caller_private = false;   // the caller asked for privacy (Privacy: id)
  std::string source;            // "sip:127.0.0.1" or "span:span1"
  std::string account;           // the account the caller authenticated as; empty: none
  // The calling party number as it came in a SETUP (calls from the PSTN).
  isdn::PartyNumber calling;
  [[nodiscard]] bool from_pstn() const noexcept { return source.rfind("span:", 0) == 0; }
};

// Where a call from the PSTN goes in SIP, and as whom. User parts are
// written as a sip: URI with user=phone carries them (RFC 3261 19.1.6):
// "+15551234567", "7773660;phone-context=p1234", or bare digits when the
// trunk names no context for such a number.
struct SipChoice {
  std::vector<std::string> peers;  // "host" or "host:port", tried in order
  std::string request_user;
  std::string caller_user;       // empty: no calling number
  bool caller_hidden = false;    // presentation restricted: From anonymous, Privacy: id
  bool caller_screened = false;  // the network vouched for the number: P-Asserted-Identity
};

struct TrunkChoice {
  std::string name;
  std::vector<std::string> spans;
  isdn::PartyNumber called;  // as this trunk sends it
  isdn::PartyNumber calling;
};

struct GroupChoice {
  std::string name;
  isdn::Hunting hunting = isdn::Hunting::ascending;
  int channel_limit = 0;
  std::vector<TrunkChoice> trunks;  // in the group's order
};

struct Decision {
  enum class Outcome : std::uint8_t { routed, no_route, caller_blocked, destination_blocked };
  Outcome outcome = Outcome::no_route;
  std::string route;                // the route's name
  std::string number;               // the number the route matched on
  std::vector<GroupChoice> groups;  // tried in order
  std::optional<SipChoice> sip;     // instead of groups: a call from the PSTN going to SIP
  std::vector<int> failover_causes;
  std::string blocked_by;  // the screening entry that refused the call

  [[nodiscard]] bool fails_over(int cause) const;
  // What `sipgwctl route` prints: one "key: value" a line.
  [[nodiscard]] std::string describe() const;
};

class Router {
 public:
  // `plan` must have passed validate().
  explicit Router(Plan plan);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  ~Router();

  [[nodiscard]] Decision decide(const CallFacts& facts) const;
  // What the router knows of a call that came in a SETUP on span `span`:
  // the called number read with the span's trunk's contexts (an
  // international number is global, a private-plan one is in the trunk's
  // private_context, any other in its public_context).
  [[nodiscard]] CallFacts facts_from_pstn(const std::string& span, const isdn::PartyNumber& called,
                                          const isdn::PartyNumber& calling) const;
  // The lookup alone: the route decide() would take, nullptr for none
  // (screening not applied).
  [[nodiscard]] const Route* find_route(const CallFacts& facts) const;
  [[nodiscard]] const Plan& plan() const noexcept { return plan_; }

 private:
  struct Compiled;
  struct Trie;

  [[nodiscard]] const Compiled* best_route(const CallFacts& facts, std::string& number,
                                           bool& e164) const;
  [[nodiscard]] const Compiled* search(const Trie& trie, const std::string& number,
                                       const CallFacts& facts) const;
  [[nodiscard]] std::string screened(const CallFacts& facts, bool callers) const;
  [[nodiscard]] Decision routed(const Compiled& compiled, const std::string& number, bool e164,
                                const CallFacts& facts) const;
  [[nodiscard]] SipChoice sip_choice(const Compiled* compiled, const Trunk* trunk,
                                     const std::string& number, bool e164,
                                     const CallFacts& facts) const;
  [[nodiscard]] Decision trunk_default(const CallFacts& facts) const;
  [[nodiscard]] TrunkChoice trunk_choice(const Compiled& compiled, const Trunk& trunk,
                                         const std::string& number, bool e164,
                                         const CallFacts& facts) const;

  Plan plan_;
  std::vector<std::unique_ptr<Compiled>> routes_;
  std::unordered_map<std::string, std::unique_ptr<Trie>> by_context_;  // lower case; "" any
};

}  // namespace gw::dialplan
