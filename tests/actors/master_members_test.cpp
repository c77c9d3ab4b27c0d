// Tests the master as one of several (actors/master/master.cpp's roles): three masters in one
// process on a static initial cluster over mutual TLS on loopback. One leads and alone runs the
// control plane; every member's read model follows the same journal; a follower forwards
// writes to the leader (its errors included) and reads its own write at once; when the leader stops another takes the lead and its controllers carry
// on from its read model without doubling an RC's pods; the stopped master comes back as a
// follower with the same history.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "actors/master/master.hpp"
#include "common/pki.hpp"
#include "messages/manifest.hpp"
#include "store/secret_sealing.hpp"
#include "tests/store/loopback_ports.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace std::chrono_literals;
using capstan::test::temp_dir;

namespace {

struct three_masters {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system = std::make_unique<caf::actor_system>(cfg);
  common::certificate_authority ca = common::certificate_authority::create("members-test-ca", 1);
  std::vector<store::replicated_member> initial;
  std::vector<std::unique_ptr<temp_dir>> dirs;
  std::vector<std::unique_ptr<master>> masters;

  three_masters() {
    // What the members share: the sealing key and the service-account key.
    const std::string sealing = store::secret_sealer::new_key_line("k1");
    const std::string service_account = std::string(64, 'a') + "\n";
    for (uint64_t id = 1; id <= 3; ++id) {
      initial.push_back(
          {id, "127.0.0.1:" + std::to_string(capstan::test::unused_loopback_port()), true});
      dirs.push_back(std::make_unique<temp_dir>());
      write_private(dirs.back()->str() + "/secrets.key", sealing);
      write_private(dirs.back()->str() + "/service-account.key", service_account);
    }
    masters.resize(3);
    for (uint64_t id = 1; id <= 3; ++id)
      start(id);
  }
  ~three_masters() {
    for (auto& m : masters)
      m.reset();
  }

  static void write_private(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }

  void start(uint64_t id) {
    master_config config;
    config.data_dir = dirs[id - 1]->str();
    config.membership.member_id = id;
    config.membership.peer_address = initial[id - 1].address;
    config.membership.initial_members = initial;
    auto [certificate, key] = ca.issue_peer_certificate(store::raft_member_common_name(id),
                                                        store::raft_member_organization,
                                                        {"127.0.0.1"}, 1);
    store::raft_tls_config tls;
    tls.ca_certificate_pem = ca.certificate_pem();
    tls.certificate_pem = certificate;
    tls.key_pem = key;
    config.membership.tls = tls;
    masters[id - 1] = std::make_unique<master>(*system, config);
  }

  // The one master that runs the leader's actors, once there is exactly one.
  master* leader(std::chrono::milliseconds timeout = 20s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      master* found = nullptr;
      int leading = 0;
      for (auto& m : masters)
        if (m && m->leading()) {
          found = m.get();
          ++leading;
        }
      if (leading == 1)
        return found;
      if (std::chrono::steady_clock::now() > until)
        return nullptr;
      std::this_thread::sleep_for(10ms);
    }
  }
};

messages::any_object nginx_rc(const std::string& name, int replicas) {
  auto set = messages::load_manifests(std::string(CAPSTAN_SOURCE_DIR) +
                                      "/examples/nginx/nginx-rc.yaml");
  BOOST_REQUIRE(set.ok() && set.objects.size() == 1u);
  auto rc = std::get<messages::replication_controller>(set.objects[0].object);
  rc.metadata.name = name;
  rc.metadata.namespace_ = "default";
  rc.spec.replicas = replicas;
  rc.spec.selector = {{"name", name}};
  rc.spec.template_->metadata.labels = {{"name", name}};
  return rc;
}

