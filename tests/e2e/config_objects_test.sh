#!/usr/bin/env bash
# Secrets and ConfigMaps as kubectl sees them: `create secret generic|docker-registry|tls`,
# `create configmap --from-literal|--from-file`, stringData merged into data, Kubernetes'
# validation and immutability, RBAC's view role kept away from Secrets; a Secret's value never
# in the journal's files in clear (a ConfigMap's value found there proves the search works), the
# audit showing keys, never values, a restart reading Secrets back with the same key; and a pod
# that takes a variable from a missing Secret held back with CreateContainerConfigError until
# the Secret exists. Usage: config_objects_test.sh CAPSTAN CAPSTANCTL
set -u
capstan=$1
ctl=$2
source "$(dirname "$0")/../tools/check_helpers.sh"
admin_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
tokens_csv="$admin_token,admin,admin,\"system:masters\"
b0b-token,bob,u-bob
"
source "$(dirname "$0")/cluster_helpers.sh"
kubeconfig=$work/data/admin.kubeconfig
k() { kubectl --kubeconfig "$kubeconfig" --request-timeout=10s "$@"; }
secret_value="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
config_value="cfg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

check "a namespace for the team" k create namespace team-a
check "kubectl create secret generic --from-literal" \
  k -n team-a create secret generic db --from-literal=password="$secret_value" --from-literal=user=app
data_of() { k -n team-a get secret "$1" -o "jsonpath={.data.$2}" | base64 -d; }
check "the value reads back (base64 in JSON)" equals "$secret_value" data_of db password
table() { k -n team-a get secret db --no-headers | awk '{print $2, $3}'; }
check "kubectl get shows TYPE and DATA" equals "Opaque 2" table
check "kubectl create configmap --from-literal" \
  k -n team-a create configmap settings --from-literal=LOG_LEVEL="$config_value"
printf 'x=1\ny=2\n' >"$work/app.conf"
check "kubectl create configmap --from-file" k -n team-a create configmap files --from-file="$work/app.conf"
file_of() { k -n team-a get configmap files -o 'jsonpath={.data.app\.conf}'; }
check "the file is its key" equals "$(printf 'x=1\ny=2')" file_of
check "kubectl create secret docker-registry" k -n team-a create secret docker-registry regcred \
  --docker-server=registry.example:5000 --docker-username=u --docker-password=p
type_of() { k -n team-a get secret "$1" -o 'jsonpath={.type}'; }
check "is of type dockerconfigjson" equals kubernetes.io/dockerconfigjson type_of regcred
docker_auth() { k -n team-a get secret regcred -o 'jsonpath={.data.\.dockerconfigjson}' | base64 -d; }
registry_in_auth() { docker_auth | grep -q 'registry.example:5000'; }
check "holding the registry's credentials" registry_in_auth
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=web -days 1 -keyout "$work/tls.key" \
  -out "$work/tls.crt" >/dev/null 2>&1
check "kubectl create secret tls" k -n team-a create secret tls web-tls --cert="$work/tls.crt" --key="$work/tls.key"
check "is of type tls" equals kubernetes.io/tls type_of web-tls

# stringData is merged into data and never stored; bad base64 and bad keys are refused.
applied_value="applied-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat >"$work/string-data.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: api, namespace: team-a}
stringData: {token: $applied_value}
data: {other: $(printf other | base64)}
YAML
check "kubectl apply of a Secret with stringData" k apply -f "$work/string-data.yaml"
check "stringData became data" equals "$applied_value" data_of api token
last_applied() { k -n team-a get secret api -o 'jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'; }
value_in_last_applied() { last_applied | grep -q -- "$applied_value"; }
check "kubectl's last-applied annotation holds the value (as in Kubernetes)" value_in_last_applied
string_data() { k -n team-a get secret api -o 'jsonpath={.stringData}'; }
check "and is not kept" equals "" string_data
k -n team-a apply -f - >"$work/out" 2>&1 <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: broken}
data: {password: "not base64!"}
YAML
check "data that is not base64 is refused" grep -q 'illegal base64 data at input byte' "$work/out"
not_found() { k -n team-a get secret broken 2>&1 | grep -q 'NotFound'; }
check "and nothing was created" not_found

# Immutable: its data and the mark stay.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen}\nimmutable: true\ndata: {k: v1}\n' >"$work/frozen.yaml"
check "an immutable ConfigMap" k -n team-a apply -f "$work/frozen.yaml"
k -n team-a patch configmap frozen -p '{"data":{"k":"v2"}}' >"$work/out" 2>&1
check "refuses a change of its data" grep -q 'field is immutable when `immutable` is set' "$work/out"
frozen() { k -n team-a get configmap frozen -o 'jsonpath={.data.k}'; }
check "which stays" equals v1 frozen

