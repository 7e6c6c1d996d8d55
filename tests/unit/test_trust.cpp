// The trust decision: address blocks (IPv4, IPv6, v4-mapped), the trust
// list a plan makes (its own peers, the peers it sends to, host names), and
// the socket filter that drops the rest, checked with real packets on
// loopback.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "dialplan/address_block.hpp"
#include "drivers/common/unique_fd.hpp"
#include "gateway/auth/trust_list.hpp"
#include "gateway/sip/source_filter.hpp"

namespace {

using gw::dialplan::AddressBlock;
using gw::dialplan::IpAddress;

IpAddress ip(const char* text) {
  auto parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

AddressBlock block(const char* text) {
  auto parsed = AddressBlock::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(AddressBlock{});
}

TEST(AddressBlock, Ipv4BlocksMatchTheirAddressesOnly) {
  EXPECT_TRUE(block("10.1.0.0/16").contains(ip("10.1.255.7")));
  EXPECT_FALSE(block("10.1.0.0/16").contains(ip("10.2.0.1")));
  EXPECT_TRUE(block("192.0.2.7").contains(ip("192.0.2.7")));
  EXPECT_FALSE(block("192.0.2.7").contains(ip("192.0.2.8")));
  EXPECT_TRUE(block("127.0.0.0/8").contains(ip("127.0.0.9")));
  EXPECT_TRUE(block("0.0.0.0/0").contains(ip("203.0.113.1")));
  EXPECT_TRUE(block("172.16.0.0/12").contains(ip("172.31.1.1")));
  EXPECT_FALSE(block("172.16.0.0/12").contains(ip("172.32.0.1")));
}

TEST(AddressBlock, Ipv6BlocksAndV4MappedAddresses) {
  EXPECT_TRUE(block("2001:db8::/32").contains(ip("2001:db8:1::5")));
  EXPECT_FALSE(block("2001:db8::/32").contains(ip("2001:db9::5")));
  EXPECT_TRUE(block("::1").contains(ip("[::1]")));
  // An IPv4 peer seen on an IPv6 socket is the IPv4 address.
  EXPECT_TRUE(block("192.0.2.0/24").contains(ip("::ffff:192.0.2.7")));
  EXPECT_EQ(ip("::ffff:192.0.2.7").to_string(), "192.0.2.7");
  // Families never match each other.
  EXPECT_FALSE(block("::/0").contains(ip("192.0.2.7")));
  EXPECT_FALSE(block("0.0.0.0/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(block("2001:db8:8000::/33").contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(block("2001:db8:8000::/33").contains(ip("2001:db8:7fff::1")));
}

TEST(AddressBlock, RefusesWhatIsNotABlock) {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8",
                          "2001:db8::1/32", "::/129", "pbx.example.com", "", "1.2.3.4/-1"}) {
    EXPECT_FALSE(AddressBlock::parse(bad).has_value()) << bad;
  }
}

TEST(HostName, LettersDigitsAndHyphensInLabels) {
  EXPECT_TRUE(gw::dialplan::is_host_name("pbx.example.com"));
  EXPECT_TRUE(gw::dialplan::is_host_name("localhost"));
  EXPECT_TRUE(gw::dialplan::is_host_name("sbc-1.carrier.net."));
  EXPECT_FALSE(gw::dialplan::is_host_name("10.0.0.300"));  // a mistyped address, not a name
  EXPECT_FALSE(gw::dialplan::is_host_name("-pbx.example.com"));
  EXPECT_FALSE(gw::dialplan::is_host_name("pbx..example.com"));
  EXPECT_FALSE(gw::dialplan::is_host_name("pbx_1.example.com"));
  EXPECT_FALSE(gw::dialplan::is_host_name(""));
}

gw::dialplan::Plan plan_with_peers() {
  gw::dialplan::Plan plan;
  plan.trust.peers = {"10.1.0.0/16", "pbx.example.com"};
  gw::dialplan::Route to_sip;
  to_sip.name = "to-pbx";
  to_sip.sip_peers = {"192.0.2.50:5070"};
  plan.routes.push_back(to_sip);
  gw::dialplan::Trunk trunk;
  trunk.name = "t1";
  trunk.sip_peers = {"[2001:db8::7]:5060"};
  plan.trunks.push_back(trunk);
  plan.outbound_proxy = "sip:198.51.100.1:5060;lr";
  gw::dialplan::Registration registration;
  registration.name = "r1";
  registration.registrar = "registrar.example.net";
  plan.registrations.push_back(registration);
  return plan;
}

TEST(TrustList, TrustsThePlansPeersAndThoseItSendsTo) {
  const auto resolve = [](const std::string& host, std::string& error) {
    if (host == "pbx.example.com") return std::vector<IpAddress>{ip("203.0.113.5")};
    error = "Name or service not known";
    return std::vector<IpAddress>{};
  };
  const gw::auth::TrustList trust(plan_with_peers(), resolve);
  EXPECT_TRUE(trust.trusts("10.1.2.3"));
  EXPECT_TRUE(trust.trusts("203.0.113.5"));   // pbx.example.com
  EXPECT_TRUE(trust.trusts("192.0.2.50"));    // a route's SIP peer
  EXPECT_TRUE(trust.trusts("2001:db8::7"));   // a trunk's SIP peer
  EXPECT_TRUE(trust.trusts("198.51.100.1"));  // the outbound proxy
  EXPECT_FALSE(trust.trusts("127.0.0.9"));
  EXPECT_FALSE(trust.trusts("203.0.113.6"));
  EXPECT_FALSE(trust.trusts("not an address"));
  const std::string described = trust.describe();
  EXPECT_NE(described.find("pbx.example.com = 203.0.113.5 (trust.peers)"), std::string::npos)
      << described;
  EXPECT_NE(described.find("registrar.example.net = (Name or service not known)"),
            std::string::npos)
      << described;
}

TEST(TrustList, AnEmptyPlanTrustsNobody) {
  const gw::auth::TrustList trust(gw::dialplan::Plan{}, nullptr);
  EXPECT_FALSE(trust.trusts("127.0.0.1"));
  EXPECT_EQ(trust.describe(), "nobody");
}

TEST(TrustList, HostOfPeerForms) {
  EXPECT_EQ(gw::auth::host_of("192.0.2.1:5060"), "192.0.2.1");
  EXPECT_EQ(gw::auth::host_of("sip:gw@pbx.example.com:5070;transport=tcp"), "pbx.example.com");
  EXPECT_EQ(gw::auth::host_of("[2001:db8::1]:5060"), "[2001:db8::1]");
  EXPECT_EQ(gw::auth::host_of("2001:db8::1"), "2001:db8::1");
}

// A UDP socket on 127.0.0.1 with the filter, and senders bound to other
// loopback addresses: what arrives is what the filter passed.
class SourceFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver_ = bound(AF_INET, SOCK_DGRAM, "127.0.0.1", 0);
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ::getsockname(receiver_.get(), reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.sin_port);
  }

