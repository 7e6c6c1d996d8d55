#include "gateway/app/gateway.hpp"

#include <sys/stat.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "web/tls_identity.hpp"

namespace gw::app {
namespace {

void make_data_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) {
    throw std::runtime_error("--data-dir: cannot create " + path + ": " +
                             std::error_code(errno, std::generic_category()).message());
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw std::runtime_error("--data-dir: " + path + " is not a directory");
  }
}

}  // namespace

// The spans' ISDN events go to the call bridge.
class Gateway::BridgeSpans final : public SpanUser {
 public:
  explicit BridgeSpans(core::CallBridge& bridge) : bridge_(bridge) {}
  isdn::Listener& listener_for(const std::string& span) override {
    return bridge_.listener_for(span);
  }
  void add_span(const std::string& span, isdn::PriSpan& pri) override {
    bridge_.add_span(span, pri);
  }

 private:
  core::CallBridge& bridge_;
};

Gateway::Gateway(boost::asio::io_context& control, const Options& options, Log log)
    : control_(control),
      options_(options),
      log_(std::move(log)),
      registrations_(log_),
      admission_(std::make_unique<AdmissionStatus>(control, log_,
                                                   [this](sip::AdmissionPolicy policy) {
                                                     if (sip_)
                                                       sip_->set_admission(std::move(policy));
                                                   })),
      shutdown_timer_(control) {
  make_data_dir(options_.data_dir);
  auto router = open_plan();
  stores_ = std::make_unique<CallStores>(control_, options_.data_dir + "/calls.db", log_);
  spans_ = std::make_unique<SpanAssembly>(control_, span_settings());
  make_media();
  sip_ = std::make_unique<sip::Stack>(sip_config(router->plan()), control_);
  admission_->plan_changed(router->plan(), store_->trust_migrated());
  running_trunks_ = router->plan().trunks;
  make_bridge(std::move(router));
  add_trunks(running_trunks_);
  commands_ = std::make_unique<ControlCommands>(control_, *this, options_.data_dir + "/sipgw.ctl");
}

Gateway::~Gateway() {
  commands_.reset();
  sip_.reset();  // no more SIP events
  admission_.reset();
  bridge_.reset();
  media_.reset();  // the sessions' B-channels close before their spans go
  spans_.reset();
}

// The plan in the store, the demo plan written there first on a first
// start with --demo. Throws naming the store when the plan is not valid.
std::shared_ptr<const dialplan::Router> Gateway::open_plan() {
  store_ = std::make_unique<dialplan::PlanStore>(options_.data_dir + "/sipgw.db");
  if (store_->empty() && !options_.demo) {
    // An appliance's first start: run, answer SIP 503, and say what to do,
    // rather than fail and be restarted over and over by systemd.
    log_("sipgw: no dialplan yet in " + options_.data_dir +
         "/sipgw.db: import one (sipgw import FILE; the running gateway applies it at once), or "
         "start with --demo for the demo plan; until then SIP calls are answered 503");
  } else if (store_->empty()) {
    std::vector<std::string> demo_spans;
    for (int i = 1; i <= options_.demo_spans; ++i) demo_spans.push_back("span" + std::to_string(i));
    store_->save(demo_plan(demo_spans));
  }
  std::string problem;
  auto router = load_router(problem);
  if (!router) {
    throw std::runtime_error("dialplan in " + options_.data_dir + "/sipgw.db: " + problem);
  }
  return router;
}

SpanSettings Gateway::span_settings() const {
  SpanSettings settings;
  settings.debug_isdn = options_.debug_isdn;
  settings.pstn_rules = options_.pstn_rules;
  if (!options_.quiet || options_.debug_isdn) settings.isdn_log = log_;
  // pstnsim's own lines start with "pstnsim: " already.
  if (!options_.quiet) settings.pstn_log = log_;
  settings.frame_tap = [stores = stores_.get()](const std::string& span,
                                                const isdn::DChannelFrame& frame) {
    stores->trace_frame(span, frame);
  };
  return settings;
}

void Gateway::make_media() {
  media::MediaConfig media_config;
  media_config.bind_address = options_.rtp_bind;
  media_config.port_min = options_.rtp_port_min;
  media_config.port_max = options_.rtp_port_max;
  media_config.workers = options_.media_workers;
  media_ = std::make_unique<media::MediaEngine>(media_config, [this](std::function<void()> work) {
    boost::asio::post(control_, std::move(work));
  });
}

