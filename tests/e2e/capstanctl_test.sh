#!/usr/bin/env bash
# End to end with capstanctl against a master on 127.0.0.1 with simulated nodes: the seeds'
# guestbook transcript (create, get, scale with preconditions, label, delete with cascade),
# errors as kubectl prints them, and 401 without a valid token.
# Usage: capstanctl_test.sh CAPSTAN CAPSTANCTL SOURCE_DIR
set -u
capstan=$1
ctl=$2
src=$3
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
c() { "$ctl" --kubeconfig "$work/data/admin.kubeconfig" "$@"; }
running() { c get pods "$@" 2>/dev/null | grep -c ' Running ' || true; }

c create -f "$src/examples/guestbook/" >"$work/out" 2>&1
check "create -f prints kind/name created" grep -qx 'replicationcontroller/frontend created' "$work/out"
check "create -f creates 6 objects" test "$(grep -c ' created$' "$work/out")" -eq 6
check "6 pods run" wait_for "6 running pods" 30 equals 6 running
c get pods -o wide >"$work/out"
check "get pods -o wide has kubectl's header" grep -qE '^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE$' "$work/out"
c get rc >"$work/out"
check "get rc shows DESIRED CURRENT READY" grep -qE '^frontend +3 +3 +3 ' "$work/out"
c get services >"$work/out"
check "get services shows the NodePort" grep -qE '^frontend +NodePort +10\.254\.[0-9.]+ +<none> +80:30001/TCP' "$work/out"
c get svc frontend -o json >"$work/out"
check "get -o json prints the object" grep -q '"nodePort": 30001' "$work/out"
c get pods -l name=redis-slave -o name >"$work/out"
check "get -l -o name lists the two slaves" test "$(grep -c '^pod/redis-slave-' "$work/out")" -eq 2

pod=$(c get pods -l name=frontend -o name | head -1)

