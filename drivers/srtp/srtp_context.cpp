#include "drivers/srtp/srtp_context.hpp"

#include <srtp2/srtp.h>
#include <string.h>  // explicit_bzero

#include <array>
#include <climits>
#include <stdexcept>
#include <string>

namespace gw::srtp {
namespace {

static_assert(kMaxTrailerBytes >= SRTP_MAX_TRAILER_LEN + 4,
              "srtp_protect_rtcp() writes its trailer plus the E flag and SRTCP index");

// libsrtp's crypto kernel (its table of ciphers and MACs) is process-wide
// state without a reference count: srtp_init() fills it, srtp_shutdown()
// empties it whoever still has a context. An owner object per media engine
// would let two engines (the tests make many) shut it down under each
// other, so it is set up once, on first use, and shut down at exit, after
// the objects main() owns have freed their contexts.
class Library {
 public:
  Library() {
    const srtp_err_status_t status = srtp_init();
    if (status != srtp_err_status_ok) {
      throw std::runtime_error("srtp_init failed (libsrtp status " +
                               std::to_string(static_cast<int>(status)) + ")");
    }
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() { (void)srtp_shutdown(); }
};

void ensure_library() {
  // C++ makes this initialisation thread-safe; a throw leaves it for the
  // next caller to try again.
  static const Library library;
}

Status status_of(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_ok:
      return Status::ok;
    case srtp_err_status_auth_fail:
    // SRTCP whose E flag says "not encrypted" where the suite encrypts:
    // plain RTCP, most often. It fails the check as a forgery does.
    case srtp_err_status_cant_check:
      return Status::auth_failed;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return Status::replayed;
    default:
      return Status::failed;
  }
}

// RFC 3711's replay list: 128 packets (2.56 s of 20 ms audio) of
// reordering are tolerated, beyond RFC 3711 3.3.2's minimum of 64.
constexpr unsigned long kReplayWindow = 128;

}  // namespace

std::string_view to_string(Suite suite) noexcept {
  switch (suite) {
    case Suite::aes_cm_128_hmac_sha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case Suite::aes_cm_128_hmac_sha1_32:
      return "AES_CM_128_HMAC_SHA1_32";
  }
  return "AES_CM_128_HMAC_SHA1_80";
}

std::optional<Suite> parse_suite(std::string_view name) noexcept {
  // RFC 4568 9.2 registers the names in upper case, and they are compared
  // as written (case-sensitive, as every implementation sends them).
  for (const Suite suite : {Suite::aes_cm_128_hmac_sha1_80, Suite::aes_cm_128_hmac_sha1_32}) {
    if (name == to_string(suite)) return suite;
  }
  return std::nullopt;
}

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::auth_failed:
      return "authentication failed";
    case Status::replayed:
      return "replayed";
    case Status::failed:
      return "failed";
  }
  return "failed";
}

void Context::Deleter::operator()(srtp_ctx_t_* session) const noexcept {
  (void)srtp_dealloc(session);
}

Context::Context(Suite suite, Role role, std::string_view master_key) : suite_(suite), role_(role) {
  if (master_key.size() != kMasterKeyBytes) {
    throw std::invalid_argument("SRTP master key and salt must be 30 bytes, not " +
                                std::to_string(master_key.size()));
  }
  ensure_library();
  srtp_policy_t policy{};  // zeroed: no MKI, no encrypted header extensions
  if (suite == Suite::aes_cm_128_hmac_sha1_32) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
  } else {
    srtp_crypto_policy_set_rtp_default(&policy.rtp);  // AES_CM_128_HMAC_SHA1_80
  }
  srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
  // Any SSRC, one way: the peer may change its SSRC (a transfer behind it),
  // and libsrtp refuses to use one wildcard context for both directions.
  policy.ssrc.type = role == Role::sender ? ssrc_any_outbound : ssrc_any_inbound;
  std::array<unsigned char, kMasterKeyBytes> key{};
  master_key.copy(reinterpret_cast<char*>(key.data()), key.size());
  policy.key = key.data();
  policy.window_size = kReplayWindow;
  policy.allow_repeat_tx = 0;
  srtp_t session = nullptr;
  const srtp_err_status_t status = srtp_create(&session, &policy);
  // libsrtp has derived its session keys; the master key need not linger.
  explicit_bzero(key.data(), key.size());
  if (status != srtp_err_status_ok) {
    throw std::runtime_error("srtp_create failed (libsrtp status " +
                             std::to_string(static_cast<int>(status)) + ")");
  }
  session_.reset(session);
}

Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;
Context::~Context() = default;

namespace {

using Transform = srtp_err_status_t (*)(srtp_t, void*, int*);

Status apply(Transform transform, srtp_t session, std::span<std::byte> buffer, std::size_t& length,
             std::size_t room) {
  if (session == nullptr || length > buffer.size() || buffer.size() - length < room ||
      length > static_cast<std::size_t>(INT_MAX)) {
    return Status::failed;
  }
  int in_out = static_cast<int>(length);
  const Status status = status_of(transform(session, buffer.data(), &in_out));
  if (status == Status::ok) length = static_cast<std::size_t>(in_out);
  return status;
}

}  // namespace

Status Context::protect_rtp(std::span<std::byte> buffer, std::size_t& length) {
  if (role_ != Role::sender) return Status::failed;
  return apply(srtp_protect, session_.get(), buffer, length, kMaxTrailerBytes);
}

Status Context::protect_rtcp(std::span<std::byte> buffer, std::size_t& length) {
  if (role_ != Role::sender) return Status::failed;
  return apply(srtp_protect_rtcp, session_.get(), buffer, length, kMaxTrailerBytes);
}

Status Context::unprotect_rtp(std::span<std::byte> buffer, std::size_t& length) {
  if (role_ != Role::receiver) return Status::failed;
  return apply(srtp_unprotect, session_.get(), buffer, length, 0);
}

Status Context::unprotect_rtcp(std::span<std::byte> buffer, std::size_t& length) {
  if (role_ != Role::receiver) return Status::failed;
  return apply(srtp_unprotect_rtcp, session_.get(), buffer, length, 0);
}

}  // namespace gw::srtp
