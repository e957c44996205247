#!/bin/bash
# A create, install or import killed at any of its ZFS steps leaves no
# half-made BE: while another beadm holds the pool, list does not show it
# and activate refuses it; the next beadm that finds the pool free removes
# it, with the snapshot the create took, and the pool is as it was before
# (a run killed while removing it is finished by the next one).  Each
# operation is killed before its 1st, 2nd, ... step (BEADM_TEST_CRASH_AT:
# the mark, the snapshot, each clone, the clearing of the mark) until it
# runs to its end; an import is also killed in the middle of its stream.
. "$(dirname "$0")/lib.sh"

P=t2040a
R=$P/ROOT
fixture deep $P		# default: default, usr, var (off), var/log
export BEADM_TEST_ROOTFS=$R/default
LOCK=/run/beadm/$P.lock

S=$T_TMP/stage
mkdir -p "$S/sbin" "$S/etc"
printf '#!/bin/sh\n' >"$S/sbin/init"
chmod 755 "$S/sbin/init"
echo t2040 >"$S/etc/hostname"
tar -C "$S" -cf "$T_TMP/root.tar" .
"$BEADM" -r $R export default >"$T_TMP/stream" 2>"$T_TMP/stderr" ||
	{ not_ok "export default for the import"; evidence "$T_TMP/stderr"; }

# What the pool holds: every dataset and snapshot, and the mark.
state() {
	zfs list -H -t all -o name,origin,canmount -r $P
	zfs get -H -o value,source beadm:making $R
	pool_bootfs $P
}
BASE=$(state)

# back_to_base NEWBE: by hand, what a failed repair left (so that the next
# try starts from the same pool); prints what it had to do.
back_to_base() {
	local snap
	[ "$(state)" = "$BASE" ] && return 0
	echo "left behind:"
	diff <(echo "$BASE") <(state) | sed 's/^/  /'
	exists $R/$1 && zfs destroy -r $R/$1
	for snap in $(zfs list -H -t snapshot -o name -r $R/default); do
		grep -q "^$snap	" <<<"$BASE" || zfs destroy "$snap"
	done
	zfs inherit beadm:making $R
}

# while_held COMMAND...: run COMMAND while this shell holds the pool lock,
# as another beadm in the middle of its change would.
while_held() {
	local rc=0
	exec 9>"$LOCK"
	flock 9
	"$@" || rc=$?
	flock -u 9
	exec 9>&-
	return $rc
}
hidden() {	# NEWBE: while held, list does not show it, activate refuses it
	run_beadm -r $R list -H
	[ "$RC" -eq 0 ] || { echo "list: exit $RC"; cat "$T_TMP/stderr"; return 1; }
	cut -f1 "$T_TMP/stdout" | grep -qx "$1" && { echo "list shows $1"; return 1; }
	run_beadm -r $R activate "$1"
	[ "$RC" -ne 0 ] || { echo "activate $1 succeeded"; return 1; }
	[ "$(pool_bootfs $P)" = $R/default ] || { echo "bootfs moved"; return 1; }
}

