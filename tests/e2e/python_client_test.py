"""The official Kubernetes Python client (Debian's python3-kubernetes) against a capstan master:
typed objects, create/read/list/patch/delete, the scale subresource, label selectors, watch with
timeoutSeconds, Status errors as ApiException codes, version and events.
Usage: python_client_test.py KUBECONFIG EXAMPLES_DIR"""
import sys
import time
import yaml
from kubernetes import client, config, watch, utils

kubeconfig, examples = sys.argv[1], sys.argv[2]
config.load_kube_config(kubeconfig)
api = client.ApiClient()
v1 = client.CoreV1Api(api)
passes, failures = 0, 0


def check(what, ok):
    if "-v" in sys.argv:
        print("%.2f %s" % (time.time(), what))
    global passes, failures
    if ok:
        passes += 1
    else:
        failures += 1
        print("FAIL: " + what)


def status_of(call, *args, **kwargs):
    """The HTTP status of a call: 200, or the code of the ApiException it raised."""
    try:
        call(*args, **kwargs)
        return 200
    except client.exceptions.ApiException as e:
        if "-v" in sys.argv:
            print(e.body)
        return e.status


check("three nodes are listed", len(v1.list_node().items) == 3)
check("/version/ answers", client.VersionApi(api).get_code().major == "1")

v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
# The seed's nginx RC, from the example file, through the client's own YAML helper.
utils.create_from_yaml(api, examples + "/nginx/nginx-rc.yaml", namespace="py")
rc = v1.read_namespaced_replication_controller("nginx-controller", "py")
check("the nginx RC wants 2 replicas", rc.spec.replicas == 2)

# Watch the RC's pods until both are Running; the server ends the watch at timeoutSeconds.
running = set()
stream = watch.Watch()
for event in stream.stream(v1.list_namespaced_pod, "py", label_selector="name=nginx",
                           timeout_seconds=20):
    if event["object"].status.phase == "Running":
        running.add(event["object"].metadata.name)
    if len(running) == 2:
        stream.stop()
check("the watch sees 2 running nginx pods", len(running) == 2)
pods = v1.list_namespaced_pod("py", label_selector="name=nginx").items
check("every pod has an IP and a node", all(p.status.pod_ip and p.spec.node_name for p in pods))

v1.patch_namespaced_replication_controller_scale("nginx-controller", "py", {"spec": {"replicas": 3}})
check("the scale subresource reads 3",
      v1.read_namespaced_replication_controller_scale("nginx-controller", "py").spec.replicas == 3)

service = client.V1Service(
    metadata=client.V1ObjectMeta(name="web"),
    spec=client.V1ServiceSpec(selector={"name": "nginx"}, type="NodePort",
                              ports=[client.V1ServicePort(port=80, node_port=30080)]))
created = v1.create_namespaced_service("py", service)
check("the service gets a ClusterIP in 10.254.0.0/16", created.spec.cluster_ip.startswith("10.254."))
check("the NodePort asked for is honoured", created.spec.ports[0].node_port == 30080)

v1.patch_namespaced_service("web", "py", {"metadata": {"labels": {"tier": "front"}}})
check("a merge patch adds a label",
      v1.read_namespaced_service("web", "py").metadata.labels == {"tier": "front"})

check("reading a missing pod is 404", status_of(v1.read_namespaced_pod, "nope", "py") == 404)
check("creating the RC again is 409",
      status_of(v1.create_namespaced_replication_controller, "py", rc) == 409)
bad = client.V1Pod(metadata=client.V1ObjectMeta(name="Bad_Name"),
                   spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="x")]))
check("an invalid name is 422", status_of(v1.create_namespaced_pod, "py", bad) == 422)
check("a bad label selector is 400",
      status_of(v1.list_namespaced_pod, "py", label_selector="app in (") == 400)

# Without fieldValidation (the client sends none) an unknown field is dropped with a warning,
# as kube-apiserver does; with Strict it is a 400 naming the field.
raw = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lenient"},
       "spec": {"containers": [{"name": "c", "image": "nginx", "colour": "blue"}]}}
check("an unknown field is dropped by default", status_of(v1.create_namespaced_pod, "py", raw) == 200)
raw["metadata"]["name"] = "strict"
check("an unknown field is a 400 with fieldValidation=Strict",
      status_of(api.call_api, "/api/v1/namespaces/py/pods", "POST", body=raw,
                query_params=[("fieldValidation", "Strict")], auth_settings=["BearerToken"],
                response_type="object") == 400)
check("nothing was created by the refused request",
      status_of(v1.read_namespaced_pod, "strict", "py") == 404)

events = v1.list_namespaced_event("py").items
check("Scheduled events are listed", any(e.reason == "Scheduled" for e in events))

v1.delete_namespaced_replication_controller("nginx-controller", "py")
# The pods go by background cascading deletion: watch until the last one is deleted.
listed = v1.list_namespaced_pod("py", label_selector="name=nginx")
remaining = {p.metadata.name for p in listed.items}
if remaining:
    for event in stream.stream(v1.list_namespaced_pod, "py", label_selector="name=nginx",
                               resource_version=listed.metadata.resource_version,
                               timeout_seconds=20):
        if event["type"] == "DELETED":
            remaining.discard(event["object"].metadata.name)
        if not remaining:
            stream.stop()
check("deleting the RC removes its pods", not remaining)
v1.delete_namespace("py")
# The namespace controller deletes what was left in it (the service and the lenient pod).
deadline = time.time() + 20
while (v1.list_namespaced_pod("py").items or v1.list_namespaced_service("py").items) and \
        time.time() < deadline:
    time.sleep(0.1)
check("deleting the namespace deletes its pods and services",
      not v1.list_namespaced_pod("py").items and not v1.list_namespaced_service("py").items)

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
