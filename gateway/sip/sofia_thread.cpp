#include "gateway/sip/sofia_thread.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <cstdio>

#include <cerrno>
#include <system_error>

#include <future>
#include <stdexcept>
#include <string>

#include "drivers/crypto/hash.hpp"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

namespace gw::sip {
namespace {

// What a caller may send us, and what we take in a body. NUA answers any
// other method 405 with this Allow (its default list has MESSAGE, REFER,
// UPDATE, SUBSCRIBE and NOTIFY, which it would accept for us and then
// nothing would happen). PRACK is NUA's own work: it sends a 183 reliably
// to a caller that supports 100rel, and PRACKs a peer's reliable 18x.
constexpr const char* kAllow = "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK";
constexpr const char* kAccept = "application/sdp";
constexpr const char* kSupported = "timer, 100rel";

// Sofia's C callbacks: the typed context comes as magic; forward in one line.
void nua_trampoline(nua_event_t event, int status, char const* phrase, nua_t* /*nua*/,
                    SofiaThread* self, nua_handle_t* handle, LegRecord* leg, sip_t const* sip,
                    tagi_t* tags) {
  self->on_nua_event(event, status, phrase, handle, leg, sip, tags);
}

// su_log's output, while call traces are on; `stream` is the SofiaThread.
void log_trampoline(void* stream, char const* format, va_list arguments) {
  static_cast<SofiaThread*>(stream)->on_log(format, arguments);
}

int wakeup_trampoline(SofiaThread* self, su_wait_t* /*wait*/, su_wakeup_arg_t* /*arg*/) {
  self->on_wakeup();
  return 0;
}

// su_init() .. su_deinit() around everything else Sofia on the SIP thread.
class SofiaLibrary {
 public:
  SofiaLibrary() { su_init(); }
  SofiaLibrary(const SofiaLibrary&) = delete;
  SofiaLibrary& operator=(const SofiaLibrary&) = delete;
  ~SofiaLibrary() { su_deinit(); }
};

// The wake-up eventfd registered with the root, unregistered before the root
// goes.
class RootWait {
 public:
  RootWait(su_root_t* root, int fd) : root_(root) {
    su_wait_create(wait_.data(), fd, SU_WAIT_IN);
    su_root_register(root_, wait_.data(), wakeup_trampoline, nullptr, 0);
  }
  RootWait(const RootWait&) = delete;
  RootWait& operator=(const RootWait&) = delete;
  ~RootWait() { su_root_unregister(root_, wait_.data(), wakeup_trampoline, nullptr); }

 private:
  su_root_t* root_;
  std::array<su_wait_t, 1> wait_{};
};

// su_log's default log (process-wide) into `self`'s wire log while it lives;
// nothing when `self` is null (no call traces).
class LogRedirect {
 public:
  explicit LogRedirect(SofiaThread* self) : active_(self != nullptr) {
    if (active_) su_log_redirect(su_log_default, log_trampoline, self);
  }
  LogRedirect(const LogRedirect&) = delete;
  LogRedirect& operator=(const LogRedirect&) = delete;
  ~LogRedirect() {
    if (active_) su_log_redirect(su_log_default, nullptr, nullptr);
  }

