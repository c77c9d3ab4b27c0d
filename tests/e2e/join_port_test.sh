#!/usr/bin/env bash
# The join port under attack (join_port_test.py: random bytes, 10 MB of junk, a truncated
# handshake, a TLS client without a certificate, 500 idle connections) while a real agent
# joins: the master neither crashes nor stalls, and the agent still joins.
# Usage: join_port_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
node_pid=
trap 'cleanup; [ -n "$node_pid" ] && kill -KILL "$node_pid" 2>/dev/null' EXIT
ulimit -n "$(ulimit -Hn)"
admin_token=$(awk '/token:/ {print $2; exit}' "$work/data/admin.kubeconfig")
cd "$work"
timeout 240 /usr/bin/python3 "$src/tests/e2e/join_port_test.py" "$((port + 1))" "$port" \
  "$work/data/tls/ca.crt" "$admin_token" >"$work/probe.log" 2>&1 &
probe_pid=$!
# While 500 idle connections hold the port, a real agent joins.
check "the probe opened 500 idle connections" wait_for "the idle connections" 120 test -e "$work/idle-open"
"$capstan" node --master "127.0.0.1:$((port + 1))" --api "127.0.0.1:$port" \
  --token-file "$work/data/node-token" --data "$work/agent" --name flood-node --runtime fake \
  --heartbeat 1s >"$work/agent.log" 2>&1 &
node_pid=$!
export KUBECONFIG=$work/data/admin.kubeconfig
ready() { kubectl --request-timeout=10s get node flood-node --no-headers 2>/dev/null | awk '{print $2}'; }
check "an agent joins during the flood" wait_for "flood-node Ready" 30 equals Ready ready
wait "$probe_pid"
probe_status=$?
cat "$work/probe.log"
check "every probe of the join port passed" test "$probe_status" -eq 0
check "the master is alive" kill -0 "$pid"
check "the agent stayed joined through the attack" equals 0 grep -c "lost the master" "$work/agent.log"
check "the agent's node is still Ready" equals Ready ready
finish
