#!/usr/bin/env bash
# The VXLAN overlay across subnets: scripts/lab up 3 --subnets puts node1 and node3 on
# 192.168.77.0/24 and node2 on 192.168.78.0/24, joined only by a router namespace that knows
# no pod address and drops packets from or to pod addresses — so only the overlay can carry pod
# traffic between the subnets. In the master's default mode (vxlan): the devices and entries on
# every node, pods on both subnets answering each other by pod IP with their source addresses
# kept and the overlay's MTU, a ClusterIP across the subnets through both proxy modes, the
# seeds' guestbook through NodePort with its pods on both subnets, an agent's overlay gone with
# the agent and back at its join, a deleted node's entries removed from the others, a node
# asking for another mode refused at join, and nothing left after scripts/lab down. Then the same
# lab with --pod-network routes: a pod reaches a pod on its own subnet but not across (the
# router's drop counter shows why). Needs root. Usage: lab_overlay_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
lab_nodes=3
lab_args=--subnets
unset CAPSTAN_LAB_POD_NETWORK  # the master's default first
source "$src/tests/e2e/lab_helpers.sh"
running() { [ "$(field "$1" '{.status.phase}')" = Running ]; }
# answers POD IP: nginx at IP:80 answers POD (an HTTP/1.0 GET through busybox nc, 3 s; the
# image's static busybox wget crashes).
answers() {
  k exec "$1" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $2 80" 2>/dev/null |
    grep -q 'Welcome to nginx'
}
pod_cidr() { k get node "$1" -o 'jsonpath={.spec.podCIDR}'; }
vtep_mac() { printf '02:cb:%02x:%02x:%02x:%02x' $(echo "${1%/*}" | tr . ' '); }
# Pods: nginx and a busybox client on each node.
make_pods() {
  for n in 1 2 3; do
    cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: web$n, labels: {app: web, on: node$n}}
spec:
  nodeName: node$n
  containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client$n}
spec:
  nodeName: node$n
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
---
EOF
  done
}

check "node1 and node2 are on different subnets" \
  equals "192.168.77.11 192.168.78.12" echo "$(node_ip 1) $(node_ip 2)"
router_drops() { on router iptables -w -t raw -nvxL PREROUTING | awk '$3 == "DROP" {n += $1} END {print n + 0}'; }
check "the router forwards the nodes' own traffic between the subnets" \
  on node2 curl -sf -m 3 -o /dev/null http://192.168.77.2:5000/v2/

# ---- mode vxlan (the master's default) ----------------------------------------------------
cidr2=$(pod_cidr node2)
cidr3=$(pod_cidr node3)
check "each node has the overlay device with VNI 1 on UDP 8472" \
  sh -c "for n in node1 node2 node3; do bash '$src/scripts/lab' on \$n ip -d link show capstan.vxlan | grep -q 'vxlan id 1 local .* dstport 8472' || exit 1; done"
check "its MTU is eth0's less 50" equals 1450 on node1 cat /sys/class/net/capstan.vxlan/mtu
check "node1 routes node2's pod CIDR through the overlay" \
  sh -c "bash '$src/scripts/lab' on node1 ip route show $cidr2 | grep -q 'via ${cidr2%/*} dev capstan.vxlan onlink'"
check "node1 sends node2's VTEP MAC to node2's address" \
  sh -c "bash '$src/scripts/lab' on node1 bridge fdb show dev capstan.vxlan | grep -q '$(vtep_mac "$cidr2") dst $(node_ip 2) self permanent'"
check "and knows node3's VTEP on its own subnet" \
  sh -c "bash '$src/scripts/lab' on node1 ip neigh show dev capstan.vxlan | grep -q '${cidr3%/*} lladdr $(vtep_mac "$cidr3") PERMANENT'"

make_pods | k apply -f - >/dev/null
for p in web1 web2 web3 client1 client2 client3; do
  check "$p runs" wait_for "$p" 90 running "$p"
done
web2_ip=$(field web2 '{.status.podIP}')
web1_ip=$(field web1 '{.status.podIP}')
client1_ip=$(field client1 '{.status.podIP}')
check "a pod on node1 reaches a pod on node2 (the other subnet) by pod IP" wait_for "web2 from client1" 20 answers client1 "$web2_ip"
check "and the other way" answers client2 "$web1_ip"
logged_client() { k logs web2 | grep -q "^$client1_ip "; }
check "the server sees the client's pod address" logged_client
check "pods have the overlay's MTU" equals 1450 k exec client1 -- cat /sys/class/net/eth0/mtu

# A ClusterIP whose only endpoint is on the other subnet: from a pod and from the node.
k apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Service
metadata: {name: web2}
spec:
  selector: {on: node2}
  ports: [{port: 80}]
EOF
web2_svc=$(k get service web2 -o 'jsonpath={.spec.clusterIP}')
check "a pod on node1 reaches the ClusterIP (iptables proxy)" wait_for "web2 service" 20 answers client1 "$web2_svc"
node_answers() { on "$1" curl -s -m 3 "http://$2/" | grep -q 'Welcome to nginx'; }
check "and node1 itself does" node_answers node1 "$web2_svc"

