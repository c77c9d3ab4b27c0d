# Shared by the lab e2e scripts (sourced after tests/tools/check_helpers.sh, with $capstan and
# $src set; CAPSTAN_LAB_* settings exported before): a 2-node lab of its own (its own directory
# and namespace prefix, so it never meets a user's lab), a scratch directory $work, and the
# helpers lab, k (kubectl on the lab), on HOST CMD, node_ip K. The lab is torn down on exit.
export CAPSTAN_BUILD_DIR CAPSTAN_LAB CAPSTAN_LAB_PREFIX
CAPSTAN_BUILD_DIR=$(cd "$(dirname "$capstan")/.." && pwd)
CAPSTAN_LAB=$(mktemp -d -u /tmp/capstan-lab-test.XXXXXX)
CAPSTAN_LAB_PREFIX=cpt$((RANDOM % 9000 + 1000))
work=$(mktemp -d)
lab() { bash "$src/scripts/lab" "$@"; }
cleanup() {
  lab down >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
lab up 2 >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
k() { lab kubectl --request-timeout=20s "$@"; }
on() { lab on "$@"; }
node_ip() { echo "192.168.77.$((10 + $1))"; }
