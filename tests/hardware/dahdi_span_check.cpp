// Runs inside the hardware test's virtual machine, on the real DAHDI driver
// with two spans wired back to back (dahdi_dynamic_loc): the project's DAHDI
// backend must carry HDLC frames on the D-channels and bit-exact audio on a
// B-channel both ways, and attach DAHDI's echo canceller when asked to.
// usage: dahdi_span_check [--echo-canceller NAME] SPAN_A SPAN_B   (exit 0 = PASS)

#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/dahdi/dahdi_span.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using gw::dahdi::DahdiSpan;

constexpr std::size_t kPatternBytes = 16000;  // 2 s of 8 kHz audio
constexpr std::size_t kSlackBytes = 8000;     // idle before the pattern arrives
constexpr std::size_t kMatchBytes = 32;

void report(bool ok, const std::string& what) {
  std::cout << (ok ? "PASS: " : "FAIL: ") << what << std::endl;
}

std::unique_ptr<DahdiSpan> open_span(int number, const std::string& echo_canceller = "") {
  auto spec = gw::tdm::parse_span_spec("dahdi:" + std::to_string(number), gw::tdm::Shape::e1);
  spec.echo_canceller = echo_canceller;
  const gw::dahdi::BackendPaths paths;
  return std::make_unique<DahdiSpan>(spec, gw::dahdi::locate_span(number, paths), paths);
}

bool wait_readable(int fd, std::chrono::milliseconds limit) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, static_cast<int>(limit.count())) == 1;
}

// An LAPD UI frame plus the 2 placeholder FCS octets DAHDI overwrites, as
// libpri writes them. The first frames after the spans start may be lost
// (HDLC itself does not resend): try a few times.
bool check_dchannel(DahdiSpan& from, DahdiSpan& to, const std::string& direction) {
  const std::vector<std::byte> frame{std::byte{0x02}, std::byte{0x01}, std::byte{0x03},
                                     std::byte{0x08}, std::byte{0x42}, std::byte{0x7e},
                                     std::byte{0x7d}, std::byte{0},    std::byte{0}};
  std::vector<std::byte> got(1024);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    const auto wrote = from.d_channel().write(frame);
    if (!wrote.ok() || wrote.bytes != frame.size()) continue;
    if (!wait_readable(to.d_channel().fd(), 500ms)) continue;
    const auto read = to.d_channel().read(got);
    if (!read.ok()) continue;
    const bool same =
        read.bytes == frame.size() && std::equal(frame.begin(), frame.end() - 2, got.begin());
    report(same, "D-channel " + direction + ": " + std::to_string(read.bytes) +
                     " octets on attempt " + std::to_string(attempt) +
                     (same ? ", frame intact" : ", frame differs"));
    return same;
  }
  report(false, "D-channel " + direction + ": nothing received in 6 attempts");
  return false;
}

// Pseudo-random audio without 0x7f/0xff (mu-law zero codes) nor 0x55/0xd5
// (A-law's), so an idle gap can never pass for the pattern.
std::vector<std::byte> make_pattern(std::uint32_t seed) {
  std::vector<std::byte> pattern;
  pattern.reserve(kPatternBytes);
  while (pattern.size() < kPatternBytes) {
    seed = seed * 1103515245U + 12345U;
    const auto octet = static_cast<std::uint8_t>(seed >> 16);
    if (octet == 0x7f || octet == 0xff || octet == 0x55 || octet == 0xd5) continue;
    pattern.push_back(std::byte{octet});
  }
  return pattern;
}

// One direction of the audio check; the channels belong to check_audio.
struct Stream {
  std::string direction;
  gw::tdm::Channel* tx;
  gw::tdm::Channel* rx;
  std::vector<std::byte> pattern;
  std::size_t sent = 0;
  std::vector<std::byte> received;
  [[nodiscard]] bool done() const { return received.size() >= pattern.size() + kSlackBytes; }
};

void pump(Stream& stream, short tx_events, short rx_events) {
  if ((tx_events & POLLOUT) != 0 && stream.sent < stream.pattern.size()) {
    const auto count = std::min(gw::tdm::kBlockBytes, stream.pattern.size() - stream.sent);
    const auto wrote = stream.tx->write(std::span(stream.pattern).subspan(stream.sent, count));
    if (wrote.ok()) stream.sent += wrote.bytes;
  }
  // Read on after the stream has enough, or poll() would spin on POLLIN.
  if ((rx_events & POLLIN) != 0) {
    std::array<std::byte, gw::tdm::kBlockBytes> block{};
    const auto read = stream.rx->read(block);
    if (read.ok() && !stream.done()) {
      stream.received.insert(stream.received.end(), block.begin(), block.begin() + read.bytes);
    }
  }
}

bool verify(const Stream& stream) {
  const auto& rx = stream.received;
  const auto& tx = stream.pattern;
  const auto start = std::search(rx.begin(), rx.end(), tx.begin(), tx.begin() + kMatchBytes);
  if (start == rx.end()) {
    report(false, "B-channel " + stream.direction + ": pattern not found in " +
                      std::to_string(rx.size()) + " octets (sent " + std::to_string(stream.sent) +
                      ")");
    return false;
  }
  const auto offset = static_cast<std::size_t>(start - rx.begin());
  const std::size_t compared = std::min(tx.size(), rx.size() - offset);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < compared; ++i) mismatches += rx[offset + i] != tx[i] ? 1 : 0;
  const bool ok = compared == tx.size() && mismatches == 0;
  std::ostringstream line;
  line << "B-channel " << stream.direction << ": " << compared << " octets compared, " << mismatches
       << " mismatches, pattern after " << static_cast<double>(offset) / 8.0 << " ms";
  report(ok, line.str());
  return ok;
}

