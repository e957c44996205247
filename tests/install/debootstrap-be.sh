#!/bin/bash
# beadm install NEWBE debootstrap:bookworm on real OpenZFS: inside the test
# VM (run by tests/install/debootstrap-be, with the network on), into a new
# BE of a Proxmox-like pool with two ESPs.  Checks that the BE is laid out
# like the others and left unmounted, that it
# holds a bootable Debian (/sbin/init, a kernel, an initramfs with zfs.ko and
# zpool, the ZFS packages installed, apt pointed at this machine's mirror),
# that `beadm kernel list` sees its kernel, and that once activated both ESPs
# boot that kernel.
#
# VERY SLOW under TCG: debootstrap's every exec and zfs-dkms's compile of
# the ZFS module run emulated.  Not part of make check; see the README.
. "$(dirname "$0")/../integration/lib.sh"
. "$TOP/tests/integration/esp.sh"
. "$TOP/tests/install/lib.sh"

SUITE=bookworm
P=tdeb
R=$P/ROOT
BEADM_FIXTURE_SIZE=8G fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
zfs set compression=lz4 $R
esp_setup $P 2

# The install, its output kept whole and shown as it goes (it is long).
t0=$SECONDS
RC=0
"$BEADM" -r $R install -d "Debian $SUITE by debootstrap" deb debootstrap:$SUITE \
	</dev/null > >(tee "$T_TMP/install.out") 2>&1 || RC=$?
echo "# install took $((SECONDS - t0)) s"
expect_eq "install debootstrap:$SUITE into a new BE exits 0" "$RC" 0

expect_eq "the BE exists, cloned from nothing" "$(prop $R/deb origin)" "-"
# (zfs get shows mountpoints below the pool's altroot.)
expect_eq "it has mountpoint / as the other BEs, and is canmount=noauto, unmounted" \
	"$(prop $R/deb mountpoint)/$(prop_source $R/deb mountpoint)/$(prop $R/deb canmount)/$(prop $R/deb mounted)" \
	"$(prop $R/pve-1 mountpoint)/local/noauto/no"
expect_eq "it inherits the BE root's compression" "$(prop_source $R/deb compression)" "inherited from $R"
expect_eq "it has its description" "$(prop $R/deb beadm:description)" "Debian $SUITE by debootstrap"

M=$T_TMP/m
mkdir -p "$M"
expect_beadm 0 "the new BE mounts" -r $R mount deb "$M"
check "it has /sbin/init" test -x "$M/sbin/init" -o -L "$M/sbin/init"
check "its init is systemd, present" test -x "$M/lib/systemd/systemd"
kver=$(cd "$M/boot" 2>/dev/null && ls vmlinuz-* 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V | tail -n1)
check "it has a kernel in /boot" test -n "$kver" -a -f "$M/boot/vmlinuz-$kver"
check "it has that kernel's initramfs" test -f "$M/boot/initrd.img-$kver"
check "dkms built zfs.ko for that kernel" \
	bash -c 'ls "$1"/lib/modules/"$2"/updates/dkms/zfs.ko* >/dev/null' _ "$M" "$kver"
chroot "$M" lsinitramfs "/boot/initrd.img-$kver" >"$T_TMP/lsinitramfs" 2>&1
check "the initramfs holds zfs.ko" grep -q 'zfs\.ko' "$T_TMP/lsinitramfs"
check "the initramfs holds zpool" grep -q 'sbin/zpool$' "$T_TMP/lsinitramfs"
for pkg in zfsutils-linux zfs-initramfs zfs-dkms linux-image-amd64; do
	check "dpkg has $pkg installed" installed "$M/var/lib/dpkg/status" $pkg
done
mirror=$(awk '$1 == "deb" { print $2; exit }' "$M/etc/apt/sources.list" 2>/dev/null)
check "its apt sources name this machine's mirror ($mirror)" \
	grep -qxF "${mirror%/}" <(machine_uris)
# (An error text here cannot equal an ESP file's sum below.)
ksum=$(sha256sum <"$M/boot/vmlinuz-$kver" 2>&1)
expect_beadm 0 "it unmounts" -r $R umount deb

expect_beadm 0 "beadm kernel list deb" -r $R kernel list deb
check "kernel list shows $kver" grep -qF "$kver" "$T_TMP/stdout"

expect_beadm 0 "activate the new BE" -r $R activate deb
expect_eq "bootfs names it" "$(pool_bootfs $P)" "$R/deb"
for n in 1 2; do
	check "ESP $n has an entry for deb with kernel $kver" test -f "${ESP_DIR[n]}/loader/entries/beadm-deb@$kver.conf"
	expect_eq "ESP $n boots it by default" "$(esp_default $n)" "beadm-deb@*"
	expect_eq "ESP $n holds its kernel's bytes" \
		"$(sha256sum <"${ESP_DIR[n]}$(entry_field $n "beadm-deb@$kver.conf" linux)" 2>&1)" "$ksum"
done
check "both ESPs hold the same beadm files" esp_same
done_testing
