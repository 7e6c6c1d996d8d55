#include "gateway/sip/wire_log.hpp"

#include <algorithm>

#include <charconv>

namespace gw::sip {
namespace {

constexpr std::string_view kIndent = "   ";

}  // namespace

bool is_separator_format(std::string_view format) {
  constexpr std::string_view kLead = "%s   ";
  if (format.size() < kLead.size() + 20 || format.substr(0, kLead.size()) != kLead ||
      format.back() != '\n') {
    return false;
  }
  const auto dashes = format.substr(kLead.size(), format.size() - kLead.size() - 1);
  return dashes.find_first_not_of('-') == std::string_view::npos;
}

WireLogAssembler::WireLogAssembler(MessageSink on_message, LineSink on_other_line)
    : on_message_(std::move(on_message)), on_other_line_(std::move(on_other_line)) {}

void WireLogAssembler::feed(std::string_view text) {
  pending_ += text;
  std::size_t from = 0;
  for (auto newline = pending_.find('\n'); newline != std::string::npos;
       newline = pending_.find('\n', from)) {
    line(std::string_view(pending_).substr(from, newline - from));
    from = newline + 1;
  }
  pending_.erase(0, from);
}

// "send 512 bytes to udp/[127.0.0.1]:5061 at 10:04:05.123456:"
bool WireLogAssembler::start(std::string_view stamp) {
  const bool sent = stamp.rfind("send ", 0) == 0;
  if (!sent && stamp.rfind("recv ", 0) != 0) return false;
  const auto way = stamp.find(sent ? " bytes to " : " bytes from ");
  const auto open = stamp.find("/[");
  const auto close = stamp.find("]:", open);
  if (way == std::string_view::npos || open == std::string_view::npos ||
      close == std::string_view::npos) {
    return false;
  }
  const auto transport_at = way + (sent ? 10 : 12);
  message_ = WireMessage{};
  message_.time = std::chrono::system_clock::now();
  message_.sent = sent;
  message_.transport = std::string(stamp.substr(transport_at, open - transport_at));
  message_.peer_address = std::string(stamp.substr(open + 2, close - open - 2));
  const auto port = stamp.substr(close + 2);
  std::from_chars(port.data(), port.data() + port.size(), message_.peer_port);
  return true;
}

std::string without_sdes_keys(std::string_view line) {
  std::string out(line);
  if (!line.starts_with("a=crypto:")) return out;
  // a=crypto:TAG SUITE inline:KEY[|LIFETIME][|MKI:LENGTH] ...: each key
  // is starred out to its end ('|', ';' or a blank).
  for (auto at = out.find("inline:"); at != std::string::npos; at = out.find("inline:", at)) {
    at += 7;
    const auto end = std::min(out.find_first_of("|; \t", at), out.size());
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(end), '*');
    at = end;
  }
  return out;
}

void WireLogAssembler::separator() {
  switch (state_) {
    case State::outside:  // not after a stamp: nothing of ours
      return;
    case State::header_separator:
      state_ = State::body;
      return;
    case State::body:
      state_ = State::outside;
      if (on_message_) on_message_(std::move(message_));
      return;
  }
}

void WireLogAssembler::line(std::string_view text) {
  switch (state_) {
    case State::outside:
      if (start(text)) {
        state_ = State::header_separator;
      } else if (!text.empty() && on_other_line_) {
        on_other_line_(text);
      }
      return;
    case State::header_separator:  // a stamp-like line that was not tport's
      state_ = State::outside;
      line(text);
      return;
    case State::body:
      if (text.substr(0, 3) == kIndent) text.remove_prefix(3);
      message_.text.append(without_sdes_keys(text)).append("\r\n");
      return;
  }
}

}  // namespace gw::sip
