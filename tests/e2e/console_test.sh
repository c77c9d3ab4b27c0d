#!/usr/bin/env bash
# The web console in Debian's chromium (tests/e2e/console_test.mjs) against a master on three
# simulated nodes; screenshots of each step go to SHOTS_DIR.
# Usage: console_test.sh CAPSTAN SOURCE_DIR SHOTS_DIR
set -u
capstan=$1
src=$2
shots=$3
source "$(dirname "$0")/../tools/check_helpers.sh"
admin_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
tokens_csv="$admin_token,admin,admin,\"system:masters\"
carol-token,carol,u-carol,\"ops,system:masters\"
dave-token,dave,u-dave,\"devs\"
"
source "$(dirname "$0")/cluster_helpers.sh"
[ -x /usr/bin/chromium ] || { echo "console_test: /usr/bin/chromium is missing (scripts/setup installs it)"; exit 1; }
[ -d "$src/console/node_modules/playwright-core" ] || {
  echo "console_test: $src/console/node_modules has no playwright-core (the build's npm ci)"
  exit 1
}
node "$(dirname "$0")/console_test.mjs" "$src/console" "https://127.0.0.1:$port" "$admin_token" \
  "$work/data/admin.kubeconfig" "$src/examples" "$shots"
status=$?
check "the browser's checks passed (screenshots in $shots)" test "$status" -eq 0
finish
