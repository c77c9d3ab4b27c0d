#!/usr/bin/env bash
# Tests three `capstan master` processes as one cluster, the static way (--peer-address,
# --member-id, --initial-cluster; the second and third get the first's CA and keys): one leads;
# every master serves reads from its own read model and `capstanctl members` names the leader;
# a follower takes writes (forwarded to the leader) and reads them back at once; after kill -9
# of the leader another leads and takes writes, through itself and through the other member,
# the RC made before keeps its pods (no double), a node agent given all three masters rejoins
# the new leader and runs the pods it hands out, and the killed master comes back as a follower
# with the same history. Everything on 127.0.0.1. Usage:
# capstan_masters_test.sh CAPSTAN CAPSTANCTL SOURCE_DIR
set -u
capstan=$1
ctl=$2
src=$3
work=$(mktemp -d)
declare -A pid
node_pid=
cleanup() {
  if [ -n "$node_pid" ]; then
    kill -TERM "$node_pid" 2>/dev/null
    wait "$node_pid" 2>/dev/null
  fi
  for i in 1 2 3; do
    if [ -n "${pid[$i]:-}" ]; then
      kill -KILL "${pid[$i]}" 2>/dev/null
      wait "${pid[$i]}" 2>/dev/null
    fi
  done
  [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/masters_work_kept; rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/check_helpers.sh"
base=$((26000 + RANDOM % 6000))  # below the ephemeral range; capstan_masters_join_test uses 20000+
peer() { echo "127.0.0.1:$((base + 10 * $1))"; }
cluster="1=$(peer 1),2=$(peer 2),3=$(peer 3)"
start_master() {
  local i=$1
  touch "$work/master$i.log"
  "$capstan" master --data "$work/data$i" --member-id "$i" --peer-address "$(peer "$i")" \
    --initial-cluster "$cluster" --join "127.0.0.1:$((base + 10 * i + 1))" \
    --api "127.0.0.1:$((base + 10 * i + 2))" --node-monitor-grace-period 3s \
    >>"$work/master$i.log" 2>&1 &
  pid[$i]=$!
}
ctl_on() {
  local i=$1
  shift
  "$ctl" --kubeconfig "$work/data$i/admin.kubeconfig" "$@"
}
# The id of the leader as master $1 sees it (empty while none).
leader_seen_by() { ctl_on "$1" members 2>/dev/null | awk '$3 == "leader" { print $1 }'; }
nginx_pods_on() { ctl_on "$1" get pods 2>/dev/null | grep -c '^nginx-controller-'; }

# The first master makes the cluster's CA and keys; the others start with copies.
start_master 1
check "master 1 follows (no majority yet)" wait_for "master 1 up" 30 grep -q "following the leader" "$work/master1.log"
for i in 2 3; do
  mkdir -p "$work/data$i/tls"
  chmod 700 "$work/data$i"
  cp -p "$work/data1/tls/ca.crt" "$work/data1/tls/ca.key" "$work/data1/tls/client-ca.crt" \
    "$work/data1/tls/client-ca.key" "$work/data$i/tls/"
  cp -p "$work/data1/secrets.key" "$work/data1/service-account.key" "$work/data$i/"
  start_master "$i"
done
for i in 1 2 3; do
  check "master $i serves its API" wait_for "master $i API" 30 grep -q "capstan master: ready" "$work/master$i.log"
done
has_leader() { test -n "$(leader_seen_by "$1")"; }
check "a leader is elected and known to master 1" wait_for "a leader" 30 has_leader 1
first=$(leader_seen_by 1)
check "the leader is one of the three (got '$first')" test -n "$first"
for i in 1 2 3; do
  check "master $i names the same leader" wait_for "leader on $i" 20 equals "$first" leader_seen_by "$i"
done
ctl_on "$first" members >"$work/members"
check "members lists three voters" test "$(grep -c ' yes ' "$work/members")" -eq 3

# A node agent (pods pretended) that knows every master's join port: it joins the leader.
joins="127.0.0.1:$((base + 11)),127.0.0.1:$((base + 21)),127.0.0.1:$((base + 31))"
"$capstan" node --master "$joins" --api "127.0.0.1:$((base + 12))" \
  --token-file "$work/data1/node-token" --data "$work/node" --name worker1 --address 127.0.0.1 \
  --runtime fake --heartbeat 500ms >"$work/node.log" 2>&1 &
node_pid=$!
node_status() { ctl_on "$1" get node worker1 2>/dev/null | awk '$1 == "worker1" { print $2 }'; }
check "the node joins the leader and is Ready" wait_for "worker1 Ready" 30 equals Ready node_status "$first"

# (its roles may start a moment after members names it)
check "the leader takes an RC" wait_for "the RC on $first" 20 \
  ctl_on "$first" create -f "$src/examples/nginx/nginx-rc.yaml"
for i in 1 2 3; do
  check "master $i reads the RC's 2 pods" wait_for "pods on $i" 30 equals 2 nginx_pods_on "$i"
done
running_on() { ctl_on "$1" get pods 2>/dev/null | grep '^nginx-controller-' | grep -c Running; }
check "the node runs them" wait_for "2 running" 30 equals 2 running_on "$first"
follower=$(( first % 3 + 1 ))
has_nginx_service() { ctl_on "$1" get svc 2>/dev/null | grep -q nginx; }
ctl_on "$follower" create -f "$src/examples/nginx/nginx-service-clusterip.yaml" >"$work/forwarded" 2>&1
check "a follower takes a write (forwarded to the leader)" test $? -eq 0
check "and reads it back at once" has_nginx_service "$follower"
check "the leader has it" has_nginx_service "$first"
ctl_on "$follower" create -f "$src/examples/nginx/nginx-service-clusterip.yaml" >"$work/again" 2>&1
check "the leader's refusal comes back through the follower" test $? -ne 0
check "and says why" grep -q "already exists" "$work/again"

# kill -9 of the leader: another leads and takes writes; the RC keeps exactly its 2 pods.
kill -KILL "${pid[$first]}"
wait "${pid[$first]}" 2>/dev/null
pid[$first]=
survivor=$follower
new_leader() { local l; l=$(leader_seen_by "$survivor"); [ -n "$l" ] && [ "$l" != "$first" ]; }
check "a new leader within 20 s" wait_for "new leader" 20 new_leader
next=$(leader_seen_by "$survivor")
other=$(( 6 - first - next ))
config_map() {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n' "$1" >"$work/$1.yaml"
  echo "$work/$1.yaml"
}
check "the new leader takes a write" wait_for "a write on $next" 20 \
  ctl_on "$next" create -f "$(config_map after-failover)"
check "the other survivor takes one too (forwarded)" wait_for "a write on $other" 20 \
  ctl_on "$other" create -f "$(config_map through-$other)"

start_master "$first"
ready_lines() { grep -c "capstan master: ready" "$work/master$1.log"; }
check "the killed master is back" wait_for "master $first back" 30 equals 2 ready_lines "$first"
check "it follows the new leader" wait_for "leader on $first" 30 equals "$next" leader_seen_by "$first"
check "it reads the same pods" wait_for "pods on $first" 30 equals 2 nginx_pods_on "$first"
has_config_maps() { ctl_on "$1" get configmaps 2>/dev/null | grep -c -e after-failover -e "through-$other"; }
check "and the writes made while it was down" wait_for "config maps on $first" 30 \
  equals 2 has_config_maps "$first"
# Long after the new leader's replication manager started: the RC's pods were created twice in
# all history (the first leader's two), none by the new leader.
pods_created() {
  ctl_on "$next" audit history pods 2>/dev/null |
    awk '$4 ~ /Created$/ && $5 ~ /nginx-controller-/' | wc -l
}
check "the RC's pods were created twice in all (no double after the failover)" equals 2 pods_created
check "the RC still has 2 pods" equals 2 nginx_pods_on "$next"
rejoined() { test "$(grep -c "worker1 joined" "$work/node.log")" -ge 2; }
check "the node rejoined the new leader" wait_for "a second join" 30 rejoined
check "the new leader sees it Ready (past its 3 s grace period)" wait_for "Ready on $next" 30 \
  equals Ready node_status "$next"
check "the RC scales up on the new leader" ctl_on "$next" scale rc nginx-controller --replicas=3
check "the rejoined node runs the new pod" wait_for "3 running" 30 equals 3 running_on "$next"
finish
