#!/usr/bin/env bash
# Tests tools/capstanctl.cpp `validate` as a user runs it: the examples pass; bad input
# fails with exit 1 and names file, object and field; usage errors exit 2.
# Usage: capstanctl_validate_test.sh CAPSTANCTL SOURCE_DIR
set -u
ctl=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/check_helpers.sh"

out=$("$ctl" validate -f "$src/examples/guestbook" 2>"$work/err")
rc=$?
check "guestbook validates (exit $rc: $(cat "$work/err"))" test $rc -eq 0
check "guestbook lists 6 objects" test "$(echo "$out" | wc -l)" -eq 6
check "guestbook names service/frontend" grep -qx "service/frontend" <<<"$out"
check "guestbook names replicationcontroller/redis-slave" grep -qx "replicationcontroller/redis-slave" <<<"$out"

"$ctl" validate -f "$src/examples/nginx" -f "$src/examples/ops" >"$work/out" 2>&1
check "nginx and ops validate" test $? -eq 0
check "nginx and ops list 8 objects" test "$(wc -l <"$work/out")" -eq 8

cat >"$work/frontend-service.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: frontend
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 40001
  selector:
    name: frontend
YAML
"$ctl" validate -f "$work/frontend-service.yaml" >"$work/out" 2>"$work/err"
rc=$?
check "bad nodePort exits 1 (got $rc)" test $rc -eq 1
check "bad nodePort names file, object, field and range" \
  grep -q "frontend-service.yaml:1: Service \"frontend\": spec.ports\[0\].nodePort: Invalid value: 40001: .*30000-32767" "$work/err"
check "bad input prints no object" test ! -s "$work/out"

printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n' >"$work/noimage.json.yaml"
"$ctl" validate -f "$work/noimage.json.yaml" 2>"$work/err" >/dev/null
check "missing image is reported" grep -q "spec.containers\[0\].image: Required value" "$work/err"

"$ctl" validate -f "$src/examples/guestbook/frontend-service.yaml" -o json >"$work/out"
check "-o json prints the defaulted object" grep -q '"targetPort": 80' "$work/out"

cat "$src/examples/nginx/nginx-rc.yaml" | "$ctl" validate -f - >"$work/out"
check "stdin is read with -f -" grep -qx "replicationcontroller/nginx-controller" "$work/out"

"$ctl" validate -f "$work/does-not-exist.yaml" 2>"$work/err" >/dev/null
check "a missing file exits 1" test $? -eq 1
check "a missing file is named" grep -q "does-not-exist.yaml: no such file" "$work/err"

"$ctl" validate >/dev/null 2>&1
check "validate without -f is a usage error" test $? -eq 2
"$ctl" frobnicate >/dev/null 2>&1
check "an unknown command is a usage error" test $? -eq 2

finish
