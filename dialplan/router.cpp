#include "dialplan/router.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <regex>
#include <sstream>
#include <tuple>

#include "dialplan/number_rule.hpp"

namespace gw::dialplan {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

constexpr std::size_t no_digit = 12;

std::size_t digit_index(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::size_t>(c - '0');
  if (c == '*') return 10;
  if (c == '#') return 11;
  return no_digit;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A number as a screening entry or a caller is compared: "+" and the E.164
// digits for global numbers, the digits alone otherwise.
bool screening_matches(std::string_view entry, std::string_view number, bool global) {
  if (!entry.empty() && entry.front() == '+') {
    return global && starts_with(number, entry.substr(1));
  }
  return starts_with(number, entry);
}

std::string describe_number(const isdn::PartyNumber& number) {
  std::string text = number.digits.empty() ? "(none)" : number.digits;
  text += " ";
  text += isdn::to_string(number.ton);
  text += "/";
  text += isdn::to_string(number.npi);
  if (number.presentation == isdn::Presentation::restricted) text += " restricted";
  return text;
}

}  // namespace

struct Router::Compiled {
  const Route* route = nullptr;
  std::optional<std::regex> number_regex;
  NumberRewrite called;
  NumberRewrite calling;

  explicit Compiled(const Route& r) : route(&r), called(r.called), calling(r.calling) {
    if (!r.match.number_regex.empty()) {
      number_regex.emplace(r.match.number_regex, std::regex::ECMAScript | std::regex::optimize);
    }
  }

  // The precedence after phone-context and number prefix (RouteMatch).
  [[nodiscard]] auto rank() const {
    const RouteMatch& m = route->match;
    return std::make_tuple(m.number_length.has_value(), !m.number_regex.empty(),
                           m.caller_prefix.size(), !m.source.empty(), !m.account.empty(),
                           m.priority);
  }

  [[nodiscard]] bool accepts(const std::string& number, const CallFacts& facts) const {
    const RouteMatch& m = route->match;
    if (m.number_length && static_cast<int>(number.size()) != *m.number_length) return false;
    if (!m.caller_prefix.empty() && !starts_with(facts.caller, m.caller_prefix)) return false;
    if (!m.source.empty() && m.source != facts.source) return false;
    if (!m.account.empty() && m.account != facts.account) return false;
    // Calls from spans take only routes to SIP, calls from SIP only routes to spans.
    if (route->sip_peers.empty() == facts.from_pstn()) return false;
    if (!number_regex) return true;
    return number.size() <= kMaxRegexNumber && std::regex_match(number, *number_regex);
  }
};

struct Router::Trie {
  struct Node {
    std::array<std::uint32_t, no_digit> next{};  // 0: no child (the root is never a child)
    std::vector<const Compiled*> routes;         // best first
  };
  std::vector<Node> nodes{1};

  void insert(const std::string& prefix, const Compiled& route) {
    std::size_t at = 0;
    for (const char c : prefix) {
      const std::size_t digit = digit_index(c);
      if (nodes[at].next[digit] == 0) {
        nodes[at].next[digit] = static_cast<std::uint32_t>(nodes.size());
        nodes.emplace_back();
      }
      at = nodes[at].next[digit];
    }
    nodes[at].routes.push_back(&route);
  }

