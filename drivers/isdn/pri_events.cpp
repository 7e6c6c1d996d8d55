// What libpri reports, turned into the span's bookkeeping and the listener's
// events: layer 2 up and down, RESTART, SETUP, progress, answer and clearing.

#include <boost/asio/steady_timer.hpp>

#include "drivers/isdn/libpri.hpp"
#include "drivers/isdn/pri_span.hpp"

namespace gw::isdn {
namespace {

// Q.931 channel numbers as libpri packs them: B-channel in bits 0-7.
int timeslot_of(int packed) {
  return packed <= 0 ? 0 : (packed & 0xFF);
}

bool inband_info(int progress_mask) {
  return (progress_mask & (PRI_PROG_CALL_NOT_E2E_ISDN | PRI_PROG_INBAND_AVAILABLE)) != 0;
}

// The diversion counter comes only with a redirecting subcommand (the
// Redirecting Number IE has no counter); one diversion otherwise.
int redirect_count(const pri_event_ring& ring) {
  if (ring.subcmds == nullptr) return 1;
  for (int i = 0; i < ring.subcmds->counter_subcmd; ++i) {
    const pri_subcommand& sub = ring.subcmds->subcmd[i];
    if (sub.cmd == PRI_SUBCMD_REDIRECTING && sub.u.redirecting.count > 0) {
      return sub.u.redirecting.count;
    }
  }
  return 1;
}

}  // namespace

void PriSpan::handle_event(void* raw) {
  auto* event = static_cast<pri_event*>(raw);
  switch (event->e) {
    case PRI_EVENT_DCHAN_UP:
    case PRI_EVENT_DCHAN_DOWN:
      layer2_up_ = event->e == PRI_EVENT_DCHAN_UP;
      update_link();
      listener_.on_alarms(alarms());  // DCHAN-DOWN raised or cleared
      return;
    case PRI_EVENT_RESTART:
      handle_restart(event->restart.channel);
      return;
    case PRI_EVENT_RESTART_ACK:
      if (timeslot_of(event->restartack.channel) == restarting_) restart_next_channel();
      return;
    case PRI_EVENT_RING:
      handle_ring(event);
      return;
    case PRI_EVENT_PROCEEDING:
    case PRI_EVENT_PROGRESS:
    case PRI_EVENT_RINGING:
    case PRI_EVENT_ANSWER:
      handle_progress(event);
      return;
    case PRI_EVENT_HANGUP_REQ:
      handle_cleared(event->hangup.call, event->hangup.cause, false);
      return;
    case PRI_EVENT_HANGUP:
      handle_cleared(event->hangup.call, event->hangup.cause, true);
      return;
    case PRI_EVENT_HANGUP_ACK:
      if (Call* call = find(event->hangup.call)) finish_call(call->id);
      return;
    case PRI_EVENT_SERVICE: {
      // The far end took a B-channel out of service or back (libpri has
      // answered SERVICE ACKNOWLEDGE): no call is offered on it meanwhile.
      const int slot = timeslot_of(event->service.channel);
      if (!channels_.layout().is_bearer(slot)) return;
      const bool out = event->service.changestatus != 0;
      channels_.set_out_of_service(slot, out);
      note("far end: B", slot, out ? " out of service" : " in service");
      listener_.on_service(slot, !out);
      return;
    }
    case PRI_EVENT_SERVICE_ACK:
      note("SERVICE ACKNOWLEDGE B", timeslot_of(event->service_ack.channel));
      return;
    case PRI_EVENT_CONFIG_ERR:
      note("libpri configuration error: ", event->err.err);
      return;
    default:
      return;  // facility, notify, keypad and the rest carry nothing the gateway uses yet
  }
}

void PriSpan::handle_progress(void* raw) {
  auto* event = static_cast<pri_event*>(raw);
  Call* call = find(event->gen.e == PRI_EVENT_RINGING  ? event->ringing.call
                    : event->gen.e == PRI_EVENT_ANSWER ? event->answer.call
                                                       : event->proceeding.call);
  if (call == nullptr) return;
  const CallId id = call->id;
  const bool notify = !call->user_gone;
  switch (event->e) {
    case PRI_EVENT_PROCEEDING: {
      // The network may move a preferred channel; follow it.
      const int moved = timeslot_of(event->proceeding.channel);
      if (moved != 0 && moved != call->timeslot && channels_.claim(moved, id)) {
        channels_.release(call->timeslot, id);
        call->timeslot = moved;
      }
      advance(*call, CallEvent::proceeding_in);
      if (notify) listener_.on_proceeding(id);
      if (notify && inband_info(event->proceeding.progressmask)) listener_.on_progress(id, true);
      return;
    }
    case PRI_EVENT_PROGRESS:
      advance(*call, CallEvent::progress_in);
      if (notify) listener_.on_progress(id, inband_info(event->proceeding.progressmask));
      return;
    case PRI_EVENT_RINGING:
      advance(*call, CallEvent::alerting_in);
      if (notify) listener_.on_alerting(id, inband_info(event->ringing.progressmask));
      return;
    default:  // PRI_EVENT_ANSWER
      advance(*call, CallEvent::connect_in);
      if (notify) listener_.on_connect(id);
      return;
  }
}

void PriSpan::handle_ring(void* raw) {
  const pri_event_ring& ring = static_cast<pri_event*>(raw)->ring;
  const CallId id = next_id_++;
  int slot = timeslot_of(ring.channel);
  bool have = slot != 0 && channels_.claim(slot, id);
  if (!have && slot != 0 && config_.side == Side::cpe) {
    // Glare: the network's call wins the channel (Q.931 5.7); ours will be
    // refused with cause 44 and tried again on another channel.
    if (const auto loser = channels_.owner(slot)) {
      const Call* ours = find(*loser);
      if (ours != nullptr && ours->outgoing && ours->state == CallState::call_initiated) {
        channels_.take_over(slot, id);
        have = true;
      }
    }
  }
  if (!have && (slot == 0 || ring.flexible != 0)) {
    const auto hunted = channels_.hunt(id);
    have = hunted.has_value();
    slot = hunted.value_or(0);
  }
  if (!have) {
    pri_hangup(pri_, ring.call,
               slot == 0 ? to_wire(Cause::no_circuit_available)
                         : to_wire(Cause::requested_channel_unavailable));
    return;
  }
  Call call;
  call.id = id;
  call.q931 = ring.call;
  call.timeslot = slot;
  call.state = CallState::call_present;
  by_q931_[ring.call] = id;
  calls_.emplace(id, std::move(call));
  IncomingCall details;
  details.called = number_from_wire(ring.callednum, ring.calledplan, 0);
  details.calling = number_from_wire(ring.callingnum, ring.callingplan, ring.callingpres);
  details.calling_name = ring.callingname;
  if (ring.redirectingnum[0] != '\0') {
    Redirecting redirecting;
    redirecting.from = number_from_wire(ring.redirectingnum, ring.callingplanrdnis, 0);
    redirecting.reason = redirect_reason_from_wire(ring.redirectingreason);
    redirecting.count = redirect_count(ring);
    details.redirecting = redirecting;
  }
  details.timeslot = slot;
  details.sending_complete = ring.complete != 0;
  listener_.on_incoming(id, details);
}

void PriSpan::handle_cleared(q931_call* q931, int wire_cause, bool release_received) {
  Call* call = find(q931);
  if (call == nullptr) {
    pri_hangup(pri_, q931, wire_cause);
    return;
  }
  if (retry_after_glare(*call, wire_cause)) return;
  // Answer the DISCONNECT with RELEASE, the RELEASE with RELEASE COMPLETE; the
  // latter ends the call reference, so clearing never waits for T308.
  pri_hangup(pri_, q931, wire_cause);
  const CallId id = call->id;
  const bool notify = !call->user_gone;
  call->user_gone = true;
  if (notify) call->clearing_since = std::chrono::steady_clock::now();
  advance(*call, CallEvent::cleared_in);
  if (release_received) finish_call(id);
  if (notify) listener_.on_cleared(id, cause_from_wire(wire_cause));
}

bool PriSpan::retry_after_glare(Call& call, int wire_cause) {
  if (!call.outgoing || call.user_gone || call.retries_left <= 0 ||
      call.state != CallState::call_initiated ||
      wire_cause != to_wire(Cause::requested_channel_unavailable)) {
    return false;
  }
  note("call ", call.id, ": channel ", call.timeslot, " taken (glare), trying another");
  pri_hangup(pri_, call.q931, wire_cause);
  by_q931_.erase(call.q931);
  call.q931 = nullptr;
  channels_.release(call.timeslot, call.id);
  --call.retries_left;
  const auto slot = channels_.hunt(call.id);
  if (slot) {
    call.timeslot = *slot;
    if (send_setup(call)) return true;
    channels_.release(*slot, call.id);
  }
  const CallId id = call.id;
  call.user_gone = true;
  finish_call(id);
  listener_.on_cleared(id, Cause::no_circuit_available);
  return true;
}

void PriSpan::handle_restart(int packed) {
  const int slot = timeslot_of(packed);
  for (const int bearer : span_.layout().bearers()) {
    if (slot != 0 && bearer != slot) continue;
    if (const auto owner = channels_.owner(bearer)) {
      Call* call = find(*owner);
      if (call != nullptr) {
        const CallId id = call->id;
        const bool notify = !call->user_gone;
        if (call->q931 != nullptr) pri_destroycall(pri_, call->q931);
        call->q931 = nullptr;
        finish_call(id);
        if (notify) listener_.on_cleared(id, Cause::temporary_failure);
      }
    }
    listener_.on_restart(bearer);
  }
}

void PriSpan::update_link() {
  line_ok_ = !span_.alarms().line_down();
  const bool up = layer2_up_ && line_ok_;
  if (up != link_up_) link_changed(up);
}

void PriSpan::link_changed(bool up) {
  link_up_ = up;
  note("link ", up ? "up" : "down", " (D-channel ", layer2_up_ ? "up" : "down", ", line ",
       span_.alarms().to_string(), ")");
  if (up) {
    listener_.on_link(true);
    if (!config_.restart_on_link_up) return;
    for (const int bearer : span_.layout().bearers()) {
      if (channels_.state(bearer) != ChannelState::idle) continue;
      channels_.begin_restart(bearer);
      restart_queue_.push_back(bearer);
    }
    restart_next_channel();
    return;
  }
  restart_queue_.clear();
  restarting_ = 0;
  restart_timer_.cancel();
  clear_all_calls(Cause::network_out_of_order);
  listener_.on_link(false);
}

void PriSpan::clear_all_calls(Cause cause) {
  std::vector<CallId> to_notify;
  for (auto& [id, call] : calls_) {
    if (!call.user_gone) to_notify.push_back(id);
    // No signalling is possible on a dead link: forget the call reference.
    if (call.q931 != nullptr) pri_destroycall(pri_, call.q931);
  }
  calls_.clear();
  by_q931_.clear();
  channels_.reset_all();
  for (const CallId id : to_notify) listener_.on_cleared(id, cause);
}

void PriSpan::restart_next_channel() {
  // RESTART uses the global call reference: one channel at a time.
  if (restarting_ != 0) channels_.end_restart(restarting_);
  restarting_ = 0;
  while (!restart_queue_.empty()) {
    const int slot = restart_queue_.front();
    restart_queue_.pop_front();
    if (channels_.state(slot) != ChannelState::restarting) continue;
    restarting_ = slot;
    restart_attempt_ = 0;
    send_restart();
    return;
  }
  restart_timer_.cancel();
}

// A RESTART can be lost without Q.921 resending it: a data link set up
// again while it was queued discards its queue. So it is sent again.
void PriSpan::send_restart() {
  ++restart_attempt_;
  pri_reset(pri_, restarting_);
  restart_timer_.expires_after(config_.restart_guard);
  restart_timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!*alive || error) return;
    affinity_.check("PriSpan restart timer");
    const bool again = restart_attempt_ < config_.restart_attempts;
    note("no RESTART ACKNOWLEDGE for channel ", restarting_,
         again ? ", sending it again" : ", going on without");
    if (again) {
      send_restart();
    } else {
      restart_next_channel();
    }
    reschedule();
  });
}

void PriSpan::handle_span_events() {
  affinity_.check("PriSpan::handle_span_events");
  bool alarms_changed = false;
  for (const auto& event : span_.take_events()) {
    if (event.kind == tdm::SpanEvent::Kind::alarms_changed) {
      alarms_changed = true;
    } else {
      note(tdm::to_string(event.kind));
    }
  }
  if (!alarms_changed) return;
  note("alarms ", alarms().to_string());
  // A line in red or blue alarm carries nothing: the calls on it are gone now,
  // not when Q.921 gives up a few seconds later; and its return restarts the
  // channels even if Q.921 never noticed.
  update_link();
  listener_.on_alarms(alarms());
}

bool PriSpan::restarting() const noexcept {
  affinity_.check("PriSpan::restarting");
  return restarting_ != 0 || !restart_queue_.empty();
}

}  // namespace gw::isdn
