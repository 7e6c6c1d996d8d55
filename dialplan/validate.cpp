#include "dialplan/validate.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "dialplan/address_block.hpp"

namespace gw::dialplan {
namespace {

constexpr std::size_t max_digits = 32;

bool is_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  // A URL path segment of "." or ".." is resolved away by every browser and
  // client: such an item could never be edited or removed on the web page.
  if (name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
  });
}

bool is_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '*' || c == '#'; });
}

// "+" then digits, or digits.
bool is_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return !text.empty() && text.size() <= max_digits && is_digits(text);
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::string regex_problem(const std::string& pattern) {
  try {
    const std::regex compiled(pattern, std::regex::ECMAScript);
    return {};
  } catch (const std::regex_error& error) {
    return std::string("not a regular expression (") + error.what() + ")";
  }
}

// "1-15,17-31": timeslots 1..31, ranges ascending.
bool is_channel_list(std::string_view text) {
  // Bounded before std::regex (it recurses per character) and std::stoi
  // (it throws past int): 31 timeslots never need more.
  if (text.size() > 128) return false;
  for (std::size_t digits = 0; const char c : text) {
    digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
    if (digits > 2) return false;
  }
  static const std::regex shape(R"(^\d+(-\d+)?(,\d+(-\d+)?)*$)");
  if (!std::regex_match(text.begin(), text.end(), shape)) return false;
  const std::string list(text);
  const std::regex range(R"((\d+)(?:-(\d+))?)");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), range);
       it != std::sregex_iterator(); ++it) {
    const int first = std::stoi((*it)[1]);
    const int last = (*it)[2].matched ? std::stoi((*it)[2]) : first;
    if (first < 1 || last > 31 || last < first) return false;
  }
  return true;
}

bool is_host_port(const std::string& text);
bool is_sip_peer(const std::string& text);
constexpr const char* kSipPeerForms =
    "is not host, host:port or a URI like sips:pbx.example.com:5061 or "
    "sip:host;transport=tls";

// "p1234" (a private plan's name: letters, digits, - and .) or "+1212".
bool is_phone_context(const std::string& context) {
  if (context.empty()) return false;
  if (context.front() == '+') {
    return is_number(context) && context.find_first_of("*#") == std::string::npos;
  }
  return context.size() <= 64 && std::all_of(context.begin(), context.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '-' || c == '.';
         });
}

class Checker {
 public:
  explicit Checker(const Plan& plan) : plan_(plan) {}

  std::vector<PlanError> run() {
    check_names();
    for (std::size_t i = 0; i < plan_.trunks.size(); ++i) check_trunk(plan_.trunks[i], i);
    for (std::size_t i = 0; i < plan_.trunk_groups.size(); ++i) {
      check_group(plan_.trunk_groups[i], i);
    }
    for (std::size_t i = 0; i < plan_.routes.size(); ++i) check_route(plan_.routes[i], i);
    check_ties();
    check_screening();
    for (std::size_t i = 0; i < plan_.registrations.size(); ++i) {
      check_registration(plan_.registrations[i], i);
    }
    for (std::size_t i = 0; i < plan_.credentials.size(); ++i) {
      check_credential(plan_.credentials[i], i);
    }
    check_trust();
    check_media_encryption();
    check_unique_names("accounts", plan_.accounts);
    for (std::size_t i = 0; i < plan_.accounts.size(); ++i) check_account(plan_.accounts[i], i);
    if (!plan_.outbound_proxy.empty() && !is_host_port(plan_.outbound_proxy)) {
      error("outbound_proxy", "'" + plan_.outbound_proxy + "' is not host or host:port");
    }
    return std::move(errors_);
  }

 private:
  template <typename Item>
  static std::string where(std::string_view kind, const Item& item, std::size_t index) {
    return std::string(kind) + "[" + (is_name(item.name) ? item.name : std::to_string(index)) + "]";
  }

  void error(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }

