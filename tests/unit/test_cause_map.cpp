// RFC 3398 cause mapping, row by row as the SIP side issue lists it.

#include <gtest/gtest.h>

#include "gateway/core/cause_map.hpp"

namespace gw::core {
namespace {

using isdn::Cause;

int status(int cause, CauseDetails details = {}) {
  return sip_status_for(isdn::cause_from_wire(cause), details);
}

TEST(Q850ToSip, EveryRowOfRfc3398Section8261) {
  const std::vector<std::pair<std::vector<int>, int>> rows{
      {{1, 2, 3}, 404},    {{17}, 486},       {{18}, 408},     {{19, 20, 31}, 480},
      {{21}, 403},         {{22}, 410},       {{23}, 410},     {{26}, 404},
      {{27}, 502},         {{28}, 484},       {{29}, 501},     {{34, 38, 41, 42, 47}, 503},
      {{55, 57, 87}, 403}, {{58, 88}, 503},   {{65, 70}, 488}, {{79}, 501},
      {{102}, 504},        {{111, 127}, 500},
  };
  for (const auto& [causes, expected] : rows) {
    for (const int cause : causes) EXPECT_EQ(status(cause), expected) << "cause " << cause;
  }
}

TEST(Q850ToSip, TheCallersOwnRejectionAndANewNumberChangeTheAnswer) {
  EXPECT_EQ(status(21, {.location_user = true}), 603);
  EXPECT_EQ(status(22, {.new_number = true}), 301);
}

TEST(Q850ToSip, AnyOtherCauseIs500) {
  for (const int cause : {16, 25, 44, 50, 63, 95, 100, 126}) {
    EXPECT_EQ(status(cause), 500) << "cause " << cause;
  }
}

TEST(SipToQ850, EveryRowOfRfc3398Section7241) {
  const std::vector<std::pair<std::vector<int>, int>> rows{
      {{400}, 41},           {{401, 402, 403, 407}, 21},
      {{404, 485, 604}, 1},  {{405}, 63},
      {{406, 415, 501}, 79}, {{408, 504}, 102},
      {{410}, 22},           {{413, 414, 416, 420, 421, 423, 505, 513}, 127},
      {{480}, 18},           {{481, 500, 503}, 41},
      {{482, 483}, 25},      {{484}, 28},
      {{486, 600}, 17},      {{502}, 38},
      {{603}, 21},
  };
  for (const auto& [statuses, expected] : rows) {
    for (const int code : statuses) EXPECT_EQ(isdn::to_wire(cause_for(code)), expected) << code;
  }
}

TEST(SipToQ850, UnlistedCodesTakeTheirClassAndAReasonHeaderWins) {
  EXPECT_EQ(cause_for(499), Cause::temporary_failure);
  EXPECT_EQ(cause_for(599), Cause::temporary_failure);
  EXPECT_EQ(cause_for(699), Cause::user_busy);
  EXPECT_EQ(cause_for(486, 34), Cause::no_circuit_available) << "Reason: Q.850 takes precedence";
  EXPECT_EQ(cause_for(486, 0), Cause::user_busy) << "an invalid Reason cause is ignored";
}

TEST(ReasonHeader, CarriesTheCauseAndItsText) {
  EXPECT_EQ(reason_header(Cause::user_busy), "Q.850;cause=17;text=\"user busy\"");
  EXPECT_EQ(reason_phrase(486), "Busy Here");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
}

}  // namespace
}  // namespace gw::core
