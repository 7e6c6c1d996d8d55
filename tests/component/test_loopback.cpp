// The loopback line behaves as DAHDI does towards its user: frames with FCS on
// the D-channel, 20 ms blocks on the B-channels, alarms, and sockets that
// survive the far end going away.

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "drivers/loopback/backend.hpp"
#include "drivers/loopback/fcs.hpp"
#include "drivers/loopback/loopback_span.hpp"

namespace gw::loopback {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Polls `fd` until readable or `limit`; true when readable.
bool wait_readable(int fd, std::chrono::milliseconds limit) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, static_cast<int>(limit.count())) == 1;
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::vector<std::byte> read_frame(tdm::Channel& channel) {
  std::vector<std::byte> buffer(1024);
  if (!wait_readable(channel.fd(), 2000ms)) return {};
  const auto got = channel.read(buffer);
  buffer.resize(got.ok() ? got.bytes : 0);
  return buffer;
}

TEST(LoopbackLine, DChannelFramesArriveWithTheirFcs) {
  auto pair = make_pair("d", tdm::Shape::e1, tdm::Law::alaw);
  ASSERT_TRUE(eventually([&] { return pair.a->alarms().clear(); }, 2s));
  // libpri hands over a SABME with two placeholder FCS octets.
  const std::vector<std::byte> sabme{std::byte{0x02}, std::byte{0x01}, std::byte{0x7F},
                                     std::byte{0}, std::byte{0}};
  ASSERT_TRUE(pair.a->d_channel().write(sabme).ok());
  const auto frame = read_frame(pair.b->d_channel());
  ASSERT_EQ(frame.size(), sabme.size()) << "the 2 FCS octets travel with the frame";
  EXPECT_TRUE(std::equal(sabme.begin(), sabme.end() - 2, frame.begin()));
  EXPECT_TRUE(fcs_valid(frame)) << "the line computed the FCS";
}

TEST(LoopbackLine, AFrameWithABadFcsIsDroppedAndReported) {
  auto pair = make_pair("fcs", tdm::Shape::e1, tdm::Law::alaw);
  ASSERT_TRUE(eventually([&] { return pair.a->alarms().clear(); }, 2s));
  (void)pair.b->take_events();  // the alarms clearing
  pair.a->corrupt_next_dframe();
  const std::vector<std::byte> frame(8, std::byte{0x33});
  ASSERT_TRUE(pair.a->d_channel().write(frame).ok());
  bool bad_fcs = false;
  for (int wakeups = 0; !bad_fcs && wakeups < 10; ++wakeups) {
    if (!wait_readable(pair.b->event_wait().fd, 200ms)) continue;
    for (const auto& event : pair.b->take_events()) {
      bad_fcs = bad_fcs || event.kind == tdm::SpanEvent::Kind::bad_fcs;
    }
  }
  EXPECT_TRUE(bad_fcs);
  EXPECT_FALSE(wait_readable(pair.b->d_channel().fd(), 100ms)) << "the bad frame was delivered";
}

TEST(LoopbackLine, BearerBlocksArriveEveryTwentyMilliseconds) {
  auto pair = make_pair("b", tdm::Shape::t1, tdm::Law::mulaw);
  std::error_code error;
  auto tx = pair.a->open_bearer(5, error);
  auto rx = pair.b->open_bearer(5, error);
  ASSERT_TRUE(tx && rx) << error.message();
  std::vector<std::byte> block(tdm::kBlockBytes);
  ASSERT_TRUE(wait_readable(rx->fd(), 1000ms));
  const auto start = Clock::now();
  int blocks = 0;
  while (blocks < 25 && Clock::now() - start < 3s) {
    if (!wait_readable(rx->fd(), 200ms)) continue;
    const auto got = rx->read(block);
    if (got.ok()) {
      EXPECT_EQ(got.bytes, tdm::kBlockBytes);
      ++blocks;
    }
  }
  EXPECT_EQ(blocks, 25);
  // Never as fast as possible: 25 blocks are half a second of line time.
  EXPECT_GE(Clock::now() - start, 450ms);
  EXPECT_EQ(block[0], tdm::idle_code(tdm::Law::mulaw)) << "nobody talks: idle code";
}

TEST(LoopbackLine, BearerAudioArrivesIntactAndInOrder) {
  auto pair = make_pair("audio", tdm::Shape::e1, tdm::Law::alaw);
  std::error_code error;
  auto tx = pair.a->open_bearer(31, error);
  auto rx = pair.b->open_bearer(31, error);
  ASSERT_TRUE(tx && rx);
  std::vector<std::byte> sent(tdm::kBlockBytes * 3);
  for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<std::byte>(i % 97 + 1);
  ASSERT_TRUE(tx->write(sent).ok());
  std::vector<std::byte> received;
  std::vector<std::byte> block(tdm::kBlockBytes);
  const auto start = Clock::now();
  while (received.size() < sent.size() + 10 * tdm::kBlockBytes && Clock::now() - start < 3s) {
    if (wait_readable(rx->fd(), 100ms) && rx->read(block).ok()) {
      received.insert(received.end(), block.begin(), block.end());
    }
  }
  const auto at = std::search(received.begin(), received.end(), sent.begin(), sent.end());
  EXPECT_NE(at, received.end()) << "the three blocks did not arrive intact";
}

