#!/usr/bin/env bash
# How a node gets its certificate, end to end against a master on 127.0.0.1: the join token
# carries the hash of the CA that /cacerts serves (no bearer token needed); a CSR with a proof
# of the token's secret gets a system:node:NAME certificate from the client CA; a wrong proof is
# 401, a CSR for another node 400, a name registered to another key 409, malformed bodies 400.
# Then the node side (nodeagent/bootstrap.cpp through tests/nodeagent/bootstrap_client): files
# with private modes, reuse without network, a token with another CA's hash or a bare secret
# refused (unless --insecure-skip-ca-check), a master whose certificate is not from the CA
# refused at the TLS handshake.
# Usage: node_bootstrap_test.sh CAPSTAN BOOTSTRAP_CLIENT SOURCE_DIR
set -u
[ -n "${TRACE:-}" ] && set -x
capstan=$1
client=$2
src=$3
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
impostor_pid=
trap 'cleanup; [ -n "$impostor_pid" ] && kill -KILL "$impostor_pid" 2>/dev/null' EXIT
export KUBECONFIG=$work/data/admin.kubeconfig
data=$work/data
api=https://127.0.0.1:$port

token=$(head -1 "$data/node-token")
check "the token is K10<sha256>::<secret>" grep -qE '^K10[0-9a-f]{64}::[0-9a-f]{64}$' "$data/node-token"
hash=${token:3:64}
secret=${token#*::}
check "the token file is 0600" test "$(stat -c %a "$data/node-token")" = 600
check "the client CA exists apart from the server CA" sh -c "test -s '$data/tls/client-ca.crt' && ! cmp -s '$data/tls/client-ca.crt' '$data/tls/ca.crt'"
check "the client CA key is 0600" test "$(stat -c %a "$data/tls/client-ca.key")" = 600

# ---- /cacerts ------------------------------------------------------------------------------
curl -sk -D "$work/headers" "$api/cacerts" >"$work/cacerts"
check "/cacerts answers without a token" grep -q '^HTTP/1.1 200' "$work/headers"
check "/cacerts is a PEM file" grep -qi '^content-type: application/x-pem-file' "$work/headers"
check "/cacerts is the server CA, byte for byte" cmp -s "$work/cacerts" "$data/tls/ca.crt"
check "the token carries the hash of /cacerts" test "$(sha256sum <"$work/cacerts" | cut -d' ' -f1)" = "$hash"
check "the serving certificate is for serverAuth" sh -c "openssl x509 -in '$data/tls/server.crt' -noout -ext extendedKeyUsage | grep -q 'TLS Web Server Authentication'"
code() { curl -s -o "$work/body" -w '%{http_code}' --cacert "$data/tls/ca.crt" "$@"; }
check "other paths still need a token" test "$(code "$api/api/v1/nodes")" = 401

# ---- POST /v1-capstan/node-certificate -------------------------------------------------------
new_key() { openssl ecparam -genkey -name prime256v1 -noout 2>/dev/null | openssl pkey -out "$1"; }
csr_for() { openssl req -new -key "$1" -subj "/CN=$2" 2>/dev/null; }
key_hash() { openssl pkey -in "$1" -pubout -outform DER | sha256sum | cut -d' ' -f1; }
proof() { printf 'capstan-node-certificate\n%s\n%s' "$2" "$3" | openssl dgst -sha256 -hmac "$1" | awk '{print $NF}'; }
# request NAME CSR_FILE PROOF: posts a certificate request, leaves the answer in $work/body.
request() {
  jq -n --arg n "$1" --rawfile c "$2" --arg p "$3" '{nodeName: $n, csr: $c, proof: $p}' >"$work/request"
  code -X POST -H 'Content-Type: application/json' --data-binary @"$work/request" "$api/v1-capstan/node-certificate"
}
message() { jq -r .message "$work/body"; }

new_key "$work/a.key"
csr_for "$work/a.key" system:node:worker-a >"$work/a.csr"
ka=$(key_hash "$work/a.key")
check "a good CSR and proof get a certificate" test "$(request worker-a "$work/a.csr" "$(proof "$secret" worker-a "$ka")")" = 200
jq -r .certificate "$work/body" >"$work/a.crt"
check "the answer carries the server CA" test "$(jq -r .serverCA "$work/body")" = "$(cat "$data/tls/ca.crt")"
check "the certificate verifies against the client CA" sh -c "openssl verify -CAfile '$data/tls/client-ca.crt' '$work/a.crt' | grep -q ': OK'"
check "the certificate does not verify against the server CA" sh -c "! openssl verify -CAfile '$data/tls/ca.crt' '$work/a.crt' >/dev/null 2>&1"
subject=$(openssl x509 -in "$work/a.crt" -noout -subject -nameopt RFC2253)
check "the subject is CN=system:node:worker-a,O=system:nodes ($subject)" test "$subject" = "subject=CN=system:node:worker-a,O=system:nodes"
check "the certificate is for clientAuth" sh -c "openssl x509 -in '$work/a.crt' -noout -ext extendedKeyUsage | grep -q 'TLS Web Client Authentication'"
check "the certificate is for the CSR's key" test "$(openssl x509 -in "$work/a.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)" = "$ka"

