#include "actors/allocators/allocator_actor.hpp"

#include <map>
#include <set>

#include "actors/allocators/range_allocator.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

// Allocation state as plain functions; the actor only routes messages to it.
struct allocator_state {
  ipv4_cidr service_range;
  ipv4_cidr cluster_range;
  int node_prefix = 24;
  std::optional<range_allocator> cluster_ips;
  std::optional<range_allocator> node_ports;
  std::optional<range_allocator> pod_cidrs;
  std::map<object_key, uint32_t> ip_owner;  // service -> ClusterIP
  std::map<object_key, std::set<uint32_t>> ports_owner;
  std::map<std::string, uint32_t> cidr_owner;  // node -> subnet index
  static inline const char* name = "allocator";

  void init(const allocator_config& c) {
    service_range = *ipv4_cidr::parse(c.service_cidr);
    cluster_range = *ipv4_cidr::parse(c.cluster_cidr);
    node_prefix = c.node_cidr_prefix;
    // Skip the network address and the broadcast address of the service range.
    cluster_ips.emplace(service_range.network + 1, service_range.size() - 2);
    node_ports.emplace(c.node_port_min, c.node_port_max - c.node_port_min + 1);
    pod_cidrs.emplace(0, 1u << (node_prefix - cluster_range.prefix));
  }

  std::string subnet(uint32_t index) const {
    return format_ipv4(cluster_range.network + (index << (32 - node_prefix))) + "/" +
           std::to_string(node_prefix);
  }

  command_reply invalid_service(const service& s, field_error e) {
    return command_reply::failure(error_code::invalid,
                                  "Service \"" + s.metadata.name + "\" is invalid", {e});
  }

