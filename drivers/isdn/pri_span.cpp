// PriSpan's life cycle, its I/O with the span and the libpri timers, and the
// calls its user makes. Events from libpri are in pri_events.cpp.

#include "drivers/isdn/pri_span.hpp"

#include <sys/time.h>

#include <boost/asio/post.hpp>

#include <memory>
#include <stdexcept>

#include "drivers/isdn/libpri.hpp"

namespace gw::isdn {
namespace {

PriSpan* owner_of(struct pri* ctrl) {
  return ctrl == nullptr ? nullptr : static_cast<PriSpan*>(pri_get_userdata(ctrl));
}

// libpri's C callbacks: typed context from the userdata, forward in one line.
int read_trampoline(struct pri* ctrl, void* buffer, int length) {
  PriSpan* self = owner_of(ctrl);
  return self == nullptr ? -1 : self->read_frame(buffer, length);
}
int write_trampoline(struct pri* ctrl, void* buffer, int length) {
  PriSpan* self = owner_of(ctrl);
  return self == nullptr ? length : self->write_frame(buffer, length);
}
void message_trampoline(struct pri* ctrl, char* text) {
  if (PriSpan* self = owner_of(ctrl)) self->log_line(text);
}

int switch_code(SwitchType type) {
  switch (type) {
    case SwitchType::ni2:
      return PRI_SWITCH_NI2;
    case SwitchType::dms100:
      return PRI_SWITCH_DMS100;
    case SwitchType::lucent5e:
      return PRI_SWITCH_LUCENT5E;
    case SwitchType::att4ess:
      return PRI_SWITCH_ATT4ESS;
    case SwitchType::euroisdn_e1:
      return PRI_SWITCH_EUROISDN_E1;
    case SwitchType::euroisdn_t1:
      return PRI_SWITCH_EUROISDN_T1;
    case SwitchType::ni1:
      return PRI_SWITCH_NI1;
    case SwitchType::qsig:
      return PRI_SWITCH_QSIG;
  }
  return PRI_SWITCH_EUROISDN_E1;
}

struct SrDeleter {
  void operator()(pri_sr* sr) const { pri_sr_free(sr); }
};

}  // namespace

PriSpan::PriSpan(boost::asio::io_context& io, tdm::Span& span, PriConfig config, Listener& listener)
    : span_(span),
      config_(std::move(config)),
      listener_(listener),
      channels_(span.layout(), config_.hunting),
      dchannel_(io, span.d_channel().fd()),
      span_events_(io),
      timer_(io),
      restart_timer_(io),
      sweep_timer_(io) {
  // Process-wide in libpri; the trampolines find their span through userdata.
  pri_set_message(message_trampoline);
  pri_set_error(message_trampoline);
  const int node = config_.side == Side::net ? PRI_NETWORK : PRI_CPE;
  pri_ = pri_new_cb(span.d_channel().fd(), node, switch_code(config_.switchtype), read_trampoline,
                    write_trampoline, this);
  if (pri_ == nullptr) {
    throw std::runtime_error("isdn: libpri refused span " + std::string(span.name()));
  }
  // Clear with DISCONNECT as Q.931 5.3.2 says, not a bare RELEASE COMPLETE for
  // some causes, after which libpri forgets the call without telling us.
  pri_hangup_fix_enable(pri_, 1);
  if (has_service_messages()) pri_set_service_message_support(pri_, 1);
  int debug = config_.debug ? PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q931_STATE | PRI_DEBUG_Q921_STATE : 0;
  if (config_.frame_tap) {
    decodes_.emplace(config_.frame_tap);
    debug |= PRI_DEBUG_Q931_DUMP;  // the decodes the traces keep
  }
  if (debug != 0) pri_set_debug(pri_, debug);
  const auto events = span.event_wait();
  if (events.fd != span.d_channel().fd()) span_events_.assign(events.fd);
  watch_dchannel();
  watch_span_events();
  reschedule();
  sweep_stuck_calls();
}

PriSpan::~PriSpan() {
  if (decodes_) decodes_->flush();
  *alive_ = false;
  timer_.cancel();
  restart_timer_.cancel();
  sweep_timer_.cancel();
  // The descriptors belong to the span, not to Asio.
  if (span_events_.is_open()) (void)span_events_.release();
  (void)dchannel_.release();
  // libpri 1.6 has no pri_destroy(): the struct pri stays allocated. Detach it
  // from this object so nothing can call back into freed memory.
  pri_set_userdata(pri_, nullptr);
}

void PriSpan::watch_dchannel() {
  dchannel_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this, alive = alive_](const boost::system::error_code& error) {
                         if (!*alive || error) return;
                         on_dchannel_readable();
                         watch_dchannel();
                       });
}

