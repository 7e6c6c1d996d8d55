#pragma once
// SDP text <-> media::SessionDescription. Parsing is Sofia-SIP's SDP parser,
// lenient as RFC 2543-era peers need (the service examples put s= and t=
// after m=); printing writes the few lines an answer or offer of ours has.

#include <optional>
#include <string>
#include <string_view>

#include "gateway/media/sdp.hpp"

namespace gw::sip {

// The first audio stream of `body` (and the other streams, to reject them);
// nullopt with `error` saying why when it is not SDP Sofia can read.
[[nodiscard]] std::optional<media::SessionDescription> parse_sdp(std::string_view body,
                                                                 std::string& error);

// RFC 4566 text with CRLF line ends.
[[nodiscard]] std::string render_sdp(const media::SessionDescription& sdp);

}  // namespace gw::sip
