#include "web/http_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>
#include <optional>
#include <stdexcept>

namespace gw::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using BeastRequest = http::request<http::string_body>;

constexpr std::size_t kBodyLimit = 1 << 20;
constexpr auto kIdle = std::chrono::seconds(30);

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decoded(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

namespace {

std::map<std::string, std::string> query_of(std::string_view query) {
  std::map<std::string, std::string> fields;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    fields[percent_decoded(pair.substr(0, equals), true)] =
        equals == std::string_view::npos ? "" : percent_decoded(pair.substr(equals + 1), true);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return fields;
}

std::map<std::string, std::string> cookies_of(std::string_view header) {
  std::map<std::string, std::string> cookies;
  while (!header.empty()) {
    const auto semi = header.find(';');
    auto item = header.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto equals = item.find('=');
    if (equals != std::string_view::npos) {
      cookies[std::string(item.substr(0, equals))] = std::string(item.substr(equals + 1));
    }
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
  }
  return cookies;
}

HttpRequest converted(const BeastRequest& in, const std::string& peer) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  const std::string_view target(in.target().data(), in.target().size());
  const auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) out.query = query_of(target.substr(question + 1));
  const auto cookie = in[http::field::cookie];
  out.cookies = cookies_of(std::string_view(cookie.data(), cookie.size()));
  out.csrf_token = std::string(in["X-CSRF-Token"]);
  out.content_type = std::string(in[http::field::content_type]);
  out.body = in.body();
  out.peer = peer;
  return out;
}

// A WebSocket from another site's page would carry the cookie; the
// browser's Origin says where the page came from.
bool same_origin(const BeastRequest& request) {
  return request[http::field::origin] == "https://" + std::string(request[http::field::host]);
}

class LiveSocket : public std::enable_shared_from_this<LiveSocket> {
 public:
  // `logged_in` says whether the session that opened the socket still is.
  LiveSocket(TlsStream&& stream, AdminBackend& backend, std::function<bool()> logged_in)
      : socket_(std::move(stream)),
        timer_(socket_.get_executor()),
        backend_(backend),
        logged_in_(std::move(logged_in)) {}

  // Beast builds its answer from the request at once; it need not outlive the call.
  void start(const BeastRequest& request) {
    beast::get_lowest_layer(socket_).expires_never();
    socket_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    socket_.read_message_max(4096);  // the page sends nothing
    socket_.async_accept(request, [self = shared_from_this()](beast::error_code error) {
      if (error) return;
      self->read();
      self->tick();
    });
  }

 private:
  // The page sends nothing; reading notices when it goes away.
  void read() {
    socket_.async_read(incoming_,
                       [self = shared_from_this()](beast::error_code error, std::size_t) {
                         if (error) {
                           self->closed_ = true;
                           self->timer_.cancel();
                           return;
                         }
                         self->incoming_.consume(self->incoming_.size());
                         self->read();
                       });
  }

