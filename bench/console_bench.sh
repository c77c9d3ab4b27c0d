#!/usr/bin/env bash
# The console's requests at scale (bench/console_bench.py): a master with 250 simulated nodes
# of 600 pods each (the default --cluster-cidr holds 256 nodes' /24s), filled
# through its API with 150,000 pods and users' scaling until its journal holds 1,000,000
# records, then each console request timed. Prints a table and one JSON line.
#   bench/console_bench.sh [--data DIR] [--nodes N] [--pods P] [--records R] [--browser]
# --browser also times the pages in Debian's chromium (bench/console_browser.mjs) at the end.
# Above 256 nodes the pods' networks come from 10.0.0.0/11 (8,192 /24s; simulated nodes only:
# no address of it is configured anywhere).
# With --data DIR kept from an earlier run (DIR/filled exists), the master restarts on it and
# only the measuring runs (also the history index's build time after a restart).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
capstan=${CAPSTAN_BUILD_DIR:-$root/build}/tools/capstan
data=/tmp/capstan-console-bench nodes=250 pods=150000 records=1000000 browser=
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --pods) pods=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --browser) browser=1; shift ;;
    *) echo "console_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$data"
if [ ! -f "$data/tokens.csv" ]; then
  admin=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && printf '%s,admin,admin,"system:masters"\nalice-%s,alice,u-alice,"system:masters"\nbob-%s,bob,u-bob,"system:masters"\ncarol-%s,carol,u-carol,"system:masters"\n' \
    "$admin" "$admin" "$admin" "$admin" >"$data/tokens.csv")
fi
admin=$(awk -F, '$2 == "admin" {print $1}' "$data/tokens.csv")
port=$((20000 + RANDOM % 12000))
cidr=()
[ "$nodes" -le 256 ] || cidr=(--cluster-cidr 10.0.0.0/11)
"$capstan" master --data "$data" --api "127.0.0.1:$port" --join "127.0.0.1:$((port + 1))" \
  --fake-nodes "$nodes" "${cidr[@]}" --fake-node-max-pods $(((pods + nodes - 1) / nodes + 10)) --node-monitor-grace-period 1h --pod-eviction-timeout 1h \
  >"$data/master.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
started=$SECONDS
until grep -q "capstan master: ready" "$data/master.log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$data/master.log"; exit 1; }
  sleep 0.2
done
echo "master ready after $((SECONDS - started)) s"
flags=()
if [ -f "$data/filled" ]; then
  flags+=(--measure-only)
  until grep -q "history index ready" "$data/master.log"; do sleep 0.2; done
  grep "history index ready" "$data/master.log"
fi
python3 "$root/bench/console_bench.py" --server "https://127.0.0.1:$port" --token "$admin" \
  --user-tokens "alice=alice-$admin,bob=bob-$admin,carol=carol-$admin" \
  --pods "$pods" --records "$records" "${flags[@]}"
touch "$data/filled"
if [ -n "$browser" ]; then
  node "$root/bench/console_browser.mjs" "https://127.0.0.1:$port" "$admin" web-00007
fi
