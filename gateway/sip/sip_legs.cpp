// The call half of the SIP thread: INVITE dialogs as legs, their events
// posted to call control, and call control's answers sent through NUA.

#include <strings.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <vector>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "gateway/sip/sdp_codec.hpp"
#include "gateway/sip/sofia_thread.hpp"

namespace gw::sip {
namespace {

std::string text(const char* value) {
  return value != nullptr ? value : "";
}

Body read_body(const sip_t* sip) {
  Body body;
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_len == 0) return body;
  const auto* type = sip->sip_content_type;
  if (type != nullptr && type->c_type != nullptr &&
      ::strcasecmp(type->c_type, "application/sdp") != 0) {
    body.error = "a body of type " + text(type->c_type) + ", not application/sdp";
    return body;
  }
  std::string error;
  body.sdp =
      parse_sdp(std::string_view(sip->sip_payload->pl_data, sip->sip_payload->pl_len), error);
  if (!body.sdp) body.error = error.empty() ? "unreadable SDP" : error;
  return body;
}

std::string unescaped(const char* value) {
  if (value == nullptr) return {};
  std::string copy(value);
  url_unescape(copy.data(), copy.c_str());
  copy.resize(std::strlen(copy.c_str()));
  return copy;
}

// The telephone number of a Request-URI: a sip: URI's user part, or a tel:
// URI's subscriber with its parameters (Sofia keeps those apart).
std::string number_of(const url_t& url) {
  if (url.url_type == url_tel) {
    std::string number = unescaped(url.url_user);
    if (url.url_params != nullptr) number += ";" + text(url.url_params);
    return number;
  }
  return unescaped(url.url_user);
}

std::string source_of(const sip_t* sip) {
  const auto* via = sip->sip_via;
  if (via == nullptr) return {};
  std::string protocol = text(via->v_protocol);
  if (const auto slash = protocol.rfind('/'); slash != std::string::npos)
    protocol = protocol.substr(slash + 1);
  const char* host = via->v_received != nullptr ? via->v_received : via->v_host;
  const char* port = via->v_rport != nullptr && *via->v_rport != '\0' ? via->v_rport : via->v_port;
  return protocol + ":" + text(host) + ":" + (port != nullptr ? port : "5060");
}

}  // namespace

std::optional<InviteRequest> request_for_uri(const std::string& uri) {
  const Home home = make_home();
  if (!home) return std::nullopt;
  url_t* url = url_make(home.get(), uri.c_str());
  if (url == nullptr ||
      (url->url_type != url_sip && url->url_type != url_sips && url->url_type != url_tel)) {
    return std::nullopt;
  }
  InviteRequest request;
  request.request_uri = uri;
  request.scheme = text(url->url_scheme);
  request.number = number_of(*url);
  request.host = url->url_type == url_tel ? std::string{} : text(url->url_host);
  return request;
}

namespace {

// P-Asserted-Identity is not in Sofia's default parser class, so it arrives
// as an unknown header; sip_p_asserted_identity_make() parses its value.
std::string asserted_user(const sip_t* sip) {
  for (const sip_unknown_t* header = sip->sip_unknown; header != nullptr;
       header = header->un_next) {
    if (header->un_name == nullptr || header->un_value == nullptr ||
        ::strcasecmp(header->un_name, "P-Asserted-Identity") != 0) {
      continue;
    }
    const Home home = make_home();
    const auto* identity =
        home ? sip_p_asserted_identity_make(home.get(), header->un_value) : nullptr;
    if (identity == nullptr) continue;
    return number_of(*identity->paid_url);
  }
  return {};
}

// The values of every header named `name` Sofia did not parse, in order,
// split into entries at commas outside <...> and quotes.
std::vector<std::string> unknown_header_entries(const sip_t* sip, const char* name) {
  std::vector<std::string> entries;
  for (const sip_unknown_t* header = sip->sip_unknown; header != nullptr;
       header = header->un_next) {
    if (header->un_name == nullptr || header->un_value == nullptr ||
        ::strcasecmp(header->un_name, name) != 0) {
      continue;
    }
    std::string entry;
    bool in_uri = false;
    bool in_quote = false;
    for (const char* c = header->un_value; *c != '\0'; ++c) {
      if (*c == '"') in_quote = !in_quote;
      if (*c == '<' && !in_quote) in_uri = true;
      if (*c == '>' && !in_quote) in_uri = false;
      if (*c == ',' && !in_uri && !in_quote) {
        entries.push_back(entry);
        entry.clear();
        continue;
      }
      entry += *c;
    }
    entries.push_back(entry);
  }
  return entries;
}

// An entry's URI (inside <...>) and the value of parameter `key` after it.
struct HeaderEntry {
  std::string user;
  std::string uri_text;
  std::map<std::string, std::string> parameters;
};

HeaderEntry read_entry(const std::string& entry) {
  HeaderEntry result;
  const auto open = entry.find('<');
  const auto close = entry.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return result;
  result.uri_text = entry.substr(open + 1, close - open - 1);
  const Home home = make_home();
  if (url_t* url = home ? url_make(home.get(), result.uri_text.c_str()) : nullptr) {
    result.user = number_of(*url);
    if (const auto semicolon = result.user.find(';'); semicolon != std::string::npos) {
      result.user.resize(semicolon);
    }
  }
  std::istringstream parameters(entry.substr(close + 1));
  for (std::string parameter; std::getline(parameters, parameter, ';');) {
    const auto equals = parameter.find('=');
    std::string key = parameter.substr(0, equals);
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!key.empty()) {
      result.parameters[key] = equals == std::string::npos ? "" : parameter.substr(equals + 1);
    }
  }
  return result;
}

