#!/usr/bin/env bash
# Three masters in the lab, under faults (issue #20; Jepsen's spirit, bounded and automatic):
# scripts/lab up 2 --masters 3 runs the seeds' nginx RC on real containers while a client
# writes ConfigMaps without pause through whichever master answers, logging every write that
# was acknowledged. Then 20 rounds: kill -9 of the leader (8), the leader cut off the fabric
# (6: it must stop acknowledging; a write through it is refused while a read there still
# answers), and every member restarted in a random order (6). After each round, with the client
# paused: every acknowledged write is on every member, the members reached the same sequence and
# their state at it hashes the same (so their histories are gap-free and identical), the RC never
# had more pods than replicas, its containers never restarted, and both nodes are Ready (the
# agents followed the leader). Prints the time to a new leader and to the first acknowledged
# write after each kill and cut. Needs root. Usage: lab_masters_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
lab_nodes=2
lab_args="--masters 3"
source "$src/tests/e2e/lab_helpers.sh"
writer_pid=
extra_cleanup() {
  if [ -n "$writer_pid" ]; then
    kill "$writer_pid" 2>/dev/null
    wait "$writer_pid" 2>/dev/null
  fi
}
# kubectl through master K (in its namespace, at its address).
km() {
  local m=$1
  shift
  CAPSTAN_LAB_MASTER=$m lab kubectl --request-timeout=5s "$@"
}
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d" + sys.argv[1]))' "$1"; }
# The leader as master K sees it ("0" or empty: none).
leader_seen_by() { km "$1" get --raw /capstan/v1/members 2>/dev/null | json_field '["leader"]' 2>/dev/null; }
seq_of() { km "$1" get --raw /api/v1/namespaces 2>/dev/null | json_field '["metadata"]["resourceVersion"]' 2>/dev/null; }
now() { date +%s.%N; }
elapsed() { python3 -c "print('%.2f' % ($2 - $1))"; }
ready_count() { grep -c "capstan master: ready" "$(master_log "$1")"; }
master_log() { if [ "$1" = 1 ]; then echo "$CAPSTAN_LAB/master.log"; else echo "$CAPSTAN_LAB/master$1.log"; fi; }

leader=
some_leader() {
  local m l
  for m in 1 2 3; do
    l=$(leader_seen_by "$m")
    if [ -n "$l" ] && [ "$l" != 0 ]; then leader=$l; return 0; fi
  done
  return 1
}
check "the three masters elect a leader" wait_for "a leader" 30 some_leader
k create -f "$src/examples/nginx/nginx-rc.yaml" >/dev/null
nginx_pods() { k get pods -l name=nginx -o name 2>/dev/null | sort; }
running_nginx() { k get pods -l name=nginx --no-headers 2>/dev/null | grep -c Running; }
check "the RC's 2 pods run on the nodes" wait_for "2 nginx pods Running" 120 equals 2 running_nginx
original_pods=$(nginx_pods)

# The client: a ConfigMap a write, each under a new name, through the master it last reached;
# on a failure it turns to the next master. $work/acked gets "NAME SENT ACKNOWLEDGED" (times)
# once acknowledged.
# It pauses while $work/pause exists (writing $work/paused once it has).
touch "$work/acked"
writer() {
  local i=0 m=1
  while :; do
    if [ -f "$work/pause" ]; then
      touch "$work/paused"
      sleep 0.1
      continue
    fi
    rm -f "$work/paused"
    i=$((i + 1))
    local sent
    sent=$(now)
    if km "$m" create configmap "w-$i" --from-literal=i="$i" >/dev/null 2>&1; then
      echo "w-$i $sent $(now)" >>"$work/acked"
    else
      m=$((m % 3 + 1))
    fi
  done
}
writer &
writer_pid=$!

