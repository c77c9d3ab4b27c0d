// Tests common/pki.cpp: client certificates are issued only for a well-formed CSR naming the
// expected CN and verify only against their own CA, in their validity period, for clientAuth;
// hostile input throws or is refused, never crashes; key material lands with private modes.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/pki.hpp"
#include "tests/store/records.hpp"

using namespace capstan::common;

namespace {

const std::string node_cn = "system:node:node1";
const std::string nodes_o = "system:nodes";

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

// A client certificate for a new key, and that key.
std::pair<std::string, std::string> issue(const certificate_authority& ca,
                                          const std::string& cn = node_cn, int days = 365) {
  auto key = new_private_key_pem();
  return {ca.issue_client_certificate(make_csr(key, cn, ""), cn, nodes_o, days), key};
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_issued_client_certificate_verifies_with_its_identity) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto key = new_private_key_pem();
  BOOST_TEST(key.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0u);
  auto csr = make_csr(key, node_cn, "ignored-org");
  auto cert = ca.issue_client_certificate(csr, node_cn, nodes_o, 365);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  auto identity = verifier.verify(cert, why);
  BOOST_TEST_REQUIRE(identity.has_value(), why);
  BOOST_TEST(why.empty());
  BOOST_TEST(identity->common_name == node_cn);
  BOOST_TEST(identity->organization == nodes_o);  // the CA's word, not the CSR's
  BOOST_TEST(identity->public_key_sha256 == public_key_sha256(key));
  BOOST_TEST(public_key_sha256(csr) == public_key_sha256(key));
  BOOST_TEST(public_key_sha256(cert) == public_key_sha256(key));
  BOOST_TEST(public_key_sha256(key).size() == 64u);
  BOOST_TEST(key_matches_certificate(key, cert));
  BOOST_TEST(!key_matches_certificate(new_private_key_pem(), cert));
}

BOOST_AUTO_TEST_CASE(a_long_node_name_fits_in_the_common_name) {
  // Node names may have 253 characters; X.509's 64-character CN bound must not refuse them.
  auto ca = certificate_authority::create("test-ca", 10);
  std::string cn = "system:node:" + std::string(253, 'n');
  auto [cert, key] = issue(ca, cn);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  auto identity = verifier.verify(cert, why);
  BOOST_TEST_REQUIRE(identity.has_value(), why);
  BOOST_TEST(identity->common_name == cn);
}

BOOST_AUTO_TEST_CASE(a_certificate_from_another_ca_is_refused) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto other = certificate_authority::create("test-ca", 10);  // same name, other key
  auto [cert, key] = issue(other);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  BOOST_TEST(!verifier.verify(cert, why).has_value());
  BOOST_TEST(!why.empty());
  // The CA's own certificate is not a client certificate either.
  BOOST_TEST(!verifier.verify(ca.certificate_pem(), why).has_value());
  BOOST_TEST(why == "a CA certificate is not a client certificate");
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_refused) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] = issue(ca, node_cn, -1);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  BOOST_TEST(!verifier.verify(cert, why).has_value());
  BOOST_TEST(why == "certificate has expired");
}

BOOST_AUTO_TEST_CASE(a_server_certificate_is_not_a_client_certificate) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] =
      ca.issue_server_certificate("apiserver", {"127.0.0.1", "localhost", "::1"}, 30);
  BOOST_TEST(key_matches_certificate(key, cert));
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  BOOST_TEST(!verifier.verify(cert, why).has_value());
  BOOST_TEST(why == "unsuitable certificate purpose");
  // Host lists that would smuggle extra names into the SAN are refused.
  BOOST_CHECK_THROW(ca.issue_server_certificate("apiserver", {"a,IP:10.0.0.1"}, 30), pki_error);
  BOOST_CHECK_THROW(ca.issue_server_certificate("apiserver", {""}, 30), pki_error);
  BOOST_CHECK_THROW(ca.issue_server_certificate("apiserver", {}, 30), pki_error);
}

BOOST_AUTO_TEST_CASE(a_csr_is_refused_unless_it_names_the_expected_node_once) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto key = new_private_key_pem();
  try {
    ca.issue_client_certificate(make_csr(key, "system:node:node2", ""), node_cn, nodes_o, 365);
    BOOST_FAIL("a CSR for another node was signed");
  } catch (const pki_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "the CSR's subject CN is \"system:node:node2\" but must be \"system:node:node1\"");
  }
  // A tampered CSR (the subject changed after signing) fails its own signature.
  auto csr = make_csr(key, "system:node:nodeX", "");
  auto tampered = make_csr(new_private_key_pem(), node_cn, "");
  BOOST_CHECK_THROW(
      ca.issue_client_certificate(tampered.substr(0, tampered.size() / 2), node_cn, nodes_o, 365),
      pki_error);
}

