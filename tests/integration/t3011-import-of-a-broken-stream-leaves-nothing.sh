#!/bin/bash
# A truncated or foreign stream, or one of a volume, fails with a message
# and leaves no BE, not even part of one.
# every-series: receive of a broken stream
. "$(dirname "$0")/lib.sh"

A=t3011a B=t3011b
fixture deep $A
fixture proxmox $B
"$BEADM" -r $A/ROOT export default >"$T_TMP/stream" 2>"$T_TMP/err" || { not_ok "export failed"; evidence "$T_TMP/err"; }
SIZE=$(stat -c %s "$T_TMP/stream")
zfs list -H -t all -o name -r $B >"$T_TMP/before"

try_import() {	# WHAT NAME < STREAM
	RC=0
	"$BEADM" -r $B/ROOT import "$2" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?
	if [ "$RC" -eq 1 ] && grep -q "^beadm: cannot receive BE '$2' (after [0-9]* bytes of the stream): " "$T_TMP/stderr"; then
		ok "$1 fails with exit 1 and says why"
	else
		not_ok "$1 fails with exit 1 and says why (exit $RC)"
		evidence "$T_TMP/stderr"
	fi
	check_fails "$1 leaves no $2 behind" exists $B/ROOT/$2
	zfs list -H -t all -o name -r $B >"$T_TMP/after"
	check "$1 leaves the pool as it was" diff "$T_TMP/before" "$T_TMP/after"
}

# try_import runs in this shell (not a pipeline's subshell) to count its checks.
head -c $((SIZE * 3 / 4)) "$T_TMP/stream" >"$T_TMP/cut1"
head -c $((SIZE / 4)) "$T_TMP/stream" >"$T_TMP/cut2"
head -c 300 "$T_TMP/stream" >"$T_TMP/cut3"
printf 'not a zfs stream at all\n' >"$T_TMP/junk"
try_import "a stream cut in a child dataset" cut1 <"$T_TMP/cut1"
try_import "a stream cut early" cut2 <"$T_TMP/cut2"
try_import "a stream cut in its header" cut3 <"$T_TMP/cut3"
try_import "a foreign stream" junk <"$T_TMP/junk"
try_import "an empty stream" empty </dev/null

# A whole, valid stream of a volume: received, then refused, and removed
# with its snapshot.
zfs create -V 4M $A/vol
zfs snapshot $A/vol@s
zfs send $A/vol@s >"$T_TMP/vol"
RC=0
"$BEADM" -r $B/ROOT import vol <"$T_TMP/vol" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?
expect_eq "a volume's stream is refused (exit 2)" "$RC" 2
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: the stream for BE 'vol' holds no file system (a volume?): a boot environment is a file system; nothing was kept"
zfs list -H -t all -o name -r $B >"$T_TMP/after"
check "... and leaves the pool as it was (no volume, no snapshot)" diff "$T_TMP/before" "$T_TMP/after"

RC=0
"$BEADM" -r $B/ROOT import whole <"$T_TMP/stream" >/dev/null 2>"$T_TMP/stderr" || RC=$?
expect_eq "the whole stream imports (the cuts were the problem)" "$RC" 0

done_testing
