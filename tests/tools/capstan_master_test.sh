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
# Starts the master in the background and returns once it is ready (0) or has failed (1, with
# its log printed). A port another test took between pick_ports and the bind is not this test's
# failure: the master says "cannot listen" and exits, and it starts again on fresh ports.
start_master() {
  local attempt
  for attempt in 1 2 3 4 5; do
    pick_ports 4 || return 1
    # Emptied here, before the master starts in the background: a wait for its lines must
    # never read the previous master's log.
    : >"$work/master.log"
    "$capstan" master --data "$work/data" --join "127.0.0.1:$port" --api "127.0.0.1:$((port + 2))" --fake-nodes 3 \
      --manifests "$src/examples/guestbook" >"$work/master.log" 2>&1 &
    pid=$!
    if wait_for "ready" 30 master_ready_or_gone && grep -q "capstan master: ready" "$work/master.log"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null && grep -q "cannot listen" "$work/master.log"; then
      wait "$pid"
      pid=
      continue
    fi
    break
  done
  echo "the master did not become ready; its log:"
  tail -20 "$work/master.log"
  return 1
}
master_ready_or_gone() { grep -q "capstan master: ready" "$work/master.log" || ! kill -0 "$pid" 2>/dev/null; }
running_pods() { "$capstan" journal state --data "$work/data" --kind pod 2>/dev/null | grep -c ' Running on '; }

check "master says ready" start_master
check "master listens for nodes" grep -q "node agents join at 127.0.0.1:$port" "$work/master.log"
check "six guestbook pods run" wait_for "6 running pods" 30 equals 6 running_pods
"$capstan" journal state --data "$work/data" --kind svc >"$work/svc"
check "frontend has NodePort 30001" grep -qE 'frontend +[0-9]+ +NodePort 10\.254\.[0-9.]+ 80:30001/TCP' "$work/svc"
"$capstan" journal history --data "$work/data" --kind rc >"$work/rc"
check "RCs were created by the manifests loader" test "$(grep -c 'system:manifests  *RcCreated' "$work/rc")" -eq 3

# A second master on the same data directory is refused, loudly.
# Bounded: were the lock not held, this master would run on and the test would hang.
timeout 60 "$capstan" master --data "$work/data" --join "127.0.0.1:$((port + 1))" --api "127.0.0.1:$((port + 3))" >"$work/second.log" 2>&1
check "a second master on the same data exits 1" test $? -eq 1
check "a second master says why" grep -q "is a master running on it" "$work/second.log"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM exits 0 (got $rc)" test $rc -eq 0
check "shutdown writes a snapshot" grep -q "journal closed at seq [0-9]*, snapshot written" "$work/master.log"
closed=$(sed -n 's/.*journal closed at seq \([0-9]*\).*/\1/p' "$work/master.log")

check "restarted master is ready" start_master
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
check "and says why it wrote no snapshot" grep -qE "journal closed at seq [0-9]+, no snapshot \(([0-9]+ records after )?the snapshot at $closed" "$work/master.log"
chmod 755 "$work/data" "$work/data/journal"
chmod 644 "$work/data/journal"/*
check "a master on a data directory left readable is ready" start_master
# The shutdown before had only the few records of a restart after the snapshot: it wrote none
# (a snapshot per restart would push the older ones, past moments' reach, out of the kept ones).
check "a shutdown soon after a snapshot writes none" grep -q "at seq [0-9]* (snapshot at $closed + [0-9]* records" "$work/master.log"
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
