// pstnsim: a simulated PSTN switch (libpri NET side) on one or more spans.

#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "drivers/pstnsim/control_server.hpp"
#include "drivers/pstnsim/span_options.hpp"

namespace {

struct Options {
  gw::pstnsim::SpanOptions spans;
  std::string rules_file;
  std::string control_path;
};

void usage() {
  std::cout << "usage: pstnsim --span SPEC [--span SPEC ...] [options]\n"
            << gw::pstnsim::span_options_usage()
            << "  --rules FILE             behaviour rules (PREFIX ACTION key=value ...)\n"
            << "  --control PATH           unix socket taking call/hangup/status commands\n"
            << "  --print-rules            print the default rules and exit\n";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("--rules: cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void print_rules(const gw::pstnsim::RuleSet& rules) {
  for (const auto& rule : rules.rules()) {
    std::cout << rule.prefix << ' ' << to_string(rule.action)
              << " cause=" << gw::isdn::to_wire(rule.cause) << '\n';
  }
}

int run(const Options& options) {
  boost::asio::io_context io;
  gw::pstnsim::Backends backends;
  auto spans = backends.open(options.spans);
  gw::pstnsim::SwitchConfig config;
  config.switchtype = options.spans.effective_switchtype();
  if (!options.rules_file.empty()) {
    config.rules = gw::pstnsim::RuleSet::parse(read_file(options.rules_file));
  }
  config.debug = options.spans.debug;
  config.log = [](std::string_view line) { std::cout << line << std::endl; };
  gw::pstnsim::PstnSwitch sim(io, std::move(config));
  for (auto& span : spans) sim.add_span(*span);
  std::optional<gw::pstnsim::ControlServer> control;
  if (!options.control_path.empty()) control.emplace(io, sim, options.control_path);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  std::cout << "pstnsim: " << spans.size() << " span(s), switchtype "
            << gw::isdn::to_string(options.spans.effective_switchtype()) << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (gw::pstnsim::take_span_option(argc, argv, i, options.spans)) continue;
      if ((arg == "--rules" || arg == "--control") && i + 1 < argc) {
        (arg == "--rules" ? options.rules_file : options.control_path) = argv[++i];
      } else if (arg == "--print-rules") {
        print_rules(gw::pstnsim::RuleSet::defaults());
        return 0;
      } else if (arg == "--help" || arg == "-h") {
        usage();
        return 0;
      } else {
        throw std::invalid_argument(arg + ": unknown option (see --help)");
      }
    }
    return run(options);
  } catch (const std::exception& error) {
    std::cerr << "pstnsim: " << error.what() << std::endl;
    return 2;
  }
}
