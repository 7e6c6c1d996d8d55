#include "gateway/sip/source_filter.hpp"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace gw::sip {
namespace {

using dialplan::AddressBlock;
using dialplan::IpAddress;

constexpr std::uint32_t kAccept = 0xffffffffU;  // keep the whole packet
constexpr std::uint32_t kDrop = 0;
constexpr std::uint32_t kV4Source = 12;  // offsets in the IP header
constexpr std::uint32_t kV6Source = 8;

sock_filter statement(std::uint16_t code, std::uint32_t k) {
  return sock_filter{code, 0, 0, k};
}

sock_filter jump(std::uint16_t code, std::uint32_t k, std::uint8_t if_true, std::uint8_t if_false) {
  return sock_filter{code, if_true, if_false, k};
}

std::uint32_t word(const IpAddress& address, std::size_t index) {
  const auto* b = address.bytes.data() + index * 4;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

// The mask of word `index` under a prefix of `prefix` bits.
std::uint32_t word_mask(int prefix, std::size_t index) {
  const int bits = prefix - static_cast<int>(index) * 32;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffffU;
  return ~(0xffffffffU >> bits);
}

// Compares the source with `block` word by word; on a match the next
// instruction returns `verdict`, on a mismatch it is skipped.
void emit_block(std::vector<sock_filter>& out, const AddressBlock& block, std::uint32_t verdict) {
  const std::uint32_t base = block.base.v6 ? kV6Source : kV4Source;
  std::size_t words = 0;
  while (words < block.base.size() / 4 && word_mask(block.prefix, words) != 0) ++words;
  for (std::size_t i = 0; i < words; ++i) {
    const auto rest = static_cast<std::uint8_t>(3 * (words - 1 - i) + 1);  // to past the ret
    out.push_back(statement(BPF_LD | BPF_W | BPF_ABS,
                            static_cast<std::uint32_t>(SKF_NET_OFF) + base + 4 * i));
    out.push_back(statement(BPF_ALU | BPF_AND | BPF_K, word_mask(block.prefix, i)));
    out.push_back(
        jump(BPF_JMP | BPF_JEQ | BPF_K, word(block.base, i) & word_mask(block.prefix, i), 0, rest));
  }
  out.push_back(statement(BPF_RET | BPF_K, verdict));
}

// What an untrusted source held to challenges may send: an INVITE, and what
// its call needs once authenticated (its ACKs, BYE, CANCEL, PRACK). Never
// OPTIONS or REGISTER, which NUA would answer (405) for all to see.
constexpr std::array<std::string_view, 5> kChallengeableMethods = {"INVITE ", "ACK ", "BYE ",
                                                                   "CANCEL ", "PRACK "};

// Passes a datagram whose payload starts with one of those methods, drops
// the rest (a datagram too short to read is dropped by the kernel). Each
// method is compared in 4-, 2- and 1-byte loads; a mismatch jumps to the
// next method, the last match to the accept at the end.
void emit_method_check(std::vector<sock_filter>& out) {
  constexpr std::uint32_t kPayload = 8;  // past the UDP header
  struct Compare {
    std::uint16_t size;
    std::uint32_t offset;
    std::uint32_t value;
  };
  std::vector<std::vector<Compare>> methods;
  for (const std::string_view method : kChallengeableMethods) {
    std::vector<Compare> compares;
    for (std::uint32_t at = 0; at < method.size();) {
      const std::uint32_t left = static_cast<std::uint32_t>(method.size()) - at;
      const std::uint32_t width = left >= 4 ? 4 : left >= 2 ? 2 : 1;
      std::uint32_t value = 0;
      for (std::uint32_t i = 0; i < width; ++i) {
        value = (value << 8) | static_cast<unsigned char>(method[at + i]);
      }
      const std::uint16_t size = width == 4 ? BPF_W : width == 2 ? BPF_H : BPF_B;
      compares.push_back({size, kPayload + at, value});
      at += width;
    }
    methods.push_back(std::move(compares));
  }
  std::size_t total = 2;  // the drop and the accept
  for (const auto& compares : methods) total += 2 * compares.size();
  const std::size_t base = out.size();
  const std::size_t accept = base + total - 1;
  for (const auto& compares : methods) {
    const std::size_t next = out.size() + 2 * compares.size();
    for (std::size_t i = 0; i < compares.size(); ++i) {
      out.push_back(statement(BPF_LD | compares[i].size | BPF_ABS, compares[i].offset));
      const std::size_t here = out.size();
      const bool last = i + 1 == compares.size();
      out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, compares[i].value,
                         last ? static_cast<std::uint8_t>(accept - here - 1) : 0,
                         static_cast<std::uint8_t>(next - here - 1)));
    }
  }
  out.push_back(statement(BPF_RET | BPF_K, kDrop));
  out.push_back(statement(BPF_RET | BPF_K, kAccept));
}

