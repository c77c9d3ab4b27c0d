#!/usr/bin/env bash
# kubectl's promises about writes, end to end against a master on simulated nodes: dry runs
# (diff, create/apply/scale/delete/label --dry-run=server) change nothing — the journal's last
# sequence is asserted unchanged — yet answer what the real call would, errors and a preview
# of the ClusterIP included; drain evicts a node's pods (the protobuf Eviction kubectl sends),
# their RC puts them back elsewhere, uncordon undoes the cordon; server-side apply creates,
# repeats as a no-op, conflicts between managers, and --force-conflicts takes the field.
# Usage: kubectl_writes_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
export KUBECONFIG=$work/data/admin.kubeconfig
k() { kubectl --request-timeout=20s "$@"; }
last_seq() { k get --raw /metrics | awk '/^capstan_journal_last_sequence /{print $2}'; }
count_running() { k get pods "$@" --no-headers 2>/dev/null | grep -c ' Running ' || true; }
replicas_of() { k get rc "$1" -o jsonpath='{.spec.replicas}'; }

check "three nodes are Ready" wait_for "3 nodes" 30 equals 3 sh -c "kubectl get nodes --no-headers 2>/dev/null | grep -c ' Ready '"
cat >"$work/rc.yaml" <<'EOF'
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
spec:
  replicas: 2
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
EOF
sed 's/replicas: 2/replicas: 7/' "$work/rc.yaml" >"$work/rc7.yaml"
cat >"$work/svc.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
EOF
k create -f "$work/rc.yaml" >/dev/null 2>&1
check "the RC's 2 pods run" wait_for "2 pods" 30 equals 2 count_running -l app=web
# The cluster is idle now: nothing journals unless asked.
seq0=$(last_seq)
check "the journal's last sequence is readable" test -n "$seq0"

# ---- dry runs --------------------------------------------------------------------------------
k diff -f "$work/rc7.yaml" >"$work/out" 2>&1
status=$?
check "kubectl diff exits 1 (a difference)" test "$status" -eq 1
check "kubectl diff shows replicas 2 -> 7" sh -c "grep -q '^-  replicas: 2' '$work/out' && grep -q '^+  replicas: 7' '$work/out'"
check "kubectl diff scaled nothing" equals 2 replicas_of web
k create -f "$work/svc.yaml" --dry-run=server -o jsonpath='{.spec.clusterIP} {.spec.ports[0].nodePort}' >"$work/out" 2>&1
check "create --dry-run=server previews a ClusterIP and a NodePort" grep -qE '^10\.254\.[0-9]+\.[0-9]+ 3[0-9]{4}$' "$work/out"
preview=$(cat "$work/out")
k get svc web >"$work/out2" 2>&1
check "the dry-run service does not exist" grep -q 'Error from server (NotFound): services "web" not found' "$work/out2"
k apply --dry-run=server -f "$work/rc7.yaml" >"$work/out" 2>&1
check "apply --dry-run=server says it would configure" grep -q 'replicationcontroller/web configured (server dry run)' "$work/out"
k scale rc web --replicas=5 --dry-run=server >"$work/out" 2>&1
check "scale --dry-run=server answers" grep -q 'replicationcontroller/web scaled (server dry run)' "$work/out"
pod=$(k get pods -l app=web -o name | head -1)
k label "$pod" tier=x --dry-run=server >"$work/out" 2>&1
check "label --dry-run=server answers" grep -q 'labeled (server dry run)' "$work/out"
k delete rc web --dry-run=server >"$work/out" 2>&1
check "delete --dry-run=server answers" grep -q 'replicationcontroller "web" deleted (server dry run)' "$work/out"
k delete "$pod" --dry-run=server >/dev/null 2>&1
bad=$(sed '0,/name: web$/s//name: Web_Bad/' "$work/rc.yaml")
echo "$bad" | k create --dry-run=server -f - >"$work/out" 2>&1
check "an invalid dry-run create gets the real call's 422" grep -q 'is invalid: metadata.name: Invalid value: "Web_Bad"' "$work/out"
check "after diff and every dry run the journal's last sequence is unchanged" equals "$seq0" last_seq
check "the RC still has 2 replicas" equals 2 replicas_of web
check "its 2 pods still run" equals 2 count_running -l app=web
check "the dry-run-labeled pod has no label" sh -c "! kubectl get $pod --show-labels --no-headers | grep -q tier=x"
k create -f "$work/svc.yaml" -o jsonpath='{.spec.clusterIP} {.spec.ports[0].nodePort}' >"$work/out" 2>&1
check "the real create gets the previewed ClusterIP and NodePort (the dry run reserved nothing)" test "$(cat "$work/out")" = "$preview"

