#!/bin/bash
# beadm apt-hook, which apt runs before dpkg (contrib/apt/80beadm), does
# nothing until beadm:apt is set on the BE root; then it makes a checkpoint
# of the running BE (a recursive snapshot, or a new BE) marked
# beadm:made-by=apt and keeps only the newest beadm:apt-keep marked ones.
# What users made, the running BE and the BE that boots next stay; a bad
# setting is refused before anything changes; in a chroot it does nothing.
. "$(dirname "$0")/lib.sh"

P=t5030a
fixture deep $P
R=$P/ROOT
export BEADM_TEST_ROOTFS=$R/default

# The checkpoint the last apt-hook reported making ("" when none).
made() { sed -n 's/^beadm: made the checkpoint //p' "$T_TMP/stdout"; }
# Marked snapshots of the running BE's top dataset, and marked BEs, oldest
# first, as BE@SNAP and BE.
apt_snaps() {
	zfs list -H -t snapshot -d 1 -s createtxg -o name,beadm:made-by $R/default |
		awk '$2 == "apt" { print $1 }' | sed "s|^$R/||" | tr '\n' ' '
}
apt_bes() {
	zfs list -H -d 1 -s createtxg -o name,beadm:made-by $R |
		awk '$2 == "apt" { print $1 }' | sed "s|^$R/||" | tr '\n' ' '
}

# ---- off until enabled ------------------------------------------------------

remember_state $P
expect_beadm 0 "with beadm:apt unset, apt-hook succeeds" -r $R apt-hook
expect_eq "... and prints nothing" "$(cat "$T_TMP/stdout" "$T_TMP/stderr")" ""
expect_unchanged "apt-hook with beadm:apt unset"

zfs set beadm:apt=off $R
zfs set beadm:apt-keep=nonsense $R
remember_state $P
expect_beadm 0 "with beadm:apt=off, apt-hook succeeds (apt-keep unread)" -r $R apt-hook
expect_unchanged "apt-hook with beadm:apt=off"
zfs inherit beadm:apt $R
zfs inherit beadm:apt-keep $R

# Settings count only where set on the BE root itself.
zfs set beadm:apt=snapshot $P
remember_state $P
expect_beadm 0 "beadm:apt inherited from the pool's top is not a setting" -r $R apt-hook
expect_unchanged "apt-hook with beadm:apt only inherited"
zfs inherit beadm:apt $P

# ---- refusals ---------------------------------------------------------------

zfs set beadm:apt=snapshot $R
for bad in 0 -1 abc 5x 1.5 10001; do
	zfs set beadm:apt-keep=$bad $R
	remember_state $P
	expect_beadm 2 "beadm:apt-keep=$bad is refused" -r $R apt-hook
	if grep -q "beadm:apt-keep=$bad" "$T_TMP/stderr"; then
		ok "... naming the setting"
	else
		not_ok "... naming the setting"
		evidence "$T_TMP/stderr"
	fi
	expect_unchanged "beadm:apt-keep=$bad"
done
zfs set beadm:apt=yes $R
zfs set beadm:apt-keep=2 $R
remember_state $P
expect_beadm 2 "beadm:apt=yes is refused" -r $R apt-hook
expect_unchanged "beadm:apt=yes"
expect_beadm 2 "apt-hook takes no arguments" -r $R apt-hook now
expect_unchanged "apt-hook with an argument"

# ---- snapshot ---------------------------------------------------------------

zfs set beadm:apt=snapshot $R
"$BEADM" -r $R snapshot default mine >/dev/null
"$BEADM" -r $R create userbe >/dev/null
# A chroot (BEADM_TEST_INIT_ROOT names init's root): not the running system.
remember_state $P
BEADM_TEST_INIT_ROOT=$T_TMP expect_beadm 0 "in a chroot apt-hook succeeds" -r $R apt-hook
expect_unchanged "apt-hook in a chroot"

names=""
for i in 1 2 3; do
	expect_beadm 0 "apt-hook $i with beadm:apt=snapshot succeeds" -r $R apt-hook
	names="$names $(made)"
