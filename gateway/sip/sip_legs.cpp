// The call half of the SIP thread: INVITE dialogs as legs, their events
// posted to call control, and call control's answers sent through NUA.

#include <strings.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <cstring>

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
  request.source = source_of(sip);
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
  const auto found = legs_.find(id);
  return found == legs_.end() ? nullptr : found->second.get();
}

void SofiaThread::on_invite(int status, nua_handle_t* handle, LegRecord* leg, const sip_t* sip) {
  if (status >= 200 || sip == nullptr) return;  // NUA answered it itself (491, 500 overlap...)
  if (leg != nullptr) {
    leg->invite_pending = true;
    to_control([id = leg->id, body = read_body(sip)](CallHandler& handler) {
      handler.on_reinvite(id, body);
    });
    return;
  }
  auto record = std::make_unique<LegRecord>();
  record->id = next_leg_++;
  record->handle = handle;
  record->invite_pending = true;
  nua_handle_bind(handle, record.get());
  to_control([request = read_invite(record->id, sip)](CallHandler& handler) {
    handler.on_invite(request);
  });
  legs_.emplace(record->id, std::move(record));
}

void SofiaThread::on_ack(LegRecord* leg, const sip_t* sip) {
  if (leg == nullptr) return;
  to_control(
      [id = leg->id, body = read_body(sip)](CallHandler& handler) { handler.on_ack(id, body); });
}

void SofiaThread::on_cancel(LegRecord* leg) {
  if (leg == nullptr) return;
  leg->invite_pending = false;
  to_control([id = leg->id](CallHandler& handler) { handler.on_cancel(id); });
}

void SofiaThread::on_bye(LegRecord* leg, const sip_t* sip) {
  if (leg == nullptr) return;
  leg->invite_pending = false;
  to_control([id = leg->id, reason = q850_reason(sip)](CallHandler& handler) {
    handler.on_bye(id, reason);
  });
}

void SofiaThread::on_call_state(int status, const char* phrase, nua_handle_t* handle,
                                LegRecord* leg, tagi_t* tags) {
  int state = nua_callstate_init;
  tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
  if (state != nua_callstate_terminated) return;
  if (leg == nullptr) {
    // An INVITE NUA refused before we saw it: nobody else holds the handle.
    nua_handle_destroy(handle);
    return;
  }
  to_control([id = leg->id, status, reason = text(phrase)](CallHandler& handler) {
    handler.on_terminated(id, status, reason);
  });
  forget(*leg);
}

void SofiaThread::forget(LegRecord& leg) {
  nua_handle_bind(leg.handle, nullptr);
  nua_handle_destroy(leg.handle);
  legs_.erase(leg.id);
}

void SofiaThread::respond(LegId id, Response response) {
  post([this, id, response = std::move(response)] {
    LegRecord* leg = find(id);
    if (leg != nullptr && leg->invite_pending) send_response(*leg, response);
  });
}

void SofiaThread::send_response(LegRecord& leg, const Response& response) {
  const std::string body = response.sdp ? render_sdp(*response.sdp) : std::string{};
  const std::string retry =
      response.retry_after_seconds ? std::to_string(*response.retry_after_seconds) : std::string{};
  const std::string warning =
      response.warning.empty() ? std::string{} : "399 sipgw \"" + response.warning + "\"";
  // NUA keeps the phrase pointer past this call (tags it copies): only
  // Sofia's static phrases will do.
  const char* phrase = sip_status_phrase(response.status);
  if (phrase == nullptr) phrase = "Unknown";
  if (response.status >= 200) leg.invite_pending = false;
  if (response.status < 300 && response.status >= 200) leg.established = true;
  nua_respond(leg.handle, response.status, phrase,
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
    nua_bye(leg->handle, TAG_IF(!reason.empty(), SIPTAG_REASON_STR(reason.c_str())), TAG_END());
  });
}

}  // namespace gw::sip
