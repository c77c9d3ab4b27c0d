#!/usr/bin/env bash
# Tests every door through which manifests enter outside the HTTP API (capstanctl validate and
# create, capstan journal import, capstan master --manifests) against hostile files: a YAML
# alias bomb (CVE-2019-11253), a 100 MB file, 100 MB on standard input, 100,000 nested
# brackets. Each command runs under a memory limit and a deadline and must refuse with its
# "invalid input" exit status (1) and a clear message: an abort (134), an out-of-memory kill
# (137) or a timeout (124) fails. Nothing may be created or imported.
# Usage: hostile_input_test.sh CAPSTAN CAPSTANCTL
set -u
capstan=$1
ctl=$2
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/check_helpers.sh"

# 1 GiB of address space: the fixed commands need well under 100 MB of memory, a bomb that
# were expanded needs about 6 GB. The master's threads reserve more address space (glibc's
# per-thread arenas, stacks), so it gets 4 GiB; without the fix it still dies long before.
# Its deadline is the wait for "ready" below.
# An AddressSanitizer build reserves terabytes of address space for its shadow memory, so there
# (CAPSTAN_SANITIZE, tests/sanitizers/options.sh) the commands run without the limit; ASan then
# aborts on an absurd allocation itself, and the checks below still ask for a clean refusal.
address_space() {  # address_space GIB: the prlimit words that cap the address space at GIB
  [[ -n ${CAPSTAN_SANITIZE:-} ]] || echo "prlimit --as=$(($1 * 1024 * 1024 * 1024))"
}
# shellcheck disable=SC2046  # address_space's words are meant to split
bounded() { timeout 30 $(address_space 1) "$@"; }
refused() {  # refused WHAT RC: the exit status of an invalid-input refusal
  local what=$1 rc=$2
  case $rc in
    1) return 0 ;;
    124) echo "$what: timed out" ;;
    134) echo "$what: aborted (std::bad_alloc?)" ;;
    137) echo "$what: killed" ;;
    *) echo "$what: exit $rc" ;;
  esac
  return 1
}

# Kubernetes' CVE-2019-11253 document: nine levels of ten aliases, 10^9 strings expanded.
{
  printf 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
  prev=a
  for level in b c d e f g h i; do
    printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $level $level \
      $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
    prev=$level
  done
} >"$work/bomb.yaml"
truncate -s 100M "$work/big.yaml"         # sparse: 100 MB that costs no disk
printf '%*s' 100000 '' | tr ' ' '[' >"$work/deep.json"
cat >"$work/good.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: good
YAML

# ---- capstanctl validate ------------------------------------------------------------------
bounded "$ctl" validate -f "$work/bomb.yaml" >"$work/out" 2>"$work/err"
rc=$?
check "validate refuses the alias bomb with exit 1" refused "validate bomb" $rc
check "validate names the bomb and says why" \
  grep -q "bomb.yaml: invalid YAML: line [0-9]*, column [0-9]*: document contains excessive aliasing" "$work/err"
check "validate prints no object for the bomb" test ! -s "$work/out"

bounded "$ctl" validate -f "$work/big.yaml" >"$work/out" 2>"$work/err"
check "validate refuses a 100 MB file with exit 1" refused "validate big" $?
check "validate says the file is over the limit" \
  grep -q "big.yaml: the file is 104857600 bytes (100 MiB); a manifest may be at most 3145728 bytes (3 MiB)" "$work/err"

head -c 100M /dev/zero | tr '\0' ' ' | bounded "$ctl" validate -f - >"$work/out" 2>"$work/err"
check "validate refuses 100 MB on standard input with exit 1" refused "validate stdin" "${PIPESTATUS[2]}"
check "validate says standard input is over the limit" \
  grep -q "<stdin>: standard input holds more than 3145728 bytes (3 MiB)" "$work/err"

bounded "$ctl" validate -f "$work/deep.json" >"$work/out" 2>"$work/err"
check "validate refuses 100,000 nested brackets with exit 1" refused "validate deep" $?
check "validate says the nesting is too deep" \
  grep -q "deep.json: invalid JSON: nesting deeper than 1000 levels" "$work/err"

# ---- capstan journal import ---------------------------------------------------------------
data=$work/journal
"$capstan" journal import --data "$data" --user alice -f "$work/good.yaml" >/dev/null 2>&1
check "a good import works" test $? -eq 0
records() { "$capstan" journal history --data "$data" | tail -n +2 | wc -l; }
check "the journal holds one record" test "$(records)" -eq 1
bounded "$capstan" journal import --data "$data" --user mallory -f "$work/good.yaml" \
  -f "$work/bomb.yaml" >"$work/out" 2>"$work/err"
check "journal import refuses the alias bomb with exit 1" refused "import bomb" $?
check "journal import names the bomb and says why" \
  grep -q "error: $work/bomb.yaml: invalid YAML: line [0-9]*, column [0-9]*: document contains excessive aliasing" "$work/err"
for bad in big.yaml deep.json; do
  bounded "$capstan" journal import --data "$data" --user mallory -f "$work/good.yaml" \
    -f "$work/$bad" >"$work/out" 2>"$work/err"
  check "journal import refuses $bad with exit 1" refused "import $bad" $?
  check "journal import names $bad" grep -q "error: $work/$bad: " "$work/err"
done
check "refused imports appended nothing" test "$(records)" -eq 1
check "mallory is nowhere in the journal" test "$("$capstan" journal history --data "$data" | grep -c mallory)" -eq 0

# ---- capstan master --manifests, then capstanctl create against it -------------------------
mkdir "$work/manifests"
cp "$work/bomb.yaml" "$work/good.yaml" "$work/manifests/"
pick_ports 2 || exit 1
# prlimit execs the master, so $! is the master's PID.
# shellcheck disable=SC2046
$(address_space 4) "$capstan" master --data "$work/data" --api "127.0.0.1:$port" \
  --join "127.0.0.1:$((port + 1))" --manifests "$work/manifests" >"$work/master.log" 2>&1 &
pid=$!
check "the master starts despite a bad manifest" \
  wait_for "ready" 30 grep -qs "capstan master: ready" "$work/master.log"
check "the master names the bomb and says why" \
  grep -q "bomb.yaml: invalid YAML: line [0-9]*, column [0-9]*: document contains excessive aliasing" "$work/master.log"
check "the master creates nothing from that directory" \
  grep -q -- "--manifests $work/manifests: nothing created; fix the 1 problem above" "$work/master.log"
check "not even the good file beside the bomb" test "$(grep -c ': created' "$work/master.log")" -eq 0

c() { bounded "$ctl" --kubeconfig "$work/data/admin.kubeconfig" "$@"; }
c create -f "$work/bomb.yaml" >"$work/out" 2>"$work/err"
check "create refuses the alias bomb with exit 1" refused "create bomb" $?
check "create names the bomb and says why" grep -q "bomb.yaml: invalid YAML: .*excessive aliasing" "$work/err"
c create -f "$work/big.yaml" -f "$work/good.yaml" >"$work/out" 2>"$work/err"
check "create refuses a 100 MB file with exit 1" refused "create big" $?
check "create says the file is over the limit" grep -q "a manifest may be at most 3145728 bytes" "$work/err"
c get namespaces >"$work/out" 2>&1
check "the master still answers" test $? -eq 0
check "nothing was created" test "$(grep -c '^good ' "$work/out")" -eq 0

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "the master stops cleanly (exit $rc)" test $rc -eq 0
check "the manifests loader appended nothing" \
  test "$("$capstan" journal history --data "$work/data" | grep -c 'system:manifests')" -eq 0

finish
