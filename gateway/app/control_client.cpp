#include "gateway/app/control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <istream>

namespace gw::app {

std::optional<std::string> ask_gateway(const std::string& socket_path, const std::string& command,
                                       std::string& problem) {
  using boost::asio::local::stream_protocol;
  boost::asio::io_context io;
  stream_protocol::socket socket(io);
  boost::system::error_code error;
  socket.connect(stream_protocol::endpoint(socket_path), error);
  if (error) {
    problem = socket_path + ": " + error.message() + " (is sipgw running with this --data-dir?)";
    return std::nullopt;
  }
  boost::asio::write(socket, boost::asio::buffer(command + "\n"), error);
  boost::asio::streambuf input;
  std::istream lines(&input);
  std::string reply;
  bool first = true;
  while (!error) {
    boost::asio::read_until(socket, input, '\n', error);
    if (error) break;
    std::string line;
    std::getline(lines, line);
    if (line == "end") return reply;
    if (first && (line.rfind("ok", 0) == 0 || line.rfind("error", 0) == 0)) return line + "\n";
    first = false;
    reply += line + "\n";
  }
  problem = socket_path + ": " + error.message();
  return std::nullopt;
}

}  // namespace gw::app
