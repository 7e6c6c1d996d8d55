#pragma once
// The web page's API over the gateway: JSON in and out, on the web
// thread; each call hands its work to the control thread and waits for it
// (at most a few seconds: a stuck control loop gets 503, not a stuck page).
// Call records and traces are read here instead, through SQLite connections
// of the API's own (WAL lets them read while the control thread writes): a
// CSV of 100,000 calls must not hold up the loop that runs libpri's timers.
//
//   GET    /api/status                       spans, channels, calls, registrations
//   GET    /api/plan                         the dialplan (as `sipgw export` writes it)
//   PUT    /api/plan                         replace it whole (as `sipgw import`)
//   POST   /api/{trunks,trunk_groups,routes,registrations,credentials,accounts}   add one
//   PUT    /api/{...}/NAME                   replace one   DELETE /api/{...}/NAME   remove one
//   PUT    /api/{trust,media_encryption}    replace that object of the plan
//   POST   /api/route-test                   {"uri", "from"} or {"span", "number", "from"}
//   GET    /api/calls?since&until&number&trunk_group&cause&limit[&format=csv]
//   GET    /api/calls/ladder?call_id=X       a finished call's SIP and Q.931 messages
//   GET    /api/calls/pcap?call_id=X         the same as a pcapng file
//   POST   /api/calls/LEG/hangup
//   POST   /api/spans/SPAN/channels/N/service   {"in_service": false}

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "gateway/app/gateway.hpp"
#include "web/http_types.hpp"

namespace gw::app {

class AdminApi final : public web::AdminBackend {
 public:
  // Opens its own connections to the gateway's calls database; throws
  // std::runtime_error naming it.
  AdminApi(boost::asio::io_context& control, Gateway& gateway);
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;
  ~AdminApi() override;

  web::HttpResponse api(const web::ApiRequest& request) override;
  [[nodiscard]] std::string live_json() override;
  [[nodiscard]] std::string metrics() override;

 private:
  // Runs `work` on the control thread and returns what it returned.
  template <typename Work>
  auto on_control(Work work) -> decltype(work());

  web::HttpResponse plan_item(const web::ApiRequest& request, const std::string& collection,
                              const std::string& name);
  web::HttpResponse put_plan(const std::string& body);
  web::HttpResponse plan_setting(const std::string& name, const std::string& body);
  web::HttpResponse route_test(const std::string& body);
  web::HttpResponse calls(const web::ApiRequest& request);
  web::HttpResponse call_trace(const web::ApiRequest& request, bool pcap);
  web::HttpResponse channel_service(const std::string& span, const std::string& channel,
                                    const std::string& body);
  web::HttpResponse command_response(const std::string& line);

  boost::asio::io_context& control_;
  Gateway& gateway_;
  std::unique_ptr<CallRecordStore> records_;  // web thread only
  std::unique_ptr<CallTraceStore> traces_;    // web thread only
};

}  // namespace gw::app
