#include "gateway/app/options.hpp"

#include <charconv>
#include <optional>

namespace gw::app {
namespace {

std::optional<long> number(const std::string& text) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "16384-32767" -> the two ports, even first, at least 2 ports apart.
std::optional<std::string> parse_port_range(const std::string& text, Options& options) {
  const auto dash = text.find('-');
  const auto low = number(text.substr(0, dash));
  const auto high = dash == std::string::npos ? std::nullopt : number(text.substr(dash + 1));
  if (!low || !high || *low < 1024 || *high > 65535 || *high < *low + 1) {
    return "--rtp-ports: '" + text + "' is not a range like 16384-32767 (1024-65535)";
  }
  options.rtp_port_min = static_cast<std::uint16_t>(*low);
  options.rtp_port_max = static_cast<std::uint16_t>(*high);
  return std::nullopt;
}

std::optional<std::string> parse_int(const std::string& flag, const std::string& text, long low,
                                     long high, int& out) {
  const auto value = number(text);
  if (!value || *value < low || *value > high) {
    return flag + ": '" + text + "' is not a number from " + std::to_string(low) + " to " +
           std::to_string(high);
  }
  out = static_cast<int>(*value);
  return std::nullopt;
}

bool takes_value(const std::string& flag) {
  for (const char* known :
       {"--bind", "--rtp-bind", "--data-dir", "--pstn-rules", "--sip-port", "--sip-tls-port",
        "--rtp-ports", "--spans", "--media-workers", "--http-port", "--http-bind"}) {
    if (flag == known) return true;
  }
  return false;
}

}  // namespace

const char* usage_text() noexcept {
  return "usage: sipgw [--demo] [options]\n"
         "       sipgw export [--data-dir DIR] [FILE]\n"
         "       sipgw import [--data-dir DIR] FILE\n"
         "       sipgw passwd [--data-dir DIR] USER   (the new password on standard input)\n"
         "  --demo             an empty data directory gets the demo plan: --spans loopback\n"
         "                     E1 spans wired to the in-process simulated PSTN (without it,\n"
         "                     the gateway needs a plan: sipgw import FILE). The spans are\n"
         "                     the plan's trunks': loopback ones to the simulated PSTN,\n"
         "                     dahdi ones to the card\n"
         "  --bind ADDR        SIP (UDP and TCP) and RTP address (default 127.0.0.1)\n"
         "  --sip-port N       SIP port (default 5060)\n"
         "  --sip-tls-port N   SIP over TLS port (default 5061; 0: none); the certificate\n"
         "                     is DATA_DIR/sip-tls/agent.pem, made on the first start\n"
         "  --rtp-bind ADDR    RTP address when it differs from --bind\n"
         "  --rtp-ports LO-HI  RTP/RTCP port range (default 16384-32767)\n"
         "  --data-dir DIR     dialplan, call records, control socket (default /var/lib/sipgw)\n"
         "  --spans N          spans of the demo plan, 30 B-channels each (default 2)\n"
         "  --pstn-rules FILE  the simulated PSTN's behaviour (pstnsim --print-rules shows\n"
         "                     the default table and its syntax is in the README)\n"
         "  --http-port N      the web page and its API, HTTPS (default 8443; 0: none)\n"
         "  --http-bind ADDR   its address when it differs from --bind\n"
         "  --media-workers N  RTP threads (default 2)\n"
         "  --quiet            no per-call log lines\n"
         "  --debug-isdn       Q.921/Q.931 decodes in the log\n";
}

std::variant<Options, std::string> parse_options(const std::vector<std::string>& args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const bool has_value = i + 1 < args.size();
    const auto value = [&]() -> std::string { return has_value ? args[++i] : std::string{}; };
    std::optional<std::string> error;
    if (flag == "--demo") {
      options.demo = true;
    } else if (flag == "--help" || flag == "-h") {
      options.help = true;
    } else if (flag == "--quiet") {
      options.quiet = true;
    } else if (flag == "--debug-isdn") {
      options.debug_isdn = true;
    } else if (!has_value && takes_value(flag)) {
      error = flag + ": needs a value (see --help)";
    } else if (flag == "--bind") {
      options.bind = value();
    } else if (flag == "--rtp-bind") {
      options.rtp_bind = value();
    } else if (flag == "--data-dir") {
      options.data_dir = value();
    } else if (flag == "--pstn-rules") {
      options.pstn_rules = value();
    } else if (flag == "--sip-port") {
      error = parse_int(flag, value(), 1, 65535, options.sip_port);
    } else if (flag == "--sip-tls-port") {
      error = parse_int(flag, value(), 0, 65535, options.sip_tls_port);
    } else if (flag == "--rtp-ports") {
      error = parse_port_range(value(), options);
    } else if (flag == "--spans") {
      error = parse_int(flag, value(), 1, 64, options.demo_spans);
    } else if (flag == "--http-port") {
      error = parse_int(flag, value(), 0, 65535, options.http_port);
    } else if (flag == "--http-bind") {
      options.http_bind = value();
    } else if (flag == "--media-workers") {
      error = parse_int(flag, value(), 1, 64, options.media_workers);
    } else {
      error = flag + ": unknown option (see --help)";
    }
    if (error) return *error;
  }
  if (options.rtp_bind.empty()) options.rtp_bind = options.bind;
  if (options.http_bind.empty()) options.http_bind = options.bind;
  if (options.data_dir.empty()) return std::string("--data-dir: must not be empty");
  if (options.sip_tls_port == options.sip_port)
    return std::string("--sip-tls-port: must differ from --sip-port (0: no TLS)");
  return options;
}

}  // namespace gw::app
