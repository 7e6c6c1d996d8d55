// Who may place calls (SofiaThread's part): the socket filter that drops
// untrusted sources below the stack, and the check of each INVITE and
// OPTIONS that reaches it: trusted by address, authenticated as an account
// (digest, RFC 3261 22 and RFC 8760), or refused.

#include <sofia-sip/msg_addr.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "gateway/sip/digest_header.hpp"
#include "gateway/sip/sofia_thread.hpp"

namespace gw::sip {
namespace {

using Clock = std::chrono::steady_clock;

// How often bans that ended are lifted from the socket filter and the
// kernel's count of dropped packets is read.
constexpr su_duration_t kLockoutSweepMilliseconds = 2'000;

void lockout_trampoline(SofiaThread* self, su_timer_t* /*timer*/, LegRecord* /*unused*/) {
  self->on_lockout_sweep();
}

std::string text_or_empty(const char* text) {
  return text != nullptr ? std::string(text) : std::string();
}

std::string request_uri_of(const sip_t* sip) {
  if (sip == nullptr || sip->sip_request == nullptr) return {};
  char printed[512];
  url_e(printed, sizeof printed, sip->sip_request->rq_url);
  printed[sizeof printed - 1] = '\0';
  return printed;
}

}  // namespace

void SofiaThread::set_admission(AdmissionPolicy policy) {
  post([this, policy = std::move(policy)]() mutable { apply_admission(std::move(policy)); });
}

void SofiaThread::apply_admission(AdmissionPolicy policy) {
  sip_thread_.check("SofiaThread::apply_admission");
  if (!digest_ || digest_realm_ != policy.realm) {
    digest_ =
        std::make_unique<auth::DigestAuthenticator>(policy.realm, policy.accounts, crypto_secret_);
    digest_realm_ = policy.realm;
  } else {
    digest_->set_accounts(policy.accounts);
  }
  admission_ = std::move(policy);
  update_source_filter(true);
  if (!lockout_sweep_) {
    lockout_sweep_.reset(su_timer_create(su_root_task(root_), kLockoutSweepMilliseconds));
    su_timer_set_interval(lockout_sweep_.get(), lockout_trampoline, nullptr,
                          kLockoutSweepMilliseconds);
  }
}

void SofiaThread::on_lockout_sweep() {
  sip_thread_.check("SofiaThread::on_lockout_sweep");
  lockout_.forget_expired(Clock::now());
  update_source_filter(false);
  const std::uint64_t dropped = dropped_packets(filtered_sockets_);
  if (dropped != dropped_ && dropped_counted_) {
    dropped_ = dropped;
    boost::asio::post(control_, [report = dropped_counted_, dropped] { report(dropped); });
  }
}

// The filter passes untrusted sources when something above must answer
// them: a 403 (reject), or a digest challenge (accounts exist).
void SofiaThread::update_source_filter(bool announce) {
  SourcePolicy wanted;
  wanted.trusted = admission_.trust->blocks();
  for (const auto& address : lockout_.locked_addresses(Clock::now())) {
    if (auto parsed = dialplan::IpAddress::parse(address)) wanted.locked.push_back(*parsed);
  }
  const bool reject = admission_.untrusted == dialplan::UntrustedAction::reject;
  wanted.others_pass = reject || !admission_.accounts.empty();
  // Dropping, but accounts must be challenged: only INVITEs and what their
  // calls need come up; NUA would answer OPTIONS, REGISTER and the rest.
  wanted.others_invite_only = !reject;
  if (filtered_ && *filtered_ == wanted && !announce) return;
  const auto stream_program = compile_source_filter(wanted, false);
  const auto datagram_program = compile_source_filter(wanted, true);
  std::string problem;
  auto sockets = sip_sockets(port_);
  if (tls_port_ != 0) {
    const auto tls = sip_sockets(tls_port_);
    sockets.insert(sockets.end(), tls.begin(), tls.end());
  }
  for (const int fd : sockets) {
    int type = 0;
    socklen_t size = sizeof type;
    const bool datagram =
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type == SOCK_DGRAM;
    if (auto failed = attach_source_filter(fd, datagram ? datagram_program : stream_program);
        !failed.empty()) {
      problem = failed;
    }
  }
  filtered_ = wanted;
  filtered_sockets_ = sockets;
  std::string state;
  if (!problem.empty() || sockets.empty()) {
    state = "socket filter NOT in place (" + (problem.empty() ? "no SIP socket found" : problem) +
            "): untrusted requests reach the stack and are answered 403";
    filtered_.reset();
  } else {
    state = std::string(!wanted.others_pass ? "dropping untrusted sources in the kernel ("
                        : wanted.others_invite_only
                            ? "untrusted sources reach the stack with calls only, to be "
                              "challenged ("
                            : "untrusted sources reach the stack (") +
            std::to_string(sockets.size()) + " SIP sockets, " +
            std::to_string(wanted.trusted.size()) + " trusted blocks, " +
            std::to_string(wanted.locked.size()) + " addresses locked out)";
  }
  if (filter_changed_) {
    boost::asio::post(control_, [report = filter_changed_, state] { report(state); });
  }
}

std::string SofiaThread::request_source() const {
  const msg_t* request = nua_current_request(nua_);
  const su_addrinfo_t* info =
      request != nullptr ? msg_addrinfo(const_cast<msg_t*>(request)) : nullptr;
  if (info == nullptr || info->ai_addr == nullptr) return {};
  char text[64] = {};
  const auto* address = reinterpret_cast<const su_sockaddr_t*>(info->ai_addr);
  su_inet_ntop(address->su_family, SU_ADDR(address), text, sizeof text);
  const auto parsed = dialplan::IpAddress::parse(text);
  return parsed ? parsed->to_string() : std::string(text);
}

std::optional<std::string> SofiaThread::admit(nua_handle_t* handle, const sip_t* sip) {
  sip_thread_.check("SofiaThread::admit");
  RefusedRequest refused;
  refused.address = request_source();
  refused.method = sip != nullptr && sip->sip_request != nullptr
                       ? text_or_empty(sip->sip_request->rq_method_name)
                       : std::string();
  refused.request_uri = request_uri_of(sip);
  const auto now = Clock::now();
  if (lockout_.locked(refused.address, now)) {
    refused.why = "locked out after failed authentications";
  } else if (admission_.trust->trusts(refused.address)) {
    return std::string();
  } else if (!admission_.accounts.empty() && refused.method == "INVITE") {
    return authenticate(handle, sip, std::move(refused));
  } else {
    refused.why = "untrusted source";
  }
  if (admission_.untrusted == dialplan::UntrustedAction::drop && refused.method != "INVITE") {
    // Here only because accounts let untrusted sources through the filter.
    // A 408 to a non-INVITE is never sent (NTA follows RFC 4320): the
    // transaction ends and the scanner hears nothing.
    refused.action = RefusedRequest::Action::dropped;
    report_refusal(std::move(refused));
    nua_respond(handle, SIP_408_REQUEST_TIMEOUT, NUTAG_WITH_THIS(nua_), TAG_END());
    return std::nullopt;
  }
  refused.action = RefusedRequest::Action::rejected;
  // Reported before the answer goes out: whoever reads the status after
  // the answer finds the refusal there.
  report_refusal(std::move(refused));
  nua_respond(handle, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua_),
              SIPTAG_REASON_STR("Q.850;cause=21;text=\"Call rejected\""), TAG_END());
  return std::nullopt;
}

