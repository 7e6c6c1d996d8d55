// Call control, the ISDN half: what the PSTN does to a call, turned into SIP
// responses and BYEs, and the B-channel's audio started and stopped.

#include <algorithm>

#include "gateway/core/call_bridge_parts.hpp"
#include "gateway/core/cause_map.hpp"

namespace gw::core {

void CallBridge::on_isdn(std::size_t span, isdn::CallId id, BridgeEvent event, bool inband) {
  affinity_.check("CallBridge::on_isdn");
  Call* call = find(span, id);
  if (call == nullptr) return;
  // In-band information can be passed on only with an SDP answer to carry
  // it; a delayed-offer call gets 180 instead.
  if (inband && call->answer) event = BridgeEvent::isdn_inband;
  if (event == BridgeEvent::isdn_inband && !call->answer) event = BridgeEvent::isdn_alerting;
  const BridgeState before = call->state;
  if (!advance(*call, event)) return;
  switch (event) {
    case BridgeEvent::isdn_alerting:
    case BridgeEvent::isdn_inband:
      if (call->state != before) send_provisional(*call, event);
      return;
    case BridgeEvent::isdn_connect:
      send_answer(*call);
      return;
    default:
      return;
  }
}

void CallBridge::send_provisional(Call& call, BridgeEvent event) {
  sip::Response response;
  if (event == BridgeEvent::isdn_inband) {
    response.status = 183;
    response.sdp = call.answer->sdp;
    start_media(call);
  } else {
    response.status = 180;
  }
  sip_.respond(call.leg, std::move(response));
}

void CallBridge::send_answer(Call& call) {
  call.record.answered = std::chrono::system_clock::now();
  call.record.sip_status = 200;
  sip::Response response;
  if (call.answer) {
    response.sdp = call.answer->sdp;
    start_media(call);
  } else {
    // Delayed offer (RFC 3665 3.6): our offer in the 200, the answer in the ACK.
    call.our_offer =
        media::make_offer(config_.capabilities, media_.local_endpoint(*call.media), call.origin);
    response.sdp = call.our_offer;
  }
  note_call(call, "answered");
  sip_.respond(call.leg, std::move(response));
}

void CallBridge::start_media(Call& call) {
  if (!call.media || call.isdn == 0 || media_.started(*call.media)) return;
  auto& pri = *spans_.at(call.span)->pri;
  std::error_code error;
  auto bearer = pri.open_bearer(call.isdn, error);
  if (!bearer) {
    note_call(call, "B-channel ", pri.timeslot(call.isdn), " would not open: ", error.message());
    return;
  }
  if (call.negotiated.srtp)
    note_call(call, "audio is SRTP ", srtp::to_string(call.negotiated.srtp->suite));
  media_.start(*call.media, call.negotiated, std::move(bearer), pri.law());
}

void CallBridge::apply_media(Call& call) {
  if (media_started(call)) {
    media_.update(*call.media, call.negotiated);
  } else {
    start_media(call);
  }
}

bool CallBridge::media_started(const Call& call) const {
  return call.media && media_.started(*call.media);
}

void CallBridge::on_isdn_cleared(std::size_t span, isdn::CallId id, isdn::Cause cause) {
  affinity_.check("CallBridge::on_isdn_cleared");
  Call* call = find(span, id);
  by_isdn_.erase({span, id});
  if (call == nullptr) return;
  call->isdn = 0;
  if (call->from_pstn) return end_for_pstn(*call, cause);
  leave_group(*call);
  if (fail_over(*call, cause)) return;
  if (!advance(*call, BridgeEvent::isdn_cleared)) return;
  call->record.cause = isdn::to_wire(cause);
  if (call->record.ended_by.empty()) call->record.ended_by = "pstn";
  release_media(*call);
  note_call(*call, "PSTN cleared, cause ", isdn::to_wire(cause), " (", isdn::to_string(cause), ")");
  if (call->state == BridgeState::clearing) {
    // Answered: the caller gets a BYE, and its answer ends the call.
    sip_.bye(call->leg, reason_header(cause));
    update_capacity();
  } else {
    const int status = sip_status_for(cause);
    call->record.sip_status = status;
    sip::Response response;
    response.status = status;
    response.reason = reason_header(cause);
    sip_.respond(call->leg, std::move(response));
    finish(call->leg);
  }
}

void CallBridge::clear_isdn(Call& call, isdn::Cause cause) {
  if (call.isdn == 0) return;
  spans_.at(call.span)->pri->hangup(call.isdn, cause);
  by_isdn_.erase({call.span, call.isdn});
  leave_group(call);
  call.record.cause = isdn::to_wire(cause);
  call.isdn = 0;
  update_capacity();
}

void CallBridge::release_media(Call& call) {
  if (!call.media) return;
  if (const auto stats = media_.stats(*call.media)) {
    call.record.rtp_received = stats->rtp_received;
    call.record.rtp_lost = stats->rtp_lost;
    call.record.rtp_jitter_ms = stats->jitter_ms;
    // What SRTP refused is not in the record's columns: the journal has it.
    if (stats->srtp) {
      note_call(call, "SRTP: ", stats->rtp_received, " packets received, ", stats->srtp_auth_failed,
                " failed authentication, ", stats->srtp_replayed,
                " replayed; SRTCP: ", stats->srtcp_auth_failed,
                " failed authentication (dropped, not played)");
    }
  }
  if (config_.rtp_captured && media_.started(*call.media)) {
    config_.rtp_captured(call.record.call_id, media_.captured(*call.media));
  }
  media_.release(*call.media);
  call.media.reset();
}

void CallBridge::finish(sip::LegId leg) {
  const auto found = calls_.find(leg);
  if (found == calls_.end()) return;
  Call& call = *found->second;
  clear_isdn(call, isdn::Cause::normal_clearing);
  release_media(call);
  call.record.end = std::chrono::system_clock::now();
  if (call.record.sip_status == 0) call.record.sip_status = 487;
  if (config_.record) config_.record(call.record);
  note_call(call, "done");
  calls_.erase(found);
  update_capacity();
}

void CallBridge::hang_up_all(isdn::Cause cause) {
  affinity_.check("CallBridge::hang_up_all");
  std::vector<sip::LegId> legs;
  legs.reserve(calls_.size());
  for (const auto& [leg, call] : calls_) legs.push_back(leg);
  for (const auto leg : legs) hang_up(leg, cause);
}

// The gateway ends the call itself (an operator, a shutdown): DISCONNECT
// with `cause`, and BYE, CANCEL or 503 on the SIP side as far as it got.
bool CallBridge::hang_up(sip::LegId leg, isdn::Cause cause) {
  affinity_.check("CallBridge::hang_up");
  Call* found = find(leg);
  if (found == nullptr) return false;
  Call& call = *found;
  // Refused in clearing: it is ending already.
  if (!advance(call, BridgeEvent::gateway_hangup)) return true;
  note_call(call, "hung up by the gateway, cause ", isdn::to_wire(cause));
  call.record.ended_by = "gateway";
  clear_isdn(call, cause);
  release_media(call);
  if (call.state == BridgeState::clearing) {
    // Answered: the far end answers the BYE; the call ends with on_terminated.
    sip_.bye(leg, reason_header(cause));
    return true;
  }
  if (call.from_pstn) {
    sip_.bye(leg, reason_header(cause));  // CANCEL
  } else {
    sip::Response response;
    response.status = 503;
    response.reason = reason_header(cause);
    sip_.respond(leg, std::move(response));
    call.record.sip_status = 503;
  }
  finish(leg);
  return true;
}

bool CallBridge::can_take_call() const {
  return std::any_of(spans_.begin(), spans_.end(), [](const auto& slot) {
    return slot->pri != nullptr && slot->pri->can_take_call();
  });
}

void CallBridge::on_link_changed() {
  affinity_.check("CallBridge::on_link_changed");
  update_capacity();
}

void CallBridge::update_capacity() {
  const bool accepting = can_take_call();
  if (accepting == accepting_) return;
  accepting_ = accepting;
  note(accepting ? "taking calls" : "cannot take calls: no span up with a free B-channel");
  if (config_.capacity_changed) config_.capacity_changed(accepting);
}

std::vector<std::string> CallBridge::describe_calls() const {
  std::vector<std::string> lines;
  lines.reserve(calls_.size());
  for (const auto& [leg, call] : calls_) {
    lines.push_back(std::to_string(leg) + " " + std::string(to_string(call->state)) + " " +
                    (call->record.span.empty() ? "-" : call->record.span) + "/" +
                    std::to_string(call->record.timeslot) + " " + call->record.called_number);
  }
  return lines;
}

std::vector<CallSummary> CallBridge::calls() const {
  std::vector<CallSummary> summaries;
  summaries.reserve(calls_.size());
  for (const auto& [leg, call] : calls_) {
    const auto& record = call->record;
    CallSummary& summary = summaries.emplace_back();
    summary.leg = leg;
    summary.state = std::string(to_string(call->state));
    summary.from_pstn = call->from_pstn;
    summary.from = record.from;
    summary.request_uri = record.request_uri;
    summary.called_number = record.called_number;
    summary.call_id = record.call_id;
    summary.trunk_group = record.trunk_group;
    summary.span = record.span;
    summary.timeslot = record.timeslot;
    if (media_started(*call)) summary.codec = media::to_string(call->negotiated.codec);
    summary.start = record.start;
    summary.answered = record.answered;
    if (const auto stats = call->media ? media_.stats(*call->media) : std::nullopt) {
      summary.rtp_received = stats->rtp_received;
      summary.rtp_lost = stats->rtp_lost;
      summary.late_dropped = stats->late_dropped;
      summary.rtp_jitter_ms = stats->jitter_ms;
      summary.srtp = stats->srtp;
      summary.srtp_auth_failed = stats->srtp_auth_failed;
      summary.srtp_replayed = stats->srtp_replayed;
      summary.srtcp_auth_failed = stats->srtcp_auth_failed;
    }
  }
  return summaries;
}

}  // namespace gw::core
