// The objects a cluster starts with, made by its leader (actors/master/master.hpp): the
// default namespaces, the default RBAC roles and bindings, the `kubernetes` Service with the
// API's endpoints, and the cluster DNS Service.
#include "actors/master/master.hpp"

#include "auth/default_policy.hpp"
#include "common/ipv4.hpp"
#include "messages/equal_fields.hpp"

namespace capstan::actors {

void master::ensure_namespace(const std::string& name) {
  if (model_->get(object_kind::namespace_, {"", name}))
    return;
  messages::namespace_object ns;
  ns.metadata.name = name;
  auto r = create(ns, "system:master");
  if (!r.ok() && r.error->code != error_code::already_exists)
    throw store::store_error("cannot create namespace " + name + ": " + r.error->message);
}

void master::ensure_rbac_defaults() {
  auto ensure = [&](messages::any_object object) {
    const auto kind = messages::kind_of(object);
    const auto& name = messages::meta_of(object).name;
    if (model_->get(kind, {"", name}))
      return;
    auto r = create(object, "system:master");
    if (!r.ok() && r.error->code != error_code::already_exists)
      throw store::store_error("cannot create " + messages::group_resource(kind) + " " + name +
                               ": " + r.error->message);
  };
  for (const auto& r : auth::default_cluster_roles()) {
    messages::cluster_role cluster_role;
    static_cast<messages::role&>(cluster_role) = r;
    ensure(std::move(cluster_role));
  }
  for (const auto& b : auth::default_cluster_role_bindings()) {
    messages::cluster_role_binding binding;
    static_cast<messages::role_binding&>(binding) = b;
    ensure(std::move(binding));
  }
}

std::string master::ensure_api_service(const std::string& ip, uint16_t port) {
  const std::string cause = "system:master";
  const object_key key{"default", "kubernetes"};
  auto range = common::ipv4_cidr::parse(config_.allocators.service_cidr);
  if (!range)
    return "the service range " + config_.allocators.service_cidr + " does not parse";
  messages::service_port https;
  https.name = "https";
  https.protocol = "TCP";
  https.port = 443;
  https.target_port = messages::int_or_string::of(static_cast<int32_t>(port));
  const std::vector<messages::service_port> ports = {https};
  auto same_ports = [&](const messages::service& s) {
    return messages::equal_fields(s.spec.ports, ports) && s.spec.selector.empty();
  };
  auto existing = model_->get(object_kind::service, key);
  if (!existing) {
    messages::service svc;
    svc.metadata.namespace_ = key.namespace_;
    svc.metadata.name = key.name;
    svc.metadata.labels = {{"component", "apiserver"}, {"provider", "kubernetes"}};
    svc.spec.ports = ports;
    svc.spec.cluster_ip = common::format_ipv4(range->network + 1);
    auto r = create(svc, cause);
    if (!r.ok() && r.error->code != error_code::already_exists)
      return "cannot create service default/kubernetes: " + r.error->message;
  } else if (auto svc = std::get<messages::service>(*existing); !same_ports(svc)) {
    svc.spec.ports = ports;
    svc.spec.selector.clear();
    auto r = command({object_kind::service, key, cause, update_op{svc}, true});
    if (!r.ok())
      return "cannot update service default/kubernetes: " + r.error->message;
  }
  auto current = model_->get(object_kind::endpoints, key);
  auto address = common::parse_ipv4(ip);
  // No address pods can reach (unspecified, or loopback: a pod's loopback is its own): the
  // Service has no endpoints, and connections to it are refused rather than sent astray.
  if (!address || *address == 0 || (*address >> 24) == 127) {
    if (!current)
      return "";
    auto r = command({object_kind::endpoints, key, cause,
                      delete_op{"the API has no address pods can reach", "", "", std::nullopt},
                      true});
    return r.ok() || r.error->code == error_code::not_found
               ? ""
               : "cannot delete endpoints default/kubernetes: " + r.error->message;
  }
  messages::endpoint_subset subset;
  subset.addresses.resize(1);
  subset.addresses[0].ip = ip;
  subset.ports.resize(1);
  subset.ports[0].name = "https";
  subset.ports[0].port = port;
  subset.ports[0].protocol = "TCP";
  const std::vector<messages::endpoint_subset> subsets = {subset};
  if (current) {
    if (messages::equal_fields(std::get<messages::endpoints>(*current).subsets, subsets))
      return "";
    auto r = command({object_kind::endpoints, key, cause, endpoints_op{subsets}, true});
    return r.ok() ? "" : "cannot update endpoints default/kubernetes: " + r.error->message;
  }
  messages::endpoints eps;
  eps.metadata.namespace_ = key.namespace_;
  eps.metadata.name = key.name;
  eps.metadata.labels = {{"endpointslice.kubernetes.io/skip-mirror", "true"}};
  eps.subsets = subsets;
  auto r = create(eps, cause);
  return r.ok() || r.error->code == error_code::already_exists
             ? ""
             : "cannot create endpoints default/kubernetes: " + r.error->message;
}

std::string master::ensure_dns_service() {
  if (config_.cluster_dns.empty())
    return "";
  const object_key key{"kube-system", "kube-dns"};
  if (auto existing = model_->get(object_kind::service, key)) {
    const auto& ip = std::get<messages::service>(*existing).spec.cluster_ip;
    return ip == config_.cluster_dns
               ? ""
               : "service kube-system/kube-dns has ClusterIP " + ip + ", not --cluster-dns " +
                     config_.cluster_dns + " (delete it to have it created again)";
  }
  messages::service svc;
  svc.metadata.namespace_ = key.namespace_;
  svc.metadata.name = key.name;
  svc.metadata.labels = {{"k8s-app", "kube-dns"},
                         {"kubernetes.io/cluster-service", "true"},
                         {"kubernetes.io/name", "capstan-dns"}};
  for (const auto& [name, protocol] : {std::pair<const char*, const char*>{"dns", "UDP"},
                                       {"dns-tcp", "TCP"}}) {
    messages::service_port p;
    p.name = name;
    p.protocol = protocol;
    p.port = 53;
    p.target_port = messages::int_or_string::of(static_cast<int32_t>(53));
    svc.spec.ports.push_back(std::move(p));
  }
  svc.spec.cluster_ip = config_.cluster_dns;
  auto r = create(svc, "system:master");
  if (!r.ok() && r.error->code != error_code::already_exists)
    return "cannot create service kube-system/kube-dns: " + r.error->message;
  return "";
}

}  // namespace capstan::actors