# node1's agent stops: its overlay goes with it (the others keep node1's entries: it is still a
# node). It comes back with the userspace proxy, and the overlay is back at its join.
lab node-stop 1
check "a stopped agent leaves no overlay device" sh -c "! bash '$src/scripts/lab' on node1 ip link show capstan.vxlan >/dev/null 2>&1 && bash '$src/scripts/lab' on node1 ip link show cbr0 >/dev/null"
CAPSTAN_LAB_PROXY_MODE=userspace lab node-start 1
has_device() { on node1 ip link show capstan.vxlan >/dev/null 2>&1; }
check "the agent's join brings it back" wait_for "node1's overlay" 30 has_device
check "a pod on node1 reaches the ClusterIP (userspace proxy)" wait_for "web2 service, userspace" 30 answers client1 "$web2_svc"

# The seeds' guestbook, its pods spread over the three nodes, through NodePort on both subnets.
for f in redis-master-controller redis-master-service redis-slave-controller redis-slave-service \
  frontend-controller frontend-service; do
  k create -f "$src/examples/guestbook/$f.yaml" >/dev/null
done
guestbook_ready() { [ "$(k get pods -l 'name in (frontend,redis-master,redis-slave)' -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -c Running)" -ge 6 ]; }
check "the guestbook's six pods run" wait_for "guestbook" 120 guestbook_ready
k get pods -l 'name in (frontend,redis-master,redis-slave)' -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u >"$work/nodes"
check "on both subnets" sh -c "grep -qx node2 '$work/nodes' && grep -Eqx 'node1|node3' '$work/nodes'"
set_hello() { on master curl -s -m 5 "http://$(node_ip 2):30001/?cmd=set&key=messages&value=overlay" | grep -q Updated; }
get_hello() { on master curl -s -m 5 "http://$(node_ip 1):30001/?cmd=get&key=messages" | grep -q '"data": "overlay"'; }
check "a message written through node2's NodePort" wait_for "guestbook set" 90 set_hello
check "is read back through node1's NodePort" wait_for "guestbook get" 60 get_hello

# A node that leaves: its agent stops, its Node is deleted; the others drop its entries.
lab node-stop 3
k delete node node3 >/dev/null
node3_gone() {
  ! on node1 ip route show "$cidr3" | grep -q . &&
    ! on node1 ip neigh show dev capstan.vxlan | grep -q "^${cidr3%/*} " &&
    ! on node2 bridge fdb show dev capstan.vxlan | grep -q "$(vtep_mac "$cidr3")"
}
check "a deleted node's route, neighbour and forwarding entries leave the others" wait_for "node3's entries" 30 node3_gone
check "while node2's stay" sh -c "bash '$src/scripts/lab' on node1 ip route show $cidr2 | grep -q capstan.vxlan"

# A node started with another mode than the cluster's is refused at its join, and says why.
timeout 30 ip netns exec "$CAPSTAN_LAB_PREFIX-master" "$capstan" node --runtime fake --name stray \
  --master "192.168.77.2:6444" --token-file "$CAPSTAN_LAB/master/node-token" --data "$work/stray" \
  --pod-network routes >"$work/stray.log" 2>&1
stray=$?
check "a node asking for routes is refused by a vxlan cluster (exit $stray)" sh -c "[ $stray -ne 0 ] && [ $stray -ne 124 ] && grep -q \"the cluster's pod network is vxlan\" '$work/stray.log'"
no_stray() { k get nodes -o name >"$work/nodes" && ! grep -q stray "$work/nodes"; }
check "and not registered" no_stray

# The pods' network namespaces (cp- and the first 12 hex digits of the UID) go with the lab.
k get pods -o jsonpath='{range .items[*]}{.metadata.uid}{"\n"}{end}' | tr -d - | cut -c1-12 |
  sed 's/^/cp-/' >"$work/pod-netns"
check "the pods' namespaces are known" test -s "$work/pod-netns"
lab down >/dev/null 2>&1
ip netns list | awk '{print $1}' >"$work/netns-after"
check "nothing of the lab is left: its namespaces" sh -c "! grep -q '^$CAPSTAN_LAB_PREFIX-' '$work/netns-after'"
check "the pods' namespaces" sh -c "! grep -qxFf '$work/pod-netns' '$work/netns-after'"
check "nor its directory" test ! -e "$CAPSTAN_LAB"

# ---- mode routes, same lab ---------------------------------------------------------------
CAPSTAN_LAB_POD_NETWORK=routes lab up 3 --subnets >"$work/up-routes.log" 2>&1 || { cat "$work/up-routes.log"; exit 1; }
check "no overlay device in mode routes" sh -c "! bash '$src/scripts/lab' on node1 ip link show capstan.vxlan >/dev/null 2>&1"
make_pods | k apply -f - >/dev/null
for p in web2 web3 client1; do
  check "$p runs (routes)" wait_for "$p" 90 running "$p"
done
check "a pod reaches a pod on another node of its subnet by routes" \
  wait_for "web3 from client1" 20 answers client1 "$(field web3 '{.status.podIP}')"
drops=$(router_drops)
if answers client1 "$(field web2 '{.status.podIP}')"; then crossed=yes; else crossed=no; fi
check "but not across the subnets without the overlay" equals no echo "$crossed"
check "the router dropped it for its pod address" sh -c "[ $(router_drops) -gt $drops ]"
finish
