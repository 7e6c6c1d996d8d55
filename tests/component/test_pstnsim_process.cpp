// The gateway's ISDN stack against the real pstnsim program in another
// process, over a loopback span on a unix socket: calls both ways, and the
// far end's process killed mid-call and started again.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <thread>

#include <fstream>
#include <sstream>

#include "drivers/isdn/call_recorder.hpp"
#include "drivers/isdn/run_until.hpp"
#include "drivers/loopback/backend.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "tests/support/spawn.hpp"

namespace gw::test {
namespace {

using namespace std::chrono_literals;
using isdn::run_for;
using isdn::run_until;

std::string temp_path(const std::string& name) {
  return "/tmp/sipgw-pstnsim-" + std::to_string(::getpid()) + "-" + name;
}

// pstnsim as a child process, its output in a file.
class PstnsimProcess {
 public:
  PstnsimProcess(const std::string& span_path, const std::string& control_path,
                 const std::string& log_path) {
    pid_ =
        spawn({PSTNSIM_PATH, "--span", "loopback:connect:" + span_path, "--control", control_path},
              log_path);
  }
  PstnsimProcess(const PstnsimProcess&) = delete;
  PstnsimProcess& operator=(const PstnsimProcess&) = delete;
  ~PstnsimProcess() { stop(SIGTERM); }
  void stop(int signal) {
    if (pid_ == 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  [[nodiscard]] bool running() const { return pid_ != 0; }

 private:
  pid_t pid_ = 0;
};

// One command on pstnsim's control socket; returns the first reply line and
// keeps the connection for the events that follow.
class ControlClient {
 public:
  explicit ControlClient(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{3, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  [[nodiscard]] bool connected() const { return connected_; }
  std::string command(const std::string& line) {
    const std::string text = line + "\n";
    if (::send(fd_.get(), text.data(), text.size(), MSG_NOSIGNAL) < 0) return "";
    return read_line();
  }
  std::string read_line() {
    while (buffer_.find('\n') == std::string::npos) {
      char chunk[256];
      const auto got = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (got <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
    const auto newline = buffer_.find('\n');
    std::string line = buffer_.substr(0, newline);
    buffer_.erase(0, newline + 1);
    return line;
  }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  std::string buffer_;
};

class PstnsimProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unlink(log_path.c_str());
    span = backend.open(tdm::parse_span_spec("loopback:listen:" + span_path, tdm::Shape::e1));
    isdn::PriConfig config;
    config.switchtype = isdn::SwitchType::euroisdn_e1;
    gateway = std::make_unique<isdn::PriSpan>(io, *span, config, recorder);
    start_pstnsim();
  }
  void TearDown() override {
    gateway.reset();
    pstnsim.reset();
    ::unlink(log_path.c_str());
  }
  void start_pstnsim() {
    pstnsim = std::make_unique<PstnsimProcess>(span_path, control_path, log_path);
    ASSERT_TRUE(pstnsim->running());
    ASSERT_TRUE(run_until(
        io, [&] { return gateway->ready(); }, 10s))
        << "alarms " << gateway->alarms().to_string() << "\n"
        << log();
  }
  [[nodiscard]] std::string log() const {
    std::ifstream in(log_path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  isdn::CallId call(const std::string& number) {
    isdn::CallSetup setup;
    setup.called.digits = number;
    setup.calling.digits = "5551000";
    const auto placed = gateway->place_call(setup);
    EXPECT_TRUE(placed);
    return placed.call;
  }
  bool wait(isdn::CallId call, const std::string& event, std::chrono::milliseconds limit) {
    return run_until(
        io, [&] { return recorder.calls[call].saw(event); }, limit);
  }
  void expect_echo(isdn::CallId call) {
    const pstnsim::EchoProbe probe(8000);
    std::error_code error;
    pstnsim::BearerMedia media(io, span->open_bearer(gateway->timeslot(call), error), span->law());
    media.play_and_record({probe.pattern().begin(), probe.pattern().end()});
    ASSERT_TRUE(run_until(
        io, [&] { return !media.playing() && media.recorded().size() > 16000; }, 5s));
    const auto match = probe.find(media.recorded());
    ASSERT_TRUE(match) << "the echo did not come back across the processes";
    EXPECT_EQ(match->mismatches, 0U);
    EXPECT_EQ(match->compared, 8000U);
  }

  const std::string span_path = temp_path("span.sock");
  const std::string control_path = temp_path("control.sock");
  const std::string log_path = temp_path("log.txt");
  boost::asio::io_context io;
  loopback::Backend backend;
  std::unique_ptr<loopback::LoopbackSpan> span;
  isdn::CallRecorder recorder;
  std::unique_ptr<isdn::PriSpan> gateway;
  std::unique_ptr<PstnsimProcess> pstnsim;
};

TEST_F(PstnsimProcessTest, RefusalsAcrossProcessesCarryTheTablesCauses) {
  EXPECT_NE(log().find("RESTART span 0 channel 31"), std::string::npos) << log();
  for (const auto& [number, cause] : {std::pair{"4865551234", isdn::Cause::user_busy},
                                      std::pair{"4041234", isdn::Cause::unallocated_number},
                                      std::pair{"5031234", isdn::Cause::no_circuit_available}}) {
    const auto refused = call(number);
    ASSERT_TRUE(wait(refused, "cleared", 5s)) << number;
    EXPECT_EQ(recorder.calls[refused].cleared, cause) << number;
    EXPECT_FALSE(recorder.calls[refused].saw("connect")) << number;
  }
  EXPECT_TRUE(run_until(
      io, [&] { return gateway->call_count() == 0; }, 3s));
}

TEST_F(PstnsimProcessTest, AnsweringRowsAcrossProcessesBehaveAsDocumented) {
  const auto never = call("4801234");
  ASSERT_TRUE(wait(never, "alerting", 5s));
  const auto hangs_up = call("2001234");
  const auto early = call("1831234");
  ASSERT_TRUE(wait(early, "progress:inband", 5s));
  ASSERT_TRUE(wait(hangs_up, "connect", 5s));
  ASSERT_TRUE(wait(hangs_up, "cleared", 5s));
  EXPECT_EQ(recorder.calls[hangs_up].cleared, isdn::Cause::normal_clearing);
  ASSERT_TRUE(wait(early, "connect", 5s));
  expect_echo(early);
  EXPECT_FALSE(recorder.calls[never].saw("connect"));
  EXPECT_FALSE(recorder.calls[never].saw("cleared"));
  gateway->hangup(never, isdn::Cause::normal_clearing);
  gateway->hangup(early, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      io, [&] { return gateway->call_count() == 0; }, 3s));
}

TEST_F(PstnsimProcessTest, AnyOtherNumberIsAnsweredAndEchoedAcrossProcesses) {
  const auto echo = call("7773660");
  ASSERT_TRUE(wait(echo, "connect", 5s));
  expect_echo(echo);
  gateway->hangup(echo, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      io, [&] { return gateway->call_count() == 0; }, 3s));
  EXPECT_NE(log().find("SETUP to 7773660"), std::string::npos) << log();
}

TEST_F(PstnsimProcessTest, TheControlSocketPlacesACallTowardsTheGateway) {
  recorder.on_incoming_call = [this](isdn::CallId incoming, const isdn::IncomingCall&) {
    gateway->proceeding(incoming);
    gateway->alerting(incoming, false);
    gateway->answer(incoming);
  };
  std::string reply;
  std::thread client([&] {
    ControlClient control(control_path);
    if (!control.connected()) return;
    reply = control.command("call 2125550000 5550100");
    for (int i = 0; i < 5; ++i) {
      const auto event = control.read_line();
      if (event.empty()) break;
      reply += "|" + event;
      if (event.find("connect") != std::string::npos) break;
    }
  });
  ASSERT_TRUE(run_until(
      io, [&] { return !recorder.incoming.empty(); }, 5s))
      << log();
  run_until(
      io,
      [&] { return gateway->state(recorder.incoming.front().first) == isdn::CallState::active; },
      3s);
  run_for(io, 200ms);
  client.join();
  EXPECT_EQ(reply.rfind("ok 0:", 0), 0U) << reply;
  EXPECT_NE(reply.find("connect"), std::string::npos) << reply;
  const auto& [incoming, details] = recorder.incoming.front();
  EXPECT_EQ(details.called.digits, "5550100");
  EXPECT_EQ(details.calling.digits, "2125550000");
  gateway->hangup(incoming, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      io, [&] { return gateway->call_count() == 0; }, 3s));
}

TEST_F(PstnsimProcessTest, KillingThePstnClearsCallsAndItsReturnRestartsTheChannels) {
  const auto active = call("7773660");
  ASSERT_TRUE(wait(active, "connect", 5s));
  pstnsim->stop(SIGKILL);
  ASSERT_TRUE(wait(active, "cleared", 5s));
  EXPECT_EQ(recorder.calls[active].cleared, isdn::Cause::network_out_of_order);
  EXPECT_TRUE(gateway->alarms().has(tdm::Alarm::red));
  EXPECT_EQ(gateway->call_count(), 0U);
  EXPECT_EQ(gateway->channels().count(isdn::ChannelState::idle), 30U) << "no channel stuck";
  EXPECT_FALSE(gateway->place_call({})) << "no call while the far end is gone";

  ::unlink(log_path.c_str());
  start_pstnsim();
  EXPECT_NE(log().find("RESTART span 0 channel 1"), std::string::npos) << log();
  const auto again = call("7773660");
  ASSERT_TRUE(wait(again, "connect", 5s));
  expect_echo(again);
  gateway->hangup(again, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      io, [&] { return gateway->call_count() == 0; }, 3s));
}

}  // namespace
}  // namespace gw::test
