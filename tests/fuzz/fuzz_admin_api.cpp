// A request to the web page's API from a logged-in operator: the web
// application's gate (web::WebApp::handle: the nesting limit, the session
// and CSRF checks) and behind it app::AdminApi on a whole demo gateway in
// this process (gateway_fixture.hpp), so the JSON bodies meet the code
// that reads them: the route tester's {"uri", "from"} or {"span",
// "number"}, a channel's {"in_service"}, an item of a plan list merged
// into the plan and read back whole (routes, trunk groups, credentials),
// and the query of a call record search.
//
// Input: "METHOD /path?query" on the first line, the body after it, as
// the HTTPS server hands a request over (percent-decoded query). Left out,
// for the fuzzer's sake and not the code's: logging in and out and
// passwords (each try hashes with argon2id), and changes that would start
// spans or registrations (trunks, registrations, PUT /api/plan, whose
// body is the plan file fuzz_plan_json covers). A change that succeeded
// is undone, so each input meets the demo plan.
//
// Seeds: corpus/fuzz_admin_api/, requests the page and tests/web make.

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/app/admin_api.hpp"
#include "tests/fuzz/gateway_fixture.hpp"
#include "web/user_store.hpp"
#include "web/web_app.hpp"

namespace {

using namespace gw;

class Front {
 public:
  Front()
      : fixture_(fuzz::GatewayFixture::instance()),
        admin_(fixture_.control(), fixture_.gateway()),
        users_(fixture_.dir() + "/users.db", web::LoginPolicy{}),
        app_(users_, admin_, [](std::string_view) {}),
        plan_(fixture_.on_control([this] { return fixture_.gateway().stored_plan(); })) {
    users_.set_password("admin", "fuzz-password");
    web::HttpRequest login;
    login.method = "POST";
    login.path = "/api/login";
    login.content_type = "application/json";
    login.peer = "127.0.0.1";
    login.body = R"({"user": "admin", "password": "fuzz-password"})";
    const auto response = app_.handle(login);
    fuzz::check(response.status == 200, "the harness logs in");
    csrf_ = nlohmann::json::parse(response.body).at("csrf").get<std::string>();
    for (const auto& [name, value] : response.headers) {
      if (name != "Set-Cookie") continue;
      const auto equals = value.find('=');
      cookie_ = value.substr(equals + 1, value.find(';') - equals - 1);
    }
    fuzz::check(!cookie_.empty(), "the log-in sets the session cookie");
  }

  void request(std::string_view input) {
    web::HttpRequest request;
    const auto line_end = input.find('\n');
    const std::string_view line = input.substr(0, line_end);
    request.body = line_end == std::string_view::npos ? "" : input.substr(line_end + 1);
    const auto space = line.find(' ');
    request.method = space == std::string_view::npos ? "GET" : line.substr(0, space);
    const std::string_view target = space == std::string_view::npos ? line : line.substr(space + 1);
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string_view::npos) request.query = query_of(target.substr(question + 1));
    request.cookies[web::kSessionCookie] = cookie_;
    request.csrf_token = csrf_;
    request.content_type = "application/json";
    request.peer = "127.0.0.1";
    const auto parts = parts_of(request.path);
    if (left_out(request, parts)) return;
    const auto response = app_.handle(request);
    const std::string answer = std::to_string(response.status) + " " + response.body;
    fuzz::check(response.status >= 200 && response.status < 600, "an HTTP status", answer);
    fuzz::check(response.status != 401 && response.status != 403, "the session stays open", answer);
    // AdminApi answers 503 when what it asked of the gateway threw.
    fuzz::check(response.status != 503, "the gateway answers without an exception", answer);
    const bool plan_list =
        parts.size() >= 2 && parts[0] == "api" &&
        (parts[1] == "routes" || parts[1] == "trunk_groups" || parts[1] == "credentials");
    if (plan_list && request.method != "GET" && response.status < 300) {
      const auto undone =
          fixture_.on_control([this] { return fixture_.gateway().change_plan(plan_); });
      fuzz::check(std::holds_alternative<std::string>(undone), "the demo plan goes back");
    }
  }

 private:
  // As the server reads a query: '&' between pairs, each side decoded.
  static std::map<std::string, std::string> query_of(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
      const auto amp = query.find('&');
      const auto pair = query.substr(0, amp);
      const auto equals = pair.find('=');
      out[web::percent_decoded(pair.substr(0, equals), true)] =
          equals == std::string_view::npos ? ""
                                           : web::percent_decoded(pair.substr(equals + 1), true);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return out;
  }

  // The path's parts as AdminApi splits and decodes them.
  static std::vector<std::string> parts_of(const std::string& path) {
    std::vector<std::string> parts;
    std::istringstream in(path);
    for (std::string part; std::getline(in, part, '/');) {
      if (!part.empty()) parts.push_back(web::percent_decoded(part, false));
    }
    return parts;
  }

  static bool left_out(const web::HttpRequest& request, const std::vector<std::string>& parts) {
    if (request.path == "/api/login" || request.path == "/api/logout" ||
        request.path == "/api/password") {
      return true;
    }
    if (parts.size() < 2 || parts[0] != "api" || request.method == "GET") return false;
    return parts[1] == "trunks" || parts[1] == "registrations" || parts[1] == "plan" ||
           parts[1] == "logout" || parts[1] == "password" || parts[1] == "login";
  }

  fuzz::GatewayFixture& fixture_;
  app::AdminApi admin_;
  web::UserStore users_;
  web::WebApp app_;
  dialplan::Plan plan_;
  std::string cookie_;
  std::string csrf_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Front* front = new Front();  // NOLINT(cppcoreguidelines-owning-memory)
  front->request(fuzz::text_of(data, size));
  return 0;
}
