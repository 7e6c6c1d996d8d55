#pragma once
// SDES (RFC 4568) for the offer/answer in sdp.cpp: which a=crypto lines this
// gateway can take, and the lines it writes. Internal to gw_media_sdp.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/media/sdp.hpp"

namespace gw::media::sdes {

// A crypto line we can use: a suite we speak, one inline key of master key
// and salt, neither an MKI nor session parameters.
struct Usable {
  int tag = 0;
  srtp::Suite suite = srtp::Suite::aes_cm_128_hmac_sha1_80;
  std::string key;  // srtp::kMasterKeyBytes, decoded
};

[[nodiscard]] std::optional<Usable> read(const CryptoAttribute& line);
[[nodiscard]] CryptoAttribute line_for(int tag, srtp::Suite suite, std::string_view key);
[[nodiscard]] bool is_savp(std::string_view protocol) noexcept;

// What an offer's crypto lines give the answer: the line to take, none
// (plain RTP), or why the offer is refused.
[[nodiscard]] std::variant<std::optional<Usable>, Rejection> choose(const SessionDescription& offer,
                                                                    const MediaSecurity& security);

}  // namespace gw::media::sdes
