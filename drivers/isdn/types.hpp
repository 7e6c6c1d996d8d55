#pragma once
// The project's own vocabulary for ISDN PRI calls; nothing here depends on libpri.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/isdn/q850.hpp"

namespace gw::isdn {

using CallId = std::uint64_t;

enum class Side : std::uint8_t { cpe, net };

enum class SwitchType : std::uint8_t {
  ni2,
  dms100,
  lucent5e,  // "5ess"
  att4ess,
  euroisdn_e1,
  euroisdn_t1,
  ni1,
  qsig,
};

// Type of number (Q.931 4.5.8/4.5.10, octet 3 bits 7-5).
enum class Ton : std::uint8_t {
  unknown = 0,
  international = 1,
  national = 2,
  network_specific = 3,
  subscriber = 4,
  abbreviated = 6,
};

// Numbering plan identification (octet 3 bits 4-1).
enum class Npi : std::uint8_t {
  unknown = 0,
  isdn = 1,  // E.164
  data = 3,
  telex = 4,
  national = 8,
  private_plan = 9,
};

enum class Presentation : std::uint8_t { allowed = 0, restricted = 1, unavailable = 2 };
enum class Screening : std::uint8_t {
  user_not_screened = 0,
  user_passed = 1,
  user_failed = 2,
  network = 3,
};

struct PartyNumber {
  std::string digits;
  Ton ton = Ton::unknown;
  Npi npi = Npi::unknown;
  Presentation presentation = Presentation::allowed;
  Screening screening = Screening::user_not_screened;

  // The one octet libpri carries: (TON << 4) | NPI.
  [[nodiscard]] constexpr int plan_octet() const noexcept {
    return (static_cast<int>(ton) << 4) | static_cast<int>(npi);
  }
  [[nodiscard]] constexpr int presentation_octet() const noexcept {
    return (static_cast<int>(presentation) << 5) | static_cast<int>(screening);
  }
  friend bool operator==(const PartyNumber&, const PartyNumber&) = default;
};

// Why a call was redirected (Q.931 Redirecting Number IE, octet 3b).
enum class RedirectReason : std::uint8_t {
  unknown = 0,
  busy = 1,
  no_reply = 2,
  deflection = 3,
  out_of_order = 9,
  by_called_dte = 10,
  unconditional = 15,
};

// A forwarded call: who forwarded it, why, and how many times it has been
// (RFC 5806 Diversion and RFC 7044 History-Info on the SIP side).
struct Redirecting {
  PartyNumber from;
  RedirectReason reason = RedirectReason::unknown;
  int count = 1;
  friend bool operator==(const Redirecting&, const Redirecting&) = default;
};

[[nodiscard]] std::string_view to_string(RedirectReason reason) noexcept;
// Anything but the defined values is "unknown".
[[nodiscard]] RedirectReason redirect_reason_from_wire(int value) noexcept;

[[nodiscard]] PartyNumber number_from_wire(std::string_view digits, int plan_octet,
                                           int presentation_octet);

// least_recent: the bearer (or trunk) idle the longest, which spreads wear and
// keeps away from the one the far end most likely just released.
enum class Hunting : std::uint8_t { ascending, descending, round_robin, least_recent };

struct CallSetup {
  PartyNumber called;
  PartyNumber calling;
  std::string calling_name;
  std::optional<int> timeslot;     // a channel the caller insists on; otherwise hunted
  std::optional<Hunting> hunting;  // this call's hunting (its trunk group's); else the span's
  std::optional<Redirecting> redirecting;
  bool exclusive = true;  // Q.931 channel identification: exclusive or preferred
};

struct IncomingCall {
  PartyNumber called;
  PartyNumber calling;
  std::string calling_name;
  int timeslot = 0;
  bool sending_complete = false;
  std::optional<Redirecting> redirecting;
};

[[nodiscard]] std::string_view to_string(Side side) noexcept;
[[nodiscard]] std::string_view to_string(SwitchType type) noexcept;
[[nodiscard]] std::string_view to_string(Ton ton) noexcept;
[[nodiscard]] std::string_view to_string(Npi npi) noexcept;
[[nodiscard]] std::string_view to_string(Hunting hunting) noexcept;
[[nodiscard]] std::optional<Side> parse_side(std::string_view text) noexcept;
// Accepts the names chan_dahdi's switchtype= takes: national, dms100, 4ess, 5ess,
// euroisdn, qsig, ni1, and the project's own spellings.
[[nodiscard]] std::optional<SwitchType> parse_switchtype(std::string_view text) noexcept;
[[nodiscard]] std::optional<Hunting> parse_hunting(std::string_view text) noexcept;
// The names to_string() gives.
[[nodiscard]] std::optional<Ton> parse_ton(std::string_view text) noexcept;
[[nodiscard]] std::optional<Npi> parse_npi(std::string_view text) noexcept;

}  // namespace gw::isdn