check "a wrong proof is 401" test "$(request worker-a "$work/a.csr" "$(proof not-the-secret worker-a "$ka")")" = 401
check "401 says the token is wrong" test "$(message)" = "the node token is wrong"
check "a proof for another name is 401" test "$(request worker-b "$work/a.csr" "$(proof "$secret" worker-a "$ka")")" = 401
new_key "$work/other.key"
check "a proof for another key is 401" test "$(request worker-a "$work/a.csr" "$(proof "$secret" worker-a "$(key_hash "$work/other.key")")")" = 401
csr_for "$work/a.key" system:node:worker-b >"$work/b.csr"
check "a CSR naming another node is 400" test "$(request worker-a "$work/b.csr" "$(proof "$secret" worker-a "$ka")")" = 400
check "400 names the expected CN" sh -c "jq -r .message '$work/body' | grep -q 'system:node:worker-a'"
check "an invalid node name is 400" test "$(request Bad_Name "$work/a.csr" "$(proof "$secret" Bad_Name "$ka")")" = 400
check "garbage JSON is 400" test "$(code -X POST --data-binary '{"nodeName": ' "$api/v1-capstan/node-certificate")" = 400
check "a non-object body is 400" test "$(code -X POST --data-binary '[1,2]' "$api/v1-capstan/node-certificate")" = 400
check "a missing field is 400" test "$(code -X POST --data-binary '{"nodeName": "x"}' "$api/v1-capstan/node-certificate")" = 400
check "a CSR that is not PEM is 400" test "$(request worker-a <(echo nonsense) "$(proof "$secret" worker-a "$ka")")" = 400
head -c 70000 /dev/zero | tr '\0' 'x' >"$work/big"
check "a body over 64 KiB is 413" test "$(code -X POST --data-binary @"$work/big" "$api/v1-capstan/node-certificate")" = 413
check "GET on the certificate path is 405" test "$(code "$api/v1-capstan/node-certificate")" = 405
check "POST on /cacerts is 405" test "$(code -X POST --data-binary x "$api/cacerts")" = 405

# Identity binding: a Node registered with another key's hash is not certified for this key.
taken_node() {
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    capstan.io/node-key-sha256: "$2"
EOF
}
taken_node taken "$(printf '%064d' 7)" | kubectl --request-timeout=20s create -f - >/dev/null
taken_node mine "$ka" | kubectl --request-timeout=20s create -f - >/dev/null
csr_for "$work/a.key" system:node:taken >"$work/taken.csr"
taken_state() { kubectl get node taken -o jsonpath='{.metadata.uid} {.metadata.annotations} {.spec}'; }
taken_before=$(taken_state)
check "a name registered to another key is 409" test "$(request taken "$work/taken.csr" "$(proof "$secret" taken "$ka")")" = 409
check "409 says how to register anew" test "$(message)" = "node taken is registered to another machine (key sha256 $(printf '%064d' 7)); delete the node (kubectl delete node taken) to register it anew"
check "409 carries no certificate" test "$(jq -r '.certificate // "none"' "$work/body")" = none
check "409 changed nothing" test "$(taken_state)" = "$taken_before"
csr_for "$work/a.key" system:node:mine >"$work/mine.csr"
check "a name registered to this key is certified" test "$(request mine "$work/mine.csr" "$(proof "$secret" mine "$ka")")" = 200

