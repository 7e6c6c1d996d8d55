#include "dialplan/plan_json.hpp"

#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "drivers/crypto/hash.hpp"

namespace gw::dialplan {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

template <typename Enum>
ordered_json optional_text(const std::optional<Enum>& value) {
  if (!value) return nullptr;
  return std::string(isdn::to_string(*value));
}

ordered_json rule_to_json(const NumberRule& rule, const std::optional<isdn::Ton>& ton,
                          const std::optional<isdn::Npi>& npi) {
  return ordered_json{{"strip", rule.strip},       {"prepend", rule.prepend},
                      {"replace", rule.replace},   {"with", rule.with},
                      {"ton", optional_text(ton)}, {"npi", optional_text(npi)}};
}

ordered_json trunk_to_json(const Trunk& trunk) {
  return ordered_json{{"name", trunk.name},
                      {"backend", to_string(trunk.backend)},
                      {"spans", trunk.spans},
                      {"switchtype", isdn::to_string(trunk.switchtype)},
                      {"side", isdn::to_string(trunk.side)},
                      {"law", tdm::to_string(trunk.law)},
                      {"channels", trunk.channels},
                      {"called_ton", isdn::to_string(trunk.called_ton)},
                      {"calling_ton", isdn::to_string(trunk.calling_ton)},
                      {"calling_npi", isdn::to_string(trunk.calling_npi)},
                      {"sip_peers", trunk.sip_peers},
                      {"private_context", trunk.private_context},
                      {"public_context", trunk.public_context}};
}

ordered_json route_to_json(const Route& route) {
  const RouteMatch& m = route.match;
  ordered_json match{{"phone_context", m.phone_context},
                     {"number_prefix", m.number_prefix},
                     {"number_length", nullptr},
                     {"number_regex", m.number_regex},
                     {"caller_prefix", m.caller_prefix},
                     {"source", m.source},
                     {"account", m.account},
                     {"priority", m.priority}};
  if (m.number_length) match["number_length"] = *m.number_length;
  return ordered_json{
      {"name", route.name},
      {"match", match},
      {"trunk_groups", route.trunk_groups},
      {"sip_peers", route.sip_peers},
      {"failover_causes", route.failover_causes},
      {"called", rule_to_json(route.called, route.called_ton, route.called_npi)},
      {"calling", rule_to_json(route.calling, route.calling_ton, route.calling_npi)},
      {"presentation", to_string(route.presentation)}};
}

// Reading: each accessor checks one field and throws Refusal naming it.
struct Refusal : std::runtime_error {
  Refusal(std::string at, const std::string& why) : std::runtime_error(why), field(std::move(at)) {}
  std::string field;
};

class Reader {
 public:
  Reader(const json& object, std::string at) : object_(object), at_(std::move(at)) {
    if (!object_.is_object()) throw Refusal(at_, "expected an object { ... }");
  }
  // After the known fields are read: anything left over is a typo or a
  // field of another version, and is refused rather than ignored.
  void refuse_unknown_fields() const {
    for (const auto& item : object_.items()) {
      if (read_.count(item.key()) == 0) throw Refusal(path(item.key()), "unknown field");
    }
  }