// RFC 5806: the topmost Diversion entry is the latest diversion.
std::optional<Diversion> diversion_of(const sip_t* sip) {
  const auto entries = unknown_header_entries(sip, "Diversion");
  if (entries.empty()) return std::nullopt;
  const HeaderEntry latest = read_entry(entries.front());
  if (latest.user.empty()) return std::nullopt;
  Diversion diversion;
  diversion.user = latest.user;
  if (const auto it = latest.parameters.find("reason"); it != latest.parameters.end()) {
    diversion.reason = it->second;
  }
  if (const auto it = latest.parameters.find("counter"); it != latest.parameters.end()) {
    diversion.counter = std::max(1, std::atoi(it->second.c_str()));
  }
  return diversion;
}

// RFC 7044: each retarget adds an entry whose URI carries the RFC 4458
// "cause"; the diverting party is the entry just before the last such one.
std::optional<Diversion> history_info_of(const sip_t* sip) {
  const auto entries = unknown_header_entries(sip, "History-Info");
  std::vector<HeaderEntry> read;
  read.reserve(entries.size());
  for (const auto& entry : entries) read.push_back(read_entry(entry));
  std::optional<Diversion> diversion;
  int diversions = 0;
  for (std::size_t i = 1; i < read.size(); ++i) {
    const auto cause = read[i].uri_text.find(";cause=");
    if (cause == std::string::npos || read[i - 1].user.empty()) continue;
    ++diversions;
    Diversion found;
    found.user = read[i - 1].user;
    found.reason = read[i].uri_text.substr(cause + 7, 3);
    diversion = found;
  }
  if (diversion) diversion->counter = diversions;
  return diversion;
}

bool privacy_id(const sip_t* sip) {
  if (sip->sip_privacy == nullptr || sip->sip_privacy->priv_values == nullptr) return false;
  for (const msg_param_t* value = sip->sip_privacy->priv_values; *value != nullptr; ++value) {
    if (::strcasecmp(*value, "id") == 0 || ::strcasecmp(*value, "header") == 0) return true;
  }
  return false;
}

InviteRequest read_invite(LegId id, const sip_t* sip) {
  InviteRequest request;
  request.leg = id;
  if (sip->sip_request != nullptr) {
    const url_t& url = *sip->sip_request->rq_url;
    char printed[1024];
    url_e(printed, sizeof printed, &url);
    printed[sizeof printed - 1] = '\0';
    request.request_uri = printed;
    request.scheme = text(url.url_scheme);
    request.number = number_of(url);
    request.host = url.url_type == url_tel ? std::string{} : text(url.url_host);
  }
  if (sip->sip_from != nullptr) {
    char printed[1024];
    url_e(printed, sizeof printed, sip->sip_from->a_url);
    printed[sizeof printed - 1] = '\0';
    request.from_uri = printed;
    request.from_user = unescaped(sip->sip_from->a_url->url_user);
    request.from_display = text(sip->sip_from->a_display);
  }
  if (sip->sip_call_id != nullptr) request.call_id = text(sip->sip_call_id->i_id);
  request.asserted_user = asserted_user(sip);
  request.privacy_id = privacy_id(sip);
  request.diversion = diversion_of(sip);
  if (!request.diversion) request.diversion = history_info_of(sip);
  request.source = source_of(sip);
  // The sender's own Via names the transport it sent on; a peer that wrote
  // TLS over plain TCP or UDP would only expose its own call's keys.
  request.secure = request.source.starts_with("TLS:") || request.source.starts_with("tls:");
  if (sip->sip_via != nullptr) {
    const char* received = sip->sip_via->v_received;
    request.source_address = text(received != nullptr ? received : sip->sip_via->v_host);
  }
  request.offer = read_body(sip);
  return request;
}