# ---- the node side (names edgeN: node1-3 are the master's simulated nodes) ---------------------------------------------------------------------------
boot() { "$client" 127.0.0.1 "$port" "$@"; }
pki=$work/edge1/pki
boot "$token" edge1 "$pki" >"$work/out" 2>&1
check "the node gets its credentials" test "$(head -1 "$work/out")" = fetched
check "the node key is 0600" test "$(stat -c %a "$pki/node.key")" = 600
check "the node certificate is 0600" test "$(stat -c %a "$pki/node.crt")" = 600
check "the credentials directory is 0700" test "$(stat -c %a "$pki")" = 700
check "the saved CA is the master's" cmp -s "$pki/server-ca.crt" "$data/tls/ca.crt"
check "the node certificate verifies against the client CA" sh -c "openssl verify -CAfile '$data/tls/client-ca.crt' '$pki/node.crt' | grep -q ': OK'"
check "the node certificate names edge1" test "$(openssl x509 -in "$pki/node.crt" -noout -subject -nameopt RFC2253)" = "subject=CN=system:node:edge1,O=system:nodes"
key_before=$(key_hash "$pki/node.key")
boot "$token" edge1 "$pki" >"$work/out" 2>&1
check "a second start reuses them" test "$(head -1 "$work/out")" = reused
rm "$pki/node.crt"
boot "$token" edge1 "$pki" >"$work/out" 2>&1
check "a lost certificate is fetched again" test "$(head -1 "$work/out")" = fetched
check "for the same key" test "$(key_hash "$pki/node.key")" = "$key_before"

wrong=K10$(printf 'x' | sha256sum | cut -d' ' -f1)::$secret
boot "$wrong" edge2 "$work/edge2" >"$work/out" 2>&1
check "a token with another CA's hash fails" test $? -eq 1
check "it names both hashes" grep -qF "the master's CA has sha256 $hash but the token expects $(printf 'x' | sha256sum | cut -d' ' -f1): refusing to talk to this master" "$work/out"
check "and writes no certificate" test ! -e "$work/edge2/node.crt"
boot "$secret" edge3 "$work/edge3" >"$work/out" 2>&1
check "a bare secret fails" test $? -eq 1
check "it says why" grep -q "bare secret" "$work/out"
check "and writes no certificate" test ! -e "$work/edge3/node.crt"
boot "$secret" edge3 "$work/edge3" --insecure-skip-ca-check >"$work/out" 2>&1
check "a bare secret works with --insecure-skip-ca-check" test "$(head -1 "$work/out")" = fetched
boot "K10$hash::not-the-secret" edge4 "$work/edge4" >"$work/out" 2>&1
check "a wrong secret fails with the master's 401" grep -q "HTTP 401: the node token is wrong" "$work/out"
boot "$token" taken "$work/edge5" >"$work/out" 2>&1
check "a taken name fails with the master's 409" grep -q "HTTP 409: node taken is registered to another machine" "$work/out"

# An impostor that serves the real CA at /cacerts but holds another certificate fails at TLS.
mkdir -p "$work/impostor"
cp "$data/tls/ca.crt" "$work/impostor/cacerts"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=impostor -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/impostor/key.pem" -out "$work/impostor/cert.pem" >/dev/null 2>&1
impostor_port=$((port + 2))
(cd "$work/impostor" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$impostor_port" \
  -cert cert.pem -key key.pem >/dev/null 2>&1) &
impostor_pid=$!
wait_for "the impostor" 10 sh -c "curl -sk https://127.0.0.1:$impostor_port/cacerts | cmp -s - '$data/tls/ca.crt'"
"$client" 127.0.0.1 "$impostor_port" "$token" edge6 "$work/edge6" >"$work/out" 2>&1
check "a master whose certificate is not from the CA is refused" grep -q "is not the one the token names" "$work/out"
check "and nothing secret reached it: no certificate" test ! -e "$work/edge6/node.crt"
kill "$impostor_pid" 2>/dev/null
impostor_pid=

# Without a master, valid credentials are reused (no network at all).
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
boot "$token" edge1 "$pki" >"$work/out" 2>&1
check "without a master the node reuses its credentials" test "$(head -1 "$work/out")" = reused
boot "$token" edge7 "$work/edge7" >"$work/out" 2>&1
check "without a master a new node fails clearly" grep -q "cannot connect to https://127.0.0.1:$port" "$work/out"
finish
