#pragma once
// The gateway, assembled from its dialplan: the spans of the plan's trunks
// (DAHDI spans of the card, or loopback spans wired to the in-process
// simulated PSTN, which runs on a thread of its own as a separate switch
// would), the ISDN stack on each as its trunk says, the media engine, the
// SIP stack and the call bridge. The dialplan lives in the data directory's
// SQLite store (--demo seeds an empty one with demo_plan()). A control
// socket in the data directory answers "status", "route URI", "route-pstn
// SPAN NUMBER", "calls [FILTERS]", "hangup CALL", "service SPAN CHANNEL in|out", "reload",
// "pstn-setups" (what the simulated PSTN received) and "pstn call|hangup
// ..." (the simulated PSTN places or ends a call towards the gateway).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "dialplan/plan_store.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"
#include "drivers/isdn/pri_span.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/control_server.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"
#include "gateway/app/call_record_store.hpp"
#include "gateway/app/call_trace_store.hpp"
#include "gateway/app/demo_plan.hpp"
#include "gateway/app/options.hpp"
#include "gateway/app/pcapng.hpp"
#include "gateway/core/call_bridge.hpp"
#include "gateway/media/media_engine.hpp"
#include "gateway/sip/stack.hpp"

namespace gw::app {

// What the web page shows of the gateway (Gateway::view()).
struct SpanView {
  std::string name;
  std::string trunk;
  bool link_up = false;  // layer 2 up and the line without red or blue alarm
  bool restarting = false;
  std::string alarms;                                 // "OK" or "RED,DCHAN-DOWN"
  std::vector<std::pair<int, std::string>> channels;  // B-channel timeslot, state
};

struct GatewayView {
  std::vector<SpanView> spans;
  std::vector<core::CallSummary> calls;
  std::map<std::string, std::string> registrations;  // name -> state
  std::string restart_needed;                        // which trunks wait for a restart; empty: none
};

// Counts since the start, for /metrics.
struct CallCounters {
  std::map<std::pair<std::string, std::string>, std::uint64_t> calls;  // direction, result
  std::map<int, std::uint64_t> causes;  // Q.850 cause the ISDN call ended with
};

using Log = std::function<void(std::string_view)>;

class Gateway {
 public:
  // Builds everything and starts the spans; SIP is not bound until start().
  // Throws std::runtime_error with a line naming the option at fault.
  Gateway(boost::asio::io_context& control, const Options& options, Log log);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  ~Gateway();

  // Binds SIP and takes calls.
  void start();
  // Stops taking calls, ends those in progress (BYE / 503, DISCONNECT 16),
  // waits up to `grace` for them to finish, stops SIP, then calls `done`.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

  // "span NAME link up|down alarms A idle N busy N", "calls N", one line per
  // call, "end": the control socket's status.
  [[nodiscard]] std::string status();
  [[nodiscard]] bool spans_ready() const;
  [[nodiscard]] std::string describe() const;  // a few lines for the start-up banner

  // For the web page, on the control thread (gateway_admin.cpp).
  [[nodiscard]] GatewayView view() const;
  [[nodiscard]] dialplan::Plan stored_plan() const { return store_->load(); }
  // Validates `plan`; when it has no problem, stores it and applies it as
  // "reload" does (the answer's text). Otherwise nothing is stored.
  [[nodiscard]] std::variant<std::vector<dialplan::PlanError>, std::string> change_plan(
      const dialplan::Plan& plan);
  // A control-socket command ("route URI", "hangup 3", ...) and its answer;
  // not "calls", which answers later (the web API reads records itself).
  std::string command(const std::string& line) {
    return execute(line, [](const std::string&) {});
  }
  // Where the call records and traces are, for readers with connections of
  // their own (the web API reads them on its thread).
  [[nodiscard]] std::string calls_db_path() const { return options_.data_dir + "/calls.db"; }
  [[nodiscard]] const CallCounters& counters() const noexcept { return counters_; }
  // How to draw a finished call's messages on `span` as a capture.
  [[nodiscard]] CaptureEnds capture_ends(const std::string& span) const;

 private:
  // The constructor's steps, in order.
  void make_pstn();
  void make_media();
  [[nodiscard]] sip::StackConfig sip_config(const dialplan::Plan& plan);
  [[nodiscard]] static std::vector<sip::Registration> registrations_of(const dialplan::Plan& plan);
  void apply_registrations(const dialplan::Plan& plan);
  void make_bridge(std::shared_ptr<const dialplan::Router> router);
  void add_spans(const std::vector<dialplan::Trunk>& trunks);
  void on_switch_thread(const std::function<void()>& work);
  void keep_trace(const std::function<void()>& write);

  std::string execute(const std::string& line,
                      const std::function<void(const std::string&)>& events);
  std::string pstn_command(const std::string& command,
                           const std::function<void(const std::string&)>& events);
  [[nodiscard]] std::shared_ptr<const dialplan::Router> load_router(std::string& problem) const;
  [[nodiscard]] std::string test_route(const std::string& arguments) const;
  [[nodiscard]] std::string test_pstn_route(const std::string& arguments) const;
  std::string reload();
  [[nodiscard]] std::string channels(const std::string& span) const;
  // Routes with `router` from now on and starts the spans of trunks that
  // are new; a changed or removed trunk keeps its spans until a restart.
  std::string apply(const std::shared_ptr<const dialplan::Router>& router);
  void count(const core::CallRecord& record);
  std::string hang_up(const std::string& arguments);
  std::string search_calls(const std::string& arguments,
                           const std::function<void(const std::string&)>& answer);
  std::string service(const std::string& arguments);
  void wait_for_calls_to_end(std::chrono::steady_clock::time_point deadline,
                             std::function<void()> done);

  boost::asio::io_context& control_;
  Options options_;
  Log log_;
  static constexpr std::size_t max_pstn_setups = 64;
  std::deque<std::string> pstn_setups_;  // the simulated PSTN's last SETUPs, newest last
  std::map<std::string, std::string> registrations_;  // name -> "registered", "failed 403 ..."
  std::vector<dialplan::Trunk> running_trunks_;       // the spans were made from these
  std::string restart_needed_;
  CallCounters counters_;
  std::unique_ptr<dialplan::PlanStore> store_;
  std::vector<loopback::SpanPair> pairs_;
  std::vector<std::unique_ptr<tdm::Span>> hardware_spans_;  // DAHDI spans of the trunks
  boost::asio::io_context sim_io_;
  std::unique_ptr<pstnsim::PstnSwitch> pstn_;
  std::thread sim_thread_;
  std::unique_ptr<CallRecordStore> records_;
  std::unique_ptr<CallTraceStore> traces_;
  // The control socket's record searches run on a thread of their own, over
  // a connection of their own: a search by number reads the whole table,
  // and call control must not wait for it. Declared after the store, so
  // the thread is joined before the store closes.
  std::unique_ptr<CallRecordStore> record_search_store_;
  boost::asio::thread_pool record_search_{1};
  std::unique_ptr<media::MediaEngine> media_;
  std::unique_ptr<sip::Stack> sip_;
  std::unique_ptr<core::CallBridge> bridge_;
  std::vector<std::unique_ptr<isdn::PriSpan>> spans_;
  std::unique_ptr<pstnsim::ControlServer> control_socket_;
  boost::asio::steady_timer shutdown_timer_;
};

}  // namespace gw::app
