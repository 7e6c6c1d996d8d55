#include "gateway/app/control_commands.hpp"

#include <charconv>
#include <sstream>

#include "gateway/app/gateway.hpp"

namespace gw::app {
namespace {

bool starts_with(const std::string& line, std::string_view word) {
  return line.rfind(word, 0) == 0;
}

// "+DIGITS" is an international number; other digits go as they are.
isdn::PartyNumber party(const std::string& text) {
  isdn::PartyNumber result;
  const bool international = !text.empty() && text.front() == '+';
  result.digits = international ? text.substr(1) : text;
  if (international) {
    result.ton = isdn::Ton::international;
    result.npi = isdn::Npi::isdn;
  }
  return result;
}

constexpr const char* kCommands =
    "status, channels [SPAN], calls [FILTERS], route URI, route-pstn SPAN NUMBER, hangup CALL, "
    "service SPAN CHANNEL in|out, reload, pstn-setups, pstn call|hangup|status ...";

}  // namespace

ControlCommands::ControlCommands(boost::asio::io_context& control, Gateway& gateway,
                                 const std::string& path)
    : gateway_(gateway),
      server_(control, path, [this](const std::string& line, const LineServer::Output& output) {
        execute(line, output);
      }) {}

void ControlCommands::execute(const std::string& line, const LineServer::Output& output) {
  const auto send = [output](const std::string& answer) { output.send(answer); };
  if (starts_with(line, "pstn ")) return gateway_.spans().pstn_command(line.substr(5), send);
  if (line == "status") return status(output);
  if (line == "calls" || starts_with(line, "calls ")) {
    bool csv = false;
    std::string problem;
    const auto query = parse_call_query(line.substr(5), csv, problem);
    if (!query) return output.send("error " + problem);
    return gateway_.stores().search(*query, csv, send);
  }
  output.send(run(line));
}

std::string ControlCommands::run(const std::string& line) {
  if (line == "channels" || starts_with(line, "channels ")) return channels(line.substr(8));
  if (line == "reload") return gateway_.reload();
  if (line == "pstn-setups") return pstn_setups();
  if (starts_with(line, "route ")) return test_route(line.substr(6));
  if (starts_with(line, "route-pstn ")) return test_pstn_route(line.substr(11));
  if (starts_with(line, "hangup ")) return hang_up(line.substr(7));
  if (starts_with(line, "service ")) return service(line.substr(8));
  return "error unknown command '" + line + "' (" + kCommands + ")";
}

// "span NAME link up|down alarms A idle N busy N isdn-calls N", "calls N",
// a line per call, "media-sessions N", "pstn-calls N", a line per
// registration, "end". The simulated PSTN's count comes from its thread.
void ControlCommands::status(const LineServer::Output& output) {
  std::ostringstream out;
  for (const auto& span : gateway_.spans().spans()) {
    out << "span " << span->span().name() << " link " << (span->link_up() ? "up" : "down")
        << " alarms " << span->alarms().to_string() << " idle "
        << span->channels().count(isdn::ChannelState::idle) << " busy "
        << span->channels().count(isdn::ChannelState::in_use) << " isdn-calls "
        << span->call_count() << '\n';
  }
  const auto& bridge = gateway_.bridge();
  out << "calls " << bridge.call_count() << '\n';
  for (const auto& line : bridge.describe_calls()) out << "call " << line << '\n';
  out << "media-sessions " << gateway_.media_sessions() << '\n';
  std::string registrations;
  for (const auto& [name, state] : gateway_.registrations().states()) {
    registrations.append("registration ").append(name).append(" ").append(state).append("\n");
  }
  registrations += gateway_.admission().status_lines();
  gateway_.spans().count_pstn_calls([output, head = out.str(),
                                     registrations](std::size_t pstn_calls) {
    output.send(head + "pstn-calls " + std::to_string(pstn_calls) + '\n' + registrations + "end");
  });
}

// "route URI [from CALLER] [source ADDRESS]": the decision, one "key: value"
// a line, then "end".
std::string ControlCommands::test_route(const std::string& arguments) const {
  std::istringstream words(arguments);
  std::string uri;
  words >> uri;
  auto request = sip::request_for_uri(uri);
  if (!request) return "error '" + uri + "' is not a sip:, sips: or tel: URI";
  request->source_address = "127.0.0.1";
  for (std::string key, value; words >> key >> value;) {
    if (key == "from") {
      request->from_user = value;
    } else if (key == "source") {
      request->source_address = value;
    } else {
      return "error unknown option '" + key + "' (from CALLER, source ADDRESS)";
    }
  }
  dialplan::ParseError unreadable;
  const auto target = dialplan::parse_dial_target(request->number, &unreadable);
  if (!target) return "error cannot dial '" + request->number + "' (484): " + unreadable.reason;
  return gateway_.bridge().test_route(*request, *target).describe() + "end";
}

// "route-pstn SPAN NUMBER [TON/NPI] [from CALLER]": the decision for a
// SETUP on SPAN.
std::string ControlCommands::test_pstn_route(const std::string& arguments) const {
  std::istringstream words(arguments);
  std::string span;
  std::string number;
  words >> span >> number;
  if (number.empty()) return "error usage: route-pstn SPAN NUMBER [TON/NPI] [from CALLER]";
  isdn::PartyNumber called = party(number);
  isdn::PartyNumber calling;
  for (std::string word; words >> word;) {
    if (word == "from" && words >> word) {
      calling = party(word);
      continue;
    }
    const auto slash = word.find('/');
    const auto ton = isdn::parse_ton(word.substr(0, slash));
    const auto npi =
        slash == std::string::npos ? std::nullopt : isdn::parse_npi(word.substr(slash + 1));
    if (!ton || !npi) return "error '" + word + "' is not TON/NPI (subscriber/private, ...)";
    called.ton = *ton;
    called.npi = *npi;
  }
  return gateway_.bridge().test_pstn_route(span, called, calling).describe() + "end";
}

// "hangup CALL": the call (its number in `status`) ends with cause 16.
std::string ControlCommands::hang_up(const std::string& arguments) {
  sip::LegId leg = 0;
  const auto [end, error] =
      std::from_chars(arguments.data(), arguments.data() + arguments.size(), leg);
  if (error != std::errc() || end != arguments.data() + arguments.size()) {
    return "error usage: hangup CALL (the number status shows)";
  }
  if (!gateway_.bridge().hang_up(leg, isdn::Cause::normal_clearing)) {
    return "error no call " + arguments;
  }
  return "ok";
}

// "service SPAN CHANNEL in|out": takes a B-channel out of service (no new
// call; a call on it keeps it until it ends) or back.
std::string ControlCommands::service(const std::string& arguments) {
  std::istringstream words(arguments);
  std::string span_name;
  int channel = 0;
  std::string state;
  words >> span_name >> channel >> state;
  if (state != "in" && state != "out") return "error usage: service SPAN CHANNEL in|out";
  auto* span = gateway_.spans().find(span_name);
  if (span == nullptr) return "error no span " + span_name;
  if (!span->channels().layout().is_bearer(channel)) {
    return "error " + std::to_string(channel) + " is not a B-channel of " + span_name;
  }
  span->set_out_of_service(channel, state == "out");
  gateway_.log("sipgw: " + span_name + " B" + std::to_string(channel) + " " +
               (state == "out" ? "out of service" : "back in service"));
  gateway_.bridge().refresh_capacity();
  return "ok";
}

// "channels [SPAN]": "SPAN B1 idle", a line per B-channel, then "end".
std::string ControlCommands::channels(const std::string& span) const {
  std::string wanted = span;
  while (!wanted.empty() && wanted.front() == ' ') wanted.erase(0, 1);
  std::string out;
  bool found = wanted.empty();
  for (const auto& shown : gateway_.view().spans) {
    if (!wanted.empty() && shown.name != wanted) continue;
    found = true;
    for (const auto& [timeslot, state] : shown.channels) {
      out += shown.name + " B" + std::to_string(timeslot) + " " + state + "\n";
    }
  }
  if (!found) return "error no span " + wanted;
  return out + "end";
}

std::string ControlCommands::pstn_setups() const {
  std::string out;
  for (const auto& setup : gateway_.spans().pstn_setups()) out += setup + "\n";
  return out + "end";
}

}  // namespace gw::app
