#pragma once
// RFC 4733 DTMF both ways, as decisions without I/O: which received event
// packets start and end a digit on the B-channel, and which event packets to
// send for digits detected in the B-channel's audio.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/media/rtp_packet.hpp"

namespace gw::media {

// A peer's events: an event is known by its RTP timestamp (RFC 4733 2.5.2.1),
// so its updates and its three end packets act once.
class EventReceiver {
 public:
  struct Action {
    std::optional<char> start;                // play this digit from now
    std::optional<std::uint32_t> stop_after;  // end the digit after this many samples of it
  };
  Action on_packet(std::uint32_t timestamp, const TelephoneEvent& event);
  // The peer's packets stopped without an end (all three lost): the digit
  // playing should end.
  void forget() noexcept { state_ = State::idle; }

 private:
  enum class State : std::uint8_t { idle, playing, ended };
  State state_ = State::idle;
  std::uint32_t timestamp_ = 0;
};

// Our events, one packet per 20 ms block: a start with the marker, updates
// with the growing duration, then the end packet three times (RFC 4733
// 2.5.1.4). A digit starting while another still ends flushes the old ends.
class EventSender {
 public:
  struct Packet {
    std::uint32_t timestamp = 0;  // the event's start
    bool marker = false;
    TelephoneEvent event;
  };
  static constexpr std::size_t kMaxPerBlock = 8;
  using Packets = std::array<Packet, kMaxPerBlock>;

  // `changes`: what the detector saw in the block whose first sample has
  // RTP timestamp `block_timestamp` (a digit when one starts, '\0' when it
  // ends). Returns how many packets it wrote into `out`.
  std::size_t on_block(std::uint32_t block_timestamp, std::string_view changes, Packets& out);

 private:
  void begin(char digit, std::uint32_t timestamp);
  void flush_ends(Packets& out, std::size_t& count);
  Packet current(bool end);  // the next packet of the event; only the first has the marker

  enum class State : std::uint8_t { idle, active, ending };
  State state_ = State::idle;
  bool first_ = false;
  std::uint8_t event_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint32_t duration_ = 0;
  int ends_left_ = 0;
};

}  // namespace gw::media
