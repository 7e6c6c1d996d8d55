// Call control for calls from the PSTN: a SETUP routed by the dialplan to
// a SIP peer, our INVITE's responses turned into Q.931 (RFC 3398 7.2.4.1
// for refusals), and either side's clearing passed on.

#include <random>

#include "gateway/core/call_bridge_parts.hpp"
#include "gateway/core/cause_map.hpp"

namespace gw::core {
namespace {

std::string random_hex(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  std::string text;
  for (int i = 0; i < digits; ++i) text += kHex[random() % 16];
  return text;
}

// RFC 5806 reasons for the Q.931 redirection reasons.
std::string diversion_reason(isdn::RedirectReason reason) {
  switch (reason) {
    case isdn::RedirectReason::unconditional:
      return "unconditional";
    case isdn::RedirectReason::busy:
      return "user-busy";
    case isdn::RedirectReason::no_reply:
      return "no-answer";
    case isdn::RedirectReason::deflection:
      return "deflection";
    case isdn::RedirectReason::out_of_order:
      return "out-of-service";
    case isdn::RedirectReason::by_called_dte:
      return "follow-me";
    case isdn::RedirectReason::unknown:
      return "unknown";
  }
  return "unknown";
}

// Where a refused or unreachable INVITE may be tried at the next peer:
// the peer (not the callee) failed. 408 here is NUA's own timeout.
bool peer_failed(int status) {
  return status == 408 || status == 500 || status == 502 || status == 503 || status == 504;
}

// Why a SETUP the dialplan decided on is refused; nullopt: it is not.
std::optional<isdn::Cause> refusal_for(const dialplan::Decision& decision) {
  using Outcome = dialplan::Decision::Outcome;
  if (decision.outcome == Outcome::caller_blocked ||
      decision.outcome == Outcome::destination_blocked) {
    return isdn::Cause::call_rejected;  // screened
  }
  if (decision.outcome == Outcome::no_route || !decision.sip || decision.sip->peers.empty()) {
    return isdn::Cause::unallocated_number;  // no number of ours: cause 1, as a switch says
  }
  return std::nullopt;
}

}  // namespace

dialplan::Decision CallBridge::test_pstn_route(const std::string& span,
                                               const isdn::PartyNumber& called,
                                               const isdn::PartyNumber& calling) const {
  return router_->decide(router_->facts_from_pstn(span, called, calling));
}

void CallBridge::on_pstn_setup(std::size_t span, isdn::CallId id,
                               const isdn::IncomingCall& details) {
  affinity_.check("CallBridge::on_pstn_setup");
  auto& pri = *spans_.at(span)->pri;
  const std::string& span_name = spans_.at(span)->name;
  auto decision =
      router_->decide(router_->facts_from_pstn(span_name, details.called, details.calling));
  note("pstn call on ", span_name, " B", details.timeslot, ": ", details.called.digits, " (",
       isdn::to_string(details.called.ton), "/", isdn::to_string(details.called.npi), ") from ",
       details.calling.digits.empty() ? "-" : details.calling.digits);
  std::optional<isdn::Cause> refused = refusal_for(decision);
  std::error_code no_port;
  std::optional<media::SessionId> session;
  if (!refused) {
    session = media_.allocate(no_port);
    if (!session) refused = isdn::Cause::resource_unavailable;
  }
  if (refused) {
    note("pstn call on ", span_name, ": refused with cause ", isdn::to_wire(*refused), " (",
         isdn::to_string(*refused), ")");
    pri.hangup(id, *refused);
    return;
  }
  auto owned = std::make_unique<Call>();
  Call& call = *owned;
  call.from_pstn = true;
  call.span = span;
  call.isdn = id;
  call.media = session;
  call.origin.session_id = static_cast<std::uint64_t>(std::random_device()()) << 16;
  call.decision = std::move(decision);
  call.record.from_pstn = true;
  call.record.start = std::chrono::system_clock::now();
  call.record.from = details.calling.digits;
  call.record.called_number = details.called.digits;
  call.record.route = call.decision.route;
  call.record.span = span_name;
  call.record.timeslot = pri.timeslot(id);
  call.record.call_reference = pri.call_reference(id).value_or(-1);

  prepare_invite(call, details);

  // CALL PROCEEDING at once: the number is complete and routed, and the
  // switch's T310 now waits for ALERTING or CONNECT instead of T303 firing.
  pri.proceeding(id);
  calls_.emplace(0, std::move(owned));
  call.leg = 0;
  if (!invite_next_peer(call)) {
    calls_.erase(0);
    pri.hangup(id, isdn::Cause::temporary_failure);
    media_.release(*session);
    return;
  }
  update_capacity();
}

// The INVITE for a call from the PSTN, to whichever peer it goes to: the
// caller as the plan presents it, a forwarded call's diversion, our offer.
void CallBridge::prepare_invite(Call& call, const isdn::IncomingCall& details) {
  const dialplan::SipChoice& sip = *call.decision.sip;
  sip::OutgoingInvite& invite = call.invite;
  invite.call_id = random_hex(24) + "@sipgw";
  invite.caller_user = sip.caller_user;
  invite.caller_display = details.calling_name;
  invite.caller_hidden = sip.caller_hidden;
  // Only a number the network vouched for is asserted (RFC 3325).
  invite.caller_asserted = sip.caller_screened && !sip.caller_user.empty();
  if (details.redirecting && !details.redirecting->from.digits.empty()) {
    const auto& from = details.redirecting->from;
    invite.diversion_user = (from.ton == isdn::Ton::international ? "+" : "") + from.digits;
    invite.diversion_reason = diversion_reason(details.redirecting->reason);
    invite.diversion_counter = details.redirecting->count;
  }
  invite.outbound_proxy = router_->plan().outbound_proxy;
  call.record.call_id = invite.call_id;
}

// Sends the INVITE to decision.sip->peers[call.peer] (passing over peers
// that require SRTP where no TLS can carry its key) with our offer for that
// peer, the plan's credentials and those of a registration at that peer,
// and files the call under its new leg.
bool CallBridge::invite_next_peer(Call& call) {
  const dialplan::SipChoice& sip = *call.decision.sip;
  for (; call.peer < sip.peers.size(); ++call.peer) {
    const std::string uri = sip::telephone_uri(sip.request_user, sip.peers[call.peer]);
    call.security = security_for(sip.peers[call.peer], sip::is_secure_uri(uri));
    if (media::can_offer(call.security)) break;
    note_call(call, "", sip.peers[call.peer],
              " requires SRTP, and its keys travel only in SDP over TLS: not tried");
  }
  if (call.peer >= sip.peers.size()) return false;
  const std::string& peer = sip.peers[call.peer];
  call.invite.request_uri = sip::telephone_uri(sip.request_user, peer);
  call.our_offer = media::make_offer(config_.capabilities, media_.local_endpoint(*call.media),
                                     call.origin, call.security);
  call.invite.offer = *call.our_offer;
  call.invite.credentials.clear();
  for (const auto& credential : router_->plan().credentials) {
    call.invite.credentials.push_back({credential.realm, credential.user, credential.password});
  }
  for (const auto& registration : router_->plan().registrations) {
    if (registration.registrar != peer) continue;
    call.invite.credentials.push_back(
        {{},
         registration.auth_user.empty() ? registration.user : registration.auth_user,
         registration.password});
  }
  call.record.request_uri = call.invite.request_uri;
  const sip::LegId leg = sip_.invite(call.invite);
  if (leg == 0) return false;
  rekey(call, leg);
  note_call(call, "from ", spans_.at(call.span)->name, " B", call.record.timeslot, ", route ",
            call.decision.route, ", INVITE ", call.invite.request_uri);
  return true;
}

void CallBridge::rekey(Call& call, sip::LegId leg) {
  auto node = calls_.extract(call.leg);
  node.key() = leg;
  node.mapped()->leg = leg;
  calls_.insert(std::move(node));
  if (call.isdn != 0) by_isdn_[{call.span, call.isdn}] = leg;
}

// The answer to our offer, in a 18x or the 2xx, taken as the call's media
// (not yet applied to its session); false when it is unusable.
bool CallBridge::accept_sip_answer(Call& call, const sip::Body& answer) {
  if (!answer.sdp || !call.our_offer) return false;
  auto accepted = media::accept_answer(*call.our_offer, *answer.sdp);
  auto* negotiated = std::get_if<media::NegotiatedMedia>(&accepted);
  if (negotiated == nullptr) {
    note_call(call, "", std::get<media::Rejection>(accepted).reason);
    return false;
  }
  call.negotiated = *negotiated;
  return true;
}

void CallBridge::on_progress(sip::LegId leg, int status, const sip::Body& answer) {
  affinity_.check("CallBridge::on_progress");
  Call* call = find(leg);
  if (call == nullptr || !call->from_pstn || call->isdn == 0) return;
  const bool audio = answer.sdp.has_value() && accept_sip_answer(*call, answer);
  BridgeEvent event = BridgeEvent::sip_progress;
  if (audio) {
    event = BridgeEvent::sip_early_media;
  } else if (status == 180) {
    event = BridgeEvent::sip_ringing;
  }
  const BridgeState before = call->state;
  if (!advance(*call, event)) return;
  if (audio) apply_media(*call);
  alert_pstn_caller(*call, status, before, audio);
}

// What the PSTN caller is told of a 18x: ALERTING once for ringing (with
// in-band information when the ringback comes as audio), PROGRESS for
// announcements; nothing once its audio is cut through.
void CallBridge::alert_pstn_caller(Call& call, int status, BridgeState before, bool audio) {
  if (before == BridgeState::early_media) return;
  auto& pri = *spans_.at(call.span)->pri;
  if (audio) {
    if (status == 180 && before == BridgeState::dialling) {
      pri.alerting(call.isdn, true);
    } else {
      pri.progress(call.isdn, true);
    }
  } else if (status == 180 && before == BridgeState::dialling) {
    pri.alerting(call.isdn, false);
  }
}

void CallBridge::on_answered(sip::LegId leg, const sip::Body& answer) {
  affinity_.check("CallBridge::on_answered");
  Call* call = find(leg);
  if (call == nullptr || !call->from_pstn || call->isdn == 0) return;
  const bool accepted = accept_sip_answer(*call, answer);
  const bool usable = accepted || media_started(*call);
  if (!advance(*call, BridgeEvent::sip_answered)) return;
  call->record.sip_status = 200;
  if (!usable) {
    // Answered without audio we can carry (RFC 3264: the 2xx must answer
    // our offer): the call is useless to the PSTN caller. It waits in
    // clearing for the BYE's answer.
    note_call(*call, "answered without a usable SDP answer; hanging up");
    advance(*call, BridgeEvent::gateway_hangup);
    call->record.ended_by = "gateway";
    sip_.bye(leg, reason_header(isdn::Cause::bearer_capability_not_implemented));
    clear_isdn(*call, isdn::Cause::bearer_capability_not_implemented);
    release_media(*call);
    return;
  }
  if (accepted) apply_media(*call);
  // The offer is answered: a later ACK (of a re-INVITE) brings no answer to it.
  call->our_offer.reset();
  call->record.answered = std::chrono::system_clock::now();
  spans_.at(call->span)->pri->answer(call->isdn);
  note_call(*call, "answered");
}

void CallBridge::on_refused(sip::LegId leg, int status, std::optional<int> reason_q850) {
  affinity_.check("CallBridge::on_refused");
  Call* call = find(leg);
  if (call == nullptr || !call->from_pstn) return;
  call->record.sip_status = status;
  // The next peer, while the table says the PSTN caller has heard nothing.
  if (peer_failed(status) && call->isdn != 0 && next_state(call->state, BridgeEvent::sip_retry) &&
      call->peer + 1 < call->decision.sip->peers.size()) {
    note_call(*call, "", call->decision.sip->peers[call->peer], " answered ", status,
              ", trying the next peer");
    ++call->peer;
    if (invite_next_peer(*call)) {
      advance(*call, BridgeEvent::sip_retry);
      return;
    }
  }
  if (!advance(*call, BridgeEvent::sip_refused)) return;
  const isdn::Cause cause = cause_for(status, reason_q850);
  note_call(*call, "SIP refused ", status, ", clearing with cause ", isdn::to_wire(cause), " (",
            isdn::to_string(cause), ")");
  if (call->record.ended_by.empty()) call->record.ended_by = "sip";
  clear_isdn(*call, cause);
  release_media(*call);
  finish(call->leg);
}

// The PSTN caller hung up (or the span went down): CANCEL before the
// answer, BYE after it, with the cause as a Reason header (RFC 3326).
void CallBridge::end_for_pstn(Call& call, isdn::Cause cause) {
  if (!advance(call, BridgeEvent::isdn_cleared)) return;
  call.record.cause = isdn::to_wire(cause);
  if (call.record.ended_by.empty()) call.record.ended_by = "pstn";
  release_media(call);
  note_call(call, "PSTN caller cleared, cause ", isdn::to_wire(cause));
  sip_.bye(call.leg, reason_header(cause));
  if (call.state == BridgeState::clearing) {
    update_capacity();  // the BYE's answer ends the call (on_terminated)
    return;
  }
  finish(call.leg);
}

}  // namespace gw::core
