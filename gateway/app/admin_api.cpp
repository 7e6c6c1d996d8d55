#include "gateway/app/admin_api.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "dialplan/plan_json.hpp"

namespace gw::app {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using web::error_response;
using web::json_response;

constexpr auto kControlTimeout = std::chrono::seconds(5);

// Numbers from a SETUP and text from SIP peers need not be UTF-8: such bytes
// are replaced, never thrown over.
template <typename Json>
std::string as_text(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string iso(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, length);
}

ordered_json call_json(const core::CallSummary& call) {
  ordered_json out{{"leg", call.leg},
                   {"state", call.state},
                   {"direction", call.from_pstn ? "from-pstn" : "to-pstn"},
                   {"from", call.from},
                   {"request_uri", call.request_uri},
                   {"called", call.called_number},
                   {"call_id", call.call_id},
                   {"trunk_group", call.trunk_group},
                   {"span", call.span},
                   {"timeslot", call.timeslot},
                   {"codec", call.codec},
                   {"start", iso(call.start)},
                   {"answered", call.answered ? json(iso(*call.answered)) : json(nullptr)},
                   {"rtp_received", call.rtp_received},
                   {"rtp_lost", call.rtp_lost},
                   {"rtp_jitter_ms", std::round(call.rtp_jitter_ms * 10.0) / 10.0}};
  const auto since = std::chrono::system_clock::now() - call.answered.value_or(call.start);
  out["seconds"] = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  return out;
}

ordered_json view_json(const GatewayView& view) {
  ordered_json spans = ordered_json::array();
  for (const auto& span : view.spans) {
    ordered_json channels = ordered_json::array();
    for (const auto& [timeslot, state] : span.channels) {
      channels.push_back({{"timeslot", timeslot}, {"state", state}});
    }
    spans.push_back({{"name", span.name},
                     {"trunk", span.trunk},
                     {"d_channel", span.link_up ? "up" : "down"},
                     {"restarting", span.restarting},
                     {"alarms", span.alarms},
                     {"channels", std::move(channels)}});
  }
  ordered_json calls = ordered_json::array();
  for (const auto& call : view.calls) calls.push_back(call_json(call));
  ordered_json registrations = ordered_json::object();
  for (const auto& [name, state] : view.registrations) registrations[name] = state;
  ordered_json sources = ordered_json::array();
  for (const auto& source : view.untrusted_sources) {
    sources.push_back({{"address", source.address},
                       {"count", source.count},
                       {"last_request", source.last_request},
                       {"last_action", source.last_action},
                       {"last_seen", std::chrono::duration_cast<std::chrono::seconds>(
                                         source.last_seen.time_since_epoch())
                                         .count()}});
  }
  return ordered_json{{"spans", std::move(spans)},
                      {"calls", std::move(calls)},
                      {"registrations", std::move(registrations)},
                      {"restart_needed", view.restart_needed},
                      {"trust",
                       {{"peers", view.trust},
                        {"untrusted", view.untrusted_action},
                        {"filter", view.filter},
                        {"migrated_plan", view.trust_migrated},
                        {"untrusted_sources", std::move(sources)}}}};
}

// "key: value" lines (the control socket's route decision) as an object.
ordered_json lines_json(const std::string& text) {
  ordered_json out = ordered_json::object();
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == "end") break;
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(' ');
    const std::string key = line.substr(start, colon - start);
    const std::string value = line.substr(colon + 2);
    // A decision lists a line per trunk of a group: repeated keys make a list.
    if (!out.contains(key)) {
      out[key] = value;
    } else {
      if (!out[key].is_array()) out[key] = ordered_json::array({out[key]});
      out[key].push_back(value);
    }
  }
  return out;
}

// The key that names an item of each plan list the API edits.
const char* key_of(const std::string& collection) {
  if (collection == "credentials") return "realm";
  if (collection == "trunks" || collection == "trunk_groups" || collection == "routes" ||
      collection == "registrations" || collection == "accounts") {
    return "name";
  }
  return nullptr;
}

