#!/usr/bin/env bash
# End to end with the real kubectl, as in the seeds' transcripts: a master on 127.0.0.1 with
# simulated nodes; create the guestbook and the nginx examples, get, describe, scale with
# preconditions, label a node and land the seed's nodeSelector RC there, watch, delete with
# cascade; errors as kubectl prints them; explain from the served OpenAPI, and misspelt fields
# refused; 401 without a valid token; the audit trail names the user.
# Usage: kubectl_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
export KUBECONFIG=$work/data/admin.kubeconfig
k() { kubectl --request-timeout=20s "$@"; }
count_running() { k get pods "$@" --no-headers 2>/dev/null | grep -c ' Running ' || true; }

# The guestbook (seeds 000/001).
k create -f "$src/examples/guestbook/" >"$work/out" 2>&1
check "kubectl create -f the guestbook creates 6 objects" test "$(grep -c ' created$' "$work/out")" -eq 6
check "6 pods run" wait_for "6 running pods" 30 equals 6 count_running
k get rc >"$work/out"
check "get rc shows frontend 3/3" grep -qE '^frontend +3 +3 +3 ' "$work/out"
check "get rc shows redis-slave 2/2" grep -qE '^redis-slave +2 +2 +2 ' "$work/out"
k get services >"$work/out"
check "frontend is NodePort 80:30001" grep -qE '^frontend +NodePort +10\.254\.[0-9]+\.[0-9]+ +<none> +80:30001/TCP' "$work/out"
check "redis-master has a ClusterIP in 10.254.0.0/16" grep -qE '^redis-master +ClusterIP +10\.254\.' "$work/out"
check "frontend has 3 endpoints" wait_for "3 endpoints" 10 sh -c "kubectl get endpoints frontend --no-headers 2>/dev/null | grep -qE '([0-9.]+:80,){2}[0-9.]+:80'"
pod=$(k get pods -l name=frontend -o name | head -1)
k describe "$pod" >"$work/out"
check "describe pod names its node" grep -qE '^Node: +node[0-9]/' "$work/out"
check "describe pod shows the Scheduled event" grep -qE 'Normal +Scheduled .*Successfully assigned default/' "$work/out"
# Simulated nodes run no containers: logs says so instead of pretending.
k logs "$pod" >"$work/out" 2>&1
check "kubectl logs on a simulated node is a clear BadRequest" grep -q 'Error from server (BadRequest): pod frontend-.* runs on node[0-9], a simulated node (fake runtime)' "$work/out"
k logs "$pod" -c nope >"$work/out" 2>&1
check "kubectl logs names an unknown container" grep -q 'container nope is not valid for pod frontend-' "$work/out"
check "get pods -o wide shows IP and node" sh -c "kubectl get pods -o wide --no-headers 2>/dev/null | grep -qE ' 10\.1\.[0-9]+\.[0-9]+ +node[0-9]'"

# nginx (seed 003): both service types.
k create -f "$src/examples/nginx/" >"$work/out" 2>&1
check "nginx examples create 3 objects" test "$(grep -c ' created$' "$work/out")" -eq 3
check "nginx-service-nodeport got a NodePort" sh -c "kubectl get svc nginx-service-nodeport --no-headers 2>/dev/null | grep -qE '8000:3[0-9]{4}/TCP'"

# Scale with preconditions (seed 000), and watch the change.
k get pods -w -l name=redis-slave >"$work/watch" 2>&1 &
watch_pid=$!
k scale rc redis-slave --replicas=3 >"$work/out" 2>&1
check "scale succeeds" grep -q 'scaled' "$work/out"
check "3 slaves run" wait_for "3 slaves" 30 equals 3 count_running -l name=redis-slave
k scale rc redis-slave --current-replicas=2 --replicas=1 >"$work/out" 2>&1
check "a stale --current-replicas is refused" grep -q 'Expected replicas to be 2, was 3' "$work/out"
check "get -w saw the third slave" wait_for "the watch" 10 sh -c "test \$(cut -d' ' -f1 '$work/watch' | sort -u | grep -c redis-slave) -ge 3"
kill "$watch_pid" 2>/dev/null
watch_pid=

