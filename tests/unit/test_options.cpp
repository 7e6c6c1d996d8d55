// sipgw's command line.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/app/options.hpp"

namespace gw {
namespace {

std::variant<app::Options, std::string> parse(const std::vector<std::string>& args) {
  return app::parse_options(args);
}

TEST(Options, TheDemoFlagsAreRead) {
  const auto parsed = parse({"--demo", "--bind", "127.0.0.2", "--sip-port", "5070", "--rtp-ports",
                             "20000-20999", "--data-dir", "/tmp/x", "--spans", "4"});
  ASSERT_TRUE(std::holds_alternative<app::Options>(parsed)) << std::get<std::string>(parsed);
  const auto& options = std::get<app::Options>(parsed);
  EXPECT_TRUE(options.demo);
  EXPECT_EQ(options.bind, "127.0.0.2");
  EXPECT_EQ(options.rtp_bind, "127.0.0.2") << "RTP follows --bind";
  EXPECT_EQ(options.sip_port, 5070);
  EXPECT_EQ(options.rtp_port_min, 20000);
  EXPECT_EQ(options.rtp_port_max, 20999);
  EXPECT_EQ(options.data_dir, "/tmp/x");
  EXPECT_EQ(options.demo_spans, 4);
}

TEST(Options, ABadValueIsRefusedNamingTheFlag) {
  for (const auto& [args, flag] :
       {std::pair{std::vector<std::string>{"--sip-port", "http"}, "--sip-port"},
        std::pair{std::vector<std::string>{"--sip-port", "70000"}, "--sip-port"},
        std::pair{std::vector<std::string>{"--rtp-ports", "3000"}, "--rtp-ports"},
        std::pair{std::vector<std::string>{"--rtp-ports", "9000-8000"}, "--rtp-ports"},
        std::pair{std::vector<std::string>{"--spans", "0"}, "--spans"},
        std::pair{std::vector<std::string>{"--bind"}, "--bind"},
        std::pair{std::vector<std::string>{"--frobnicate"}, "--frobnicate"}}) {
    const auto parsed = parse(args);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << flag;
    EXPECT_EQ(std::get<std::string>(parsed).rfind(flag, 0), 0U) << std::get<std::string>(parsed);
  }
}

}  // namespace
}  // namespace gw
