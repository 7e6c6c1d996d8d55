// RtpSession: the 20 ms audio path, clocked by the B-channel, and what the
// peer sends (audio into the jitter buffer, RFC 4733 events into tones).

#include <algorithm>
#include <string>

#include "gateway/media/rtp_session.hpp"

namespace gw::media {
namespace {

constexpr std::size_t kFrame = JitterBuffer::kFrameSamples;
// Blocks read in one wake-up at most: a worker that fell behind catches up
// without starving the other sessions on it.
constexpr int kMaxBlocksPerWake = 8;
// Blocks of idle code written ahead of the audio, as BearerMedia does: a
// frame written a little late then never leaves the line's transmit side
// empty (the driver would slip idle code into the middle of the audio).
constexpr int kPrimeBlocks = 2;
// A peer's event with no packet for this long (300 ms) lost its end packets.
constexpr int kEventTimeoutBlocks = 15;

}  // namespace

void RtpSession::watch_bearer() {
  bearer_watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                            [self = shared_from_this()](const boost::system::error_code& error) {
                              if (self->stopped_ || error || !self->bearer_) return;
                              self->on_bearer_readable();
                              if (!self->stopped_ && self->bearer_) self->watch_bearer();
                            });
}

void RtpSession::on_bearer_readable() {
  std::array<std::byte, 2 * kFrame> block{};
  for (int i = 0; i < kMaxBlocksPerWake; ++i) {
    const auto got = bearer_->read(block);
    const bool gone = got.error == std::errc::broken_pipe ||
                      got.error == std::errc::bad_file_descriptor || (got.ok() && got.bytes == 0);
    if (gone) {
      // The span closed the channel: RTP goes on, silently.
      (void)bearer_watch_->release();
      bearer_watch_.reset();
      bearer_.reset();
      return;
    }
    // Nothing more for now, or a transient refusal (DAHDI's ELAST while an
    // event waits for the span to take it): the next block wakes us again.
    if (!got.ok()) return;
    // The span delivers 20 ms blocks; anything else is not audio this
    // path can clock by.
    if (got.bytes == kFrame) on_block(std::span(block).first(kFrame));
  }
}

void RtpSession::on_block(std::span<const std::byte> block) {
  if (!primed_) {
    primed_ = true;
    std::array<std::byte, kFrame> idle{};
    idle.fill(tdm::idle_code(span_law_));
    for (int i = 0; i < kPrimeBlocks; ++i) (void)bearer_->write(idle);
  }
  send_block(block);
  std::array<std::byte, kFrame> out{};
  play_frame(out);
  (void)bearer_->write(out);  // a full line buffer drops the frame: nothing better to do
  publish_counters();
}

void RtpSession::send_block(std::span<const std::byte> block) {
  std::string changes;
  if (dtmf_in_) changes = dtmf_in_->feed(block);
  const bool can_send = media_.send && sdp_remote_.has_value();
  if (can_send) {
    std::array<std::byte, kFrame> payload{};
    std::transform(block.begin(), block.end(), payload.begin(), [this](std::byte code) {
      return to_codec_[std::to_integer<std::size_t>(code)];
    });
    RtpHeader header;
    header.marker = marker_next_;
    header.payload_type = static_cast<std::uint8_t>(media_.payload_type);
    header.sequence = sequence_++;
    header.timestamp = timestamp_;
    header.ssrc = setup_.ssrc;
    send_rtp(header, payload);
    marker_next_ = false;
  } else {
    marker_next_ = true;  // the first packet after a hold starts a talkspurt
  }
  if (dtmf_in_) send_events(changes);
  // The timestamp follows the sampling clock even while nothing is sent
  // (RFC 3550 5.1), so that a resumed stream continues the same timeline.
  timestamp_ += static_cast<std::uint32_t>(kFrame);
}

void RtpSession::send_events(std::string_view changes) {
  const bool can_send = media_.send && sdp_remote_.has_value();
  for (const char change : changes) {
    if (change == '\0' || !can_send) continue;
    counters_->dtmf_sent.fetch_add(1, std::memory_order_relaxed);
    notify_dtmf(change);
  }
  EventSender::Packets packets{};
  const std::size_t count = event_sender_.on_block(timestamp_, changes, packets);
  if (!can_send || !media_.telephone_event_payload_type) return;
  for (std::size_t i = 0; i < count; ++i) {
    std::array<std::byte, kTelephoneEventBytes> payload{};
    build_telephone_event(packets.at(i).event, payload);
    RtpHeader header;
    header.marker = packets.at(i).marker;
    header.payload_type = static_cast<std::uint8_t>(*media_.telephone_event_payload_type);
    header.sequence = sequence_++;
    header.timestamp = packets.at(i).timestamp;
    header.ssrc = setup_.ssrc;
    send_rtp(header, payload);
  }
}