BOOST_AUTO_TEST_CASE(hostile_input_throws_or_is_refused_never_crashes) {
  auto ca = certificate_authority::create("test-ca", 10);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string huge(1024 * 1024, 'A');
  std::string huge_pem = "-----BEGIN CERTIFICATE-----\n" + huge + "\n-----END CERTIFICATE-----\n";
  std::string why;
  for (const std::string& bad :
       {std::string(), std::string("garbage"), huge, huge_pem,
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        std::string("-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----\n"),
        std::string("\0\0\0", 3)}) {
    BOOST_TEST(!verifier.verify(bad, why).has_value());
    BOOST_TEST(!why.empty());
    BOOST_CHECK_THROW(ca.issue_client_certificate(bad, node_cn, nodes_o, 365), pki_error);
    BOOST_CHECK_THROW(public_key_sha256(bad), pki_error);
    BOOST_CHECK_THROW(sign(bad, "data"), pki_error);
    BOOST_CHECK_THROW(make_csr(bad, node_cn, ""), pki_error);
    BOOST_TEST(!verify_signature(bad, "data", "sig"));
    BOOST_TEST(!key_matches_certificate(bad, bad));
    BOOST_CHECK_THROW(client_certificate_verifier{bad}, pki_error);
    BOOST_CHECK_THROW(certificate_authority::from_pem(bad, bad), pki_error);
  }
  // A certificate is not a CA, and a CA certificate with another key is refused.
  auto [cert, key] = issue(ca);
  BOOST_CHECK_THROW(certificate_authority::from_pem(cert, key), pki_error);
  BOOST_CHECK_THROW(certificate_authority::from_pem(ca.certificate_pem(), key), pki_error);
  BOOST_CHECK_NO_THROW(certificate_authority::from_pem(ca.certificate_pem(), ca.key_pem()));
}

BOOST_AUTO_TEST_CASE(a_signature_verifies_for_its_data_and_key_only) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] = issue(ca);
  auto signature = sign(key, "nonce\nnode1");
  BOOST_TEST(verify_signature(cert, "nonce\nnode1", signature));
  BOOST_TEST(!verify_signature(cert, "nonce\nnode2", signature));
  std::string flipped = signature;
  flipped[flipped.size() / 2] ^= 1;
  BOOST_TEST(!verify_signature(cert, "nonce\nnode1", flipped));
  BOOST_TEST(!verify_signature(cert, "nonce\nnode1", ""));
  auto [other_cert, other_key] = issue(ca);
  BOOST_TEST(!verify_signature(other_cert, "nonce\nnode1", signature));
}

BOOST_AUTO_TEST_CASE(one_verifier_serves_many_threads) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] = issue(ca);
  auto [foreign, foreign_key] = issue(certificate_authority::create("other", 10));
  client_certificate_verifier verifier(ca.certificate_pem());
  std::atomic<int> good{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, cert = cert, foreign = foreign] {
      std::string why;
      for (int i = 0; i < 200; ++i) {
        good += verifier.verify(cert, why).has_value();
        refused += !verifier.verify(foreign, why).has_value();
      }
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(good.load() == 800);
  BOOST_TEST(refused.load() == 800);
}

BOOST_AUTO_TEST_CASE(a_ca_is_written_once_with_private_modes_and_read_back) {
  capstan::test::temp_dir dir;
  std::string tls = dir.str() + "/data/tls";
  auto ca = certificate_authority::load_or_create(tls, "client-ca", "capstan-client-ca");
  BOOST_TEST(mode_of(tls + "/client-ca.key") == 0600u);
  BOOST_TEST(mode_of(tls + "/client-ca.crt") == 0644u);
  BOOST_TEST(mode_of(tls) == 0700u);
  BOOST_TEST(read_small_file(tls + "/client-ca.crt") == ca.certificate_pem());
  auto again = certificate_authority::load_or_create(tls, "client-ca", "capstan-client-ca");
  BOOST_TEST(again.certificate_pem() == ca.certificate_pem());
  // What the first issued, the second verifies.
  auto [cert, key] = issue(again);
  std::string why;
  BOOST_TEST(client_certificate_verifier(ca.certificate_pem()).verify(cert, why).has_value());
  // A lost key is an error, never a silent new CA.
  std::filesystem::remove(tls + "/client-ca.key");
  BOOST_CHECK_THROW(certificate_authority::load_or_create(tls, "client-ca", "x"), pki_error);
  BOOST_TEST(read_small_file(tls + "/client-ca.crt") == ca.certificate_pem());
}

