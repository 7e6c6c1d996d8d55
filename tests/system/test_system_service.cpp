// The appliance under systemd: the unit files pass `systemd-analyze verify`,
// the daemon speaks the notify protocol of a Type=notify unit with a
// watchdog (READY when its spans are up, WATCHDOG pings, STOPPING), checked
// on a notify socket of the test's own, and logs to the journal with a
// call's leg and Call-ID as fields of their own.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <system_error>
#include <thread>

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

// A unix datagram socket standing in for systemd's notify socket (or the
// journal's).
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
      std::vector<char> buffer(65536);  // a journal entry carries a whole log line
      const auto got = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (got <= 0) continue;
      messages_.emplace_back(buffer.data(), static_cast<std::size_t>(got));
      if (!text.empty() && messages_.back().find(text) != std::string::npos) return true;
    }
    return false;
  }
  [[nodiscard]] std::size_t count(const std::string& text) const {
    return static_cast<std::size_t>(std::count_if(
        messages_.begin(), messages_.end(),
        [&](const std::string& message) { return message.find(text) != std::string::npos; }));
  }
  [[nodiscard]] const std::vector<std::string>& messages() const { return messages_; }
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
  const int rtp_low = GatewayProcess::rtp_low_of_this_process();
  // WATCHDOG_USEC as systemd sets it for WatchdogSec=0.4: pings every 0.2 s.
  const pid_t sipgw = spawn({"env",
                             "NOTIFY_SOCKET=" + (dir / "notify").string(),
                             "WATCHDOG_USEC=400000",
                             SIPGW_PATH,
                             "--demo",
                             "--spans",
                             "1",
                             "--bind",
                             "127.0.0.1",
                             "--sip-port",
                             std::to_string(port),
                             "--rtp-ports",
                             std::to_string(rtp_low) + "-" + std::to_string(rtp_low + 39),
                             "--data-dir",
                             dir.string(),
                             "--quiet",
                             "--http-port",
                             "0",
                             "--sip-tls-port",
                             "0"},
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

// One field of a journal entry as sd_journal_send writes it ("KEY=value"
// lines); empty when the entry has none.
std::string journal_field(const std::string& entry, const std::string& key) {
  const std::string prefix = key + "=";
  std::size_t at = entry.rfind(prefix, 0) == 0 ? 0 : entry.find("\n" + prefix);
  if (at == std::string::npos) return {};
  if (at != 0) ++at;
  const auto end = entry.find('\n', at);
  return entry.substr(at + prefix.size(),
                      end == std::string::npos ? end : end - at - prefix.size());
}

// The journal, end to end: with stderr the journal's (JOURNAL_STREAM says
// so), every line of a call reaches the journal with SIPGW_CALL and
// SIPGW_CALL_ID. sd_journal_send's socket path is fixed, so the test takes a
// mount namespace of its own with a tmpfs on /run (root only: else it skips).
// It runs last here: a thread must not be running when it leaves the namespace.
std::string error_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// A mount namespace of the test's own for as long as it lives; the tests
// after it in this process see the machine's mounts again.
class PrivateMounts {
 public:
  PrivateMounts()
      : original_(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)),
        cwd_(std::filesystem::current_path()) {
    entered_ = original_ >= 0 && ::unshare(CLONE_NEWNS) == 0;
    if (!entered_) error_ = errno;
  }
  PrivateMounts(const PrivateMounts&) = delete;
  PrivateMounts& operator=(const PrivateMounts&) = delete;
  ~PrivateMounts() {
    if (entered_) {
      // EINVAL while a thread just joined still shares our filesystem
      // context: the kernel lets go of it a moment after the join.
      bool left = false;
      for (int attempt = 0; attempt < 100 && !left; ++attempt) {
        left = ::setns(original_, CLONE_NEWNS) == 0;
        if (!left) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (left) {
        std::error_code ignored;
        std::filesystem::current_path(cwd_, ignored);  // setns moved it to the root
      } else {
        ADD_FAILURE() << "cannot return to the machine's mount namespace: " << error_text(errno);
      }
    }
    if (original_ >= 0) ::close(original_);
  }
  [[nodiscard]] bool entered() const { return entered_; }
  [[nodiscard]] int error() const { return error_; }

 private:
  int original_;
  std::filesystem::path cwd_;
  bool entered_ = false;
  int error_ = 0;
};

TEST(SystemService, EveryLineOfACallReachesTheJournalWithItsLegAndCallId) {
  const PrivateMounts mounts;
  if (!mounts.entered()) {
    GTEST_SKIP() << "no mount namespace for a journal socket of the test's own: "
                 << error_text(mounts.error());
  }
  ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << error_text(errno);
  ASSERT_EQ(::mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0) << error_text(errno);
  std::filesystem::create_directories("/run/systemd/journal");
  NotifySocket journal("/run/systemd/journal/socket");
  ASSERT_TRUE(journal.bound());
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipgw-journal-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "sipgw.log").string();
  std::ofstream(log).close();  // created first: spawn appends to it, so its inode stays
  struct stat created {};
  ASSERT_EQ(::stat(log.c_str(), &created), 0);
  const std::string stream = std::to_string(created.st_dev) + ":" + std::to_string(created.st_ino);
  const int port = GatewayProcess::sip_port_of_this_process() + 23;
  const int rtp_low = GatewayProcess::rtp_low_of_this_process() + 40;
  const pid_t sipgw =
      spawn({"env", "JOURNAL_STREAM=" + stream, SIPGW_PATH, "--demo", "--spans", "1", "--bind",
             "127.0.0.1", "--sip-port", std::to_string(port), "--rtp-ports",
             std::to_string(rtp_low) + "-" + std::to_string(rtp_low + 39), "--data-dir",
             dir.string(), "--http-port", "0", "--sip-tls-port", "0"},
            log);
  ASSERT_NE(sipgw, 0);
  ASSERT_TRUE(journal.wait_for("taking calls", 15s)) << journal.all() << read_text(log);
  // Read all along, as journald does: a full socket would block the
  // daemon's logging and with it its control thread.
  std::atomic<bool> stop_reading{false};
  std::thread reader([&] {
    while (!stop_reading) journal.wait_for({}, 100ms);
  });
  const pid_t sipp = spawn(SippCommand(std::string(SIPP_SCENARIOS) + "/call.xml")
                               .to("127.0.0.1", port)
                               .calls(1)
                               .key("ruri", "sip:7773660;phone-context=p1234@127.0.0.1;user=phone")
                               .key("rtp_port", "9")
                               .local_ip("127.0.0.1")
                               .local_port(port + 1)
                               .timeout("20s")
                               .argv(),
                           (dir / "sipp.out").string());
  const int sipp_status = wait_exit(sipp, 30s);
  ::kill(sipgw, SIGTERM);
  const int sipgw_status = wait_exit(sipgw, 15s);
  stop_reading = true;
  reader.join();
  EXPECT_EQ(sipp_status, 0) << read_text((dir / "sipp.out").string());
  EXPECT_EQ(sipgw_status, 0) << read_text(log);
  EXPECT_GT(journal.count("]: done"), 0U) << journal.all();
  std::size_t call_lines = 0;
  for (const auto& entry : journal.messages()) {
    const std::string message = journal_field(entry, "MESSAGE");
    EXPECT_FALSE(journal_field(entry, "PRIORITY").empty()) << entry;
    if (message.rfind("call ", 0) != 0) {
      EXPECT_EQ(journal_field(entry, "SIPGW_CALL"), "") << entry;
      continue;
    }
    ++call_lines;
    const auto open = message.find(" [");
    const auto close = message.find("]: ");
    ASSERT_NE(close, std::string::npos) << message;
    EXPECT_EQ(journal_field(entry, "SIPGW_CALL"), message.substr(5, open - 5)) << entry;
    EXPECT_EQ(journal_field(entry, "SIPGW_CALL_ID"), message.substr(open + 2, close - open - 2))
        << entry;
  }
  EXPECT_GE(call_lines, 3U) << journal.all();
  EXPECT_EQ(read_text(log).find("]: done"), std::string::npos)
      << "a line sent to the journal is not written to stderr too";
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::test
