#!/bin/bash
# activate BE: bootfs names BE, BE and its descendants no longer depend on
# the BE they were cloned from (the old one became the clone), canmount is
# noauto where it was on, in every BE, and off containers stay off, data is
# untouched.
# every-series: promote and the dependents iterator
. "$(dirname "$0")/lib.sh"

P=t3000a
fixture deep $P
ALT=$(zpool get -H -o value altroot $P)
export BEADM_TEST_ROOTFS=$P/ROOT/default

# A second BE made by hand, as `beadm create` would: a recursive clone.
zfs snapshot -r $P/ROOT/default@s1
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/default@s1 $P/ROOT/new
zfs clone -o canmount=noauto $P/ROOT/default/usr@s1 $P/ROOT/new/usr
zfs clone -o canmount=off $P/ROOT/default/var@s1 $P/ROOT/new/var
zfs clone -o canmount=noauto $P/ROOT/default/var/log@s1 $P/ROOT/new/var/log
# canmount=on below a BE is what `zfs mount -a` would mount over / later.
zfs set canmount=on $P/ROOT/new/usr
zfs get -H -t filesystem -o name,property,value,source mountpoint -r $P/ROOT/default >"$T_TMP/old.before"
zfs get -H -t filesystem -o name,value canmount -r $P/ROOT/default >"$T_TMP/old.canmount"

expect_beadm 0 "activate new succeeds" -r $P/ROOT activate new
expect_eq "activate says which BE boots next" "$(cat "$T_TMP/stdout")" "Activated BE 'new': it boots next."
expect_eq "activate prints nothing on stderr" "$(cat "$T_TMP/stderr")" ""
expect_eq "bootfs names the new BE" "$(pool_bootfs $P)" "$P/ROOT/new"

for d in "" /usr /var /var/log; do
	expect_eq "new$d no longer has an origin" "$(prop $P/ROOT/new$d origin)" "-"
	expect_eq "default$d is now the clone of new$d@s1" "$(prop $P/ROOT/default$d origin)" "$P/ROOT/new$d@s1"
done

expect_eq "the BE dataset is canmount=noauto" "$(prop $P/ROOT/new canmount)" noauto
expect_eq "a canmount=on descendant became noauto" "$(prop $P/ROOT/new/usr canmount)/$(prop_source $P/ROOT/new/usr canmount)" noauto/local
expect_eq "the canmount=off container stays off" "$(prop $P/ROOT/new/var canmount)" off
expect_eq "a noauto descendant stays noauto" "$(prop $P/ROOT/new/var/log canmount)" noauto
zfs get -H -t filesystem -o name,property,value,source mountpoint -r $P/ROOT/default >"$T_TMP/old.after"
check "the old BE's mountpoints are unchanged" diff "$T_TMP/old.before" "$T_TMP/old.after"
# The running BE too: canmount=on, `zfs mount -a` at new's boot would
# mount it over new's /.
expect_eq "the running BE was canmount=on" "$(awk -v d=$P/ROOT/default '$1 == d { print $2 }' "$T_TMP/old.canmount")" on
expect_eq "the running BE is canmount=noauto now" "$(prop $P/ROOT/default canmount)" noauto
expect_eq "and stays mounted" "$(prop $P/ROOT/default mounted)" yes
expect_eq "its off container stays off" "$(prop $P/ROOT/default/var canmount)" off
expect_eq "the new BE was not mounted" "$(zfs get -H -t filesystem -o value mounted -r $P/ROOT/new | sort -u)" no
expect_eq "the running BE's files are still visible at /" "$(cat "$ALT/.fixture")" "$P/ROOT/default"
expect_eq "and in its descendants" "$(cat "$ALT/usr/.fixture")/$(cat "$ALT/var/log/.fixture")" "$P/ROOT/default/usr/$P/ROOT/default/var/log"

# Activating it again: success, says so, changes nothing.
zfs get -H -p all -r $P | grep -v -e '	written	' -e '	used' -e '	available	' -e '	referenced	' -e 'logical' -e 'compressratio' >"$T_TMP/all.before"
expect_beadm 0 "activating the BE that boots next succeeds" -r $P/ROOT activate new
expect_eq "and says it is already active" "$(cat "$T_TMP/stdout")" "BE 'new' is already active: it boots next."
zfs get -H -p all -r $P | grep -v -e '	written	' -e '	used' -e '	available	' -e '	referenced	' -e 'logical' -e 'compressratio' >"$T_TMP/all.after"
check "activating it again changed no property" diff "$T_TMP/all.before" "$T_TMP/all.after"

# Back to the old BE: promotion goes the other way.
expect_beadm 0 "activating the old BE again succeeds" -r $P/ROOT activate default
expect_eq "bootfs names the old BE" "$(pool_bootfs $P)" "$P/ROOT/default"
expect_eq "the old BE is no clone any more" "$(prop $P/ROOT/default origin)/$(prop $P/ROOT/default/var/log origin)" "-/-"
expect_eq "the new BE is the clone again" "$(prop $P/ROOT/new origin)" "$P/ROOT/default@s1"
expect_eq "the old BE is still canmount=noauto" "$(prop $P/ROOT/default canmount)" noauto
expect_eq "and still mounted" "$(prop $P/ROOT/default mounted)" yes

# The new BE can now be destroyed without touching the old one.
check "zfs destroy -r of the inactive BE succeeds" zfs destroy -r $P/ROOT/new
expect_eq "the old BE's files survive" "$(cat "$ALT/.fixture")" "$P/ROOT/default"

done_testing
