#include "gateway/app/pcapng.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace gw::app {
namespace {

constexpr std::uint16_t kLinktypeRaw = 101;
constexpr std::uint16_t kLinktypeLinuxLapd = 177;
constexpr std::uint16_t kArphrdLapd = 8445;
constexpr std::uint16_t kEthPLapd = 0x0030;

// pcapng is written in the writer's byte order (the section header's magic
// says which); these append little- and big-endian (network) integers.
void le16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>(value >> 8);
}
void le32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((value >> shift) & 0xff);
}
void be16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value & 0xff);
}

void block(std::string& out, std::uint32_t type, const std::string& body) {
  std::string padded = body;
  padded.resize((padded.size() + 3) / 4 * 4, '\0');
  const auto length = static_cast<std::uint32_t>(padded.size() + 12);
  le32(out, type);
  le32(out, length);
  out += padded;
  le32(out, length);
}

void section_header(std::string& out) {
  std::string body;
  le32(body, 0x1a2b3c4d);  // byte-order magic
  le16(body, 1);           // version 1.0
  le16(body, 0);
  le32(body, 0xffffffff);  // section length unknown
  le32(body, 0xffffffff);
  block(out, 0x0a0d0d0a, body);
}

void interface(std::string& out, std::uint16_t linktype) {
  std::string body;
  le16(body, linktype);
  le16(body, 0);
  le32(body, 0);  // no snap length
  block(out, 0x00000001, body);
}

void packet(std::string& out, std::uint32_t interface_id, std::int64_t time_us,
            const std::string& data) {
  std::string body;
  le32(body, interface_id);
  const auto time = static_cast<std::uint64_t>(time_us);  // microseconds: the default resolution
  le32(body, static_cast<std::uint32_t>(time >> 32));
  le32(body, static_cast<std::uint32_t>(time & 0xffffffff));
  le32(body, static_cast<std::uint32_t>(data.size()));
  le32(body, static_cast<std::uint32_t>(data.size()));
  body += data;
  block(out, 0x00000006, body);
}

std::uint16_t ip_checksum(const std::string& header) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < header.size(); i += 2) {
    sum += (static_cast<std::uint8_t>(header[i]) << 8) | static_cast<std::uint8_t>(header[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// An IPv4 or IPv6 packet with a UDP datagram carrying `payload` (UDP
// checksum 0: "none", which IPv4 allows and Wireshark accepts for IPv6).
std::string udp_packet(const std::string& from, int from_port, const std::string& to, int to_port,
                       const std::string& payload) {
  std::string udp;
  be16(udp, static_cast<std::uint16_t>(from_port));
  be16(udp, static_cast<std::uint16_t>(to_port));
  be16(udp, static_cast<std::uint16_t>(payload.size() + 8));
  be16(udp, 0);
  udp += payload;
  std::array<unsigned char, 16> source{};
  std::array<unsigned char, 16> destination{};
  if (::inet_pton(AF_INET, from.c_str(), source.data()) == 1 &&
      ::inet_pton(AF_INET, to.c_str(), destination.data()) == 1) {
    std::string ip;
    ip += '\x45';
    ip += '\0';
    be16(ip, static_cast<std::uint16_t>(20 + udp.size()));
    be16(ip, 0);
    be16(ip, 0x4000);  // don't fragment
    ip += '\x40';      // TTL 64
    ip += '\x11';      // UDP
    be16(ip, 0);
    ip.append(reinterpret_cast<const char*>(source.data()), 4);
    ip.append(reinterpret_cast<const char*>(destination.data()), 4);
    const std::uint16_t checksum = ip_checksum(ip);
    ip[10] = static_cast<char>(checksum >> 8);
    ip[11] = static_cast<char>(checksum & 0xff);
    return ip + udp;
  }
  (void)::inet_pton(AF_INET6, from.c_str(), source.data());
  (void)::inet_pton(AF_INET6, to.c_str(), destination.data());
  std::string ip;
  le32(ip, 0x00000060);  // version 6, no traffic class or flow label
  be16(ip, static_cast<std::uint16_t>(udp.size()));
  ip += '\x11';
  ip += '\x40';
  ip.append(reinterpret_cast<const char*>(source.data()), 16);
  ip.append(reinterpret_cast<const char*>(destination.data()), 16);
  return ip + udp;
}

// Linux's LAPD "cooked" header: direction, type, and the network-side flag.
std::string lapd_packet(bool sent, bool network_side, const std::string& frame) {
  std::string out;
  be16(out, sent ? 4 : 0);  // PACKET_OUTGOING or PACKET_HOST
  be16(out, kArphrdLapd);
  be16(out, 1);
  out += static_cast<char>(network_side ? 1 : 0);
  out.append(7, '\0');
  be16(out, kEthPLapd);
  return out + frame;
}

}  // namespace

std::string call_pcapng(const CallTrace& trace, const CaptureEnds& ends) {
  std::string out;
  section_header(out);
  interface(out, kLinktypeRaw);
  interface(out, kLinktypeLinuxLapd);
  // Every packet with its interface, merged in time order.
  struct Captured {
    std::int64_t time_us;
    std::uint32_t interface_id;
    std::string data;
  };
  std::vector<Captured> all;
  for (const auto& message : trace.messages) {
    if (message.sip) {
      all.push_back({message.time_us, 0,
                     message.sent
                         ? udp_packet(ends.sip_address, ends.sip_port, message.peer_address,
                                      message.peer_port, message.content)
                         : udp_packet(message.peer_address, message.peer_port, ends.sip_address,
                                      ends.sip_port, message.content)});
    } else {
      all.push_back(
          {message.time_us, 1, lapd_packet(message.sent, ends.network_side, message.content)});
    }
  }
  for (const auto& rtp : trace.rtp) {
    all.push_back({rtp.time_us, 0,
                   rtp.sent ? udp_packet(ends.rtp_address, rtp.local_port, rtp.peer_address,
                                         rtp.peer_port, rtp.bytes)
                            : udp_packet(rtp.peer_address, rtp.peer_port, ends.rtp_address,
                                         rtp.local_port, rtp.bytes)});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.time_us < b.time_us; });
  for (const auto& item : all) packet(out, item.interface_id, item.time_us, item.data);
  return out;
}

}  // namespace gw::app
