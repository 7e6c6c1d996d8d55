#pragma once
// SIPp's command line, built in one place for every test that runs it, so a
// test states what differs (scenario, peer, ports, keys, traces) and the
// options every run needs are not forgotten. The argv goes to spawn().

#include <string>
#include <utility>
#include <vector>

namespace gw::test {

class SippCommand {
 public:
  // `scenario`: the path of its XML file.
  explicit SippCommand(std::string scenario) : scenario_(std::move(scenario)) {}

  // The peer a UAC scenario sends to; none for a UAS that waits to be called.
  SippCommand& to(const std::string& host, int port) {
    remote_ = host + ":" + std::to_string(port);
    return *this;
  }
  SippCommand& local_ip(const std::string& ip) { return add({"-i", ip}); }
  SippCommand& local_port(int port) { return add({"-p", std::to_string(port)}); }
  SippCommand& calls(int count) { return add({"-m", std::to_string(count)}); }
  SippCommand& key(const std::string& name, const std::string& value) {
    return add({"-key", name, value});
  }
  // A scenario still waiting after `limit` (SIPp's syntax, "10s") is a
  // failure, not a success.
  SippCommand& timeout(const std::string& limit) {
    return add({"-timeout", limit, "-timeout_error"});
  }
  // The unexpected messages, for the report when SIPp fails.
  SippCommand& errors_to(const std::string& file) {
    return add({"-trace_err", "-error_file", file});
  }
  // Every message sent and received.
  SippCommand& messages_to(const std::string& file) {
    return add({"-trace_msg", "-message_file", file});
  }
  SippCommand& add(const std::vector<std::string>& options) {
    options_.insert(options_.end(), options.begin(), options.end());
    return *this;
  }

  // Never interactive: a test has no terminal for SIPp to read keys from.
  [[nodiscard]] std::vector<std::string> argv() const {
    std::vector<std::string> args{"sipp"};
    if (!remote_.empty()) args.push_back(remote_);
    args.insert(args.end(), {"-sf", scenario_, "-nostdin"});
    args.insert(args.end(), options_.begin(), options_.end());
    return args;
  }

 private:
  std::string scenario_;
  std::string remote_;
  std::vector<std::string> options_;
};

}  // namespace gw::test