 private:
  bool active_;
};

// "127.0.0.1:5060", "[::1]:5060".
std::string host_port(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Sofia opens a TLS port without a certificate when agent.pem cannot be
// read, and then fails every handshake ("no shared cipher"): the gateway
// refuses to start instead.
std::string tls_folder_problem(const std::string& directory) {
  const std::string agent = directory + "/agent.pem";
  if (::access(agent.c_str(), R_OK) == 0) return {};
  return "TLS: cannot read " + agent + ": " +
         std::error_code(errno, std::generic_category()).message();
}

// The socket address of `host`:`port`; nullopt when `host` is not an IP address.
std::optional<std::pair<sockaddr_storage, socklen_t>> socket_address(const std::string& host,
                                                                     int port) {
  sockaddr_storage address{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    return std::pair{address, socklen_t{sizeof *v4}};
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    return std::pair{address, socklen_t{sizeof *v6}};
  }
  return std::nullopt;
}

// Empty when a socket of `type` can bind `port`, else why not.
std::string probe_bind(const std::string& host, int port, int type) {
  auto address = socket_address(host, port);
  if (!address) return "'" + host + "' is not an IP address";
  const UniqueFd probe(::socket(address->first.ss_family, type | SOCK_CLOEXEC, 0));
  const int reuse = 1;
  if (type == SOCK_STREAM)
    ::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  if (!probe ||
      ::bind(probe.get(), reinterpret_cast<sockaddr*>(&address->first), address->second) != 0) {
    return std::error_code(errno, std::generic_category()).message();
  }
  return {};
}

// Tries to bind UDP and TCP on the address the stack will use, and TCP on
// its TLS port; empty when all can, else the reason naming the address.
// Sofia's nua_create() leaks when it fails to bind, and says less about why.
std::string bind_problem(const StackConfig& config) {
  const std::string sip = config.bind + ":" + std::to_string(config.port);
  if (!socket_address(config.bind, config.port))
    return "cannot listen on " + sip + ": '" + config.bind + "' is not an IP address";
  if (auto problem = probe_bind(config.bind, config.port, SOCK_DGRAM); !problem.empty())
    return "cannot listen on " + sip + ": UDP: " + problem;
  if (auto problem = probe_bind(config.bind, config.port, SOCK_STREAM); !problem.empty())
    return "cannot listen on " + sip + ": TCP: " + problem;
  if (config.tls_port == 0) return {};
  if (config.tls_port == config.port)
    return "the TLS port " + std::to_string(config.tls_port) + " is the SIP port";
  if (auto problem = probe_bind(config.bind, config.tls_port, SOCK_STREAM); !problem.empty()) {
    return "cannot listen on " + config.bind + ":" + std::to_string(config.tls_port) +
           ": TLS: " + problem;
  }
  return tls_folder_problem(config.tls_directory);
}

}  // namespace

SofiaThread::SofiaThread(const StackConfig& config, AdmissionPolicy admission,
                         const std::atomic<bool>& accepting, boost::asio::io_context& control,
                         CallHandler& handler)
    : accepting_(accepting),
      port_(config.port),
      tls_port_(config.tls_port),
      admission_(std::move(admission)),
      crypto_secret_(crypto::random_bytes(32)),
      request_refused_(config.request_refused),
      filter_changed_(config.filter_changed),
      dropped_counted_(config.dropped_counted),
      registration_config_(config.registrations),
      registration_changed_(config.registration_changed),
      retry_after_seconds_(config.retry_after_seconds),
      message_traced_(config.message_traced),
      control_(control),
      handler_(handler),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_fd_) throw std::runtime_error("sip: eventfd failed");
  if (const auto problem = bind_problem(config); !problem.empty()) {
    throw std::runtime_error("sip: " + problem);
  }
  std::promise<std::string> bound;
  auto result = bound.get_future();
  thread_ = std::thread([this, config, &bound] {
    run(config, [&bound](std::string error) { bound.set_value(std::move(error)); });
  });
  const std::string error = result.get();
  if (!error.empty()) {
    thread_.join();
    throw std::runtime_error(error);
  }
}

// Not the SIP thread: tport logs from NUA's stack, which nua_create() runs as
// a su_clone on a thread of its own. wire_log_ is fed from there only.
void SofiaThread::on_log(const char* format, va_list arguments) {
  if (is_separator_format(format)) {
    const char* before = va_arg(arguments, const char*);
    if (before != nullptr) wire_log_->feed(before);
    wire_log_->separator();
    return;
  }
  std::array<char, 4096> text{};
  const int length = std::vsnprintf(text.data(), text.size(), format, arguments);
  if (length <= 0) return;
  wire_log_->feed({text.data(), std::min(static_cast<std::size_t>(length), text.size() - 1)});
}

