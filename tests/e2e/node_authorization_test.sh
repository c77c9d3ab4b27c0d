#!/usr/bin/env bash
# Nodes are authorized as nodes over HTTPS, as Kubernetes' Node authorizer does it: two nodes
# join (fake runtime) and get certificates the k3s way; with edge1's certificate kubectl (and
# the Python client) is system:node:edge1 in system:nodes, reads and updates its own Node, the
# pods bound to it (listed with spec.nodeName=edge1) and the Secrets and ConfigMaps they use,
# and nothing of edge2: every refusal is a 403 with the Node authorizer's reason, and changes
# nothing; nor may it give its Node restricted labels or another key (NodeRestriction). A certificate the client CA did not sign is a 401 (a token still works beside it);
# one the CA signed for a registered node's name but another key is revoked (401); one for a
# name with no Node is that node and reads nothing.
# Usage: node_authorization_test.sh CAPSTAN
set -u
[ -n "${TRACE:-}" ] && set -x
capstan=$1
source "$(dirname "$0")/../tools/check_helpers.sh"
source "$(dirname "$0")/cluster_helpers.sh"
node_pid=
trap '[ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null; cleanup' EXIT
data=$work/data
api=https://127.0.0.1:$port
admin() { kubectl --kubeconfig "$data/admin.kubeconfig" --request-timeout=10s "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

"$capstan" node --master "127.0.0.1:$((port + 1))" --api "127.0.0.1:$port" \
  --token-file "$data/node-token" --runtime fake --count 2 --name edge --data "$work/node" \
  >"$work/node.log" 2>&1 &
node_pid=$!
node_ready() { admin get node "$1" --no-headers 2>/dev/null | awk '{print $2}'; }
wait_for "edge1 to be Ready" 30 equals Ready node_ready edge1 || { cat "$work/node.log"; exit 1; }
wait_for "edge2 to be Ready" 30 equals Ready node_ready edge2 || exit 1
pki=$work/node/pki

admin apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: edge1-secret}
stringData: {password: one}
---
apiVersion: v1
kind: Secret
metadata: {name: edge2-secret}
stringData: {password: two}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: edge1-config}
data: {mode: fast}
---
apiVersion: v1
kind: Pod
metadata: {name: on-edge1}
spec:
  nodeName: edge1
  containers:
  - name: c
    image: busybox
    env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: edge1-secret, key: password}}}]
    envFrom: [{configMapRef: {name: edge1-config}}]
---
apiVersion: v1
kind: Pod
metadata: {name: on-edge2}
spec:
  nodeName: edge2
  containers: [{name: c, image: busybox, volumeMounts: [{name: s, mountPath: /s}]}]
  volumes: [{name: s, secret: {secretName: edge2-secret}}]
EOF
check "the objects exist" quiet admin get pod on-edge1 on-edge2

# A kubeconfig of edge1's files, as an operator writes one on the node.
kubeconfig=$work/edge1.kubeconfig
kubectl config --kubeconfig "$kubeconfig" set-cluster capstan --server "$api" \
  --certificate-authority "$pki/edge1/server-ca.crt" >/dev/null
kubectl config --kubeconfig "$kubeconfig" set-credentials edge1 \
  --client-certificate "$pki/edge1/node.crt" --client-key "$pki/edge1/node.key" >/dev/null
kubectl config --kubeconfig "$kubeconfig" set-context edge1 --cluster capstan --user edge1 >/dev/null
kubectl config --kubeconfig "$kubeconfig" use-context edge1 >/dev/null
node() { kubectl --kubeconfig "$kubeconfig" --request-timeout=10s "$@"; }
# refused WHAT COMMAND...: COMMAND fails with a 403 that names the Node authorizer's REASON
# ($reason), as opposed to failing for any other cause.
refused() {
  node "$@" >"$work/out" 2>&1 && return 1
  grep -qF 'Error from server (Forbidden)' "$work/out" && grep -qF "$reason" "$work/out"
}

