#!/bin/bash
# beadm destroy removes a BE with all its datasets and snapshots, promotes
# BEs cloned from it so they keep their data, removes the origin snapshot
# beadm made (a user's only with -o), and refuses what would harm the system.
# every-series: destroy through channel programs and the dependents iterator
. "$(dirname "$0")/lib.sh"

P=t2030a
fixture deep $P
R=$P/ROOT
ALT=/tmp/beadm-fixture/$P.root
snaps() { zfs list -H -t snapshot -o name -r $P | sort | tr '\n' ' '; }

# A plain destroy: the BE and beadm's origin snapshot go, the source stays.
before_snaps=$(snaps)
"$BEADM" -r $R create a >/dev/null
expect_beadm 0 "destroy BE succeeds without asking when not on a terminal" -r $R destroy a
check_fails "the BE's datasets are gone" exists $R/a
expect_eq "beadm's automatic origin snapshot is gone too" "$(snaps)" "$before_snaps"
expect_eq "the source BE is intact" "$(zfs list -H -o name -r $R/default | wc -l) $(cat $ALT/.fixture)" "4 $R/default"

# A user's snapshot as origin: kept, unless -o; the origin's BE is mounted
# (bectl regression: destroy -o of a mounted origin).
zfs snapshot -r $R/default@mine
"$BEADM" -r $R create -e default@mine b >/dev/null
expect_beadm 0 "destroy a BE made from a user's snapshot" -r $R destroy b
check "the user's snapshot is kept" exists $R/default@mine
"$BEADM" -r $R create -e default@mine b >/dev/null
expect_beadm 0 "destroy -o with the origin's BE mounted" -r $R destroy -o b
check_fails "-o destroys the user's origin snapshot" exists $R/default@mine
check_fails "... in every dataset" exists $R/default/var/log@mine
expect_eq "the origin's BE stays mounted" "$(prop $R/default mounted)" "yes"

# Destroying a BE that others were cloned from promotes them.
"$BEADM" -r $R create c >/dev/null
"$BEADM" -r $R create -e c d >/dev/null
M=$T_TMP/m
mkdir -p $M
mount -t zfs -o zfsutil $R/d $M && echo mine >$M/d-file && umount $M
expect_beadm 0 "destroy a BE that another BE was cloned from" -r $R destroy c
check_fails "the BE is gone" exists $R/c
check "the clone survives" exists $R/d
check "... with its descendants" exists $R/d/var/log
expect_eq "the clone's origin is no longer in the destroyed BE" \
	"$(zfs list -H -o origin -r $R/d | grep -c "$R/c[@/]")" "0"
mount -t zfs -o zfsutil $R/d $M
expect_eq "the clone's data is intact" "$(cat $M/d-file 2>&1) $(cat $M/.fixture 2>&1)" "mine $R/default"
umount $M

# The BE everything came from: promote, then it can go (bootfs moved away).
zpool set bootfs=$R/d $P
# The pool's own top dataset is mounted inside default's mountpoint.
remember_state $P
expect_beadm 7 "destroy -F does not unmount other file systems mounted inside the BE" -r $R destroy -F default
grep -q "$P is mounted inside it" "$T_TMP/stderr" && ok "... naming the foreign file system" || { not_ok "... naming the foreign file system"; evidence "$T_TMP/stderr"; }
expect_unchanged "destroy -F of a BE with a foreign mount inside"
zfs unmount $P
expect_beadm 0 "destroy the original BE once another one boots" -r $R destroy -F default
check_fails "it is gone" exists $R/default
expect_eq "the remaining BE stands alone (no origin)" "$(zfs list -H -o origin -r $R/d | sort -u)" "-"
expect_eq "no automatic snapshot is left over" "$(zfs list -H -t snapshot -o name -r $P | wc -l)" "0"

# Refusals change nothing.
"$BEADM" -r $R create e >/dev/null
"$BEADM" -r $R snapshot e s1 >/dev/null
"$BEADM" -r $R create -e e@s1 f >/dev/null
remember_state $P
expect_beadm 9 "a snapshot with clones cannot be destroyed" -r $R destroy e@s1
grep -q "$R/f" "$T_TMP/stderr" && ok "... and the refusal names the clones" || { not_ok "... and the refusal names the clones"; evidence "$T_TMP/stderr"; }
expect_beadm 9 "the BE that boots next cannot be destroyed" -r $R destroy d
grep -q "boots next" "$T_TMP/stderr" && ok "... saying so" || { not_ok "... saying so"; evidence "$T_TMP/stderr"; }
BEADM_TEST_ROOTFS=$R/e expect_beadm 9 "the running BE cannot be destroyed" -r $R destroy -F e
grep -q "running boot environment" "$T_TMP/stderr" && ok "... saying so" || { not_ok "... saying so"; evidence "$T_TMP/stderr"; }
expect_beadm 4 "a missing BE is reported" -r $R destroy nosuch
expect_beadm 4 "a missing snapshot is reported" -r $R destroy e@nosuch
expect_beadm 3 "a bad name is refused" -r $R destroy "a b"
expect_beadm 2 "no argument is a usage error" -r $R destroy
expect_beadm 2 "an unknown option is a usage error" -r $R destroy -x e
expect_unchanged "refused destroys"

