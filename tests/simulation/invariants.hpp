// What must hold in the simulated master, after every step and once it has settled. Each
// check answers an empty string when it holds, else what is wrong, in words.
#pragma once

#include "actors/read_model/read_model.hpp"
#include "tests/simulation/sim_cluster.hpp"

namespace capstan::simulation {

// Object by object (deep equality of every field), and the sequence number.
std::string compare_states(const store::cluster_state& expected,
                           const store::cluster_state& actual);

// The read model equals the journal replayed through store::apply. `replayed` is the replay
// so far (records up to replayed.seq); the journal's newer records are applied to it first.
std::string model_matches_journal(const actors::read_model& model,
                                  const std::vector<journal_record>& journal,
                                  store::cluster_state& replayed);

// No ClusterIP, NodePort or pod CIDR is held by two objects.
std::string allocations_unique(const store::cluster_state& state);

// Every acknowledged write from index `from` on names the record at its seq.
std::string acknowledged_in_journal(const std::vector<acknowledged_write>& acknowledged,
                                    std::size_t from, const std::vector<journal_record>& journal);

// Once settled: every bound pod is on a node that exists.
std::string bound_pods_on_existing_nodes(const store::cluster_state& state);

// Once settled: every RC has exactly `replicas` active pods matching its selector.
std::string rcs_at_replicas(const store::cluster_state& state);

// Once settled: each service's Endpoints list exactly the ready pods its selector matches
// (and Endpoints exist only for services).
std::string endpoints_match_ready_pods(const store::cluster_state& state);

// Once settled: each RC's status counts its active pods.
std::string rc_status_current(const store::cluster_state& state);

// Once settled: every node in `alive` (heartbeating) is Ready.
std::string nodes_ready(const store::cluster_state& state, const std::vector<std::string>& alive);

}  // namespace capstan::simulation