BOOST_AUTO_TEST_CASE(atomic_writes_replace_content_and_set_the_mode) {
  capstan::test::temp_dir dir;
  std::string path = dir.str() + "/a/b/secret";
  write_file_atomically(path, "one", 0600);
  BOOST_TEST(read_small_file(path) == "one");
  BOOST_TEST(mode_of(path) == 0600u);
  write_file_atomically(path, "two", 0640);
  BOOST_TEST(read_small_file(path) == "two");
  BOOST_TEST(mode_of(path) == 0640u);
  BOOST_TEST(mode_of(dir.str() + "/a/b") == 0700u);
  // No temporary file is left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.str() + "/a/b"))
    files += e.is_regular_file();
  BOOST_TEST(files == 1);
  BOOST_CHECK_THROW(read_small_file(path, 2), pki_error);
  BOOST_CHECK_THROW(read_small_file(dir.str() + "/missing"), pki_error);
  BOOST_TEST(sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(a_signed_challenge_proves_the_certificate_holder) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] = issue(ca);
  auto [other_cert, other_key] = issue(ca);
  client_certificate_verifier verifier(ca.certificate_pem());
  std::string why;
  for (int round = 0; round < 2; ++round) {  // the second round answers from memory
    auto identity = verifier.verify_signed(cert, "nonce", sign(key, "nonce"), why);
    BOOST_TEST_REQUIRE(identity.has_value(), why);
    BOOST_TEST(identity->common_name == node_cn);
    BOOST_TEST(!verifier.verify_signed(cert, "nonce", sign(other_key, "nonce"), why).has_value());
    BOOST_TEST(why == "the signature does not match the certificate's key");
    BOOST_TEST(!verifier.verify_signed(cert, "other", sign(key, "nonce"), why).has_value());
  }
  // An expired certificate stays refused however often it is shown.
  auto [expired, expired_key] = issue(ca, node_cn, -1);
  for (int round = 0; round < 2; ++round)
    BOOST_TEST(!verifier.verify_signed(expired, "n", sign(expired_key, "n"), why).has_value());
}

BOOST_AUTO_TEST_CASE(a_serving_certificate_is_checked_for_its_ca_hosts_and_lifetime) {
  auto ca = certificate_authority::create("test-ca", 10);
  auto [cert, key] = ca.issue_server_certificate("apiserver", {"127.0.0.1", "localhost"}, 100);
  BOOST_TEST(
      server_certificate_problem(ca.certificate_pem(), cert, {"127.0.0.1", "localhost"}, 30) == "");
  BOOST_TEST(server_certificate_problem(ca.certificate_pem(), cert, {"10.0.0.1"}, 30) ==
             "it does not cover 10.0.0.1");
  BOOST_TEST(server_certificate_problem(ca.certificate_pem(), cert, {"127.0.0.1"}, 200) ==
             "it expires in less than 200 days");
  auto other = certificate_authority::create("test-ca", 10);
  BOOST_TEST(server_certificate_problem(other.certificate_pem(), cert, {"127.0.0.1"}, 1) != "");
  auto [client, client_key] = issue(ca);
  BOOST_TEST(server_certificate_problem(ca.certificate_pem(), client, {}, 1) ==
             "unsuitable certificate purpose");
  auto info = inspect_certificate(client);
  BOOST_TEST_REQUIRE(info.has_value());
  BOOST_TEST(info->common_name == node_cn);
  BOOST_TEST(info->organization == nodes_o);
  BOOST_TEST(info->public_key_sha256 == public_key_sha256(client_key));
  BOOST_TEST(!info->is_ca);
  BOOST_TEST(info->not_after - info->not_before == (365 * 24 + 1) * 3600);
  BOOST_TEST(inspect_certificate(ca.certificate_pem())->is_ca);
  BOOST_TEST(!inspect_certificate("garbage").has_value());
}

BOOST_AUTO_TEST_CASE(a_csr_is_inspected_before_anything_is_issued) {
  auto key = new_private_key_pem();
  auto info = inspect_csr(make_csr(key, node_cn, ""));
  BOOST_TEST(info.common_name == node_cn);
  BOOST_TEST(info.public_key_sha256 == public_key_sha256(key));
  // A weak key is refused.
  EVP_PKEY* rsa = EVP_RSA_gen(1024);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string weak(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(rsa);
  try {
    inspect_csr(make_csr(weak, node_cn, ""));
    BOOST_FAIL("a 1024-bit RSA key was accepted");
  } catch (const pki_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "the CSR's key is refused: an RSA key of 1024 bits is not 2048 to 8192 bits");
  }
  BOOST_CHECK_THROW(inspect_csr(key), pki_error);  // a key is not a CSR
}
