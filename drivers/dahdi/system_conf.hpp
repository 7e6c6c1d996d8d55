#pragma once
// Where a DAHDI span's channels are, learnt from /etc/dahdi/system.conf as
// dahdi_genconf writes it (span=, bchan=, dchan=, hardhdlc=, dynamic= lines).
// Pure text processing: no device is opened here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/tdm/layout.hpp"

namespace gw::dahdi {

struct SpanLocation {
  int span = 0;      // DAHDI span number
  int basechan = 0;  // DAHDI channel number of the span's first timeslot
  int channels = 0;  // timeslots on the span
  int dchannel = 0;  // DAHDI channel number of the D-channel, 0 when unknown
  std::string type;  // what DAHDI calls the span ("E1", "T1", "DYNAMIC"), empty when unknown
  // E1 or T1 from the span type when DAHDI names it, else from the channel
  // count and the D-channel's place; nullopt when neither fits.
  [[nodiscard]] std::optional<tdm::Shape> shape() const noexcept;
};

// The spans the file configures, in span number order. Spans with no channel
// lines are left out: they carry nothing. Throws std::invalid_argument
// "system.conf line N: field: reason".
[[nodiscard]] std::vector<SpanLocation> parse_system_conf(std::string_view text);

// Expands "1-15,17-31" into channel numbers; throws std::invalid_argument.
[[nodiscard]] std::vector<int> parse_channel_list(std::string_view text);

}  // namespace gw::dahdi
