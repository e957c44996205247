#!/bin/bash
# The seed article's "Consolidating the default Boot Environment": on
# FreeBSD's installer layout, consolidate moves POOL/tmp, POOL/usr's system
# children and POOL/var under the BE (first only showing the plan), keeps
# canmount=off containers off, every dataset mounting where it did and the
# shared POOL/usr/home where it is; named datasets move too, a second run
# has nothing to do, and BEs created afterwards hold the moved datasets.
# every-series: rename without remounting, property copying
. "$(dirname "$0")/lib.sh"

P=t5020a
fixture freebsd $P
fixture zbm ${P}b
ALT=$(zpool get -H -o value altroot $P)
export BEADM_TEST_ROOTFS=$P/ROOT/default
B=$P/ROOT/default
clone_by_hand $P/ROOT default other

# Each dataset by its name before consolidation (ROOT/default/X was X),
# with where it mounts, its canmount and whether it is mounted: must not
# change, except for names.
mount_view() {
	zfs list -H -o name,mountpoint,canmount,mounted -r $P |
		sed "s|^$B/|$P/|" | sort -u
}
mount_view >"$T_TMP/view.before"
HOME_GUID=$(prop $P/usr/home guid)

# ---- refusals change nothing -------------------------------------------
remember_state $P
expect_beadm 3 "a bad BE name is refused" -r $P/ROOT consolidate 'bad@name'
expect_unchanged "bad BE name"
expect_beadm 4 "a BE that does not exist is refused" -r $P/ROOT consolidate nosuch
expect_unchanged "missing BE"
expect_beadm 4 "a dataset that does not exist is refused" -r $P/ROOT consolidate $P/nosuch
expect_unchanged "missing dataset"
expect_beadm 2 "a dataset of another pool is refused" -r $P/ROOT consolidate -y default ${P}b/home
expect_unchanged "dataset of another pool"
expect_beadm 9 "a dataset of another BE is refused" -r $P/ROOT consolidate -y default $P/ROOT/other
expect_unchanged "dataset of another BE"
expect_beadm 9 "the BE itself is refused" -r $P/ROOT consolidate -y default $B
expect_unchanged "the BE itself"
expect_beadm 9 "the BE root is refused" -r $P/ROOT consolidate -y $P/ROOT
expect_unchanged "the BE root"
expect_beadm 2 "an unknown option is refused" -r $P/ROOT consolidate -f
expect_unchanged "unknown option"

# ---- the plan ----------------------------------------------------------
printf '%s\t%s\t%s\n' rename $P/tmp $B/tmp >"$T_TMP/plan.want"
printf '%s\t%s\t%s\n' create $B/usr canmount=off >>"$T_TMP/plan.want"
printf '%s\t%s\t%s\n' rename $P/usr/ports $B/usr/ports rename $P/usr/src $B/usr/src \
	rename $P/var $B/var >>"$T_TMP/plan.want"
pool_props_state $P >"$T_TMP/props.before"
expect_beadm 0 "the plan is shown" -r $P/ROOT consolidate
check "the plan is each step, in order" diff "$T_TMP/plan.want" "$T_TMP/stdout"
pool_props_state $P >"$T_TMP/props.after"
check "showing the plan changed no dataset or property" diff "$T_TMP/props.before" "$T_TMP/props.after"

# ---- carrying it out ---------------------------------------------------
expect_beadm 0 "consolidate -y succeeds" -r $P/ROOT consolidate -y
check "-y prints the steps it did" diff "$T_TMP/plan.want" "$T_TMP/stdout"
for d in tmp usr/ports usr/src var var/audit var/crash var/log var/mail var/tmp; do
	check "$P/$d is now $B/$d" exists $B/$d
	check_fails "$P/$d is gone" exists $P/$d
done
expect_eq "var stays canmount=off (local)" "$(prop $B/var canmount)/$(prop_source $B/var canmount)" off/local
expect_eq "the new usr container is canmount=off" "$(prop $B/usr canmount)/$(prop_source $B/usr canmount)" off/local
expect_eq "the new usr inherits /usr from the BE" "$(prop_source $B/usr mountpoint)" "inherited from $B"
expect_eq "usr/ports inherits /usr/ports through the new usr" "$(prop_source $B/usr/ports mountpoint) $(prop $B/usr/ports mountpoint)" "inherited from $B $ALT/usr/ports"
mount_view >"$T_TMP/view.after"
check "every dataset mounts where it did, with its canmount and mount state" \
	diff "$T_TMP/view.before" "$T_TMP/view.after"
expect_eq "data is still at /var/log, /tmp and /usr/src" \
	"$(cat "$ALT/var/log/.fixture" "$ALT/tmp/.fixture" "$ALT/usr/src/.fixture" | tr '\n' ' ')" \
	"$P/var/log $P/tmp $P/usr/src "
expect_eq "the shared usr/home stays, the same dataset" "$(prop $P/usr/home guid)" "$HOME_GUID"
expect_eq "usr/home is still mounted at /usr/home" "$(prop $P/usr/home mounted) $(cat "$ALT/usr/home/.fixture")" "yes $P/usr/home"
expect_eq "the old usr container stays canmount=off" "$(prop $P/usr canmount)" off

# ---- again: nothing to do ----------------------------------------------
pool_props_state $P >"$T_TMP/props.before"
expect_beadm 0 "a second plan succeeds" -r $P/ROOT consolidate
expect_eq "a second plan has nothing to do" "$(cat "$T_TMP/stdout")" ""
expect_beadm 0 "a second -y succeeds" -r $P/ROOT consolidate -y default
expect_eq "a second -y does nothing" "$(cat "$T_TMP/stdout")" ""
pool_props_state $P >"$T_TMP/props.after"
check "a second run changed nothing" diff "$T_TMP/props.before" "$T_TMP/props.after"

