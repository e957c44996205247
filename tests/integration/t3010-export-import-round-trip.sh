#!/bin/bash
# export BE | import NEWBE moves a whole BE between pools: every dataset,
# property and file, the description too; the new BE is safe (canmount
# noauto, off containers off, nothing mounted) and not active; the
# exporting pool is left as it was.
# every-series: send and receive
. "$(dirname "$0")/lib.sh"

A=t3010a B=t3010b
fixture deep $A
fixture zbm $B
BALT=$(zpool get -H -o value altroot $B)
zfs set beadm:description="web server, before the upgrade" $A/ROOT/default
zfs set com.example:note=kept $A/ROOT/default/usr
zfs snapshot -r $A/ROOT/default@history
echo "later" >"$(zpool get -H -o value altroot $A)/usr/later"
zfs list -H -t all -o name -r $A >"$T_TMP/a.before"
zpool get -H -o value bootfs $B >"$T_TMP/b.bootfs.before"
# What a killed export leaves behind; the next export removes it.
zfs snapshot -r $A/ROOT/default@beadm-export-2020-01-01-00:00:00-000000

expect_beadm 0 "export writes the stream" -r $A/ROOT export default
mv "$T_TMP/stdout" "$T_TMP/stream"
expect_eq "export prints nothing on stderr when it is no terminal" "$(cat "$T_TMP/stderr")" ""
check "the stream is a ZFS replication stream" sh -c "zstream dump '$T_TMP/stream' | grep -q 'BEGIN record'"
zfs list -H -t all -o name -r $A >"$T_TMP/a.after"
check "the exporting pool is left as it was (no transport snapshot, no leftover)" diff "$T_TMP/a.before" "$T_TMP/a.after"

RC=0
"$BEADM" -r $B/ROOT import copy <"$T_TMP/stream" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?
expect_eq "import exits 0" "$RC" 0
expect_eq "import says what it made" "$(cat "$T_TMP/stdout")" "Imported BE 'copy' (not active; beadm activate copy boots it)."

zfs list -H -o name -r $A/ROOT/default | sed "s|^$A/ROOT/default|X|" >"$T_TMP/a.names"
zfs list -H -o name -r $B/ROOT/copy | sed "s|^$B/ROOT/copy|X|" >"$T_TMP/b.names"
check "every dataset arrived" diff "$T_TMP/a.names" "$T_TMP/b.names"
expect_eq "the snapshots came along" "$(zfs list -H -t snapshot -o name -r $B/ROOT/copy | grep -c @history)" 4
expect_eq "the transport snapshot did not stay" "$(zfs list -H -t snapshot -o name -r $B/ROOT/copy | grep -c @beadm-export-)" 0
expect_eq "the description travelled" "$(prop $B/ROOT/copy beadm:description)" "web server, before the upgrade"
expect_eq "other user properties travelled" "$(prop $B/ROOT/copy/usr com.example:note)" kept
expect_eq "the new BE is canmount=noauto, set locally" "$(prop $B/ROOT/copy canmount)/$(prop_source $B/ROOT/copy canmount)" noauto/local
expect_eq "its canmount=on descendants became noauto" "$(prop $B/ROOT/copy/usr canmount)/$(prop $B/ROOT/copy/var/log canmount)" noauto/noauto
expect_eq "its off container stays off" "$(prop $B/ROOT/copy/var canmount)" off
expect_eq "its mountpoint is / (received)" "$(prop_source $B/ROOT/copy mountpoint)" received
expect_eq "nothing of it is mounted" "$(zfs get -H -t filesystem -o value mounted -r $B/ROOT/copy | sort -u)" no
check "the importing pool's bootfs is unchanged" sh -c "[ \"\$(zpool get -H -o value bootfs $B)\" = \"$(cat "$T_TMP/b.bootfs.before")\" ]"
expect_eq "the pool's running BE is still mounted at its root" "$(cat "$BALT/.fixture")" "$B/ROOT/debian"

# Look at the files through a private mount.
M=$T_TMP/m
mkdir -p "$M"
mount -t zfs -o zfsutil,ro $B/ROOT/copy "$M" && mount -t zfs -o zfsutil,ro $B/ROOT/copy/usr "$M/usr" &&
	mount -t zfs -o zfsutil,ro $B/ROOT/copy/var/log "$M/var/log"
expect_eq "file contents are equal" "$(cat "$M/.fixture") $(cat "$M/usr/.fixture") $(cat "$M/var/log/.fixture") $(cat "$M/usr/later")" \
	"$A/ROOT/default $A/ROOT/default/usr $A/ROOT/default/var/log later"
umount "$M/var/log" "$M/usr" "$M" 2>/dev/null

# A pipe works as well as a file, and the BE root may hold several imports.
RC=0
"$BEADM" -r $A/ROOT export default 2>"$T_TMP/e1" | "$BEADM" -r $B/ROOT import piped >/dev/null 2>"$T_TMP/e2" || RC=$?
expect_eq "export | import through a pipe succeeds" "$RC/$(cat "$T_TMP/e1" "$T_TMP/e2")" "0/"
check "the piped BE exists" exists $B/ROOT/piped/var/log

# The seed article's "duplicating the default boot environment", within one
# pool: the export's brief lock must not starve the import waiting on it.
RC=0
"$BEADM" -r $A/ROOT export default 2>"$T_TMP/e1" | "$BEADM" -r $A/ROOT import twin >/dev/null 2>"$T_TMP/e2" || RC=$?
expect_eq "export | import within one pool succeeds" "$RC/$(cat "$T_TMP/e1" "$T_TMP/e2")" "0/"
check "the duplicate has every dataset" exists $A/ROOT/twin/var/log
expect_eq "no transport snapshot or hold is left in the pool" \
	"$(zfs list -H -t snapshot -o name -r $A | grep -c @beadm-export-)" 0

# Refusals: nothing changes.
zfs list -H -t all -o name -r $B >"$T_TMP/b.before"
RC=0
"$BEADM" -r $B/ROOT import copy <"$T_TMP/stream" >"$T_TMP/stdout" 2>"$T_TMP/stderr" || RC=$?
expect_eq "importing onto an existing BE exits 5" "$RC" 5
expect_eq "and says so" "$(cat "$T_TMP/stderr")" "beadm: boot environment 'copy' exists already (dataset $B/ROOT/copy); import under another name"
RC=0
"$BEADM" -r $B/ROOT import 'bad name' <"$T_TMP/stream" >/dev/null 2>"$T_TMP/stderr" || RC=$?
expect_eq "importing under a bad name exits 3" "$RC" 3
expect_beadm 4 "exporting a missing BE exits 4" -r $A/ROOT export nope
expect_beadm 2 "export without a BE is a usage error" -r $A/ROOT export
expect_beadm 2 "import without a name is a usage error" -r $B/ROOT import
zfs list -H -t all -o name -r $B >"$T_TMP/b.after"
check "the refused imports changed nothing" diff "$T_TMP/b.before" "$T_TMP/b.after"

done_testing
