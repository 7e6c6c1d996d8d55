// sipgw: the SIP-to-PSTN gateway daemon. The SIP side is not built yet; with
// --demo it brings up the embedded demo default's PSTN side and shows it
// working.

#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <string>

#include "gateway/app/pstn_demo.hpp"

namespace {

void usage() {
  std::cout << "usage: sipgw --demo [--once]\n"
               "  --demo   two loopback E1 spans wired to an in-process simulated PSTN;\n"
               "           one call through every row of its behaviour table, then the\n"
               "           spans stay up until SIGINT or SIGTERM\n"
               "  --once   exit after the tour (status 0 when every row behaved)\n";
}

int run_demo(bool once) {
  boost::asio::io_context io;
  gw::app::PstnDemo demo(io, std::cout);
  std::cout << "sipgw demo: bringing up 2 loopback E1 spans against the simulated PSTN\n";
  if (!demo.wait_ready()) {
    std::cout << "the spans did not come up\n";
    demo.print_status();
    return 1;
  }
  demo.print_status();
  std::cout << "calls through the simulated PSTN (CPE side, private plan numbers):\n";
  const int good = demo.run_tour();
  std::cout << good << " of 7 rows behaved as documented\n";
  if (once) return good == 7 ? 0 : 1;
  std::cout << "spans stay up; Ctrl-C to stop\n" << std::flush;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  demo.print_status();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool demo = false;
  bool once = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--demo") {
      demo = true;
    } else if (arg == "--once") {
      once = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      std::cerr << "sipgw: " << arg << ": unknown option (see --help)\n";
      return 2;
    }
  }
  if (!demo) {
    usage();
    return 2;
  }
  return run_demo(once);
}
