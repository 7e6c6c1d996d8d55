// Datagrams a peer sends to a call's RTP and RTCP ports. Each one goes
// where RtpSession sends it (session_audio.cpp on_rtp and on_event_packet,
// rtp_session.cpp receive_rtcp; this harness repeats those few lines over
// the same parts, since a session needs sockets and a B-channel): the RTP
// header (media::parse_rtp), the sequence tracker, interarrival jitter and
// jitter buffer for audio, RFC 4733 events (parse_telephone_event,
// EventReceiver) into the DTMF generator, RTCP (looks_like_rtcp,
// sender_report_time); after each datagram one 20 ms frame is played out
// (with loss concealment) and our sender report with its report block about
// the peer's stream is built, as the session's timers do.
//
// Input: one octet of set-up (bit 0: PCMA, else PCMU; bit 6: no
// telephone-event; bits 1-5: its payload type, 96 + n), then datagrams,
// each a 16-bit big-endian word (top bit: to the RTCP port; the rest: its
// length) and its octets. Seeds: corpus/fuzz_rtp/ (tests/fuzz/make_seeds.py).

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <optional>
#include <vector>

#include "drivers/dsp/dsp.hpp"
#include "gateway/media/interarrival_jitter.hpp"
#include "gateway/media/jitter_buffer.hpp"
#include "gateway/media/rtp_packet.hpp"
#include "gateway/media/sequence_tracker.hpp"
#include "gateway/media/telephone_events.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace gw;
using gw::fuzz::check;

constexpr std::size_t kFrame = media::JitterBuffer::kFrameSamples;

// What a parsed packet promises: its payload lies inside the datagram, and
// written back out it reads the same.
void check_packet(std::span<const std::byte> datagram, const media::RtpView& packet) {
  check(packet.payload.data() >= datagram.data() &&
            packet.payload.data() + packet.payload.size() <= datagram.data() + datagram.size(),
        "the payload lies inside the datagram");
  std::vector<std::byte> out(media::kRtpHeaderBytes + packet.payload.size());
  const std::size_t length = media::build_rtp(packet.header, packet.payload, out);
  check(length == out.size(), "a parsed packet can be written again");
  const auto again = media::parse_rtp(std::span(out).first(length));
  check(again.has_value(), "a packet we write is one we read");
  check(again->header.sequence == packet.header.sequence &&
            again->header.timestamp == packet.header.timestamp &&
            again->header.ssrc == packet.header.ssrc &&
            again->header.payload_type == packet.header.payload_type &&
            again->header.marker == packet.header.marker,
        "a packet written again has the same header");
  check(again->payload.size() == packet.payload.size(), "and the same payload");
}

class Receiver {
 public:
  explicit Receiver(std::uint8_t setup)
      : law_((setup & 1U) != 0 ? tdm::Law::alaw : tdm::Law::mulaw),
        audio_type_((setup & 1U) != 0 ? 8 : 0),
        jitter_(media::JitterConfig{40, 200, tdm::idle_code(law_)}),
        dtmf_(tdm::Law::alaw) {
    if ((setup & 0x40U) == 0) event_type_ = 96 + ((setup >> 1U) & 0x1FU);
  }

  void on_rtp(std::span<const std::byte> datagram) {
    const auto packet = media::parse_rtp(datagram);
    if (!packet) return;
    check_packet(datagram, *packet);
    const int type = packet->header.payload_type;
    const bool audio = type == audio_type_;
    const bool event = event_type_ == type;
    if (!audio && !event) return;
    const auto verdict = tracker_.track(packet->header.ssrc, packet->header.sequence);
    if (verdict == media::SequenceTracker::Verdict::duplicate) return;
    if (verdict == media::SequenceTracker::Verdict::restarted) arrival_.restart();
    if (audio) {
      arrival_.on_packet(packet->header.timestamp, now_);
      (void)jitter_.push(packet->header.ssrc, packet->header.timestamp, packet->header.marker,
                         packet->payload);
      return;
    }
    const auto tone = media::parse_telephone_event(packet->payload);
    if (!tone) return;
    blocks_since_event_ = 0;
    const auto action = events_.on_packet(packet->header.timestamp, *tone);
    if (action.start) check(dtmf_.start(*action.start), "an event's digit is one to play");
    if (action.stop_after) dtmf_.stop_after(*action.stop_after);
  }