  void sort_candidates() {
    for (auto& node : nodes) {
      std::stable_sort(node.routes.begin(), node.routes.end(),
                       [](const Compiled* a, const Compiled* b) { return a->rank() > b->rank(); });
    }
  }
};

bool Decision::fails_over(int cause) const {
  return std::find(failover_causes.begin(), failover_causes.end(), cause) != failover_causes.end();
}

std::string Decision::describe() const {
  std::ostringstream out;
  switch (outcome) {
    case Outcome::no_route:
      out << "result: no route (404)\n";
      return out.str();
    case Outcome::caller_blocked:
      out << "result: 403 Screening Failure (Originating)\nblocked-by: " << blocked_by << '\n';
      return out.str();
    case Outcome::destination_blocked:
      out << "result: 403 Screening Failure (Terminating)\nblocked-by: " << blocked_by << '\n';
      return out.str();
    case Outcome::routed:
      break;
  }
  out << "result: routed\nroute: " << route << "\nnumber: " << number << '\n';
  if (sip) {
    out << "sip-peers:";
    for (const auto& peer : sip->peers) out << ' ' << peer;
    out << "\nrequest-user: " << sip->request_user
        << "\ncaller-user: " << (sip->caller_user.empty() ? "(none)" : sip->caller_user)
        << (sip->caller_hidden ? " hidden" : "") << '\n';
    return out.str();
  }
  for (const auto& group : groups) {
    out << "trunk-group: " << group.name << " hunting " << isdn::to_string(group.hunting)
        << " channel-limit "
        << (group.channel_limit == 0 ? std::string("none") : std::to_string(group.channel_limit))
        << '\n';
    for (const auto& trunk : group.trunks) {
      out << "  trunk: " << trunk.name << " spans";
      for (const auto& span : trunk.spans) out << ' ' << span;
      out << " called " << describe_number(trunk.called) << " calling "
          << describe_number(trunk.calling) << '\n';
    }
  }
  out << "failover-causes:";
  for (const int cause : failover_causes) out << ' ' << cause;
  out << '\n';
  return out.str();
}

Router::Router(Plan plan) : plan_(std::move(plan)) {
  routes_.reserve(plan_.routes.size());
  for (const auto& route : plan_.routes) {
    routes_.push_back(std::make_unique<Compiled>(route));
    auto& trie = by_context_[lower(route.match.phone_context)];
    if (!trie) trie = std::make_unique<Trie>();
    trie->insert(route.match.number_prefix, *routes_.back());
  }
  for (auto& [context, trie] : by_context_) trie->sort_candidates();
}

Router::~Router() = default;

const Router::Compiled* Router::search(const Trie& trie, const std::string& number,
                                       const CallFacts& facts) const {
  std::array<std::uint32_t, 64> path{};
  std::size_t depth = 0;
  path[depth++] = 0;
  for (const char c : number) {
    const std::size_t digit = digit_index(c);
    if (digit == no_digit || depth == path.size()) break;
    const std::uint32_t next = trie.nodes[path[depth - 1]].next[digit];
    if (next == 0) break;
    path[depth++] = next;
  }
  while (depth > 0) {
    for (const Compiled* route : trie.nodes[path[--depth]].routes) {
      if (route->accepts(number, facts)) return route;
    }
  }
  return nullptr;
}

// The buckets in precedence order: the call's own context, then "+" for
// global numbers (and a "+CC" local number as CC+digits), then any context.
const Router::Compiled* Router::best_route(const CallFacts& facts, std::string& number,
                                           bool& e164) const {
  const DialTarget& target = facts.target;
  const std::string context = lower(target.phone_context);
  const bool plus_context = !context.empty() && context.front() == '+';
  struct Attempt {
    std::string bucket;
    std::string number;
    bool e164;
  };
  std::vector<Attempt> attempts;
  if (target.global) {
    attempts = {{"+", target.digits, true}, {"", target.digits, true}};
  } else if (plus_context) {
    attempts = {{context, target.digits, false},
                {"+", context.substr(1) + target.digits, true},
                {"", target.digits, false}};
  } else {
    attempts = {{context, target.digits, false}, {"", target.digits, false}};
  }
  for (auto& attempt : attempts) {
    const auto it = by_context_.find(attempt.bucket);
    if (it == by_context_.end()) continue;
    if (const Compiled* route = search(*it->second, attempt.number, facts)) {
      number = std::move(attempt.number);
      e164 = attempt.e164;
      return route;
    }
  }
  return nullptr;
}

std::string Router::screened(const CallFacts& facts, bool callers) const {
  const auto& list =
      callers ? plan_.screening.blocked_callers : plan_.screening.blocked_destinations;
  std::string number;
  bool global = false;
  if (callers) {
    global = starts_with(facts.caller, "+");
    number = global ? facts.caller.substr(1) : facts.caller;
  } else {
    const DialTarget& target = facts.target;
    const bool plus_context = starts_with(target.phone_context, "+");
    global = target.global || plus_context;
    number = plus_context ? target.phone_context.substr(1) + target.digits : target.digits;
  }
  if (number.empty()) return {};
  for (const auto& entry : list) {
    if (screening_matches(entry, number, global)) return entry;
  }
  return {};
}

Decision Router::decide(const CallFacts& facts) const {
  Decision decision;
  if (auto entry = screened(facts, true); !entry.empty()) {
    decision.outcome = Decision::Outcome::caller_blocked;
    decision.blocked_by = std::move(entry);
    return decision;
  }
  if (auto entry = screened(facts, false); !entry.empty()) {
    decision.outcome = Decision::Outcome::destination_blocked;
    decision.blocked_by = std::move(entry);
    return decision;
  }
  std::string number;
  bool e164 = false;
  const Compiled* route = best_route(facts, number, e164);
  if (route == nullptr) return facts.from_pstn() ? trunk_default(facts) : decision;
  return routed(*route, number, e164, facts);
}

namespace {

std::string with_context(const std::string& digits, const std::string& context) {
  return context.empty() ? digits : digits + ";phone-context=" + context;
}

// A number from a SETUP as a SIP user part (see SipChoice).
std::string sip_user(const std::string& digits, const isdn::PartyNumber& as_sent,
                     const Trunk* trunk) {
  if (digits.empty()) return {};
  if (as_sent.ton == isdn::Ton::international) return "+" + digits;
  if (trunk == nullptr) return digits;
  return with_context(digits, as_sent.npi == isdn::Npi::private_plan ? trunk->private_context
                                                                     : trunk->public_context);
}

}  // namespace

CallFacts Router::facts_from_pstn(const std::string& span, const isdn::PartyNumber& called,
                                  const isdn::PartyNumber& calling) const {
  CallFacts facts;
  facts.source = "span:" + span;
  facts.calling = calling;
  const Trunk* trunk = plan_.trunk_of_span(span);
  facts.target.digits = called.digits;
  if (called.ton == isdn::Ton::international) {
    facts.target.global = true;
  } else if (trunk != nullptr) {
    facts.target.phone_context =
        called.npi == isdn::Npi::private_plan ? trunk->private_context : trunk->public_context;
  }
  if (!calling.digits.empty()) {
    facts.caller = (calling.ton == isdn::Ton::international ? "+" : "") + calling.digits;
  }
  facts.caller_private = calling.presentation != isdn::Presentation::allowed;
  facts.caller_asserted = calling.screening == isdn::Screening::network ||
                          calling.screening == isdn::Screening::user_passed;
  return facts;
}

// The Request-URI user of a call from the PSTN: E.164 digits as a global
// number; a local number in the context it came in with.
SipChoice Router::sip_choice(const Compiled* compiled, const Trunk* trunk,
                             const std::string& number, bool e164, const CallFacts& facts) const {
  const Route* route = compiled != nullptr ? compiled->route : nullptr;
  SipChoice choice;
  choice.peers = route != nullptr ? route->sip_peers : trunk->sip_peers;
  const std::string digits = compiled != nullptr ? compiled->called.apply(number) : number;
  choice.request_user = e164 ? "+" + digits : with_context(digits, facts.target.phone_context);
  // A route that says what the rewritten number is (a subscriber number
  // made international by prepending CC and area code) sets its SIP form.
  if (route != nullptr && (route->called_ton || route->called_npi)) {
    isdn::PartyNumber rewritten;
    rewritten.ton = route->called_ton.value_or(isdn::Ton::unknown);
    rewritten.npi = route->called_npi.value_or(isdn::Npi::isdn);
    choice.request_user = sip_user(digits, rewritten, trunk);
  }
  isdn::PartyNumber caller = facts.calling;
  if (compiled != nullptr && !caller.digits.empty()) {
    caller.digits = compiled->calling.apply(caller.digits);
    if (route->calling_ton) caller.ton = *route->calling_ton;
    if (route->calling_npi) caller.npi = *route->calling_npi;
  }
  choice.caller_user = sip_user(caller.digits, caller, trunk);
  choice.caller_hidden = facts.caller_private;
  if (route != nullptr && route->presentation != PresentationRule::from_sip) {
    choice.caller_hidden = route->presentation == PresentationRule::restricted;
  }
  choice.caller_screened = facts.caller_asserted;
  return choice;
}

// A call from a span that no route takes goes to its trunk's SIP peers.
Decision Router::trunk_default(const CallFacts& facts) const {
  Decision decision;
  const Trunk* trunk = plan_.trunk_of_span(facts.source.substr(5));
  if (trunk == nullptr || trunk->sip_peers.empty()) return decision;
  decision.outcome = Decision::Outcome::routed;
  decision.route = "trunk:" + trunk->name;
  decision.number = facts.target.digits;
  decision.sip = sip_choice(nullptr, trunk, facts.target.digits, facts.target.global, facts);
  return decision;
}

const Route* Router::find_route(const CallFacts& facts) const {
  std::string number;
  bool e164 = false;
  const Compiled* route = best_route(facts, number, e164);
  return route == nullptr ? nullptr : route->route;
}

// The numbers as `trunk` sends them: the route's rewrite, then the route's
// TON/NPI, else what the number's form says, else the trunk's defaults.
TrunkChoice Router::trunk_choice(const Compiled& compiled, const Trunk& trunk,
                                 const std::string& number, bool e164,
                                 const CallFacts& facts) const {
  const Route& route = *compiled.route;
  const bool plus_context = starts_with(facts.target.phone_context, "+");
  TrunkChoice choice;
  choice.name = trunk.name;
  choice.spans = trunk.spans;
  isdn::PartyNumber& called = choice.called;
  called.digits = compiled.called.apply(number);
  called.ton = route.called_ton.value_or(e164 ? isdn::Ton::international : trunk.called_ton);
  called.npi =
      route.called_npi.value_or(e164 || plus_context ? isdn::Npi::isdn : isdn::Npi::private_plan);

  isdn::PartyNumber& calling = choice.calling;
  const bool caller_global = starts_with(facts.caller, "+");
  const std::string caller = caller_global ? facts.caller.substr(1) : facts.caller;
  calling.digits = caller.empty() ? std::string() : compiled.calling.apply(caller);
  calling.ton =
      route.calling_ton.value_or(caller_global ? isdn::Ton::international : trunk.calling_ton);
  calling.npi = route.calling_npi.value_or(caller_global ? isdn::Npi::isdn : trunk.calling_npi);
  calling.screening =
      facts.caller_asserted ? isdn::Screening::user_passed : isdn::Screening::user_not_screened;
  switch (route.presentation) {
    case PresentationRule::from_sip:
      calling.presentation =
          facts.caller_private ? isdn::Presentation::restricted : isdn::Presentation::allowed;
      break;
    case PresentationRule::allowed:
      calling.presentation = isdn::Presentation::allowed;
      break;
    case PresentationRule::restricted:
      calling.presentation = isdn::Presentation::restricted;
      break;
  }
  if (calling.digits.empty()) calling.presentation = isdn::Presentation::unavailable;
  return choice;
}

Decision Router::routed(const Compiled& compiled, const std::string& number, bool e164,
                        const CallFacts& facts) const {
  const Route& route = *compiled.route;
  Decision decision;
  decision.outcome = Decision::Outcome::routed;
  decision.route = route.name;
  decision.number = number;
  decision.failover_causes = route.failover_causes;
  if (!route.sip_peers.empty()) {
    const Trunk* trunk = plan_.trunk_of_span(facts.source.substr(5));
    decision.sip = sip_choice(&compiled, trunk, number, e164, facts);
    return decision;
  }
  for (const auto& group_name : route.trunk_groups) {
    const TrunkGroup* group = plan_.find_group(group_name);
    if (group == nullptr) continue;  // validate() refuses such a plan
    GroupChoice choice;
    choice.name = group->name;
    choice.hunting = group->hunting;
    choice.channel_limit = group->channel_limit;
    for (const auto& trunk_name : group->trunks) {
      if (const Trunk* trunk = plan_.find_trunk(trunk_name)) {
        choice.trunks.push_back(trunk_choice(compiled, *trunk, number, e164, facts));
      }
    }
    decision.groups.push_back(std::move(choice));
  }
  return decision;
}

}  // namespace gw::dialplan
