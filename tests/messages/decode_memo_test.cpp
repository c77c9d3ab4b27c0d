// Tests messages/decode_memo.hpp through the Cap'n Proto decoder: with a memo in use a record
// decodes to the same value as without one, equal lists end as one block (across threads too),
// a list alike is found by its region and one differing in a byte is not, lists too long for a
// form are decoded as without a memo, and the memo stays bounded; and its region lookups
// directly: the shape, the segment's bounds and the budget.
#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

#include "messages/capnp_codec.hpp"
#include "messages/decode_memo.hpp"
#include "messages/json_codec.hpp"
#include "tests/messages/fill_fields.hpp"
#include "tests/messages/hostile_inputs.hpp"

using namespace capstan::messages;
using capstan::test::filled;

namespace {

container web_container(const std::string& image) {
  container c;
  c.name = "web";
  c.image = image;
  c.ports.push_back({"http", 0, 80, "TCP", ""});
  c.env.push_back({"GET_HOSTS_FROM", "env", std::nullopt});
  c.resources.requests["cpu"] = quantity::from_milli(100);
  c.image_pull_policy = "IfNotPresent";
  return c;
}

pod web_pod(const std::string& name, const std::string& image) {
  pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = "default";
  owner_reference owner;
  owner.api_version = "v1";
  owner.kind = "ReplicationController";
  owner.name = "web";
  owner.uid = "uid-web";
  p.metadata.owner_references.push_back(owner);
  p.spec.containers.push_back(web_container(image));
  return p;
}

std::string created_bytes(const pod& p, uint64_t seq) {
  journal_record r;
  r.seq = seq;
  r.kind = object_kind::pod;
  r.namespace_ = p.metadata.namespace_;
  r.name = p.metadata.name;
  r.event = object_created{p};
  return encode_record(r);
}

const pod& created_pod(const journal_record& r) {
  return std::get<pod>(std::get<object_created>(r.event).object);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_record_decodes_with_a_memo_as_without_one) {
  // Every kind with every field set (lists of two items each, a pod's and a template's own
  // lists among them), and a pod's status with its conditions, decoded twice with one memo:
  // the first time fills it, the second takes its lists from it.
  std::vector<std::string> records;
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    journal_record r;
    r.seq = 7;
    r.kind = static_cast<object_kind>(k);
    r.event = object_created{capstan::test::filled_object(r.kind)};
    records.push_back(encode_record(r));
  }
  journal_record status;
  status.seq = 8;
  status.event = filled<pod_status_changed>();
  records.push_back(encode_record(status));
  decode_memo memo;
  for (const auto& bytes : records) {
    const std::string plain = encode_record(decode_record(bytes));
    for (int round = 0; round < 2; ++round) {
      decode_memo::use in_use(memo);
      BOOST_TEST(encode_record(decode_record(bytes)) == plain, "round " << round);
    }
  }
  BOOST_TEST(memo.size() >= 4u);  // containers, volumes, owner references, conditions
}

BOOST_AUTO_TEST_CASE(equal_lists_decoded_with_one_memo_share_one_block) {
  decode_memo memo;
  decode_memo::use in_use(memo);
  journal_record a = decode_record(created_bytes(web_pod("a", "nginx:1"), 1));
  journal_record b = decode_record(created_bytes(web_pod("b", "nginx:1"), 2));
  journal_record c = decode_record(created_bytes(web_pod("c", "nginx:2"), 3));
  BOOST_TEST(created_pod(a).spec.containers.shares_with(created_pod(b).spec.containers));
  BOOST_TEST(!created_pod(a).spec.containers.shares_with(created_pod(c).spec.containers));
  BOOST_TEST(created_pod(c).spec.containers[0].image == "nginx:2");
  BOOST_TEST(created_pod(a).metadata.owner_references.shares_with(
      created_pod(c).metadata.owner_references));
  // Without a memo in use, each decode has its own.
  journal_record d;
  {
    decode_memo other;
    decode_memo::use nested(other);
    d = decode_record(created_bytes(web_pod("d", "nginx:1"), 4));
  }
  BOOST_TEST(!created_pod(d).spec.containers.shares_with(created_pod(a).spec.containers));
  journal_record e = decode_record(created_bytes(web_pod("e", "nginx:1"), 5));  // `memo` again
  BOOST_TEST(created_pod(e).spec.containers.shares_with(created_pod(a).spec.containers));
}

