#!/bin/bash
# activate promotes a BE cloned from a clone until it depends on no other
# BE; when a promotion cannot be done (a snapshot name clash) nothing about
# booting changes and the message names the clash.
# every-series: promote through a chain of clones
. "$(dirname "$0")/lib.sh"

P=t3003a
fixture zbm $P
export BEADM_TEST_ROOTFS=$P/ROOT/debian
zfs snapshot $P/ROOT/debian@a
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/debian@a $P/ROOT/mid
zfs snapshot $P/ROOT/mid@b
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/mid@b $P/ROOT/leaf

expect_beadm 0 "activating a clone of a clone succeeds" -r $P/ROOT activate leaf
expect_eq "it has no origin any more" "$(prop $P/ROOT/leaf origin)" "-"
expect_eq "the middle BE became its clone" "$(prop $P/ROOT/mid origin)" "$P/ROOT/leaf@b"
expect_eq "so did the first BE" "$(prop $P/ROOT/debian origin)" "$P/ROOT/leaf@a"
expect_eq "ZFSBootMenu's property stayed on the first BE" "$(prop $P/ROOT/debian org.zfsbootmenu:commandline)" "quiet loglevel=4"

# A clash: 'clash' has a snapshot named like one that promotion would move
# onto it (leaf@a, two promotions up its chain of origins).
zfs snapshot $P/ROOT/debian@c
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/debian@c $P/ROOT/clash
zfs snapshot $P/ROOT/clash@a
zfs set canmount=on $P/ROOT/clash	# activate would change it: it must not
pool_props_state $P >"$T_TMP/before"
expect_beadm 5 "activating a BE whose promotion clashes exits 5" -r $P/ROOT activate clash
expect_eq "and names the clash" "$(cat "$T_TMP/stderr")" "beadm: cannot promote $P/ROOT/clash: that would move the snapshot $P/ROOT/leaf@a onto it, and it has a snapshot named 'a' already; rename one of them (zfs rename), then activate again"
pool_props_state $P >"$T_TMP/after"
check "and changed nothing" diff "$T_TMP/before" "$T_TMP/after"
expect_eq "bootfs still names the BE activated before" "$(pool_bootfs $P)" "$P/ROOT/leaf"
zfs rename $P/ROOT/clash@a $P/ROOT/clash@a2
expect_beadm 0 "after renaming the snapshot, activate succeeds" -r $P/ROOT activate clash
expect_eq "the whole chain was promoted" "$(prop $P/ROOT/clash origin) $(prop $P/ROOT/leaf origin)" "- $P/ROOT/clash@a"

done_testing
