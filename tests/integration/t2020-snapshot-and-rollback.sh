#!/bin/bash
# beadm snapshot takes a recursive snapshot of a BE in one go and prints its
# name; beadm rollback returns every dataset of the BE to it, refusing when
# that would lose newer snapshots or pull the running system's files away.
# every-series: snapshots and rollback through channel programs and snapshot iterators
. "$(dirname "$0")/lib.sh"

P=t2020a
fixture deep $P
R=$P/ROOT

expect_beadm 0 "snapshot BE with no name succeeds" -r $R snapshot default
name=$(cat "$T_TMP/stdout")
case $name in
default@[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ok "it prints BE@generated-name ($name)" ;;
*) not_ok "it prints BE@generated-name ($name)" ;;
esac
s=${name#*@}
expect_eq "every dataset of the BE has the snapshot" \
	"$(zfs list -H -t snapshot -o name -r $R/default | grep -c "@$s\$")" "4"
expect_eq "the snapshots were taken in one transaction" \
	"$(zfs list -H -t snapshot -o createtxg -r $R/default | sort -u | wc -l)" "1"
expect_eq "a user's snapshot is not marked automatic" "$(prop $R/default@$s beadm:auto)" "-"

expect_beadm 0 "snapshot BE NAME succeeds" -r $R snapshot default before
expect_eq "it prints BE@NAME" "$(cat "$T_TMP/stdout")" "default@before"

remember_state $P
expect_beadm 5 "the same name again is refused" -r $R snapshot default before
expect_beadm 3 "a bad snapshot name is refused" -r $R snapshot default "a b"
expect_beadm 4 "a missing BE is reported" -r $R snapshot nosuch
expect_beadm 2 "three arguments are a usage error" -r $R snapshot default a b
expect_unchanged "refused snapshots"

# Roll back: files written after @before disappear from every dataset.
ALT=/tmp/beadm-fixture/$P.root
M=$T_TMP/m
mkdir -p $M
"$BEADM" -r $R create -e default@before other >/dev/null 2>&1
# other's file systems: the top, usr and var/log (var is canmount=off).
mount_other() {
	mount -t zfs -o zfsutil $R/other $M && mkdir -p $M/usr $M/var/log &&
		mount -t zfs -o zfsutil $R/other/usr $M/usr &&
		mount -t zfs -o zfsutil $R/other/var/log $M/var/log
}
umount_other() { umount $M/var/log; umount $M/usr; umount $M; }
# dirty: a file added-later in each; later: the ones that still have it.
dirty() { for d in "" /usr /var/log; do echo junk >"$M$d/added-later"; done; }
later() { for d in "" /usr /var/log; do [ -e "$M$d/added-later" ] && printf '%s ' "${d:-/}"; done; }
mount_other
"$BEADM" -r $R snapshot other clean >/dev/null
dirty
rm -f $M/.fixture
umount_other
history_mark $P
expect_beadm 0 "rollback BE@SNAP succeeds" -r $R rollback other@clean
mount_other
check_fails "a file added to the BE after the snapshot is gone" test -e $M/added-later
check_fails "a file added to a descendant after the snapshot is gone" test -e $M/var/log/added-later
expect_eq "... from every dataset" "$(later)" ""
check "a file removed after the snapshot is back" test -e $M/.fixture
umount_other
expect_eq "an unmounted BE is rolled back in one transaction group" \
	"$(history_txgs $P "clone swap" "$R/other(/[^ ]*)?/%rollback" | wc -l)" "1"

# A rollback that fails on one dataset changes none: a bookmark newer than
# @clean on var/log (ZFS does not roll back past one).
mount_other; dirty; umount_other
zfs snapshot $R/other/var/log@gone
zfs bookmark $R/other/var/log@gone $R/other/var/log#kept
zfs destroy $R/other/var/log@gone
remember_state $P
expect_beadm 1 "rollback that fails on a deep dataset fails" -r $R rollback other@clean
grep -q "$R/other/var/log.*nothing was rolled back" "$T_TMP/stderr" && ok "... naming the dataset and saying nothing was rolled back" || { not_ok "... naming the dataset and saying nothing was rolled back"; evidence "$T_TMP/stderr"; }
mount_other
expect_eq "... and no dataset was rolled back" "$(later)" "/ /usr /var/log "
umount_other
expect_unchanged "a failed rollback"
# BEADM_TEST_NO_ZCP=1 (tests only): libzfs's way, one dataset at a time.
BEADM_TEST_NO_ZCP=1 expect_beadm 1 "without channel programs the same rollback fails" -r $R rollback other@clean
grep -q "rolled back already" "$T_TMP/stderr" && ok "... part-way, saying how far it got" || { not_ok "... part-way, saying how far it got"; evidence "$T_TMP/stderr"; }
zfs destroy $R/other/var/log#kept
mount_other; dirty; umount_other
BEADM_TEST_NO_ZCP=1 expect_beadm 0 "without channel programs rollback works" -r $R rollback other@clean
mount_other
expect_eq "... in every dataset" "$(later)" ""
umount_other

# A mounted BE is rolled back dataset by dataset, in place.
mount_other; dirty
history_mark $P
expect_beadm 0 "rollback of a mounted BE succeeds" -r $R rollback other@clean
expect_eq "... in every dataset" "$(later)" ""
umount_other
txgs=$(history_txgs $P "clone swap" "$R/other(/[^ ]*)?/%rollback" | wc -l)
[ "$txgs" -gt 1 ] && ok "... one dataset at a time ($txgs transaction groups)" || not_ok "... one dataset at a time ($txgs transaction groups)"

# A newer snapshot on one deep dataset only is refused like any other.
zfs snapshot $R/other/var/log@deep-newer
remember_state $P
expect_beadm 9 "rollback past a newer snapshot of a deep dataset is refused" -r $R rollback other@clean
grep -q "$R/other/var/log@deep-newer" "$T_TMP/stderr" && ok "... naming it" || { not_ok "... naming it"; evidence "$T_TMP/stderr"; }
expect_unchanged "refused rollback past a deep dataset's newer snapshot"
zfs destroy $R/other/var/log@deep-newer

# Newer snapshots would be destroyed: refuse, name them, change nothing.
"$BEADM" -r $R snapshot other newer >/dev/null
remember_state $P
expect_beadm 9 "rollback past a newer snapshot is refused" -r $R rollback other@clean
grep -q "$R/other@newer" "$T_TMP/stderr" && ok "... naming the newer snapshot" || { not_ok "... naming the newer snapshot"; evidence "$T_TMP/stderr"; }
expect_unchanged "refused rollback past newer snapshots"

# The running BE.
BEADM_TEST_ROOTFS=$R/other expect_beadm 9 "rollback of the running BE is refused" -r $R rollback other@newer
grep -q "running boot environment" "$T_TMP/stderr" && ok "... saying it is running" || { not_ok "... saying it is running"; evidence "$T_TMP/stderr"; }
expect_beadm 4 "rollback to a missing snapshot fails" -r $R rollback other@nosuch
expect_beadm 4 "rollback of a missing BE fails" -r $R rollback nosuch@clean
expect_beadm 2 "rollback without @SNAP is a usage error" -r $R rollback other
expect_beadm 3 "rollback with a bad BE name is refused" -r $R rollback "a b@clean"
expect_unchanged "refused rollbacks"
expect_beadm 0 "rollback to the newest snapshot succeeds" -r $R rollback other@newer

done_testing
