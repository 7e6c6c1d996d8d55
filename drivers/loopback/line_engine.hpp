#pragma once
// The line thread of one loopback span end: it owns the socket to the far end,
// clocks a TDM frame out every 20 ms, delivers what arrives to the open
// channels, carries D-channel frames (optionally paced at 64 kbit/s), computes
// and checks their FCS, and keeps the span's alarms.
//
// Thread ownership: everything but the members marked "shared" belongs to the
// line thread. The span's owner talks to it through the mutex-guarded queues
// and atomics below and is woken through an eventfd; none of it is on the
// 20 ms path.

#include <sys/un.h>

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/loopback/loopback_span.hpp"

namespace gw::loopback {

class LineEngine {
 public:
  using Clock = std::chrono::steady_clock;

  LineEngine(std::string name, tdm::Layout layout, tdm::Law law, Endpoint endpoint,
             LineOptions options, UniqueFd d_engine_end);
  LineEngine(const LineEngine&) = delete;
  LineEngine& operator=(const LineEngine&) = delete;
  ~LineEngine();

  void attach_bearer(int timeslot, UniqueFd engine_end);
  [[nodiscard]] tdm::AlarmSet alarms() const noexcept {
    return tdm::AlarmSet(alarm_bits_.load(std::memory_order_acquire));
  }
  [[nodiscard]] int event_fd() const noexcept { return event_fd_.get(); }
  std::vector<tdm::SpanEvent> take_events();
  void send_ais(bool on);
  void cut_line(LoopbackSpan::Cut cut);
  void corrupt_next_dframe() { corrupt_next_.store(true, std::memory_order_release); }
  [[nodiscard]] bool connected() const noexcept {
    return connected_.load(std::memory_order_acquire);
  }

 private:
  static constexpr std::size_t kDchannelQueueCapacity = 32;  // DAHDI's numbufs for a D-channel

  struct Bearer {
    UniqueFd fd;
    std::vector<std::byte> fifo;  // bytes written by the user, not yet on the line
  };

  // Throws std::system_error when `path` does not fit a unix socket address.
  [[nodiscard]] static sockaddr_un unix_address(const std::string& path);
  void run();
  void wait_for_work(Clock::time_point now);
  void tick(Clock::time_point now);
  void adopt_pending_bearers();
  void take_block(Bearer& bearer, std::span<std::byte> block);
  void deliver(int timeslot, std::span<const std::byte> block);
  void deliver_idle_to_all();
  void read_link(Clock::time_point now);
  void handle_message(std::span<const std::byte> message, Clock::time_point now);
  void handle_tdm(std::span<const std::byte> message, Clock::time_point now);
  void handle_dframe(std::span<const std::byte> message);
  void read_dchannel();
  void flush_dchannel(Clock::time_point now);
  void attach_link(UniqueFd link, Clock::time_point now);
  void drop_link();
  void try_connect(Clock::time_point now);
  void accept_peer(Clock::time_point now);
  void update_alarms(Clock::time_point now);
  void push_event(tdm::SpanEvent event);
  [[nodiscard]] bool receiving() const noexcept;
  [[nodiscard]] bool sending() const noexcept;

  const std::string name_;
  const tdm::Layout layout_;
  const tdm::Law law_;
  const LineOptions options_;
  Endpoint endpoint_;
  std::array<std::byte, tdm::kBlockBytes> idle_block_{};

  UniqueFd d_engine_end_;
  UniqueFd link_;
  UniqueFd listen_;
  std::array<Bearer, 32> bearers_;
  std::deque<std::vector<std::byte>> dchannel_queue_;
  std::vector<std::byte> frame_out_;
  std::vector<std::byte> message_in_;
  Clock::time_point next_tick_{};
  Clock::time_point last_frame_in_{};
  Clock::time_point dchannel_free_at_{};  // the line is busy sending until then
  Clock::time_point dchannel_due_{};      // when the queue's first frame has been sent
  Clock::time_point reconnect_at_{};
  bool shape_mismatch_ = false;
  bool far_rai_ = false;
  bool far_ais_ = false;

  // shared
  UniqueFd wake_fd_;   // the owner wakes the line thread
  UniqueFd event_fd_;  // the line thread wakes the owner
  std::atomic<std::uint8_t> alarm_bits_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> ais_{false};
  std::atomic<LoopbackSpan::Cut> cut_{LoopbackSpan::Cut::none};
  std::atomic<bool> corrupt_next_{false};
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::vector<std::pair<int, UniqueFd>> pending_bearers_;  // guarded by mutex_
  std::vector<tdm::SpanEvent> events_;                     // guarded by mutex_
  std::thread thread_;
};

}  // namespace gw::loopback
