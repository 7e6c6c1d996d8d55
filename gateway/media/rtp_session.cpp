// RtpSession: lifecycle, the negotiated state, the sockets and RTCP. The
// audio path itself is in session_audio.cpp.

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <limits>

#include "gateway/media/rtp_session.hpp"

namespace gw::media {
namespace {

using namespace std::chrono_literals;

// RFC 3550 6.2's minimum interval; one call's reports need no randomising
// against a crowd of members.
constexpr auto kReportInterval = 5s;

// Seconds from 1900 (NTP's epoch) to 1970 (the system clock's).
constexpr std::uint64_t kNtpUnixOffset = 2'208'988'800ULL;

std::uint64_t ntp_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds);
  const auto fraction = (static_cast<std::uint64_t>(micros.count()) << 32U) / 1'000'000U;
  return ((static_cast<std::uint64_t>(seconds.count()) + kNtpUnixOffset) << 32U) | fraction;
}

// The peer's address from the SDP; nullopt when it wants nothing from us
// (c=0.0.0.0, port 0) or the address does not parse.
std::optional<boost::asio::ip::udp::endpoint> sdp_endpoint(const NegotiatedMedia& media) {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(media.remote_address, error);
  if (error || address.is_unspecified() || media.remote_port == 0) return std::nullopt;
  return boost::asio::ip::udp::endpoint(address, media.remote_port);
}

}  // namespace

SessionStats SessionCounters::snapshot() const noexcept {
  constexpr auto relaxed = std::memory_order_relaxed;
  SessionStats stats;
  stats.rtp_sent = rtp_sent.load(relaxed);
  stats.rtp_received = rtp_received.load(relaxed);
  stats.rtp_lost = rtp_lost.load(relaxed);
  stats.late_dropped = late_dropped.load(relaxed);
  stats.concealed = concealed.load(relaxed);
  stats.dtmf_received = dtmf_received.load(relaxed);
  stats.dtmf_sent = dtmf_sent.load(relaxed);
  stats.rtcp_sent = rtcp_sent.load(relaxed);
  stats.rtcp_received = rtcp_received.load(relaxed);
  stats.jitter_ms = static_cast<double>(jitter_us.load(relaxed)) / 1000.0;
  stats.srtp = srtp.load(relaxed);
  stats.srtp_auth_failed = srtp_auth_failed.load(relaxed);
  stats.srtp_replayed = srtp_replayed.load(relaxed);
  stats.srtcp_auth_failed = srtcp_auth_failed.load(relaxed);
  return stats;
}

RtpSession::RtpSession(boost::asio::io_context& io, udp::socket rtp, udp::socket rtcp,
                       SessionSetup setup, std::shared_ptr<SessionCounters> counters)
    : io_(io),
      rtp_(std::move(rtp)),
      rtcp_(std::move(rtcp)),
      report_timer_(io),
      setup_(std::move(setup)),
      counters_(std::move(counters)),
      sequence_(setup_.first_sequence),
      timestamp_(setup_.first_timestamp),
      jitter_(setup_.jitter) {}

RtpSession::~RtpSession() {
  // The channel owns the descriptor; the watch must not close it too.
  if (bearer_watch_) (void)bearer_watch_->release();
}

void RtpSession::start(const NegotiatedMedia& media, std::unique_ptr<tdm::Channel> bearer,
                       tdm::Law law, SessionEvents events) {
  if (started_ || stopped_) return;  // the bearer is closed as it goes out of scope
  started_ = true;
  span_law_ = law;
  events_ = std::move(events);
  bearer_ = std::move(bearer);
  concealer_.emplace();
  apply(media);
  if (bearer_) {
    boost::system::error_code error;
    bearer_watch_.emplace(io_);
    bearer_watch_->assign(bearer_->fd(), error);
    if (error) {
      bearer_watch_.reset();  // not pollable: no audio, but RTP and RTCP still work
      bearer_.reset();
    } else {
      watch_bearer();
    }
  }
  receive_rtp();
  receive_rtcp();
  schedule_report();
}