done
set -- $names
expect_eq "three checkpoints with distinct names" "$(printf '%s\n' "$@" | sort -u | wc -l)" 3
case $1 in
default@apt-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ok "named BE@apt-YYYYMMDD-HHMMSS ($1)" ;;
*) not_ok "named BE@apt-YYYYMMDD-HHMMSS ($1)" ;;
esac
expect_eq "the two newest marked snapshots stay" "$(apt_snaps)" "$2 $3 "
expect_eq "the oldest is gone from every dataset" \
	"$(zfs list -H -t snapshot -o name -r $R/default | grep -c "@${1#*@}\$")" 0
expect_eq "the newest is in every dataset, marked" \
	"$(zfs list -H -t snapshot -o name,beadm:made-by -r $R/default | grep -c "@${3#*@}	apt\$")" 4
if grep -qx "beadm: destroyed the older checkpoint $1" "$T_TMP/stdout"; then
	ok "apt-hook says which checkpoint it destroyed"
else
	not_ok "apt-hook says which checkpoint it destroyed"
	evidence "$T_TMP/stdout"
fi
check "the user's snapshot stays" exists $R/default@mine
check "the user's BE stays" exists $R/userbe
expect_eq "the user's BE is not marked" "$(prop $R/userbe beadm:made-by)" "-"

# A marked snapshot a BE was cloned from stays, and is no error.
"$BEADM" -r $R create -e "$2" fromapt >/dev/null
expect_eq "a BE cloned from a checkpoint is not marked" "$(prop $R/fromapt beadm:made-by)" "-"
expect_beadm 0 "apt-hook 4 succeeds" -r $R apt-hook
four=$(made)
expect_beadm 0 "apt-hook 5 succeeds" -r $R apt-hook
five=$(made)
expect_eq "the cloned-from checkpoint stays besides the two newest" "$(apt_snaps)" "$2 $four $five "
check "the BE cloned from it stays" exists $R/fromapt

# Its name taken (here by a user's snapshots, for the next minute): -2.
# One zfs snapshot per name (ZFS takes one snapshot of a file system per
# call), all at once so that they land in a few transaction groups.
t0=$(date -u +%s)
for s in $(seq 0 59); do
	zfs snapshot $R/default@apt-$(date -u -d @$((t0 + s)) +%Y%m%d-%H%M%S) &
done
wait
expect_eq "a user takes the names of the next minute" \
	"$(zfs list -H -t snapshot -d 1 -o name,beadm:made-by $R/default | grep -c '@apt-.*	-$')" 60
expect_beadm 0 "apt-hook succeeds when its name is taken" -r $R apt-hook
six=$(made)
case $six in
default@apt-*-2) ok "... naming its checkpoint NAME-2 ($six)" ;;
*) not_ok "... naming its checkpoint NAME-2 ($six)" ;;
esac
expect_eq "the user's snapshots of those names stay" \
	"$(zfs list -H -t snapshot -d 1 -o name,beadm:made-by $R/default | grep -c '@apt-.*	-$')" 60

# A failed checkpoint destroys nothing, even with fewer to keep.
zfs set beadm:apt-keep=1 $R
remember_state $P
BEADM_TEST_ROOTFS=$R/nosuch expect_beadm 4 "apt-hook fails when the running BE is missing" -r $R apt-hook
if grep -q "no checkpoint was made" "$T_TMP/stderr"; then
	ok "... saying no checkpoint was made"
else
	not_ok "... saying no checkpoint was made"
	evidence "$T_TMP/stderr"
fi
expect_unchanged "a failed checkpoint"
env -u BEADM_TEST_ROOTFS "$BEADM" -r $R apt-hook >"$T_TMP/stdout" 2>"$T_TMP/stderr"
expect_eq "apt-hook fails when / is not a BE" "$?" 4
expect_unchanged "a checkpoint with / not a BE"
zfs set beadm:apt-keep=2 $R

# A real chroot: a tmpfs root with the system's files bound in, and /proc.
C=/tmp/t5030-chroot
chroot_undo() { umount -R $C 2>/dev/null || umount -R -l $C; rmdir $C; }
mkdir -p $C && mount -t tmpfs t5030 $C && T_CLEANUP="$T_CLEANUP chroot_undo"
mkdir -p $C/proc $C/dev $C/tmp
mount -t proc proc $C/proc
for d in /usr /dev "$(dirname "$BEADM")" "${BEADM_ZFS_ROOT:-/usr}" /lib /lib64 /bin /sbin; do
	if [ -L $d ]; then
		ln -sfn "$(readlink $d)" $C$d
	elif [ -d $d ] && ! mountpoint -q $C$d; then
		mkdir -p $C$d && mount --bind $d $C$d
	fi
done
check "beadm runs in the chroot" chroot $C "$BEADM" version
remember_state $P
check "apt-hook in a chroot succeeds" chroot $C "$BEADM" -r $R apt-hook
expect_eq "... and prints nothing" "$(cat "$T_TMP/out")" ""
expect_unchanged "apt-hook in a real chroot"
chroot_undo
T_CLEANUP=${T_CLEANUP% chroot_undo}

# ---- create -----------------------------------------------------------------

