#include "gateway/media/rtp_packet.hpp"

#include <algorithm>

namespace gw::media {
namespace {

std::uint8_t octet(std::span<const std::byte> data, std::size_t at) {
  return std::to_integer<std::uint8_t>(data[at]);
}

std::uint16_t get16(std::span<const std::byte> data, std::size_t at) {
  return static_cast<std::uint16_t>((octet(data, at) << 8U) | octet(data, at + 1));
}

std::uint32_t get32(std::span<const std::byte> data, std::size_t at) {
  return (static_cast<std::uint32_t>(get16(data, at)) << 16U) | get16(data, at + 2);
}

void put16(std::span<std::byte> out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::byte>(value >> 8U);
  out[at + 1] = static_cast<std::byte>(value & 0xFFU);
}

void put32(std::span<std::byte> out, std::size_t at, std::uint32_t value) {
  put16(out, at, static_cast<std::uint16_t>(value >> 16U));
  put16(out, at + 2, static_cast<std::uint16_t>(value & 0xFFFFU));
}

constexpr std::string_view kDigits = "0123456789*#ABCD";

}  // namespace

std::optional<RtpView> parse_rtp(std::span<const std::byte> datagram) {
  if (datagram.size() < kRtpHeaderBytes) return std::nullopt;
  const std::uint8_t first = octet(datagram, 0);
  if ((first >> 6U) != 2) return std::nullopt;
  const std::uint8_t second = octet(datagram, 1);
  RtpHeader header;
  header.marker = (second & 0x80U) != 0;
  header.payload_type = second & 0x7FU;
  if (header.marker && header.payload_type >= 72 && header.payload_type <= 76) return std::nullopt;
  header.sequence = get16(datagram, 2);
  header.timestamp = get32(datagram, 4);
  header.ssrc = get32(datagram, 8);

  std::size_t begin = kRtpHeaderBytes + std::size_t{4} * (first & 0x0FU);
  std::size_t end = datagram.size();
  if (begin > end) return std::nullopt;
  if ((first & 0x10U) != 0) {  // header extension: 4 octets, then its length in words
    if (begin + 4 > end) return std::nullopt;
    begin += 4 + std::size_t{4} * get16(datagram, begin + 2);
    if (begin > end) return std::nullopt;
  }
  if ((first & 0x20U) != 0) {  // padding: the last octet counts it, itself included
    const std::size_t padding = octet(datagram, end - 1);
    if (padding == 0 || padding > end - begin) return std::nullopt;
    end -= padding;
  }
  return RtpView{header, datagram.subspan(begin, end - begin)};
}

std::size_t build_rtp(const RtpHeader& header, std::span<const std::byte> payload,
                      std::span<std::byte> out) {
  const std::size_t length = kRtpHeaderBytes + payload.size();
  if (out.size() < length) return 0;
  out[0] = std::byte{0x80};  // version 2, no padding, extension or CSRC
  out[1] = static_cast<std::byte>((header.marker ? 0x80U : 0U) | (header.payload_type & 0x7FU));
  put16(out, 2, header.sequence);
  put32(out, 4, header.timestamp);
  put32(out, 8, header.ssrc);
  std::copy(payload.begin(), payload.end(), out.begin() + kRtpHeaderBytes);
  return length;
}

std::optional<TelephoneEvent> parse_telephone_event(std::span<const std::byte> payload) {
  if (payload.size() < kTelephoneEventBytes) return std::nullopt;
  TelephoneEvent event;
  event.event = octet(payload, 0);
  event.end = (octet(payload, 1) & 0x80U) != 0;
  event.volume = octet(payload, 1) & 0x3FU;
  event.duration = get16(payload, 2);
  return event;
}

void build_telephone_event(const TelephoneEvent& event,
                           std::span<std::byte, kTelephoneEventBytes> out) {
  out[0] = static_cast<std::byte>(event.event);
  out[1] = static_cast<std::byte>((event.end ? 0x80U : 0U) | (event.volume & 0x3FU));
  put16(out, 2, event.duration);
}

std::optional<char> event_digit(std::uint8_t event) noexcept {
  if (event >= kDigits.size()) return std::nullopt;
  return kDigits[event];
}

std::optional<std::uint8_t> digit_event(char digit) noexcept {
  const auto at = kDigits.find(digit);
  if (at == std::string_view::npos) return std::nullopt;
  return static_cast<std::uint8_t>(at);
}

namespace {

void put_report_block(const ReportBlock& block, std::span<std::byte> out) {
  constexpr std::int32_t kMax24 = 0x7FFFFF;
  const std::int32_t lost = std::clamp(block.cumulative_lost, -kMax24 - 1, kMax24);
  put32(out, 0, block.ssrc);
  put32(
      out, 4,
      (std::uint32_t{block.fraction_lost} << 24U) | (static_cast<std::uint32_t>(lost) & 0xFFFFFFU));
  put32(out, 8, block.extended_highest);
  put32(out, 12, block.jitter);
  put32(out, 16, block.last_sr);
  put32(out, 20, block.delay_since_last_sr);
}

}  // namespace

std::size_t build_sender_report(const SenderInfo& info, const std::optional<ReportBlock>& block,
                                std::string_view cname, std::span<std::byte> out) {
  constexpr std::size_t kReportBlockBytes = 24;
  const std::size_t kSrBytes = 28 + (block ? kReportBlockBytes : 0);
  cname = cname.substr(0, 255);
  // SDES: header, SSRC, CNAME item (type, length, text), end item, padded to 32 bits.
  const std::size_t sdes_items = 2 + cname.size() + 1;
  const std::size_t sdes_bytes = 8 + (sdes_items + 3) / 4 * 4;
  const std::size_t length = kSrBytes + sdes_bytes;
  if (out.size() < length) return 0;
  std::fill_n(out.begin(), length, std::byte{0});

  out[0] = block ? std::byte{0x81} : std::byte{0x80};  // version 2, a report block or none
  out[1] = std::byte{200};                             // SR
  put16(out, 2, static_cast<std::uint16_t>(kSrBytes / 4 - 1));
  put32(out, 4, info.ssrc);
  put32(out, 8, static_cast<std::uint32_t>(info.ntp_time >> 32U));
  put32(out, 12, static_cast<std::uint32_t>(info.ntp_time & 0xFFFFFFFFU));
  put32(out, 16, info.rtp_timestamp);
  put32(out, 20, info.packets);
  put32(out, 24, info.octets);
  if (block) put_report_block(*block, out.subspan(28, kReportBlockBytes));

  const auto sdes = out.subspan(kSrBytes, sdes_bytes);
  sdes[0] = std::byte{0x81};  // version 2, one chunk
  sdes[1] = std::byte{202};   // SDES
  put16(sdes, 2, static_cast<std::uint16_t>(sdes_bytes / 4 - 1));
  put32(sdes, 4, info.ssrc);
  sdes[8] = std::byte{1};  // CNAME
  sdes[9] = static_cast<std::byte>(cname.size());
  std::transform(cname.begin(), cname.end(), sdes.begin() + 10,
                 [](char c) { return static_cast<std::byte>(c); });
  return length;  // the end item and padding are the zeros already there
}

std::uint8_t fraction_lost(std::uint64_t expected, std::uint64_t received) noexcept {
  if (expected == 0 || received >= expected) return 0;
  return static_cast<std::uint8_t>(
      std::min<std::uint64_t>(((expected - received) << 8U) / expected, 255));
}

std::optional<std::uint32_t> sender_report_time(std::span<const std::byte> datagram) noexcept {
  constexpr std::size_t kSrBytes = 28;
  if (!looks_like_rtcp(datagram) || octet(datagram, 1) != 200 || datagram.size() < kSrBytes) {
    return std::nullopt;
  }
  // NTP seconds' low half, then the fraction's high half.
  return static_cast<std::uint32_t>((get32(datagram, 8) << 16U) | (get32(datagram, 12) >> 16U));
}

bool looks_like_rtcp(std::span<const std::byte> datagram) noexcept {
  if (datagram.size() < 8) return false;
  const std::uint8_t first = octet(datagram, 0);
  const std::uint8_t type = octet(datagram, 1);
  if ((first >> 6U) != 2 || type < 200 || type > 204) return false;
  const std::size_t length = (static_cast<std::size_t>(get16(datagram, 2)) + 1) * 4;
  return length <= datagram.size();
}

}  // namespace gw::media
