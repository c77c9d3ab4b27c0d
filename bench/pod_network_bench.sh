#!/usr/bin/env bash
# Pod-to-pod TCP across nodes, overlay against routes: for each mode, a 2-node lab (one link,
# where both modes work) with a busybox pod on each node; bench/pod_network_probe.py runs in
# the pods' network namespaces (ip netns exec) and measures MiB/s of a bulk transfer and 1-byte
# round trips. Then the overlay once more in a lab with --subnets (through the router). Prints a
# line per run. Needs root and a build (scripts/build). About 2 minutes.
# Usage: bench/pod_network_bench.sh [MIB] [ROUNDS]   (default 1024 MiB, 20000 round trips)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mib=${1:-1024}
rounds=${2:-20000}
export CAPSTAN_LAB=/tmp/capstan-netbench CAPSTAN_LAB_PREFIX=cnb
lab() { bash "$root/scripts/lab" "$@"; }
k() { lab kubectl "$@"; }
server_pid=
trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null; lab down >/dev/null 2>&1 || true' EXIT
netns_of() { local uid; uid=$(k get pod "$1" -o 'jsonpath={.metadata.uid}'); echo "cp-$(echo "${uid//-/}" | cut -c1-12)"; }

run() {
  local mode=$1; shift
  CAPSTAN_LAB_POD_NETWORK=$mode lab up 2 "$@" >/dev/null
  for n in 1 2; do
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p%s}\nspec:\n  nodeName: node%s\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]\n' "$n" "$n"
    echo ---
  done | k apply -f - >/dev/null
  k wait --for=condition=Ready pod/p1 pod/p2 --timeout=90s >/dev/null
  local server client ip
  server=$(netns_of p2)
  client=$(netns_of p1)
  ip=$(k get pod p2 -o 'jsonpath={.status.podIP}')
  ip netns exec "$server" python3 "$root/bench/pod_network_probe.py" serve 5201 &
  server_pid=$!
  for _ in $(seq 200); do
    ip netns exec "$server" ss -ltn | grep -q ':5201 ' && break
    sleep 0.05
  done
  printf '%-8s %-10s %s\n' "$mode" "${1:-one-link}" \
    "$(ip netns exec "$client" python3 "$root/bench/pod_network_probe.py" measure "$ip" 5201 "$mib" "$rounds")"
  wait "$server_pid" || true
  server_pid=
  lab down >/dev/null
}

echo "mode     lab        pod-to-pod across nodes"
run routes
run vxlan
run vxlan --subnets
