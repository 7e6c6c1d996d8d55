#include "dialplan/plan_json.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

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
                      {"sip_peers", trunk.sip_peers}};
}

ordered_json route_to_json(const Route& route) {
  const RouteMatch& m = route.match;
  ordered_json match{{"phone_context", m.phone_context},
                     {"number_prefix", m.number_prefix},
                     {"number_length", nullptr},
                     {"number_regex", m.number_regex},
                     {"caller_prefix", m.caller_prefix},
                     {"source", m.source},
                     {"priority", m.priority}};
  if (m.number_length) match["number_length"] = *m.number_length;
  return ordered_json{
      {"name", route.name},
      {"match", match},
      {"trunk_groups", route.trunk_groups},
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
  void choice(const std::string& key, Value& out, Parse parse, const char* accepted) {
    std::string word;
    text(key, word);
    if (find(key) == nullptr) return;
    const auto parsed = parse(word);
    if (!parsed) throw Refusal(path(key), "'" + word + "' is not one of " + accepted);
    out = *parsed;
  }
  template <typename Value, typename Parse>
  void optional_choice(const std::string& key, std::optional<Value>& out, Parse parse,
                       const char* accepted) {
    const json* value = find(key);
    if (value == nullptr || value->is_null()) return;
    Value chosen{};
    choice(key, chosen, parse, accepted);
    out = chosen;
  }

 private:
  static int whole_number(const json& value, const std::string& at) {
    if (!value.is_number_integer()) throw Refusal(at, "expected a whole number");
    const auto number = value.get<long long>();
    if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
      throw Refusal(at, "out of range");
    }
    return static_cast<int>(number);
  }

  const json& object_;
  std::string at_;
  std::set<std::string> read_;
};

constexpr const char* kTons =
    "unknown, international, national, network-specific, subscriber, abbreviated";
constexpr const char* kNpis = "unknown, isdn, data, telex, national, private";

void read_rule(Reader& parent, const std::string& key, NumberRule& rule,
               std::optional<isdn::Ton>& ton, std::optional<isdn::Npi>& npi) {
  const json* value = parent.find(key);
  if (value == nullptr) return;
  Reader in(*value, parent.path(key));
  in.number("strip", rule.strip);
  in.text("prepend", rule.prepend);
  in.text("replace", rule.replace);
  in.text("with", rule.with);
  in.optional_choice("ton", ton, isdn::parse_ton, kTons);
  in.optional_choice("npi", npi, isdn::parse_npi, kNpis);
  in.refuse_unknown_fields();
}

Trunk read_trunk(const json& value, const std::string& at) {
  Reader in(value, at);
  Trunk trunk;
  in.required_text("name", trunk.name);
  in.choice("backend", trunk.backend, parse_backend, "loopback, dahdi");
  in.texts("spans", trunk.spans);
  in.choice("switchtype", trunk.switchtype, isdn::parse_switchtype,
            "national, dms100, 5ess, 4ess, euroisdn_e1, euroisdn_t1, ni1, qsig");
  in.choice("side", trunk.side, isdn::parse_side, "cpe, net");
  in.choice("law", trunk.law, tdm::parse_law, "alaw, mulaw");
  in.text("channels", trunk.channels);
  in.choice("called_ton", trunk.called_ton, isdn::parse_ton, kTons);
  in.choice("calling_ton", trunk.calling_ton, isdn::parse_ton, kTons);
  in.choice("calling_npi", trunk.calling_npi, isdn::parse_npi, kNpis);
  in.texts("sip_peers", trunk.sip_peers);
  in.refuse_unknown_fields();
  return trunk;
}

TrunkGroup read_group(const json& value, const std::string& at) {
  Reader in(value, at);
  TrunkGroup group;
  in.required_text("name", group.name);
  in.texts("trunks", group.trunks);
  in.choice("hunting", group.hunting, isdn::parse_hunting,
            "ascending, descending, round-robin, least-recent");
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
    m.number("priority", route.match.priority);
    m.refuse_unknown_fields();
  }
  in.texts("trunk_groups", route.trunk_groups);
  in.numbers("failover_causes", route.failover_causes);
  read_rule(in, "called", route.called, route.called_ton, route.called_npi);
  read_rule(in, "calling", route.calling, route.calling_ton, route.calling_npi);
  in.choice("presentation", route.presentation, parse_presentation,
            "from-sip, allowed, restricted");
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

Plan read_plan(const json& document) {
  Plan plan;
  Reader top(document, "");
  read_list(top, "trunks", plan.trunks, read_trunk);
  read_list(top, "trunk_groups", plan.trunk_groups, read_group);
  read_list(top, "routes", plan.routes, read_route);
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
  return document.dump(2) + "\n";
}

std::variant<Plan, JsonError> plan_from_json(std::string_view text) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    return JsonError{"", std::string("not JSON: ") + error.what()};
  }
  try {
    return read_plan(document);
  } catch (const Refusal& refusal) {
    return JsonError{refusal.field.empty() ? "(top level)" : refusal.field, refusal.what()};
  }
}

}  // namespace gw::dialplan
