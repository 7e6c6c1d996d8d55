#pragma once
// What the SIP stack tells call control about a call (a "leg"), and what call
// control asks of it, in the project's own types: no Sofia-SIP here. The
// stack delivers CallHandler calls on the control thread; SipLegs may be
// called from any thread and runs the work on the SIP thread.

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/media/sdp.hpp"

namespace gw::sip {

// One INVITE dialog, numbered by the stack; never reused.
using LegId = std::uint64_t;

// A body the request or ACK carried: an SDP we could read, or why not.
struct Body {
  std::optional<media::SessionDescription> sdp;
  std::string error;  // non-empty: a body came that is not usable SDP
  [[nodiscard]] bool present() const noexcept { return sdp.has_value() || !error.empty(); }
};

// The most recent diversion of a forwarded call: RFC 5806 Diversion, or
// RFC 7044 History-Info when there is no Diversion.
struct Diversion {
  std::string user;  // the diverting party: a URI's user part or a tel: number
  // RFC 5806 reason ("unconditional", "user-busy", "no-answer", ...), or
  // from History-Info the RFC 4458 cause ("302", "486", "408", ...).
  std::string reason;
  int counter = 1;  // diversions so far
};

struct InviteRequest {
  LegId leg = 0;
  std::string request_uri;  // as received, for the log and call records
  std::string scheme;       // "sip", "sips" or "tel"
  // The telephone number of the URI with its parameters: the user part of a
  // sip: URI ("7773660;phone-context=p1234", "7773660,phone-context=p1234")
  // or the subscriber of a tel: URI ("+15551234567"), percent-decoded.
  std::string number;
  std::string host;
  std::string from_uri;
  std::string from_user;
  std::string from_display;
  // The user part (or tel: number) of the first P-Asserted-Identity (RFC
  // 3325): who a trusted proxy says the caller is. Empty: none.
  std::string asserted_user;
  bool privacy_id = false;  // Privacy: id or header: the caller's identity must not be shown
  std::optional<Diversion> diversion;
  std::string call_id;
  std::string source;          // where the request came from, "udp:127.0.0.1:5062"
  std::string source_address;  // its address alone, "127.0.0.1"
  std::string account;         // the account it authenticated as; empty: a trusted source
  // It came over TLS (its Via says SIP/2.0/TLS): the SDP of this dialog may
  // carry SRTP keys (RFC 4568 8.3), read and answered. False over UDP, TCP.
  bool secure = false;
  Body offer;
};

// A Request-URI typed by an operator (the route tester), read as the stack
// reads an INVITE's: scheme, number and host filled, the rest empty.
// nullopt when Sofia cannot parse it as a sip:, sips: or tel: URI.
[[nodiscard]] std::optional<InviteRequest> request_for_uri(const std::string& uri);

// A telephone number at `peer` as a SIP URI, with user=phone when the user
// part is a global number or carries its phone-context (RFC 3261 19.1.6):
// "sip:7773660;phone-context=p1234@gw.example.com;user=phone". `peer` is a
// host[:port], or a plan's URI form of one, whose scheme and parameters the
// request keeps: "sips:pbx.example.com;maddr=10.0.0.5" gives
// "sips:7773660;phone-context=p1234@pbx.example.com;maddr=10.0.0.5;user=phone".
[[nodiscard]] inline std::string telephone_uri(const std::string& user, std::string_view peer) {
  const bool telephone =
      (!user.empty() && user.front() == '+') || user.find(";phone-context=") != std::string::npos;
  std::string_view scheme = "sip:";
  for (const std::string_view written : {"sips:", "sip:"}) {
    if (peer.starts_with(written)) {
      scheme = written;
      peer.remove_prefix(written.size());
      break;
    }
  }
  return std::string(scheme) + user + "@" + std::string(peer) + (telephone ? ";user=phone" : "");
}

// Whether requests to `uri` go over TLS, so that their SDP may carry SRTP
// keys: a sips: URI, or transport=tls (RFC 3261 19.1.1, any case).
[[nodiscard]] inline bool is_secure_uri(std::string_view uri) {
  std::string lower(uri);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.starts_with("sips:") || lower.find(";transport=tls") != std::string::npos;
}

class CallHandler {
 public:
  virtual ~CallHandler() = default;
  // A new call. The stack has sent 100 Trying; the handler must respond.
  virtual void on_invite(const InviteRequest& request) = 0;
  // A re-INVITE on an established call: respond with 200 and an answer (or an
  // offer, when it carried none), or an error.
  virtual void on_reinvite(LegId leg, const Body& offer) = 0;
  // The ACK of our 2xx; for a delayed offer it carries the answer.
  virtual void on_ack(LegId leg, const Body& answer) = 0;
  // The caller cancelled; the stack has answered 200 to the CANCEL and 487 to
  // the INVITE.
  virtual void on_cancel(LegId leg) = 0;
  // The peer hung up; the stack has answered 200. reason_q850 from a
  // "Reason: Q.850;cause=N" header.
  virtual void on_bye(LegId leg, std::optional<int> reason_q850) = 0;
  // The dialog is gone for whatever reason (our BYE answered, ACK never came,
  // transport error...). The last call for this leg.
  virtual void on_terminated(LegId leg, int status, const std::string& phrase) = 0;