# ---- a named dataset moves too -----------------------------------------
expect_beadm 0 "consolidate -y with usr/home named" -r $P/ROOT consolidate -y default $P/usr/home
expect_eq "it moved usr/home, and only it" "$(cat "$T_TMP/stdout")" \
	"$(printf '%s\t%s\t%s' rename $P/usr/home $B/usr/home)"
expect_eq "usr/home is the same dataset under the BE" "$(prop $B/usr/home guid)" "$HOME_GUID"
expect_eq "usr/home still mounts at /usr/home" "$(prop $B/usr/home mounted) $(cat "$ALT/usr/home/.fixture")" "yes $P/usr/home"

# ---- BEs created afterwards capture what moved -------------------------
expect_beadm 0 "create new succeeds" -r $P/ROOT create new
for d in tmp usr usr/home usr/ports usr/src var var/log var/tmp; do
	check "new has its own $d" exists $P/ROOT/new/$d
done
expect_eq "new's usr and var are canmount=off" "$(prop $P/ROOT/new/usr canmount) $(prop $P/ROOT/new/var canmount)" "off off"

# ---- a step that fails half-way ----------------------------------------
# An encrypted dataset cannot leave its encryption root: the last rename
# fails after the others were done.
F=${P}c
fixture freebsd $F
FB=$F/ROOT/default
echo 'beadm-test-passphrase' | zfs create -o encryption=on -o keyformat=passphrase \
	-o mountpoint=none $F/zz
zfs create -o mountpoint=/opt $F/zz/opt
export BEADM_TEST_ROOTFS=$FB
fview() {
	zfs list -H -o name,mountpoint,canmount,mounted -r $F | sed "s|^$FB/|$F/|" | sort -u
}
fview >"$T_TMP/fview.before"
expect_beadm 1 "a failing step makes consolidate -y fail" -r $F/ROOT consolidate -y
sed "s|$P/|$F/|g" "$T_TMP/plan.want" >"$T_TMP/fplan.done"
check "the steps done are printed" diff "$T_TMP/fplan.done" "$T_TMP/stdout"
check "the failed step is named" grep -q "step 6 of 6 failed (rename $F/zz/opt to $FB/opt)" "$T_TMP/stderr"
check "the step not done is listed" grep -qx "beadm: not done: rename	$F/zz/opt	$FB/opt" "$T_TMP/stderr"
fview >"$T_TMP/fview.after"
check "after the failure every dataset mounts where it did" diff "$T_TMP/fview.before" "$T_TMP/fview.after"
expect_beadm 0 "planning again succeeds" -r $F/ROOT consolidate
expect_eq "planning again gives exactly the step not done" "$(cat "$T_TMP/stdout")" \
	"$(printf '%s\t%s\t%s' rename $F/zz/opt $FB/opt)"

# ---- Linux: the OpenZFS Debian guide's layout ---------------------------
# The pool's top is canmount=off at /, so rpool/var, rpool/usr and rpool/tmp
# inherit /var, /usr and /tmp; /home, /root and /srv stay shared, and so
# does Docker's storage, which splits var and var/lib.
L=${P}l
LDIR=/tmp/beadm-fixture
mkdir -p $LDIR
truncate -s 256M $LDIR/$L.img
zpool create -o cachefile=none -R $LDIR/$L.root -O canmount=off -O mountpoint=/ $L $LDIR/$L.img
T_POOLS="$T_POOLS $L"
for spec in "ROOT -o canmount=off -o mountpoint=none" "ROOT/debian -o mountpoint=/" \
	home "root -o mountpoint=/root" srv tmp "usr -o canmount=off" usr/local \
	"var -o canmount=off" var/cache "var/lib -o canmount=off" var/lib/docker var/log; do
	set -- $spec
	zfs create -u "${@:2}" $L/$1
done
zpool set bootfs=$L/ROOT/debian $L
zfs mount $L/ROOT/debian
for d in home root srv tmp usr/local var/cache var/lib/docker var/log; do zfs mount $L/$d; done
LB=$L/ROOT/debian
lview() {
	zfs list -H -o name,mountpoint,canmount,mounted -r $L | sed "s|^$LB/|$L/|" | sort -u
}
lview >"$T_TMP/lview.before"
{
	printf '%s\t%s\t%s\n' rename $L/tmp $LB/tmp rename $L/usr $LB/usr
	printf '%s\t%s\t%s\n' create $LB/var canmount=off
	printf '%s\t%s\t%s\n' rename $L/var/cache $LB/var/cache
	printf '%s\t%s\t%s\n' create $LB/var/lib canmount=off
	printf '%s\t%s\t%s\n' rename $L/var/log $LB/var/log
} >"$T_TMP/lplan.want"
export BEADM_TEST_ROOTFS=$LB
expect_beadm 0 "Debian layout: consolidate -y succeeds" -r $L/ROOT consolidate -y
check "Debian layout: it moved tmp, usr, var's system children, not the shared ones" \
	diff "$T_TMP/lplan.want" "$T_TMP/stdout"
lview >"$T_TMP/lview.after"
check "Debian layout: every dataset mounts where it did" diff "$T_TMP/lview.before" "$T_TMP/lview.after"
expect_eq "Debian layout: the moved ones inherit their mountpoints from the BE" \
	"$(prop_source $LB/usr mountpoint), $(prop_source $LB/var/log mountpoint)" \
	"inherited from $LB, inherited from $LB"
for d in home root srv var/lib/docker; do check "Debian layout: $L/$d stays" exists $L/$d; done

done_testing
