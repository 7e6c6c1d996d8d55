#include "drivers/crypto/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <stdexcept>

namespace gw::crypto {
namespace {

template <auto Free>
struct Freer {
  template <typename T>
  void operator()(T* handle) const noexcept {
    Free(handle);
  }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;
using Mac = std::unique_ptr<EVP_MAC, Freer<EVP_MAC_free>>;
using MacContext = std::unique_ptr<EVP_MAC_CTX, Freer<EVP_MAC_CTX_free>>;

[[noreturn]] void fail(const char* what) {
  // OpenSSL's own reason, when it left one in its error queue.
  std::string reason = std::string("OpenSSL ") + what;
  if (const unsigned long code = ERR_get_error(); code != 0) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    reason += std::string(": ") + text.data();
  }
  ERR_clear_error();
  throw std::runtime_error(reason);
}

void check(int result, const char* what) {
  if (result != 1) fail(what);
}

std::string digest_hex(const EVP_MD* algorithm, std::string_view data) {
  if (algorithm == nullptr) fail("digest algorithm unavailable");
  const DigestContext context(EVP_MD_CTX_new());
  if (!context) fail("EVP_MD_CTX_new");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  check(EVP_DigestInit_ex(context.get(), algorithm, nullptr), "EVP_DigestInit_ex");
  check(EVP_DigestUpdate(context.get(), data.data(), data.size()), "EVP_DigestUpdate");
  check(EVP_DigestFinal_ex(context.get(), digest.data(), &length), "EVP_DigestFinal_ex");
  return to_hex({reinterpret_cast<const char*>(digest.data()), length});
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    hex += kDigits[value >> 4U];
    hex += kDigits[value & 0x0fU];
  }
  return hex;
}

std::string md5_hex(std::string_view data) {
  return digest_hex(EVP_md5(), data);
}

std::string sha256_hex(std::string_view data) {
  return digest_hex(EVP_sha256(), data);
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  const Mac mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) fail("EVP_MAC_fetch(HMAC)");
  const MacContext context(EVP_MAC_CTX_new(mac.get()));
  if (!context) fail("EVP_MAC_CTX_new");
  std::string digest_name = OSSL_DIGEST_NAME_SHA2_256;
  const std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  check(EVP_MAC_init(context.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     params.data()),
        "EVP_MAC_init");
  check(EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()),
        "EVP_MAC_update");
  std::array<unsigned char, 32> out{};
  std::size_t length = 0;
  check(EVP_MAC_final(context.get(), out.data(), &length, out.size()), "EVP_MAC_final");
  if (length != out.size()) fail("HMAC-SHA256 length");
  return out;
}

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  // RAND_bytes takes an int: large requests go in pieces.
  for (std::size_t done = 0; done < count;) {
    const std::size_t piece = std::min<std::size_t>(count - done, INT_MAX);
    check(
        RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data() + done), static_cast<int>(piece)),
        "RAND_bytes");
    done += piece;
  }
  return bytes;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gw::crypto
