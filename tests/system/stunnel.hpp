#pragma once
// stunnel (Debian's stunnel4) as a TLS peer of the gateway in the system
// tests: Debian's SIPp has no TLS, so SIPp speaks SIP over TCP to stunnel
// and stunnel speaks TLS to the gateway (client mode), or the other way
// round in front of a SIPp UAS (server mode). One service, in the
// foreground, its log in its own file; stopped with SIGTERM.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/spawn.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {

struct StunnelService {
  bool client = true;   // TLS towards `connect`; else TLS taken on `accept`
  std::string accept;   // "127.0.0.1:PORT"
  std::string connect;  // "127.0.0.1:PORT"
  std::string source;   // client: the address it connects from; empty: any
  // Client: the CAs the server's certificate is verified against (the
  // chain, and check_ip among its names). Server: its own certificate and
  // key (`certificate`).
  std::string ca_file;
  std::string check_ip;
  std::string certificate;
};

// Whether something listens on TCP `port` of 127.0.0.1 (/proc/net/tcp,
// state 0A), so a probe does not make stunnel open a connection.
inline bool tcp_listening(int port) {
  char wanted[16];
  (void)std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot;
    std::string local;
    std::string remote;
    std::string state;
    fields >> slot >> local >> remote >> state;
    if (local == wanted && state == "0A") return true;
  }
  return false;
}

// Waits up to 4 s for something to listen on TCP `port` of 127.0.0.1.
inline bool wait_for_tcp_listen(int port) {
  for (int i = 0; i < 200; ++i) {
    if (tcp_listening(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class Stunnel {
 public:
  // Writes DIR.conf and starts stunnel on it; DIR.log is its log.
  Stunnel(const std::filesystem::path& base, const StunnelService& service)
      : log_(base.string() + ".log") {
    const std::string conf = base.string() + ".conf";
    std::ofstream out(conf);
    out << "foreground = yes\npid =\ndebug = 6\noutput = " << log_ << "\n[sip]\n"
        << "client = " << (service.client ? "yes" : "no") << "\naccept = " << service.accept
        << "\nconnect = " << service.connect << "\n";
    if (!service.source.empty()) out << "local = " << service.source << "\n";
    if (!service.ca_file.empty()) out << "CAfile = " << service.ca_file << "\nverifyChain = yes\n";
    if (!service.check_ip.empty()) out << "checkIP = " << service.check_ip << "\n";
    if (!service.certificate.empty()) out << "cert = " << service.certificate << "\n";
    out.close();
    pid_ = spawn({"stunnel", conf}, base.string() + ".out");
    const int port = std::stoi(service.accept.substr(service.accept.rfind(':') + 1));
    for (int i = 0; i < 200 && pid_ != 0 && !listening_; ++i) {
      listening_ = tcp_listening(port);
      if (!listening_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  Stunnel(const Stunnel&) = delete;
  Stunnel& operator=(const Stunnel&) = delete;
  ~Stunnel() {
    if (pid_ == 0) return;
    ::kill(pid_, SIGTERM);
    (void)wait_exit(pid_, std::chrono::seconds(5));
  }

  [[nodiscard]] bool listening() const noexcept { return listening_; }
  [[nodiscard]] std::string log() const { return read_text(log_); }

 private:
  std::string log_;
  pid_t pid_ = 0;
  bool listening_ = false;
};

}  // namespace gw::test
