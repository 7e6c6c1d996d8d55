#pragma once
// The gateway, wired together from its parts: the dialplan store in the
// data directory (--demo seeds an empty one with demo_plan()), the spans of
// the plan's trunks (SpanAssembly, with the simulated PSTN), the media
// engine, the SIP stack and its registrations, the call bridge, where
// finished calls go (CallStores), and the control socket (ControlCommands).
// Everything here runs on the control thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "dialplan/plan_store.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"
#include "gateway/app/admission_status.hpp"
#include "gateway/app/call_stores.hpp"
#include "gateway/app/control_commands.hpp"
#include "gateway/app/demo_plan.hpp"
#include "gateway/app/options.hpp"
#include "gateway/app/pcapng.hpp"
#include "gateway/app/registration_status.hpp"
#include "gateway/app/span_assembly.hpp"
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
  // Who may call: the trust list as resolved, what is done with others.
  std::string trust;
  std::string untrusted_action;
  std::string filter;
  bool trust_migrated = false;
  std::vector<UntrustedSource> untrusted_sources;  // most recent first
};

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

  [[nodiscard]] bool spans_ready() const { return spans_->ready(); }
  [[nodiscard]] std::string describe_links() const { return spans_->describe_links(); }
  [[nodiscard]] std::string describe() const;  // a few lines for the start-up banner

  // For the web page (gateway_admin.cpp).
  [[nodiscard]] GatewayView view() const;
  [[nodiscard]] dialplan::Plan stored_plan() const { return store_->load(); }
  // Validates `plan`; when it has no problem, stores it and applies it as
  // "reload" does (the answer's text). Otherwise nothing is stored.
  [[nodiscard]] std::variant<std::vector<dialplan::PlanError>, std::string> change_plan(
      const dialplan::Plan& plan);
  // A control-socket command that answers at once ("route URI", "hangup 3", ...).
  std::string command(const std::string& line) { return commands_->run(line); }
  // Where the call records and traces are, for readers with connections of
  // their own (the web API reads them on its thread).
  [[nodiscard]] const std::string& calls_db_path() const noexcept { return stores_->path(); }
  [[nodiscard]] const CallCounters& counters() const noexcept { return stores_->counters(); }
  // How to draw a finished call's messages on `span` as a capture.
  [[nodiscard]] CaptureEnds capture_ends(const std::string& span) const;

  // The parts, for the control socket's commands.
  // Re-reads the plan from the store and applies it; calls in progress keep their routes.
  std::string reload();
  [[nodiscard]] core::CallBridge& bridge() noexcept { return *bridge_; }
  [[nodiscard]] SpanAssembly& spans() noexcept { return *spans_; }
  [[nodiscard]] CallStores& stores() noexcept { return *stores_; }
  [[nodiscard]] const RegistrationStatus& registrations() const noexcept { return registrations_; }
  [[nodiscard]] const AdmissionStatus& admission() const noexcept { return *admission_; }
  [[nodiscard]] std::size_t media_sessions() const { return media_->session_count(); }
  void log(std::string_view line) const { log_(line); }

 private:
  class BridgeSpans;

  // The constructor's steps, in order.
  [[nodiscard]] std::shared_ptr<const dialplan::Router> open_plan();
  [[nodiscard]] SpanSettings span_settings() const;
  void make_media();
  [[nodiscard]] sip::StackConfig sip_config(const dialplan::Plan& plan);
  void make_bridge(std::shared_ptr<const dialplan::Router> router);

  void apply_registrations(const dialplan::Plan& plan);
  [[nodiscard]] std::shared_ptr<const dialplan::Router> load_router(std::string& problem) const;
  // Routes with `router` from now on and starts the spans of trunks that
  // are new; a changed or removed trunk keeps its spans until a restart.
  std::string apply(const std::shared_ptr<const dialplan::Router>& router);
  void add_trunks(const std::vector<dialplan::Trunk>& trunks);
  void wait_for_calls_to_end(std::chrono::steady_clock::time_point deadline,
                             std::function<void()> done);

  boost::asio::io_context& control_;
  Options options_;
  Log log_;
  std::vector<dialplan::Trunk> running_trunks_;  // the spans were made from these
  std::string restart_needed_;
  RegistrationStatus registrations_;
  std::unique_ptr<AdmissionStatus> admission_;
  std::unique_ptr<dialplan::PlanStore> store_;
  std::unique_ptr<CallStores> stores_;
  std::unique_ptr<SpanAssembly> spans_;
  std::unique_ptr<media::MediaEngine> media_;
  std::unique_ptr<sip::Stack> sip_;
  std::unique_ptr<core::CallBridge> bridge_;
  std::unique_ptr<BridgeSpans> bridge_spans_;
  std::unique_ptr<ControlCommands> commands_;
  boost::asio::steady_timer shutdown_timer_;
};

}  // namespace gw::app
