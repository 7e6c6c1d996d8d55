#include "gateway/app/gateway.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "drivers/dahdi/backend.hpp"
#include "drivers/tdm/registry.hpp"

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

pstnsim::RuleSet read_rules(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("--pstn-rules: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return pstnsim::RuleSet::parse(text.str());
  } catch (const std::invalid_argument& error) {
    throw std::runtime_error("--pstn-rules: " + path + ": " + error.what());
  }
}

// What the simulated PSTN saw in a SETUP, for "pstn-setups": the numbers
// with their type, plan and presentation, as the far switch would log them.
std::string describe_setup(std::string_view span, const isdn::IncomingCall& details) {
  const auto number = [](const isdn::PartyNumber& party) {
    return (party.digits.empty() ? std::string("-") : party.digits) + " " +
           std::string(isdn::to_string(party.ton)) + " " + std::string(isdn::to_string(party.npi));
  };
  const char* presentation = "allowed";
  if (details.calling.presentation == isdn::Presentation::restricted) presentation = "restricted";
  if (details.calling.presentation == isdn::Presentation::unavailable) {
    presentation = "unavailable";
  }
  std::string line = "setup " + std::string(span) + " called " + number(details.called) +
                     " calling " + number(details.calling) + " " + presentation;
  if (details.redirecting) {
    line += " redirecting " + number(details.redirecting->from) + " " +
            std::string(isdn::to_string(details.redirecting->reason)) + " count " +
            std::to_string(details.redirecting->count);
  }
  return line;
}

}  // namespace

Gateway::Gateway(boost::asio::io_context& control, const Options& options, Log log)
    : control_(control), options_(options), log_(std::move(log)), shutdown_timer_(control) {
  make_data_dir(options_.data_dir);
  records_ = std::make_unique<CallRecordStore>(calls_db_path());
  traces_ = std::make_unique<CallTraceStore>(calls_db_path());
  record_search_store_ = std::make_unique<CallRecordStore>(calls_db_path());
  make_pstn();
  make_media();
  store_ = std::make_unique<dialplan::PlanStore>(options_.data_dir + "/sipgw.db");
  if (store_->empty() && !options_.demo) {
    // An appliance's first start: run, answer SIP 503, and say what to do,
    // rather than fail and be restarted over and over by systemd.
    log_("sipgw: no dialplan yet in " + options_.data_dir +
         "/sipgw.db: import one (sipgw import FILE) and restart, or start with --demo for the "
         "demo plan; until then SIP calls are answered 503");
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
  sip_ = std::make_unique<sip::Stack>(sip_config(router->plan()), control_);
  running_trunks_ = router->plan().trunks;
  make_bridge(std::move(router));
  add_spans(running_trunks_);
  sim_thread_ = std::thread([this] {
    const auto work = boost::asio::make_work_guard(sim_io_);
    sim_io_.run();
  });
  control_socket_ = std::make_unique<pstnsim::ControlServer>(
      control_,
      [this](const std::string& line, const std::function<void(const std::string&)>& events) {
        return execute(line, events);
      },
      options_.data_dir + "/sipgw.ctl");
}

void Gateway::make_pstn() {
  pstnsim::SwitchConfig sim;
  sim.switchtype = isdn::SwitchType::euroisdn_e1;
  if (!options_.pstn_rules.empty()) sim.rules = read_rules(options_.pstn_rules);
  // pstnsim's own lines start with "pstnsim: " already.
  if (!options_.quiet) sim.log = log_;
  pstn_ = std::make_unique<pstnsim::PstnSwitch>(sim_io_, std::move(sim));
  pstn_->on_setup = [this](std::size_t span, const isdn::IncomingCall& details) {
    auto line = describe_setup(pstn_->pri(span).span().name(), details);
    boost::asio::post(control_, [this, line = std::move(line)] {
      if (pstn_setups_.size() == max_pstn_setups) pstn_setups_.pop_front();
      pstn_setups_.push_back(line);
    });
  };
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
  config.registrations = registrations_of(plan);
  config.message_traced = [this](const sip::WireMessage& message) {
    keep_trace([&] { traces_->add_sip(message); });
  };
  for (const auto& r : config.registrations) registrations_[r.name] = "pending";
  config.registration_changed = [this](const std::string& name, int status,
                                       const std::string& phrase, bool removed) {
    if (removed) {
      log_("sipgw: registration " + name + ": " +
           (status < 300 ? std::string("removed")
                         : "removal failed " + std::to_string(status) + " " + phrase));
      // A dropped registration leaves the status however its removal went;
      // a replacement under the same name keeps its own line.
      const auto found = registrations_.find(name);
      if (found != registrations_.end() && found->second == "removing") registrations_.erase(found);
      return;
    }
    std::string state =
        status < 300 ? "registered" : "failed " + std::to_string(status) + " " + phrase;
    log_("sipgw: registration " + name + ": " + state);
    registrations_[name] = std::move(state);
  };
  return config;
}

std::vector<sip::Registration> Gateway::registrations_of(const dialplan::Plan& plan) {
  std::vector<sip::Registration> registrations;
  registrations.reserve(plan.registrations.size());
  for (const auto& r : plan.registrations) {
    registrations.push_back(
        {r.name, r.registrar, r.user, r.auth_user, r.password, r.expires, plan.outbound_proxy});
  }
  return registrations;
}

// The stack registers what the new plan asks for and removes the rest.
void Gateway::apply_registrations(const dialplan::Plan& plan) {
  auto wanted = registrations_of(plan);
  if (wanted == sip_->config().registrations) return;
  for (auto& entry : registrations_) {
    const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                  [&](const auto& r) { return r.name == entry.first; });
    if (!kept) entry.second = "removing";
  }
  for (const auto& r : wanted) {
    const auto& running = sip_->config().registrations;
    if (std::find(running.begin(), running.end(), r) == running.end()) {
      registrations_[r.name] = "pending";
    }
  }
  sip_->set_registrations(std::move(wanted));
}

