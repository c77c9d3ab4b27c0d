// The leader's roles of a master (actors/master/master.hpp): the control plane and the node
// gateway, started from the read model when this member takes the lead and stopped when it
// loses it, on the roles thread that watches the replicated log's leadership.
#include "actors/master/master.hpp"

#include <cstdio>

#include "actors/nodes/node_gateway.hpp"

namespace capstan::actors {

bool master::take_leader_roles(uint64_t term) {
  control_plane_config plane{config_.allocators, config_.lifecycle, config_.scheduler, {}, {}};
  plane.service_accounts.api_ca_pem = config_.api_ca_pem;
  plane.service_accounts.signing_key = service_account_key_;
  // The lead is taken once the journal applied everything committed before: the read model
  // (fed by the writer's commit thread, a moment later) must hold it too, or a controller
  // would miss the last pods the previous leader made, and make them again.
  const uint64_t applied = log_->last_seq();
  if (!model_->wait_until([&](const store::cluster_state& s) { return s.seq >= applied; },
                          std::chrono::seconds(10))) {
    std::fprintf(stderr,
                 "capstan master: the read model did not reach seq %llu within 10 s: the "
                 "control plane starts at the next try\n",
                 static_cast<unsigned long long>(applied));
    return false;
  }
  // Nothing is appended meanwhile (only the leader's actors append, and these are the
  // leader's): the actors start from the read model as it stands and see every batch after.
  control_plane actors = spawn_control_plane(system_, *model_, journal_, plane);
  for (const auto& subscriber : actors.batch_subscribers())
    fanout_->add(subscriber);
  auto gateway =
      spawn_node_gateway(system_, *model_,
                         {actors.registry(object_kind::node), actors.registry(object_kind::pod),
                          actors.lifecycle, config_.join_guard},
                         node_authority_->certificate_pem(),
                         {config_.allocators.service_cidr, config_.cluster_dns,
                          config_.cluster_domain, config_.pod_network});
  fanout_->add(gateway);
  std::lock_guard<std::mutex> lock(roles_mutex_);
  keep_metrics(actors_.metrics);
  actors_ = std::move(actors);
  gateway_ = std::move(gateway);
  roles_term_ = term;
  leading_roles_ = true;
  return true;
}

void master::keep_metrics(std::shared_ptr<controller_metrics> metrics) {
  // /metrics reads the figures without a lock after controller_queues() returned: the last
  // generations are kept (a lead changes seldom; 8 of them outlive any request).
  all_metrics_.push_back(std::move(metrics));
  if (all_metrics_.size() > 8)
    all_metrics_.erase(all_metrics_.begin());
}

void master::drop_leader_roles() {
  {
    std::vector<caf::actor_addr> leaving;
    std::lock_guard<std::mutex> lock(roles_mutex_);
    for (const auto& s : actors_.batch_subscribers())
      leaving.push_back(s.address());
    leaving.push_back(gateway_.address());
    fanout_->remove(leaving);
  }
  stop_actors();
  std::lock_guard<std::mutex> lock(roles_mutex_);
  keep_metrics(actors_.metrics);
  actors_ = control_plane{};
  gateway_ = master_gateway_actor{};
  roles_term_ = 0;
  leading_roles_ = false;
}

void master::watch_leadership() {
  std::unique_lock<std::mutex> lock(roles_mutex_);
  while (!roles_stopping_) {
    roles_wake_.wait_for(lock, std::chrono::milliseconds(50));
    if (roles_stopping_)
      return;
    // The term, not only whether: a lead lost and taken again while this thread was busy must
    // restart the actors (another leader's may have acted meanwhile).
    const uint64_t term_now = writer_->leading_term();
    if (term_now == roles_term_)
      continue;
    const bool was_leading = leading_roles_;
    lock.unlock();
    if (was_leading) {
      std::fprintf(stderr, "capstan master: this master no longer leads (term %llu): stopping "
                           "the control plane\n",
                   static_cast<unsigned long long>(roles_term_));
      if (config_.on_leadership)
        config_.on_leadership(false);
      drop_leader_roles();
    }
    if (term_now != 0 && take_leader_roles(term_now)) {
      std::fprintf(stderr, "capstan master: this master leads (term %llu): the control plane "
                           "runs here\n",
                   static_cast<unsigned long long>(term_now));
      try {
        ensure_namespace("default");
        ensure_namespace("kube-system");
        ensure_rbac_defaults();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "capstan master: %s\n", e.what());
      }
      if (config_.on_leadership)
        config_.on_leadership(true);
    }
    lock.lock();
  }
}

bool master::leading() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return leading_roles_;
}

node_lifecycle_actor master::lifecycle() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return actors_.lifecycle;
}

messages::node_gateway_actor master::node_gateway() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return gateway_;
}

const controller_metrics& master::controller_queues() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return *actors_.metrics;
}

}  // namespace capstan::actors