std::optional<std::string> SofiaThread::authenticate(nua_handle_t* handle, const sip_t* sip,
                                                     RefusedRequest refused) {
  const auto now = Clock::now();
  const auto response = read_digest_response(sip, admission_.realm);
  bool stale = false;
  if (response) {
    const auto check = digest_->verify(*response, refused.method, now);
    if (check.verdict == auth::DigestVerdict::accepted) return check.user;
    stale = check.verdict == auth::DigestVerdict::stale;
    if (!stale) {
      refused.action = RefusedRequest::Action::auth_failed;
      refused.why = check.why;
      refused.locked = lockout_.record_failure(refused.address, now);
      // The filter first: a request sent on the heels of this answer must
      // already find the address locked out.
      if (refused.locked) update_source_filter(false);
      // The same answer for an unknown user as for a wrong password.
      report_refusal(std::move(refused));
      nua_respond(handle, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua_), TAG_END());
      return std::nullopt;
    }
  }
  refused.action = RefusedRequest::Action::challenged;
  refused.why = stale ? "stale nonce" : "no credentials";
  const auto challenges = digest_->challenges(now, stale);
  const std::string first = challenges.empty() ? std::string() : challenges.front();
  const std::string second = challenges.size() > 1 ? challenges[1] : std::string();
  report_refusal(std::move(refused));
  nua_respond(handle, SIP_401_UNAUTHORIZED, NUTAG_WITH_THIS(nua_),
              SIPTAG_WWW_AUTHENTICATE_STR(first.c_str()),
              TAG_IF(!second.empty(), SIPTAG_WWW_AUTHENTICATE_STR(second.c_str())), TAG_END());
  return std::nullopt;
}

void SofiaThread::report_refusal(RefusedRequest refused) {
  if (!request_refused_) return;
  boost::asio::post(control_, [report = request_refused_, refused = std::move(refused)]() mutable {
    report(std::move(refused));
  });
}

}  // namespace gw::sip