  static gw::UniqueFd bound(int family, int type, const char* address, int port) {
    gw::UniqueFd fd(::socket(family, type | SOCK_CLOEXEC, 0));
    sockaddr_in where{};
    where.sin_family = AF_INET;
    where.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &where.sin_addr);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&where), sizeof where), 0) << address;
    return fd;
  }

  // Sends one datagram from `source`; true when it arrived.
  bool arrives_from(const char* source,
                    const std::string& message = "OPTIONS sip:gw SIP/2.0\r\n\r\n") {
    const auto sender = bound(AF_INET, SOCK_DGRAM, source, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ::sendto(sender.get(), message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
             sizeof to);
    pollfd ready{receiver_.get(), POLLIN, 0};
    if (::poll(&ready, 1, 200) != 1) return false;
    char buffer[256];
    return ::recv(receiver_.get(), buffer, sizeof buffer, 0) ==
           static_cast<ssize_t>(message.size());
  }

  void filter(const gw::sip::SourcePolicy& policy) {
    ASSERT_EQ(gw::sip::attach_source_filter(receiver_.get(),
                                            gw::sip::compile_source_filter(policy, true)),
              "");
  }

  gw::UniqueFd receiver_;
  int port_ = 0;
};

TEST_F(SourceFilterTest, DropsUntrustedSourcesInTheKernel) {
  filter({{block("127.0.0.1/32")}, {}, false});
  EXPECT_TRUE(arrives_from("127.0.0.1"));
  EXPECT_FALSE(arrives_from("127.0.0.9"));
}

