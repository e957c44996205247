#!/bin/bash
# The seed article's bug: vermaden's beadm turned FreeBSD's canmount=off
# containers (POOL/usr, POOL/var) on, and the system no longer booted.
# activate keeps them off, and everything under them mounted.  A dataset
# below the BE root that is not a BE (its name) is settled all the same.
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

# A dataset below the BE root whose name is not a BE's (made by hand, or by
# another tool) is not a BE, but `zfs mount -a` would mount it over / at
# every boot: check names it, and activate settles it as it settles BEs.
zfs create -o canmount=noauto -o mountpoint=/ $P/ROOT/.stray
zfs create -o canmount=noauto $P/ROOT/.stray/usr
zfs set canmount=on $P/ROOT/.stray
zfs set canmount=on $P/ROOT/.stray/usr
expect_beadm 1 "check finds the stray dataset (exit 1)" -r $P/ROOT check
check "... saying what zfs mount -a would do" grep -qxF \
	"problem: $P/ROOT/.stray has canmount=on: \`zfs mount -a\` would mount it at / over the running system's — fix: zfs set canmount=noauto $P/ROOT/.stray" "$T_TMP/stdout"
check "... and that it is not a BE" grep -qF \
	"problem: $P/ROOT/.stray below the BE root is not a boot environment (the name starts with '.'): beadm neither lists nor activates it" "$T_TMP/stdout"
run_beadm -r $P/ROOT list -H
expect_eq "list shows no BE for it" "$(cut -f1 "$T_TMP/stdout" | paste -sd' ')" "default upgrade"
expect_beadm 0 "activate default succeeds" -r $P/ROOT activate default
expect_eq "... and made the stray dataset and its child canmount=noauto" \
	"$(prop $P/ROOT/.stray canmount)/$(prop $P/ROOT/.stray/usr canmount)" noauto/noauto
run_beadm -r $P/ROOT check
check "check now says it is no BE, and no problem" grep -qxF \
	"ok: $P/ROOT/.stray below the BE root is not a boot environment (the name starts with '.'): beadm neither lists nor activates it" "$T_TMP/stdout"
check_fails "... nor a problem about it" grep -q "problem: $P/ROOT/.stray" "$T_TMP/stdout"

done_testing
