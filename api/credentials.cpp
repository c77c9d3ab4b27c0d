#include "api/credentials.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/pki.hpp"

namespace capstan::api {

namespace fs = std::filesystem;

namespace {

void write_private(const fs::path& p, const std::string& content) {
  common::write_file_atomically(p.string(), content, 0600);
}

}  // namespace

tls_material ensure_tls(const std::string& data_dir, const std::vector<std::string>& hosts) {
  const std::string dir = data_dir + "/tls";
  auto ca = common::certificate_authority::load_or_create(dir, "ca", "capstan-ca");
  tls_material m{ca.certificate_pem(), "", ""};
  if (fs::exists(dir + "/server.crt") && fs::exists(dir + "/server.key")) {
    m.cert_pem = common::read_small_file(dir + "/server.crt", common::max_pem_bytes);
    m.key_pem = common::read_small_file(dir + "/server.key", common::max_pem_bytes);
    // Kept while it serves every host from this CA for a month more; otherwise reissued (the
    // CA, whose hash node tokens carry, stays).
    if (common::key_matches_certificate(m.key_pem, m.cert_pem) &&
        common::server_certificate_problem(m.ca_cert_pem, m.cert_pem, hosts, 30).empty())
      return m;
  }
  std::tie(m.cert_pem, m.key_pem) = ca.issue_server_certificate("capstan-apiserver", hosts, 3650);
  write_private(dir + "/server.key", m.key_pem);
  common::write_file_atomically(dir + "/server.crt", m.cert_pem, 0644);
  return m;
}

common::certificate_authority ensure_node_authority(const std::string& data_dir) {
  return common::certificate_authority::load_or_create(data_dir + "/tls", "client-ca",
                                                       "capstan-client-ca");
}

void write_kubeconfig(const std::string& path, const std::string& server, const std::string& ca_pem,
                      const std::string& user, const std::string& token) {
  std::string ca64;
  {
    std::vector<unsigned char> out(4 * ((ca_pem.size() + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(ca_pem.data()),
                            static_cast<int>(ca_pem.size()));
    ca64.assign(reinterpret_cast<char*>(out.data()), static_cast<std::size_t>(n));
  }
  std::ostringstream y;
  y << "apiVersion: v1\nkind: Config\n"
    << "clusters:\n- name: capstan\n  cluster:\n    server: " << server
    << "\n    certificate-authority-data: " << ca64 << "\n"
    << "users:\n- name: " << user << "\n  user:\n    token: " << token << "\n"
    << "contexts:\n- name: capstan\n  context:\n    cluster: capstan\n    user: " << user
    << "\n    namespace: default\n"
    << "current-context: capstan\n";
  write_private(path, y.str());
}

}  // namespace capstan::api
