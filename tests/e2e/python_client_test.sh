#!/usr/bin/env bash
# Runs python_client_test.py (the official Kubernetes Python client) against a fresh master.
# Usage: python_client_test.sh CAPSTAN SOURCE_DIR
set -u
capstan=$1
src=$2
source "$src/tests/tools/check_helpers.sh"
source "$src/tests/e2e/cluster_helpers.sh"
# Debian's client lives in the system interpreter's packages, whatever python3 is first on PATH.
timeout 120 /usr/bin/python3 "$src/tests/e2e/python_client_test.py" \
  "$work/data/admin.kubeconfig" "$src/examples" ${VERBOSE:+-v}