TEST_F(SourceFilterTest, LockedOutAddressesAreDroppedEvenInsideATrustedBlock) {
  filter({{block("127.0.0.0/8")}, {ip("127.0.0.9")}, false});
  EXPECT_TRUE(arrives_from("127.0.0.1"));
  EXPECT_TRUE(arrives_from("127.0.0.10"));
  EXPECT_FALSE(arrives_from("127.0.0.9"));
}

TEST_F(SourceFilterTest, OthersPassWhenTheStackMustAnswerThem) {
  filter({{block("127.0.0.1/32")}, {ip("127.0.0.7")}, true});
  EXPECT_TRUE(arrives_from("127.0.0.9"));
  EXPECT_FALSE(arrives_from("127.0.0.7"));
}

// Dropping, with accounts to challenge: an untrusted source's INVITE and
// what its call needs come up, any other method (a scanner's OPTIONS,
// REGISTER) does not.
TEST_F(SourceFilterTest, OthersHeldToCallsPassOnlyTheirMethods) {
  gw::sip::SourcePolicy policy{{block("127.0.0.1/32")}, {}, true};
  policy.others_invite_only = true;
  filter(policy);
  EXPECT_TRUE(arrives_from("127.0.0.9", "INVITE sip:7773660@gw SIP/2.0\r\n\r\n"));
  for (const std::string method : {"ACK", "BYE", "CANCEL", "PRACK"}) {
    EXPECT_TRUE(arrives_from("127.0.0.9", method + " sip:7773660@gw SIP/2.0\r\n\r\n")) << method;
  }
  for (const std::string other :
       {"OPTIONS sip:gw SIP/2.0\r\n\r\n", "REGISTER sip:gw SIP/2.0\r\n",
        "INVITEX sip:gw SIP/2.0\r\n", "INVIT", "\r\n\r\n", "ACKNOWLEDGE sip:gw SIP/2.0\r\n",
        "BYEBYE", "CANCELLED x", "PRACKED x", "MESSAGE sip:gw SIP/2.0\r\n",
        "SUBSCRIBE sip:gw SIP/2.0\r\n"}) {
    EXPECT_FALSE(arrives_from("127.0.0.9", other)) << other;
  }
  EXPECT_TRUE(arrives_from("127.0.0.1")) << "a trusted source's OPTIONS";
}

TEST_F(SourceFilterTest, AnIpv6TrustListDoesNotTrustIpv4Sources) {
  filter({{block("2001:db8::/32"), block("::1")}, {}, false});
  EXPECT_FALSE(arrives_from("127.0.0.1"));
}

TEST_F(SourceFilterTest, FindsTheSocketsOnAPort) {
  const auto listener = bound(AF_INET, SOCK_STREAM, "127.0.0.1", port_);
  ASSERT_EQ(::listen(listener.get(), 4), 0);
  const auto found = gw::sip::sip_sockets(port_);
  EXPECT_EQ(found.size(), 2U);
}

TEST(SourceFilter, AProgramTooLongForTheKernelIsRefused) {
  gw::sip::SourcePolicy huge;
  for (int i = 0; i < 2000; ++i)
    huge.locked.push_back(
        ip(("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)).c_str()));
  EXPECT_TRUE(gw::sip::compile_source_filter(huge).empty());
  EXPECT_NE(gw::sip::attach_source_filter(0, {}), "");
}

}  // namespace
