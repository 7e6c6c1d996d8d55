#pragma once
// SRTP and SRTCP (RFC 3711) for one direction of one call, over libsrtp2.
// A sender context protects what we send, a receiver context checks and
// decrypts what the peer sends; each is used by one thread at a time (the
// call's media worker), as libsrtp's contexts are not thread-safe. The keys
// come from SDES (RFC 4568): 16 bytes of AES key and 14 of salt, one master
// key per direction.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

struct srtp_ctx_t_;  // libsrtp's session, kept opaque here

namespace gw::srtp {

// The SDES crypto suites of RFC 4568 6.2 this gateway speaks. SRTCP keeps
// an 80-bit tag under both: libsrtp advises against 32-bit tags for RTCP,
// and RFC 4568 6.2.2 asks for the same.
enum class Suite : std::uint8_t { aes_cm_128_hmac_sha1_80, aes_cm_128_hmac_sha1_32 };

// As RFC 4568 names them in a=crypto ("AES_CM_128_HMAC_SHA1_80").
[[nodiscard]] std::string_view to_string(Suite suite) noexcept;
[[nodiscard]] std::optional<Suite> parse_suite(std::string_view name) noexcept;

// Master key and master salt, concatenated as SDES carries them.
inline constexpr std::size_t kMasterKeyBytes = 30;
// What protecting may add behind a packet (the authentication tag, and for
// SRTCP the E flag and index): the room the caller's buffer must leave.
inline constexpr std::size_t kMaxTrailerBytes = 148;

enum class Status : std::uint8_t {
  ok,
  auth_failed,  // the tag does not match: forged, corrupted, or the wrong key
  replayed,     // an index already seen, or too old for the replay window
  failed,       // anything else (too short to be a packet, a sender out of order)
};
[[nodiscard]] std::string_view to_string(Status status) noexcept;

enum class Role : std::uint8_t { sender, receiver };

class Context {
 public:
  // Throws std::invalid_argument for a key that is not kMasterKeyBytes
  // long, std::runtime_error when libsrtp refuses.
  Context(Suite suite, Role role, std::string_view master_key);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;
  ~Context();

  [[nodiscard]] Suite suite() const noexcept { return suite_; }
  [[nodiscard]] Role role() const noexcept { return role_; }

  // In place: the first `length` bytes of `buffer` are the packet, and
  // `length` becomes its new length. Protecting needs kMaxTrailerBytes of
  // room in `buffer` after the packet (Status::failed without it). A
  // sender context only protects and a receiver only unprotects
  // (Status::failed otherwise).
  [[nodiscard]] Status protect_rtp(std::span<std::byte> buffer, std::size_t& length);
  [[nodiscard]] Status protect_rtcp(std::span<std::byte> buffer, std::size_t& length);
  [[nodiscard]] Status unprotect_rtp(std::span<std::byte> buffer, std::size_t& length);
  [[nodiscard]] Status unprotect_rtcp(std::span<std::byte> buffer, std::size_t& length);

 private:
  struct Deleter {
    void operator()(srtp_ctx_t_* session) const noexcept;
  };
  Suite suite_;
  Role role_;
  std::unique_ptr<srtp_ctx_t_, Deleter> session_;
};

}  // namespace gw::srtp
