#!/usr/bin/env bash
# Smoke runs of `capstan bench scheduling` (seconds, not minutes), so the benchmark cannot
# silently break: in-process nodes with the etcd anchor, a paced (--rate) run, nodes in two
# remote `capstan node --runtime fake --count N` processes joining over CAF, a pod sweep with its
# milestones and plot, and bad flags.
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

# A pod sweep: each point in a process of its own, a milestone (pace, RSS) per 50 pods bound.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$capstan" bench scheduling --nodes 10 --pods 100,200 --rc-size 50 --no-etcd --milestone 50 \
  --plot "$scratch/sweep.png" >"$scratch/sweep.txt" 2>"$scratch/sweep.err"
code=$?
check "a pod sweep with a plot exits 0" test "$code" -eq 0
grep '^{' "$scratch/sweep.txt" >"$scratch/sweep.json"
check "a result line per point" test "$(wc -l <"$scratch/sweep.json")" -eq 2
first=$(sed -n 1p "$scratch/sweep.json")
second=$(sed -n 2p "$scratch/sweep.json")
echo "sweep: $second"
check "the points are the pods asked for" holds "$first" 'r["pods"] == 100 and r["nodes"] == 10'
check "a milestone per 50 pods bound, in order, each with an RSS" holds "$second" \
  'r["pods"] == 200 and [m["pods"] for m in r["milestones"]] == [50, 100, 150, 200] and all(m["rss_mib"] > 0 and m["bound_per_second"] > 0 for m in r["milestones"]) and sorted(m["seconds"] for m in r["milestones"]) == [m["seconds"] for m in r["milestones"]]'
check "the process's RSS with the nodes and with the pods" holds "$second" \
  'r["rss_before_pods_mib"] > 0 and r["rss_after_pods_mib"] > 0'
check "the table shows each milestone" grep -q "200 pods bound .* pods/s since the last" "$scratch/sweep.txt"
check "the pace of the largest point against the smallest" grep -q "bound/s at 200 pods is .* % of bound/s at 100 pods" "$scratch/sweep.txt"
check "the plot is a PNG" bash -c "head -c 8 '$scratch/sweep.png' | od -An -c | grep -q 'P   N   G'"
check "progress came on stderr" grep -q "pods bound, .* pods/s since the last 50, process RSS" "$scratch/sweep.err"

errors=$("$capstan" bench scheduling --nodes 10,20 --pods 100,200 2>&1)
code=$?
check "two lists at once are refused with exit 2" test "$code" -eq 2
check "and the error says so" grep -q "not both a list" <<<"$errors"
errors=$("$capstan" bench scheduling --nodes 1 --pods 200 --no-etcd 2>&1)
code=$?
check "pods beyond the nodes' capacity are refused with exit 1" test "$code" -eq 1
check "and the error says why" grep -q "200 pods do not fit on 1 nodes of 110 pods each" <<<"$errors"
errors=$("$capstan" bench scheduling --nodes 0 2>&1)
code=$?
check "zero nodes is refused with exit 2" test "$code" -eq 2
check "and the error says what is allowed" grep -q "nodes, pods and rc-size must be positive" <<<"$errors"
errors=$("$capstan" bench scheduling --bogus 2>&1)
code=$?
check "an unknown flag is refused with exit 2" test "$code" -eq 2
check "and named" grep -q "unknown flag: --bogus" <<<"$errors"
finish
