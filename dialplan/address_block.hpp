#pragma once
// IP addresses and CIDR blocks as the plan's trust list writes them:
// "192.0.2.7", "10.1.0.0/16", "2001:db8::/32". An IPv4 address seen on an
// IPv6 socket (::ffff:192.0.2.7) is the IPv4 address: a block written in
// IPv4 matches it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::dialplan {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4

  // "192.0.2.7", "2001:db8::1", "[2001:db8::1]"; ::ffff:a.b.c.d becomes IPv4.
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] std::size_t size() const noexcept { return v6 ? 16 : 4; }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct AddressBlock {
  IpAddress base;  // its bits beyond `prefix` are zero
  int prefix = 0;  // leading bits that must match: 0..32 or 0..128

  // An address (a block of one) or ADDRESS/PREFIX; nullopt when it is
  // neither, or when bits beyond the prefix are set ("10.0.0.1/8" is
  // refused: the operator may have meant something else).
  [[nodiscard]] static std::optional<AddressBlock> parse(std::string_view text);
  [[nodiscard]] static AddressBlock single(const IpAddress& address);
  [[nodiscard]] bool contains(const IpAddress& address) const noexcept;
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const AddressBlock&, const AddressBlock&) = default;
};

// A DNS name as RFC 1123 allows: labels of letters, digits and '-', not
// starting or ending with '-', with a letter somewhere (so that a mistyped
// address is not taken for a name).
[[nodiscard]] bool is_host_name(std::string_view text);

}  // namespace gw::dialplan
