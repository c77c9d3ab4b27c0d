#!/usr/bin/env bash
# Tests tools/admin/journal_command.cpp as a user runs it: import appends one event per
# object as the named user; a refused import appends nothing; history and state audit.
# Usage: capstan_journal_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$work/data
source "$(dirname "$0")/check_helpers.sh"
last_seq() { "$capstan" journal state --data "$data" | head -1 | awk '{print $4}' | tr -d :; }

"$capstan" journal import --data "$data" --user alice -f "$src/examples/guestbook" >"$work/out" 2>&1
check "guestbook imports" test $? -eq 0
check "six objects created" test "$(grep -c ' created (seq ' "$work/out")" -eq 6
check "state is at seq 6" test "$(last_seq)" = 6

"$capstan" journal import --data "$data" --user bob -f "$src/examples/nginx" >/dev/null 2>&1
check "nginx imports" test "$(last_seq)" = 9

# Re-importing an existing object is refused and appends nothing, even for the new ones.
"$capstan" journal import --data "$data" --user mallory -f "$src/examples/ops/my-service.json" \
  -f "$src/examples/guestbook/frontend-service.yaml" >"$work/out" 2>"$work/err"
check "duplicate import exits 1" test $? -eq 1
check "duplicate named" grep -q 'services "frontend" already exists' "$work/err"
check "refused import appended nothing" test "$(last_seq)" = 9

printf 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec: {ports: [{port: 80}]}\n' >"$work/bad.yaml"
"$capstan" journal import --data "$data" --user mallory -f "$work/bad.yaml" 2>"$work/err" >/dev/null
check "invalid import exits 1" test $? -eq 1
check "invalid import names the field" grep -q "bad.yaml:1: Service \"Bad_Name\": metadata.name: Invalid value" "$work/err"
check "invalid import appended nothing" test "$(last_seq)" = 9

"$capstan" journal history --data "$data" --kind svc --name default/frontend >"$work/out"
check "history of one object has one event" test "$(tail -n +2 "$work/out" | wc -l)" -eq 1
check "history says who and what" grep -qE '^2 +[0-9T:.-]+Z +alice +ServiceCreated +service/default/frontend' "$work/out"
"$capstan" journal history --data "$data" --from 7 >"$work/out"
check "history from 7 shows bob's three events" test "$(grep -c ' bob ' "$work/out")" -eq 3

"$capstan" journal state --data "$data" --at 3 >"$work/out"
check "state at 3 has 3 objects" grep -q "state at seq 3: 3 objects" "$work/out"
check "state at 3 lacks nginx" test "$(grep -c nginx "$work/out")" -eq 0

"$capstan" journal snapshot --data "$data" >"$work/out"
check "snapshot at seq 9" grep -q "snapshot written at seq 9 (9 objects)" "$work/out"
check "state after snapshot still has 9 objects" test "$(last_seq)" = 9

"$capstan" journal history --data "$data" --from x >/dev/null 2>&1
check "a bad sequence number is a usage error" test $? -eq 2
"$capstan" journal state >/dev/null 2>&1
check "state without --data is a usage error" test $? -eq 2

finish
