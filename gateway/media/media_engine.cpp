// MediaEngine: the control thread's side. It owns the port range and the
// table of sessions; each session lives on one worker (an io_context on its
// own thread), and every call into a session is a closure posted there.

#include "gateway/media/media_engine.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "drivers/dsp/dsp.hpp"
#include "gateway/media/port_allocator.hpp"
#include "gateway/media/rtp_session.hpp"

namespace gw::media {
namespace {

using udp = boost::asio::ip::udp;

// One media thread: an io_context kept running until the worker is dropped.
// Its sessions must all be stopped by then, or the join waits for them.
class Worker {
 public:
  Worker() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    guard_.reset();
    thread_.join();
  }
  boost::asio::io_context& io() noexcept { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Binds the RTP socket on `port` and RTCP on the one above; both closed
// again on failure, so the next try starts clean.
std::error_code bind_pair(udp::socket& rtp, udp::socket& rtcp,
                          const boost::asio::ip::address& address, std::uint16_t port) {
  boost::system::error_code error;
  for (auto* socket : {&rtp, &rtcp}) {
    socket->close(error);
    socket->open(address.is_v6() ? udp::v6() : udp::v4(), error);
    if (error) return {error.value(), std::system_category()};
  }
  rtp.bind(udp::endpoint(address, port), error);
  if (!error) rtcp.bind(udp::endpoint(address, static_cast<std::uint16_t>(port + 1)), error);
  // send_to() on the worker must never block the 20 ms path.
  if (!error) rtp.non_blocking(true, error);
  if (!error) rtcp.non_blocking(true, error);
  if (!error) return {};
  boost::system::error_code ignored;
  rtp.close(ignored);
  rtcp.close(ignored);
  return {error.value(), std::system_category()};
}

// A random CNAME for this process's streams (RFC 7022: short-term
// persistent, revealing nothing about the host).
std::string random_cname(std::mt19937& random) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string text;
  text.reserve(16);
  for (int i = 0; i < 16; ++i) text.push_back(kHex[random() % kHex.size()]);
  return text + "@sipgw";
}

}  // namespace

struct MediaEngine::Impl {
  struct Entry {
    std::shared_ptr<RtpSession> session;
    std::shared_ptr<SessionCounters> counters;
    Worker* worker = nullptr;
    std::uint16_t port = 0;
    bool started = false;
  };

  Impl(MediaConfig config_in, std::function<void(std::function<void()>)> post)
      : config(std::move(config_in)),
        post_to_control(std::move(post)),
        address(parse_address(config.bind_address)),
        ports(config.port_min, config.port_max),
        random(std::random_device{}()),
        cname(random_cname(random)) {
    // SpanDSP's DTMF tables are filled on first use; do it before any worker
    // can race to it.
    dsp::prepare_dtmf();
    const int count = std::max(config.workers, 1);
    workers.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) workers.push_back(std::make_unique<Worker>());
  }

  static boost::asio::ip::address parse_address(const std::string& text) {
    boost::system::error_code error;
    auto parsed = boost::asio::ip::make_address(text, error);
    if (error) throw std::invalid_argument("media: bad bind address '" + text + "'");
    return parsed;
  }

  Entry* find(SessionId id) {
    const auto at = sessions.find(id);
    return at == sessions.end() ? nullptr : &at->second;
  }

  SessionSetup setup() {
    SessionSetup made;
    made.ssrc = static_cast<std::uint32_t>(random());
    made.first_sequence = static_cast<std::uint16_t>(random());
    made.first_timestamp = static_cast<std::uint32_t>(random());
    made.cname = cname;
    made.jitter.target_ms = config.jitter_target_ms;
    made.jitter.max_ms = config.jitter_max_ms;
    made.post_to_control = post_to_control;
    return made;
  }

  std::optional<SessionId> allocate(std::error_code& error);
  void release(SessionId id);

  MediaConfig config;
  std::function<void(std::function<void()>)> post_to_control;
  boost::asio::ip::address address;
  PortAllocator ports;
  std::mt19937 random;
  std::string cname;
  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t next_worker = 0;
  std::unordered_map<SessionId, Entry> sessions;
  SessionId next_id = 1;
};

