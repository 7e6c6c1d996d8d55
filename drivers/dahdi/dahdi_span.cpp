#include "drivers/dahdi/dahdi_span.hpp"

#include <dahdi/user.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace gw::dahdi {
namespace {

// `what` is built before the failing call and `operation` is a literal, so
// errno is still the ioctl's when it is saved here.
[[noreturn]] void throw_errno(const std::string& what, const char* operation) {
  const int code = errno;
  throw std::system_error(code, std::generic_category(), what + ": " + operation);
}

class DahdiChannel final : public tdm::Channel {
 public:
  explicit DahdiChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int fd() const noexcept override { return fd_.get(); }
  // A read fails with ELAST while an event is pending on the channel; the
  // event is the span's to take (take_events), after which reads resume.
  tdm::IoResult read(std::span<std::byte> buffer) override {
    const auto got = ::read(fd_.get(), buffer.data(), buffer.size());
    if (got < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(got), {}};
  }
  tdm::IoResult write(std::span<const std::byte> data) override {
    const auto sent = ::write(fd_.get(), data.data(), data.size());
    if (sent < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(sent), {}};
  }

 private:
  UniqueFd fd_;
};

// Opens DAHDI channel `channo` as chan_dahdi does.
UniqueFd open_channel(const std::string& device, int channo, std::error_code& error) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (fd && ::ioctl(fd.get(), DAHDI_SPECIFY, &channo) == 0) return fd;
  error = std::error_code(errno, std::generic_category());
  return {};
}

// Immediate policies: a buffer goes out (and is handed to read()) as soon as
// it is full, not after `numbufs` have queued up, which would add latency.
bool set_buffers(int fd, int count, int size) {
  dahdi_bufferinfo info{};
  info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
  info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
  info.numbufs = count;
  info.bufsize = size;
  return ::ioctl(fd, DAHDI_SET_BUFINFO, &info) == 0;
}

// chan_dahdi's B-channel set-up: 160-byte blocks (20 ms), 4 of them queued.
bool configure_bearer(int fd, tdm::Law law) {
  int blocksize = static_cast<int>(tdm::kBlockBytes);
  int dahdi_law = law == tdm::Law::alaw ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
  return ::ioctl(fd, DAHDI_SET_BLOCKSIZE, &blocksize) == 0 &&
         set_buffers(fd, 4, static_cast<int>(tdm::kBlockBytes)) &&
         ::ioctl(fd, DAHDI_SETLAW, &dahdi_law) == 0;
}

std::string hex(unsigned value) {
  std::ostringstream text;
  text << "0x" << std::hex << value;
  return text.str();
}

// struct dahdi_echocanparams followed by its parameters, as chan_dahdi sends
// it; spelt out because a struct ending in a zero-size array cannot be a
// member in ISO C++.
struct EchoCancelRequest {
  __u32 tap_length;
  __u32 param_count;
  dahdi_echocanparam params[DAHDI_MAX_ECHOCANPARAMS];
};
static_assert(offsetof(EchoCancelRequest, params) == sizeof(dahdi_echocanparams));
static_assert(offsetof(dahdi_echocanparams, param_count) ==
              offsetof(EchoCancelRequest, param_count));

bool valid_taps(int taps) {
  return taps == 32 || taps == 64 || taps == 128 || taps == 256 || taps == 512 || taps == 1024;
}

}  // namespace

DahdiSpan::DahdiSpan(const tdm::SpanSpec& spec, SpanLocation location, const BackendPaths& paths)
    : name_(spec.name),
      location_(std::move(location)),
      layout_(spec.shape),
      law_(spec.effective_law()),
      device_(paths.device),
      echo_canceller_(spec.echo_canceller),
      echo_taps_(spec.echo_taps) {
  check_location(spec);
  const int dchannel = channel_number(layout_.d_timeslot());
  const std::string what = device_ + " channel " + std::to_string(dchannel) + " (span " +
                           std::to_string(location_.span) + " D-channel)";
  std::error_code error;
  auto fd = open_channel(device_, dchannel, error);
  if (!fd) throw std::system_error(error, what);
  dahdi_params params{};
  if (::ioctl(fd.get(), DAHDI_GET_PARAMS, &params) != 0) throw_errno(what, "DAHDI_GET_PARAMS");
  if (params.sigtype != DAHDI_SIG_HDLCFCS && params.sigtype != DAHDI_SIG_HARDHDLC) {
    throw std::invalid_argument(what + " has signalling " + hex(params.sigtype) +
                                ", not an HDLC D-channel: configure it with dchan= or "
                                "hardhdlc= in system.conf and run dahdi_cfg");
  }
  if (!set_buffers(fd.get(), 32, 1024)) throw_errno(what, "DAHDI_SET_BUFINFO");
  if (!echo_canceller_.empty()) {
    // Without the control device the canceller cannot be chosen per channel;
    // open_bearer says so with an event rather than failing the span.
    control_.reset(::open(paths.control.c_str(), O_RDWR | O_CLOEXEC));
  }
  d_channel_ = std::make_unique<DahdiChannel>(std::move(fd));
}

