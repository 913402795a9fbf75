#include "core/ca_bundle.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "core/read_back.hpp"

namespace drsynth::detail {

std::optional<std::string> ca_bundle_problem(const std::string& path) {
  auto r = read_regular_file(path, max_ca_bundle_bytes);
  if (r.status != ReadBack::Status::ok) return r.problem;
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
  std::size_t blocks = 0;
  for (auto at = r.text.find(begin); at != std::string::npos; at = r.text.find(begin, at + begin.size())) ++blocks;
  if (blocks == 0) return "holds no PEM certificate";
  const std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(r.text.data(), static_cast<int>(r.text.size())), BIO_free);
  if (!bio) return "cannot be parsed (out of memory)";
  std::size_t parsed = 0;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    X509_free(cert);
    ++parsed;
  }
  ERR_clear_error();
  if (parsed != blocks)
    return "holds a PEM block that is not an X.509 certificate (certificate " + std::to_string(parsed + 1) + " of " +
           std::to_string(blocks) + ")";
  return std::nullopt;
}

}  // namespace drsynth::detail
