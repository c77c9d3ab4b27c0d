// Tests messages/validation.cpp and messages/name_rules.cpp with tables of good and bad
// manifests, each taken through the whole pipeline: decode, default, validate.
#include <boost/test/unit_test.hpp>

#include "messages/manifest.hpp"
#include "messages/name_rules.hpp"

using namespace capstan::messages;

namespace {

const std::string long_label = std::string(64, 'a');
const std::string max_label = std::string(63, 'a');

std::string pod_yaml(const std::string& container_extra, const std::string& spec_extra = "",
                     const std::string& name = "p") {
  return "{apiVersion: v1, kind: Pod, metadata: {name: " + name +
         "}, spec: {containers: [{name: c, image: busybox" + container_extra + "}]" + spec_extra +
         "}}";
}

std::string service_yaml(const std::string& spec, const std::string& name = "svc") {
  return "{apiVersion: v1, kind: Service, metadata: {name: " + name + "}, spec: {" + spec + "}}";
}

std::string rc_yaml(const std::string& spec_extra, const std::string& selector = "{app: web}",
                    const std::string& template_labels = "{app: web}") {
  return "{apiVersion: v1, kind: ReplicationController, metadata: {name: web}, spec: {selector: " +
         selector + ", template: {metadata: {labels: " + template_labels +
         "}, spec: {containers: [{name: c, image: nginx}]}}" + spec_extra + "}}";
}

manifest_set check(const std::string& yaml) {
  manifest_set set;
  parse_manifest(yaml, "case.yaml", set);
  return set;
}

struct bad_case {
  std::string what;
  std::string yaml;
  std::string field;  // the field path the error must name
};

}  // namespace

const std::string rbac = "apiVersion: rbac.authorization.k8s.io/v1, ";

std::string role_yaml(const std::string& rules, const std::string& kind = "Role",
                      const std::string& name = "r") {
  return "{" + rbac + "kind: " + kind + ", metadata: {name: '" + name + "'}, rules: [" + rules +
         "]}";
}

std::string binding_yaml(const std::string& subjects, const std::string& role_ref,
                         const std::string& kind = "RoleBinding") {
  return "{" + rbac + "kind: " + kind + ", metadata: {name: b}, subjects: [" + subjects +
         "], roleRef: {" + role_ref + "}}";
}

std::string secret_yaml(const std::string& body, const std::string& name = "s") {
  return "{apiVersion: v1, kind: Secret, metadata: {name: " + name + "}, " + body + "}";
}

std::string config_map_yaml(const std::string& body) {
  return "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, " + body + "}";
}