// "Reason: Q.850;cause=16" -> 16 (RFC 3326); the first Q.850 reason counts.
std::optional<int> q850_reason(const sip_t* sip) {
  for (const sip_reason_t* reason = sip != nullptr ? sip->sip_reason : nullptr; reason != nullptr;
       reason = reason->re_next) {
    if (reason->re_protocol == nullptr || ::strcasecmp(reason->re_protocol, "Q.850") != 0) continue;
    const std::string cause = text(reason->re_cause);
    int value = 0;
    const auto [end, error] = std::from_chars(cause.data(), cause.data() + cause.size(), value);
    if (error == std::errc() && end == cause.data() + cause.size()) return value;
  }
  return std::nullopt;
}

}  // namespace

void SofiaThread::to_control(std::function<void(CallHandler&)> deliver) {
  boost::asio::post(control_,
                    [&handler = handler_, deliver = std::move(deliver)] { deliver(handler); });
}

LegRecord* SofiaThread::find(LegId id) {
  sip_thread_.check("SofiaThread::find");
  const auto found = legs_.find(id);
  return found == legs_.end() ? nullptr : found->second.get();
}

void SofiaThread::on_invite(int status, nua_handle_t* handle, LegRecord* leg, const sip_t* sip) {
  sip_thread_.check("SofiaThread::on_invite");
  if (status >= 200 || sip == nullptr) return;  // NUA answered it itself (491, 500 overlap...)
  if (leg != nullptr) {
    leg->invite_pending = true;
    to_control([id = leg->id, body = read_body(sip)](CallHandler& handler) {
      handler.on_reinvite(id, body);
    });
    return;
  }
  // Who sent it is settled before anything else: a refused INVITE never
  // reaches call control (no dialplan, no channel, no RTP port, no record).
  const auto account = admit(handle, sip);
  if (!account) return;
  auto record = std::make_unique<LegRecord>();
  record->id = next_leg_.fetch_add(1);
  // NUA made the handle for this INVITE; the record owns it from here.
  record->handle.reset(handle);
  record->invite_pending = true;
  nua_handle_bind(handle, record.get());
  auto request = read_invite(record->id, sip);
  record->over_tls = request.secure;
  request.account = *account;
  if (auto source = request_source(); !source.empty()) request.source_address = std::move(source);
  to_control([request = std::move(request)](CallHandler& handler) { handler.on_invite(request); });
  legs_.emplace(record->id, std::move(record));
}

void SofiaThread::on_ack(LegRecord* leg, const sip_t* sip) {
  sip_thread_.check("SofiaThread::on_ack");
  if (leg == nullptr) return;
  to_control(
      [id = leg->id, body = read_body(sip)](CallHandler& handler) { handler.on_ack(id, body); });
}

void SofiaThread::on_cancel(LegRecord* leg) {
  sip_thread_.check("SofiaThread::on_cancel");
  if (leg == nullptr) return;
  leg->invite_pending = false;
  to_control([id = leg->id](CallHandler& handler) { handler.on_cancel(id); });
}

void SofiaThread::on_bye(LegRecord* leg, const sip_t* sip) {
  sip_thread_.check("SofiaThread::on_bye");
  if (leg == nullptr) return;
  leg->invite_pending = false;
  to_control([id = leg->id, reason = q850_reason(sip)](CallHandler& handler) {
    handler.on_bye(id, reason);
  });
}

void SofiaThread::on_call_state(int status, const char* phrase, nua_handle_t* handle,
                                LegRecord* leg, tagi_t* tags) {
  sip_thread_.check("SofiaThread::on_call_state");
  int state = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
  if (state != nua_callstate_terminated) return;
  if (leg == nullptr) {
    // An INVITE NUA refused before we saw it: nobody else holds the handle.
    const NuaHandle refused(handle);
    return;
  }
  to_control([id = leg->id, status, reason = text(phrase)](CallHandler& handler) {
    handler.on_terminated(id, status, reason);
  });
  forget(*leg);
}