node auth whoami >"$work/out" 2>&1
check "edge1's certificate is system:node:edge1" grep -qE 'Username[[:space:]]+system:node:edge1$' "$work/out"
check "in system:nodes" grep -qE 'Groups[[:space:]]+\[system:nodes system:authenticated\]' "$work/out"

# Its own Node; not another's, not the list.
check "edge1 reads its Node" quiet node get node edge1
reason="node 'edge1' cannot read 'edge2', only its own Node object"
check "not edge2's" refused get node edge2
reason="node 'edge1' cannot read all nodes, only its own Node object"
check "nor all nodes" refused get nodes
check "edge1 labels its Node" quiet node label node edge1 team=blue
check "the label is there" equals blue admin get node edge1 -o 'jsonpath={.metadata.labels.team}'
node label node edge1 node-restriction.kubernetes.io/pci=yes >"$work/out" 2>&1
check "but not one that steers workloads (NodeRestriction)" grep -qF 'nodes "edge1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pci' "$work/out"
node annotate --overwrite node edge1 capstan.io/node-key-sha256=0000 >"$work/out" 2>&1
check "nor rebind its Node to another key" grep -qF 'is not allowed to modify the annotation capstan.io/node-key-sha256' "$work/out"
check "the key is unchanged" equals "$(openssl pkey -in "$pki/edge1/node.key" -pubout -outform DER | sha256sum | cut -d' ' -f1)" \
  admin get node edge1 -o 'jsonpath={.metadata.annotations.capstan\.io/node-key-sha256}'
reason="node 'edge1' is not allowed to modify node 'edge2'"
# kubectl reads before it patches: curl patches at once.
curl -s -o "$work/body" -w '%{http_code}' --cacert "$pki/edge1/server-ca.crt" \
  --cert "$pki/edge1/node.crt" --key "$pki/edge1/node.key" -X PATCH \
  -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"team":"red"}}}' \
  "$api/api/v1/nodes/edge2" >"$work/code"
check "edge1 cannot label edge2 ($(cat "$work/code"))" equals 403 cat "$work/code"
check "for the Node authorizer's reason" grep -qF "$reason" "$work/body"
check "edge2 is unchanged" equals "" admin get node edge2 -o 'jsonpath={.metadata.labels.team}'
reason="node 'edge1' cannot delete nodes"
check "edge1 cannot delete a node" refused delete node edge2
check "edge2 is still there" quiet admin get node edge2

# Pods bound to it.
check "edge1 reads its pod" quiet node get pod on-edge1
reason="no relationship found between node 'edge1' and this object"
check "not edge2's pod" refused get pod on-edge2
node get pods -A --field-selector spec.nodeName=edge1 -o name >"$work/out" 2>&1
check "it lists its pods with spec.nodeName=edge1" grep -qx pod/on-edge1 "$work/out"
check "and only those" test "$(wc -l <"$work/out")" -eq 1
reason="can only list/watch pods with spec.nodeName=edge1 field selector"
check "a list without the selector is refused" refused get pods -A
check "with another node's too" refused get pods -A --field-selector spec.nodeName=edge2
check "or by name (the name may move to another node)" refused get pods --field-selector metadata.name=on-edge1
reason="no relationship found between node 'edge1' and this object"
check "edge1 cannot delete edge2's pod" refused delete pod on-edge2 --wait=false
check "which is still there" quiet admin get pod on-edge2
check "nor patch its status" refused patch pod on-edge2 --subresource=status --type=merge \
  -p '{"status":{"message":"edge1 was here"}}'
