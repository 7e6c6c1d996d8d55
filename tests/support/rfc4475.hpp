#pragma once
// RFC 4475's torture messages sent raw over UDP to the daemon: the files, a
// peer that sends them and collects the answers by Call-ID, and an OPTIONS
// probe.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/common/unique_fd.hpp"

namespace gw::test {

// The Call-ID of a message, to tell which request a response answers (long
// form or compact "i:"; the test reads it, the stack never relies on this).
inline std::string call_id_of(const std::string& message) {
  for (const std::string name : {"\r\nCall-ID:", "\r\ni:", "\r\nCall-Id:", "\r\nCALL-ID:"}) {
    const auto at = message.find(name);
    if (at == std::string::npos) continue;
    auto begin = at + name.size();
    while (begin < message.size() && (message[begin] == ' ' || message[begin] == '\t')) ++begin;
    auto end = message.find("\r\n", begin);
    while (end > begin && (message[end - 1] == ' ' || message[end - 1] == '\t')) --end;
    return message.substr(begin, end - begin);
  }
  return {};
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The messages name other hosts in their Via, so the stack answers them at
// the source address on port 5060 (RFC 3261 18.2.2): the peer listens there,
// on a loopback address of this test's own.
inline std::string peer_address() {
  return "127.0.0." + std::to_string(2 + ::getpid() % 250);
}

// A UDP peer that sends raw messages to the stack.
class RawPeer {
 public:
  explicit RawPeer(int stack_port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, peer_address().c_str(), &local.sin_addr);
    local.sin_port = htons(5060);
    bound_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
    stack_.sin_family = AF_INET;
    stack_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    stack_.sin_port = htons(static_cast<std::uint16_t>(stack_port));
  }
  [[nodiscard]] bool bound() const { return bound_; }
  void send(const std::string& message) {
    ::sendto(fd_.get(), message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&stack_),
             sizeof stack_);
  }
  struct Answer {
    int code;
    std::string call_id;
  };
  // The responses that arrive before `quiet` passes without one, or until a
  // 200 for `until_call_id` is among them.
  std::vector<Answer> responses(std::chrono::milliseconds quiet,
                                const std::string& until_call_id = {}) {
    std::vector<Answer> answers;
    pollfd entry{fd_.get(), POLLIN, 0};
    const auto done = [&] {
      return !until_call_id.empty() &&
             std::any_of(answers.begin(), answers.end(), [&](const Answer& answer) {
               return answer.code == 200 && answer.call_id == until_call_id;
             });
    };
    while (!done() && ::poll(&entry, 1, static_cast<int>(quiet.count())) == 1) {
      char buffer[65536];
      const auto got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (got < 12) continue;
      const std::string text(buffer, static_cast<std::size_t>(got));
      if (text.rfind("SIP/2.0 ", 0) != 0) continue;
      answers.push_back({std::stoi(text.substr(8, 3)), call_id_of(text)});
    }
    return answers;
  }

 private:
  UniqueFd fd_;
  bool bound_ = false;
  sockaddr_in stack_{};
};

inline std::string options_probe(int n) {
  return "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP " +
         peer_address() + ":5060" + ";branch=z9hG4bK-probe" + std::to_string(n) +
         "\r\n"
         "From: <sip:probe@127.0.0.1>;tag=p" +
         std::to_string(n) +
         "\r\n"
         "To: <sip:127.0.0.1>\r\n"
         "Call-ID: probe-" +
         std::to_string(n) +
         "@127.0.0.1\r\n"
         "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
}

// The 49 messages, sorted by name.
inline std::vector<std::filesystem::path> torture_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".dat") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace gw::test
