#pragma once
// A SIP client of a few lines for the system tests that must control every
// byte (digest answers, replayed nonce-counts, a scanner's probe): requests
// are written out whole and answers read back from a UDP socket bound to a
// loopback address of the test's choice.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "drivers/common/unique_fd.hpp"

namespace gw::test {

class RawSipClient {
 public:
  RawSipClient(const std::string& source, int gateway_port)
      : source_(source), udp_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    (void)::bind(udp_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local);
    socklen_t length = sizeof local;
    ::getsockname(udp_.get(), reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.sin_port);
    gateway_.sin_family = AF_INET;
    gateway_.sin_port = htons(static_cast<std::uint16_t>(gateway_port));
    ::inet_pton(AF_INET, "127.0.0.1", &gateway_.sin_addr);
  }

  // "127.0.0.9:40123", for Via and Contact.
  [[nodiscard]] std::string host_port() const { return source_ + ":" + std::to_string(port_); }

  void send(const std::string& message) const {
    ::sendto(udp_.get(), message.data(), message.size(), 0,
             reinterpret_cast<const sockaddr*>(&gateway_), sizeof gateway_);
  }

  // The next final answer to `method` in call `call_id`, or "" when none
  // came within `wait`. Others (provisional answers, retransmissions of
  // earlier ones) are passed over.
  [[nodiscard]] std::string final_answer(const std::string& call_id, const std::string& method,
                                         std::chrono::milliseconds wait) const {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    pollfd ready{udp_.get(), POLLIN, 0};
    for (auto left = wait; left.count() > 0;
         left = std::chrono::duration_cast<std::chrono::milliseconds>(
             deadline - std::chrono::steady_clock::now())) {
      if (::poll(&ready, 1, static_cast<int>(left.count())) != 1) break;
      char buffer[8192];
      const auto got = ::recv(udp_.get(), buffer, sizeof buffer, 0);
      if (got <= 0) break;
      std::string message(buffer, static_cast<std::size_t>(got));
      const std::string cseq = header(message, "CSeq");
      if (message.rfind("SIP/2.0 1", 0) == 0 || header(message, "Call-ID") != call_id ||
          cseq.substr(cseq.find(' ') + 1) != method) {
        continue;
      }
      return message;
    }
    return {};
  }

  // The value of the first `name:` header of `message` ("" when none).
  [[nodiscard]] static std::string header(const std::string& message, const std::string& name) {
    const std::regex line("(^|\r\n)" + name + ": *([^\r\n]*)", std::regex::icase);
    std::smatch found;
    return std::regex_search(message, found, line) ? found[2].str() : std::string();
  }

 private:
  std::string source_;
  UniqueFd udp_;
  int port_ = 0;
  sockaddr_in gateway_{};
};

}  // namespace gw::test
