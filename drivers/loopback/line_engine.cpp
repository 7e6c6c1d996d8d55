#include "drivers/loopback/line_engine.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace gw::loopback {
namespace {

UniqueFd make_eventfd() {
  UniqueFd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

void signal_fd(int fd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(fd, &one, sizeof one);
}

void drain_fd(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto got = ::read(fd, &count, sizeof count);
}

timespec to_timespec(std::chrono::nanoseconds span) {
  const auto clamped = std::max(span, std::chrono::nanoseconds::zero());
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(clamped);
  return timespec{static_cast<time_t>(seconds.count()),
                  static_cast<long>((clamped - seconds).count())};
}

}  // namespace

sockaddr_un LineEngine::unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(), "loopback socket " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

LineEngine::LineEngine(std::string name, tdm::Layout layout, tdm::Law law, Endpoint endpoint,
                       LineOptions options, UniqueFd d_engine_end)
    : name_(std::move(name)),
      layout_(layout),
      law_(law),
      options_(options),
      endpoint_(std::move(endpoint)),
      d_engine_end_(std::move(d_engine_end)),
      wake_fd_(make_eventfd()),
      event_fd_(make_eventfd()) {
  idle_block_.fill(tdm::idle_code(law_));
  tdm::AlarmSet initial;
  initial.set(tdm::Alarm::red, true);
  alarm_bits_.store(initial.bits());
  const auto now = Clock::now();
  // A path too long for a socket address is refused here, not on the line thread.
  if (endpoint_.mode != Endpoint::Mode::connected) (void)unix_address(endpoint_.path);
  if (endpoint_.mode == Endpoint::Mode::connected) {
    attach_link(std::move(endpoint_.socket), now);
  } else if (endpoint_.mode == Endpoint::Mode::listen) {
    const auto address = unix_address(endpoint_.path);
    listen_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ::unlink(endpoint_.path.c_str());
    if (!listen_ ||
        ::bind(listen_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_.get(), 1) != 0) {
      throw std::system_error(errno, std::generic_category(),
                              "loopback span " + name_ + ": listen on " + endpoint_.path);
    }
  }
  next_tick_ = now + tdm::kBlockPeriod;
  thread_ = std::thread([this] { run(); });
}

LineEngine::~LineEngine() {
  stop_.store(true, std::memory_order_release);
  signal_fd(wake_fd_.get());
  if (thread_.joinable()) thread_.join();
  if (endpoint_.mode == Endpoint::Mode::listen) ::unlink(endpoint_.path.c_str());
}

void LineEngine::attach_bearer(int timeslot, UniqueFd engine_end) {
  {
    const std::lock_guard lock(mutex_);
    pending_bearers_.emplace_back(timeslot, std::move(engine_end));
  }
  signal_fd(wake_fd_.get());
}

std::vector<tdm::SpanEvent> LineEngine::take_events() {
  drain_fd(event_fd_.get());
  const std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

void LineEngine::send_ais(bool on) {
  ais_.store(on, std::memory_order_release);
  signal_fd(wake_fd_.get());
}

void LineEngine::cut_line(LoopbackSpan::Cut cut) {
  cut_.store(cut, std::memory_order_release);
  signal_fd(wake_fd_.get());
}

void LineEngine::push_event(tdm::SpanEvent event) {
  {
    const std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  signal_fd(event_fd_.get());
}

bool LineEngine::receiving() const noexcept {
  return link_.valid() && !shape_mismatch_ &&
         cut_.load(std::memory_order_acquire) == LoopbackSpan::Cut::none;
}

bool LineEngine::sending() const noexcept {
  return link_.valid() && !shape_mismatch_ &&
         cut_.load(std::memory_order_acquire) != LoopbackSpan::Cut::both;
}

void LineEngine::run() {
  while (!stop_.load(std::memory_order_acquire)) {
    const auto now = Clock::now();
    if (now >= next_tick_) {
      // Take what the far end has sent before judging its silence: after a
      // stall of this thread its frames sit unread in the socket, and an
      // overloaded machine is not a red alarm.
      if (link_.valid()) read_link(now);
      tick(now);
      next_tick_ += tdm::kBlockPeriod;
      // After a stall (a stopped debugger, an overloaded machine) resume the
      // 20 ms cadence from now instead of sending a burst of late frames.
      if (now - next_tick_ > 5 * tdm::kBlockPeriod) next_tick_ = now + tdm::kBlockPeriod;
    }
    if (!link_.valid() && endpoint_.mode == Endpoint::Mode::connect && now >= reconnect_at_) {
      try_connect(now);
    }
    flush_dchannel(now);
    wait_for_work(now);
  }
}

void LineEngine::wait_for_work(Clock::time_point now) {
  std::array<pollfd, 3> fds{};
  nfds_t count = 0;
  fds[count++] = pollfd{wake_fd_.get(), POLLIN, 0};
  const bool dchannel_room = dchannel_queue_.size() < kDchannelQueueCapacity;
  fds[count++] = pollfd{d_engine_end_.get(), static_cast<short>(dchannel_room ? POLLIN : 0), 0};
  if (link_.valid()) {
    fds[count++] = pollfd{link_.get(), POLLIN, 0};
  } else if (listen_.valid()) {
    fds[count++] = pollfd{listen_.get(), POLLIN, 0};
  }
  auto deadline = next_tick_;
  if (!dchannel_queue_.empty() && options_.limit_dchannel) {
    deadline = std::min(deadline, dchannel_due_ == Clock::time_point{} ? now : dchannel_due_);
  }
  if (!link_.valid() && endpoint_.mode == Endpoint::Mode::connect) {
    deadline = std::min(deadline, reconnect_at_);
  }
  const auto timeout = to_timespec(deadline - now);
  if (::ppoll(fds.data(), count, &timeout, nullptr) <= 0) return;
  if ((fds[0].revents & POLLIN) != 0) {
    drain_fd(wake_fd_.get());
    adopt_pending_bearers();
  }
  if ((fds[1].revents & POLLIN) != 0) read_dchannel();
  if (count == 3 && fds[2].revents != 0) {
    if (link_.valid()) {
      read_link(Clock::now());
    } else {
      accept_peer(Clock::now());
    }
  }
}

void LineEngine::adopt_pending_bearers() {
  std::vector<std::pair<int, UniqueFd>> pending;
  {
    const std::lock_guard lock(mutex_);
    pending.swap(pending_bearers_);
  }
  for (auto& [timeslot, fd] : pending) {
    auto& bearer = bearers_.at(static_cast<std::size_t>(timeslot));
    bearer.fd = std::move(fd);
    bearer.fifo.clear();
  }
}

}  // namespace gw::loopback
