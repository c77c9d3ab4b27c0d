#!/usr/bin/env bash
# Tests growing and shrinking a cluster of masters the way a user does: `--cluster-init` on the
# first, `--server` with the master token on the others (which receive the cluster's CA and
# keys over TLS they check against the token's hash), `capstanctl members remove` and
# `capstan master members [remove]`.
# Refused, each changing nothing: a wrong secret and a node's token (401), a token naming
# another CA (nothing sent), a peer address a member has (409), a DATA holding a journal.
# Then: two masters join at once and vote, a third joins through a follower (which forwards
# the change to the leader); every master names one leader and takes writes with the one
# admin kubeconfig; a joined master restarted with --data alone is a member still and asks
# nothing; after kill -9 of the first another leads; members are removed down to one (through
# the leader, through the removed one itself); an unknown id, the last voter and a removal that
# would leave no reachable majority (a follower killed) are refused. Everything on 127.0.0.1. Usage:
# capstan_masters_join_test.sh CAPSTAN CAPSTANCTL SOURCE_DIR
set -u
capstan=$1
ctl=$2
src=$3
work=$(mktemp -d)
declare -A pid
cleanup() {
  for i in "${!pid[@]}"; do
    if [ -n "${pid[$i]}" ]; then
      kill -KILL "${pid[$i]}" 2>/dev/null
      wait "${pid[$i]}" 2>/dev/null
    fi
  done
  [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/masters_join_work_kept; rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/check_helpers.sh"
base=$((20000 + RANDOM % 5800))  # below the ephemeral range; capstan_masters_test uses 26000+
peer() { echo "127.0.0.1:$((base + 10 * $1))"; }
api_of() { echo "127.0.0.1:$((base + 10 * $1 + 2))"; }
start_master() {
  local i=$1
  shift
  touch "$work/master$i.log"
  "$capstan" master --data "$work/data$i" --join "127.0.0.1:$((base + 10 * i + 1))" \
    --api "$(api_of "$i")" "$@" >>"$work/master$i.log" 2>&1 &
  pid[$i]=$!
}
ctl_on() {
  local i=$1
  shift
  "$ctl" --kubeconfig "$work/data$i/admin.kubeconfig" "$@"
}
leader_seen_by() { ctl_on "$1" members 2>/dev/null | awk '$3 == "leader" { print $1 }'; }
voters_seen_by() { ctl_on "$1" members 2>/dev/null | awk '$4 == "yes"' | wc -l; }
ready_lines() { grep -c "capstan master: ready" "$work/master$1.log"; }
# Joined masters get random ids: DATA/member says which master (by index here) has which.
id_of() { awk '$1 == "id" { print $2 }' "$work/data$1/member"; }
index_of() { for i in 1 2 3 4; do [ "$(id_of "$i")" = "$1" ] && echo "$i"; done; }
members_seen_by() { ctl_on "$1" members 2>/dev/null | tail -n +2 | wc -l; }

# 1. The first member: a cluster of one that leads.
start_master 1 --cluster-init --peer-address "$(peer 1)"
check "the first member starts" wait_for "master 1 ready" 30 equals 1 ready_lines 1
check "it leads its cluster of one" wait_for "leader 1" 20 equals 1 leader_seen_by 1
check "it keeps a master token" test -s "$work/data1/master-token"
check "the master token is not the node token" \
  test "$(cut -d: -f3 "$work/data1/master-token")" != "$(cut -d: -f3 "$work/data1/node-token")"
check "it says how other masters join" grep -q "other masters join with" "$work/master1.log"

# 2. Refused joins: `capstan master` exits 1 (not a timeout) saying why; nothing changes.
master_token=$(cat "$work/data1/master-token")
hash=${master_token%%::*}
try_join() {  # DIR_INDEX PEER_INDEX TOKEN: runs a join to its end; its output in join$1.out
  local i=$1 p=$2 token=$3
  timeout 60 "$capstan" master --data "$work/data$i" --join "127.0.0.1:$((base + 10 * i + 1))" \
    --api "$(api_of "$i")" --peer-address "$(peer "$p")" --server "https://$(api_of 1)" \
    --token "$token" >"$work/join$i.out" 2>&1
  echo $? >"$work/join$i.rc"
}
refused_with() {  # DIR_INDEX TEXT: the join exited 1 and said TEXT
  test "$(cat "$work/join$1.rc")" = 1 && grep -q "$2" "$work/join$1.out"
}
try_join 5 5 "$hash::not-the-secret"
check "a wrong secret is refused (401)" refused_with 5 "HTTP 401"
check "and nothing of the cluster is written" test ! -e "$work/data5/tls/ca.key"
try_join 6 6 "$(cat "$work/data1/node-token")"
check "a node's token does not make a master (401)" refused_with 6 "HTTP 401"
try_join 7 7 "K10$(printf '0%.0s' {1..64})::${master_token##*::}"
check "a token naming another CA is refused before anything is sent" \
  refused_with 7 "refusing to join this master"
try_join 8 1 "$master_token"
check "the address of a member is refused (409)" refused_with 8 "HTTP 409"
check "saying who has it" grep -q "is a member at $(peer 1)" "$work/join8.out"
mkdir -p "$work/data9/journal"
try_join 9 9 "$master_token"
check "a DATA holding a journal is refused" refused_with 9 "holds a master's journal already"
check "and left alone" test ! -e "$work/data9/tls"
check "the cluster still has one member" equals 1 members_seen_by 1

# 3. Masters 2 and 3 join at once through master 1 (one waits while the other's change is
# under way), then master 4 through master 2, a follower (which forwards the change).
for i in 2 3; do
  start_master "$i" --server "https://$(api_of 1)" --token-file "$work/data1/master-token" \
    --peer-address "$(peer "$i")"
done
for i in 2 3; do
  check "master $i joins and serves" wait_for "master $i ready" 60 equals 1 ready_lines "$i"
done
check "both become voters" wait_for "3 voters" 90 equals 3 voters_seen_by 1
for i in 2 3; do
  check "master $i says it votes" wait_for "master $i votes" 30 grep -q "votes in the cluster" "$work/master$i.log"
  check "master $i holds the cluster's CA" cmp -s "$work/data1/tls/ca.crt" "$work/data$i/tls/ca.crt"
done
start_master 4 --server "https://$(api_of 2)" --token "$master_token" --peer-address "$(peer 4)"
check "master 4 joins through a follower" wait_for "4 voters" 90 equals 4 voters_seen_by 1
for i in 1 2 3 4; do
  check "master $i names master 1 the leader" wait_for "leader on $i" 30 equals 1 leader_seen_by "$i"
done
check "the members have four ids" test "$(for i in 1 2 3 4; do id_of "$i"; done | sort -u | wc -l)" -eq 4
check "a joined master takes a write with its admin kubeconfig" \
  ctl_on 3 create -f "$src/examples/nginx/nginx-rc.yaml"
nginx_pods_on() { ctl_on "$1" get pods 2>/dev/null | grep -c '^nginx-controller-'; }
for i in 1 2 3 4; do
  check "master $i reads its pods" wait_for "pods on $i" 30 equals 2 nginx_pods_on "$i"
done
check "the admin token is the cluster's" cmp -s "$work/data1/tokens.csv" "$work/data4/tokens.csv"

# 4. A joined master restarted with --data alone is a member still, and asks nothing.
kill -TERM "${pid[2]}"
wait "${pid[2]}" 2>/dev/null
check "DATA/member records master 2 admitted" grep -qx admitted "$work/data2/member"
lines_before=$(wc -l <"$work/master2.log")
start_master 2
check "master 2 is back" wait_for "master 2 again" 60 equals 2 ready_lines 2
check "it follows master 1" wait_for "leader on 2" 30 equals 1 leader_seen_by 2
check "four voters still" equals 4 voters_seen_by 1
asked_since_restart() { tail -n +"$((lines_before + 1))" "$work/master2.log" | grep -c "asking\|votes in the cluster"; }
check "it neither asked to be added again nor joined anew" equals 0 asked_since_restart

# 5. kill -9 of the first: one of the joined leads.
kill -KILL "${pid[1]}"
wait "${pid[1]}" 2>/dev/null
pid[1]=
new_leader() { local l; l=$(leader_seen_by 2); [ -n "$l" ] && [ "$l" != 1 ]; }
check "a joined master leads within 20 s" wait_for "a new leader" 20 new_leader
next=$(index_of "$(leader_seen_by 2)")
check "the new leader is master 2, 3 or 4 (got '$next')" test -n "$next"
config_map() {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n' "$1" >"$work/$1.yaml"
  echo "$work/$1.yaml"
}
# (a create retried after an ambiguous failure may find its own object: then it is there)
has_config_map() { ctl_on "$next" get configmap "$1" >/dev/null 2>&1; }
create_config_map() { ctl_on "$next" create -f "$(config_map "$1")" >/dev/null 2>&1 || has_config_map "$1"; }
check "the new leader takes a write" wait_for "a write" 20 create_config_map after

# 6. Removing: the dead first master goes; an unknown id and the last voter are refused.
ctl_on "$next" members remove 1 >"$work/remove1.out" 2>&1
check "master 1 is removed" test $? -eq 0
check "three voters remain" wait_for "3 voters" 10 equals 3 voters_seen_by "$next"
ctl_on "$next" members remove 777 >"$work/remove777.out" 2>&1
check "an unknown id is refused" test $? -ne 0
check "saying so" grep -q "no master of this cluster has id 777" "$work/remove777.out"
followers=()
for i in 2 3 4; do [ "$i" != "$next" ] && followers+=("$i"); done
# A removal that would leave no reachable majority is refused: with one follower killed,
# removing the other would leave the leader and a dead master.
reachable_seen_by() { ctl_on "$1" members 2>/dev/null | awk -v id="$2" '$1 == id { print $5 }'; }
dead=${followers[1]}
kill -9 "${pid[$dead]}"
wait "${pid[$dead]}" 2>/dev/null
check "the leader sees the killed master unreachable" \
  wait_for "unreachable" 20 equals no reachable_seen_by "$next" "$(id_of "$dead")"
ctl_on "$next" members remove "$(id_of "${followers[0]}")" >"$work/remove-quorum.out" 2>&1
check "a removal that leaves no reachable majority is refused" test $? -ne 0
check "naming the master to bring back" \
  grep -q "until master $(id_of "$dead") is back" "$work/remove-quorum.out"
check "three voters still" equals 3 voters_seen_by "$next"
start_master "$dead"
check "the killed master, restarted, reaches the leader again" \
  wait_for "reachable" 30 equals yes reachable_seen_by "$next" "$(id_of "$dead")"
# capstan master members: the same, asked where a master runs through its DATA.
"$capstan" master members --data "$work/data${followers[0]}" >"$work/members.out" 2>&1
check "capstan master members lists the members" test $? -eq 0
check "with the leader" grep -Eq "^$(id_of "$next") +[^ ]+ +leader +yes" "$work/members.out"
check "and the master asked" grep -Eq "^$(id_of "${followers[0]}") +[^ ]+ +follower +yes +yes +\*" "$work/members.out"
"$capstan" master members --data "$work/nowhere" >"$work/members-nowhere.out" 2>&1
check "capstan master members on a DATA of no master exits 1" test $? -eq 1
check "saying so" grep -q "nowhere/admin.kubeconfig does not exist" "$work/members-nowhere.out"
"$capstan" master members remove "$(id_of "${followers[0]}")" --data "$work/data${followers[0]}" \
  >"$work/remove-self.out" 2>&1
check "a member is removed through itself, a follower (capstan master members remove)" test $? -eq 0
check "two voters remain" wait_for "2 voters" 10 equals 2 voters_seen_by "$next"
ctl_on "$next" members remove "$(id_of "${followers[1]}")" >"$work/remove-other.out" 2>&1
check "and another through the leader" test $? -eq 0
check "one voter remains" wait_for "1 voter" 10 equals 1 voters_seen_by "$next"
ctl_on "$next" members remove "$(id_of "$next")" >"$work/remove-last.out" 2>&1
check "the last voter is refused" test $? -ne 0
check "saying why" grep -q "last voter" "$work/remove-last.out"
check "the last one still takes writes" create_config_map alone
finish
