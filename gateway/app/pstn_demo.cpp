#include "gateway/app/pstn_demo.hpp"

#include <iomanip>

#include "drivers/isdn/run_until.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/echo_probe.hpp"

namespace gw::app {

using namespace std::chrono_literals;

struct PstnDemo::Row {
  const char* number;
  const char* expect;
  std::optional<isdn::Cause> cause;  // refused with this; otherwise answered
  bool echo;
  bool far_end_clears = false;  // after answering, the far end hangs up with cause 16
};

PstnDemo::PstnDemo(boost::asio::io_context& io, std::ostream& out) : io_(io), out_(out) {
  pstnsim::SwitchConfig sim;
  sim.switchtype = isdn::SwitchType::euroisdn_e1;
  pstn_ = std::make_unique<pstnsim::PstnSwitch>(io_, std::move(sim));
  for (int i = 1; i <= 2; ++i) {
    pairs_.push_back(
        loopback::make_pair("span" + std::to_string(i), tdm::Shape::e1, tdm::Law::alaw));
    pstn_->add_span(*pairs_.back().b);
    isdn::PriConfig config;
    config.side = isdn::Side::cpe;
    config.switchtype = isdn::SwitchType::euroisdn_e1;
    gateway_.push_back(std::make_unique<isdn::PriSpan>(io_, *pairs_.back().a, config, recorder_));
  }
}

PstnDemo::~PstnDemo() {
  gateway_.clear();
  pstn_.reset();
}

bool PstnDemo::wait_ready() {
  return isdn::run_until(
      io_,
      [this] {
        for (const auto& span : gateway_) {
          if (!span->link_up() || span->restarting()) return false;
        }
        return true;
      },
      10s);
}

void PstnDemo::print_status() {
  for (const auto& span : gateway_) {
    out_ << "  " << span->span().name() << ": " << tdm::to_string(span->span().layout().shape())
         << " " << isdn::to_string(span->config().switchtype) << ", alarms "
         << span->alarms().to_string() << ", " << span->channels().count(isdn::ChannelState::idle)
         << " idle B-channels\n";
  }
}

bool PstnDemo::run_row(const Row& row) {
  auto& span = *gateway_.front();
  isdn::CallSetup setup;
  setup.called = {row.number, isdn::Ton::subscriber, isdn::Npi::private_plan};
  setup.calling.digits = "5551000";
  const auto placed = span.place_call(setup);
  if (!placed) return false;
  auto& log = recorder_.calls[placed.call];
  isdn::run_until(
      io_, [&] { return log.saw("connect") || log.cleared.has_value(); }, 5s);
  std::string result;
  bool ok = false;
  if (log.cleared) {
    result = "cleared, cause " + std::to_string(isdn::to_wire(*log.cleared)) + " (" +
             std::string(isdn::to_string(*log.cleared)) + ")";
    ok = row.cause == log.cleared;
  } else if (log.saw("connect")) {
    result = log.saw("progress:inband") ? "early media, then answered" : "answered";
    ok = !row.cause;
    if (row.echo) {
      const pstnsim::EchoProbe probe(8000);
      std::error_code error;
      pstnsim::BearerMedia media(io_, span.span().open_bearer(span.timeslot(placed.call), error),
                                 span.span().law());
      media.play_and_record({probe.pattern().begin(), probe.pattern().end()});
      isdn::run_until(
          io_, [&] { return !media.playing() && media.recorded().size() > 16000; }, 5s);
      const auto match = probe.find(media.recorded());
      ok = ok && match && match->mismatches == 0;
      result += match ? ", audio echoed bit-exact, round trip " +
                            std::to_string(static_cast<int>(match->delay_ms())) + " ms"
                      : ", audio NOT echoed";
    }
    if (row.far_end_clears) {
      isdn::run_until(
          io_, [&] { return log.cleared.has_value(); }, 4s);
      ok = ok && log.cleared == isdn::Cause::normal_clearing;
      result += log.cleared
                    ? ", far end cleared with cause " + std::to_string(isdn::to_wire(*log.cleared))
                    : ", far end never cleared";
    }
    span.hangup(placed.call, isdn::Cause::normal_clearing);
  } else {
    result = "still ringing after 5 s";
    ok = row.cause == isdn::Cause::no_answer;
    span.hangup(placed.call, isdn::Cause::normal_clearing);
  }
  isdn::run_until(
      io_, [&] { return span.call_count() == 0; }, 3s);
  out_ << "  " << std::left << std::setw(10) << row.number << std::setw(34) << row.expect
       << (ok ? "ok    " : "WRONG ") << result << '\n';
  return ok;
}

int PstnDemo::run_tour() {
  static const Row kRows[] = {
      {"7773660", "rings, answers, echoes", std::nullopt, true},
      {"4865551", "busy (17)", isdn::Cause::user_busy, false},
      {"4041234", "unallocated (1)", isdn::Cause::unallocated_number, false},
      {"5031234", "no circuit (34)", isdn::Cause::no_circuit_available, false},
      {"1831234", "early media, answers", std::nullopt, true},
      {"2001234", "answers, hangs up after 2 s", std::nullopt, false, true},
      {"4801234", "rings, never answers", isdn::Cause::no_answer, false},
  };
  out_ << "  number    expected                          result\n";
  int good = 0;
  for (const auto& row : kRows) good += run_row(row) ? 1 : 0;
  return good;
}

}  // namespace gw::app
