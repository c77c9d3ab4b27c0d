# capstan's node protocol: every message between the master's node gateway and a node agent
# (a process that hosts one node, or many simulated ones). The CAF interfaces that carry these
# structs are in messages/node_interfaces.hpp; each struct crosses a process as one flat Cap'n
# Proto message (messages/node_protocol.hpp). Ordinals and enumerants are never renumbered or
# reused; a retired one stays here, commented; new fields take the next ordinal.
@0xe6fe7a0fc35e82f2;

$import "/capnp/c++.capnp".namespace("capstan::schema");

using Objects = import "objects.capnp";

# Why the master (or a node) turned a request down. The agent decides what to do from this
# value alone: `identityTaken`, `badCertificate`, `wrongNode` and `badSignature` end a real
# agent (retrying cannot help); the others are retried.
enum RefusalReason {
  none @0;
  badCertificate @1;    # not issued by the master's client CA, expired, or not for clientAuth
  wrongNode @2;         # the certificate is for another node than the one named
  badSignature @3;      # the challenge was not signed with the certificate's key
  noChallenge @4;       # no join challenge is pending for this session (ask again)
  identityTaken @5;     # the node is registered to another key: delete it to register anew
  invalidNode @6;       # the node description is not a valid Node of that name
  masterError @7;       # the master could not store the node (journal error); retry
  notJoined @8;         # the node has no session (a log request for a node that left)
  noSuchPod @9;         # the node does not run that pod or container
  tooLarge @10;         # more than the protocol's bounds (names, proofs, bytes)
  wrongPodNetwork @11;  # the node asked for another pod network mode than the cluster's
}

struct Refusal { reason @0 :RefusalReason; message @1 :Text; }

# ---- node -> gateway --------------------------------------------------------------------

# (join) The nodes this session wants to join as, and what it runs: a pod network (it is sent
# every node's pod CIDR for routes) and a service proxy (it is sent services and endpoints).
# `podNetworkMode` is the mode the node was started with ("" : whichever the cluster's is); a
# node asking for another mode than the cluster's is refused (wrongPodNetwork) at its proofs.
# Answered by a JoinChallenge.
struct JoinRequest {
  nodeNames @0 :List(Text); podNetwork @1 :Bool; serviceProxy @2 :Bool; podNetworkMode @3 :Text;
}
struct JoinChallenge { nonce @0 :Text; }

# (prove) One proof per node: its certificate (PEM, issued at bootstrap by the master's
# client CA for CN system:node:NAME), the ECDSA-SHA256 signature with the certificate's key
# of "capstan-join\n" + nonce + "\n" + NAME, and the node as it describes itself.
struct NodeProof { certificate @0 :Text; signature @1 :Data; node @2 :Objects.Node; }
struct JoinProofs { nodes @0 :List(NodeProof); }
# One result per proof, in order. `node` is the node as stored (podCIDR set) when accepted.
struct JoinResult { nodeName @0 :Text; accepted @1 :Bool; refusal @2 :Refusal; node @3 :Objects.Node; }
# `podNetwork` is how the cluster's pods reach other nodes, which every node follows.
struct JoinResults { nodes @0 :List(JoinResult); podNetwork @1 :PodNetwork; }

# The cluster's pod network: "vxlan" (an overlay: pod packets between nodes are carried in UDP
# to the VXLAN port, with this VNI) or "routes" (pod CIDRs routed to the nodes' addresses);
# absent ("") from a master that predates modes: routes. Only accepted joins carry it.
struct PodNetwork { mode @0 :Text; vxlanVni @1 :UInt32; vxlanPort @2 :UInt32; }

# (heartbeat) These nodes of the session are alive.
struct NodeHeartbeats { nodeNames @0 :List(Text); }