void PriSpan::watch_span_events() {
  const auto events = span_.event_wait();
  auto& descriptor = span_events_.is_open() ? span_events_ : dchannel_;
  const auto kind = events.priority ? boost::asio::posix::stream_descriptor::wait_error
                                    : boost::asio::posix::stream_descriptor::wait_read;
  descriptor.async_wait(kind, [this, alive = alive_](const boost::system::error_code& error) {
    if (!*alive || error) return;
    handle_span_events();
    watch_span_events();
  });
}

void PriSpan::on_dchannel_readable() {
  affinity_.check("PriSpan::on_dchannel_readable");
  // pri_check_event() reads one frame; drain what the descriptor holds.
  for (int frames = 0; frames < 64; ++frames) {
    last_read_had_frame_ = false;
    if (pri_event* event = pri_check_event(pri_)) handle_event(event);
    if (!last_read_had_frame_) break;
  }
  reschedule();
}

void PriSpan::run_timers() {
  affinity_.check("PriSpan::run_timers");
  // pri_schedule_run() runs at most one timer per call.
  for (int i = 0; i < 64; ++i) {
    const timeval* next = pri_schedule_next(pri_);
    if (next == nullptr) break;
    timeval now{};
    ::gettimeofday(&now, nullptr);
    if (timercmp(next, &now, >)) break;
    if (pri_event* event = pri_schedule_run(pri_)) handle_event(event);
  }
  reschedule();
}

void PriSpan::reschedule() {
  const timeval* next = pri_schedule_next(pri_);
  if (next == nullptr) {
    timer_.cancel();
    return;
  }
  timeval now{};
  ::gettimeofday(&now, nullptr);
  const auto delay = std::chrono::seconds(next->tv_sec - now.tv_sec) +
                     std::chrono::microseconds(next->tv_usec - now.tv_usec);
  timer_.expires_after(std::max(std::chrono::microseconds::zero(),
                                std::chrono::duration_cast<std::chrono::microseconds>(delay)));
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!*alive || error) return;
    run_timers();
  });
}

int PriSpan::read_frame(void* buffer, int length) {
  const auto result =
      span_.d_channel().read({static_cast<std::byte*>(buffer), static_cast<std::size_t>(length)});
  // With callbacks, pri_check_event() treats only 0 as "no frame": a -1 goes on
  // to q921_receive() with whatever the stack buffer held before, which looks
  // like a repeated frame (REJ storms, "short unnumbered frame"). A dry
  // descriptor, or a line event pending (DAHDI's ELAST) that the span's event
  // watch takes care of, is therefore 0 here.
  if (!result.ok() || result.bytes == 0) return 0;
  last_read_had_frame_ = true;
  tap(false, buffer, result.bytes);
  return static_cast<int>(result.bytes);
}

int PriSpan::write_frame(const void* buffer, int length) {
  const auto result = span_.d_channel().write(
      {static_cast<const std::byte*>(buffer), static_cast<std::size_t>(length)});
  if (result.ok()) tap(true, buffer, result.bytes);
  // A full or dead line loses the frame, as a real one would; Q.921 resends it.
  return result.ok() ? static_cast<int>(result.bytes) : length;
}

// libpri's frames end with the two FCS octets DAHDI's HDLC channels carry.
// The frame waits for its decode until libpri has returned to the loop.
void PriSpan::tap(bool sent, const void* frame, std::size_t bytes) {
  if (!decodes_ || bytes <= 2) return;
  decodes_->frame(sent, {static_cast<const std::byte*>(frame), bytes - 2});
  if (decodes_flush_posted_) return;
  decodes_flush_posted_ = true;
  boost::asio::post(timer_.get_executor(), [this, alive = alive_] {
    if (!*alive) return;
    decodes_flush_posted_ = false;
    decodes_->flush();
  });
}

void PriSpan::log_line(const char* text) {
  const bool decode = decodes_ && decodes_->text(text);
  if (!config_.log || (decode && !config_.debug)) return;
  std::string_view line(text);
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  config_.log(line);
}

tdm::AlarmSet PriSpan::alarms() const {
  affinity_.check("PriSpan::alarms");
  auto alarms = span_.alarms();
  alarms.set(tdm::Alarm::dchannel_down, !layer2_up_);
  return alarms;
}

PriSpan::Call* PriSpan::find(CallId id) {
  const auto found = calls_.find(id);
  return found == calls_.end() ? nullptr : &found->second;
}

