#pragma once
// Base64 (RFC 4648 section 4, with padding) from OpenSSL's EVP_EncodeBlock
// and EVP_DecodeBlock: SDES keys in a=crypto lines (RFC 4568) are written
// this way.

#include <optional>
#include <string>
#include <string_view>

namespace gw::crypto {

[[nodiscard]] std::string base64_encode(std::string_view bytes);

// The bytes `text` encodes; nullopt when it is not base64 (a length that is
// not a multiple of 4, a character outside the alphabet, misplaced '=').
// No whitespace is allowed inside.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gw::crypto
