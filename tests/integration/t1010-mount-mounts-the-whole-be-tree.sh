#!/bin/bash
# beadm mount/umount: a BE mounts with all its datasets in place (canmount=off
# containers stay unmounted), at a given directory or a new private one that
# umount removes; refusals and failures leave the mount table as it was.
. "$(dirname "$0")/lib.sh"

P=t1010a
R=$P/ROOT
fixture deep $P

# mounts_of DATASET: "DATASET DIR" for it and its descendants, as mounted now.
mounts_of() { awk -v ds="$1" '$3 == "zfs" && ($1 == ds || index($1, ds "/") == 1) { print $1, $2 }' /proc/self/mounts; }

clone_by_hand $R default be2
ntmp=$(tmpdirs)

expect_beadm 0 "mount BE without a mountpoint succeeds" -r $R mount be2
mp=$(cat "$T_TMP/stdout")
check "it prints the new private directory" grep -qxE '/tmp/beadm\.[A-Za-z0-9]{6}' "$T_TMP/stdout"
expect_eq "the BE and its datasets are mounted in place, the canmount=off container is not" \
    "$(mounts_of $R/be2 | sort)" "$(printf '%s\n' "$R/be2 $mp" "$R/be2/usr $mp/usr" "$R/be2/var/log $mp/var/log")"
check "the BE's own file is visible" grep -qx "$R/default" "$mp/.fixture"
check "the file of its usr dataset is visible" grep -qx "$R/default/usr" "$mp/usr/.fixture"
check "the file of var/log below the container is visible" grep -qx "$R/default/var/log" "$mp/var/log/.fixture"
run_beadm -r $R list -H
expect_eq "list shows where the BE is mounted" "$(awk -F'\t' '$1 == "be2" { print $3 }' "$T_TMP/stdout")" "$mp"

cp /proc/self/mounts "$T_TMP/mounts.before"
mkdir -p /tmp/t1010-other
expect_beadm 7 "mounting a mounted BE is refused" -r $R mount be2 /tmp/t1010-other
expect_eq "... saying where it is mounted" "$(cat "$T_TMP/stderr")" \
    "beadm: boot environment 'be2' is already mounted at $mp; unmount it first with 'beadm umount be2'"
check "... and mounts nothing" cmp /proc/self/mounts "$T_TMP/mounts.before"

# umount refuses, all or nothing, when something holds the BE's top busy.
(cd "$mp" && exec sleep 30) &
holder=$!
sleep 0.5
expect_beadm 7 "umount of a busy BE fails" -r $R umount be2
check "... naming what could not be unmounted and how to force it" \
    grep -q "cannot unmount $R/be2 from $mp (stop what uses it, or use -f)" "$T_TMP/stderr"
expect_eq "... and puts back what it had unmounted" "$(mounts_of $R/be2 | sort)" \
    "$(printf '%s\n' "$R/be2 $mp" "$R/be2/usr $mp/usr" "$R/be2/var/log $mp/var/log")"
kill $holder; wait $holder 2>/dev/null

expect_beadm 0 "umount succeeds" -r $R umount be2
expect_eq "nothing of the BE is mounted any more" "$(mounts_of $R/be2)" ""
check_fails "the private directory is gone" test -e "$mp"
expect_eq "no /tmp/beadm.* directory is left" "$(tmpdirs)" "$ntmp"
expect_beadm 2 "umount of an unmounted BE fails" -r $R umount be2
expect_eq "... saying so" "$(cat "$T_TMP/stderr")" "beadm: boot environment 'be2' is not mounted"

mkdir -p /tmp/t1010-mnt
expect_beadm 0 "mount BE at a given directory succeeds" -r $R mount be2 /tmp/t1010-mnt
expect_eq "it prints that directory" "$(cat "$T_TMP/stdout")" /tmp/t1010-mnt
check "the usr dataset is below it" grep -qx "$R/default/usr" /tmp/t1010-mnt/usr/.fixture
expect_beadm 0 "unmount -f succeeds" -r $R unmount -f be2
expect_eq "nothing of the BE is mounted any more" "$(mounts_of $R/be2)" ""
check "a directory beadm did not make stays" test -d /tmp/t1010-mnt

cp /proc/self/mounts "$T_TMP/mounts.before"
expect_beadm 2 "mounting at a missing directory is refused" -r $R mount be2 /tmp/t1010-none
expect_eq "... saying so" "$(cat "$T_TMP/stderr")" \
    "beadm: cannot mount at /tmp/t1010-none: No such file or directory; create the directory first"
touch /tmp/t1010-file
expect_beadm 2 "mounting at a file is refused" -r $R mount be2 /tmp/t1010-file
expect_eq "... saying so" "$(cat "$T_TMP/stderr")" "beadm: cannot mount at /tmp/t1010-file: it is not a directory"
expect_beadm 9 "mounting over / is refused" -r $R mount be2 /
# Nor over what the running system is made of, however it is named.
ln -sfn /etc /tmp/t1010-etc
for d in /etc /usr/lib /var/lib /boot /tmp /tmp/t1010-etc /tmp/t1010-etc/../usr; do
	expect_beadm 9 "mounting over $d is refused" -r $R mount be2 "$d"
done
expect_eq "... saying why, of the real directory" "$(cat "$T_TMP/stderr")" \
    "beadm: will not mount a boot environment over /usr, which the running system is made of or uses; choose another directory, such as one below /mnt"
check "... and mounting nothing" cmp /proc/self/mounts "$T_TMP/mounts.before"
rm /tmp/t1010-etc
expect_beadm 4 "mounting a missing BE is refused" -r $R mount nosuch
expect_beadm 3 "mounting a badly named BE is refused" -r $R mount "foo bar"
expect_beadm 2 "mount with three arguments is a usage error" -r $R mount be2 /tmp x
expect_beadm 2 "umount without a BE is a usage error" -r $R umount
expect_beadm 2 "umount with an unknown flag is a usage error" -r $R umount -x be2
export BEADM_TEST_ROOTFS=$R/default
expect_beadm 9 "unmounting the running BE is refused" -r $R umount default
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
    "beadm: will not unmount boot environment 'default': it is the running one"
expect_beadm 7 "mounting the running BE is refused" -r $R mount default
unset BEADM_TEST_ROOTFS
check "the refusals mounted and unmounted nothing" cmp /proc/self/mounts "$T_TMP/mounts.before"
expect_eq "... and left no /tmp/beadm.* directory" "$(tmpdirs)" "$ntmp"

# A failure halfway (var/log cannot get a directory: var is a file in the
# BE) unmounts what was mounted and removes the private directory.
mkdir -p /tmp/t1010-top
mount -t zfs -o zfsutil $R/be2 /tmp/t1010-top
rm -rf /tmp/t1010-top/var && echo not-a-dir >/tmp/t1010-top/var
umount /tmp/t1010-top
run_beadm -r $R mount be2
check "a mount that fails halfway fails" test "$RC" -ne 0
check "... naming the dataset" grep -q "cannot mount $R/be2/var/log at " "$T_TMP/stderr"
expect_eq "... and leaves nothing of the BE mounted" "$(mounts_of $R/be2)" ""
expect_eq "... and no /tmp/beadm.* directory" "$(tmpdirs)" "$ntmp"

done_testing
