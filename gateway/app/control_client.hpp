#pragma once
// The client side of sipgw's control socket: one command, its whole reply.
// Replies are either one line starting "ok" or "error", or lines ending
// with "end".

#include <optional>
#include <string>

namespace gw::app {

// The reply (without the final "end" line), or nullopt with `problem` set
// when the socket cannot be reached (no gateway running there).
[[nodiscard]] std::optional<std::string> ask_gateway(const std::string& socket_path,
                                                     const std::string& command,
                                                     std::string& problem);

}  // namespace gw::app