void SofiaThread::forget(LegRecord& leg) {
  sip_thread_.check("SofiaThread::forget");
  // The record owns the handle: unbound and destroyed with it. The id is
  // copied, as `leg` dies during the erase.
  const LegId id = leg.id;
  legs_.erase(id);
}

void SofiaThread::respond(LegId id, Response response) {
  post([this, id, response = std::move(response)] {
    LegRecord* leg = find(id);
    if (leg != nullptr && leg->invite_pending) send_response(*leg, response);
  });
}

void SofiaThread::send_response(LegRecord& leg, const Response& response) {
  sip_thread_.check("SofiaThread::send_response");
  const std::string body = response.sdp ? render_sdp(*response.sdp) : std::string{};
  const std::string retry =
      response.retry_after_seconds ? std::to_string(*response.retry_after_seconds) : std::string{};
  const std::string warning =
      response.warning.empty() ? std::string{} : "399 sipgw \"" + response.warning + "\"";
  // NUA keeps the phrase pointer past this call (tags it copies): only
  // Sofia's static phrases will do.
  const char* phrase =
      response.phrase != nullptr ? response.phrase : sip_status_phrase(response.status);
  if (phrase == nullptr) phrase = "Unknown";
  if (response.status >= 200) leg.invite_pending = false;
  if (response.status < 300 && response.status >= 200) leg.established = true;
  // NUA's own Contact for a TLS request is sips:, and Debian's baresip (libre
  // 1.1) sends nothing to a sips: URI, not even the ACK: sip:...;transport=tls
  // reaches the same listener and every client takes it.
  const bool tls_contact = leg.over_tls && !tls_contact_.empty();
  nua_respond(leg.handle.get(), response.status, phrase,
              TAG_IF(tls_contact, SIPTAG_CONTACT_STR(tls_contact_.c_str())),
              TAG_IF(!body.empty(), SIPTAG_CONTENT_TYPE_STR("application/sdp")),
              TAG_IF(!body.empty(), SIPTAG_PAYLOAD_STR(body.c_str())),
              TAG_IF(!response.reason.empty(), SIPTAG_REASON_STR(response.reason.c_str())),
              TAG_IF(!retry.empty(), SIPTAG_RETRY_AFTER_STR(retry.c_str())),
              TAG_IF(!warning.empty(), SIPTAG_WARNING_STR(warning.c_str())), TAG_END());
}

void SofiaThread::bye(LegId id, const std::string& reason) {
  post([this, id, reason] {
    LegRecord* leg = find(id);
    if (leg == nullptr) return;
    if (leg->outgoing && !leg->established) {
      if (leg->cancelled) return;
      leg->cancelled = true;
      nua_cancel(leg->handle.get(), TAG_IF(!reason.empty(), SIPTAG_REASON_STR(reason.c_str())),
                 TAG_END());
      return;
    }
    nua_bye(leg->handle.get(), TAG_IF(!reason.empty(), SIPTAG_REASON_STR(reason.c_str())),
            TAG_END());
  });
}

namespace {

// A display name as a quoted-string (RFC 3261 25.1): quotes and
// backslashes escaped, line breaks dropped.
std::string quoted(const std::string& name) {
  std::string text = "\"";
  for (const char c : name) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') text += '\\';
    text += c;
  }
  return text + "\"";
}

// The headers Sofia has no tags for, one "Name: value" a line.
std::string extra_headers(const OutgoingInvite& invite, const std::string& host) {
  std::string headers;
  if (invite.caller_asserted && !invite.caller_user.empty()) {
    headers += "P-Asserted-Identity: <" + telephone_uri(invite.caller_user, host) + ">\r\n";
  }
  if (!invite.diversion_user.empty()) {
    headers += "Diversion: <" + telephone_uri(invite.diversion_user, host) +
               ">;reason=" + invite.diversion_reason +
               ";counter=" + std::to_string(invite.diversion_counter) + "\r\n";
  }
  if (!headers.empty()) headers.resize(headers.size() - 2);
  return headers;
}

}  // namespace

LegId SofiaThread::invite(OutgoingInvite invite) {
  const LegId id = next_leg_.fetch_add(1);
  post([this, id, invite = std::move(invite)] { send_invite(id, invite); });
  return id;
}

