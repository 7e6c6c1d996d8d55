#include "drivers/isdn/types.hpp"

#include <array>
#include <utility>

namespace gw::isdn {
namespace {

Ton ton_from_wire(int value) noexcept {
  switch (value) {
    case 1:
      return Ton::international;
    case 2:
      return Ton::national;
    case 3:
      return Ton::network_specific;
    case 4:
      return Ton::subscriber;
    case 6:
      return Ton::abbreviated;
    default:
      return Ton::unknown;
  }
}

Npi npi_from_wire(int value) noexcept {
  switch (value) {
    case 1:
      return Npi::isdn;
    case 3:
      return Npi::data;
    case 4:
      return Npi::telex;
    case 8:
      return Npi::national;
    case 9:
      return Npi::private_plan;
    default:
      return Npi::unknown;
  }
}

}  // namespace

PartyNumber number_from_wire(std::string_view digits, int plan_octet, int presentation_octet) {
  PartyNumber number;
  number.digits = std::string(digits);
  number.ton = ton_from_wire((plan_octet >> 4) & 0x7);
  number.npi = npi_from_wire(plan_octet & 0xF);
  const int presentation = (presentation_octet >> 5) & 0x3;
  number.presentation = presentation == 1   ? Presentation::restricted
                        : presentation == 2 ? Presentation::unavailable
                                            : Presentation::allowed;
  number.screening = static_cast<Screening>(presentation_octet & 0x3);
  return number;
}

std::string_view to_string(Side side) noexcept {
  return side == Side::cpe ? "cpe" : "net";
}

std::string_view to_string(SwitchType type) noexcept {
  switch (type) {
    case SwitchType::ni2:
      return "national";
    case SwitchType::dms100:
      return "dms100";
    case SwitchType::lucent5e:
      return "5ess";
    case SwitchType::att4ess:
      return "4ess";
    case SwitchType::euroisdn_e1:
      return "euroisdn_e1";
    case SwitchType::euroisdn_t1:
      return "euroisdn_t1";
    case SwitchType::ni1:
      return "ni1";
    case SwitchType::qsig:
      return "qsig";
  }
  return "unknown";
}

std::string_view to_string(Ton ton) noexcept {
  switch (ton) {
    case Ton::unknown:
      return "unknown";
    case Ton::international:
      return "international";
    case Ton::national:
      return "national";
    case Ton::network_specific:
      return "network-specific";
    case Ton::subscriber:
      return "subscriber";
    case Ton::abbreviated:
      return "abbreviated";
  }
  return "unknown";
}

std::string_view to_string(Npi npi) noexcept {
  switch (npi) {
    case Npi::unknown:
      return "unknown";
    case Npi::isdn:
      return "isdn";
    case Npi::data:
      return "data";
    case Npi::telex:
      return "telex";
    case Npi::national:
      return "national";
    case Npi::private_plan:
      return "private";
  }
  return "unknown";
}

std::string_view to_string(Hunting hunting) noexcept {
  switch (hunting) {
    case Hunting::ascending:
      return "ascending";
    case Hunting::descending:
      return "descending";
    case Hunting::round_robin:
      return "round-robin";
    case Hunting::least_recent:
      return "least-recent";
  }
  return "unknown";
}

std::optional<Side> parse_side(std::string_view text) noexcept {
  if (text == "cpe" || text == "user") return Side::cpe;
  if (text == "net" || text == "network") return Side::net;
  return std::nullopt;
}

std::optional<SwitchType> parse_switchtype(std::string_view text) noexcept {
  static constexpr std::array<std::pair<std::string_view, SwitchType>, 13> kNames{{
      {"national", SwitchType::ni2},
      {"ni2", SwitchType::ni2},
      {"dms100", SwitchType::dms100},
      {"5ess", SwitchType::lucent5e},
      {"lucent5e", SwitchType::lucent5e},
      {"4ess", SwitchType::att4ess},
      {"att4ess", SwitchType::att4ess},
      {"euroisdn", SwitchType::euroisdn_e1},
      {"euroisdn_e1", SwitchType::euroisdn_e1},
      {"euroisdn_t1", SwitchType::euroisdn_t1},
      {"ni1", SwitchType::ni1},
      {"qsig", SwitchType::qsig},
      {"NI2", SwitchType::ni2},
  }};
  for (const auto& [name, type] : kNames) {
    if (name == text) return type;
  }
  return std::nullopt;
}

std::optional<Hunting> parse_hunting(std::string_view text) noexcept {
  if (text == "ascending") return Hunting::ascending;
  if (text == "descending") return Hunting::descending;
  if (text == "round-robin" || text == "round_robin") return Hunting::round_robin;
  if (text == "least-recent" || text == "least_recent") return Hunting::least_recent;
  return std::nullopt;
}

std::optional<Ton> parse_ton(std::string_view text) noexcept {
  for (const Ton ton : {Ton::unknown, Ton::international, Ton::national, Ton::network_specific,
                        Ton::subscriber, Ton::abbreviated}) {
    if (text == to_string(ton)) return ton;
  }
  return std::nullopt;
}

std::optional<Npi> parse_npi(std::string_view text) noexcept {
  for (const Npi npi :
       {Npi::unknown, Npi::isdn, Npi::data, Npi::telex, Npi::national, Npi::private_plan}) {
    if (text == to_string(npi)) return npi;
  }
  return std::nullopt;
}

std::string_view to_string(RedirectReason reason) noexcept {
  switch (reason) {
    case RedirectReason::unknown:
      return "unknown";
    case RedirectReason::busy:
      return "busy";
    case RedirectReason::no_reply:
      return "no-reply";
    case RedirectReason::deflection:
      return "deflection";
    case RedirectReason::out_of_order:
      return "out-of-order";
    case RedirectReason::by_called_dte:
      return "by-called-dte";
    case RedirectReason::unconditional:
      return "unconditional";
  }
  return "unknown";
}

RedirectReason redirect_reason_from_wire(int value) noexcept {
  for (const RedirectReason reason :
       {RedirectReason::busy, RedirectReason::no_reply, RedirectReason::deflection,
        RedirectReason::out_of_order, RedirectReason::by_called_dte,
        RedirectReason::unconditional}) {
    if (static_cast<int>(reason) == value) return reason;
  }
  return RedirectReason::unknown;
}

}  // namespace gw::isdn