// The second pod's containers are found by the bytes of their region (the first pod's list, not
// a decode of its own), and the pod reads as it does without a memo. A pod whose image differs
// in one byte, beyond the bytes that pick the region's slot, is not taken for it.
BOOST_AUTO_TEST_CASE(a_list_alike_is_found_by_its_region_and_one_differing_in_a_byte_is_not) {
  const std::string b_bytes = created_bytes(web_pod("b-with-a-longer-name", "nginx:1"), 2);
  const std::string c_bytes = created_bytes(web_pod("c", "nginx:2"), 3);
  decode_memo memo;
  decode_memo::use in_use(memo);
  journal_record a = decode_record(created_bytes(web_pod("a", "nginx:1"), 1));
  BOOST_TEST(memo.found_by_region() == 0u);
  journal_record b = decode_record(b_bytes);
  BOOST_TEST(memo.found_by_region() == 2u);  // its containers and owner references
  BOOST_TEST(created_pod(b).spec.containers.shares_with(created_pod(a).spec.containers));
  journal_record c = decode_record(c_bytes);
  BOOST_TEST(memo.found_by_region() == 3u);  // its owner references only
  BOOST_TEST(created_pod(c).spec.containers[0].image == "nginx:2");
  BOOST_TEST(!created_pod(c).spec.containers.shares_with(created_pod(a).spec.containers));
  // Each reads back as the bytes it was read from: the value they were written from.
  BOOST_TEST(encode_record(b) == b_bytes);
  BOOST_TEST(encode_record(c) == c_bytes);
}

