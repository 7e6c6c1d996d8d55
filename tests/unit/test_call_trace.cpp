// The pieces of call traces: SIP messages put back together from Sofia's
// tport log, Q.931 headers read from LAPD frames, and the pcapng file.

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "drivers/isdn/q931_frame.hpp"
#include "drivers/sqlite/sqlite_db.hpp"
#include "gateway/app/call_trace_store.hpp"
#include "gateway/app/pcapng.hpp"
#include "gateway/sip/wire_log.hpp"

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (const int value : values) out.push_back(static_cast<std::byte>(value));
  return out;
}

// Fed as Sofia 1.12.11's tport_log_msg() calls su_log: the stamp with the
// first separator, then each line's text and its newline separately.
TEST(WireLog, PutsAMessageBackTogetherFromTportLogFragments) {
  std::vector<gw::sip::WireMessage> messages;
  std::vector<std::string> others;
  gw::sip::WireLogAssembler log([&](gw::sip::WireMessage m) { messages.push_back(std::move(m)); },
                                [&](std::string_view line) { others.emplace_back(line); });
  // As tport_log_msg calls su_log: the stamp with the separator, each line
  // and its end apart, then the separator.
  log.feed("recv 120 bytes from udp/[127.0.0.1]:5061 at 10:04:05.123456:\n");
  log.separator();
  for (const char* line : {"BYE sip:gw SIP/2.0", "Call-ID: abc@host", "Content-Length: 0", ""}) {
    log.feed(std::string("   ") + line);
    log.feed("\n");
  }
  log.separator();
  log.feed("nta: something else\n");
  log.separator();  // not after a stamp: ignored
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_FALSE(messages[0].sent);
  EXPECT_EQ(messages[0].transport, "udp");
  EXPECT_EQ(messages[0].peer_address, "127.0.0.1");
  EXPECT_EQ(messages[0].peer_port, 5061);
  EXPECT_EQ(messages[0].text,
            "BYE sip:gw SIP/2.0\r\nCall-ID: abc@host\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(others, std::vector<std::string>{"nta: something else"});
}

// A trace of an SRTP call keeps its a=crypto lines, not their keys.
TEST(WireLog, SrtpKeysAreStarredOutKeepingTheLength) {
  const std::string line =
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
      "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32";
  const std::string redacted = gw::sip::without_sdes_keys(line);
  EXPECT_EQ(redacted,
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(40, '*') + "|2^20|1:32");
  EXPECT_EQ(gw::sip::without_sdes_keys("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:abc;inline:def"),
            "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:***;inline:***");
  EXPECT_EQ(gw::sip::without_sdes_keys("a=rtpmap:0 PCMU/8000"), "a=rtpmap:0 PCMU/8000");
  EXPECT_EQ(gw::sip::without_sdes_keys("X-Note: inline:kept"), "X-Note: inline:kept");

  std::vector<gw::sip::WireMessage> messages;
  gw::sip::WireLogAssembler log([&](gw::sip::WireMessage m) { messages.push_back(std::move(m)); },
                                nullptr);
  log.feed("send 300 bytes to tls/[127.0.0.1]:5061 at 10:04:05.123456:\n");
  log.separator();
  for (const std::string& text : {std::string("INVITE sip:gw SIP/2.0"), std::string(""), line}) {
    log.feed("   " + text);
    log.feed("\n");
  }
  log.separator();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].text.find("WVNfX19"), std::string::npos) << messages[0].text;
  EXPECT_NE(messages[0].text.find("inline:****"), std::string::npos) << messages[0].text;
}

TEST(WireLog, ReadsASentMessageToAnIpv6Peer) {
  std::vector<gw::sip::WireMessage> messages;
  gw::sip::WireLogAssembler log([&](gw::sip::WireMessage m) { messages.push_back(std::move(m)); },
                                nullptr);
  log.feed("send 30 bytes to tcp/[::1]:5070 at 10:04:05.123456:\n");
  log.separator();
  log.feed("   SIP/2.0 200 OK\n   ");
  log.feed("\n");  // the separator's own argument ends a last line
  log.separator();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_TRUE(messages[0].sent);
  EXPECT_EQ(messages[0].transport, "tcp");
  EXPECT_EQ(messages[0].peer_address, "::1");
  EXPECT_EQ(messages[0].peer_port, 5070);
  EXPECT_EQ(messages[0].text, "SIP/2.0 200 OK\r\n\r\n");
}

TEST(WireLog, ALineOfDashesInAMessageStaysInIt) {
  std::vector<gw::sip::WireMessage> messages;
  gw::sip::WireLogAssembler log([&](gw::sip::WireMessage m) { messages.push_back(std::move(m)); },
                                nullptr);
  const std::string dashes(72, '-');
  log.feed("recv 99 bytes from udp/[127.0.0.1]:5061 at 10:04:05.123456:\n");
  log.separator();
  for (const std::string& line :
       std::vector<std::string>{"MESSAGE sip:gw SIP/2.0", "", dashes, "after"}) {
    log.feed("   " + line);
    log.feed("\n");
  }
  log.separator();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].text, "MESSAGE sip:gw SIP/2.0\r\n\r\n" + dashes + "\r\nafter\r\n");
}

TEST(WireLog, KnowsTportsSeparatorFormatFromOtherFormats) {
  EXPECT_TRUE(gw::sip::is_separator_format("%s   " + std::string(72, '-') + "\n"));
  EXPECT_FALSE(gw::sip::is_separator_format("%s%.*s"));
  EXPECT_FALSE(gw::sip::is_separator_format("\n"));
  EXPECT_FALSE(gw::sip::is_separator_format("%s   *** message truncated at %zu ***\n"));
  EXPECT_FALSE(gw::sip::is_separator_format("%s   " + std::string(72, '-') + "x\n"));
}

