#!/bin/bash
# activate refuses what it cannot do with one clear message and an exit
# status of its own, and changes nothing.
. "$(dirname "$0")/lib.sh"

P=t3001a
fixture zbm $P
export BEADM_TEST_ROOTFS=$P/ROOT/debian
zfs snapshot $P/ROOT/debian@s1
zfs clone -o canmount=noauto -o mountpoint=/ $P/ROOT/debian@s1 $P/ROOT/other

pool_props_state $P >"$T_TMP/before"

expect_beadm 4 "activating a missing BE exits 4" -r $P/ROOT activate nope
expect_eq "and says it does not exist" "$(cat "$T_TMP/stderr")" "beadm: boot environment 'nope' does not exist (no dataset $P/ROOT/nope)"
expect_beadm 3 "activating a bad name exits 3" -r $P/ROOT activate 'a/b'
expect_eq "and says why the name is bad" "$(cat "$T_TMP/stderr")" "beadm: invalid boot environment name 'a/b': the name contains '/'"
expect_beadm 3 "a name that is an option-like word is refused too" -r $P/ROOT activate -- -rf
expect_beadm 2 "activate -t without a loader that can boot once exits 2" -r $P/ROOT activate -t other
expect_eq "and names the backend" "$(cat "$T_TMP/stderr")" "beadm: the bootfs boot loader backend cannot boot a BE once; only a systemd-boot based loader can"
expect_beadm 2 "activate -T likewise" -r $P/ROOT activate -T other
expect_beadm 2 "-t and -T together are a usage error" -r $P/ROOT activate -t -T other
expect_eq "with the usage on stderr" "$(cat "$T_TMP/stderr")" "$(printf '%s\n' 'usage: beadm activate BE' '       beadm activate -t BE | -T [BE]' '       beadm activate --try [--tries N] BE')"
expect_beadm 2 "no BE is a usage error" -r $P/ROOT activate
expect_beadm 2 "two BEs are a usage error" -r $P/ROOT activate other debian
expect_beadm 2 "an unknown option is a usage error" -r $P/ROOT activate -x other
expect_beadm 6 "a BE root that does not exist exits 6" -r $P/NOROOT activate other

pool_props_state $P >"$T_TMP/after"
check "the refused commands changed nothing" diff "$T_TMP/before" "$T_TMP/after"
expect_eq "bootfs still names the old BE" "$(pool_bootfs $P)" "$P/ROOT/debian"

# The property ZFSBootMenu reads travels with the BE it is set on.
expect_beadm 0 "activate other succeeds" -r $P/ROOT activate other
expect_eq "ZFSBootMenu's commandline stays set locally on the old BE" \
	"$(prop $P/ROOT/debian org.zfsbootmenu:commandline)/$(prop_source $P/ROOT/debian org.zfsbootmenu:commandline)" \
	"quiet loglevel=4/local"

done_testing
