// The traffic half of the line thread: the 20 ms TDM frames, D-channel frames,
// the link to the far end and the alarms they imply.

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>

#include "drivers/loopback/fcs.hpp"
#include "drivers/loopback/line_engine.hpp"
#include "drivers/loopback/wire.hpp"

namespace gw::loopback {
namespace {

constexpr std::size_t kBearerFifoBytes = 4 * tdm::kBlockBytes;  // 80 ms of transmit buffer
constexpr int kMaxMessagesPerWake = 64;
constexpr std::size_t kMaxDframe = 1024;

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK;
}

// 64 kbit/s: 125 µs an octet, plus one flag octet between frames.
std::chrono::microseconds dchannel_airtime(std::size_t octets) {
  return std::chrono::microseconds(static_cast<long>((octets + 1) * 125));
}

}  // namespace

void LineEngine::tick(Clock::time_point now) {
  update_alarms(now);
  std::uint8_t flags = 0;
  if (alarms().has(tdm::Alarm::red)) flags |= wire::kFlagRai;
  if (ais_.load(std::memory_order_acquire)) flags |= wire::kFlagAis;
  wire::begin_tdm(frame_out_, flags);
  std::array<std::byte, tdm::kBlockBytes> block{};
  for (int ts = 1; ts <= layout_.timeslots(); ++ts) {
    auto& bearer = bearers_.at(static_cast<std::size_t>(ts));
    if (!bearer.fd.valid()) continue;
    take_block(bearer, block);
    if (bearer.fd.valid()) wire::add_slot(frame_out_, ts, block);
  }
  if (sending()) {
    if (::send(link_.get(), frame_out_.data(), frame_out_.size(), MSG_DONTWAIT | MSG_NOSIGNAL) <
            0 &&
        !would_block(errno)) {
      drop_link();
    }
  }
  // A dead line still clocks: the user hears idle code every 20 ms, as on DAHDI.
  // A far end merely late (a busy machine) is waited for 100 ms first, so its
  // frames are not doubled by idle blocks slipped in between.
  if (!receiving() || now - last_frame_in_ > 5 * tdm::kBlockPeriod) deliver_idle_to_all();
}

void LineEngine::take_block(Bearer& bearer, std::span<std::byte> block) {
  std::array<std::byte, 4096> incoming{};
  while (bearer.fifo.size() < kBearerFifoBytes) {
    const auto got = ::recv(bearer.fd.get(), incoming.data(), incoming.size(), MSG_DONTWAIT);
    if (got == 0 || (got < 0 && !would_block(errno))) {
      bearer.fd.reset();  // the user closed the channel
      bearer.fifo.clear();
      return;
    }
    if (got < 0) break;
    bearer.fifo.insert(bearer.fifo.end(), incoming.begin(), incoming.begin() + got);
  }
  const std::size_t ready = std::min(bearer.fifo.size(), block.size());
  std::copy_n(bearer.fifo.begin(), ready, block.begin());
  std::fill(block.begin() + static_cast<std::ptrdiff_t>(ready), block.end(), tdm::idle_code(law_));
  bearer.fifo.erase(bearer.fifo.begin(), bearer.fifo.begin() + static_cast<std::ptrdiff_t>(ready));
}