void DahdiSpan::check_location(const tdm::SpanSpec& spec) {
  const std::string span = "DAHDI span " + std::to_string(location_.span);
  const auto shape = location_.shape();
  if (shape && *shape != spec.shape) {
    throw std::invalid_argument(span + " is " + std::string(tdm::to_string(*shape)) +
                                " (DAHDI type '" + location_.type + "', " +
                                std::to_string(location_.channels) + " channels), configured as " +
                                std::string(tdm::to_string(spec.shape)));
  }
  if (location_.channels != layout_.timeslots()) {
    throw std::invalid_argument(span + ": shape " + std::string(tdm::to_string(spec.shape)) +
                                " needs " + std::to_string(layout_.timeslots()) +
                                " channels, DAHDI has " + std::to_string(location_.channels));
  }
  const int expected = channel_number(layout_.d_timeslot());
  if (location_.dchannel != 0 && location_.dchannel != expected) {
    throw std::invalid_argument(span + ": system.conf puts the D-channel on channel " +
                                std::to_string(location_.dchannel) + ", the " +
                                std::string(tdm::to_string(spec.shape)) + " layout on channel " +
                                std::to_string(expected));
  }
  if (!echo_canceller_.empty() &&
      echo_canceller_.size() >= sizeof(dahdi_attach_echocan{}.echocan)) {
    throw std::invalid_argument(span + ": echo canceller name '" + echo_canceller_ +
                                "' is too long for DAHDI");
  }
  if (!echo_canceller_.empty() && !valid_taps(echo_taps_)) {
    throw std::invalid_argument(span + ": echo taps " + std::to_string(echo_taps_) +
                                " is not one of 32, 64, 128, 256, 512, 1024");
  }
}

std::unique_ptr<tdm::Channel> DahdiSpan::open_bearer(int timeslot, std::error_code& error) {
  if (!layout_.is_bearer(timeslot)) {
    error = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
  }
  const int channo = channel_number(timeslot);
  auto fd = open_channel(device_, channo, error);
  if (!fd) return nullptr;
  if (!configure_bearer(fd.get(), law_)) {
    error = std::error_code(errno, std::generic_category());
    return nullptr;
  }
  if (!echo_canceller_.empty() && !enable_echo_canceller(fd.get(), channo) && !echo_warned_) {
    echo_warned_ = true;  // calls still work, without cancellation: say so once
    pending_.push_back({tdm::SpanEvent::Kind::echo_canceller_unavailable, alarms()});
  }
  error.clear();
  return std::make_unique<DahdiChannel>(std::move(fd));
}

// As chan_dahdi: the canceller is attached to the channel (dahdi_cfg does that
// from system.conf's echocanceller= line; doing it here lets a span choose
// its own), then enabled with its tap length and no extra parameters. The
// channel is then no longer bit-transparent: fine for speech, not for data.
bool DahdiSpan::enable_echo_canceller(int fd, int channo) const {
  // A clear channel passes bytes untouched; only in audio mode does DAHDI run
  // them through the canceller (chan_dahdi sets it for voice calls too).
  int audio = 1;
  if (::ioctl(fd, DAHDI_AUDIOMODE, &audio) != 0) return false;
  bool attached = false;
  if (control_) {
    dahdi_attach_echocan attach{};
    attach.chan = channo;
    echo_canceller_.copy(attach.echocan, sizeof(attach.echocan) - 1);
    attached = ::ioctl(control_.get(), DAHDI_ATTACH_ECHOCAN, &attach) == 0;
    if (!attached) return false;  // EINVAL: no such canceller module
  }
  EchoCancelRequest request{};
  request.tap_length = static_cast<__u32>(echo_taps_);
  request.param_count = 0;
  // With no canceller attached DAHDI accepts this and cancels nothing, so
  // only an attach of our own proves the canceller is there.
  return ::ioctl(fd, DAHDI_ECHOCANCEL_PARAMS, &request) == 0 && attached;
}

tdm::AlarmSet DahdiSpan::alarms() const {
  dahdi_spaninfo info{};
  info.spanno = location_.span;
  tdm::AlarmSet alarms;
  if (::ioctl(d_channel_->fd(), DAHDI_SPANSTAT, &info) != 0) {
    alarms.set(tdm::Alarm::red, true);  // a span DAHDI cannot report on carries nothing
    return alarms;
  }
  // Loss of signal or framing, a span not started, a line looped back, and the
  // seconds of recovery after an alarm: none carries calls.
  const int red = DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA | DAHDI_ALARM_LMFA |
                  DAHDI_ALARM_NOTOPEN | DAHDI_ALARM_LOOPBACK | DAHDI_ALARM_RECOVER;
  alarms.set(tdm::Alarm::red, (info.alarms & red) != 0);
  alarms.set(tdm::Alarm::yellow, (info.alarms & DAHDI_ALARM_YELLOW) != 0);
  alarms.set(tdm::Alarm::blue, (info.alarms & DAHDI_ALARM_BLUE) != 0);
  return alarms;
}

tdm::EventWait DahdiSpan::event_wait() const noexcept {
  return tdm::EventWait{d_channel_->fd(), true};  // DAHDI raises events as POLLPRI
}

std::vector<tdm::SpanEvent> DahdiSpan::take_events() {
  auto events = std::exchange(pending_, {});
  // Bounded: a driver that kept reporting events must not hold the caller.
  for (int i = 0; i < 64; ++i) {
    int event = DAHDI_EVENT_NONE;
    if (::ioctl(d_channel_->fd(), DAHDI_GETEVENT, &event) != 0 || event == DAHDI_EVENT_NONE) break;
    switch (event) {
      case DAHDI_EVENT_ALARM:
      case DAHDI_EVENT_NOALARM:
        events.push_back({tdm::SpanEvent::Kind::alarms_changed, alarms()});
        break;
      case DAHDI_EVENT_ABORT:
        events.push_back({tdm::SpanEvent::Kind::hdlc_abort, alarms()});
        break;
      case DAHDI_EVENT_BADFCS:
        events.push_back({tdm::SpanEvent::Kind::bad_fcs, alarms()});
        break;
      case DAHDI_EVENT_OVERRUN:
        events.push_back({tdm::SpanEvent::Kind::overrun, alarms()});
        break;
      default:
        break;  // signalling events of analog and CAS channels mean nothing on a PRI
    }
  }
  return events;
}

}  // namespace gw::dahdi
