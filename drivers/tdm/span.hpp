#pragma once
// The narrow interface every TDM backend fills in (in the spirit of FreeTDM's
// ftdm_io_interface): a span with one D-channel carrying HDLC frames and
// B-channels carrying 20 ms blocks of G.711, plus its alarms and line events.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "drivers/tdm/alarm.hpp"
#include "drivers/tdm/layout.hpp"

namespace gw::tdm {

struct IoResult {
  std::size_t bytes = 0;
  std::error_code error;  // would_block when nothing is ready on a non-blocking descriptor
  [[nodiscard]] bool ok() const noexcept { return !error; }
};

// A D-channel (one read = one HDLC frame with its 2 trailing FCS octets, as
// DAHDI's HDLCFCS channels deliver it) or a B-channel (G.711 bytes).
// Descriptors are non-blocking and pollable for reading and writing.
class Channel {
 public:
  Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  virtual ~Channel() = default;

  [[nodiscard]] virtual int fd() const noexcept = 0;
  virtual IoResult read(std::span<std::byte> buffer) = 0;
  virtual IoResult write(std::span<const std::byte> data) = 0;
};

struct SpanEvent {
  enum class Kind {
    alarms_changed,              // the span's AlarmSet changed; `alarms` holds the new set
    bad_fcs,                     // a D-channel frame failed its FCS and was dropped
    hdlc_abort,                  // a D-channel frame was aborted on the line
    overrun,                     // a receive buffer overflowed: data was lost
    echo_canceller_unavailable,  // configured, but the driver would not enable it
  };
  Kind kind = Kind::alarms_changed;
  AlarmSet alarms;
};

[[nodiscard]] std::string_view to_string(SpanEvent::Kind kind) noexcept;

// Where the owner of a span waits for its events: DAHDI signals them as
// priority data on the D-channel, the loopback backend through an eventfd.
struct EventWait {
  int fd = -1;
  bool priority = false;  // wait for POLLPRI rather than POLLIN
};

class Span {
 public:
  Span() = default;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  virtual ~Span() = default;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual const Layout& layout() const noexcept = 0;
  [[nodiscard]] virtual Law law() const noexcept = 0;
  virtual Channel& d_channel() = 0;
  // Opens a bearer timeslot (1-based, as Q.931 numbers them). Each open block
  // arrives every 20 ms from the line; writes are queued and sent one block per
  // 20 ms, idle code when the writer falls behind.
  virtual std::unique_ptr<Channel> open_bearer(int timeslot, std::error_code& error) = 0;
  [[nodiscard]] virtual AlarmSet alarms() const = 0;
  [[nodiscard]] virtual EventWait event_wait() const noexcept = 0;
  // Drains and returns the events pending since the last call.
  virtual std::vector<SpanEvent> take_events() = 0;
};

}  // namespace gw::tdm