// Read back with Sofia's own parser for what the trace files it under.
void SofiaThread::traced(WireMessage message) {
  const std::unique_ptr<msg_t, decltype(&msg_destroy)> parsed(
      msg_make(sip_default_mclass(), 0, message.text.data(),
               static_cast<ssize_t>(message.text.size())),
      &msg_destroy);
  if (const sip_t* sip = parsed ? sip_object(parsed.get()) : nullptr) {
    if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr) {
      message.call_id = sip->sip_call_id->i_id;
    }
    if (sip->sip_request != nullptr && sip->sip_request->rq_method_name != nullptr) {
      message.summary = sip->sip_request->rq_method_name;
    } else if (sip->sip_status != nullptr) {
      message.summary = std::to_string(sip->sip_status->st_status) + " " +
                        (sip->sip_status->st_phrase != nullptr ? sip->sip_status->st_phrase : "");
    }
  }
  boost::asio::post(control_, [sink = message_traced_, message = std::move(message)]() mutable {
    sink(std::move(message));
  });
}

SofiaThread::~SofiaThread() {
  // NUA answers what is pending, then reports nua_r_shutdown, which ends the loop.
  post([this] { nua_shutdown(nua_); });
  thread_.join();
}

void SofiaThread::post(std::function<void()> work) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_.get(), &one, sizeof one);
}

void SofiaThread::on_wakeup() {
  sip_thread_.check("SofiaThread::on_wakeup");
  std::uint64_t count = 0;
  [[maybe_unused]] const auto got = ::read(wake_fd_.get(), &count, sizeof count);
  std::deque<std::function<void()>> work;
  {
    const std::lock_guard lock(mutex_);
    work.swap(queue_);
  }
  for (auto& item : work) item();
}

void SofiaThread::run(const StackConfig& config, const std::function<void(std::string)>& started) {
  // The members were built on the constructing thread; from here they are this thread's.
  sip_thread_.rebind();
  // Declared in the order Sofia needs them, so they go in the reverse one.
  const SofiaLibrary library;
  const SuRoot root(su_root_create(this));
  if (!root) {
    started("sip: su_root_create failed");
    return;
  }
  root_ = root.get();
  const RootWait wake(root_, wake_fd_.get());
  if (message_traced_) {
    // tport prints each message through su_log's default log: take it there.
    wire_log_ = std::make_unique<WireLogAssembler>(
        [this](WireMessage message) { traced(std::move(message)); },
        [](std::string_view line) {
          (void)std::fprintf(stderr, "sofia: %.*s\n", static_cast<int>(line.size()), line.data());
        });
  }
  const LogRedirect log(wire_log_ ? this : nullptr);
  Nua nua = create_nua(config);
  if (!nua) {
    started("sip: cannot listen on " + host_port(config.bind, config.port) +
            (config.tls_port != 0 ? " and TLS " + std::to_string(config.tls_port) : "") +
            " (address in use, not this host's, or TLS files Sofia cannot use?)");
    return;
  }
  nua_ = nua.get();
  local_host_ = host_port(config.bind, config.port);
  if (config.tls_port != 0) {
    tls_contact_ = "<sip:" + host_port(config.bind, config.tls_port) + ";transport=tls>";
  }
  // Before anyone hears we are up: the filter from the first request on.
  apply_admission(admission_);
  started({});
  apply_registrations(registration_config_);
  su_root_run(root_);
  // NUA has shut down (nua_r_shutdown): the handles go first, then NUA.
  legs_.clear();
  registrations_.clear();
  lockout_sweep_.reset();
  nua.reset();
  nua_ = nullptr;
}