TEST(LoopbackLine, TheD16TimeslotIsNotABearer) {
  auto pair = make_pair("ts16", tdm::Shape::e1, tdm::Law::alaw);
  std::error_code error;
  EXPECT_EQ(pair.a->open_bearer(16, error), nullptr);
  EXPECT_EQ(error, std::errc::invalid_argument);
  EXPECT_EQ(pair.a->open_bearer(32, error), nullptr);
}

TEST(LoopbackLine, ReceiveLossIsRedHereAndYellowThere) {
  LineOptions quick;
  quick.loss_of_frame = 200ms;
  auto pair = make_pair("alarm", tdm::Shape::e1, tdm::Law::alaw, quick);
  ASSERT_TRUE(eventually([&] { return pair.a->alarms().clear() && pair.b->alarms().clear(); }, 2s));
  pair.a->cut_line(LoopbackSpan::Cut::receive);
  ASSERT_TRUE(eventually([&] { return pair.a->alarms().has(tdm::Alarm::red); }, 2s));
  ASSERT_TRUE(eventually([&] { return pair.b->alarms().has(tdm::Alarm::yellow); }, 2s));
  EXPECT_FALSE(pair.b->alarms().has(tdm::Alarm::red));
  pair.a->cut_line(LoopbackSpan::Cut::none);
  EXPECT_TRUE(eventually([&] { return pair.a->alarms().clear() && pair.b->alarms().clear(); }, 2s));
}

TEST(LoopbackLine, AisIsBlueAtTheFarEnd) {
  auto pair = make_pair("ais", tdm::Shape::t1, tdm::Law::mulaw);
  ASSERT_TRUE(eventually([&] { return pair.b->alarms().clear(); }, 2s));
  pair.a->send_ais(true);
  ASSERT_TRUE(eventually([&] { return pair.b->alarms().has(tdm::Alarm::blue); }, 2s));
  EXPECT_TRUE(pair.b->alarms().line_down());
  const auto events = pair.b->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const tdm::SpanEvent& event) {
    return event.kind == tdm::SpanEvent::Kind::alarms_changed && event.alarms.has(tdm::Alarm::blue);
  }));
  pair.a->send_ais(false);
  EXPECT_TRUE(eventually([&] { return pair.b->alarms().clear(); }, 2s));
}

std::string socket_path(const std::string& name) {
  return "/tmp/sipgw-test-" + std::to_string(::getpid()) + "-" + name + ".sock";
}

TEST(LoopbackSockets, ListenAndConnectEndsReconnectAfterTheFarEndGoes) {
  Backend backend;
  const auto path = socket_path("reconnect");
  auto listener = backend.open(tdm::parse_span_spec("loopback:listen:" + path, tdm::Shape::e1));
  auto connector = backend.open(tdm::parse_span_spec("loopback:connect:" + path, tdm::Shape::e1));
  ASSERT_TRUE(eventually([&] { return listener->alarms().clear(); }, 3s));
  connector.reset();  // the far end's process goes away
  ASSERT_TRUE(eventually([&] { return listener->alarms().has(tdm::Alarm::red); }, 3s))
      << "losing the far end is a red alarm at once";
  connector = backend.open(tdm::parse_span_spec("loopback:connect:" + path, tdm::Shape::e1));
  EXPECT_TRUE(eventually([&] { return listener->alarms().clear(); }, 3s)) << "it comes back";
  const std::vector<std::byte> frame(6, std::byte{0x11});
  ASSERT_TRUE(connector->d_channel().write(frame).ok());
  EXPECT_EQ(read_frame(listener->d_channel()).size(), frame.size());
}

TEST(LoopbackSockets, AnE1FacingAT1StaysRed) {
  Backend backend;
  const auto path = socket_path("shape");
  auto e1 = backend.open(tdm::parse_span_spec("loopback:listen:" + path, tdm::Shape::e1));
  auto t1 = backend.open(tdm::parse_span_spec("loopback:connect:" + path, tdm::Shape::t1));
  ASSERT_TRUE(eventually([&] { return e1->connected() && t1->connected(); }, 3s));
  // What is shown is that the alarm does not clear. A matching pair that
  // connects after these clears once hellos and frames have crossed; by then
  // the mismatched ones have had as long, so their red is not just early.
  const auto matching = socket_path("shape-control");
  auto a = backend.open(tdm::parse_span_spec("loopback:listen:" + matching, tdm::Shape::e1));
  auto b = backend.open(tdm::parse_span_spec("loopback:connect:" + matching, tdm::Shape::e1));
  ASSERT_TRUE(eventually([&] { return a->alarms().clear() && b->alarms().clear(); }, 3s));
  EXPECT_TRUE(e1->alarms().has(tdm::Alarm::red));
  EXPECT_TRUE(t1->alarms().has(tdm::Alarm::red));
}

TEST(LoopbackSockets, PairAddressesWireTwoSpansInOneProcess) {
  Backend backend;
  auto a = backend.open(tdm::parse_span_spec("loopback:pair:p1", tdm::Shape::e1));
  auto b = backend.open(tdm::parse_span_spec("loopback:pair:p1", tdm::Shape::e1));
  ASSERT_TRUE(eventually([&] { return a->alarms().clear() && b->alarms().clear(); }, 2s));
  EXPECT_THROW((void)backend.open(tdm::parse_span_spec("loopback:wire:x", tdm::Shape::e1)),
               std::invalid_argument);
}

}  // namespace
}  // namespace gw::loopback
