#pragma once
// Every SIP message the stack sends or receives, as it went on the wire, for
// call traces (the ladder diagram and the pcap of a call). Sofia's tport
// module prints each message through su_log when TPTAG_LOG is on: a stamp
// line ("send 512 bytes to udp/[127.0.0.1]:5061 at 10:04:05.123456:") and a
// separator in one call, the message's lines indented by three spaces (CR
// and LF dropped), and a separator. WireLogAssembler puts the messages back
// together from those fragments; other log text is passed on as lines.
// The separators are told apart by su_log's format string, not by their
// text, so a message line of dashes stays part of its message.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace gw::sip {

struct WireMessage {
  std::chrono::system_clock::time_point time;
  bool sent = false;
  std::string transport;  // "udp", "tcp"
  std::string peer_address;
  int peer_port = 0;
  std::string text;  // the message with CRLF line ends
  // Read back by Sofia's parser: its Call-ID, and "INVITE" or "180 Ringing".
  std::string call_id;
  std::string summary;
};

// An SDP line with its SRTP master keys (RFC 4568 `inline:`) starred out,
// the length kept so that Content-Length still holds: traces, ladders and
// pcaps are kept and shared, and a call's keys must not be in them.
// Any other line comes back as it is.
[[nodiscard]] std::string without_sdes_keys(std::string_view line);

class WireLogAssembler {
 public:
  using MessageSink = std::function<void(WireMessage)>;
  using LineSink = std::function<void(std::string_view)>;
  WireLogAssembler(MessageSink on_message, LineSink on_other_line);

  // One su_log call's text.
  void feed(std::string_view text);
  // A separator line of tport's, after the text its format put before it
  // (the stamp line, or the end of the message's last line) was fed.
  void separator();

 private:
  void line(std::string_view text);
  bool start(std::string_view stamp);

  MessageSink on_message_;
  LineSink on_other_line_;
  std::string pending_;  // text after the last newline
  enum class State { outside, header_separator, body } state_ = State::outside;
  WireMessage message_;
};

// True for tport's separator format ("%s   ---...---\n"): its one argument
// is the text before the separator line.
[[nodiscard]] bool is_separator_format(std::string_view format);

}  // namespace gw::sip
