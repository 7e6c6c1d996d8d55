#pragma once
// The audio session of a call in the project's own terms (RFC 4566 reduced to
// what a G.711 gateway uses), and SDP offer/answer over it (RFC 3264). Pure:
// gateway/sip turns SDP text into a SessionDescription with Sofia-SIP's
// parser and back; everything else speaks these types.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gw::media {

enum class Direction : std::uint8_t { sendrecv, sendonly, recvonly, inactive };

[[nodiscard]] const char* to_string(Direction direction) noexcept;
// What the other side answers to `offered` (sendonly <-> recvonly).
[[nodiscard]] Direction reverse(Direction offered) noexcept;

// One payload format of the m= line: static 0 (PCMU) and 8 (PCMA), or a
// dynamic one from its a=rtpmap (telephone-event/8000, say).
struct PayloadFormat {
  int payload_type = 0;
  std::string encoding;  // as in rtpmap, e.g. "PCMU", "telephone-event"; upper/lower as received
  int clock_rate = 8000;
  std::string fmtp;  // a=fmtp parameters, e.g. "0-15"; empty when none
  friend bool operator==(const PayloadFormat&, const PayloadFormat&) = default;
};

// The first audio stream of an SDP body (further streams are kept only so
// that an answer can reject them with port 0, as RFC 3264 6 requires).
struct SessionDescription {
  std::string origin_user = "-";
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string origin_address;      // o= unicast address
  std::string connection_address;  // c= of the audio stream (media level, else session level)
  bool ipv6 = false;               // IN IP6
  std::uint16_t audio_port = 0;    // 0: the audio stream is rejected or absent
  std::string audio_protocol = "RTP/AVP";
  std::vector<PayloadFormat> formats;  // in the m= line's order (preference)
  Direction direction = Direction::sendrecv;
  std::optional<int> ptime_ms;
  // Other m= lines (video, image...), as "media proto" with their own port;
  // an answer repeats them with port 0.
  struct OtherStream {
    std::string media;
    std::string protocol;
    std::string formats;  // the m= line's format list, verbatim
    friend bool operator==(const OtherStream&, const OtherStream&) = default;
  };
  std::vector<OtherStream> other_streams;

  // c=0.0.0.0 (RFC 2543 hold, as the service examples' Call Hold uses) or
  // a=sendonly/inactive: the far end does not want our audio.
  [[nodiscard]] bool holds_us() const noexcept;
  friend bool operator==(const SessionDescription&, const SessionDescription&) = default;
};

enum class Codec : std::uint8_t { pcmu, pcma };
[[nodiscard]] const char* to_string(Codec codec) noexcept;
[[nodiscard]] constexpr int static_payload_type(Codec codec) noexcept {
  return codec == Codec::pcmu ? 0 : 8;
}

// What this gateway offers and accepts, in preference order.
struct MediaCapabilities {
  std::vector<Codec> codecs{Codec::pcmu, Codec::pcma};
  bool telephone_event = true;
  int telephone_event_payload_type = 101;  // used in our offers
  int ptime_ms = 20;
};

// Where our RTP is: address for c= and o=, port for m=.
struct LocalEndpoint {
  std::string address;
  std::uint16_t port = 0;
};

// The media both sides agreed on, as the RTP session needs it.
struct NegotiatedMedia {
  Codec codec = Codec::pcmu;
  int payload_type = 0;
  std::optional<int> telephone_event_payload_type;  // the peer's number for it, when agreed
  std::string remote_address;                       // "0.0.0.0" when the peer holds
  std::uint16_t remote_port = 0;
  bool send = true;     // we may send RTP to the peer
  bool receive = true;  // the peer may send RTP to us
  int ptime_ms = 20;
  friend bool operator==(const NegotiatedMedia&, const NegotiatedMedia&) = default;
};

struct Rejection {
  std::string reason;  // for the 488 warning text / the log
};

struct Answer {
  SessionDescription sdp;  // what we send back
  NegotiatedMedia media;   // what the RTP session does
};

// Our own origin: session id fixed for a call, version bumped by each new
// description we send (RFC 3264 8).
struct Origin {
  std::uint64_t session_id = 0;
  std::uint64_t version = 0;
};

// Answers a peer's offer: the first of the offer's formats we support (the
// offerer's preference, RFC 3264 6.1), telephone-event when offered, the
// reverse direction, other streams rejected with port 0. Rejection when no
// audio stream or no common codec (the caller answers 488). Bumps
// origin.version.
[[nodiscard]] std::variant<Answer, Rejection> answer_offer(
    const SessionDescription& offer, const MediaCapabilities& capabilities,
    const LocalEndpoint& local, Origin& origin, Direction local_wish = Direction::sendrecv);

// Our offer (delayed offer: sent in the 200 OK, answered in the ACK). Bumps
// origin.version.
[[nodiscard]] SessionDescription make_offer(const MediaCapabilities& capabilities,
                                            const LocalEndpoint& local, Origin& origin);

// Checks the peer's answer against our offer: it must pick one of our codecs
// and keep the stream. Rejection says why otherwise.
[[nodiscard]] std::variant<NegotiatedMedia, Rejection> accept_answer(
    const SessionDescription& our_offer, const SessionDescription& answer);

}  // namespace gw::media
