#pragma once
// The whole gateway in the fuzzer's process, for the harnesses of what
// reaches it through its control socket and its web API: `sipgw --demo` as
// main() builds it (two loopback spans wired to the simulated PSTN, the
// demo plan, SIP on a free port of 127.0.0.1, no web server),
// in a data directory of its own, with its control thread running. Made
// on first use and shut down at exit as sipgw's main() does it.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "gateway/app/gateway.hpp"
#include "gateway/app/options.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace gw::fuzz {

class GatewayFixture {
 public:
  // The one gateway of this process.
  static GatewayFixture& instance() {
    static GatewayFixture* fixture = [] {
      auto* made = new GatewayFixture();  // NOLINT(cppcoreguidelines-owning-memory)
      check(std::atexit([] { GatewayFixture::instance().stop(); }) == 0, "a shutdown at exit");
      return made;
    }();
    return *fixture;
  }

  // Runs `work` on the control thread and returns what it returned; a
  // control thread that does not get to it within 10 s is a hang.
  template <typename Work>
  auto on_control(Work work) -> decltype(work()) {
    std::packaged_task<decltype(work())()> task(std::move(work));
    auto result = task.get_future();
    boost::asio::post(control_, [&task] { task(); });
    check(result.wait_for(std::chrono::seconds(10)) == std::future_status::ready,
          "the control thread answers within 10 s");
    return result.get();
  }

  [[nodiscard]] app::Gateway& gateway() { return *gateway_; }
  [[nodiscard]] boost::asio::io_context& control() { return control_; }
  [[nodiscard]] const std::string& dir() const { return dir_; }

  GatewayFixture(const GatewayFixture&) = delete;
  GatewayFixture& operator=(const GatewayFixture&) = delete;

 private:
  GatewayFixture() : work_(boost::asio::make_work_guard(control_)) {
    char pattern[] = "/tmp/sipgw-fuzz-XXXXXX";
    check(::mkdtemp(pattern) != nullptr, "a data directory for the gateway");
    dir_ = pattern;
    thread_ = std::thread([this] { control_.run(); });
    auto parsed = app::parse_options({"--demo", "--data-dir", dir_, "--sip-port",
                                      std::to_string(free_port()), "--sip-tls-port", "0",
                                      "--http-port", "0", "--media-workers", "1", "--quiet"});
    check(std::holds_alternative<app::Options>(parsed), "the gateway's options",
          std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "");
    const auto options = std::get<app::Options>(parsed);
    on_control([this, options] {
      gateway_ = std::make_unique<app::Gateway>(control_, options, [](std::string_view) {});
      gateway_->start();
    });
    // The spans come up in a second or two (SABME, RESTART).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!on_control([this] { return gateway_->spans_ready(); })) {
      check(std::chrono::steady_clock::now() < deadline, "the demo spans come up within 10 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // A UDP port on 127.0.0.1 nothing uses now, for SIP.
  static int free_port() {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket probe(
        io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    return probe.local_endpoint().port();
  }

  // As sipgw's main() ends: the gateway's own shutdown stops the control
  // loop, and the gateway goes once the loop has stopped.
  void stop() {
    boost::asio::post(control_, [this] {
      gateway_->shutdown(std::chrono::seconds(5), [this] { control_.stop(); });
    });
    thread_.join();
    gateway_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string dir_;
  boost::asio::io_context control_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<app::Gateway> gateway_;
};

}  // namespace gw::fuzz
