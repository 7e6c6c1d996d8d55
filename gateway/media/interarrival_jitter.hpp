#pragma once
// The interarrival jitter of a peer's RTP stream (RFC 3550 6.4.1): how far
// the packets' spacing on arrival strays from their spacing in RTP
// timestamps, as a running mean over about 16 packets. The figure an RTCP
// report block carries and a gateway's statistics show.

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace gw::media {

class InterarrivalJitter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit InterarrivalJitter(int clock_rate = 8000) : clock_rate_(clock_rate) {}

  // A packet of the stream, with RTP `timestamp`, arrived at `arrival`.
  void on_packet(std::uint32_t timestamp, Clock::time_point arrival) {
    if (started_) {
      const double arrival_units =
          std::chrono::duration<double>(arrival - previous_arrival_).count() * clock_rate_;
      // Timestamps wrap: their difference is taken modulo 2^32, signed.
      const auto timestamp_units = static_cast<std::int32_t>(timestamp - previous_timestamp_);
      const double deviation = std::abs(arrival_units - timestamp_units);
      // More than a second off is no jitter but a break in the stream (a
      // hold, a new source behind the same SSRC): this packet is the new
      // reference and the estimate stands.
      if (deviation <= clock_rate_) jitter_ += (deviation - jitter_) / 16.0;
    }
    started_ = true;
    previous_arrival_ = arrival;
    previous_timestamp_ = timestamp;
  }
  // The peer restarted its stream (a new SSRC, a jump): its next packet is a
  // new reference, the estimate so far stands.
  void restart() noexcept { started_ = false; }

  [[nodiscard]] double units() const noexcept { return jitter_; }  // RTP timestamp units
  [[nodiscard]] double milliseconds() const noexcept { return jitter_ * 1000.0 / clock_rate_; }

 private:
  int clock_rate_;
  bool started_ = false;
  Clock::time_point previous_arrival_{};
  std::uint32_t previous_timestamp_ = 0;
  double jitter_ = 0.0;
};

}  // namespace gw::media