void RtpSession::update(const NegotiatedMedia& media) {
  if (started_ && !stopped_) apply(media);
}

void RtpSession::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  rtp_.close(ignored);
  rtcp_.close(ignored);
  report_timer_.cancel();
  if (bearer_watch_) {
    (void)bearer_watch_->release();  // cancels the wait; the channel closes the descriptor
    bearer_watch_.reset();
  }
  bearer_.reset();
}

void RtpSession::apply(const NegotiatedMedia& media) {
  apply_srtp(media.srtp);  // before media_ changes: it compares the keys with the last ones
  const bool peer_moved =
      media.remote_address != media_.remote_address || media.remote_port != media_.remote_port;
  const bool codec_changed = !applied_ || media.codec != media_.codec;
  applied_ = true;
  media_ = media;
  sdp_remote_ = sdp_endpoint(media);
  if (peer_moved) {
    // A new address in a re-INVITE: latch again to whatever comes from there.
    latched_.reset();
    rtcp_latched_.reset();
  }
  // Whatever changed (a hold, a new address or codec), the peer's next
  // packet is a new reference for the jitter.
  arrival_jitter_.restart();
  if (codec_changed) {
    codec_law_ = media.codec == Codec::pcma ? tdm::Law::alaw : tdm::Law::mulaw;
    build_tables();
    jitter_.set_silence(tdm::idle_code(codec_law_));
    jitter_.reset();
  }
  if (media.telephone_event_payload_type) {
    if (!dtmf_out_) dtmf_out_.emplace(span_law_);
    if (!dtmf_in_) dtmf_in_.emplace(span_law_);
  } else {
    dtmf_out_.reset();
    dtmf_in_.reset();
  }
}

void RtpSession::receive_rtp() {
  rtp_.async_receive_from(
      boost::asio::buffer(rtp_in_), rtp_from_,
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
        if (self->stopped_ || error == boost::asio::error::operation_aborted) return;
        if (!error) self->on_rtp(std::span(self->rtp_in_).first(bytes));
        self->receive_rtp();
      });
}

void RtpSession::receive_rtcp() {
  rtcp_.async_receive_from(
      boost::asio::buffer(rtcp_in_), rtcp_from_,
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
        if (self->stopped_ || error == boost::asio::error::operation_aborted) return;
        // Reports are counted, and a sender report's time kept for our next
        // report to echo; nothing here adapts to them.
        std::size_t length = error ? 0 : bytes;
        if (!error && !self->unprotect(self->rtcp_in_, length, true)) length = 0;
        const auto datagram = std::span(self->rtcp_in_).first(length);
        if (length != 0 && looks_like_rtcp(datagram)) {
          self->counters_->rtcp_received.fetch_add(1, std::memory_order_relaxed);
          if (const auto sent_at = sender_report_time(datagram)) {
            self->their_report_time_ = sent_at;
            self->their_report_arrival_ = std::chrono::steady_clock::now();
          }
          if (!self->rtcp_latched_) self->rtcp_latched_ = self->rtcp_from_;
        }
        self->receive_rtcp();
      });
}

void RtpSession::schedule_report() {
  report_timer_.expires_after(kReportInterval);
  report_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (self->stopped_ || error) return;
    self->send_report();
    self->schedule_report();
  });
}

