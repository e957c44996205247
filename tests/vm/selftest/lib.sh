# Helpers for the harness self-tests (sourced).  One line per check:
# "ok - NAME" or "not ok - NAME"; finish() exits 1 if any check failed.
SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
VM=$(dirname "$SELFTEST_DIR")
RUN=$VM/run
failures=0
T=$(mktemp -d "${TMPDIR:-/tmp}/beadm-vm-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
# check NAME COMMAND...: ok if COMMAND succeeds.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
# Show a file's content indented, for diagnosing a failed check.
show() { sed 's/^/#   /' "$@" | head -n 20; }
finish() {
	[ "$failures" -eq 0 ] || { echo "# $failures check(s) failed"; exit 1; }
	exit 0
}
# Lines "ok - ..." / "not ok - ..." printed by a guest script: pass them on and count.
relay_checks() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case $line in "not ok"*) failures=$((failures + 1)) ;; esac
	done <"$1"
}
