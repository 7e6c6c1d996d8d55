#include "dialplan/address_block.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace gw::dialplan {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(text);
  IpAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) != 1) return std::nullopt;
  address.v6 = true;
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin())) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::fill(address.bytes.begin() + 4, address.bytes.end(), 0);
    address.v6 = false;
  }
  return address;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::optional<AddressBlock> AddressBlock::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  AddressBlock block = single(*address);
  if (slash == std::string_view::npos) return block;
  const std::string_view digits = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  const int widest = static_cast<int>(address->size() * 8);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      prefix < 0 || prefix > widest) {
    return std::nullopt;
  }
  block.prefix = prefix;
  // The base must not have host bits: compare it with itself masked.
  IpAddress masked = *address;
  for (int bit = prefix; bit < widest; ++bit) {
    masked.bytes[static_cast<std::size_t>(bit / 8)] &=
        static_cast<std::uint8_t>(~(0x80U >> (bit % 8)));
  }
  if (!(masked == *address)) return std::nullopt;
  return block;
}

AddressBlock AddressBlock::single(const IpAddress& address) {
  return AddressBlock{address, static_cast<int>(address.size() * 8)};
}

bool AddressBlock::contains(const IpAddress& address) const noexcept {
  if (address.v6 != base.v6) return false;
  const auto whole = static_cast<std::size_t>(prefix / 8);
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + static_cast<std::ptrdiff_t>(whole),
                  address.bytes.begin())) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xffU << (8 - rest));
  return (base.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::string AddressBlock::to_string() const {
  const int widest = static_cast<int>(base.size() * 8);
  return prefix == widest ? base.to_string() : base.to_string() + "/" + std::to_string(prefix);
}

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  if (text.back() == '.') text.remove_suffix(1);
  bool letter = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto dot = std::min(text.find('.', start), text.size());
    const std::string_view label = text.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalpha(u) != 0) letter = true;
      if (std::isalnum(u) == 0 && c != '-') return false;
    }
    start = dot + 1;
  }
  return letter;
}

}  // namespace gw::dialplan