  // Sends the view when it changed since the last one, every second.
  void tick() {
    if (closed_) return;
    if (!logged_in_()) {
      // Logged out, timed out or its password changed: the view stops.
      closed_ = true;
      socket_.async_close(websocket::close_code::policy_error,
                          [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (!writing_) {
      std::string view;
      try {
        view = backend_.live_json();
      } catch (const std::exception&) {
        view = sent_;  // the gateway is busy: nothing new this second
      }
      if (view != sent_) {
        sent_ = std::move(view);
        writing_ = true;
        socket_.text(true);
        socket_.async_write(asio::buffer(sent_),
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              self->writing_ = false;
                              if (error) self->closed_ = true;
                            });
      }
    }
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) self->tick();
    });
  }

  websocket::stream<TlsStream> socket_;
  asio::steady_timer timer_;
  AdminBackend& backend_;
  std::function<bool()> logged_in_;
  beast::flat_buffer incoming_;
  std::string sent_;
  bool writing_ = false;
  bool closed_ = false;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, asio::ssl::context& tls, WebApp& app, AdminBackend& backend)
      : stream_(std::move(socket), tls), app_(app), backend_(backend) {}

  void start() {
    beast::error_code ignored;
    const auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
    peer_ = remote.address().to_string();
    beast::get_lowest_layer(stream_).expires_after(kIdle);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code error) {
                              if (!error) self->read();
                            });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(kIdle);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_read(error);
                     });
  }

  void on_read(beast::error_code error) {
    if (error == http::error::body_limit) {
      write(error_response(413, "the body is larger than 1 MiB"), false);
      return;
    }
    if (error) return close();
    BeastRequest request = parser_->release();
    if (websocket::is_upgrade(request)) return upgrade(request);
    const HttpRequest ours = converted(request, peer_);
    HttpResponse answer;
    try {
      answer = app_.handle(ours);
    } catch (const std::exception& failure) {
      // A full disk under the user store, say: this request fails, the server goes on.
      answer = error_response(500, failure.what());
    }
    write(answer, request.keep_alive(), request.version(), request.method() == http::verb::head);
  }

  void upgrade(const BeastRequest& request) {
    const HttpRequest ours = converted(request, peer_);
    if (ours.path != "/api/live") return write(error_response(404, "no such socket"), false);
    if (!same_origin(request)) return write(error_response(403, "cross-origin socket"), false);
    if (!app_.session_user(ours)) return write(error_response(401, "log in first"), false);
    auto logged_in = [&app = app_, ours] { return app.session_user(ours).has_value(); };
    std::make_shared<LiveSocket>(std::move(stream_), backend_, std::move(logged_in))
        ->start(request);
  }

  void write(const HttpResponse& ours, bool keep_alive, unsigned version = 11, bool head = false) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(ours.status), version);
    response->set(http::field::server, "sipgw");
    response->set(http::field::content_type, ours.content_type);
    response->set(http::field::cache_control, "no-store");
    response->set("X-Content-Type-Options", "nosniff");
    response->set("X-Frame-Options", "DENY");
    response->set("Referrer-Policy", "no-referrer");
    response->set("Content-Security-Policy",
                  "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    for (const auto& [name, value] : ours.headers) response->insert(name, value);
    if (!head) response->body() = ours.body;
    response->keep_alive(keep_alive);
    response->prepare_payload();
    if (head) response->body().clear();
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code error, std::size_t) {
          if (error || !keep_alive) return self->close();
          self->read();
        });
  }

  void close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
  }

  TlsStream stream_;
  WebApp& app_;
  AdminBackend& backend_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string peer_;
};

asio::ssl::context make_tls(const TlsFiles& files) {
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  try {
    tls.use_certificate_chain_file(files.certificate);
    tls.use_private_key_file(files.private_key, asio::ssl::context::pem);
  } catch (const std::exception& error) {
    throw std::runtime_error("web certificate " + files.certificate + " / " + files.private_key +
                             ": " + error.what());
  }
  return tls;
}

}  // namespace

WebServer::WebServer(const ServerConfig& config, WebApp& app, AdminBackend& backend)
    : tls_(make_tls(config.tls)), acceptor_(io_), retry_(io_), app_(app), backend_(backend) {
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(config.bind),
                                 static_cast<std::uint16_t>(config.port));
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
  } catch (const std::exception& error) {
    throw std::runtime_error("--http-port " + std::to_string(config.port) + " on " + config.bind +
                             ": " + error.what());
  }
  accept();
  thread_ = std::thread([this] {
    // Handlers catch what they expect; anything else ends that handler, not
    // the process with its calls.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception&) {
        continue;
      }
    }
  });
}

WebServer::~WebServer() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void WebServer::accept() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (!error) {
      std::make_shared<HttpSession>(std::move(socket), tls_, app_, backend_)->start();
      accept();
      return;
    }
    // Out of descriptors, say: try again shortly rather than spin.
    retry_.expires_after(std::chrono::milliseconds(200));
    retry_.async_wait([this](beast::error_code wait_error) {
      if (!wait_error) accept();
    });
  });
}

}  // namespace gw::web
