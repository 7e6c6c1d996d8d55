#pragma once
// sipgw's control socket (DATA_DIR/sipgw.ctl) and its command language, one
// command a line; `sipgwctl` is its client (control_client.hpp):
//   status                       spans, calls, media sessions, registrations
//   channels [SPAN]              "SPAN B1 idle", a line per B-channel
//   calls [FILTERS]              call records (see parse_call_query)
//   route URI [from CALLER] [source ADDRESS]      the route tester
//   route-pstn SPAN NUMBER [TON/NPI] [from CALLER]
//   hangup CALL                  ends a call with cause 16
//   service SPAN CHANNEL in|out  a B-channel out of service or back
//   reload                       the plan read again from the store
//   pstn-setups                  the SETUPs the simulated PSTN received
//   pstn call|hangup|status ...  the simulated PSTN's own commands
// An answer is one line starting "ok" or "error", or lines ending "end".
// Everything runs on the control thread; what another thread must answer
// (the simulated PSTN, a record search) is posted there and answered when
// it comes back, so the control thread never waits.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "drivers/common/line_server.hpp"

namespace gw::app {

class Gateway;

class ControlCommands {
 public:
  // Listens on `path`.
  ControlCommands(boost::asio::io_context& control, Gateway& gateway, const std::string& path);

  // A command that answers at once (route, route-pstn, hangup, service,
  // reload, channels, pstn-setups): its answer; the web API uses these.
  [[nodiscard]] std::string run(const std::string& line);

 private:
  void execute(const std::string& line, const LineServer::Output& output);
  void status(const LineServer::Output& output);
  [[nodiscard]] std::string test_route(const std::string& arguments) const;
  [[nodiscard]] std::string test_pstn_route(const std::string& arguments) const;
  [[nodiscard]] std::string hang_up(const std::string& arguments);
  [[nodiscard]] std::string service(const std::string& arguments);
  [[nodiscard]] std::string channels(const std::string& span) const;
  [[nodiscard]] std::string pstn_setups() const;

  Gateway& gateway_;
  LineServer server_;
};

}  // namespace gw::app
