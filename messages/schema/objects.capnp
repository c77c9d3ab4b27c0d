# capstan's object model on disk and on the wire: Kubernetes core/v1 objects.
#
# Field names equal the Kubernetes JSON names; messages/capnp_codec.cpp maps each C++ field
# list onto these by name. Rules (see store/LOG_FORMAT.md): ordinals are never renumbered or
# reused; a retired field stays here, commented; new fields take the next ordinal.
# Timestamps are Int64 seconds since the Unix epoch (0 = unset). Quantities are their text.
@0xa9fb2fdf0123c290;

$import "/capnp/c++.capnp".namespace("capstan::schema");

struct KeyValue { key @0 :Text; value @1 :Text; }
struct KeyData { key @0 :Text; value @1 :Data; }
struct IntOrString { isString @0 :Bool; intValue @1 :Int32; stringValue @2 :Text; }
# Presence wrappers for optional scalars (Kubernetes' *int32, *int64, *bool).
struct Int32Box { value @0 :Int32; }
struct Int64Box { value @0 :Int64; }
struct BoolBox { value @0 :Bool; }

struct OwnerReference {
  apiVersion @0 :Text; kind @1 :Text; name @2 :Text; uid @3 :Text; controller @4 :BoolBox;
}

struct ManagedFieldsEntry {
  manager @0 :Text; operation @1 :Text; apiVersion @2 :Text; time @3 :Int64; fieldsType @4 :Text;
  fieldsV1 @5 :Text;  # the FieldsV1 object as compact JSON text
  subresource @6 :Text;
}

struct ObjectMeta {
  name @0 :Text;
  generateName @1 :Text;
  namespace @2 :Text;
  uid @3 :Text;
  resourceVersion @4 :Text;
  generation @5 :Int64;
  creationTimestamp @6 :Int64;
  deletionTimestamp @7 :Int64;
  deletionGracePeriodSeconds @8 :Int64Box;
  labels @9 :List(KeyValue);
  annotations @10 :List(KeyValue);
  ownerReferences @11 :List(OwnerReference);
  managedFields @12 :List(ManagedFieldsEntry);
}

struct LocalObjectReference { name @0 :Text; }
struct ObjectReference {
  kind @0 :Text; namespace @1 :Text; name @2 :Text; uid @3 :Text; apiVersion @4 :Text;
  resourceVersion @5 :Text; fieldPath @6 :Text;
}

# ---- Pod ----------------------------------------------------------------------------------

struct ContainerPort {
  name @0 :Text; hostPort @1 :Int32; containerPort @2 :Int32; protocol @3 :Text; hostIP @4 :Text;
}
struct ObjectFieldSelector { apiVersion @0 :Text; fieldPath @1 :Text; }
struct KeySelector { name @0 :Text; key @1 :Text; optional @2 :BoolBox; }
struct EnvVarSource {
  fieldRef @0 :ObjectFieldSelector; configMapKeyRef @1 :KeySelector; secretKeyRef @2 :KeySelector;
}
struct EnvObjectRef { name @0 :Text; optional @1 :BoolBox; }
struct EnvFromSource { prefix @0 :Text; configMapRef @1 :EnvObjectRef; secretRef @2 :EnvObjectRef; }
struct EnvVar { name @0 :Text; value @1 :Text; valueFrom @2 :EnvVarSource; }
struct ResourceRequirements { limits @0 :List(KeyValue); requests @1 :List(KeyValue); }
struct VolumeMount { name @0 :Text; readOnly @1 :Bool; mountPath @2 :Text; subPath @3 :Text; }
struct ExecAction { command @0 :List(Text); }
struct HttpGetAction { path @0 :Text; port @1 :IntOrString; host @2 :Text; scheme @3 :Text; }
struct TcpSocketAction { port @0 :IntOrString; host @1 :Text; }
struct Probe {
  exec @0 :ExecAction;
  httpGet @1 :HttpGetAction;
  tcpSocket @2 :TcpSocketAction;
  initialDelaySeconds @3 :Int32;
  timeoutSeconds @4 :Int32;
  periodSeconds @5 :Int32;
  successThreshold @6 :Int32;
  failureThreshold @7 :Int32;
}

