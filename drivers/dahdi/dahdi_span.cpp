#include "drivers/dahdi/dahdi_span.hpp"

#include <dahdi/user.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace gw::dahdi {
namespace {

std::system_error failure(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

class DahdiChannel final : public tdm::Channel {
 public:
  explicit DahdiChannel(tdm::UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int fd() const noexcept override { return fd_.get(); }
  tdm::IoResult read(std::span<std::byte> buffer) override {
    const auto got = ::read(fd_.get(), buffer.data(), buffer.size());
    // ELAST: an event is pending on the channel; the span's event watch takes it.
    if (got < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(got), {}};
  }
  tdm::IoResult write(std::span<const std::byte> data) override {
    const auto sent = ::write(fd_.get(), data.data(), data.size());
    if (sent < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(sent), {}};
  }

 private:
  tdm::UniqueFd fd_;
};

// Opens DAHDI channel `channo` as chan_dahdi does.
tdm::UniqueFd open_channel(const std::string& device, int channo, std::error_code& error) {
  tdm::UniqueFd fd(::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (fd && ::ioctl(fd.get(), DAHDI_SPECIFY, &channo) == 0) return fd;
  error = std::error_code(errno, std::generic_category());
  return {};
}

bool set_buffers(int fd, int count, int size) {
  dahdi_bufferinfo info{};
  info.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
  info.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
  info.numbufs = count;
  info.bufsize = size;
  return ::ioctl(fd, DAHDI_SET_BUFINFO, &info) == 0;
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

DahdiSpan::DahdiSpan(const tdm::SpanSpec& spec, SpanLocation location, std::string device)
    : name_(spec.name),
      location_(location),
      layout_(spec.shape),
      law_(spec.effective_law()),
      device_(std::move(device)),
      echo_canceller_(spec.echo_canceller),
      echo_taps_(spec.echo_taps) {
  if (location_.channels != layout_.timeslots()) {
    throw std::invalid_argument("span " + std::to_string(location_.span) + ": shape " +
                                std::string(tdm::to_string(spec.shape)) + " needs " +
                                std::to_string(layout_.timeslots()) + " channels, DAHDI has " +
                                std::to_string(location_.channels));
  }
  const int dchannel =
      location_.dchannel != 0 ? location_.dchannel : location_.basechan + layout_.d_timeslot() - 1;
  const std::string what = device_ + " channel " + std::to_string(dchannel) + " (span " +
                           std::to_string(location_.span) + " D-channel)";
  std::error_code error;
  auto fd = open_channel(device_, dchannel, error);
  if (!fd) throw std::system_error(error, what);
  dahdi_params params{};
  if (::ioctl(fd.get(), DAHDI_GET_PARAMS, &params) != 0) throw failure(what + ": DAHDI_GET_PARAMS");
  if (params.sigtype != DAHDI_SIG_HDLCFCS && params.sigtype != DAHDI_SIG_HARDHDLC) {
    throw std::invalid_argument(what +
                                " is not configured as a D-channel (dchan= or hardhdlc= "
                                "in system.conf)");
  }
  if (!set_buffers(fd.get(), 32, 1024)) throw failure(what + ": DAHDI_SET_BUFINFO");
  d_channel_ = std::make_unique<DahdiChannel>(std::move(fd));
}

std::unique_ptr<tdm::Channel> DahdiSpan::open_bearer(int timeslot, std::error_code& error) {
  if (!layout_.is_bearer(timeslot)) {
    error = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
  }
  auto fd = open_channel(device_, location_.basechan + timeslot - 1, error);
  if (!fd) return nullptr;
  int blocksize = static_cast<int>(tdm::kBlockBytes);
  int law = law_ == tdm::Law::alaw ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
  if (::ioctl(fd.get(), DAHDI_SET_BLOCKSIZE, &blocksize) != 0 || !set_buffers(fd.get(), 4, 160) ||
      ::ioctl(fd.get(), DAHDI_SETLAW, &law) != 0) {
    error = std::error_code(errno, std::generic_category());
    return nullptr;
  }
  if (!echo_canceller_.empty()) {
    // The canceller itself (oslec, mg2, the card's) is attached by dahdi_cfg
    // from system.conf's echocanceller= line; the channel's user enables it.
    dahdi_echocanparams params{};
    params.tap_length = static_cast<__u32>(echo_taps_);
    params.param_count = 0;
    if (::ioctl(fd.get(), DAHDI_ECHOCANCEL_PARAMS, &params) != 0 && !echo_warned_) {
      echo_warned_ = true;  // calls still work, without cancellation: say so once
      pending_.push_back({tdm::SpanEvent::Kind::echo_canceller_unavailable, alarms()});
    }
  }
  error.clear();
  return std::make_unique<DahdiChannel>(std::move(fd));
}

tdm::AlarmSet DahdiSpan::alarms() const {
  dahdi_spaninfo info{};
  info.spanno = location_.span;
  tdm::AlarmSet alarms;
  if (::ioctl(d_channel_->fd(), DAHDI_SPANSTAT, &info) != 0) {
    alarms.set(tdm::Alarm::red, true);  // a span DAHDI cannot report on carries nothing
    return alarms;
  }
  const int red = DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA | DAHDI_ALARM_LMFA |
                  DAHDI_ALARM_NOTOPEN | DAHDI_ALARM_LOOPBACK;
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

SpanLocation locate_span(int span, const std::string& sysfs_root, const std::string& system_conf) {
  const std::string dir = sysfs_root + "/span-" + std::to_string(span);
  const auto basechan = read_text(dir + "/basechan");
  const auto channels = read_text(dir + "/channels");
  if (basechan && channels) {
    SpanLocation location{span, std::stoi(*basechan), std::stoi(*channels), 0};
    return location;  // the D-channel follows from the shape
  }
  std::ifstream conf(system_conf);
  if (conf) {
    std::ostringstream text;
    text << conf.rdbuf();
    for (const auto& location : parse_system_conf(text.str())) {
      if (location.span == span) return location;
    }
  }
  errno = ENOENT;
  throw failure("DAHDI span " + std::to_string(span) + ": not in " + dir + " nor in " +
                system_conf + " (is the dahdi module loaded and dahdi_cfg run?)");
}

}  // namespace gw::dahdi
