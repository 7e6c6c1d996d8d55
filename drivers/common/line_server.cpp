#include "drivers/common/line_server.hpp"

#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <istream>

namespace gw {

using boost::asio::local::stream_protocol;

class LineServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(LineServer& owner, stream_protocol::socket socket)
      : owner_(owner), socket_(std::move(socket)) {}

  void start() { read(); }

  void send(const std::string& line) {
    const bool idle = outbox_.empty();
    outbox_.push_back(line + "\n");
    if (idle) flush();
  }

 private:
  void read() {
    boost::asio::async_read_until(
        socket_, input_, '\n',
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          if (error) {
            self->owner_.forget(self.get());
            return;
          }
          std::istream stream(&self->input_);
          std::string line;
          std::getline(stream, line);
          self->owner_.handler_(line, Output(self));
          self->read();
        });
  }

  void flush() {
    boost::asio::async_write(
        socket_, boost::asio::buffer(outbox_.front()),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
          if (error) return;
          self->outbox_.pop_front();
          if (!self->outbox_.empty()) self->flush();
        });
  }

  LineServer& owner_;
  stream_protocol::socket socket_;
  boost::asio::streambuf input_;
  std::deque<std::string> outbox_;
};

void LineServer::Output::send(const std::string& line) const {
  if (const auto session = session_.lock()) session->send(line);
}

LineServer::LineServer(boost::asio::io_context& io, const std::string& path, Handler handler)
    : handler_(std::move(handler)), path_(path), acceptor_(io) {
  ::unlink(path.c_str());
  acceptor_.open();
  acceptor_.bind(stream_protocol::endpoint(path));
  acceptor_.listen();
  accept();
}

LineServer::~LineServer() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  ::unlink(path_.c_str());
}

void LineServer::accept() {
  acceptor_.async_accept(
      [this](const boost::system::error_code& error, stream_protocol::socket socket) {
        if (error) return;
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions_.push_back(session);
        session->start();
        accept();
      });
}

void LineServer::forget(Session* session) {
  sessions_.remove_if([session](const auto& held) { return held.get() == session; });
}

}  // namespace gw