struct SleepAction { seconds @0 :Int64; }
struct LifecycleHandler {
  exec @0 :ExecAction; httpGet @1 :HttpGetAction; tcpSocket @2 :TcpSocketAction; sleep @3 :SleepAction;
}
struct Lifecycle { postStart @0 :LifecycleHandler; preStop @1 :LifecycleHandler; }

struct Container {
  name @0 :Text;
  image @1 :Text;
  command @2 :List(Text);
  args @3 :List(Text);
  workingDir @4 :Text;
  ports @5 :List(ContainerPort);
  env @6 :List(EnvVar);
  resources @7 :ResourceRequirements;
  volumeMounts @8 :List(VolumeMount);
  livenessProbe @9 :Probe;
  readinessProbe @10 :Probe;
  startupProbe @15 :Probe;  # added after tty: ordinals keep old journals readable
  terminationMessagePath @11 :Text;
  imagePullPolicy @12 :Text;
  stdin @13 :Bool;
  tty @14 :Bool;
  lifecycle @16 :Lifecycle;
  envFrom @17 :List(EnvFromSource);
}

struct EmptyDirVolumeSource { medium @0 :Text; sizeLimit @1 :Text; }
struct HostPathVolumeSource { path @0 :Text; type @1 :Text; }
struct NfsVolumeSource { server @0 :Text; path @1 :Text; readOnly @2 :Bool; }
struct KeyToPath { key @0 :Text; path @1 :Text; mode @2 :Int32Box; }
struct SecretVolumeSource {
  secretName @0 :Text; items @1 :List(KeyToPath); defaultMode @2 :Int32Box; optional @3 :BoolBox;
}
struct ConfigMapVolumeSource {
  name @0 :Text; items @1 :List(KeyToPath); defaultMode @2 :Int32Box; optional @3 :BoolBox;
}
struct Volume {
  name @0 :Text;
  emptyDir @1 :EmptyDirVolumeSource;
  hostPath @2 :HostPathVolumeSource;
  nfs @3 :NfsVolumeSource;
  secret @4 :SecretVolumeSource;
  configMap @5 :ConfigMapVolumeSource;
}

struct PodSpec {
  volumes @0 :List(Volume);
  containers @1 :List(Container);
  restartPolicy @2 :Text;
  terminationGracePeriodSeconds @3 :Int64Box;
  activeDeadlineSeconds @4 :Int64Box;
  dnsPolicy @5 :Text;
  nodeSelector @6 :List(KeyValue);
  serviceAccountName @7 :Text;
  nodeName @8 :Text;
  hostNetwork @9 :Bool;
  hostname @10 :Text;
  subdomain @11 :Text;
  automountServiceAccountToken @12 :BoolBox;
  imagePullSecrets @13 :List(LocalObjectReference);
  dnsConfig @14 :PodDnsConfig;
}
struct PodDnsConfigOption { name @0 :Text; value @1 :Text; }
struct PodDnsConfig {
  nameservers @0 :List(Text); searches @1 :List(Text); options @2 :List(PodDnsConfigOption);
}