std::optional<SessionId> MediaEngine::Impl::allocate(std::error_code& error) {
  Worker& worker = *workers[next_worker];
  udp::socket rtp(worker.io());
  udp::socket rtcp(worker.io());
  const auto port = ports.allocate(
      [&](std::uint16_t candidate) { return bind_pair(rtp, rtcp, address, candidate); }, error);
  if (!port) return std::nullopt;
  next_worker = (next_worker + 1) % workers.size();
  auto counters = std::make_shared<SessionCounters>();
  // Made here with its sockets bound; from now on only `worker` touches it
  // (every later call is posted there, which orders it after this).
  auto session =
      std::make_shared<RtpSession>(worker.io(), std::move(rtp), std::move(rtcp), setup(), counters);
  const SessionId id = next_id++;
  sessions.emplace(id, Entry{std::move(session), std::move(counters), &worker, *port});
  return id;
}

void MediaEngine::Impl::release(SessionId id) {
  const auto at = sessions.find(id);
  if (at == sessions.end()) return;
  Entry entry = std::move(at->second);
  sessions.erase(at);
  // The worker closes the sockets and the B-channel when it gets to it; the
  // control thread does not wait for that, so a busy worker cannot stall
  // call control. The pair goes back to the range at once: until the worker
  // has closed it, binding it fails and allocate() passes it over, and
  // round-robin makes it the last pair to be tried anyway.
  boost::asio::post(entry.worker->io(), [session = std::move(entry.session)]() mutable {
    session->stop();
    session.reset();  // the session's last reference goes on its worker
  });
  ports.release(entry.port);
}

MediaEngine::MediaEngine(MediaConfig config,
                         std::function<void(std::function<void()>)> post_to_control)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(post_to_control))) {}

MediaEngine::~MediaEngine() {
  std::vector<SessionId> ids;
  ids.reserve(impl_->sessions.size());
  for (const auto& [id, entry] : impl_->sessions) ids.push_back(id);
  for (const SessionId id : ids) impl_->release(id);
  // Then the workers join, once they have run the stops posted to them.
}

std::optional<SessionId> MediaEngine::allocate(std::error_code& error) {
  return impl_->allocate(error);
}

LocalEndpoint MediaEngine::local_endpoint(SessionId id) const {
  const auto* entry = impl_->find(id);
  if (entry == nullptr) return {};
  return LocalEndpoint{impl_->config.bind_address, entry->port};
}

void MediaEngine::start(SessionId id, const NegotiatedMedia& media,
                        std::unique_ptr<tdm::Channel> bearer, tdm::Law law, SessionEvents events) {
  auto* entry = impl_->find(id);
  if (entry == nullptr) return;  // the channel closes as it goes out of scope
  entry->started = true;
  boost::asio::post(entry->worker->io(),
                    [session = entry->session, media, bearer = std::move(bearer), law,
                     events = std::move(events)]() mutable {
                      session->start(media, std::move(bearer), law, std::move(events));
                    });
}

void MediaEngine::update(SessionId id, const NegotiatedMedia& media) {
  auto* entry = impl_->find(id);
  if (entry == nullptr) return;
  boost::asio::post(entry->worker->io(),
                    [session = entry->session, media] { session->update(media); });
}

void MediaEngine::release(SessionId id) {
  impl_->release(id);
}

bool MediaEngine::started(SessionId id) const {
  const auto* entry = impl_->find(id);
  return entry != nullptr && entry->started;
}

std::optional<SessionStats> MediaEngine::stats(SessionId id) const {
  const auto* entry = impl_->find(id);
  if (entry == nullptr) return std::nullopt;
  return entry->counters->snapshot();
}

std::vector<CapturedPacket> MediaEngine::captured(SessionId id) const {
  const auto* entry = impl_->find(id);
  if (entry == nullptr) return {};
  return entry->counters->capture.packets();
}

std::size_t MediaEngine::session_count() const {
  return impl_->sessions.size();
}

}  // namespace gw::media
