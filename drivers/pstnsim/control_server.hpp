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
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::pstnsim {

// Answers one command line; `events` sends lines later (for commands that
// report what happens afterwards). An empty answer sends nothing: the
// command answers through `events` alone, and the next command on the
// connection may be answered first.
using CommandExecutor = std::function<std::string(
    const std::string& line, const std::function<void(const std::string&)>& events)>;

// A unix stream socket taking one command a line; sipgw's control socket is
// the same server with its own commands.
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, PstnSwitch& sim, const std::string& path);
  ControlServer(boost::asio::io_context& io, CommandExecutor execute, const std::string& path);
  ~ControlServer();

 private:
  class Session;
  void accept();
  void forget(Session* session);

  CommandExecutor execute_;
  std::string path_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::list<std::shared_ptr<Session>> sessions_;
};

// Executes one command line for `reply` (used by the sessions and the tests).
std::string execute_command(PstnSwitch& sim, const std::string& line,
                            const std::function<void(const std::string&)>& events);

}  // namespace gw::pstnsim
