#include "nodeagent/fake_runtime.hpp"

#include <set>

#include "common/ipv4.hpp"

namespace capstan::nodeagent {

namespace {

using namespace messages;

class fake_runtime : public pod_runtime {
public:
  void start(const node& self, reporter report, event_reporter) override {
    self_ = self;
    report_ = std::move(report);
    cidr_ = common::ipv4_cidr::parse(self.spec.pod_cidr);
  }
  void sync(std::vector<pod> desired) override {
    std::vector<pod> terminating;
    for (auto it = desired.begin(); it != desired.end();)
      if (!it->metadata.deletion_timestamp.empty()) {
        terminating.push_back(std::move(*it));
        it = desired.erase(it);
      } else {
        ++it;
      }
    for (auto& p : terminating)
      upsert(std::move(p));
    std::set<std::string> wanted;
    for (const auto& p : desired)
      wanted.insert(p.metadata.uid);
    for (auto it = ips_.begin(); it != ips_.end();)
      it = wanted.count(it->first) ? std::next(it) : ips_.erase(it);
    // Pods that run here already keep their addresses before new ones are handed out.
    std::vector<pod> fresh;
    for (auto& p : desired)
      if (!ips_.count(p.metadata.uid) && !adopt(p))
        fresh.push_back(std::move(p));
    for (auto& p : fresh)
      upsert(std::move(p));
  }
  void upsert(pod p) override {
    if (!p.metadata.deletion_timestamp.empty()) {
      // Nothing runs: a pod being deleted has ended at once.
      ips_.erase(p.metadata.uid);
      report_({p.metadata.namespace_, p.metadata.name, p.metadata.uid, {}, true});
      return;
    }
    if (ips_.count(p.metadata.uid) || adopt(p))
      return;
    uint32_t host = 2;
    std::set<uint32_t> used;
    for (const auto& [uid, ip] : ips_)
      used.insert(ip);
    while (used.count(host))
      ++host;
    ips_[p.metadata.uid] = host;
    auto now = timestamp::now();
    pod_status s;
    s.phase = "Running";
    for (const auto& a : self_.status.addresses)
      if (a.type == "InternalIP")
        s.host_ip = a.address;
    s.pod_ip = cidr_ ? common::format_ipv4(cidr_->network + host) : "";
    s.start_time = now;
    s.conditions = conditions_at(now);
    for (const auto& c : p.spec.containers) {
      container_status cs;
      cs.name = c.name;
      cs.image = c.image;
      cs.image_id = "fake://" + c.image;
      cs.container_id = "fake://" + p.metadata.name + "-" + c.name;
      cs.ready = true;
      cs.state.running = container_state_running{now};
      s.container_statuses.push_back(std::move(cs));
    }
    report_({p.metadata.namespace_, p.metadata.name, p.metadata.uid, std::move(s)});
  }
  void remove(const std::string&, const std::string&, const std::string& uid) override {
    ips_.erase(uid);
  }
  void set_peers(std::vector<peer_node>) override {}
  container_log logs(const std::string&, const std::string& name, const std::string&, uint64_t,
                 uint64_t) override {
    return {"", 0,
            "pod " + name + " runs on " + self_.metadata.name +
                ", a simulated node (fake runtime): its containers write no logs"};
  }
  exec_target exec_target_of(const std::string&, const std::string& name, const std::string&,
                             const std::string&) override {
    return {{},
            {},
            "pod " + name + " runs on " + self_.metadata.name +
                ", a simulated node (fake runtime): it has no processes to run commands in"};
  }
  exec_target port_target_of(const std::string&, const std::string& name,
                             const std::string&) override {
    return {{},
            {},
            "pod " + name + " runs on " + self_.metadata.name +
                ", a simulated node (fake runtime): it has no network to forward ports into"};
  }
  std::string version() const override { return "fake://0.1"; }

private:
  // A running pod's four conditions as of `now`: the pods reported within one second share one
  // list (a copy-on-write block), in this agent's table of statuses and in every copy after it.
  shared_list<pod_condition> conditions_at(timestamp now) {
    if (conditions_.empty() || !(conditions_time_ == now)) {
      conditions_ = {{"PodScheduled", "True", {}, now, "", ""},
                     {"Initialized", "True", {}, now, "", ""},
                     {"ContainersReady", "True", {}, now, "", ""},
                     {"Ready", "True", {}, now, "", ""}};
      conditions_time_ = now;
    }
    return conditions_;
  }

  // A pod that already runs here by the master's record (this simulated node came back, or the
  // master restarted) keeps its address and is not reported again: nothing about it changed.
  bool adopt(const pod& p) {
    auto address = common::parse_ipv4(p.status.pod_ip);
    if (p.status.phase != "Running" || !address || !cidr_ || !cidr_->contains(*address))
      return false;
    uint32_t host = *address - cidr_->network;
    for (const auto& [uid, used] : ips_)
      if (used == host)
        return false;
    ips_[p.metadata.uid] = host;
    return true;
  }

  node self_;
  reporter report_;
  std::optional<common::ipv4_cidr> cidr_;
  std::map<std::string, uint32_t> ips_;  // pod uid -> host part of its IP
  shared_list<pod_condition> conditions_;  // of the pods started at conditions_time_
  timestamp conditions_time_;
};

}  // namespace

std::unique_ptr<pod_runtime> make_fake_runtime() {
  return std::make_unique<fake_runtime>();
}

}  // namespace capstan::nodeagent
