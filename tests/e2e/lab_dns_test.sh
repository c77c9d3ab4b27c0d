#!/usr/bin/env bash
# The cluster DNS on real (namespaced) nodes: scripts/lab with 2 nodes, each answering the
# cluster DNS address (kube-system/kube-dns, 10.254.0.10) itself. From busybox pods on both
# nodes: a service's name (full and short, through the pod's search list), a headless
# service's pod addresses, SRV for a named port, PTR for a ClusterIP, NXDOMAIN for a name that
# does not exist (and, once deleted, for the service), SERVFAIL at once for outside names (the
# lab has no resolvers); the pods' resolv.conf and /etc/hosts by dnsPolicy. Then the seeds'
# guestbook with GET_HOSTS_FROM=dns and its RCs created before their services (busybox-static's
# wget cannot resolve names: glibc's resolver is not in a static binary; the guestbook's
# redis-cli, linked dynamically, does). Prints how long
# a new service takes to resolve on every node. Needs root. Usage: lab_dns_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/lab_helpers.sh"
running() { [ "$(field "$1" '{.status.phase}')" = Running ]; }
# in POD CMD...: runs CMD in POD's container (its output on stdout).
in_pod() { local pod=$1; shift; k exec "$pod" -- "$@" 2>&1; }
# lookup POD NAME [TYPE]: busybox nslookup's output, through the pod's resolv.conf.
lookup() { in_pod "$1" timeout 5 nslookup ${3:+-type=$3} "$2"; }
# resolves POD NAME WANT: NAME's answer in POD includes the address WANT.
resolves() { lookup "$1" "$2" | grep -A3 '^Name:' | grep -q "Address:* $3\$"; }

check "kube-dns is a Service of kube-system at 10.254.0.10" \
  equals 10.254.0.10 k get service kube-dns -n kube-system -o 'jsonpath={.spec.clusterIP}'
check "with ports 53/UDP and 53/TCP" \
  equals "UDP/53 TCP/53" k get service kube-dns -n kube-system -o 'jsonpath={.spec.ports[0].protocol}/{.spec.ports[0].port} {.spec.ports[1].protocol}/{.spec.ports[1].port}'

# A web server (nginx) with a ClusterIP service and a headless one, busybox clients on both
# nodes, and pods with the other DNS policies.
k apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: node1
  containers: [{name: nginx, image: nginx, ports: [{containerPort: 80, name: http}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: client1}
spec:
  nodeName: node1
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client2}
spec:
  nodeName: node2
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: custom}
spec:
  nodeName: node2
  terminationGracePeriodSeconds: 1
  dnsPolicy: None
  dnsConfig: {nameservers: [192.0.2.53], searches: [corp.example], options: [{name: ndots, value: "2"}]}
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: host-resolvers}
spec:
  nodeName: node1
  terminationGracePeriodSeconds: 1
  dnsPolicy: Default
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
EOF
for p in web client1 client2 custom host-resolvers; do
  check "$p runs" wait_for "$p" 90 running "$p"
done
web_ip=$(k get service web -o 'jsonpath={.spec.clusterIP}')
web_pod_ip=$(field web '{.status.podIP}')
client1_ip=$(field client1 '{.status.podIP}')

in_pod client1 cat /etc/resolv.conf >"$work/out"
check "a ClusterFirst pod asks the cluster DNS" grep -qx 'nameserver 10.254.0.10' "$work/out"
check "searching its namespace first, then the node's domains" grep -qx 'search default.svc.cluster.local svc.cluster.local cluster.local lab.example' "$work/out"
check "with ndots:5" grep -qx 'options ndots:5' "$work/out"
in_pod custom cat /etc/resolv.conf >"$work/out"
check "dnsPolicy None takes dnsConfig alone" equals "$(printf 'nameserver 192.0.2.53\nsearch corp.example\noptions ndots:2')" cat "$work/out"
in_pod host-resolvers cat /etc/resolv.conf >"$work/out"
check "dnsPolicy Default takes the node's resolv.conf (the lab's: no nameserver)" equals "search lab.example" cat "$work/out"
in_pod client1 cat /etc/hosts >"$work/out"
check "/etc/hosts names the pod at its address" grep -qxP "$client1_ip\tclient1" "$work/out"