# (podstatus) The newest status of pods, for nodes of the session only.
struct PodStatusReport {
  nodeName @0 :Text; namespace @1 :Text; name @2 :Text; uid @3 :Text;
  status @4 :Objects.PodStatus;
  terminated @5 :Bool;  # the pod was being deleted and nothing of it runs: status unused
}
# Something that happened to a pod on its node (FailedMount, Unhealthy, Killing, BackOff).
struct PodEventReport {
  nodeName @0 :Text; namespace @1 :Text; name @2 :Text; uid @3 :Text;
  type @4 :Text; reason @5 :Text; message @6 :Text;
}
struct PodStatusReports { reports @0 :List(PodStatusReport); events @1 :List(PodEventReport); }

# ---- gateway -> node --------------------------------------------------------------------

struct PodRef { namespace @0 :Text; name @1 :Text; uid @2 :Text; }
# A node's pods: with `full`, every pod bound to it (the whole desired set; pods not listed
# must go); else the pods that are new or changed, and those that were deleted.
# A Secret's or ConfigMap's files for one volume of a pod (configVolumes).
struct VolumeFile { path @0 :Text; mode @1 :Int32; bytes @2 :Data; }
struct ConfigVolume { podUid @0 :Text; volume @1 :Text; files @2 :List(VolumeFile); }
# A pod's registry credentials, as a containers auth file (pullAuths).
struct ImagePullAuth { podUid @0 :Text; authFileJson @1 :Data; }
struct NodePods {
  nodeName @0 :Text; full @1 :Bool; pods @2 :List(Objects.Pod); gone @3 :List(PodRef);
  configVolumes @4 :List(ConfigVolume); pullAuths @5 :List(ImagePullAuth);
}
# (pods) One message per session per round of commits, for all its nodes.
struct PodAssignments { nodes @0 :List(NodePods); }

struct ObjectRef { namespace @0 :Text; name @1 :Text; }
# (proxy) What the nodes' service proxies need: with `full`, all services and endpoints; else
# those changed (as they are now) and those removed. `seq` is the journal position.
struct ProxyUpdate {
  seq @0 :UInt64; full @1 :Bool; serviceCidr @2 :Text;
  services @3 :List(Objects.Service); endpoints @4 :List(Objects.Endpoints);
  removedServices @5 :List(ObjectRef); removedEndpoints @6 :List(ObjectRef);
  clusterDns @7 :Text; clusterDomain @8 :Text;
}

# (nodes) Every node, for the pod network's routes.
struct NodeRoute { name @0 :Text; podCidr @1 :Text; address @2 :Text; }
struct NodeRoutes { nodes @0 :List(NodeRoute); }

# (logs) A container's log from byte `offset`; offset 0 with tailLines > 0: the last lines.
struct LogRequest {
  nodeName @0 :Text; namespace @1 :Text; podName @2 :Text; container @3 :Text;
  offset @4 :UInt64; tailLines @5 :UInt64; limitBytes @6 :UInt64;
}
struct LogChunk { bytes @0 :Data; nextOffset @1 :UInt64; refusal @2 :Refusal; }

# (exec) A command run in a pod's container (kubectl exec); answered by an ExecReply naming the
# stream the node chose, or refusing.
struct ExecRequest {
  nodeName @0 :Text; namespace @1 :Text; podName @2 :Text; podUid @3 :Text; container @4 :Text;
  command @5 :List(Text); stdin @6 :Bool; tty @7 :Bool;
  port @8 :UInt32;  # port-forward: a connection to this port in the pod's network namespace
}
# (execio) Input for a stream, a resize, a poll for output (held until there is some, the
# command's exit, or 5 s), or the end of the stream (terminate: the command is killed).
struct ExecIo {
  nodeName @0 :Text; stream @1 :UInt64; input @2 :Data; closeInput @3 :Bool;
  width @4 :UInt32; height @5 :UInt32; poll @6 :Bool; terminate @7 :Bool;
}
struct ExecReply {
  stream @0 :UInt64; output @1 :Data; errors @2 :Data; exited @3 :Bool; exitCode @4 :Int32;
  refusal @5 :Refusal;
}
