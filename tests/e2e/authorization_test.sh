#!/usr/bin/env bash
# Who may do what, as kubectl sees it: tokens with groups (Kubernetes' static token file), RBAC
# deny by default with Kubernetes' 403 words, system:masters allowed everything, every
# authenticated user allowed discovery, `auth can-i` (one question and --list) and `auth whoami`.
# Usage: authorization_test.sh CAPSTAN
set -u
capstan=$1
source "$(dirname "$0")/../tools/check_helpers.sh"
admin_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
tokens_csv="$admin_token,admin,admin,\"system:masters\"
b0b-token,bob,u-bob
carol-token,carol,u-carol,\"ops,system:masters\"
dave-token,dave,u-dave,\"devs,qa\"
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

finish
