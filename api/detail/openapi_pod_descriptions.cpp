// Descriptions of the Pod and its parts (openapi_description_tables.hpp).
#include "api/detail/openapi_description_tables.hpp"

namespace capstan::api::detail {

namespace {

constexpr description table[] = {
    // ---- core/v1 Pod ----
    {"Pod", "",
     "Pod is a collection of containers that can run on a host. This resource is created by "
     "clients and scheduled onto hosts."},
    {"Pod", "spec", "Specification of the desired behavior of the pod."},
    {"Pod", "status",
     "Most recently observed status of the pod. This data may not be up to date. Populated by "
     "the system. Read-only."},
    {"PodSpec", "", "PodSpec is a description of a pod."},
    {"PodSpec", "volumes",
     "List of volumes that can be mounted by containers belonging to the pod."},
    {"PodSpec", "containers",
     "List of containers belonging to the pod. Containers cannot currently be added or removed. "
     "There must be at least one container in a Pod. Cannot be updated."},
    {"PodSpec", "restartPolicy",
     "Restart policy for all containers within the pod. One of Always, OnFailure, Never. "
     "Default to Always."},
    {"PodSpec", "terminationGracePeriodSeconds",
     "Optional duration in seconds the pod needs to terminate gracefully. May be decreased in "
     "delete request. Value must be non-negative integer. The value zero indicates stop "
     "immediately via the kill signal (no opportunity to shut down)."},
    {"PodSpec", "activeDeadlineSeconds",
     "Optional duration in seconds the pod may be active on the node relative to StartTime "
     "before the system will actively try to mark it failed and kill associated containers. "
     "Value must be a positive integer."},
    {"PodSpec", "dnsPolicy",
     "Set DNS policy for the pod. Defaults to \"ClusterFirst\". Valid values are "
     "'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'."},
    {"PodSpec", "nodeSelector",
     "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
     "which must match a node's labels for the pod to be scheduled on that node."},
    {"PodSpec", "serviceAccountName",
     "ServiceAccountName is the name of the ServiceAccount to use to run this pod."},
    {"PodSpec", "nodeName",
     "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the "
     "scheduler simply schedules this pod onto that node, assuming that it fits resource "
     "requirements."},
    {"PodSpec", "hostNetwork",
     "Host networking requested for this pod. Use the host's network namespace. If this option "
     "is set, the ports that will be used must be specified. Default to false."},
    {"PodSpec", "dnsConfig",
     "Specifies the DNS parameters of a pod. Parameters specified here will be merged to the "
     "generated DNS configuration based on DNSPolicy."},
    {"PodDNSConfig", "",
     "PodDNSConfig defines the DNS parameters of a pod in addition to those generated from "
     "DNSPolicy."},
    {"PodDNSConfig", "nameservers",
     "A list of DNS name server IP addresses. This will be appended to the base nameservers "
     "generated from DNSPolicy. Duplicated nameservers will be removed."},
    {"PodDNSConfig", "searches",
     "A list of DNS search domains for host-name lookup. This will be appended to the base "
     "search paths generated from DNSPolicy. Duplicated search paths will be removed."},
    {"PodDNSConfig", "options",
     "A list of DNS resolver options. This will be merged with the base options generated from "
     "DNSPolicy. Duplicated entries will be removed. Resolution options given in Options will "
     "override those that appear in the base DNSPolicy."},
    {"PodDNSConfigOption", "", "PodDNSConfigOption defines DNS resolver options of a pod."},
    {"PodDNSConfigOption", "name", "Name is this DNS resolver option's name. Required."},
    {"PodDNSConfigOption", "value", "Value is this DNS resolver option's value."},
    {"PodSpec", "hostname",
     "Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a "
     "system-defined value."},
    {"PodSpec", "subdomain",
     "If specified, the fully qualified Pod hostname will be \"<hostname>.<subdomain>.<pod "
     "namespace>.svc.<cluster domain>\". If not specified, the pod will not have a domainname "
     "at all."},
    {"Container", "", "A single application container that you want to run within a pod."},
    {"Container", "name",
     "Name of the container specified as a DNS_LABEL. Each container in a pod must have a "
     "unique name (DNS_LABEL). Cannot be updated."},
    {"Container", "image", "Container image name."},
    {"Container", "command",
     "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used "
     "if this is not provided. Cannot be updated."},
    {"Container", "args",
     "Arguments to the entrypoint. The container image's CMD is used if this is not provided. "
     "Cannot be updated."},
    {"Container", "workingDir",
     "Container's working directory. If not specified, the container runtime's default will be "
     "used, which might be configured in the container image. Cannot be updated."},
    {"Container", "ports",
     "List of ports to expose from the container. Not specifying a port here DOES NOT prevent "
     "that port from being exposed. Cannot be updated."},
    {"Container", "env",
     "List of environment variables to set in the container. Cannot be updated."},
    {"Container", "resources",
     "Compute Resources required by this container: limits and requests of cpu and memory. "
     "Cannot be updated."},
    {"Container", "volumeMounts",
     "Pod volumes to mount into the container's filesystem. Cannot be updated."},
    {"Container", "livenessProbe",
     "Periodic probe of container liveness. Container will be restarted if the probe fails. "
     "Cannot be updated."},
    {"Container", "readinessProbe",
     "Periodic probe of container service readiness. Container will be removed from service "
     "endpoints if the probe fails. Cannot be updated."},
    {"Container", "lifecycle",
     "Actions that the management system should take in response to container lifecycle "
     "events. Cannot be updated."},
    {"Lifecycle", "postStart",
     "PostStart is called immediately after a container is created. If the handler fails, the "
     "container is terminated and restarted according to its restart policy."},
    {"Lifecycle", "preStop",
     "PreStop is called immediately before a container is terminated due to an API request. "
     "The handler runs to completion or until the termination grace period is over, then the "
     "container receives SIGTERM; SIGKILL follows at the end of the grace period."},
    {"LifecycleHandler", "exec", "Exec specifies the action to take."},
    {"LifecycleHandler", "httpGet", "HTTPGet specifies the http request to perform."},
    {"LifecycleHandler", "tcpSocket", "TCPSocket: a connection to the port counts as success."},
    {"LifecycleHandler", "sleep", "Sleep represents the duration that the container should sleep "
     "before being terminated."},
    {"SleepAction", "seconds", "Seconds is the number of seconds to sleep."},
    {"Container", "terminationMessagePath",
     "Optional: Path at which the file to which the container's termination message will be "
     "written is mounted into the container's filesystem. Defaults to /dev/termination-log. "
     "Cannot be updated."},
    {"Container", "imagePullPolicy",
     "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag "
     "is specified, or IfNotPresent otherwise. Cannot be updated."},
    {"Container", "stdin",
     "Whether this container should allocate a buffer for stdin in the container runtime. If "
     "this is not set, reads from stdin in the container will always result in EOF. Default is "
     "false."},
    {"Container", "tty",
     "Whether this container should allocate a TTY for itself, also requires 'stdin' to be "
     "true. Default is false."},
    {"ContainerPort", "", "ContainerPort represents a network port in a single container."},
    {"ContainerPort", "name",
     "If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in "
     "a pod must have a unique name. Name for the port that can be referred to by services."},
    {"ContainerPort", "hostPort",
     "Number of port to expose on the host. If specified, this must be a valid port number, "
     "0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most "
     "containers do not need this."},
    {"ContainerPort", "containerPort",
     "Number of port to expose on the pod's IP address. This must be a valid port number, "
     "0 < x < 65536."},
    {"ContainerPort", "protocol",
     "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"."},
    {"ContainerPort", "hostIP", "What host IP to bind the external port to."},
    {"EnvVar", "", "EnvVar represents an environment variable present in a Container."},
    {"EnvVar", "name", "Name of the environment variable. Must be a C_IDENTIFIER."},
    {"EnvVar", "value",
     "Variable references $(VAR_NAME) are expanded using the previously defined environment "
     "variables in the container and any service environment variables. Defaults to \"\"."},
    {"EnvVar", "valueFrom",
     "Source for the environment variable's value. Cannot be used if value is not empty."},
    {"EnvVarSource", "", "EnvVarSource represents a source for the value of an EnvVar."},
    {"EnvVarSource", "fieldRef",
     "Selects a field of the pod: supports metadata.name, metadata.namespace, spec.nodeName, "
     "spec.serviceAccountName, status.hostIP, status.podIP."},
    {"ObjectFieldSelector", "", "ObjectFieldSelector selects an APIVersioned field of an object."},
    {"ObjectFieldSelector", "apiVersion",
     "Version of the schema the FieldPath is written in terms of, defaults to \"v1\"."},
    {"ObjectFieldSelector", "fieldPath",
     "Path of the field to select in the specified API version."},
    {"ResourceRequirements", "",
     "ResourceRequirements describes the compute resource requirements."},
    {"ResourceRequirements", "limits",
     "Limits describes the maximum amount of compute resources allowed."},
    {"ResourceRequirements", "requests",
     "Requests describes the minimum amount of compute resources required. If Requests is "
     "omitted for a container, it defaults to Limits if that is explicitly specified, otherwise "
     "to an implementation-defined value."},
    {"VolumeMount", "", "VolumeMount describes a mounting of a Volume within a container."},
    {"VolumeMount", "name", "This must match the Name of a Volume."},
    {"VolumeMount", "readOnly",
     "Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to "
     "false."},
    {"VolumeMount", "mountPath",
     "Path within the container at which the volume should be mounted. Must not contain ':'."},
    {"VolumeMount", "subPath",
     "Path within the volume from which the container's volume should be mounted. Defaults to "
     "\"\" (volume's root)."},
    {"Probe", "",
     "Probe describes a health check to be performed against a container to determine whether "
     "it is alive or ready to receive traffic."},
    {"Probe", "exec", "Exec specifies the action to take."},
    {"Probe", "httpGet", "HTTPGet specifies the http request to perform."},
    {"Probe", "tcpSocket", "TCPSocket specifies an action involving a TCP port."},
    {"Probe", "initialDelaySeconds",
     "Number of seconds after the container has started before liveness probes are "
     "initiated."},
    {"Probe", "timeoutSeconds",
     "Number of seconds after which the probe times out. Defaults to 1 second. Minimum value "
     "is 1."},
    {"Probe", "periodSeconds",
     "How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1."},
    {"Probe", "successThreshold",
     "Minimum consecutive successes for the probe to be considered successful after having "
     "failed. Defaults to 1. Must be 1 for liveness. Minimum value is 1."},
    {"Probe", "failureThreshold",
     "Minimum consecutive failures for the probe to be considered failed after having "
     "succeeded. Defaults to 3. Minimum value is 1."},
    {"ExecAction", "", "ExecAction describes a \"run in container\" action."},
    {"ExecAction", "command",
     "Command is the command line to execute inside the container. The command is simply "
     "exec'd, it is not run inside a shell. Exit status of 0 is treated as live/healthy and "
     "non-zero is unhealthy."},
    {"HTTPGetAction", "", "HTTPGetAction describes an action based on HTTP Get requests."},
    {"HTTPGetAction", "path", "Path to access on the HTTP server."},
    {"HTTPGetAction", "port",
     "Name or number of the port to access on the container. Number must be in the range 1 to "
     "65535. Name must be an IANA_SVC_NAME."},
    {"HTTPGetAction", "host", "Host name to connect to, defaults to the pod IP."},
    {"HTTPGetAction", "scheme", "Scheme to use for connecting to the host. Defaults to HTTP."},
    {"TCPSocketAction", "", "TCPSocketAction describes an action based on opening a socket."},
    {"TCPSocketAction", "port",
     "Number or name of the port to access on the container. Number must be in the range 1 to "
     "65535. Name must be an IANA_SVC_NAME."},
    {"TCPSocketAction", "host", "Optional: Host name to connect to, defaults to the pod IP."},
    {"Volume", "",
     "Volume represents a named volume in a pod that may be accessed by any container in the "
     "pod."},
    {"Volume", "name", "name of the volume. Must be a DNS_LABEL and unique within the pod."},
    {"Volume", "emptyDir",
     "emptyDir represents a temporary directory that shares a pod's lifetime."},
    {"Volume", "hostPath",
     "hostPath represents a pre-existing file or directory on the host machine that is "
     "directly exposed to the container."},
    {"Volume", "nfs", "nfs represents an NFS mount on the host that shares a pod's lifetime."},
    {"EmptyDirVolumeSource", "", "Represents an empty directory for a pod."},
    {"EmptyDirVolumeSource", "medium",
     "medium represents what type of storage medium should back this directory. The default is "
     "\"\" which means to use the node's default medium. Must be an empty string (default) or "
     "Memory."},
    {"EmptyDirVolumeSource", "sizeLimit",
     "sizeLimit is the total amount of local storage required for this EmptyDir volume."},
    {"HostPathVolumeSource", "", "Represents a host path mapped into a pod."},
    {"HostPathVolumeSource", "path",
     "path of the directory on the host. If the path is a symlink, it will follow the link to "
     "the real path."},
    {"HostPathVolumeSource", "type", "type for HostPath Volume. Defaults to \"\"."},
    {"NFSVolumeSource", "", "Represents an NFS mount that lasts the lifetime of a pod."},
    {"NFSVolumeSource", "server", "server is the hostname or IP address of the NFS server."},
    {"NFSVolumeSource", "path", "path that is exported by the NFS server."},
    {"NFSVolumeSource", "readOnly",
     "readOnly here will force the NFS export to be mounted with read-only permissions. "
     "Defaults to false."},
    {"PodStatus", "",
     "PodStatus represents information about the status of a pod. Status may trail the actual "
     "state of a system."},
    {"PodStatus", "phase",
     "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: "
     "Pending, Running, Succeeded, Failed or Unknown."},
    {"PodStatus", "conditions", "Current service state of pod."},
    {"PodStatus", "message",
     "A human readable message indicating details about why the pod is in this condition."},
    {"PodStatus", "reason",
     "A brief CamelCase message indicating details about why the pod is in this state. e.g. "
     "'Evicted'"},
    {"PodStatus", "hostIP",
     "IP address of the host to which the pod is assigned. Empty if not yet scheduled."},
    {"PodStatus", "podIP",
     "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
     "allocated."},
    {"PodStatus", "startTime",
     "RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is "
     "before the Kubelet pulled the container image(s) for the pod."},
    {"PodStatus", "containerStatuses", "The list has one entry per container in the manifest."},
    {"PodCondition", "", "PodCondition contains details for the current condition of this pod."},
    {"PodCondition", "type",
     "Type is the type of the condition: PodScheduled, Initialized, ContainersReady or Ready."},
    {"PodCondition", "status",
     "Status is the status of the condition. Can be True, False, Unknown."},
    {"PodCondition", "lastProbeTime", "Last time we probed the condition."},
    {"PodCondition", "lastTransitionTime",
     "Last time the condition transitioned from one status to another."},
    {"PodCondition", "reason",
     "Unique, one-word, CamelCase reason for the condition's last transition."},
    {"PodCondition", "message", "Human-readable message indicating details about last transition."},
    {"ContainerStatus", "",
     "ContainerStatus contains details for the current status of this container."},
    {"ContainerStatus", "name",
     "This must be a DNS_LABEL. Each container in a pod must have a unique name. Cannot be "
     "updated."},
    {"ContainerStatus", "state", "Details about the container's current condition."},
    {"ContainerStatus", "lastState", "Details about the container's last termination condition."},
    {"ContainerStatus", "ready", "Specifies whether the container has passed its readiness probe."},
    {"ContainerStatus", "restartCount", "The number of times the container has been restarted."},
    {"ContainerStatus", "image", "The image the container is running."},
    {"ContainerStatus", "imageID", "ImageID of the container's image."},
    {"ContainerStatus", "containerID", "Container's ID in the format '<type>://<container_id>'."},
    {"ContainerState", "",
     "ContainerState holds a possible state of container. Only one of its members may be "
     "specified. If none of them is specified, the default one is ContainerStateWaiting."},
    {"ContainerState", "waiting", "Details about a waiting container"},
    {"ContainerState", "running", "Details about a running container"},
    {"ContainerState", "terminated", "Details about a terminated container"},
    {"ContainerStateWaiting", "", "ContainerStateWaiting is a waiting state of a container."},
    {"ContainerStateWaiting", "reason", "(brief) reason the container is not yet running."},
    {"ContainerStateWaiting", "message", "Message regarding why the container is not yet running."},
    {"ContainerStateRunning", "", "ContainerStateRunning is a running state of a container."},
    {"ContainerStateRunning", "startedAt", "Time at which the container was last (re-)started"},
    {"ContainerStateTerminated", "",
     "ContainerStateTerminated is a terminated state of a container."},
    {"ContainerStateTerminated", "exitCode",
     "Exit status from the last termination of the container"},
    {"ContainerStateTerminated", "signal", "Signal from the last termination of the container"},
    {"ContainerStateTerminated", "reason",
     "(brief) reason from the last termination of the container"},
    {"ContainerStateTerminated", "message",
     "Message regarding the last termination of the container"},
    {"ContainerStateTerminated", "startedAt",
     "Time at which previous execution of the container started"},
    {"ContainerStateTerminated", "finishedAt", "Time at which the container last terminated"},
    {"ContainerStateTerminated", "containerID",
     "Container's ID in the format '<type>://<container_id>'"},
    {"PodTemplateSpec", "",
     "PodTemplateSpec describes the data a pod should have when created from a template"},
    {"PodTemplateSpec", "spec", "Specification of the desired behavior of the pod."},
};

}  // namespace

description_table pod_descriptions() { return {table, sizeof table / sizeof table[0]}; }

}  // namespace capstan::api::detail