sip::StackConfig Gateway::sip_config(const dialplan::Plan& plan) {
  sip::StackConfig config;
  config.bind = options_.bind;
  config.port = options_.sip_port;
  config.tls_port = options_.sip_tls_port;
  if (config.tls_port != 0) {
    const auto tls = web::ensure_sip_tls_folder(options_.data_dir + "/sip-tls", options_.bind);
    config.tls_directory = tls.directory;
    // The operator must hear that the certificate is a made one (clients
    // will not trust it) and where the site's own goes.
    log_("sip: TLS certificate " + tls.subject + " until " + tls.not_after + " (" +
         (tls.made ? "made now, self-signed: put the site's own agent.pem in " : "agent.pem in ") +
         tls.directory + "); peers verified against " +
         (tls.system_cas ? "the system's CAs" : tls.directory + "/cafile.pem"));
  }
  config.registrations = RegistrationStatus::wanted_by(plan);
  config.message_traced = [stores = stores_.get()](const sip::WireMessage& message) {
    stores->trace_sip(message);
  };
  registrations_.expect({}, config.registrations);
  config.request_refused = [this](const sip::RefusedRequest& refused) {
    admission_->on_refused(refused);
  };
  config.filter_changed = [this](std::string state) { admission_->on_filter(std::move(state)); };
  config.dropped_counted = [this](std::uint64_t total) { admission_->on_dropped(total); };
  config.registration_changed = [this](const std::string& name, int status,
                                       const std::string& phrase, bool removed) {
    registrations_.on_answer(name, status, phrase, removed);
  };
  return config;
}

// The stack registers what the new plan asks for and removes the rest.
void Gateway::apply_registrations(const dialplan::Plan& plan) {
  auto wanted = RegistrationStatus::wanted_by(plan);
  if (wanted == sip_->config().registrations) return;
  registrations_.expect(sip_->config().registrations, wanted);
  sip_->set_registrations(std::move(wanted));
}

void Gateway::make_bridge(std::shared_ptr<const dialplan::Router> router) {
  core::BridgeConfig bridge_config;
  if (!options_.quiet) bridge_config.log = log_;
  bridge_config.record = [stores = stores_.get()](const core::CallRecord& record) {
    stores->record(record);
  };
  bridge_config.rtp_captured = [stores = stores_.get()](
                                   const std::string& call_id,
                                   const std::vector<media::CapturedPacket>& packets) {
    stores->trace_rtp(call_id, packets);
  };
  bridge_config.capacity_changed = [this](bool accepting) { sip_->set_accepting_calls(accepting); };
  bridge_ = std::make_unique<core::CallBridge>(control_, *sip_, *media_, std::move(router),
                                               std::move(bridge_config));
  bridge_spans_ = std::make_unique<BridgeSpans>(*bridge_);
  sip_->set_accepting_calls(false);
}

void Gateway::add_trunks(const std::vector<dialplan::Trunk>& trunks) {
  spans_->add_trunks(trunks, *bridge_spans_);
}

void Gateway::start() {
  sip_->start(*bridge_);
}

std::string Gateway::describe() const {
  std::ostringstream out;
  out << "SIP on udp and tcp " << options_.bind << ":" << options_.sip_port;
  if (options_.sip_tls_port != 0) out << ", tls " << options_.sip_tls_port;
  out << ", RTP " << options_.rtp_bind << " ports " << options_.rtp_port_min << "-"
      << options_.rtp_port_max << "\n"
      << spans_->spans().size() << " spans (" << spans_->loopback_count()
      << " loopback, wired to the simulated PSTN; " << spans_->dahdi_count() << " DAHDI)\n"
      << "call records: " << stores_->path()
      << " (sipgwctl calls), control socket: " << options_.data_dir << "/sipgw.ctl";
  return out.str();
}

std::shared_ptr<const dialplan::Router> Gateway::load_router(std::string& problem) const {
  auto plan = store_->load();
  // The spans are made from the plan's trunks when the gateway starts, so
  // they always match them; apply() keeps a changed trunk's spans as they were.
  const auto errors = dialplan::validate(plan);
  if (!errors.empty()) {
    problem = errors.front().to_string();
    if (errors.size() > 1) problem += " (and " + std::to_string(errors.size() - 1) + " more)";
    return nullptr;
  }
  return std::make_shared<const dialplan::Router>(std::move(plan));
}

std::string Gateway::reload() {
  std::string problem;
  auto router = load_router(problem);
  if (!router) return "error " + problem;
  return apply(router);
}

void Gateway::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  sip_->set_accepting_calls(false);
  bridge_->hang_up_all(isdn::Cause::normal_clearing);
  wait_for_calls_to_end(std::chrono::steady_clock::now() + grace, std::move(done));
}

void Gateway::wait_for_calls_to_end(std::chrono::steady_clock::time_point deadline,
                                    std::function<void()> done) {
  if (bridge_->call_count() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (bridge_->call_count() != 0)
      log_("shutdown: " + std::to_string(bridge_->call_count()) + " calls did not finish");
    sip_->stop();
    done();
    return;
  }
  shutdown_timer_.expires_after(std::chrono::milliseconds(20));
  shutdown_timer_.async_wait(
      [this, deadline, done = std::move(done)](const boost::system::error_code& error) mutable {
        if (!error) wait_for_calls_to_end(deadline, std::move(done));
      });
}

}  // namespace gw::app