# A dry run meets the quota as the real call would.
k create namespace q >/dev/null 2>&1
printf 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pods\nspec:\n  hard:\n    pods: "1"\n' |
  k create -n q -f - >/dev/null 2>&1
k run one --image=nginx -n q >/dev/null 2>&1
seq1=$(last_seq)
k run two --image=nginx -n q --dry-run=server >"$work/out" 2>&1
check "a dry run over quota is Forbidden naming the quota" grep -q 'exceeded quota: pods' "$work/out"
check "... and journals nothing" equals "$seq1" last_seq

# A controller's refused write is logged, counted and retried with no other event: an RC over
# the quota grows once the quota is raised, though nothing about the RC or its pods changes.
retries() {
  k get --raw /metrics | awk '/^capstan_workqueue_retries_total\{name="replication-manager"\}/{print $2}'
}
printf 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: over\nspec:\n  replicas: 2\n  selector:\n    app: over\n  template:\n    metadata:\n      labels:\n        app: over\n    spec:\n      containers:\n      - name: c\n        image: nginx\n' |
  k create -n q -f - >"$work/out" 2>&1
check "an RC over the quota is created" grep -q 'replicationcontroller/over created' "$work/out"
check "its refused creates are logged with the RC and the reason" wait_for "the log line" 30 \
  grep -qE 'replication-manager: q/over: .*exceeded quota: pods' "$work/master.log"
check "... and counted as retries in /metrics" wait_for "a retry" 30 at_least 1 retries
check "... and no pod of it runs" equals 0 count_running -n q -l app=over
k patch resourcequota pods -n q --type=merge -p '{"spec":{"hard":{"pods":"3"}}}' >"$work/out" 2>&1
check "the quota is raised" grep -q 'resourcequota/pods patched' "$work/out"
check "the RC's 2 pods run within the back-off's ceiling (30 s)" wait_for "2 over pods" 60 \
  equals 2 count_running -n q -l app=over

# ---- drain -----------------------------------------------------------------------------------
k scale rc web --replicas=6 >/dev/null 2>&1
check "6 web pods run" wait_for "6 pods" 30 equals 6 count_running -l app=web
node=$(k get pods -l app=web -o jsonpath='{.items[0].spec.nodeName}')
on_node() { k get pods -A --field-selector "spec.nodeName=$node" --no-headers 2>/dev/null | wc -l; }
k drain "$node" --force --ignore-daemonsets --timeout=60s >"$work/out" 2>&1
status=$?
check "kubectl drain $node succeeds" test "$status" -eq 0
check "drain evicted the pods" grep -q 'evicting pod' "$work/out"
check "the drained node is cordoned" sh -c "kubectl get node $node --no-headers | grep -q SchedulingDisabled"
check "no pod is left on $node" equals 0 on_node
check "the RC's 6 pods run again, elsewhere" wait_for "6 pods back" 30 equals 6 count_running -l app=web
"$capstan" journal history --data "$work/data" --kind pods >"$work/out" 2>&1
check "the journal records the evictions by the user (a graceful deletion the node confirms)" grep -qE 'admin +(PodDeleted|PodDeletionRequested)' "$work/out"
check "and each evicted pod's end confirmed by its node" grep -qE 'system:node:[^ ]+ +(PodDeleted|ObjectDeleted)' "$work/out"
k uncordon "$node" >"$work/out" 2>&1
check "uncordon works" grep -q "node/$node uncordoned" "$work/out"
check "the node is schedulable again" sh -c "! kubectl get node $node --no-headers | grep -q SchedulingDisabled"

