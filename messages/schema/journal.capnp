# capstan's journal: one Record per domain event, stored under its big-endian sequence number,
# and the chunks of a state snapshot. Layout and upgrade rules: store/LOG_FORMAT.md.
# Ordinals and union members are never renumbered or reused; retired ones stay, commented.
@0x9c2b319ffbb7e803;

$import "/capnp/c++.capnp".namespace("capstan::schema");

using Objects = import "objects.capnp";

# The kind of the object a record concerns; values equal messages::object_kind.
enum Kind {
  namespace @0;
  pod @1;
  replicationController @2;
  service @3;
  endpoints @4;
  node @5;
  event @6;
  resourceQuota @7;
  limitRange @8;
  role @9;
  clusterRole @10;
  roleBinding @11;
  clusterRoleBinding @12;
  secret @13;
  configMap @14;
  serviceAccount @15;
}

struct Created { object @0 :Objects.AnyObject; }
struct Updated { object @0 :Objects.AnyObject; }
struct Deleted { reason @0 :Text; }
struct PodBound { nodeName @0 :Text; }
struct PodStatusChanged { status @0 :Objects.PodStatus; }
struct RcScaled { from @0 :Int32; to @1 :Int32; }
struct RcStatusChanged { status @0 :Objects.ReplicationControllerStatus; }
struct LabelsChanged { labels @0 :List(Objects.KeyValue); }
struct NodeReadyChanged { ready @0 :Bool; reason @1 :Text; message @2 :Text; }
struct NodeStatusChanged { status @0 :Objects.NodeStatus; }
struct EndpointsChanged { subsets @0 :List(Objects.EndpointSubset); }
struct DeletionRequested { gracePeriodSeconds @0 :Int64; }

struct Record {
  seq @0 :UInt64;        # equals the key; checked on read
  timeNanos @1 :Int64;   # commit time, Unix epoch nanoseconds
  kind @2 :Kind;
  namespace @3 :Text;    # empty for cluster-scoped kinds
  name @4 :Text;
  uid @5 :Text;
  cause @6 :Text;        # who: an API user, or "system:<controller>"
  event :union {
    created @7 :Created;
    updated @8 :Updated;
    deleted @9 :Deleted;
    podBound @10 :PodBound;
    podStatusChanged @11 :PodStatusChanged;
    rcScaled @12 :RcScaled;
    rcStatusChanged @13 :RcStatusChanged;
    labelsChanged @14 :LabelsChanged;
    nodeReadyChanged @15 :NodeReadyChanged;
    nodeStatusChanged @16 :NodeStatusChanged;
    endpointsChanged @17 :EndpointsChanged;
    deletionRequested @18 :DeletionRequested;
  }
}

# A snapshot is the full state after `seq`, written as a manifest plus numbered chunks.
struct SnapshotManifest {
  seq @0 :UInt64;
  timeNanos @1 :Int64;
  chunkCount @2 :UInt32;
  objectCount @3 :UInt64;
}
struct SnapshotChunk { objects @0 :List(Objects.AnyObject); }