struct PodCondition {
  type @0 :Text; status @1 :Text; lastProbeTime @2 :Int64; lastTransitionTime @3 :Int64;
  reason @4 :Text; message @5 :Text;
}
struct ContainerStateWaiting { reason @0 :Text; message @1 :Text; }
struct ContainerStateRunning { startedAt @0 :Int64; }
struct ContainerStateTerminated {
  exitCode @0 :Int32; signal @1 :Int32; reason @2 :Text; message @3 :Text; startedAt @4 :Int64;
  finishedAt @5 :Int64; containerID @6 :Text;
}
struct ContainerState {
  waiting @0 :ContainerStateWaiting;
  running @1 :ContainerStateRunning;
  terminated @2 :ContainerStateTerminated;
}
struct ContainerStatus {
  name @0 :Text; state @1 :ContainerState; lastState @2 :ContainerState; ready @3 :Bool;
  restartCount @4 :Int32; image @5 :Text; imageID @6 :Text; containerID @7 :Text;
}
struct PodStatus {
  phase @0 :Text;
  conditions @1 :List(PodCondition);
  message @2 :Text;
  reason @3 :Text;
  hostIP @4 :Text;
  podIP @5 :Text;
  startTime @6 :Int64;
  containerStatuses @7 :List(ContainerStatus);
}
struct Pod { metadata @0 :ObjectMeta; spec @1 :PodSpec; status @2 :PodStatus; }
struct PodTemplateSpec { metadata @0 :ObjectMeta; spec @1 :PodSpec; }

# ---- ReplicationController ----------------------------------------------------------------

struct ReplicationControllerSpec {
  replicas @0 :Int32Box; minReadySeconds @1 :Int32; selector @2 :List(KeyValue);
  template @3 :PodTemplateSpec;
}
struct ReplicationControllerStatus {
  replicas @0 :Int32; fullyLabeledReplicas @1 :Int32; readyReplicas @2 :Int32;
  availableReplicas @3 :Int32; observedGeneration @4 :Int64;
}
struct ReplicationController {
  metadata @0 :ObjectMeta; spec @1 :ReplicationControllerSpec;
  status @2 :ReplicationControllerStatus;
}

# ---- Service and Endpoints ----------------------------------------------------------------

struct ServicePort {
  name @0 :Text; protocol @1 :Text; port @2 :Int32; targetPort @3 :IntOrString; nodePort @4 :Int32;
}
struct ServiceSpec {
  type @0 :Text; ports @1 :List(ServicePort); selector @2 :List(KeyValue); clusterIP @3 :Text;
  externalIPs @4 :List(Text); sessionAffinity @5 :Text;
}
struct LoadBalancerIngress { ip @0 :Text; hostname @1 :Text; }
struct LoadBalancerStatus { ingress @0 :List(LoadBalancerIngress); }
struct ServiceStatus { loadBalancer @0 :LoadBalancerStatus; }
struct Service { metadata @0 :ObjectMeta; spec @1 :ServiceSpec; status @2 :ServiceStatus; }

struct EndpointAddress {
  ip @0 :Text; hostname @1 :Text; nodeName @2 :Text; targetRef @3 :ObjectReference;
}
struct EndpointPort { name @0 :Text; port @1 :Int32; protocol @2 :Text; }
struct EndpointSubset {
  addresses @0 :List(EndpointAddress); notReadyAddresses @1 :List(EndpointAddress);
  ports @2 :List(EndpointPort);
}
struct Endpoints { metadata @0 :ObjectMeta; subsets @1 :List(EndpointSubset); }

# ---- Node ---------------------------------------------------------------------------------

struct NodeSpec { podCIDR @0 :Text; providerID @1 :Text; unschedulable @2 :Bool; }
struct NodeCondition {
  type @0 :Text; status @1 :Text; lastHeartbeatTime @2 :Int64; lastTransitionTime @3 :Int64;
  reason @4 :Text; message @5 :Text;
}
struct NodeAddress { type @0 :Text; address @1 :Text; }
struct NodeSystemInfo {
  machineID @0 :Text; systemUUID @1 :Text; bootID @2 :Text; kernelVersion @3 :Text;
  osImage @4 :Text; containerRuntimeVersion @5 :Text; kubeletVersion @6 :Text;
  kubeProxyVersion @7 :Text; operatingSystem @8 :Text; architecture @9 :Text;
}
struct NodeStatus {
  capacity @0 :List(KeyValue); allocatable @1 :List(KeyValue); phase @2 :Text;
  conditions @3 :List(NodeCondition); addresses @4 :List(NodeAddress); nodeInfo @5 :NodeSystemInfo;
}
struct Node { metadata @0 :ObjectMeta; spec @1 :NodeSpec; status @2 :NodeStatus; }