# killed_at_each_step NAME NEWBE INPUT ARGS...: beadm -r R ARGS (stdin
# from INPUT) killed before its 1st, 2nd, ... crash point until it ends.
killed_at_each_step() {
	local name=$1 newbe=$2 input=$3 n points=0 marked=0 done=0 t0=$SECONDS
	shift 3
	rm -f "$T_TMP"/k.*
	touch "$T_TMP"/k.{run,hidden,repair,left,killed-repair}
	for ((n = 1; n <= 40; n++)); do
		RC=0
		{ BEADM_TEST_CRASH_AT=$n "$BEADM" -r $R "$@" <"$input" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?; } 2>/dev/null
		if [ "$RC" -eq 0 ]; then
			done=1
			break
		fi
		if [ "$RC" -ne 137 ]; then
			{ echo "killed at $n: exit $RC, not 137 (killed) or 0:"; cat "$T_TMP/stderr"; } >>"$T_TMP/k.run"
			break
		fi
		points=$((points + 1))
		if [ "$(prop $R beadm:making)" != - ]; then
			marked=$((marked + 1))
			while_held hidden "$newbe" >>"$T_TMP/k.hidden" 2>&1 ||
				echo "  (killed at $n)" >>"$T_TMP/k.hidden"
			# The repairing run, killed at its first step in turn.
			RC=0
			{ BEADM_TEST_CRASH_AT=1 "$BEADM" -r $R list >/dev/null 2>&1 || RC=$?; } 2>/dev/null
			[ "$RC" -eq 137 ] || echo "killed at $n: the repairing list was not killed at its first step (exit $RC)" >>"$T_TMP/k.killed-repair"
		fi
		run_beadm -r $R list -H
		[ "$RC" -eq 0 ] || { echo "killed at $n: list exit $RC:"; cat "$T_TMP/stderr"; } >>"$T_TMP/k.repair"
		cut -f1 "$T_TMP/stdout" | grep -qx "$newbe" && echo "killed at $n: list shows $newbe" >>"$T_TMP/k.repair"
		back_to_base "$newbe" >>"$T_TMP/k.left" 2>&1 || echo "  (killed at $n)" >>"$T_TMP/k.left"
	done
	echo "# $name: $points crash points, $marked with a half-made BE, $((SECONDS - t0)) s"
	if [ $done = 1 ]; then
		ok "$name: runs to its end when not killed (after $points crash points)"
	else
		not_ok "$name: every try is killed or runs to its end"
		evidence "$T_TMP/k.run"
	fi
	[ "$marked" -gt 0 ] && ok "$name: $marked kills left something to remove" ||
		not_ok "$name: some kill left a half-made BE to remove"
	expect_no_findings "$name" "$T_TMP/k" \
		hidden:"while another beadm holds the pool, list hides the half-made BE and activate refuses it" \
		killed-repair:"a repairing run killed at its first step is finished by the next" \
		repair:"the next list succeeds and does not show it" \
		left:"after it, the pool is as it was: no BE, snapshot or mark left"
	# Run to its end, the BE is whole and no longer marked.
	expect_eq "$name: at its end, $newbe is listed and nothing is marked" \
		"$(run_beadm -r $R list -H; cut -f1 "$T_TMP/stdout" | grep -x "$newbe")/$(prop $R beadm:making)" "$newbe/-"
}

killed_at_each_step "create be3 (4 datasets)" be3 /dev/null create be3
expect_eq "create be3: all 4 datasets are there" "$(zfs list -H -o name -r $R/be3 | wc -l)" 4
zfs destroy -r $R/be3
for snap in $(zfs list -H -t snapshot -o name -r $R/default); do
	grep -q "^$snap	" <<<"$BASE" || zfs destroy "$snap"
done
killed_at_each_step "install be4 from a tarball" be4 /dev/null install be4 "$T_TMP/root.tar"
zfs destroy -r $R/be4
killed_at_each_step "import be5" be5 "$T_TMP/stream" import be5
zfs destroy -r $R/be5
expect_eq "the pool is as it was at the start" "$(state)" "$BASE"

# An import killed in the middle of its stream: the datasets received whole
# go with the mark; nothing is left.
size=$(stat -c %s "$T_TMP/stream")
mkfifo "$T_TMP/fifo"
"$BEADM" -r $R import be6 <"$T_TMP/fifo" >/dev/null 2>&1 &
pid=$!
{ head -c $((size * 3 / 4)) "$T_TMP/stream"; sleep 3; } >"$T_TMP/fifo" &
feeder=$!
sleep 2
kill -KILL $pid
wait $pid 2>/dev/null
kill $feeder 2>/dev/null
wait $feeder 2>/dev/null
expect_eq "import killed mid-stream: be6 was marked as in the making" "$(prop $R beadm:making)" be6
expect_beadm 0 "import killed mid-stream: the next list succeeds" -r $R list -H
expect_eq "... and the pool is as it was" "$(state)" "$BASE"

done_testing
