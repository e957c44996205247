#!/bin/bash
# beadm create: a new BE is a clone of a fresh recursive snapshot of its
# source, with the source's local properties, canmount=noauto (off kept
# off), and data of its own.
# every-series: clone and property copying (the zfs adapter)
. "$(dirname "$0")/lib.sh"

P=t2000a
fixture deep $P
R=$P/ROOT
ALT=/tmp/beadm-fixture/$P.root
# Local properties on descendants must travel into the clone.
zfs set atime=off $R/default/usr
zfs set recordsize=64K $R/default/var/log
zfs set com.example:note="kept here" $R/default/usr

expect_beadm 0 "create NEWBE succeeds" -r $R create -d "before upgrade" -o compression=lz4 new1
expect_eq "create prints nothing" "$(cat "$T_TMP/stdout")" ""
expect_eq "every dataset of the BE is cloned" \
	"$(zfs list -H -o name -r $R/new1 | tr '\n' ' ')" \
	"$R/new1 $R/new1/usr $R/new1/var $R/new1/var/log "
snap=$(prop $R/new1 origin)
snap=${snap#*@}
expect_eq "the BE is a clone of the source's snapshot" "$(prop $R/new1 origin)" "$R/default@$snap"
expect_eq "descendants are clones of the same recursive snapshot" \
	"$(zfs list -H -o origin -r $R/new1 | tr '\n' ' ')" \
	"$R/default@$snap $R/default/usr@$snap $R/default/var@$snap $R/default/var/log@$snap "
case $snap in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ok "the automatic snapshot is named by date with microseconds ($snap)" ;;
*) not_ok "the automatic snapshot is named by date with microseconds ($snap)" ;;
esac
expect_eq "beadm marks its own snapshot beadm:auto=yes" "$(prop $R/default@$snap beadm:auto)" "yes"
expect_eq "the mark is on the snapshot itself" "$(prop_source $R/default/var/log@$snap beadm:auto)" "local"

expect_eq "the BE is canmount=noauto, set locally" \
	"$(prop $R/new1 canmount) $(prop_source $R/new1 canmount)" "noauto local"
expect_eq "a descendant that was on becomes noauto, locally" \
	"$(prop $R/new1/usr canmount) $(prop_source $R/new1/usr canmount)" "noauto local"
expect_eq "a container that was off stays off" \
	"$(prop $R/new1/var canmount) $(prop_source $R/new1/var canmount)" "off local"
expect_eq "a child of the container becomes noauto" \
	"$(prop $R/new1/var/log canmount) $(prop_source $R/new1/var/log canmount)" "noauto local"
expect_eq "the source BE keeps canmount=on" "$(prop $R/default/usr canmount)" "on"
expect_eq "the mountpoint stays local and the same" \
	"$(prop $R/new1 mountpoint) $(prop_source $R/new1 mountpoint)" "$ALT local"
expect_eq "descendants inherit their mountpoints from the new BE" \
	"$(prop_source $R/new1/usr mountpoint)" "inherited from $R/new1"
expect_eq "a native property set on a descendant is copied (atime)" \
	"$(prop $R/new1/usr atime) $(prop_source $R/new1/usr atime)" "off local"
expect_eq "a native property set on a deeper descendant is copied (recordsize)" \
	"$(prop $R/new1/var/log recordsize) $(prop_source $R/new1/var/log recordsize)" "64K local"
expect_eq "a user property set on a descendant is copied" \
	"$(prop $R/new1/usr com.example:note) $(prop_source $R/new1/usr com.example:note)" "kept here local"
expect_eq "-d is stored as beadm:description" \
	"$(prop $R/new1 beadm:description) $(prop_source $R/new1 beadm:description)" "before upgrade local"
expect_eq "-o applies to the new BE's top dataset" \
	"$(prop $R/new1 compression) $(prop_source $R/new1 compression)" "lz4 local"
expect_eq "-o does not touch the source" "$(prop_source $R/default compression)" "default"
expect_eq "nothing of the new BE is mounted" "$(zfs list -H -o mounted -r $R/new1 | sort -u)" "no"
expect_eq "the source stays mounted" "$(prop $R/default mounted)" "yes"

# Data: each BE has its own from now on.
M=$T_TMP/m
mkdir -p $M
mount -t zfs -o zfsutil $R/new1 $M && mkdir -p $M/var/log && mount -t zfs -o zfsutil $R/new1/var/log $M/var/log
expect_eq "the clone holds the source's files" "$(cat $M/.fixture 2>&1)" "$R/default"
echo new >$M/only-in-new1
echo new >$M/var/log/only-in-new1
echo old >$ALT/only-in-default
check_fails "a file written in the clone is not in the source" test -e $ALT/only-in-new1
check_fails "a file written in the source is not in the clone" test -e $M/only-in-default
check "a file written in the clone's var/log stays there" test -e $M/var/log/only-in-new1
umount $M/var/log; umount $M