TEST(Q931Frame, ReadsTheCallReferenceAndMessageTypeOfAnIFrame) {
  // SAPI 0 TEI 0, I-frame N(S) N(R), Q.931: PD 08, CR length 2, CR 0x0001 then
  // with the flag (from the destination), message type CONNECT.
  const auto frame = bytes({0x00, 0x01, 0x14, 0x14, 0x08, 0x02, 0x80, 0x01, 0x07, 0x18});
  const auto header = gw::isdn::q931_header(frame);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->call_reference, 1);
  EXPECT_TRUE(header->from_destination);
  EXPECT_EQ(gw::isdn::q931_message_name(header->message_type), "CONNECT");
}

TEST(Q931Frame, IgnoresSupervisoryFramesOtherSapisAndShortFrames) {
  EXPECT_FALSE(gw::isdn::q931_header(bytes({0x00, 0x01, 0x01, 0x15})));        // RR
  EXPECT_FALSE(gw::isdn::q931_header(bytes({0x00, 0x01, 0x7f})));              // SABME
  EXPECT_FALSE(gw::isdn::q931_header(bytes({0xfc, 0x01, 0x00, 0x00, 0x08})));  // SAPI 63
  EXPECT_FALSE(gw::isdn::q931_header(bytes({0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00})));
  const auto restart =
      gw::isdn::q931_header(bytes({0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x46}));
  ASSERT_TRUE(restart);
  EXPECT_EQ(restart->call_reference, 0) << "the global call reference";
  EXPECT_EQ(gw::isdn::q931_message_name(0x46), "RESTART");
  EXPECT_EQ(gw::isdn::q931_message_name(0x99), "message 0x99");
}

std::uint32_t le32_at(const std::string& data, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<std::uint8_t>(data[at + i]);
  return value;
}

// A calls.db from before decodes were kept: its q931_messages table gains
// the column when the store opens it, its old rows read without a decode,
// and a new frame's decode comes back with the call's trace.
TEST(CallTraceStore, AnOlderFileGainsTheDecodeColumnAndKeepsItsRows) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("sipgw-trace-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "calls.db").string();
  const auto now = std::chrono::system_clock::now();
  const auto micros = [](std::chrono::system_clock::time_point when) {
    return std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  };
  {
    const gw::sqlite::Database old(path, 1000, "");
    old.execute(
        "CREATE TABLE q931_messages (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, span TEXT "
        "NOT NULL, call_reference INTEGER NOT NULL, sent INTEGER NOT NULL, summary TEXT NOT NULL, "
        "frame BLOB NOT NULL)");
    gw::sqlite::Statement row(old,
                              "INSERT INTO q931_messages (time_us, span, call_reference, sent, "
                              "summary, frame) VALUES (?1, 'span1', 1, 1, 'SETUP', x'00')");
    row.bind(1, static_cast<std::int64_t>(micros(now))).run();
  }
  {
    gw::app::CallTraceStore store(path);
    gw::isdn::DChannelFrame frame;
    frame.time = now + std::chrono::milliseconds(5);
    frame.bytes = bytes({0x02, 0x01, 0x00, 0x00, 0x08, 0x02, 0x80, 0x01, 0x45});
    frame.decoded = "Message Type: DISCONNECT (69)";
    store.add_frame("span1", frame);
    gw::core::CallRecord record;
    record.call_id = "abc@host";
    record.span = "span1";
    record.call_reference = 1;
    record.start = now - std::chrono::seconds(1);
    record.end = now + std::chrono::seconds(1);
    store.add_call(record);
    const auto trace = store.trace("abc@host");
    ASSERT_TRUE(trace.has_value());
    ASSERT_EQ(trace->messages.size(), 2U);
    EXPECT_EQ(trace->messages[0].summary, "SETUP");
    EXPECT_EQ(trace->messages[0].decoded, "") << "an old row";
    EXPECT_EQ(trace->messages[1].summary, "DISCONNECT");
    EXPECT_EQ(trace->messages[1].decoded, "Message Type: DISCONNECT (69)");
  }
  gw::app::CallTraceStore again(path);  // opened once more: nothing to add
  std::filesystem::remove_all(dir);
}

TEST(Pcapng, HasASectionTwoInterfacesAndAPacketPerMessage) {
  gw::app::CallTrace trace;
  gw::app::TracedMessage invite;
  invite.time_us = 1'000'000;
  invite.peer_address = "127.0.0.1";
  invite.peer_port = 5061;
  invite.content = "INVITE sip:x SIP/2.0\r\n\r\n";
  gw::app::TracedMessage setup;
  setup.sip = false;
  setup.sent = true;
  setup.time_us = 1'000'500;
  setup.content = std::string("\x00\x01\x00\x00\x08\x02\x00\x01\x05", 9);
  trace.messages = {invite, setup};
  const auto file = gw::app::call_pcapng(trace, {"127.0.0.1", 5060, "127.0.0.1", false});
  // Blocks: type, total length (a multiple of 4, repeated at the end).
  std::vector<std::uint32_t> types;
  for (std::size_t at = 0; at < file.size();) {
    const auto length = le32_at(file, at + 4);
    ASSERT_EQ(length % 4, 0U);
    ASSERT_EQ(le32_at(file, at + length - 4), length);
    types.push_back(le32_at(file, at));
    at += length;
  }
  EXPECT_EQ(types, (std::vector<std::uint32_t>{0x0a0d0d0a, 1, 1, 6, 6}));
  EXPECT_NE(file.find("INVITE sip:x SIP/2.0"), std::string::npos);
}

}  // namespace