  command_reply allocate_service(service s) {
    object_key key{s.metadata.namespace_, s.metadata.name};
    // ClusterIP.
    std::optional<uint32_t> ip;
    auto owned_ip = ip_owner.find(key);
    if (s.spec.cluster_ip == "None") {
    } else if (s.spec.cluster_ip.empty()) {
      if (owned_ip != ip_owner.end()) {
        ip = owned_ip->second;
      } else if (!(ip = cluster_ips->allocate())) {
        return command_reply::failure(error_code::internal,
                                      "no ClusterIP is free in " + service_range.to_string());
      }
    } else {
      auto wanted = parse_ipv4(s.spec.cluster_ip);
      if (!wanted || !cluster_ips->contains(*wanted))
        return invalid_service(
            s, invalid("spec.clusterIP", quote(s.spec.cluster_ip),
                       "provided IP is not in the valid range. The range of valid IPs is " +
                           service_range.to_string()));
      if (owned_ip == ip_owner.end() || owned_ip->second != *wanted) {
        if (!cluster_ips->allocate_specific(*wanted))
          return invalid_service(s, invalid("spec.clusterIP", quote(s.spec.cluster_ip),
                                            "provided IP is already allocated"));
      }
      ip = wanted;
    }
    // NodePorts: keep owned ones, take requested ones, allocate the rest.
    std::set<uint32_t> owned = ports_owner.count(key) ? ports_owner[key] : std::set<uint32_t>{};
    std::set<uint32_t> now;
    std::vector<uint32_t> taken_here;
    auto undo = [&] {
      for (uint32_t p : taken_here)
        node_ports->release(p);
      if (ip && (owned_ip == ip_owner.end() || owned_ip->second != *ip))
        cluster_ips->release(*ip);
    };
    if (s.spec.type == "NodePort") {
      for (std::size_t i = 0; i < s.spec.ports.size(); ++i) {
        auto& port = s.spec.ports[i];
        if (port.node_port != 0) {
          auto p = static_cast<uint32_t>(port.node_port);
          if (!owned.count(p) && !now.count(p)) {
            if (!node_ports->allocate_specific(p)) {
              undo();
              return invalid_service(
                  s, invalid(index("spec.ports", i) + ".nodePort", std::to_string(port.node_port),
                             node_ports->contains(p) ? "provided port is already allocated"
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
        if (!p && !(p = node_ports->allocate())) {
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
      ports_owner.erase(key);
    else
      ports_owner[key] = now;
    if (owned_ip != ip_owner.end() && (!ip || *ip != owned_ip->second))
      cluster_ips->release(owned_ip->second);
    if (ip) {
      ip_owner[key] = *ip;
      s.spec.cluster_ip = format_ipv4(*ip);
    } else {
      ip_owner.erase(key);
    }
    command_reply r;
    r.object = std::move(s);
    return r;
  }

  command_reply allocate_node(node n) {
    auto owned = cidr_owner.find(n.metadata.name);
    if (owned != cidr_owner.end()) {
      n.spec.pod_cidr = subnet(owned->second);
    } else if (!n.spec.pod_cidr.empty()) {
      auto wanted = ipv4_cidr::parse(n.spec.pod_cidr);
      if (!wanted || wanted->prefix != node_prefix || !cluster_range.contains(wanted->network))
        return command_reply::failure(error_code::invalid,
                                      "Node \"" + n.metadata.name + "\" is invalid",
                                      {invalid("spec.podCIDR", quote(n.spec.pod_cidr),
                                               "must be a /" + std::to_string(node_prefix) +
                                                   " inside " + cluster_range.to_string())});
      uint32_t index = (wanted->network - cluster_range.network) >> (32 - node_prefix);
      if (!pod_cidrs->allocate_specific(index))
        return command_reply::failure(
            error_code::invalid, "Node \"" + n.metadata.name + "\" is invalid",
            {invalid("spec.podCIDR", quote(n.spec.pod_cidr), "is already allocated")});
      cidr_owner[n.metadata.name] = index;
    } else {
      auto index = pod_cidrs->allocate();
      if (!index)
        return command_reply::failure(error_code::internal,
                                      "no pod CIDR is free in " + cluster_range.to_string());
      cidr_owner[n.metadata.name] = *index;
      n.spec.pod_cidr = subnet(*index);
    }
    command_reply r;
    r.object = std::move(n);
    return r;
  }

  // `committed` is the service as journaled: it keeps its NodePorts, the rest are freed.
  void settle_service(const service& committed) {
    object_key key{committed.metadata.namespace_, committed.metadata.name};
    auto it = ports_owner.find(key);
    if (it == ports_owner.end())
      return;
    std::set<uint32_t> keep;
    if (committed.spec.type == "NodePort")
      for (const auto& p : committed.spec.ports)
        if (p.node_port != 0)
          keep.insert(static_cast<uint32_t>(p.node_port));
    for (uint32_t p : it->second)
      if (!keep.count(p))
        node_ports->release(p);
    for (auto p = keep.begin(); p != keep.end();)
      p = it->second.count(*p) ? std::next(p) : keep.erase(p);
    if (keep.empty())
      ports_owner.erase(it);
    else
      it->second = std::move(keep);
  }

  void release(object_kind kind, const object_key& key) {
    if (kind == object_kind::service) {
      if (auto it = ip_owner.find(key); it != ip_owner.end()) {
        cluster_ips->release(it->second);
        ip_owner.erase(it);
      }
      if (auto it = ports_owner.find(key); it != ports_owner.end()) {
        for (uint32_t p : it->second)
          node_ports->release(p);
        ports_owner.erase(it);
      }
    } else if (kind == object_kind::node) {
      if (auto it = cidr_owner.find(key.name); it != cidr_owner.end()) {
        pod_cidrs->release(it->second);
        cidr_owner.erase(it);
      }
    }
  }

  // Takes what committed objects already hold, so nothing is handed out twice after a restart.
  void rebuild(const store::cluster_state& state) {
    for (const auto& [key, o] : state.of(object_kind::service))
      allocate_service(std::get<service>(o));
    for (const auto& [key, o] : state.of(object_kind::node))
      if (!std::get<node>(o).spec.pod_cidr.empty())
        allocate_node(std::get<node>(o));
  }
};

caf::behavior allocator(caf::stateful_actor<allocator_state>* self, allocator_config config,
                        const read_model* model) {
  self->state.init(config);
  model->read([&](const store::cluster_state& s) { self->state.rebuild(s); });
  return {
      [=](allocate_atom, any_object& object) -> command_reply {
        if (auto* s = std::get_if<service>(&object))
          return self->state.allocate_service(std::move(*s));
        if (auto* n = std::get_if<node>(&object))
          return self->state.allocate_node(std::move(*n));
        return command_reply::failure(error_code::bad_request, "nothing to allocate for this kind");
      },
      [=](allocate_atom, preview_atom, any_object& object) -> command_reply {
        // On a copy of the tables: the preview reserves and frees nothing.
        allocator_state scratch = self->state;
        if (auto* s = std::get_if<service>(&object))
          return scratch.allocate_service(std::move(*s));
        if (auto* n = std::get_if<node>(&object))
          return scratch.allocate_node(std::move(*n));
        return command_reply::failure(error_code::bad_request, "nothing to allocate for this kind");
      },
      [=](release_atom, object_kind kind, object_key& key) { self->state.release(kind, key); },
      [=](settle_atom, const any_object& committed) {
        if (auto* s = std::get_if<service>(&committed))
          self->state.settle_service(*s);
      },
  };
}

}  // namespace

caf::actor spawn_allocator(caf::actor_system& system, const allocator_config& config,
                           const read_model& model) {
  return system.spawn(allocator, config, &model);
}

}  // namespace capstan::actors