# Without -e, with no running BE: the BE the pool boots.
zpool set bootfs=$R/new1 $P
expect_beadm 0 "create without -e clones the bootfs BE when / is no BE" -r $R create new2
expect_eq "... whose snapshot is the origin" "$(prop $R/new2 origin | cut -d@ -f1)" "$R/new1"
zpool set bootfs=$R/default $P
# The running BE wins over bootfs.
BEADM_TEST_ROOTFS=$R/new2 expect_beadm 0 "create without -e clones the running BE" -r $R create new3
expect_eq "... whose snapshot is the origin" "$(prop $R/new3 origin | cut -d@ -f1)" "$R/new2"

# -e BE: another BE as the source.
expect_beadm 0 "create -e BE clones that BE" -r $R create -e new1 new4
expect_eq "... from a fresh snapshot of it" "$(prop $R/new4 origin | cut -d@ -f1)" "$R/new1"

# -e BE@SNAP: an existing snapshot; descendants without it are left out.
zfs snapshot -r $R/default@mine
zfs destroy $R/default/var/log@mine
before=$(zfs list -H -t snapshot -o name -r $P | wc -l)
expect_beadm 0 "create -e BE@SNAP clones an existing snapshot" -r $R create -e default@mine fromsnap
expect_eq "no new snapshot is taken" "$(zfs list -H -t snapshot -o name -r $P | wc -l)" "$before"
expect_eq "the datasets that have @SNAP are cloned" \
	"$(zfs list -H -o name,origin -r $R/fromsnap | tr '\t\n' '= ')" \
	"$R/fromsnap=$R/default@mine $R/fromsnap/usr=$R/default/usr@mine $R/fromsnap/var=$R/default/var@mine "
expect_eq "a user-made snapshot is not marked beadm:auto" "$(prop $R/default@mine beadm:auto)" "-"

# create BE@SNAP: a snapshot, as bectl has it.
expect_beadm 0 "create BE@SNAP makes a recursive snapshot" -r $R create new1@keep
expect_eq "... of every dataset of the BE" "$(zfs list -H -t snapshot -o name -r $R/new1 | grep -c @keep)" "4"
expect_eq "... not marked automatic" "$(prop $R/new1@keep beadm:auto)" "-"

# Rapid creates never collide: one after another, and at the same time
# (waiting for each other's pool lock).
for i in 1 2 3 4 5; do
	"$BEADM" -r $R create -e new1 rapid$i >"$T_TMP/rapid$i" 2>&1
done
for i in 6 7 8; do
	BEADM_LOCK_WAIT_MS=120000 "$BEADM" -r $R create -e new1 rapid$i >"$T_TMP/rapid$i" 2>&1 &
done
wait
n=0
for i in 1 2 3 4 5 6 7 8; do exists $R/rapid$i && n=$((n + 1)); done
expect_eq "eight creates in a row and at once all succeed" "$n" "8"
expect_eq "... from eight distinct snapshots" \
	"$(for i in 1 2 3 4 5 6 7 8; do prop $R/rapid$i origin; done | sort -u | wc -l)" "8"

# The other layouts.
P2=t2000b
fixture zbm $P2
expect_beadm 0 "create on a ZFSBootMenu layout" -r $P2/ROOT create new
expect_eq "org.zfsbootmenu:commandline is copied, locally" \
	"$(prop $P2/ROOT/new org.zfsbootmenu:commandline)|$(prop_source $P2/ROOT/new org.zfsbootmenu:commandline)" \
	"quiet loglevel=4|local"

P3=t2000c
fixture freebsd $P3
expect_beadm 0 "create on FreeBSD's layout" -r $P3/ROOT create new
expect_eq "only the BE dataset is cloned, not the pool's /usr and /var" \
	"$(zfs list -H -o name -r $P3/ROOT | tr '\n' ' ')" "$P3/ROOT $P3/ROOT/default $P3/ROOT/new "
expect_eq "the pool's containers stay off" "$(prop $P3/usr canmount) $(prop $P3/var canmount)" "off off"

P4=t2000d
fixture proxmox $P4
expect_beadm 0 "create on Proxmox's layout" -r $P4/ROOT create pve-2
expect_eq "the new BE mounts at / like pve-1, set locally, canmount=noauto" \
	"$(prop_source $P4/ROOT/pve-2 mountpoint) $(prop $P4/ROOT/pve-2 canmount)" "local noauto"

done_testing
