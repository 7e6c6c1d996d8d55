// Runs inside the hardware test's virtual machine, on the real DAHDI driver
// with two spans wired back to back: the project's DAHDI backend must carry a
// D-channel frame and bit-exact B-channel audio both ways.
// usage: dahdi_span_check SPAN_A SPAN_B   (exit 0 = PASS)

#include <poll.h>

#include <array>
#include <chrono>
#include <iostream>

#include "drivers/dahdi/backend.hpp"
#include "drivers/pstnsim/echo_probe.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool wait_readable(int fd, std::chrono::milliseconds limit) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, static_cast<int>(limit.count())) == 1;
}

bool check_dchannel(gw::tdm::Span& from, gw::tdm::Span& to) {
  // An LAPD UI frame with 2 placeholder FCS octets, as libpri writes them.
  // HDLC itself is not reliable (Q.921 resends), and the first frames after
  // the spans come up may be lost: send it again every half second.
  const std::vector<std::byte> frame{std::byte{0x02}, std::byte{0x01}, std::byte{0x03},
                                     std::byte{0x42}, std::byte{0x43}, std::byte{0},
                                     std::byte{0}};
  std::vector<std::byte> got(1024);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    if (!from.d_channel().write(frame).ok()) continue;
    if (!wait_readable(to.d_channel().fd(), 500ms)) continue;
    const auto read = to.d_channel().read(got);
    if (!read.ok()) continue;
    const bool same =
        read.bytes == frame.size() && std::equal(frame.begin(), frame.end() - 2, got.begin());
    std::cout << "D-channel: " << read.bytes << " octets received on attempt " << attempt << ", "
              << (same ? "frame intact" : "frame differs") << std::endl;
    return same;
  }
  std::cout << "D-channel: nothing received in 6 attempts" << std::endl;
  return false;
}

bool check_audio(gw::tdm::Span& from, gw::tdm::Span& to, const char* direction) {
  std::error_code error;
  auto tx = from.open_bearer(1, error);
  auto rx = to.open_bearer(1, error);
  if (!tx || !rx) {
    std::cout << "B-channel: cannot open timeslot 1: " << error.message() << std::endl;
    return false;
  }
  const gw::pstnsim::EchoProbe probe(16000);  // two seconds
  std::vector<std::byte> received;
  std::size_t sent = 0;
  std::vector<std::byte> block(gw::tdm::kBlockBytes);
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && received.size() < probe.pattern().size() + 8000) {
    std::array<pollfd, 2> fds{{{tx->fd(), POLLOUT, 0}, {rx->fd(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    if ((fds[0].revents & POLLOUT) != 0 && sent < probe.pattern().size()) {
      const auto wrote = tx->write(probe.pattern().subspan(sent, gw::tdm::kBlockBytes));
      if (wrote.ok()) sent += wrote.bytes;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      const auto read = rx->read(block);
      if (read.ok())
        received.insert(received.end(), block.begin(),
                        block.begin() + static_cast<long>(read.bytes));
    }
  }
  const auto match = probe.find(received);
  if (!match) {
    std::cout << "B-channel " << direction << ": pattern not found in " << received.size()
              << " bytes" << std::endl;
    return false;
  }
  std::cout << "B-channel " << direction << ": " << match->compared << " bytes compared, "
            << match->mismatches << " mismatches, latency " << match->delay_ms() << " ms"
            << std::endl;
  return match->mismatches == 0 && match->compared == probe.pattern().size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: dahdi_span_check SPAN_A SPAN_B\n";
    return 2;
  }
  try {
    gw::tdm::BackendRegistry registry;
    gw::dahdi::register_backend(registry);
    auto a = registry.open(
        gw::tdm::parse_span_spec(std::string("dahdi:") + argv[1], gw::tdm::Shape::e1));
    auto b = registry.open(
        gw::tdm::parse_span_spec(std::string("dahdi:") + argv[2], gw::tdm::Shape::e1));
    std::cout << "spans open; alarms " << a->alarms().to_string() << " / "
              << b->alarms().to_string() << std::endl;
    const bool ok = check_dchannel(*a, *b) && check_dchannel(*b, *a) &&
                    check_audio(*a, *b, "A->B") && check_audio(*b, *a, "B->A");
    std::cout << "DAHDI-SPAN-CHECK: " << (ok ? "PASS" : "FAIL") << std::endl;
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::cout << "DAHDI-SPAN-CHECK: FAIL: " << error.what() << std::endl;
    return 1;
  }
}