// find_region takes a kept list only for a pointer of the same shape whose region lies inside
// the segment, byte for byte, and within the budget, which it then spends.
BOOST_AUTO_TEST_CASE(a_region_is_found_only_inside_the_segment_with_the_shape_and_budget) {
  const std::size_t probe = decode_memo::region_probe_bytes;
  std::string kept(16 + probe + 16, '\0');
  for (std::size_t i = 0; i < kept.size(); ++i)
    kept[i] = static_cast<char>(i * 7 + 1);
  const auto* low = reinterpret_cast<const unsigned char*>(kept.data());
  const unsigned char* start = low + 16;
  shared_list<owner_reference> list;
  list.push_back(owner_reference{"v1", "ReplicationController", "web", "uid-web", true});
  decode_memo memo;
  std::size_t keeping_budget = kept.size() - 1;  // too short: not kept
  memo.keep_region(0x1234000000000001ull, start, low, low + kept.size(), keeping_budget, list);
  keeping_budget = 2 * kept.size();
  memo.keep_region(0x1234000000000001ull, start, low, low + kept.size(), keeping_budget, list);
  BOOST_TEST(keeping_budget == kept.size());

  // The same bytes elsewhere, with room around them.
  std::string message = "xxxxxxxx" + kept + "yyyyyyyy";
  const auto* begin = reinterpret_cast<const unsigned char*>(message.data());
  const unsigned char* end = begin + message.size();
  const unsigned char* there = begin + 8 + 16;
  shared_list<owner_reference> out;
  std::size_t budget = 10 * kept.size();
  BOOST_TEST(memo.find_region(0x1234000000000001ull, there, begin, end, budget, out));
  BOOST_TEST(out.shares_with(list));
  BOOST_TEST(budget == 9 * kept.size());
  // Another shape (a list of another length), a region past the segment's either end, a short
  // budget: not found, nothing spent; one byte changed: not found, the comparison spent.
  BOOST_TEST(!memo.find_region(0x1235000000000001ull, there, begin, end, budget, out));
  BOOST_TEST(!memo.find_region(0x1234000000000001ull, there, there - 8, end, budget, out));
  BOOST_TEST(!memo.find_region(0x1234000000000001ull, there, begin, end - 16, budget, out));
  std::size_t short_budget = kept.size() - 1;
  BOOST_TEST(!memo.find_region(0x1234000000000001ull, there, begin, end, short_budget, out));
  BOOST_TEST(short_budget == kept.size() - 1);
  BOOST_TEST(budget == 9 * kept.size());
  message[8 + kept.size() - 1] ^= 1;  // the region's last byte, past the probe
  BOOST_TEST(!memo.find_region(0x1234000000000001ull, there, begin, end, budget, out));
  BOOST_TEST(budget == 8 * kept.size());
  BOOST_TEST(memo.found_by_region() == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_is_kept_without_a_memo_in_use) {
  BOOST_TEST(decode_memo::current() == nullptr);
  journal_record a = decode_record(created_bytes(web_pod("a", "nginx:1"), 1));
  journal_record b = decode_record(created_bytes(web_pod("b", "nginx:1"), 2));
  BOOST_TEST(!created_pod(a).spec.containers.shares_with(created_pod(b).spec.containers));
  BOOST_TEST(created_pod(a).spec.containers.holders() == 1);
}

BOOST_AUTO_TEST_CASE(threads_sharing_a_memo_end_with_one_block) {
  decode_memo memo;
  const std::string bytes = created_bytes(web_pod("a", "nginx:1"), 1);
  std::vector<journal_record> decoded[2];
  std::vector<std::thread> threads;
  for (auto& out : decoded)
    threads.emplace_back([&memo, &bytes, &out] {
      decode_memo::use in_use(memo);
      for (int i = 0; i < 500; ++i)
        out.push_back(decode_record(bytes));
    });
  for (auto& t : threads)
    t.join();
  const auto& first = created_pod(decoded[0][0]).spec.containers;
  bool one_block = true;
  for (const auto& records : decoded)
    for (const auto& r : records)
      one_block = one_block && created_pod(r).spec.containers.shares_with(first);
  BOOST_TEST(one_block);
}

BOOST_AUTO_TEST_CASE(a_list_too_long_for_a_form_is_decoded_without_the_memo) {
  decode_memo memo;
  decode_memo::use in_use(memo);
  pod p = web_pod("a", "nginx:1");
  p.spec.containers.edit()[0].args.push_back(std::string(decode_memo::max_form_bytes, 'x'));
  journal_record a = decode_record(created_bytes(p, 1));
  journal_record b = decode_record(created_bytes(p, 2));
  BOOST_TEST(created_pod(a).spec.containers[0].args[0].size() == decode_memo::max_form_bytes);
  BOOST_TEST(!created_pod(a).spec.containers.shares_with(created_pod(b).spec.containers));
  BOOST_TEST(memo.size() == 1u);  // the owner references only
}

BOOST_AUTO_TEST_CASE(the_memo_keeps_at_most_its_slots_of_each_list_type) {
  decode_memo memo;
  decode_memo::use in_use(memo);
  const int pods = 3 * decode_memo::slots;
  bool all_read = true;
  for (int i = 0; i < pods; ++i) {
    const std::string image = "registry.example/app:" + std::to_string(i);
    journal_record r = decode_record(created_bytes(web_pod("p", image), 1));
    all_read = all_read && created_pod(r).spec.containers[0].image == image;
  }
  BOOST_TEST(all_read);
  BOOST_TEST(memo.size() <= decode_memo::slots + 1);  // containers, and the one owner list
  BOOST_TEST(memo.size() > decode_memo::slots / 2);
}

// The hostile record of capnp_codec_test (a list of 26 million empty structs in 544 bytes) is
// refused with a memo in use too: reading a list twice still costs a bounded multiple of the
// record's words.
BOOST_AUTO_TEST_CASE(a_memo_leaves_the_traversal_bounded) {
  decode_memo memo;
  decode_memo::use in_use(memo);
  BOOST_CHECK_THROW(decode_record(capstan::test::record_of_millions_of_empty_structs()),
                    decode_error);
}
