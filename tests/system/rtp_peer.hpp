#pragma once
// A SIP caller's audio end for system tests: a UDP socket on 127.0.0.1 that
// records every RTP packet the gateway sends, with its arrival time, and can
// play a G.711 pattern back to where the gateway's packets come from (the
// gateway's RTP port, as symmetric RTP has it), 160 bytes every 20 ms.

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "drivers/common/unique_fd.hpp"

namespace gw::test {

struct ReceivedPacket {
  std::chrono::steady_clock::time_point arrival;
  int payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
  std::vector<std::byte> payload;
};

class RtpPeer {
 public:
  RtpPeer();  // binds 127.0.0.1 on a free port and starts receiving
  RtpPeer(const RtpPeer&) = delete;
  RtpPeer& operator=(const RtpPeer&) = delete;
  ~RtpPeer();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  // Waits (bounded) for the first packet from the gateway.
  bool wait_for_packets(std::size_t count, std::chrono::milliseconds timeout);
  // Sends `audio` as 20 ms packets of `payload_type` to the gateway's address,
  // paced in real time; returns when all are sent. Starts recording afresh
  // when `record` is set, so that offsets in recorded() count from the first
  // packet sent. `odd_late` sends every other packet that much after its
  // time, for a jitter the gateway should measure.
  void play(std::span<const std::byte> audio, int payload_type, bool record = true,
            std::chrono::milliseconds odd_late = std::chrono::milliseconds(0));
  // Sends one RFC 4733 event (start, 3 updates, 3 end packets).
  void send_digit(int event, int payload_type);

  [[nodiscard]] std::vector<ReceivedPacket> packets() const;
  // The payloads of `payload_type` since recording started, end to end.
  [[nodiscard]] std::vector<std::byte> recorded(int payload_type) const;
  [[nodiscard]] std::size_t packet_count() const;
  void clear();

 private:
  void receive_loop();
  void send_packet(int payload_type, bool marker, std::uint32_t timestamp,
                   std::span<const std::byte> payload);

  UniqueFd socket_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedPacket> packets_;  // guarded by mutex_
  std::optional<sockaddr_in> gateway_;   // guarded by mutex_
  std::uint16_t sequence_ = 1;
  std::uint32_t timestamp_ = 1000;
  std::thread receiver_;
};

}  // namespace gw::test
