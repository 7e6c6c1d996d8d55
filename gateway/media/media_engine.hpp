#pragma once
// RTP/RTCP sessions bridged to B-channels, on media worker threads. The
// control thread owns the calls and talks to the engine only through this
// class; each session lives on one worker (io_context thread) and never
// touches signalling state. The TDM side clocks the audio: every 20 ms block
// read from the B-channel goes out as one RTP packet, and one 20 ms frame is
// taken from the jitter buffer and written to the B-channel.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "drivers/tdm/layout.hpp"
#include "drivers/tdm/span.hpp"
#include "gateway/media/rtp_capture.hpp"
#include "gateway/media/sdp.hpp"

namespace gw::media {

struct MediaConfig {
  std::string bind_address = "127.0.0.1";  // where RTP sockets bind, and our SDP c=
  std::uint16_t port_min = 16384;          // RTP on even ports, RTCP on the next odd one
  std::uint16_t port_max = 32767;
  int workers = 2;
  int jitter_target_ms = 40;  // playout delay the jitter buffer aims at
  int jitter_max_ms = 200;    // beyond this, late audio is dropped and the buffer re-centres
};

using SessionId = std::uint64_t;

// Counters of one session, read from the control thread (a snapshot).
struct SessionStats {
  std::uint64_t rtp_sent = 0;
  std::uint64_t rtp_received = 0;
  std::uint64_t rtp_lost = 0;       // gaps in the peer's sequence numbers
  std::uint64_t late_dropped = 0;   // arrived after their playout time
  std::uint64_t concealed = 0;      // 20 ms frames played out with nothing received
  std::uint64_t dtmf_received = 0;  // RFC 4733 events played to the B-channel
  std::uint64_t dtmf_sent = 0;      // in-band digits detected and sent as RFC 4733
  std::uint64_t rtcp_sent = 0;      // sender reports
  std::uint64_t rtcp_received = 0;  // compound RTCP packets from the peer (counted, not read)
  double jitter_ms = 0.0;           // the peer's interarrival jitter (RFC 3550 6.4.1)
  bool srtp = false;                // RTP and RTCP are SRTP and SRTCP (RFC 3711)
  // SRTP packets dropped unplayed: their authentication tag did not match
  // (forged, corrupted, another key, plain RTP), or their index was seen
  // before or is too old for the replay window (SRTCP's replays too).
  std::uint64_t srtp_auth_failed = 0;
  std::uint64_t srtp_replayed = 0;
  // SRTCP packets that failed authentication, apart: some peers send their
  // last RTCP BYE in clear as they hang up (baresip 1.0 does).
  std::uint64_t srtcp_auth_failed = 0;
};

// What a session reports back; called on the control thread's executor the
// engine was given (never on a worker).
struct SessionEvents {
  std::function<void(char digit)> on_dtmf;  // from either side, for the log
};

class MediaEngine {
 public:
  // Starts the workers. `post_to_control` runs a closure on the control thread;
  // the workers call it, so it must be safe to call from any thread.
  MediaEngine(MediaConfig config, std::function<void(std::function<void()>)> post_to_control);
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;
  ~MediaEngine();  // stops every session and joins the workers

  // Binds an RTP/RTCP port pair from the range (control thread). The session
  // receives nothing until start(). Error when the range is exhausted.
  std::optional<SessionId> allocate(std::error_code& error);
  [[nodiscard]] LocalEndpoint local_endpoint(SessionId id) const;

  // Starts the audio between the RTP peer and the B-channel: codec and
  // payload types from `media`, law conversion to the span's `law`.
  // Symmetric RTP: once the peer's packets arrive, replies go to where they
  // come from.
  void start(SessionId id, const NegotiatedMedia& media, std::unique_ptr<tdm::Channel> bearer,
             tdm::Law law, SessionEvents events = {});
  // A new offer/answer on the call (re-INVITE): hold, resume, new address.
  // With media.send false, no audio goes to the peer.
  void update(SessionId id, const NegotiatedMedia& media);
  // Stops the session: its worker closes its sockets and its B-channel soon
  // after; release() does not wait for that. Any time after allocate(),
  // started or not.
  void release(SessionId id);

  // Whether start() gave the session its B-channel (an allocated session
  // only holds its ports).
  [[nodiscard]] bool started(SessionId id) const;
  [[nodiscard]] std::optional<SessionStats> stats(SessionId id) const;
  // The session's first RTP packets both ways (see RtpCapture); call
  // before release().
  [[nodiscard]] std::vector<CapturedPacket> captured(SessionId id) const;
  [[nodiscard]] std::size_t session_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::media
