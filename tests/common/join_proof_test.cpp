// Tests common/join_proof.cpp: the token's K10 form, the proofs bind the secret to a nonce and a
// node name (or a key), the master's token file is created once and upgraded in place.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>

#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "tests/store/records.hpp"

using namespace capstan::common;

BOOST_AUTO_TEST_CASE(the_proof_is_hmac_sha256_of_nonce_and_name) {
  // Computed independently: printf "nonce\nnode1" | openssl dgst -sha256 -hmac key
  BOOST_TEST(join_proof("key", "nonce", "node1") ==
             "8b39ee24a37e736fd0d6748cd04b48d68a02795c262713b860d9935beabcc237");
}

BOOST_AUTO_TEST_CASE(a_proof_holds_for_one_token_nonce_and_name_only) {
  auto nonce = random_nonce();
  auto proof = join_proof("secret", nonce, "node1");
  BOOST_TEST(proofs_equal(proof, join_proof("secret", nonce, "node1")));
  BOOST_TEST(!proofs_equal(proof, join_proof("Secret", nonce, "node1")));
  BOOST_TEST(!proofs_equal(proof, join_proof("secret", random_nonce(), "node1")));
  BOOST_TEST(!proofs_equal(proof, join_proof("secret", nonce, "node2")));
  BOOST_TEST(!proofs_equal(proof, proof.substr(1)));
  BOOST_TEST(random_nonce() != random_nonce());
  BOOST_TEST(random_nonce().size() == 64u);
}

BOOST_AUTO_TEST_CASE(the_master_token_is_created_once_and_read_back) {
  capstan::test::temp_dir dir;
  auto token = load_or_create_join_token(dir.str());
  BOOST_TEST(token.size() == 64u);
  BOOST_TEST(load_or_create_join_token(dir.str()) == token);
  BOOST_TEST(read_join_token(dir.str() + "/node-token") == token);
  BOOST_CHECK_THROW(read_join_token(dir.str() + "/missing"), std::runtime_error);
  std::ofstream(dir.str() + "/empty") << "  \n";
  BOOST_CHECK_THROW(read_join_token(dir.str() + "/empty"), std::runtime_error);
}

namespace {

const std::string hash64(64, 'a');

std::string file(const std::string& path) {
  return read_small_file(path);
}

}  // namespace

BOOST_AUTO_TEST_CASE(tokens_parse_as_k10_or_bare_and_format_back) {
  auto k10 = parse_join_token("K10" + hash64 + "::s3cret:with:colons\n");
  BOOST_TEST_REQUIRE(k10.has_value());
  BOOST_TEST(k10->ca_hash == hash64);
  BOOST_TEST(k10->secret == "s3cret:with:colons");
  BOOST_TEST(format_join_token(*k10) == "K10" + hash64 + "::s3cret:with:colons");
  auto upper = parse_join_token("K10" + std::string(64, 'A') + "::x");
  BOOST_TEST_REQUIRE(upper.has_value());
  BOOST_TEST(upper->ca_hash == hash64);  // lowercased
  auto bare = parse_join_token("  abcdef0123  ");
  BOOST_TEST_REQUIRE(bare.has_value());
  BOOST_TEST(bare->ca_hash.empty());
  BOOST_TEST(bare->secret == "abcdef0123");
  BOOST_TEST(format_join_token(*bare) == "abcdef0123");
  for (const std::string& bad :
       {std::string(""), std::string("   "), "K10" + hash64.substr(1) + "::x",
        "K10" + hash64 + "::", "K10" + hash64 + ":x", "K10" + std::string(63, 'a') + "g::x",
        "K10" + hash64 + "::a b", std::string("two words"), std::string("tab\tbed"),
        std::string(1025, 'x'), "K10" + hash64 + "::" + std::string(1025, 'x'), std::string("K10"),
        std::string("ctl\x01")})
    BOOST_TEST(!parse_join_token(bad).has_value(), bad.substr(0, 80));
  BOOST_TEST(parse_join_token(std::string(1024, 'x')).has_value());
}

BOOST_AUTO_TEST_CASE(a_full_token_and_its_secret_prove_alike) {
  std::string token = "K10" + hash64 + "::key";
  BOOST_TEST(join_proof(token, "nonce", "node1") == join_proof("key", "nonce", "node1"));
  // Computed independently:
  // printf 'capstan-node-certificate\nnode1\nabc' | openssl dgst -sha256 -hmac key
  BOOST_TEST(node_certificate_proof("key", "node1", "abc") ==
             "66fa8dd163b17fec0d97a5e73916ea0cfbba4bba89e5782f15e9de85e43a74c9");
  BOOST_TEST(node_certificate_proof("key", "node1", "abc") !=
             node_certificate_proof("key", "node2", "abc"));
  BOOST_TEST(node_certificate_proof("key", "node1", "abc") !=
             node_certificate_proof("key", "node1", "abd"));
}

BOOST_AUTO_TEST_CASE(the_master_token_carries_the_ca_hash_and_keeps_its_secret) {
  capstan::test::temp_dir dir;
  const std::string path = dir.str() + "/node-token";
  const std::string ca1 = "-----BEGIN CERTIFICATE-----\nca one\n-----END CERTIFICATE-----\n";
  const std::string ca2 = "-----BEGIN CERTIFICATE-----\nca two\n-----END CERTIFICATE-----\n";
  auto token = load_or_create_join_token(dir.str(), ca1);
  BOOST_TEST(token.ca_hash == sha256_hex(ca1));
  BOOST_TEST(token.secret.size() == 64u);
  BOOST_TEST(file(path) == "K10" + sha256_hex(ca1) + "::" + token.secret + "\n");
  struct stat st {};
  ::stat(path.c_str(), &st);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto again = load_or_create_join_token(dir.str(), ca1);
  BOOST_TEST(format_join_token(again) == format_join_token(token));
  // The gateway's overload reads the secret of the K10 file.
  BOOST_TEST(load_or_create_join_token(dir.str()) == token.secret);
  // Another CA: the hash follows it, the secret stays.
  auto moved = load_or_create_join_token(dir.str(), ca2);
  BOOST_TEST(moved.ca_hash == sha256_hex(ca2));
  BOOST_TEST(moved.secret == token.secret);
  BOOST_TEST(file(path) == "K10" + sha256_hex(ca2) + "::" + token.secret + "\n");
}

BOOST_AUTO_TEST_CASE(an_older_masters_bare_token_is_upgraded_keeping_the_secret) {
  capstan::test::temp_dir dir;
  const std::string path = dir.str() + "/node-token";
  std::ofstream(path) << "oldsecret\n";
  BOOST_TEST(load_or_create_join_token(dir.str()) == "oldsecret");
  BOOST_TEST(file(path) == "oldsecret\n");  // the gateway's overload changes nothing
  auto token = load_or_create_join_token(dir.str(), "ca");
  BOOST_TEST(token.secret == "oldsecret");
  BOOST_TEST(file(path) == "K10" + sha256_hex("ca") + "::oldsecret\n");
  // A file that holds no token is an error, never silently replaced.
  std::ofstream(path, std::ios::trunc) << "two words\n";
  BOOST_CHECK_THROW(load_or_create_join_token(dir.str(), "ca"), std::runtime_error);
  BOOST_CHECK_THROW(load_or_create_join_token(dir.str()), std::runtime_error);
  BOOST_TEST(file(path) == "two words\n");
}
