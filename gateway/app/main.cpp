// sipgw: the SIP-to-PSTN gateway daemon. It runs the spans of the dialplan
// in its data directory (DAHDI spans of the card, or loopback spans wired
// to the in-process simulated PSTN); --demo seeds an empty directory with
// the demo plan. `sipgw export` and `sipgw import` move the dialplan to and
// from a file.

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/app/admin_api.hpp"
#include "gateway/app/gateway.hpp"
#include "gateway/app/plan_commands.hpp"
#include "gateway/app/web_setup.hpp"
#include "gateway/systemd/journal.hpp"
#include "gateway/systemd/service_notifier.hpp"

namespace {

using namespace std::chrono_literals;

// Log lines go to stderr with a timestamp, or under systemd to the journal
// with a call's leg and Call-ID as fields; several threads log, so a line
// is written whole.
class DaemonLog {
 public:
  void operator()(std::string_view line) {
    if (journal_.connected()) {
      journal_.send(line);
      return;
    }
    const auto now = std::chrono::system_clock::now();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char stamp[16];
    const std::size_t length = std::strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
    const std::lock_guard lock(mutex_);
    std::cerr << std::string_view(stamp, length) << '.' << (millis < 100 ? "0" : "")
              << (millis < 10 ? "0" : "") << millis << ' ' << line << '\n';
  }

 private:
  gw::systemd::Journal journal_;
  std::mutex mutex_;
};

int run_gateway(const gw::app::Options& options) {
  DaemonLog daemon_log;
  const gw::app::Log log = [&daemon_log](std::string_view line) { daemon_log(line); };
  boost::asio::io_context control;
  gw::systemd::ServiceNotifier service(control);
  gw::app::Gateway gateway(control, options, log);
  // The spans come up in a second or two (SABME, RESTART sweep); SIP is
  // bound at once and answers 503 until they are.
  gateway.start();
  gw::app::AdminApi admin(control, gateway);
  // Declared after the gateway: it stops (and its thread with it) first.
  const auto web = gw::app::start_web(options, admin, log);
  std::cout << "sipgw: " << gateway.describe() << std::endl;
  if (web) std::cout << "sipgw: " << web->describe() << std::endl;
  if (options.demo) {
    std::cout << "try: sipp -sn uac -s 7773660 " << options.bind << ":" << options.sip_port
              << " -m 1   (or see the README for a call with audio)" << std::endl;
  }
  boost::asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    log("sipgw: stopping; ending calls in progress");
    service.stopping();
    gateway.shutdown(5s, [&control] { control.stop(); });
  });
  boost::asio::steady_timer ready(control);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::function<void()> check_ready = [&] {
    if (gateway.spans_ready()) {
      log("sipgw: spans up, taking calls");
      service.ready("taking calls");
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      log("sipgw: the spans did not come up within 10 s:\n" + gateway.describe_links());
      // Running, and answering SIP with 503: systemd should know both.
      service.ready("spans not up after 10 s; see sipgwctl status");
      return;
    }
    ready.expires_after(50ms);
    ready.async_wait([&](const boost::system::error_code& error) {
      if (!error) check_ready();
    });
  };
  check_ready();
  control.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "export" || args[0] == "import")) {
    return gw::app::run_plan_command(args);
  }
  if (!args.empty() && args[0] == "passwd") return gw::app::run_passwd_command(args);
  const auto parsed = gw::app::parse_options(args);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "sipgw: " << *error << std::endl;
    return 2;
  }
  const auto& options = std::get<gw::app::Options>(parsed);
  if (options.help) {
    std::cout << gw::app::usage_text();
    return 0;
  }
  try {
    return run_gateway(options);
  } catch (const std::exception& error) {
    std::cerr << "sipgw: " << error.what() << std::endl;
    return 1;
  }
}
