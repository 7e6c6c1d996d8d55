// The OpenSSL adapter against published vectors: FIPS 180-2 / RFC 1321 for
// "abc", RFC 4231 test case 2 for HMAC-SHA256.

#include <gtest/gtest.h>

#include "drivers/crypto/hash.hpp"

namespace gw::crypto {
namespace {

TEST(CryptoHash, Md5OfAbc) {
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(CryptoHash, Sha256OfAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoHash, HmacSha256Rfc4231Case2) {
  const auto mac = hmac_sha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(to_hex({reinterpret_cast<const char*>(mac.data()), mac.size()}),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoHash, RandomBytesAreFreshEachTime) {
  const std::string first = random_bytes(32);
  EXPECT_EQ(first.size(), 32U);
  EXPECT_NE(first, random_bytes(32));
  EXPECT_TRUE(random_bytes(0).empty());
}

TEST(CryptoHash, ConstantTimeEquality) {
  EXPECT_TRUE(equal_in_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abcd"));
  EXPECT_TRUE(equal_in_constant_time("", ""));
}

}  // namespace
}  // namespace gw::crypto