# ---- server-side apply -----------------------------------------------------------------------
cat >"$work/ssa.yaml" <<'EOF'
apiVersion: v1
kind: ReplicationController
metadata:
  name: ssa
  labels:
    team: a
    extra: "1"
spec:
  replicas: 2
  selector:
    app: ssa
  template:
    metadata:
      labels:
        app: ssa
    spec:
      containers:
      - name: web
        image: nginx
EOF
k apply --server-side -f "$work/ssa.yaml" >"$work/out" 2>&1
check "apply --server-side creates" grep -q 'replicationcontroller/ssa serverside-applied' "$work/out"
k get rc ssa -o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation} {end}' >"$work/out" 2>&1
check "managedFields record kubectl's Apply" grep -q 'kubectl/Apply' "$work/out"
seq2=$(last_seq)
k apply --server-side -f "$work/ssa.yaml" >"$work/out" 2>&1
check "the same apply again succeeds" grep -q 'replicationcontroller/ssa serverside-applied' "$work/out"
check "... and journals nothing (it changes nothing)" equals "$seq2" last_seq
# Another manager applies only the field it cares about.
printf 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: ssa\nspec:\n  replicas: 3\n' >"$work/ops.yaml"
k apply --server-side --field-manager=ops -f "$work/ops.yaml" >"$work/out" 2>&1
check "a second manager changing an owned field gets a conflict naming field and owner" \
  grep -q 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' "$work/out"
check "... which changes nothing" equals 2 replicas_of ssa
k apply --server-side --field-manager=ops --force-conflicts -f "$work/ops.yaml" >"$work/out" 2>&1
check "--force-conflicts takes the field" equals 3 replicas_of ssa
k get rc ssa -o json --show-managed-fields >"$work/out" 2>&1
check "ops now owns spec.replicas, kubectl no longer" /usr/bin/python3 -c "
import json, sys
mf = json.load(open('$work/out'))['metadata']['managedFields']
owner = {e['manager']: e['fieldsV1'] for e in mf}
sys.exit(0 if 'f:replicas' in owner['ops'].get('f:spec', {}) and 'f:replicas' not in owner['kubectl'].get('f:spec', {}) else 1)"
grep -v 'extra: "1"' "$work/ssa.yaml" | sed '/replicas: 2/d' | k apply --server-side -f - >/dev/null 2>&1
check "a label kubectl stops applying is removed" sh -c "! kubectl get rc ssa --show-labels --no-headers | grep -q extra=1"
check "... and the fields others own stay" equals 3 replicas_of ssa
for f in "$src/examples/guestbook/redis-master-service.yaml" "$src/examples/ops/redis-slave-pod.yaml"; do
  k apply --server-side -f "$f" >"$work/out" 2>&1
  check "apply --server-side $(basename "$f")" grep -q 'serverside-applied' "$work/out"
  k apply --server-side -f "$f" >"$work/out" 2>&1
  check "apply --server-side $(basename "$f") twice" grep -q 'serverside-applied' "$work/out"
done
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: applied\n' | k apply --server-side -f - >"$work/out" 2>&1
check "apply --server-side a namespace" grep -q 'namespace/applied serverside-applied' "$work/out"
# Client-side apply alongside: an object made by client-side apply, then applied server-side.
sed 's/name: web$/name: csa/; s/app: web/app: csa/' "$work/rc.yaml" >"$work/csa.yaml"
k apply -f "$work/csa.yaml" >/dev/null 2>&1
k apply -f "$work/csa.yaml" >"$work/out" 2>&1
check "client-side apply twice" grep -q 'replicationcontroller/csa unchanged' "$work/out"
sed 's/replicas: 2/replicas: 4/' "$work/csa.yaml" | k apply --server-side -f - >"$work/out" 2>&1
check "server-side apply takes over from client-side apply without a conflict" grep -q 'serverside-applied' "$work/out"
check "... and changes the field" equals 4 replicas_of csa

finish
