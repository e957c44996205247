#!/bin/bash
# The seed article's bug: vermaden's beadm turned FreeBSD's canmount=off
# containers (POOL/usr, POOL/var) on, and the system no longer booted.
# activate keeps them off, and everything under them mounted.
. "$(dirname "$0")/lib.sh"

P=t3002a
fixture freebsd $P
ALT=$(zpool get -H -o value altroot $P)
export BEADM_TEST_ROOTFS=$P/ROOT/default
zfs snapshot $P/ROOT/default@s1
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/default@s1 $P/ROOT/upgrade
zfs get -H -o name,value,source canmount,mounted -r $P >"$T_TMP/before"

expect_beadm 0 "activate upgrade succeeds" -r $P/ROOT activate upgrade
expect_eq "bootfs names it" "$(pool_bootfs $P)" "$P/ROOT/upgrade"
expect_eq "usr stays canmount=off (local)" "$(prop $P/usr canmount)/$(prop_source $P/usr canmount)" off/local
expect_eq "var stays canmount=off (local)" "$(prop $P/var canmount)/$(prop_source $P/var canmount)" off/local
zfs get -H -o name,value,source canmount,mounted -r $P | grep -v "^$P/ROOT" >"$T_TMP/after"
grep -v "^$P/ROOT" "$T_TMP/before" >"$T_TMP/before.noroot"
check "nothing outside the BE root changed canmount or mount state" diff "$T_TMP/before.noroot" "$T_TMP/after"
expect_eq "user data under usr and var is still there" "$(cat "$ALT/usr/home/.fixture") $(cat "$ALT/var/log/.fixture")" "$P/usr/home $P/var/log"
expect_eq "the old BE is the clone now" "$(prop $P/ROOT/default origin)" "$P/ROOT/upgrade@s1"

done_testing
