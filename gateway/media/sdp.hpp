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

#include "drivers/srtp/srtp_context.hpp"

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

// One a=crypto line of the audio stream (RFC 4568 9.1), as written: an SDES
// key the writer will send with, under the suite it names.
struct CryptoAttribute {
  int tag = 0;
  std::string suite;           // "AES_CM_128_HMAC_SHA1_80"
  std::string key_params;      // "inline:BASE64KEY[|LIFETIME][|MKI:LENGTH]", ';' between keys
  std::string session_params;  // what follows, verbatim; empty: none
  friend bool operator==(const CryptoAttribute&, const CryptoAttribute&) = default;
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
  std::vector<CryptoAttribute> crypto;  // in the m= section's order (preference)
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

// SRTP agreed by SDES (RFC 4568): each side sends with the key it wrote in
// its own a=crypto line, under the one suite both lines name.
struct SrtpKeys {
  srtp::Suite suite = srtp::Suite::aes_cm_128_hmac_sha1_80;
  std::string send_key;     // ours: master key and salt, srtp::kMasterKeyBytes
  std::string receive_key;  // the peer's
  friend bool operator==(const SrtpKeys&, const SrtpKeys&) = default;
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
  std::optional<SrtpKeys> srtp;  // nullopt: plain RTP
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

// A SIP peer's media_encryption setting: plain RTP only; SRTP when the
// peer offers or accepts it ("best effort"); SRTP or no call.
enum class Encryption : std::uint8_t { none, optional, required };
[[nodiscard]] const char* to_string(Encryption encryption) noexcept;

// What a call's offer/answer may do about SRTP.
struct MediaSecurity {
  Encryption encryption = Encryption::none;  // the peer's setting
  // The SDP travels over TLS. SDES keys are in the SDP's clear text, so
  // without it (UDP, TCP) a=crypto lines are neither read nor written
  // (RFC 4568 8.3): an offer's crypto counts as absent.
  bool secure_signalling = false;
  // Our master key and salt for this call (srtp::kMasterKeyBytes from a
  // CSPRNG), written in our a=crypto line whenever SRTP is agreed.
  std::string local_key;
};

// Whether an offer of ours can satisfy the peer's setting: a peer that
// requires SRTP needs TLS to carry the key.
[[nodiscard]] bool can_offer(const MediaSecurity& security) noexcept;

// Answers a peer's offer: the first of the offer's formats we support (the
// offerer's preference, RFC 3264 6.1), telephone-event when offered, the
// reverse direction, other streams rejected with port 0. Rejection when no
// audio stream or no common codec (the caller answers 488). SRTP: the
// first a=crypto line of the offer with a suite and key we take, answered
// with the same tag and suite and security.local_key (RTP/SAVP stays
// RTP/SAVP; crypto in an RTP/AVP offer is answered in kind, the common
// "best effort" SRTP); Rejection when security.encryption requires SRTP and
// there is none to take, and for RTP/SAVP without SRTP. Bumps
// origin.version.
[[nodiscard]] std::variant<Answer, Rejection> answer_offer(
    const SessionDescription& offer, const MediaCapabilities& capabilities,
    const LocalEndpoint& local, Origin& origin, Direction local_wish = Direction::sendrecv,
    const MediaSecurity& security = {});

// Our offer (delayed offer: sent in the 200 OK, answered in the ACK). With
// security.encryption optional or required and secure signalling, an
// a=crypto line (AES_CM_128_HMAC_SHA1_80, security.local_key): under
// RTP/SAVP when required, under RTP/AVP when optional. Bumps
// origin.version.
[[nodiscard]] SessionDescription make_offer(const MediaCapabilities& capabilities,
                                            const LocalEndpoint& local, Origin& origin,
                                            const MediaSecurity& security = {});

// Checks the peer's answer against our offer: it must pick one of our codecs
// and keep the stream, and answer our a=crypto with one of our tags (an
// RTP/AVP offer may be answered without: plain RTP). Rejection says why
// otherwise.
[[nodiscard]] std::variant<NegotiatedMedia, Rejection> accept_answer(
    const SessionDescription& our_offer, const SessionDescription& answer);

}  // namespace gw::media
