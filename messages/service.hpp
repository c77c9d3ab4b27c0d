// Service and Endpoints (core/v1): a stable virtual IP and port in front of matching pods.
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct service_port {
  std::string name;
  std::string protocol;  // TCP | UDP | SCTP; defaulted to TCP
  int32_t port = 0;
  int_or_string target_port;  // defaulted to port
  int32_t node_port = 0;      // 30000-32767 for type NodePort; allocated when 0
};
template <class F>
void fields(F& f, service_port& x) {
  f("name", x.name);
  f("protocol", x.protocol);
  f.always("port", x.port);
  f("targetPort", x.target_port);
  f("nodePort", x.node_port);
}

struct service_spec {
  std::string type;  // ClusterIP | NodePort; defaulted to ClusterIP
  std::vector<service_port> ports;
  string_map selector;
  std::string cluster_ip;  // allocated when empty; "None" for a headless service
  std::vector<std::string> external_ips;
  std::string session_affinity;  // None | ClientIP; defaulted to None
};
template <class F>
void fields(F& f, service_spec& x) {
  f("type", x.type);
  f("ports", x.ports);
  f("selector", x.selector);
  f("clusterIP", x.cluster_ip);
  f("externalIPs", x.external_ips);
  f("sessionAffinity", x.session_affinity);
}

struct load_balancer_ingress {
  std::string ip;
  std::string hostname;
};
template <class F>
void fields(F& f, load_balancer_ingress& x) {
  f("ip", x.ip);
  f("hostname", x.hostname);
}

struct load_balancer_status {
  std::vector<load_balancer_ingress> ingress;
};
template <class F>
void fields(F& f, load_balancer_status& x) {
  f("ingress", x.ingress);
}

struct service_status {
  load_balancer_status load_balancer;
};
template <class F>
void fields(F& f, service_status& x) {
  f.always("loadBalancer", x.load_balancer);
}

struct service {
  object_meta metadata;
  service_spec spec;
  service_status status;
};
template <class F>
void fields(F& f, service& x) {
  f.always("metadata", x.metadata);
  f.always("spec", x.spec);
  f("status", x.status);
}

struct endpoint_address {
  std::string ip;
  std::string hostname;
  std::string node_name;
  std::optional<object_reference> target_ref;
};
template <class F>
void fields(F& f, endpoint_address& x) {
  f.always("ip", x.ip);
  f("hostname", x.hostname);
  f("nodeName", x.node_name);
  f("targetRef", x.target_ref);
}

struct endpoint_port {
  std::string name;
  int32_t port = 0;
  std::string protocol;
};
template <class F>
void fields(F& f, endpoint_port& x) {
  f("name", x.name);
  f.always("port", x.port);
  f("protocol", x.protocol);
}

struct endpoint_subset {
  std::vector<endpoint_address> addresses;
  std::vector<endpoint_address> not_ready_addresses;
  std::vector<endpoint_port> ports;
};
template <class F>
void fields(F& f, endpoint_subset& x) {
  f("addresses", x.addresses);
  f("notReadyAddresses", x.not_ready_addresses);
  f("ports", x.ports);
}

struct endpoints {
  object_meta metadata;
  std::vector<endpoint_subset> subsets;
};
template <class F>
void fields(F& f, endpoints& x) {
  f.always("metadata", x.metadata);
  f("subsets", x.subsets);
}

}  // namespace capstan::messages
