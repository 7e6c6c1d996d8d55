#pragma once
// sipgw's command line.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace gw::app {

struct Options {
  bool demo = false;
  bool help = false;
  std::string bind = "127.0.0.1";  // SIP, and RTP unless --rtp-bind says otherwise
  int sip_port = 5060;
  int sip_tls_port = 5061;  // SIP over TLS on --bind; 0: none
  std::string rtp_bind;     // empty: the SIP address
  std::uint16_t rtp_port_min = 16384;
  std::uint16_t rtp_port_max = 32767;
  std::string data_dir = "/var/lib/sipgw";
  int http_port = 8443;    // the web page; 0: none
  std::string http_bind;   // empty: the SIP address
  std::string pstn_rules;  // the simulated PSTN's behaviour; empty: its default table
  int demo_spans = 2;      // loopback E1 spans wired to the simulated PSTN
  int media_workers = 2;   // RTP threads
  bool quiet = false;      // no per-call log lines
  bool debug_isdn = false;
};

// The options, or a one-line error naming the flag at fault.
[[nodiscard]] std::variant<Options, std::string> parse_options(
    const std::vector<std::string>& args);
[[nodiscard]] const char* usage_text() noexcept;

}  // namespace gw::app
