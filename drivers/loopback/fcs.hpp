#pragma once
// The HDLC frame check sequence (CRC-16/X.25, ITU-T Q.921 2.7), which a real
// line computes in hardware or in DAHDI's software HDLC. The loopback line
// computes it on transmit and checks it on receive, so the 2 trailing octets
// libpri reads are what a DAHDI HDLCFCS channel would hand it.

#include <cstddef>
#include <cstdint>
#include <span>

namespace gw::loopback {

[[nodiscard]] std::uint16_t hdlc_fcs(std::span<const std::byte> data) noexcept;
// Overwrites the last two octets of `frame` with the FCS of the rest.
void fcs_append(std::span<std::byte> frame) noexcept;
// True when the last two octets of `frame` are the FCS of the rest.
[[nodiscard]] bool fcs_valid(std::span<const std::byte> frame) noexcept;

}  // namespace gw::loopback
