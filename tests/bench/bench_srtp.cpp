// SRTP benchmark (issue 13): the CPU one call's media costs with SRTP
// against plain RTP, on the gateway's own libsrtp2 adapter (gw::srtp).
// A call as the gateway sees it: 50 packets/s sent (protected) and 50/s
// received (unprotected), G.711 20 ms (12-byte RTP header + 160 bytes).
// For each suite, CALLS calls (each its own sender and receiver context,
// its own SSRC and key, visited in turn so that contexts do not all stay in
// cache) for CALL_SECONDS call-seconds each: per call-second, the call's 50
// packets are built (header + payload copy), protected in one pass, then
// unprotected in another, each pass timed with the process CPU clock.
// "plain" builds the same packets and copies each as the receive path
// would (the reference: what a plain call does with the bytes). Out:
// CPU ns per packet for each direction and CPU % of one core per call.
//   build/tests/bench/bench_srtp [CALLS [CALL_SECONDS]]   (default 1000 20)

#include <time.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "drivers/srtp/srtp_context.hpp"

namespace {

constexpr std::size_t kHeader = 12;
constexpr std::size_t kPayload = 160;
constexpr int kPacketsPerSecond = 50;
constexpr std::size_t kBufferBytes = kHeader + kPayload + gw::srtp::kMaxTrailerBytes;

double cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

struct Call {
  std::uint32_t ssrc = 0;
  std::uint16_t seq = 0;
  std::uint32_t timestamp = 0;
  std::unique_ptr<gw::srtp::Context> sender;
  std::unique_ptr<gw::srtp::Context> receiver;
};

void build(Call& call, std::byte* packet, const std::byte* payload) {
  auto* p = reinterpret_cast<unsigned char*>(packet);
  p[0] = 0x80;
  p[1] = 0;  // PCMU
  p[2] = static_cast<unsigned char>(call.seq >> 8);
  p[3] = static_cast<unsigned char>(call.seq);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<unsigned char>(call.timestamp >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<unsigned char>(call.ssrc >> (24 - 8 * i));
  std::memcpy(packet + kHeader, payload, kPayload);
  ++call.seq;
  call.timestamp += kPayload;
}

struct Result {
  double send_ns = 0;     // per packet: build (+ protect)
  double receive_ns = 0;  // per packet: unprotect, or the copy for plain
  long failures = 0;
};

// suite: nullptr for plain RTP.
Result run(const gw::srtp::Suite* suite, int calls, int call_seconds) {
  std::mt19937_64 random(42);
  std::vector<Call> table(static_cast<std::size_t>(calls));
  for (auto& call : table) {
    call.ssrc = static_cast<std::uint32_t>(random());
    call.seq = static_cast<std::uint16_t>(random());
    if (suite != nullptr) {
      std::string key(gw::srtp::kMasterKeyBytes, '\0');
      for (auto& c : key) c = static_cast<char>(random());
      call.sender = std::make_unique<gw::srtp::Context>(*suite, gw::srtp::Role::sender, key);
      call.receiver = std::make_unique<gw::srtp::Context>(*suite, gw::srtp::Role::receiver, key);
    }
  }
  std::array<std::byte, kPayload> payload{};
  for (auto& b : payload) b = static_cast<std::byte>(random());
  std::vector<std::array<std::byte, kBufferBytes>> wire(kPacketsPerSecond);
  std::array<std::size_t, kPacketsPerSecond> length{};
  std::array<std::byte, kBufferBytes> played{};
  Result result;
  double send = 0;
  double receive = 0;
  for (int second = 0; second < call_seconds; ++second) {
    for (auto& call : table) {
      double start = cpu_ns();
      for (int i = 0; i < kPacketsPerSecond; ++i) {
        build(call, wire[i].data(), payload.data());
        length[i] = kHeader + kPayload;
        if (suite != nullptr &&
            call.sender->protect_rtp(wire[i], length[i]) != gw::srtp::Status::ok) {
          ++result.failures;
        }
      }
      double middle = cpu_ns();
      for (int i = 0; i < kPacketsPerSecond; ++i) {
        if (suite != nullptr) {
          if (call.receiver->unprotect_rtp(wire[i], length[i]) != gw::srtp::Status::ok)
            ++result.failures;
        } else {
          std::memcpy(played.data(), wire[i].data(), length[i]);
          asm volatile("" : : "r"(played.data()) : "memory");
        }
      }
      double end = cpu_ns();
      send += middle - start;
      receive += end - middle;
    }
  }
  const double packets = static_cast<double>(calls) * call_seconds * kPacketsPerSecond;
  result.send_ns = send / packets;
  result.receive_ns = receive / packets;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int call_seconds = argc > 2 ? std::atoi(argv[2]) : 20;
  std::printf(
      "%d calls x %d call-seconds, %d packets/s each way, %zu-byte RTP packets (G.711 20 ms)\n",
      calls, call_seconds, kPacketsPerSecond, kHeader + kPayload);
  std::printf("%-24s %12s %12s %12s %14s %12s %8s\n", "", "send ns/pkt", "recv ns/pkt",
              "ns/pkt pair", "CPU %/call", "calls/core", "failed");
  (void)run(nullptr, calls, 1);  // warm up
  double plain_pair = 0;
  const gw::srtp::Suite suites[] = {gw::srtp::Suite::aes_cm_128_hmac_sha1_80,
                                    gw::srtp::Suite::aes_cm_128_hmac_sha1_32};
  for (int which = -1; which < 2; ++which) {
    const gw::srtp::Suite* suite = which < 0 ? nullptr : &suites[which];
    const Result r = run(suite, calls, call_seconds);
    const double pair = r.send_ns + r.receive_ns;
    if (suite == nullptr) plain_pair = pair;
    // One call: 50 pairs (one sent, one received) per second.
    const double percent = pair * kPacketsPerSecond / 1e9 * 100;
    const std::string name =
        suite == nullptr ? "plain RTP (copy)" : std::string(gw::srtp::to_string(*suite));
    std::printf("%-24s %12.0f %12.0f %12.0f %13.4f%% %12.0f %8ld\n", name.c_str(), r.send_ns,
                r.receive_ns, pair, percent, 100 / percent, r.failures);
    if (suite != nullptr) {
      std::printf("%-24s %12s %12s %12.0f %13.4f%%   (SRTP over plain)\n", "  added by SRTP", "",
                  "", pair - plain_pair, (pair - plain_pair) * kPacketsPerSecond / 1e9 * 100);
    }
  }
  return 0;
}