  template <typename Item>
  void check_unique_names(std::string_view kind, const std::vector<Item>& items) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& name = items[i].name;
      if (!is_name(name)) {
        error(std::string(kind) + "[" + std::to_string(i) + "].name",
              "'" + name + "' is not a name (1-64 of A-Z a-z 0-9 - _ ., not . or ..)");
      } else if (!seen.insert(name).second) {
        error(where(kind, items[i], i) + ".name", "another entry has this name");
      }
    }
  }

  void check_names() {
    check_unique_names("trunks", plan_.trunks);
    check_unique_names("trunk_groups", plan_.trunk_groups);
    check_unique_names("routes", plan_.routes);
    check_unique_names("registrations", plan_.registrations);
  }

  void check_trunk(const Trunk& trunk, std::size_t index);
  void check_group(const TrunkGroup& group, std::size_t index);
  void check_route(const Route& route, std::size_t index);
  void check_match(const RouteMatch& match, const std::string& at);
  void check_rule(const NumberRule& rule, const std::string& at);
  void check_ties();
  void check_screening();
  void check_registration(const Registration& registration, std::size_t index);
  void check_credential(const Credential& credential, std::size_t index);
  void check_trust();
  void check_media_encryption();
  void check_account(const Account& account, std::size_t index);

  const Plan& plan_;
  std::map<std::string, std::string> span_owner_;  // span name -> trunk
  std::vector<PlanError> errors_;
};

bool is_host_port(const std::string& text) {
  // std::regex recurses per character: a long enough text overflows the stack.
  if (text.size() > 261) return false;  // a 253-character name, ':' and a port
  static const std::regex host_port(
      R"(^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$)");
  return std::regex_match(text, host_port);
}

// A sip_peers entry: host[:port] (UDP, or what DNS says), or a SIP URI with
// no user part, its transport and the address to reach it by:
// "sips:pbx.example.com:5061", "sip:pbx.example.com;transport=tls",
// "sips:localhost:5061;maddr=127.0.0.1". sips: is TLS only.
bool is_sip_peer(const std::string& text) {
  if (is_host_port(text)) return true;
  std::string_view rest(text);
  bool sips = false;
  if (rest.starts_with("sips:")) {
    sips = true;
    rest.remove_prefix(5);
  } else if (rest.starts_with("sip:")) {
    rest.remove_prefix(4);
  } else {
    return false;
  }
  const auto semicolon = rest.find(';');
  if (!is_host_port(std::string(rest.substr(0, semicolon)))) return false;
  rest.remove_prefix(semicolon == std::string_view::npos ? rest.size() : semicolon);
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the ';'
    const auto end = std::min(rest.find(';'), rest.size());
    const std::string_view parameter = rest.substr(0, end);
    rest.remove_prefix(end);
    if (parameter == "transport=tls" ||
        (!sips && (parameter == "transport=udp" || parameter == "transport=tcp"))) {
      continue;
    }
    // maddr is a host without a port: a name, an address, [IPv6].
    const std::string_view maddr = parameter.substr(std::min<std::size_t>(6, parameter.size()));
    if (parameter.starts_with("maddr=") && is_host_port(std::string(maddr)) &&
        (maddr.front() == '[' ? maddr.back() == ']' : maddr.find(':') == std::string_view::npos)) {
      continue;
    }
    return false;
  }
  return true;
}

// A SIP user part we write into a URI as is: no characters that need escaping.
bool is_sip_user(const std::string& text) {
  return !text.empty() && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 ||
                  std::string_view("-_.!~*'+").find(static_cast<char>(c)) != std::string_view::npos;
         });
}

