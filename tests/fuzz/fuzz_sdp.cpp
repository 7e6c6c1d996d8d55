// An SDP body as a peer sends it in an INVITE, a 200 OK, an ACK or a
// re-INVITE: our reading of Sofia-SIP's parse (sip::parse_sdp), RFC 3264
// offer/answer over it both ways (media::answer_offer for the body as an
// offer, media::accept_answer for it as the answer to our offer), and our
// answer printed (sip::render_sdp), which must read back as the answer it
// is: what a peer wrote into its offer must not turn into other lines of
// ours.
//
// Seeds: corpus/fuzz_sdp/, the offers of the tests and the service examples.

#include <string>
#include <variant>

#include "gateway/media/sdp.hpp"
#include "gateway/sip/sdp_codec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace gw;

const media::LocalEndpoint kLocal{"192.0.2.1", 16384};

// Our answer as the peer reads it: the same stream, formats and direction.
void check_answer_reads_back(const media::SessionDescription& answer) {
  const std::string text = sip::render_sdp(answer);
  std::string error;
  const auto back = sip::parse_sdp(text, error);
  gw::fuzz::check(back.has_value(), "our answer is SDP we can read");
  gw::fuzz::check(back->audio_port == answer.audio_port, "our answer keeps its audio port");
  gw::fuzz::check(back->formats == answer.formats, "our answer keeps its formats");
  gw::fuzz::check(back->direction == answer.direction, "our answer keeps its direction");
  gw::fuzz::check(back->other_streams.size() == answer.other_streams.size(),
                  "our answer keeps one m= line per stream of the offer");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  const auto sdp = sip::parse_sdp(gw::fuzz::text_of(data, size), error);
  if (!sdp) {
    gw::fuzz::check(!error.empty(), "an SDP refused has a reason");
    return 0;
  }

  // The body as an offer, answered as we would with each local wish (hold,
  // resume), and as the offer of a re-INVITE on the same call.
  media::Origin origin{1, 0};
  const media::MediaCapabilities capabilities;
  for (const auto wish : {media::Direction::sendrecv, media::Direction::sendonly,
                          media::Direction::recvonly, media::Direction::inactive}) {
    auto answered = media::answer_offer(*sdp, capabilities, kLocal, origin, wish);
    if (const auto* answer = std::get_if<media::Answer>(&answered)) {
      check_answer_reads_back(answer->sdp);
      gw::fuzz::check(answer->media.remote_port == sdp->audio_port,
                      "the media goes to the offer's port");
      gw::fuzz::check(answer->media.telephone_event_payload_type != answer->media.payload_type,
                      "events and audio have payload types of their own");
    }
  }

  // The body as the answer to our offer (delayed offer, a call to SIP).
  const auto offer = media::make_offer(capabilities, kLocal, origin);
  const auto accepted = media::accept_answer(offer, *sdp);
  if (const auto* media = std::get_if<media::NegotiatedMedia>(&accepted)) {
    gw::fuzz::check(media->payload_type >= 0 && media->payload_type <= 127,
                    "the agreed payload type is an RTP payload type");
    gw::fuzz::check(media->telephone_event_payload_type != media->payload_type,
                    "events and audio have payload types of their own");
  }
  return 0;
}
