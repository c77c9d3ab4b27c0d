// Masters' replicated journals in one test process: each member a journal and a Raft log on a
// loopback port, talking to the others over mutual TLS with certificates of one test CA. For the
// tests of store/raft_tls_transport, store/raft_peer_fetch and store/raft_peer_forward.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/pki.hpp"
#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "store/secret_sealing.hpp"
#include "tests/store/loopback_ports.hpp"
#include "tests/store/records.hpp"

namespace capstan::test {

inline const common::certificate_authority& cluster_ca() {
  static const common::certificate_authority ca =
      common::certificate_authority::create("capstan-test-ca", 1);
  return ca;
}

struct member_settings {
  // The member's certificate and key; empty: the cluster CA's for its id.
  std::pair<std::string, std::string> certificate;
  std::chrono::milliseconds handshake_timeout{5000};
  unsigned snapshot_threshold = 1024;
  unsigned snapshot_trailing = 1024;
  // Seals Secrets in the journal and the entries (the members share it); none: no Secrets.
  std::shared_ptr<const store::secret_sealer> sealer;
  // Answers forwarded requests (raft_tls_config::serve_forward); unset: refused.
  std::function<void(uint64_t, std::string, store::raft_tls_config::forward_answer)> serve_forward;
  std::size_t max_forwards = 32;
  std::chrono::milliseconds forward_timeout{70000};
};

// A master's journal and Raft log on a loopback port. stop() and start() stop and start it
// again on the same directory and address.
struct member {
  member(uint64_t member_id, bool bootstrap, member_settings member_settings = {})
      : id(member_id),
        address("127.0.0.1:" + std::to_string(unused_loopback_port())),
        settings(std::move(member_settings)) {
    if (settings.certificate.first.empty())
      settings.certificate = cluster_ca().issue_peer_certificate(
          store::raft_member_common_name(id), store::raft_member_organization, {"127.0.0.1"}, 1);
    start(bootstrap);
  }
  member(uint64_t member_id, bool bootstrap, std::pair<std::string, std::string> certificate,
         std::chrono::milliseconds handshake_timeout = std::chrono::seconds(5))
      : member(member_id, bootstrap, with_certificate(std::move(certificate), handshake_timeout)) {}
  static member_settings with_certificate(std::pair<std::string, std::string> certificate,
                                          std::chrono::milliseconds handshake_timeout) {
    member_settings settings;
    settings.certificate = std::move(certificate);
    settings.handshake_timeout = handshake_timeout;
    return settings;
  }

  void start(bool bootstrap = false) {
    store::event_log_options options;
    options.sync = false;  // the Raft log is the write-ahead log
    options.sealer = settings.sealer;
    log = store::event_log::open(dir.str() + "/journal", options);
    store::raft_log_config config;
    config.directory = dir.str() + "/raft";
    config.member_id = id;
    config.address = address;
    config.bootstrap = bootstrap;
    config.heartbeat = std::chrono::milliseconds(50);
    config.election_timeout = std::chrono::milliseconds(500);
    config.snapshot_threshold = settings.snapshot_threshold;
    config.snapshot_trailing = settings.snapshot_trailing;
    store::raft_tls_config tls;
    tls.ca_certificate_pem = cluster_ca().certificate_pem();
    tls.certificate_pem = settings.certificate.first;
    tls.key_pem = settings.certificate.second;
    tls.handshake_timeout = settings.handshake_timeout;
    tls.serve_forward = settings.serve_forward;
    tls.max_forwards = settings.max_forwards;
    tls.forward_timeout = settings.forward_timeout;
    config.tls = tls;
    auto engine = std::make_unique<store::raft_log>(config);
    raft = engine.get();
    writer = std::make_unique<store::journal_writer>(*log, std::move(engine));
  }
  void stop() {
    writer.reset();
    raft = nullptr;
    log.reset();
  }

  uint64_t id;
  std::string address;
  member_settings settings;
  temp_dir dir;
  std::unique_ptr<store::event_log> log;
  store::raft_log* raft = nullptr;
  std::unique_ptr<store::journal_writer> writer;
};

// What a client of the members' port presents to speak as member `m`.
inline store::raft_tls_config tls_of(const member& m) {
  store::raft_tls_config tls;
  tls.ca_certificate_pem = cluster_ca().certificate_pem();
  tls.certificate_pem = m.settings.certificate.first;
  tls.key_pem = m.settings.certificate.second;
  return tls;
}

// Member `id`'s credentials as `m` holds them, but issued by another CA than the cluster's:
// what a stranger that claims to be a member presents (refused at the TLS handshake).
inline store::raft_tls_config stranger_tls(const member& m, uint64_t id) {
  auto stranger_ca = common::certificate_authority::create("stranger-ca", 1);
  auto [certificate, key] = stranger_ca.issue_peer_certificate(
      store::raft_member_common_name(id), store::raft_member_organization, {"127.0.0.1"}, 1);
  store::raft_tls_config stranger = tls_of(m);
  stranger.certificate_pem = certificate;
  stranger.key_pem = key;
  return stranger;
}

// Runs `change` on the leader and waits for its outcome ("" once committed).
inline std::string change_membership(
    const std::function<void(store::replicated_log::membership_done)>& change) {
  auto outcome = std::make_shared<std::promise<std::string>>();
  auto result = outcome->get_future();
  change([outcome](const std::string& error) { outcome->set_value(error); });
  if (result.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
    return "no outcome within 30 s";
  return result.get();
}

inline std::string add(member& leader, const member& joining) {
  return change_membership([&](store::replicated_log::membership_done done) {
    leader.raft->add_member(joining.id, joining.address, std::move(done));
  });
}

// Polls until `condition` holds or `timeout` passes (the members work on their own threads).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline std::vector<store::journal_record> pods(const std::string& prefix, int n) {
  std::vector<store::journal_record> out;
  for (int i = 0; i < n; ++i)
    out.push_back(created(small_pod(prefix + std::to_string(i))));
  return out;
}

// seq -> name and time of every record in `log`.
inline std::map<uint64_t, std::string> contents(store::event_log& log) {
  std::map<uint64_t, std::string> out;
  uint64_t last = log.last_seq();
  if (last == 0)
    return out;
  for (const auto& r : log.read(1, last))
    out[r.seq] = r.name + "@" + std::to_string(r.time_nanos);
  return out;
}

inline member* leader_among(std::vector<std::unique_ptr<member>>& members) {
  for (auto& m : members)
    if (m->raft && m->raft->leading())
      return m.get();
  return nullptr;
}

}  // namespace capstan::test