void Checker::check_registration(const Registration& registration, std::size_t index) {
  const std::string at = where("registrations", registration, index);
  if (!is_host_port(registration.registrar)) {
    error(at + ".registrar", "'" + registration.registrar + "' is not host or host:port");
  }
  if (!is_sip_user(registration.user)) {
    error(at + ".user", "'" + registration.user + "' is not a SIP user name");
  }
  if (!registration.auth_user.empty() && !is_sip_user(registration.auth_user)) {
    error(at + ".auth_user", "'" + registration.auth_user + "' is not a user name");
  }
  if (registration.password.find_first_of("\"\r\n") != std::string::npos) {
    error(at + ".password", "must not hold quotes or line breaks");
  }
  if (registration.expires < 5 || registration.expires > 86400) {
    error(at + ".expires", "must be 5 to 86400 seconds");
  }
}

void Checker::check_credential(const Credential& credential, std::size_t index) {
  const std::string at = "credentials[" + std::to_string(index) + "]";
  if (credential.realm.empty() || credential.realm.find_first_of("\"\r\n") != std::string::npos) {
    error(at + ".realm", "must be a realm's name, without quotes or line breaks");
  }
  if (!is_sip_user(credential.user)) {
    error(at + ".user", "'" + credential.user + "' is not a user name");
  }
  if (credential.password.find_first_of("\"\r\n") != std::string::npos) {
    error(at + ".password", "must not hold quotes or line breaks");
  }
}

