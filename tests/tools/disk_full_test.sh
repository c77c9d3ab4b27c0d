#!/usr/bin/env bash
# A full disk, end to end, on a small tmpfs of its own: writes fail with an error naming the
# cause once less than the journal's 48 MiB margin is free, /readyz and /healthz?verbose say the journal fails (livez does not), writes resume by
# themselves once space returns, SIGTERM on a full disk exits 0 with a message, the master
# restarts with no free space (its reserve file gives the room back), and every acknowledged
# write is still there. Needs root (mount). Usage: disk_full_test.sh CAPSTAN
set -u
capstan=$1
source "$(dirname "$0")/check_helpers.sh"
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  umount "$work/disk" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/disk"
mount -t tmpfs -o size=256m capstan-disk-full-test "$work/disk" || {
  echo "FAIL: cannot mount a tmpfs (needs root)"
  exit 1
}
data=$work/disk/data
pick_ports 2 || exit 1
start_master() {
  "$capstan" master --data "$data" --api "127.0.0.1:$port" --join "127.0.0.1:$((port + 1))" \
    >>"$work/master.log" 2>&1 &
  pid=$!
}
start_master
check "the master is ready" wait_for "ready" 30 grep -q "capstan master: ready" "$work/master.log"
check "it keeps a 32 MiB reserve" equals 33554432 stat -c %s "$data/journal.reserve"
token=$(cut -d, -f1 "$data/tokens.csv" | head -1)
api() { # METHOD PATH [BODY_FILE]: prints the HTTP status, the body goes to $work/body
  local extra=()
  [ -n "${3:-}" ] && extra=(-H 'Content-Type: application/json' --data-binary "@$3")
  curl -s -m 10 -o "$work/body" -w '%{http_code}' --cacert "$data/tls/ca.crt" \
    -H "Authorization: Bearer $token" -X "$1" "${extra[@]}" "https://127.0.0.1:$port$2"
}
# A pod of about 200 KB (an annotation carries the weight).
weight=$(head -c 150000 /dev/zero | tr '\0' 'x')
pod_body() {
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","annotations":{"weight":"%s"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}' "$1" "$weight" >"$work/pod.json"
}
create() { pod_body "$1" && api POST /api/v1/namespaces/default/pods "$work/pod.json"; }
free_mib() { echo $(($(df -k --output=avail "$work/disk" | tail -1) / 1024)); }
fill_disk() { # NAME [LEAVE_MIB]: a filler file that leaves about LEAVE_MIB free (default none)
  local leave=${2:-0} count
  count=$(($(free_mib) - leave))
  [ "$count" -gt 0 ] && dd if=/dev/zero of="$work/disk/filler-$1" bs=1M count="$count" >/dev/null 2>&1
  true
}

# Leave 60 MiB free, then write until the journal refuses (below its 48 MiB margin).
: >"$work/acknowledged"
fill_disk 1 60
failed_status=
failed_name=
for i in $(seq 1 400); do
  status=$(create "full-$i")
  if [ "$status" = 201 ]; then
    echo "full-$i" >>"$work/acknowledged"
  else
    failed_status=$status
    failed_name=full-$i
    cp "$work/body" "$work/failure"
    break
  fi
done
echo "writes acknowledged with 60 MiB free before the first refusal: $(wc -l <"$work/acknowledged")"
check "some writes were taken first" test "$(wc -l <"$work/acknowledged")" -gt 10
check "a write fails once the disk is full (HTTP 500)" test "$failed_status" = 500
check "the error names the cause" grep -q "No space left on device" "$work/failure"
check "and the journal's free space" grep -q "MiB free on the journal's filesystem; the journal writes only with 48 MiB free" "$work/failure"
check "the next write fails too" equals 500 create refused
check "/readyz fails" equals 500 api GET /readyz
check "/readyz says the journal fails" grep -q '^\[-\]journal failed: .*No space left on device' "$work/body"
check "/healthz?verbose fails the same way" equals 500 api GET '/healthz?verbose'
check "listing [+]ping ok" grep -q '^\[+\]ping ok' "$work/body"
check "/livez stays ok (a restart would not help)" equals 200 api GET /livez
check "reads are still served" equals 200 api GET /api/v1/namespaces/default/pods/full-1

# Space returns: writes resume with no restart.
rm -f "$work/disk"/filler-*
resumed() { [ "$(create "resumed")" = 201 ]; }
check "writes resume by themselves once space returns" wait_for "a write" 30 resumed
echo resumed >>"$work/acknowledged"
check "/readyz is ok again" equals 200 api GET /readyz
check "the master said so" grep -q "the journal is writable again" "$work/master.log"

# SIGTERM on a full disk: a clean exit, with a message.
fill_disk 2
for i in $(seq 1 400); do
  status=$(create "late-$i")
  [ "$status" = 201 ] || break
  echo "late-$i" >>"$work/acknowledged"
done
check "the disk is full again" test "$status" = 500
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM on a full disk exits 0 (got $rc)" test "$rc" = 0
check "and says the snapshot was skipped" grep -q "capstan master: journal closed at seq [0-9]*, no snapshot (no room for a snapshot" "$work/master.log"
check "no abort" sh -c "! grep -q 'terminate called' '$work/master.log'"

# A restart with no free space at all: the reserve gives the room back.
fill_disk 3
echo "free before the restart: $(df -k --output=avail "$work/disk" | tail -1) KiB"
start_master
check "it gave its reserve back and says it runs without one" wait_for "the reserve message" 30 grep -q "running without a disk reserve" "$work/master.log"
check "the master restarts on the full disk" wait_for "ready again" 30 sh -c "grep -c 'capstan master: ready' '$work/master.log' | grep -qx 2"
missing=0
while read -r name; do
  [ "$(api GET "/api/v1/namespaces/default/pods/$name")" = 200 ] || missing=$((missing + 1))
done <"$work/acknowledged"
check "every one of the $(wc -l <"$work/acknowledged") acknowledged writes is there ($missing missing)" test "$missing" = 0
for name in "$failed_name" refused "late-$i"; do
  check "the failed write $name never appeared" equals 404 api GET "/api/v1/namespaces/default/pods/$name"
done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 0" test $? = 0
pid=
finish
