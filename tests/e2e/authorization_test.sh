#!/usr/bin/env bash
# Who may do what, as kubectl sees it: tokens with groups (Kubernetes' static token file), RBAC
# deny by default with Kubernetes' 403 words, system:masters allowed everything, every
# authenticated user allowed discovery, `auth can-i` (one question and --list) and `auth whoami`.
# Roles and bindings are API objects (rbac.authorization.k8s.io/v1), journaled, in force as soon
# as they are written, and guarded against escalation.
# Usage: authorization_test.sh CAPSTAN CAPSTANCTL
set -u
capstan=$1
ctl=$2
source "$(dirname "$0")/../tools/check_helpers.sh"
admin_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
tokens_csv="$admin_token,admin,admin,\"system:masters\"
b0b-token,bob,u-bob
carol-token,carol,u-carol,\"ops,system:masters\"
dave-token,dave,u-dave,\"devs,qa\"
erin-token,erin,u-erin
"
source "$(dirname "$0")/cluster_helpers.sh"
kubeconfig=$work/data/admin.kubeconfig
as() { local token=$1; shift; kubectl --kubeconfig "$kubeconfig" --token "$token" --request-timeout=10s "$@"; }

check "the admin kubeconfig carries the admin line's token" grep -q "token: $admin_token" "$kubeconfig"
check "the admin (system:masters) lists pods" sh -c "kubectl --kubeconfig '$kubeconfig' get pods -A >/dev/null 2>&1"
as b0b-token get pods >"$work/out" 2>&1
bob_code=$?
check "bob, in no group, is refused (exit $bob_code)" test "$bob_code" -ne 0
check "in Kubernetes' words" grep -qF 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"' "$work/out"
as b0b-token get pod web >"$work/out" 2>&1
check "a named object is named" grep -qF 'pods "web" is forbidden: User "bob" cannot get resource "pods"' "$work/out"
as b0b-token get nodes >"$work/out" 2>&1
check "cluster-scoped resources say so" grep -qF 'User "bob" cannot list resource "nodes" in API group "" at the cluster scope' "$work/out"
as b0b-token create namespace bobs >"$work/out" 2>&1
check "bob cannot create" grep -qF 'User "bob" cannot create resource "namespaces"' "$work/out"
check "and nothing was created" sh -c "! kubectl --kubeconfig '$kubeconfig' get namespace bobs >/dev/null 2>&1"
as b0b-token get --raw /metrics >"$work/out" 2>&1
check "a path that is not a resource is refused too" grep -qF 'User "bob" cannot get path "/metrics"' "$work/out"
timeout 10 kubectl --kubeconfig "$kubeconfig" --token b0b-token get --raw '/api/v1/namespaces/default/pods?watch=true' >"$work/out" 2>&1
check "a watch is refused at once" grep -qF 'User "bob" cannot watch resource "pods"' "$work/out"
# exec's WebSocket upgrade (kubectl would stop earlier, at getting the pod): a 403, no 101.
curl -sk -m 10 -o "$work/out" -w '%{http_code}' -H "Authorization: Bearer b0b-token" \
  -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
  -H "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==" -H "Sec-WebSocket-Protocol: v5.channel.k8s.io" \
  "https://127.0.0.1:$port/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true" \
  >"$work/code" 2>/dev/null
check "exec's upgrade is refused with 403 ($(cat "$work/code"))" equals 403 cat "$work/code"
check "saying it is create on pods/exec" grep -qF 'User \"bob\" cannot create resource \"pods/exec\"' "$work/out"
check "bob still reads the version (discovery)" sh -c "kubectl --kubeconfig '$kubeconfig' --token b0b-token version -o json | grep -q '\"gitVersion\"'"
check "carol, in system:masters by her token's groups, creates a namespace" as carol-token create namespace carols
check "an unknown token is 401" sh -c "kubectl --kubeconfig '$kubeconfig' --token nobody get pods 2>&1 | grep -q 'Unauthorized'"

