#!/usr/bin/env bash
# Node agents joining a master over CAF on 127.0.0.1 (with the fake runtime, so no containers):
# a node with the master's token joins and runs pods; a wrong token is refused, exits 1 and
# never appears in get nodes; a killed agent makes its node NotReady while the master keeps
# working; a restarted master is rejoined by the waiting agent.
# Usage: node_join_test.sh CAPSTAN SOURCE_DIR
set -u
[ -n "${TRACE:-}" ] && set -x
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
work=$(mktemp -d)
pid=
node_pid=
cleanup() {
  [ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
start_master() {
  "$capstan" master --data "$work/data" --api "127.0.0.1:$port" --join "127.0.0.1:$((port + 1))" \
    --node-monitor-grace-period 3s >>"$work/master.log" 2>&1 &
  pid=$!
  wait_for "the master" 30 grep -q "capstan master: ready" "$work/master.log"
}
start_master
export KUBECONFIG=$work/data/admin.kubeconfig
k() { kubectl --request-timeout=20s "$@"; }
node_status() { k get node "$1" --no-headers 2>/dev/null | awk '{print $2}'; }

check "the master writes a join token" test -s "$work/data/node-token"
"$capstan" node --master "127.0.0.1:$((port + 1))" --token-file "$work/data/node-token" \
  --name worker1 --address 127.0.0.1 --labels zone=test --runtime fake --heartbeat 500ms \
  >"$work/node.log" 2>&1 &
node_pid=$!
check "the node joins and is Ready" wait_for "worker1 Ready" 20 equals Ready node_status worker1
k get node worker1 -o json >"$work/out"
check "the node carries its labels" grep -q '"zone": "test"' "$work/out"
check "the node reports the machine's memory" grep -q '"memory": "[0-9]' "$work/out"
check "the node gets a pod CIDR" grep -q '"podCIDR": "10\.' "$work/out"
check "the journal names the node as the cause" sh -c "\"$capstan\" audit --data \"$work/data\" history node/worker1 2>/dev/null | grep -q 'system:node:worker1'"

k create -f "$src/examples/nginx/nginx-rc.yaml" >/dev/null
running_on() { k get pods -o wide --no-headers 2>/dev/null | grep -cE " Running .* $1( |$)"; }
check "the nginx pods run on the joined node" wait_for "2 running pods" 20 equals 2 running_on worker1

echo not-the-token >"$work/bad-token"
"$capstan" node --master "127.0.0.1:$((port + 1))" --token-file "$work/bad-token" --name intruder \
  --runtime fake >"$work/bad.log" 2>&1
check "a wrong token makes the agent exit 1" test $? -eq 1
check "the agent says it was refused" grep -q "refused: the join token is wrong" "$work/bad.log"
check "the master logs the refusal" grep -q "refused node intruder" "$work/master.log"
check "the refused node is not listed" sh -c "! kubectl get nodes --no-headers | grep -q intruder"
check "nothing was journaled for it" sh -c "! \"$capstan\" audit --data \"$work/data\" history node/intruder 2>/dev/null | grep -q intruder"

kill -KILL "$node_pid"
wait "$node_pid" 2>/dev/null
node_pid=
check "a killed agent's node goes NotReady" wait_for "worker1 NotReady" 20 equals NotReady node_status worker1
check "the master keeps serving" k get pods >/dev/null

"$capstan" node --master "127.0.0.1:$((port + 1))" --token-file "$work/data/node-token" \
  --name worker1 --address 127.0.0.1 --runtime fake --heartbeat 500ms >"$work/node.log" 2>&1 &
node_pid=$!
check "the restarted agent makes it Ready again" wait_for "worker1 Ready" 20 equals Ready node_status worker1
kill -TERM "$pid"
wait "$pid"
pid=
start_master
check "the agent rejoins a restarted master" wait_for "a second join" 30 at_least 2 grep -c joined "$work/node.log"
check "the pods are still Running after the master's restart" equals 2 running_on worker1
finish