  // For calls the gateway places (SipLegs::invite); a handler that places
  // none needs not care.
  // A provisional response, 180 to 189: ringing, or early media when it
  // carries the answer to our offer.
  virtual void on_progress(LegId /*leg*/, int /*status*/, const Body& /*answer*/) {}
  // A 2xx: the callee answered (NUA has sent the ACK).
  virtual void on_answered(LegId /*leg*/, const Body& /*answer*/) {}
  // A final refusal (3xx-6xx, or 408 when nobody answered in time), with the
  // Q.850 cause of its Reason header if there was one. on_terminated follows.
  virtual void on_refused(LegId /*leg*/, int /*status*/, std::optional<int> /*reason_q850*/) {}
};

struct DigestCredential {
  std::string realm;  // empty: for any realm
  std::string user;
  std::string password;
};

// An INVITE the gateway sends, for a call from the PSTN.
struct OutgoingInvite {
  std::string call_id;  // ours, so the call record names the dialog
  // "sip:7773660;phone-context=p1234@proxy.example.com:5060;user=phone"
  std::string request_uri;
  // The caller as a user part ("+15551234567"); empty: no number known.
  std::string caller_user;
  std::string caller_display;
  // Presentation restricted: From is anonymous (RFC 3323), the identity
  // goes only in P-Asserted-Identity, with Privacy: id.
  bool caller_hidden = false;
  bool caller_asserted = false;  // send P-Asserted-Identity (RFC 3325)
  // A forwarded call: RFC 5806 Diversion of the diverting party.
  std::string diversion_user;    // empty: not forwarded
  std::string diversion_reason;  // "unconditional", "user-busy", "no-answer", ...
  int diversion_counter = 1;
  std::string outbound_proxy;  // "host[:port]"; empty: to the Request-URI's host
  // Digest credentials for a 401 or 407, the one of the challenge's realm
  // first, else one without a realm; none fits: the challenge ends the call.
  std::vector<DigestCredential> credentials;
  media::SessionDescription offer;
};

struct Response {
  int status = 200;
  // A string literal (NUA keeps the pointer), "Screening Failure
  // (Terminating)"; nullptr: RFC 3261's phrase for the status.
  const char* phrase = nullptr;
  std::optional<media::SessionDescription> sdp;
  std::string reason;  // a Reason header value, "Q.850;cause=34;text=\"...\""; empty: none
  std::optional<int> retry_after_seconds;
  std::string warning;  // a Warning: 399 text, for 488 and the like
};

class SipLegs {
 public:
  virtual ~SipLegs() = default;
  // Answers the pending INVITE or re-INVITE of `leg`. Ignored when nothing is
  // pending any more (a CANCEL or a transport error came first).
  virtual void respond(LegId leg, Response response) = 0;
  // Ends a call with BYE; a call we placed that is not answered yet with
  // CANCEL (and BYE should the 200 cross it).
  virtual void bye(LegId leg, const std::string& reason) = 0;  // reason: as in Response
  // Sends an INVITE; the leg's events come to the CallHandler.
  virtual LegId invite(OutgoingInvite invite) = 0;
};

}  // namespace gw::sip