# kubectl auth can-i: yes (exit 0) or no (exit 1), for one question or the whole list.
check "auth can-i answers yes to the admin" equals yes as "$admin_token" auth can-i delete nodes
can_i_bob() {
  local answer
  answer=$(as b0b-token auth can-i "$@" 2>/dev/null)
  echo "$answer $?"
}
check "and no to bob (exit 1)" equals "no 1" can_i_bob list pods
check "bob may ask what he may do" equals "yes 0" can_i_bob create selfsubjectaccessreviews.authorization.k8s.io
check "and read the version path" equals "yes 0" can_i_bob get /version
as b0b-token auth can-i --list >"$work/out" 2>&1
check "auth can-i --list shows the rules bob holds" grep -q "selfsubjectaccessreviews.authorization.k8s.io.*\[create\]" "$work/out"
check "non-resource ones too" grep -q "/version" "$work/out"
check "and not what he lacks" sh -c "! grep -qE '^pods ' '$work/out'"
as "$admin_token" auth can-i --list >"$work/out" 2>&1
check "the admin's list has everything" grep -qE '^\*\.\*[[:space:]]+\[\][[:space:]]+\[\][[:space:]]+\[\*\]' "$work/out"

# kubectl auth whoami: the user and groups, system:authenticated included.
as dave-token auth whoami >"$work/out" 2>&1
check "auth whoami names the user" grep -qE 'Username[[:space:]]+dave' "$work/out"
check "its uid" grep -qE 'UID[[:space:]]+u-dave' "$work/out"
check "and groups, system:authenticated added" grep -qE 'Groups[[:space:]]+\[devs qa system:authenticated\]' "$work/out"

# RBAC objects: the defaults are there, kubectl creates more (in protobuf), and they grant.
admin() { kubectl --kubeconfig "$kubeconfig" --request-timeout=10s "$@"; }
admin get clusterroles >"$work/out" 2>&1
check "the default cluster roles are objects" grep -qE '^view +[0-9]{4}-' "$work/out"
check "cluster-admin among them" grep -qE '^cluster-admin ' "$work/out"
admin get clusterrolebinding cluster-admin -o wide >"$work/out" 2>&1
check "cluster-admin is bound to system:masters" grep -qE '^cluster-admin +ClusterRole/cluster-admin .*system:masters' "$work/out"
check "two team namespaces" admin create namespace team-a
admin create namespace team-b >/dev/null 2>&1
check "kubectl create rolebinding (view for bob in team-a)" admin create rolebinding bob-view --clusterrole=view --user=bob -n team-a
check "bob now lists pods in team-a" as b0b-token get pods -n team-a
check "and can-i says so" equals "yes 0" can_i_bob list pods -n team-a
as b0b-token get pods -n team-b >"$work/out" 2>&1
check "but not in team-b" grep -qF 'User "bob" cannot list resource "pods" in API group "" in the namespace "team-b"' "$work/out"
as b0b-token create service clusterip web --tcp=80 -n team-a >"$work/out" 2>&1
check "nor write in team-a" grep -qF 'User "bob" cannot create resource "services" in API group "" in the namespace "team-a"' "$work/out"
check "and nothing was created" sh -c "! kubectl --kubeconfig '$kubeconfig' get service web -n team-a >/dev/null 2>&1"
admin get rolebinding -n team-a -o wide >"$work/out" 2>&1
check "the binding lists as kubectl shows it" grep -qE '^bob-view +ClusterRole/view +[0-9]+s +bob' "$work/out"
admin patch rolebinding bob-view -n team-a --type=merge -p '{"roleRef":{"name":"edit"}}' >"$work/out" 2>&1
check "a binding's roleRef cannot change" grep -qF 'cannot change roleRef' "$work/out"
"$ctl" --kubeconfig "$kubeconfig" audit history rolebinding/bob-view -n team-a >"$work/out" 2>&1
check "audit history shows who granted what" grep -qE '^[0-9]+ +[0-9T:-]+Z +admin +RoleBindingCreated +rolebinding/team-a/bob-view +ClusterRole/view to User bob' "$work/out"

