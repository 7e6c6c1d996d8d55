// Base64 through OpenSSL: RFC 4648 section 10's vectors, an SDES key's
// 30 bytes (40 characters, no padding), and what is not base64.

#include <gtest/gtest.h>

#include "drivers/crypto/base64.hpp"
#include "drivers/crypto/hash.hpp"

namespace gw::crypto {
namespace {

TEST(CryptoBase64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain)) << encoded;
  }
}

TEST(CryptoBase64, SdesKeyRoundTrip) {
  const std::string key = random_bytes(30);
  const std::string text = base64_encode(key);
  EXPECT_EQ(text.size(), 40U);
  EXPECT_EQ(text.find('='), std::string::npos);
  EXPECT_EQ(base64_decode(text), key);
}

TEST(CryptoBase64, RefusesWhatIsNotBase64) {
  for (const char* bad : {"Zg=", "Zm9", "Zm9v!", "Z=9v", "Zm9v Zm9v", " Zm9v", "Zm9v\n", "===="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace gw::crypto