const PriSpan::Call* PriSpan::find(CallId id) const {
  const auto found = calls_.find(id);
  return found == calls_.end() ? nullptr : &found->second;
}

PriSpan::Call* PriSpan::find(q931_call* q931) {
  const auto found = by_q931_.find(q931);
  return found == by_q931_.end() ? nullptr : find(found->second);
}

// North American switches (NI-2, 4ESS, 5ESS) have the SERVICE maintenance
// message (ANSI T1.607); libpri sends and answers it for those only.
bool PriSpan::has_service_messages() const noexcept {
  return config_.switchtype == SwitchType::ni2 || config_.switchtype == SwitchType::att4ess ||
         config_.switchtype == SwitchType::lucent5e;
}

void PriSpan::set_out_of_service(int timeslot, bool out) {
  affinity_.check("PriSpan::set_out_of_service");
  channels_.set_out_of_service(timeslot, out);
  if (!has_service_messages() || !link_up_) return;
  // Change status 2: out of service; 0: in service. The far end acknowledges.
  constexpr int kInService = 0;
  constexpr int kOutOfService = 2;
  pri_maintenance_service(pri_, 0, timeslot, out ? kOutOfService : kInService);
  note("SERVICE B", timeslot, out ? " out of service" : " in service");
  reschedule();
}

std::optional<int> PriSpan::call_reference(CallId id) const {
  affinity_.check("PriSpan::call_reference");
  const Call* call = find(id);
  if (call == nullptr || call->q931 == nullptr) return std::nullopt;
  // libpri hands the call reference out split: the value above its low three
  // bits, and those bits as a "call mode".
  int callmode = 0;
  const int value = pri_get_crv(pri_, call->q931, &callmode);
  if (value < 0) return std::nullopt;
  return (value << 3) | (callmode & 0x7);
}

int PriSpan::timeslot(CallId id) const {
  affinity_.check("PriSpan::timeslot");
  const Call* call = find(id);
  return call == nullptr ? 0 : call->timeslot;
}

bool PriSpan::can_take_call() const {
  affinity_.check("PriSpan::can_take_call");
  return link_up_ && channels_.count(ChannelState::idle) > 0;
}

std::unique_ptr<tdm::Channel> PriSpan::open_bearer(CallId id, std::error_code& error) {
  affinity_.check("PriSpan::open_bearer");
  const int bearer = timeslot(id);
  if (bearer == 0) {
    error = std::make_error_code(std::errc::no_such_device);
    return nullptr;
  }
  return span_.open_bearer(bearer, error);
}

std::optional<CallState> PriSpan::state(CallId id) const {
  affinity_.check("PriSpan::state");
  const Call* call = find(id);
  if (call == nullptr) return std::nullopt;
  return call->state;
}

void PriSpan::advance(Call& call, CallEvent event) {
  const auto next = next_state(call.state, event);
  if (!next) {
    note("call ", call.id, ": ", to_string(event), " refused in state ", to_string(call.state));
    return;
  }
  call.state = *next;
}

bool PriSpan::send_setup(Call& call) {
  call.q931 = pri_new_call(pri_);
  if (call.q931 == nullptr) return false;
  const std::unique_ptr<pri_sr, SrDeleter> sr(pri_sr_new());
  std::string called = call.setup.called.digits;
  std::string calling = call.setup.calling.digits;
  std::string name = call.setup.calling_name;
  pri_sr_set_channel(sr.get(), call.timeslot, call.setup.exclusive ? 1 : 0, 0);
  pri_sr_set_bearer(sr.get(), PRI_TRANS_CAP_SPEECH,
                    span_.law() == tdm::Law::alaw ? PRI_LAYER_1_ALAW : PRI_LAYER_1_ULAW);
  pri_sr_set_called(sr.get(), called.data(), call.setup.called.plan_octet(), 1);
  const int presentation =
      calling.empty() ? PRES_NUMBER_NOT_AVAILABLE : call.setup.calling.presentation_octet();
  pri_sr_set_caller(sr.get(), calling.data(), name.empty() ? nullptr : name.data(),
                    call.setup.calling.plan_octet(), presentation);
  if (call.setup.redirecting) {
    // The Redirecting Number IE; libpri copies the struct.
    const Redirecting& from = *call.setup.redirecting;
    pri_party_redirecting redirecting{};
    redirecting.from.number.valid = 1;
    redirecting.from.number.presentation = from.from.presentation_octet();
    redirecting.from.number.plan = from.from.plan_octet();
    from.from.digits.copy(redirecting.from.number.str, sizeof redirecting.from.number.str - 1);
    redirecting.count = std::max(from.count, 1);
    redirecting.reason = static_cast<int>(from.reason);
    redirecting.orig_reason = redirecting.reason;
    pri_sr_set_redirecting_parties(sr.get(), &redirecting);
  }
  if (pri_setup(pri_, call.q931, sr.get()) != 0) {
    call.q931 = nullptr;
    return false;
  }
  by_q931_[call.q931] = call.id;
  call.state = CallState::call_initiated;
  return true;
}