// Both directions at once on timeslot 1, poll-driven, at most 10 s.
bool check_audio(DahdiSpan& a, DahdiSpan& b) {
  std::error_code error;
  auto on_a = a.open_bearer(1, error);
  auto on_b = on_a ? b.open_bearer(1, error) : nullptr;
  if (!on_a || !on_b) {
    report(false, "B-channel: cannot open timeslot 1: " + error.message());
    return false;
  }
  Stream ab{"A->B", on_a.get(), on_b.get(), make_pattern(12345), 0, {}};
  Stream ba{"B->A", on_b.get(), on_a.get(), make_pattern(54321), 0, {}};
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && !(ab.done() && ba.done())) {
    // POLLOUT only while there is audio to send, or poll() would spin.
    const auto wants = [](const Stream& out) {
      return static_cast<short>(POLLIN | (out.sent < out.pattern.size() ? POLLOUT : 0));
    };
    std::array<pollfd, 2> fds{{{on_a->fd(), wants(ab), 0}, {on_b->fd(), wants(ba), 0}}};
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    pump(ab, fds[0].revents, fds[1].revents);
    pump(ba, fds[1].revents, fds[0].revents);
  }
  const bool ok_ab = verify(ab);
  const bool ok_ba = verify(ba);
  return ok_ab && ok_ba;
}

// What /proc/dahdi/SPAN says about DAHDI channel `channo`, e.g.
// "     2 DYN/1:0/2 Clear (In use) (EC: MG2 - ACTIVE)".
std::string proc_line(int span, int channo) {
  std::ifstream in("/proc/dahdi/" + std::to_string(span));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    int number = 0;
    if (fields >> number && number == channo) return line;
  }
  return "(channel " + std::to_string(channo) + " not in /proc/dahdi/" + std::to_string(span) + ")";
}

bool has_echo_event(const std::vector<gw::tdm::SpanEvent>& events) {
  return std::any_of(events.begin(), events.end(), [](const gw::tdm::SpanEvent& event) {
    return event.kind == gw::tdm::SpanEvent::Kind::echo_canceller_unavailable;
  });
}

// The named canceller must end up active on the channel; an unknown one must
// be reported as unavailable while the channel still opens.
bool check_echo_canceller(int span_a, int span_b, const std::string& name) {
  auto a = open_span(span_a, name);
  std::error_code error;
  auto bearer = a->open_bearer(2, error);
  const auto line = proc_line(span_a, a->channel_number(2));
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const bool active = bearer && !has_echo_event(a->take_events()) &&
                      line.find("EC: " + upper + " - ACTIVE") != std::string::npos;
  report(active, "echo canceller " + name + " on timeslot 2: " + line);
  auto b = open_span(span_b, "nosuch");
  auto plain = b->open_bearer(2, error);
  const bool refused = plain && has_echo_event(b->take_events());
  report(refused, std::string("unknown echo canceller: ") +
                      (refused ? "reported, channel usable" : "not reported"));
  return active && refused;
}

// All three ways of finding a span (sysfs, DAHDI_SPANSTAT, system.conf) must
// agree on where its channels are.
bool check_discovery(int span) {
  const gw::dahdi::BackendPaths paths;
  std::ifstream conf_file(paths.system_conf);
  std::ostringstream conf;
  conf << conf_file.rdbuf();
  const auto from_sysfs = gw::dahdi::locate_in_sysfs(span, paths.sysfs);
  const auto from_spanstat = gw::dahdi::locate_by_spanstat(span, paths.control);
  std::optional<gw::dahdi::SpanLocation> from_conf;
  for (const auto& location : gw::dahdi::parse_system_conf(conf.str())) {
    if (location.span == span) from_conf = location;
  }
  std::ostringstream line;
  bool ok = true;
  for (const auto& [source, found] :
       {std::pair{"sysfs", from_sysfs}, {"SPANSTAT", from_spanstat}, {"system.conf", from_conf}}) {
    line << " " << source << "=";
    if (found) line << found->basechan << "+" << found->channels << "/" << found->type;
    ok = ok && found && found->basechan == from_sysfs->basechan &&
         found->channels == from_sysfs->channels && found->shape() == gw::tdm::Shape::e1;
  }
  report(ok, "span " + std::to_string(span) + " located:" + line.str());
  return ok;
}

int run(int span_a, int span_b, const std::string& echo_canceller) {
  bool ok = check_discovery(span_a) && check_discovery(span_b);
  {
    auto a = open_span(span_a);
    auto b = open_span(span_b);
    for (const auto* span : {a.get(), b.get()}) {
      const auto& at = span->location();
      std::cout << span->name() << ": channels " << at.basechan << "-"
                << at.basechan + at.channels - 1 << ", type '" << at.type << "', alarms "
                << span->alarms().to_string() << std::endl;
    }
    (void)a->take_events();
    (void)b->take_events();
    ok = check_dchannel(*a, *b, "A->B") && ok;
    ok = check_dchannel(*b, *a, "B->A") && ok;
    ok = check_audio(*a, *b) && ok;
  }
  if (!echo_canceller.empty()) ok = check_echo_canceller(span_a, span_b, echo_canceller) && ok;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string echo_canceller;
  if (args.size() >= 2 && args[0] == "--echo-canceller") {
    echo_canceller = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() != 2) {
    std::cerr << "usage: dahdi_span_check [--echo-canceller NAME] SPAN_A SPAN_B\n";
    return 2;
  }
  int rc = 1;
  try {
    rc = run(std::stoi(args[0]), std::stoi(args[1]), echo_canceller);
  } catch (const std::exception& error) {
    report(false, error.what());
  }
  std::cout << "DAHDI-SPAN-CHECK: " << (rc == 0 ? "PASS" : "FAIL") << std::endl;
  return rc;
}