# Roles of one's own, and escalation: dave administers team-a; he may grant what he holds there,
# not more.
check "kubectl create role (pod-reader in team-a)" admin create role pod-reader --verb=get,list --resource=pods -n team-a
check "kubectl create clusterrole" admin create clusterrole node-reader --verb=get,list --resource=nodes
check "kubectl create clusterrolebinding" admin create clusterrolebinding dave-nodes --clusterrole=node-reader --user=dave
check "dave reads nodes through it" as dave-token get nodes
check "dave becomes admin of team-a" admin create rolebinding dave-admin --clusterrole=admin --group=devs -n team-a
check "dave grants pod-reader in team-a to carol's group" as dave-token create rolebinding ops-read --role=pod-reader --group=ops -n team-a
as dave-token create rolebinding dave-root --clusterrole=cluster-admin --user=dave -n team-a >"$work/out" 2>&1
check "but not cluster-admin: escalation refused" grep -qF 'rolebindings.rbac.authorization.k8s.io "dave-root" is forbidden: user "dave"' "$work/out"
check "naming what he lacks" grep -qF 'attempting to grant RBAC permissions not currently held' "$work/out"
as dave-token create role ns-maker --verb=create --resource=namespaces -n team-a >"$work/out" 2>&1
check "nor a role with rules he does not hold" grep -qF 'roles.rbac.authorization.k8s.io "ns-maker" is forbidden' "$work/out"
as dave-token create rolebinding ghost --role=no-such-role --user=dave -n team-a >"$work/out" 2>&1
check "a binding to a role that does not exist is not found" grep -qF 'roles.rbac.authorization.k8s.io "no-such-role" not found' "$work/out"
as dave-token get pods -n team-b >"$work/out" 2>&1
check "dave's admin stops at team-a" grep -qF 'User "dave" cannot list resource "pods" in API group "" in the namespace "team-b"' "$work/out"

# Server-side apply that would create is a create: patch rights alone do not make objects.
check "a role that may only patch pods in team-a" admin create role pod-patcher --verb=patch --resource=pods -n team-a
check "granted to erin" admin create rolebinding erin-patch --role=pod-patcher --user=erin -n team-a
pod_yaml() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: team-a, labels: {tier: %s}}\nspec: {containers: [{name: c, image: busybox}]}\n' "$1" "$2"; }
pod_yaml existing a >"$work/existing.yaml"
check "the admin creates a pod in team-a" admin apply --server-side -f "$work/existing.yaml"
pod_yaml existing b >"$work/existing.yaml"
check "erin may patch it by server-side apply" as erin-token apply --server-side --force-conflicts -f "$work/existing.yaml"
pod_yaml sneaky a >"$work/sneaky.yaml"
as erin-token apply --server-side -f "$work/sneaky.yaml" >"$work/out" 2>&1
check "but an apply that would create is refused as a create" grep -qF 'User "erin" cannot create resource "pods" in API group "" in the namespace "team-a"' "$work/out"
check "and nothing was created" sh -c "! kubectl --kubeconfig '$kubeconfig' get pod sneaky -n team-a >/dev/null 2>&1"