int pods_of(const store::cluster_state& s, const std::string& name) {
  int n = 0;
  for (const auto& [key, object] : s.of(object_kind::pod)) {
    const auto& p = std::get<messages::pod>(object);
    auto it = p.metadata.labels.find("name");
    n += it != p.metadata.labels.end() && it->second == name &&
         p.metadata.deletion_timestamp.empty();
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(three_masters_one_leader_one_history_and_a_new_leader_carries_on) {
  three_masters cluster;
  master* first = cluster.leader();
  BOOST_REQUIRE_MESSAGE(first, "no single leader among three masters within 20 s");
  // The leader wrote the default namespaces; every member's read model has them.
  for (auto& m : cluster.masters)
    BOOST_REQUIRE(m->model().wait_until(
        [](const store::cluster_state& s) {
          return s.find<messages::namespace_object>({"", "kube-system"}) != nullptr;
        },
        20s));

  auto created = first->create(nginx_rc("web", 2), "admin");
  BOOST_REQUIRE_MESSAGE(created.ok(), created.error->message);
  for (auto& m : cluster.masters)
    BOOST_REQUIRE_MESSAGE(m->model().wait_until(
                              [](const store::cluster_state& s) { return pods_of(s, "web") == 2; },
                              20s),
                          "a member never saw the RC's 2 pods");

  // A follower forwards writes to the leader and answers once its own read model has them;
  // the leader's refusals come back whole.
  for (auto& m : cluster.masters) {
    if (m.get() == first)
      continue;
    BOOST_TEST(!m->leading());
    const std::string name = "via-" + std::to_string(m->member_id());
    auto forwarded = m->create(nginx_rc(name, 1), "someone");
    BOOST_REQUIRE_MESSAGE(forwarded.ok(), forwarded.error->message);
    BOOST_TEST(forwarded.seq != 0u);
    BOOST_TEST(m->model().seq() >= forwarded.seq);  // read-your-writes on the follower
    const auto state = m->model().copy_state();
    const auto* rc = state.find<messages::replication_controller>({"default", name});
    BOOST_REQUIRE(rc != nullptr);
    BOOST_TEST(rc->metadata.uid == messages::meta_of(*forwarded.object).uid);
    auto history = m->history(object_kind::replication_controller, "default", name, 0,
                              forwarded.seq, 10);
    BOOST_REQUIRE(!history.empty());
    BOOST_TEST(history.front().cause == "someone");  // the client's name, not the member's
    auto again = m->create(nginx_rc(name, 1), "someone");
    BOOST_REQUIRE(!again.ok());
    BOOST_TEST((again.error->code == error_code::already_exists));
    auto bad = nginx_rc(name + "-bad", -1);
    auto invalid = m->create(bad, "someone");
    BOOST_REQUIRE(!invalid.ok());
    BOOST_TEST((invalid.error->code == error_code::invalid));
    BOOST_TEST(!invalid.error->causes.empty());
    object_command scale;
    scale.kind = object_kind::replication_controller;
    scale.target = {"default", name};
    scale.cause = "someone";
    scale.op = scale_op{0, std::nullopt, ""};
    auto scaled = m->command(scale);
    BOOST_REQUIRE_MESSAGE(scaled.ok(), scaled.error->message);
    BOOST_TEST(std::get<messages::replication_controller>(*scaled.object).spec.replicas.value_or(-1) == 0);
    auto dry = m->create(nginx_rc(name + "-dry", 1), "someone", true);
    BOOST_REQUIRE_MESSAGE(dry.ok(), dry.error->message);
    BOOST_TEST(dry.seq == 0u);  // a dry run journals nothing
    BOOST_TEST(dry.object.has_value());
    BOOST_TEST(first->history(object_kind::replication_controller, "default", name + "-dry", 0,
                              first->model().seq(), 10)
                   .empty());
  }

  // Every member holds the same history: the same records at the same sequence numbers.
  const uint64_t seq = first->model().seq();
  for (auto& m : cluster.masters)
    BOOST_REQUIRE(m->model().wait_until(
        [&](const store::cluster_state& s) { return s.seq >= seq; }, 10s));
  std::vector<messages::journal_record> reference;
  first->read_journal(1, seq, [&](messages::journal_record&& r) {
    reference.push_back(std::move(r));
    return true;
  });
  for (auto& m : cluster.masters) {
    std::size_t i = 0;
    bool same = true;
    m->read_journal(1, seq, [&](messages::journal_record&& r) {
      same = same && i < reference.size() && r.seq == reference[i].seq &&
             r.name == reference[i].name && r.time_nanos == reference[i].time_nanos;
      ++i;
      return true;
    });
    BOOST_TEST((same && i == reference.size()));
  }

  // The leader stops: another takes the lead, its controllers start from its read model.
  std::size_t first_index = 0;
  for (std::size_t i = 0; i < 3; ++i)
    if (cluster.masters[i].get() == first)
      first_index = i;
  cluster.masters[first_index].reset();
  master* next = cluster.leader();
  BOOST_REQUIRE_MESSAGE(next, "no new leader within 20 s");
  auto more = next->create(nginx_rc("api", 3), "admin");
  BOOST_REQUIRE_MESSAGE(more.ok(), more.error->message);
  BOOST_REQUIRE(next->model().wait_until(
      [](const store::cluster_state& s) { return pods_of(s, "api") == 3; }, 20s));
  // The RC from before kept its 2 pods: the new replication manager counted them, made none.
  BOOST_TEST(pods_of(next->model().copy_state(), "web") == 2);

  // The old leader comes back as a follower with the whole history.
  cluster.start(first_index + 1);
  master* back = cluster.masters[first_index].get();
  const uint64_t now = next->model().seq();
  BOOST_REQUIRE(back->model().wait_until(
      [&](const store::cluster_state& s) { return s.seq >= now; }, 20s));
  BOOST_TEST(pods_of(back->model().copy_state(), "api") == 3);
  BOOST_TEST(!back->leading());
  BOOST_TEST(cluster.leader() == next);
}
