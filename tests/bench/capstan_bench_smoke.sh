#!/usr/bin/env bash
# Smoke runs of `capstan bench scheduling` (seconds, not minutes), so the benchmark cannot
# silently break: in-process nodes with the etcd anchor, a paced (--rate) run, nodes in two
# remote `capstan node --runtime fake --count N` processes joining over CAF, and bad flags.
# Usage: capstan_bench_smoke.sh CAPSTAN_BINARY SOURCE_DIR
set -uo pipefail
capstan=$1
source "$2/tests/tools/check_helpers.sh"

# Checks one JSON result line with a Python expression over `r`.
holds() {
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$1" "$2"
}

quick=$("$capstan" bench scheduling --quick --json 2>/dev/null | tail -1)
echo "in-process: $quick"
check "every pod bound and running" holds "$quick" 'r["pods"] == 500 and r["bound_per_second"] > 0 and r["running_per_second"] > 0'
check "latency percentiles are ordered" holds "$quick" 'r["created_to_bound"]["p50_ms"] <= r["created_to_bound"]["p99_ms"] <= r["created_to_bound"]["max_ms"] <= r["created_to_running"]["max_ms"]'
check "at least create, bind and status per pod journaled" holds "$quick" 'r["journal_events"] >= 3 * r["pods"] and r["journal_bytes"] > 0'
check "the etcd anchor wrote as many records as the journal" holds "$quick" '"writes" in r["etcd"] and r["etcd"]["writes"] == r["journal_events"] and r["etcd"]["writes_per_second"] > 0'

paced=$("$capstan" bench scheduling --nodes 10 --pods 300 --rc-size 50 --rate 1000 --no-etcd --json 2>/dev/null | tail -1)
echo "paced: $paced"
# 300 pods offered at 1000/s take at least 0.25 s (the last RC is due at 0.25 s).
check "the offered load paces the run" holds "$paced" 'r["offered_pods_per_second"] == 1000 and r["bound_per_second"] < 1200 and "skipped" in r["etcd"]'

remote=$("$capstan" bench scheduling --nodes 10 --pods 200 --rc-size 50 --remote-procs 2 --no-etcd --json 2>/dev/null | tail -1)
echo "remote: $remote"
check "remote node processes run every pod" holds "$remote" 'r["remote_procs"] == 2 and r["running_per_second"] > 0'

errors=$("$capstan" bench scheduling --nodes 0 2>&1)
code=$?
check "zero nodes is refused with exit 2" test "$code" -eq 2
check "and the error says what is allowed" grep -q "nodes, pods and rc-size must be positive" <<<"$errors"
errors=$("$capstan" bench scheduling --bogus 2>&1)
code=$?
check "an unknown flag is refused with exit 2" test "$code" -eq 2
check "and named" grep -q "unknown flag: --bogus" <<<"$errors"
finish
