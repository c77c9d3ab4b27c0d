# Shared by the CLI test scripts (sourced): `check DESCRIPTION COMMAND...` counts a pass when
# COMMAND succeeds and prints FAIL otherwise; `wait_for DESCRIPTION SECONDS COMMAND...` polls
# COMMAND until it succeeds or the deadline passes; `finish` prints the "N passed, N failed"
# line CI reads and fails when anything did.
failures=0
passes=0
check() {
  local what=$1
  shift
  if "$@"; then
    passes=$((passes + 1))
  else
    echo "FAIL: $what"
    failures=$((failures + 1))
  fi
}
finish() {
  echo "$passes passed, $failures failed"
  test "$failures" -eq 0
}
wait_for() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "timed out waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}
# Predicates for wait_for, which re-run COMMAND on every poll (a "$(...)" argument would be
# evaluated once, before waiting): `equals WANT COMMAND...` holds when COMMAND prints WANT;
# `at_least N COMMAND...` when it prints a number >= N.
equals() {
  local want=$1
  shift
  [ "$("$@")" = "$want" ]
}
at_least() {
  local want=$1 got
  shift
  got=$("$@")
  [ -n "$got" ] && [ "$got" -ge "$want" ]
}
# `pick_ports N` sets $port to a random loopback port below the ephemeral range (32768-60999,
# where other tests' client sockets sit) such that $port..$port+N-1 are all free to listen on
# now. Another test may still take one before the caller binds it: a caller that can tell
# "cannot listen" apart should pick again and retry (see capstan_master_test.sh).
pick_ports() {
  local count=$1 tries candidate offset taken
  for tries in $(seq 1 50); do
    candidate=$((20000 + RANDOM % (12768 - count)))
    taken=
    for offset in $(seq 0 $((count - 1))); do
      if ss -Htln "sport = :$((candidate + offset))" | grep -q .; then
        taken=1
        break
      fi
    done
    if [ -z "$taken" ]; then
      port=$candidate
      return 0
    fi
  done
  echo "pick_ports: no $count free loopback ports found in 50 tries" >&2
  return 1
}
