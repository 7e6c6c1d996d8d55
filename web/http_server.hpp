#pragma once
// The HTTPS server (Boost.Beast) of the page, the API, /metrics and the
// live-calls WebSocket (/api/live), on a thread of its own: TLS handshakes
// and argon2 hashing take milliseconds each, which the call-control loop
// must not wait for. The WebApp runs on that thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "web/tls_identity.hpp"
#include "web/web_app.hpp"

namespace gw::web {

struct ServerConfig {
  std::string bind = "127.0.0.1";
  int port = 8443;  // 0: any free port (tests read port())
  TlsFiles tls;
};

class WebServer {
 public:
  // Binds and starts serving; throws std::runtime_error naming --http-port
  // when the port cannot be had.
  WebServer(const ServerConfig& config, WebApp& app, AdminBackend& backend);
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;
  ~WebServer();

  [[nodiscard]] int port() const noexcept { return port_; }

 private:
  void accept();

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // accept() again after an error
  WebApp& app_;
  AdminBackend& backend_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gw::web