void LineEngine::deliver(int timeslot, std::span<const std::byte> block) {
  if (timeslot < 0 || timeslot >= static_cast<int>(bearers_.size())) return;
  auto& bearer = bearers_.at(static_cast<std::size_t>(timeslot));
  if (!bearer.fd.valid()) return;
  if (::send(bearer.fd.get(), block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    if (!would_block(errno)) {
      bearer.fd.reset();
      bearer.fifo.clear();
    }
    // A reader that does not keep up loses blocks, as with DAHDI's buffers.
  }
}

void LineEngine::deliver_idle_to_all() {
  for (int ts = 1; ts <= layout_.timeslots(); ++ts) deliver(ts, idle_block_);
}

void LineEngine::read_link(Clock::time_point now) {
  message_in_.resize(wire::kMaxMessage + kMaxDframe);
  for (int i = 0; i < kMaxMessagesPerWake && link_.valid(); ++i) {
    const auto got = ::recv(link_.get(), message_in_.data(), message_in_.size(), MSG_DONTWAIT);
    if (got == 0) {
      drop_link();
      return;
    }
    if (got < 0) {
      if (!would_block(errno)) drop_link();
      return;
    }
    if (cut_.load(std::memory_order_acquire) != LoopbackSpan::Cut::none) continue;
    handle_message(std::span(message_in_).first(static_cast<std::size_t>(got)), now);
  }
}

void LineEngine::handle_message(std::span<const std::byte> message, Clock::time_point now) {
  switch (static_cast<wire::Type>(message[0])) {
    case wire::Type::hello: {
      const auto shape = wire::parse_hello(message);
      shape_mismatch_ = !shape || *shape != layout_.shape();
      return;
    }
    case wire::Type::dframe:
      if (!shape_mismatch_) handle_dframe(message.subspan(1));
      return;
    case wire::Type::tdm:
      if (!shape_mismatch_) handle_tdm(message, now);
      return;
  }
}

void LineEngine::handle_tdm(std::span<const std::byte> message, Clock::time_point now) {
  std::array<bool, 32> delivered{};
  const auto flags = wire::parse_tdm(message, [&](const wire::TdmSlot& slot) {
    if (!layout_.is_bearer(slot.timeslot)) return;
    deliver(slot.timeslot, slot.block);
    delivered.at(static_cast<std::size_t>(slot.timeslot)) = true;
  });
  if (!flags) return;
  for (int ts = 1; ts <= layout_.timeslots(); ++ts) {
    if (!delivered.at(static_cast<std::size_t>(ts))) deliver(ts, idle_block_);
  }
  last_frame_in_ = now;
  far_rai_ = (*flags & wire::kFlagRai) != 0;
  far_ais_ = (*flags & wire::kFlagAis) != 0;
  update_alarms(now);
}

void LineEngine::handle_dframe(std::span<const std::byte> frame) {
  if (!fcs_valid(frame)) {
    push_event({tdm::SpanEvent::Kind::bad_fcs, alarms()});
    return;
  }
  if (::send(d_engine_end_.get(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    push_event({tdm::SpanEvent::Kind::overrun, alarms()});
  }
}

void LineEngine::read_dchannel() {
  std::array<std::byte, kMaxDframe + 1> frame{};
  while (dchannel_queue_.size() < kDchannelQueueCapacity) {
    const auto got = ::recv(d_engine_end_.get(), frame.data() + 1, kMaxDframe, MSG_DONTWAIT);
    if (got <= 0) return;
    if (got < 3 || !sending()) continue;  // nothing to frame, or a dead line swallows it
    frame[0] = static_cast<std::byte>(wire::Type::dframe);
    std::vector<std::byte> message(frame.begin(), frame.begin() + got + 1);
    fcs_append(std::span(message).subspan(1));
    if (corrupt_next_.exchange(false)) message.back() ^= std::byte{0x5A};
    dchannel_queue_.push_back(std::move(message));
  }
}

void LineEngine::flush_dchannel(Clock::time_point now) {
  while (!dchannel_queue_.empty()) {
    auto& message = dchannel_queue_.front();
    if (options_.limit_dchannel) {
      // A frame reaches the far end once its last bit is on the line.
      if (dchannel_due_ == Clock::time_point{}) {
        dchannel_due_ = std::max(now, dchannel_free_at_) + dchannel_airtime(message.size() - 1);
      }
      if (now < dchannel_due_) return;
    }
    if (sending() &&
        ::send(link_.get(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
        would_block(errno)) {
      return;  // the socket is full: try again at the next wake-up
    }
    if (options_.limit_dchannel) {
      dchannel_free_at_ = dchannel_due_;
      dchannel_due_ = {};
    }
    dchannel_queue_.pop_front();
  }
}

void LineEngine::attach_link(UniqueFd link, Clock::time_point now) {
  link_ = std::move(link);
  shape_mismatch_ = false;
  far_rai_ = far_ais_ = false;
  last_frame_in_ = now;  // a grace period before loss of frame is declared
  const auto hello = wire::hello(layout_.shape());
  ::send(link_.get(), hello.data(), hello.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  connected_.store(true, std::memory_order_release);
}

void LineEngine::drop_link() {
  link_.reset();
  connected_.store(false, std::memory_order_release);
  dchannel_queue_.clear();
  dchannel_due_ = {};
  reconnect_at_ = Clock::now() + options_.reconnect_interval;
  update_alarms(Clock::now());
}

void LineEngine::try_connect(Clock::time_point now) {
  reconnect_at_ = now + options_.reconnect_interval;
  const sockaddr_un address = unix_address(endpoint_.path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd && ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    attach_link(std::move(fd), now);
  }
}

void LineEngine::accept_peer(Clock::time_point now) {
  UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (fd) attach_link(std::move(fd), now);
}

void LineEngine::update_alarms(Clock::time_point now) {
  const bool lost = !receiving() || now - last_frame_in_ > options_.loss_of_frame;
  tdm::AlarmSet next = alarms();
  next.set(tdm::Alarm::red, lost);
  next.set(tdm::Alarm::yellow, !lost && far_rai_);
  next.set(tdm::Alarm::blue, !lost && far_ais_);
  const auto previous = tdm::AlarmSet(alarm_bits_.exchange(next.bits()));
  if (previous != next) push_event({tdm::SpanEvent::Kind::alarms_changed, next});
}

}  // namespace gw::loopback
