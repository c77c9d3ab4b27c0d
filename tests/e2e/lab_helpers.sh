# Shared by the lab e2e scripts (sourced after tests/tools/check_helpers.sh, with $capstan and
# $src set; CAPSTAN_LAB_* settings exported before): a lab of its own with $lab_nodes nodes
# (default 2) and $lab_args (e.g. --subnets) — its own directory and namespace prefix, so it
# never meets a user's lab —, a scratch directory $work, and the helpers lab, k (kubectl on the
# lab), on HOST CMD, node_ip K, field POD JSONPATH, pod_events POD, has_event POD TEXT. The lab
# is torn down on exit, after the script's own extra_cleanup when it defines one.
export CAPSTAN_BUILD_DIR CAPSTAN_LAB CAPSTAN_LAB_PREFIX
CAPSTAN_BUILD_DIR=$(cd "$(dirname "$capstan")/.." && pwd)
CAPSTAN_LAB=$(mktemp -d -u /tmp/capstan-lab-test.XXXXXX)
CAPSTAN_LAB_PREFIX=cpt$((RANDOM % 9000 + 1000))
work=$(mktemp -d)
lab() { bash "$src/scripts/lab" "$@"; }
cleanup() {
  if declare -F extra_cleanup >/dev/null; then extra_cleanup; fi
  lab down >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck disable=SC2086
lab up "${lab_nodes:-2}" ${lab_args:-} >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
k() { lab kubectl --request-timeout=20s "$@"; }
on() { lab on "$@"; }
node_ip() { lab node-ip "$1"; }
field() { k get pod "$1" -o jsonpath="$2" 2>/dev/null; }
# The node's events about a pod, as kubectl describe shows them: TYPE|REASON|HOST|MESSAGE lines.
pod_events() { k get events -o jsonpath='{range .items[?(@.involvedObject.name=="'"$1"'")]}{.type}|{.reason}|{.source.host}|{.message}{"\n"}{end}' 2>/dev/null; }
has_event() { pod_events "$1" | grep -qF -- "$2"; }
