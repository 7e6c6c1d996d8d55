#include "gateway/auth/digest.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "drivers/crypto/hash.hpp"

namespace gw::auth {
namespace {

// A nonce is hex of expiry (8 octets, big-endian seconds of the steady clock)
// + 8 random octets + the first 16 octets of HMAC-SHA256(secret, those 16).
constexpr std::size_t kTimeOctets = 8;
constexpr std::size_t kRandomOctets = 8;
constexpr std::size_t kMacOctets = 16;
constexpr std::size_t kBodyOctets = kTimeOctets + kRandomOctets;
constexpr std::size_t kNonceChars = 2 * (kBodyOctets + kMacOctets);
constexpr std::size_t kMinSecretOctets = 16;
constexpr std::size_t kMd5HexChars = 32;
constexpr std::size_t kSha256HexChars = 64;

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return lowercase(a) == lowercase(b);
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  return -1;
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return hex_value(c) >= 0; });
}

// Lowercase only: one nonce has one spelling, so the replay table's key is
// the nonce itself.
std::optional<std::string> from_lower_hex(std::string_view hex) {
  if (hex.size() % 2 != 0 || !is_lower_hex(hex)) return std::nullopt;
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
  }
  return bytes;
}

std::string hash_hex(DigestAlgorithm algorithm, std::string_view data) {
  return algorithm == DigestAlgorithm::sha256 ? crypto::sha256_hex(data) : crypto::md5_hex(data);
}

std::size_t ha1_chars(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha256 ? kSha256HexChars : kMd5HexChars;
}

const char* algorithm_text(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha256 ? "SHA-256" : "MD5";
}

