// What an operator (or sipgwctl) writes to the control socket,
// DATA_DIR/sipgw.ctl: the input goes as it is, newlines and all, over a
// connection to the socket of a whole demo gateway in this process
// (gateway_fixture.hpp), so every line meets the LineServer's reading and
// ControlCommands' command language: status, channels, calls and its
// filters (parse_call_query), route with a Request-URI (Sofia's URL parser,
// parse_dial_target, the router), route-pstn with TON/NPI, hangup, service,
// reload, pstn-setups, and the simulated PSTN's own pstn call|hangup|status.
// Each answer must come, and the gateway must go on answering.
//
// Seeds: corpus/fuzz_control_command/, the commands of the README and the
// system tests.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/fuzz/gateway_fixture.hpp"

namespace {

// The unknown command whose answer ends each input's exchange.
constexpr std::string_view kSentinel = "fuzz-sentinel";
constexpr std::string_view kSentinelAnswer = "error unknown command 'fuzz-sentinel'";

class Connection {
 public:
  explicit Connection(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    gw::fuzz::check(fd_ >= 0, "a socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    gw::fuzz::check(path.size() < sizeof address.sun_path, "the socket's path fits");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const timeval timeout{10, 0};
    (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    (void)::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    gw::fuzz::check(
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&address),  // NOLINT(*-reinterpret-cast)
                  sizeof address) == 0,
        "the control socket takes a connection");
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { ::close(fd_); }

  void write(std::string_view data) const {
    while (!data.empty()) {
      const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;  // libFuzzer's SIGALRM, each second
      gw::fuzz::check(sent > 0, "the control socket takes the commands");
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  // Reads until `wanted` has come; a silence of 10 s is a hang.
  void read_until(std::string_view wanted) const {
    std::string answers;
    char buffer[4096];
    while (answers.find(wanted) == std::string::npos) {
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got < 0 && errno == EINTR) continue;
      gw::fuzz::check(got > 0, "the gateway answers every command within 10 s");
      answers.append(buffer, static_cast<std::size_t>(got));
      // Only the tail can still hold the start of `wanted`.
      if (answers.size() > 2 * wanted.size() && answers.find(wanted) == std::string::npos) {
        answers.erase(0, answers.size() - wanted.size());
      }
    }
  }

 private:
  int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& fixture = gw::fuzz::GatewayFixture::instance();
  const Connection connection(fixture.dir() + "/sipgw.ctl");
  std::string commands(gw::fuzz::text_of(data, size));
  commands += '\n';
  commands += kSentinel;
  commands += '\n';
  connection.write(commands);
  connection.read_until(kSentinelAnswer);
  return 0;
}
