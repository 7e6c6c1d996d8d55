#pragma once
// What the harnesses share: the input as text or bytes, and a check that
// turns a broken promise of the code under test into a crash libFuzzer
// reports (with the input that broke it).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace gw::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT(*-reinterpret-cast)
}

inline std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};  // NOLINT(*-reinterpret-cast)
}

// A property the code promises did not hold: print it and abort, which
// libFuzzer records as a crash with its input.
inline void check(bool holds, const char* promise, const std::string& detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "fuzz check failed: %s\n%s\n", promise,  // NOLINT(cert-err33-c)
               detail.c_str());
  std::abort();
}

}  // namespace gw::fuzz
