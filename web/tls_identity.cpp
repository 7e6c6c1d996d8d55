#include "web/tls_identity.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
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
#include <system_error>

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
using BioPtr = std::unique_ptr<BIO, Freer<BIO_free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making a certificate: ") + what);
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

// What a certificate is for: its subjectAltName and extendedKeyUsage.
struct Purpose {
  std::string names;
  std::string usage;
};

CertPtr self_signed(EVP_PKEY* key, const Purpose& purpose) {
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
  add_extension(cert, NID_subject_alt_name, purpose.names);
  add_extension(cert, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert, NID_ext_key_usage, purpose.usage);
  check(X509_sign(cert, key, EVP_sha256()) > 0, "signing");
  return certificate;
}

std::string default_names() {
  return "DNS:localhost,IP:127.0.0.1,IP:::1,DNS:" + host_name();
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

// The system's CA bundle (Debian's ca-certificates), which a peer's
// certificate is verified against until the operator puts a cafile.pem.
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// Never prompts for a passphrase on a terminal: a daemon has none, and
// Sofia is given none (TPTAG_TLS_PASSPHRASE).
int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*unused*/) {
  return 0;
}

// A specific address the gateway listens on, to be among the names of a
// made certificate; empty for a wildcard or one already there.
std::string extra_address(const std::string& bind) {
  std::array<unsigned char, 16> parsed{};
  if (bind == "0.0.0.0" || bind == "::" || bind == "127.0.0.1" || bind == "::1") return {};
  if (::inet_pton(AF_INET, bind.c_str(), parsed.data()) != 1 &&
      ::inet_pton(AF_INET6, bind.c_str(), parsed.data()) != 1) {
    return {};
  }
  return ",IP:" + bind;
}

// agent.pem is the key, then the certificate (Sofia reads both from it),
// written under a temporary name and renamed: a crash leaves no half file.
void make_sip_identity(const std::string& directory, const std::string& bind_address) {
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key");
  const CertPtr certificate = self_signed(
      key.get(), {default_names() + extra_address(bind_address), "serverAuth,clientAuth"});
  const std::string agent = directory + "/agent.pem";
  const std::string partial = agent + ".new";
  {
    const FilePtr out = open_private(partial);
    check(PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing the key");
    check(PEM_write_X509(out.get(), certificate.get()) == 1, "writing the certificate");
  }
  const std::string public_copy = directory + "/certificate.pem";
  {
    const FilePtr out(std::fopen(public_copy.c_str(), "w"));
    if (!out) throw std::runtime_error("cannot write " + public_copy);
    check(PEM_write_X509(out.get(), certificate.get()) == 1, "writing the certificate");
  }
  if (std::rename(partial.c_str(), agent.c_str()) != 0)
    throw std::runtime_error("cannot write " + agent);
}

std::string asn1_time(const ASN1_TIME* time) {
  const BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || ASN1_TIME_print(out.get(), time) != 1) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return {data, static_cast<std::size_t>(length)};
}

// Sofia starts with a key and certificate it cannot use and then fails
// every handshake: say what is wrong with agent.pem before that.
void read_sip_identity(const std::string& agent, SipTlsFolder& folder) {
  const BioPtr in(BIO_new_file(agent.c_str(), "r"));
  if (!in) throw std::runtime_error("cannot read " + agent);
  const KeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr));
  (void)BIO_reset(in.get());
  const CertPtr certificate(PEM_read_bio_X509(in.get(), nullptr, no_passphrase, nullptr));
  if (!key) throw std::runtime_error(agent + ": no private key (an unencrypted PEM key)");
  if (!certificate) throw std::runtime_error(agent + ": no certificate");
  if (X509_check_private_key(certificate.get(), key.get()) != 1)
    throw std::runtime_error(agent + ": the key is not the certificate's");
  std::array<char, 256> subject{};
  X509_NAME_oneline(X509_get_subject_name(certificate.get()), subject.data(),
                    static_cast<int>(subject.size()));
  folder.subject = subject.data();
  folder.not_after = asn1_time(X509_get0_notAfter(certificate.get()));
}

}  // namespace

TlsFiles ensure_tls_identity(const std::string& directory) {
  TlsFiles files{directory + "/web.crt", directory + "/web.key"};
  if (std::filesystem::exists(files.certificate) && std::filesystem::exists(files.private_key)) {
    return files;
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key");
  const CertPtr certificate = self_signed(key.get(), {default_names(), "serverAuth"});
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

SipTlsFolder ensure_sip_tls_folder(const std::string& directory, const std::string& bind_address) {
  SipTlsFolder folder;
  folder.directory = directory;
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error("cannot make " + directory + ": " +
                             std::error_code(errno, std::generic_category()).message());
  }
  const std::string agent = directory + "/agent.pem";
  if (!std::filesystem::exists(agent)) {
    make_sip_identity(directory, bind_address);
    folder.made = true;
  }
  const std::filesystem::path cafile = directory + "/cafile.pem";
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(cafile))) {
    std::filesystem::create_symlink(kSystemCaBundle, cafile, error);
    if (error) throw std::runtime_error("cannot make " + cafile.string() + ": " + error.message());
  }
  folder.system_cas = std::filesystem::is_symlink(std::filesystem::symlink_status(cafile)) &&
                      std::filesystem::read_symlink(cafile, error) == kSystemCaBundle;
  read_sip_identity(agent, folder);
  return folder;
}

}  // namespace gw::web