# ---- Namespace, Event, ResourceQuota, LimitRange ------------------------------------------

struct NamespaceSpec { finalizers @0 :List(Text); }
struct NamespaceStatus { phase @0 :Text; }
struct Namespace { metadata @0 :ObjectMeta; spec @1 :NamespaceSpec; status @2 :NamespaceStatus; }

struct EventSource { component @0 :Text; host @1 :Text; }
struct Event {
  metadata @0 :ObjectMeta; involvedObject @1 :ObjectReference; reason @2 :Text; message @3 :Text;
  source @4 :EventSource; firstTimestamp @5 :Int64; lastTimestamp @6 :Int64; count @7 :Int32;
  type @8 :Text;
}

struct ResourceQuotaSpec { hard @0 :List(KeyValue); }
struct ResourceQuotaStatus { hard @0 :List(KeyValue); used @1 :List(KeyValue); }
struct ResourceQuota {
  metadata @0 :ObjectMeta; spec @1 :ResourceQuotaSpec; status @2 :ResourceQuotaStatus;
}

struct LimitRangeItem {
  type @0 :Text; max @1 :List(KeyValue); min @2 :List(KeyValue); default @3 :List(KeyValue);
  defaultRequest @4 :List(KeyValue); maxLimitRequestRatio @5 :List(KeyValue);
}
struct LimitRangeSpec { limits @0 :List(LimitRangeItem); }
struct LimitRange { metadata @0 :ObjectMeta; spec @1 :LimitRangeSpec; }

# ---- RBAC (rbac.authorization.k8s.io/v1) --------------------------------------------------

struct PolicyRule {
  verbs @0 :List(Text); apiGroups @1 :List(Text); resources @2 :List(Text);
  resourceNames @3 :List(Text); nonResourceURLs @4 :List(Text);
}
struct Role { metadata @0 :ObjectMeta; rules @1 :List(PolicyRule); }
struct RoleRef { apiGroup @0 :Text; kind @1 :Text; name @2 :Text; }
struct Subject { kind @0 :Text; apiGroup @1 :Text; name @2 :Text; namespace @3 :Text; }
struct RoleBinding { metadata @0 :ObjectMeta; subjects @1 :List(Subject); roleRef @2 :RoleRef; }

# ---- Secret, ConfigMap, ServiceAccount (core/v1) ------------------------------------------

# `data` is empty in the journal: `sealed` holds it encrypted (store/secret_sealing.hpp).
struct Secret {
  metadata @0 :ObjectMeta; immutable @1 :BoolBox; data @2 :List(KeyData);
  stringData @3 :List(KeyValue); type @4 :Text; sealed @5 :Data;
}
struct ConfigMap {
  metadata @0 :ObjectMeta; immutable @1 :BoolBox; data @2 :List(KeyValue);
  binaryData @3 :List(KeyData);
}
struct ServiceAccount {
  metadata @0 :ObjectMeta; secrets @1 :List(ObjectReference);
  imagePullSecrets @2 :List(LocalObjectReference); automountServiceAccountToken @3 :BoolBox;
}

# Any object; the member names are fixed by messages/capnp_codec.cpp's kind table.
struct AnyObject {
  union {
    namespace @0 :Namespace;
    pod @1 :Pod;
    replicationController @2 :ReplicationController;
    service @3 :Service;
    endpoints @4 :Endpoints;
    node @5 :Node;
    event @6 :Event;
    resourceQuota @7 :ResourceQuota;
    limitRange @8 :LimitRange;
    role @9 :Role;
    clusterRole @10 :Role;
    roleBinding @11 :RoleBinding;
    clusterRoleBinding @12 :RoleBinding;
    secret @13 :Secret;
    configMap @14 :ConfigMap;
    serviceAccount @15 :ServiceAccount;
  }
}