# RBAC: Kubernetes' view role reads ConfigMaps, not Secrets.
check "bob gets view in team-a" k -n team-a create rolebinding bob-view --clusterrole=view --user=bob
check "bob reads ConfigMaps" k --token b0b-token -n team-a get configmap settings
k --token b0b-token -n team-a get secret db >"$work/out" 2>&1
check "but not Secrets" grep -qF 'secrets "db" is forbidden: User "bob" cannot get resource "secrets"' "$work/out"

# The journal's files: the ConfigMap's value is there in clear, the Secret's nowhere.
in_journal() { grep -rqa -- "$1" "$work/data/journal"; }
check "the search finds the ConfigMap's value in the journal" in_journal "$config_value"
check "the Secret's value is not in the journal's files" sh -c "! grep -rqa -- '$secret_value' '$work/data/journal'"
check "nor the applied Secret's, kept in its annotation" sh -c "! grep -rqa -- '$applied_value' '$work/data/journal'"
key_mode() { stat -c %a "$work/data/secrets.key"; }
check "the sealing key is private" equals 600 key_mode
"$ctl" --kubeconfig "$kubeconfig" audit history secret/db -n team-a >"$work/out" 2>&1
check "the audit names the Secret's keys" grep -q 'SecretCreated.*keys password,user' "$work/out"
check "never its value" sh -c "! grep -q -- '$secret_value' '$work/out'"
curl -sk -m 10 -H "Authorization: Bearer $admin_token" \
  "https://127.0.0.1:$port/capstan/v1/state" >"$work/state" 2>/dev/null
check "the past state shows the Secret" grep -q '"name":"db"' "$work/state"
check "redacted" grep -q '(redacted)' "$work/state"
check "without the value" sh -c "! grep -q -- '$(printf %s "$secret_value" | base64)' '$work/state'"
check "nor the value in its last-applied annotation" sh -c "! grep -q -- '$applied_value' '$work/state'"

# A pod that takes a variable from a Secret that does not exist yet is held back, said why.
cat >"$work/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-a}
spec:
  containers:
  - name: web
    image: nginx
    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: later, key: token}}
YAML
check "a pod taking a variable from a missing Secret is accepted" k apply -f "$work/pod.yaml"
held_event() { k -n team-a get events --field-selector involvedObject.name=web -o 'jsonpath={.items[*].message}'; }
held_for_secret() { held_event | grep -q 'secret "later" not found (CreateContainerConfigError)'; }
check "it is held with Kubernetes' reason" wait_for "the held event" 20 held_for_secret
phase() { k -n team-a get pod web -o 'jsonpath={.status.phase}'; }
check "and stays Pending" equals Pending phase
check "the Secret appears" k -n team-a create secret generic later --from-literal=token=t0k
check "and the pod runs" wait_for "web Running" 30 equals Running phase

# A held pod that is deleted goes: its node confirms the deletion of what it never started.
sed 's/name: web,/name: doomed,/; s/name: later,/name: never,/' "$work/pod.yaml" >"$work/doomed.yaml"
check "a pod waiting for a Secret that never comes" k apply -f "$work/doomed.yaml"
doomed_held() { k -n team-a get events --field-selector involvedObject.name=doomed -o 'jsonpath={.items[*].message}' | grep -q 'secret "never" not found'; }
check "is held" wait_for "doomed held" 20 doomed_held
check "is deleted gracefully" k -n team-a delete pod doomed --wait=true --timeout=30s
doomed_gone() { k -n team-a get pod doomed 2>&1 | grep -q NotFound; }
check "and is gone" doomed_gone

# A restart reads Secrets back with the same key.
kill -KILL "$pid"
wait "$pid" 2>/dev/null
"$capstan" master --data "$work/data" --api "127.0.0.1:$port" --join "127.0.0.1:$((port + 1))" \
  --fake-nodes 3 >"$work/master2.log" 2>&1 &
pid=$!
check "the master restarts" wait_for "the master" 30 grep -q "capstan master: ready" "$work/master2.log"
check "the Secret's value is read back after the restart" equals "$secret_value" data_of db password
check "the journal still holds no value in clear" sh -c "! grep -rqa -- '$secret_value' '$work/data/journal'"
finish