// The path's parts, each decoded after the split: a realm "a/b" comes as
// "a%2Fb" and stays one part.
std::vector<std::string> path_parts(const std::string& path) {
  std::vector<std::string> parts;
  std::istringstream in(path);
  for (std::string part; std::getline(in, part, '/');) {
    if (!part.empty()) parts.push_back(web::percent_decoded(part, false));
  }
  return parts;
}

}  // namespace

AdminApi::AdminApi(boost::asio::io_context& control, Gateway& gateway)
    : control_(control),
      gateway_(gateway),
      records_(std::make_unique<CallRecordStore>(gateway.calls_db_path())),
      traces_(std::make_unique<CallTraceStore>(gateway.calls_db_path())) {}

AdminApi::~AdminApi() = default;

template <typename Work>
auto AdminApi::on_control(Work work) -> decltype(work()) {
  using Result = decltype(work());
  // `work` refers to the caller's locals. Given up on, it must never run;
  // once running, it is waited for: whoever moves `state` from pending wins.
  enum State : int { pending, running, abandoned };
  struct Shared {
    std::packaged_task<Result()> task;
    std::atomic<int> state{pending};
  };
  auto shared = std::make_shared<Shared>();
  shared->task = std::packaged_task<Result()>(std::move(work));
  auto result = shared->task.get_future();
  boost::asio::post(control_, [shared] {
    int expected = pending;
    if (shared->state.compare_exchange_strong(expected, running)) shared->task();
  });
  if (result.wait_for(kControlTimeout) != std::future_status::ready) {
    int expected = pending;
    if (shared->state.compare_exchange_strong(expected, abandoned)) {
      throw std::runtime_error("the gateway did not answer within 5 s");
    }
    result.wait();  // it started just now: it finishes soon
  }
  return result.get();
}

web::HttpResponse AdminApi::api(const web::ApiRequest& request) {
  const auto parts = path_parts(request.path);  // "api", ...
  const auto& method = request.method;
  try {
    if (parts.size() == 2 && parts[1] == "status" && method == "GET") {
      return json_response(live_json());
    }
    if (parts.size() == 2 && parts[1] == "plan") {
      if (method == "GET") {
        const auto plan = on_control([this] { return gateway_.stored_plan(); });
        return json_response(dialplan::plan_to_json(plan));
      }
      if (method == "PUT") return put_plan(request.body);
    }
    if (parts.size() == 2 && (parts[1] == "trust" || parts[1] == "media_encryption") &&
        method == "PUT") {
      return plan_setting(parts[1], request.body);
    }
    if ((parts.size() == 2 || parts.size() == 3) && key_of(parts[1]) != nullptr) {
      return plan_item(request, parts[1], parts.size() == 3 ? parts[2] : std::string());
    }
    if (parts.size() == 2 && parts[1] == "route-test" && method == "POST") {
      return route_test(request.body);
    }
    if (parts.size() == 2 && parts[1] == "calls" && method == "GET") return calls(request);
    if (parts.size() == 3 && parts[1] == "calls" && method == "GET" &&
        (parts[2] == "ladder" || parts[2] == "pcap")) {
      return call_trace(request, parts[2] == "pcap");
    }
    if (parts.size() == 4 && parts[1] == "calls" && parts[3] == "hangup" && method == "POST") {
      return command_response("hangup " + parts[2]);
    }
    if (parts.size() == 6 && parts[1] == "spans" && parts[3] == "channels" &&
        parts[5] == "service" && method == "POST") {
      return channel_service(parts[2], parts[4], request.body);
    }
    return error_response(404, "no such API: " + method + " " + request.path);
  } catch (const std::exception& error) {
    return error_response(503, error.what());
  }
}

namespace {

// The answer to a plan change: 400 naming the first field at fault (all
// of them in "problems"), or what applying it did.
web::HttpResponse change_answer(
    const std::variant<std::vector<dialplan::PlanError>, std::string>& outcome) {
  if (const auto* problems = std::get_if<std::vector<dialplan::PlanError>>(&outcome)) {
    ordered_json all = ordered_json::array();
    for (const auto& problem : *problems) {
      all.push_back({{"field", problem.field}, {"error", problem.reason}});
    }
    ordered_json body{{"error", problems->front().reason},
                      {"field", problems->front().field},
                      {"problems", std::move(all)}};
    return json_response(as_text(body), 400);
  }
  const auto& answer = std::get<std::string>(outcome);
  if (answer.rfind("error ", 0) == 0) return error_response(500, answer.substr(6));
  const auto restart = answer.find("restart needed for trunks ");
  ordered_json body{{"result", answer},
                    {"restart_needed",
                     restart == std::string::npos ? std::string() : answer.substr(restart + 26)}};
  return json_response(as_text(body));
}

web::HttpResponse json_refusal(const dialplan::JsonError& error) {
  return error_response(400, error.reason, error.field.empty() ? "body" : error.field);
}

}  // namespace

