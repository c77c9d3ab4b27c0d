// Descriptions of the core/v1 kinds besides pods and of the RBAC kinds
// (openapi_description_tables.hpp).
#include "api/detail/openapi_description_tables.hpp"

namespace capstan::api::detail {

namespace {

constexpr description table[] = {
    // ---- core/v1 ReplicationController ----
    {"ReplicationController", "",
     "ReplicationController represents the configuration of a replication controller."},
    {"ReplicationController", "metadata",
     "If the Labels of a ReplicationController are empty, they are defaulted to be the same as "
     "the Pod(s) that the replication controller manages. Standard object's metadata."},
    {"ReplicationController", "spec",
     "Spec defines the specification of the desired behavior of the replication controller."},
    {"ReplicationController", "status",
     "Status is the most recently observed status of the replication controller. This data may "
     "be out of date by some window of time. Populated by the system. Read-only."},
    {"ReplicationControllerSpec", "",
     "ReplicationControllerSpec is the specification of a replication controller."},
    {"ReplicationControllerSpec", "replicas",
     "Replicas is the number of desired replicas. This is a pointer to distinguish between "
     "explicit zero and unspecified. Defaults to 1."},
    {"ReplicationControllerSpec", "minReadySeconds",
     "Minimum number of seconds for which a newly created pod should be ready without any of "
     "its container crashing, for it to be considered available. Defaults to 0 (pod will be "
     "considered available as soon as it is ready)"},
    {"ReplicationControllerSpec", "selector",
     "Selector is a label query over pods that should match the Replicas count. If Selector is "
     "empty, it is defaulted to the labels present on the Pod template. Label keys and values "
     "that must match in order to be controlled by this replication controller."},
    {"ReplicationControllerSpec", "template",
     "Template is the object that describes the pod that will be created if insufficient "
     "replicas are detected."},
    {"ReplicationControllerStatus", "",
     "ReplicationControllerStatus represents the current status of a replication controller."},
    {"ReplicationControllerStatus", "replicas",
     "Replicas is the most recently observed number of replicas."},
    {"ReplicationControllerStatus", "fullyLabeledReplicas",
     "The number of pods that have labels matching the labels of the pod template of the "
     "replication controller."},
    {"ReplicationControllerStatus", "readyReplicas",
     "The number of ready replicas for this replication controller."},
    {"ReplicationControllerStatus", "availableReplicas",
     "The number of available replicas (ready for at least minReadySeconds) for this "
     "replication controller."},
    {"ReplicationControllerStatus", "observedGeneration",
     "ObservedGeneration reflects the generation of the most recently observed replication "
     "controller."},

    // ---- core/v1 Service and Endpoints ----
    {"Service", "",
     "Service is a named abstraction of software service (for example, mysql) consisting of "
     "local port (for example 3306) that the proxy listens on, and the selector that determines "
     "which pods will answer requests sent through the proxy."},
    {"Service", "spec", "Spec defines the behavior of a service."},
    {"Service", "status",
     "Most recently observed status of the service. Populated by the system. Read-only."},
    {"ServiceSpec", "", "ServiceSpec describes the attributes that a user creates on a service."},
    {"ServiceSpec", "type",
     "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
     "ClusterIP and NodePort. \"ClusterIP\" allocates a cluster-internal IP address for "
     "load-balancing to endpoints. \"NodePort\" builds on ClusterIP and allocates a port on "
     "every node which routes to the same endpoints as the clusterIP."},
    {"ServiceSpec", "ports", "The list of ports that are exposed by this service."},
    {"ServiceSpec", "selector",
     "Route service traffic to pods with label keys and values matching this selector. If "
     "empty or not present, the service is assumed to have an external process managing its "
     "endpoints, which Kubernetes will not modify."},
    {"ServiceSpec", "clusterIP",
     "clusterIP is the IP address of the service and is usually assigned randomly. If an "
     "address is specified manually, is in-range (as per system configuration), and is not in "
     "use, it will be allocated to the service; otherwise creation of the service will fail. "
     "\"None\" makes a headless service."},
    {"ServiceSpec", "externalIPs",
     "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
     "traffic for this service. These IPs are not managed by Kubernetes."},
    {"ServiceSpec", "sessionAffinity",
     "Supports \"ClientIP\" and \"None\". Used to maintain session affinity. Enable client IP "
     "based session affinity. Must be ClientIP or None. Defaults to None."},
    {"ServicePort", "", "ServicePort contains information on service's port."},
    {"ServicePort", "name",
     "The name of this port within the service. This must be a DNS_LABEL. All ports within a "
     "ServiceSpec must have unique names. Optional if only one ServicePort is defined on this "
     "service."},
    {"ServicePort", "protocol",
     "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP."},
    {"ServicePort", "port", "The port that will be exposed by this service."},
    {"ServicePort", "targetPort",
     "Number or name of the port to access on the pods targeted by the service. Number must be "
     "in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be "
     "looked up as a named port in the target Pod's container ports. If this is not specified, "
     "the value of the 'port' field is used (an identity map)."},
    {"ServicePort", "nodePort",
     "The port on each node on which this service is exposed when type is NodePort. Usually "
     "assigned by the system. If a value is specified, in-range (30000-32767), and not in use "
     "it will be used, otherwise the operation will fail. If not specified, a port will be "
     "allocated if this Service requires one."},
    {"ServiceStatus", "", "ServiceStatus represents the current status of a service."},
    {"ServiceStatus", "loadBalancer",
     "LoadBalancer contains the current status of the load-balancer, if one is present."},
    {"LoadBalancerStatus", "", "LoadBalancerStatus represents the status of a load-balancer."},
    {"LoadBalancerStatus", "ingress",
     "Ingress is a list containing ingress points for the load-balancer. Traffic intended for "
     "the service should be sent to these ingress points."},
    {"LoadBalancerIngress", "",
     "LoadBalancerIngress represents the status of a load-balancer ingress point: traffic "
     "intended for the service should be sent to an ingress point."},
    {"LoadBalancerIngress", "ip", "IP is set for load-balancer ingress points that are IP based."},
    {"LoadBalancerIngress", "hostname",
     "Hostname is set for load-balancer ingress points that are DNS based."},
    {"Endpoints", "", "Endpoints is a collection of endpoints that implement the actual service."},
    {"Endpoints", "subsets",
     "The set of all endpoints is the union of all subsets. Addresses are placed into subsets "
     "according to the IPs they share."},
    {"EndpointSubset", "",
     "EndpointSubset is a group of addresses with a common set of ports. The expanded set of "
     "endpoints is the Cartesian product of Addresses x Ports."},
    {"EndpointSubset", "addresses",
     "IP addresses which offer the related ports that are marked as ready. These endpoints "
     "should be considered safe for load balancers and clients to utilize."},
    {"EndpointSubset", "notReadyAddresses",
     "IP addresses which offer the related ports but are not currently marked as ready "
     "because they have not yet finished starting, have recently failed a readiness check, or "
     "have recently failed a liveness check."},
    {"EndpointSubset", "ports", "Port numbers available on the related IP addresses."},
    {"EndpointAddress", "", "EndpointAddress is a tuple that describes single IP address."},
    {"EndpointAddress", "ip", "The IP of this endpoint."},
    {"EndpointAddress", "hostname", "The Hostname of this endpoint"},
    {"EndpointAddress", "nodeName", "Optional: Node hosting this endpoint."},
    {"EndpointAddress", "targetRef", "Reference to object providing the endpoint."},
    {"EndpointPort", "", "EndpointPort is a tuple that describes a single port."},
    {"EndpointPort", "name",
     "The name of this port. This must match the 'name' field in the corresponding "
     "ServicePort."},
    {"EndpointPort", "port", "The port number of the endpoint."},
    {"EndpointPort", "protocol",
     "The IP protocol for this port. Must be UDP, TCP, or SCTP. Default is TCP."},
    {"ObjectReference", "",
     "ObjectReference contains enough information to let you inspect or modify the referred "
     "object."},
    {"ObjectReference", "kind", "Kind of the referent."},
    {"ObjectReference", "namespace", "Namespace of the referent."},
    {"ObjectReference", "name", "Name of the referent."},
    {"ObjectReference", "uid", "UID of the referent."},
    {"ObjectReference", "apiVersion", "API version of the referent."},
    {"ObjectReference", "resourceVersion",
     "Specific resourceVersion to which this reference is made, if any."},
    {"ObjectReference", "fieldPath",
     "If referring to a piece of an object instead of an entire object, this string should "
     "contain a valid JSON/Go field access statement, such as "
     "desiredState.manifest.containers[2]."},

    // ---- core/v1 Node ----
    {"Node", "",
     "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache "
     "(i.e. in etcd)."},
    {"Node", "spec", "Spec defines the behavior of a node."},
    {"Node", "status",
     "Most recently observed status of the node. Populated by the system. Read-only."},
    {"NodeSpec", "", "NodeSpec describes the attributes that a node is created with."},
    {"NodeSpec", "podCIDR", "PodCIDR represents the pod IP range assigned to the node."},
    {"NodeSpec", "providerID",
     "ID of the node assigned by the cloud provider in the format: "
     "<ProviderName>://<ProviderSpecificNodeID>"},
    {"NodeSpec", "unschedulable",
     "Unschedulable controls node schedulability of new pods. By default, node is "
     "schedulable."},
    {"NodeStatus", "", "NodeStatus is information about the current status of a node."},
    {"NodeStatus", "capacity", "Capacity represents the total resources of a node."},
    {"NodeStatus", "allocatable",
     "Allocatable represents the resources of a node that are available for scheduling. "
     "Defaults to Capacity."},
    {"NodeStatus", "phase",
     "NodePhase is the recently observed lifecycle phase of the node. The field is never "
     "populated, and now is deprecated."},
    {"NodeStatus", "conditions", "Conditions is an array of current observed node conditions."},
    {"NodeStatus", "addresses", "List of addresses reachable to the node."},
    {"NodeStatus", "nodeInfo", "Set of ids/uuids to uniquely identify the node."},
    {"NodeCondition", "", "NodeCondition contains condition information for a node."},
    {"NodeCondition", "type", "Type of node condition."},
    {"NodeCondition", "status", "Status of the condition, one of True, False, Unknown."},
    {"NodeCondition", "lastHeartbeatTime", "Last time we got an update on a given condition."},
    {"NodeCondition", "lastTransitionTime",
     "Last time the condition transit from one status to another."},
    {"NodeCondition", "reason", "(brief) reason for the condition's last transition."},
    {"NodeCondition", "message",
     "Human readable message indicating details about last transition."},
    {"NodeAddress", "", "NodeAddress contains information for the node's address."},
    {"NodeAddress", "type", "Node address type, one of Hostname, ExternalIP or InternalIP."},
    {"NodeAddress", "address", "The node address."},
    {"NodeSystemInfo", "", "NodeSystemInfo is a set of ids/uuids to uniquely identify the node."},
    {"NodeSystemInfo", "machineID", "MachineID reported by the node."},
    {"NodeSystemInfo", "systemUUID", "SystemUUID reported by the node."},
    {"NodeSystemInfo", "bootID", "Boot ID reported by the node."},
    {"NodeSystemInfo", "kernelVersion",
     "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."},
    {"NodeSystemInfo", "osImage",
     "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."},
    {"NodeSystemInfo", "containerRuntimeVersion", "ContainerRuntime Version reported by the node."},
    {"NodeSystemInfo", "kubeletVersion", "Kubelet Version reported by the node."},
    {"NodeSystemInfo", "kubeProxyVersion", "KubeProxy Version reported by the node."},
    {"NodeSystemInfo", "operatingSystem", "The Operating System reported by the node"},
    {"NodeSystemInfo", "architecture", "The Architecture reported by the node"},

    // ---- core/v1 Namespace, ResourceQuota, LimitRange, Event ----
    {"Namespace", "",
     "Namespace provides a scope for Names. Use of multiple namespaces is optional."},
    {"Namespace", "spec", "Spec defines the behavior of the Namespace."},
    {"Namespace", "status", "Status describes the current status of a Namespace."},
    {"NamespaceSpec", "", "NamespaceSpec describes the attributes on a Namespace."},
    {"NamespaceSpec", "finalizers",
     "Finalizers is an opaque list of values that must be empty to permanently remove object "
     "from storage."},
    {"NamespaceStatus", "",
     "NamespaceStatus is information about the current status of a Namespace."},
    {"NamespaceStatus", "phase",
     "Phase is the current lifecycle phase of the namespace: Active or Terminating."},
    {"ResourceQuota", "", "ResourceQuota sets aggregate quota restrictions enforced per namespace"},
    {"ResourceQuota", "spec", "Spec defines the desired quota."},
    {"ResourceQuota", "status", "Status defines the actual enforced quota and its current usage."},
    {"ResourceQuotaSpec", "",
     "ResourceQuotaSpec defines the desired hard limits to enforce for Quota."},
    {"ResourceQuotaSpec", "hard",
     "hard is the set of desired hard limits for each named resource."},
    {"ResourceQuotaStatus", "",
     "ResourceQuotaStatus defines the enforced hard limits and observed use."},
    {"ResourceQuotaStatus", "hard",
     "Hard is the set of enforced hard limits for each named resource."},
    {"ResourceQuotaStatus", "used",
     "Used is the current observed total usage of the resource in the namespace."},
    {"LimitRange", "",
     "LimitRange sets resource usage limits for each kind of resource in a Namespace."},
    {"LimitRange", "spec", "Spec defines the limits enforced."},
    {"LimitRangeSpec", "",
     "LimitRangeSpec defines a min/max usage limit for resources that match on kind."},
    {"LimitRangeSpec", "limits", "Limits is the list of LimitRangeItem objects that are enforced."},
    {"LimitRangeItem", "",
     "LimitRangeItem defines a min/max usage limit for any resource that matches on kind."},
    {"LimitRangeItem", "type", "Type of resource that this limit applies to: Pod or Container."},
    {"LimitRangeItem", "max", "Max usage constraints on this kind by resource name."},
    {"LimitRangeItem", "min", "Min usage constraints on this kind by resource name."},
    {"LimitRangeItem", "default",
     "Default resource requirement limit value by resource name if resource limit is omitted."},
    {"LimitRangeItem", "defaultRequest",
     "DefaultRequest is the default resource requirement request value by resource name if "
     "resource request is omitted."},
    {"LimitRangeItem", "maxLimitRequestRatio",
     "MaxLimitRequestRatio if specified, the named resource must have a request and limit that "
     "are both non-zero where limit divided by request is less than or equal to the enumerated "
     "value."},
    {"Event", "",
     "Event is a report of an event somewhere in the cluster. Events have a limited retention "
     "time and triggers and messages may evolve with time."},
    {"Event", "involvedObject", "The object that this event is about."},
    {"Event", "reason",
     "This should be a short, machine understandable string that gives the reason for the "
     "transition into the object's current status."},
    {"Event", "message", "A human-readable description of the status of this operation."},
    {"Event", "source",
     "The component reporting this event. Should be a short machine understandable string."},
    {"Event", "firstTimestamp",
     "The time at which the event was first recorded. (Time of server receipt is in "
     "TypeMeta.)"},
    {"Event", "lastTimestamp",
     "The time at which the most recent occurrence of this event was recorded."},
    {"Event", "count", "The number of times this event has occurred."},
    {"Event", "type",
     "Type of this event (Normal, Warning), new types could be added in the future"},
    {"EventSource", "", "EventSource contains information for an event."},
    {"EventSource", "component", "Component from which the event is generated."},
    {"EventSource", "host", "Node name on which the event is generated."},

    // ---- rbac.authorization.k8s.io/v1 ----
    {"Role", "",
     "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by "
     "a RoleBinding."},
    {"Role", "metadata", "Standard object's metadata."},
    {"Role", "rules", "Rules holds all the PolicyRules for this Role"},
    {"ClusterRole", "",
     "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as "
     "a unit by a RoleBinding or ClusterRoleBinding."},
    {"ClusterRole", "metadata", "Standard object's metadata."},
    {"ClusterRole", "rules", "Rules holds all the PolicyRules for this ClusterRole"},
    {"PolicyRule", "",
     "PolicyRule holds information that describes a policy rule, but does not contain "
     "information about who the rule applies to or which namespace the rule applies to."},
    {"PolicyRule", "verbs",
     "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' "
     "represents all verbs."},
    {"PolicyRule", "apiGroups",
     "APIGroups is the name of the APIGroup that contains the resources. If multiple API groups "
     "are specified, any action requested against one of the enumerated resources in any API "
     "group will be allowed. \"\" represents the core API group and \"*\" represents all API "
     "groups."},
    {"PolicyRule", "resources",
     "Resources is a list of resources this rule applies to. '*' represents all resources."},
    {"PolicyRule", "resourceNames",
     "ResourceNames is an optional white list of names that the rule applies to. An empty set "
     "means that everything is allowed."},
    {"PolicyRule", "nonResourceURLs",
     "NonResourceURLs is a set of partial urls that a user should have access to. *s are "
     "allowed, but only as the full, final step in the path. Rules can either apply to API "
     "resources (such as \"pods\" or \"secrets\") or non-resource URL paths (such as "
     "\"/api\"), but not both."},
    {"RoleBinding", "",
     "RoleBinding references a role, but does not contain it. It can reference a Role in the "
     "same namespace or a ClusterRole in the global namespace. It adds who information via "
     "Subjects and namespace information by which namespace it exists in. RoleBindings in a "
     "given namespace only have effect in that namespace."},
    {"RoleBinding", "metadata", "Standard object's metadata."},
    {"RoleBinding", "subjects", "Subjects holds references to the objects the role applies to."},
    {"RoleBinding", "roleRef",
     "RoleRef can reference a Role in the current namespace or a ClusterRole in the global "
     "namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This "
     "field is immutable."},
    {"ClusterRoleBinding", "",
     "ClusterRoleBinding references a ClusterRole, but not contain it. It can reference a "
     "ClusterRole in the global namespace, and adds who information via Subject."},
    {"ClusterRoleBinding", "metadata", "Standard object's metadata."},
    {"ClusterRoleBinding", "subjects",
     "Subjects holds references to the objects the role applies to."},
    {"ClusterRoleBinding", "roleRef",
     "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be "
     "resolved, the Authorizer must return an error. This field is immutable."},
    {"RoleRef", "", "RoleRef contains information that points to the role being used"},
    {"RoleRef", "apiGroup", "APIGroup is the group for the resource being referenced"},
    {"RoleRef", "kind", "Kind is the type of resource being referenced"},
    {"RoleRef", "name", "Name is the name of resource being referenced"},
    {"Subject", "",
     "Subject contains a reference to the object or user identities a role binding applies to. "
     "This can either hold a direct API object reference, or a value for non-objects such as "
     "user and group names."},
    {"Subject", "kind",
     "Kind of object being referenced. Values defined by this API group are \"User\", "
     "\"Group\", and \"ServiceAccount\"."},
    {"Subject", "apiGroup",
     "APIGroup holds the API group of the referenced subject. Defaults to \"\" for "
     "ServiceAccount subjects. Defaults to \"rbac.authorization.k8s.io\" for User and Group "
     "subjects."},
    {"Subject", "name", "Name of the object being referenced."},
    {"Subject", "namespace",
     "Namespace of the referenced object. If the object kind is non-namespace, such as \"User\" "
     "or \"Group\", and this value is not empty the Authorizer should report an error."},
};

}  // namespace

description_table cluster_descriptions() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace capstan::api::detail
