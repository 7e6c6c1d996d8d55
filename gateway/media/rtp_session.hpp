#pragma once
// One call's media on its worker thread: the RTP and RTCP sockets, the
// B-channel, and the audio between them. Made on the control thread by the
// engine (sockets bound), then touched only by its worker: every method below
// runs there, posted by MediaEngine. Handlers hold a shared_ptr to the
// session, so it dies on the worker once stop() has closed everything.
//
// The B-channel clocks the audio: each 20 ms block read from it becomes one
// RTP packet to the peer, and one frame from the jitter buffer is written
// back to it.

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "drivers/dsp/dsp.hpp"
#include "drivers/srtp/srtp_context.hpp"
#include "drivers/tdm/span.hpp"
#include "gateway/media/interarrival_jitter.hpp"
#include "gateway/media/jitter_buffer.hpp"
#include "gateway/media/media_engine.hpp"
#include "gateway/media/rtp_capture.hpp"
#include "gateway/media/sequence_tracker.hpp"
#include "gateway/media/telephone_events.hpp"

namespace gw::media {

// Written by the worker, read by the control thread: relaxed atomics, each
// counter on its own (a snapshot need not be consistent across counters).
struct SessionCounters {
  std::atomic<std::uint64_t> rtp_sent{0};
  std::atomic<std::uint64_t> rtp_received{0};
  std::atomic<std::uint64_t> rtp_lost{0};
  std::atomic<std::uint64_t> late_dropped{0};
  std::atomic<std::uint64_t> concealed{0};
  std::atomic<std::uint64_t> dtmf_received{0};
  std::atomic<std::uint64_t> dtmf_sent{0};
  std::atomic<std::uint64_t> rtcp_sent{0};
  std::atomic<std::uint64_t> rtcp_received{0};
  std::atomic<std::uint64_t> jitter_us{0};  // the peer's interarrival jitter
  std::atomic<bool> srtp{false};            // the session protects its RTP and RTCP
  std::atomic<std::uint64_t> srtp_auth_failed{0};
  std::atomic<std::uint64_t> srtp_replayed{0};
  std::atomic<std::uint64_t> srtcp_auth_failed{0};
  // The first packets both ways, for the call's pcap: as RTP, decrypted
  // when the call is SRTP, so that Wireshark plays the call.
  RtpCapture capture;
  [[nodiscard]] SessionStats snapshot() const noexcept;
};

// What the engine decides for a session when it allocates it.
struct SessionSetup {
  std::uint32_t ssrc = 0;
  std::uint16_t first_sequence = 0;  // random, as RFC 3550 5.1 asks
  std::uint32_t first_timestamp = 0;
  std::string cname;
  JitterConfig jitter;
  std::function<void(std::function<void()>)> post_to_control;
};

class RtpSession : public std::enable_shared_from_this<RtpSession> {
 public:
  using udp = boost::asio::ip::udp;
  RtpSession(boost::asio::io_context& io, udp::socket rtp, udp::socket rtcp, SessionSetup setup,
             std::shared_ptr<SessionCounters> counters);
  RtpSession(const RtpSession&) = delete;
  RtpSession& operator=(const RtpSession&) = delete;
  ~RtpSession();

  void start(const NegotiatedMedia& media, std::unique_ptr<tdm::Channel> bearer, tdm::Law law,
             SessionEvents events);
  void update(const NegotiatedMedia& media);
  // Closes the sockets and the B-channel; pending handlers then finish.
  void stop();

 private:
  // rtp_session.cpp: lifecycle, sockets, RTCP.
  void apply(const NegotiatedMedia& media);
  void receive_rtp();
  void receive_rtcp();
  void schedule_report();
  void send_report();
  [[nodiscard]] std::optional<ReportBlock> report_block();
  [[nodiscard]] std::optional<udp::endpoint> rtp_destination() const;
  void send_rtp(const RtpHeader& header, std::span<const std::byte> payload);
  void notify_dtmf(char digit);

  // session_srtp.cpp: SRTP and SRTCP (RFC 3711) when the call agreed on it.
  void apply_srtp(const std::optional<SrtpKeys>& keys);
  // In place; false: the packet must not go out (SRTP agreed, no context).
  [[nodiscard]] bool protect(std::span<std::byte> buffer, std::size_t& length, bool rtcp);
  // In place; false: drop the packet (counted when it failed
  // authentication or was replayed).
  [[nodiscard]] bool unprotect(std::span<std::byte> buffer, std::size_t& length, bool rtcp);

  // session_audio.cpp: the 20 ms path and what arrives from the peer.
  void watch_bearer();
  void on_bearer_readable();
  void on_block(std::span<const std::byte> block);
  void send_block(std::span<const std::byte> block);
  void send_events(std::string_view changes);
  void play_frame(std::span<std::byte> out);
  void on_rtp(std::span<std::byte> datagram);  // decrypted in place when SRTP
  void on_event_packet(const RtpView& packet);
  void build_tables();
  void publish_counters();

  boost::asio::io_context& io_;
  udp::socket rtp_;
  udp::socket rtcp_;
  boost::asio::steady_timer report_timer_;
  SessionSetup setup_;
  std::shared_ptr<SessionCounters> counters_;
  bool started_ = false;
  bool stopped_ = false;

  // Negotiated state.
  bool applied_ = false;  // media_ holds what start() was given, or newer
  NegotiatedMedia media_;
  tdm::Law span_law_ = tdm::Law::alaw;
  tdm::Law codec_law_ = tdm::Law::mulaw;
  SessionEvents events_;
  std::optional<udp::endpoint> sdp_remote_;  // nullopt: 0.0.0.0 or port 0
  std::optional<udp::endpoint> latched_;     // where the peer's RTP comes from
  std::optional<udp::endpoint> rtcp_latched_;
  // SRTP: each direction's context, made from the keys in media_.srtp.
  std::optional<srtp::Context> srtp_send_;
  std::optional<srtp::Context> srtp_receive_;

  // The B-channel.
  std::unique_ptr<tdm::Channel> bearer_;
  std::optional<boost::asio::posix::stream_descriptor> bearer_watch_;
  bool primed_ = false;

  // Our stream.
  std::uint16_t sequence_;
  std::uint32_t timestamp_;
  bool marker_next_ = true;  // first packet, and the first after a hold
  std::uint64_t octets_sent_ = 0;

  // Audio and DTMF processing.
  std::array<std::byte, 256> to_codec_{};  // span law code -> codec law code
  std::array<std::byte, 256> to_span_{};   // codec law code -> span law code
  JitterBuffer jitter_;
  SequenceTracker sequence_tracker_;
  InterarrivalJitter arrival_jitter_;  // of the peer's audio packets
  // For our report blocks: the peer's stream as the last report counted it,
  // and the peer's last sender report.
  SequenceTracker::StreamCounts reported_{};
  std::optional<std::uint32_t> their_report_time_;
  std::chrono::steady_clock::time_point their_report_arrival_{};
  std::optional<dsp::LossConcealer> concealer_;
  bool concealing_ = false;  // the last frame played was concealed
  std::optional<dsp::DtmfGenerator> dtmf_out_;
  std::optional<dsp::DtmfDetector> dtmf_in_;
  EventReceiver event_receiver_;
  EventSender event_sender_;
  int blocks_since_event_ = 0;

  std::array<std::byte, 2048> rtp_in_{};
  udp::endpoint rtp_from_;
  std::array<std::byte, 512> rtcp_in_{};
  udp::endpoint rtcp_from_;
};

}  // namespace gw::media
