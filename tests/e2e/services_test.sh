#!/usr/bin/env bash
# Services that carry traffic, in a 2-node lab with the iptables proxy: a ClusterIP reached
# from both nodes and from pods (same node, other node, a pod reaching its own service); a
# NodePort on every node's address; 100 requests spread over every endpoint; a deleted pod
# drops out of the rules quickly (the time is printed) and no request fails afterwards; the
# seeds' guestbook end to end (set through either node's NodePort 30001, get through the
# slaves); deleting the services leaves no capstan chain but the base ones.
# Needs root. Usage: services_test.sh CAPSTAN SOURCE_DIR [iptables|userspace]
set -u
capstan=$1
src=$2
export CAPSTAN_LAB_PROXY_MODE=${3:-iptables}
mode=$CAPSTAN_LAB_PROXY_MODE
echo "proxy mode: $mode"
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/lab_helpers.sh"

# Three "whoami" pods (busybox httpd answering with the pod's name) behind a NodePort service.
cat >"$work/whoami.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: whoami
spec:
  type: NodePort
  selector:
    app: whoami
  ports:
  - name: http
    port: 8080
    targetPort: web
    nodePort: 30080
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: whoami
spec:
  replicas: 3
  selector:
    app: whoami
  template:
    metadata:
      labels:
        app: whoami
    spec:
      containers:
      - name: web
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
        ports:
        - name: web
          containerPort: 80
YAML
k create -f "$work/whoami.yaml" >/dev/null
running() { k get pods --no-headers 2>/dev/null | grep "^$1" | grep -c ' Running '; }
check "3 whoami pods run" wait_for "3 whoami" 60 equals 3 running whoami
ready_endpoints() { k get endpoints whoami -o jsonpath='{.subsets[*].addresses[*].ip}' | wc -w; }
check "the service has 3 endpoints" wait_for "3 endpoints" 30 equals 3 ready_endpoints
cluster_ip=$(k get svc whoami -o jsonpath='{.spec.clusterIP}')
answers() { on "$1" curl -s -m 3 "$2" 2>/dev/null; }
if [ "$mode" = iptables ]; then
  has_rules() { on node1 iptables-save -t nat | grep -c "DNAT.*:80$"; }
  check "node1's proxy has a DNAT rule per endpoint" wait_for "rules" 30 equals 3 has_rules
else
  has_rules() { on node1 iptables-save -t nat | grep -c -- "-A KUBE-PORTALS-CONTAINER .*-d $cluster_ip/32 .*REDIRECT"; }
  check "node1's proxy redirects the ClusterIP to its listener" wait_for "rules" 30 equals 1 has_rules
fi

check "ClusterIP from node1" sh -c "bash '$src/scripts/lab' on node1 curl -s -m 3 http://$cluster_ip:8080/ | grep -q whoami-"
check "ClusterIP from node2" sh -c "bash '$src/scripts/lab' on node2 curl -s -m 3 http://$cluster_ip:8080/ | grep -q whoami-"
check "NodePort on node1's address, from node2" sh -c "bash '$src/scripts/lab' on node2 curl -s -m 3 http://$(node_ip 1):30080/ | grep -q whoami-"
check "NodePort on node2's address, from the master's host" sh -c "bash '$src/scripts/lab' on master curl -s -m 3 http://$(node_ip 2):30080/ | grep -q whoami-"
check "NodePort on 127.0.0.1 of a node" sh -c "bash '$src/scripts/lab' on node1 curl -s -m 3 http://127.0.0.1:30080/ | grep -q whoami-"

# From pods: a client pod on each node, and a whoami pod calling its own service (hairpin).
for n in 1 2; do
  cat >"$work/client$n.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: client$n
spec:
  nodeSelector:
    kubernetes.io/hostname: node$n
  containers:
  - name: client
    image: busybox
    command: ["sleep", "3600"]
YAML
  k create -f "$work/client$n.yaml" >/dev/null
done
check "client pods run on both nodes" wait_for "clients" 60 equals 2 running client
pod_fetch() { # POD NODE URL: fetch URL from inside POD (its network namespace) on NODE
  local uid short
  uid=$(k get pod "$1" -o jsonpath='{.metadata.uid}')
  short=$(echo "${uid//-/}" | cut -c1-12)
  ip netns exec "cp-$short" curl -s -m 3 "$3"
}
client_reaches() { pod_fetch "client$1" "node$1" "http://$cluster_ip:8080/" | grep -q whoami-; }
for n in 1 2; do
  check "ClusterIP from a pod on node$n" client_reaches "$n"