bool is_hex(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void Checker::check_trust() {
  for (std::size_t i = 0; i < plan_.trust.peers.size(); ++i) {
    const auto& peer = plan_.trust.peers[i];
    if (!AddressBlock::parse(peer) && !is_host_name(peer)) {
      error("trust.peers[" + std::to_string(i) + "]",
            "'" + peer +
                "' is not an address, a block (10.1.0.0/16, 2001:db8::/32, no bits past the "
                "prefix) or a host name");
    }
  }
  const auto& realm = plan_.trust.realm;
  if (realm.empty() || realm.size() > 64 || realm.find_first_of("\"\\\r\n") != std::string::npos) {
    error("trust.realm", "must be 1-64 characters without quotes, backslashes or line breaks");
  }
}

// A peer is named as the gateway will look it up: an address (an INVITE's
// source) or host[:port] (as routes and trunks write sip_peers).
void Checker::check_media_encryption() {
  for (const auto& [peer, mode] : plan_.media_encryption.peers) {
    if (!IpAddress::parse(peer) && !is_host_port(peer)) {
      error("media_encryption.peers[" + peer + "]",
            "'" + peer + "' is not an address, a host name or host:port");
    }
  }
}

void Checker::check_account(const Account& account, std::size_t index) {
  const std::string at = where("accounts", account, index);
  if (account.realm != plan_.trust.realm) {
    error(at + ".realm", "'" + account.realm + "' is not the plan's realm '" + plan_.trust.realm +
                             "': its digests were made for another realm; set its password again");
  }
  if (account.ha1_md5.empty() && account.ha1_sha256.empty()) {
    error(at + ".password", "an account needs a password (or the digests an export wrote)");
  }
  if (!account.ha1_md5.empty() && !is_hex(account.ha1_md5, 32)) {
    error(at + ".ha1_md5", "must be 32 lower-case hex digits");
  }
  if (!account.ha1_sha256.empty() && !is_hex(account.ha1_sha256, 64)) {
    error(at + ".ha1_sha256", "must be 64 lower-case hex digits");
  }
}

void Checker::check_trunk(const Trunk& trunk, std::size_t index) {
  const std::string at = where("trunks", trunk, index);
  if (trunk.spans.empty()) error(at + ".spans", "a trunk needs at least one span");
  for (const auto& span : trunk.spans) {
    if (trunk.backend == Backend::dahdi) {
      const bool number = !span.empty() && span.size() <= 3 && is_digits(span) &&
                          span.find_first_of("*#") == std::string::npos && std::stoi(span) >= 1;
      if (!number) error(at + ".spans", "'" + span + "' is not a DAHDI span number");
    } else if (!is_name(span)) {
      error(at + ".spans", "'" + span + "' is not a span name");
    }
    // One name space for every backend: the gateway knows its spans by name.
    const auto [it, fresh] = span_owner_.emplace(span, trunk.name);
    if (!fresh) error(at + ".spans", "span '" + span + "' is already in trunk " + it->second);
  }
  if (!trunk.channels.empty() && !is_channel_list(trunk.channels)) {
    error(at + ".channels", "'" + trunk.channels + "' is not a channel list like 1-15,17-31");
  }
  for (const auto& peer : trunk.sip_peers) {
    if (!is_sip_peer(peer)) error(at + ".sip_peers", "'" + peer + "' " + kSipPeerForms);
  }
  if (!trunk.private_context.empty() &&
      (!is_phone_context(trunk.private_context) || trunk.private_context.front() == '+')) {
    error(at + ".private_context",
          "'" + trunk.private_context + "' is not a private plan's name like p1234");
  }
  if (!trunk.public_context.empty() &&
      (trunk.public_context == "+" || !is_phone_context(trunk.public_context) ||
       trunk.public_context.front() != '+')) {
    error(at + ".public_context", "'" + trunk.public_context + "' is not a number prefix like +1");
  }
}

void Checker::check_group(const TrunkGroup& group, std::size_t index) {
  const std::string at = where("trunk_groups", group, index);
  if (group.trunks.empty()) error(at + ".trunks", "a trunk group needs at least one trunk");
  std::set<std::string> seen;
  for (const auto& trunk : group.trunks) {
    if (plan_.find_trunk(trunk) == nullptr) error(at + ".trunks", "no trunk named '" + trunk + "'");
    if (!seen.insert(trunk).second) error(at + ".trunks", "trunk '" + trunk + "' is listed twice");
  }
  if (group.channel_limit < 0) error(at + ".channel_limit", "must be 0 (no limit) or more");
}

void Checker::check_route(const Route& route, std::size_t index) {
  const std::string at = where("routes", route, index);
  check_match(route.match, at + ".match");
  if (route.trunk_groups.empty() && route.sip_peers.empty()) {
    error(at + ".trunk_groups", "a route needs trunk groups (to the PSTN) or sip_peers (to SIP)");
  }
  if (!route.trunk_groups.empty() && !route.sip_peers.empty()) {
    error(at + ".sip_peers",
          "a route goes one way: trunk groups (SIP to PSTN) or sip_peers (PSTN to SIP), not both");
  }
  if (!route.sip_peers.empty() && route.match.source.rfind("sip:", 0) == 0) {
    error(at + ".match.source", "a route to SIP peers takes calls from spans, not from SIP");
  }
  if (!route.trunk_groups.empty() && route.match.source.rfind("span:", 0) == 0) {
    error(at + ".match.source",
          "a route to trunk groups takes calls from SIP; calls from spans go to sip_peers");
  }
  for (const auto& peer : route.sip_peers) {
    if (!is_sip_peer(peer)) error(at + ".sip_peers", "'" + peer + "' " + kSipPeerForms);
  }
  std::set<std::string> seen;
  for (const auto& group : route.trunk_groups) {
    if (plan_.find_group(group) == nullptr) {
      error(at + ".trunk_groups", "no trunk group named '" + group + "'");
    }
    if (!seen.insert(group).second) {
      error(at + ".trunk_groups", "trunk group '" + group + "' is listed twice");
    }
  }
  for (const int cause : route.failover_causes) {
    if (cause < 1 || cause > 127) {
      error(at + ".failover_causes", std::to_string(cause) + " is not a Q.850 cause (1-127)");
    }
  }
  check_rule(route.called, at + ".called");
  check_rule(route.calling, at + ".calling");
}

void Checker::check_match(const RouteMatch& match, const std::string& at) {
  const auto& context = match.phone_context;
  if (!context.empty() && context != "+" && !is_phone_context(context)) {
    error(at + ".phone_context", "'" + context + "' is not a phone-context");
  }
  if (match.number_prefix.size() > max_digits || !is_digits(match.number_prefix)) {
    error(at + ".number_prefix", "'" + match.number_prefix + "' is not digits (0-9 * #)");
  }
  if (match.number_length && (*match.number_length < 1 || *match.number_length > 32)) {
    error(at + ".number_length", "must be 1 to 32 digits");
  }
  if (match.number_length && static_cast<int>(match.number_prefix.size()) > *match.number_length) {
    error(at + ".number_length", "shorter than number_prefix: the route can never match");
  }
  if (!match.number_regex.empty()) {
    if (auto problem = regex_problem(match.number_regex); !problem.empty()) {
      error(at + ".number_regex", std::move(problem));
    }
  }
  if (!match.caller_prefix.empty() && !is_number(match.caller_prefix)) {
    error(at + ".caller_prefix", "'" + match.caller_prefix + "' is not a number prefix");
  }
  const auto& source = match.source;
  if (!source.empty()) {
    const bool sip = source.rfind("sip:", 0) == 0 && source.size() > 4;
    const bool span = source.rfind("span:", 0) == 0 && source.size() > 5;
    if (!sip && !span) error(at + ".source", "'" + source + "' is not sip:ADDRESS or span:NAME");
  }
  if (!match.account.empty()) {
    const bool known = std::any_of(plan_.accounts.begin(), plan_.accounts.end(),
                                   [&](const Account& a) { return a.name == match.account; });
    if (!known) error(at + ".account", "'" + match.account + "' is not one of the plan's accounts");
  }
}

void Checker::check_rule(const NumberRule& rule, const std::string& at) {
  if (rule.strip < 0 || rule.strip > static_cast<int>(max_digits)) {
    error(at + ".strip", "must be 0 to 32 digits");
  }
  if (!is_digits(rule.prepend)) error(at + ".prepend", "'" + rule.prepend + "' is not digits");
  if (!rule.replace.empty()) {
    if (auto problem = regex_problem(rule.replace); !problem.empty()) {
      error(at + ".replace", std::move(problem));
    }
  } else if (!rule.with.empty()) {
    error(at + ".with", "has nothing to replace: set replace too");
  }
}

// Two routes tie when every precedence key is equal and one call could match
// both: same context, prefix, length, caller prefix, source and priority,
// and neither has a regular expression or both have one (two expressions
// cannot be proven disjoint: a priority settles it).
void Checker::check_ties() {
  // A route to SIP and one to the PSTN never compete: calls come one way.
  using Key = std::tuple<bool, std::string, std::string, std::optional<int>, bool, std::string,
                         std::string, std::string, int>;
  std::map<Key, std::string> seen;
  for (std::size_t i = 0; i < plan_.routes.size(); ++i) {
    const Route& route = plan_.routes[i];
    const RouteMatch& m = route.match;
    const Key key{route.sip_peers.empty(),
                  lower(m.phone_context),
                  m.number_prefix,
                  m.number_length,
                  !m.number_regex.empty(),
                  m.caller_prefix,
                  m.source,
                  m.account,
                  m.priority};
    const auto [it, fresh] = seen.emplace(key, route.name);
    if (!fresh) {
      error(where("routes", route, i) + ".match",
            "ties with route " + it->second +
                ": both match the same calls equally; change one or give it a priority");
    }
  }
}

void Checker::check_screening() {
  const auto check = [this](const std::vector<std::string>& list, const std::string& field) {
    for (const auto& entry : list) {
      if (!is_number(entry)) error(field, "'" + entry + "' is not a number like +1900 or 7773660");
    }
  };
  check(plan_.screening.blocked_callers, "screening.blocked_callers");
  check(plan_.screening.blocked_destinations, "screening.blocked_destinations");
}

}  // namespace

std::vector<PlanError> validate(const Plan& plan) {
  return Checker(plan).run();
}

}  // namespace gw::dialplan
