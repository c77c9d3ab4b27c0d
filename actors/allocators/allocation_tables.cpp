#include "actors/allocators/allocation_tables.hpp"

namespace capstan::actors {

using namespace messages;

allocation_tables::allocation_tables(const allocator_config& c) {
  service_range_ = *ipv4_cidr::parse(c.service_cidr);
  cluster_range_ = *ipv4_cidr::parse(c.cluster_cidr);
  node_prefix_ = c.node_cidr_prefix;
  // Skip the network address and the broadcast address of the service range.
  cluster_ips_.emplace(service_range_.network + 1, service_range_.size() - 2);
  node_ports_.emplace(c.node_port_min, c.node_port_max - c.node_port_min + 1);
  pod_cidrs_.emplace(0, 1u << (node_prefix_ - cluster_range_.prefix));
}

std::string allocation_tables::subnet(uint32_t index) const {
  return format_ipv4(cluster_range_.network + (index << (32 - node_prefix_))) + "/" +
         std::to_string(node_prefix_);
}

command_reply allocation_tables::invalid_service(const service& s, field_error e) const {
  return command_reply::failure(error_code::invalid,
                                "Service \"" + s.metadata.name + "\" is invalid", {e});
}

command_reply allocation_tables::allocate_service(service s) {
  object_key key{s.metadata.namespace_, s.metadata.name};
  // ClusterIP.
  std::optional<uint32_t> ip;
  auto owned_ip = ip_owner_.find(key);
  if (s.spec.cluster_ip == "None") {
  } else if (s.spec.cluster_ip.empty()) {
    if (owned_ip != ip_owner_.end()) {
      ip = owned_ip->second;
    } else if (!(ip = cluster_ips_->allocate())) {
      return command_reply::failure(error_code::internal,
                                    "no ClusterIP is free in " + service_range_.to_string());
    }
  } else {
    auto wanted = parse_ipv4(s.spec.cluster_ip);
    if (!wanted || !cluster_ips_->contains(*wanted))
      return invalid_service(
          s, invalid("spec.clusterIP", quote(s.spec.cluster_ip),
                     "provided IP is not in the valid range. The range of valid IPs is " +
                         service_range_.to_string()));
    if (owned_ip == ip_owner_.end() || owned_ip->second != *wanted) {
      if (!cluster_ips_->allocate_specific(*wanted))
        return invalid_service(s, invalid("spec.clusterIP", quote(s.spec.cluster_ip),
                                          "provided IP is already allocated"));
    }
    ip = wanted;
  }
  // NodePorts: keep owned ones, take requested ones, allocate the rest.
  std::set<uint32_t> owned = ports_owner_.count(key) ? ports_owner_[key] : std::set<uint32_t>{};
  std::set<uint32_t> now;
  std::vector<uint32_t> taken_here;
  auto undo = [&] {
    for (uint32_t p : taken_here)
      node_ports_->release(p);
    if (ip && (owned_ip == ip_owner_.end() || owned_ip->second != *ip))
      cluster_ips_->release(*ip);
  };
  if (s.spec.type == "NodePort") {
    for (std::size_t i = 0; i < s.spec.ports.size(); ++i) {
      auto& port = s.spec.ports[i];
      if (port.node_port != 0) {
        auto p = static_cast<uint32_t>(port.node_port);
        if (!owned.count(p) && !now.count(p)) {
          if (!node_ports_->allocate_specific(p)) {
            undo();
            return invalid_service(
                s, invalid(index("spec.ports", i) + ".nodePort", std::to_string(port.node_port),
                           node_ports_->contains(p) ? "provided port is already allocated"
                                                    : "provided port is not in the valid range"));
          }
          taken_here.push_back(p);
        }
        now.insert(p);
      }
    }
    for (auto& port : s.spec.ports) {
      if (port.node_port != 0)
        continue;
      std::optional<uint32_t> p;
      for (uint32_t o : owned)
        if (!now.count(o)) {
          p = o;  // reuse a port this service already owns
          break;
        }
      if (!p && !(p = node_ports_->allocate())) {
        undo();
        return command_reply::failure(error_code::internal, "no NodePort is free");
      }
      if (!owned.count(*p))
        taken_here.push_back(*p);
      port.node_port = static_cast<int32_t>(*p);
      now.insert(*p);
    }
  }
  // Commit: what the service owned stays reserved until settle_service (the update that
  // would free it may never be journaled).
  now.insert(owned.begin(), owned.end());
  if (now.empty())
    ports_owner_.erase(key);
  else
    ports_owner_[key] = now;
  if (owned_ip != ip_owner_.end() && (!ip || *ip != owned_ip->second))
    cluster_ips_->release(owned_ip->second);
  if (ip) {
    ip_owner_[key] = *ip;
    s.spec.cluster_ip = format_ipv4(*ip);
  } else {
    ip_owner_.erase(key);
  }
  command_reply r;
  r.object = std::move(s);
  return r;
}

command_reply allocation_tables::allocate_node(node n) {
  auto owned = cidr_owner_.find(n.metadata.name);
  if (owned != cidr_owner_.end()) {
    n.spec.pod_cidr = subnet(owned->second);
  } else if (!n.spec.pod_cidr.empty()) {
    auto wanted = ipv4_cidr::parse(n.spec.pod_cidr);
    if (!wanted || wanted->prefix != node_prefix_ || !cluster_range_.contains(wanted->network))
      return command_reply::failure(error_code::invalid,
                                    "Node \"" + n.metadata.name + "\" is invalid",
                                    {invalid("spec.podCIDR", quote(n.spec.pod_cidr),
                                             "must be a /" + std::to_string(node_prefix_) +
                                                 " inside " + cluster_range_.to_string())});
    uint32_t index = (wanted->network - cluster_range_.network) >> (32 - node_prefix_);
    if (!pod_cidrs_->allocate_specific(index))
      return command_reply::failure(
          error_code::invalid, "Node \"" + n.metadata.name + "\" is invalid",
          {invalid("spec.podCIDR", quote(n.spec.pod_cidr), "is already allocated")});
    cidr_owner_[n.metadata.name] = index;
  } else {
    auto index = pod_cidrs_->allocate();
    if (!index)
      return command_reply::failure(error_code::internal,
                                    "no pod CIDR is free in " + cluster_range_.to_string());
    cidr_owner_[n.metadata.name] = *index;
    n.spec.pod_cidr = subnet(*index);
  }
  command_reply r;
  r.object = std::move(n);
  return r;
}

void allocation_tables::settle_service(const service& committed) {
  object_key key{committed.metadata.namespace_, committed.metadata.name};
  auto it = ports_owner_.find(key);
  if (it == ports_owner_.end())
    return;
  std::set<uint32_t> keep;
  if (committed.spec.type == "NodePort")
    for (const auto& p : committed.spec.ports)
      if (p.node_port != 0)
        keep.insert(static_cast<uint32_t>(p.node_port));
  for (uint32_t p : it->second)
    if (!keep.count(p))
      node_ports_->release(p);
  for (auto p = keep.begin(); p != keep.end();)
    p = it->second.count(*p) ? std::next(p) : keep.erase(p);
  if (keep.empty())
    ports_owner_.erase(it);
  else
    it->second = std::move(keep);
}

void allocation_tables::release(object_kind kind, const object_key& key) {
  if (kind == object_kind::service) {
    if (auto it = ip_owner_.find(key); it != ip_owner_.end()) {
      cluster_ips_->release(it->second);
      ip_owner_.erase(it);
    }
    if (auto it = ports_owner_.find(key); it != ports_owner_.end()) {
      for (uint32_t p : it->second)
        node_ports_->release(p);
      ports_owner_.erase(it);
    }
  } else if (kind == object_kind::node) {
    if (auto it = cidr_owner_.find(key.name); it != cidr_owner_.end()) {
      pod_cidrs_->release(it->second);
      cidr_owner_.erase(it);
    }
  }
}

void allocation_tables::rebuild(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::service))
    allocate_service(std::get<service>(o));
  for (const auto& [key, o] : state.of(object_kind::node))
    if (!std::get<node>(o).spec.pod_cidr.empty())
      allocate_node(std::get<node>(o));
}

}  // namespace capstan::actors