// nc-value = 8LHEX (RFC 7616 3.4); the count starts at 1.
std::optional<std::uint32_t> parse_nonce_count(std::string_view nc) {
  if (nc.size() != 8) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : nc) {
    const int digit = hex_value(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  if (value == 0) return std::nullopt;
  return value;
}

// Why a response cannot be checked at all, or empty. We offer qop="auth"
// only, so an answer without qop (RFC 2069's form, no cnonce, no count, hence
// no replay protection) or with auth-int is refused.
std::string malformed(const DigestResponse& response) {
  if (response.qop.empty()) return "no qop (RFC 2069 form refused)";
  if (!equal_ignoring_case(response.qop, "auth")) return "qop " + response.qop + " not offered";
  if (response.cnonce.empty()) return "no cnonce";
  if (!parse_nonce_count(response.nc)) return "bad nc \"" + response.nc + "\"";
  if (response.uri.empty()) return "no uri";
  if (response.response.empty()) return "no response";
  return {};
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// Keeps a stored HA1 only in its lowercase hex form of the right length: any
// other is unusable, and an empty one must never be hashed as if it were one.
std::string usable_ha1(std::string_view ha1, DigestAlgorithm algorithm) {
  std::string lower = lowercase(ha1);
  if (lower.size() != ha1_chars(algorithm) || !is_lower_hex(lower)) return {};
  return lower;
}

}  // namespace

std::optional<DigestAlgorithm> algorithm_named(std::string_view name) {
  if (name.empty() || equal_ignoring_case(name, "MD5")) return DigestAlgorithm::md5;
  if (equal_ignoring_case(name, "SHA-256")) return DigestAlgorithm::sha256;
  return std::nullopt;
}

DigestAccount make_account(std::string user, std::string realm, std::string_view password) {
  std::string a1 = user + ':' + realm + ':';
  a1 += password;
  return {std::move(user), std::move(realm), crypto::md5_hex(a1), crypto::sha256_hex(a1)};
}

std::string expected_response(DigestAlgorithm algorithm, std::string_view ha1,
                              const DigestResponse& response, std::string_view method) {
  std::string a2(method);
  a2 += ':' + response.uri;
  std::string data(ha1);
  data += ':' + response.nonce + ':' + response.nc + ':' + response.cnonce + ':' + response.qop +
          ':' + hash_hex(algorithm, a2);
  return hash_hex(algorithm, data);
}

DigestAuthenticator::DigestAuthenticator(std::string realm, std::vector<DigestAccount> accounts,
                                         std::string secret, std::chrono::seconds nonce_lifetime,
                                         std::size_t max_tracked_nonces)
    : realm_(std::move(realm)),
      secret_(std::move(secret)),
      nonce_lifetime_(nonce_lifetime),
      max_tracked_nonces_(std::max<std::size_t>(max_tracked_nonces, 1)) {
  if (secret_.size() < kMinSecretOctets) {
    throw std::invalid_argument("digest nonces need a secret of at least 16 random octets");
  }
  const std::string filler = crypto::random_bytes(kMinSecretOctets);
  unknown_.ha1_md5 = crypto::md5_hex(filler);
  unknown_.ha1_sha256 = crypto::sha256_hex(filler);
  set_accounts(std::move(accounts));
}

void DigestAuthenticator::set_accounts(std::vector<DigestAccount> accounts) {
  accounts_.clear();
  for (auto& account : accounts) {
    if (account.realm != realm_) continue;  // its HA1 cannot answer our challenge
    account.ha1_md5 = usable_ha1(account.ha1_md5, DigestAlgorithm::md5);
    account.ha1_sha256 = usable_ha1(account.ha1_sha256, DigestAlgorithm::sha256);
    std::string user = account.user;
    accounts_.emplace(std::move(user), std::move(account));  // the first of a name wins
  }
}

std::vector<std::string> DigestAuthenticator::challenges(Clock::time_point now, bool stale) const {
  const std::string common = "Digest realm=" + quoted(realm_) + ", nonce=\"" +
                             make_nonce(now + nonce_lifetime_) + "\", algorithm=";
  const std::string tail = std::string(", qop=\"auth\"") + (stale ? ", stale=true" : "");
  return {common + "SHA-256" + tail, common + "MD5" + tail};
}

std::string DigestAuthenticator::make_nonce(Clock::time_point expiry) const {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch());
  auto stamp = static_cast<std::uint64_t>(seconds.count());
  std::string body(kTimeOctets, '\0');
  for (std::size_t i = kTimeOctets; i-- > 0; stamp >>= 8U) {
    body[i] = static_cast<char>(stamp & 0xffU);
  }
  body += crypto::random_bytes(kRandomOctets);
  const auto mac = crypto::hmac_sha256(secret_, body);
  body.append(reinterpret_cast<const char*>(mac.data()), kMacOctets);
  return crypto::to_hex(body);
}

std::optional<DigestAuthenticator::Clock::time_point> DigestAuthenticator::nonce_expiry(
    std::string_view nonce) const {
  if (nonce.size() != kNonceChars) return std::nullopt;
  const auto bytes = from_lower_hex(nonce);
  if (!bytes) return std::nullopt;
  const std::string_view body = std::string_view(*bytes).substr(0, kBodyOctets);
  const auto mac = crypto::hmac_sha256(secret_, body);
  const std::string_view expected(reinterpret_cast<const char*>(mac.data()), kMacOctets);
  if (!crypto::equal_in_constant_time(expected, std::string_view(*bytes).substr(kBodyOctets))) {
    return std::nullopt;
  }
  std::uint64_t stamp = 0;
  for (std::size_t i = 0; i < kTimeOctets; ++i) {
    stamp = (stamp << 8U) | static_cast<unsigned char>(body[i]);
  }
  const std::chrono::seconds since_epoch(static_cast<std::int64_t>(stamp));
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(since_epoch));
}

const std::string& DigestAuthenticator::stored_ha1(const DigestAccount* account,
                                                   DigestAlgorithm algorithm) const {
  const DigestAccount& chosen = account != nullptr ? *account : unknown_;
  const std::string& ha1 =
      algorithm == DigestAlgorithm::sha256 ? chosen.ha1_sha256 : chosen.ha1_md5;
  if (!ha1.empty()) return ha1;
  return algorithm == DigestAlgorithm::sha256 ? unknown_.ha1_sha256 : unknown_.ha1_md5;
}

