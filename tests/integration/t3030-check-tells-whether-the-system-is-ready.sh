#!/bin/bash
# check: one line per finding, "ok: ..." or "problem: ... — fix: ...";
# exit 0 when ready, 1 when any problem; it changes nothing.
. "$(dirname "$0")/lib.sh"

A=t3030a B=t3030b C=t3030c
fixture zbm $A
fixture proxmox $B
fixture deep $C
snap() { zfs get -H -p all -r "$1" | grep -v -e '	written	' -e '	used' -e '	available	' -e '	referenced	' -e 'logical' -e 'compressratio'; }

snap $A >"$T_TMP/before"
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 0 "check on a ready system exits 0" -r $A/ROOT check
# The test VM runs Debian 12 or 13 with its own OpenZFS (2.1 or 2.3): each
# supported and tested.
kmod=$(cat /sys/module/zfs/version)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
cat >"$T_TMP/want" <<EOT
ok: running as root
ok: the ZFS library and kernel module are available (libzfs $(zfs version | sed -n 's/^zfs-\([0-9.]*\).*/\1/p;q')
ok: $os: supported and tested
ok: OpenZFS $kmod (kernel module): supported and tested
ok: the BE root is $A/ROOT (pool $A)
ok: / is BE 'debian' ($A/ROOT/debian)
ok: pool '$A' boots BE 'debian' (bootfs=$A/ROOT/debian)
ok: BE 'debian' has canmount=noauto and mountpoint=/
ok: boot loader backend: bootfs
EOT
# The libzfs version line carries the build's version, which may differ.
sed -i '2s/(libzfs .*/(libzfs/' "$T_TMP/want"
sed '2s/(libzfs .*/(libzfs/' "$T_TMP/stdout" >"$T_TMP/got"
check "it reports each finding as ok" diff "$T_TMP/want" "$T_TMP/got"
snap $A >"$T_TMP/after"
check "check changed nothing" diff "$T_TMP/before" "$T_TMP/after"

# bootfs unset.
zpool set bootfs= $A
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 1 "check without bootfs exits 1" -r $A/ROOT check
check "and names the problem and the fix" grep -qx "problem: pool '$A' has no bootfs naming a BE below $A/ROOT, so loaders that read bootfs (FreeBSD's, ZFSBootMenu) do not know what to boot — fix: beadm activate BE" "$T_TMP/stdout"
expect_eq "only that problem" "$(grep -c '^problem: ' "$T_TMP/stdout")" 1
zpool set bootfs=$A/ROOT/debian $A

# Proxmox's installer leaves pve-1 canmount=on: a second BE would be mounted
# over / by `zfs mount -a`.
BEADM_TEST_ROOTFS=$B/ROOT/pve-1 expect_beadm 1 "check of a BE with canmount=on exits 1" -r $B/ROOT check
check "and names the BE and the fix" grep -qx "problem: BE 'pve-1' has canmount=on: \`zfs mount -a\` would mount it over the running BE — fix: zfs set canmount=noauto $B/ROOT/pve-1" "$T_TMP/stdout"
zfs set canmount=noauto $B/ROOT/pve-1
BEADM_TEST_ROOTFS=$B/ROOT/pve-1 expect_beadm 0 "after the fix check exits 0" -r $B/ROOT check

# An inactive BE whose descendant is canmount=on, and one with a wrong mountpoint.
zfs snapshot -r $C/ROOT/default@s1
zfs clone -o canmount=noauto -o mountpoint=/ $C/ROOT/default@s1 $C/ROOT/old
zfs clone -o canmount=noauto $C/ROOT/default/usr@s1 $C/ROOT/old/usr
zfs set canmount=on $C/ROOT/old/usr
zfs clone -o canmount=noauto -o mountpoint=/mnt $C/ROOT/default@s1 $C/ROOT/odd
zfs set canmount=noauto $C/ROOT/default
BEADM_TEST_ROOTFS=$C/ROOT/default expect_beadm 1 "check of an inactive BE's canmount=on descendant exits 1" -r $C/ROOT check
check "and names that dataset" grep -qx "problem: $C/ROOT/old/usr has canmount=on: \`zfs mount -a\` would mount it at /usr over the running system's — fix: zfs set canmount=noauto $C/ROOT/old/usr" "$T_TMP/stdout"
check "and the BE whose mountpoint is not /" grep -qx "problem: BE 'odd' has mountpoint=/mnt, not / — fix: zfs set mountpoint=/ $C/ROOT/odd" "$T_TMP/stdout"
check "the running BE's own canmount=on descendants are fine" sh -c "! grep -q '$C/ROOT/default/' '$T_TMP/stdout'"

# / not a BE, and no BE root at all: still explained.
expect_beadm 1 "check when / is not a BE exits 1" -r $A/ROOT check
check "and says so" grep -q "^problem: / is not a ZFS file system, so this system does not run from a BE — fix: " "$T_TMP/stdout"
expect_beadm 1 "check with a BE root that does not exist exits 1" -r $A/NOPE check
check "and explains it" grep -q "^problem: cannot open the boot environment root '$A/NOPE': .* — fix: keep / on a dataset directly below a BE root" "$T_TMP/stdout"
check "after the checks it could make" grep -qx "ok: running as root" "$T_TMP/stdout"
expect_beadm 2 "check with an argument is a usage error" -r $A/ROOT check extra

# Where the system stands among the supported releases: Proxmox VE by its
# pve-manager package, an OpenZFS module of another release than libzfs
# (upgraded, not rebooted), a Debian too old.  Files of the read-only root
# are replaced by bind mounts for the run.
unbind() { umount /var/lib/dpkg/status /sys/module/zfs/version /etc/os-release 2>/dev/null; return 0; }
T_CLEANUP="$T_CLEANUP unbind"
{ cat /var/lib/dpkg/status; printf '\nPackage: pve-manager\nStatus: install ok installed\nVersion: 9.0.11\nArchitecture: amd64\n'; } >"$T_TMP/status"
mount --bind "$T_TMP/status" /var/lib/dpkg/status
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 0 "check on Proxmox VE 9 exits 0" -r $A/ROOT check
check "and places Proxmox VE" grep -qx "ok: Proxmox VE (pve-manager 9.0.11): supported, not tested by beadm's tests; beadm's tests model its layout and proxmox-boot-tool" "$T_TMP/stdout"
umount /var/lib/dpkg/status

case $kmod in 2.1.*) other=2.3.9-1 ;; *) other=2.1.11-1 ;; esac
echo "$other" >"$T_TMP/kmod"
mount --bind "$T_TMP/kmod" /sys/module/zfs/version
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 1 "check with a module of another OpenZFS release than libzfs exits 1" -r $A/ROOT check
check "and says to reboot" grep -qx "problem: the loaded OpenZFS kernel module ($other) and libzfs ($(zfs version | sed -n 's/^zfs-\([0-9.]*\).*/\1/p;q')) are of different releases — fix: reboot, so that the kernel module of the installed OpenZFS is loaded" "$T_TMP/stdout"
expect_eq "only that problem" "$(grep -c '^problem: ' "$T_TMP/stdout")" 1
echo 2.0.7-1 >"$T_TMP/kmod"
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 1 "check with OpenZFS 2.0 exits 1" -r $A/ROOT check
check "and names the upgrade" grep -qx "problem: OpenZFS 2.0.7-1 (kernel module): older than beadm supports — fix: upgrade OpenZFS to 2.1 or later" "$T_TMP/stdout"
umount /sys/module/zfs/version

printf 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nVERSION_ID="11"\nID=debian\n' >"$T_TMP/os-release"
mount --bind "$T_TMP/os-release" /etc/os-release
BEADM_TEST_ROOTFS=$A/ROOT/debian expect_beadm 1 "check on Debian 11 exits 1" -r $A/ROOT check
check "and names the upgrade" grep -qx "problem: Debian GNU/Linux 11 (bullseye): older than beadm supports — fix: upgrade to Debian 12 or later" "$T_TMP/stdout"
umount /etc/os-release

done_testing
