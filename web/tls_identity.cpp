#include "web/tls_identity.hpp"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace gw::web {
namespace {

template <auto Free>
struct Freer {
  template <typename T>
  void operator()(T* handle) const noexcept {
    (void)Free(handle);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Freer<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION_free>>;
using FilePtr = std::unique_ptr<FILE, Freer<std::fclose>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making the web certificate: ") + what);
}

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "localhost";
  return name.data();
}

void add_extension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  check(extension != nullptr && X509_add_ext(certificate, extension.get(), -1) == 1, "extension");
}

CertPtr self_signed(EVP_PKEY* key) {
  CertPtr certificate(X509_new());
  check(certificate != nullptr, "X509_new");
  X509* cert = certificate.get();
  check(X509_set_version(cert, 2) == 1, "version");
  // A random serial: browsers refuse two certificates with one issuer and serial.
  std::uint64_t serial = 0;
  check(RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) == 1, "serial");
  check(ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1) == 1, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600) != nullptr, "notAfter");
  check(X509_set_pubkey(cert, key) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string common_name = "sipgw " + host_name();
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "subject");
  check(X509_set_issuer_name(cert, name) == 1, "issuer");
  add_extension(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1,DNS:" + host_name());
  add_extension(cert, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert, NID_ext_key_usage, "serverAuth");
  check(X509_sign(cert, key, EVP_sha256()) > 0, "signing");
  return certificate;
}

FilePtr open_private(const std::string& path) {
  // Created 0600: the key is never readable by others, not even briefly.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  FilePtr file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    throw std::runtime_error("cannot write " + path);
  }
  return file;
}

}  // namespace

TlsFiles ensure_tls_identity(const std::string& directory) {
  TlsFiles files{directory + "/web.crt", directory + "/web.key"};
  if (std::filesystem::exists(files.certificate) && std::filesystem::exists(files.private_key)) {
    return files;
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key");
  const CertPtr certificate = self_signed(key.get());
  {
    const FilePtr out = open_private(files.private_key);
    check(PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing the key");
  }
  const FilePtr out(std::fopen(files.certificate.c_str(), "w"));
  if (!out) throw std::runtime_error("cannot write " + files.certificate);
  check(PEM_write_X509(out.get(), certificate.get()) == 1, "writing the certificate");
  return files;
}

}  // namespace gw::web