snaps_before=$(apt_snaps)
zfs set beadm:apt=create $R
bes=""
for i in 1 2 3; do
	expect_beadm 0 "apt-hook $i with beadm:apt=create succeeds" -r $R apt-hook
	bes="$bes $(made)"
done
set -- $bes
case $1 in
apt-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ok "a BE named apt-YYYYMMDD-HHMMSS ($1)" ;;
*) not_ok "a BE named apt-YYYYMMDD-HHMMSS ($1)" ;;
esac
expect_eq "the two newest marked BEs stay" "$(apt_bes)" "$2 $3 "
check_fails "the oldest is gone" exists $R/$1
expect_eq "a checkpoint BE is a clone of the running BE" "$(prop $R/$3 origin)" "$(zfs list -H -d 1 -t snapshot -s createtxg -o name $R/default | tail -1)"
expect_eq "... with a description" "$(prop $R/$3 beadm:description)" "before apt run"
expect_eq "... and all its datasets" "$(zfs list -H -o name -r $R/$3 | wc -l)" 4
expect_eq "the oldest's origin snapshot went with it" \
	"$(zfs list -H -d 1 -t snapshot -o beadm:auto $R/default | grep -c yes)" 3
expect_eq "marked snapshots are kept by their own count" "$(apt_snaps)" "$snaps_before"

# The BE that boots next stays, however old; so does a mounted one.
zpool set bootfs=$R/$2 $P
expect_beadm 0 "apt-hook 4 with beadm:apt=create succeeds" -r $R apt-hook
b4=$(made)
expect_beadm 0 "apt-hook 5 with beadm:apt=create succeeds" -r $R apt-hook
b5=$(made)
expect_eq "the BE that boots next stays besides the two newest" "$(apt_bes)" "$2 $b4 $b5 "
mkdir -p $T_TMP/m
"$BEADM" -r $R mount $b4 $T_TMP/m >/dev/null
expect_beadm 0 "apt-hook 6 with beadm:apt=create succeeds" -r $R apt-hook
b6=$(made)
expect_eq "a mounted BE stays too" "$(apt_bes)" "$2 $b4 $b5 $b6 "
"$BEADM" -r $R umount $b4 >/dev/null
zpool set bootfs=$R/default $P
expect_beadm 0 "apt-hook 7 with beadm:apt=create succeeds" -r $R apt-hook
b7=$(made)
expect_eq "once neither, they go" "$(apt_bes)" "$b6 $b7 "

# Even marked by hand, the running BE stays.
zfs set beadm:made-by=apt $R/default
expect_beadm 0 "apt-hook 8 with the running BE marked succeeds" -r $R apt-hook
check "the running BE stays" exists $R/default
expect_eq "the user's BEs stay" "$(zfs list -H -d 1 -o name $R | grep -c -e /userbe -e /fromapt)" 2
zfs inherit beadm:made-by $R/default

# beadm chroot, as in the README's upgrade recipe (beadm chroot new apt-get
# ...): a BE with beadm and the libraries it loads copied in.
clone_by_hand $R default inside
prep=$T_TMP/prep
mkdir -p $prep
mount -t zfs -o zfsutil $R/inside $prep
mount -t zfs -o zfsutil $R/inside/usr $prep/usr
mkdir -p $prep/dev $prep/proc $prep/sys $prep/run $prep/beadm-test
cp "$BEADM" $prep/beadm-test/beadm
for lib in $(ldd "$BEADM" | grep -o '/[^ ]*'); do
	mkdir -p "$prep$(dirname "$lib")" && cp -L "$lib" "$prep$lib"
done
umount $prep/usr
umount $prep
expect_beadm 0 "beadm runs inside beadm chroot" -r $R chroot inside /beadm-test/beadm version
remember_state $P
expect_beadm 0 "apt-hook inside beadm chroot succeeds" -r $R chroot inside /beadm-test/beadm -r $R apt-hook
expect_eq "... and prints nothing" "$(cat "$T_TMP/stdout" "$T_TMP/stderr")" ""
expect_unchanged "apt-hook inside beadm chroot"

# ---- the apt side ---------------------------------------------------------------

hook=$(apt-config -c "$TOP/contrib/apt/80beadm" dump DPkg::Pre-Invoke 2>&1)
case $hook in
*'"if command -v beadm >/dev/null 2>&1; then beadm apt-hook || true; fi"'*) ok "apt reads the hook from contrib/apt/80beadm" ;;
*) not_ok "apt reads the hook from contrib/apt/80beadm"; echo "$hook" | sed 's/^/#   /' ;;
esac

done_testing
