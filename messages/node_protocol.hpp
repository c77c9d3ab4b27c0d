// The node protocol's messages as C++ values: what the master's node gateway and a node agent
// say to each other (schema and ordinals: messages/schema/node.capnp; the CAF interfaces that
// carry them: messages/node_interfaces.hpp). Across processes each value is one flat Cap'n
// Proto message, encoded once per send (encode_node_message) and decoded with bounds
// (decode_node_message). No control decision reads a string: refusals carry a reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::messages {

// Values equal schema RefusalReason's enumerants.
enum class refusal_reason : uint16_t {
  none = 0,
  bad_certificate = 1,
  wrong_node = 2,
  bad_signature = 3,
  no_challenge = 4,
  identity_taken = 5,
  invalid_node = 6,
  master_error = 7,
  not_joined = 8,
  no_such_pod = 9,
  too_large = 10,
  wrong_pod_network = 11,
};
constexpr uint16_t refusal_reason_count = 12;

// Whether retrying the same join can ever succeed: a refusal for the node's identity ends a
// real agent (its operator must act); the others are transient.
constexpr bool refusal_is_final(refusal_reason r) {
  return r == refusal_reason::bad_certificate || r == refusal_reason::wrong_node ||
         r == refusal_reason::bad_signature || r == refusal_reason::identity_taken ||
         r == refusal_reason::invalid_node || r == refusal_reason::wrong_pod_network;
}

struct refusal {
  refusal_reason reason = refusal_reason::none;
  std::string message;
  explicit operator bool() const { return reason != refusal_reason::none; }
};

// ---- node -> gateway ----------------------------------------------------------------------

struct join_request {
  std::vector<std::string> node_names;
  bool pod_network = false;    // send node_routes
  bool service_proxy = false;  // send proxy_update
  std::string pod_network_mode;  // the node's --pod-network ("" : the cluster's)
};
struct join_challenge {
  std::string nonce;
};
struct node_proof {
  std::string certificate;  // PEM
  std::string signature;    // DER ECDSA-SHA256 of join_challenge_text(nonce, node name)
  node description;
};
struct join_proofs {
  std::vector<node_proof> nodes;
};
struct join_result {
  std::string node_name;
  bool accepted = false;
  refusal refused;
  node stored;  // as the master stores it (podCIDR set), when accepted
};
// How the cluster's pods reach other nodes (schema PodNetwork).
struct pod_network_settings {
  std::string mode;  // pod_network_vxlan | pod_network_routes ("": routes, an older master)
  uint32_t vxlan_vni = 0;
  uint32_t vxlan_port = 0;
};
constexpr std::string_view pod_network_vxlan = "vxlan";
constexpr std::string_view pod_network_routes = "routes";

struct join_results {
  std::vector<join_result> nodes;
  pod_network_settings pod_network;  // the cluster's, which the joined nodes follow
};
struct node_heartbeats {
  std::vector<std::string> node_names;
};
struct pod_status_report {
  std::string node_name, namespace_, name, uid;
  pod_status status;
  bool terminated = false;  // a pod being deleted has ended here: the master may remove it
};
// Something that happened to a pod on its node (FailedMount, Unhealthy, Killing, BackOff):
// the master keeps it as an Event of that pod for `kubectl describe`, not in the journal.
struct pod_event_report {
  std::string node_name, namespace_, name, uid;
  std::string type;  // Normal | Warning
  std::string reason, message;
};
struct pod_status_reports {
  std::vector<pod_status_report> reports;
  std::vector<pod_event_report> events;
};

// ---- gateway -> node ----------------------------------------------------------------------