void Gateway::make_bridge(std::shared_ptr<const dialplan::Router> router) {
  core::BridgeConfig bridge_config;
  if (!options_.quiet) bridge_config.log = log_;
  bridge_config.record = [this](const core::CallRecord& record) {
    count(record);
    keep_trace([&] { traces_->add_call(record); });
    try {
      records_->append(record);
    } catch (const std::exception& error) {
      log_(error.what());
    }
  };
  bridge_config.rtp_captured = [this](const std::string& call_id,
                                      std::vector<media::CapturedPacket> packets) {
    keep_trace([&] { traces_->add_rtp(call_id, packets); });
  };
  bridge_config.capacity_changed = [this](bool accepting) { sip_->set_accepting_calls(accepting); };
  bridge_ = std::make_unique<core::CallBridge>(control_, *sip_, *media_, std::move(router),
                                               std::move(bridge_config));
  sip_->set_accepting_calls(false);
}

namespace {

// Switch types of the E1 world; the others run on T1.
tdm::Shape shape_of(const dialplan::Trunk& trunk) {
  return trunk.switchtype == isdn::SwitchType::euroisdn_e1 ||
                 trunk.switchtype == isdn::SwitchType::qsig
             ? tdm::Shape::e1
             : tdm::Shape::t1;
}

// "1-15,17-31" (validated) -> those timeslots; empty: every bearer.
std::vector<int> channels_of(const dialplan::Trunk& trunk, const tdm::Layout& layout) {
  if (trunk.channels.empty()) return layout.bearers();
  std::vector<int> channels;
  std::istringstream ranges(trunk.channels);
  for (std::string range; std::getline(ranges, range, ',');) {
    const auto dash = range.find('-');
    const int first = std::stoi(range.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
    for (int timeslot = first; timeslot <= last; ++timeslot) channels.push_back(timeslot);
  }
  return channels;
}

}  // namespace

// Each span of each trunk: a loopback pair with the simulated PSTN on its
// far end (on the other side, with the trunk's switch type), or a DAHDI
// span of the card; the gateway's ISDN stack on it as the trunk says.
void Gateway::add_spans(const std::vector<dialplan::Trunk>& trunks) {
  tdm::BackendRegistry registry;
  dahdi::register_backend(registry);
  for (const auto& trunk : trunks) {
    const tdm::Layout layout(shape_of(trunk));
    for (const auto& name : trunk.spans) {
      tdm::Span* span = nullptr;
      if (trunk.backend == dialplan::Backend::loopback) {
        pairs_.push_back(loopback::make_pair(name, layout.shape(), trunk.law));
        on_switch_thread([&] {
          pstn_->add_span(*pairs_.back().b, trunk.switchtype,
                          trunk.side == isdn::Side::cpe ? isdn::Side::net : isdn::Side::cpe);
        });
        span = pairs_.back().a.get();
      } else {
        tdm::SpanSpec spec;
        spec.backend = "dahdi";
        spec.address = name;
        spec.shape = layout.shape();
        spec.law = trunk.law;
        spec.name = name;
        try {
          hardware_spans_.push_back(registry.open(spec));
        } catch (const std::exception& error) {
          throw std::runtime_error("trunks[" + trunk.name + "].spans: DAHDI span " + name + ": " +
                                   error.what());
        }
        span = hardware_spans_.back().get();
      }
      isdn::PriConfig config;
      config.side = trunk.side;
      config.switchtype = trunk.switchtype;
      config.debug = options_.debug_isdn;
      config.frame_tap = [this, name](const isdn::DChannelFrame& frame) {
        keep_trace([&] { traces_->add_frame(name, frame); });
      };
      if (!options_.quiet || options_.debug_isdn) config.log = log_;
      spans_.push_back(
          std::make_unique<isdn::PriSpan>(control_, *span, config, bridge_->listener_for(name)));
      const auto in_service = channels_of(trunk, layout);
      for (const int bearer : layout.bearers()) {
        if (std::find(in_service.begin(), in_service.end(), bearer) == in_service.end()) {
          spans_.back()->set_out_of_service(bearer, true);
        }
      }
      bridge_->add_span(name, *spans_.back());
    }
  }
}

// A trace that cannot be written (disk full) is logged, and the call goes on.
void Gateway::keep_trace(const std::function<void()>& write) {
  try {
    write();
  } catch (const std::exception& error) {
    log_(std::string("call traces: ") + error.what());
  }
}

// The simulated switch is driven from its own thread once that runs (a
// trunk added while the gateway runs); before, from here.
void Gateway::on_switch_thread(const std::function<void()>& work) {
  if (!sim_thread_.joinable()) return work();
  std::promise<void> finished;
  auto done = finished.get_future();
  boost::asio::post(sim_io_, [&] {
    try {
      work();
      finished.set_value();
    } catch (...) {
      finished.set_exception(std::current_exception());
    }
  });
  done.get();
}

Gateway::~Gateway() {
  control_socket_.reset();
  sip_.reset();  // no more SIP events
  bridge_.reset();
  spans_.clear();
  media_.reset();
  sim_io_.stop();
  if (sim_thread_.joinable()) sim_thread_.join();
  pstn_.reset();
}

void Gateway::start() {
  sip_->start(*bridge_);
}

bool Gateway::spans_ready() const {
  for (const auto& span : spans_) {
    if (!span->ready()) return false;
  }
  return true;
}

std::string Gateway::describe() const {
  std::ostringstream out;
  out << "SIP on udp and tcp " << options_.bind << ":" << options_.sip_port << ", RTP "
      << options_.rtp_bind << " ports " << options_.rtp_port_min << "-" << options_.rtp_port_max
      << "\n"
      << spans_.size() << " spans (" << pairs_.size() << " loopback, wired to the simulated PSTN; "
      << hardware_spans_.size() << " DAHDI)\n"
      << "call records: " << options_.data_dir
      << "/calls.db (sipgwctl calls), control socket: " << options_.data_dir << "/sipgw.ctl";
  return out.str();
}

std::string Gateway::status() {
  std::ostringstream out;
  for (const auto& span : spans_) {
    out << "span " << span->span().name() << " link " << (span->link_up() ? "up" : "down")
        << " alarms " << span->alarms().to_string() << " idle "
        << span->channels().count(isdn::ChannelState::idle) << " busy "
        << span->channels().count(isdn::ChannelState::in_use) << " isdn-calls "
        << span->call_count() << '\n';
  }
  out << "calls " << bridge_->call_count() << '\n';
  for (const auto& line : bridge_->describe_calls()) out << "call " << line << '\n';
  out << "media-sessions " << media_->session_count() << '\n';
  // The switch lives on its own thread: ask it there.
  std::promise<std::size_t> pstn_calls;
  auto answer = pstn_calls.get_future();
  boost::asio::post(sim_io_, [&] { pstn_calls.set_value(pstn_->active_calls()); });
  out << "pstn-calls " << answer.get() << '\n';
  for (const auto& [name, state] : registrations_) {
    out << "registration " << name << ' ' << state << '\n';
  }
  out << "end";
  return out.str();
}

std::shared_ptr<const dialplan::Router> Gateway::load_router(std::string& problem) const {
  auto plan = store_->load();
  // The spans are made from the plan's trunks when the gateway starts, so
  // they always match them; reload() refuses a plan whose trunks changed.
  const auto errors = dialplan::validate(plan);
  if (!errors.empty()) {
    problem = errors.front().to_string();
    if (errors.size() > 1) problem += " (and " + std::to_string(errors.size() - 1) + " more)";
    return nullptr;
  }
  return std::make_shared<const dialplan::Router>(std::move(plan));
}

// "route URI [from CALLER] [source ADDRESS]": the decision, one "key: value"
// a line, then "end".
std::string Gateway::test_route(const std::string& arguments) const {
  std::istringstream words(arguments);
  std::string uri;
  words >> uri;
  auto request = sip::request_for_uri(uri);
  if (!request) return "error '" + uri + "' is not a sip:, sips: or tel: URI";
  request->source_address = "127.0.0.1";
  for (std::string key, value; words >> key >> value;) {
    if (key == "from") {
      request->from_user = value;
    } else if (key == "source") {
      request->source_address = value;
    } else {
      return "error unknown option '" + key + "' (from CALLER, source ADDRESS)";
    }
  }
  dialplan::ParseError unreadable;
  const auto target = dialplan::parse_dial_target(request->number, &unreadable);
  if (!target) return "error cannot dial '" + request->number + "' (484): " + unreadable.reason;
  return bridge_->test_route(*request, *target).describe() + "end";
}

// "route-pstn SPAN NUMBER [TON/NPI] [from CALLER]": the decision for a
// SETUP on SPAN; "+DIGITS" is an international number.
std::string Gateway::test_pstn_route(const std::string& arguments) const {
  std::istringstream words(arguments);
  std::string span;
  std::string number;
  words >> span >> number;
  if (number.empty()) return "error usage: route-pstn SPAN NUMBER [TON/NPI] [from CALLER]";
  const auto party = [](const std::string& text) {
    isdn::PartyNumber result;
    const bool international = !text.empty() && text.front() == '+';
    result.digits = international ? text.substr(1) : text;
    if (international) {
      result.ton = isdn::Ton::international;
      result.npi = isdn::Npi::isdn;
    }
    return result;
  };
  isdn::PartyNumber called = party(number);
  isdn::PartyNumber calling;
  for (std::string word; words >> word;) {
    if (word == "from" && words >> word) {
      calling = party(word);
      continue;
    }
    const auto slash = word.find('/');
    const auto ton = isdn::parse_ton(word.substr(0, slash));
    const auto npi =
        slash == std::string::npos ? std::nullopt : isdn::parse_npi(word.substr(slash + 1));
    if (!ton || !npi) return "error '" + word + "' is not TON/NPI (subscriber/private, ...)";
    called.ton = *ton;
    called.npi = *npi;
  }
  return bridge_->test_pstn_route(span, called, calling).describe() + "end";
}

// "calls [since=TIME] [until=TIME] [number=DIGITS] [trunk-group=NAME]
// [cause=N] [limit=N] [csv]": call records, newest first, a header line
// first, then "end". Searched on the record-search thread and given to
// `answer` on the control thread; the immediate answer is empty unless the
// filters are wrong.
std::string Gateway::search_calls(const std::string& arguments,
                                  const std::function<void(const std::string&)>& answer) {
  bool csv = false;
  std::string problem;
  const auto query = parse_call_query(arguments, csv, problem);
  if (!query) return "error " + problem;
  boost::asio::post(record_search_, [this, query = *query, csv, answer] {
    std::string out = CallRecordStore::header(csv) + "\n";
    try {
      for (const auto& line : record_search_store_->search(query, csv)) out += line + "\n";
      out += "end";
    } catch (const std::exception& error) {
      out = std::string("error ") + error.what();
    }
    boost::asio::post(control_, [answer, out = std::move(out)] { answer(out); });
  });
  return {};
}

// "hangup CALL": the call (its number in `status`) ends with cause 16.
std::string Gateway::hang_up(const std::string& arguments) {
  sip::LegId leg = 0;
  const auto [end, error] =
      std::from_chars(arguments.data(), arguments.data() + arguments.size(), leg);
  if (error != std::errc() || end != arguments.data() + arguments.size()) {
    return "error usage: hangup CALL (the number status shows)";
  }
  if (!bridge_->hang_up(leg, isdn::Cause::normal_clearing)) {
    return "error no call " + arguments;
  }
  return "ok";
}

// "service SPAN CHANNEL in|out": takes a B-channel out of service (no new
// call; a call on it keeps it until it ends) or back.
std::string Gateway::service(const std::string& arguments) {
  std::istringstream words(arguments);
  std::string span_name;
  int channel = 0;
  std::string state;
  words >> span_name >> channel >> state;
  if (state != "in" && state != "out") return "error usage: service SPAN CHANNEL in|out";
  for (const auto& span : spans_) {
    if (span->span().name() != span_name && span->span().name() != span_name + "/a") continue;
    if (!span->channels().layout().is_bearer(channel)) {
      return "error " + std::to_string(channel) + " is not a B-channel of " + span_name;
    }
    span->set_out_of_service(channel, state == "out");
    log_("sipgw: " + span_name + " B" + std::to_string(channel) + " " +
         (state == "out" ? "out of service" : "back in service"));
    bridge_->refresh_capacity();
    return "ok";
  }
  return "error no span " + span_name;
}

// Re-reads the plan from the store; calls in progress keep their routes.
std::string Gateway::reload() {
  std::string problem;
  auto router = load_router(problem);
  if (!router) return "error " + problem;
  return apply(router);
}

// "pstn call ..." and "pstn hangup ...": the simulated PSTN's own commands
// (see pstnsim's ControlServer), run on its thread; what happens to the
// call afterwards comes back as "event ..." lines.
std::string Gateway::pstn_command(const std::string& command,
                                  const std::function<void(const std::string&)>& events) {
  std::promise<std::string> reply;
  auto answer = reply.get_future();
  auto on_control = [this, events](const std::string& event) {
    boost::asio::post(control_, [events, event] { events(event); });
  };
  boost::asio::post(
      sim_io_, [&] { reply.set_value(pstnsim::execute_command(*pstn_, command, on_control)); });
  return answer.get();
}

std::string Gateway::execute(const std::string& line,
                             const std::function<void(const std::string&)>& events) {
  if (line.rfind("pstn ", 0) == 0) return pstn_command(line.substr(5), events);
  if (line == "status") return status();
  if (line == "channels" || line.rfind("channels ", 0) == 0) return channels(line.substr(8));
  if (line == "reload") return reload();
  if (line == "pstn-setups") {
    std::string out;
    for (const auto& setup : pstn_setups_) out += setup + "\n";
    return out + "end";
  }
  if (line.rfind("route ", 0) == 0) return test_route(line.substr(6));
  if (line.rfind("route-pstn ", 0) == 0) return test_pstn_route(line.substr(11));
  if (line.rfind("hangup ", 0) == 0) return hang_up(line.substr(7));
  if (line == "calls" || line.rfind("calls ", 0) == 0) {
    return search_calls(line.substr(5), events);
  }
  if (line.rfind("service ", 0) == 0) return service(line.substr(8));
  return "error unknown command '" + line +
         "' (status, channels [SPAN], calls [FILTERS], route URI, route-pstn SPAN NUMBER, hangup "
         "CALL, service SPAN "
         "CHANNEL in|out, reload, pstn-setups, pstn call|hangup ...)";
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