web::HttpResponse AdminApi::put_plan(const std::string& body) {
  auto parsed = dialplan::plan_from_json(body);
  if (const auto* error = std::get_if<dialplan::JsonError>(&parsed)) return json_refusal(*error);
  auto plan = std::get<dialplan::Plan>(std::move(parsed));
  return change_answer(on_control([this, &plan] { return gateway_.change_plan(plan); }));
}

// One item of a plan list: the stored plan is edited as JSON, then read
// back and validated whole, so an item is held to every rule a file is.
// The read, the change and the store happen in one step on the control
// thread, so two operators' changes cannot interleave.
web::HttpResponse AdminApi::plan_item(const web::ApiRequest& request, const std::string& collection,
                                      const std::string& name) {
  const std::string key = key_of(collection);
  const bool adding = request.method == "POST" && name.empty();
  const bool replacing = request.method == "PUT" && !name.empty();
  const bool removing = request.method == "DELETE" && !name.empty();
  if (!adding && !replacing && !removing) {
    return error_response(
        405, "POST /api/" + collection + ", PUT or DELETE /api/" + collection + "/" + key);
  }
  ordered_json item;
  if (!removing) {
    item = ordered_json::parse(request.body, nullptr, false);
    if (item.is_discarded() || !item.is_object()) {
      return error_response(400, "the body must be a JSON object", "body");
    }
    if (!item.contains(key) || !item[key].is_string() || item[key].get<std::string>().empty()) {
      return error_response(400, "missing", collection + "." + key);
    }
  }
  return on_control([&]() -> web::HttpResponse {
    ordered_json plan = ordered_json::parse(dialplan::plan_to_json(gateway_.stored_plan()));
    auto& list = plan[collection];
    const auto same = [&](const std::string& wanted) {
      return [&key, wanted](const ordered_json& entry) { return entry.value(key, "") == wanted; };
    };
    const auto existing = std::find_if(list.begin(), list.end(), same(name));
    // Errors name the item as "trunks[2]"; the page knows it by its name.
    const std::string position =
        collection + "[" +
        std::to_string(adding ? list.size() : static_cast<std::size_t>(existing - list.begin())) +
        "]";
    const std::string named =
        collection + "[" + (adding || replacing ? item[key].get<std::string>() : name) + "]";
    if (adding) {
      const std::string wanted = item[key].get<std::string>();
      if (std::any_of(list.begin(), list.end(), same(wanted))) {
        return error_response(409, "'" + wanted + "' exists already", collection + "." + key);
      }
      list.push_back(item);
    } else if (existing == list.end()) {
      return error_response(404, "no " + key + " '" + name + "' in " + collection);
    } else if (removing) {
      list.erase(existing);
    } else {
      *existing = item;
    }
    auto parsed = dialplan::plan_from_json(as_text(plan));
    if (auto* error = std::get_if<dialplan::JsonError>(&parsed)) {
      if (error->field.rfind(position, 0) == 0) error->field.replace(0, position.size(), named);
      return json_refusal(*error);
    }
    return change_answer(gateway_.change_plan(std::get<dialplan::Plan>(parsed)));
  });
}

// One of the plan's settings objects ("trust", "media_encryption") replaced
// whole, and the plan validated whole, in one step on the control thread.
web::HttpResponse AdminApi::plan_setting(const std::string& name, const std::string& body) {
  ordered_json setting = ordered_json::parse(body, nullptr, false);
  if (setting.is_discarded() || !setting.is_object()) {
    return error_response(400, "the body must be a JSON object", "body");
  }
  return on_control([&]() -> web::HttpResponse {
    ordered_json plan = ordered_json::parse(dialplan::plan_to_json(gateway_.stored_plan()));
    plan[name] = setting;
    auto parsed = dialplan::plan_from_json(as_text(plan));
    if (const auto* error = std::get_if<dialplan::JsonError>(&parsed)) return json_refusal(*error);
    return change_answer(gateway_.change_plan(std::get<dialplan::Plan>(parsed)));
  });
}

