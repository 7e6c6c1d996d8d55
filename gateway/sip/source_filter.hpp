#pragma once
// Drops SIP from untrusted sources in the kernel, before Sofia-SIP reads
// it: a classic BPF socket filter on the SIP stack's UDP socket and TCP
// listening sockets. NUA answers an INVITE with 100 Trying before the
// application hears of it, and Debian's Sofia-SIP has no public hook ahead
// of that, so "nothing goes out" has to be decided below the stack. A
// TCP connection from a dropped source never completes its handshake.
//
// The filter reads the packet's IP source (SKF_NET_OFF): locked-out
// addresses are dropped first, then trusted blocks pass, and everything
// else passes or is dropped as `others_pass` says. On a UDP socket, others
// that pass only to be challenged may be held to INVITE and what a call
// needs (ACK, BYE, CANCEL, PRACK; read from the datagram's first bytes): a
// scanner's OPTIONS or REGISTER then gets nothing, where NUA would answer
// 405 itself.

#include <linux/filter.h>

#include <string>
#include <vector>

#include "dialplan/address_block.hpp"

namespace gw::sip {

struct SourcePolicy {
  std::vector<dialplan::AddressBlock> trusted;
  std::vector<dialplan::IpAddress> locked;  // dropped even when others pass
  // Untrusted sources reach the stack (to be challenged or refused with a
  // 403) instead of being dropped.
  bool others_pass = false;
  // With others_pass, on datagram sockets: only requests that start
  // "INVITE ", "ACK ", "BYE ", "CANCEL " or "PRACK " pass.
  bool others_invite_only = false;
  friend bool operator==(const SourcePolicy&, const SourcePolicy&) = default;
};

// The filter program; empty when the policy does not fit the kernel's limit
// of BPF_MAXINSNS instructions. `datagram`: for a UDP socket, whose packet
// data starts at the UDP header (so its payload at 8).
[[nodiscard]] std::vector<sock_filter> compile_source_filter(const SourcePolicy& policy,
                                                             bool datagram = false);

// Attaches (or replaces) the filter on `fd`; an empty string when done,
// else why not.
[[nodiscard]] std::string attach_source_filter(int fd, const std::vector<sock_filter>& program);

// The process's sockets that take SIP on `port`: UDP sockets bound to it and
// TCP sockets listening on it (found in /proc/self/fd).
[[nodiscard]] std::vector<int> sip_sockets(int port);

// What the kernel dropped on these sockets since they were made
// (SO_MEMINFO's drops: the filter's, and any for a full receive buffer).
// The filter's drops leave no trace above the kernel: this count is all an
// operator can see of them.
[[nodiscard]] std::uint64_t dropped_packets(const std::vector<int>& sockets);

}  // namespace gw::sip
