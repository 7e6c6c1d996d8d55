#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::pstnsim {

// Relays one span's events to the switch with the span's index.
class PstnSwitch::SpanAgent final : public isdn::Listener {
 public:
  SpanAgent(PstnSwitch& owner, std::size_t index) : owner_(owner), index_(index) {}
  void on_incoming(isdn::CallId call, const isdn::IncomingCall& details) override {
    owner_.on_incoming({index_, call}, details);
  }
  void on_proceeding(isdn::CallId call) override {
    owner_.on_progress({index_, call}, "proceeding");
  }
  void on_alerting(isdn::CallId call, bool /*inband*/) override {
    owner_.on_progress({index_, call}, "alerting");
  }
  void on_progress(isdn::CallId call, bool /*inband*/) override {
    owner_.on_progress({index_, call}, "progress");
  }
  void on_connect(isdn::CallId call) override { owner_.on_progress({index_, call}, "connect"); }
  void on_cleared(isdn::CallId call, isdn::Cause cause) override {
    owner_.on_cleared({index_, call}, cause);
  }
  void on_restart(int timeslot) override {
    if (owner_.config_.log) {
      owner_.config_.log("pstnsim: RESTART span " + std::to_string(index_) + " channel " +
                         std::to_string(timeslot));
    }
    if (owner_.on_restart) owner_.on_restart(index_, timeslot);
  }
  void on_link(bool up) override {
    if (owner_.config_.log) {
      owner_.config_.log("pstnsim: span " + std::to_string(index_) + " link " +
                         (up ? "up" : "down"));
    }
  }

 private:
  PstnSwitch& owner_;
  std::size_t index_;
};

PstnSwitch::PstnSwitch(boost::asio::io_context& io, SwitchConfig config)
    : io_(io), config_(std::move(config)) {}

PstnSwitch::~PstnSwitch() {
  calls_.clear();  // media and timers go before the spans they use
  spans_.clear();
}

std::size_t PstnSwitch::add_span(tdm::Span& span) {
  return add_span(span, config_.switchtype, isdn::Side::net);
}

std::size_t PstnSwitch::add_span(tdm::Span& span, isdn::SwitchType switchtype, isdn::Side side) {
  const std::size_t index = spans_.size();
  auto entry = std::make_unique<SpanEntry>();
  entry->agent = std::make_unique<SpanAgent>(*this, index);
  isdn::PriConfig pri;
  pri.side = side;
  pri.switchtype = switchtype;
  // The network hunts from the top, the CPE from the bottom: glare only when full.
  pri.hunting = side == isdn::Side::net ? isdn::Hunting::descending : isdn::Hunting::ascending;
  // The CPE restarts the channels when the link comes up; a carrier's switch
  // answers those RESTARTs rather than sending its own.
  pri.restart_on_link_up = side == isdn::Side::cpe;
  pri.debug = config_.debug;
  pri.log = config_.log;
  entry->pri = std::make_unique<isdn::PriSpan>(io_, span, pri, *entry->agent);
  spans_.push_back(std::move(entry));
  return index;
}

PstnSwitch::SimCall* PstnSwitch::find(SimCallRef ref) {
  const auto found = calls_.find(ref);
  return found == calls_.end() ? nullptr : found->second.get();
}

isdn::Placed PstnSwitch::place_call(std::size_t span, const isdn::CallSetup& setup,
                                    CallEvents events) {
  const auto placed = pri(span).place_call(setup);
  if (!placed) return placed;
  auto call = std::make_unique<SimCall>(io_);
  call->outgoing = true;
  call->events = std::move(events);
  calls_.emplace(SimCallRef{span, placed.call}, std::move(call));
  return placed;
}

void PstnSwitch::hangup(SimCallRef ref, isdn::Cause cause) {
  if (find(ref) == nullptr) return;
  calls_.erase(ref);
  pri(ref.span).hangup(ref.call, cause);
}

void PstnSwitch::on_incoming(SimCallRef ref, const isdn::IncomingCall& details) {
  if (on_setup) on_setup(ref.span, details);
  const Rule& rule = config_.rules.match(details.called.digits, pri(ref.span).span().name());
  if (config_.log) {
    config_.log("pstnsim: SETUP to " + details.called.digits + " (ton " +
                std::string(isdn::to_string(details.called.ton)) + ", npi " +
                std::string(isdn::to_string(details.called.npi)) + ") from " +
                details.calling.digits + " on channel " + std::to_string(details.timeslot) + ": " +
                std::string(to_string(rule.action)));
  }
  if (rule.action == Action::reject) {
    pri(ref.span).hangup(ref.call, rule.cause);
    return;
  }
  auto call = std::make_unique<SimCall>(io_);
  call->rule = rule;
  auto& stored = *calls_.emplace(ref, std::move(call)).first->second;
  pri(ref.span).proceeding(ref.call);
  if (rule.action == Action::early_media) {
    start_early_media(ref);
    return;
  }
  pri(ref.span).alerting(ref.call, false);
  if (rule.action == Action::no_answer) {
    after(stored, rule.timeout, ref, &PstnSwitch::hang_up_by_rule);
  } else {
    after(stored, rule.ring, ref, &PstnSwitch::answer);
  }
}

void PstnSwitch::after(SimCall& call, std::chrono::milliseconds delay, SimCallRef ref,
                       void (PstnSwitch::*step)(SimCallRef)) {
  call.timer.expires_after(delay);
  call.timer.async_wait([this, ref, step](const boost::system::error_code& error) {
    if (!error && find(ref) != nullptr) (this->*step)(ref);
  });
}

void PstnSwitch::start_early_media(SimCallRef ref) {
  SimCall* call = find(ref);
  pri(ref.span).progress(ref.call, true);
  open_media(ref, *call);
  if (call->media) call->media->tone(config_.early_media_tone);
  after(*call, call->rule.tone, ref, &PstnSwitch::answer);
}

void PstnSwitch::answer(SimCallRef ref) {
  SimCall* call = find(ref);
  pri(ref.span).answer(ref.call);
  if (!call->media) open_media(ref, *call);
  if (call->media) call->media->echo();
  if (call->rule.hangup_after)
    after(*call, *call->rule.hangup_after, ref, &PstnSwitch::hang_up_by_rule);
}

void PstnSwitch::hang_up_by_rule(SimCallRef ref) {
  const isdn::Cause cause = find(ref)->rule.cause;
  hangup(ref, cause);
}

void PstnSwitch::open_media(SimCallRef ref, SimCall& call) {
  auto& span = pri(ref.span).span();
  std::error_code error;
  auto channel = span.open_bearer(pri(ref.span).timeslot(ref.call), error);
  if (!channel) {
    if (config_.log) config_.log("pstnsim: cannot open B-channel: " + error.message());
    return;
  }
  call.media = std::make_unique<BearerMedia>(io_, std::move(channel), span.law());
}

void PstnSwitch::on_progress(SimCallRef ref, std::string_view what) {
  SimCall* call = find(ref);
  if (call == nullptr || !call->outgoing) return;
  if (what == "connect") {
    open_media(ref, *call);
    if (call->media) call->media->echo();
  }
  if (call->events) call->events(ref, what, isdn::Cause::normal_clearing);
}

void PstnSwitch::on_cleared(SimCallRef ref, isdn::Cause cause) {
  const auto found = calls_.find(ref);
  if (found == calls_.end()) return;
  auto call = std::move(found->second);
  calls_.erase(found);
  if (call->events) call->events(ref, "cleared", cause);
}

}  // namespace gw::pstnsim