# A mounted BE: refused unless -F.
mount -t zfs -o zfsutil $R/f $M
remember_state $P
expect_beadm 7 "a mounted BE is not destroyed without -F" -r $R destroy f
grep -q "mounted at $M" "$T_TMP/stderr" && ok "... and the refusal says where" || { not_ok "... and the refusal says where"; evidence "$T_TMP/stderr"; }
expect_unchanged "refused destroy of a mounted BE"
expect_beadm 0 "destroy -F unmounts and destroys" -r $R destroy -F f
check_fails "it is gone" exists $R/f
check_fails "... and no longer mounted" grep -q " $M " /proc/mounts

# A snapshot without clones: gone from every dataset.
expect_beadm 0 "destroy BE@SNAP without clones succeeds" -r $R destroy e@s1
expect_eq "the snapshot is gone from every dataset" "$(zfs list -H -t snapshot -o name -r $R/e | grep -c @s1)" "0"

# A deep BE goes whole: every dataset and snapshot, in one transaction group
# (a channel program).
of_be() { zfs list -H -t all -o name -r $P | grep -E "^$R/$1([/@]|\$)"; }
"$BEADM" -r $R create g >/dev/null
"$BEADM" -r $R snapshot g s1 >/dev/null
"$BEADM" -r $R snapshot g s2 >/dev/null
zfs snapshot $R/g/var/log@only-here
expect_eq "the deep BE has 4 datasets and 9 snapshots" "$(of_be g | grep -vc @) $(of_be g | grep -c @)" "4 9"
history_mark $P
expect_beadm 0 "destroy a deep BE with snapshots in every dataset" -r $R destroy g
expect_eq "none of its datasets and snapshots is left" "$(of_be g)" ""
expect_eq "they were destroyed in one transaction group" \
	"$(history_txgs $P destroy "$R/g([/@][^ ]*)?" | wc -l)" "1"

# A held snapshot deep inside stops the destroy before anything goes.
"$BEADM" -r $R create h >/dev/null
"$BEADM" -r $R snapshot h s1 >/dev/null
zfs hold keep $R/h/var/log@s1
remember_state $P
expect_beadm 7 "a BE with a held snapshot is not destroyed" -r $R destroy h
grep -q "$R/h/var/log@s1 is held" "$T_TMP/stderr" && ok "... naming the held snapshot" || { not_ok "... naming the held snapshot"; evidence "$T_TMP/stderr"; }
expect_unchanged "a destroy stopped by a held snapshot: every dataset and snapshot of the BE"
# BEADM_TEST_NO_ZCP=1 (tests only): no channel program, libzfs's way.
# (libzfs 2.1 says busy, 2.3 held: exit 7 or 1.)
BEADM_TEST_NO_ZCP=1 run_beadm -r $R destroy h
[ "$RC" -ne 0 ] && ok "without channel programs, too, the held snapshot stops it" || { not_ok "without channel programs, too, the held snapshot stops it"; evidence "$T_TMP/stdout" "$T_TMP/stderr"; }
expect_unchanged "without channel programs, a destroy stopped by a held snapshot"
zfs release keep $R/h/var/log@s1
history_mark $P
BEADM_TEST_NO_ZCP=1 expect_beadm 0 "without channel programs, destroy still works" -r $R destroy h
expect_eq "... leaving none of the BE's datasets and snapshots" "$(of_be h)" ""
txgs=$(history_txgs $P destroy "$R/h([/@][^ ]*)?" | wc -l)
[ "$txgs" -gt 1 ] && ok "... through libzfs, dataset by dataset ($txgs transaction groups)" || not_ok "... through libzfs, dataset by dataset ($txgs transaction groups)"

# A volume inside a BE is not one of its file systems: nothing is destroyed
# (libzfs would destroy the rest and stop at the volume's parent).
"$BEADM" -r $R create v >/dev/null
zfs create -V 1M -o volmode=none $R/v/var/log/vol
remember_state $P
expect_beadm 7 "a BE with a volume inside is not destroyed" -r $R destroy v
grep -q "$R/v/var/log/vol lies inside it" "$T_TMP/stderr" && ok "... naming the volume" || { not_ok "... naming the volume"; evidence "$T_TMP/stderr"; }
expect_unchanged "a destroy stopped by a volume inside the BE"
zfs destroy $R/v/var/log/vol
expect_beadm 0 "without the volume it is destroyed" -r $R destroy v
expect_eq "... whole" "$(of_be v)" ""

done_testing
