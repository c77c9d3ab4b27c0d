#!/usr/bin/env bash
# Tests tools/admin/master_command.cpp as an operator runs it: the master starts on a data
# directory, runs the guestbook on simulated nodes, stops on SIGTERM with exit 0 and a
# snapshot, and a restart resumes from the snapshot. Waits are for lines and states, with
# deadlines. Usage: capstan_master_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/check_helpers.sh"
port=$((20000 + RANDOM % 20000))
start_master() {
  # Emptied here, before the master starts in the background: a wait for its lines must never
  # read the previous master's log.
  : >"$work/master.log"
  "$capstan" master --data "$work/data" --join "127.0.0.1:$port" --api "127.0.0.1:$((port + 2))" --fake-nodes 3 \
    --manifests "$src/examples/guestbook" >"$work/master.log" 2>&1 &
  pid=$!
}
running_pods() { "$capstan" journal state --data "$work/data" --kind pod 2>/dev/null | grep -c ' Running on '; }

start_master
check "master says ready" wait_for "ready" 30 grep -q "capstan master: ready" "$work/master.log"
check "master listens for nodes" grep -q "node agents join at 127.0.0.1:$port" "$work/master.log"
check "six guestbook pods run" wait_for "6 running pods" 30 equals 6 running_pods
"$capstan" journal state --data "$work/data" --kind svc >"$work/svc"
check "frontend has NodePort 30001" grep -qE 'frontend +[0-9]+ +NodePort 10\.254\.[0-9.]+ 80:30001/TCP' "$work/svc"
"$capstan" journal history --data "$work/data" --kind rc >"$work/rc"
check "RCs were created by the manifests loader" test "$(grep -c 'system:manifests  *RcCreated' "$work/rc")" -eq 3

# A second master on the same data directory is refused, loudly.
"$capstan" master --data "$work/data" --join "127.0.0.1:$((port + 1))" --api "127.0.0.1:$((port + 3))" >"$work/second.log" 2>&1
check "a second master on the same data exits 1" test $? -eq 1
check "a second master says why" grep -q "is a master running on it" "$work/second.log"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM exits 0 (got $rc)" test $rc -eq 0
check "shutdown writes a snapshot" grep -q "journal closed at seq [0-9]*, snapshot written" "$work/master.log"
closed=$(sed -n 's/.*journal closed at seq \([0-9]*\).*/\1/p' "$work/master.log")

start_master
check "restarted master is ready" wait_for "ready" 30 grep -q "capstan master: ready" "$work/master.log"
check "restart resumes from the snapshot" grep -q "at seq $closed (snapshot at $closed + 0 records" "$work/master.log"
check "the manifests are not created twice" test "$(grep -c ': created' "$work/master.log")" -eq 0
check "the simulated nodes come back as themselves" wait_for "nodes joined" 30 grep -q "3 nodes joined" "$work/master.log"
check "no node is refused" sh -c "! grep -q 'refused node' '$work/master.log'"

# Private data: DATA 0700, the journal's directory 0700 and its files 0600 (what RocksDB made
# since, and what an older master left readable).
mode() { stat -c %a "$1"; }
check "DATA is 0700" equals 700 mode "$work/data"
check "DATA/journal is 0700" equals 700 mode "$work/data/journal"
check "the journal has files" test "$(find "$work/data/journal" -type f | wc -l)" -gt 3
check "no journal file is readable by others" test -z "$(find "$work/data/journal" -type f ! -perm 600)"
kill -INT "$pid"
wait "$pid"
check "SIGINT exits 0" test $? -eq 0
pid=
chmod 755 "$work/data" "$work/data/journal"
chmod 644 "$work/data/journal"/*
start_master
check "a master on a data directory left readable is ready" wait_for "ready" 30 grep -q "capstan master: ready" "$work/master.log"
grep -q "capstan master: ready" "$work/master.log" || tail -5 "$work/master.log"
check "it made DATA 0700 again" equals 700 mode "$work/data"
check "and DATA/journal" equals 700 mode "$work/data/journal"
check "and every journal file 0600" test -z "$(find "$work/data/journal" -type f ! -perm 600)"
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 0" test $? -eq 0
pid=

"$capstan" master --data "$work/data2" --join "not-a-port" >/dev/null 2>&1
check "a bad --join is a usage error" test $? -eq 2

finish
