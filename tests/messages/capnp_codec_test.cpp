// Tests messages/capnp_codec.cpp: every field of every kind and every event survives a round
// trip, and damaged bytes raise decode_error instead of yielding a wrong object.
#include <boost/test/unit_test.hpp>

#include "messages/capnp_codec.hpp"
#include "tests/messages/fill_fields.hpp"
#include "tests/messages/hostile_inputs.hpp"

using namespace capstan::messages;
using capstan::test::filled;
using capstan::test::filled_object;

BOOST_AUTO_TEST_CASE(every_field_of_every_kind_round_trips) {
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    auto kind = static_cast<object_kind>(k);
    BOOST_TEST_INFO("kind " << info(kind).name);
    any_object original = filled_object(kind);
    any_object decoded = decode_object(encode_object(original));
    BOOST_TEST(to_json(decoded).dump() == to_json(original).dump());
  }
}

BOOST_AUTO_TEST_CASE(empty_objects_round_trip_without_inventing_fields) {
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    any_object original = make_object(static_cast<object_kind>(k));
    BOOST_TEST(to_json(decode_object(encode_object(original))).dump() == to_json(original).dump());
  }
  // An unset optional stays unset; a set zero stays a set zero.
  replication_controller rc;
  rc.spec.replicas = 0;
  auto back = std::get<replication_controller>(decode_object(encode_object(rc)));
  BOOST_TEST(back.spec.replicas.has_value());
  BOOST_TEST(*back.spec.replicas == 0);
  BOOST_TEST(!back.spec.template_.has_value());
}

template <class E>
void check_event_round_trip(E event) {
  journal_record r;
  r.seq = 42;
  r.time_nanos = 1700000000123456789LL;
  r.kind = object_kind::pod;
  r.namespace_ = "default";
  r.name = "frontend-abcde";
  r.uid = "8c7a3f5e-1b2c-4d5e-8f90-123456789abc";
  r.cause = "admin";
  r.event = std::move(event);
  auto back = decode_record(encode_record(r));
  BOOST_TEST(back.seq == r.seq);
  BOOST_TEST(back.time_nanos == r.time_nanos);
  BOOST_TEST(static_cast<int>(back.kind) == static_cast<int>(r.kind));
  BOOST_TEST(back.namespace_ == r.namespace_);
  BOOST_TEST(back.name == r.name);
  BOOST_TEST(back.uid == r.uid);
  BOOST_TEST(back.cause == r.cause);
  BOOST_TEST(back.event.index() == r.event.index());
  BOOST_TEST(to_json_part(std::get<E>(back.event)).dump() ==
             to_json_part(std::get<E>(r.event)).dump());
  BOOST_TEST(decode_record_seq(encode_record(r)) == 42u);
}

BOOST_AUTO_TEST_CASE(every_domain_event_round_trips) {
  check_event_round_trip(filled<object_created>());
  check_event_round_trip(filled<object_updated>());
  check_event_round_trip(filled<object_deleted>());
  check_event_round_trip(filled<pod_bound>());
  check_event_round_trip(filled<pod_status_changed>());
  check_event_round_trip(filled<rc_scaled>());
  check_event_round_trip(filled<rc_status_changed>());
  check_event_round_trip(filled<labels_changed>());
  check_event_round_trip(filled<node_ready_changed>());
  check_event_round_trip(filled<node_status_changed>());
  check_event_round_trip(filled<endpoints_changed>());
  check_event_round_trip(filled<deletion_requested>());
}

BOOST_AUTO_TEST_CASE(event_names_read_as_the_design_names_them) {
  journal_record r;
  r.kind = object_kind::pod;
  r.event = object_created{};
  BOOST_TEST(event_name(r) == "PodCreated");
  r.event = pod_bound{"node1"};
  BOOST_TEST(event_name(r) == "PodBound");
  r.kind = object_kind::replication_controller;
  r.event = rc_scaled{1, 3};
  BOOST_TEST(event_name(r) == "RcScaled");
  r.kind = object_kind::service;
  r.event = object_deleted{};
  BOOST_TEST(event_name(r) == "ServiceDeleted");
  r.kind = object_kind::node;
  r.event = labels_changed{};
  BOOST_TEST(event_name(r) == "NodeLabelsChanged");
}

BOOST_AUTO_TEST_CASE(damaged_bytes_raise_decode_error) {
  journal_record r;
  r.seq = 7;
  r.event = filled<object_created>();
  std::string bytes = encode_record(r);
  BOOST_CHECK_THROW(decode_record(bytes.substr(0, bytes.size() - 8)), decode_error);
  BOOST_CHECK_THROW(decode_record(bytes.substr(0, 13)), decode_error);
  BOOST_CHECK_THROW(decode_record(std::string(64, '\xff')), decode_error);
  BOOST_CHECK_THROW(decode_record(""), decode_error);
  // A segment table that claims more words than there are.
  std::string lying = bytes;
  lying[4] = '\x7f';
  BOOST_CHECK_THROW(decode_record(lying), decode_error);
}

// Found by fuzz/journal_record_fuzz: a 544-byte record whose Service's spec.ports points at a
// list of 26 million empty structs (capnp's traversal limit then allowed 2^30 words) made the
// decoder allocate 27 GB for the ports. A record may now cost at most twice its own words.
BOOST_AUTO_TEST_CASE(a_record_claiming_millions_of_empty_list_elements_is_refused) {
  const std::string bytes = capstan::test::record_of_millions_of_empty_structs();
  BOOST_CHECK_THROW(decode_record(bytes), decode_error);
  // Records capstan writes, every field set, still read back.
  journal_record r;
  r.seq = 9;
  r.event = filled<object_created>();
  BOOST_TEST(decode_record(encode_record(r)).seq == 9u);
}

BOOST_AUTO_TEST_CASE(snapshot_chunks_keep_objects_in_order) {
  std::vector<any_object> objects;
  for (std::size_t k = 0; k < object_kind_count; ++k)
    objects.push_back(filled_object(static_cast<object_kind>(k)));
  std::vector<const any_object*> pointers;
  for (const auto& o : objects)
    pointers.push_back(&o);
  std::vector<any_object> back;
  decode_snapshot_chunk(encode_snapshot_chunk(pointers), back);
  BOOST_REQUIRE(back.size() == objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i)
    BOOST_TEST(to_json(back[i]).dump() == to_json(objects[i]).dump());
  snapshot_manifest m{99, 123, 4, 3500};
  auto mb = decode_snapshot_manifest(encode_snapshot_manifest(m));
  BOOST_TEST(mb.seq == 99u);
  BOOST_TEST(mb.chunk_count == 4u);
  BOOST_TEST(mb.object_count == 3500u);
}
