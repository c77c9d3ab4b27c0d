#!/usr/bin/env bash
# Tests tools/allocator.cpp and its link (cmake/dependencies.cmake): each program built with the
# allocator runs on jemalloc, with capstan's settings, which MALLOC_CONF still overrides.
# jemalloc's own statistics at exit (stats_print) say which options it ran with; a program on
# glibc's malloc prints none of them, and that fails each check. (muzzy_decay_ms:0 is not
# checked: it is jemalloc's default, so a check of it could not fail.)
# Usage: allocator_test.sh PROGRAM...
set -u
source "$(dirname "$0")/check_helpers.sh"
settings_of() { MALLOC_CONF=${2:+$2,}stats_print:true "$1" --help 2>&1 >/dev/null | grep -E '^ +opt\.dirty_decay_ms:'; }
for program in "$@"; do
  name=$(basename "$program")
  settings=$(settings_of "$program")
  check "$name runs on jemalloc (its statistics at exit name its options)" test -n "$settings"
  check "$name's freed memory goes back after a second: $settings" \
    grep -q "opt.dirty_decay_ms: 1000 " <<<"$settings"
  overridden=$(settings_of "$program" dirty_decay_ms:5000)
  check "MALLOC_CONF overrides $name's settings: $overridden" \
    grep -q "opt.dirty_decay_ms: 5000 " <<<"$overridden"
done
finish
