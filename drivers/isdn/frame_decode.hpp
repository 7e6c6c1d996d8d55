#pragma once
// Each D-channel frame with libpri's own text decode of its Q.931 message,
// for call traces ("Cause (len= 4) [ Ext: 1  Coding: CCITT ... 17: User
// busy"). libpri has no call that decodes a frame it is handed; it writes
// the decode (PRI_DEBUG_Q931_DUMP) through its message callback, right
// after it reads or writes the frame and within the same call into libpri.
// So the lines that follow a Q.931 frame are its decode, up to the next
// Q.931 frame, or up to libpri's note of a message it is about to queue
// ("> DL-DATA request" and that message's header: not a frame yet). Every
// line of a decode starts with '<' (received) or '>' (sent); libpri's other
// output (errors "!!", state "--") is not part of one.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::isdn {

struct DChannelFrame {
  std::chrono::system_clock::time_point time;  // read or written
  bool sent = false;
  std::vector<std::byte> bytes;  // the LAPD frame, without its FCS
  std::string decoded;           // libpri's decode of its Q.931 message; empty: none
};

class FrameDecodeJoiner {
 public:
  using Sink = std::function<void(const DChannelFrame&)>;
  explicit FrameDecodeJoiner(Sink sink) : sink_(std::move(sink)) {}

  // A frame read or written now; held until flush().
  void frame(bool sent, std::span<const std::byte> bytes);
  // One piece of libpri's message output (a line, or part of one). True when
  // it belongs to a decode, which is not for the log.
  bool text(std::string_view piece);
  // Gives out the held frames, in order. The span calls it once libpri has
  // returned, when no more of their decode can come.
  void flush();

 private:
  Sink sink_;
  std::vector<DChannelFrame> held_;
  std::optional<std::size_t> open_;  // the held frame whose decode is coming
  bool at_line_start_ = true;
  bool line_is_decode_ = false;
  bool in_announcement_ = false;  // "DL-DATA request" lines: no frame's
};

}  // namespace gw::isdn
