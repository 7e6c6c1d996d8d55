#pragma once
// The gateway-side ISDN stack (CPE) against pstnsim (NET) over a pair of
// loopback spans in this process.

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/isdn/call_recorder.hpp"
#include "drivers/isdn/q931_frame.hpp"
#include "drivers/isdn/run_until.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::test {
using isdn::CallRecorder;
using isdn::run_for;
using isdn::run_until;

using namespace std::chrono_literals;

inline isdn::SwitchType switch_for(tdm::Shape shape) {
  return shape == tdm::Shape::e1 ? isdn::SwitchType::euroisdn_e1 : isdn::SwitchType::ni2;
}

struct IsdnBench {
  explicit IsdnBench(tdm::Shape shape, pstnsim::RuleSet rules = pstnsim::RuleSet::defaults(),
                     loopback::LineOptions line = {},
                     std::optional<isdn::SwitchType> switchtype = std::nullopt)
      : spans(loopback::make_pair("span1", shape, tdm::Layout(shape).default_law(), line)) {
    // SIPGW_TEST_LOG=1 logs both sides, =debug adds libpri's Q.921/Q.931 decode.
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread of the bench starts
    const char* log = std::getenv("SIPGW_TEST_LOG");
    pstnsim::SwitchConfig sim;
    sim.switchtype = switchtype.value_or(switch_for(shape));
    sim.rules = std::move(rules);
    isdn::PriConfig config;
    config.side = isdn::Side::cpe;
    config.switchtype = sim.switchtype;
    // As the gateway runs its spans: every frame kept, with libpri's decode.
    config.frame_tap = [this](const isdn::DChannelFrame& frame) { frames.push_back(frame); };
    if (log != nullptr) {
      sim.log = [](std::string_view text) { std::cerr << "[net] " << text << '\n'; };
      config.log = [](std::string_view text) { std::cerr << "[cpe] " << text << '\n'; };
      sim.debug = config.debug = std::string_view(log) == "debug";
    }
    pstn = std::make_unique<pstnsim::PstnSwitch>(io, std::move(sim));
    pstn->add_span(*spans.b);
    pstn->on_setup = [this](std::size_t, const isdn::IncomingCall& call) {
      setups.push_back(call);
    };
    gateway = std::make_unique<isdn::PriSpan>(io, *spans.a, config, recorder);
  }

  ~IsdnBench() {
    gateway.reset();
    pstn.reset();
  }

  // Both sides up and done restarting their channels.
  [[nodiscard]] bool wait_ready(std::chrono::milliseconds limit = 10s) {
    return run_until(
        io, [this] { return gateway->ready() && pstn->pri(0).ready(); }, limit);
  }

  isdn::CallId call(const std::string& number) {
    isdn::CallSetup setup;
    setup.called.digits = number;
    setup.calling.digits = "5551000";
    const auto placed = gateway->place_call(setup);
    EXPECT_TRUE(placed) << "refused with cause " << isdn::to_wire(placed.refused);
    return placed.call;
  }

  [[nodiscard]] bool wait_event(isdn::CallId call, const std::string& event,
                                std::chrono::milliseconds limit) {
    return run_until(
        io, [&] { return recorder.calls[call].saw(event); }, limit);
  }

  [[nodiscard]] bool all_idle() const {
    return gateway->call_count() == 0 && pstn->active_calls() == 0 &&
           pstn->pri(0).call_count() == 0 &&
           gateway->channels().count(isdn::ChannelState::idle) ==
               static_cast<std::size_t>(spans.a->layout().bearer_count()) &&
           pstn->pri(0).channels().count(isdn::ChannelState::idle) ==
               static_cast<std::size_t>(spans.b->layout().bearer_count());
  }

  boost::asio::io_context io;
  loopback::SpanPair spans;
  std::unique_ptr<pstnsim::PstnSwitch> pstn;
  CallRecorder recorder;
  std::unique_ptr<isdn::PriSpan> gateway;
  std::vector<isdn::IncomingCall> setups;
  std::vector<isdn::DChannelFrame> frames;  // the gateway side's, in order

  // The decode of the first Q.931 message named `name` the gateway side sent
  // (or received); nullopt when there was none.
  [[nodiscard]] std::optional<std::string> decode_of(const std::string& name, bool sent) const {
    for (const auto& frame : frames) {
      const auto header = isdn::q931_header(frame.bytes);
      if (header && frame.sent == sent && isdn::q931_message_name(header->message_type) == name) {
        return frame.decoded;
      }
    }
    return std::nullopt;
  }
};

}  // namespace gw::test