void emit_family(std::vector<sock_filter>& out, const SourcePolicy& policy, bool v6,
                 bool datagram) {
  for (const auto& address : policy.locked) {
    if (address.v6 == v6) emit_block(out, AddressBlock::single(address), kDrop);
  }
  for (const auto& block : policy.trusted) {
    if (block.base.v6 == v6) emit_block(out, block, kAccept);
  }
  if (policy.others_pass && policy.others_invite_only && datagram) {
    emit_method_check(out);
  } else {
    out.push_back(statement(BPF_RET | BPF_K, policy.others_pass ? kAccept : kDrop));
  }
}

}  // namespace

std::vector<sock_filter> compile_source_filter(const SourcePolicy& policy, bool datagram) {
  std::vector<sock_filter> v4;
  std::vector<sock_filter> v6;
  emit_family(v4, policy, false, datagram);
  emit_family(v6, policy, true, datagram);
  std::vector<sock_filter> program;
  // The IP version is the first nibble of the network header.
  program.push_back(statement(BPF_LD | BPF_B | BPF_ABS, static_cast<std::uint32_t>(SKF_NET_OFF)));
  program.push_back(statement(BPF_ALU | BPF_RSH | BPF_K, 4));
  program.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 1));
  program.push_back(statement(BPF_JMP | BPF_JA, static_cast<std::uint32_t>(v4.size())));
  program.insert(program.end(), v4.begin(), v4.end());
  program.insert(program.end(), v6.begin(), v6.end());
  if (program.size() > BPF_MAXINSNS) return {};
  return program;
}

std::string attach_source_filter(int fd, const std::vector<sock_filter>& program) {
  if (program.empty()) return "the trust list is too long for a socket filter";
  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   const_cast<sock_filter*>(program.data())};  // NOLINT: the kernel only reads it
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    return "SO_ATTACH_FILTER: " + std::error_code(errno, std::generic_category()).message();
  }
  return {};
}

std::vector<int> sip_sockets(int port) {
  std::vector<int> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    const auto [end, failed] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (failed != std::errc() || end != name.data() + name.size()) continue;
    int type = 0;
    socklen_t size = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0) continue;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      continue;
    }
    int bound_port = -1;
    if (local.ss_family == AF_INET) {
      bound_port = ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
    } else if (local.ss_family == AF_INET6) {
      bound_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
    }
    if (bound_port != port) continue;
    int listening = 0;
    size = sizeof listening;
    ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size);
    if (type == SOCK_DGRAM || (type == SOCK_STREAM && listening != 0)) {
      found.push_back(fd);
    }
  }
  return found;
}

std::uint64_t dropped_packets(const std::vector<int>& sockets) {
  std::uint64_t dropped = 0;
  for (const int fd : sockets) {
    std::array<std::uint32_t, SK_MEMINFO_VARS> meminfo{};
    socklen_t size = sizeof meminfo;
    if (::getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo.data(), &size) == 0) {
      dropped += meminfo[SK_MEMINFO_DROPS];
    }
  }
  return dropped;
}

}  // namespace gw::sip
