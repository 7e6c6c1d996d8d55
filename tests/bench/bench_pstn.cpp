// Benchmarks of the PSTN side (not run by the test suite):
//  1. ISDN call set-up and clearing cycles per second between the gateway's
//     stack (CPE) and pstnsim (NET) over loopback spans, with and without the
//     64 kbit/s D-channel limit;
//  2. B-channel blocks moved per second per core with 240 channels open.
// Every loop is bounded in count and in time.

#include <poll.h>
#include <sys/resource.h>

#include <array>

#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <vector>

#include "drivers/isdn/call_recorder.hpp"
#include "drivers/isdn/run_until.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace gw;

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Keeps `in_flight` calls going: each answered call is cleared at once, and a
// new one is placed whenever a channel is free again, until `total` are placed.
class CallCycler final : public isdn::Listener {
 public:
  void on_incoming(isdn::CallId, const isdn::IncomingCall&) override {}
  void on_connect(isdn::CallId call) override {
    span->hangup(call, isdn::Cause::normal_clearing);
    ++completed;
  }
  void on_cleared(isdn::CallId, isdn::Cause) override { ++failed; }
  void refill(std::size_t in_flight) {
    while (placed < total && span->call_count() < in_flight) {
      isdn::CallSetup setup;
      setup.called.digits = "7773660";
      if (!span->place_call(setup)) return;
      ++placed;
    }
  }
  isdn::PriSpan* span = nullptr;
  int total = 0;
  int placed = 0;
  int completed = 0;
  int failed = 0;
};

void call_cycles(bool limit_dchannel, int in_flight, int total) {
  boost::asio::io_context io;
  loopback::LineOptions line;
  line.limit_dchannel = limit_dchannel;
  auto spans = loopback::make_pair("bench", tdm::Shape::e1, tdm::Law::alaw, line);
  pstnsim::SwitchConfig sim;
  sim.rules = pstnsim::RuleSet::parse("* answer ring=0ms\n");
  pstnsim::PstnSwitch pstn(io, std::move(sim));
  pstn.add_span(*spans.b);
  CallCycler cycler;
  isdn::PriConfig config;
  isdn::PriSpan gateway(io, *spans.a, config, cycler);
  cycler.span = &gateway;
  cycler.total = total;
  isdn::run_until(
      io, [&] { return gateway.ready(); }, 10s);
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  // One handler at a time, so a freed channel is refilled at once.
  while (cycler.completed + cycler.failed < total && Clock::now() - start < 60s) {
    cycler.refill(static_cast<std::size_t>(in_flight));
    io.run_one_for(10ms);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "call cycles, D-channel %-9s %2d in flight: %6d done, %d failed, %.2f s, %8.0f cycles/s, "
      "%.2f CPU s\n",
      limit_dchannel ? "64 kbit/s" : "unlimited", in_flight, cycler.completed, cycler.failed,
      seconds, cycler.completed / seconds, cpu_seconds() - cpu_start);
}

void bearer_blocks(int span_pairs, std::chrono::seconds duration) {
  std::vector<loopback::SpanPair> pairs;
  std::vector<std::unique_ptr<tdm::Channel>> channels;
  for (int i = 0; i < span_pairs; ++i) {
    pairs.push_back(loopback::make_pair("b" + std::to_string(i), tdm::Shape::e1, tdm::Law::alaw));
    for (const int ts : pairs.back().a->layout().bearers()) {
      std::error_code error;
      channels.push_back(pairs.back().a->open_bearer(ts, error));
      channels.push_back(pairs.back().b->open_bearer(ts, error));
    }
  }
  std::vector<pollfd> fds;
  fds.reserve(channels.size());
  for (const auto& channel : channels) fds.push_back({channel->fd(), POLLIN, 0});
  std::vector<std::byte> block(tdm::kBlockBytes, std::byte{0x2A});
  long moved = 0;
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  while (Clock::now() - start < duration) {
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      std::array<std::byte, tdm::kBlockBytes> in{};
      while (channels[i]->read(in).ok()) {
        ++moved;
        (void)channels[i]->write(block);  // answer each block with one: full duplex
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  std::printf(
      "B-channels: %zu channel ends open (%d spans each way), %ld blocks received in "
      "%.1f s = %.0f blocks/s (line rate %.0f); %.2f CPU s = %.0f blocks per CPU-second\n",
      channels.size(), span_pairs, moved, seconds, static_cast<double>(moved) / seconds,
      static_cast<double>(channels.size()) * 50.0, cpu, static_cast<double>(moved) / cpu);
}

}  // namespace

int main() {
  call_cycles(false, 1, 2000);
  call_cycles(false, 30, 5000);
  call_cycles(true, 1, 200);
  call_cycles(true, 30, 500);
  bearer_blocks(8, 10s);
  return 0;
}
