#include "bench/raft_replicas.hpp"

#include "tests/store/loopback_ports.hpp"

namespace capstan::bench {

std::vector<store::replicated_member> loopback_members(int count) {
  std::vector<store::replicated_member> members;
  for (int id = 1; id <= count; ++id)
    members.push_back({static_cast<uint64_t>(id),
                       "127.0.0.1:" + std::to_string(test::unused_loopback_port()), true});
  return members;
}

store::raft_tls_config member_tls(const common::certificate_authority& ca, uint64_t id) {
  auto [certificate, key] = ca.issue_peer_certificate(
      store::raft_member_common_name(id), store::raft_member_organization, {"127.0.0.1"}, 1);
  store::raft_tls_config tls;
  tls.ca_certificate_pem = ca.certificate_pem();
  tls.certificate_pem = certificate;
  tls.key_pem = key;
  return tls;
}

raft_replica start_replica(const std::filesystem::path& directory,
                           const store::replicated_member& member,
                           const std::vector<store::replicated_member>& members,
                           store::raft_tls_config tls,
                           std::chrono::milliseconds election_timeout) {
  store::event_log_options unsynced;
  unsynced.sync = false;
  raft_replica r;
  r.log = store::event_log::open((directory / "journal").string(), unsynced);
  store::raft_log_config raft;
  raft.directory = (directory / "raft").string();
  raft.member_id = member.id;
  raft.address = member.address;
  raft.initial_members = members;
  raft.tls = std::move(tls);
  raft.election_timeout = election_timeout;
  auto engine = std::make_unique<store::raft_log>(raft);
  r.raft = engine.get();
  r.writer = std::make_unique<store::journal_writer>(*r.log, std::move(engine));
  return r;
}

}  // namespace capstan::bench
