#pragma once
// The gateway's own certificates. An appliance has no name a public CA
// would sign on its first start, so it makes itself self-signed ones (EC
// P-256, ten years, for localhost, 127.0.0.1 and the host name) that the
// operator can replace with the site's own:
// - the HTTPS server's: two PEM files in the data directory, web.crt and
//   web.key (0600);
// - SIP over TLS's (RFC 3261 26): the folder Sofia-SIP reads
//   (TPTAG_CERTIFICATE), DATA_DIR/sip-tls. This is the one OpenSSL-using
//   part of the SIP side: gateway/sip includes Sofia only.

#include <string>

namespace gw::web {

struct TlsFiles {
  std::string certificate;  // PEM
  std::string private_key;  // PEM
};

// The files in `directory`, made first when either is missing. Throws
// std::runtime_error naming the file it could not write.
TlsFiles ensure_tls_identity(const std::string& directory);

struct SipTlsFolder {
  std::string directory;
  // Made now: a new self-signed identity (agent.pem, certificate.pem).
  bool made = false;
  // cafile.pem is the link to the system's CA bundle made with the folder
  // (not the operator's own file).
  bool system_cas = false;
  // The certificate's subject and expiry, for the start-up line.
  std::string subject;
  std::string not_after;
};

// SIP over TLS's folder `directory` (created 0700), as Sofia reads it:
// - agent.pem: the private key and the certificate (0600). Missing: a
//   self-signed one is made, for serverAuth and clientAuth (Sofia offers it
//   as the client certificate when a peer asks), with `bind_address` among
//   its names when it is a specific address;
// - certificate.pem: the certificate alone, to give to clients (written
//   with a made identity only);
// - cafile.pem: the CAs a peer's certificate is verified against. Missing:
//   a link to the system's bundle (/etc/ssl/certs/ca-certificates.crt),
//   which follows its updates.
// Nothing the operator put there is ever overwritten. Throws
// std::runtime_error naming the file when agent.pem is unreadable, holds
// no key or no certificate, or they do not match.
SipTlsFolder ensure_sip_tls_folder(const std::string& directory, const std::string& bind_address);

}  // namespace gw::web