# A status is read and written, never deleted: DELETE .../status must not delete the object (a
# grant on */status would otherwise delete anything); kinds without a status have none.
api() { curl -sk -m 10 -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $admin_token" "$@"; }
check "DELETE pods/NAME/status is 405" equals 405 api -X DELETE "https://127.0.0.1:$port/api/v1/namespaces/team-a/pods/existing/status"
check "and the pod is still there" admin get pod existing -n team-a
check "roles have no status subresource (404)" equals 404 api "https://127.0.0.1:$port/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/pod-reader/status"
check "singular resource names are no paths (404)" equals 404 api "https://127.0.0.1:$port/api/v1/namespaces/team-a/pod/existing"

# Revoking is immediate: the next request after the delete is refused.
check "the binding is deleted" admin delete rolebinding bob-view -n team-a
as b0b-token get pods -n team-a >"$work/out" 2>&1
check "and bob is refused at once" grep -qF 'User "bob" cannot list resource "pods"' "$work/out"

# Impersonation (kubectl --as): the admin acts as bob and gets bob's answers; bob cannot act as
# anyone until granted `impersonate` on that user; --as-group needs it on the group too.
admin --as bob get pods -n team-a >"$work/out" 2>&1
check "the admin --as bob is refused as bob" grep -qF 'User "bob" cannot list resource "pods"' "$work/out"
whoami_as() { admin --as erin --as-group qa auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}'; }
check "auth whoami --as says who the request acts as" equals 'erin ["qa","system:authenticated"]' whoami_as
as b0b-token --as admin get pods >"$work/out" 2>&1
check "bob cannot impersonate" grep -qF 'users "admin" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope' "$work/out"
check "a role that lets bob impersonate erin" admin create clusterrole impersonate-erin --verb=impersonate --resource=users --resource-name=erin
check "bound to bob" admin create clusterrolebinding bob-impersonates-erin --clusterrole=impersonate-erin --user=bob
check "bob --as erin does what erin may" as b0b-token --as erin auth can-i patch pods -n team-a
as b0b-token --as erin --as-group system:masters get nodes >"$work/out" 2>&1
check "but not as erin in system:masters" grep -qF 'groups "system:masters" is forbidden: User "bob" cannot impersonate resource "groups"' "$work/out"
check "a lower-case bearer scheme is accepted" equals 200 curl -sk -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: bearer $admin_token" "https://127.0.0.1:$port/api/v1/namespaces"


# Service accounts: every namespace has `default`, with a token Secret the controller writes;
# its token authenticates as system:serviceaccount:NS:NAME with the rights granted to it, and
# only while the account lives. Pods run as their account with its token mounted.
sa_token_secret() { admin get serviceaccount "$1" -n "$2" -o jsonpath='{.secrets[0].name}' 2>/dev/null; }
check "team-a's default service account lists its token Secret" wait_for "default's token" 20 sh -c "[ -n \"\$(kubectl --kubeconfig '$kubeconfig' get serviceaccount default -n team-a -o jsonpath='{.secrets[0].name}' 2>/dev/null)\" ]"
secret_name=$(sa_token_secret default team-a)
check "of type kubernetes.io/service-account-token" equals kubernetes.io/service-account-token admin get secret "$secret_name" -n team-a -o jsonpath='{.type}'
secret_key() { admin get secret "$secret_name" -n team-a -o jsonpath="{.data.$1}" | base64 -d; }
check "holding the namespace" equals team-a secret_key namespace
check "and the API's CA" sh -c "kubectl --kubeconfig '$kubeconfig' get secret '$secret_name' -n team-a -o jsonpath='{.data.ca\\.crt}' | base64 -d | cmp -s - '$work/data/tls/ca.crt'"
sa_token=$(secret_key token)
check "the token authenticates as the account" equals system:serviceaccount:team-a:default as "$sa_token" auth whoami -o jsonpath='{.status.userInfo.username}'
check "in the service-account groups" equals '["system:serviceaccounts","system:serviceaccounts:team-a","system:authenticated"]' as "$sa_token" auth whoami -o jsonpath='{.status.userInfo.groups}'
as "$sa_token" get pods -n team-a >"$work/out" 2>&1
check "with no rights of its own" grep -qF 'User "system:serviceaccount:team-a:default" cannot list resource "pods" in API group "" in the namespace "team-a"' "$work/out"
check "view granted to it (kubectl create rolebinding --serviceaccount)" admin create rolebinding sa-view --clusterrole=view --serviceaccount=team-a:default -n team-a
check "it lists pods in team-a" as "$sa_token" get pods -n team-a
as "$sa_token" get pods -n team-b >"$work/out" 2>&1
check "not in team-b" grep -qF 'User "system:serviceaccount:team-a:default" cannot list resource "pods" in API group "" in the namespace "team-b"' "$work/out"
check "and it cannot read its Secret (view excludes secrets)" sh -c "! kubectl --kubeconfig '$kubeconfig' --token '$sa_token' get secret '$secret_name' -n team-a >/dev/null 2>&1"
check "the token is not in the journal's files (sealed)" sh -c "! grep -rqa -- '${sa_token##*.}' '$work/data/journal'"
check "a pod created in team-a runs as default" admin run sa-pod --image=busybox --restart=Never -n team-a
check "with the token Secret as a volume" equals "$secret_name" admin get pod sa-pod -n team-a -o jsonpath='{.spec.volumes[0].secret.secretName}'
check "mounted where in-cluster clients look" equals /var/run/secrets/kubernetes.io/serviceaccount admin get pod sa-pod -n team-a -o jsonpath='{.spec.containers[0].volumeMounts[0].mountPath}'
admin run other-sa --image=busybox --restart=Never -n team-a --overrides='{"spec":{"serviceAccountName":"builder"}}' >"$work/out" 2>&1
check "a pod naming an account that does not exist is refused" grep -qF 'error looking up service account team-a/builder: serviceaccount "builder" not found' "$work/out"
check "the admin deletes the account" admin delete serviceaccount default -n team-a
as "$sa_token" get pods -n team-a >"$work/out" 2>&1
check "and its token is refused at once (401)" grep -qF 'Unauthorized' "$work/out"
check "the controller creates default again" wait_for "a new default" 20 sh -c "[ -n \"\$(kubectl --kubeconfig '$kubeconfig' get serviceaccount default -n team-a -o jsonpath='{.metadata.uid}' 2>/dev/null)\" ]"
check "with a new token" wait_for "a new token" 20 sh -c "t=\$(kubectl --kubeconfig '$kubeconfig' get secret '$secret_name' -n team-a -o jsonpath='{.data.token}' 2>/dev/null | base64 -d); [ -n \"\$t\" ] && [ \"\$t\" != '$sa_token' ]"
as "$sa_token" get pods -n team-a >"$work/out" 2>&1
check "the old token proves nothing to the new account" grep -qF 'Unauthorized' "$work/out"
# A token Secret written with a token of the writer's choosing (bound to the account by both
# annotations) does not make that token work: it is not signed with the master's key, and the
# controller replaces it.
new_uid=$(admin get serviceaccount default -n team-a -o jsonpath='{.metadata.uid}')
chosen="cst1.$(printf 'team-a/forged' | od -An -tx1 | tr -d ' \n').$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n').$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat >"$work/forged.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: forged
  namespace: team-a
  annotations: {kubernetes.io/service-account.name: default, kubernetes.io/service-account.uid: "$new_uid"}
type: kubernetes.io/service-account-token
stringData: {token: "$chosen"}
YAML
check "a token Secret with a chosen token is written" admin create -f "$work/forged.yaml"
forged_token() { admin get secret forged -n team-a -o jsonpath='{.data.token}' 2>/dev/null | base64 -d; }
check "the controller replaces the chosen token" wait_for "a replaced token" 20 sh -c "t=\$(kubectl --kubeconfig '$kubeconfig' get secret forged -n team-a -o jsonpath='{.data.token}' 2>/dev/null | base64 -d); [ -n \"\$t\" ] && [ \"\$t\" != '$chosen' ]"
as "$chosen" get pods -n team-a >"$work/out" 2>&1
check "and the chosen token proves nothing (401)" grep -qF 'Unauthorized' "$work/out"
check "the one it wrote proves the account" equals system:serviceaccount:team-a:default as "$(forged_token)" auth whoami -o jsonpath='{.status.userInfo.username}'
"$ctl" --kubeconfig "$kubeconfig" audit history "secret/$secret_name" -n team-a >"$work/out" 2>&1
check "audit history shows the controller writing the token, never its value" grep -qE 'system:serviceaccount-controller +SecretCreated' "$work/out"
check "(no value)" sh -c "! grep -qF -- '${sa_token##*.}' '$work/out'"
admin get endpoints kubernetes -n default >"$work/out" 2>&1
check "the kubernetes Service has no endpoints on a loopback API (pods cannot reach it)" grep -qF 'endpoints "kubernetes" not found' "$work/out"
check "on the service range's first address, port 443" equals "10.254.0.1:443" admin get service kubernetes -n default -o jsonpath='{.spec.clusterIP}:{.spec.ports[0].port}'

finish
