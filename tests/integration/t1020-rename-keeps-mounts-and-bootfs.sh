#!/bin/bash
# beadm rename: descendants follow, mounts stay where they are (even for the
# running BE with file systems mounted below it), bootfs follows the BE it
# names; bad names, a taken NEW and a missing OLD change nothing.
# every-series: rename without remounting (zfs rename -u where OpenZFS has it)
. "$(dirname "$0")/lib.sh"

P=t1020a
R=$P/ROOT
fixture deep $P
ALT=$(zpool get -H -o value altroot $P)

mounts_of() { awk -v ds="$1" '$3 == "zfs" && ($1 == ds || index($1, ds "/") == 1) { print $1, $2 }' /proc/self/mounts | sort; }
state() { zfs list -H -o name,origin,mountpoint,mounted,canmount -r $P; zpool get -H -o value bootfs $P; mounts_of $P; }

clone_by_hand $R default be2
zfs mount -a	# default's usr and var/log, as on a booted system

expect_beadm 0 "rename of an unmounted BE succeeds" -r $R rename be2 be3
expect_eq "the BE and all its datasets carry the new name" \
    "$(zfs list -H -o name,origin -r $R/be3)" \
    "$(printf '%s\t%s\n' $R/be3 $R/default@for-be2 $R/be3/usr $R/default/usr@for-be2 \
        $R/be3/var $R/default/var@for-be2 $R/be3/var/log $R/default/var/log@for-be2)"
check_fails "the old name is gone" exists $R/be2
expect_eq "bootfs still names the BE it named" "$(pool_bootfs $P)" $R/default

run_beadm -r $R mount be3
mp=$(cat "$T_TMP/stdout")
expect_beadm 0 "rename of a mounted BE succeeds" -r $R rename be3 be4
expect_eq "its mounts stay where they were, under the new name" "$(mounts_of $R/be4)" \
    "$(printf '%s\n' "$R/be4 $mp" "$R/be4/usr $mp/usr" "$R/be4/var/log $mp/var/log" | sort)"
check "its files are still there" grep -qx "$R/default/usr" "$mp/usr/.fixture"
expect_beadm 0 "umount by the new name succeeds" -r $R umount be4
expect_eq "... and leaves nothing mounted" "$(mounts_of $R/be4)" ""

before=$(mounts_of $R/default | sed "s|^$R/default|$R/main|")
export BEADM_TEST_ROOTFS=$R/default
expect_beadm 0 "rename of the running bootfs BE succeeds" -r $R rename default main
unset BEADM_TEST_ROOTFS
expect_eq "bootfs follows it" "$(pool_bootfs $P)" $R/main
expect_eq "its mounts (with other file systems below) stay in place" "$(mounts_of $R/main)" "$before"
check "its files are still there" grep -qx "$R/default/var/log" "$ALT/var/log/.fixture"
expect_eq "clones keep their origin" "$(prop $R/be4 origin)" "$R/main@for-be2"
run_beadm -r $R list -H
expect_eq "list shows the new name as the bootfs BE" \
    "$(awk -F'\t' '$2 == "R" { print $1 }' "$T_TMP/stdout")" main

state >"$T_TMP/state.before"
refused() {	# refused STATUS MESSAGE ARGS...
	local status=$1 msg=$2
	shift 2
	expect_beadm "$status" "rename $* is refused" -r $R rename "$@"
	expect_eq "... with the message" "$(cat "$T_TMP/stderr")" "beadm: $msg"
}
refused 3 "invalid boot environment name 'foo bar': the name contains a space" "foo bar" x
refused 3 "invalid boot environment name 'foo bar': the name contains a space" be4 "foo bar"
refused 3 "invalid boot environment name 'a/b': the name contains '/'" be4 a/b
refused 5 "cannot rename 'be4' to 'main': $R/main exists already; choose another name" be4 main
refused 5 "cannot rename 'be4' to 'be4': $R/be4 exists already; choose another name" be4 be4
refused 4 "boot environment 'nosuch' does not exist (no dataset $R/nosuch)" nosuch x
expect_beadm 2 "rename with one argument is a usage error" -r $R rename be4
expect_beadm 2 "rename with three arguments is a usage error" -r $R rename be4 a b
state >"$T_TMP/state.after"
check "the refusals changed no dataset, property, mount or bootfs" \
    diff "$T_TMP/state.before" "$T_TMP/state.after"

done_testing
