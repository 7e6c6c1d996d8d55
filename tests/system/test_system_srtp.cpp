// SRTP (RFC 3711, SDES keys by RFC 4568) against the real sipgw daemon with a
// real softphone: Debian's baresip, its srtp module with mediaenc=srtp-mand,
// plays a WAV of tones (aufile) into a call over TLS to the seed number; the
// simulated PSTN echoes; its sndfile module records what it heard. The plan
// requires SRTP from 127.0.0.1. Checked: the recording is the tones, delayed
// by the round trip (by correlation, not the call state); the SDP in the
// gateway's trace is RTP/SAVP with a=crypto both ways, over TLS; every
// packet the softphone sent passed authentication (plain RTP would all have
// failed); the call's pcap capture is plain RTP. And the same softphone over
// UDP is refused 488: SDES keys are never taken without TLS.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/app/call_trace_store.hpp"
#include "tests/system/stunnel.hpp"
#include "tests/system/system_fixture.hpp"
#include "web/tls_identity.hpp"

namespace gw::test {
namespace {

// baresip as a phone the PSTN calls: SIP on this port of the test's, TLS on
// the next (baresip's rule), RTP on the two after.
int callee_sip_port() {
  return GatewayProcess::sip_port_of_this_process() + 20;
}

// The trunk's calls from the PSTN go to that phone over TLS, by the name its
// certificate carries (localhost) at 127.0.0.1; SRTP is required with it
// and with any caller from 127.0.0.1.
std::string plan() {
  return R"({
  "trust": {"peers": ["127.0.0.1/32"]},
  "trunks": [{"name": "t1", "backend": "loopback", "spans": ["span1"],
              "sip_peers": ["sip:localhost:)" +
         std::to_string(callee_sip_port() + 1) + R"(;transport=tls;maddr=127.0.0.1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}],
  "media_encryption": {"default": "none",
                       "peers": {"127.0.0.1": "required", "localhost": "required"}}
}
)";
}

constexpr int kRate = 8000;

// 0.3 s of silence, eight tones of 250 ms (400-1300 Hz) with 100 ms gaps,
// and 1 s of silence for the echo to come back before the file (and with it
// the call) ends.
std::vector<std::int16_t> tones() {
  std::vector<std::int16_t> samples(kRate * 3 / 10, 0);
  for (const int frequency : {400, 700, 1000, 1300, 600, 900, 1200, 500}) {
    for (int i = 0; i < kRate / 4; ++i) {
      const double phase = 2.0 * std::numbers::pi * frequency * i / kRate;
      samples.push_back(static_cast<std::int16_t>(8000.0 * std::sin(phase)));
    }
    samples.insert(samples.end(), kRate / 10, 0);
  }
  samples.insert(samples.end(), kRate, 0);
  return samples;
}

void write_wav(const std::filesystem::path& path, const std::vector<std::int16_t>& samples) {
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
  std::ofstream out(path, std::ios::binary);
  const auto u32 = [&](std::uint32_t value) {
    out.write(reinterpret_cast<const char*>(&value), 4);
  };
  const auto u16 = [&](std::uint16_t value) {
    out.write(reinterpret_cast<const char*>(&value), 2);
  };
  out.write("RIFF", 4);
  u32(36 + data_bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(kRate);
  u32(kRate * 2);
  u16(2);
  u16(16);
  out.write("data", 4);
  u32(data_bytes);
  out.write(reinterpret_cast<const char*>(samples.data()), data_bytes);
}

// The 16-bit samples of a WAV file's data chunk (sndfile's dumps are mono
// 16-bit PCM); empty when it has none.
std::vector<std::int16_t> read_wav(const std::filesystem::path& path) {
  const std::string bytes = read_text(path.string());
  std::vector<std::int16_t> samples;
  for (std::size_t at = 12; at + 8 <= bytes.size();) {
    std::uint32_t size = 0;
    std::memcpy(&size, bytes.data() + at + 4, 4);
    if (bytes.compare(at, 4, "data") == 0) {
      const std::size_t count = std::min<std::size_t>(size, bytes.size() - at - 8) / 2;
      samples.resize(count);
      std::memcpy(samples.data(), bytes.data() + at + 8, count * 2);
      return samples;
    }
    at += 8 + size + (size & 1U);
  }
  return samples;
}

struct Correlation {
  double best = 0.0;  // normalised, 1.0: the same waveform
  int lag_ms = -1;    // how much later it came back
};

// The lag (up to 1 s) at which `heard` looks most like samples [from, to)
// of `sent`.
Correlation correlate(const std::vector<std::int16_t>& sent, std::size_t from, std::size_t to,
                      const std::vector<std::int16_t>& heard) {
  Correlation result;
  for (std::size_t lag = 0; lag < kRate && from + lag < heard.size(); ++lag) {
    double cross = 0;
    double sent_energy = 0;
    double heard_energy = 0;
    for (std::size_t i = from; i < to && i + lag < heard.size(); ++i) {
      const double a = sent[i];
      const double b = heard[i + lag];
      cross += a * b;
      sent_energy += a * a;
      heard_energy += b * b;
    }
    if (sent_energy == 0 || heard_energy == 0) continue;
    const double value = cross / std::sqrt(sent_energy * heard_energy);
    if (value > result.best) {
      result.best = value;
      result.lag_ms = static_cast<int>(lag * 1000 / kRate);
    }
  }
  return result;
}

// Each tone of tones() looked for in `heard` on its own: a playout buffer
// that drops or stretches a little between tones (baresip's, on a busy
// machine) moves the later ones, and one correlation over the whole file
// would blame the gateway for it.
std::vector<Correlation> correlate_tones(const std::vector<std::int16_t>& heard) {
  const auto sent = tones();
  std::vector<Correlation> found;
  for (std::size_t tone = 0; tone < 8; ++tone) {
    const std::size_t from = kRate * 3 / 10 + tone * (kRate / 4 + kRate / 10);
    found.push_back(correlate(sent, from, from + kRate / 4, heard));
  }
  return found;
}

class SystemSrtp : public GatewaySuite<SystemSrtp> {
 public:
  // The phone's identity (a certificate for localhost) is made first: the
  // gateway checks the phone against it, as its cafile.pem.
  static GatewaySetup setup() {
    std::filesystem::remove_all(callee_identity());
    web::ensure_sip_tls_folder(callee_identity().string(), "127.0.0.1");
    GatewaySetup setup{1, {}, plan()};
    setup.data_files = {{"sip-tls/cafile.pem", read_text(callee_identity() / "certificate.pem")}};
    return setup;
  }
  static void TearDownTestSuite() {
    GatewaySuite<SystemSrtp>::TearDownTestSuite();
    std::filesystem::remove_all(callee_identity());
  }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  // A baresip configuration in its own folder: SIP on one of the test's
  // ports, RTP on two more, the gateway's certificate as its CA, the WAV
  // as its microphone, recordings in rec/, and an account that requires
  // SRTP with `transport`.
  static std::filesystem::path callee_identity() {
    return std::filesystem::temp_directory_path() /
           ("sipgw-srtp-callee-" + std::to_string(::getpid()));
  }

  static std::filesystem::path baresip_folder(const std::string& name,
                                              const std::string& transport) {
    return baresip_folder(name,
                          "<sip:tester@127.0.0.1;transport=" + transport +
                              ">;mediaenc=srtp-mand;audio_codecs=pcma;regint=0",
                          gateway_->sip_port() + 37);
  }
  // `account` is its accounts line; SIP on `port`, TLS on port + 1 (a
  // caller's RTP shares its two with it: it listens on TLS only for a
  // callee). A phone (a `callee`) shows the certificate made for
  // localhost and takes RTP on the two ports after its TLS one.
  static std::filesystem::path baresip_folder(const std::string& name, const std::string& account,
                                              int port, bool callee = false) {
    auto folder = gateway_->dir() / name;
    std::filesystem::create_directories(folder / "rec");
    write_wav(folder / "tones.wav", tones());
    std::ofstream config(folder / "config");
    if (callee) config << "sip_certificate " << (callee_identity() / "agent.pem").string() << "\n";
    config << "poll_method epoll\n"
           << "sip_listen 127.0.0.1:" << port << "\n"
           << "sip_cafile " << (gateway_->dir() / "sip-tls" / "certificate.pem").string() << "\n"
           << "audio_player aubridge,x\naudio_alert aubridge,x\n"
           << "audio_source aufile," << (folder / "tones.wav").string() << "\n"
           << "net_interface 127.0.0.1\n"
           << "rtp_ports " << port + (callee ? 2 : 1) << "-" << port + (callee ? 3 : 2) << "\n"
           << "module_path /usr/lib/baresip/modules\n"
           << "module g711.so\nmodule aufile.so\nmodule aubridge.so\nmodule srtp.so\n"
           << "module sndfile.so\nmodule_tmp account.so\nmodule_app menu.so\n"
           << "snd_path " << (folder / "rec").string() << "\n";
    std::ofstream(folder / "accounts") << account << "\n";
    const std::ofstream contacts(folder / "contacts");  // an empty file: no contacts
    return folder;
  }

  // baresip dials the seed number and quits after `seconds`; its output.
  static std::string dial(const std::filesystem::path& folder, const std::string& uri,
                          int seconds) {
    const std::string log = (folder / "baresip.log").string();
    const pid_t pid = spawn({"baresip", "-v", "-s", "-f", folder.string(), "-e", "/dial " + uri,
                             "-t", std::to_string(seconds)},
                            log);
    EXPECT_NE(pid, 0) << "baresip did not start";
    EXPECT_EQ(wait_exit(pid, std::chrono::seconds(seconds + 15)), 0) << read_text(log);
    return read_text(log);
  }

  static std::filesystem::path recording(const std::filesystem::path& folder,
                                         const std::string& suffix) {
    for (const auto& entry : std::filesystem::directory_iterator(folder / "rec")) {
      if (entry.path().filename().string().ends_with(suffix)) return entry.path();
    }
    return {};
  }

  static std::string seed_uri(const std::string& transport) {
    const int port = transport == "tls" ? gateway_->tls_port() : gateway_->sip_port();
    return "sip:7773660;phone-context=p1234@127.0.0.1:" + std::to_string(port) +
           ";user=phone;transport=" + transport;
  }
};

// What baresip heard in `folder`'s recording is its own tones, a round
// trip later: at least 7 of the 8 found by correlation.
void expect_echo_of_tones(const std::filesystem::path& heard_file, const std::string& what,
                          const std::string& output) {
  ASSERT_FALSE(heard_file.empty()) << "no recording\n" << output;
  const auto heard = read_wav(heard_file);
  const auto found = correlate_tones(heard);
  int matched = 0;
  std::string report;
  for (const auto& tone : found) {
    report += " " + std::to_string(tone.best).substr(0, 5) + "@" + std::to_string(tone.lag_ms);
    // The lag is baresip's own buffering plus the round trip: about 200 ms
    // in a plain build, 620 ms under the sanitizers' slow unwinding. An echo
    // cannot come back in under 20 ms; past 900 ms it is not this call's.
    if (tone.best > 0.95 && tone.lag_ms >= 20 && tone.lag_ms <= 900) ++matched;
  }
  std::cout << what << ": its tones came back (correlation@ms):" << report << " ("
            << heard.size() / 8 << " ms recorded)\n";
  EXPECT_GE(matched, 7) << "the recording is not the echo of the tones:" << report;
}

// The gateway agreed on SRTP for the call whose log begins at `from`, and
// nothing it received failed authentication; its trace has RTP/SAVP with a
// key both ways (starred out), inside TLS, and the captured RTP is plain
// (12-byte header and 160 bytes of PCMA, no tag).
void expect_srtp_call(const std::filesystem::path& data_dir, const std::string& log,
                      std::size_t from, const std::string& call_id) {
  EXPECT_NE(log.find("audio is SRTP AES_CM_128_HMAC_SHA1_80", from), std::string::npos) << log;
  const auto counts = log.find("SRTP: ", from);
  ASSERT_NE(counts, std::string::npos) << log;
  const std::string line = log.substr(counts, log.find('\n', counts) - counts);
  // (baresip sends its last RTCP BYE in clear as it hangs up: SRTCP may
  // count one failure, apart.)
  EXPECT_NE(line.find(" 0 failed authentication, 0 replayed; SRTCP: "), std::string::npos) << line;
  EXPECT_EQ(line.find("SRTP: 0 packets"), std::string::npos) << line;

  const app::CallTraceStore traces((data_dir / "calls.db").string());
  const auto trace = traces.trace(call_id);
  ASSERT_TRUE(trace.has_value()) << call_id;
  int savp_offers = 0;
  for (const auto& message : trace->messages) {
    if (!message.sip || message.content.find("m=audio") == std::string::npos) continue;
    EXPECT_EQ(message.transport, "tls") << message.summary;
    EXPECT_NE(message.content.find("RTP/SAVP"), std::string::npos) << message.content;
    EXPECT_NE(message.content.find("a=crypto:"), std::string::npos) << message.content;
    // The keys are not kept: each one is starred out in the trace.
    for (auto at = message.content.find("inline:"); at != std::string::npos;
         at = message.content.find("inline:", at + 7)) {
      EXPECT_EQ(message.content.substr(at + 7, 8), "********") << message.content;
    }
    ++savp_offers;
  }
  EXPECT_GE(savp_offers, 2) << "the INVITE's offer and the 200's answer";
  ASSERT_FALSE(trace->rtp.empty());
  for (const auto& packet : trace->rtp) {
    ASSERT_EQ(packet.bytes.size(), 172U) << "an RTP packet, decrypted: no authentication tag";
    EXPECT_EQ(static_cast<unsigned char>(packet.bytes[0]) >> 6U, 2U);
    EXPECT_EQ(static_cast<unsigned char>(packet.bytes[1]) & 0x7FU, 8U);
  }
}

// Over TLS the gateway answers with Contact <sip:HOST:PORT;transport=tls>:
// baresip 1.0's libre sends no request to a sips: URI (sip_request_alloc
// returns ENOSYS), which is what Sofia would write.
TEST_F(SystemSrtp, BaresipOverTlsWithSrtpRequiredHearsItsEcho) {
  const auto folder = baresip_folder("baresip-tls", "tls");
  const std::size_t log_from = gateway_->log().size();
  const std::string output = dial(folder, seed_uri("tls"), 9);
  EXPECT_NE(output.find("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), std::string::npos)
      << output;
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(10))) << gateway_->command("status");
  expect_echo_of_tones(recording(folder, "-dec.wav"), "baresip over TLS with SRTP", output);
  expect_srtp_call(gateway_->dir(), gateway_->log(), log_from, last_call_id(*gateway_));
}

// The other way: the simulated PSTN calls 5551234 on span1, and the trunk's
// sip_peers entry (sip:localhost:PORT;transport=tls;maddr=127.0.0.1) sends
// the INVITE over TLS, after checking the phone's certificate, with an
// RTP/SAVP offer. baresip answers by itself and plays its tones; the PSTN
// echoes them. Its Contact to us is sip:...;transport=tls, not NUA's sips:
// one, or baresip's BYE would never leave.
TEST_F(SystemSrtp, APstnCallReachesAPhoneOverTlsWithSrtpAndItHearsItsEcho) {
  const int port = callee_sip_port();
  const auto folder =
      baresip_folder("baresip-callee",
                     "<sip:5551234@127.0.0.1;transport=tls>;answermode=auto;mediaenc=srtp-mand;"
                     "audio_codecs=pcma;regint=0",
                     port, true);
  const std::string log_file = (folder / "baresip.log").string();
  const pid_t phone = spawn({"baresip", "-v", "-f", folder.string(), "-t", "12"}, log_file);
  ASSERT_NE(phone, 0) << "baresip did not start";
  ASSERT_TRUE(wait_for_tcp_listen(port + 1)) << read_text(log_file);
  const std::size_t log_from = gateway_->log().size();
  EXPECT_EQ(gateway_->command("pstn call +4930123 5551234 span1").rfind("ok ", 0), 0U);
  EXPECT_EQ(wait_exit(phone, std::chrono::seconds(30)), 0) << read_text(log_file);
  const std::string output = read_text(log_file);
  EXPECT_NE(output.find("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), std::string::npos)
      << output;
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(10))) << gateway_->command("status");
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("INVITE sip:5551234@localhost:" + std::to_string(port + 1) +
                         ";transport=tls;maddr=127.0.0.1",
                     log_from),
            std::string::npos)
      << log.substr(log_from);
  expect_echo_of_tones(recording(folder, "-dec.wav"), "a PSTN call to baresip over TLS with SRTP",
                       output);
  expect_srtp_call(gateway_->dir(), log, log_from, last_call_id(*gateway_));
}

TEST_F(SystemSrtp, BaresipOverUdpIsRefusedForKeysWouldTravelInClear) {
  const auto folder = baresip_folder("baresip-udp", "udp");
  const std::string output = dial(folder, seed_uri("udp"), 4);
  EXPECT_NE(output.find("488"), std::string::npos) << output;
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("refused 488 (SRTP keys are taken only in SDP over TLS"), std::string::npos)
      << log;
  EXPECT_TRUE(recording(folder, "-dec.wav").empty()) << "no call, no audio";
}

}  // namespace
}  // namespace gw::test