BOOST_AUTO_TEST_CASE(good_inputs_are_accepted) {
  const std::vector<std::pair<std::string, std::string>> good = {
      {"opaque secret with base64 data and stringData",
       secret_yaml("data: {password: aHVudGVyMg==, .hidden: eA==}, stringData: {user: app}")},
      {"docker-registry secret",
       secret_yaml("type: kubernetes.io/dockerconfigjson, data: {.dockerconfigjson: e30=}")},
      {"tls secret", secret_yaml("type: kubernetes.io/tls, data: {tls.crt: eA==, tls.key: eA==}")},
      {"immutable secret", secret_yaml("immutable: true, data: {k: eA==}")},
      // 1 MiB of values in all: the keys do not count, as in Kubernetes.
      {"secret with exactly 1 MiB of values",
       secret_yaml("stringData: {a: " + std::string(512 * 1024, 'x') + ", b: " +
                   std::string(512 * 1024, 'y') + "}")},
      {"config map with data and binaryData",
       config_map_yaml("data: {app.conf: 'x=1', LOG_LEVEL: debug}, binaryData: {logo: iVBORw==}")},
      {"service account with image pull secrets",
       "{apiVersion: v1, kind: ServiceAccount, metadata: {name: builder}, imagePullSecrets: "
       "[{name: regcred}], automountServiceAccountToken: false}"},
      {"pod with env from secrets and config maps",
       pod_yaml(", env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}, {name: B, "
                "valueFrom: {configMapKeyRef: {name: c, key: k, optional: true}}}], envFrom: "
                "[{prefix: P_, secretRef: {name: s}}, {configMapRef: {name: c}}]")},
      {"pod with secret and configMap volumes",
       pod_yaml(", volumeMounts: [{name: s, mountPath: /s}, {name: c, mountPath: /c}]",
                ", volumes: [{name: s, secret: {secretName: s, defaultMode: 0400, items: [{key: "
                "k, path: a/b, mode: 0440}]}}, {name: c, configMap: {name: c}}], "
                "imagePullSecrets: [{name: regcred}]")},
      {"pod with dnsPolicy None and a dnsConfig",
       pod_yaml("", ", dnsPolicy: None, dnsConfig: {nameservers: [1.1.1.1], searches: "
                    "[corp.example., a.b], options: [{name: ndots, value: '2'}, {name: edns0}]}")},
      {"role", role_yaml("{verbs: [get, list], apiGroups: [''], resources: [pods]}")},
      {"role with resourceNames and a subresource",
       role_yaml("{verbs: [get], apiGroups: [''], resources: [pods/log], resourceNames: [web]}")},
      {"cluster role with a colon in its name and non-resource URLs",
       role_yaml("{verbs: [get], nonResourceURLs: ['/healthz', '/metrics/*']}", "ClusterRole",
                 "system:monitoring")},
      {"role binding to a cluster role, user and group without apiGroup (defaulted)",
       binding_yaml("{kind: User, name: bob}, {kind: Group, name: devs}",
                    "kind: ClusterRole, name: view")},
      {"role binding of a service account in the binding's namespace",
       binding_yaml("{kind: ServiceAccount, name: builder}", "kind: Role, name: r")},
      {"cluster role binding of a service account with its namespace",
       binding_yaml("{kind: ServiceAccount, name: builder, namespace: ci}",
                    "apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit",
                    "ClusterRoleBinding")},
      {"minimal pod", pod_yaml("")},
      {"dotted pod name", pod_yaml("", "", "redis.master-1")},
      {"253-char pod name", pod_yaml("", "",
                                     std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                         std::string(63, 'c') + "." + std::string(61, 'd'))},
      {"63-char label value", "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {k: " +
                                  max_label + "}}, spec: {containers: [{name: c, image: i}]}}"},
      {"prefixed label key",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {kubernetes.io/hostname: node-1}}, "
       "spec: {containers: [{name: c, image: i}]}}"},
      {"empty label value",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {tier: ''}}, spec: {containers: "
       "[{name: c, image: i}]}}"},
      {"annotation with any value",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, annotations: {example.com/note: 'Any text, "
       "even: this!'}}, spec: {containers: [{name: c, image: i}]}}"},
      {"generateName only",
       "{apiVersion: v1, kind: Pod, metadata: {generateName: web-}, spec: {containers: [{name: c, "
       "image: i}]}}"},
      {"port 1 and 65535", pod_yaml(", ports: [{containerPort: 1}, {containerPort: 65535}]")},
      {"hostPort", pod_yaml(", ports: [{containerPort: 80, hostPort: 8080}]")},
      {"same hostPort, other protocol",
       pod_yaml(", ports: [{containerPort: 53, hostPort: 53}, {containerPort: 53, hostPort: 53, "
                "protocol: UDP}]")},
      {"named container port", pod_yaml(", ports: [{name: http, containerPort: 80}]")},
      {"cpu 0.5", pod_yaml(", resources: {limits: {cpu: 0.5}}")},
      {"cpu 500m", pod_yaml(", resources: {limits: {cpu: 500m}}")},
      {"cpu 1e3", pod_yaml(", resources: {limits: {cpu: 1e3}}")},
      {"memory 128Mi", pod_yaml(", resources: {limits: {memory: 128Mi}}")},
      {"memory 2Gi, request 1Gi",
       pod_yaml(", resources: {limits: {memory: 2Gi}, requests: {memory: 1Gi}}")},
      {"extended resource", pod_yaml(", resources: {limits: {example.com/gpu: 1}}")},
      {"env value and fieldRef",
       pod_yaml(", env: [{name: GET_HOSTS_FROM, value: env}, {name: POD_IP, valueFrom: {fieldRef: "
                "{fieldPath: status.podIP}}}]")},
      {"dotted env name", pod_yaml(", env: [{name: my.env-name, value: x}]")},
      {"exec probe", pod_yaml(", livenessProbe: {exec: {command: [cat, /tmp/ok]}}")},
      {"http probe named port",
       pod_yaml(
           ", ports: [{name: http, containerPort: 80}], readinessProbe: {httpGet: {port: http}}")},
      {"tcp probe", pod_yaml(", livenessProbe: {tcpSocket: {port: 6379}, initialDelaySeconds: 5}")},
      {"preStop exec", pod_yaml(", lifecycle: {preStop: {exec: {command: [nginx, -s, quit]}}}")},
      {"postStart http, preStop sleep",
       pod_yaml(", lifecycle: {postStart: {httpGet: {port: 80}}, preStop: {sleep: {seconds: 5}}}")},
      {"preStop sleep as long as the grace period",
       pod_yaml(", lifecycle: {preStop: {sleep: {seconds: 60}}}",
                ", terminationGracePeriodSeconds: 60")},
      {"emptyDir mount", pod_yaml(", volumeMounts: [{name: data, mountPath: /data}]",
                                  ", volumes: [{name: data, emptyDir: {}}]")},
      {"hostPath mount", pod_yaml(", volumeMounts: [{name: data, mountPath: /data}]",
                                  ", volumes: [{name: data, hostPath: {path: /data}}]")},
      {"nfs volume",
       pod_yaml("", ", volumes: [{name: share, nfs: {server: nfs.local, path: /exports}}]")},
      {"nfs volume on an IPv6 address",
       pod_yaml("", ", volumes: [{name: share, nfs: {server: 'fd00::5', path: /exports}}]")},
      {"restartPolicy Never", pod_yaml("", ", restartPolicy: Never")},
      {"restartPolicy OnFailure", pod_yaml("", ", restartPolicy: OnFailure")},
      {"nodeSelector", pod_yaml("", ", nodeSelector: {zone: test}")},
      {"rc replicas 0", rc_yaml(", replicas: 0")},
      {"rc selector subset of labels", rc_yaml("", "{app: web}", "{app: web, tier: front}")},
      {"rc without selector takes template labels",
       "{apiVersion: v1, kind: ReplicationController, metadata: {name: web}, spec: {template: "
       "{metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}}}"},
      {"service named targetPort",
       service_yaml("ports: [{port: 80, targetPort: http}], selector: {app: web}")},
      {"service UDP", service_yaml("ports: [{port: 53, protocol: UDP}]")},
      {"service same port two protocols",
       service_yaml("ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, "
                    "protocol: TCP}]")},
      {"nodePort 30000", service_yaml("type: NodePort, ports: [{port: 80, nodePort: 30000}]")},
      {"nodePort 32767", service_yaml("type: NodePort, ports: [{port: 80, nodePort: 32767}]")},
      {"nodePort allocated later", service_yaml("type: NodePort, ports: [{port: 80}]")},
      {"headless service", service_yaml("clusterIP: None, selector: {app: db}")},
      {"fixed clusterIP",
       service_yaml("clusterIP: 10.254.0.10, ports: [{port: 80}], sessionAffinity: ClientIP")},
      {"externalIPs", service_yaml("ports: [{port: 80}], externalIPs: [192.0.2.10]")},
      {"managedFields as Kubernetes writes them",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, labels: {app: a}, managedFields: "
       "[{manager: kubectl, operation: Apply, apiVersion: v1, time: '2026-12-01T10:00:00Z', "
       "fieldsType: FieldsV1, fieldsV1: {'f:metadata': {'f:labels': {'.': {}, 'f:app': {}}}}}]}}"},
      {"namespace", "{apiVersion: v1, kind: Namespace, metadata: {name: kube-system}}"},
      {"node",
       "{apiVersion: v1, kind: Node, metadata: {name: node1.example.com, labels: {zone: test}}, "
       "spec: {podCIDR: 10.1.1.0/24}, status: {capacity: {cpu: '2', memory: 4Gi, pods: '110'}, "
       "addresses: [{type: InternalIP, address: 192.0.2.1}]}}"},
      {"endpoints",
       "{apiVersion: v1, kind: Endpoints, metadata: {name: redis-master}, subsets: [{addresses: "
       "[{ip: 10.1.1.2}], ports: [{port: 6379}]}]}"},
      {"event",
       "{apiVersion: v1, kind: Event, metadata: {name: p.1}, involvedObject: {kind: Pod, name: p, "
       "namespace: default}, reason: Scheduled, type: Normal}"},
      {"quota",
       "{apiVersion: v1, kind: ResourceQuota, metadata: {name: q}, spec: {hard: {pods: '10', cpu: "
       "'4', memory: 8Gi, requests.cpu: '2'}}}"},
      {"limit range",
       "{apiVersion: v1, kind: LimitRange, metadata: {name: l}, spec: {limits: [{type: Container, "
       "min: {cpu: 100m}, max: {cpu: '2'}, default: {cpu: 500m}}]}}"},
  };
  BOOST_TEST_MESSAGE(good.size() << " good cases");
  BOOST_TEST(good.size() >= 40u);
  for (const auto& [what, yaml] : good) {
    BOOST_TEST_CONTEXT("good case: " << what) {
      auto set = check(yaml);
      for (const auto& p : set.problems)
        BOOST_TEST_MESSAGE(p.to_string());
      BOOST_TEST(set.problems.empty());
      BOOST_TEST(set.objects.size() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_refused_naming_the_field) {
  const std::vector<bad_case> bad = {
      {"secret data not base64", secret_yaml("data: {password: 'hunter2!'}"), "data[password]"},
      // stringData is merged into data before validation, as Kubernetes converts it.
      {"secret key with a slash", secret_yaml("stringData: {'a/b': x}"), "data[a/b]"},
      {"secret key '..'", secret_yaml("data: {'..': eA==}"), "data[..]"},
      {"tls secret without its key", secret_yaml("type: kubernetes.io/tls, data: {tls.crt: eA==}"),
       "data[tls.key]"},
      {"docker-registry secret that is not JSON",
       secret_yaml("type: kubernetes.io/dockerconfigjson, data: {.dockerconfigjson: eA==}"),
       "data[.dockerconfigjson]"},
      {"docker-registry secret with bytes after a NUL",
       secret_yaml("type: kubernetes.io/dockerconfigjson, "
                   "data: {.dockerconfigjson: eyJhdXRocyI6e319AGdhcmJhZ2U=}"),
       "data[.dockerconfigjson]"},
      {"secret over 1 MiB", secret_yaml("stringData: {big: " + std::string(1024 * 1024 + 1, 'x') + "}"),
       "data"},
      {"secret sealed field from outside", secret_yaml("sealed: eA=="), "sealed"},
      {"config map key in data and binaryData",
       config_map_yaml("data: {k: x}, binaryData: {k: eA==}"), "data[k]"},
      {"env valueFrom with two sources",
       pod_yaml(", env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}, configMapKeyRef: "
                "{name: c, key: k}}}]"),
       "spec.containers[0].env[0].valueFrom"},
      {"secretKeyRef without a key",
       pod_yaml(", env: [{name: A, valueFrom: {secretKeyRef: {name: s}}}]"),
       "spec.containers[0].env[0].valueFrom.secretKeyRef.key"},
      {"envFrom with neither source", pod_yaml(", envFrom: [{prefix: P_}]"),
       "spec.containers[0].envFrom[0]"},
      {"dnsPolicy None without dnsConfig", pod_yaml("", ", dnsPolicy: None"), "spec.dnsConfig"},
      {"dnsPolicy None without nameservers",
       pod_yaml("", ", dnsPolicy: None, dnsConfig: {searches: [a.b]}"), "spec.dnsConfig.nameservers"},
      {"four nameservers",
       pod_yaml("", ", dnsConfig: {nameservers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4]}"),
       "spec.dnsConfig.nameservers"},
      {"a nameserver that is no address", pod_yaml("", ", dnsConfig: {nameservers: [dns.example]}"),
       "spec.dnsConfig.nameservers[0]"},
      {"a search domain that is no name", pod_yaml("", ", dnsConfig: {searches: ['a..b']}"),
       "spec.dnsConfig.searches[0]"},
      {"an option without a name", pod_yaml("", ", dnsConfig: {options: [{value: '1'}]}"),
       "spec.dnsConfig.options[0].name"},
      {"secret volume item climbing out",
       pod_yaml("", ", volumes: [{name: s, secret: {secretName: s, items: [{key: k, path: "
                    "../../etc/x}]}}]"),
       "spec.volumes[0].secret.items[0].path"},
      {"configMap volume item with an absolute path",
       pod_yaml("", ", volumes: [{name: c, configMap: {name: c, items: [{key: k, path: /x}]}}]"),
       "spec.volumes[0].configMap.items[0].path"},
      {"secret volume mode above 0777",
       pod_yaml("", ", volumes: [{name: s, secret: {secretName: s, defaultMode: 01000}}]"),
       "spec.volumes[0].secret.defaultMode"},
      {"secret volume without secretName", pod_yaml("", ", volumes: [{name: s, secret: {}}]"),
       "spec.volumes[0].secret.secretName"},
      {"rule without verbs", role_yaml("{apiGroups: [''], resources: [pods]}"), "rules[0].verbs"},
      {"resource rule without apiGroups", role_yaml("{verbs: [get], resources: [pods]}"),
       "rules[0].apiGroups"},
      {"resource rule without resources", role_yaml("{verbs: [get], apiGroups: ['']}"),
       "rules[0].resources"},
      {"namespaced role with non-resource URLs", role_yaml("{verbs: [get], nonResourceURLs: [/x]}"),
       "rules[0].nonResourceURLs"},
      {"rule on resources and URLs at once",
       role_yaml("{verbs: [get], resources: [pods], nonResourceURLs: [/x]}", "ClusterRole"),
       "rules[0].nonResourceURLs"},
      {"role name with a slash", role_yaml("{verbs: [get], apiGroups: [''], resources: [pods]}",
                                          "Role", "a/b"),
       "metadata.name"},
      {"role name '..'", role_yaml("{verbs: [get], apiGroups: [''], resources: [pods]}",
                                   "ClusterRole", ".."),
       "metadata.name"},
      {"cluster role binding to a Role", binding_yaml("{kind: User, name: bob}",
                                                      "kind: Role, name: r", "ClusterRoleBinding"),
       "roleRef.kind"},
      {"roleRef of another group",
       binding_yaml("{kind: User, name: bob}", "apiGroup: apps, kind: ClusterRole, name: view"),
       "roleRef.apiGroup"},
      {"roleRef without a name", binding_yaml("{kind: User, name: bob}", "kind: ClusterRole"),
       "roleRef.name"},
      {"subject of an unknown kind", binding_yaml("{kind: Robot, name: r2}",
                                                  "kind: ClusterRole, name: view"),
       "subjects[0].kind"},
      {"subject without a name", binding_yaml("{kind: User}", "kind: ClusterRole, name: view"),
       "subjects[0].name"},
      {"user subject of the core group",
       binding_yaml("{kind: User, name: bob, apiGroup: v1}", "kind: ClusterRole, name: view"),
       "subjects[0].apiGroup"},
      {"service account of a cluster role binding without a namespace",
       binding_yaml("{kind: ServiceAccount, name: builder}", "kind: ClusterRole, name: view",
                    "ClusterRoleBinding"),
       "subjects[0].namespace"},
      {"service account with a bad name",
       binding_yaml("{kind: ServiceAccount, name: Builder}", "kind: ClusterRole, name: view"),
       "subjects[0].name"},
      {"role with apiVersion v1",
       "{apiVersion: v1, kind: Role, metadata: {name: r}, rules: []}", "apiVersion"},
      {"uppercase pod name", pod_yaml("", "", "Bad"), "metadata.name"},
      {"254-char pod name", pod_yaml("", "", std::string(254, 'a')), "metadata.name"},
      {"underscore pod name", pod_yaml("", "", "my_pod"), "metadata.name"},
      {"service name starts with digit", service_yaml("ports: [{port: 80}]", "1svc"),
       "metadata.name"},
      {"dotted service name", service_yaml("ports: [{port: 80}]", "a.b"), "metadata.name"},
      {"dotted namespace name", "{apiVersion: v1, kind: Namespace, metadata: {name: a.b}}",
       "metadata.name"},
      {"missing name",
       "{apiVersion: v1, kind: Pod, metadata: {}, spec: {containers: [{name: c, image: i}]}}",
       "metadata.name"},
      {"bad namespace",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: Default}, spec: {containers: "
       "[{name: c, image: i}]}}",
       "metadata.namespace"},
      {"namespace on a node",
       "{apiVersion: v1, kind: Node, metadata: {name: n, namespace: default}}",
       "metadata.namespace"},
      {"label key with two slashes",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {a/b/c: x}}, spec: {containers: "
       "[{name: c, image: i}]}}",
       "metadata.labels"},
      {"label key uppercase prefix",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {Example.com/x: y}}, spec: "
       "{containers: [{name: c, image: i}]}}",
       "metadata.labels"},
      {"label key name too long",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {" + long_label +
           ": x}}, spec: {containers: [{name: c, image: i}]}}",
       "metadata.labels"},
      {"label value too long",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {k: " + long_label +
           "}}, spec: {containers: [{name: c, image: i}]}}",
       "metadata.labels[k]"},
      {"label value leading dash",
       "{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {k: -x}}, spec: {containers: "
       "[{name: c, image: i}]}}",
       "metadata.labels[k]"},
      {"no containers", "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}",
       "spec.containers"},
      {"container without image",
       "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}",
       "spec.containers[0].image"},
      {"uppercase container name",
       "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: Web, image: "
       "i}]}}",
       "spec.containers[0].name"},
      {"duplicate container names",
       "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i}, "
       "{name: c, image: j}]}}",
       "spec.containers[1].name"},
      {"missing containerPort", pod_yaml(", ports: [{name: http}]"),
       "spec.containers[0].ports[0].containerPort"},
      {"containerPort 70000", pod_yaml(", ports: [{containerPort: 70000}]"),
       "spec.containers[0].ports[0].containerPort"},
      {"hostPort 70000", pod_yaml(", ports: [{containerPort: 80, hostPort: 70000}]"),
       "spec.containers[0].ports[0].hostPort"},
      {"duplicate hostPort",
       pod_yaml(", ports: [{containerPort: 80, hostPort: 80}, {containerPort: 81, hostPort: 80}]"),
       "spec.containers[0].ports[1].hostPort"},
      {"port name too long", pod_yaml(", ports: [{name: abcdefghijklmnop, containerPort: 80}]"),
       "spec.containers[0].ports[0].name"},
      {"port name without letter", pod_yaml(", ports: [{name: '123', containerPort: 80}]"),
       "spec.containers[0].ports[0].name"},
      {"duplicate port names",
       pod_yaml(", ports: [{name: web, containerPort: 80}, {name: web, containerPort: 81}]"),
       "spec.containers[0].ports[1].name"},
      {"protocol HTTP", pod_yaml(", ports: [{containerPort: 80, protocol: HTTP}]"),
       "spec.containers[0].ports[0].protocol"},
      {"restartPolicy Sometimes", pod_yaml("", ", restartPolicy: Sometimes"), "spec.restartPolicy"},
      {"imagePullPolicy Maybe", pod_yaml(", imagePullPolicy: Maybe"),
       "spec.containers[0].imagePullPolicy"},
      {"env name starts with digit", pod_yaml(", env: [{name: 1ABC, value: x}]"),
       "spec.containers[0].env[0].name"},
      {"env value and valueFrom",
       pod_yaml(", env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]"),
       "spec.containers[0].env[0].valueFrom"},
      {"env value not a string", pod_yaml(", env: [{name: A, value: 42}]"),
       "spec.containers[0].env[0].value"},
      {"cpu 1x", pod_yaml(", resources: {limits: {cpu: 1x}}"),
       "spec.containers[0].resources.limits[cpu]"},
      {"negative memory", pod_yaml(", resources: {limits: {memory: -1Gi}}"),
       "spec.containers[0].resources.limits[memory]"},
      {"fractional bytes", pod_yaml(", resources: {limits: {memory: 0.5}}"),
       "spec.containers[0].resources.limits[memory]"},
      {"request above limit", pod_yaml(", resources: {limits: {cpu: 1}, requests: {cpu: 2}}"),
       "spec.containers[0].resources.requests[cpu]"},
      {"unknown resource", pod_yaml(", resources: {limits: {gpu: 1}}"),
       "spec.containers[0].resources.limits[gpu]"},
      {"mount of a missing volume", pod_yaml(", volumeMounts: [{name: data, mountPath: /data}]"),
       "spec.containers[0].volumeMounts[0].name"},
      {"volume with two sources",
       pod_yaml("", ", volumes: [{name: v, emptyDir: {}, hostPath: {path: /x}}]"),
       "spec.volumes[0]"},
      {"hostPath without path", pod_yaml("", ", volumes: [{name: v, hostPath: {type: Directory}}]"),
       "spec.volumes[0].hostPath.path"},
      {"an nfs server that would be a mount option",
       pod_yaml("", ", volumes: [{name: v, nfs: {server: '-oremount', path: /x}}]"),
       "spec.volumes[0].nfs.server"},
      {"an nfs server with a space", pod_yaml("", ", volumes: [{name: v, nfs: {server: 'a b', path: /x}}]"),
       "spec.volumes[0].nfs.server"},
      {"duplicate volume names",
       pod_yaml("", ", volumes: [{name: v, emptyDir: {}}, {name: v, emptyDir: {}}]"),
       "spec.volumes[1].name"},
      {"probe without handler", pod_yaml(", livenessProbe: {initialDelaySeconds: 5}"),
       "spec.containers[0].livenessProbe"},
      {"preStop without handler", pod_yaml(", lifecycle: {preStop: {}}"),
       "spec.containers[0].lifecycle.preStop"},
      {"postStart with two handlers",
       pod_yaml(", lifecycle: {postStart: {exec: {command: [x]}, sleep: {seconds: 1}}}"),
       "spec.containers[0].lifecycle.postStart"},
      {"preStop exec without command", pod_yaml(", lifecycle: {preStop: {exec: {}}}"),
       "spec.containers[0].lifecycle.preStop.exec.command"},
      {"preStop sleep longer than the grace period",
       pod_yaml(", lifecycle: {preStop: {sleep: {seconds: 31}}}"),
       "spec.containers[0].lifecycle.preStop.sleep.seconds"},
      {"preStop sleep of 0 s", pod_yaml(", lifecycle: {preStop: {sleep: {seconds: 0}}}"),
       "spec.containers[0].lifecycle.preStop.sleep.seconds"},
      {"postStart bad port", pod_yaml(", lifecycle: {postStart: {httpGet: {port: 70000}}}"),
       "spec.containers[0].lifecycle.postStart.httpGet.port"},
      {"nodeSelector bad value", pod_yaml("", ", nodeSelector: {zone: 'not ok'}"),
       "spec.nodeSelector[zone]"},
      {"rc replicas -1", rc_yaml(", replicas: -1"), "spec.replicas"},
      {"rc replicas not a number", rc_yaml(", replicas: three"), "spec.replicas"},
      {"rc selector does not match template", rc_yaml("", "{app: web}", "{app: api}"),
       "spec.template.metadata.labels"},
      {"rc without template",
       "{apiVersion: v1, kind: ReplicationController, metadata: {name: web}, spec: {selector: "
       "{app: web}}}",
       "spec.template"},
      {"rc template restartPolicy Never",
       "{apiVersion: v1, kind: ReplicationController, metadata: {name: web}, spec: {selector: "
       "{app: web}, template: {metadata: {labels: {app: web}}, spec: {restartPolicy: Never, "
       "containers: [{name: c, image: nginx}]}}}}",
       "spec.template.spec.restartPolicy"},
      {"rc unknown field",
       "{apiVersion: v1, kind: ReplicationController, metadata: {name: web}, spec: {selector: "
       "{app: web}, template: {metadata: {labels: {app: web}}, spec: {contianers: []}}}}",
       "spec.template.spec.contianers"},
      {"service port 0", service_yaml("ports: [{port: 0}]"), "spec.ports[0].port"},
      {"nodePort 40001", service_yaml("type: NodePort, ports: [{port: 80, nodePort: 40001}]"),
       "spec.ports[0].nodePort"},
      {"nodePort 29999", service_yaml("type: NodePort, ports: [{port: 80, nodePort: 29999}]"),
       "spec.ports[0].nodePort"},
      {"nodePort on a ClusterIP service", service_yaml("ports: [{port: 80, nodePort: 30001}]"),
       "spec.ports[0].nodePort"},
      {"duplicate nodePort",
       service_yaml("type: NodePort, ports: [{name: a, port: 80, nodePort: 30001}, {name: b, port: "
                    "81, nodePort: 30001}]"),
       "spec.ports[1].nodePort"},
      {"duplicate service port", service_yaml("ports: [{name: a, port: 80}, {name: b, port: 80}]"),
       "spec.ports[1]"},
      {"two unnamed service ports", service_yaml("ports: [{port: 80}, {port: 443}]"),
       "spec.ports[0].name"},
      {"service type LoadBalancer", service_yaml("type: LoadBalancer, ports: [{port: 80}]"),
       "spec.type"},
      {"bad clusterIP", service_yaml("clusterIP: 10.0.0.300, ports: [{port: 80}]"),
       "spec.clusterIP"},
      {"service without ports", service_yaml("selector: {app: web}"), "spec.ports"},
      {"bad targetPort name", service_yaml("ports: [{port: 80, targetPort: HTTP_PORT}]"),
       "spec.ports[0].targetPort"},
      {"bad sessionAffinity", service_yaml("ports: [{port: 80}], sessionAffinity: Sticky"),
       "spec.sessionAffinity"},
      {"bad service selector key", service_yaml("ports: [{port: 80}], selector: {'bad key': x}"),
       "spec.selector"},
      {"bad podCIDR",
       "{apiVersion: v1, kind: Node, metadata: {name: n}, spec: {podCIDR: 10.1.1.0/33}}",
       "spec.podCIDR"},
      {"unknown quota resource",
       "{apiVersion: v1, kind: ResourceQuota, metadata: {name: q}, spec: {hard: {gpus: '1'}}}",
       "spec.hard[gpus]"},
      {"limit min above max",
       "{apiVersion: v1, kind: LimitRange, metadata: {name: l}, spec: {limits: [{type: Container, "
       "min: {cpu: '2'}, max: {cpu: '1'}}]}}",
       "spec.limits[0].min[cpu]"},
      {"limit type Volume",
       "{apiVersion: v1, kind: LimitRange, metadata: {name: l}, spec: {limits: [{type: Volume}]}}",
       "spec.limits[0].type"},
      {"endpoint bad ip",
       "{apiVersion: v1, kind: Endpoints, metadata: {name: e}, subsets: [{addresses: [{ip: "
       "not-an-ip}], ports: [{port: 80}]}]}",
       "subsets[0].addresses[0].ip"},
      {"event without involved kind",
       "{apiVersion: v1, kind: Event, metadata: {name: e}, involvedObject: {name: p}}",
       "involvedObject.kind"},
      {"managedFields operation Patch",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, managedFields: [{manager: m, "
       "operation: Patch, apiVersion: v1, fieldsType: FieldsV1}]}}",
       "metadata.managedFields[0].operation"},
      {"managedFields fieldsType FieldsV2",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, managedFields: [{manager: m, "
       "operation: Update, apiVersion: v1, fieldsType: FieldsV2}]}}",
       "metadata.managedFields[0].fieldsType"},
      {"managedFields manager of 129 bytes",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, managedFields: [{manager: " +
           std::string(129, 'm') + ", operation: Apply, apiVersion: v1, fieldsType: FieldsV1}]}}",
       "metadata.managedFields[0].manager"},
      {"managedFields fieldsV1 with a bare key",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, managedFields: [{manager: m, "
       "operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {spec: {}}}]}}",
       "metadata.managedFields[0].fieldsV1"},
      {"managedFields fieldsV1 not an object",
       "{apiVersion: v1, kind: Namespace, metadata: {name: n, managedFields: [{manager: m, "
       "operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: 'f:spec'}]}}",
       "metadata.managedFields[0].fieldsV1"},
      {"missing kind", "{apiVersion: v1, metadata: {name: p}}", "kind"},
      {"unsupported apiVersion",
       "{apiVersion: apps/v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: "
       "i}]}}",
       "apiVersion"},
  };
  BOOST_TEST_MESSAGE(bad.size() << " bad cases");
  BOOST_TEST(bad.size() >= 40u);
  for (const auto& c : bad) {
    BOOST_TEST_CONTEXT("bad case: " << c.what) {
      auto set = check(c.yaml);
      BOOST_TEST(set.objects.empty());
      bool named = false;
      for (const auto& p : set.problems) {
        BOOST_TEST(p.source == "case.yaml");
        // The message starts with the field path: "<field>: <rule>...".
        if (p.message.rfind(c.field + ": ", 0) == 0)
          named = true;
      }
      if (!named)
        for (const auto& p : set.problems)
          BOOST_TEST_MESSAGE("got: " << p.to_string());
      BOOST_TEST(named);
    }
  }
}

BOOST_AUTO_TEST_CASE(primitive_rules_match_kubernetes_edges) {
  BOOST_TEST(dns1123_label(max_label).empty());
  BOOST_TEST(!dns1123_label(long_label).empty());
  BOOST_TEST(dns1123_label("123-abc").empty());
  BOOST_TEST(!dns1035_label("123-abc").empty());
  BOOST_TEST(!dns1123_label("-a").empty());
  BOOST_TEST(!dns1123_subdomain("a..b").empty());
  BOOST_TEST(qualified_name("app.kubernetes.io/name").empty());
  BOOST_TEST(!qualified_name("/name").empty());
  BOOST_TEST(label_value("").empty());
  BOOST_TEST(port_name("http-alt").empty());
  BOOST_TEST(!port_name("http--alt").empty());
  BOOST_TEST(!port_name("-http").empty());
  BOOST_TEST(ipv4_cidr("10.254.0.0/16").empty());
  BOOST_TEST(!ipv4_address("256.1.1.1").empty());
}