PriSpan::Placed PriSpan::place_call(const CallSetup& setup) {
  affinity_.check("PriSpan::place_call");
  if (!link_up_) return {0, Cause::network_out_of_order};
  const CallId id = next_id_++;
  std::optional<int> slot;
  if (setup.timeslot) {
    if (channels_.claim(*setup.timeslot, id)) slot = setup.timeslot;
  } else {
    slot = channels_.hunt(id, setup.hunting);
  }
  if (!slot)
    return {0, setup.timeslot ? Cause::requested_channel_unavailable : Cause::no_circuit_available};
  Call call;
  call.id = id;
  call.timeslot = *slot;
  call.outgoing = true;
  call.retries_left = config_.glare_retries;
  call.setup = setup;
  if (!send_setup(call)) {
    channels_.release(*slot, id);
    return {0, Cause::temporary_failure};
  }
  calls_.emplace(id, std::move(call));
  reschedule();
  return {id, Cause::normal_clearing};
}

void PriSpan::proceeding(CallId id) {
  affinity_.check("PriSpan::proceeding");
  Call* call = find(id);
  if (call == nullptr || call->user_gone || call->q931 == nullptr) return;
  pri_proceeding(pri_, call->q931, call->timeslot, 0);
  advance(*call, CallEvent::proceeding_out);
  reschedule();
}

void PriSpan::alerting(CallId id, bool inband) {
  affinity_.check("PriSpan::alerting");
  Call* call = find(id);
  if (call == nullptr || call->user_gone || call->q931 == nullptr) return;
  pri_acknowledge(pri_, call->q931, call->timeslot, inband ? 1 : 0);
  advance(*call, CallEvent::alerting_out);
  reschedule();
}

void PriSpan::progress(CallId id, bool inband) {
  affinity_.check("PriSpan::progress");
  Call* call = find(id);
  if (call == nullptr || call->user_gone || call->q931 == nullptr) return;
  pri_progress(pri_, call->q931, call->timeslot, inband ? 1 : 0);
  advance(*call, CallEvent::progress_out);
  reschedule();
}

void PriSpan::answer(CallId id) {
  affinity_.check("PriSpan::answer");
  Call* call = find(id);
  if (call == nullptr || call->user_gone || call->q931 == nullptr) return;
  pri_answer(pri_, call->q931, call->timeslot, 0);
  advance(*call, CallEvent::connect_out);
  reschedule();
}

void PriSpan::hangup(CallId id, Cause cause) {
  affinity_.check("PriSpan::hangup");
  Call* call = find(id);
  if (call == nullptr || call->user_gone) return;
  call->user_gone = true;
  if (call->q931 == nullptr) {
    finish_call(id);
    return;
  }
  if (call->state == CallState::call_present) {
    // libpri sends no DISCONNECT for a SETUP it has not acknowledged (the
    // call is not "alive" yet), and for some causes forgets the call without
    // another event. CALL PROCEEDING first makes every refusal a normal
    // DISCONNECT / RELEASE / RELEASE COMPLETE exchange.
    pri_proceeding(pri_, call->q931, call->timeslot, 0);
    advance(*call, CallEvent::proceeding_out);
  }
  pri_hangup(pri_, call->q931, to_wire(cause));
  advance(*call, CallEvent::disconnect_out);
  call->clearing_since = std::chrono::steady_clock::now();
  reschedule();
}

void PriSpan::sweep_stuck_calls() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<CallId> stuck;
  for (const auto& [id, call] : calls_) {
    if (call.user_gone && now - call.clearing_since > config_.clearing_guard) stuck.push_back(id);
  }
  for (const CallId id : stuck) {
    note("call ", id, ": clearing never completed; channel ", find(id)->timeslot, " freed");
    finish_call(id);
  }
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!*alive || error) return;
    affinity_.check("PriSpan sweep timer");
    sweep_stuck_calls();
  });
}

void PriSpan::finish_call(CallId id) {
  const auto found = calls_.find(id);
  if (found == calls_.end()) return;
  if (found->second.q931 != nullptr) by_q931_.erase(found->second.q931);
  channels_.release(found->second.timeslot, id);
  calls_.erase(found);
}

}  // namespace gw::isdn
