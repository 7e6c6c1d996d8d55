#pragma once
// Call control: each SIP call (leg) bridged to one ISDN call on a B-channel,
// with its RTP session. Runs on the control thread only (its entry points
// check it in debug and sanitizer builds): the SIP stack posts its events
// here, the PriSpans run on the same io_context, and the media engine is
// driven through its own queue.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialplan/router.hpp"
#include "drivers/common/thread_affinity.hpp"
#include "drivers/isdn/signalling_span.hpp"
#include "gateway/core/bridge_state.hpp"
#include "gateway/media/media_engine.hpp"
#include "gateway/sip/sip_call.hpp"

namespace gw::core {

// What is written down when a call ends (issue 5 stores these in SQLite).
struct CallRecord {
  std::string call_id;
  std::string from;
  std::string request_uri;
  std::string called_number;  // as sent in the SETUP
  std::string route;          // the dialplan route that took the call
  std::string trunk_group;    // the group it went out on (the last one tried)
  std::string span;
  int timeslot = 0;
  int call_reference = -1;  // its Q.931 call reference on the span; -1: none
  std::chrono::system_clock::time_point start{};
  std::optional<std::chrono::system_clock::time_point> answered;
  std::chrono::system_clock::time_point end{};
  int sip_status = 0;  // the final response to the INVITE
  int cause = 0;       // Q.850 cause the ISDN call ended with (0: never placed)
  // Calls from SIP: "caller" (the SIP caller), "pstn" or "gateway"; calls
  // from the PSTN: "pstn" (the caller), "sip" (the callee) or "gateway".
  std::string ended_by;
  bool from_pstn = false;  // the call came in a SETUP and went out as an INVITE
  // The RTP the far SIP end sent, as it stood when the media was released.
  std::uint64_t rtp_received = 0;
  std::uint64_t rtp_lost = 0;
  double rtp_jitter_ms = 0.0;  // interarrival jitter (RFC 3550 6.4.1)
};

// A call in progress as the operator sees it.
struct CallSummary {
  sip::LegId leg = 0;
  std::string state;  // the bridge state ("dialling", "ringing", "connected", ...)
  bool from_pstn = false;
  std::string from;
  std::string request_uri;
  std::string called_number;
  std::string call_id;
  std::string trunk_group;
  std::string span;
  int timeslot = 0;
  std::string codec;  // empty until the media is agreed
  std::chrono::system_clock::time_point start{};
  std::optional<std::chrono::system_clock::time_point> answered;
  std::uint64_t rtp_received = 0;
  std::uint64_t rtp_lost = 0;
  std::uint64_t late_dropped = 0;
  double rtp_jitter_ms = 0.0;
  bool srtp = false;                    // the audio is SRTP (RFC 3711)
  std::uint64_t srtp_auth_failed = 0;   // SRTP packets dropped: authentication failed
  std::uint64_t srtp_replayed = 0;      // SRTP/SRTCP packets dropped: replayed
  std::uint64_t srtcp_auth_failed = 0;  // SRTCP packets dropped: authentication failed
};

struct BridgeConfig {
  media::MediaCapabilities capabilities;
  int retry_after_seconds = 30;                   // in 503s for no channel / no span
  std::function<void(std::string_view)> log;      // one line; empty: silent
  std::function<void(const CallRecord&)> record;  // each finished call
  // A call's first RTP packets both ways (by its Call-ID), as its media ends.
  std::function<void(const std::string& call_id, std::vector<media::CapturedPacket> packets)>
      rtp_captured;
  std::function<void(bool accepting)> capacity_changed;  // a call could / could not be taken now
};

class CallBridge final : public sip::CallHandler {
 public:
  CallBridge(boost::asio::io_context& io, sip::SipLegs& sip, media::MediaEngine& media,
             std::shared_ptr<const dialplan::Router> router, BridgeConfig config);
  CallBridge(const CallBridge&) = delete;
  CallBridge& operator=(const CallBridge&) = delete;
  ~CallBridge() override;

  // The listener to give the PriSpan for span `name` when constructing it;
  // then add_span() with the span itself.
  isdn::Listener& listener_for(const std::string& name);
  void add_span(const std::string& name, isdn::SignallingSpan& span);

  // sip::CallHandler
  void on_invite(const sip::InviteRequest& request) override;
  void on_reinvite(sip::LegId leg, const sip::Body& offer) override;
  void on_ack(sip::LegId leg, const sip::Body& answer) override;
  void on_cancel(sip::LegId leg) override;
  void on_bye(sip::LegId leg, std::optional<int> reason_q850) override;
  void on_terminated(sip::LegId leg, int status, const std::string& phrase) override;
  void on_progress(sip::LegId leg, int status, const sip::Body& answer) override;
  void on_answered(sip::LegId leg, const sip::Body& answer) override;
  void on_refused(sip::LegId leg, int status, std::optional<int> reason_q850) override;

