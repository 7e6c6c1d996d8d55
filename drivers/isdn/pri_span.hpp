#pragma once
// ISDN PRI signalling on one span over libpri, CPE or NET side, driven by the
// control thread's io_context: the D-channel descriptor and the span's event
// descriptor are watched with Asio, libpri's timers with one steady_timer.
// libpri is not thread-safe per `struct pri`: every member function must be
// called on the io_context's thread (checked in debug and sanitizer builds;
// span() and config() excepted, which do not change after construction).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <unordered_map>

#include "drivers/common/thread_affinity.hpp"
#include "drivers/isdn/call_state.hpp"
#include "drivers/isdn/channel_table.hpp"
#include "drivers/isdn/frame_decode.hpp"
#include "drivers/isdn/signalling_span.hpp"
#include "drivers/isdn/types.hpp"
#include "drivers/tdm/span.hpp"

struct pri;
struct q931_call;

namespace gw::isdn {

struct PriConfig {
  Side side = Side::cpe;
  SwitchType switchtype = SwitchType::euroisdn_e1;
  Hunting hunting = Hunting::ascending;
  bool restart_on_link_up = true;  // RESTART every idle channel when layer 2 comes up
  int glare_retries = 2;           // re-SETUPs on another channel after cause 44
  // How long to wait for a RESTART ACKNOWLEDGE before sending the RESTART
  // again, and how many times to send it before going on without (Q.931
  // 5.5.1: T316, then "RESTART may be retransmitted").
  std::chrono::milliseconds restart_guard{4000};
  int restart_attempts = 2;
  // A call still clearing after this is forgotten and its channel freed, even
  // if libpri never reports the end (T305 + 2 x T308 is 38 s).
  std::chrono::milliseconds clearing_guard{40'000};
  bool debug = false;                         // Q.921/Q.931 decode into the log
  std::function<void(std::string_view)> log;  // one line at a time; empty: silent
  // Every D-channel frame as it is read or written, with libpri's decode of
  // its Q.931 message, for call traces; on the span's thread, a moment after
  // the frame (once libpri has written the decode). Empty: none.
  std::function<void(const DChannelFrame& frame)> frame_tap;
};

class PriSpan final : public SignallingSpan {
 public:
  // Starts layer 2 at once (libpri sends SABME). Throws std::runtime_error when
  // libpri refuses the configuration.
  PriSpan(boost::asio::io_context& io, tdm::Span& span, PriConfig config, Listener& listener);
  PriSpan(const PriSpan&) = delete;
  PriSpan& operator=(const PriSpan&) = delete;
  ~PriSpan() override;

  using Placed = isdn::Placed;
  // SignallingSpan
  Placed place_call(const CallSetup& setup) override;
  void proceeding(CallId call) override;
  void alerting(CallId call, bool inband) override;
  void progress(CallId call, bool inband) override;
  void answer(CallId call) override;
  void hangup(CallId call, Cause cause) override;
  [[nodiscard]] int timeslot(CallId call) const override;
  [[nodiscard]] std::optional<int> call_reference(CallId call) const override;
  [[nodiscard]] bool can_take_call() const override;
  [[nodiscard]] std::unique_ptr<tdm::Channel> open_bearer(CallId call,
                                                          std::error_code& error) override;
  [[nodiscard]] tdm::Law law() const override { return span_.law(); }

  // Takes a bearer out of service (or back): no call is placed on it, and a
  // SETUP asking for it is refused. For the channels a trunk does not have.
  void set_out_of_service(int timeslot, bool out);

