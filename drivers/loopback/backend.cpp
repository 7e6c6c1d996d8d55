#include "drivers/loopback/backend.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace gw::loopback {

void Backend::register_with(tdm::BackendRegistry& registry) {
  registry.add("loopback", [this](const tdm::SpanSpec& spec) -> std::unique_ptr<tdm::Span> {
    return open(spec);
  });
}

std::unique_ptr<LoopbackSpan> Backend::open(const tdm::SpanSpec& spec) {
  LineOptions options = defaults_;
  options.limit_dchannel = spec.limit_dchannel;
  const auto colon = spec.address.find(':');
  const std::string mode = spec.address.substr(0, colon);
  const std::string target = colon == std::string::npos ? "" : spec.address.substr(colon + 1);
  if (target.empty()) {
    throw std::invalid_argument("span address: '" + spec.address +
                                "' needs listen:PATH, connect:PATH or pair:NAME");
  }
  Endpoint endpoint;
  if (mode == "listen" || mode == "connect") {
    endpoint.mode = mode == "listen" ? Endpoint::Mode::listen : Endpoint::Mode::connect;
    endpoint.path = target;
  } else if (mode == "pair") {
    endpoint.mode = Endpoint::Mode::connected;
    const std::lock_guard lock(mutex_);
    if (auto waiting = waiting_pairs_.extract(target)) {
      endpoint.socket = std::move(waiting.mapped());
    } else {
      int fds[2] = {-1, -1};
      if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
        throw std::system_error(errno, std::generic_category(), "socketpair");
      }
      endpoint.socket.reset(fds[0]);
      waiting_pairs_.emplace(target, UniqueFd(fds[1]));
    }
  } else {
    throw std::invalid_argument("span address: unknown loopback mode '" + mode +
                                "' (listen, connect or pair)");
  }
  return std::make_unique<LoopbackSpan>(spec.name, spec.shape, spec.effective_law(),
                                        std::move(endpoint), options);
}

}  // namespace gw::loopback
