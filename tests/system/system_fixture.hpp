#pragma once
// System tests: the real sipgw daemon (--demo) started as a process, driven
// by SIPp over loopback, inspected through its control socket.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/sipp.hpp"
#include "tests/support/spawn.hpp"

namespace gw::test {

using namespace std::chrono_literals;

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits for `pid` up to `timeout`; its exit status, or -1 when it did not
// end (then it is killed) or died of a signal.
// The last `limit` characters of a text: enough of a log to say why.
inline std::string tail_of(const std::string& text, std::size_t limit) {
  return text.size() > limit ? text.substr(text.size() - limit) : text;
}

inline int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(10ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Waits until something has bound UDP `port` (SIPp started as a server),
// read from /proc/net/udp so the probe cannot take the port itself.
inline bool wait_for_udp_port(int port, std::chrono::milliseconds timeout) {
  char wanted[8];
  (void)std::snprintf(wanted, sizeof wanted, ":%04X", port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream table("/proc/net/udp");
    std::string line;
    std::getline(table, line);  // the column names
    while (std::getline(table, line)) {
      std::istringstream fields(line);
      std::string slot;
      std::string local;
      fields >> slot >> local;
      if (local.size() > 5 && local.compare(local.size() - 5, 5, wanted) == 0) return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

struct GatewaySetup {
  int spans = 2;           // the demo plan's, or the plan's: how many to wait for
  std::string pstn_rules;  // the simulated PSTN's behaviour; empty: its default table
  std::string plan_json;   // a dialplan `sipgw import`ed before the start; empty: the demo's
  int channels = 30;       // B-channels in service on each span, for the readiness check
  // Files put in the data directory before the start (path in it, text):
  // "sip-tls/cafile.pem", the CAs a TLS peer the gateway calls is checked by.
  std::vector<std::pair<std::string, std::string>> data_files{};
};

// Runs `TOOL ARGS...` to the end; its exit status, its output in `output`.
inline int run_sipgw_tool(const std::string& tool, const std::vector<std::string>& args,
                          const std::string& output_file, std::string* output = nullptr) {
  std::filesystem::remove(output_file);
  std::vector<std::string> command{tool};
  command.insert(command.end(), args.begin(), args.end());
  const int status = wait_exit(spawn(command, output_file), 30s);
  if (output != nullptr) *output = read_text(output_file);
  return status;
}

inline int run_sipgw(const std::vector<std::string>& args, const std::string& output_file,
                     std::string* output = nullptr) {
  return run_sipgw_tool(SIPGW_PATH, args, output_file, output);
}

class GatewayProcess {
 public:
  // Starts `sipgw --demo` with `spans` spans on a SIP port and RTP range of
  // its own, and waits until its spans are up.
  explicit GatewayProcess(int spans = 2) : GatewayProcess(GatewaySetup{spans, {}, {}}) {}
  // The SIP port a gateway started by this test process listens on; the 39
  // ports above it are the test's for SIPp and RTP peers.
  static int sip_port_of_this_process() { return 21000 + static_cast<int>(::getpid() % 200) * 40; }
  // The first of 300 RTP ports of this test process's own: suites run in
  // parallel (ctest -j) must not take each other's, or a full-gateway test
  // runs out of ports first.
  static int rtp_low_of_this_process() {
    return 30000 + static_cast<int>(::getpid() % 200 % 110) * 300;
  }
  // Its web page (HTTPS): one of the test's ports.
  [[nodiscard]] int http_port() const { return sip_port_ + 30; }
  // Its SIP over TLS port: one of the test's too, not 5061, which suites
  // running in parallel would all want.
  [[nodiscard]] int tls_port() const { return sip_port_ + 35; }

  explicit GatewayProcess(const GatewaySetup& setup) {
    sip_port_ = sip_port_of_this_process();
    rtp_low_ = rtp_low_of_this_process();
    dir_ = std::filesystem::temp_directory_path() / ("sipgw-system-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log_ = (dir_ / "sipgw.log").string();
    std::vector<std::string> args{
        SIPGW_PATH,       "--demo",
        "--bind",         "127.0.0.1",
        "--sip-port",     std::to_string(sip_port_),
        "--rtp-ports",    std::to_string(rtp_low_) + "-" + std::to_string(rtp_low_ + 299),
        "--data-dir",     dir_.string(),
        "--spans",        std::to_string(setup.spans),
        "--http-port",    std::to_string(http_port()),
        "--sip-tls-port", std::to_string(tls_port())};
    if (!setup.pstn_rules.empty()) {
      std::ofstream(dir_ / "pstn.rules") << setup.pstn_rules;
      args.insert(args.end(), {"--pstn-rules", (dir_ / "pstn.rules").string()});
    }
    for (const auto& [path, text] : setup.data_files) {
      std::filesystem::create_directories((dir_ / path).parent_path());
      std::ofstream(dir_ / path) << text;
    }
    if (!setup.plan_json.empty()) {
      std::ofstream(dir_ / "plan.json") << setup.plan_json;
      const int imported =
          run_sipgw({"import", "--data-dir", dir_.string(), (dir_ / "plan.json").string()},
                    (dir_ / "import.out").string());
      if (imported != 0) {
        ADD_FAILURE() << "sipgw import: " << read_text((dir_ / "import.out").string());
        return;
      }
    }
    pid_ = spawn(args, log_);
    ready_ = pid_ != 0 && wait_ready(setup.spans, setup.channels, 20s);
  }
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;
  ~GatewayProcess() {
    if (pid_ != 0) stop();
    // Kept for a look when anything failed: SIPp traces, the log, the records.
    if (::testing::UnitTest::GetInstance()->failed_test_count() == 0 &&
        !::testing::Test::HasFailure())
      std::filesystem::remove_all(dir_);
  }

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] int sip_port() const noexcept { return sip_port_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] std::string log() const { return read_text(log_); }
  // The call records, newest first, as the control socket's "calls" gives
  // them (a header line, one tab-separated line per call, "end").
  [[nodiscard]] std::string call_records() const { return command("calls limit=1000"); }

  // The last call record's fields.
  [[nodiscard]] std::vector<std::string> last_record() const {
    std::istringstream lines(command("calls limit=1"));
    std::string header;
    std::string line;
    std::getline(lines, header);
    std::getline(lines, line);
    std::vector<std::string> fields;
    if (line == "end") return fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    return fields;
  }

  // A connection to the control socket; -1 when there is none.
  [[nodiscard]] int connect_control() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (dir_ / "sipgw.ctl").string();
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    ::close(fd);
    return -1;
  }

  // The next reply on `fd`: its lines up to "end", or its one line when it
  // starts "ok" or "error". `pending` keeps what was read past it.
  static std::string read_reply(int fd, std::string& pending) {
    std::size_t line_start = 0;
    char buffer[65536];
    for (;;) {
      for (auto newline = pending.find('\n', line_start); newline != std::string::npos;
           newline = pending.find('\n', line_start)) {
        const std::string_view line(pending.data() + line_start, newline - line_start);
        const bool alone = line_start == 0 && (line.starts_with("ok") || line.starts_with("error"));
        line_start = newline + 1;
        if (alone || line == "end") {
          std::string reply = pending.substr(0, line_start);
          pending.erase(0, line_start);
          return reply;
        }
      }
      const auto got = ::read(fd, buffer, sizeof buffer);
      if (got <= 0) return std::exchange(pending, {});
      pending.append(buffer, static_cast<std::size_t>(got));
    }
  }

  // One command on the control socket, and its reply.
  [[nodiscard]] std::string command(const std::string& line) const {
    const int fd = connect_control();
    if (fd < 0) return {};
    std::string reply;
    const std::string request = line + "\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      std::string pending;
      reply = read_reply(fd, pending);
    }
    ::close(fd);
    return reply;
  }

  // The number after `key` in the status ("calls 0" -> 0), summed over lines
  // ("busy" over every span); -1 when absent.
  [[nodiscard]] long status_sum(const std::string& key) const {
    std::istringstream words(command("status"));
    std::string word;
    long sum = -1;
    while (words >> word) {
      if (word != key) continue;
      long value = 0;
      if (words >> value) sum = (sum < 0 ? 0 : sum) + value;
    }
    return sum;
  }

  // Waits until no call is left anywhere: bridge, ISDN, media, simulated PSTN.
  bool wait_idle(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (status_sum("calls") == 0 && status_sum("busy") == 0 && status_sum("isdn-calls") == 0 &&
          status_sum("media-sessions") == 0 && status_sum("pstn-calls") == 0) {
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // SIGTERM; the exit status (0 for a clean stop).
  int stop() {
    ::kill(pid_, SIGTERM);
    const int status = wait_exit(pid_, 15s);
    pid_ = 0;
    return status;
  }

 private:
  bool wait_ready(int spans, int channels, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string status = command("status");
      std::size_t up = 0;
      for (auto at = status.find("link up"); at != std::string::npos;
           at = status.find("link up", at + 1)) {
        ++up;
      }
      if (static_cast<int>(up) == spans &&
          status_sum("idle") == static_cast<long>(channels) * spans)
        return true;
      int exit_status = 0;
      if (::waitpid(pid_, &exit_status, WNOHANG) == pid_) return false;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  int sip_port_ = 0;
  int rtp_low_ = 0;
  std::filesystem::path dir_;
  std::string log_;
  pid_t pid_ = 0;
  bool ready_ = false;
};

// A suite sharing one daemon: started before its first test with
// Suite::setup(), checked idle after each test (nothing left: call,
// B-channel, RTP session, PSTN call), stopped with SIGTERM after the last,
// which must end it with status 0.
template <typename Suite>
class GatewaySuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gateway_ = new GatewayProcess(Suite::setup());
    if (!gateway_->ready()) std::cerr << "sipgw did not come up:\n" << gateway_->log();
  }
  static void TearDownTestSuite() {
    // The log's tail says why: a sanitizer's report is written there.
    const int status = gateway_->stop();
    EXPECT_EQ(status, 0) << "sipgw did not stop cleanly on SIGTERM; the end of its log:\n"
                         << tail_of(gateway_->log(), 6000);
    delete gateway_;
    gateway_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(gateway_->ready()) << "sipgw is not running"; }
  void TearDown() override {
    EXPECT_TRUE(gateway_->wait_idle(Suite::idle_timeout)) << "something was left after the test:\n"
                                                          << gateway_->command("status");
  }

  static inline GatewayProcess* gateway_ = nullptr;
};

// The Call-ID of the gateway's newest call record ("" when it has none),
// read from `calls limit=1` by its header's column names.
inline std::string last_call_id(const GatewayProcess& gateway) {
  std::istringstream lines(gateway.command("calls limit=1"));
  std::string header;
  std::string line;
  std::getline(lines, header);
  std::getline(lines, line);
  std::istringstream names(header.substr(header.rfind("# ", 0) == 0 ? 2 : 0));
  std::istringstream fields(line);
  for (std::string name, field; std::getline(names, name, '\t');) {
    if (!std::getline(fields, field, '\t')) break;
    if (name == "call-id") return field;
  }
  return {};
}

// SIPp against the gateway: `scenario` from tests/system/sipp, `keys` as
// -key NAME VALUE, `extra` appended. Returns its pid; finish with
// finish_sipp().
inline pid_t start_sipp(const GatewayProcess& gateway, const std::string& scenario,
                        const std::map<std::string, std::string>& keys,
                        const std::vector<std::string>& extra = {}) {
  const std::filesystem::path file =
      scenario.front() == '/' ? scenario : std::string(SIPP_SCENARIOS) + "/" + scenario;
  const std::string name = file.filename().string();
  const std::string errors = (gateway.dir() / (name + ".errors")).string();
  SippCommand command(file.string());
  command.to("127.0.0.1", gateway.sip_port())
      .local_ip("127.0.0.1")
      .timeout("30s")
      .errors_to(errors)
      .messages_to((gateway.dir() / (name + ".messages")).string());
  for (const auto& [key, value] : keys) command.key(key, value);
  // SIPp's own port: the one after the gateway's, unless the test runs
  // several SIPp at once and gives each its own.
  if (std::find(extra.begin(), extra.end(), "-p") == extra.end())
    command.local_port(gateway.sip_port() + 1);
  const auto args = command.add(extra).argv();
  return spawn(args, (gateway.dir() / (name + ".out")).string());
}

// SIPp's exit status (0: every call went as the scenario says); prints
// SIPp's errors and the gateway's log when it failed.
inline int finish_sipp(const GatewayProcess& gateway, pid_t sipp, const std::string& scenario,
                       std::chrono::milliseconds timeout = 60s) {
  const int status = wait_exit(sipp, timeout);
  const std::string name = std::filesystem::path(scenario).filename().string();
  if (status != 0) {
    ADD_FAILURE() << scenario << ": SIPp exit " << status << "\n--- SIPp errors:\n"
                  << read_text((gateway.dir() / (name + ".errors")).string())
                  << "\n--- SIPp output:\n"
                  << read_text((gateway.dir() / (name + ".out")).string()).substr(0, 4000)
                  << "\n--- sipgw log (last 6000 chars):\n"
                  << tail_of(gateway.log(), 6000);
  }
  return status;
}

inline int run_sipp(const GatewayProcess& gateway, const std::string& scenario,
                    const std::map<std::string, std::string>& keys,
                    const std::vector<std::string>& extra = {}) {
  return finish_sipp(gateway, start_sipp(gateway, scenario, keys, extra), scenario);
}

struct Refusal {
  std::string ruri;
  int status;
  std::string reason{};      // the Reason header's Q.850 cause; empty: a Warning (or the phrase)
  bool retry_after = false;  // a Retry-After header is expected too
  std::string phrase{};      // the status line's reason phrase, when it matters
  std::string from = "5551000";  // the From user
};

// Fills tests/system/sipp/refused.xml.in template for one refusal and returns its path.
inline std::string refusal_scenario(const GatewayProcess& gateway, const Refusal& refusal,
                                    int index) {
  std::string scenario = read_text(std::string(SIPP_SCENARIOS) + "/refused.xml.in");
  std::string checks;
  std::string refs;
  if (!refusal.reason.empty()) {
    checks = "      <ereg regexp=\"Q\\.850 *; *cause=" + refusal.reason +
             "(;|$| )\" search_in=\"hdr\" header=\"Reason:\" check_it=\"true\" "
             "assign_to=\"why\"/>\n";
    refs = "why";
  } else if (refusal.phrase.empty()) {
    checks =
        "      <ereg regexp=\"^ *399 \" search_in=\"hdr\" header=\"Warning:\" "
        "check_it=\"true\" assign_to=\"why\"/>\n";
    refs = "why";
  }
  if (!refusal.phrase.empty()) {
    std::string pattern;
    for (const char c : refusal.phrase) {
      if (c == '(' || c == ')' || c == '.') pattern += "\\";
      pattern += c;
    }
    checks += "      <ereg regexp=\"SIP/2\\.0 " + std::to_string(refusal.status) + " " + pattern +
              "\" search_in=\"msg\" check_it=\"true\" assign_to=\"phrase\"/>\n";
    refs += refs.empty() ? "phrase" : ",phrase";
  }
  const auto fill = [&scenario](const char* marker, const std::string& text) {
    for (auto at = scenario.find(marker); at != std::string::npos; at = scenario.find(marker)) {
      scenario.replace(at, std::string_view(marker).size(), text);
    }
  };
  if (refusal.retry_after) {
    checks +=
        "      <ereg regexp=\"^ *[0-9]+\" search_in=\"hdr\" header=\"Retry-After:\" "
        "check_it=\"true\" assign_to=\"retry\"/>\n";
    refs += ",retry";
  }
  fill("@STATUS@", std::to_string(refusal.status));
  fill("@CHECKS@", checks);
  fill("@REFS@", refs);
  fill("@FROM@", refusal.from);
  fill("@CHECK@", refusal.reason.empty() ? "a Warning or its phrase" : "a Reason");
  const auto path = gateway.dir() / ("refused_" + std::to_string(index) + ".xml");
  std::ofstream(path) << scenario;
  return path.string();
}

}  // namespace gw::test