done
self=$(k get pods --no-headers | awk '/^whoami/ {print $1; exit}')
hairpin_ok() { for _ in $(seq 10); do pod_fetch "$self" x "http://$cluster_ip:8080/" | grep -q whoami- || return 1; done; }
check "a pod reaches its own service (hairpin), 10 of 10" hairpin_ok

# 100 requests reach every endpoint.
for _ in $(seq 100); do answers node1 "http://$cluster_ip:8080/"; done >"$work/hits"
check "100 requests all answered" equals 100 grep -c whoami- "$work/hits"
check "every one of the 3 backends answered" equals 3 sh -c "sort -u '$work/hits' | wc -l"
echo "spread over the backends: $(sort "$work/hits" | uniq -c | awk '{print $1}' | tr '\n' ' ')"

# A deleted pod leaves the rules within a fraction of a second; then no request fails.
victim=$(k get pods --no-headers | awk '/^whoami/ {print $1; exit}')
victim_ip=$(k get pod "$victim" -o jsonpath='{.status.podIP}')
started=$(date +%s%N)
k delete pod "$victim" --wait=false >/dev/null
if [ "$mode" = iptables ]; then
  victim_gone() { ! on "$1" iptables-save -t nat | grep -q "DNAT --to-destination $victim_ip:80"; }
  check "the deleted pod's endpoint leaves node1's rules" wait_for "rules without $victim_ip" 30 victim_gone node1
  echo "endpoint removal -> node1's rules updated: $((($(date +%s%N) - started) / 1000000)) ms (polled every 100 ms, includes kubectl)"
  # The requests below come from node2: its proxy must have the update too.
  check "and node2's rules" wait_for "node2's rules without $victim_ip" 30 victim_gone node2
else
  # The listener's endpoint list is inside the agent; the Endpoints object is what it follows.
  victim_gone() { ! k get endpoints whoami -o jsonpath='{.subsets[*].addresses[*].ip}' | grep -qw "$victim_ip"; }
  check "the deleted pod leaves the endpoints" wait_for "endpoints without $victim_ip" 30 victim_gone
fi
fails=0
for _ in $(seq 50); do answers node2 "http://$cluster_ip:8080/" | grep -q whoami- || fails=$((fails + 1)); done
check "50 requests after the update: none fails ($fails failed)" test "$fails" -eq 0

# Multi-port services with named ports (ops/my-service.json, unchanged): each port reaches its
# own targetPort; a selector-less service has no endpoints and is refused at once; a port change
# and type changes NodePort <-> ClusterIP take effect.
k create -f "$src/examples/ops/my-service.json" >/dev/null
cat >"$work/myapp.yaml" <<'YAML'
apiVersion: v1
kind: ReplicationController
metadata:
  name: myapp
spec:
  replicas: 2
  selector:
    app: MyApp
  template:
    metadata:
      labels:
        app: MyApp
    spec:
      containers:
      - name: app
        image: busybox
        command: ["sh", "-c", "mkdir -p /a /b && echo http > /a/index.html && echo https > /b/index.html && httpd -p 9376 -h /a && exec httpd -f -p 9377 -h /b"]
---
apiVersion: v1
kind: Service
metadata:
  name: lonely
spec:
  ports:
  - port: 7000
YAML
k create -f "$work/myapp.yaml" >/dev/null
check "the MyApp pods run" wait_for "myapp" 60 equals 2 running myapp
my_ip=$(k get svc my-service -o jsonpath='{.spec.clusterIP}')
port_answers() { answers node2 "http://$my_ip:$1/" | grep -qx "$2"; }
check "my-service port 80 (http) reaches targetPort 9376" wait_for "port 80" 30 port_answers 80 http
check "my-service port 443 (https) reaches targetPort 9377" wait_for "port 443" 30 port_answers 443 https
lonely_ip=$(k get svc lonely -o jsonpath='{.spec.clusterIP}')
refused_fast() {
  local started=$SECONDS
  ! on node1 curl -s -m 10 "http://$lonely_ip:7000/" >/dev/null 2>&1 && [ $((SECONDS - started)) -le 2 ]
}
check "a service without endpoints is refused at once, not left hanging" wait_for "a fast refusal" 20 refused_fast
# The whoami RC has replaced the deleted pod by now (or is doing so): every request must still be
# answered, from node1 this time. On a failure, what each backend and the rules looked like.
whoami_state() {
  echo "the deleted pod was $victim at $victim_ip"
  k get pods -o wide
  for n in node1 node2; do
    echo "$n: links $(on $n ip -br link | awk '/^(vp|cbr0)/ {print $1 "/" $2}' | tr '\n' ' ')"
    echo "$n: neighbours $(on $n ip neigh show dev cbr0 | tr '\n' ';')"
    echo "$n: namespaces $(on $n ip netns list 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
  done
  k get endpoints whoami -o jsonpath='endpoints: {.subsets[*].addresses[*].ip}{"\n"}'
  on node1 iptables-save -t nat | grep -E "DNAT.*:80$"
  for ip in $(k get endpoints whoami -o jsonpath='{.subsets[*].addresses[*].ip}'); do
    echo "$ip from node1: $(on node1 curl -sS -m 3 "http://$ip:80/" 2>&1)"
  done
}
failed_from_node1=0
for _ in $(seq 20); do
  answers node1 "http://$cluster_ip:8080/" | grep -q whoami- || failed_from_node1=$((failed_from_node1 + 1))
