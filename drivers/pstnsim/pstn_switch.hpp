#pragma once
// A simulated PSTN switch: libpri on the NET side of one or more spans. It
// answers the gateway's calls by the rules (busy, unallocated, rings forever,
// answers and echoes, early media...) and places calls towards the gateway on
// command, for PSTN-to-SIP tests and for installers trying a dialplan before
// the carrier's circuit is up.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/isdn/pri_span.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/rules.hpp"

namespace gw::pstnsim {

struct SwitchConfig {
  isdn::SwitchType switchtype = isdn::SwitchType::euroisdn_e1;
  RuleSet rules = RuleSet::defaults();
  dsp::ToneSpec early_media_tone;
  bool debug = false;
  std::function<void(std::string_view)> log;
};

// A call the switch knows, by span and the span's call id.
struct SimCallRef {
  std::size_t span = 0;
  isdn::CallId call = 0;
  friend bool operator<(const SimCallRef& a, const SimCallRef& b) {
    return a.span != b.span ? a.span < b.span : a.call < b.call;
  }
};

// What happens to a call the switch placed: "proceeding", "alerting",
// "progress", "connect", or "cleared" with its cause.
using CallEvents = std::function<void(SimCallRef, std::string_view what, isdn::Cause cause)>;

class PstnSwitch {
 public:
  PstnSwitch(boost::asio::io_context& io, SwitchConfig config);
  PstnSwitch(const PstnSwitch&) = delete;
  PstnSwitch& operator=(const PstnSwitch&) = delete;
  ~PstnSwitch();

  // Runs the NET side on `span` (which must outlive the switch); returns its index.
  std::size_t add_span(tdm::Span& span);
  // The same with the span's own switch type, on `side` (the far end of a
  // gateway trunk that is itself NET runs as CPE).
  std::size_t add_span(tdm::Span& span, isdn::SwitchType switchtype, isdn::Side side);

  // Every SETUP the switch receives, as it arrived (numbers, TON/NPI, channel).
  std::function<void(std::size_t span, const isdn::IncomingCall&)> on_setup;
  // Every channel the other side restarted (RESTART received).
  std::function<void(std::size_t span, int timeslot)> on_restart;

  // Places a call towards the other side; the switch echoes its audio once answered.
  isdn::Placed place_call(std::size_t span, const isdn::CallSetup& setup, CallEvents events);
  void hangup(SimCallRef call, isdn::Cause cause);

  [[nodiscard]] std::size_t span_count() const noexcept { return spans_.size(); }
  [[nodiscard]] isdn::PriSpan& pri(std::size_t span) { return *spans_.at(span)->pri; }
  [[nodiscard]] std::size_t active_calls() const noexcept { return calls_.size(); }
  [[nodiscard]] const SwitchConfig& config() const noexcept { return config_; }

 private:
  struct SimCall {
    explicit SimCall(boost::asio::io_context& io) : timer(io) {}
    Rule rule;
    bool outgoing = false;
    CallEvents events;
    std::unique_ptr<BearerMedia> media;
    boost::asio::steady_timer timer;
  };
  class SpanAgent;
  struct SpanEntry {
    std::unique_ptr<SpanAgent> agent;
    std::unique_ptr<isdn::PriSpan> pri;
  };

  void on_incoming(SimCallRef ref, const isdn::IncomingCall& details);
  void on_progress(SimCallRef ref, std::string_view what);
  void on_cleared(SimCallRef ref, isdn::Cause cause);
  void start_early_media(SimCallRef ref);
  void answer(SimCallRef ref);
  void open_media(SimCallRef ref, SimCall& call);
  void after(SimCall& call, std::chrono::milliseconds delay, SimCallRef ref,
             void (PstnSwitch::*step)(SimCallRef));
  void hang_up_by_rule(SimCallRef ref);
  SimCall* find(SimCallRef ref);

  boost::asio::io_context& io_;
  SwitchConfig config_;
  std::vector<std::unique_ptr<SpanEntry>> spans_;
  std::map<SimCallRef, std::unique_ptr<SimCall>> calls_;
};

}  // namespace gw::pstnsim
