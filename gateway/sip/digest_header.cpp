#include "gateway/sip/digest_header.hpp"

// Sofia's digest parameter parser. It needs none of the magic types
// sofia.hpp defines, so it may follow it.
#include <sofia-sip/auth_digest.h>
#include <strings.h>

#include <string>

namespace gw::sip {
namespace {

bool is_digest(const msg_auth_t* header) {
  return header->au_scheme != nullptr && ::strcasecmp(header->au_scheme, "Digest") == 0 &&
         header->au_params != nullptr;
}

// auth_strcmp() compares a parameter value, quoted or not, with plain text.
bool has_realm(const msg_auth_t* header, std::string_view realm) {
  const char* value = msg_params_find(header->au_params, "realm=");
  return value != nullptr && ::auth_strcmp(value, std::string(realm).c_str()) == 0;
}

const msg_auth_t* pick(const msg_auth_t* headers, std::string_view realm) {
  const msg_auth_t* first = nullptr;
  for (const msg_auth_t* header = headers; header != nullptr; header = header->au_next) {
    if (!is_digest(header)) continue;
    if (realm.empty() || has_realm(header, realm)) return header;
    if (first == nullptr) first = header;
  }
  return first;
}

std::string text(const char* value) {
  return value != nullptr ? value : std::string();
}

}  // namespace

std::optional<auth::DigestResponse> read_digest_response(const sip_t* sip, std::string_view realm) {
  if (sip == nullptr) return std::nullopt;
  const msg_auth_t* credentials = pick(sip->sip_authorization, realm);
  if (credentials == nullptr) credentials = pick(sip->sip_proxy_authorization, realm);
  if (credentials == nullptr) return std::nullopt;

  // The parser unquotes each value into the home, which goes at return.
  const Home home = make_home();
  auth_response_t parsed{};
  parsed.ar_size = sizeof parsed;
  if (!home || ::auth_digest_response_get(home.get(), &parsed, credentials->au_params) < 0) {
    return std::nullopt;
  }
  return auth::DigestResponse{
      .username = text(parsed.ar_username),
      .realm = text(parsed.ar_realm),
      .nonce = text(parsed.ar_nonce),
      .uri = text(parsed.ar_uri),
      .response = text(parsed.ar_response),
      .algorithm = text(parsed.ar_algorithm),
      .cnonce = text(parsed.ar_cnonce),
      .qop = text(parsed.ar_qop),
      .nc = text(parsed.ar_nc),
      .opaque = text(parsed.ar_opaque),
  };
}

}  // namespace gw::sip
