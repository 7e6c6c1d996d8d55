#include "drivers/pstnsim/control_server.hpp"

#include <charconv>
#include <sstream>

namespace gw::pstnsim {

ControlServer::ControlServer(boost::asio::io_context& io, PstnSwitch& sim, const std::string& path)
    : server_(io, path, [&sim](const std::string& line, const LineServer::Output& output) {
        output.send(
            execute_command(sim, line, [output](const std::string& event) { output.send(event); }));
      }) {}

namespace {

std::optional<long> to_number(const std::string& text) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string status(PstnSwitch& sim) {
  std::ostringstream out;
  for (std::size_t i = 0; i < sim.span_count(); ++i) {
    auto& pri = sim.pri(i);
    out << "span " << i << ' ' << pri.span().name() << " link " << (pri.link_up() ? "up" : "down")
        << " alarms " << pri.alarms().to_string() << " calls " << pri.call_count() << '\n';
  }
  out << "end";
  return out.str();
}

// "+4930123" is an international E.164 number; other digits go as they are
// unless "TON/NPI" says what they are.
isdn::PartyNumber party(const std::string& number) {
  isdn::PartyNumber party;
  // A carrier's switch delivers the numbers it vouches for.
  party.screening = isdn::Screening::network;
  if (number == "-") return party;
  if (!number.empty() && number.front() == '+') {
    party.digits = number.substr(1);
    party.ton = isdn::Ton::international;
    party.npi = isdn::Npi::isdn;
  } else {
    party.digits = number;
  }
  return party;
}

bool read_plan(const std::string& text, isdn::PartyNumber& number) {
  const auto slash = text.find('/');
  const auto ton = isdn::parse_ton(text.substr(0, slash));
  const auto npi = slash == std::string::npos ? std::optional<isdn::Npi>(number.npi)
                                              : isdn::parse_npi(text.substr(slash + 1));
  if (!ton || !npi) return false;
  number.ton = *ton;
  number.npi = *npi;
  return true;
}

// The options after SPAN: called=TON/NPI, calling=TON/NPI, restricted,
// redirecting=NUMBER/REASON (REASON as the Q.931 value: 1 busy, 2 no
// reply, 15 unconditional...). Empty when they read well, else the one at fault.
std::string read_options(std::istringstream& words, isdn::CallSetup& setup) {
  for (std::string option; words >> option;) {
    const auto equals = option.find('=');
    const std::string key = option.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : option.substr(equals + 1);
    bool fine = true;
    if (key == "called") {
      fine = read_plan(value, setup.called);
    } else if (key == "calling") {
      fine = read_plan(value, setup.calling);
    } else if (key == "restricted") {
      setup.calling.presentation = isdn::Presentation::restricted;
    } else if (key == "unscreened") {
      setup.calling.screening = isdn::Screening::user_not_screened;
    } else if (key == "redirecting") {
      const auto slash = value.find('/');
      isdn::Redirecting redirecting;
      redirecting.from = party(value.substr(0, slash));
      const auto reason =
          slash == std::string::npos ? std::optional<long>(0) : to_number(value.substr(slash + 1));
      fine = reason.has_value() && !redirecting.from.digits.empty();
      if (fine) redirecting.reason = isdn::redirect_reason_from_wire(static_cast<int>(*reason));
      setup.redirecting = redirecting;
    } else {
      fine = false;
    }
    if (!fine) return option;
  }
  return {};
}

std::string place(PstnSwitch& sim, std::istringstream& words,
                  const std::function<void(const std::string&)>& events) {
  std::string calling;
  std::string called;
  std::string span_text = "0";
  words >> calling >> called >> span_text;
  const auto span = to_number(span_text);
  if (called.empty() || !span || *span < 0 || static_cast<std::size_t>(*span) >= sim.span_count()) {
    return "error 0 usage: call CALLING CALLED [SPAN [OPTIONS]]";
  }
  isdn::CallSetup setup;
  setup.calling = party(calling);
  setup.called = party(called);
  if (const auto bad = read_options(words, setup); !bad.empty()) {
    return "error 0 '" + bad +
           "' is not an option (called=TON/NPI calling=TON/NPI restricted unscreened "
           "redirecting=NUMBER/REASON)";
  }
  const auto placed =
      sim.place_call(static_cast<std::size_t>(*span), setup,
                     [events](SimCallRef ref, std::string_view what, isdn::Cause cause) {
                       std::string line = "event " + std::to_string(ref.span) + ":" +
                                          std::to_string(ref.call) + " " + std::string(what);
                       if (what == "cleared") line += " " + std::to_string(isdn::to_wire(cause));
                       events(line);
                     });
  if (!placed) {
    return "error " + std::to_string(isdn::to_wire(placed.refused)) + " " +
           std::string(isdn::to_string(placed.refused));
  }
  return "ok " + std::to_string(*span) + ":" + std::to_string(placed.call);
}

std::string hangup(PstnSwitch& sim, std::istringstream& words) {
  std::string id;
  std::string cause_text = "16";
  words >> id >> cause_text;
  const auto colon = id.find(':');
  const auto span = to_number(id.substr(0, colon));
  const auto call = colon == std::string::npos ? std::nullopt : to_number(id.substr(colon + 1));
  const auto cause = to_number(cause_text);
  if (!span || !call || !cause) return "error 0 usage: hangup SPAN:CALL [CAUSE]";
  sim.hangup({static_cast<std::size_t>(*span), static_cast<isdn::CallId>(*call)},
             isdn::cause_from_wire(static_cast<int>(*cause)));
  return "ok";
}

}  // namespace

std::string execute_command(PstnSwitch& sim, const std::string& line,
                            const std::function<void(const std::string&)>& events) {
  std::istringstream words(line);
  std::string verb;
  words >> verb;
  if (verb == "call") return place(sim, words, events);
  if (verb == "hangup") return hangup(sim, words);
  if (verb == "status") return status(sim);
  return "error 0 unknown command '" + verb + "' (call, hangup, status)";
}

}  // namespace gw::pstnsim
