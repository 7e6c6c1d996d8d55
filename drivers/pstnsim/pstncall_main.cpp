// pstncall: places one test call from the CPE side of a span, the way the
// gateway would, and reports what the far end did. With --check-echo it sends
// a pattern on the B-channel and checks it comes back bit for bit (pstnsim's
// echo line, or a carrier's test number that loops audio).

#include <boost/asio/steady_timer.hpp>
#include <iostream>

#include "drivers/isdn/call_recorder.hpp"
#include "drivers/isdn/run_until.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "drivers/pstnsim/span_options.hpp"

namespace {

using namespace std::chrono_literals;

struct Options {
  gw::pstnsim::SpanOptions spans;
  std::string called;
  std::string calling = "5551000";
  bool check_echo = false;
  std::optional<int> expect_cause;
  std::chrono::seconds timeout{30};
};

void usage() {
  std::cout << "usage: pstncall --span SPEC --call NUMBER [options]\n"
            << gw::pstnsim::span_options_usage()
            << "  --call NUMBER            the number to call\n"
            << "  --calling NUMBER         the calling number (default 5551000)\n"
            << "  --check-echo             after answer, check the audio comes back\n"
            << "  --expect-cause N         succeed when the call is refused with cause N\n"
            << "  --timeout SECONDS        give up after this long (default 30)\n";
}

bool check_echo(boost::asio::io_context& io, gw::tdm::Span& span, int timeslot) {
  const gw::pstnsim::EchoProbe probe(16000);  // two seconds
  std::error_code error;
  auto channel = span.open_bearer(timeslot, error);
  if (!channel) {
    std::cout << "AUDIO cannot open B-channel " << timeslot << ": " << error.message() << '\n';
    return false;
  }
  gw::pstnsim::BearerMedia media(io, std::move(channel), span.law());
  media.play_and_record({probe.pattern().begin(), probe.pattern().end()});
  gw::isdn::run_until(
      io,
      [&] { return !media.playing() && media.recorded().size() > probe.pattern().size() + 8000; },
      10s);
  const auto match = probe.find(media.recorded());
  if (!match) {
    std::cout << "AUDIO FAIL: pattern not found in " << media.recorded().size() << " bytes\n";
    return false;
  }
  std::cout << "AUDIO compared " << match->compared << " bytes, " << match->mismatches
            << " mismatches, round trip " << match->delay_ms() << " ms\n";
  return match->mismatches == 0 && match->compared == probe.pattern().size();
}

int run(const Options& options) {
  boost::asio::io_context io;
  gw::pstnsim::Backends backends;
  auto spans = backends.open(options.spans);
  gw::isdn::CallRecorder recorder;
  gw::isdn::PriConfig config;
  config.side = gw::isdn::Side::cpe;
  config.switchtype = options.spans.effective_switchtype();
  config.debug = options.spans.debug;
  config.log = [](std::string_view line) { std::cout << line << std::endl; };
  gw::isdn::PriSpan pri(io, *spans.front(), config, recorder);
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
  if (!gw::isdn::run_until(
          io, [&] { return pri.ready(); }, limit)) {
    std::cout << "FAIL: span not ready, alarms " << pri.alarms().to_string() << '\n';
    return 1;
  }
  gw::isdn::CallSetup setup;
  setup.called.digits = options.called;
  setup.calling.digits = options.calling;
  const auto placed = pri.place_call(setup);
  if (!placed) {
    std::cout << "FAIL: refused locally, cause " << gw::isdn::to_wire(placed.refused) << '\n';
    return 1;
  }
  auto& log = recorder.calls[placed.call];
  gw::isdn::run_until(
      io, [&] { return log.saw("connect") || log.cleared.has_value(); }, limit);
  for (const auto& event : log.events) std::cout << "EVENT " << event << '\n';
  if (log.cleared) {
    const int cause = gw::isdn::to_wire(*log.cleared);
    std::cout << "CLEARED cause " << cause << " (" << gw::isdn::to_string(*log.cleared) << ")\n";
    return options.expect_cause == cause ? 0 : 1;
  }
  if (!log.saw("connect")) {
    std::cout << "FAIL: no answer within " << options.timeout.count() << " s\n";
    return 1;
  }
  const bool audio_ok =
      !options.check_echo || check_echo(io, *spans.front(), pri.timeslot(placed.call));
  pri.hangup(placed.call, gw::isdn::Cause::normal_clearing);
  gw::isdn::run_until(
      io, [&] { return pri.call_count() == 0; }, 5s);
  std::cout << (audio_ok && !options.expect_cause ? "PASS" : "FAIL") << '\n';
  return audio_ok && !options.expect_cause ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (gw::pstnsim::take_span_option(argc, argv, i, options.spans)) continue;
      const bool has_value = i + 1 < argc;
      if (arg == "--call" && has_value) {
        options.called = argv[++i];
      } else if (arg == "--calling" && has_value) {
        options.calling = argv[++i];
      } else if (arg == "--check-echo") {
        options.check_echo = true;
      } else if (arg == "--expect-cause" && has_value) {
        options.expect_cause = std::stoi(argv[++i]);
      } else if (arg == "--timeout" && has_value) {
        options.timeout = std::chrono::seconds(std::stoi(argv[++i]));
      } else if (arg == "--help" || arg == "-h") {
        usage();
        return 0;
      } else {
        throw std::invalid_argument(arg + ": unknown option or missing value (see --help)");
      }
    }
    if (options.called.empty()) throw std::invalid_argument("--call: the number to call is needed");
    return run(options);
  } catch (const std::exception& error) {
    std::cerr << "pstncall: " << error.what() << std::endl;
    return 2;
  }
}
