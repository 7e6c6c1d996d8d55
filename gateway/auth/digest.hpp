#pragma once
// Digest authentication of inbound requests (RFC 3261 22, RFC 7616, RFC 8760):
// the challenges a 401/407 carries and the verification of the answer, for
// accounts stored as HA1 digests, never as passwords. Project types only: the
// SIP layer parses the header (sip/digest_header) and sends the response.
// Not thread-safe: one thread (the SIP thread) owns an authenticator.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gw::auth {

enum class DigestAlgorithm : std::uint8_t { md5, sha256 };

// An account as the plan stores it: never the password, only
// HA1 = H(user:realm:password) per algorithm, lowercase hex.
struct DigestAccount {
  std::string user;
  std::string realm;
  std::string ha1_md5;     // 32 hex digits
  std::string ha1_sha256;  // 64 hex digits
  friend bool operator==(const DigestAccount&, const DigestAccount&) = default;
};

// Hashes at once: the password goes no further than this call.
[[nodiscard]] DigestAccount make_account(std::string user, std::string realm,
                                         std::string_view password);

// What an Authorization / Proxy-Authorization header carried, unquoted
// (parsed by the SIP layer). Absent parameters are empty.
struct DigestResponse {
  std::string username, realm, nonce, uri, response, algorithm, cnonce, qop, nc, opaque;
};

// "MD5" (or no algorithm at all, RFC 7616 3.3) and "SHA-256", in any case;
// nullopt for anything else (the -sess variants, SHA-512-256): not offered.
[[nodiscard]] std::optional<DigestAlgorithm> algorithm_named(std::string_view name);

// RFC 7616 3.4.1 with qop=auth: H(HA1:nonce:nc:cnonce:qop:H(method:uri)), in
// lowercase hex, from the fields of `response` (its own `response` unused).
[[nodiscard]] std::string expected_response(DigestAlgorithm algorithm, std::string_view ha1,
                                            const DigestResponse& response,
                                            std::string_view method);

enum class DigestVerdict : std::uint8_t { accepted, stale, refused };

struct DigestCheck {
  DigestVerdict verdict;
  // The account's name when accepted or stale; the name the request claimed
  // when refused (it may be no account's).
  std::string user;
  // For the operator's log only: a refused request is answered the same way
  // whatever this says ("unknown user" and "wrong response" alike).
  std::string why;
};

class DigestAuthenticator {
 public:
  using Clock = std::chrono::steady_clock;  // tests pass their own `now`

  // `secret` keys the nonces' MAC: random (crypto::random_bytes), at least 16
  // bytes, else std::invalid_argument. Accounts of another realm than
  // `realm` never match. At most `max_tracked_nonces` nonces' counts are kept.
  DigestAuthenticator(std::string realm, std::vector<DigestAccount> accounts, std::string secret,
                      std::chrono::seconds nonce_lifetime = std::chrono::seconds(300),
                      std::size_t max_tracked_nonces = 10000);

  // The values of a 401's WWW-Authenticate (or a 407's Proxy-Authenticate)
  // headers in our order of preference (RFC 8760): SHA-256, then MD5;
  // qop="auth"; one fresh nonce; stale=true when `stale` (the last answer
  // was right but its nonce had expired).
  [[nodiscard]] std::vector<std::string> challenges(Clock::time_point now,
                                                    bool stale = false) const;

  [[nodiscard]] DigestCheck verify(const DigestResponse& response, std::string_view method,
                                   Clock::time_point now);

  // A plan reload: nonces already given out stay valid, and so do their counts.
  void set_accounts(std::vector<DigestAccount> accounts);
  [[nodiscard]] bool empty() const noexcept { return accounts_.empty(); }
  [[nodiscard]] const std::string& realm() const noexcept { return realm_; }

 private:
  struct NonceUse {
    std::uint32_t highest_nc;
    Clock::time_point expiry;
  };
  [[nodiscard]] std::string make_nonce(Clock::time_point expiry) const;
  // nullopt: not a nonce of ours (bad form or bad MAC).
  [[nodiscard]] std::optional<Clock::time_point> nonce_expiry(std::string_view nonce) const;
  [[nodiscard]] const std::string& stored_ha1(const DigestAccount* account,
                                              DigestAlgorithm algorithm) const;
  DigestCheck count_use(const DigestResponse& response, std::uint32_t nc, Clock::time_point expiry,
                        Clock::time_point now);
  void make_room(Clock::time_point now);

  std::string realm_;
  std::string secret_;
  std::chrono::seconds nonce_lifetime_;
  std::size_t max_tracked_nonces_;
  std::map<std::string, DigestAccount, std::less<>> accounts_;  // by user
  DigestAccount unknown_;  // random HA1s: an unknown user costs the same hashing
  std::unordered_map<std::string, NonceUse> uses_;  // accepted nonces: highest nc
  // Live nonces expiring at or before this may have lost their entry to the
  // cap: one without an entry is stale, never "first use".
  Clock::time_point evicted_through_{};
  Clock::time_point next_sweep_{};
};

}  // namespace gw::auth
