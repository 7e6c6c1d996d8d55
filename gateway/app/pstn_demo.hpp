#pragma once
// The embedded demo default, PSTN side: two loopback E1 spans wired to an
// in-process pstnsim, the gateway's ISDN stack (CPE) on the other ends. Until
// the SIP side exists, the demo drives one call through every row of the
// simulated PSTN's behaviour table and shows what the gateway saw.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <ostream>
#include <vector>

#include "drivers/isdn/call_recorder.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::app {

class PstnDemo {
 public:
  PstnDemo(boost::asio::io_context& io, std::ostream& out);
  ~PstnDemo();

  // Waits for both spans; false when they do not come up.
  bool wait_ready();
  // One call per row of the table; returns the number of rows that behaved
  // as documented.
  int run_tour();
  void print_status();

 private:
  struct Row;
  bool run_row(const Row& row);

  boost::asio::io_context& io_;
  std::ostream& out_;
  std::vector<loopback::SpanPair> pairs_;
  std::unique_ptr<pstnsim::PstnSwitch> pstn_;
  isdn::CallRecorder recorder_;
  std::vector<std::unique_ptr<isdn::PriSpan>> gateway_;
};

}  // namespace gw::app
