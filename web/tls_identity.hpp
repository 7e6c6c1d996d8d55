#pragma once
// The HTTPS server's certificate. An appliance has no name a public CA
// would sign on its first start, so it makes itself a self-signed one
// (EC P-256, ten years, for localhost, 127.0.0.1 and the host name) that
// the operator can replace with the site's own: two PEM files in the data
// directory, web.crt and web.key (0600).

#include <string>

namespace gw::web {

struct TlsFiles {
  std::string certificate;  // PEM
  std::string private_key;  // PEM
};

// The files in `directory`, made first when either is missing. Throws
// std::runtime_error naming the file it could not write.
TlsFiles ensure_tls_identity(const std::string& directory);

}  // namespace gw::web
