#include "gateway/app/web_setup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include "web/password_hash.hpp"

namespace gw::app {
namespace {

void write_private(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + path);
}

}  // namespace

WebFront::WebFront(const Options& options, web::AdminBackend& backend, const Log& log) {
  users_ = std::make_unique<web::UserStore>(options.data_dir + "/users.db", web::LoginPolicy{});
  if (users_->empty()) {
    const std::string password = web::random_token(9);
    first_password_file_ = options.data_dir + "/initial-admin-password";
    write_private(first_password_file_, password + "\n");
    users_->set_password("admin", password);
  }
  app_ = std::make_unique<web::WebApp>(*users_, backend, log);
  web::ServerConfig config;
  config.bind = options.http_bind;
  config.port = options.http_port;
  config.tls = web::ensure_tls_identity(options.data_dir);
  server_ = std::make_unique<web::WebServer>(config, *app_, backend);
  const bool v6 = config.bind.find(':') != std::string::npos;
  url_ = "https://" + (v6 ? "[" + config.bind + "]" : config.bind) + ":" +
         std::to_string(server_->port()) + "/";
}

std::string WebFront::describe() const {
  std::string text = "web page: " + url_;
  if (!first_password_file_.empty()) {
    text += " (first start: log in as admin with the password in " + first_password_file_ +
            ", then change it)";
  }
  return text;
}

std::unique_ptr<WebFront> start_web(const Options& options, web::AdminBackend& backend,
                                    const Log& log) {
  if (options.http_port == 0) return nullptr;
  return std::make_unique<WebFront>(options, backend, log);
}

int run_passwd_command(const std::vector<std::string>& args) {
  std::string data_dir = Options{}.data_dir;
  std::string user;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--data-dir" && i + 1 < args.size()) {
      data_dir = args[++i];
    } else if (user.empty()) {
      user = args[i];
    } else {
      std::cerr << "usage: sipgw passwd [--data-dir DIR] USER  (the password on standard input)\n";
      return 2;
    }
  }
  if (user.empty()) {
    std::cerr << "usage: sipgw passwd [--data-dir DIR] USER  (the password on standard input)\n";
    return 2;
  }
  if (::isatty(STDIN_FILENO) != 0) std::cerr << "new password for " << user << ": ";
  std::string password;
  std::getline(std::cin, password);
  try {
    web::UserStore users(data_dir + "/users.db", web::LoginPolicy{});
    users.set_password(user, password);
  } catch (const std::exception& error) {
    std::cerr << "sipgw passwd: " << error.what() << "\n";
    return 1;
  }
  std::cout << "sipgw passwd: password of " << user << " set; a running gateway uses it at once\n";
  return 0;
}

}  // namespace gw::app