done
[ "$failed_from_node1" -eq 0 ] || whoami_state
check "the proxies live on: 20 of 20 requests from node1 answered ($failed_from_node1 failed)" test "$failed_from_node1" -eq 0
k patch svc my-service --type=json -p '[{"op":"replace","path":"/spec/ports/0/port","value":8088}]' >/dev/null
check "a changed port answers" wait_for "port 8088" 30 port_answers 8088 http
port_closed() { ! answers node2 "http://$my_ip:80/" | grep -q http; }
check "the old port no longer does" wait_for "port 80 closed" 30 port_closed
k patch svc my-service -p '{"spec":{"type":"NodePort"}}' >/dev/null
node_port=$(k get svc my-service -o jsonpath='{.spec.ports[0].nodePort}')
nodeport_answers() { answers node2 "http://$(node_ip 1):$node_port/" | grep -qx http; }
check "ClusterIP -> NodePort: the allocated nodePort answers on node1" wait_for "nodePort $node_port" 30 nodeport_answers
k patch svc my-service --type=json -p '[{"op":"replace","path":"/spec/type","value":"ClusterIP"},{"op":"remove","path":"/spec/ports/0/nodePort"},{"op":"remove","path":"/spec/ports/1/nodePort"}]' >/dev/null
nodeport_gone() { ! answers node2 "http://$(node_ip 1):$node_port/" | grep -q http; }
check "NodePort -> ClusterIP: the nodePort stops answering" wait_for "no nodePort" 30 nodeport_gone
check "and the ClusterIP still answers" wait_for "port 8088" 30 port_answers 8088 http
k delete svc my-service lonely >/dev/null

# The guestbook of seeds 000/001, manifests unchanged; services first, as in the seeds, so that
# the pods get their variables.
for f in redis-master-service redis-slave-service frontend-service redis-master-controller \
  redis-slave-controller frontend-controller; do
  k create -f "$src/examples/guestbook/$f.yaml" >/dev/null
done
check "the guestbook's 6 pods run" wait_for "guestbook" 90 equals 6 sh -c "bash '$src/scripts/lab' kubectl get pods --no-headers | grep -E '^(frontend|redis)' | grep -c ' Running '"
synced() { k logs "$(k get pods -o name | grep redis-slave | head -1)" 2>/dev/null | grep -q "MASTER <-> REPLICA sync: Finished with success"; }
check "a slave replicates from REDIS_MASTER_SERVICE_HOST" wait_for "replication" 60 synced
set_hello() { answers node1 "http://$(node_ip 1):30001/?cmd=set&key=messages&value=Hello%20World!" | grep -q Updated; }
check "cmd=set through node1's NodePort 30001" wait_for "set" 30 set_hello
get_hello() { answers node2 "http://$(node_ip 2):30001/?cmd=get&key=messages" | grep -q '"data": "Hello World!"'; }
check "cmd=get through node2's NodePort reads it back from the slaves" wait_for "get" 30 get_hello

# Deleting the services removes their chains; only the four base chains remain, and those of
# the API's own Service (default/kubernetes, 10.254.0.1:443 to the master).
k delete svc whoami frontend redis-master redis-slave >/dev/null
if [ "$mode" = iptables ]; then
  leftovers() { on node2 iptables-save -t nat | grep -cE '^:CAPSTAN-(SVC|SEP)-'; }
  check "no service or endpoint chain is left but the API's two" wait_for "no chains" 30 equals 2 leftovers
  api_rules() { on node2 iptables-save -t nat | grep -E '^-A CAPSTAN-(SVC|SEP)-' | grep -vc '"default/kubernetes:https"'; }
  check "whose rules are all the API's" equals 0 api_rules
else
  leftovers() { on node2 iptables-save -t nat | grep -E -- '^-A KUBE-(PORTALS|NODEPORT)-' | grep -vc -- '-d 10.254.0.1/32'; }
  check "no portal or nodeport rule is left but the API's" wait_for "no rules" 30 equals 0 leftovers
fi
finish
