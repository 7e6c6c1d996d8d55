// The appliance under systemd: the unit files pass `systemd-analyze verify`,
// and the daemon speaks the notify protocol of a Type=notify unit with a
// watchdog (READY when its spans are up, WATCHDOG pings, STOPPING), checked
// on a notify socket of the test's own.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(SystemService, TheUnitFilesVerify) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipgw-units-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // The unit as installed names /usr/sbin; here the programs are in the build.
  std::string unit = read_text(std::string(SYSTEMD_UNITS) + "/sipgw.service");
  unit = replaced(unit, "/usr/sbin/sipgwctl ", std::string(SIPGWCTL_PATH) + " ");
  unit = replaced(unit, "/usr/sbin/sipgw ", std::string(SIPGW_PATH) + " ");
  std::ofstream(dir / "sipgw.service") << unit;
  std::string output;
  const pid_t verify =
      spawn({"systemd-analyze", "verify", "--man=no", (dir / "sipgw.service").string()},
            (dir / "verify.out").string());
  const int status = wait_exit(verify, 60s);
  output = read_text((dir / "verify.out").string());
  EXPECT_EQ(status, 0) << output;
  // verify only warns about a value it cannot parse: any line about the unit is a fault.
  EXPECT_EQ(output.find("sipgw.service"), std::string::npos) << output;
  for (const char* name : {"sipgw.sysusers", "sipgw.tmpfiles"}) {
    const std::string text = read_text(std::string(SYSTEMD_UNITS) + "/" + name);
    EXPECT_NE(text.find("sipgw"), std::string::npos) << name;
  }
  EXPECT_NE(read_text(std::string(SYSTEMD_UNITS) + "/sipgw.sysusers").find("m sipgw dahdi"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

// A unix datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    ::unlink(path_.c_str());
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  [[nodiscard]] bool bound() const { return bound_; }

  // Collects messages until one contains `text` (empty: for the whole
  // `timeout`); false when time runs out.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      char buffer[1024];
      const auto got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) continue;
      messages_.emplace_back(buffer, static_cast<std::size_t>(got));
      if (!text.empty() && messages_.back().find(text) != std::string::npos) return true;
    }
    return false;
  }
  [[nodiscard]] std::size_t count(const std::string& text) const {
    return static_cast<std::size_t>(std::count_if(
        messages_.begin(), messages_.end(),
        [&](const std::string& message) { return message.find(text) != std::string::npos; }));
  }
  [[nodiscard]] std::string all() const {
    std::string text;
    for (const auto& message : messages_) text += "[" + message + "] ";
    return text;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::vector<std::string> messages_;
};

TEST(SystemService, TheDaemonSaysReadyPingsTheWatchdogAndSaysStopping) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipgw-notify-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  NotifySocket notify((dir / "notify").string());
  ASSERT_TRUE(notify.bound());
  const int port = GatewayProcess::sip_port_of_this_process() + 22;
  // WATCHDOG_USEC as systemd sets it for WatchdogSec=0.4: pings every 0.2 s.
  const pid_t sipgw = spawn(
      {"env", "NOTIFY_SOCKET=" + (dir / "notify").string(), "WATCHDOG_USEC=400000", SIPGW_PATH,
       "--demo", "--spans", "1", "--bind", "127.0.0.1", "--sip-port", std::to_string(port),
       "--rtp-ports", std::to_string(port + 100) + "-" + std::to_string(port + 139), "--data-dir",
       dir.string(), "--quiet", "--http-port", "0"},
      (dir / "sipgw.log").string());
  ASSERT_NE(sipgw, 0);
  EXPECT_TRUE(notify.wait_for("READY=1", 15s)) << notify.all();
  EXPECT_GT(notify.count("STATUS=taking calls"), 0U) << notify.all();
  const std::size_t before = notify.count("WATCHDOG=1");
  notify.wait_for({}, 1s);
  EXPECT_GE(notify.count("WATCHDOG=1") - before, 3U) << "pings every 0.2 s: " << notify.all();
  ::kill(sipgw, SIGTERM);
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 10s)) << notify.all();
  EXPECT_EQ(wait_exit(sipgw, 15s), 0) << read_text((dir / "sipgw.log").string());
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::test