# Label a node; the seed's nodeSelector RC lands there (in its own namespace: its name is taken).
k label nodes node2 zone=test >"$work/out" 2>&1
check "label nodes" grep -q 'node/node2 labeled' "$work/out"
k create namespace ops >/dev/null 2>&1
k create -n ops -f "$src/examples/ops/redis-master-nodeselector.yaml" >/dev/null 2>&1
check "the zone=test RC runs on node2" wait_for "the ops pod" 30 sh -c "kubectl get pods -n ops -o wide --no-headers 2>/dev/null | grep -qE ' Running .* node2( |$)'"

# Errors as kubectl prints them.
k get pod nope >"$work/out" 2>&1
check "NotFound" grep -q 'Error from server (NotFound): pods "nope" not found' "$work/out"
k create -f "$src/examples/guestbook/frontend-service.yaml" >"$work/out" 2>&1
check "AlreadyExists" grep -q 'Error from server (AlreadyExists).*services "frontend" already exists' "$work/out"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 40001}]}\n' >"$work/bad.yaml"
k create -f "$work/bad.yaml" >"$work/out" 2>&1
check "an invalid manifest names the field" grep -q 'The Service "bad" is invalid: spec.ports\[0\].nodePort: Invalid value: 40001' "$work/out"

# kubectl explain reads the OpenAPI v3 documents (api/openapi.cpp).
k explain pod.spec.containers >"$work/out" 2>&1
check "explain pod.spec.containers names the kind" grep -qE '^KIND: +Pod$' "$work/out"
check "explain pod.spec.containers names the field's type" grep -q '^FIELD: containers <\[\]Container>$' "$work/out"
check "explain pod.spec.containers describes it" grep -q 'List of containers belonging to the pod' "$work/out"
check "explain pod.spec.containers lists image" grep -q $'^  image\t<string>$' "$work/out"
check "explain pod.spec.containers lists ports" grep -q $'^  ports\t<\\[\\]ContainerPort>$' "$work/out"
check "explain pod.spec.containers marks name required" grep -q $'^  name\t<string> -required-$' "$work/out"
k explain rc.spec --recursive >"$work/out" 2>&1
check "explain rc.spec --recursive names the kind" grep -qE '^KIND: +ReplicationController$' "$work/out"
check "explain rc.spec --recursive lists replicas" grep -q $'^  replicas\t<integer>$' "$work/out"
check "explain rc.spec --recursive lists the selector map" grep -q $'^  selector\t<map\\[string\\]string>$' "$work/out"
check "explain rc.spec --recursive reaches the template's container images" grep -q $'^        image\t<string>$' "$work/out"
k explain svc.spec.ports.nodePort >"$work/out" 2>&1
check "explain svc.spec.ports.nodePort names the kind" grep -qE '^KIND: +Service$' "$work/out"
check "explain svc.spec.ports.nodePort gives the type" grep -q '^FIELD: nodePort <integer>$' "$work/out"
check "explain svc.spec.ports.nodePort describes it" grep -q 'The port on each node on which this service is exposed' "$work/out"
check "explain svc.spec.ports.nodePort gives the range" grep -q '(30000-32767)' "$work/out"

# A misspelt field is refused and nothing is created. kubectl learns from the v3 document that
# the server validates fields (fieldValidation on PATCH) and sends fieldValidation=Strict; the
# server names the field. Its GETs show it consulted v3 and never fell back to v2.
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n  contianers: [{name: c, image: nginx}]\n' >"$work/typo.yaml"
k create -f "$work/typo.yaml" -v=6 >"$work/out" 2>&1
rc=$?
check "a manifest with an unknown field is refused" test $rc -ne 0
check "the refusal names the unknown field" grep -q 'Error from server (BadRequest): error when creating ".*typo.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.contianers"' "$work/out"
check "kubectl read the v3 document for api/v1" grep -q 'GET https://[^ ]*/openapi/v3/api/v1?hash=[0-9A-F]\{64\}[& ][^ ]* 200 OK' "$work/out"
check "kubectl did not fall back to the v2 document" sh -c "! grep -q '/openapi/v2' '$work/out'"
k get pod typo >"$work/out" 2>&1
check "the refused pod does not exist (and the get itself was answered)" grep -q 'Error from server (NotFound): pods "typo" not found' "$work/out"
printf 'apiVersion: v1\nkind: ReplicationController\nmetadata: {name: typo-rc}\nspec:\n  replicas: 1\n  template:\n    metadata: {labels: {app: typo}}\n    spec:\n      containers: [{name: c, imagee: nginx}]\n' >"$work/typo-rc.yaml"
k create -f "$work/typo-rc.yaml" >"$work/out" 2>&1
check "a nested unknown field is refused by its path" grep -q 'unknown field "spec.template.spec.containers\[0\].imagee"' "$work/out"
k get rc typo-rc >"$work/out" 2>&1
check "the refused RC does not exist" grep -q 'Error from server (NotFound): replicationcontrollers "typo-rc" not found' "$work/out"