void RtpSession::play_frame(std::span<std::byte> out) {
  std::array<std::byte, kFrame> codes{};
  const auto frame = jitter_.pop(codes);
  if (dtmf_out_ && dtmf_out_->active()) {
    if (++blocks_since_event_ > kEventTimeoutBlocks) {
      dtmf_out_->stop_after(0);
      event_receiver_.forget();
    }
    // The peer's digit replaces its audio while it plays.
    if (dtmf_out_->fill(out)) return;
  }
  std::array<std::int16_t, kFrame> samples{};
  switch (frame) {
    case JitterBuffer::Frame::audio:
    case JitterBuffer::Frame::partial:
      dsp::to_linear(codec_law_, codes, samples);
      concealer_->received(samples);  // history for a later gap; smoothed after one
      if (concealing_) {
        dsp::from_linear(span_law_, samples, out);
      } else {
        std::transform(codes.begin(), codes.end(), out.begin(), [this](std::byte code) {
          return to_span_[std::to_integer<std::size_t>(code)];
        });
      }
      concealing_ = false;
      return;
    case JitterBuffer::Frame::missing:
      concealer_->conceal(samples);
      dsp::from_linear(span_law_, samples, out);
      concealing_ = true;
      return;
    case JitterBuffer::Frame::idle:
      std::fill(out.begin(), out.end(), tdm::idle_code(span_law_));
      concealing_ = false;
      return;
  }
}

void RtpSession::on_rtp(std::span<std::byte> received) {
  if (!media_.receive) return;  // we asked the peer not to send
  // SRTP is checked first: a forged or replayed packet neither latches the
  // peer's address nor reaches the jitter buffer.
  std::size_t length = received.size();
  if (!unprotect(received, length, false)) return;
  const std::span<const std::byte> datagram = received.first(length);
  const auto packet = parse_rtp(datagram);
  if (!packet) return;
  const int type = packet->header.payload_type;
  const bool audio = type == media_.payload_type;
  const bool event = media_.telephone_event_payload_type == type;
  if (!audio && !event) return;  // comfort noise, a codec not agreed: nothing to play
  // Symmetric RTP: once latched, another source is not the peer.
  if (latched_ && rtp_from_ != *latched_) return;
  const auto verdict = sequence_tracker_.track(packet->header.ssrc, packet->header.sequence);
  if (verdict == SequenceTracker::Verdict::duplicate) return;
  if (verdict == SequenceTracker::Verdict::restarted) arrival_jitter_.restart();
  if (!latched_) latched_ = rtp_from_;
  if (!counters_->capture.full()) {
    boost::system::error_code ignored;
    counters_->capture.add(false, rtp_from_.address().to_string(), rtp_from_.port(),
                           rtp_.local_endpoint(ignored).port(), datagram);
  }
  if (audio) {
    // Telephone events keep their event's timestamp: only audio is timed.
    arrival_jitter_.on_packet(packet->header.timestamp, InterarrivalJitter::Clock::now());
    (void)jitter_.push(packet->header.ssrc, packet->header.timestamp, packet->header.marker,
                       packet->payload);
  } else {
    on_event_packet(*packet);
  }
  publish_counters();
}

void RtpSession::on_event_packet(const RtpView& packet) {
  const auto event = parse_telephone_event(packet.payload);
  if (!event || !dtmf_out_) return;
  blocks_since_event_ = 0;
  const auto action = event_receiver_.on_packet(packet.header.timestamp, *event);
  if (action.start && dtmf_out_->start(*action.start)) {
    counters_->dtmf_received.fetch_add(1, std::memory_order_relaxed);
    notify_dtmf(*action.start);
  }
  if (action.stop_after) dtmf_out_->stop_after(*action.stop_after);
}

void RtpSession::build_tables() {
  for (std::size_t code = 0; code < 256; ++code) {
    const auto octet = static_cast<std::byte>(code);
    to_codec_.at(code) = dsp::transcode(span_law_, codec_law_, octet);
    to_span_.at(code) = dsp::transcode(codec_law_, span_law_, octet);
  }
}

void RtpSession::publish_counters() {
  constexpr auto relaxed = std::memory_order_relaxed;
  counters_->rtp_received.store(sequence_tracker_.received(), relaxed);
  counters_->rtp_lost.store(sequence_tracker_.lost(), relaxed);
  counters_->late_dropped.store(jitter_.counters().late, relaxed);
  counters_->concealed.store(jitter_.counters().concealed, relaxed);
  counters_->jitter_us.store(static_cast<std::uint64_t>(arrival_jitter_.milliseconds() * 1000.0),
                             relaxed);
}

}  // namespace gw::media
