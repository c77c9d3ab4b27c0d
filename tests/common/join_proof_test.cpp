// Tests common/join_proof.cpp: the proof binds token, nonce and node name; tokens persist.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "common/join_proof.hpp"
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
