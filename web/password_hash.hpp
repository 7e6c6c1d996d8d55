#pragma once
// The libsodium adapter: argon2id password hashes and random tokens. The
// only code that includes <sodium.h>.

#include <cstddef>
#include <string>
#include <string_view>

namespace gw::web {

// An argon2id hash in libsodium's self-describing string form
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with the interactive cost
// (64 MiB, a fraction of a second). Throws std::runtime_error when the
// memory cannot be had.
[[nodiscard]] std::string hash_password(std::string_view password);
// Whether `password` matches `hash`; false for a malformed hash too.
[[nodiscard]] bool verify_password(const std::string& hash, std::string_view password);
// `bytes` random bytes from the kernel's generator, as lower-case hex.
[[nodiscard]] std::string random_token(std::size_t bytes = 32);
// Compares without a timing difference between early and late mismatches.
[[nodiscard]] bool same_secret(std::string_view a, std::string_view b);

}  // namespace gw::web