# After a fault at T: when the first write sent after T was acknowledged.
first_ack_after() { awk -v t="$1" '$2 > t { print $3; exit }' "$work/acked"; }
acked_after() { test -n "$(first_ack_after "$1")"; }
round_failures=0
check_round() {
  local round=$1
  touch "$work/pause"
  wait_for "the client pauses" 30 test -f "$work/paused" || round_failures=$((round_failures + 1))
  # Every member reaches the same sequence (the client is paused; the controllers settle).
  local target m s all_same
  same_seq() {
    target=$(seq_of 1)
    [ -n "$target" ] || return 1
    for m in 2 3; do [ "$(seq_of "$m")" = "$target" ] || return 1; done
  }
  if ! wait_for "round $round: one sequence on all members" 30 same_seq; then
    echo "FAIL: round $round: the members' sequences differ: $(seq_of 1) $(seq_of 2) $(seq_of 3)"
    round_failures=$((round_failures + 1))
  fi
  local hashes=""
  for m in 1 2 3; do
    hashes="$hashes $(km "$m" get --raw "/capstan/v1/state?at=$target" 2>/dev/null | sha256sum | cut -c1-16)"
  done
  # shellcheck disable=SC2086
  set -- $hashes
  if [ $# -ne 3 ] || [ "$1" != "$2" ] || [ "$1" != "$3" ]; then
    echo "FAIL: round $round: the state at $target differs between members:$hashes"
    round_failures=$((round_failures + 1))
  fi
  for m in 1 2 3; do
    km "$m" get configmaps -o name 2>/dev/null | sed 's|^configmap/||' | sort >"$work/have$m"
    if [ ! -s "$work/have$m" ]; then
      echo "FAIL: round $round: master $m lists no ConfigMaps (the probe failed)"
      round_failures=$((round_failures + 1))
      continue
    fi
    local missing
    missing=$(awk '{print $1}' "$work/acked" | sort | comm -23 - "$work/have$m" | head -3)
    if [ -n "$missing" ]; then
      echo "FAIL: round $round: master $m lost acknowledged writes: $missing"
      round_failures=$((round_failures + 1))
    fi
  done
  local pods
  pods=$(nginx_pods)
  if [ "$pods" != "$original_pods" ]; then
    echo "FAIL: round $round: the RC's pods changed: $(echo $pods)"
    round_failures=$((round_failures + 1))
  fi
  local restarts
  restarts=$(k get pods -l name=nginx -o jsonpath='{range .items[*]}{.status.containerStatuses[0].restartCount}{"\n"}{end}' 2>/dev/null | sort -u | tr '\n' ' ')
  if [ "$restarts" != "0 " ]; then
    echo "FAIL: round $round: the RC's containers restarted (restartCount: $restarts)"
    round_failures=$((round_failures + 1))
  fi
  nodes_ready() { test "$(k get nodes --no-headers 2>/dev/null | awk '$2 == "Ready"' | wc -l)" -eq 2; }
  if ! wait_for "round $round: both nodes Ready" 30 nodes_ready; then
    round_failures=$((round_failures + 1))
  fi
  rm -f "$work/pause"
  echo "round $round: seq $target on all members, $(wc -l <"$work/acked") writes acknowledged in all"
}

new_leader_other_than() {
  local old=$1 m l
  for m in 1 2 3; do
    [ "$m" = "$old" ] && continue
    l=$(leader_seen_by "$m")
    if [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$old" ]; then leader=$l; return 0; fi
  done
  return 1
}
figures=()
round=0
# A master that did not come back: counted, and the end of its log shown (the lab goes at exit).
not_back() {
  round_failures=$((round_failures + 1))
  echo "--- the end of master $1's log:"
  tail -25 "$(master_log "$1")"
  echo "---"
}
# After a FAULT (kill or cut) of the leader OLD at time T0: waits for another leader and for
# the first write sent after T0 to be acknowledged, and records how long each took.
measure_failover() {
  local fault=$1 old=$2 t0=$3 t_leader
  if ! wait_for "round $round: a new leader after the $fault" 30 new_leader_other_than "$old"; then
    round_failures=$((round_failures + 1))
    return
  fi
  t_leader=$(now)
  if ! wait_for "round $round: a write acknowledged" 30 acked_after "$t0"; then
    round_failures=$((round_failures + 1))
    return
  fi
  figures+=("$fault: leader $old -> $leader in $(elapsed "$t0" "$t_leader") s, first write $(elapsed "$t0" "$(first_ack_after "$t0")") s")
}
# (a) kill -9 of the leader, then it comes back.
for _ in $(seq 8); do
  round=$((round + 1))
  some_leader
  old=$leader
  before=$(ready_count "$old")
  t0=$(now)
  lab master-kill "$old"
  measure_failover kill "$old" "$t0"
  lab master-start "$old"
  wait_for "round $round: master $old back" 30 at_least $((before + 1)) ready_count "$old" ||
    not_back "$old"
  check_round "$round"
done
# (b) the leader cut off the fabric: it must stop acknowledging; then it is healed.
for _ in $(seq 6); do
  round=$((round + 1))
  some_leader
  old=$leader
  t0=$(now)
  lab master-cut "$old"
  measure_failover cut "$old" "$t0"
  # The old leader answers reads from its side of the cut, and acknowledges no write.
  if km "$old" get --raw /capstan/v1/members >/dev/null 2>&1; then
    if km "$old" create configmap "cut-$round" --from-literal=x=y >"$work/cut.out" 2>&1; then
      echo "FAIL: round $round: the master cut off acknowledged a write"
      round_failures=$((round_failures + 1))
    fi
  else
    echo "FAIL: round $round: the master cut off does not answer reads (the probe failed)"
    round_failures=$((round_failures + 1))
  fi
  lab master-heal "$old"
  follows() { l=$(leader_seen_by "$old"); [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$old" ]; }
  wait_for "round $round: master $old follows again" 30 follows || round_failures=$((round_failures + 1))
  check_round "$round"
  cut_write=$(km "$leader" get configmap "cut-$round" -o name 2>/dev/null)
  if [ -n "$cut_write" ]; then
    echo "FAIL: round $round: the write refused beyond the cut was applied after all"
    round_failures=$((round_failures + 1))
  fi
done
# (c) every member restarted (SIGTERM), one after another, in a random order.
for _ in $(seq 6); do
  round=$((round + 1))
  for m in $(shuf -e 1 2 3); do
    before=$(ready_count "$m")
    lab master-stop "$m"
    lab master-start "$m"
    wait_for "round $round: master $m back" 30 at_least $((before + 1)) ready_count "$m" ||
      not_back "$m"
  done
  check_round "$round"
done
kill "$writer_pid" 2>/dev/null
wait "$writer_pid" 2>/dev/null
writer_pid=
for f in "${figures[@]}"; do echo "$f"; done
check "20 rounds of faults" test "$round" -eq 20
check "every round kept every acknowledged write, one history, the RC's pods and nodes" \
  test "$round_failures" -eq 0
check "the client was acknowledged throughout ($(wc -l <"$work/acked") writes)" \
  test "$(wc -l <"$work/acked")" -gt 100
finish
