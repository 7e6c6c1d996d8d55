#pragma once
// A call's trace as a pcapng file Wireshark opens: its SIP messages and
// its first RTP packets as UDP datagrams between the gateway's addresses
// and the peer (interface 0, raw IP; Wireshark finds the RTP from the SDP), and its Q.931 messages
// in their LAPD frames (interface 1, LINKTYPE_LINUX_LAPD, with the direction and which side is the
// network).

#include <string>

#include "gateway/app/call_trace_store.hpp"

namespace gw::app {

struct CaptureEnds {
  std::string sip_address;  // the gateway's, "127.0.0.1" or an IPv6 address
  int sip_port = 5060;
  std::string rtp_address;    // the gateway's RTP address
  bool network_side = false;  // the gateway is the network end of the span
};

[[nodiscard]] std::string call_pcapng(const CallTrace& trace, const CaptureEnds& ends);

}  // namespace gw::app