Nua SofiaThread::create_nua(const StackConfig& config) {
  sip_thread_.check("SofiaThread::create_nua");
  const std::string url = "sip:" + host_port(config.bind, config.port);
  const bool tls = config.tls_port != 0;
  const std::string sips_url = "sips:" + host_port(config.bind, config.tls_port);
  // A peer we reach over TLS must show a certificate that cafile.pem's CAs
  // signed, for the host name we connect to (RFC 5922 7.1); a client of
  // ours need not show one (NUA's policy is one for all peers).
  return Nua(nua_create(root_, nua_trampoline, this, NUTAG_URL(url.c_str()),
                        TAG_IF(tls, NUTAG_SIPS_URL(sips_url.c_str())),
                        TAG_IF(tls, NUTAG_CERTIFICATE_DIR(config.tls_directory.c_str())),
                        TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_SUBJECTS_OUT)),
                        TAG_IF(message_traced_ != nullptr, TPTAG_LOG(1)),
                        // Call control answers SDP itself: no Sofia SOA.
                        NUTAG_MEDIA_ENABLE(0), NUTAG_APPL_METHOD("OPTIONS"), NUTAG_AUTOANSWER(0),
                        NUTAG_AUTOALERT(0), SIPTAG_ALLOW_STR(kAllow),
                        SIPTAG_SUPPORTED_STR(kSupported), SIPTAG_ACCEPT_STR(kAccept),
                        SIPTAG_USER_AGENT_STR("sipgw"), TAG_END()));
}

void SofiaThread::on_nua_event(nua_event_t event, int status, char const* phrase,
                               nua_handle_t* handle, LegRecord* leg, const sip_t* sip,
                               tagi_t* tags) {
  sip_thread_.check("SofiaThread::on_nua_event");
  switch (event) {
    case nua_i_options:
      answer_options(handle, sip, leg == nullptr);
      return;
    case nua_i_invite:
      on_invite(status, handle, leg, sip);
      return;
    case nua_i_ack:
      on_ack(leg, sip);
      return;
    case nua_i_cancel:
      on_cancel(leg);
      return;
    case nua_i_bye:
      on_bye(leg, sip);
      return;
    case nua_i_state:
      on_call_state(status, phrase, handle, leg, tags);
      return;
    case nua_i_terminated:
      return;
    case nua_r_register:
    case nua_r_unregister:
      on_register_response(status, phrase, leg, sip, event == nua_r_unregister);
      return;
    case nua_r_invite:
      on_invite_response(status, phrase, leg, sip);
      return;
    case nua_r_cancel:
    case nua_r_bye:
      return;
    case nua_r_shutdown:
      if (status >= 200) su_root_break(root_);
      return;
    case nua_i_message:
    case nua_i_info:
    case nua_i_update:
    case nua_i_prack:
    case nua_i_refer:
    case nua_i_publish:
    case nua_i_subscribe:
    case nua_i_notify:
    case nua_i_method:
    case nua_i_register: {
      // A request outside any call of ours: NUA has answered it; the handle
      // it made is ours to free. (Inside a call the handle is the call's.)
      const NuaHandle answered(leg == nullptr ? handle : nullptr);
      return;
    }
    default:
      return;
  }
}

void SofiaThread::answer_options(nua_handle_t* handle, const sip_t* sip, bool own_handle) {
  sip_thread_.check("SofiaThread::answer_options");
  // An OPTIONS inside a call (a keepalive) comes on the call's handle; one
  // outside any call on a handle NUA made for it, ours to free once answered.
  const NuaHandle answered(own_handle ? handle : nullptr);
  // A load balancer's probe from a trusted peer is answered as ever; from
  // anyone else it is refused (admit() answers it).
  if (own_handle && !admit(handle, sip)) return;
  if (accepting_.load(std::memory_order_acquire)) {
    nua_respond(handle, SIP_200_OK, NUTAG_WITH_THIS(nua_), SIPTAG_ALLOW_STR(kAllow),
                SIPTAG_ACCEPT_STR(kAccept), SIPTAG_SUPPORTED_STR(kSupported), TAG_END());
  } else {
    const std::string retry = std::to_string(retry_after_seconds_);
    nua_respond(handle, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(nua_),
                SIPTAG_ALLOW_STR(kAllow), SIPTAG_ACCEPT_STR(kAccept),
                SIPTAG_SUPPORTED_STR(kSupported), SIPTAG_RETRY_AFTER_STR(retry.c_str()), TAG_END());
  }
}

}  // namespace gw::sip