  [[nodiscard]] std::string path(const std::string& key) const {
    return at_.empty() ? key : at_ + "." + key;
  }
  const json* find(const std::string& key) {
    read_.insert(key);
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  void text(const std::string& key, std::string& out) {
    if (const json* value = find(key)) {
      if (!value->is_string()) throw Refusal(path(key), "expected text");
      out = value->get<std::string>();
    }
  }
  void required_text(const std::string& key, std::string& out) {
    if (find(key) == nullptr) throw Refusal(path(key), "missing");
    text(key, out);
  }
  void number(const std::string& key, int& out) {
    if (const json* value = find(key)) out = whole_number(*value, path(key));
  }
  void optional_number(const std::string& key, std::optional<int>& out) {
    const json* value = find(key);
    if (value == nullptr || value->is_null()) return;
    out = whole_number(*value, path(key));
  }
  void texts(const std::string& key, std::vector<std::string>& out) {
    const json* value = find(key);
    if (value == nullptr) return;
    if (!value->is_array()) throw Refusal(path(key), "expected a list of text");
    out.clear();
    for (const auto& item : *value) {
      if (!item.is_string()) throw Refusal(path(key), "expected a list of text");
      out.push_back(item.get<std::string>());
    }
  }
  void numbers(const std::string& key, std::vector<int>& out) {
    const json* value = find(key);
    if (value == nullptr) return;
    if (!value->is_array()) throw Refusal(path(key), "expected a list of whole numbers");
    out.clear();
    for (const auto& item : *value) out.push_back(whole_number(item, path(key)));
  }
  // An enumeration, read with `parse`; `accepted` goes into the error.
  template <typename Value, typename Parse>
  void choice(const std::string& key, Value& out, Parse parse, const std::string& accepted) {
    if (find(key) == nullptr) return;
    std::string word;
    text(key, word);
    const auto parsed = parse(word);
    if (!parsed) throw Refusal(path(key), "'" + word + "' is not one of " + accepted);
    out = *parsed;
  }
  template <typename Value, typename Parse>
  void optional_choice(const std::string& key, std::optional<Value>& out, Parse parse,
                       const std::string& accepted) {
    const json* value = find(key);
    if (value == nullptr || value->is_null()) return;
    Value chosen{};
    choice(key, chosen, parse, accepted);
    out = chosen;
  }

 private:
  static int whole_number(const json& value, const std::string& at) {
    if (!value.is_number_integer()) throw Refusal(at, "expected a whole number");
    // Read as unsigned when it is one: above LLONG_MAX it would wrap to a
    // small negative number that fits.
    const bool fits = value.is_number_unsigned()
                          ? value.get<unsigned long long>() <=
                                static_cast<unsigned long long>(std::numeric_limits<int>::max())
                          : value.get<long long>() >= std::numeric_limits<int>::min() &&
                                value.get<long long>() <= std::numeric_limits<int>::max();
    if (!fits) throw Refusal(at, "out of range");
    return static_cast<int>(value.get<long long>());
  }

  const json& object_;
  std::string at_;
  std::set<std::string> read_;
};

// The names an enumeration is written with, for an error to list; made from
// to_string() so the list cannot drift from what is accepted.
template <typename Enum>
std::string names_of(std::initializer_list<Enum> values) {
  std::string names;
  for (const Enum value : values) {
    if (!names.empty()) names += ", ";
    names += to_string(value);
  }
  return names;
}

std::string ton_names() {
  using isdn::Ton;
  return names_of({Ton::unknown, Ton::international, Ton::national, Ton::network_specific,
                   Ton::subscriber, Ton::abbreviated});
}

std::string npi_names() {
  using isdn::Npi;
  return names_of(
      {Npi::unknown, Npi::isdn, Npi::data, Npi::telex, Npi::national, Npi::private_plan});
}

void read_rule(Reader& parent, const std::string& key, NumberRule& rule,
               std::optional<isdn::Ton>& ton, std::optional<isdn::Npi>& npi) {
  const json* value = parent.find(key);
  if (value == nullptr) return;
  Reader in(*value, parent.path(key));
  in.number("strip", rule.strip);
  in.text("prepend", rule.prepend);
  in.text("replace", rule.replace);
  in.text("with", rule.with);
  in.optional_choice("ton", ton, isdn::parse_ton, ton_names());
  in.optional_choice("npi", npi, isdn::parse_npi, npi_names());
  in.refuse_unknown_fields();
}

Trunk read_trunk(const json& value, const std::string& at) {
  Reader in(value, at);
  Trunk trunk;
  in.required_text("name", trunk.name);
  in.choice("backend", trunk.backend, parse_backend, names_of({Backend::loopback, Backend::dahdi}));
  in.texts("spans", trunk.spans);
  using isdn::SwitchType;
  in.choice("switchtype", trunk.switchtype, isdn::parse_switchtype,
            names_of({SwitchType::ni2, SwitchType::dms100, SwitchType::lucent5e,
                      SwitchType::att4ess, SwitchType::euroisdn_e1, SwitchType::euroisdn_t1,
                      SwitchType::ni1, SwitchType::qsig}));
  in.choice("side", trunk.side, isdn::parse_side, names_of({isdn::Side::cpe, isdn::Side::net}));
  in.choice("law", trunk.law, tdm::parse_law, names_of({tdm::Law::alaw, tdm::Law::mulaw}));
  in.text("channels", trunk.channels);
  in.choice("called_ton", trunk.called_ton, isdn::parse_ton, ton_names());
  in.choice("calling_ton", trunk.calling_ton, isdn::parse_ton, ton_names());
  in.choice("calling_npi", trunk.calling_npi, isdn::parse_npi, npi_names());
  in.texts("sip_peers", trunk.sip_peers);
  in.text("private_context", trunk.private_context);
  in.text("public_context", trunk.public_context);
  in.refuse_unknown_fields();
  return trunk;
}

TrunkGroup read_group(const json& value, const std::string& at) {
  Reader in(value, at);
  TrunkGroup group;
  in.required_text("name", group.name);
  in.texts("trunks", group.trunks);
  using isdn::Hunting;
  in.choice("hunting", group.hunting, isdn::parse_hunting,
            names_of({Hunting::ascending, Hunting::descending, Hunting::round_robin,
                      Hunting::least_recent}));
  in.number("channel_limit", group.channel_limit);
  in.refuse_unknown_fields();
  return group;
}

Route read_route(const json& value, const std::string& at) {
  Reader in(value, at);
  Route route;
  in.required_text("name", route.name);
  if (const json* match = in.find("match")) {
    Reader m(*match, in.path("match"));
    m.text("phone_context", route.match.phone_context);
    m.text("number_prefix", route.match.number_prefix);
    m.optional_number("number_length", route.match.number_length);
    m.text("number_regex", route.match.number_regex);
    m.text("caller_prefix", route.match.caller_prefix);
    m.text("source", route.match.source);
    m.text("account", route.match.account);
    m.number("priority", route.match.priority);
    m.refuse_unknown_fields();
  }
  in.texts("trunk_groups", route.trunk_groups);
  in.texts("sip_peers", route.sip_peers);
  in.numbers("failover_causes", route.failover_causes);
  read_rule(in, "called", route.called, route.called_ton, route.called_npi);
  read_rule(in, "calling", route.calling, route.calling_ton, route.calling_npi);
  in.choice("presentation", route.presentation, parse_presentation,
            names_of({PresentationRule::from_sip, PresentationRule::allowed,
                      PresentationRule::restricted}));
  in.refuse_unknown_fields();
  return route;
}

template <typename Item, typename Read>
void read_list(Reader& top, const std::string& key, std::vector<Item>& out, Read read) {
  const json* list = top.find(key);
  if (list == nullptr) return;
  if (!list->is_array()) throw Refusal(key, "expected a list [ ... ]");
  for (std::size_t i = 0; i < list->size(); ++i) {
    out.push_back(read((*list)[i], key + "[" + std::to_string(i) + "]"));
  }
}

Registration read_registration(const json& value, const std::string& at) {
  Reader in(value, at);
  Registration registration;
  in.required_text("name", registration.name);
  in.text("registrar", registration.registrar);
  in.text("user", registration.user);
  in.text("auth_user", registration.auth_user);
  in.text("password", registration.password);
  in.number("expires", registration.expires);
  in.refuse_unknown_fields();
  return registration;
}

Credential read_credential(const json& value, const std::string& at) {
  Reader in(value, at);
  Credential credential;
  in.required_text("realm", credential.realm);
  in.text("user", credential.user);
  in.text("password", credential.password);
  in.refuse_unknown_fields();
  return credential;
}

Trust read_trust(const json& value) {
  Reader in(value, "trust");
  Trust trust;
  in.texts("peers", trust.peers);
  in.choice("untrusted", trust.untrusted, parse_untrusted_action,
            names_of({UntrustedAction::drop, UntrustedAction::reject}));
  in.text("realm", trust.realm);
  in.refuse_unknown_fields();
  return trust;
}

// "media_encryption": {"default": "none", "peers": {"127.0.0.1": "required"}}
MediaEncryptionPolicy read_media_encryption(const json& value) {
  Reader in(value, "media_encryption");
  MediaEncryptionPolicy policy;
  const std::string accepted =
      names_of({MediaEncryption::none, MediaEncryption::optional, MediaEncryption::required});
  in.choice("default", policy.default_mode, parse_media_encryption, accepted);
  if (const json* peers = in.find("peers")) {
    Reader each(*peers, in.path("peers"));
    for (const auto& item : peers->items()) {
      MediaEncryption mode{};
      each.choice(item.key(), mode, parse_media_encryption, accepted);
      policy.peers[item.key()] = mode;
    }
  }
  in.refuse_unknown_fields();
  return policy;
}

// An account comes with its password (hashed here, at once: the plan never
// holds it) or with the digests an export wrote; not both.
Account read_account(const json& value, const std::string& at, const std::string& realm) {
  Reader in(value, at);
  Account account;
  in.required_text("name", account.name);
  account.realm = realm;
  in.text("realm", account.realm);
  std::string password;
  in.text("password", password);
  in.text("ha1_md5", account.ha1_md5);
  in.text("ha1_sha256", account.ha1_sha256);
  in.refuse_unknown_fields();
  const bool digests = !account.ha1_md5.empty() || !account.ha1_sha256.empty();
  if (!password.empty() && digests) {
    throw Refusal(in.path("password"),
                  "give a password or its digests (ha1_md5, ha1_sha256), not both");
  }
  if (!password.empty()) {
    const std::string secret = account.name + ":" + account.realm + ":" + password;
    account.ha1_md5 = crypto::md5_hex(secret);
    account.ha1_sha256 = crypto::sha256_hex(secret);
  }
  return account;
}

Plan read_plan(const json& document) {
  Plan plan;
  Reader top(document, "");
  read_list(top, "trunks", plan.trunks, read_trunk);
  read_list(top, "trunk_groups", plan.trunk_groups, read_group);
  read_list(top, "routes", plan.routes, read_route);
  read_list(top, "registrations", plan.registrations, read_registration);
  read_list(top, "credentials", plan.credentials, read_credential);
  top.text("outbound_proxy", plan.outbound_proxy);
  if (const json* trust = top.find("trust")) plan.trust = read_trust(*trust);
  read_list(top, "accounts", plan.accounts, [&](const json& value, const std::string& at) {
    return read_account(value, at, plan.trust.realm);
  });
  if (const json* media_encryption = top.find("media_encryption")) {
    plan.media_encryption = read_media_encryption(*media_encryption);
  }
  if (const json* screening = top.find("screening")) {
    Reader in(*screening, "screening");
    in.texts("blocked_callers", plan.screening.blocked_callers);
    in.texts("blocked_destinations", plan.screening.blocked_destinations);
    in.refuse_unknown_fields();
  }
  top.refuse_unknown_fields();
  return plan;
}

}  // namespace

std::string plan_to_json(const Plan& plan) {
  ordered_json document;
  document["trunks"] = ordered_json::array();
  for (const auto& trunk : plan.trunks) document["trunks"].push_back(trunk_to_json(trunk));
  document["trunk_groups"] = ordered_json::array();
  for (const auto& group : plan.trunk_groups) {
    document["trunk_groups"].push_back(ordered_json{{"name", group.name},
                                                    {"trunks", group.trunks},
                                                    {"hunting", isdn::to_string(group.hunting)},
                                                    {"channel_limit", group.channel_limit}});
  }
  document["routes"] = ordered_json::array();
  for (const auto& route : plan.routes) document["routes"].push_back(route_to_json(route));
  document["screening"] =
      ordered_json{{"blocked_callers", plan.screening.blocked_callers},
                   {"blocked_destinations", plan.screening.blocked_destinations}};
  document["outbound_proxy"] = plan.outbound_proxy;
  document["registrations"] = ordered_json::array();
  for (const auto& r : plan.registrations) {
    document["registrations"].push_back(ordered_json{{"name", r.name},
                                                     {"registrar", r.registrar},
                                                     {"user", r.user},
                                                     {"auth_user", r.auth_user},
                                                     {"password", r.password},
                                                     {"expires", r.expires}});
  }
  document["credentials"] = ordered_json::array();
  for (const auto& c : plan.credentials) {
    document["credentials"].push_back(
        ordered_json{{"realm", c.realm}, {"user", c.user}, {"password", c.password}});
  }
  document["trust"] = ordered_json{{"peers", plan.trust.peers},
                                   {"untrusted", to_string(plan.trust.untrusted)},
                                   {"realm", plan.trust.realm}};
  document["accounts"] = ordered_json::array();
  for (const auto& a : plan.accounts) {
    document["accounts"].push_back(ordered_json{{"name", a.name},
                                                {"realm", a.realm},
                                                {"ha1_md5", a.ha1_md5},
                                                {"ha1_sha256", a.ha1_sha256}});
  }
  ordered_json peers = ordered_json::object();
  for (const auto& [peer, mode] : plan.media_encryption.peers) peers[peer] = to_string(mode);
  document["media_encryption"] =
      ordered_json{{"default", to_string(plan.media_encryption.default_mode)}, {"peers", peers}};
  return document.dump(2) + "\n";
}

std::variant<Plan, JsonError> plan_from_json(std::string_view text) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::exception& error) {
    // parse_error, and out_of_range for a number no double holds (1e400).
    return JsonError{"", std::string("not JSON: ") + error.what()};
  }
  try {
    return read_plan(document);
  } catch (const Refusal& refusal) {
    return JsonError{refusal.field.empty() ? "(top level)" : refusal.field, refusal.what()};
  }
}

}  // namespace gw::dialplan
