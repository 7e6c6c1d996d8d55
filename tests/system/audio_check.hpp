#pragma once
// Audio checked by content through the whole gateway: a PCMU pattern the
// test's RTP peer sends must come back (through the gateway, an A-law span
// and the simulated PSTN's echo line) byte for byte, and how late.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "drivers/dsp/dsp.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "tests/system/rtp_peer.hpp"

namespace gw::test {

// A pseudo-random PCMU pattern made only of codes that survive the trip
// through A-law and back unchanged, so that the echo can be compared bit
// for bit: PCMU -> A-law on the span -> echoed -> PCMU.
class PcmuProbe {
 public:
  explicit PcmuProbe(std::size_t bytes) : probe_(bytes) {
    const auto raw = probe_.pattern();
    pattern_.reserve(raw.size());
    for (const std::byte code : raw) {
      const auto alaw = dsp::transcode(tdm::Law::mulaw, tdm::Law::alaw, code);
      pattern_.push_back(dsp::transcode(tdm::Law::alaw, tdm::Law::mulaw, alaw));
    }
  }
  [[nodiscard]] const std::vector<std::byte>& pattern() const noexcept { return pattern_; }

  // Where the pattern starts in `received` and how many bytes differ after.
  [[nodiscard]] std::optional<pstnsim::EchoProbe::Match> find(
      const std::vector<std::byte>& received) const {
    constexpr std::size_t kHead = 32;
    for (std::size_t at = 0; at + pattern_.size() <= received.size(); ++at) {
      if (!std::equal(pattern_.begin(), pattern_.begin() + kHead,
                      received.begin() + static_cast<std::ptrdiff_t>(at)))
        continue;
      pstnsim::EchoProbe::Match match;
      match.offset = at;
      match.compared = pattern_.size();
      for (std::size_t i = 0; i < pattern_.size(); ++i) {
        if (received[at + i] != pattern_[i]) ++match.mismatches;
      }
      return match;
    }
    return std::nullopt;
  }

 private:
  pstnsim::EchoProbe probe_;
  std::vector<std::byte> pattern_;
};

// Plays 0.5 s of pattern into an answered call and expects it back, exact.
inline void expect_echo(RtpPeer& peer, const char* what) {
  ASSERT_TRUE(peer.wait_for_packets(5, std::chrono::seconds(10)))
      << what << ": the gateway sent no RTP after the answer";
  const PcmuProbe probe(4000);
  peer.play(probe.pattern(), 0);
  // Until the whole pattern is back (a round trip is about 150 ms), bounded:
  // a loaded machine may hold the echo up for a while, which is no fault.
  std::vector<std::byte> received;
  std::optional<pstnsim::EchoProbe::Match> match;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    received = peer.recorded(0);
    match = probe.find(received);
  } while ((!match || match->compared < probe.pattern().size()) &&
           std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(match.has_value()) << what << ": the caller's audio did not come back ("
                                 << received.size() << " bytes received)";
  EXPECT_EQ(match->compared, probe.pattern().size()) << what << ": only part of it came back";
  EXPECT_EQ(match->mismatches, 0U) << what;
  std::cout << "[ audio    ] " << what << ": " << match->compared
            << " bytes echoed through the PSTN, round trip " << match->delay_ms() << " ms"
            << std::endl;
}

}  // namespace gw::test
