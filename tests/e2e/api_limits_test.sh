#!/usr/bin/env bash
# Runs api_limits_test.py (connection churn, idle sockets, 1,000 watchers, floods, hostile
# bodies) against a fresh master whose in-flight limits are small enough to meet.
# Usage: api_limits_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
master_flags="--max-requests-inflight 8 --max-mutating-requests-inflight 4"
source "$src/tests/e2e/cluster_helpers.sh"
# The test opens ~3,000 sockets at once.
ulimit -n "$(ulimit -Hn)"
timeout 240 /usr/bin/python3 "$src/tests/e2e/api_limits_test.py" "$work/data/admin.kubeconfig" "$pid"
status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "FAIL: the master died"; tail -20 "$work/master.log"; exit 1
fi
exit $status
