#pragma once
// The thread that owns Sofia-SIP: su_root, NUA and every call into them.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdarg>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "drivers/common/thread_affinity.hpp"
#include "drivers/common/unique_fd.hpp"
#include "gateway/auth/lockout.hpp"
#include "gateway/sip/sip_call.hpp"
#include "gateway/sip/sofia.hpp"
#include "gateway/sip/source_filter.hpp"
#include "gateway/sip/stack.hpp"

namespace gw::sip {

// The SIP thread's record of one INVITE dialog, bound to its NUA handle as
// the handle's magic. Lives from the INVITE until NUA reports the call
// terminated; then the handle is destroyed with it (it owns the handle).
struct LegRecord {
  LegId id = 0;
  NuaHandle handle;
  bool invite_pending = false;                // an INVITE or re-INVITE waits for our final response
  bool established = false;                   // a 2xx went out (or came in): BYE is how it ends
  bool over_tls = false;                      // its INVITE came over TLS
  bool outgoing = false;                      // we sent the INVITE
  bool cancelled = false;                     // we sent CANCEL: a 2xx that crosses it gets a BYE
  std::vector<DigestCredential> credentials;  // for our INVITE's challenges
  // A registration's handle instead of a call's: what it registers, and
  // whether it is being removed (its REGISTER with expires 0 is out).
  std::optional<Registration> account;
  bool retired = false;
  int challenges = 0;  // 401/407 answered since the last success
  SuTimer retry;       // a failed registration tries again when it fires
};

// The realm of the first digest challenge of a 401 or 407, unquoted; empty: none.
[[nodiscard]] std::string challenge_realm(const sip_t* sip);

class SofiaThread {
 public:
  // Starts the thread and waits until NUA is bound; throws std::runtime_error
  // when it cannot bind.
  SofiaThread(const StackConfig& config, AdmissionPolicy admission,
              const std::atomic<bool>& accepting, boost::asio::io_context& control,
              CallHandler& handler);
  SofiaThread(const SofiaThread&) = delete;
  SofiaThread& operator=(const SofiaThread&) = delete;
  ~SofiaThread();

  // Runs `work` on the SIP thread. Any thread.
  void post(std::function<void()> work);
  void respond(LegId leg, Response response);
  void bye(LegId leg, const std::string& reason);
  LegId invite(OutgoingInvite invite);
  void set_registrations(std::vector<Registration> wanted);
  void set_admission(AdmissionPolicy policy);

  // Sofia's callbacks land here (trampolines in sofia_thread.cpp).
  void on_nua_event(nua_event_t event, int status, char const* phrase, nua_handle_t* handle,
                    LegRecord* leg, const sip_t* sip, tagi_t* tags);
  void on_wakeup();
  void on_register_retry(LegRecord* record);
  void on_lockout_sweep();
  // On NUA's stack thread, not the SIP thread (see on_log).
  void on_log(const char* format, va_list arguments);
  void traced(WireMessage message);

 private:
  void run(const StackConfig& config, const std::function<void(std::string)>& started);
  [[nodiscard]] Nua create_nua(const StackConfig& config);
  void answer_options(nua_handle_t* handle, const sip_t* sip, bool own_handle);
  // Registrations (sip_register.cpp).
  void apply_registrations(const std::vector<Registration>& wanted);
  void forget_registration(LegRecord& record);
  void send_register(LegRecord& record);
  void on_register_response(int status, const char* phrase, LegRecord* record, const sip_t* sip,
                            bool removing);
  // Who may call (sip_admission.cpp).
  void apply_admission(AdmissionPolicy policy);
  void update_source_filter(bool announce);
  [[nodiscard]] std::string request_source() const;
  // The account an INVITE or OPTIONS came from ("" for a trusted source);
  // nullopt when it was refused or challenged (and answered).
  std::optional<std::string> admit(nua_handle_t* handle, const sip_t* sip);
  std::optional<std::string> authenticate(nua_handle_t* handle, const sip_t* sip,
                                          RefusedRequest refused);
  void report_refusal(RefusedRequest refused);
  // Call events (sip_legs.cpp).
  void on_invite(int status, nua_handle_t* handle, LegRecord* leg, const sip_t* sip);
  void on_ack(LegRecord* leg, const sip_t* sip);
  void on_cancel(LegRecord* leg);
  void on_bye(LegRecord* leg, const sip_t* sip);
  void on_call_state(int status, const char* phrase, nua_handle_t* handle, LegRecord* leg,
                     tagi_t* tags);
  void send_response(LegRecord& leg, const Response& response);
  // Calls we place (sip_invite.cpp).
  void send_invite(LegId id, const OutgoingInvite& invite);
  void on_invite_response(int status, const char* phrase, LegRecord* leg, const sip_t* sip);
  void forget(LegRecord& leg);
  LegRecord* find(LegId id);
  // Runs `deliver` on the control thread with the handler.
  void to_control(std::function<void(CallHandler&)> deliver);

  const std::atomic<bool>& accepting_;
  int port_ = 0;
  int tls_port_ = 0;  // 0: no TLS
  // Admission: SIP thread only.
  AdmissionPolicy admission_;
  std::string crypto_secret_;  // the digest nonces' key, new at each start
  std::string digest_realm_;
  std::unique_ptr<auth::DigestAuthenticator> digest_;
  auth::FailureLockout lockout_;
  std::optional<SourcePolicy> filtered_;  // what the socket filter does now; none: not in place
  std::vector<int> filtered_sockets_;
  std::uint64_t dropped_ = 0;  // by the kernel on those, last reported
  SuTimer lockout_sweep_;
  std::function<void(std::uint64_t)> dropped_counted_;
  std::function<void(RefusedRequest)> request_refused_;
  std::function<void(std::string)> filter_changed_;
  std::vector<Registration> registration_config_;  // those to register at start
  std::function<void(const std::string&, int, const std::string&, bool)> registration_changed_;
  std::vector<std::unique_ptr<LegRecord>> registrations_;  // SIP thread only
  int retry_after_seconds_ = 30;
  std::function<void(WireMessage)> message_traced_;
  std::unique_ptr<WireLogAssembler> wire_log_;  // NUA's stack thread only
  boost::asio::io_context& control_;
  CallHandler& handler_;
  // Owned by run() (SuRoot, Nua), which frees them in Sofia's order; these
  // are for the SIP thread's handlers while it runs.
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  UniqueFd wake_fd_;
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;                     // guarded by mutex_
  std::unordered_map<LegId, std::unique_ptr<LegRecord>> legs_;  // SIP thread only
  std::atomic<LegId> next_leg_{1};  // invite() takes ids from any thread
  std::string local_host_;          // "127.0.0.1:5060", for the From of our INVITEs
  // The Contact of our answers to INVITEs that came over TLS (see send_response).
  std::string tls_contact_;
  // The SIP thread, once run() starts: every Sofia call, the legs and the
  // registrations belong to it; post(), respond(), bye(), invite() and
  // set_registrations() are for any thread.
  ThreadAffinity sip_thread_;
  std::thread thread_;
};

}  // namespace gw::sip