  // New calls are routed with `router` from now on; calls already placed
  // keep the decision they were placed with.
  void set_router(std::shared_ptr<const dialplan::Router> router);
  [[nodiscard]] const dialplan::Router& router() const noexcept { return *router_; }
  // The decision a call would get, without placing it (the route tester).
  [[nodiscard]] dialplan::Decision test_route(const sip::InviteRequest& request,
                                              const dialplan::DialTarget& target) const;

  // Ends every call (BYE or a final response, DISCONNECT) for a shutdown.
  void hang_up_all(isdn::Cause cause);
  // Ends one call the same way; false when there is no such call.
  bool hang_up(sip::LegId leg, isdn::Cause cause);

  [[nodiscard]] std::size_t call_count() const noexcept { return calls_.size(); }
  // The decision a SETUP on `span` would get (the route tester, for calls
  // from the PSTN).
  [[nodiscard]] dialplan::Decision test_pstn_route(const std::string& span,
                                                   const isdn::PartyNumber& called,
                                                   const isdn::PartyNumber& calling) const;
  // Re-checks whether a call could be taken (after an operator changed
  // the channels in service).
  void refresh_capacity() { update_capacity(); }
  // Whether a new call could get a B-channel now.
  [[nodiscard]] bool can_take_call() const;
  // One line per call: "LEG STATE span/timeslot number".
  [[nodiscard]] std::vector<std::string> describe_calls() const;
  [[nodiscard]] std::vector<CallSummary> calls() const;

 private:
  class SpanListener;
  struct SpanSlot;
  struct Call;

  // ISDN events from SpanListener.
  void on_isdn(std::size_t span, isdn::CallId id, BridgeEvent event, bool inband);
  void on_isdn_cleared(std::size_t span, isdn::CallId id, isdn::Cause cause);
  void on_link_changed();

  // Calls from the PSTN (call_bridge_pstn.cpp).
  void on_pstn_setup(std::size_t span, isdn::CallId id, const isdn::IncomingCall& details);
  void prepare_invite(Call& call, const isdn::IncomingCall& details);
  bool invite_next_peer(Call& call);
  bool accept_sip_answer(Call& call, const sip::Body& answer);
  void alert_pstn_caller(Call& call, int status, BridgeState before, bool audio);
  void end_for_pstn(Call& call, isdn::Cause cause);
  void rekey(Call& call, sip::LegId leg);
  // SRTP for a call with `peer` (the plan's media_encryption), its SDP over
  // TLS or not; a fresh key of ours when SRTP may be agreed.
  [[nodiscard]] media::MediaSecurity security_for(const std::string& peer, bool secure) const;

  struct GroupState;

  [[nodiscard]] dialplan::CallFacts facts_of(const sip::InviteRequest& request,
                                             const dialplan::DialTarget& target) const;
  void route_call(Call& call, const sip::InviteRequest& request,
                  const dialplan::DialTarget& target);
  // SETUP on the first trunk group of the call's decision, from call.group
  // on, that has a free B-channel; a group that cannot take it is passed
  // over only for a fail-over cause.
  bool place_call(Call& call, isdn::Cause& refused);
  bool place_in_group(Call& call, const dialplan::GroupChoice& group, isdn::Cause& refused);
  bool place_on_trunk(Call& call, const dialplan::GroupChoice& group,
                      const dialplan::TrunkChoice& trunk, isdn::Cause& refused);
  // Places the call on the next trunk group; false (and `cause`: the last
  // refusal) when there is none to try.
  bool fail_over(Call& call, isdn::Cause& cause);
  void leave_group(Call& call);
  void refuse(Call& call, int status, std::optional<isdn::Cause> cause, std::string warning = {},
              const char* phrase = nullptr);
  void send_provisional(Call& call, BridgeEvent event);
  void send_answer(Call& call);
  void start_media(Call& call);
  void apply_media(Call& call);  // the negotiated media, to a session started or not
  [[nodiscard]] bool media_started(const Call& call) const;
  void answer_reinvite(Call& call, const sip::Body& offer);
  void take_answer(Call& call, const sip::Body& answer);
  void clear_isdn(Call& call, isdn::Cause cause);
  void release_media(Call& call);
  bool advance(Call& call, BridgeEvent event);
  void finish(sip::LegId leg);
  void update_capacity();
  Call* find(sip::LegId leg);
  Call* find(std::size_t span, isdn::CallId id);
  template <typename... Parts>
  void note(const Parts&... parts) const;
  template <typename... Parts>
  void note_call(const Call& call, const Parts&... parts) const;

  boost::asio::io_context& io_;
  sip::SipLegs& sip_;
  media::MediaEngine& media_;
  std::shared_ptr<const dialplan::Router> router_;
  BridgeConfig config_;
  std::map<std::string, GroupState> groups_;  // by trunk group name; outlives reloads
  std::vector<std::unique_ptr<SpanSlot>> spans_;
  std::map<sip::LegId, std::unique_ptr<Call>> calls_;
  std::map<std::pair<std::size_t, isdn::CallId>, sip::LegId> by_isdn_;
  bool accepting_ = false;
  ThreadAffinity affinity_;  // the control thread, which constructs the bridge
};

}  // namespace gw::core