struct pod_ref {
  std::string namespace_, name, uid;
};
// One file of a Secret or ConfigMap volume: `path` relative to the volume (checked by the
// pod's validation and again by the node), its mode and content.
struct volume_file {
  std::string path;
  int32_t mode = 0644;
  std::string bytes;
};
// The whole content of one secret or configMap volume of a pod, as the master resolved it
// (every key, or the volume's items); sent with the pod and again whenever the object changes.
struct config_volume {
  std::string pod_uid, volume;
  std::vector<volume_file> files;
};
// The registry credentials of a pod's imagePullSecrets, merged as a containers auth file
// ({"auths": {"HOST[:PORT]": {"auth": base64(user:password)}, ...}}): what its node pulls the
// pod's images with. Sent with the pod and again whenever one of those Secrets changes.
struct image_pull_auth {
  std::string pod_uid;
  std::string auth_file_json;
};
struct node_pods {
  std::string node_name;
  bool full = false;  // the whole desired set: pods not listed must go
  std::vector<pod> pods;
  std::vector<pod_ref> gone;
  std::vector<config_volume> config_volumes;  // of pods in `pods`
  std::vector<image_pull_auth> pull_auths;    // of pods in `pods` that have pull credentials
};
struct pod_assignments {
  std::vector<node_pods> nodes;
};
struct object_ref {
  std::string namespace_, name;
};
struct proxy_update {
  uint64_t seq = 0;
  bool full = false;
  std::string service_cidr;
  // The cluster DNS address every node serves, and the cluster domain (with service_cidr:
  // set in full updates).
  std::string cluster_dns, cluster_domain;
  std::vector<service> services;
  std::vector<endpoints> endpoints_list;
  std::vector<object_ref> removed_services, removed_endpoints;
};
struct node_route {
  std::string name, pod_cidr, address;
};
struct node_routes {
  std::vector<node_route> nodes;
};
struct log_request {
  std::string node_name, namespace_, pod_name, container;
  uint64_t offset = 0, tail_lines = 0, limit_bytes = 0;
};
struct log_chunk {
  std::string bytes;
  uint64_t next_offset = 0;
  refusal refused;
};
// A command run in a pod's container (kubectl exec): started by an exec_request, then driven by
// exec_io messages naming the stream the node chose; each is answered by an exec_reply.
// With `port` set, the stream is `kubectl port-forward`'s connection to that port on localhost
// in the pod's network namespace instead (container, command and tty unused): input goes to the
// connection, output comes from it, and a failed connect is the stream's errors and exit code 1.
struct exec_request {
  std::string node_name, namespace_, pod_name, pod_uid, container;
  std::vector<std::string> command;
  bool stdin_ = false, tty = false;
  uint32_t port = 0;
};
struct exec_io {
  std::string node_name;
  uint64_t stream = 0;
  std::string input;         // bytes for the command's stdin
  bool close_input = false;  // after `input`, the command's stdin ends
  uint32_t width = 0, height = 0;  // a terminal resize when both are set (tty only)
  bool poll = false;       // answer with output: held until there is some, the exit, or 5 s
  bool terminate = false;  // the client left: kill the command and forget the stream
};
struct exec_reply {
  uint64_t stream = 0;
  std::string output, errors;  // stdout and stderr since the last poll (with a tty: all output)
  bool exited = false;         // the command ended; `exit_code` is its status
  int32_t exit_code = 0;
  refusal refused;
};

// The text a node signs to prove it holds its certificate's key for this challenge.
inline std::string join_challenge_text(const std::string& nonce, const std::string& node_name) {
  return "capstan-join\n" + nonce + "\n" + node_name;
}

// Bounds a decoder enforces on what crosses from another process (beyond the message size,
// which the transport bounds): the words a reader may traverse (and at most twice the
// message's words: see capnp_layout's with_reader).
constexpr uint64_t node_message_traversal_words = 64ull << 20;  // 512 MiB

// One flat Cap'n Proto message per value. decode throws messages::decode_error (capnp_codec.hpp)
// when the bytes are not a valid message of T's schema struct, or a refusal reason is unknown.
// Defined for every message struct above (explicit instantiations in node_protocol.cpp).
template <class T>
std::string encode_node_message(const T& message);
template <class T>
T decode_node_message(std::string_view bytes);

// ---- field lists (names equal the schema's) -------------------------------------------------

