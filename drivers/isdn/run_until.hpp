#pragma once
// Waiting on the event loop, bounded by a deadline, never by sleeping
// (tools such as pstncall and the tests).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace gw::isdn {

// Runs `io` until `done()` holds or `limit` passes; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs `io` for `span` of wall time (to let something *not* happen).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds span) {
  run_until(
      io, [] { return false; }, span);
}

}  // namespace gw::isdn