# Completion asks the server for names, with the global flags typed on the line.
"$ctl" completion bash >"$work/completion.bash"
complete_line() {  # the words offered for the command line "$@" (the last word is completed)
  bash -c 'source "$1"; shift
           fn=$(complete -p capstanctl | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
           "$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$work/completion.bash" "$ctl" "$@"
}
offers() {  # offers WORD COMMAND-LINE...: completing the line offers WORD
  local want=$1
  shift
  complete_line "$@" | grep -qx -- "$want"
}
kc=(--kubeconfig "$work/data/admin.kubeconfig")
check "completion of get pods offers a pod's name" offers "${pod#pod/}" "${kc[@]}" get pods ""
check "completion of get po/fr offers po/NAME" offers "po/${pod#pod/}" "${kc[@]}" get po/fr
check "completion of logs offers a pod's name" offers "${pod#pod/}" "${kc[@]}" logs fr
check "completion of rolling-update offers the RC frontend" offers frontend "${kc[@]}" rolling-update f
check "completion with --kubeconfig=PATH offers node2" offers node2 --kubeconfig = "$work/data/admin.kubeconfig" get nodes n
no_names() { ! complete_line "${kc[@]}" -n kube-system get pods fr | grep -q .; }
check "completion in another namespace (-n) offers none of default's pods" no_names
c logs "$pod" -f >"$work/out" 2>&1
check "logs -f on a simulated node is a clear BadRequest" grep -q 'Error from server (BadRequest): pod frontend-.* a simulated node (fake runtime)' "$work/out"
c describe "$pod" >"$work/out" 2>&1
check "describe pod names its controller" grep -qE '^Controlled By: +ReplicationController/frontend' "$work/out"
check "describe pod lists its Scheduled event" grep -qE 'Normal +Scheduled +1 +scheduler +Successfully assigned default/' "$work/out"
c describe rc frontend >"$work/out" 2>&1
check "describe rc lists SuccessfulCreate events" test "$(grep -c 'SuccessfulCreate' "$work/out")" -eq 3
c describe svc frontend >"$work/out" 2>&1
check "describe svc shows the NodePort and endpoints" sh -c "grep -qE '^NodePort: +30001' '$work/out' && grep -qE '^Endpoints: +([0-9.]+:80,){2}[0-9.]+:80' '$work/out'"

c scale rc redis-slave --current-replicas=2 --replicas=3 >"$work/out" 2>&1
check "scale with a matching precondition" grep -qx 'replicationcontroller/redis-slave scaled' "$work/out"
c scale rc redis-slave --current-replicas=2 --replicas=1 >"$work/out" 2>&1
check "scale with a stale precondition fails" grep -q 'Expected replicas to be 2, was 3' "$work/out"
check "3 slaves run" wait_for "3 slaves" 30 equals 3 running -l name=redis-slave

c label nodes node2 zone=test >"$work/out" 2>&1
check "label" grep -qx 'node/node2 labeled' "$work/out"
c label nodes node2 zone=prod >"$work/out" 2>&1
check "label without --overwrite keeps the value" grep -q "'zone' already has a value (test), and --overwrite is false" "$work/out"
c get nodes --show-labels >"$work/out"
check "--show-labels shows it" grep -qE '^node2 .*zone=test' "$work/out"

c get pod nope >"$work/out" 2>&1
check "NotFound" grep -q 'Error from server (NotFound): pods "nope" not found' "$work/out"
c create -f "$src/examples/guestbook/frontend-service.yaml" >"$work/out" 2>&1
check "AlreadyExists" grep -q 'Error from server (AlreadyExists).*services "frontend" already exists' "$work/out"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n' >"$work/bad.yaml"
c create -f "$work/bad.yaml" >"$work/out" 2>&1
check "an invalid manifest is refused before sending, naming the field" grep -q 'bad.yaml:1: Pod "p": spec.containers\[0\].image: Required value' "$work/out"
c get pods --token wrong >"$work/out" 2>&1
check "a wrong token is Unauthorized" grep -q 'Unauthorized' "$work/out"

c audit history rc/redis-slave >"$work/out" 2>&1
check "audit history shows who scaled the RC, and how" grep -qE '^[0-9]+ +[0-9T:-]+Z +admin +RcScaled +replicationcontroller/default/redis-slave +replicas 2 -> 3' "$work/out"
check "audit history shows the replication manager's pods" sh -c "c() { '$ctl' --kubeconfig '$work/data/admin.kubeconfig' \"\$@\"; }; c audit history pods | grep -q 'system:replication-manager *PodCreated'"
created_at=$(awk '$4 == "RcCreated" {print $1}' "$work/out")
c audit at "$created_at" rc >"$work/out" 2>&1
check "audit at shows the RC as it was created" grep -qE '^ReplicationController +default +redis-slave +'"$created_at"' ' "$work/out"

# Rolling update (seed 000, kubectl 1.0 semantics): one pod at a time.
c rolling-update frontend --image=kubeguide/guestbook-php-frontend:v2 --update-period=0s >"$work/out" 2>&1
check "rolling-update succeeds" grep -q 'replicationcontroller "frontend" rolling updated to "frontend-' "$work/out"
check "rolling-update shows its progress" grep -q '^Scaling frontend down to 0$' "$work/out"
new_rc=$(sed -n 's/.*rolling updated to "\(frontend-[0-9a-f]*\)".*/\1/p' "$work/out")
check "the new RC runs 3 pods of the new image" wait_for "3 new pods" 30 equals 3 running -l deployment="${new_rc#frontend-}"
# From the journal: frontend pods (created minus deleted) stayed within one of 3 once 3 existed.
"$capstan" journal history --data "$work/data" --kind pod >"$work/pods"
bounds=$(awk '$5 ~ /^pod\/default\/frontend-/ { if ($4 == "PodCreated") n++; if ($4 == "PodDeleted") n--;
                if (n >= 3) started = 1; if (started) { if (min == "" || n < min) min = n; if (n > max) max = n } }
              END { print min, max }' "$work/pods")
check "the frontend kept 2 to 4 pods during the update (saw $bounds)" test "$bounds" = "2 4" -o "$bounds" = "3 4" -o "$bounds" = "2 3"
c delete rc "$new_rc" >/dev/null 2>&1

# apply: the seed manifest brings redis-slave back from 3 to 2 replicas, then changes nothing.
c apply -f "$src/examples/guestbook/redis-slave-controller.yaml" >"$work/out" 2>&1
check "apply configures a changed object" grep -qx 'replicationcontroller/redis-slave configured' "$work/out"
c apply -f "$src/examples/guestbook/redis-slave-controller.yaml" >"$work/out" 2>&1
check "apply again changes nothing" grep -qx 'replicationcontroller/redis-slave unchanged' "$work/out"
check "the RC is back to 2" wait_for "2 slaves" 30 equals 2 running -l name=redis-slave

# get -w streams changes: the replacement of a deleted pod shows up.
c get pods -w -l name=redis-master >"$work/watch" 2>&1 &
watch_pid=$!
old_master=$(c get pods -l name=redis-master -o name | head -1)
wait_for "the watch header" 10 grep -q '^NAME' "$work/watch"
c delete "$old_master" >/dev/null 2>&1
check "get -w shows the replacement pod" wait_for "a new redis-master row" 20 sh -c "grep -v '${old_master#pod/}' '$work/watch' | grep -q '^redis-master-.* Running '"
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
watch_pid=

c delete -f "$src/examples/guestbook/" >"$work/out" 2>&1
check "delete -f deletes what is left" test "$(grep -c ' deleted$' "$work/out")" -eq 5
pod_count() { c get pods --no-headers 2>/dev/null | wc -l; }
check "no pods remain" wait_for "an empty cluster" 30 equals 0 pod_count
kill -TERM "$pid"
wait "$pid"
check "the master stops cleanly" test $? -eq 0
pid=
"$capstan" audit --data "$work/data" history rc/redis-slave >"$work/out" 2>&1
check "offline audit reads the stopped master's journal" grep -qE ' admin +RcDeleted +replicationcontroller/default/redis-slave' "$work/out"
finish