// From is who the PSTN says called, or anonymous (RFC 3323) when the
// caller restricted presentation or sent no number.
void SofiaThread::send_invite(LegId id, const OutgoingInvite& invite) {
  sip_thread_.check("SofiaThread::send_invite");
  const bool anonymous = invite.caller_hidden || invite.caller_user.empty();
  const std::string from =
      anonymous
          ? "\"Anonymous\" <sip:anonymous@anonymous.invalid>"
          : (invite.caller_display.empty() ? std::string() : quoted(invite.caller_display) + " ") +
                "<" + telephone_uri(invite.caller_user, local_host_) + ">";
  const std::string to = "<" + invite.request_uri + ">";
  const std::string proxy =
      invite.outbound_proxy.empty() ? std::string() : "sip:" + invite.outbound_proxy;
  const std::string headers = extra_headers(invite, local_host_);
  const std::string body = render_sdp(invite.offer);
  auto record = std::make_unique<LegRecord>();
  record->id = id;
  record->outgoing = true;
  record->credentials = invite.credentials;
  record->handle.reset(nua_handle(
      nua_, record.get(), NUTAG_URL(invite.request_uri.c_str()), SIPTAG_TO_STR(to.c_str()),
      TAG_IF(!invite.call_id.empty(), SIPTAG_CALL_ID_STR(invite.call_id.c_str())), TAG_END()));
  if (!record->handle) {
    to_control([id](CallHandler& handler) {
      handler.on_refused(id, 500, std::nullopt);
      handler.on_terminated(id, 500, "no handle");
    });
    return;
  }
  // As in respond(): a peer called at sip:...;transport=tls gets a Contact it
  // can send its BYE to (baresip sends nothing to NUA's sips: one). A sips:
  // Request-URI keeps NUA's sips: Contact, as RFC 3261 8.1.1.8 wants.
  const bool tls_contact = proxy.empty() && !tls_contact_.empty() &&
                           is_secure_uri(invite.request_uri) &&
                           !invite.request_uri.starts_with("sips:");
  // NUA takes handle parameters from a request's tags, not from nua_handle()'s.
  nua_invite(record->handle.get(), TAG_IF(!proxy.empty(), NUTAG_PROXY(proxy.c_str())),
             TAG_IF(tls_contact, SIPTAG_CONTACT_STR(tls_contact_.c_str())),
             SIPTAG_FROM_STR(from.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
             SIPTAG_PAYLOAD_STR(body.c_str()),
             TAG_IF(invite.caller_hidden, SIPTAG_PRIVACY_STR("id")),
             TAG_IF(!headers.empty(), SIPTAG_HEADER_STR(headers.c_str())), TAG_END());
  legs_.emplace(id, std::move(record));
}

void SofiaThread::on_invite_response(int status, const char* phrase, LegRecord* leg,
                                     const sip_t* sip) {
  sip_thread_.check("SofiaThread::on_invite_response");
  // Once answered, responses are to NUA's own session refreshes: not ours.
  if (leg == nullptr || !leg->outgoing || leg->established || status <= 100) return;
  if (status < 200) {
    if (leg->cancelled) return;
    to_control([id = leg->id, status, body = read_body(sip)](CallHandler& handler) {
      handler.on_progress(id, status, body);
    });
    return;
  }
  if (status < 300) {
    leg->established = true;
    if (leg->cancelled) {
      // The 200 crossed our CANCEL: NUA has ACKed it, the call must still end.
      nua_bye(leg->handle.get(), TAG_END());
      return;
    }
    to_control([id = leg->id, body = read_body(sip)](CallHandler& handler) {
      handler.on_answered(id, body);
    });
    return;
  }
  // One answer per challenge, as for REGISTER: a second one means the
  // credentials are wrong.
  if ((status == 401 || status == 407) && leg->challenges == 0 && !leg->cancelled) {
    const std::string realm = challenge_realm(sip);
    const DigestCredential* chosen = nullptr;
    for (const auto& credential : leg->credentials) {
      if (credential.realm == realm) chosen = &credential;
      if (credential.realm.empty() && chosen == nullptr) chosen = &credential;
    }
    if (!realm.empty() && chosen != nullptr) {
      ++leg->challenges;
      const std::string credentials =
          "Digest:\"" + realm + "\":" + chosen->user + ":" + chosen->password;
      nua_authenticate(leg->handle.get(), NUTAG_AUTH(credentials.c_str()), TAG_END());
      return;
    }
  }
  to_control([id = leg->id, status, reason = q850_reason(sip)](CallHandler& handler) {
    handler.on_refused(id, status, reason);
  });
  if (status == 401 || status == 407) {
    // NUA keeps the call waiting for credentials that will not come.
    to_control([id = leg->id, status, text = text(phrase)](CallHandler& handler) {
      handler.on_terminated(id, status, text);
    });
    forget(*leg);
  }
}

}  // namespace gw::sip