  void on_rtcp(std::span<const std::byte> datagram) {
    if (!media::looks_like_rtcp(datagram)) return;
    if (const auto sent_at = media::sender_report_time(datagram)) their_report_ = sent_at;
  }

  // One 20 ms block of the B-channel: a frame played, our report written.
  void tick() {
    now_ += std::chrono::milliseconds(20);
    std::array<std::byte, kFrame> codes{};
    std::array<std::byte, kFrame> out{};
    const auto frame = jitter_.pop(codes);
    if (dtmf_.active()) {
      if (++blocks_since_event_ > 15) {
        dtmf_.stop_after(0);
        events_.forget();
      }
      if (dtmf_.fill(out)) return;
    }
    std::array<std::int16_t, kFrame> samples{};
    if (frame == media::JitterBuffer::Frame::audio ||
        frame == media::JitterBuffer::Frame::partial) {
      dsp::to_linear(law_, codes, samples);
      concealer_.received(samples);
    } else if (frame == media::JitterBuffer::Frame::missing) {
      concealer_.conceal(samples);
      dsp::from_linear(tdm::Law::alaw, samples, out);
    }
    report();
  }

 private:
  // RtpSession::report_block() and send_report().
  void report() {
    const auto stream = tracker_.stream();
    std::optional<media::ReportBlock> block;
    if (stream) {
      if (stream->generation != reported_.generation) {
        reported_ = media::SequenceTracker::StreamCounts{};
        reported_.generation = stream->generation;
      }
      block.emplace();
      block->ssrc = stream->ssrc;
      block->fraction_lost = media::fraction_lost(stream->expected - reported_.expected,
                                                  stream->received - reported_.received);
      block->cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(
          static_cast<std::int64_t>(stream->expected) - static_cast<std::int64_t>(stream->received),
          std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
      block->extended_highest = stream->extended_highest;
      block->jitter = static_cast<std::uint32_t>(std::min(arrival_.units(), 4.0e9));
      block->last_sr = their_report_.value_or(0);
      reported_ = *stream;
    }
    media::SenderInfo info;
    info.ssrc = 0x12345678;
    std::array<std::byte, 512> out{};
    const std::size_t length = media::build_sender_report(info, block, "sipgw@fuzz", out);
    check(length > 0, "our report fits");
    const auto report = std::span(out).first(length);
    check(media::looks_like_rtcp(report), "our report is RTCP");
    check(media::sender_report_time(report).has_value(), "our report is a sender report");
  }

  tdm::Law law_;
  int audio_type_;
  std::optional<int> event_type_;
  media::JitterBuffer jitter_;
  media::SequenceTracker tracker_;
  media::InterarrivalJitter arrival_;
  media::SequenceTracker::StreamCounts reported_{};
  std::optional<std::uint32_t> their_report_;
  media::EventReceiver events_;
  dsp::DtmfGenerator dtmf_;
  dsp::LossConcealer concealer_;
  int blocks_since_event_ = 0;
  media::InterarrivalJitter::Clock::time_point now_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto input = gw::fuzz::bytes_of(data, size);
  Receiver receiver(data[0]);
  std::size_t at = 1;
  while (at + 2 <= input.size()) {
    const unsigned word = (unsigned{data[at]} << 8U) | data[at + 1];
    at += 2;
    const std::size_t length = std::min<std::size_t>(word & 0x7FFFU, input.size() - at);
    const auto datagram = input.subspan(at, length);
    at += length;
    // The session's receive buffers: 2048 octets for RTP, 512 for RTCP; a
    // longer datagram is cut there.
    if ((word & 0x8000U) != 0) {
      receiver.on_rtcp(datagram.first(std::min<std::size_t>(length, 512)));
    } else {
      receiver.on_rtp(datagram.first(std::min<std::size_t>(length, 2048)));
    }
    receiver.tick();
  }
  return 0;
}
