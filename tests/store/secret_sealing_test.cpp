// Tests store/secret_sealing.cpp and its use by store/event_log.cpp: a Secret's value never
// reaches the journal's files in clear (records and snapshots), reads back whole, opens only
// for the Secret it was sealed for, and rotation keeps old history readable.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/event_log.hpp"
#include "store/secret_sealing.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::store;
using namespace capstan::test;

namespace {

const std::string value = "s3cr3t-v4lue-that-must-not-leak";

messages::secret db_secret(const std::string& name = "db") {
  messages::secret s;
  s.metadata.name = name;
  s.metadata.namespace_ = "team-a";
  s.metadata.uid = "uid-" + name;
  s.type = "Opaque";
  s.data["password"] = value;
  s.data["binary"] = std::string("\0\1\2\xff", 4);
  // kubectl apply copies the whole Secret, values included, into this annotation.
  s.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] =
      R"({"stringData":{"password":")" + value + R"("}})";
  return s;
}

std::string key_of(char fill) { return std::string(32, fill); }

using key_ring = std::vector<std::pair<std::string, std::string>>;

// Whether any file under `dir` holds `needle` (RocksDB's log and tables are not compressed for
// values this small, so a value in clear would be found).
bool files_hold(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sealed_secret_opens_whole_and_only_for_itself) {
  secret_sealer sealer(key_ring{{"k1", key_of('a')}});
  auto s = db_secret();
  const auto original = s.data;
  sealer.seal(s);
  BOOST_TEST(s.data.empty());
  BOOST_TEST(!s.sealed.empty());
  BOOST_TEST(s.sealed.envelope.find(value) == std::string::npos);
  BOOST_TEST(s.metadata.annotations.empty());
  auto copy = s;
  sealer.unseal(s);
  BOOST_TEST(s.sealed.empty());
  BOOST_TEST((s.data == original));
  BOOST_TEST(s.metadata.annotations.size() == 1u);
  // The envelope moved to another Secret does not open: names are authenticated.
  copy.metadata.name = "other";
  BOOST_CHECK_THROW(sealer.unseal(copy), store_error);
  // A flipped byte does not open either.
  auto damaged = db_secret();
  sealer.seal(damaged);
  damaged.sealed.envelope[damaged.sealed.envelope.size() - 20] ^= 1;
  BOOST_CHECK_THROW(sealer.unseal(damaged), store_error);
}

BOOST_AUTO_TEST_CASE(rotation_seals_with_the_first_key_and_opens_with_any) {
  secret_sealer old_ring(key_ring{{"k1", key_of('a')}});
  auto s = db_secret();
  old_ring.seal(s);
  secret_sealer new_ring(key_ring{{"k2", key_of('b')}, {"k1", key_of('a')}});
  auto t = s;
  new_ring.unseal(t);
  BOOST_TEST(t.data.at("password") == value);
  new_ring.seal(t);
  BOOST_CHECK_THROW(old_ring.unseal(t), store_error);  // sealed with k2 now
  secret_sealer without_k1(key_ring{{"k2", key_of('b')}});
  BOOST_CHECK_THROW(without_k1.unseal(s), store_error);
}

BOOST_AUTO_TEST_CASE(malformed_key_rings_are_refused) {
  BOOST_CHECK_THROW(secret_sealer(key_ring{}), store_error);
  BOOST_CHECK_THROW(secret_sealer(key_ring{{"k1", "short"}}), store_error);
  BOOST_CHECK_THROW(secret_sealer(key_ring{{"", key_of('a')}}), store_error);
  BOOST_CHECK_THROW(secret_sealer(key_ring{{"a:b", key_of('a')}}), store_error);
}

BOOST_AUTO_TEST_CASE(the_key_file_is_created_private_and_refused_when_readable_by_others) {
  temp_dir dir;
  const std::string path = dir.str() + "/secrets.key";
  auto first = secret_sealer::from_key_file(path);
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  // The same key on the next start: what one sealed the other opens.
  auto second = secret_sealer::from_key_file(path);
  auto s = db_secret();
  first->seal(s);
  second->unseal(s);
  BOOST_TEST(s.data.at("password") == value);
  ::chmod(path.c_str(), 0644);
  BOOST_CHECK_THROW(secret_sealer::from_key_file(path), store_error);
  ::chmod(path.c_str(), 0600);
  std::ofstream(path) << "k1:not-base64\n";
  BOOST_CHECK_THROW(secret_sealer::from_key_file(path), store_error);
}

BOOST_AUTO_TEST_CASE(the_journal_keeps_secrets_sealed_on_disk_and_reads_them_back) {
  temp_dir dir;
  auto sealer = std::make_shared<const secret_sealer>(key_ring{{"k1", key_of('c')}});
  messages::config_map cm;
  cm.metadata.name = "settings";
  cm.metadata.namespace_ = "team-a";
  cm.data["visible"] = "a-config-value-in-clear";
  {
    event_log_options options;
    options.sealer = sealer;
    auto log = event_log::open(dir.str() + "/journal", options);
    std::vector<journal_record> batch{created(db_secret()), created(cm)};
    log->append(batch);
    // The appended records stay in clear for the read model and watchers.
    BOOST_TEST(std::get<messages::secret>(std::get<messages::object_created>(batch[0].event).object)
                   .data.at("password") == value);
    auto back = log->read(1, 2);
    BOOST_TEST(std::get<messages::secret>(std::get<messages::object_created>(back[0].event).object)
                   .data.at("password") == value);
    messages::any_object in_snapshot = db_secret("snap");
    log->write_snapshot(2, {&in_snapshot});
    auto objects = log->load_snapshot(*log->latest_snapshot());
    BOOST_TEST_REQUIRE(objects.size() == 1u);
    BOOST_TEST(std::get<messages::secret>(objects[0]).data.at("password") == value);
  }
  // The probe finds what is in clear (the ConfigMap), so its silence about the Secret counts.
  BOOST_TEST(files_hold(dir.str() + "/journal", "a-config-value-in-clear"));
  BOOST_TEST(!files_hold(dir.str() + "/journal", value));
  // A reader without the key sees the Secret by name, with empty data.
  auto reader = event_log::open_reader(dir.str() + "/journal");
  auto back = reader->read(1, 1);
  const auto& s = std::get<messages::secret>(std::get<messages::object_created>(back[0].event).object);
  BOOST_TEST(s.metadata.name == "db");
  BOOST_TEST(s.data.empty());
}

BOOST_AUTO_TEST_CASE(without_a_key_a_secret_is_refused_not_written_in_clear) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch{created(small_pod("p")), created(db_secret())};
  BOOST_CHECK_THROW(log->append(batch), store_error);
  BOOST_TEST(log->last_seq() == 0u);
  BOOST_TEST(batch[0].seq == 0u);
}
