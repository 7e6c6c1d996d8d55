#pragma once
// The SIP stack: Sofia-SIP's NUA on a thread of its own. Only this directory
// includes Sofia-SIP headers. Other threads never call into Sofia: they post
// closures through a queue the SIP thread drains (woken by an eventfd
// registered with su_root); the SIP thread posts call events to the control
// thread's io_context, where the CallHandler runs.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dialplan/plan.hpp"
#include "gateway/auth/digest.hpp"
#include "gateway/auth/trust_list.hpp"
#include "gateway/sip/sip_call.hpp"
#include "gateway/sip/wire_log.hpp"

namespace gw::sip {

// A registrar to REGISTER with (RFC 3665 section 2). NUA refreshes the
// binding before it expires and removes it when the stack shuts down or
// the registration is no longer wanted.
struct Registration {
  std::string name;
  std::string registrar;  // "host" or "host:port"
  std::string user;       // address of record sip:USER@REGISTRAR-HOST
  std::string auth_user;  // digest user; empty: `user`
  std::string password;
  int expires = 3600;
  std::string outbound_proxy;  // "host[:port]" the REGISTERs go through; empty: none
  friend bool operator==(const Registration&, const Registration&) = default;
};

// Who may place calls: the sources trusted by address, what an untrusted
// one gets, and the accounts that may authenticate from anywhere.
struct AdmissionPolicy {
  std::shared_ptr<const auth::TrustList> trust = std::make_shared<auth::TrustList>();
  dialplan::UntrustedAction untrusted = dialplan::UntrustedAction::drop;
  std::string realm = "sipgw";
  std::vector<auth::DigestAccount> accounts;
};

// A request the stack refused (or challenged) for who sent it, for the
// operator's list of untrusted sources and the counters.
struct RefusedRequest {
  enum class Action : std::uint8_t {
    dropped,     // the socket filter dropped it (seen by the observer)
    rejected,    // 403 Forbidden, Reason: Q.850;cause=21
    challenged,  // 401 with a digest challenge
    auth_failed  // credentials refused: 403
  };
  Action action = Action::rejected;
  std::string address;  // "127.0.0.9"
  std::string method;   // "INVITE"
  std::string request_uri;
  std::string why;      // for the log: "untrusted", "wrong response (user pbx1)"...
  bool locked = false;  // this failure locked the address out
};

[[nodiscard]] std::string_view to_string(RefusedRequest::Action action) noexcept;

struct StackConfig {
  std::string bind = "127.0.0.1";
  int port = 5060;
  // SIP over TLS (RFC 3261 26) on its own port of `bind`; 0: none. Sofia
  // reads its identity from `tls_directory`: agent.pem (the key and the
  // certificate) and cafile.pem (the CAs a peer's certificate is verified
  // against), as web::ensure_sip_tls_folder() makes them.
  int tls_port = 0;
  std::string tls_directory;
  int retry_after_seconds = 30;  // in a 503 when the gateway takes no calls
  std::vector<Registration> registrations;
  // Each final answer to a REGISTER (`removed`: to the one taking the
  // binding away), on the control thread.
  std::function<void(const std::string& name, int status, const std::string& phrase, bool removed)>
      registration_changed;
  // Every SIP message sent or received, on the control thread; empty: not traced.
  std::function<void(WireMessage)> message_traced;
  // Requests refused for their source, and what the socket filter does
  // ("dropping untrusted sources on 2 sockets", or why it cannot), on the
  // control thread.
  std::function<void(RefusedRequest)> request_refused;
  std::function<void(std::string)> filter_changed;
  // Packets the kernel dropped on the SIP sockets so far (looked at every
  // few seconds; reported when it changed), on the control thread.
  std::function<void(std::uint64_t)> dropped_counted;
};

class SofiaThread;

class Stack final : public SipLegs {
 public:
  // Nothing is bound until start().
  Stack(StackConfig config, boost::asio::io_context& control);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  // Shuts NUA down (pending transactions answered) and joins the thread.
  ~Stack() override;

  // Binds UDP and TCP on bind:port and starts the SIP thread; calls go to
  // `handler` on the control thread. Throws std::runtime_error naming the
  // address when it cannot bind.
  void start(CallHandler& handler);
  // Stops taking requests: NUA answers what is pending and the thread ends.
  // Events already posted to the control thread may still arrive.
  void stop();

  // The registrations wanted from now on: those gone are removed (REGISTER
  // with expires 0), new or changed ones are registered. Any thread.
  void set_registrations(std::vector<Registration> registrations);

  // Who may place calls from now on. Any thread; the first one set before
  // start() applies from the first request.
  void set_admission(AdmissionPolicy policy);

  void respond(LegId leg, Response response) override;
  void bye(LegId leg, const std::string& reason) override;
  // 0 when the stack is not running: no INVITE went out.
  LegId invite(OutgoingInvite invite) override;

  // Whether the gateway can take a call now (a span up, a channel free):
  // OPTIONS is answered 200 or 503 with Retry-After, as load balancers expect.
  // Any thread may call it; the SIP thread reads it without a lock.
  void set_accepting_calls(bool accepting) noexcept {
    accepting_.store(accepting, std::memory_order_release);
  }
  [[nodiscard]] const StackConfig& config() const noexcept { return config_; }

 private:
  StackConfig config_;
  AdmissionPolicy admission_;
  boost::asio::io_context& control_;
  std::atomic<bool> accepting_{true};
  std::unique_ptr<SofiaThread> sofia_;
};

}  // namespace gw::sip
