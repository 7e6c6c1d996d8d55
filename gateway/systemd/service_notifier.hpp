#pragma once
// Tells systemd how the service is doing (the sd_notify protocol of
// Type=notify units): READY once the gateway takes calls, STATUS lines,
// STOPPING on the way out, and watchdog pings. The pings are sent from the
// io_context the notifier is given, the call-control loop: if that loop
// hangs, the pings stop and systemd restarts the service. Outside systemd
// (no NOTIFY_SOCKET) every call does nothing.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

namespace gw::systemd {

class ServiceNotifier {
 public:
  // Starts the watchdog pings when the unit asked for them (WatchdogSec).
  explicit ServiceNotifier(boost::asio::io_context& control);
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;
  ~ServiceNotifier();

  void ready(const std::string& status);
  void status(const std::string& status);
  void stopping();
  // Half the unit's WatchdogSec; zero when there is no watchdog.
  [[nodiscard]] std::chrono::microseconds ping_interval() const noexcept { return interval_; }

 private:
  void schedule_ping();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
};

}  // namespace gw::systemd
