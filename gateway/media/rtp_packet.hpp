#pragma once
// RTP (RFC 3550 5.1), RFC 4733 telephone-event payloads and the little of
// RTCP this gateway sends (a sender report with a CNAME), as bytes on the
// wire. Pure: no sockets, no clocks.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace gw::media {

inline constexpr std::size_t kRtpHeaderBytes = 12;

struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

// A received packet: its header and where its payload sits in the datagram
// (after CSRCs and header extension, before padding).
struct RtpView {
  RtpHeader header;
  std::span<const std::byte> payload;
};

// Nullopt for anything that is not an RTP version 2 packet with a consistent
// length; RTCP sent to the RTP port (payload types 72-76 with the marker, RFC
// 5761) is refused too.
[[nodiscard]] std::optional<RtpView> parse_rtp(std::span<const std::byte> datagram);

// Writes header and payload into `out`; returns the packet's length, 0 when
// `out` is too small.
[[nodiscard]] std::size_t build_rtp(const RtpHeader& header, std::span<const std::byte> payload,
                                    std::span<std::byte> out);

// One RFC 4733 event block (2.3): event code, end bit, volume, duration in
// timestamp units since the event's start.
struct TelephoneEvent {
  std::uint8_t event = 0;
  bool end = false;
  std::uint8_t volume = 10;  // -dBm0, 0..63
  std::uint16_t duration = 0;
};
inline constexpr std::size_t kTelephoneEventBytes = 4;

// The first event block of a telephone-event payload (the others, when a
// sender adds redundancy, repeat earlier events).
[[nodiscard]] std::optional<TelephoneEvent> parse_telephone_event(
    std::span<const std::byte> payload);
void build_telephone_event(const TelephoneEvent& event,
                           std::span<std::byte, kTelephoneEventBytes> out);

// Events 0-15 are the DTMF digits 0-9 * # A-D (RFC 4733 3.2).
[[nodiscard]] std::optional<char> event_digit(std::uint8_t event) noexcept;
[[nodiscard]] std::optional<std::uint8_t> digit_event(char digit) noexcept;

// What a sender report says about our stream.
struct SenderInfo {
  std::uint32_t ssrc = 0;
  std::uint64_t ntp_time = 0;  // 32.32 fixed point seconds since 1900
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packets = 0;
  std::uint32_t octets = 0;
};

// What we say of the peer's stream in our report (RFC 3550 6.4.1).
struct ReportBlock {
  std::uint32_t ssrc = 0;                 // the peer's
  std::uint8_t fraction_lost = 0;         // since the last report, of 256
  std::int32_t cumulative_lost = 0;       // 24 bits on the wire: clamped
  std::uint32_t extended_highest = 0;     // sequence cycles << 16 | highest sequence
  std::uint32_t jitter = 0;               // interarrival jitter, timestamp units
  std::uint32_t last_sr = 0;              // middle 32 bits of their last SR's NTP time; 0: none
  std::uint32_t delay_since_last_sr = 0;  // in 1/65536 s
};

// A compound RTCP packet: SR with a report block about the peer's stream
// when there is one, then SDES with our CNAME (RFC 3550 6.1 requires both).
// Returns the length, 0 when `out` is too small.
[[nodiscard]] std::size_t build_sender_report(const SenderInfo& info,
                                              const std::optional<ReportBlock>& block,
                                              std::string_view cname, std::span<std::byte> out);

// The fraction of packets lost in an interval, as a report block has it:
// 0 when none were lost or duplicates outnumbered the lost.
[[nodiscard]] std::uint8_t fraction_lost(std::uint64_t expected, std::uint64_t received) noexcept;

// The middle 32 bits of the NTP time of a compound RTCP packet that starts
// with a sender report (what our next report echoes as LSR); nullopt for
// anything else.
[[nodiscard]] std::optional<std::uint32_t> sender_report_time(
    std::span<const std::byte> datagram) noexcept;

// True for a datagram that starts like a compound RTCP packet (version 2, an
// SR, RR, SDES, BYE or APP first, a length that fits).
[[nodiscard]] bool looks_like_rtcp(std::span<const std::byte> datagram) noexcept;

}  // namespace gw::media
