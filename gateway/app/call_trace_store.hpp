#pragma once
// Call traces: every SIP message the gateway sent or received, and every
// Q.931 message on its D-channels, in DATA_DIR/calls.db beside the call
// records, so that a call's ladder diagram and pcap can be had after it
// ended. A call's SIP messages are those with its Call-ID; its Q.931
// messages those on its span with its call reference, from a little before
// its start to a little after its end; its RTP the first packets each way
// its media session kept. The newest 200,000 rows of each kind are kept.
// Control thread only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/isdn/frame_decode.hpp"
#include "gateway/core/call_bridge.hpp"
#include "gateway/sip/wire_log.hpp"

namespace gw::sqlite {
class Database;
}

namespace gw::app {

struct TracedMessage {
  std::int64_t time_us = 0;  // microseconds since the epoch
  bool sip = true;           // else Q.931
  bool sent = false;         // by the gateway
  std::string summary;       // "INVITE", "180 Ringing", "SETUP"
  std::string peer;          // SIP: "udp 127.0.0.1:5061"; Q.931: the span
  std::string peer_address;  // SIP only
  int peer_port = 0;         // SIP only
  std::string transport;     // SIP only
  std::string content;       // SIP: the message text; Q.931: the LAPD frame's octets
  std::string decoded;       // Q.931: libpri's decode of the message; empty: none
};

struct CallTrace {
  std::string call_id;
  std::string span;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  std::vector<TracedMessage> messages;     // in time order
  std::vector<media::CapturedPacket> rtp;  // its first RTP packets both ways
};

class CallTraceStore {
 public:
  // Opens (creating) `path`; throws std::runtime_error naming it.
  explicit CallTraceStore(const std::string& path);
  CallTraceStore(const CallTraceStore&) = delete;
  CallTraceStore& operator=(const CallTraceStore&) = delete;
  ~CallTraceStore();

  void add_sip(const sip::WireMessage& message);
  // A D-channel frame on `span`; kept only when it carries a Q.931 message
  // of a call (not the global call reference's RESTARTs).
  void add_frame(const std::string& span, const isdn::DChannelFrame& frame);
  // Files a finished call's span and call reference under its Call-ID.
  void add_call(const core::CallRecord& record);
  // A call's first RTP packets (media::RtpCapture), in one transaction.
  void add_rtp(const std::string& call_id, const std::vector<media::CapturedPacket>& packets);
  // The trace of the newest call with `call_id`; nullopt: no such call.
  [[nodiscard]] std::optional<CallTrace> trace(const std::string& call_id) const;

 private:
  void prune(const char* table);
  void read_sip(CallTrace& trace) const;
  void read_q931(CallTrace& trace, int call_reference) const;
  void read_rtp(CallTrace& trace) const;
  std::unique_ptr<sqlite::Database> db_;
  std::size_t inserts_ = 0;
};

}  // namespace gw::app