  [[nodiscard]] std::optional<CallState> state(CallId call) const;
  // Usable for calls: Q.921 established and the line free of red and blue
  // alarms, as this span last saw them. alarms() reads the line afresh, so it
  // can be clear a moment before the span has handled the alarm event.
  [[nodiscard]] bool link_up() const noexcept {
    affinity_.check("PriSpan::link_up");
    return link_up_;
  }
  // True while the RESTART sweep after the link came up is still running.
  [[nodiscard]] bool restarting() const noexcept;
  // Link up and the RESTART sweep done: what to wait for before placing a call.
  [[nodiscard]] bool ready() const noexcept { return link_up_ && !restarting(); }
  [[nodiscard]] tdm::AlarmSet alarms() const;
  [[nodiscard]] const ChannelTable& channels() const noexcept {
    affinity_.check("PriSpan::channels");
    return channels_;
  }
  [[nodiscard]] std::size_t call_count() const noexcept {
    affinity_.check("PriSpan::call_count");
    return calls_.size();
  }
  [[nodiscard]] tdm::Span& span() noexcept { return span_; }
  [[nodiscard]] const PriConfig& config() const noexcept { return config_; }

  // libpri's C callbacks land here (see the trampolines in pri_span.cpp).
  int read_frame(void* buffer, int length);
  int write_frame(const void* buffer, int length);
  void log_line(const char* text);

 private:
  struct Call {
    CallId id = 0;
    q931_call* q931 = nullptr;
    int timeslot = 0;
    CallState state = CallState::call_initiated;
    bool outgoing = false;
    bool user_gone = false;  // hangup() was called: no more events for this id
    int retries_left = 0;
    CallSetup setup;                                         // kept to re-send it after a glare
    std::chrono::steady_clock::time_point clearing_since{};  // set once clearing starts
  };

  void watch_dchannel();
  void watch_span_events();
  void on_dchannel_readable();
  void run_timers();
  void reschedule();
  void handle_event(void* event);
  void handle_ring(void* event);
  void handle_progress(void* event);
  void handle_cleared(q931_call* q931, int cause, bool release_received);
  void handle_restart(int channel);
  void handle_span_events();
  // The link is usable when layer 2 is up and the line is not in red or blue
  // alarm; every change of that calls link_changed().
  void update_link();
  void link_changed(bool up);
  void clear_all_calls(Cause cause);
  void advance(Call& call, CallEvent event);
  bool send_setup(Call& call);
  bool retry_after_glare(Call& call, int cause);
  void restart_next_channel();
  void send_restart();
  void finish_call(CallId id);
  void sweep_stuck_calls();
  Call* find(CallId id);
  const Call* find(CallId id) const;
  void tap(bool sent, const void* frame, std::size_t bytes);
  [[nodiscard]] bool has_service_messages() const noexcept;
  Call* find(q931_call* q931);
  // One log line from its parts, when the span has a log sink.
  template <typename... Parts>
  void note(const Parts&... parts) const {
    if (!config_.log) return;
    std::ostringstream line;
    line << "span " << span_.name() << ": ";
    (line << ... << parts);
    config_.log(line.str());
  }

  tdm::Span& span_;
  PriConfig config_;
  Listener& listener_;
  ChannelTable channels_;
  struct pri* pri_ = nullptr;
  boost::asio::posix::stream_descriptor dchannel_;
  boost::asio::posix::stream_descriptor span_events_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer restart_timer_;
  boost::asio::steady_timer sweep_timer_;
  std::map<CallId, Call> calls_;
  std::unordered_map<q931_call*, CallId> by_q931_;
  std::deque<int> restart_queue_;
  int restarting_ = 0;       // the channel whose RESTART is out; 0: none
  int restart_attempt_ = 0;  // how many times it was sent
  CallId next_id_ = 1;
  bool link_up_ = false;    // layer2_up_ && line_ok_
  bool layer2_up_ = false;  // libpri's DCHAN_UP / DCHAN_DOWN
  bool line_ok_ = false;    // no red or blue alarm
  bool last_read_had_frame_ = false;
  std::optional<FrameDecodeJoiner> decodes_;  // when there is a frame_tap
  bool decodes_flush_posted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // Bound by the first entry point, not by the constructor: the simulated
  // PSTN builds its spans on the control thread before its own thread runs
  // them. libpri's callbacks (read_frame...) come only from inside checked
  // entry points or the constructor, so they are not checked themselves.
  ThreadAffinity affinity_{ThreadAffinity::deferred};
};

}  // namespace gw::isdn
