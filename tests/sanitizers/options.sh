# Runtime options of the sanitizer builds (sourced by scripts/test --sanitize). Every process a
# test starts inherits them: test binaries, the capstan master and node agents of the e2e tests.
# A finding ends the process with a report on stderr and a failing exit code.
sanitizers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAPSTAN_SANITIZE=${CAPSTAN_SANITIZE:-${sanitize:-}}
# ASan: stop at the first error; leaks are checked at exit (LeakSanitizer).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1:detect_invalid_pointer_pairs=0
export LSAN_OPTIONS=suppressions=$sanitizers_dir/lsan.supp:print_suppressions=0
# UBSan: every finding not suppressed is fatal, printed with a stack.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$sanitizers_dir/ubsan.supp
# For tests that must know (an address-space limit cannot apply to an ASan process).
export CAPSTAN_SANITIZE
# TSan: the run fails on the first report; suppressions only for proven library races.
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$sanitizers_dir/tsan.supp
