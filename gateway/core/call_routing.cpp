// Call control, routing: the dialplan's decision for a new SIP call, the
// SETUP on a trunk of its trunk groups in their hunting order, and failover
// to the next group when the PSTN refuses with a fail-over cause.

#include <algorithm>

#include "drivers/crypto/hash.hpp"
#include "gateway/core/call_bridge_parts.hpp"
#include "gateway/core/cause_map.hpp"

namespace gw::core {
namespace {

// A caller as the dialplan compares it: a leading '+' and digits, visual
// separators dropped; anything else ("anonymous", "alice") is no number.
std::string caller_number(std::string_view user) {
  std::string number;
  for (std::size_t i = 0; i < user.size(); ++i) {
    const char c = user[i];
    if ((c == '+' && i == 0) || (c >= '0' && c <= '9')) {
      number += c;
    } else if (c != '-' && c != '.' && c != '(' && c != ')') {
      return {};
    }
  }
  return number == "+" ? std::string() : number;
}

// RFC 5806 reasons and RFC 4458 causes as Q.931 redirection reasons.
isdn::RedirectReason redirect_reason(const std::string& reason) {
  if (reason == "unconditional" || reason == "302") return isdn::RedirectReason::unconditional;
  if (reason == "user-busy" || reason == "486") return isdn::RedirectReason::busy;
  if (reason == "no-answer" || reason == "408") return isdn::RedirectReason::no_reply;
  if (reason == "deflection" || reason == "480" || reason == "487") {
    return isdn::RedirectReason::deflection;
  }
  if (reason == "unavailable" || reason == "out-of-service" || reason == "503") {
    return isdn::RedirectReason::out_of_order;
  }
  return isdn::RedirectReason::unknown;
}

// The Redirecting Number for a call a proxy forwarded (draft-sparks 2.5-2.7).
std::optional<isdn::Redirecting> redirecting_of(const sip::InviteRequest& request) {
  if (!request.diversion) return std::nullopt;
  const std::string number = caller_number(request.diversion->user);
  if (number.empty()) return std::nullopt;
  isdn::Redirecting redirecting;
  redirecting.from.digits = number.front() == '+' ? number.substr(1) : number;
  if (number.front() == '+') {
    redirecting.from.ton = isdn::Ton::international;
    redirecting.from.npi = isdn::Npi::isdn;
  }
  redirecting.reason = redirect_reason(request.diversion->reason);
  redirecting.count = request.diversion->counter;
  return redirecting;
}

// The trunks of `group` in the order its hunting asks for this call.
std::vector<const dialplan::TrunkChoice*> hunting_order(
    const dialplan::GroupChoice& group, std::size_t round_robin_start,
    const std::map<std::string, std::uint64_t>& last_used) {
  std::vector<const dialplan::TrunkChoice*> order;
  order.reserve(group.trunks.size());
  for (const auto& trunk : group.trunks) order.push_back(&trunk);
  switch (group.hunting) {
    case isdn::Hunting::ascending:
      break;
    case isdn::Hunting::descending:
      std::reverse(order.begin(), order.end());
      break;
    case isdn::Hunting::round_robin:
      if (!order.empty()) {
        std::rotate(order.begin(),
                    order.begin() + static_cast<std::ptrdiff_t>(round_robin_start % order.size()),
                    order.end());
      }
      break;
    case isdn::Hunting::least_recent: {
      const auto used = [&](const dialplan::TrunkChoice* trunk) {
        const auto it = last_used.find(trunk->name);
        return it == last_used.end() ? std::uint64_t{0} : it->second;
      };
      std::stable_sort(order.begin(), order.end(),
                       [&](const auto* a, const auto* b) { return used(a) < used(b); });
      break;
    }
  }
  return order;
}

}  // namespace

void CallBridge::set_router(std::shared_ptr<const dialplan::Router> router) {
  affinity_.check("CallBridge::set_router");
  router_ = std::move(router);
}

dialplan::CallFacts CallBridge::facts_of(const sip::InviteRequest& request,
                                         const dialplan::DialTarget& target) const {
  dialplan::CallFacts facts;
  facts.target = target;
  facts.caller_asserted = !request.asserted_user.empty();
  facts.caller = caller_number(facts.caller_asserted ? request.asserted_user : request.from_user);
  facts.caller_private = request.privacy_id;
  facts.source = "sip:" + request.source_address;
  facts.account = request.account;
  return facts;
}

dialplan::Decision CallBridge::test_route(const sip::InviteRequest& request,
                                          const dialplan::DialTarget& target) const {
  return router_->decide(facts_of(request, target));
}

void CallBridge::route_call(Call& call, const sip::InviteRequest& request,
                            const dialplan::DialTarget& target) {
  call.decision = router_->decide(facts_of(request, target));
  call.calling_name = request.from_display;
  call.redirecting = redirecting_of(request);
  using Outcome = dialplan::Decision::Outcome;
  switch (call.decision.outcome) {
    case Outcome::no_route:
      return refuse(call, 404, std::nullopt, "no route for this number");
    case Outcome::caller_blocked:
      return refuse(call, 403, std::nullopt, {}, "Screening Failure (Originating)");
    case Outcome::destination_blocked:
      return refuse(call, 403, std::nullopt, {}, "Screening Failure (Terminating)");
    case Outcome::routed:
      break;
  }
  call.record.route = call.decision.route;
  call.security = security_for(request.source_address, request.secure);
  // A delayed offer is answered with our offer, which needs TLS to carry a key.
  if (!request.offer.sdp && !media::can_offer(call.security)) {
    return refuse(call, 488, isdn::Cause::bearer_capability_not_implemented,
                  "SRTP is required, and its keys travel only in SDP over TLS");
  }
  std::error_code no_port;
  call.media = media_.allocate(no_port);
  if (!call.media) return refuse(call, 503, isdn::Cause::resource_unavailable, "no RTP port free");
  if (request.offer.sdp) {
    auto answer = media::answer_offer(*request.offer.sdp, config_.capabilities,
                                      media_.local_endpoint(*call.media), call.origin,
                                      media::Direction::sendrecv, call.security);
    if (const auto* rejected = std::get_if<media::Rejection>(&answer))
      return refuse(call, 488, isdn::Cause::bearer_capability_not_implemented, rejected->reason);
    call.answer = std::get<media::Answer>(std::move(answer));
    call.negotiated = call.answer->media;
  }
  isdn::Cause refused = isdn::Cause::no_circuit_available;
  if (!place_call(call, refused)) {
    const int status = sip_status_for(refused);
    return refuse(call, status, refused, status == 503 ? "no B-channel free" : std::string());
  }
  update_capacity();
}

bool CallBridge::place_call(Call& call, isdn::Cause& refused) {
  const auto& groups = call.decision.groups;
  for (; call.group < groups.size(); ++call.group) {
    isdn::Cause group_refused = isdn::Cause::no_circuit_available;
    if (place_in_group(call, groups[call.group], group_refused)) return true;
    refused = group_refused;
    if (!call.decision.fails_over(isdn::to_wire(group_refused))) return false;
    note_call(call, "trunk group ", groups[call.group].name, " refused (cause ",
              isdn::to_wire(group_refused), "), trying the next");
  }
  return false;
}

bool CallBridge::place_in_group(Call& call, const dialplan::GroupChoice& group,
                                isdn::Cause& refused) {
  GroupState& state = groups_[group.name];
  if (group.channel_limit > 0 && state.calls >= group.channel_limit) {
    refused = isdn::Cause::no_circuit_available;
    return false;
  }
  for (const auto* trunk : hunting_order(group, state.next, state.last_used)) {
    if (!place_on_trunk(call, group, *trunk, refused)) continue;
    ++state.calls;
    state.next = (state.next + 1) % std::max<std::size_t>(group.trunks.size(), 1);
    state.last_used[trunk->name] = ++state.uses;
    call.counted_in = group.name;
    call.record.trunk_group = group.name;
    return true;
  }
  return false;
}

bool CallBridge::place_on_trunk(Call& call, const dialplan::GroupChoice& group,
                                const dialplan::TrunkChoice& trunk, isdn::Cause& refused) {
  isdn::CallSetup setup;
  setup.called = trunk.called;
  setup.calling = trunk.calling;
  setup.calling_name = call.calling_name;
  setup.hunting = group.hunting;
  setup.redirecting = call.redirecting;
  std::vector<std::string> spans = trunk.spans;
  if (group.hunting == isdn::Hunting::descending) std::reverse(spans.begin(), spans.end());
  for (const auto& name : spans) {
    for (std::size_t index = 0; index < spans_.size(); ++index) {
      auto& slot = *spans_[index];
      if (slot.name != name || slot.pri == nullptr) continue;
      const auto placed = slot.pri->place_call(setup);
      if (!placed) {
        // Prefer "no circuit" over "network down" when both happen.
        if (refused != isdn::Cause::no_circuit_available) refused = placed.refused;
        continue;
      }
      call.span = index;
      call.isdn = placed.call;
      call.record.span = slot.name;
      call.record.called_number = setup.called.digits;
      call.record.timeslot = slot.pri->timeslot(placed.call);
      call.record.call_reference = slot.pri->call_reference(placed.call).value_or(-1);
      by_isdn_[{index, placed.call}] = call.leg;
      note_call(call, "route ", call.decision.route, ", SETUP to ", setup.called.digits, " (",
                isdn::to_string(setup.called.ton), "/", isdn::to_string(setup.called.npi), ") on ",
                group.name, "/", trunk.name, "/", slot.name, " B", call.record.timeslot);
      return true;
    }
  }
  return false;
}

// Before the caller has heard anything (no 18x with audio, no answer), a
// fail-over cause moves the call to the next trunk group of its route.
bool CallBridge::fail_over(Call& call, isdn::Cause& cause) {
  // The table says when the caller has heard nothing yet.
  if (!next_state(call.state, BridgeEvent::isdn_failover)) return false;
  if (!call.decision.fails_over(isdn::to_wire(cause))) return false;
  if (call.group + 1 >= call.decision.groups.size()) return false;
  leave_group(call);
  note_call(call, "trunk group ", call.decision.groups[call.group].name, " cleared it with cause ",
            isdn::to_wire(cause), ", trying the next");
  ++call.group;
  if (!place_call(call, cause)) return false;
  update_capacity();
  return advance(call, BridgeEvent::isdn_failover);
}

media::MediaSecurity CallBridge::security_for(const std::string& peer, bool secure) const {
  media::MediaSecurity security;
  switch (router_->plan().media_encryption.for_peer(peer)) {
    case dialplan::MediaEncryption::none:
      security.encryption = media::Encryption::none;
      break;
    case dialplan::MediaEncryption::optional:
      security.encryption = media::Encryption::optional;
      break;
    case dialplan::MediaEncryption::required:
      security.encryption = media::Encryption::required;
      break;
  }
  security.secure_signalling = secure;
  // One key per call, for our SRTP in both offer and answer, never reused.
  if (security.encryption != media::Encryption::none && secure) {
    security.local_key = crypto::random_bytes(srtp::kMasterKeyBytes);
  }
  return security;
}

void CallBridge::leave_group(Call& call) {
  if (call.counted_in.empty()) return;
  auto& state = groups_[call.counted_in];
  if (state.calls > 0) --state.calls;
  call.counted_in.clear();
}

}  // namespace gw::core
