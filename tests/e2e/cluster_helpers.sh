# Shared by the e2e scripts (sourced after tests/tools/check_helpers.sh, with $capstan set):
# a scratch directory $work, a master on random loopback ports with three simulated nodes
# (its PID in $pid, its kubeconfig at $work/data/admin.kubeconfig; more flags in
# $master_flags; its token file's text in $tokens_csv), and a cleanup that ends
# the master and a background watcher ($watch_pid) by PID and removes $work.
work=$(mktemp -d)
pid=
watch_pid=
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
# A token file of the script's own ($tokens_csv, its text), in place before the first start.
if [ -n "${tokens_csv:-}" ]; then
  mkdir -p "$work/data"
  (umask 077 && printf '%s' "$tokens_csv" >"$work/data/tokens.csv")
fi
pick_ports 2 || exit 1
"$capstan" master --data "$work/data" --api "127.0.0.1:$port" --join "127.0.0.1:$((port + 1))" \
  --fake-nodes 3 ${master_flags:-} >"$work/master.log" 2>&1 &
pid=$!
wait_for "the master" 30 grep -q "capstan master: ready" "$work/master.log" || {
  cat "$work/master.log"
  exit 1
}