void RtpSession::send_report() {
  if (!sdp_remote_) return;  // the peer gave no address: nothing at all goes to it
  std::optional<udp::endpoint> destination = rtcp_latched_;
  if (!destination) {
    destination = rtp_destination();
    if (!destination) return;
    destination->port(static_cast<std::uint16_t>(destination->port() + 1));
  }
  SenderInfo info;
  info.ssrc = setup_.ssrc;
  info.ntp_time = ntp_now();
  info.rtp_timestamp = timestamp_;
  info.packets = static_cast<std::uint32_t>(counters_->rtp_sent.load(std::memory_order_relaxed));
  info.octets = static_cast<std::uint32_t>(octets_sent_);
  std::array<std::byte, 512> report{};
  std::size_t length =
      build_sender_report(info, report_block(), setup_.cname,
                          std::span(report).first(report.size() - srtp::kMaxTrailerBytes));
  if (length == 0 || !protect(report, length, true)) return;
  boost::system::error_code error;
  rtcp_.send_to(boost::asio::buffer(report.data(), length), *destination, 0, error);
  if (!error) counters_->rtcp_sent.fetch_add(1, std::memory_order_relaxed);
}

// What we have received of the peer's stream, since the last report and in
// all (RFC 3550 6.4.1 and A.3); nullopt before its first packet.
std::optional<ReportBlock> RtpSession::report_block() {
  const auto stream = sequence_tracker_.stream();
  if (!stream) return std::nullopt;
  // A new SSRC, or the same one restarted after a jump: counts start afresh.
  if (stream->generation != reported_.generation) {
    reported_ = SequenceTracker::StreamCounts{};
    reported_.generation = stream->generation;
  }
  ReportBlock block;
  block.ssrc = stream->ssrc;
  block.fraction_lost =
      fraction_lost(stream->expected - reported_.expected, stream->received - reported_.received);
  block.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(
      static_cast<std::int64_t>(stream->expected) - static_cast<std::int64_t>(stream->received),
      std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()));
  block.extended_highest = stream->extended_highest;
  block.jitter = static_cast<std::uint32_t>(std::min(arrival_jitter_.units(), 4.0e9));
  const auto since_their_report = std::chrono::steady_clock::now() - their_report_arrival_;
  // DLSR counts 1/65536 s in 32 bits: an SR older than 18 h is none.
  if (their_report_time_ && since_their_report < std::chrono::hours(18)) {
    block.last_sr = *their_report_time_;
    block.delay_since_last_sr = static_cast<std::uint32_t>(
        std::chrono::duration<double>(since_their_report).count() * 65536.0);
  }
  reported_ = *stream;
  return block;
}

std::optional<RtpSession::udp::endpoint> RtpSession::rtp_destination() const {
  if (latched_) return latched_;
  return sdp_remote_;
}

void RtpSession::send_rtp(const RtpHeader& header, std::span<const std::byte> payload) {
  const auto destination = rtp_destination();
  if (!destination) return;
  constexpr std::size_t kPlainBytes = kRtpHeaderBytes + JitterBuffer::kFrameSamples;
  std::array<std::byte, kPlainBytes + srtp::kMaxTrailerBytes> packet{};
  const std::size_t plain_length = build_rtp(header, payload, std::span(packet).first(kPlainBytes));
  if (plain_length == 0) return;
  // The pcap keeps the packet as RTP, before SRTP encrypts it in place.
  const bool capture = !counters_->capture.full();
  std::array<std::byte, kPlainBytes> plain{};
  if (capture) std::copy_n(packet.begin(), plain_length, plain.begin());
  std::size_t length = plain_length;
  if (!protect(packet, length, false)) return;
  boost::system::error_code error;
  // Non-blocking: a full socket buffer drops the packet, as the network would.
  rtp_.send_to(boost::asio::buffer(packet.data(), length), *destination, 0, error);
  if (error) return;
  if (capture) {
    counters_->capture.add(true, destination->address().to_string(), destination->port(),
                           rtp_.local_endpoint(error).port(), std::span(plain).first(plain_length));
  }
  counters_->rtp_sent.fetch_add(1, std::memory_order_relaxed);
  octets_sent_ += payload.size();
}

void RtpSession::notify_dtmf(char digit) {
  if (!events_.on_dtmf || !setup_.post_to_control) return;
  setup_.post_to_control([callback = events_.on_dtmf, digit] { callback(digit); });
}

}  // namespace gw::media
