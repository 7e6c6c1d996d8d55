// Call control, the SIP half: new calls routed to a span, and what the
// caller does afterwards (ACK, re-INVITE, CANCEL, BYE).

#include <random>

#include "gateway/core/call_bridge_parts.hpp"
#include "gateway/core/cause_map.hpp"

namespace gw::core {
namespace {

std::uint64_t new_session_id() {
  std::random_device random;
  return (static_cast<std::uint64_t>(random()) << 20) ^ random();
}

}  // namespace

void CallBridge::SpanListener::on_incoming(isdn::CallId call, const isdn::IncomingCall& details) {
  bridge_.on_pstn_setup(span_, call, details);
}

CallBridge::CallBridge(boost::asio::io_context& io, sip::SipLegs& sip, media::MediaEngine& media,
                       std::shared_ptr<const dialplan::Router> router, BridgeConfig config)
    : io_(io), sip_(sip), media_(media), router_(std::move(router)), config_(std::move(config)) {}

CallBridge::~CallBridge() {
  for (auto& [leg, call] : calls_) release_media(*call);
}

isdn::Listener& CallBridge::listener_for(const std::string& name) {
  affinity_.check("CallBridge::listener_for");
  for (const auto& slot : spans_) {
    if (slot->name == name) return *slot->listener;
  }
  auto slot = std::make_unique<SpanSlot>();
  slot->name = name;
  slot->listener = std::make_unique<SpanListener>(*this, spans_.size());
  spans_.push_back(std::move(slot));
  return *spans_.back()->listener;
}

void CallBridge::add_span(const std::string& name, isdn::SignallingSpan& span) {
  affinity_.check("CallBridge::add_span");
  listener_for(name);
  for (auto& slot : spans_) {
    if (slot->name == name) slot->pri = &span;
  }
  update_capacity();
}

CallBridge::Call* CallBridge::find(sip::LegId leg) {
  const auto found = calls_.find(leg);
  return found == calls_.end() ? nullptr : found->second.get();
}

CallBridge::Call* CallBridge::find(std::size_t span, isdn::CallId id) {
  const auto found = by_isdn_.find({span, id});
  return found == by_isdn_.end() ? nullptr : find(found->second);
}

bool CallBridge::advance(Call& call, BridgeEvent event) {
  const auto next = next_state(call.state, event);
  if (!next) {
    note_call(call, "", to_string(event), " ignored in ", to_string(call.state));
    return false;
  }
  if (*next != call.state) {
    note_call(call, "", to_string(call.state), " -> ", to_string(*next), " (", to_string(event),
              ")");
  }
  call.state = *next;
  return true;
}

void CallBridge::on_invite(const sip::InviteRequest& request) {
  affinity_.check("CallBridge::on_invite");
  auto owned = std::make_unique<Call>();
  Call& call = *owned;
  call.leg = request.leg;
  call.origin.session_id = new_session_id();
  call.record.call_id = request.call_id;
  call.record.from = request.from_uri;
  call.record.request_uri = request.request_uri;
  call.record.start = std::chrono::system_clock::now();
  calls_.emplace(request.leg, std::move(owned));
  note_call(call, "INVITE ", request.request_uri, " from ", request.from_uri, " (", request.source,
            ")");

  // A body we cannot read is the request's fault whatever it asks for
  // (RFC 3261 21.4.13 / 8.2.3): answered before routing.
  if (!request.offer.error.empty()) {
    const bool wrong_type = request.offer.error.find("not application/sdp") != std::string::npos;
    return refuse(call, wrong_type ? 415 : 400, std::nullopt, request.offer.error);
  }
  dialplan::ParseError unreadable;
  const auto target = dialplan::parse_dial_target(request.number, &unreadable);
  if (!target) return refuse(call, 484, std::nullopt, unreadable.reason);
  route_call(call, request, *target);
}

void CallBridge::refuse(Call& call, int status, std::optional<isdn::Cause> cause,
                        std::string warning, const char* phrase) {
  if (!advance(call, BridgeEvent::gateway_refused)) return;
  sip::Response response;
  response.status = status;
  response.phrase = phrase;
  if (cause) response.reason = reason_header(*cause);
  if (status == 503) response.retry_after_seconds = config_.retry_after_seconds;
  response.warning = std::move(warning);
  note_call(call, "refused ", status,
            response.warning.empty() ? "" : " (" + response.warning + ")");
  sip_.respond(call.leg, std::move(response));
  call.record.sip_status = status;
  if (call.record.ended_by.empty()) call.record.ended_by = "gateway";
  release_media(call);
  finish(call.leg);
}

void CallBridge::on_ack(sip::LegId leg, const sip::Body& answer) {
  affinity_.check("CallBridge::on_ack");
  Call* call = find(leg);
  if (call == nullptr || !advance(*call, BridgeEvent::sip_ack)) return;
  if (call->our_offer) take_answer(*call, answer);
}

// The answer to an offer we sent in a 2xx (delayed offer, or a re-INVITE
// without SDP) comes in the ACK; without a usable one the call cannot have
// audio, and ends (RFC 3261 13.3.1.4 leaves the UAS to BYE).
void CallBridge::take_answer(Call& call, const sip::Body& answer) {
  const auto offer = std::move(*call.our_offer);
  call.our_offer.reset();
  std::string problem = answer.error;
  if (answer.sdp) {
    auto accepted = media::accept_answer(offer, *answer.sdp);
    if (auto* media = std::get_if<media::NegotiatedMedia>(&accepted)) {
      call.negotiated = *media;
      apply_media(call);
      return;
    }
    problem = std::get<media::Rejection>(accepted).reason;
  } else if (problem.empty()) {
    problem = "the ACK carried no answer to our offer";
  }
  note_call(call, "", problem, "; hanging up");
  if (!advance(call, BridgeEvent::gateway_hangup)) return;
  call.record.ended_by = "gateway";
  sip_.bye(call.leg, "SIP;cause=488;text=\"" + problem + "\"");
  clear_isdn(call, isdn::Cause::bearer_capability_not_implemented);
  release_media(call);
}

void CallBridge::on_reinvite(sip::LegId leg, const sip::Body& offer) {
  affinity_.check("CallBridge::on_reinvite");
  Call* call = find(leg);
  if (call == nullptr) return;
  if (call->state != BridgeState::active) {
    // Answered but not yet ACKed: our offer or answer is still in flight,
    // the glare of RFC 3261 14.2 (491). Clearing: the call is going away.
    sip::Response refusal;
    refusal.status = call->state == BridgeState::answered ? 491 : 481;
    sip_.respond(leg, std::move(refusal));
    return;
  }
  if (!advance(*call, BridgeEvent::sip_reinvite)) return;
  answer_reinvite(*call, offer);
}

void CallBridge::answer_reinvite(Call& call, const sip::Body& offer) {
  sip::Response response;
  if (!offer.error.empty()) {
    response.status = 488;
    response.warning = offer.error;
    sip_.respond(call.leg, std::move(response));
    return;
  }
  const auto local = media_.local_endpoint(*call.media);
  if (!offer.sdp) {
    // No SDP: we offer, the ACK answers (RFC 3261 14.2).
    call.our_offer = media::make_offer(config_.capabilities, local, call.origin, call.security);
    response.sdp = call.our_offer;
    sip_.respond(call.leg, std::move(response));
    return;
  }
  auto answer = media::answer_offer(*offer.sdp, config_.capabilities, local, call.origin,
                                    media::Direction::sendrecv, call.security);
  if (const auto* rejected = std::get_if<media::Rejection>(&answer)) {
    // The call goes on as it was (RFC 3261 14.2).
    response.status = 488;
    response.warning = rejected->reason;
    sip_.respond(call.leg, std::move(response));
    return;
  }
  auto& accepted = std::get<media::Answer>(answer);
  note_call(call, "re-INVITE, audio to the caller ", accepted.media.send ? "on" : "held",
            ", from the caller ", accepted.media.receive ? "on" : "off");
  call.negotiated = accepted.media;
  media_.update(*call.media, call.negotiated);
  response.sdp = std::move(accepted.sdp);
  sip_.respond(call.leg, std::move(response));
}

void CallBridge::on_cancel(sip::LegId leg) {
  affinity_.check("CallBridge::on_cancel");
  Call* call = find(leg);
  if (call == nullptr || !advance(*call, BridgeEvent::sip_ended)) return;
  call->record.sip_status = 487;
  call->record.ended_by = "caller";
  // RFC 3398 7.2.2: a cancelled call is released with cause 16.
  clear_isdn(*call, isdn::Cause::normal_clearing);
  release_media(*call);
  finish(leg);
}

void CallBridge::on_bye(sip::LegId leg, std::optional<int> reason_q850) {
  affinity_.check("CallBridge::on_bye");
  Call* call = find(leg);
  if (call == nullptr || !advance(*call, BridgeEvent::sip_ended)) return;
  if (call->record.ended_by.empty()) call->record.ended_by = call->from_pstn ? "sip" : "caller";
  clear_isdn(*call,
             reason_q850 ? isdn::cause_from_wire(*reason_q850) : isdn::Cause::normal_clearing);
  release_media(*call);
  finish(leg);
}

void CallBridge::on_terminated(sip::LegId leg, int status, const std::string& phrase) {
  affinity_.check("CallBridge::on_terminated");
  Call* call = find(leg);
  if (call == nullptr) return;
  const BridgeState before = call->state;
  if (!advance(*call, BridgeEvent::sip_terminated)) return;
  if (call->isdn != 0) {
    // The dialog failed under us (no ACK, transport error).
    note_call(*call, "SIP dialog ended (", status, " ", phrase, ")");
    if (call->record.ended_by.empty()) call->record.ended_by = "caller";
    clear_isdn(*call, before == BridgeState::answered ? isdn::Cause::recovery_on_timer_expiry
                                                      : isdn::Cause::temporary_failure);
  }
  release_media(*call);
  finish(leg);
}

}  // namespace gw::core
