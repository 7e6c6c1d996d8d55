#include "gateway/media/telephone_events.hpp"

#include <algorithm>
#include <utility>

namespace gw::media {
namespace {

constexpr std::uint32_t kBlockSamples = 160;
constexpr int kEndRepeats = 3;
// A digit shorter than this is not detected reliably on the PSTN side (Q.24
// asks for 40 ms); a peer's very short event is stretched to it.
constexpr std::uint32_t kMinDigitSamples = 40 * 8;

}  // namespace

EventReceiver::Action EventReceiver::on_packet(std::uint32_t timestamp,
                                               const TelephoneEvent& event) {
  Action action;
  const bool same_event = state_ != State::idle && timestamp == timestamp_;
  if (!same_event) {
    const auto digit = event_digit(event.event);
    if (!digit) return action;  // not DTMF (flash, modem tones): nothing to play
    state_ = State::playing;
    timestamp_ = timestamp;
    action.start = *digit;
  }
  if (state_ == State::playing && event.end) {
    state_ = State::ended;
    action.stop_after = std::max<std::uint32_t>(event.duration, kMinDigitSamples);
  }
  return action;
}

std::size_t EventSender::on_block(std::uint32_t block_timestamp, std::string_view changes,
                                  Packets& out) {
  std::size_t count = 0;
  for (const char change : changes) {
    if (change != '\0' && digit_event(change)) {
      if (state_ != State::idle) {
        if (state_ == State::active) ends_left_ = kEndRepeats;
        flush_ends(out, count);
      }
      begin(change, block_timestamp);
    } else if (change == '\0' && state_ == State::active) {
      state_ = State::ending;
      ends_left_ = kEndRepeats;
      duration_ = std::max(duration_, kBlockSamples);  // it began and ended in one block
    }
  }
  if (state_ == State::active && count < out.size()) {
    duration_ = std::min<std::uint32_t>(duration_ + kBlockSamples, 0xFFFF);
    out[count++] = current(false);
  } else if (state_ == State::ending && count < out.size()) {
    out[count++] = current(true);
    if (--ends_left_ == 0) state_ = State::idle;
  }
  return count;
}

void EventSender::begin(char digit, std::uint32_t timestamp) {
  state_ = State::active;
  first_ = true;
  event_ = *digit_event(digit);
  timestamp_ = timestamp;
  duration_ = 0;
}

void EventSender::flush_ends(Packets& out, std::size_t& count) {
  while (ends_left_ > 0 && count < out.size()) {
    out[count++] = current(true);
    --ends_left_;
  }
  state_ = State::idle;
}

EventSender::Packet EventSender::current(bool end) {
  Packet packet;
  packet.timestamp = timestamp_;
  packet.marker = std::exchange(first_, false);
  packet.event.event = event_;
  packet.event.end = end;
  packet.event.duration = static_cast<std::uint16_t>(duration_);
  return packet;
}

}  // namespace gw::media
