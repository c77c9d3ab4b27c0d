#!/usr/bin/env bash
# Tests tools/cli/ through every binary built on it: each command the binary lists (at every
# level) prints its help with `--help` and `-h` (exit 0), and refuses an unknown flag with exit 2
# naming it; kubectl's flag spellings; and `capstanctl completion bash` sourced in bash offers
# the commands and flags the binary's own help lists. The command lists come from the binaries'
# --help, so a new command is tested without touching this file.
# Usage: cli_test.sh CAPSTANCTL CAPSTAN CAPSTAN_NODE JOURNAL_BENCH SCHEDULING_BENCH SOURCE_DIR
set -u
ctl=$1
capstan=$2
node=$3
journal_bench=$4
scheduling_bench=$5
src=$6
source "$src/tests/tools/check_helpers.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The subcommands a help text lists (the first word of each line under "Subcommands:").
subcommands() { awk '/^Subcommands:/ {on = 1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}'; }
# The flag spellings a help text lists: "-o,--output TEXT" gives -o and --output.
flags() { awk '/^[A-Z][A-Za-z ]*:$/ {on = ($0 != "Positionals:" && $0 != "Subcommands:"); next}
               on && /^  -/ {n = split($1, s, ","); for (i = 1; i <= n; i++) print s[i]}'; }

# Every command path of a binary: "", "get", "audit history", ...
commands_of() {
  local binary=$1 prefix=${2:-} sub
  echo "$prefix"
  # shellcheck disable=SC2086
  for sub in $("$binary" $prefix --help | subcommands); do
    commands_of "$binary" "${prefix:+$prefix }$sub"
  done
}

each_command() {
  local binary=$1 name cmd
  name=$(basename "$binary")
  mapfile -t all < <(commands_of "$binary")
  check "$name lists commands or is one (${#all[@]})" test "${#all[@]}" -ge 1
  for cmd in "${all[@]}"; do
    # shellcheck disable=SC2086
    "$binary" $cmd --help >"$work/help" 2>"$work/err"
    check "$name $cmd --help exits 0" test $? -eq 0
    check "$name $cmd --help shows its usage" grep -q "^Usage: $name${cmd:+ $cmd}\b" "$work/help"
    check "$name $cmd --help writes no error" test ! -s "$work/err"
    # shellcheck disable=SC2086
    "$binary" $cmd -h >"$work/h" 2>/dev/null
    check "$name $cmd -h is --help" cmp -s "$work/help" "$work/h"
    for bogus in --no-such-flag --no-such-flag=1 -Z; do
      # shellcheck disable=SC2086
      "$binary" $cmd $bogus >"$work/out" 2>"$work/err"
      check "$name $cmd $bogus exits 2" test $? -eq 2
      check "$name $cmd $bogus is named on stderr" grep -q "^error: unknown flag: ${bogus%%=*}$" "$work/err"
      check "$name $cmd $bogus prints nothing on stdout" test ! -s "$work/out"
    done
  done
}

for binary in "$ctl" "$capstan" "$node" "$journal_bench" "$scheduling_bench"; do
  each_command "$binary"
done
check "capstanctl has its commands" sh -c "'$ctl' --help | grep -q '^  rolling-update '"
check "capstan has audit history" sh -c "'$capstan' audit --help | grep -q '^  history '"

# Usage errors other than flags, and help as a command.
"$ctl" >/dev/null 2>"$work/err"
check "capstanctl alone exits 2" test $? -eq 2
check "and prints the help on stderr" grep -q '^Subcommands:' "$work/err"
"$ctl" frobnicate >/dev/null 2>"$work/err"
check "an unknown command exits 2" test $? -eq 2
check "and is named" grep -q 'unknown command "frobnicate" for "capstanctl"' "$work/err"
"$ctl" scale rc x --replicas=many >/dev/null 2>"$work/err"
check "a bad flag value exits 2" test $? -eq 2
check "and names the flag" grep -q -- '--replicas' "$work/err"
"$ctl" get pods -o table >/dev/null 2>"$work/err"
check "an output format not offered exits 2" test $? -eq 2
check "and names the flag" grep -q -- '--output' "$work/err"
"$ctl" help audit history >"$work/out"
"$ctl" audit history --help >"$work/help"
check "help COMMAND is COMMAND --help" cmp -s "$work/out" "$work/help"

# kubectl's spellings, offline with validate: -o json, -ojson, -o=json, --output=json,
# --filename=PATH, and the global flags before or after the command.
manifest=$src/examples/nginx/nginx-rc.yaml
for spelling in "-o name" "-oname" "-o=name" "--output=name" "--output name"; do
  # shellcheck disable=SC2086
  out=$("$ctl" validate --filename="$manifest" $spelling 2>&1)
  check "validate $spelling" test "$out" = "replicationcontroller/nginx-controller"
done
printf 'apiVersion: v1\nkind: Config\nclusters: []\n' >"$work/kubeconfig"
"$ctl" --kubeconfig "$work/kubeconfig" get pods >/dev/null 2>"$work/before"
check "a global flag before the command is taken (no server: exit 1)" test $? -eq 1
"$ctl" get pods --kubeconfig="$work/kubeconfig" -n=kube-system >/dev/null 2>"$work/after"
check "and after it, with =" test $? -eq 1
check "with the same result" cmp -s "$work/before" "$work/after"

# Completion: sourced into bash, asked as bash asks it.
"$ctl" completion bash >"$work/completion.bash"
check "completion bash exits 0" test $? -eq 0
complete_line() {  # the words offered for the command line "$@" (the last word is completed)
  bash -c 'source "$1"; shift
           fn=$(complete -p capstanctl | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
           "$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$work/completion.bash" capstanctl "$@"
}
offers() {  # offers WORD COMMAND-LINE...: completing the line offers WORD
  local want=$1
  shift
  complete_line "$@" | grep -qx -- "$want"
}
check "bash has a completion for capstanctl" bash -c "source '$work/completion.bash'; complete -p capstanctl >/dev/null"
check "capstanctl g offers get" offers get g
check "capstanctl g offers only get" test "$(complete_line g)" = get
check "capstanctl get --w offers --watch" offers --watch get --w
check "capstanctl get -o offers json" offers json get -o ""
check "capstanctl get --output=y offers yaml" offers yaml get --output = y
check "capstanctl get --k offers the global --kubeconfig" offers --kubeconfig get --k
check "capstanctl -n ns audit h offers history" offers history -n ns audit h
no_watch() { ! complete_line audit history -- | grep -qx -- --watch; }
check "capstanctl audit history -- does not offer get's --watch" no_watch
check "capstanctl logs --fo offers --follow" offers --follow logs --fo
check "capstanctl get r offers the type rc" offers rc get r
check "capstanctl get r offers the type replicationcontrollers" offers replicationcontrollers get r
check "capstanctl -n x describe p offers pods" offers pods -n x describe p
check "capstanctl audit history s offers services" offers services audit history s
not_types() { ! complete_line create p | grep -qx pods; }
check "capstanctl create p offers no type (create takes files)" not_types
# No drift: the root offers exactly the commands the help lists, and every command every flag.
check "the root offers every command the help lists" \
  test "$(complete_line "" | sort)" = "$("$ctl" --help | subcommands | sort)"
while read -r cmd; do
  [ -n "$cmd" ] || continue
  # shellcheck disable=SC2086
  for f in $("$ctl" $cmd --help | flags); do
    # shellcheck disable=SC2086
    check "capstanctl $cmd offers $f" offers "$f" $cmd "$f"
  done
done < <(commands_of "$ctl")
finish