template <class F>
void fields(F& f, refusal& x) {
  f("reason", x.reason);
  f("message", x.message);
}
template <class F>
void fields(F& f, join_request& x) {
  f("nodeNames", x.node_names);
  f("podNetwork", x.pod_network);
  f("serviceProxy", x.service_proxy);
  f("podNetworkMode", x.pod_network_mode);
}
template <class F>
void fields(F& f, join_challenge& x) {
  f("nonce", x.nonce);
}
template <class F>
void fields(F& f, node_proof& x) {
  f("certificate", x.certificate);
  f("signature", x.signature);
  f("node", x.description);
}
template <class F>
void fields(F& f, join_proofs& x) {
  f("nodes", x.nodes);
}
template <class F>
void fields(F& f, join_result& x) {
  f("nodeName", x.node_name);
  f("accepted", x.accepted);
  f("refusal", x.refused);
  f("node", x.stored);
}
template <class F>
void fields(F& f, pod_network_settings& x) {
  f("mode", x.mode);
  f("vxlanVni", x.vxlan_vni);
  f("vxlanPort", x.vxlan_port);
}
template <class F>
void fields(F& f, join_results& x) {
  f("nodes", x.nodes);
  f("podNetwork", x.pod_network);
}
template <class F>
void fields(F& f, node_heartbeats& x) {
  f("nodeNames", x.node_names);
}
template <class F>
void fields(F& f, pod_status_report& x) {
  f("nodeName", x.node_name);
  f("namespace", x.namespace_);
  f("name", x.name);
  f("uid", x.uid);
  f("status", x.status);
  f("terminated", x.terminated);
}
template <class F>
void fields(F& f, pod_event_report& x) {
  f("nodeName", x.node_name);
  f("namespace", x.namespace_);
  f("name", x.name);
  f("uid", x.uid);
  f("type", x.type);
  f("reason", x.reason);
  f("message", x.message);
}
template <class F>
void fields(F& f, pod_status_reports& x) {
  f("reports", x.reports);
  f("events", x.events);
}
template <class F>
void fields(F& f, pod_ref& x) {
  f("namespace", x.namespace_);
  f("name", x.name);
  f("uid", x.uid);
}
template <class F>
void fields(F& f, volume_file& x) {
  f("path", x.path);
  f("mode", x.mode);
  f("bytes", x.bytes);
}
template <class F>
void fields(F& f, config_volume& x) {
  f("podUid", x.pod_uid);
  f("volume", x.volume);
  f("files", x.files);
}
template <class F>
void fields(F& f, image_pull_auth& x) {
  f("podUid", x.pod_uid);
  f("authFileJson", x.auth_file_json);
}
template <class F>
void fields(F& f, node_pods& x) {
  f("nodeName", x.node_name);
  f("full", x.full);
  f("pods", x.pods);
  f("gone", x.gone);
  f("configVolumes", x.config_volumes);
  f("pullAuths", x.pull_auths);
}
template <class F>
void fields(F& f, pod_assignments& x) {
  f("nodes", x.nodes);
}
template <class F>
void fields(F& f, object_ref& x) {
  f("namespace", x.namespace_);
  f("name", x.name);
}
template <class F>
void fields(F& f, proxy_update& x) {
  f("seq", x.seq);
  f("full", x.full);
  f("serviceCidr", x.service_cidr);
  f("clusterDns", x.cluster_dns);
  f("clusterDomain", x.cluster_domain);
  f("services", x.services);
  f("endpoints", x.endpoints_list);
  f("removedServices", x.removed_services);
  f("removedEndpoints", x.removed_endpoints);
}
template <class F>
void fields(F& f, node_route& x) {
  f("name", x.name);
  f("podCidr", x.pod_cidr);
  f("address", x.address);
}
template <class F>
void fields(F& f, node_routes& x) {
  f("nodes", x.nodes);
}
template <class F>
void fields(F& f, log_request& x) {
  f("nodeName", x.node_name);
  f("namespace", x.namespace_);
  f("podName", x.pod_name);
  f("container", x.container);
  f("offset", x.offset);
  f("tailLines", x.tail_lines);
  f("limitBytes", x.limit_bytes);
}
template <class F>
void fields(F& f, log_chunk& x) {
  f("bytes", x.bytes);
  f("nextOffset", x.next_offset);
  f("refusal", x.refused);
}
template <class F>
void fields(F& f, exec_request& x) {
  f("nodeName", x.node_name);
  f("namespace", x.namespace_);
  f("podName", x.pod_name);
  f("podUid", x.pod_uid);
  f("container", x.container);
  f("command", x.command);
  f("stdin", x.stdin_);
  f("tty", x.tty);
  f("port", x.port);
}
template <class F>
void fields(F& f, exec_io& x) {
  f("nodeName", x.node_name);
  f("stream", x.stream);
  f("input", x.input);
  f("closeInput", x.close_input);
  f("width", x.width);
  f("height", x.height);
  f("poll", x.poll);
  f("terminate", x.terminate);
}
template <class F>
void fields(F& f, exec_reply& x) {
  f("stream", x.stream);
  f("output", x.output);
  f("errors", x.errors);
  f("exited", x.exited);
  f("exitCode", x.exit_code);
  f("refusal", x.refused);
}

}  // namespace capstan::messages