web::HttpResponse AdminApi::route_test(const std::string& body) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return error_response(400, "the body must be a JSON object", "body");
  }
  const std::string from = request.value("from", "");
  if (from.find_first_of(" \t\r\n") != std::string::npos) {
    return error_response(400, "no spaces", "from");
  }
  std::string line;
  std::string field;
  if (request.contains("uri")) {
    line = "route " + request.value("uri", "");
    field = "uri";
  } else {
    line = "route-pstn " + request.value("span", "") + " " + request.value("number", "");
    field = "number";
  }
  if (line.find_first_of("\r\n") != std::string::npos) {
    return error_response(400, "one line, please", field);
  }
  if (!from.empty()) line += " from " + from;
  const std::string answer = on_control([this, &line] { return gateway_.command(line); });
  if (answer.rfind("error ", 0) == 0) return error_response(400, answer.substr(6), field);
  return json_response(as_text(lines_json(answer)));
}

web::HttpResponse AdminApi::calls(const web::ApiRequest& request) {
  std::string words;
  for (const auto& [key, value] : request.query) {
    if (key == "format" || value.empty()) continue;
    if (value.find_first_of(" \t") != std::string::npos) {
      return error_response(400, "no spaces", key);
    }
    words += (key == "trunk_group" ? std::string("trunk-group") : key) + "=" + value + " ";
  }
  bool csv = false;
  std::string problem;
  const auto query = parse_call_query(words, csv, problem);
  if (!query) return error_response(400, problem, "query");
  const bool as_csv = request.query.count("format") != 0 && request.query.at("format") == "csv";
  if (as_csv) {
    const auto lines = records_->search(*query, true);
    web::HttpResponse response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = CallRecordStore::header(true) + "\r\n";
    for (const auto& line : lines) response.body += line + "\r\n";
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"calls.csv\"");
    return response;
  }
  const auto rows = records_->rows(*query);
  const ordered_json body{{"columns", CallRecordStore::column_names()}, {"rows", rows}};
  return json_response(as_text(body));
}

namespace {

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto octet = static_cast<unsigned char>(c);
    if (!out.empty()) out += ' ';
    out += kDigits[octet >> 4];
    out += kDigits[octet & 0x0f];
  }
  return out;
}

// libpri's decode of the message (when it was kept), then the frame's octets.
std::string q931_text(const TracedMessage& message) {
  if (message.decoded.empty()) return hex(message.content);
  return message.decoded + "\n\n" + hex(message.content);
}

ordered_json ladder_json(const CallTrace& trace) {
  ordered_json messages = ordered_json::array();
  for (const auto& message : trace.messages) {
    messages.push_back({{"time_us", message.time_us},
                        {"protocol", message.sip ? "sip" : "q931"},
                        {"direction", message.sent ? "sent" : "received"},
                        {"summary", message.summary},
                        {"peer", message.peer},
                        {"content", message.sip ? message.content : q931_text(message)}});
  }
  return ordered_json{{"call_id", trace.call_id},
                      {"span", trace.span},
                      {"start_us", trace.start_us},
                      {"end_us", trace.end_us},
                      {"messages", std::move(messages)}};
}

}  // namespace

// GET /api/calls/ladder?call_id=X and /api/calls/pcap?call_id=X: a
// finished call's messages, as JSON for the ladder or as a pcapng file.
web::HttpResponse AdminApi::call_trace(const web::ApiRequest& request, bool pcap) {
  const auto wanted = request.query.find("call_id");
  if (wanted == request.query.end() || wanted->second.empty()) {
    return error_response(400, "missing", "call_id");
  }
  const auto& call_id = wanted->second;
  const auto trace = traces_->trace(call_id);
  if (!trace) return error_response(404, "no finished call with Call-ID " + call_id, "call_id");
  if (!pcap) return json_response(as_text(ladder_json(*trace)));
  const auto ends = on_control([this, &trace] { return gateway_.capture_ends(trace->span); });
  web::HttpResponse response;
  response.content_type = "application/x-pcapng";
  response.body = call_pcapng(*trace, ends);
  std::string name = "call";
  for (const char c : call_id) name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + name.substr(0, 64) + ".pcapng\"");
  return response;
}

