#pragma once
// A unix stream socket that takes one command a line: sipgw's control socket
// and pstnsim's are this server with their own command languages. A command
// answers through its Output whenever it has the answer (at once, or later
// from another piece of work on the same io_context), and may send more
// lines after it (events of a call it placed). Nothing here blocks: a
// command whose answer comes from another thread posts the work there and
// sends the answer when it comes back.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace gw {

class LineServer {
 public:
  class Session;

  // Where a command's answer and later lines go. Copyable; sending after the
  // client has gone does nothing. Used on the server's io_context only.
  class Output {
   public:
    explicit Output(std::weak_ptr<Session> session) : session_(std::move(session)) {}
    void send(const std::string& line) const;

   private:
    std::weak_ptr<Session> session_;
  };

  using Handler = std::function<void(const std::string& line, const Output& output)>;

  // Listens on `path` (an old socket file there is replaced).
  LineServer(boost::asio::io_context& io, const std::string& path, Handler handler);
  LineServer(const LineServer&) = delete;
  LineServer& operator=(const LineServer&) = delete;
  ~LineServer();

 private:
  void accept();
  void forget(Session* session);

  Handler handler_;
  std::string path_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::list<std::shared_ptr<Session>> sessions_;
};

}  // namespace gw
