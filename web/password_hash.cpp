#include "web/password_hash.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace gw::web {
namespace {

void start_sodium() {
  // Idempotent and thread-safe; 1 means it was already started.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string hash_password(std::string_view password) {
  start_sodium();
  std::vector<char> hash(crypto_pwhash_STRBYTES);
  if (crypto_pwhash_str(hash.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory hashing a password");
  }
  return std::string(hash.data());
}

bool verify_password(const std::string& hash, std::string_view password) {
  start_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_token(std::size_t bytes) {
  start_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::vector<char> hex(bytes * 2 + 1);
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  return std::string(hex.data(), bytes * 2);
}

bool same_secret(std::string_view a, std::string_view b) {
  start_sodium();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gw::web
