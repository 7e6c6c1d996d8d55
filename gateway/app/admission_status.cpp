#include "gateway/app/admission_status.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <sstream>

namespace gw::app {
namespace {

constexpr std::size_t kMaxSources = 64;  // a scan from many addresses keeps the newest
constexpr auto kLogEvery = std::chrono::minutes(1);

bool has_host_name(const dialplan::Plan& plan) {
  const auth::TrustList literal(plan, nullptr);
  return std::any_of(literal.peers().begin(), literal.peers().end(),
                     [](const auth::TrustedPeer& peer) { return !peer.error.empty(); });
}

std::string age(std::chrono::system_clock::time_point when) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - when);
  return std::to_string(seconds.count()) + "s";
}

}  // namespace

std::vector<dialplan::IpAddress> resolve_host(const std::string& host, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int failed = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  std::vector<dialplan::IpAddress> addresses;
  if (failed != 0) {
    error = ::gai_strerror(failed);
    return addresses;
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    char text[NI_MAXHOST] = {};
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    const auto address = dialplan::IpAddress::parse(text);
    if (address && std::find(addresses.begin(), addresses.end(), *address) == addresses.end()) {
      addresses.push_back(*address);
    }
  }
  if (addresses.empty()) error = "no address";
  return addresses;
}

AdmissionStatus::AdmissionStatus(boost::asio::io_context& control, Log log, Apply apply)
    : control_(control), log_(std::move(log)), apply_(std::move(apply)) {}

AdmissionStatus::~AdmissionStatus() {
  *alive_ = false;
  resolver_.join();
}

void AdmissionStatus::plan_changed(const dialplan::Plan& plan, bool migrated) {
  migrated_ = migrated;
  untrusted_ = plan.trust.untrusted;
  realm_ = plan.trust.realm;
  accounts_ = plan.accounts.size();
  digest_accounts_.clear();
  for (const auto& account : plan.accounts) {
    digest_accounts_.push_back({account.name, account.realm, account.ha1_md5, account.ha1_sha256});
  }
  const std::uint64_t generation = ++generation_;
  // Literal addresses at once; names are looked up on the resolver's thread.
  resolved(std::make_shared<const auth::TrustList>(plan, nullptr), generation);
  if (!has_host_name(plan)) return;
  boost::asio::post(resolver_, [this, plan, generation, alive = std::weak_ptr<bool>(alive_)] {
    auto trust = std::make_shared<const auth::TrustList>(plan, resolve_host);
    boost::asio::post(control_, [this, trust, generation, alive] {
      if (const auto still = alive.lock(); still && *still) resolved(trust, generation);
    });
  });
}

void AdmissionStatus::resolved(std::shared_ptr<const auth::TrustList> trust,
                               std::uint64_t generation) {
  if (generation != generation_) return;  // a newer plan came meanwhile
  trust_ = std::move(trust);
  hand_over();
  log_(announcement());
}

void AdmissionStatus::hand_over() {
  sip::AdmissionPolicy policy;
  policy.trust = trust_;
  policy.untrusted = untrusted_;
  policy.realm = realm_;
  policy.accounts = digest_accounts_;
  apply_(std::move(policy));
}

std::string AdmissionStatus::announcement() const {
  std::string text = "trust: calls are taken from " + trust_->describe();
  if (accounts_ != 0) {
    text += " and from " + std::to_string(accounts_) +
            " account(s) anywhere after a digest challenge; other sources are challenged and "
            "refused 403 without an account's credentials (10 failures lock an address out for "
            "5 minutes)";
  } else {
    text += "; requests from any other source are ";
    text += untrusted_ == dialplan::UntrustedAction::drop ? "dropped" : "refused 403 (cause 21)";
  }
  if (migrated_) {
    text =
        "WARNING: the stored plan comes from a release without a trust list; nobody new is "
        "trusted. " +
        text +
        ". Add the peers that must reach the PSTN to the plan's "
        "trust.peers (README: Trusted peers).";
  }
  return text;
}

void AdmissionStatus::on_refused(const sip::RefusedRequest& refused) {
  ++counts_[std::string(sip::to_string(refused.action))];
  auto found = sources_.find(refused.address);
  if (found == sources_.end()) {
    if (sources_.size() >= kMaxSources) {
      const auto oldest = std::min_element(sources_.begin(), sources_.end(), [](auto& a, auto& b) {
        return a.second.last_seen < b.second.last_seen;
      });
      sources_.erase(oldest);
    }
    UntrustedSource fresh;
    fresh.address = refused.address;
    found = sources_.emplace(refused.address, std::move(fresh)).first;
  }
  UntrustedSource& source = found->second;
  ++source.count;
  source.last_request = refused.method + " " + refused.request_uri;
  source.last_action = std::string(sip::to_string(refused.action));
  source.last_seen = std::chrono::system_clock::now();
  const auto now = std::chrono::steady_clock::now();
  // A line per source at most once a minute, and always for a lockout.
  if (refused.locked || source.count == 1 || now - source.last_logged >= kLogEvery) {
    source.last_logged = now;
    log_("trust: " + source.last_action + " " + source.last_request + " from " + refused.address +
         " (" + refused.why + "; " + std::to_string(source.count) + " so far)" +
         (refused.locked ? "; address locked out for 5 minutes after 10 failed authentications"
                         : ""));
  }
}

void AdmissionStatus::on_filter(std::string state) {
  if (state != filter_state_) log_("trust: " + state);
  filter_state_ = std::move(state);
}

std::vector<UntrustedSource> AdmissionStatus::sources() const {
  std::vector<UntrustedSource> list;
  for (const auto& [address, source] : sources_) list.push_back(source);
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.last_seen > b.last_seen; });
  return list;
}

std::string AdmissionStatus::status_lines() const {
  std::ostringstream out;
  out << "trust " << trust_->describe() << '\n'
      << "untrusted " << dialplan::to_string(untrusted_) << " accounts " << accounts_
      << (migrated_ ? " migrated-plan" : "") << '\n'
      << "filter " << filter_state_ << " dropped " << dropped() << '\n';
  for (const auto& source : sources()) {
    out << "untrusted-source " << source.address << " count " << source.count << " last "
        << source.last_action << " " << age(source.last_seen) << " ago: " << source.last_request
        << '\n';
  }
  return out.str();
}

}  // namespace gw::app
