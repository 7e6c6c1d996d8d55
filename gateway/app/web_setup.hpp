#pragma once
// The web page as the daemon runs it: the users in DATA_DIR/users.db, the
// certificate in DATA_DIR/web.crt and web.key (made on the first start),
// and the HTTPS server on --http-bind:--http-port. A first start without
// users makes user "admin" with a random password, written to
// DATA_DIR/initial-admin-password (0600) for the installer to read; there
// is no built-in default password. `sipgw passwd USER` sets one.

#include <memory>
#include <string>
#include <vector>

#include "gateway/app/gateway.hpp"
#include "web/http_server.hpp"

namespace gw::app {

class WebFront {
 public:
  WebFront(const Options& options, web::AdminBackend& backend, const Log& log);
  [[nodiscard]] std::string describe() const;

 private:
  std::string url_;
  std::string first_password_file_;  // empty: users existed already
  std::unique_ptr<web::UserStore> users_;
  std::unique_ptr<web::WebApp> app_;
  std::unique_ptr<web::WebServer> server_;
};

// The web page, or nullptr with --http-port 0.
[[nodiscard]] std::unique_ptr<WebFront> start_web(const Options& options,
                                                  web::AdminBackend& backend, const Log& log);

// sipgw passwd [--data-dir DIR] USER: the password from the first line of
// standard input.
int run_passwd_command(const std::vector<std::string>& args);

}  // namespace gw::app
