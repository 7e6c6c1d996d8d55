#pragma once
// HTTP as the web application sees it, without Beast: what came in and
// what goes out. The server (http_server.cpp) converts; everything else is
// tested without a socket.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::web {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  // Without the query, as sent: split it at '/' first, then decode each
  // part (percent_decoded), so that a name holding "%2F" stays one part.
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> cookies;
  std::string csrf_token;  // the X-CSRF-Token header
  std::string content_type;
  std::string body;
  std::string peer;  // the client's address, for the log
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Set-Cookie, ...)
};

// An API call that passed authentication and the CSRF check, for the
// gateway to answer.
struct ApiRequest {
  std::string method;
  std::string path;  // "/api/trunks/pbx", as sent (see HttpRequest::path)
  std::map<std::string, std::string> query;
  std::string body;
  std::string user;  // who is logged in
};

// "%2F" -> "/"; with `plus_is_space` (a query) '+' -> ' ' too.
[[nodiscard]] std::string percent_decoded(std::string_view text, bool plus_is_space);

// {"error": reason, "field": field} with `status`; field may be empty.
[[nodiscard]] HttpResponse error_response(int status, const std::string& reason,
                                          const std::string& field = {});
[[nodiscard]] HttpResponse json_response(std::string body, int status = 200);

// What the gateway behind the page does: answers the API, describes itself
// for the live view and for Prometheus. Called on the web thread; the
// implementation hands the work to the gateway's own thread.
class AdminBackend {
 public:
  AdminBackend() = default;
  AdminBackend(const AdminBackend&) = delete;
  AdminBackend& operator=(const AdminBackend&) = delete;
  virtual ~AdminBackend() = default;
  virtual HttpResponse api(const ApiRequest& request) = 0;
  [[nodiscard]] virtual std::string live_json() = 0;  // spans, channels, calls: the live view
  [[nodiscard]] virtual std::string metrics() = 0;    // Prometheus text format
};

}  // namespace gw::web