web::HttpResponse AdminApi::channel_service(const std::string& span, const std::string& channel,
                                            const std::string& body) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object() || !request.contains("in_service") ||
      !request["in_service"].is_boolean()) {
    return error_response(400, "expected true or false", "in_service");
  }
  if (channel.find_first_not_of("0123456789") != std::string::npos || channel.empty()) {
    return error_response(400, "not a channel number", "channel");
  }
  return command_response("service " + span + " " + channel + " " +
                          (request["in_service"].get<bool>() ? "in" : "out"));
}

web::HttpResponse AdminApi::command_response(const std::string& line) {
  const std::string answer = on_control([this, &line] { return gateway_.command(line); });
  if (answer.rfind("error no ", 0) == 0) return error_response(404, answer.substr(6));
  if (answer.rfind("error ", 0) == 0) return error_response(400, answer.substr(6));
  return json_response(as_text(ordered_json{{"result", answer}}));
}

std::string AdminApi::live_json() {
  const auto view = on_control([this] { return gateway_.view(); });
  return as_text(view_json(view));
}

namespace {

void write_call_metrics(std::ostream& out, const CallCounters& counters, std::size_t active) {
  out << "# HELP sipgw_calls_total Calls that ended, by direction and whether they were answered.\n"
         "# TYPE sipgw_calls_total counter\n";
  for (const auto& [labels, count] : counters.calls) {
    out << "sipgw_calls_total{direction=\"" << labels.first << "\",result=\"" << labels.second
        << "\"} " << count << '\n';
  }
  out << "# HELP sipgw_call_cause_total Q.850 causes ISDN calls ended with.\n"
         "# TYPE sipgw_call_cause_total counter\n";
  for (const auto& [cause, count] : counters.causes) {
    out << "sipgw_call_cause_total{cause=\"" << cause << "\"} " << count << '\n';
  }
  out << "# HELP sipgw_active_calls Calls in progress.\n# TYPE sipgw_active_calls gauge\n"
      << "sipgw_active_calls " << active << '\n';
}

void write_span_metrics(std::ostream& out, const std::vector<SpanView>& spans) {
  out << "# HELP sipgw_channels B-channels by state.\n# TYPE sipgw_channels gauge\n";
  for (const auto& span : spans) {
    std::map<std::string, int> by_state{
        {"idle", 0}, {"in-use", 0}, {"restarting", 0}, {"out-of-service", 0}};
    for (const auto& channel : span.channels) ++by_state[channel.second];
    for (const auto& [state, count] : by_state) {
      out << "sipgw_channels{span=\"" << span.name << "\",state=\"" << state << "\"} " << count
          << '\n';
    }
  }
  out << "# HELP sipgw_span_alarm 1 while the span has an alarm.\n# TYPE sipgw_span_alarm gauge\n";
  for (const auto& span : spans) {
    out << "sipgw_span_alarm{span=\"" << span.name << "\",alarms=\"" << span.alarms << "\"} "
        << (span.alarms == "OK" ? 0 : 1) << '\n';
  }
  out << "# HELP sipgw_dchannel_up 1 while the span's D-channel (layer 2) is up.\n"
         "# TYPE sipgw_dchannel_up gauge\n";
  for (const auto& span : spans) {
    out << "sipgw_dchannel_up{span=\"" << span.name << "\"} " << (span.link_up ? 1 : 0) << '\n';
  }
}

void write_rtp_metrics(std::ostream& out, const std::vector<core::CallSummary>& calls) {
  std::uint64_t received = 0;
  std::uint64_t lost = 0;
  std::uint64_t late = 0;
  double jitter_max_ms = 0.0;
  double jitter_sum_ms = 0.0;
  std::uint64_t srtp_calls = 0;
  std::uint64_t auth_failed = 0;
  std::uint64_t replayed = 0;
  std::uint64_t rtcp_failed = 0;
  for (const auto& call : calls) {
    received += call.rtp_received;
    lost += call.rtp_lost;
    late += call.late_dropped;
    srtp_calls += call.srtp ? 1 : 0;
    auth_failed += call.srtp_auth_failed;
    replayed += call.srtp_replayed;
    rtcp_failed += call.srtcp_auth_failed;
    jitter_max_ms = std::max(jitter_max_ms, call.rtp_jitter_ms);
    jitter_sum_ms += call.rtp_jitter_ms;
  }
  const double jitter_mean_ms =
      calls.empty() ? 0.0 : jitter_sum_ms / static_cast<double>(calls.size());
  out << "# HELP sipgw_rtp_received_packets RTP packets received by the calls in progress.\n"
         "# TYPE sipgw_rtp_received_packets gauge\nsipgw_rtp_received_packets "
      << received << "\n# HELP sipgw_rtp_lost_packets Gaps in the peers' RTP sequence numbers "
      << "of the calls in progress.\n# TYPE sipgw_rtp_lost_packets gauge\nsipgw_rtp_lost_packets "
      << lost << "\n# HELP sipgw_rtp_late_packets RTP packets that came after their playout time "
      << "(jitter beyond the buffer), calls in progress.\n# TYPE sipgw_rtp_late_packets gauge\n"
      << "sipgw_rtp_late_packets " << late << '\n';
  out << "# HELP sipgw_rtp_jitter_seconds Interarrival jitter of the peers' RTP (RFC 3550), "
         "the highest and the mean over the calls in progress.\n"
         "# TYPE sipgw_rtp_jitter_seconds gauge\n"
      << "sipgw_rtp_jitter_seconds{stat=\"max\"} " << jitter_max_ms / 1000.0 << '\n'
      << "sipgw_rtp_jitter_seconds{stat=\"mean\"} " << jitter_mean_ms / 1000.0 << '\n';
  out << "# HELP sipgw_srtp_calls Calls in progress whose audio is SRTP.\n"
         "# TYPE sipgw_srtp_calls gauge\nsipgw_srtp_calls "
      << srtp_calls
      << "\n# HELP sipgw_srtp_dropped_packets SRTP and SRTCP packets of the calls in progress "
         "dropped unplayed: authentication failed (SRTP, SRTCP apart), or replayed.\n"
         "# TYPE sipgw_srtp_dropped_packets gauge\n"
      << "sipgw_srtp_dropped_packets{reason=\"auth-failed\"} " << auth_failed << '\n'
      << "sipgw_srtp_dropped_packets{reason=\"replayed\"} " << replayed << '\n'
      << "sipgw_srtp_dropped_packets{reason=\"srtcp-auth-failed\"} " << rtcp_failed << '\n';
}

// Counted by what was done, never by address: a scan from many addresses
// would make a series each.
void write_trust_metrics(std::ostream& out, const std::map<std::string, std::uint64_t>& refused,
                         std::uint64_t dropped) {
  out << "# HELP sipgw_untrusted_requests_total SIP requests refused for their source, by what "
         "was done (dropped: packets the socket filter dropped, as the kernel counts them).\n"
         "# TYPE sipgw_untrusted_requests_total counter\n"
      << "sipgw_untrusted_requests_total{action=\"dropped\"} " << dropped << '\n';
  for (const char* action : {"rejected", "challenged", "auth-failed"}) {
    const auto found = refused.find(action);
    out << "sipgw_untrusted_requests_total{action=\"" << action << "\"} "
        << (found == refused.end() ? 0 : found->second) << '\n';
  }
}

}  // namespace

std::string AdminApi::metrics() {
  const auto [view, counters, refused, dropped] = on_control([this] {
    return std::tuple(gateway_.view(), gateway_.counters(), gateway_.admission().refused_counts(),
                      gateway_.admission().dropped());
  });
  std::ostringstream out;
  write_trust_metrics(out, refused, dropped);
  write_call_metrics(out, counters, view.calls.size());
  write_span_metrics(out, view.spans);
  write_rtp_metrics(out, view.calls);
  return out.str();
}

}  // namespace gw::app
