#pragma once
// A request's digest credentials read with Sofia's own parser, in the
// project's type (gateway/auth verifies them).

#include <optional>
#include <string_view>

#include "gateway/auth/digest.hpp"
#include "gateway/sip/sofia.hpp"

namespace gw::sip {

// The Digest credentials of `sip`: from its Authorization headers, else its
// Proxy-Authorization headers; of several, the first whose realm is `realm`
// (a request may carry credentials for other hops too), else the first.
// Values come unquoted. nullopt when there are none, or only other schemes.
[[nodiscard]] std::optional<auth::DigestResponse> read_digest_response(const sip_t* sip,
                                                                       std::string_view realm = {});

}  // namespace gw::sip
