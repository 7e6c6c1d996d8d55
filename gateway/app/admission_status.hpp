#pragma once
// Who may place calls, as the operator sees it: the trust list the plan
// makes (host names resolved off the control thread, on load and reload),
// what the socket filter does, the untrusted sources seen lately and how
// many requests were refused for their source, by what was done. It hands
// the SIP stack each new AdmissionPolicy. Control thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialplan/plan.hpp"
#include "gateway/auth/trust_list.hpp"
#include "gateway/sip/stack.hpp"

namespace gw::app {

struct UntrustedSource {
  std::string address;
  std::uint64_t count = 0;
  std::string last_request;  // "INVITE sip:7773660;phone-context=p1234@..."
  std::string last_action;   // "rejected", "challenged", "auth-failed", "dropped"
  std::chrono::system_clock::time_point last_seen;
  std::chrono::steady_clock::time_point last_logged;
};

class AdmissionStatus {
 public:
  using Log = std::function<void(std::string_view)>;
  using Apply = std::function<void(sip::AdmissionPolicy)>;

  AdmissionStatus(boost::asio::io_context& control, Log log, Apply apply);
  AdmissionStatus(const AdmissionStatus&) = delete;
  AdmissionStatus& operator=(const AdmissionStatus&) = delete;
  ~AdmissionStatus();

  // A plan was loaded: its literal peers apply at once, host names once
  // resolved. `migrated`: the plan comes from a release without a trust list.
  void plan_changed(const dialplan::Plan& plan, bool migrated);
  void on_refused(const sip::RefusedRequest& refused);
  void on_filter(std::string state);
  void on_dropped(std::uint64_t total) { dropped_ = total; }
  // Dropped in the kernel, and silently by the stack (a non-INVITE while
  // accounts let untrusted sources through the filter).
  [[nodiscard]] std::uint64_t dropped() const noexcept {
    const auto silent = counts_.find("dropped");
    return dropped_ + (silent == counts_.end() ? 0 : silent->second);
  }

  [[nodiscard]] const auth::TrustList& trust() const noexcept { return *trust_; }
  [[nodiscard]] dialplan::UntrustedAction untrusted() const noexcept { return untrusted_; }
  [[nodiscard]] const std::string& filter_state() const noexcept { return filter_state_; }
  [[nodiscard]] bool migrated() const noexcept { return migrated_; }
  [[nodiscard]] std::size_t account_count() const noexcept { return accounts_; }
  // Most recent first.
  [[nodiscard]] std::vector<UntrustedSource> sources() const;
  [[nodiscard]] const std::map<std::string, std::uint64_t>& refused_counts() const noexcept {
    return counts_;
  }
  // `sipgwctl status`: "trust ...", "untrusted ...", "filter ...", a line per source.
  [[nodiscard]] std::string status_lines() const;
  // What the gateway says at start and on reload.
  [[nodiscard]] std::string announcement() const;

 private:
  void resolved(std::shared_ptr<const auth::TrustList> trust, std::uint64_t generation);
  void hand_over();

  boost::asio::io_context& control_;
  Log log_;
  Apply apply_;
  std::shared_ptr<const auth::TrustList> trust_ = std::make_shared<auth::TrustList>();
  dialplan::UntrustedAction untrusted_ = dialplan::UntrustedAction::drop;
  std::string realm_;
  std::vector<auth::DigestAccount> digest_accounts_;
  std::size_t accounts_ = 0;
  bool migrated_ = false;
  std::string filter_state_ = "not yet applied";
  std::map<std::string, UntrustedSource> sources_;  // by address, at most kMaxSources
  std::map<std::string, std::uint64_t> counts_;     // by action
  std::uint64_t dropped_ = 0;     // by the socket filter (and full buffers), since start
  std::uint64_t generation_ = 0;  // of plan_changed(), to drop stale resolutions
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  boost::asio::thread_pool resolver_{1};
};

// getaddrinfo(): the addresses `host` has now.
[[nodiscard]] std::vector<dialplan::IpAddress> resolve_host(const std::string& host,
                                                            std::string& error);

}  // namespace gw::app
