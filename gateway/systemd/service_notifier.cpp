#include "gateway/systemd/service_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace gw::systemd {
namespace {

// A STATUS value is one line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& control) : timer_(control) {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(usec / 2);
    schedule_ping();
  }
}

ServiceNotifier::~ServiceNotifier() {
  timer_.cancel();
}

void ServiceNotifier::ready(const std::string& status) {
  const std::string message = "READY=1\nSTATUS=" + one_line(status);
  sd_notify(0, message.c_str());
}

void ServiceNotifier::status(const std::string& status) {
  const std::string message = "STATUS=" + one_line(status);
  sd_notify(0, message.c_str());
}

void ServiceNotifier::stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=stopping: ending calls in progress");
}

void ServiceNotifier::schedule_ping() {
  sd_notify(0, "WATCHDOG=1");
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) schedule_ping();
  });
}

}  // namespace gw::systemd