check "its status is unchanged" equals "" admin get pod on-edge2 -o 'jsonpath={.status.message}'
# The answer's first word (kubectl adds the reason after a "no").
can_i() { node auth can-i "$@" 2>/dev/null | awk '{print $1}'; }
check "edge1 may delete its own pod (can-i)" equals yes can_i delete pod/on-edge1
check "may not exec into it" equals no can_i create pod/on-edge1 --subresource=exec
reason="node 'edge1' cannot create pods"
check "nor create pods" refused run intruder --image=busybox --overrides='{"spec":{"nodeName":"edge1"}}'
check "none was created" sh -c "! kubectl --kubeconfig '$data/admin.kubeconfig' get pod intruder >/dev/null 2>&1 && kubectl --kubeconfig '$data/admin.kubeconfig' get pods >/dev/null"

# What its pods use, one object at a time; the cluster's services.
check "edge1 reads the Secret its pod uses" equals one sh -c \
  "kubectl --kubeconfig '$kubeconfig' get secret edge1-secret -o jsonpath='{.data.password}' | base64 -d"
check "and its ConfigMap" quiet node get configmap edge1-config
reason="no relationship found between node 'edge1' and this object"
check "not edge2's Secret" refused get secret edge2-secret
reason="can only get individual resources of this type"
check "nor the list of Secrets" refused get secrets
check "it reads the services" quiet node get services kubernetes

# Certificates that do not prove edge1: curl shows the status code itself.
code() { curl -s -o "$work/body" -w '%{http_code}' --cacert "$pki/edge1/server-ca.crt" "$@"; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -keyout "$work/self.key" -out "$work/self.crt" -subj "/CN=system:node:edge1/O=system:nodes" 2>/dev/null
check "a self-signed certificate for edge1 is 401" equals 401 code --cert "$work/self.crt" --key "$work/self.key" "$api/api/v1/nodes/edge1"
check "while a token beside it still works" equals 200 code --cert "$work/self.crt" --key "$work/self.key" \
  -H "Authorization: Bearer $(awk '/token:/ {print $2; exit}' "$data/admin.kubeconfig")" "$api/api/v1/nodes/edge2"
# The client CA's own signature, for edge2's name on another key: edge2 is registered to its
# key, so this certificate is revoked; for a name with no Node it is that node.
client_ca_cert() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/$1.key" \
    -subj "/CN=system:node:$1/O=system:nodes" 2>/dev/null |
    openssl x509 -req -CA "$data/tls/client-ca.crt" -CAkey "$data/tls/client-ca.key" -days 1 \
      -extfile <(printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n') \
      -out "$work/$1.crt" 2>/dev/null
}
client_ca_cert edge2
check "the CA's certificate for edge2 on another key verifies" sh -c "openssl verify -CAfile '$data/tls/client-ca.crt' '$work/edge2.crt' | grep -q ': OK'"
check "but is 401: edge2 is registered to its own key" equals 401 code --cert "$work/edge2.crt" --key "$work/edge2.key" "$api/api/v1/nodes/edge2"
check "edge2's own certificate reads edge2" equals 200 code --cert "$pki/edge2/node.crt" --key "$pki/edge2/node.key" "$api/api/v1/nodes/edge2"
client_ca_cert ghost
check "a certificate for a name with no Node authenticates (404 for its Node)" equals 404 code --cert "$work/ghost.crt" --key "$work/ghost.key" "$api/api/v1/nodes/ghost"
check "and reads no pod (403)" equals 403 code --cert "$work/ghost.crt" --key "$work/ghost.key" "$api/api/v1/namespaces/default/pods/on-edge1"

# The official Python client with the same kubeconfig.
cat >"$work/client.py" <<'EOF'
import sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
print("own", v1.read_namespaced_pod("on-edge1", "default").spec.node_name)
try:
    v1.read_namespaced_pod("on-edge2", "default")
    print("other read")
except ApiException as e:
    print("other", e.status)
EOF
timeout 60 /usr/bin/python3 "$work/client.py" "$kubeconfig" >"$work/out" 2>&1
check "the Python client reads edge1's pod" grep -qx "own edge1" "$work/out"
check "and is refused edge2's (403)" grep -qx "other 403" "$work/out"
finish
