#!/usr/bin/env bash
# Durable writes per second through the API in the lab (scripts/lab: every master in a network
# namespace of its own, the client in a node's, across the lab's bridge), for a single master
# and for a cluster of masters in the same run: build/bench/api_writes from node1 against the
# leader, then against a follower (which forwards each write to the leader). Prints each run's
# table and JSON line, then a summary. Needs root (network namespaces), like scripts/lab.
# Usage: bench/lab_masters_bench.sh [--masters 3] [--writers 32] [--writes 20000]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAPSTAN_BUILD_DIR:-$root/build}
lab=${CAPSTAN_LAB:-/tmp/capstan-lab}
masters=3 writers=32 writes=20000
while [ $# -gt 0 ]; do
  case $1 in
    --masters) masters=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    --writes) writes=$2; shift 2 ;;
    *) echo "usage: $0 [--masters 3] [--writers 32] [--writes 20000]" >&2; exit 2 ;;
  esac
done
data_of() { if [ "$1" = 1 ]; then echo "$lab/master"; else echo "$lab/master$1"; fi; }
trap '"$root/scripts/lab" down >/dev/null 2>&1 || true' EXIT
# The leader's id as master 1 sees it (the lab's masters have ids 1..M).
leader() {
  "$root/scripts/lab" kubectl get --raw /capstan/v1/members 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])'
}
writes_per_second() { python3 -c 'import json,sys; print(round(json.loads(sys.stdin.read().splitlines()[-1])["writes_per_second"]))'; }
run_writes() {  # MASTER_INDEX -> the JSON line's writes/s
  local out
  out=$("$root/scripts/lab" on node1 "$build/bench/api_writes" \
    --kubeconfig "$(data_of "$1")/admin.kubeconfig" --writers "$writers" --writes "$writes")
  echo "$out" >&2
  echo "$out" | writes_per_second
}
declare -A figure
for m in 1 "$masters"; do
  "$root/scripts/lab" up 1 --masters "$m" >&2
  for _ in $(seq 300); do
    l=$(leader || true)
    [ -n "$l" ] && [ "$l" != 0 ] && break
    sleep 0.1
  done
  echo "== $m master(s), leader $l" >&2
  figure[$m-leader]=$(run_writes "$l")
  if [ "$m" -gt 1 ]; then
    figure[$m-follower]=$(run_writes $(( l % m + 1 )))
  fi
  "$root/scripts/lab" down >&2
done
echo
echo "lab, api_writes from node1 ($writers writers, $writes ConfigMaps each run):"
echo "  1 master:                 ${figure[1-leader]} writes/s"
echo "  $masters masters, to the leader:  ${figure[$masters-leader]} writes/s ($(python3 -c "print(round(${figure[$masters-leader]} / ${figure[1-leader]}, 2))")x)"
echo "  $masters masters, to a follower:  ${figure[$masters-follower]} writes/s ($(python3 -c "print(round(${figure[$masters-follower]} / ${figure[1-leader]}, 2))")x)"
