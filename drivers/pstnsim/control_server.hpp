#pragma once
// pstnsim's control socket: one command a line over a unix stream socket.
//   call CALLING CALLED [SPAN [called=TON/NPI] [calling=TON/NPI] [restricted]
//        [unscreened] [redirecting=NUMBER/REASON]]  (the calling number is
//        network-provided unless `unscreened`)
//                                -> "ok ID" or "error CAUSE text"; then
//                                   "event ID proceeding|alerting|progress|connect"
//                                   and finally "event ID cleared CAUSE"
//   hangup ID [CAUSE]            -> "ok" or "error ..."
//   status                       -> "span INDEX NAME link up|down alarms A calls N" ..., "end"

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>

#include "drivers/common/line_server.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::pstnsim {

// pstnsim's control socket: its commands over a LineServer.
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, PstnSwitch& sim, const std::string& path);

 private:
  LineServer server_;
};

// Executes one command line for `reply` (used by the sessions and the tests).
std::string execute_command(PstnSwitch& sim, const std::string& line,
                            const std::function<void(const std::string&)>& events);

}  // namespace gw::pstnsim
