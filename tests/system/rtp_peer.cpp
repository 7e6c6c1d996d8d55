#include "tests/system/rtp_peer.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gw::test {
namespace {

constexpr std::size_t kHeader = 12;
constexpr std::uint32_t kSsrc = 0x5e5e5e5e;

}  // namespace

RtpPeer::RtpPeer() : socket_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!socket_ || ::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("rtp peer: cannot bind a UDP socket on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  receiver_ = std::thread([this] { receive_loop(); });
}

RtpPeer::~RtpPeer() {
  stopping_ = true;
  receiver_.join();
}

void RtpPeer::receive_loop() {
  std::vector<std::byte> buffer(2048);
  while (!stopping_) {
    pollfd wait{socket_.get(), POLLIN, 0};
    if (::poll(&wait, 1, 50) <= 0) continue;
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const auto got = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), 0,
                                reinterpret_cast<sockaddr*>(&from), &length);
    if (got < static_cast<ssize_t>(kHeader)) continue;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(buffer.data());
    if ((bytes[0] >> 6) != 2) continue;
    ReceivedPacket packet;
    packet.arrival = std::chrono::steady_clock::now();
    packet.marker = (bytes[1] & 0x80) != 0;
    packet.payload_type = bytes[1] & 0x7f;
    packet.sequence = static_cast<std::uint16_t>((bytes[2] << 8) | bytes[3]);
    packet.timestamp = (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) |
                       (std::uint32_t{bytes[6]} << 8) | bytes[7];
    const std::size_t header = kHeader + std::size_t{4} * (bytes[0] & 0x0fU);
    if (static_cast<std::size_t>(got) < header) continue;
    packet.payload.assign(buffer.begin() + static_cast<std::ptrdiff_t>(header),
                          buffer.begin() + got);
    const std::lock_guard lock(mutex_);
    if (!gateway_) gateway_ = from;
    packets_.push_back(std::move(packet));
  }
}

bool RtpPeer::wait_for_packets(std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (packet_count() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return packet_count() >= count;
}

void RtpPeer::send_packet(int payload_type, bool marker, std::uint32_t timestamp,
                          std::span<const std::byte> payload) {
  std::optional<sockaddr_in> to;
  {
    const std::lock_guard lock(mutex_);
    to = gateway_;
  }
  if (!to) throw std::runtime_error("rtp peer: the gateway has sent nothing to answer to");
  std::vector<std::uint8_t> packet(kHeader + payload.size());
  packet[0] = 0x80;
  packet[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | payload_type);
  packet[2] = static_cast<std::uint8_t>(sequence_ >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence_);
  ++sequence_;
  for (int i = 0; i < 4; ++i) {
    packet[4 + i] = static_cast<std::uint8_t>(timestamp >> (24 - 8 * i));
    packet[8 + i] = static_cast<std::uint8_t>(kSsrc >> (24 - 8 * i));
  }
  std::memcpy(packet.data() + kHeader, payload.data(), payload.size());
  ::sendto(socket_.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&*to),
           sizeof *to);
}

void RtpPeer::play(std::span<const std::byte> audio, int payload_type, bool record,
                   std::chrono::milliseconds odd_late) {
  if (record) clear();
  auto due = std::chrono::steady_clock::now();
  bool odd = false;
  for (std::size_t at = 0; at < audio.size(); at += 160) {
    std::this_thread::sleep_until(odd ? due + odd_late : due);
    const auto frame = audio.subspan(at, std::min<std::size_t>(160, audio.size() - at));
    send_packet(payload_type, at == 0, timestamp_, frame);
    timestamp_ += 160;
    due += std::chrono::milliseconds(20);
    odd = !odd;
  }
  std::this_thread::sleep_until(due);
}

void RtpPeer::send_digit(int event, int payload_type) {
  // RFC 4733 2.5: the same timestamp throughout, duration growing, E bit on the last 3.
  const std::uint32_t start = timestamp_;
  for (int i = 1; i <= 7; ++i) {
    const bool end = i >= 5;
    const int duration = std::min(i, 5) * 160;
    const std::byte payload[4] = {
        static_cast<std::byte>(event), static_cast<std::byte>((end ? 0x80 : 0) | 10),
        static_cast<std::byte>(duration >> 8), static_cast<std::byte>(duration & 0xff)};
    send_packet(payload_type, i == 1, start, payload);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  timestamp_ += 5 * 160;
}

std::vector<ReceivedPacket> RtpPeer::packets() const {
  const std::lock_guard lock(mutex_);
  return packets_;
}

std::size_t RtpPeer::packet_count() const {
  const std::lock_guard lock(mutex_);
  return packets_.size();
}

std::vector<std::byte> RtpPeer::recorded(int payload_type) const {
  const std::lock_guard lock(mutex_);
  std::vector<std::byte> audio;
  audio.reserve(packets_.size() * 160);
  for (const auto& packet : packets_) {
    if (packet.payload_type == payload_type)
      audio.insert(audio.end(), packet.payload.begin(), packet.payload.end());
  }
  return audio;
}

void RtpPeer::clear() {
  const std::lock_guard lock(mutex_);
  packets_.clear();
}

}  // namespace gw::test
