#pragma once
// The first RTP packets of a session, both ways, for the call's pcap: the
// worker appends (it alone writes), the control thread reads what was
// published. Slots are filled once and never changed, and `count` is
// stored after a slot is written (release) and loaded before reading
// (acquire), so the reader needs no lock and the worker never waits.
// 500 packets is five seconds of 20 ms audio in each direction.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gw::media {

struct CapturedPacket {
  std::int64_t time_us = 0;  // since the epoch
  bool sent = false;         // by the gateway
  std::string peer_address;
  std::uint16_t peer_port = 0;
  std::uint16_t local_port = 0;
  std::string bytes;  // the whole RTP packet
};

class RtpCapture {
 public:
  static constexpr std::size_t kCapacity = 500;
  RtpCapture() { slots_.resize(kCapacity); }

  // Worker thread only. Drops the packet once the capture is full.
  void add(bool sent, const std::string& peer_address, std::uint16_t peer_port,
           std::uint16_t local_port, std::span<const std::byte> packet) {
    const std::size_t at = count_.load(std::memory_order_relaxed);
    if (at == kCapacity) return;
    CapturedPacket& slot = slots_[at];
    slot.time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    slot.sent = sent;
    slot.peer_address = peer_address;
    slot.peer_port = peer_port;
    slot.local_port = local_port;
    slot.bytes.assign(reinterpret_cast<const char*>(packet.data()), packet.size());
    count_.store(at + 1, std::memory_order_release);
  }

  // Worker thread: whether add() would drop (checked first, so that a
  // full capture costs the packet path nothing).
  [[nodiscard]] bool full() const noexcept {
    return count_.load(std::memory_order_relaxed) == kCapacity;
  }

  // Any thread: the packets published so far.
  [[nodiscard]] std::vector<CapturedPacket> packets() const {
    const std::size_t published = count_.load(std::memory_order_acquire);
    return {slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(published)};
  }

 private:
  std::vector<CapturedPacket> slots_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace gw::media