kubectl --token=wrong get pods >"$work/out" 2>&1
rc=$?
check "a wrong token is refused" test $rc -ne 0
check "a wrong token is Unauthorized" grep -q 'Unauthorized' "$work/out"

# Health and metrics.
check "healthz" test "$(k get --raw /healthz)" = ok
k get --raw /metrics >"$work/out"
check "metrics count scheduler binds" grep -qE '^capstan_scheduler_binds_total [1-9][0-9]*$' "$work/out"
check "metrics count API requests" grep -qE '^capstan_apiserver_requests_total\{verb="GET",code="200"\} [1-9]' "$work/out"
check "metrics count journal appends" grep -qE '^capstan_journal_appended_records_total [1-9]' "$work/out"

# Lists in pages (limit and continue, as kubectl's --chunk-size asks): one object a page, the
# same objects as one whole list; a token not ours is refused; a list at a resourceVersion (an
# informer's) comes whole.
k get pods -A -o name | sort >"$work/whole"
k get pods -A -o name --chunk-size=1 | sort >"$work/paged"
check "a list in pages of one has the whole list's $(wc -l <"$work/whole") pods" sh -c "test -s '$work/whole' && cmp -s '$work/whole' '$work/paged'"
k get --raw '/api/v1/pods?limit=2' >"$work/out"
check "a first page of 2 has two pods, a continue token and the count after it" python3 -c "
import json,sys; d=json.load(open('$work/out')); m=d['metadata']
sys.exit(0 if len(d['items']) == 2 and m['continue'] and m['remainingItemCount'] == $(wc -l <"$work/whole") - 2 else 1)"
k get --raw '/api/v1/pods?limit=2&continue=bm90LW91cnM=' >"$work/out" 2>&1
check "a continue token not ours is a 400" grep -q 'continue key is not valid' "$work/out"
k get --raw '/api/v1/pods?limit=2&resourceVersion=0' >"$work/out"
check "a list at resourceVersion 0 ignores limit (as kube-apiserver's cache)" python3 -c "
import json,sys; d=json.load(open('$work/out')); sys.exit(0 if len(d['items']) == $(wc -l <"$work/whole") and 'continue' not in d['metadata'] else 1)"

# Delete with cascade.
k delete -f "$src/examples/guestbook/" >"$work/out" 2>&1
check "delete -f deletes 6 objects" test "$(grep -c ' deleted$' "$work/out")" -eq 6
guestbook_pods() { k get pods --no-headers 2>/dev/null | grep -cE '^(frontend|redis)-'; }
check "their pods go too" wait_for "no guestbook pods" 30 equals 0 guestbook_pods

# A watch resumes from any resourceVersion: from 3 (before the guestbook) it replays the life of
# pods that no longer exist, up to their deletion.
timeout 3 kubectl get --raw '/api/v1/namespaces/default/pods?watch=true&resourceVersion=3' >"$work/watch" 2>/dev/null
check "an old resourceVersion replays ADDED" grep -q '"type":"ADDED","object":{"kind":"Pod".*"name":"frontend-' "$work/watch"
check "an old resourceVersion replays DELETED" grep -q '"type":"DELETED","object":{"kind":"Pod".*"name":"frontend-' "$work/watch"

# The audit trail names the user.
"$capstan" journal history --data "$work/data" --kind rc --name default/frontend >"$work/out"
check "the journal says admin created the frontend RC" grep -qE ' admin +RcCreated +replicationcontroller/default/frontend' "$work/out"
check "the journal says admin deleted it" grep -qE ' admin +RcDeleted +replicationcontroller/default/frontend' "$work/out"

kill -TERM "$pid"
wait "$pid"
check "the master stops cleanly" test $? -eq 0
pid=
finish
