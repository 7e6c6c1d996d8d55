#include <gtest/gtest.h>

#include "dialplan/dial_target.hpp"
#include "gateway/sip/sip_call.hpp"

namespace gw::dialplan {
namespace {

TEST(DialTarget, APrivatePlanNumberFromRfc3966Form) {
  const auto target = parse_dial_target("7773660;phone-context=p1234");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->digits, "7773660");
  EXPECT_EQ(target->phone_context, "p1234");
  EXPECT_FALSE(target->global);
}

TEST(DialTarget, TheDraftsCommaFormAndVisualSeparators) {
  // draft-sparks-sip-service-examples 2.5 F2: sip:7773660,phone-context=p1234@gw1.wcom.com
  const auto comma = parse_dial_target("777-3660,phone-context=p1234");
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->digits, "7773660");
  EXPECT_EQ(comma->phone_context, "p1234");
}

TEST(DialTarget, AGlobalNumberIsE164International) {
  const auto target = parse_dial_target("+1-(555)-123.4567");
  ASSERT_TRUE(target);
  EXPECT_TRUE(target->global);
  EXPECT_EQ(target->digits, "15551234567");
  EXPECT_TRUE(target->phone_context.empty());
}

TEST(DialTarget, ALocalNumberInACountryContextIsE164) {
  const auto target = parse_dial_target("555-1234;phone-context=+1-212");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->phone_context, "+1212") << "a global context loses its separators";
}

TEST(DialTarget, OtherParametersStayOutOfTheNumber) {
  const auto target = parse_dial_target("7773660;isub=1411;PHONE-CONTEXT=p1234;ext=22");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->digits, "7773660");
  EXPECT_EQ(target->phone_context, "p1234");
}

TEST(DialTarget, WhatCannotBeDialledIsRefusedWithAReason) {
  ParseError error;
  EXPECT_FALSE(parse_dial_target("alice", &error));
  EXPECT_NE(error.reason.find("not a telephone number"), std::string::npos);
  EXPECT_FALSE(parse_dial_target("7773660", &error));
  EXPECT_NE(error.reason.find("phone-context"), std::string::npos);
  EXPECT_FALSE(parse_dial_target("+", &error));
  EXPECT_EQ(error.reason, "no digits to dial");
  EXPECT_FALSE(parse_dial_target("", &error));
}

}  // namespace
}  // namespace gw::dialplan

// The other way: a number we send as a SIP URI (PSTN to SIP).
TEST(TelephoneUri, AGlobalOrContextNumberIsUserPhoneAndANameIsNot) {
  EXPECT_EQ(gw::sip::telephone_uri("7773660;phone-context=p1234", "gw.example.com"),
            "sip:7773660;phone-context=p1234@gw.example.com;user=phone");
  EXPECT_EQ(gw::sip::telephone_uri("+15551234567", "10.0.0.1:5060"),
            "sip:+15551234567@10.0.0.1:5060;user=phone");
  EXPECT_EQ(gw::sip::telephone_uri("alice", "example.com"), "sip:alice@example.com");
  EXPECT_EQ(gw::sip::telephone_uri("", "example.com"), "sip:@example.com");
}

// A peer the plan writes as a URI keeps its scheme and parameters, so that
// the INVITE goes over TLS (sips:, transport=tls) to the address it names.
TEST(TelephoneUri, APeerWrittenAsAUriKeepsItsSchemeAndParameters) {
  EXPECT_EQ(gw::sip::telephone_uri("7773660;phone-context=p1234", "sips:pbx.example.com:5061"),
            "sips:7773660;phone-context=p1234@pbx.example.com:5061;user=phone");
  EXPECT_EQ(gw::sip::telephone_uri("+15551234567", "sip:pbx.example.com;transport=tls"),
            "sip:+15551234567@pbx.example.com;transport=tls;user=phone");
  EXPECT_EQ(gw::sip::telephone_uri("5551234", "sips:localhost:5061;maddr=127.0.0.1"),
            "sips:5551234@localhost:5061;maddr=127.0.0.1");
  EXPECT_TRUE(gw::sip::is_secure_uri(gw::sip::telephone_uri("1", "sips:pbx.example.com")));
  EXPECT_TRUE(
      gw::sip::is_secure_uri(gw::sip::telephone_uri("1", "sip:pbx.example.com;transport=tls")));
  EXPECT_FALSE(gw::sip::is_secure_uri(gw::sip::telephone_uri("1", "pbx.example.com:5061")));
}
