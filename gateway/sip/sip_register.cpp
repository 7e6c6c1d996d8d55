// The SIP thread's registrations with upstream registrars: REGISTER, the
// digest challenge answered once per challenge, NUA's own refreshes, and
// the binding removed when NUA shuts down.

#include <algorithm>
#include <boost/asio/post.hpp>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include "gateway/sip/sofia_thread.hpp"

namespace gw::sip {
namespace {

// "registrar.example.com:5070" -> "registrar.example.com" (the address of
// record names the domain, not the port).
std::string host_of(const std::string& registrar) {
  if (!registrar.empty() && registrar.front() == '[') {
    return registrar.substr(0, registrar.find(']') + 1);
  }
  return registrar.substr(0, registrar.find(':'));
}

// A registrar that cannot be reached or refuses is tried again after this
// long, as long as the gateway runs (the network may come up after the box).
constexpr su_duration_t kRetryMilliseconds = 30'000;

void retry_trampoline(SofiaThread* self, su_timer_t* /*timer*/, LegRecord* record) {
  self->on_register_retry(record);
}

}  // namespace

// The realm of the first digest challenge, without its quotes.
std::string challenge_realm(const sip_t* sip) {
  const msg_auth_t* challenge = nullptr;
  if (sip != nullptr) {
    challenge = sip->sip_www_authenticate != nullptr ? sip->sip_www_authenticate
                                                     : sip->sip_proxy_authenticate;
  }
  if (challenge == nullptr) return {};
  const char* realm = msg_params_find(challenge->au_params, "realm=");
  if (realm == nullptr) return {};
  std::string text(realm);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

void SofiaThread::set_registrations(std::vector<Registration> wanted) {
  post([this, wanted = std::move(wanted)] { apply_registrations(wanted); });
}

// Removes the registrations no longer wanted (their handles go when the
// registrar has answered the removal) and registers the new ones.
void SofiaThread::apply_registrations(const std::vector<Registration>& wanted) {
  sip_thread_.check("SofiaThread::apply_registrations");
  const auto is_wanted = [&](const Registration& account) {
    return std::find(wanted.begin(), wanted.end(), account) != wanted.end();
  };
  std::vector<const Registration*> to_start;
  for (const Registration& account : wanted) {
    LegRecord* same_binding = nullptr;
    bool running = false;
    for (auto& record : registrations_) {
      if (record->retired) continue;
      running = running || *record->account == account;
      // The same address of record with other settings: re-REGISTER on its
      // handle. A removal on one handle racing a REGISTER on another for
      // the same binding could leave it removed.
      if (!is_wanted(*record->account) && record->account->registrar == account.registrar &&
          record->account->user == account.user) {
        same_binding = record.get();
      }
    }
    if (running) continue;
    if (same_binding != nullptr) {
      same_binding->account = account;
      if (same_binding->retry) su_timer_reset(same_binding->retry.get());
      send_register(*same_binding);
      continue;
    }
    to_start.push_back(&account);
  }
  for (auto& record : registrations_) {
    if (record->retired || is_wanted(*record->account)) continue;
    record->retired = true;
    if (record->retry) su_timer_reset(record->retry.get());
    nua_unregister(record->handle.get(), TAG_END());
  }
  for (const Registration* account : to_start) {
    auto record = std::make_unique<LegRecord>();
    record->account = *account;
    const std::string aor = "sip:" + account->user + "@" + host_of(account->registrar);
    record->handle.reset(nua_handle(nua_, record.get(), SIPTAG_TO_STR(aor.c_str()),
                                    SIPTAG_FROM_STR(aor.c_str()), TAG_END()));
    if (!record->handle) continue;
    record->retry.reset(su_timer_create(su_root_task(root_), kRetryMilliseconds));
    send_register(*record);
    registrations_.push_back(std::move(record));
  }
}

void SofiaThread::forget_registration(LegRecord& record) {
  sip_thread_.check("SofiaThread::forget_registration");
  // The record owns its timer and handle: they go with it, the timer first.
  registrations_.erase(std::find_if(registrations_.begin(), registrations_.end(),
                                    [&](const auto& held) { return held.get() == &record; }));
}

void SofiaThread::send_register(LegRecord& record) {
  sip_thread_.check("SofiaThread::send_register");
  const Registration& config = *record.account;
  const std::string registrar = "sip:" + config.registrar;
  const std::string expires = std::to_string(config.expires);
  const std::string proxy =
      config.outbound_proxy.empty() ? std::string() : "sip:" + config.outbound_proxy;
  record.challenges = 0;
  // NUA takes handle parameters from a request's tags, not from nua_handle()'s.
  nua_register(record.handle.get(), NUTAG_REGISTRAR(registrar.c_str()),
               TAG_IF(!proxy.empty(), NUTAG_PROXY(proxy.c_str())),
               NUTAG_M_USERNAME(config.user.c_str()), SIPTAG_EXPIRES_STR(expires.c_str()),
               TAG_END());
}

void SofiaThread::on_register_retry(LegRecord* record) {
  sip_thread_.check("SofiaThread::on_register_retry");
  if (record != nullptr && !record->retired) send_register(*record);
}

void SofiaThread::on_register_response(int status, const char* phrase, LegRecord* record,
                                       const sip_t* sip, bool removing) {
  sip_thread_.check("SofiaThread::on_register_response");
  if (record == nullptr || !record->account || status < 200) return;
  const Registration config = *record->account;
  // One answer per challenge: a second 401 in a row means the credentials
  // are wrong, and retrying would only lock the account.
  if ((status == 401 || status == 407) && record->challenges == 0) {
    const std::string realm = challenge_realm(sip);
    if (!realm.empty()) {
      ++record->challenges;
      const std::string user = config.auth_user.empty() ? config.user : config.auth_user;
      const std::string credentials = "Digest:\"" + realm + "\":" + user + ":" + config.password;
      nua_authenticate(record->handle.get(), NUTAG_AUTH(credentials.c_str()), TAG_END());
      return;
    }
  }
  if (status < 300) record->challenges = 0;
  if (status >= 300 && !removing && !record->retired && record->retry) {
    su_timer_set(record->retry.get(), retry_trampoline, record);
  }
  // A removed registration's handle goes once the removal is answered.
  if (record->retired && removing) forget_registration(*record);
  if (!registration_changed_) return;
  boost::asio::post(control_, [notify = registration_changed_, name = config.name, status,
                               text = std::string(phrase != nullptr ? phrase : ""),
                               removing] { notify(name, status, text, removing); });
}

}  // namespace gw::sip
