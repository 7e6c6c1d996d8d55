#pragma once
// Hashes, HMAC and randomness from OpenSSL's libcrypto, in the project's
// types. This directory and web/ are the only code that includes OpenSSL:
// nothing here is written by hand, every primitive is OpenSSL's.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gw::crypto {

// Lowercase hex of the digest of `data`, as RFC 7616 writes H(...).
[[nodiscard]] std::string md5_hex(std::string_view data);
[[nodiscard]] std::string sha256_hex(std::string_view data);

[[nodiscard]] std::array<unsigned char, 32> hmac_sha256(std::string_view key,
                                                        std::string_view data);

// `count` bytes from OpenSSL's CSPRNG (RAND_bytes). Throws
// std::runtime_error when it cannot give them (never a weak fallback).
[[nodiscard]] std::string random_bytes(std::size_t count);

// Whether `a` and `b` are equal, in a time that depends on their lengths
// only (CRYPTO_memcmp): for comparing a secret with what a client sent.
[[nodiscard]] bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept;

// Lowercase hex of `bytes`.
[[nodiscard]] std::string to_hex(std::string_view bytes);

}  // namespace gw::crypto
