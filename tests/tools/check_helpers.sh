# Shared by the CLI test scripts (sourced): `check DESCRIPTION COMMAND...` counts a pass when
# COMMAND succeeds and prints FAIL otherwise; `finish` prints the "N passed, N failed" line CI
# reads and fails when anything did.
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
