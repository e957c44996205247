#!/bin/bash
# beadm chroot: a command runs inside a BE (mounted deep, with /dev /proc /sys
# /run bound in), its exit status is beadm's, and afterwards nothing beadm
# mounted is left: not after success, not after a failing command, not after
# Ctrl-C or SIGTERM.  A BE mounted beforehand stays mounted.  Refusals change
# nothing.
. "$(dirname "$0")/lib.sh"

P=t5000a
R=$P/ROOT
fixture deep $P

# mounts_of DATASET: "DATASET DIR" for it and its descendants, as mounted now.
mounts_of() { awk -v ds="$1" '$3 == "zfs" && ($1 == ds || index($1, ds "/") == 1) { print $1, $2 }' /proc/self/mounts; }
# Mount points below beadm's private directories, as the system sees them.
private_mounts() { awk '$5 ~ /^\/tmp\/beadm\.[^/]+(\/|$)/ { print $5 }' /proc/self/mountinfo; }

# be2: a BE with just enough in it to run programs: a static busybox, the
# directories the system's are bound on, and a marker file.
clone_by_hand $R default be2
prep=$(mktemp -d /tmp/t5000-prep.XXXXXX)
mount -t zfs -o zfsutil $R/be2 "$prep"
mkdir -p "$prep/bin" "$prep/dev" "$prep/proc" "$prep/sys" "$prep/run"
cp /bin/busybox "$prep/bin/busybox"
for a in sh cat grep sleep pwd; do ln -s busybox "$prep/bin/$a"; done
echo "inside be2" >"$prep/marker"
umount "$prep"
rmdir "$prep"
ntmp=$(tmpdirs)
# The system's own mounts that chroot binds, which must all survive.
system_mounts() { awk '$5 ~ /^\/(dev|proc|sys|run)(\/|$)/ { print $5 }' /proc/self/mountinfo | sort; }
system_mounts >"$T_TMP/system.before"

# expect_clean WHAT: nothing of be2 and nothing below a private dir is
# mounted, and beadm removed the directory it made.
expect_clean() {
	expect_eq "$1: be2's datasets are unmounted again" "$(mounts_of $R/be2)" ""
	expect_eq "$1: zfs says be2 is not mounted" "$(prop $R/be2 mounted)" no
	expect_eq "$1: nothing is mounted below a /tmp/beadm.* directory" "$(private_mounts)" ""
	expect_eq "$1: the private directory is gone" "$(tmpdirs)" "$ntmp"
}

expect_beadm 0 "chroot runs a command in the BE" -r $R chroot be2 cat /marker
expect_eq "... which sees the BE's files" "$(cat "$T_TMP/stdout")" "inside be2"
expect_clean "after a command that succeeded"

expect_beadm 0 "the command sees the BE's datasets mounted deep" \
    -r $R chroot be2 cat /usr/.fixture /var/log/.fixture
expect_eq "... usr and var/log, each with its own file" "$(cat "$T_TMP/stdout")" \
    "$(printf '%s\n' "$R/default/usr" "$R/default/var/log")"

expect_beadm 0 "the command sees /proc, /dev, /sys and /run mounted" \
    -r $R chroot be2 cat /proc/self/mountinfo
for d in /proc /dev /sys /run; do
	check "... $d" awk -v d=$d '$5 == d { found = 1 } END { exit !found }' "$T_TMP/stdout"
done
if awk '$5 == "/dev/pts" { f = 1 } END { exit !f }' /proc/self/mountinfo; then
	check "... with the submount /dev/pts" awk '$5 == "/dev/pts" { f = 1 } END { exit !f }' "$T_TMP/stdout"
fi
expect_beadm 0 "the command runs in /" -r $R chroot be2 pwd
expect_eq "... so pwd prints /" "$(cat "$T_TMP/stdout")" /
expect_clean "after reading the mount table"

expect_beadm 7 "a failing command's status is beadm's" -r $R chroot be2 sh -c 'exit 7'
expect_clean "after a failing command"
expect_beadm 127 "a command missing in the BE exits 127" -r $R chroot be2 /no/such
check "... saying so" grep -q "cannot run /no/such in boot environment 'be2'" "$T_TMP/stderr"
expect_clean "after a missing command"

# Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
# Job control gives the background job a group of its own, like a terminal's.
set -m
"$BEADM" -r $R chroot be2 sleep 60 </dev/null >"$T_TMP/stdout" 2>"$T_TMP/stderr" &
beadm_pid=$!
set +m
child=""
for _ in $(seq 100); do
	child=$(pgrep -P $beadm_pid sleep || true)
	[ -n "$child" ] && break
	sleep 0.2