for c in client1 client2; do
  check "$c resolves web's full name to its ClusterIP" wait_for "web from $c" 20 resolves "$c" web.default.svc.cluster.local "$web_ip"
  check "$c resolves the short name through its search list" resolves "$c" web "$web_ip"
  check "$c resolves the headless service to the pod" resolves "$c" web-headless "$web_pod_ip"
  lookup "$c" _http._tcp.web.default.svc.cluster.local srv >"$work/out"
  check "$c gets SRV for the named port" grep -q 'port = 80\|80 web.default.svc.cluster.local' "$work/out"
  lookup "$c" "$web_ip" >"$work/out"
  check "$c gets PTR for the ClusterIP" grep -q 'web.default.svc.cluster.local' "$work/out"
  lookup "$c" nothing.default.svc.cluster.local >"$work/out"
  check "$c gets NXDOMAIN for a name that does not exist" grep -q 'NXDOMAIN' "$work/out"
  started=$SECONDS
  lookup "$c" example.com >"$work/out"
  check "$c gets SERVFAIL for an outside name, at once ($((SECONDS - started)) s)" sh -c "grep -q 'SERVFAIL' '$work/out' && [ $((SECONDS - started)) -le 3 ]"
done
node_resolves() { on node2 busybox nslookup web.default.svc.cluster.local 10.254.0.10 2>&1 | grep -q "$web_ip"; }
check "the node itself reaches the cluster DNS" node_resolves

# A new service resolves on every node within the proxy's update latency (measured from the
# create's send, polling the node namespaces' own view of 10.254.0.10); a deleted one stops.
node_has_late() { on "$1" busybox nslookup late.default.svc.cluster.local 10.254.0.10 2>/dev/null | grep -q 'Name:.*late'; }
start_ms=$(date +%s%3N)
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: late}\nspec: {ports: [{port: 80}]}\n' | k create -f - >/dev/null
check "a new service resolves on node1" wait_for "late on node1" 20 node_has_late node1
node1_ms=$(( $(date +%s%3N) - start_ms ))
check "and on node2" wait_for "late on node2" 20 node_has_late node2
echo "measured: a new service resolved on node1 after ${node1_ms} ms, on both after $(( $(date +%s%3N) - start_ms )) ms (from kubectl create's start; polled, each poll ~10 ms)"
late_ip=$(k get service late -o 'jsonpath={.spec.clusterIP}')
check "pods see it too" resolves client2 late.default.svc.cluster.local "$late_ip"
k delete service late >/dev/null
nxdomain() { lookup "$1" late.default.svc.cluster.local | grep -q NXDOMAIN; }
check "a deleted service is NXDOMAIN on node1" wait_for "late gone on node1" 20 nxdomain client1
check "and on node2" wait_for "late gone on node2" 20 nxdomain client2

# The seeds' guestbook by name: the RCs first, GET_HOSTS_FROM=dns, the services after.
for f in redis-master-controller redis-slave-controller frontend-controller; do
  sed 's/value: env/value: dns/' "$src/examples/guestbook/$f.yaml" | k create -f - >/dev/null
done
for f in redis-master-service redis-slave-service frontend-service; do
  k create -f "$src/examples/guestbook/$f.yaml" >/dev/null
done
frontend_ip=$(k get service frontend -o 'jsonpath={.spec.clusterIP}')
guestbook() { bash "$src/scripts/lab" on node1 curl -s -m 5 "http://$frontend_ip/?$1" 2>/dev/null; }
written() { guestbook 'cmd=set&key=messages&value=by-name' | grep -q Updated; }
check "the guestbook writes through redis-master found by name" wait_for "the guestbook" 120 written
read_back() { guestbook 'cmd=get&key=messages' | grep -q by-name; }
check "and reads through redis-slave found by name" wait_for "the slaves" 60 read_back
finish
