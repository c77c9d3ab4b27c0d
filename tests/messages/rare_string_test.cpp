// Tests messages/rare_string.hpp: it reads and compares like a std::string, owns its copy, holds
// nothing when empty, and the codecs write it as they write a std::string (absent when empty).
// Also the size contract it exists for: a pod, and any object, fit the read model's entry.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <sstream>

#include "messages/capnp_codec.hpp"
#include "messages/json_codec.hpp"
#include "messages/objects.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(reads_compares_and_copies_like_a_string) {
  rare_string empty;
  BOOST_TEST(empty.empty());
  BOOST_TEST(empty.size() == 0u);
  BOOST_TEST(empty.str() == "");
  BOOST_TEST(std::string(empty.c_str()) == "");

  rare_string set = std::string("Evicted");
  BOOST_TEST(!set.empty());
  BOOST_TEST(set.size() == 7u);
  BOOST_TEST((set == "Evicted"));
  BOOST_TEST((set == std::string("Evicted")));
  BOOST_TEST((std::string("Evicted") == set));
  BOOST_TEST((set != "Running"));
  BOOST_TEST((empty < set));
  const std::string& as_string = set;
  BOOST_TEST(as_string == "Evicted");
  BOOST_TEST(("reason: " + set) == "reason: Evicted");
  std::ostringstream printed;
  printed << set;
  BOOST_TEST(printed.str() == "Evicted");
  BOOST_TEST(std::hash<rare_string>{}(set) == std::hash<std::string>{}("Evicted"));

  rare_string copy = set;  // a copy of its own
  copy = "OOMKilled";
  BOOST_TEST((set == "Evicted"));
  BOOST_TEST((copy == "OOMKilled"));
  rare_string moved = std::move(copy);
  BOOST_TEST((moved == "OOMKilled"));

  set = "";  // an empty value is no value
  BOOST_TEST(set.empty());
  BOOST_TEST((set == rare_string{}));
  moved.clear();
  BOOST_TEST(moved.empty());
}

BOOST_AUTO_TEST_CASE(codecs_write_it_as_a_string_and_leave_it_out_when_empty) {
  pod p;
  p.metadata.name = "web";
  p.metadata.namespace_ = "default";
  p.spec.containers.push_back(container{});
  p.spec.containers.back().name = "web";
  any_object bare = p;
  auto bare_json = to_json(bare);
  BOOST_TEST(!bare_json["spec"].contains("hostname"));
  BOOST_TEST((!bare_json.contains("status") || !bare_json["status"].contains("reason")));

  p.spec.hostname = "web-0";
  p.spec.subdomain = "db";
  p.status.reason = "Evicted";
  p.status.message = "The node was low on memory.";
  any_object with = p;
  auto json = to_json(with);
  BOOST_TEST(json["spec"]["hostname"] == "web-0");
  BOOST_TEST(json["spec"]["subdomain"] == "db");
  BOOST_TEST(json["status"]["reason"] == "Evicted");
  BOOST_TEST(json["status"]["message"] == "The node was low on memory.");

  const any_object decoded = decode_object(encode_object(with));
  const auto& back = std::get<pod>(decoded);
  BOOST_TEST((back.spec.hostname == "web-0"));
  BOOST_TEST((back.spec.subdomain == "db"));
  BOOST_TEST((back.status.reason == "Evicted"));
  BOOST_TEST((back.status.message == "The node was low on memory."));
  BOOST_TEST(to_json(decoded) == json);
  const any_object decoded_bare = decode_object(encode_object(bare));
  const auto& back_bare = std::get<pod>(decoded_bare);
  BOOST_TEST(back_bare.spec.hostname.empty());
  BOOST_TEST(back_bare.status.reason.empty());
}

// The read model keeps each object in an ordered map's node: 32 bytes of tree links, the key
// (64) and the any_object. At 800 bytes or less the node is 896, one of jemalloc's size classes;
// a byte more and every pod takes 1,024.
BOOST_AUTO_TEST_CASE(a_pod_and_any_object_fit_the_read_models_size_class) {
  BOOST_TEST(sizeof(rare_string) == sizeof(void*));
  BOOST_TEST(sizeof(pod) <= 792u);
  BOOST_TEST(sizeof(any_object) <= 800u);
}
