#pragma once
// A span whose line is a unix socket to another loopback span, in this process
// or another one. It behaves as DAHDI does towards its user: the D-channel
// carries whole HDLC frames with 2 FCS octets, each open B-channel delivers a
// 160-byte block every 20 ms from a monotonic clock (idle code when the far end
// sends nothing), writes go out one block per 20 ms, and the line raises red,
// yellow and blue alarms. A line thread owned by the span does the clocking.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/common/unique_fd.hpp"
#include "drivers/tdm/span.hpp"

namespace gw::loopback {

// How the line reaches its far end.
struct Endpoint {
  enum class Mode { connected, listen, connect };
  Mode mode = Mode::connected;
  UniqueFd socket;   // connected: one end of a socketpair
  std::string path;  // listen and connect: the unix socket path
};

struct LineOptions {
  bool limit_dchannel = false;  // pace D-channel frames at 64 kbit/s
  // No TDM frame from the far end for this long is a loss of frame: red alarm.
  std::chrono::milliseconds loss_of_frame{1000};
  std::chrono::milliseconds reconnect_interval{200};
};

class LineEngine;

class LoopbackSpan final : public tdm::Span {
 public:
  // Throws std::system_error when the socket cannot be set up.
  LoopbackSpan(std::string name, tdm::Shape shape, tdm::Law law, Endpoint endpoint,
               LineOptions options);
  ~LoopbackSpan() override;

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const tdm::Layout& layout() const noexcept override { return layout_; }
  [[nodiscard]] tdm::Law law() const noexcept override { return law_; }
  tdm::Channel& d_channel() override;
  std::unique_ptr<tdm::Channel> open_bearer(int timeslot, std::error_code& error) override;
  [[nodiscard]] tdm::AlarmSet alarms() const override;
  [[nodiscard]] tdm::EventWait event_wait() const noexcept override;
  std::vector<tdm::SpanEvent> take_events() override;

  // Fault injection, for installers' drills and the tests.
  void send_ais(bool on);  // the far end sees a blue alarm
  // As if a cable were pulled: `receive` loses what the far end sends (we go
  // red, the far end sees our RAI as yellow); `both` loses both directions.
  enum class Cut : std::uint8_t { none, receive, both };
  void cut_line(Cut cut);
  void corrupt_next_dframe();            // the next D-channel frame leaves with a bad FCS
  [[nodiscard]] bool connected() const;  // a far end is attached to the socket

 private:
  std::string name_;
  tdm::Layout layout_;
  tdm::Law law_;
  std::unique_ptr<tdm::Channel> d_channel_;
  std::unique_ptr<LineEngine> engine_;
};

// Two spans wired back to back in this process.
struct SpanPair {
  std::unique_ptr<LoopbackSpan> a;
  std::unique_ptr<LoopbackSpan> b;
};
[[nodiscard]] SpanPair make_pair(const std::string& name, tdm::Shape shape, tdm::Law law,
                                 LineOptions options = {});

}  // namespace gw::loopback
