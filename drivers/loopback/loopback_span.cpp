#include "drivers/loopback/loopback_span.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

#include "drivers/loopback/line_engine.hpp"

namespace gw::loopback {
namespace {

// The user's end of a channel: a SOCK_SEQPACKET socket whose other end the line
// thread serves, so that one read is one frame or one block, as on DAHDI.
class SocketChannel final : public tdm::Channel {
 public:
  explicit SocketChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int fd() const noexcept override { return fd_.get(); }
  tdm::IoResult read(std::span<std::byte> buffer) override {
    const auto got = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got < 0) return {0, std::error_code(errno, std::generic_category())};
    if (got == 0 && !buffer.empty()) return {0, std::make_error_code(std::errc::broken_pipe)};
    return {static_cast<std::size_t>(got), {}};
  }
  tdm::IoResult write(std::span<const std::byte> data) override {
    const auto sent = ::send(fd_.get(), data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(sent), {}};
  }

 private:
  UniqueFd fd_;
};

std::pair<UniqueFd, UniqueFd> seqpacket_pair(int send_buffer) {
  int fds[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  if (send_buffer > 0) {
    for (const int fd : fds)
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Room for about six blocks each way: a reader that stalls longer loses audio
// instead of hearing it late.
constexpr int kBearerSocketBuffer = 8 * 1024;

}  // namespace

LoopbackSpan::LoopbackSpan(std::string name, tdm::Shape shape, tdm::Law law, Endpoint endpoint,
                           LineOptions options)
    : name_(std::move(name)), layout_(shape), law_(law) {
  auto [user_end, engine_end] = seqpacket_pair(0);
  d_channel_ = std::make_unique<SocketChannel>(std::move(user_end));
  engine_ = std::make_unique<LineEngine>(name_, layout_, law_, std::move(endpoint), options,
                                         std::move(engine_end));
}

LoopbackSpan::~LoopbackSpan() = default;

tdm::Channel& LoopbackSpan::d_channel() {
  return *d_channel_;
}

std::unique_ptr<tdm::Channel> LoopbackSpan::open_bearer(int timeslot, std::error_code& error) {
  if (!layout_.is_bearer(timeslot)) {
    error = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
  }
  try {
    auto [user_end, engine_end] = seqpacket_pair(kBearerSocketBuffer);
    engine_->attach_bearer(timeslot, std::move(engine_end));
    error.clear();
    return std::make_unique<SocketChannel>(std::move(user_end));
  } catch (const std::system_error& failure) {
    error = failure.code();
    return nullptr;
  }
}

tdm::AlarmSet LoopbackSpan::alarms() const {
  return engine_->alarms();
}

tdm::EventWait LoopbackSpan::event_wait() const noexcept {
  return tdm::EventWait{engine_->event_fd(), false};
}

std::vector<tdm::SpanEvent> LoopbackSpan::take_events() {
  return engine_->take_events();
}

void LoopbackSpan::send_ais(bool on) {
  engine_->send_ais(on);
}
void LoopbackSpan::cut_line(Cut cut) {
  engine_->cut_line(cut);
}
void LoopbackSpan::corrupt_next_dframe() {
  engine_->corrupt_next_dframe();
}
bool LoopbackSpan::connected() const {
  return engine_->connected();
}

SpanPair make_pair(const std::string& name, tdm::Shape shape, tdm::Law law, LineOptions options) {
  auto [end_a, end_b] = seqpacket_pair(0);
  Endpoint a{Endpoint::Mode::connected, std::move(end_a), {}};
  Endpoint b{Endpoint::Mode::connected, std::move(end_b), {}};
  return SpanPair{std::make_unique<LoopbackSpan>(name + "/a", shape, law, std::move(a), options),
                  std::make_unique<LoopbackSpan>(name + "/b", shape, law, std::move(b), options)};
}

}  // namespace gw::loopback
