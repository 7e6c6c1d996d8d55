#include "gateway/media/sdp.hpp"

#include <algorithm>
#include <cctype>

#include "gateway/media/sdes.hpp"

namespace gw::media {
namespace {

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Which of our codecs a format is: by its static payload type when it has no
// rtpmap of its own, else by the rtpmap's name (at 8000 Hz).
std::optional<Codec> codec_of(const PayloadFormat& format) {
  if (format.encoding.empty()) {
    if (format.payload_type == 0) return Codec::pcmu;
    if (format.payload_type == 8) return Codec::pcma;
    return std::nullopt;
  }
  if (format.clock_rate != 8000) return std::nullopt;
  if (same_text(format.encoding, "PCMU")) return Codec::pcmu;
  if (same_text(format.encoding, "PCMA")) return Codec::pcma;
  return std::nullopt;
}

bool is_telephone_event(const PayloadFormat& format) {
  return same_text(format.encoding, "telephone-event") && format.clock_rate == 8000;
}

// The telephone-event format to use beside the audio's payload type. A
// payload type names one format: an event numbered like the audio (a peer
// listing "0 0" with a=rtpmap:0 telephone-event) cannot be told apart
// from it on the wire, so there is none.
std::vector<PayloadFormat>::const_iterator find_telephone_event(
    const std::vector<PayloadFormat>& formats, int audio_payload_type) {
  return std::find_if(formats.begin(), formats.end(), [&](const PayloadFormat& format) {
    return is_telephone_event(format) && format.payload_type != audio_payload_type;
  });
}

PayloadFormat format_for(Codec codec) {
  return {static_payload_type(codec), to_string(codec), 8000, {}};
}

Direction intersect(Direction a, Direction b) {
  const bool send = (a == Direction::sendrecv || a == Direction::sendonly) &&
                    (b == Direction::sendrecv || b == Direction::sendonly);
  const bool receive = (a == Direction::sendrecv || a == Direction::recvonly) &&
                       (b == Direction::sendrecv || b == Direction::recvonly);
  if (send && receive) return Direction::sendrecv;
  if (send) return Direction::sendonly;
  if (receive) return Direction::recvonly;
  return Direction::inactive;
}

SessionDescription our_description(const LocalEndpoint& local, Origin& origin) {
  SessionDescription sdp;
  sdp.origin_user = "sipgw";
  sdp.session_id = origin.session_id;
  sdp.session_version = ++origin.version;
  sdp.origin_address = local.address;
  sdp.connection_address = local.address;
  sdp.ipv6 = local.address.find(':') != std::string::npos;
  sdp.audio_port = local.port;
  return sdp;
}

// The tag of the a=crypto line we write in our offers.
constexpr int kOfferTag = 1;

// SRTP for an answer: nothing, the offer's chosen line answered with our
// key, or a refusal.
std::optional<Rejection> answer_srtp(const SessionDescription& offer, const MediaSecurity& security,
                                     Answer& answer) {
  auto chosen = sdes::choose(offer, security);
  if (auto* refused = std::get_if<Rejection>(&chosen)) return std::move(*refused);
  const auto& usable = std::get<std::optional<sdes::Usable>>(chosen);
  if (!usable) return std::nullopt;
  if (security.local_key.size() != srtp::kMasterKeyBytes) return Rejection{"no SRTP key of ours"};
  answer.sdp.audio_protocol =
      "RTP/" + std::string(sdes::is_savp(offer.audio_protocol) ? "SAVP" : "AVP");
  answer.sdp.crypto.push_back(sdes::line_for(usable->tag, usable->suite, security.local_key));
  answer.media.srtp = SrtpKeys{usable->suite, security.local_key, usable->key};
  return std::nullopt;
}

// SRTP from the answer to our offer: the answer's line must carry one of
// our tags with its suite. Without one, an RTP/AVP offer ("best effort")
// falls back to plain RTP and an RTP/SAVP one fails.
std::variant<std::optional<SrtpKeys>, Rejection> accept_srtp(const SessionDescription& our_offer,
                                                             const SessionDescription& answer) {
  if (our_offer.crypto.empty()) return std::optional<SrtpKeys>{};
  for (const auto& line : answer.crypto) {
    const auto theirs = sdes::read(line);
    if (!theirs) continue;
    for (const auto& offered : our_offer.crypto) {
      const auto ours = sdes::read(offered);
      if (ours && ours->tag == theirs->tag && ours->suite == theirs->suite) {
        return std::optional<SrtpKeys>{SrtpKeys{ours->suite, ours->key, theirs->key}};
      }
    }
  }
  if (sdes::is_savp(our_offer.audio_protocol)) {
    return Rejection{"the answer has no a=crypto for our RTP/SAVP offer"};
  }
  return std::optional<SrtpKeys>{};
}

}  // namespace

const char* to_string(Encryption encryption) noexcept {
  switch (encryption) {
    case Encryption::none:
      return "none";
    case Encryption::optional:
      return "optional";
    case Encryption::required:
      return "required";
  }
  return "none";
}

bool can_offer(const MediaSecurity& security) noexcept {
  return security.encryption != Encryption::required || security.secure_signalling;
}

const char* to_string(Direction direction) noexcept {
  switch (direction) {
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "sendrecv";
}

Direction reverse(Direction offered) noexcept {
  switch (offered) {
    case Direction::sendonly:
      return Direction::recvonly;
    case Direction::recvonly:
      return Direction::sendonly;
    case Direction::inactive:
      return Direction::inactive;
    case Direction::sendrecv:
      return Direction::sendrecv;
  }
  return Direction::sendrecv;
}

const char* to_string(Codec codec) noexcept {
  switch (codec) {
    case Codec::pcmu:
      return "PCMU";
    case Codec::pcma:
      return "PCMA";
  }
  return "PCMU";
}

bool SessionDescription::holds_us() const noexcept {
  return connection_address == "0.0.0.0" || connection_address == "::" ||
         direction == Direction::sendonly || direction == Direction::inactive;
}

std::variant<Answer, Rejection> answer_offer(const SessionDescription& offer,
                                             const MediaCapabilities& capabilities,
                                             const LocalEndpoint& local, Origin& origin,
                                             Direction local_wish, const MediaSecurity& security) {
  if (offer.audio_port == 0 && offer.formats.empty())
    return Rejection{"the offer has no audio stream"};
  if (offer.audio_protocol != "RTP/AVP" && offer.audio_protocol != "RTP/AVPF" &&
      !sdes::is_savp(offer.audio_protocol)) {
    return Rejection{"audio over " + offer.audio_protocol +
                     " is not supported (RTP/AVP or RTP/SAVP only)"};
  }
  const PayloadFormat* chosen = nullptr;
  Codec codec = Codec::pcmu;
  for (const auto& format : offer.formats) {
    const auto known = codec_of(format);
    if (known && std::find(capabilities.codecs.begin(), capabilities.codecs.end(), *known) !=
                     capabilities.codecs.end()) {
      chosen = &format;
      codec = *known;
      break;
    }
  }
  if (chosen == nullptr) return Rejection{"no common codec (PCMU or PCMA)"};
  Answer answer;
  answer.sdp = our_description(local, origin);
  answer.sdp.formats.push_back({chosen->payload_type, to_string(codec), 8000, {}});
  answer.media.codec = codec;
  answer.media.payload_type = chosen->payload_type;
  if (capabilities.telephone_event) {
    const auto event = find_telephone_event(offer.formats, chosen->payload_type);
    if (event != offer.formats.end()) {
      answer.sdp.formats.push_back({event->payload_type, "telephone-event", 8000,
                                    event->fmtp.empty() ? "0-16" : event->fmtp});
      answer.media.telephone_event_payload_type = event->payload_type;
    }
  }
  // RFC 2543 hold (c=0.0.0.0) says "do not send to me" without a direction:
  // the peer still sends, so we answer recvonly, as RFC 3264 8.4 allows.
  const bool null_address =
      offer.connection_address == "0.0.0.0" || offer.connection_address == "::";
  const Direction offered =
      null_address ? intersect(offer.direction, Direction::sendonly) : offer.direction;
  answer.sdp.direction = intersect(reverse(offered), local_wish);
  answer.sdp.ptime_ms = capabilities.ptime_ms;
  for (const auto& other : offer.other_streams) answer.sdp.other_streams.push_back(other);
  answer.media.remote_address = offer.connection_address;
  answer.media.remote_port = offer.audio_port;
  answer.media.send = (answer.sdp.direction == Direction::sendrecv ||
                       answer.sdp.direction == Direction::sendonly) &&
                      !null_address && offer.audio_port != 0;
  answer.media.receive =
      answer.sdp.direction == Direction::sendrecv || answer.sdp.direction == Direction::recvonly;
  answer.media.ptime_ms = offer.ptime_ms.value_or(20);
  if (auto refused = answer_srtp(offer, security, answer)) return std::move(*refused);
  return answer;
}

SessionDescription make_offer(const MediaCapabilities& capabilities, const LocalEndpoint& local,
                              Origin& origin, const MediaSecurity& security) {
  SessionDescription offer = our_description(local, origin);
  offer.formats.reserve(capabilities.codecs.size() + 1);
  for (const auto codec : capabilities.codecs) offer.formats.push_back(format_for(codec));
  if (capabilities.telephone_event) {
    offer.formats.push_back(
        {capabilities.telephone_event_payload_type, "telephone-event", 8000, "0-16"});
  }
  offer.direction = Direction::sendrecv;
  offer.ptime_ms = capabilities.ptime_ms;
  if (security.encryption != Encryption::none && security.secure_signalling &&
      security.local_key.size() == srtp::kMasterKeyBytes) {
    // One suite, the strongest tag: a second line would need a key of its own.
    offer.crypto.push_back(
        sdes::line_for(kOfferTag, srtp::Suite::aes_cm_128_hmac_sha1_80, security.local_key));
    if (security.encryption == Encryption::required) offer.audio_protocol = "RTP/SAVP";
  }
  return offer;
}

std::variant<NegotiatedMedia, Rejection> accept_answer(const SessionDescription& our_offer,
                                                       const SessionDescription& answer) {
  if (answer.audio_port == 0) return Rejection{"the answer rejected the audio stream"};
  if (answer.other_streams.size() != our_offer.other_streams.size())
    return Rejection{"the answer has another number of streams than the offer"};
  NegotiatedMedia media;
  bool found = false;
  for (const auto& format : answer.formats) {
    const auto known = codec_of(format);
    if (!known) continue;
    const bool offered =
        std::any_of(our_offer.formats.begin(), our_offer.formats.end(),
                    [&](const PayloadFormat& ours) { return codec_of(ours) == known; });
    if (!offered) continue;
    media.codec = *known;
    media.payload_type = format.payload_type;
    found = true;
    break;
  }
  if (!found) return Rejection{"the answer chose no codec we offered"};
  const auto event = find_telephone_event(answer.formats, media.payload_type);
  if (event != answer.formats.end()) media.telephone_event_payload_type = event->payload_type;
  const bool null_address =
      answer.connection_address == "0.0.0.0" || answer.connection_address == "::";
  media.remote_address = answer.connection_address;
  media.remote_port = answer.audio_port;
  // The answer's direction is the peer's: its recvonly is our sendonly.
  const Direction ours = reverse(answer.direction);
  media.send = (ours == Direction::sendrecv || ours == Direction::sendonly) && !null_address;
  media.receive = ours == Direction::sendrecv || ours == Direction::recvonly;
  media.ptime_ms = answer.ptime_ms.value_or(20);
  auto srtp = accept_srtp(our_offer, answer);
  if (auto* refused = std::get_if<Rejection>(&srtp)) return std::move(*refused);
  media.srtp = std::move(std::get<std::optional<SrtpKeys>>(srtp));
  return media;
}

}  // namespace gw::media