done
check "the command runs as beadm's child" test -n "$child"
if [ -n "$child" ]; then
	# The child's mountinfo shows paths inside its chroot: look at beadm's.
	check "... with the binds in beadm's mount namespace" \
	    grep -q ' /tmp/beadm\.[^/ ]*/sys ' "/proc/$beadm_pid/mountinfo"
	check_fails "... a private one" test "$(readlink /proc/$beadm_pid/ns/mnt)" = "$(readlink /proc/self/ns/mnt)"
	expect_eq "... which the system's mount table does not show" "$(private_mounts)" ""
fi
kill -INT -- -$beadm_pid
RC=0
wait $beadm_pid || RC=$?
expect_eq "Ctrl-C ends the command and beadm exits 128+SIGINT" "$RC" 130
expect_clean "after Ctrl-C"

"$BEADM" -r $R chroot be2 sleep 60 </dev/null >"$T_TMP/stdout" 2>"$T_TMP/stderr" &
beadm_pid=$!
for _ in $(seq 100); do
	pgrep -P $beadm_pid sleep >/dev/null && break
	sleep 0.2
done
kill -TERM $beadm_pid
RC=0
wait $beadm_pid || RC=$?
expect_eq "SIGTERM to beadm is passed on to the command: 128+SIGTERM" "$RC" 143
expect_clean "after SIGTERM"

# SIGKILL leaves beadm no chance to clean up; its mounts were never the
# system's, and they go with the namespace when the command ends too.
set -m
"$BEADM" -r $R chroot be2 sleep 60 </dev/null >"$T_TMP/stdout" 2>"$T_TMP/stderr" &
beadm_pid=$!
set +m
child=""
for _ in $(seq 100); do
	child=$(pgrep -P $beadm_pid sleep || true)
	[ -n "$child" ] && break
	sleep 0.2
done
left=$(awk -v ds=$R/be2 '$1 == ds { print $2 }' /proc/$beadm_pid/mounts)
kill -KILL $beadm_pid
wait $beadm_pid 2>/dev/null
expect_eq "while the command outlives a killed beadm, the system sees none of its mounts" \
    "$(private_mounts)$(mounts_of $R/be2)" ""
[ -n "$child" ] && kill -TERM "$child"
for _ in $(seq 50); do
	[ -n "$child" ] && kill -0 "$child" 2>/dev/null || break
	sleep 0.2
done
expect_eq "after SIGKILL: be2 is not mounted" "$(prop $R/be2 mounted)" no
check "after SIGKILL: only the empty private directory is left" rmdir "$left"
expect_clean "after SIGKILL and the end of the command"

# A BE mounted beforehand is used where it is and stays mounted.
mkdir -p /tmp/t5000-mnt
expect_beadm 0 "mount be2 beforehand" -r $R mount be2 /tmp/t5000-mnt
before=$(mounts_of $R/be2 | sort)
expect_beadm 0 "chroot into the mounted BE succeeds" -r $R chroot be2 cat /marker
expect_eq "... and sees its files" "$(cat "$T_TMP/stdout")" "inside be2"
expect_eq "... and leaves it mounted as it was" "$(mounts_of $R/be2 | sort)" "$before"
expect_eq "... with nothing bound below it" \
    "$(awk '$5 ~ /^\/tmp\/t5000-mnt\/(dev|proc|sys|run)(\/|$)/' /proc/self/mountinfo)" ""
expect_beadm 0 "... so that umount (which refuses foreign mounts below) succeeds" -r $R umount be2
expect_clean "after chroot into a mounted BE"

system_mounts >"$T_TMP/system.after"
check "the system's /dev, /proc, /sys and /run keep all their submounts" \
    diff "$T_TMP/system.before" "$T_TMP/system.after"

# Refusals change nothing.
remember_state $P
cp /proc/self/mounts "$T_TMP/mounts.before"
expect_beadm 3 "a bad name is refused" -r $R chroot "foo bar" true
expect_beadm 4 "a missing BE is refused" -r $R chroot nosuch true
expect_beadm 2 "chroot without a BE is a usage error" -r $R chroot
export BEADM_TEST_ROOTFS=$R/be2
expect_beadm 9 "the running BE is refused" -r $R chroot be2 cat /marker
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
    "beadm: will not chroot into boot environment 'be2': it is the running one; run the command directly"
unset BEADM_TEST_ROOTFS
# default (mounted at the pool's altroot by the fixture) has no /dev.
expect_beadm 2 "a BE without /dev to bind on is refused" -r $R chroot default true
check "... saying so" grep -q "cannot bind /dev into boot environment 'default'" "$T_TMP/stderr"
check "the refusals mounted and unmounted nothing" cmp /proc/self/mounts "$T_TMP/mounts.before"
expect_unchanged "the refusals"
expect_eq "... and left no /tmp/beadm.* directory" "$(tmpdirs)" "$ntmp"

# Nothing holds be2 in any mount namespace (a lingering one would keep it busy).
check "be2 can be destroyed afterwards" zfs destroy -r $R/be2

done_testing
