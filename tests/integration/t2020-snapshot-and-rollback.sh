#!/bin/bash
# beadm snapshot takes a recursive snapshot of a BE in one go and prints its
# name; beadm rollback returns every dataset of the BE to it, refusing when
# that would lose newer snapshots or pull the running system's files away.
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
mount -t zfs -o zfsutil $R/other $M && mkdir -p $M/var/log && mount -t zfs -o zfsutil $R/other/var/log $M/var/log
"$BEADM" -r $R snapshot other clean >/dev/null
echo junk >$M/added-later
echo junk >$M/var/log/added-later
rm -f $M/.fixture
umount $M/var/log; umount $M
expect_beadm 0 "rollback BE@SNAP succeeds" -r $R rollback other@clean
mount -t zfs -o zfsutil $R/other $M && mount -t zfs -o zfsutil $R/other/var/log $M/var/log
check_fails "a file added to the BE after the snapshot is gone" test -e $M/added-later
check_fails "a file added to a descendant after the snapshot is gone" test -e $M/var/log/added-later
check "a file removed after the snapshot is back" test -e $M/.fixture
umount $M/var/log; umount $M

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
