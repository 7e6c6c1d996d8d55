// SDES (RFC 4568): reading and writing a=crypto lines, and which of an
// offer's lines an answer takes under the peer's media_encryption.

#include "gateway/media/sdes.hpp"

#include <algorithm>
#include <cctype>

#include "drivers/crypto/base64.hpp"

namespace gw::media::sdes {
namespace {

// RFC 4568 6.1's lifetime: decimal packets or "2^N".
bool is_lifetime(std::string_view text) {
  if (text.starts_with("2^")) text.remove_prefix(2);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

}  // namespace

std::optional<Usable> read(const CryptoAttribute& line) {
  const auto suite = srtp::parse_suite(line.suite);
  // Session parameters (KDR, UNENCRYPTED_SRTP, ...) change how SRTP runs;
  // RFC 4568 6.3 makes a line with one we do not apply unusable, and we
  // apply none. More than one key (';') means several MKIs: not taken.
  if (!suite || !line.session_params.empty()) return std::nullopt;
  std::string_view params = line.key_params;
  if (!params.starts_with("inline:") || params.find(';') != std::string_view::npos) {
    return std::nullopt;
  }
  params.remove_prefix(7);
  const auto bar = params.find('|');
  const std::string_view encoded = params.substr(0, bar);
  // After the key, a lifetime is fine (we rekey far sooner: never); an MKI
  // ("1:4") would have to be in every packet, and libsrtp is not set for it.
  for (std::string_view rest = bar == std::string_view::npos ? "" : params.substr(bar + 1);
       !rest.empty();) {
    const auto next = rest.find('|');
    if (!is_lifetime(rest.substr(0, next))) return std::nullopt;
    rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
  }
  auto key = crypto::base64_decode(encoded);
  if (!key || key->size() != srtp::kMasterKeyBytes) return std::nullopt;
  return Usable{line.tag, *suite, std::move(*key)};
}

CryptoAttribute line_for(int tag, srtp::Suite suite, std::string_view key) {
  return {tag, std::string(srtp::to_string(suite)), "inline:" + crypto::base64_encode(key), {}};
}

bool is_savp(std::string_view protocol) noexcept {
  return protocol == "RTP/SAVP" || protocol == "RTP/SAVPF";
}

std::variant<std::optional<Usable>, Rejection> choose(const SessionDescription& offer,
                                                      const MediaSecurity& security) {
  const bool savp = is_savp(offer.audio_protocol);
  if (security.encryption == Encryption::none) {
    if (savp) return Rejection{"RTP/SAVP offered, and SRTP is off for this peer"};
    return std::optional<Usable>{};  // any crypto lines are left unanswered
  }
  if (!security.secure_signalling) {
    if (security.encryption == Encryption::required || savp) {
      return Rejection{"SRTP keys are taken only in SDP over TLS (sips: or transport=tls)"};
    }
    return std::optional<Usable>{};
  }
  for (const auto& line : offer.crypto) {
    if (auto usable = read(line)) return usable;
  }
  if (security.encryption == Encryption::required || savp) {
    return Rejection{offer.crypto.empty()
                         ? "SRTP is required: the offer has no a=crypto"
                         : "no a=crypto with AES_CM_128_HMAC_SHA1_80 or _32 and one inline key"};
  }
  return std::optional<Usable>{};
}

}  // namespace gw::media::sdes
