#!/usr/bin/env bash
# Node agents joining a master over mutual TLS on 127.0.0.1 (fake runtime, so no containers):
# the token carries the CA's hash and the node checks it before sending anything secret; a node
# with the master's token obtains a certificate (files 0600) and joins, runs pods, heartbeats;
# a bare or wrong token, a wrong CA hash, a master with another CA, and a second machine with a
# registered node's name are all refused with a clear message, and the connected node is
# undisturbed; a killed agent makes its node NotReady; a restarted agent reuses its certificate;
# a restarted master is rejoined.
# Usage: node_join_test.sh CAPSTAN SOURCE_DIR
set -u
[ -n "${TRACE:-}" ] && set -x
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
work=$(mktemp -d)
pid=
pid2=
node_pid=
cleanup() {
  [ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  [ -n "$pid2" ] && kill -KILL "$pid2" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
pick_ports 12 || exit 1
port2=$((port + 10))
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
# Holds when the API answers the node list (the probe worked) and NAME is not in it.
no_node() {
  local name=$1 config=${2:-$KUBECONFIG}
  KUBECONFIG=$config kubectl --request-timeout=20s get nodes -o name >"$work/nodes" 2>&1 &&
    ! grep -qx "node/$name" "$work/nodes"
}
# A node agent of this master: join, API, token and data directory as given. In the
# background, run it as `background=1 agent ... &`: it then replaces its subshell, so that $!
# is the agent's own PID.
agent() {
  local token=$1 data=$2 name=$3
  shift 3
  ${background:+exec} "$capstan" node --master "127.0.0.1:$((port + 1))" --api "127.0.0.1:$port" --token-file "$token" \
    --data "$data" --name "$name" --address 127.0.0.1 --runtime fake --heartbeat 500ms "$@"
}

token=$work/data/node-token
check "the master writes a join token with the CA's hash" grep -qE '^K10[0-9a-f]{64}::[0-9a-f]+$' "$token"
ca_hash=$(sha256sum "$work/data/tls/ca.crt" | cut -c1-64)
check "the token's hash is the served CA's" sh -c "curl -sk https://127.0.0.1:$port/cacerts | sha256sum | grep -q $ca_hash && grep -q K10$ca_hash $token"

background=1 agent "$token" "$work/w1" worker1 --labels zone=test >"$work/node.log" 2>&1 &
node_pid=$!
check "the node joins and is Ready" wait_for "worker1 Ready" 30 equals Ready node_status worker1
check "the node's key is 0600" equals 600 stat -c %a "$work/w1/pki/worker1/node.key"
check "the node's certificate is 0600" equals 600 stat -c %a "$work/w1/pki/worker1/node.crt"
check "the certificate is for system:node:worker1 from the node CA" sh -c \
  "openssl verify -CAfile '$work/data/tls/client-ca.crt' '$work/w1/pki/worker1/node.crt' >/dev/null && openssl x509 -noout -subject -in '$work/w1/pki/worker1/node.crt' | grep -q 'CN *= *system:node:worker1'"
k get node worker1 -o json >"$work/out"
check "the node carries its labels" grep -q '"zone": "test"' "$work/out"
check "the node is bound to its key" grep -q "\"capstan.io/node-key-sha256\": \"$(openssl x509 -in "$work/w1/pki/worker1/node.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)\"" "$work/out"
check "the node reports the machine's memory" grep -q '"memory": "[0-9]' "$work/out"
check "the node gets a pod CIDR" grep -q '"podCIDR": "10\.' "$work/out"
check "the journal names the node as the cause" sh -c "\"$capstan\" audit --data \"$work/data\" history node/worker1 2>/dev/null | grep -q 'system:node:worker1'"

k create -f "$src/examples/nginx/nginx-rc.yaml" >/dev/null
running_on() { k get pods -o wide --no-headers 2>/dev/null | grep -cE " Running .* $1( |$)"; }
check "the nginx pods run on the joined node" wait_for "2 running pods" 30 equals 2 running_on worker1

# Refusals: each exits 1 with a reason, and leaves no node behind.
refused() {
  local what=$1 pattern=$2 name=$3
  shift 3
  "$@" >"$work/refused.log" 2>&1
  local code=$?
  check "$what: the agent exits 1" test "$code" -eq 1
  check "$what: it says why" grep -q "$pattern" "$work/refused.log" || cat "$work/refused.log"
  check "$what: no node $name" no_node "$name"
}
secret=$(sed 's/.*:://' "$token")
echo "$secret" >"$work/bare-token"
refused "a bare secret" "without the hash of the master's CA" bare \
  agent "$work/bare-token" "$work/bare" bare
echo "K10${ca_hash}::0000${secret:4}" >"$work/wrong-secret"
refused "a wrong secret" "HTTP 401" wrongsecret agent "$work/wrong-secret" "$work/ws" wrongsecret
echo "K10$(printf '0%.0s' $(seq 64))::$secret" >"$work/wrong-hash"
refused "a token with another CA's hash" "refusing to talk to this master" wronghash \
  agent "$work/wrong-hash" "$work/wh" wronghash
check "nothing secret was sent or stored for it" test ! -e "$work/wh/pki/wronghash/node.crt"
refused "a second machine named worker1" "registered to another machine" nosuchnode \
  agent "$token" "$work/impostor" worker1
check "worker1 stays Ready" equals Ready node_status worker1
check "worker1 keeps its pods" equals 2 running_on worker1
check "worker1's agent is still joined (no reconnect)" equals 0 grep -c "lost the master" "$work/node.log"

kill -KILL "$node_pid"
wait "$node_pid" 2>/dev/null
node_pid=
check "a killed agent's node goes NotReady" wait_for "worker1 NotReady" 20 equals NotReady node_status worker1
check "the master keeps serving" k get pods >/dev/null
cert_before=$(sha256sum "$work/w1/pki/worker1/node.crt")
background=1 agent "$token" "$work/w1" worker1 >"$work/node.log" 2>&1 &
node_pid=$!
check "the restarted agent makes it Ready again" wait_for "worker1 Ready" 20 equals Ready node_status worker1
check "the restarted agent reused its certificate" equals "$cert_before" sha256sum "$work/w1/pki/worker1/node.crt"
kill -TERM "$pid"
wait "$pid"
pid=
start_master
check "the agent rejoins a restarted master" wait_for "a second join" 30 at_least 2 grep -c joined "$work/node.log"
check "the pods are still Running after the master's restart" wait_for "2 running" 20 equals 2 running_on worker1

# A master with another CA: a node holding the first master's token refuses it, and a node
# holding the first master's credentials cannot join it over TLS.
"$capstan" master --data "$work/data2" --api "127.0.0.1:$port2" --join "127.0.0.1:$((port2 + 1))" \
  >"$work/master2.log" 2>&1 &
pid2=$!
wait_for "the second master" 30 grep -q "capstan master: ready" "$work/master2.log"
"$capstan" node --master "127.0.0.1:$((port2 + 1))" --api "127.0.0.1:$port2" --token-file "$token" \
  --data "$work/other" --name stranger --runtime fake >"$work/other.log" 2>&1
check "a node refuses a master whose CA is not the token's" test $? -eq 1
check "... and says so" grep -q "refusing to talk to this master" "$work/other.log"
"$capstan" node --master "127.0.0.1:$((port2 + 1))" --api "127.0.0.1:$port2" --token-file "$token" \
  --data "$work/w1" --name worker1 --runtime fake >"$work/cross.log" 2>&1 &
cross_pid=$!
check "the TLS join to a master of another CA fails" wait_for "a failed connection" 20 grep -q "cannot reach the master" "$work/cross.log"
kill -KILL "$cross_pid" 2>/dev/null
wait "$cross_pid" 2>/dev/null
check "the other master has no such node" no_node worker1 "$work/data2/admin.kubeconfig"
finish
