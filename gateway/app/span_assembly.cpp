#include "gateway/app/span_assembly.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "drivers/dahdi/backend.hpp"
#include "drivers/pstnsim/control_server.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::app {
namespace {

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

// Switch types of the E1 world; the others run on T1.
tdm::Shape shape_of(const dialplan::Trunk& trunk) {
  return trunk.switchtype == isdn::SwitchType::euroisdn_e1 ||
                 trunk.switchtype == isdn::SwitchType::qsig
             ? tdm::Shape::e1
             : tdm::Shape::t1;
}

// "call CALLING CALLED SPAN ..." with SPAN as a trunk names it ("span1") ->
// the same with the switch's index of that span's far end; an error
// answer when there is no such span.
std::string with_span_index(pstnsim::PstnSwitch& pstn, const std::string& command,
                            std::string& error) {
  std::istringstream words(command);
  std::string verb;
  std::string calling;
  std::string called;
  std::string span;
  words >> verb >> calling >> called >> span;
  if (verb != "call" || span.empty()) return command;
  std::string names;
  for (std::size_t index = 0; index < pstn.span_count(); ++index) {
    const std::string far_end(pstn.pri(index).span().name());
    const std::string name = far_end.substr(0, far_end.rfind("/b"));
    if (name == span) {
      std::string rest;
      std::getline(words, rest);
      std::ostringstream indexed;
      indexed << verb << ' ' << calling << ' ' << called << ' ' << index << rest;
      return indexed.str();
    }
    names.append(names.empty() ? "" : ", ").append(name);
  }
  error = "error 0 no span '" + span + "' wired to the simulated PSTN (spans: " + names + ")";
  return {};
}

}  // namespace

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

SpanAssembly::SpanAssembly(boost::asio::io_context& control, SpanSettings settings)
    : control_(control), settings_(std::move(settings)) {
  pstnsim::SwitchConfig sim;
  sim.switchtype = isdn::SwitchType::euroisdn_e1;
  if (!settings_.pstn_rules.empty()) sim.rules = read_rules(settings_.pstn_rules);
  sim.log = settings_.pstn_log;
  pstn_ = std::make_unique<pstnsim::PstnSwitch>(switch_io_, std::move(sim));
  pstn_->on_setup = [this](std::size_t span, const isdn::IncomingCall& details) {
    on_switch_setup(span, details);
  };
  switch_thread_ = std::thread([this] {
    const auto work = boost::asio::make_work_guard(switch_io_);
    switch_io_.run();
  });
}

SpanAssembly::~SpanAssembly() {
  switch_io_.stop();
  switch_thread_.join();
  pstn_.reset();
}

// On the switch's thread: the line goes to the control thread.
void SpanAssembly::on_switch_setup(std::size_t span, const isdn::IncomingCall& details) {
  to_control([this, line = describe_setup(pstn_->pri(span).span().name(), details)] {
    if (pstn_setups_.size() == kMaxPstnSetups) pstn_setups_.pop_front();
    pstn_setups_.push_back(line);
  });
}

// Work from the switch's thread for the control thread, dropped when the
// assembly is gone by the time it runs.
void SpanAssembly::to_control(std::function<void()> work) {
  boost::asio::post(control_, [alive = std::weak_ptr<bool>(alive_), work = std::move(work)] {
    if (!alive.expired()) work();
  });
}

void SpanAssembly::add_trunks(const std::vector<dialplan::Trunk>& trunks, SpanUser& user) {
  for (const auto& trunk : trunks) {
    for (const auto& name : trunk.spans) start_isdn(trunk, name, open_span(trunk, name), user);
  }
}

// A loopback pair with the simulated PSTN on its far end (with the trunk's
// switch type, on the other side), or the card's DAHDI span.
tdm::Span& SpanAssembly::open_span(const dialplan::Trunk& trunk, const std::string& name) {
  const tdm::Layout layout(shape_of(trunk));
  if (trunk.backend == dialplan::Backend::loopback) {
    auto& pair = pairs_.emplace_back(loopback::make_pair(name, layout.shape(), trunk.law));
    const auto far_side = trunk.side == isdn::Side::cpe ? isdn::Side::net : isdn::Side::cpe;
    boost::asio::post(switch_io_, [this, &far_end = *pair.b, switchtype = trunk.switchtype,
                                   far_side, log = settings_.pstn_log] {
      try {
        pstn_->add_span(far_end, switchtype, far_side);
      } catch (const std::exception& error) {
        if (log) log(std::string("pstnsim: ") + error.what());
      }
    });
    return *pair.a;
  }
  tdm::BackendRegistry registry;
  dahdi::register_backend(registry);
  tdm::SpanSpec spec;
  spec.backend = "dahdi";
  spec.address = name;
  spec.shape = layout.shape();
  spec.law = trunk.law;
  spec.name = name;
  try {
    return *hardware_spans_.emplace_back(registry.open(spec));
  } catch (const std::exception& error) {
    throw std::runtime_error("trunks[" + trunk.name + "].spans: DAHDI span " + name + ": " +
                             error.what());
  }
}

void SpanAssembly::start_isdn(const dialplan::Trunk& trunk, const std::string& name,
                              tdm::Span& span, SpanUser& user) {
  isdn::PriConfig config;
  config.side = trunk.side;
  config.switchtype = trunk.switchtype;
  config.debug = settings_.debug_isdn;
  if (settings_.frame_tap) {
    config.frame_tap = [tap = settings_.frame_tap, name](const isdn::DChannelFrame& frame) {
      tap(name, frame);
    };
  }
  config.log = settings_.isdn_log;
  auto& pri = *spans_.emplace_back(
      std::make_unique<isdn::PriSpan>(control_, span, config, user.listener_for(name)));
  const tdm::Layout& layout = pri.channels().layout();
  const auto in_service = channels_of(trunk, layout);
  for (const int bearer : layout.bearers()) {
    if (std::find(in_service.begin(), in_service.end(), bearer) == in_service.end()) {
      pri.set_out_of_service(bearer, true);
    }
  }
  user.add_span(name, pri);
}

isdn::PriSpan* SpanAssembly::find(const std::string& name) const {
  for (const auto& span : spans_) {
    if (span->span().name() == name || span->span().name() == name + "/a") return span.get();
  }
  return nullptr;
}

bool SpanAssembly::ready() const {
  return std::all_of(spans_.begin(), spans_.end(), [](const auto& span) { return span->ready(); });
}

std::string SpanAssembly::describe_links() const {
  std::string lines;
  for (const auto& span : spans_) {
    lines += std::string(span->span().name()) + " link " + (span->link_up() ? "up" : "down") +
             " alarms " + span->alarms().to_string() + (span->restarting() ? " restarting" : "") +
             "\n";
  }
  return lines;
}

void SpanAssembly::count_pstn_calls(std::function<void(std::size_t)> answer) {
  boost::asio::post(switch_io_, [this, answer = std::move(answer)]() mutable {
    to_control([answer = std::move(answer), count = pstn_->active_calls()] { answer(count); });
  });
}

void SpanAssembly::pstn_command(const std::string& command,
                                std::function<void(const std::string&)> output) {
  boost::asio::post(switch_io_, [this, command, output = std::move(output)] {
    const auto on_control = [this, output](const std::string& line) {
      to_control([output, line] { output(line); });
    };
    std::string error;
    const std::string indexed = with_span_index(*pstn_, command, error);
    on_control(error.empty() ? pstnsim::execute_command(*pstn_, indexed, on_control) : error);
  });
}

}  // namespace gw::app