DigestCheck DigestAuthenticator::verify(const DigestResponse& response, std::string_view method,
                                        Clock::time_point now) {
  const auto refused = [&](std::string why) {
    return DigestCheck{DigestVerdict::refused, response.username, std::move(why)};
  };
  if (response.realm != realm_) return refused("realm mismatch (\"" + response.realm + "\")");
  if (std::string why = malformed(response); !why.empty()) return refused(std::move(why));
  const auto algorithm = algorithm_named(response.algorithm);
  if (!algorithm) return refused("algorithm " + response.algorithm + " not offered");
  const auto expiry = nonce_expiry(response.nonce);
  if (!expiry) return refused("forged nonce");

  // From here an unknown user and a wrong password do the same work and get
  // the same verdict; only `why` tells them apart, for the log.
  const auto found = accounts_.find(response.username);
  const DigestAccount* account = found == accounts_.end() ? nullptr : &found->second;
  const bool matches = crypto::equal_in_constant_time(
      expected_response(*algorithm, stored_ha1(account, *algorithm), response, method),
      lowercase(response.response));
  if (account == nullptr) return refused("unknown user");
  const std::string& own_ha1 =
      *algorithm == DigestAlgorithm::sha256 ? account->ha1_sha256 : account->ha1_md5;
  if (own_ha1.empty())
    return refused(std::string("no ") + algorithm_text(*algorithm) + " digest stored");
  if (!matches) return refused("wrong response");
  // RFC 7616 3.3: stale only for a right answer, so the client retries
  // without asking its user again.
  if (now >= *expiry) return {DigestVerdict::stale, response.username, "nonce expired"};
  return count_use(response, *parse_nonce_count(response.nc), *expiry, now);
}

DigestCheck DigestAuthenticator::count_use(const DigestResponse& response, std::uint32_t nc,
                                           Clock::time_point expiry, Clock::time_point now) {
  const auto found = uses_.find(response.nonce);
  if (found != uses_.end()) {
    if (nc <= found->second.highest_nc) {
      return {DigestVerdict::refused, response.username, "replayed nc " + response.nc};
    }
    found->second.highest_nc = nc;
    return {DigestVerdict::accepted, response.username, {}};
  }
  // Its count may have been dropped to bound the table: a fresh nonce, not a
  // replay of the counts we forgot.
  if (expiry <= evicted_through_) {
    return {DigestVerdict::stale, response.username, "nonce count forgotten (table full)"};
  }
  make_room(now);
  uses_.emplace(response.nonce, NonceUse{nc, expiry});
  return {DigestVerdict::accepted, response.username, {}};
}

void DigestAuthenticator::make_room(Clock::time_point now) {
  if (now >= next_sweep_ || uses_.size() >= max_tracked_nonces_) {
    std::erase_if(uses_, [&](const auto& entry) { return entry.second.expiry <= now; });
    next_sweep_ = now + nonce_lifetime_;
  }
  if (uses_.size() < max_tracked_nonces_) return;
  // Still full of live nonces: the quarter that expires first goes, and any
  // nonce expiring by then is stale from now on (count_use).
  std::vector<Clock::time_point> expiries;
  expiries.reserve(uses_.size());
  for (const auto& entry : uses_) expiries.push_back(entry.second.expiry);
  const auto cutoff = expiries.begin() + static_cast<std::ptrdiff_t>(expiries.size() / 4);
  std::nth_element(expiries.begin(), cutoff, expiries.end());
  const Clock::time_point through = *cutoff;
  std::erase_if(uses_, [&](const auto& entry) { return entry.second.expiry <= through; });
  evicted_through_ = std::max(evicted_through_, through);
}

}  // namespace gw::auth
